"""Untrusted: Coq export of tprog certificates (integers, booleans and fixed identifiers only; the statement is
fixed by templates/coq_tprog.v.j2 per strategy and model kind; Spec: coq/theories/TransformerPrograms/Spec.v).

- `task-accuracy` on a program IR file: `accuracy_at_least cert_prog cert_task cert_N`;
- `task-accuracy` on a trained model (.safetensors): `accuracy_at_least (model_program cert_model) cert_task cert_N`:
  Coq computes the discrete program from the model's integer tensors itself (argmax of every selection and
  predicate logit, the MLP tables from the exact ReLU MLPs);
- `program-equivalence`: `program_is_model cert_prog cert_model cert_task` (the IR program gives the model's labels
  on every input of the space).
Numerical MLPs: an IR's table is `table_lookup [(x, y, out); ...] default` (Spec.v), a model's numerical MLP its
exact integer weights (Spec.num_entry: the network at the values read, not a table); `check`/`check_equal` take an
untrusted bound B (memo_bound: the Python checker's bound on numerical values, at most MEMO_MAX) up to which Check.v
tabulates them once (Check.memo_fn_ok: the same function whatever B).
Refused with one line (ValueError): tie rules the Spec does not model (it has nearest, self-first, earliest,
nearest-bos, printer, printer-causal), tasks without a Coq target (double-hist, most-freq, dyck2), and a model file
whose hash is not the certificate's.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from pybridge.check.tprog.tasks import BASE

COQ_TARGETS = {"hist": "hist_target", "reverse": "reverse_target", "sort": "sort_target", "dyck1": "dyck1_target"}
COQ_TIE = {"nearest": "Nearest", "self-first": "SelfFirst", "earliest": "Earliest", "nearest-bos": "NearestBos",
           "printer": "Printer", "printer-causal": "PrinterCausal"}
LAYER_FIELDS = {"cat_heads", "num_heads", "mlps", "num_mlps"}  # what the Coq Spec models; anything else is refused
MEMO_MAX = 63  # Check.memo_fn tabulates numerical MLPs over the values 0..B, B <= MEMO_MAX (speed only)
# the statement of cert_correct, fixed per (strategy, model kind); EXPECTED is how Coq prints it in the strict
# `verify --coq` trailer (Set Printing All, default width: the long one wraps), compared exactly (coq_expected)
STATEMENTS = {
    ("task-accuracy", "program"): "accuracy_at_least cert_prog cert_task cert_N",
    ("task-accuracy", "safetensors"): "accuracy_at_least (model_program cert_model) cert_task cert_N",
    ("program-equivalence", "safetensors"): "program_is_model cert_prog cert_model cert_task",
}
EXPECTED = {
    ("task-accuracy", "program"): "Spec.accuracy_at_least Cert.cert_prog Cert.cert_task Cert.cert_N",
    ("task-accuracy", "safetensors"):
        "Spec.accuracy_at_least (Spec.model_program Cert.cert_model)\n         Cert.cert_task Cert.cert_N",
    ("program-equivalence", "safetensors"): "Spec.program_is_model Cert.cert_prog Cert.cert_model Cert.cert_task",
}


def mlp_integers(arrays: dict, p: str, k: int) -> tuple[int, list, list, list, list, list]:
    """Exact integers of the categorical MLP with tensor prefix p (the Coq and the Lean export read the same):
    (s1, W1 columns for a, W1 columns for b, b1, W2 rows, b2); W1 and b1 share the unit 2^-s1."""
    from pybridge.check.modelfile import exact_integers

    s1, A = exact_integers({"W1": arrays[p + "W1"], "b1": arrays[p + "b1"]})
    _, B = exact_integers({"W2": arrays[p + "W2"], "b2": arrays[p + "b2"]})
    H = len(A["b1"])
    W1 = [A["W1"][h * 2 * k:(h + 1) * 2 * k] for h in range(H)]
    W2 = [B["W2"][c * H:(c + 1) * H] for c in range(k)]
    return int(s1), [r[:k] for r in W1], [r[k:] for r in W1], A["b1"], W2, B["b2"]

def num_mlp_integers(arrays: dict, p: str) -> tuple[int, list, list, list, list, list]:
    """Exact integers of the numerical MLP with tensor prefix p: (s1, W1 column for x, W1 column for y, b1, W2 rows,
    b2); W1 (hidden x 2) and b1 share the unit 2^-s1, W2 (k x hidden) and b2 the unit 2^-s2."""
    from pybridge.check.modelfile import exact_integers

    s1, A = exact_integers({"W1": arrays[p + "W1"], "b1": arrays[p + "b1"]})
    _, B = exact_integers({"W2": arrays[p + "W2"], "b2": arrays[p + "b2"]})
    H = len(A["b1"])
    k = len(B["b2"])
    return int(s1), A["W1"][0::2], A["W1"][1::2], A["b1"], [B["W2"][c * H:(c + 1) * H] for c in range(k)], B["b2"]


def memo_bound(progs) -> int:
    """The hint B of Check.check / check_equal when a trained model is involved (its numerical MLPs are networks, so
    tabulating them once pays): the Python checker's bound on every numerical value over the task's longest input,
    capped at MEMO_MAX; 0 without numerical MLPs. An IR alone gets B = 0 (render_coq): its tables are short lists, and
    tabulating the authors' 3-layer sort program over 0..255 made coqc slower (110.4 s CPU vs 80.6 s with B = 0,
    bench/results/tprog_coq_scale.md)."""
    from pybridge.check.tprog.program import max_numerical

    if not any(L.num_mlps for p in progs for L in p.layers):
        return 0
    return min(MEMO_MAX, max(max_numerical(p, p.task.seq_len(max(p.task.lengths))) for p in progs))


def kind_of(cert) -> str:
    return "safetensors" if cert.strategy == "program-equivalence" else cert.hints["kind"]


def coq_expected(cert) -> str:
    """The exact `Check` output of the strict `verify --coq` trailer for this certificate."""
    return f"Cert.cert_correct\n     : {EXPECTED[(cert.strategy, kind_of(cert))]}\n"


def _nat(x) -> str:
    return "[" + ";".join(f"{int(v)}" for v in x) + "]"


def _z(x) -> str:
    return "[" + ";".join(f"({int(v)})%Z" for v in x) + "]"


def _zmat(rows) -> str:
    return "[" + ";".join(_z(r) for r in rows) + "]"


def _bool(x) -> str:
    return "[" + ";".join("true" if v else "false" for v in x) + "]"


def refuse_unmodelled(prog) -> None:
    """ValueError naming the first feature of `prog` the Coq Spec does not model."""
    if prog.tie_rule not in COQ_TIE:
        raise ValueError(f"the Coq Spec has no tie rule {prog.tie_rule} ({', '.join(COQ_TIE)} only): not exported")
    for L in prog.layers:
        for f in fields(L):
            if f.name not in LAYER_FIELDS and getattr(L, f.name):
                raise ValueError(f"the Coq Spec has no {f.name} (this program has some): not exported")
    if COQ_TARGETS.get(BASE.get(prog.task.name, prog.task.name)) is None:
        raise ValueError(f"the Coq Spec has no target for task {prog.task.name} (hist, reverse, sort, dyck1 only)")


def program_data(prog) -> dict[str, Any]:
    def head(h) -> str:
        return (f"{{| h_q := {h.q}; h_k := {h.k}; h_v := {h.v}; h_pred := ["
                + ";".join(_bool(r) for r in h.pred.tolist()) + "] |}")

    def nmlp(m) -> str:
        tbl = ";".join(f"(({int(x)})%Z, ({int(y)})%Z, {int(o)})" for (x, y), o in zip(m.keys.tolist(), m.outs.tolist()))
        return f"{{| n_a := {m.a}; n_b := {m.b}; n_out := table_lookup [{tbl}] {int(m.default)} |}}"

    layers = [{"cat": [head(h) for h in L.cat_heads], "num": [head(h) for h in L.num_heads],
               "mlp": [f"{{| m_a := {m.a}; m_b := {m.b}; m_table := [" + ";".join(_nat(r) for r in m.table.tolist())
                       + "] |}" for m in L.mlps],
               "nmlp": [nmlp(m) for m in L.num_mlps]} for L in prog.layers]
    return {"tie": COQ_TIE[prog.tie_rule], "layers": layers}


def classifier_data(prog) -> dict[str, str]:
    """The classifier in the Spec's orientation: per categorical variable, value -> class -> weight."""
    k = prog.k
    wcat = "[" + ";\n    ".join(_zmat([[w[c][x] for c in range(prog.n_classes)] for x in range(k)])
                                for w in prog.w_cat) + "]"
    return {"wcat": wcat, "wnum": _zmat(prog.w_num), "bias": _z(prog.bias)}


