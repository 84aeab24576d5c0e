"""Prover side (untrusted): z3 (nonlinear real arithmetic) for the algebraic and piecewise kinds of `agree`.

For IR terms without transcendental functions (+ - * /, integer powers, abs/min/max, if/comparisons,
floor/ceil/sign, sqrt) the question "is there an x in the domain where f and g are both defined and
|f(x) - g(x)| > eps?" is a first-order formula over the reals (with integer variables for floor/ceil):

- `/`:     a fresh real q with  den != 0 -> q * den = num;   defined iff den != 0 (on the path taken)
- `sqrt`:  a fresh real y with  t >= 0 -> (y >= 0 and y * y = t);   defined iff t >= 0
- floor/ceil: z3's `ToInt` (the floor of a real, an integer variable); sign/abs/min/max/if: `If`
- definedness is tracked per branch (a pole in the branch not taken does not exclude x), as in the checker.

`sat` -> z3's model of x, turned into an exact rational (rational models directly; an algebraic model by
decimal approximations) and **verified by the checker's exact enclosures** before it is reported: z3 is a
search procedure here, never a source of truth. `unsat` -> z3 says f and g agree; the certificate is still
the box partition (docs/FUNCTIONS.md "z3" explains why: the trusted checker cannot re-check a z3 refutation,
and boxes over the same rational kinks are exact for piecewise-linear pieces). `unknown`/timeout -> the
interval branch and bound alone (the path taken for transcendental kinds).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

TRANSCENDENTAL = {"sin", "cos", "tan", "tanh", "exp", "log", "pi"}


class NotEncodable(Exception):
    pass


def encodable(ir: tuple) -> bool:
    from pybridge.check.function.lang import kinds

    return not (kinds(ir) & TRANSCENDENTAL)


class _Enc:
    def __init__(self, z3: Any, x: Any) -> None:
        self.z3, self.x = z3, x
        self.side: list = []  # global side constraints (definitions of fresh variables)
        self.memo: dict[int, tuple] = {}
        self.n = 0

    def fresh(self, kind: str) -> Any:
        self.n += 1
        return self.z3.Real(f"{kind}_{self.n}")

    def q(self, v: Fraction) -> Any:
        return self.z3.RealVal(f"{v.numerator}/{v.denominator}")

    def term(self, t: tuple) -> tuple[Any, Any]:
        """(z3 real term, z3 bool: defined)."""
        key = id(t)
        hit = self.memo.get(key)
        if hit is not None and hit[0] is t:
            return hit[1]
        out = self._term(t)
        self.memo[key] = (t, out)
        return out

    def _term(self, t: tuple) -> tuple[Any, Any]:
        z3 = self.z3
        T = z3.BoolVal(True)
        k = t[0]
        if k == "c":
            return self.q(t[1]), T
        if k == "x":
            return self.x, T
        if k in TRANSCENDENTAL:
            raise NotEncodable(k)
        if k == "if":
            c, dc = self.cond(t[1])
            (a, da), (b, db) = self.term(t[2]), self.term(t[3])
            return z3.If(c, a, b), z3.And(dc, z3.If(c, da, db))
        if k in ("add", "sub", "mul", "div", "min", "max"):
            (a, da), (b, db) = self.term(t[1]), self.term(t[2])
            d = z3.And(da, db)
            if k == "add":
                return a + b, d
            if k == "sub":
                return a - b, d
            if k == "mul":
                return a * b, d
            if k == "min":
                return z3.If(a <= b, a, b), d
            if k == "max":
                return z3.If(a >= b, a, b), d
            qv = self.fresh("div")
            self.side.append(z3.Implies(b != 0, qv * b == a))
            return qv, z3.And(d, b != 0)
        if k == "pow":
            a, da = self.term(t[1])
            n = int(t[2])
            if n == 0:
                return z3.RealVal(1), da
            p = a
            for _ in range(abs(n) - 1):
                p = p * a
            if n > 0:
                return p, da
            qv = self.fresh("inv")
            self.side.append(z3.Implies(a != 0, qv * p == 1))
            return qv, z3.And(da, a != 0)
        a, da = self.term(t[1])
        if k == "neg":
            return -a, da
        if k == "abs":
            return z3.If(a >= 0, a, -a), da
        if k == "sign":
            return z3.If(a > 0, z3.RealVal(1), z3.If(a < 0, z3.RealVal(-1), z3.RealVal(0))), da
        if k == "floor":
            return z3.ToReal(z3.ToInt(a)), da
        if k == "ceil":
            return -z3.ToReal(z3.ToInt(-a)), da
        if k == "sqrt":
            y = self.fresh("sqrt")
            self.side.append(z3.Implies(a >= 0, z3.And(y >= 0, y * y == a)))
            return y, z3.And(da, a >= 0)
        raise NotEncodable(k)

    def cond(self, c: tuple) -> tuple[Any, Any]:
        z3 = self.z3
        k = c[0]
        if k == "true":
            return z3.BoolVal(True), z3.BoolVal(True)
        if k == "false":
            return z3.BoolVal(False), z3.BoolVal(True)
        if k == "not":
            v, d = self.cond(c[1])
            return z3.Not(v), d
        if k in ("and", "or"):
            (a, da), (b, db) = self.cond(c[1]), self.cond(c[2])
            return (z3.And(a, b) if k == "and" else z3.Or(a, b)), z3.And(da, db)
        (a, da), (b, db) = self.term(c[1]), self.term(c[2])
        d = z3.And(da, db)
        return {"lt": a < b, "le": a <= b, "eq": a == b, "ne": a != b}[k], d


def _rationals_near(v: Any, z3: Any) -> list[Fraction]:
    """Exact rational(s) for z3's model value v: the value itself if rational, else decimal approximations."""
    if z3.is_rational_value(v):
        return [Fraction(v.numerator_as_long(), v.denominator_as_long())]
    out = []
    if z3.is_algebraic_value(v):
        for digits in (6, 12, 20, 40, 80):
            s = v.as_decimal(digits).rstrip("?")
            try:
                out.append(Fraction(s))
            except ValueError:
                continue
    return out


def search(f: tuple, g: tuple, eps: Fraction, domain: list[tuple[Fraction, Fraction]],
           timeout_ms: int = 5000) -> tuple[str, list[Fraction] | None]:
    """("sat", [x, ...]) exact rationals at or near z3's model of x (NOT yet verified: the caller checks
    them with the checker's enclosures), ("unsat", None), or ("unknown", None) (timeout, not encodable,
    or an algebraic model without a usable rational)."""
    try:
        import z3
    except ImportError:  # pragma: no cover - z3-solver is a dependency
        return "unknown", None
    if not (encodable(f) and encodable(g)):
        return "unknown", None
    try:
        x = z3.Real("x")
        enc = _Enc(z3, x)
        tf, df = enc.term(f)
        tg, dg = enc.term(g)
        s = z3.Solver()
        s.set("timeout", int(timeout_ms))
        s.add(*enc.side)
        s.add(z3.Or(*[z3.And(enc.q(a) <= x, x <= enc.q(b)) for a, b in domain]))
        s.add(df, dg)
        e = enc.q(eps)
        s.add(z3.Or(tf - tg > e, tg - tf > e))
        r = s.check()
    except NotEncodable:
        return "unknown", None
    except (z3.Z3Exception, RecursionError, MemoryError):
        return "unknown", None
    if r == z3.unsat:
        return "unsat", None
    if r == z3.sat:
        v = s.model().eval(x, model_completion=True)
        cands = _rationals_near(v, z3)
        return ("sat", cands) if cands else ("unknown", None)
    return "unknown", None
