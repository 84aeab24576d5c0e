"""Trusted: enclosures of 1/sqrt(h), of scaled scores (fixed point), and of exp (floating dyadic);
docs/CHECKING.md section 3.

A fixed-point integer `z` stands for the real `z / 2^P`; a pair `(b, e)` for `b * 2^e`. Only two facts about the real exponential
are used: `1 + y <= exp(y)` and `exp(a + b) = exp(a) exp(b)`.
"""

from __future__ import annotations

from math import isqrt

from pybridge.check.errors import Rejected


def scale_bounds(h: int, P: int) -> tuple[int, int]:
    """Return (SLO, SHI) with `SLO/2^P <= 1/sqrt(h) <= SHI/2^P`, verified by integer arithmetic."""
    one = 1 << (2 * P)
    slo = isqrt(one // h)
    shi = slo + 1
    if not (slo * slo * h <= one <= shi * shi * h):  # cannot happen; the check is the proof
        raise Rejected("scale enclosure of 1/sqrt(d_head) failed its integer check")
    return slo, shi


def score_bounds(z: int, four_s: int, slo: int, shi: int) -> tuple[int, int]:
    """Enclose `z / 2^four_s * (1/sqrt h)` by `[lo, hi] / 2^P` (floor / ceil on the grid)."""
    if z >= 0:
        return (z * slo) >> four_s, -((-z * shi) >> four_s)
    return (z * shi) >> four_s, -((-z * slo) >> four_s)


def exp_lo(x: int, P: int, k: int) -> tuple[int, int]:
    """EXPLO: a floating dyadic `(b, e)` with `b * 2^e <= exp(x / 2^P)` and `b < 2^P`.

    Start from `b 2^-P = floor(2^P (1 + x/2^(P+k))) 2^-P <= exp(x/2^(P+k))`, then square k times,
    truncating the mantissa to P bits (rounding down); squaring is monotone on non-negatives and
    `exp(2y) = exp(y)^2`.
    """
    b = (1 << P) + (x >> k)
    e = -P
    if b <= 0:
        return 0, 0
    for _ in range(k):
        b, e = b * b, 2 * e
        r = b.bit_length() - P
        if r > 0:
            b, e = b >> r, e + r
    return b, e


def exp_hi(x: int, P: int, k: int) -> tuple[int, int]:
    """EXPHI: `(c, f)` with `exp(x / 2^P) <= c * 2^f`, using `exp(x) = 1 / exp(-x)`."""
    b, e = exp_lo(-x, P, k)
    if b <= 0:
        raise Rejected(f"exp upper bound undefined at {x}/2^{P} (argument too large)")
    return -((-(1 << (2 * P))) // b), -e - 2 * P