def model_data(model_path: Path, prog) -> dict[str, Any]:
    """The trained model's tensors as the Spec's integers (exact dyadics times 2^s, one s per tensor, per MLP
    input layer (W1, b1) and output layer (W2, b2))."""
    from pybridge.check.modelfile import exact_integers, read_safetensors

    arrays, meta = read_safetensors(Path(model_path))
    k = prog.k

    def ints(name: str) -> list[int]:
        return exact_integers({name: arrays[name]})[1][name]

    def pred(name: str) -> str:
        Z = ints(name)
        return _zmat([Z[a * k:(a + 1) * k] for a in range(k)])

    def head(p: str) -> str:
        return (f"{{| mh_q := {_z(ints(p + 'sel_q'))}; mh_k := {_z(ints(p + 'sel_k'))}; mh_v := {_z(ints(p + 'sel_v'))}; "
                f"mh_pred := {pred(p + 'pred')} |}}")

    def mlp(p: str) -> str:
        s1, W1a, W1b, b1, W2, b2 = mlp_integers(arrays, p, k)
        return (f"{{| mm_a := {_z(ints(p + 'sel_a'))}; mm_b := {_z(ints(p + 'sel_b'))};\n"
                f"       mm_W1a := {_zmat(W1a)};\n       mm_W1b := {_zmat(W1b)};\n"
                f"       mm_b1 := {_z(b1)};\n       mm_W2 := {_zmat(W2)};\n       mm_b2 := {_z(b2)}; "
                f"mm_s1 := {s1} |}}")

    def nmlp(p: str) -> str:
        s1, W1x, W1y, b1, W2, b2 = num_mlp_integers(arrays, p)
        return (f"{{| mn_a := {_z(ints(p + 'sel_a'))}; mn_b := {_z(ints(p + 'sel_b'))};\n"
                f"       mn_W1x := {_z(W1x)};\n       mn_W1y := {_z(W1y)};\n"
                f"       mn_b1 := {_z(b1)};\n       mn_W2 := {_zmat(W2)};\n       mn_b2 := {_z(b2)}; "
                f"mn_s1 := {s1} |}}")

    layers = []
    for li, L in enumerate(prog.layers):
        layers.append({"cat": [head(f"l{li}.c{h}.") for h in range(len(L.cat_heads))],
                       "num": [head(f"l{li}.n{h}.") for h in range(len(L.num_heads))],
                       "mlp": [mlp(f"l{li}.m{m}.") for m in range(len(L.mlps))],
                       "nmlp": [nmlp(f"l{li}.u{m}.") for m in range(len(L.num_mlps))]})
    return {"k": k, "layers": layers}


