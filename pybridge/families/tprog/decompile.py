"""Untrusted: write a Transformer Program (discrete model or program IR) as a readable Python program in the
authors' style (jinja2 template pybridge/export/templates/tprog_program.py.j2). Only integers, fixed
identifiers and the trusted task table's strings go into the text."""

from __future__ import annotations

from pathlib import Path

from pybridge.check.tprog.program import Program, ir_sha256, program_to_ir

TIE_DOC = {
    "nearest": "the matching key nearest to the query, the earlier at equal distance, the query's own\n"
               "position only when it is the only match, <s> (position 0) when nothing matches.",
    "self-first": "the query's own position first if it matches, else the nearest matching key (earlier at equal\n"
                  "distance), <s> when nothing matches.",
    "earliest": "the earliest matching key, <s> when nothing matches.",
    "printer": "the authors' printer's select_closest: every position, <s> included, is a candidate; a match j\n"
               "scores |i - j|, the query's own position len(matches); the smallest score, then the smallest j.",
    "nearest-bos": "the matching key nearest to the query, <s> (position 0) included, the earlier at equal\n"
                   "distance, the query's own position only when it is the only match, <s> when nothing matches.",
    "printer-causal": "the authors' printer's select_closest with keys[:i + 1]: positions 0..i, <s> included, are\n"
                      "candidates; a match j scores |i - j|, the query's own position len(matches); the smallest\n"
                      "score, then the smallest j.",
}


# A variable of the generated program is a pair of integers (kind, (layer, index)); the template spells it with
# fixed prefixes (macros `cvar`/`nvar`), so no text reaches the file. Categorical kinds: 0 tokens_ids, 1 positions,
# 2 a categorical head's output, 3 an MLP's, 4 a numerical MLP's; numerical kinds: 0 ones, 1 a numerical head's.
CAT_BASE = [(0, (0, 0)), (1, (0, 0))]
NUM_BASE = [(0, (0, 0))]


def render_program(p: Program) -> str:
    from pybridge.export import template_env

    t = p.task
    cat_vars, num_vars = list(CAT_BASE), list(NUM_BASE)
    heads, mlps, num_mlps, layers = [], [], [], []
    for li, L in enumerate(p.layers):
        entry = {"cat": [], "num": [], "mlps": [], "num_mlps": []}
        new_cat, new_num = [], []
        for kind, hs in (("cat", L.cat_heads), ("num", L.num_heads)):
            for hi, h in enumerate(hs):
                rows = [(q, [j for j in range(p.k) if h.pred[q, j]]) for q in range(p.k) if h.pred[q].any()]
                heads.append({"num": kind == "num", "at": (li, hi), "rows": rows})
                entry[kind].append({"at": (li, hi), "q": cat_vars[h.q], "k": cat_vars[h.k],
                                    "v": cat_vars[h.v] if kind == "cat" else num_vars[h.v]})
                (new_cat if kind == "cat" else new_num).append((2, (li, hi)) if kind == "cat" else (1, (li, hi)))
        cat_vars += new_cat
        num_vars += new_num
        for mi, m in enumerate(L.mlps):
            mlps.append({"at": (li, mi), "table": [list(map(int, r)) for r in m.table.tolist()]})
            entry["mlps"].append({"at": (li, mi), "a": cat_vars[m.a], "b": cat_vars[m.b]})
        cat_vars += [(3, (li, mi)) for mi in range(len(L.mlps))]
        for mi, m in enumerate(L.num_mlps):
            table = {(int(x), int(y)): int(o) for (x, y), o in zip(m.keys.tolist(), m.outs.tolist())}
            num_mlps.append({"at": (li, mi), "table": table, "default": int(m.default)})
            entry["num_mlps"].append({"at": (li, mi), "a": num_vars[m.a], "b": num_vars[m.b]})
        cat_vars += [(4, (li, mi)) for mi in range(len(L.num_mlps))]
        layers.append(entry)
    return template_env(keep_trailing_newline=True).get_template("tprog_program.py.j2").render(
        task=t.name, tokens=list(t.content), lengths=list(t.lengths), vocab=list(t.vocab), classes=list(t.classes),
        eos=t.eos, causal=t.causal, tie_rule=p.tie_rule, tie_doc=TIE_DOC[p.tie_rule],
        sha=ir_sha256(program_to_ir(p)), heads=heads, mlps=mlps, num_mlps=num_mlps, layers=layers, den=p.den, bias=list(p.bias),
        w_cat=[list(map(list, w)) for w in p.w_cat], w_num=[list(w) for w in p.w_num],
        cat_vars=cat_vars, num_vars=num_vars)


def decompile(model: Path, out: Path, ir_out: Path | None = None) -> tuple[Path, Path | None]:
    import json

    from pybridge.certio import write_json_atomic
    from pybridge.families.stio import atomic_write_bytes
    from pybridge.families.tprog.prove import load

    prog, _, _ = load(Path(model))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, render_program(prog).encode())
    if ir_out is not None:
        write_json_atomic(program_to_ir(prog), ir_out)
        json.loads(Path(ir_out).read_text())
    return out, ir_out
