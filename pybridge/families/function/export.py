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


# ---------------------------------------------------------------- Lean (agree-strings only)
LEAN_REFUSE_NUMERIC = ("the Lean export covers agree-strings certificates only: numeric agree claims are over the reals "
                       "(sin, exp, ln, ...), which core Lean does not have; they are re-checked by Coq (pybridge verify CERT --coq)")
_LEAN_M0 = {"upper": "upper", "lower": "lower", "swapcase": "swapcase", "capitalize": "capitalize"}
MAX_LEAN_INT = 1 << 31
# The exported check enumerates every string in the kernel (`decide +kernel`). The cap is a guess, not a
# measurement (no Lean toolchain here): larger spaces are refused rather than exported as a file that may not finish.
MAX_LEAN_STRINGS = 1 << 20


class LeanRefused(ValueError):
    pass


def _lean_refuse(what: str) -> LeanRefused:
    return LeanRefused(f"the Lean export covers the string subset of Proofs/Functions/Spec.lean (s, literals, +, * n, "
                       f"upper/lower/swapcase/capitalize, slices with literal bounds and step >= 1, [::-1], replace and "
                       f"translate with literal arguments); this certificate uses {what} (checked by the Python checker only)")


def _codes(text: str) -> str:
    """A validated printable-ASCII string as a Lean list of code points (numbers only)."""
    if not isinstance(text, str) or not all(32 <= ord(c) < 127 for c in text):
        raise _lean_refuse("a character outside printable ASCII")
    return "[" + ", ".join(str(ord(c)) for c in text) + "]"


def _lean_lit_int(n) -> int | None:
    """A literal integer of the IR (`3`, or `-3` which the parser writes as `0 - 3`), else None."""
    if isinstance(n, tuple) and n[0] == "int" and type(n[1]) is int:
        v = n[1]
    elif (isinstance(n, tuple) and n[0] == "isub" and n[1] == ("int", 0) and isinstance(n[2], tuple)
          and n[2][0] == "int" and type(n[2][1]) is int):
        v = -n[2][1]
    else:
        return None
    return v if abs(v) <= MAX_LEAN_INT else None


def _lean_opt_int(n) -> str:
    if n is None:
        return "none"
    v = _lean_lit_int(n)
    if v is None:
        raise _lean_refuse("a slice bound that is not a literal integer")
    return f"(some {v})" if v >= 0 else f"(some ({v}))"


def lean_sexpr(ir: tuple) -> str:
    """The string IR (pybridge/check/function/strings.py) as a Lean `SExpr` term: constructors, numbers, none/some."""
    k = ir[0]
    if k == "s":
        return "SExpr.inp"
    if k == "lit":
        return f"(SExpr.lit {_codes(ir[1])})"
    if k == "concat":
        return f"(SExpr.cat {lean_sexpr(ir[1])} {lean_sexpr(ir[2])})"
    if k == "repeat":
        n = ir[2]
        if type(n) is not int or not 0 <= n <= 64:
            raise _lean_refuse("a repetition count outside 0..64")
        return f"(SExpr.rep {lean_sexpr(ir[1])} {n})"
    if k == "m0":
        if ir[1] not in _LEAN_M0:
            raise _lean_refuse(f"the method {ir[1]}")
        return f"(SExpr.{_LEAN_M0[ir[1]]} {lean_sexpr(ir[2])})"
    if k == "slice":
        base, lo, hi, st = ir[1], ir[2], ir[3], ir[4]
        if st is None:
            step = 1
        else:
            step = _lean_lit_int(st)
            if step is None:
                raise _lean_refuse("a slice step that is not a literal integer")
        if step == -1 and lo is None and hi is None:
            return f"(SExpr.rev {lean_sexpr(base)})"
        if step < 1:
            raise _lean_refuse("a negative slice step other than [::-1]")
        return f"(SExpr.slice {lean_sexpr(base)} {_lean_opt_int(lo)} {_lean_opt_int(hi)} {step})"
    if k == "replace":
        p, r = ir[2], ir[3]
        if p[0] != "lit" or r[0] != "lit":
            raise _lean_refuse("replace with arguments that are not literals")
        if not p[1]:
            raise _lean_refuse("replace with an empty pattern")
        return f"(SExpr.replace {lean_sexpr(ir[1])} {_codes(p[1])} {_codes(r[1])})"
    if k == "translate":
        ents = []
        for c, v in ir[2]:
            if not isinstance(c, str) or len(c) != 1:
                raise _lean_refuse("a translation table key that is not one character")
            ents.append(f"({_codes(c)[1:-1]}, none)" if v is None else f"({_codes(c)[1:-1]}, some {_codes(v)})")
        return f"(SExpr.translate {lean_sexpr(ir[1])} [{', '.join(ents)}])"
    names = {"index": "indexing s[i]", "if": "a conditional", "len": "len", "str": "str()", "m1": "count/find/startswith/endswith",
             "pred": "a predicate", "int": "an integer value"}
    raise _lean_refuse(names.get(k, f"the construct {k}" if isinstance(k, str) and k.isidentifier() else "a construct"))


def render_lean(cert_path: Path, cert, model_path) -> tuple[str, str]:
    """(module base name, Lean source) of an agree-strings certificate: the alphabet as code points, the length,
    both functions as `SExpr` terms; the statement `AgreeUpTo alphabet maxLen f g` is fixed by the template.
    Numeric `agree` certificates are refused with one line (no reals in core Lean)."""
    import re

    from pybridge.check.function import strings as S
    from pybridge.check.verify import verify

    if cert.strategy != "agree-strings":
        raise LeanRefused(LEAN_REFUSE_NUMERIC)
    n = S.space_size(cert.hints["alphabet"], cert.hints["max_len"])
    if n > MAX_LEAN_STRINGS:
        raise LeanRefused(f"{n} strings: the Lean export enumerates every string in the kernel and is limited to "
                          f"{MAX_LEAN_STRINGS} (a guess, never measured; the Python checker covers the rest)")
    verify(cert_path)  # export only what the Python checker accepts
    h = cert.hints
    _, tf, f = S.parse_string_function(h["f"])
    _, tg, g = S.parse_string_function(h["g"])
    if tf != "str" or tg != "str":
        raise _lean_refuse("a function whose value is not a string")
    L = h["max_len"]
    if type(L) is not int or not 0 <= L <= 64:
        raise LeanRefused("max_len must be an integer 0..64")
    tag = re.sub(r"[^0-9a-f]", "", cert.model_sha256.lower())[:12]
    ns = f"Cert_{tag}_function_agree_strings"
    text = template_env(keep_trailing_newline=True).get_template("lean_function.lean.j2").render(
        ns=ns, alphabet=_codes(h["alphabet"]), max_len=L, f=lean_sexpr(f), g=lean_sexpr(g), strings=int(cert.total))
    return ns, text