def render_coq(cert_path: Path, cert, model_path: Path, print_assumptions: bool = True) -> str:
    from pybridge.check.tprog import load_any
    from pybridge.export import template_env

    kind = kind_of(cert)
    prog, sha, _ = load_any(Path(model_path), kind)
    if sha != cert.model_sha256:
        raise ValueError("the model file's hash is not the certificate's model_sha256")
    refuse_unmodelled(prog)
    t = prog.task
    ctx: dict[str, Any] = {"statement": STATEMENTS[(cert.strategy, kind)], "causal": "true" if t.causal else "false",
                           "m": len(t.content), "lengths": _nat(t.lengths), "eos": "true" if t.eos else "false",
                           "target": COQ_TARGETS[BASE.get(t.name, t.name)], "print_assumptions": print_assumptions,
                           "strategy": cert.strategy, "prog": None, "model": None, "N": None,
                           "B": memo_bound([prog]) if kind == "safetensors" else 0, **classifier_data(prog)}
    if cert.strategy == "program-equivalence":
        ir = cert.hints["program"]
        refuse_unmodelled(ir)
        if ir.task.name != t.name:
            raise ValueError("the program IR's task is not the model's")
        ctx["prog"] = {**program_data(ir), **classifier_data(ir)}
        ctx["model"] = model_data(Path(model_path), prog)
        ctx["B"] = memo_bound([prog, ir])
    elif kind == "safetensors":
        ctx["model"] = model_data(Path(model_path), prog)
        ctx["N"] = int(cert.correct_at_least)
    else:
        ctx["prog"] = {**program_data(prog), **classifier_data(prog)}
        ctx["N"] = int(cert.correct_at_least)
    return template_env(keep_trailing_newline=True).get_template("coq_tprog.v.j2").render(**ctx)


