"""Trusted: the brute-force check of docs/CHECKING.md section 5.

`count_bruteforce` returns `(proven_correct, proven_incorrect)` over all `V^n` inputs. Per query
`q` and position `i` it encloses `G_i[tok][c] = w(q,tok,i) * (EU[q][c] + OV[tok][i][c])` (exact
integer bounds `lb`, `ub`, then one outward step into float64), and sums with `nextafter` toward
-inf / +inf after every addition. Under IEEE round-to-nearest each addition is within half an ulp,
so the float sums enclose the exact sums. An input counts as proven correct iff
`sum_i GLO_i[t_i][m] > sum_i GHI_i[t_i][j]` for all `j != m`; since `lb(a) - ub(b) <= lb(a - b)`
this implies the exact test `classify_exact`, which implies `logit[m] > logit[j]` of the real model.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

import numpy as np

from pybridge.check.maxofk.tables import Tables, Weights

PREFIX_LIMIT = 1 << 20  # inputs per vectorised block (each costs O(n) gathers, O(nV) if undecided)


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


def _down(x: np.ndarray) -> np.ndarray:
    return np.nextafter(x, -np.inf)


def _up(x: np.ndarray) -> np.ndarray:
    return np.nextafter(x, np.inf)


def _grids(q: int, T: Tables, W: Weights, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Float64 enclosures GLO_i, GHI_i (rows: token, columns: output logit), scaled by 2^-g."""
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
    g = big.bit_length() - 60  # common positive scale; int / int is correctly rounded
    den = 1 << max(g, 0)
    mul = 1 << max(-g, 0)
    glo = [_down(np.array([[x * mul / den for x in r] for r in t])) for t in lo_rows]
    ghi = [_up(np.array([[x * mul / den for x in r] for r in t])) for t in hi_rows]
    return glo, ghi


def _sum(terms: list[np.ndarray], step: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    acc = terms[0]
    for t in terms[1:]:
        acc = step(acc + t)
    return acc


def _max_excluding(g: np.ndarray) -> np.ndarray:
    """HM[tok][m] = max_{j != m} g[tok][j] (second largest where the largest sits at m)."""
    order = np.argsort(g, axis=1)
    top1 = np.take_along_axis(g, order[:, -1:], axis=1)
    top2 = np.take_along_axis(g, order[:, -2:-1], axis=1)
    cols = np.arange(g.shape[1])[None, :]
    return np.where(cols == order[:, -1:], top2, top1)


def count_bruteforce(
    T: Tables,
    W: Weights,
    n: int,
    progress: Callable[[int], None] | None = None,
    need: tuple[int, int] = (0, 0),
    max_exact: int | None = None,
) -> tuple[int, int]:
    """Count inputs proven correct and proven incorrect (see module docstring).

    Fast test first (`sum_i GLO_i[t_i][m] > sum_i max_{j != m} GHI_i[t_i][j]` suffices, O(n) per
    input), then the full test on the rest (O(nV) per input). If the counts stay below `need`, the
    remaining undetermined inputs are classified with the exact test until `need` is met (or
    `max_exact` inputs have been re-tested).
    """
    V = len(T.EU)
    L = n - 1  # non-query positions
    r = 0  # positions enumerated in the vectorised inner block
    while r < L and V ** (r + 1) <= PREFIX_LIMIT:
        r += 1
    a = L - r  # positions enumerated by the Python outer loop
    grid = np.indices((V,) * r).reshape(r, -1) if r else np.zeros((0, 1), dtype=np.int64)
    inner_max = grid.max(axis=0) if r else np.zeros(1, dtype=np.int64)
    sentinel = -np.inf
    correct = incorrect = 0
    pending: list[np.ndarray] = []
    for q in range(V):
        glo, ghi = _grids(q, T, W, n)
        hm = [_max_excluding(g) for g in ghi]
        for outer in product(range(V), repeat=a):
            toks = [np.full(grid.shape[1], o) for o in outer] + list(grid) + [np.zeros(grid.shape[1], np.int64)]
            m = np.maximum(inner_max, max(outer + (q,)))
            lo_m = _sum([glo[i][toks[i], m] for i in range(n)], _down)
            bound = _sum([hm[i][toks[i], m] for i in range(n)], _up)
            rest = np.nonzero(lo_m <= bound)[0]
            correct += grid.shape[1] - len(rest)
            if len(rest):
                mr, rows = m[rest], np.arange(len(rest))
                s_lo = _sum([glo[i][toks[i][rest]] for i in range(n)], _down)
                s_hi = _sum([ghi[i][toks[i][rest]] for i in range(n)], _up)
                lo_m, hi_m = s_lo[rows, mr], s_hi[rows, mr]
                s_lo[rows, mr] = sentinel
                s_hi[rows, mr] = sentinel
                good = lo_m > s_hi.max(axis=1)
                bad = hi_m <= s_lo.max(axis=1)
                correct += int(np.count_nonzero(good))
                incorrect += int(np.count_nonzero(bad))
                undecided = rest[~good & ~bad]
                if len(undecided):
                    seqs = np.stack([t[undecided] for t in toks[:L]] + [np.full(len(undecided), q)], axis=1)
                    pending.append(seqs.astype(np.int64))
            if progress is not None:
                progress(grid.shape[1])
    budget = max_exact
    for seqs in pending:
        for t in seqs.tolist():
            if (correct >= need[0] and incorrect >= need[1]) or budget == 0:
                return correct, incorrect
            if budget is not None:
                budget -= 1
            c = classify_exact(tuple(t), T, W)
            correct += c == 1
            incorrect += c == -1
    return correct, incorrect
