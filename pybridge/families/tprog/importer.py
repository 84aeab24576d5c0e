"""Untrusted: read a Transformer Program printed by the authors' code (princeton-nlp/TransformerPrograms,
`programs/<suite>/<task>/<task>.py` and `<task>_weights.csv`) into the program IR, with `ast` only: the program
is never executed or imported. The result is checked like any IR by the trusted checker.

Supported: the categorical-only programs (`select_closest` + `aggregate` heads, categorical MLPs with one or two
arguments, the classifier CSV). Refused with one line: numerical heads and numerical MLPs (`select` /
`aggregate_sum`, `num_mlp_*`; the IR has no numerical MLPs), classifier classes the task does not have, and any
statement of another shape. The attention reading is the printer's own `select_closest` (tie rule `printer`):
every position, `<s>` included, is a candidate, no causal mask, a match j scores |i - j|, the query's own position
len(matches), the smallest score then the smallest j. The CSV decimals are read as exact rationals (the printer
sums them in float64 with pandas; the certificate is about the exact sums).
"""

from __future__ import annotations

import ast
import csv
import re
from fractions import Fraction
from math import lcm
from pathlib import Path

from pybridge.check.tprog.tasks import TASKS, Task

NAME = re.compile(r"^(attn|mlp)_(\d+)_(\d+)_outputs$")
MAX_PROGRAM_BYTES = 4 << 20


class ImportError_(ValueError):
    """The program is not in the supported subset of the printer's format (one-line reason)."""


def _const(node: ast.AST):
    v = ast.literal_eval(node)  # literals only: never evaluates code
    if isinstance(v, bool) or not isinstance(v, (int, str, tuple, set)):
        raise ImportError_(f"unsupported constant at line {getattr(node, 'lineno', '?')}")
    return v


def _token_map(t: Task, theirs: list[str]) -> dict[str, int]:
    """Their token strings -> our token ids (0 <s>, 1..m content, m+1 </s>)."""
    content = [s for s in theirs if s not in ("<s>", "</s>", "<pad>", "_")]
    m = len(t.content)
    ids = {"<s>": 0}
    if t.eos:
        ids["</s>"] = m + 1
    if sorted(content) == sorted(t.content):
        ids.update({s: t.content.index(s) + 1 for s in content})
    elif sorted(content) == [str(d) for d in range(m)]:
        ids.update({str(d): d + 1 for d in range(m)})
    else:
        raise ImportError_(f"the program's tokens {sorted(content)} are not the {t.name} task's {m} tokens")
    return ids