# ---------------------------------------------------------------- Lean (mirror; never compiled here: no toolchain)
LEAN_STATEMENTS = {
    ("task-accuracy", "program"): ("check cert_prog cert_task {N}", "AccuracyAtLeast cert_prog cert_task {N}",
                                   "check_sound cert_prog cert_task {N} check_ok"),
    ("task-accuracy", "safetensors"): ("check (modelProgram cert_model) cert_task {N}",
                                       "AccuracyAtLeast (modelProgram cert_model) cert_task {N}",
                                       "check_sound (modelProgram cert_model) cert_task {N} check_ok"),
    ("program-equivalence", "safetensors"): ("checkEqual cert_prog cert_model cert_task",
                                             "ProgramIsModel cert_prog cert_model cert_task",
                                             "checkEqual_sound cert_prog cert_model cert_task check_ok"),
}
LEAN_TIE = {"nearest": "Tie.nearest", "self-first": "Tie.selfFirst", "earliest": "Tie.earliest",
            "nearest-bos": "Tie.nearestBos", "printer": "Tie.printer", "printer-causal": "Tie.printerCausal"}
LEAN_TARGETS = {"hist": "histTarget", "reverse": "reverseTarget", "sort": "sortTarget", "dyck1": "dyck1Target"}
# identifiers of Proofs/TransformerPrograms the generated files use (a test checks each is defined there)
LEAN_LIBRARY_NAMES = ("Program", "Head", "Mlp", "NMlp", "Layer", "Model", "MHead", "MMlp", "MNMlp", "MLayer", "Task",
                      "Tie", "tableLookup", "check",
                      "check_sound", "checkEqual", "checkEqual_sound", "modelProgram", "AccuracyAtLeast",
                      "ProgramIsModel", *LEAN_TARGETS.values())


def _li(z: int) -> str:
    return str(int(z)) if int(z) >= 0 else f"({int(z)})"


def _lz(x) -> str:
    return "[" + ", ".join(_li(v) for v in x) + "]"


def _lzmat(rows) -> str:
    return "[" + ", ".join(_lz(r) for r in rows) + "]"


def _ln(x) -> str:
    return "[" + ", ".join(str(int(v)) for v in x) + "]"


def _lb(x) -> str:
    return "[" + ", ".join("true" if v else "false" for v in x) + "]"


