"""Trusted: the brute-force check of docs/CHECKING.md section 5.

`count_bruteforce` returns `(proven_correct, proven_incorrect)` over all `V^n` inputs, using the
int64 fast path: per query `q` and position `i`, integer tables
`GLO_i[tok][c] <= lb(EU[q][c] + OV[tok][i][c], WLO, WHI) / 2^g` and `GHI_i[tok][c] >= ub(...) / 2^g`.
An input is counted proven correct iff `sum_i GLO_i[t_i][m] > sum_i GHI_i[t_i][j]` for every `j != m`;
since `lb(a) - ub(b) <= lb(a - b)` this implies the exact test `classify_exact` (section 5), which
in turn implies `logit[m] > logit[j]` of the real model. Integer sums are exact (bounded below 2^62).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

import numpy as np

from .tables import Tables, Weights

INNER_LIMIT = 1 << 24  # int64 cells per vectorised block


def lb(v: int, lo: int, hi: int) -> int:
    """Lower bound of v*w over w in [lo, hi], lo >= 0."""
    return v * lo if v >= 0 else v * hi


def ub(v: int, lo: int, hi: int) -> int:
    """Upper bound of v*w over w in [lo, hi], lo >= 0."""
    return v * hi if v >= 0 else v * lo


def classify_exact(t: tuple[int, ...], T: Tables, W: Weights) -> int:
    """Exact per-input test: +1 proven correct, -1 proven incorrect, 0 undetermined."""
    n, q, m = len(t), t[-1], max(t)
    V = len(T.EU)
    wl = [W.WLO[q][t[i]][i] for i in range(n)]
    wh = [W.WHI[q][t[i]][i] for i in range(n)]
    all_pos = True
    for j in range(V):
        if j == m:
            continue
        d = [T.EU[q][m] - T.EU[q][j] + T.OV[t[i]][i][m] - T.OV[t[i]][i][j] for i in range(n)]
        if sum(ub(d[i], wl[i], wh[i]) for i in range(n)) <= 0:
            return -1
        if sum(lb(d[i], wl[i], wh[i]) for i in range(n)) <= 0:
            all_pos = False
    return 1 if all_pos else 0


def _grids(q: int, T: Tables, W: Weights, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Outward-rounded int64 tables GLO_i, GHI_i (rows: token, columns: output logit)."""
    V = len(T.EU)
    lo_rows, hi_rows = [], []
    for i in range(n):
        toks = range(V) if i < n - 1 else [q]
        lo_i, hi_i = [], []
        for tok in toks:
            wl, wh = W.WLO[q][tok][i], W.WHI[q][tok][i]
            r = [e + o for e, o in zip(T.EU[q], T.OV[tok][i])]
            lo_i.append([lb(v, wl, wh) for v in r])
            hi_i.append([ub(v, wl, wh) for v in r])
        lo_rows.append(lo_i)
        hi_rows.append(hi_i)
    big = max(abs(x) for rows in (lo_rows, hi_rows) for t in rows for r in t for x in r)
    g = max(0, big.bit_length() + (n - 1).bit_length() + 1 - 62)
    glo = [np.array([[x >> g for x in r] for r in t], dtype=np.int64) for t in lo_rows]
    ghi = [np.array([[-((-x) >> g) for x in r] for r in t], dtype=np.int64) for t in hi_rows]
    return glo, ghi


def count_bruteforce(
    T: Tables, W: Weights, n: int, progress: Callable[[int], None] | None = None
) -> tuple[int, int]:
    """Count inputs proven correct and proven incorrect (see module docstring)."""
    V = len(T.EU)
    L = n - 1  # non-query positions
    r = 0  # positions enumerated in the vectorised inner block
    while r < L and V ** (r + 1) * V <= INNER_LIMIT:
        r += 1
    a = L - r  # positions enumerated by the Python outer loop
    shape = (V,) * r
    inner_tok = [np.arange(V).reshape((1,) * j + (V,) + (1,) * (r - 1 - j)) for j in range(r)]
    inner_max = np.zeros(shape, dtype=np.int64)
    for tj in inner_tok:
        inner_max = np.maximum(inner_max, tj)
    inner_max = inner_max.reshape(-1)
    inner_idx = [np.broadcast_to(tj, shape).reshape(-1) for tj in inner_tok]
    rows = np.arange(V**r)
    sentinel = np.iinfo(np.int64).min
    correct = incorrect = 0
    for q in range(V):
        glo, ghi = _grids(q, T, W, n)
        inner_lo = np.zeros(shape + (V,), dtype=np.int64)
        inner_hi = np.zeros(shape + (V,), dtype=np.int64)
        for j in range(r):
            sh = (1,) * j + (V,) + (1,) * (r - 1 - j) + (V,)
            inner_lo = inner_lo + glo[a + j].reshape(sh)
            inner_hi = inner_hi + ghi[a + j].reshape(sh)
        inner_lo = inner_lo.reshape(-1, V)
        inner_hi = inner_hi.reshape(-1, V)
        for outer in product(range(V), repeat=a):
            c_lo = glo[L][0] + sum((glo[i][outer[i]] for i in range(a)), np.zeros(V, np.int64))
            c_hi = ghi[L][0] + sum((ghi[i][outer[i]] for i in range(a)), np.zeros(V, np.int64))
            m = np.maximum(inner_max, max(outer + (q,)))
            s_lo = inner_lo + c_lo
            s_hi = inner_hi + c_hi
            lo_m = s_lo[rows, m].copy()
            hi_m = s_hi[rows, m].copy()
            s_lo[rows, m] = sentinel
            s_hi[rows, m] = sentinel
            correct += int(np.count_nonzero(lo_m > s_hi.max(axis=1)))
            incorrect += int(np.count_nonzero(hi_m <= s_lo.max(axis=1)))
            if progress is not None:
                progress(V**r)
    return correct, incorrect
