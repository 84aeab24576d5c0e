"""Loader for FIND's numeric parameter file (`data.json`; real external data in ../shared/find, never
needed at run time). Each simple entry becomes description-language source (our own writing of the
authors' function definitions, read from their paper's generator for the meaning of the parameters):

    linear(m, b)            m x + b                       polynomial(c_d..c_0)   sum c_i x^i (highest first)
    absolute(a, b)          a |x| + b                     root(a, b, n)          a x^(1/n) + b, n in {1, 2}
    logarithm(a, b, base)   a log(x)/log(base) + b        step(a, b, s)          a heaviside(x, s) + b
    rectangle(w)            1 if |x| <= w/2 else 0        relu(a, b, l)          a (x if x > 0 else l x) + b
    sin/cos/tanh(a, p, c, d)  a f(2 pi / p (x - c)) + d   constant(a)            a
    gaussian(m, s)          exp(-((x - m)/s)^2 / 2) / (s sqrt(2 pi))
    reciprocal(a)           1 / (a x)                     rational(n, d)         sum n_i x^i / sum d_i x^i
    square_wave(p, s)       1 if sin((x - s) 2 pi / p) > 0 else -1

Corruptions (the replacement is N(m, 0.1) noise; we use its mean m, a deterministic stand-in):
`interval_smaller` (x <= boundary replaced), `interval_larger` (x >= boundary), `interval_inside`
(boundary[0] < x < boundary[1]). Compositions (sum/product of two) are not loaded (None).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _num(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"parameter {v!r} is not a number")
    return repr(float(v)) if isinstance(v, float) else str(int(v))


def _poly(coeffs: list, ascending: bool) -> str:
    cs = list(coeffs)
    if not ascending:
        cs = cs[::-1]
    terms = [f"({_num(c)})" + ("" if i == 0 else "*x" if i == 1 else f"*x**{i}") for i, c in enumerate(cs)]
    return " + ".join(terms) if terms else "0"


def simple_expr(kind: str, p: Any) -> str | None:
    """The expression of one simple FIND function (None for kinds not covered)."""
    P = p if isinstance(p, list) else [p]
    if kind == "linear":
        return f"({_num(P[0])})*x + ({_num(P[1])})"
    if kind == "polynomial":
        return _poly(P, ascending=False)
    if kind == "absolute":
        return f"({_num(P[0])})*abs(x) + ({_num(P[1])})"
    if kind == "root":
        n = int(P[2])
        return f"({_num(P[0])})*x + ({_num(P[1])})" if n == 1 else f"({_num(P[0])})*math.sqrt(x) + ({_num(P[1])})"
    if kind == "logarithm":
        return f"({_num(P[0])})*math.log(x)/math.log({_num(P[2])}) + ({_num(P[1])})"
    if kind == "step":
        return f"({_num(P[0])})*np.heaviside(x, {_num(P[2])}) + ({_num(P[1])})"
    if kind == "rectangle":
        return f"(1 if abs(x) <= ({_num(P[0])})/2 else 0)"
    if kind == "relu":
        return f"({_num(P[0])})*(x if x > 0 else x*({_num(P[2])})) + ({_num(P[1])})"
    if kind in ("sin", "cos", "tanh"):
        return f"({_num(P[0])})*math.{kind}(2*math.pi/({_num(P[1])})*(x - ({_num(P[2])}))) + ({_num(P[3])})"
    if kind == "constant":
        return f"({_num(P[0])})"
    if kind == "gaussian":
        m, s = _num(P[0]), _num(P[1])
        return f"math.exp(-((x - ({m}))/({s}))**2/2)/(({s})*math.sqrt(2*math.pi))"
    if kind == "reciprocal":
        return f"1/(({_num(P[0])})*x)"
    if kind == "rational":
        return f"({_poly(P[0], True)})/({_poly(P[1], True)})"
    if kind == "square_wave":
        return f"(1 if math.sin((x - ({_num(P[1])}))*2*math.pi/({_num(P[0])})) > 0 else -1)"
    return None


def load(path: str | Path) -> list[dict[str, Any]]:
    """One record per entry: dir, kind, domain, source of the plain function (None if not covered),
    source of the corrupted function (its noise replaced by the mean), corruption."""
    data = json.loads(Path(path).read_text())
    out = []
    for e in data:
        kind = e["name"].split("(", 1)[0] if e.get("type") == "simple" else None
        try:
            expr = simple_expr(kind, e["params"]) if kind else None
        except (ValueError, IndexError, TypeError):
            expr = None
        rec = {"dir": e["dir"], "kind": kind or e.get("type"), "domain": list(e["domain"]), "source": None,
               "corrupted_source": None, "corruption": e.get("corruption_type")}
        if expr is not None:
            rec["source"] = f"def f(x):\n    return {expr}\n"
            ct, cp = e.get("corruption_type"), e.get("corruption_params") or {}
            m, bd = cp.get("std"), cp.get("boundary")
            cond = None
            if isinstance(m, (int, float)) and isinstance(bd, list) and bd:
                if ct == "interval_smaller":
                    cond = f"x <= {_num(bd[0])}"
                elif ct == "interval_larger":
                    cond = f"x >= {_num(bd[0])}"
                elif ct == "interval_inside" and len(bd) == 2:
                    cond = f"{_num(bd[0])} < x < {_num(bd[1])}"
            if cond:
                rec["corrupted_source"] = f"def f(x):\n    if {cond}:\n        return {_num(round(m, 6))}\n    return {expr}\n"
                rec["corruption_params"] = {"mean": m, "boundary": bd}
        out.append(rec)
    return out