def render_lean(cert_path: Path, cert, model_path: Path) -> tuple[str, str]:
    """(module base name, Lean source) of a tprog certificate: the same data and statement as the Coq export, in the
    Lean mirror's terms (Proofs/TransformerPrograms/{Spec,Check}.lean), `check_ok` by `decide +kernel`."""
    import re

    from pybridge.check.modelfile import exact_integers, read_safetensors
    from pybridge.check.tprog import load_any
    from pybridge.export import template_env

    kind = kind_of(cert)
    prog, sha, _ = load_any(Path(model_path), kind)
    if sha != cert.model_sha256:
        raise ValueError("the model file's hash is not the certificate's model_sha256")
    refuse_unmodelled(prog)
    progs = [prog]
    if cert.strategy == "program-equivalence":
        progs.append(cert.hints["program"])
        refuse_unmodelled(progs[1])
    t = prog.task
    k = prog.k

    def classifier(p) -> dict[str, str]:
        return {"wcat": "[" + ",\n    ".join(_lzmat([[w[c][x] for c in range(p.n_classes)] for x in range(k)])
                                            for w in p.w_cat) + "]",
                "wnum": _lzmat(p.w_num), "bias": _lz(p.bias)}

    def program(p) -> dict[str, Any]:
        def head(h) -> str:
            return f"Head.mk {h.q} {h.k} {h.v} [" + ", ".join(_lb(r) for r in h.pred.tolist()) + "]"

        def nmlp(m) -> str:
            tbl = ", ".join(f"({_li(x)}, {_li(y)}, {int(o)})" for (x, y), o in zip(m.keys.tolist(), m.outs.tolist()))
            return f"NMlp.mk {m.a} {m.b} (tableLookup [{tbl}] {int(m.default)})"

        layers = [f"Layer.mk [{', '.join(head(h) for h in L.cat_heads)}]\n      [{', '.join(head(h) for h in L.num_heads)}]"
                  f"\n      [{', '.join(f'Mlp.mk {m.a} {m.b} [' + ', '.join(_ln(r) for r in m.table.tolist()) + ']' for m in L.mlps)}]"
                  f"\n      [{', '.join(nmlp(m) for m in L.num_mlps)}]"
                  for L in p.layers]
        return {"tie": LEAN_TIE[p.tie_rule], "layers": layers, **classifier(p)}

    ctx: dict[str, Any] = {"causal": "true" if t.causal else "false", "m": len(t.content),
                           "lengths": _ln(t.lengths), "eos": "true" if t.eos else "false",
                           "target": LEAN_TARGETS[BASE.get(t.name, t.name)], "prog": None, "model": None,
                           "strategy": cert.strategy, "kind": kind}
    N = int(cert.correct_at_least)
    stmt = LEAN_STATEMENTS[(cert.strategy, kind)]
    ctx["check"], ctx["claim"], ctx["proof"] = (s.format(N=N) for s in stmt)
    if cert.strategy == "program-equivalence" or kind == "program":
        ctx["prog"] = program(progs[-1])
    if kind == "safetensors":
        arrays, meta = read_safetensors(Path(model_path))

        def ints(name: str) -> list[int]:
            return exact_integers({name: arrays[name]})[1][name]

        def mhead(p: str) -> str:
            Z = ints(p + "pred")
            return (f"MHead.mk {_lz(ints(p + 'sel_q'))} {_lz(ints(p + 'sel_k'))} {_lz(ints(p + 'sel_v'))}\n        "
                    + _lzmat([Z[a * k:(a + 1) * k] for a in range(k)]))

        def mmlp(p: str) -> str:
            s1, W1a, W1b, b1, W2, b2 = mlp_integers(arrays, p, k)
            return (f"MMlp.mk {_lz(ints(p + 'sel_a'))} {_lz(ints(p + 'sel_b'))}\n        {_lzmat(W1a)}"
                    f"\n        {_lzmat(W1b)}\n        {_lz(b1)}\n        {_lzmat(W2)}"
                    f"\n        {_lz(b2)} {s1}")

        def mnmlp(p: str) -> str:
            s1, W1x, W1y, b1, W2, b2 = num_mlp_integers(arrays, p)
            return (f"MNMlp.mk {_lz(ints(p + 'sel_a'))} {_lz(ints(p + 'sel_b'))}\n        {_lz(W1x)}"
                    f"\n        {_lz(W1y)}\n        {_lz(b1)}\n        {_lzmat(W2)}"
                    f"\n        {_lz(b2)} {s1}")

        layers = [f"MLayer.mk [{', '.join(mhead(f'l{li}.c{h}.') for h in range(len(L.cat_heads)))}]\n      "
                  f"[{', '.join(mhead(f'l{li}.n{h}.') for h in range(len(L.num_heads)))}]\n      "
                  f"[{', '.join(mmlp(f'l{li}.m{m}.') for m in range(len(L.mlps)))}]\n      "
                  f"[{', '.join(mnmlp(f'l{li}.u{m}.') for m in range(len(L.num_mlps)))}]" for li, L in enumerate(prog.layers)]
        ctx["model"] = {"k": k, "layers": layers, **classifier(prog)}
    tag = re.sub(r"[^0-9a-f]", "", sha.lower())[:12]
    short = {"task-accuracy": "acc", "program-equivalence": "eq"}[cert.strategy]
    ns = f"Cert_{tag}_tprog_{short}_{'model' if kind == 'safetensors' else 'program'}"
    ctx["ns"] = ns
    return ns, template_env(keep_trailing_newline=True).get_template("lean_tprog.lean.j2").render(**ctx)
