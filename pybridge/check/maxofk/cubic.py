"""Trusted: the cubic block check of docs/CHECKING.md section 6.

A block `(q, m, N, K)` stands for the inputs with query `q`, max `m`, non-max tokens from `K` at
the non-query positions in `N` and `m` elsewhere. It passes iff `sum_i T_i > 0`, where each `T_i`
lower-bounds `w_i * v_i` (`w_i` the unnormalised attention weight, `v_i` a lower bound on the
per-position logit difference `D_i(j)` for every wrong logit `j`); at a position in `N`,
`T_i = min_{k in K} lb(v_i(k), WLO(k), WHI(k))` covers whichever token of `K` sits there. Then for every input of the
block and every `j != m`, `sum_i w_i D_i(j) >= sum_i w_i v_i >= sum_i T_i > 0`: the input is correct.
Blocks with distinct `(q, m, N)` are disjoint, so the count of inputs proven correct is the sum of
`|K|^|N|` over passing blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pybridge.check.maxofk.bruteforce import lb
from pybridge.check.errors import Rejected
from pybridge.check.maxofk.tables import Tables, Weights


def direct_min(T: Tables) -> list[list[int]]:
    """dE[q][m] = min_{j != m} (EU[q][m] - EU[q][j])."""
    V = len(T.EU)
    return [[min(T.EU[q][m] - T.EU[q][j] for j in range(V) if j != m) for m in range(V)] for q in range(V)]


def value_min(T: Tables, n: int) -> list[list[list[int]]]:
    """dO[m][tok][i] = min_{j != m} (OV[tok][i][m] - OV[tok][i][j])."""
    V = len(T.EU)
    out = []
    for m in range(V):
        rows = []
        for tok in range(V):
            rows.append([])
            for i in range(n):
                ov = T.OV[tok][i]
                rows[-1].append(ov[m] - max(ov[j] for j in range(V) if j != m))
        out.append(rows)
    return out


def block_margin(
    q: int, m: int, nmask: int, kset: list[int], n: int, dE: list[list[int]], dO: list[list[list[int]]], W: Weights
) -> int | None:
    """The block's `sum of T` (fixed-point, unit 2^-(P+4s)); None if N is non-empty and K empty."""
    if nmask and not kset:
        return None
    e = dE[q][m]
    total = lb(e + dO[m][q][n - 1], W.WLO[q][q][n - 1], W.WHI[q][q][n - 1])
    for i in range(n - 1):
        if nmask >> i & 1:  # pessimise the token at position i over K, product by product
            total += min(lb(e + dO[m][k][i], W.WLO[q][k][i], W.WHI[q][k][i]) for k in kset)
        else:
            total += lb(e + dO[m][m][i], W.WLO[q][m][i], W.WHI[q][m][i])
    return total


def validate_blocks(blocks: Iterable[object], V: int, n: int) -> list[tuple[int, int, int, int]]:
    """Check the hint's shape: integers in range, K a subset of {0..m-1}, unique (q, m, N)."""
    out, seen = [], set()
    full = (1 << (n - 1)) - 1
    for idx, b in enumerate(blocks):
        if not (isinstance(b, list) and len(b) == 4 and all(type(x) is int for x in b)):
            raise Rejected(f"hint block {idx} is not a list of four integers")
        q, m, nm, km = b
        if not (0 <= q <= m < V):
            raise Rejected(f"hint block {idx}: need 0 <= q <= m < d_vocab, got q={q}, m={m}")
        if not (0 <= nm <= full) or (q < m and nm == full):
            raise Rejected(f"hint block {idx}: invalid non-max position mask {nm}")
        if not (0 <= km < (1 << m)):
            raise Rejected(f"hint block {idx}: token set {km} is not a subset of 0..{m - 1}")
        if (q, m, nm) in seen:
            raise Rejected(f"hint block {idx}: duplicate block (q={q}, m={m}, N={nm})")
        seen.add((q, m, nm))
        out.append((q, m, nm, km))
    return out


def count_cubic(
    T: Tables,
    W: Weights,
    n: int,
    blocks: Iterable[object],
    progress: Callable[[int], None] | None = None,
) -> tuple[int, list[int | None]]:
    """Return (number of inputs proven correct, per-block margins or None for failing blocks)."""
    V = len(T.EU)
    checked = validate_blocks(blocks, V, n)
    dE, dO = direct_min(T), value_min(T, n)
    count, margins = 0, []
    for q, m, nm, km in checked:
        kset = [k for k in range(m) if km >> k & 1]
        mg = block_margin(q, m, nm, kset, n, dE, dO, W)
        if mg is not None and mg > 0:
            count += len(kset) ** bin(nm).count("1")
        margins.append(mg)
        if progress is not None:
            progress(1)
    return count, margins
