"""Exact kernel and trusted enclosures against fractions.Fraction and high-precision mpmath."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybridge.check.errors import Rejected
from pybridge.check.maxofk.fixedpoint import exp_hi, exp_lo, scale_bounds, score_bounds
from pybridge.exact import floatpath as fp
from pybridge.exact.dyadic import Dyadic, round_down, round_up
from pybridge.exact.interval import Interval, exp_interval, inv_sqrt_interval

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
f32 = st.floats(allow_nan=False, allow_infinity=False, width=32)
moderate = st.floats(min_value=-1e30, max_value=1e30, allow_nan=False)


def _mp(fr: Fraction) -> mpmath.mpf:
    return mpmath.mpf(fr.numerator) / fr.denominator


@given(finite)
def test_dyadic_from_float_is_exact(x):
    assert Dyadic.from_float(x).to_fraction() == Fraction(x)


@given(f32, f32)
def test_dyadic_arithmetic(x, y):
    a, b = Dyadic.from_float(x), Dyadic.from_float(y)
    assert (a + b).to_fraction() == Fraction(x) + Fraction(y)
    assert (a - b).to_fraction() == Fraction(x) - Fraction(y)
    assert (a * b).to_fraction() == Fraction(x) * Fraction(y)


@given(st.fractions(), st.integers(0, 80))
def test_outward_rounding(x, bits):
    lo, hi = round_down(x, bits), round_up(x, bits)
    assert lo <= x <= hi and hi - lo <= Fraction(1, 1 << bits)
    assert (lo * (1 << bits)).denominator == 1 and (hi * (1 << bits)).denominator == 1


@given(st.fractions(), st.fractions(), st.fractions(), st.fractions(), st.floats(0, 1), st.floats(0, 1))
def test_interval_ops_contain_results(a, b, c, d, s, t):
    I, J = Interval(min(a, b), max(a, b)), Interval(min(c, d), max(c, d))
    x = I.lo + (I.hi - I.lo) * Fraction(s)
    y = J.lo + (J.hi - J.lo) * Fraction(t)
    assert (I + J).contains(x + y)
    assert (I - J).contains(x - y)
    assert (I * J).contains(x * y)
    assert (I * J).outward(20).contains(x * y)


@settings(max_examples=50)
@given(st.fractions(min_value=-200, max_value=50, max_denominator=10**9))
def test_exp_interval_contains_exp(x):
    I = exp_interval(Interval.point(x))
    assert I.hi - I.lo <= Fraction(1, 2**80) * (1 + I.hi)
    with mpmath.workdps(60):
        e = mpmath.exp(_mp(x))
        assert _mp(I.lo) <= e <= _mp(I.hi)


@given(st.integers(1, 10_000))
def test_inv_sqrt(n):
    I = inv_sqrt_interval(n, 64)
    assert I.lo**2 * n <= 1 <= I.hi**2 * n


@settings(max_examples=300)
@given(st.integers(-(1 << 72), 1 << 70), st.integers(16, 96), st.integers(1, 40))
def test_trusted_exp_enclosure(x, P, k):
    """EXPLO/EXPHI enclose exp(x / 2^P), checked with 100-digit mpmath."""
    lo_b, lo_e = exp_lo(x, P, k)
    with mpmath.workdps(100):
        e = mpmath.exp(mpmath.mpf(x) / mpmath.mpf(2) ** P)
        assert lo_b >= 0 and mpmath.mpf(lo_b) * mpmath.mpf(2) ** lo_e <= e
        if exp_lo(-x, P, k)[0] > 0:
            hi_b, hi_e = exp_hi(x, P, k)
            assert e <= mpmath.mpf(hi_b) * mpmath.mpf(2) ** hi_e
        else:  # 1 - x/2^(P+k) <= 0: no upper bound from this k; the checker refuses
            with pytest.raises(Rejected):
                exp_hi(x, P, k)


def test_trusted_exp_is_tight():
    P, k = 80, 40
    for x in (-72.25, -5.0, -0.5, 0.0, 3.0):
        z = int(x * (1 << P))
        lo = exp_lo(z, P, k)
        hi = exp_hi(z, P, k)
        lo_v, hi_v = lo[0] * 2.0 ** lo[1], hi[0] * 2.0 ** hi[1]
        assert 0 < lo_v <= math.exp(x) <= hi_v
        assert (hi_v - lo_v) / math.exp(x) < 1e-8  # relative precision, even far below 1


@given(st.integers(-(1 << 100), 1 << 100), st.integers(0, 120), st.integers(1, 500))
def test_score_bounds(z, four_s, h):
    P = 64
    slo, shi = scale_bounds(h, P)
    lo, hi = score_bounds(z, four_s, slo, shi)
    with mpmath.workdps(80):
        s = mpmath.mpf(z) / mpmath.mpf(2) ** four_s / mpmath.sqrt(h)
        assert mpmath.mpf(lo) / mpmath.mpf(2) ** P <= s <= mpmath.mpf(hi) / mpmath.mpf(2) ** P


@given(st.lists(st.tuples(moderate, moderate, moderate, moderate), min_size=1, max_size=30))
def test_floatpath_encloses_exact(rows):
    a = np.array([r[0] for r in rows])
    b = np.array([r[1] for r in rows])
    c = np.array([r[2] for r in rows])
    d = np.array([r[3] for r in rows])
    A, B = (np.minimum(a, b), np.maximum(a, b)), (np.minimum(c, d), np.maximum(c, d))
    for op, f in ((fp.add, lambda x, y: x + y), (fp.sub, lambda x, y: x - y), (fp.mul, lambda x, y: x * y)):
        lo, hi = op(A, B)
        for i in range(len(rows)):
            for x in (A[0][i], A[1][i]):
                for y in (B[0][i], B[1][i]):
                    exact = f(Fraction(float(x)), Fraction(float(y)))
                    assert Fraction(float(lo[i])) <= exact <= Fraction(float(hi[i]))


@settings(max_examples=30)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(0, 1000))
def test_floatpath_matmul_encloses_exact(r, k, c, seed):
    g = np.random.default_rng(seed)
    A = g.normal(size=(r, k)) * 10.0 ** g.integers(-5, 5)
    B = g.normal(size=(k, c))
    lo, hi = fp.matmul(fp.enclose(A), fp.enclose(B))
    for i in range(r):
        for j in range(c):
            exact = sum(Fraction(float(A[i, t])) * Fraction(float(B[t, j])) for t in range(k))
            assert Fraction(float(lo[i, j])) <= exact <= Fraction(float(hi[i, j]))


def test_tiny_products_underflow_enclosed():
    a = fp.enclose(np.array([1e-200, -1e-200, 5e-324]))
    lo, hi = fp.mul(a, a)
    for i, x in enumerate([1e-200, -1e-200, 5e-324]):
        exact = Fraction(x) * Fraction(x)
        assert Fraction(float(lo[i])) <= exact <= Fraction(float(hi[i]))