def import_program(py: Path, task: str, csv_path: Path | None = None) -> dict:
    t = TASKS.get(task)
    if t is None:
        raise ImportError_(f"unknown task {task!r} (known: {', '.join(TASKS)})")
    py = Path(py)
    if py.stat().st_size > MAX_PROGRAM_BYTES:
        raise ImportError_("program file too large")
    csv_path = Path(csv_path) if csv_path else py.with_name(py.stem + "_weights.csv")
    tree = ast.parse(py.read_text(encoding="utf-8"))
    run = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run"), None)
    if run is None:
        raise ImportError_("no run(tokens) function")
    rows = list(csv.reader(csv_path.read_text(encoding="utf-8").splitlines()))
    header, body = rows[0], rows[1:]
    if header[:2] != ["feature", "value"]:
        raise ImportError_("the classifier CSV must start with feature,value")
    theirs_cls = header[2:]
    tokens = _token_map(t, [r[1] for r in body if r and r[0] == "tokens"])
    k = t.k
    # variables: name -> (index in our categorical list, encoder of its printed values)
    enc_tok = lambda v: tokens.get(v) if isinstance(v, str) else None  # noqa: E731
    enc_int = lambda v: v if isinstance(v, int) and 0 <= v < k else None  # noqa: E731
    var = {"tokens": (0, enc_tok), "positions": (1, enc_int)}
    funcs = {n.name: n for n in run.body if isinstance(n, ast.FunctionDef)}
    layers: dict[int, dict] = {}
    pending: dict[str, tuple] = {}
    order: list[tuple[int, str, str]] = []  # (layer, kind, output name) in program order

    def layer(L: int) -> dict:
        return layers.setdefault(L, {"cat_heads": [], "num_heads": [], "mlps": []})

    for st in run.body:
        if isinstance(st, ast.FunctionDef):
            if st.name.startswith("num_"):
                raise ImportError_("numerical heads / MLPs are not supported (categorical-only programs)")
            continue
        if not isinstance(st, ast.Assign) or len(st.targets) != 1 or not isinstance(st.targets[0], ast.Name):
            continue
        name, val = st.targets[0].id, st.value
        if isinstance(val, ast.Call) and isinstance(val.func, ast.Name):
            fn = val.func.id
            if fn in ("select", "aggregate_sum"):
                raise ImportError_("numerical attention is not supported (categorical-only programs)")
            if fn == "select_closest":
                keys, queries, pred = (a.id for a in val.args)
                pending[name] = (keys, queries, pred)
                continue
            if fn == "aggregate":
                pat, values = val.args[0].id, val.args[1].id
                keys, queries, pred = pending.pop(pat)
                m = NAME.match(name)
                if not m or m.group(1) != "attn":
                    raise ImportError_(f"unexpected attention output name {name}")
                order.append((int(m.group(2)), "attn", name, (keys, queries, pred, values)))
                continue
        if isinstance(val, ast.ListComp) and name.startswith("mlp_"):
            call = val.elt
            m = NAME.match(name)
            if not (m and isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                raise ImportError_(f"unexpected MLP statement {name}")
            it = val.generators[0].iter
            args = [it.id] if isinstance(it, ast.Name) else [a.id for a in it.args]
            order.append((int(m.group(2)), "mlp", name, (call.func.id, args)))
    ncat = 2
    for L in sorted({o[0] for o in order}):
        heads_done = False
        for kind in ("attn", "mlp"):
            for _, kd, name, spec in [o for o in order if o[0] == L and o[1] == kind]:
                if kind == "attn":
                    keys, queries, pred, values = spec
                    qi, qenc = var[queries]
                    ki, kenc = var[keys]
                    vi, venc = var[values]
                    P = [[0] * k for _ in range(k)]
                    for qv, kv in _predicate(funcs[pred]):
                        a, b = qenc(qv), kenc(kv)
                        if a is not None and b is not None:
                            P[a][b] = 1
                    layer(L)["cat_heads"].append({"q": qi, "k": ki, "v": vi, "pred": P})
                    var[name] = (None, venc)
                    continue
                if kind == "mlp" and not heads_done:
                    for _, _, hname, _ in [o for o in order if o[0] == L and o[1] == "attn"]:
                        var[hname] = (ncat, var[hname][1])
                        ncat += 1
                    heads_done = True
                if True:
                    fname, args = spec
                    encs = [var[a] for a in args]
                    table, default = _mlp_table(funcs[fname], len(args))
                    T = [[default] * k for _ in range(k)]
                    for keyv, out in table:
                        keyv = keyv if isinstance(keyv, tuple) else (keyv,)
                        codes = [e[1](v) for e, v in zip(encs, keyv)]
                        if None in codes:
                            continue
                        if len(codes) == 1:
                            T[codes[0]] = [out] * k
                        else:
                            T[codes[0]][codes[1]] = out
                    a = encs[0][0]
                    b = encs[1][0] if len(encs) == 2 else encs[0][0]
                    layer(L)["mlps"].append({"a": a, "b": b, "table": T})
                    var[name] = (None, enc_int)
        if not heads_done:
            for _, _, hname, _ in [o for o in order if o[0] == L and o[1] == "attn"]:
                var[hname] = (ncat, var[hname][1])
                ncat += 1
        for _, _, mname, _ in [o for o in order if o[0] == L and o[1] == "mlp"]:
            var[mname] = (ncat, var[mname][1])
            ncat += 1
    # classifier: exact rationals over a common denominator
    C = list(t.classes)

    def our_class(c: str) -> str | None:
        if c in C:
            return c
        tid = tokens.get(c)  # a class printed as one of the program's token names (sort, reverse)
        return t.content[tid - 1] if tid is not None and 1 <= tid <= len(t.content) and t.content[tid - 1] in C else None

    missing = [c for c in theirs_cls if our_class(c) is None]
    if missing:
        raise ImportError_(f"classifier classes {missing} are not classes of the task {t.name}")
    theirs_cls = [our_class(c) for c in theirs_cls]
    if len(set(theirs_cls)) != len(theirs_cls):
        raise ImportError_("two classifier columns name the same class")
    fr = [[Fraction(x) for x in r[2:]] for r in body]
    den = 1
    for row in fr:
        for x in row:
            den = lcm(den, x.denominator)
    ncat_total = ncat
    w_cat = [[[0] * k for _ in range(len(C))] for _ in range(ncat_total)]
    bias = [0] * len(C)
    for r, row in zip(body, fr):
        feat, value = r[0], r[1]
        if feat == "ones":
            for c, x in zip(theirs_cls, row):
                bias[C.index(c)] += int(x * den)
            continue
        if feat not in var:
            raise ImportError_(f"classifier feature {feat!r} is not a variable of the program")
        vi, enc = var[feat]
        code = enc(value if feat == "tokens" or enc is enc_tok else (int(value) if value.isdigit() else value))
        if code is None:
            continue  # a value the program never produces on the input space (e.g. <pad>, '_')
        for c, x in zip(theirs_cls, row):
            w_cat[vi][C.index(c)][code] = int(x * den)
    absent = [i for i, c in enumerate(C) if c not in theirs_cls]
    if absent:  # classes the printed classifier has no column for: never predicted
        bound = sum(abs(b) for b in bias) + sum(max(abs(x) for row in w for x in row) for w in w_cat) + 1
        for i in absent:
            bias[i] = -bound
    num_layers = [layers.get(L, {"cat_heads": [], "num_heads": [], "mlps": []}) for L in range(max(layers) + 1)]
    return {"pybridge_family": "tprog", "format": "tprog-program", "version": 1, "task": t.name, "k": k,
            "tie_rule": "printer", "layers": num_layers,
            "classifier": {"den": den, "cat": w_cat, "num": [[0] * len(C)], "bias": bias}}


def _predicate(fn: ast.FunctionDef) -> list[tuple]:
    """Pairs (q value, k value) of `if q in {..}: return k == v` / `elif ...` chains."""
    out = []
    node = fn.body[0] if fn.body else None
    while node is not None:
        if not isinstance(node, ast.If) or len(node.body) != 1 or not isinstance(node.body[0], ast.Return):
            raise ImportError_(f"predicate {fn.name}: unsupported shape")
        test, ret = node.test, node.body[0].value
        if not (isinstance(test, ast.Compare) and isinstance(test.ops[0], ast.In)):
            raise ImportError_(f"predicate {fn.name}: unsupported test")
        qs = _const(test.comparators[0])
        if not (isinstance(ret, ast.Compare) and isinstance(ret.ops[0], ast.Eq)):
            raise ImportError_(f"predicate {fn.name}: unsupported return")
        kv = _const(ret.comparators[0])
        out += [(q, kv) for q in qs]
        node = node.orelse[0] if node.orelse else None
    return out


def _mlp_table(fn: ast.FunctionDef, nargs: int) -> tuple[list[tuple], int]:
    """(key, output) pairs and the default of `key = ...; if key in {..}: return v; elif ...; return d`."""
    body = fn.body
    if not body or not isinstance(body[0], ast.Assign) or not isinstance(body[-1], ast.Return):
        raise ImportError_(f"MLP {fn.name}: unsupported shape")
    default = _const(body[-1].value)
    pairs = []
    for node in body[1:-1]:
        while node is not None:
            if not isinstance(node, ast.If) or not isinstance(node.body[0], ast.Return):
                raise ImportError_(f"MLP {fn.name}: unsupported statement")
            keys = _const(node.test.comparators[0])
            out = _const(node.body[0].value)
            pairs += [(kv, out) for kv in keys]
            node = node.orelse[0] if node.orelse else None
    return pairs, default
