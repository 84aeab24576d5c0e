"""Intervals with exact rational endpoints, rounded outward to a dyadic grid (prover side).

Invariant: an `Interval(lo, hi)` produced by these operations contains the exact real result of the
operation applied to any reals in the operand intervals. exp and 1/sqrt use mpmath's interval
context (outward-rounded multiprecision), whose endpoints are converted to Fractions exactly and
then rounded outward to the grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import isqrt

import mpmath

from pybridge.exact.dyadic import round_down, round_up

GRID_BITS = 96


@dataclass(frozen=True)
class Interval:
    lo: Fraction
    hi: Fraction

    def __post_init__(self) -> None:
        if self.lo > self.hi:
            raise ValueError(f"empty interval [{self.lo}, {self.hi}]")

    @staticmethod
    def point(x: Fraction | int) -> Interval:
        x = Fraction(x)
        return Interval(x, x)

    def contains(self, x: Fraction) -> bool:
        return self.lo <= x <= self.hi

    def outward(self, bits: int = GRID_BITS) -> Interval:
        return Interval(round_down(self.lo, bits), round_up(self.hi, bits))

    def __add__(self, o: Interval) -> Interval:
        return Interval(self.lo + o.lo, self.hi + o.hi)

    def __sub__(self, o: Interval) -> Interval:
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __mul__(self, o: Interval) -> Interval:
        c = (self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi)
        return Interval(min(c), max(c))

    @property
    def width(self) -> Fraction:
        return self.hi - self.lo


def _raw_to_fraction(raw: tuple) -> Fraction:
    """Exact value of an mpmath raw binary float (sign, mantissa, exponent, bitcount)."""
    sign, man, exp, _ = raw  # no conversion through mpf: that would round to mp.prec
    value = Fraction(int(man)) * Fraction(2) ** int(exp)
    return -value if sign else value


def _exp_enclosure(x: Fraction, prec: int) -> tuple[Fraction, Fraction]:
    """mpmath interval exp of (an interval enclosing) the rational x: exact endpoint Fractions."""
    ctx = mpmath.iv
    old = ctx.prec
    ctx.prec = prec
    try:
        e = ctx.exp(ctx.mpf(x.numerator) / x.denominator)
        lo, hi = e._mpi_
    finally:
        ctx.prec = old
    return _raw_to_fraction(lo), _raw_to_fraction(hi)


def exp_interval(x: Interval, bits: int = GRID_BITS) -> Interval:
    """An interval containing exp(y) for every y in x (exp is increasing)."""
    lo, _ = _exp_enclosure(x.lo, bits + 32)
    _, hi = _exp_enclosure(x.hi, bits + 32)
    return Interval(round_down(lo, bits), round_up(hi, bits))


def inv_sqrt_interval(n: int, bits: int = GRID_BITS) -> Interval:
    """[lo, hi] on the 2^-bits grid with lo^2 n <= 1 <= hi^2 n, verified with integers."""
    one = 1 << (2 * bits)
    lo = isqrt(one // n)
    hi = lo + 1
    assert lo * lo * n <= one <= hi * hi * n
    return Interval(Fraction(lo, 1 << bits), Fraction(hi, 1 << bits))
