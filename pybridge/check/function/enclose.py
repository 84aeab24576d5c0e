"""Trusted: rigorous enclosures of description-language functions on rational boxes (exact rationals only).

Every number is a Fraction; results of operations are rounded outward to dyadics with PREC significant
bits (`rd`/`ru`), so the enclosures only get wider. Transcendental functions use rational series with
proven remainders (docs/FUNCTIONS.md):
- pi: Machin's formula 16 atan(1/5) - 4 atan(1/239); alternating series, the error is below the next term.
- exp(r), |r| <= 1/2: Taylor sum to N terms, remainder <= 2 |r|^(N+1)/(N+1)!; exp(q) = exp(q/2^s)^(2^s).
- log(q) = k log 2 + 2 atanh(z), z = (m-1)/(m+1) in [0, 1/3), q = m 2^k, m in [1, 2);
  atanh remainder after N terms <= z^(2N+3) / ((2N+3)(1 - z^2)).
- sin(q): q = r + 2 n pi with r in an interval (pi enclosed); Taylor sum at r_lo with remainder
  |r|^(N+1)/(N+1)!, plus the width of the r interval (sin is 1-Lipschitz). cos(x) = sin(x + pi/2).
- tanh(q) = 1 - 2/(exp(2q) + 1) (increasing); sqrt by integer square roots; tan = sin/cos.
On an interval, monotone functions take their endpoint enclosures; sin adds +-1 for every critical point
pi/2 + j pi that may lie in the interval.

Evaluation returns (value interval, derivative interval or None): the derivative enclosure is a
generalized (Clarke) derivative of the function on the box interior, None when the function may jump
there. A box (a, b) is then enclosed by the mean-value form f(m) + f'([a, b]) ([a, b] - m) intersected with
the direct enclosure. Comparisons whose sides differ by an affine function of x are decided exactly on open
boxes (the root is a rational) and at points; others by intervals (undecided: the hull of both branches).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from math import isqrt

PREC = 96
MAX_EXP_ARG = 10000
ZERO, ONE, HALF = Fraction(0), Fraction(1), Fraction(1, 2)


class Undefined(Exception):
    """The function may be undefined somewhere on the box (division by an interval containing 0, log of x <= 0, ...)."""


def rd(q: Fraction) -> Fraction:
    """q rounded down to a dyadic with about PREC significant bits."""
    n, d = q.numerator, q.denominator
    if n == 0 or (abs(n).bit_length() <= PREC and d.bit_length() <= PREC):
        return q  # small rationals stay exact (jumps at short decimals are then decided exactly)
    s = PREC - (abs(n).bit_length() - d.bit_length())
    if s >= 0:
        return Fraction((n << s) // d, 1 << s)
    return Fraction((n // (d << -s)) << -s)


def ru(q: Fraction) -> Fraction:
    n, d = q.numerator, q.denominator
    if n == 0 or (abs(n).bit_length() <= PREC and d.bit_length() <= PREC):
        return q  # exact, as in rd (and without two negations, which re-normalise the fraction)
    return -rd(-q)


Iv = tuple  # (lo, hi) with lo <= hi, Fractions


def iv(lo: Fraction, hi: Fraction) -> Iv:
    return (rd(lo), ru(hi))


def add(a: Iv, b: Iv) -> Iv:
    return iv(a[0] + b[0], a[1] + b[1])


def sub(a: Iv, b: Iv) -> Iv:
    return iv(a[0] - b[1], a[1] - b[0])


def neg(a: Iv) -> Iv:
    return (-a[1], -a[0])


def mul(a: Iv, b: Iv) -> Iv:
    if a[0] == a[1] or b[0] == b[1]:  # a point times an interval: two products (the same four, two repeated)
        c, (u, v) = (a[0], b) if a[0] == a[1] else (b[0], a)
        u, v = c * u, c * v
        return iv(u, v) if c >= 0 else iv(v, u)
    ps = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return iv(min(ps), max(ps))


def inv(a: Iv) -> Iv:
    if a[0] <= 0 <= a[1]:
        raise Undefined("division by an interval containing 0")
    return iv(1 / a[1], 1 / a[0])


def div(a: Iv, b: Iv) -> Iv:
    return mul(a, inv(b))


def hull(a: Iv, b: Iv) -> Iv:
    return (min(a[0], b[0]), max(a[1], b[1]))


def ipow(a: Iv, n: int) -> Iv:
    if n < 0:
        return inv(ipow(a, -n))
    if n == 0:
        return (ONE, ONE)
    lo, hi = a[0] ** n, a[1] ** n
    if n % 2 == 1:
        return iv(lo, hi)
    if a[0] >= 0:
        return iv(lo, hi)
    if a[1] <= 0:
        return iv(hi, lo)
    return (ZERO, ru(max(lo, hi)))


def scale(c: Fraction, a: Iv) -> Iv:
    return mul((c, c), a)


# ---------------------------------------------------------------- constants and point enclosures
def _atan_inv(k: int, terms: int) -> tuple[Fraction, Fraction]:
    s, t = ZERO, ZERO
    for i in range(terms):
        t = Fraction((-1) ** i, (2 * i + 1) * k ** (2 * i + 1))
        s += t
    nxt = Fraction(1, (2 * terms + 1) * k ** (2 * terms + 1))
    return (s - nxt, s + nxt)


@lru_cache(maxsize=1)
def pi_iv() -> Iv:
    a = _atan_inv(5, 60)
    b = _atan_inv(239, 30)
    return iv(16 * a[0] - 4 * b[1], 16 * a[1] - 4 * b[0])


def _series(r: Fraction, coef, n: int) -> tuple[Fraction, Fraction, Fraction]:
    """For r >= 0: lower and upper bounds of sum_{k=0..n} coef(k) r^k, and an upper bound of r^(n+1).
    Fixed point with W fractional bits, every step rounded outward (floor for lower, ceil for upper)."""
    W = PREC + 24
    one = 1 << W
    rlo = (r.numerator << W) // r.denominator
    rhi = -((-r.numerator << W) // r.denominator)
    plo = phi = one
    lo = hi = 0
    for k in range(n + 1):
        c = coef(k)
        if c:
            cn, cd = c.numerator, c.denominator
            if cn > 0:
                lo += (cn * plo) // cd
                hi += -((-cn * phi) // cd)
            else:
                lo += (cn * phi) // cd
                hi += -((-cn * plo) // cd)
        plo = (plo * rlo) >> W
        phi = -((-phi * rhi) >> W)
    den = Fraction(1, one)
    return lo * den, hi * den, phi * den


@lru_cache(maxsize=256)
def _fact(n: int) -> int:
    out = 1
    for i in range(2, n + 1):
        out *= i
    return out


def _terms_for(r: Fraction, bits: int) -> int:
    """About the smallest N with r^(N+1)/(N+1)! < 2^-bits (0 <= r <= 4). Only the accuracy depends on N:
    the remainder term added by the callers is computed from N, whatever it is."""
    import math

    x = float(r)
    if x == 0.0:
        return 1
    lx, target = math.log2(x), -bits
    n, acc = 0, 0.0
    while n < 200:
        acc += lx - math.log2(n + 1)
        if acc < target:
            return n
        n += 1
    return n


@lru_cache(maxsize=65536)
def exp_point(q: Fraction) -> Iv:
    if abs(q) > MAX_EXP_ARG:  # exp(10^6) already has 1.4 million bits: refuse the box (conservative)
        raise Undefined(f"exp of an argument beyond +-{MAX_EXP_ARG} is not enclosed")
    s = 0
    while abs(q) > HALF * (1 << s):
        s += 1
    p = q / (1 << s)  # |p| <= 1/2
    a = abs(p)
    n = _terms_for(a, PREC + 8)
    slo, shi, pw = _series(a, _inv_fact, n)
    rem = ru(2 * pw / _fact(n + 1))  # e^xi <= 2 for |xi| <= 1/2
    lo, hi = (rd(slo), ru(shi + rem)) if p >= 0 else (rd(1 / (shi + rem)), ru(1 / slo))
    for _ in range(s):
        lo, hi = rd(lo * lo), ru(hi * hi)
    return (lo, hi)


def _inv_fact(k: int) -> Fraction:
    return Fraction(1, _fact(k))


def _sin_coef(k: int) -> Fraction:
    return Fraction((-1) ** ((k - 1) // 2), _fact(k)) if k % 2 else ZERO


@lru_cache(maxsize=1)
def log2_iv() -> Iv:
    return _atanh2(Fraction(1, 3))


def _atanh2(z: Fraction) -> Iv:
    """2 atanh(z) for 0 <= z <= 1/3 (series sum z^(2i+1)/(2i+1), remainder z^(2N+3)/((2N+3)(1-z^2)))."""
    if z == 0:
        return (ZERO, ZERO)
    e = max(z.denominator.bit_length() - z.numerator.bit_length() - 1, 1)  # z < 2^-e
    N = max(0, -(-((PREC + 8) // e - 3) // 2))
    z2 = z * z
    lo = hi = ZERO
    plo = phi = z
    for i in range(N + 1):
        lo, hi = rd(lo + plo / (2 * i + 1)), ru(hi + phi / (2 * i + 1))
        plo, phi = rd(plo * z2), ru(phi * z2)
    rem = ru(phi / ((2 * N + 3) * (1 - z2)))
    return (rd(2 * lo), ru(2 * (hi + rem)))


@lru_cache(maxsize=65536)
def log_point(q: Fraction) -> Iv:
    if q <= 0:
        raise Undefined("log of a number <= 0")
    k = q.numerator.bit_length() - q.denominator.bit_length()
    m = q / Fraction(2) ** k
    while m < 1:
        m *= 2
        k -= 1
    while m >= 2:
        m /= 2
        k += 1
    z = (m - 1) / (m + 1)
    zl, zh = rd(z), ru(z)  # atanh is increasing
    a, b = _atanh2(zl), _atanh2(min(zh, Fraction(1, 3)))  # z < 1/3, so atanh(z) <= atanh(min(zh, 1/3))
    l2 = log2_iv()
    kk = scale(Fraction(k), l2)
    return iv(kk[0] + a[0], kk[1] + b[1])


@lru_cache(maxsize=65536)
def sin_point(q: Fraction) -> Iv:
    P = pi_iv()
    n = int(q / (2 * P[0]) + HALF) if q >= 0 else -int(-q / (2 * P[0]) + HALF)
    # r = q - 2 n pi
    r = sub((q, q), scale(Fraction(2 * n), P))
    if r[0] < -4 or r[1] > 4:  # cannot happen for n chosen above; be safe
        return (-ONE, ONE)
    w = r[1] - r[0]
    p = r[0]
    a = abs(p)
    N = _terms_for(a, PREC + 8)
    slo, shi, pw = _series(a, _sin_coef, N)
    rem = ru(pw / _fact(N + 1))
    lo, hi = slo - rem - w, shi + rem + w
    if p < 0:
        lo, hi = -hi, -lo
    return (max(rd(lo), -ONE), min(ru(hi), ONE))


def sqrt_point(q: Fraction) -> Iv:
    if q < 0:
        raise Undefined("sqrt of a negative number")
    if q == 0:
        return (ZERO, ZERO)
    n, d = q.numerator, q.denominator
    s = max(0, PREC - (n.bit_length() - d.bit_length()) // 2 + 4)
    # sqrt(n/d) = sqrt(n d 4^s) / (d 2^s)
    v = n * d << (2 * s)
    r = isqrt(v)
    den = d << s
    return (Fraction(r, den), Fraction(r if r * r == v else r + 1, den))


# ---------------------------------------------------------------- interval functions
def i_exp(a: Iv) -> Iv:
    return (exp_point(a[0])[0], exp_point(a[1])[1])


def i_log(a: Iv) -> Iv:
    if a[0] <= 0:
        raise Undefined("log of an interval reaching 0 or below")
    return (log_point(a[0])[0], log_point(a[1])[1])


def i_sqrt(a: Iv) -> Iv:
    if a[0] < 0:
        raise Undefined("sqrt of an interval reaching below 0")
    return (sqrt_point(a[0])[0], sqrt_point(a[1])[1])


def i_tanh(a: Iv) -> Iv:
    def t(q: Fraction, up: bool) -> Fraction:
        # tanh is increasing: beyond +-200 use tanh(+-200) as the inner bound and +-1 as the outer one
        if q > 200:
            return ONE if up else t(Fraction(200), False)
        if q < -200:
            return -ONE if not up else t(Fraction(-200), True)
        e = exp_point(2 * q)
        return ru(1 - 2 / (e[1] + 1)) if up else rd(1 - 2 / (e[0] + 1))
    return (t(a[0], False), t(a[1], True))


def i_sin(a: Iv) -> Iv:
    P = pi_iv()
    if a[1] - a[0] >= 2 * P[0]:
        return (-ONE, ONE)
    lo_e, hi_e = sin_point(a[0]), sin_point(a[1])
    lo, hi = min(lo_e[0], hi_e[0]), max(lo_e[1], hi_e[1])
    if a[0] == a[1]:
        return (lo, hi)
    j0 = _floor(min(a[0] / P[0], a[0] / P[1])) - 2
    j1 = _floor(max(a[1] / P[0], a[1] / P[1])) + 2
    for j in range(j0, j1 + 1):
        c = scale(Fraction(2 * j + 1, 2), P)
        if c[1] >= a[0] and c[0] <= a[1]:  # pi/2 + j pi may lie in the interval
            if j % 2 == 0:
                hi = ONE
            else:
                lo = -ONE
    return (lo, hi)


def i_cos(a: Iv) -> Iv:
    h = scale(HALF, pi_iv())
    return i_sin(add(a, h))


def _floor(q: Fraction) -> int:
    return q.numerator // q.denominator


def _ceil(q: Fraction) -> int:
    return -((-q.numerator) // q.denominator)


# ---------------------------------------------------------------- affine parts
def affine(ir: tuple) -> tuple[Fraction, Fraction] | None:
    """(c1, c0) with ir(x) = c1 x + c0 exactly, or None."""
    k = ir[0]
    if k == "c":
        return (ZERO, ir[1])
    if k == "x":
        return (ONE, ZERO)
    if k in ("add", "sub"):
        a, b = affine(ir[1]), affine(ir[2])
        if a is None or b is None:
            return None
        return (a[0] + b[0], a[1] + b[1]) if k == "add" else (a[0] - b[0], a[1] - b[1])
    if k == "neg":
        a = affine(ir[1])
        return None if a is None else (-a[0], -a[1])
    if k == "mul":
        a, b = affine(ir[1]), affine(ir[2])
        if a is None or b is None:
            return None
        if a[0] == 0:
            return (a[1] * b[0], a[1] * b[1])
        if b[0] == 0:
            return (b[1] * a[0], b[1] * a[1])
        return None
    if k == "div":
        a, b = affine(ir[1]), affine(ir[2])
        if a is None or b is None or b[0] != 0 or b[1] == 0:
            return None
        return (a[0] / b[1], a[1] / b[1])
    return None


# ---------------------------------------------------------------- evaluation on a box
class Box:
    """A point [c, c] (`point`) or an open interval (lo, hi) (evaluated on its closure, with exact
    affine decisions on the open interior)."""

    __slots__ = ("lo", "hi", "point", "iv")

    def __init__(self, lo: Fraction, hi: Fraction, point: bool) -> None:
        self.lo, self.hi, self.point = lo, hi, point
        self.iv = (lo, hi)


def _affine_sign_open(aff: tuple[Fraction, Fraction], box: Box) -> int | None:
    """Sign of c1 x + c0 on the box (None if it changes sign inside)."""
    c1, c0 = aff
    if box.point:
        v = c1 * box.lo + c0
        return (v > 0) - (v < 0)
    if c1 == 0:
        return (c0 > 0) - (c0 < 0)
    root = -c0 / c1
    if root <= box.lo or root >= box.hi:
        m = c1 * (box.lo + box.hi) / 2 + c0
        return (m > 0) - (m < 0)
    return None


def _affine_image(aff: tuple[Fraction, Fraction], box: Box) -> tuple[Fraction, Fraction]:
    c1, c0 = aff
    u, v = c1 * box.lo + c0, c1 * box.hi + c0
    return (min(u, v), max(u, v))


def decide(c: tuple, box: Box, memo: dict) -> bool | None:
    k = c[0]
    if k == "true":
        return True
    if k == "false":
        return False
    if k == "not":
        v = decide(c[1], box, memo)
        return None if v is None else not v
    if k in ("and", "or"):
        a, b = decide(c[1], box, memo), decide(c[2], box, memo)
        if k == "and":
            return False if (a is False or b is False) else (True if (a and b) else None)
        return True if (a is True or b is True) else (False if (a is False and b is False) else None)
    diff = ("sub", c[1], c[2])
    aff = affine(diff)
    s = _affine_sign_open(aff, box) if aff is not None else None
    if s is None:
        d, dd = ev(diff, box, memo)
        s = 1 if d[0] > 0 else -1 if d[1] < 0 else (0 if d[0] == d[1] == 0 else None)
        if s is None and not box.point and dd is not None and (dd[0] > 0 or dd[1] < 0) and (d[0] >= 0 or d[1] <= 0):
            # strictly monotone on the open box (derivative enclosure excludes 0, no jump inside) and
            # >= 0 (<= 0) on it: a zero inside would make it negative (positive) on one side, so it is
            # > 0 (< 0) on the whole open box
            s = 1 if d[0] >= 0 else -1
        if s is None:
            if k == "lt" and d[0] >= 0:
                return False
            if k == "le" and d[1] <= 0:
                return True
            if k == "le" and d[0] > 0:
                return False
            return None
    return {"lt": s < 0, "le": s <= 0, "eq": s == 0, "ne": s != 0}[k]


def _hulld(a, b):
    if a is None or b is None:
        return None
    return hull(a, b)


def ev(ir: tuple, box: Box, memo: dict) -> tuple[Iv, Iv | None]:
    """(enclosure of ir on the box, enclosure of its generalized derivative or None); Undefined if the
    function may be undefined on the box."""
    key = id(ir)
    hit = memo.get(key)
    if hit is not None and hit[0] is ir:
        return hit[1]
    out = _ev(ir, box, memo)
    memo[key] = (ir, out)
    return out


def _ev(ir: tuple, box: Box, memo: dict) -> tuple[Iv, Iv | None]:
    k = ir[0]
    if k == "c":
        return ((ir[1], ir[1]), (ZERO, ZERO))
    if k == "x":
        return (box.iv, (ONE, ONE))
    if k == "pi":
        return (pi_iv(), (ZERO, ZERO))
    if k in ("floor", "ceil", "sign"):
        aff = affine(ir[1])
        if aff is not None:
            if k == "sign":
                s = _affine_sign_open(aff, box)
                if s is not None:
                    return ((Fraction(s), Fraction(s)), (ZERO, ZERO))
                return ((-ONE, ONE), None)
            lo, hi = _affine_image(aff, box)
            f = _floor if k == "floor" else _ceil
            if box.point or lo == hi:
                v = Fraction(f(lo))
                return ((v, v), (ZERO, ZERO))
            # open image (lo, hi): constant iff no integer lies strictly inside
            if _floor(lo) + 1 >= hi:
                v = Fraction(f((lo + hi) / 2))
                return ((v, v), (ZERO, ZERO))
            return ((Fraction(f(lo)), Fraction(f(hi))), None)
        a, _ = ev(ir[1], box, memo)
        if k == "sign":
            if a[0] > 0:
                return ((ONE, ONE), (ZERO, ZERO))
            if a[1] < 0:
                return ((-ONE, -ONE), (ZERO, ZERO))
            if a[0] == a[1] == 0:
                return ((ZERO, ZERO), (ZERO, ZERO))
            return ((-ONE if a[0] < 0 else ZERO, ONE if a[1] > 0 else ZERO), None)
        f = _floor if k == "floor" else _ceil
        lo, hi = Fraction(f(a[0])), Fraction(f(a[1]))
        return ((lo, hi), (ZERO, ZERO) if lo == hi else None)
    if k == "if":
        c = decide(ir[1], box, memo)
        if c is True:
            return ev(ir[2], box, memo)
        if c is False:
            return ev(ir[3], box, memo)
        a, b = ev(ir[2], box, memo), ev(ir[3], box, memo)
        return (hull(a[0], b[0]), None)
    if k == "pow":
        (a, da), n = ev(ir[1], box, memo), ir[2]
        v = ipow(a, n)
        d = None if da is None else (mul(scale(Fraction(n), ipow(a, n - 1)), da) if n != 0 else (ZERO, ZERO))
        return (v, d)
    if k in ("add", "sub", "mul", "div", "min", "max"):
        (a, da), (b, db) = ev(ir[1], box, memo), ev(ir[2], box, memo)
        if k == "add":
            return (add(a, b), None if da is None or db is None else add(da, db))
        if k == "sub":
            return (sub(a, b), None if da is None or db is None else sub(da, db))
        if k == "mul":
            return (mul(a, b), None if da is None or db is None else add(mul(da, b), mul(a, db)))
        if k == "div":
            v = div(a, b)
            d = None if da is None or db is None else div(sub(mul(da, b), mul(a, db)), mul(b, b))
            return (v, d)
        if k == "min":
            if a[1] <= b[0]:
                return (a, da)
            if b[1] <= a[0]:
                return (b, db)
            return ((min(a[0], b[0]), min(a[1], b[1])), _hulld(da, db))
        if a[0] >= b[1]:
            return (a, da)
        if b[0] >= a[1]:
            return (b, db)
        return ((max(a[0], b[0]), max(a[1], b[1])), _hulld(da, db))
    a, da = ev(ir[1], box, memo)
    if k == "neg":
        return (neg(a), None if da is None else neg(da))
    if k == "abs":
        if a[0] >= 0:
            return (a, da)
        if a[1] <= 0:
            return (neg(a), None if da is None else neg(da))
        m = max(-a[0], a[1])
        d = None if da is None else (-max(-da[0], da[1]), max(-da[0], da[1]))
        return ((ZERO, m), d)
    if k == "exp":
        v = i_exp(a)
        return (v, None if da is None else mul(v, da))
    if k == "log":
        v = i_log(a)
        return (v, None if da is None else div(da, a))
    if k == "sqrt":
        v = i_sqrt(a)
        d = None if da is None or v[0] <= 0 else div(da, scale(Fraction(2), v))
        return (v, d)
    if k == "sin":
        return (i_sin(a), None if da is None else mul(i_cos(a), da))
    if k == "cos":
        return (i_cos(a), None if da is None else neg(mul(i_sin(a), da)))
    if k == "tan":
        c = i_cos(a)
        v = div(i_sin(a), c)
        return (v, None if da is None else mul(add((ONE, ONE), ipow(v, 2)), da))
    if k == "tanh":
        v = i_tanh(a)
        return (v, None if da is None else mul(sub((ONE, ONE), ipow(v, 2)), da))
    raise Undefined(f"unknown IR node {k!r}")


def eval_box(ir: tuple, box: Box) -> tuple[Iv, Iv | None]:
    return ev(ir, box, {})


def diff_enclosure(f: tuple, g: tuple, box: Box) -> Iv:
    """Enclosure of f - g on the box (Undefined if f or g may be undefined somewhere on it)."""
    memo: dict = {}
    (vf, df), (vg, dg) = ev(f, box, memo), ev(g, box, memo)
    if f == g:  # the same expression: f(x) - g(x) = 0 wherever it is defined (just checked)
        return (ZERO, ZERO)
    d = sub(vf, vg)
    if box.point or df is None or dg is None:
        return d
    m = (box.lo + box.hi) / 2
    mb = Box(m, m, True)
    mm: dict = {}
    fm, gm = ev(f, mb, mm)[0], ev(g, mb, mm)[0]
    mv = add(sub(fm, gm), mul(sub(df, dg), (box.lo - m, box.hi - m)))
    lo, hi = max(d[0], mv[0]), min(d[1], mv[1])
    return (lo, hi) if lo <= hi else d


def point_values(f: tuple, g: tuple, x: Fraction) -> tuple[Iv, Iv]:
    b = Box(x, x, True)
    memo: dict = {}
    return ev(f, b, memo)[0], ev(g, b, memo)[0]
