"""Coq export of function-family certificates (untrusted; coqc re-checks). The exporter re-parses both
sources with the checker's parser and writes the IR with Coq's real operations: only integers and fixed
identifiers reach the file (no text from the certificate)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from pybridge.export import template_env

COQ_TACTIC = "i_bisect x, i_autodiff x, i_depth 12, i_prec 60"
MAX_COQ_BOXES = 2000
_UN = {"abs": "Rabs", "sin": "sin", "cos": "cos", "tan": "tan", "exp": "exp", "log": "ln", "sqrt": "sqrt"}
_BIN = {"add": "+", "sub": "-", "mul": "*", "div": "/"}


def coq_num(q: Fraction) -> str:
    q = Fraction(q)
    n, d = int(q.numerator), int(q.denominator)
    return f"({n})" if d == 1 else f"({n} / {d})"


def coq_expr(ir: tuple) -> str:
    k = ir[0]
    if k == "c":
        return coq_num(ir[1])
    if k == "x":
        return "x"
    if k == "pi":
        return "PI"
    if k in _BIN:
        return f"({coq_expr(ir[1])} {_BIN[k]} {coq_expr(ir[2])})"
    if k == "neg":
        return f"(- {coq_expr(ir[1])})"
    if k == "pow":
        n = int(ir[2])
        return f"({coq_expr(ir[1])} ^ {n})" if n >= 0 else f"(/ ({coq_expr(ir[1])} ^ {-n}))"
    if k in _UN:
        return f"({_UN[k]} {coq_expr(ir[1])})"
    raise ValueError(f"the Coq export covers continuous functions only (+ - * / ** abs sin cos tan exp log sqrt pi); "
                     f"this certificate uses {k!r}")


def render_coq(cert_path: Path, cert, model_path, print_assumptions: bool = True) -> str:
    from pybridge.check.function.lang import parse_function
    from pybridge.check.verify import verify

    verify(cert_path)  # export only what the Python checker accepts
    if cert.strategy != "agree":
        raise ValueError(f"the Coq export covers numeric agree certificates only, not {cert.strategy} "
                         "(string agreement is checked exhaustively by the Python checker)")
    h = cert.hints
    f = coq_expr(parse_function(h["f"])[1])
    g = coq_expr(parse_function(h["g"])[1])
    pieces = []
    nboxes = 0
    for i, ((a, b), ps) in enumerate(zip(h["domain"], h["breakpoints"])):
        pts = [a, *ps, b]
        boxes = [(coq_num(u), coq_num(v)) for u, v in zip(pts, pts[1:])]
        nboxes += len(boxes)
        pieces.append({"i": i, "a": coq_num(a), "b": coq_num(b), "boxes": boxes,
                       "first": coq_num(pts[1]), "rest": [coq_num(p) for p in pts[2:]]})
    if nboxes > MAX_COQ_BOXES:
        raise ValueError(f"{nboxes} boxes: the Coq export is limited to {MAX_COQ_BOXES} boxes")
    return template_env().get_template("coq_function.v.j2").render(
        f=f, g=g, eps=coq_num(h["eps"]), pieces=pieces, tactic=COQ_TACTIC, print_assumptions=print_assumptions)
