"""Vectorised float64 interval arithmetic with outward rounding after every operation.

Under IEEE round-to-nearest, the computed `fl(a op b)` is within half an ulp of the exact result,
so `nextafter(fl(a op b), -inf) <= a op b <= nextafter(fl(a op b), +inf)` for + - * (and /), as long
as nothing overflows; a result that is +-inf or NaN poisons the enclosure, which callers detect
with `is_valid`. Underflow: a product that is subnormal or zero may be off by up to 2^-1074, which
one nextafter step also covers. Pairs `(lo, hi)` of arrays denote elementwise intervals.
"""

from __future__ import annotations

import numpy as np

Pair = tuple[np.ndarray, np.ndarray]
_NEG = -np.inf
_POS = np.inf


def down(x: np.ndarray) -> np.ndarray:
    return np.nextafter(x, _NEG)


def up(x: np.ndarray) -> np.ndarray:
    return np.nextafter(x, _POS)


def enclose(x: np.ndarray) -> Pair:
    """A point array, exactly representable: the degenerate interval."""
    x = np.asarray(x, dtype=np.float64)
    return x, x


def add(a: Pair, b: Pair) -> Pair:
    return down(a[0] + b[0]), up(a[1] + b[1])


def sub(a: Pair, b: Pair) -> Pair:
    return down(a[0] - b[1]), up(a[1] - b[0])


def mul(a: Pair, b: Pair) -> Pair:
    c = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return down(np.minimum(np.minimum(c[0], c[1]), np.minimum(c[2], c[3]))), up(
        np.maximum(np.maximum(c[0], c[1]), np.maximum(c[2], c[3]))
    )


def matmul(a: Pair, b: Pair) -> Pair:
    """Interval matrix product (k-loop, outward rounding after each multiply and add)."""
    n_k = a[0].shape[-1]
    acc: Pair | None = None
    for k in range(n_k):
        term = mul((a[0][..., k : k + 1], a[1][..., k : k + 1]), (b[0][k : k + 1, :], b[1][k : k + 1, :]))
        acc = term if acc is None else add(acc, term)
    assert acc is not None
    return acc


def is_valid(p: Pair) -> bool:
    return bool(np.all(np.isfinite(p[0])) and np.all(np.isfinite(p[1])) and np.all(p[0] <= p[1]))
