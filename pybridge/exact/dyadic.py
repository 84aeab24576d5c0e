"""Exact dyadic rationals `m * 2^e` and outward rounding to a dyadic grid (prover side).

Every finite IEEE float is exactly such a number; `from_float` converts without loss (it never goes
through a decimal string).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, order=False)
class Dyadic:
    """The rational `mant * 2^exp`, normalised so that `mant` is odd or zero (then exp == 0)."""

    mant: int
    exp: int

    @staticmethod
    def make(mant: int, exp: int) -> Dyadic:
        if mant == 0:
            return Dyadic(0, 0)
        tz = (mant & -mant).bit_length() - 1
        return Dyadic(mant >> tz, exp + tz)

    @staticmethod
    def from_float(x: float) -> Dyadic:
        """Exact value of a finite float (raises ValueError on NaN/inf)."""
        num, den = float(x).as_integer_ratio()  # exact; den is a power of two
        return Dyadic.make(num, -(den.bit_length() - 1))

    def to_fraction(self) -> Fraction:
        return Fraction(self.mant) * Fraction(2) ** self.exp

    def __add__(self, o: Dyadic) -> Dyadic:
        e = min(self.exp, o.exp)
        return Dyadic.make((self.mant << (self.exp - e)) + (o.mant << (o.exp - e)), e)

    def __neg__(self) -> Dyadic:
        return Dyadic(-self.mant, self.exp)

    def __sub__(self, o: Dyadic) -> Dyadic:
        return self + (-o)

    def __mul__(self, o: Dyadic) -> Dyadic:
        return Dyadic.make(self.mant * o.mant, self.exp + o.exp)


def round_down(x: Fraction, grid_bits: int) -> Fraction:
    """Largest multiple of 2^-grid_bits that is <= x."""
    scale = 1 << grid_bits
    return Fraction((x.numerator * scale) // x.denominator, scale)


def round_up(x: Fraction, grid_bits: int) -> Fraction:
    """Smallest multiple of 2^-grid_bits that is >= x."""
    scale = 1 << grid_bits
    return Fraction(-((-x.numerator * scale) // x.denominator), scale)
