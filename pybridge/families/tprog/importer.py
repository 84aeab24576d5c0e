"""Untrusted: read a Transformer Program printed by the authors' code (princeton-nlp/TransformerPrograms,
`programs/<suite>/<task>/<task>.py` and `<task>_weights.csv`) into the program IR, with `ast` only: the program
is never executed or imported. The result is checked like any IR by the trusted checker.

Supported: categorical heads (`select_closest` + `aggregate`), numerical heads (`select` + `aggregate_sum`),
categorical MLPs with one or two arguments, numerical MLPs (`num_mlp_*`: a lookup over the listed counts, the
printed default otherwise; IR version 2), the classifier CSV (numerical features `num_attn_*` with value `_` are
weights times the count). Refused with one line: helper functions (`select_closest`, `select`, `aggregate`,
`aggregate_sum`) of another shape than the printer's, classifier classes the task does not have (the authors'
most-freq label `<s>` is our `<pad>`), and any statement of another shape. The attention reading is the printer's
own `select_closest`: a match j scores |i - j|, the query's own position len(matches), the smallest score then the
smallest j; `<s>` is a candidate; the candidates are every position (tie rule `printer`) or, when the printed
helpers use `keys[:i + 1]` (the printer writes this for causal tasks: Dyck), positions 0..i (`printer-causal`). The CSV decimals are read as exact rationals (the printer
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


def _printer_mask(tree: ast.Module) -> str:
    """'printer' or 'printer-causal': which `select_closest` (and `select`) the printed program defines. Only the
    two shapes the authors' printer writes are accepted: `matches` over `enumerate(keys)` or over
    `enumerate(keys[:i + 1])` (causal tasks), the default 0 when nothing matches, and the closest match by
    `min(matches, key=lambda j: len(matches) if j == i else abs(i - j))`."""
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    sc = defs.get("select_closest")
    if sc is None:
        raise ImportError_("no select_closest definition (not a program printed by the authors' code)")
    src = ast.unparse(sc)
    if "min(matches, key=lambda j: len(matches) if j == i else abs(i - j))" not in src \
            or "scores[i][0] = True" not in src:
        raise ImportError_("select_closest is not the printer's (closest match, own position scored len(matches))")
    causal = "enumerate(keys[:i + 1])" in src
    if not causal and "enumerate(keys)" not in src:
        raise ImportError_("select_closest: matches over neither keys nor keys[:i + 1]")
    sel = defs.get("select")
    if sel is not None:
        ssrc = ast.unparse(sel)
        if ("keys[:i + 1]" in ssrc) != causal or "predicate(q, k)" not in ssrc:
            raise ImportError_("select and select_closest of the program do not use the same causal mask")
    for name, must in (("aggregate", "[0]"), ("aggregate_sum", "sum(")):
        if name in defs and must not in ast.unparse(defs[name]):
            raise ImportError_(f"{name} is not the printer's")
    return "printer-causal" if causal else "printer"


def import_program(py: Path, task: str, csv_path: Path | None = None) -> dict:
    t = TASKS.get(task)
    if t is None:
        raise ImportError_(f"unknown task {task!r} (known: {', '.join(TASKS)})")
    py = Path(py)
    if py.stat().st_size > MAX_PROGRAM_BYTES:
        raise ImportError_("program file too large")
    csv_path = Path(csv_path) if csv_path else py.with_name(py.stem + "_weights.csv")
    tree = ast.parse(py.read_text(encoding="utf-8"))
    tie_rule = _printer_mask(tree)
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
    enc_tok = lambda v: tokens.get(v) if isinstance(v, str) else None  # noqa: E731
    enc_int = lambda v: v if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < k else None  # noqa: E731
    # categorical variables: name -> (index, encoder of printed values); numerical variables: name -> index
    var = {"tokens": (0, enc_tok), "positions": (1, enc_int)}
    nvar = {"ones": 0}
    funcs = {n.name: n for n in run.body if isinstance(n, ast.FunctionDef)}
    pending: dict[str, tuple] = {}
    found: dict[int, dict[str, list]] = {}  # layer -> kind -> [(output name, spec)] in program order

    def add(name: str, kind: str, spec: tuple) -> None:
        m = NAME.match(name)
        if not m or m.group(1) != kind.split("_")[-1].replace("head", "attn"):
            raise ImportError_(f"unexpected output name {name}")
        found.setdefault(int(m.group(2)), {"attn": [], "num_attn": [], "mlp": [], "num_mlp": []})[kind].append((name, spec))

    for st in run.body:
        if not isinstance(st, ast.Assign) or len(st.targets) != 1 or not isinstance(st.targets[0], ast.Name):
            continue
        name, val = st.targets[0].id, st.value
        if isinstance(val, ast.Call) and isinstance(val.func, ast.Name):
            fn = val.func.id
            if fn in ("select_closest", "select"):
                keys, queries, pred = (a.id for a in val.args)
                pending[name] = (fn, keys, queries, pred)
                continue
            if fn in ("aggregate", "aggregate_sum"):
                pat, values = val.args[0].id, val.args[1].id
                sfn, keys, queries, pred = pending.pop(pat)
                if (sfn, fn) not in (("select_closest", "aggregate"), ("select", "aggregate_sum")):
                    raise ImportError_(f"{name}: {fn} of a {sfn} pattern is not a printer head")
                if fn == "aggregate":
                    add(name, "attn", (keys, queries, pred, values))
                else:
                    if not name.startswith("num_"):
                        raise ImportError_(f"unexpected numerical attention output name {name}")
                    add(name[4:], "num_attn", (keys, queries, pred, values, name))
                continue
        if isinstance(val, ast.ListComp) and (name.startswith("mlp_") or name.startswith("num_mlp_")):
            call = val.elt
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                raise ImportError_(f"unexpected MLP statement {name}")
            it = val.generators[0].iter
            args = [it.id] if isinstance(it, ast.Name) else [a.id for a in it.args]
            if name.startswith("num_"):
                add(name[4:], "num_mlp", (call.func.id, args, name))
            else:
                add(name, "mlp", (call.func.id, args))
    layers = []
    ncat, nnum = 2, 1
    for L in range(max(found) + 1 if found else 0):
        f = found.get(L, {"attn": [], "num_attn": [], "mlp": [], "num_mlp": []})
        out = {"cat_heads": [], "num_heads": [], "mlps": [], "num_mlps": []}
        for kind in ("attn", "num_attn"):
            for name, spec in f[kind]:
                keys, queries, pred, values = spec[:4]
                if queries not in var or keys not in var:
                    raise ImportError_(f"{spec[4] if kind == 'num_attn' else name}: reads a variable not defined "
                                       "before its layer")
                qi, qenc = var[queries]
                ki, kenc = var[keys]
                P = [[0] * k for _ in range(k)]
                for qv, kv in _predicate(funcs[pred]):
                    a, b = qenc(qv), kenc(kv)
                    if a is not None and b is not None:
                        P[a][b] = 1
                if kind == "attn":
                    vi, venc = var[values]
                    out["cat_heads"].append({"q": qi, "k": ki, "v": vi, "pred": P})
                else:
                    if values not in nvar:
                        raise ImportError_(f"{name}: sums {values}, not a numerical variable before its layer")
                    out["num_heads"].append({"q": qi, "k": ki, "v": nvar[values], "pred": P})
        for name, spec in f["attn"]:  # head outputs carry the values of the variable they copy
            var[name] = (ncat, var[spec[3]][1])
            ncat += 1
        for name, spec in f["num_attn"]:
            nvar[spec[4]] = nnum
            nnum += 1
        for name, (fname, args) in f["mlp"]:
            encs = [var[a] for a in args]
            table, default = _mlp_table(funcs[fname], len(args))
            T = [[default] * k for _ in range(k)]
            seen: set = set()
            for keyv, o in table:
                keyv = keyv if isinstance(keyv, tuple) else (keyv,)
                codes = [e[1](v) for e, v in zip(encs, keyv)]
                if None in codes or tuple(codes) in seen:  # the first matching `if` wins, as in the printed code
                    continue
                seen.add(tuple(codes))
                if len(codes) == 1:
                    T[codes[0]] = [o] * k
                else:
                    T[codes[0]][codes[1]] = o
            a = encs[0][0]
            b = encs[1][0] if len(encs) == 2 else encs[0][0]
            out["mlps"].append({"a": a, "b": b, "table": T})
        for name, (fname, args, full) in f["num_mlp"]:
            if not 1 <= len(args) <= 2 or any(a not in nvar for a in args):
                raise ImportError_(f"{full}: reads {args}, not one or two numerical variables")
            table, default = _mlp_table(funcs[fname], len(args))
            if enc_int(default) is None:
                raise ImportError_(f"{full}: default {default!r} is not a value 0..{k - 1}")
            entries: dict[tuple[int, int], int] = {}
            for keyv, o in table:
                keyv = keyv if isinstance(keyv, tuple) else (keyv, keyv)
                if len(keyv) != 2 or not all(type(x) is int and x >= 0 for x in keyv) or enc_int(o) is None:
                    raise ImportError_(f"{full}: table entry {keyv!r} -> {o!r} is not (count, count) -> 0..{k - 1}")
                entries.setdefault(keyv, o)  # the first matching `if` wins, as in the printed code
            out["num_mlps"].append({"a": nvar[args[0]], "b": nvar[args[-1]], "default": default,
                                    "table": [[x, y, o] for (x, y), o in sorted(entries.items())]})
        for name, _ in f["mlp"]:
            var[name] = (ncat, enc_int)
            ncat += 1
        for name, spec in f["num_mlp"]:
            var[spec[2]] = (ncat, enc_int)
            ncat += 1
        layers.append(out)
    v2 = any(L["num_mlps"] for L in layers)
    if not v2:
        for L in layers:
            del L["num_mlps"]
    # classifier: exact rationals over a common denominator
    C = list(t.classes)

    def our_class(c: str) -> str | None:
        if c in C:
            return c
        if c == "<s>" and "<pad>" in C:  # most-freq: the authors' label of the positions past the distinct tokens
            return "<pad>"
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
    w_cat = [[[0] * k for _ in range(len(C))] for _ in range(ncat)]
    w_num = [[0] * len(C) for _ in range(nnum)]
    bias = [0] * len(C)
    for r, row in zip(body, fr):
        feat, value = r[0], r[1]
        if feat == "ones":
            for c, x in zip(theirs_cls, row):
                bias[C.index(c)] += int(x * den)
            continue
        if feat in nvar:  # a numerical feature: weight times the value
            if value != "_":
                raise ImportError_(f"numerical classifier feature {feat!r} has value {value!r}, not '_'")
            for c, x in zip(theirs_cls, row):
                w_num[nvar[feat]][C.index(c)] += int(x * den)
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
        maxnum = (t.seq_len(max(t.lengths))) ** len(layers)
        bound = sum(abs(b) for b in bias) + sum(max(abs(x) for row in w for x in row) for w in w_cat) \
            + sum(abs(x) for w in w_num for x in w) * maxnum + 1
        for i in absent:
            bias[i] = -bound
    return {"pybridge_family": "tprog", "format": "tprog-program", "version": 2 if v2 else 1, "task": t.name, "k": k,
            "tie_rule": tie_rule, "layers": layers,
            "classifier": {"den": den, "cat": w_cat, "num": w_num, "bias": bias}}


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
