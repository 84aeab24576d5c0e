"""Trusted: the count-block check (strategy `cubic-count`, docs/CHECKING.md section 6b).

A block `(q, m, c, K)` stands for the inputs with query `q`, max `m`, and exactly `c` of the `n-1`
non-query positions holding tokens from `K` (a subset of `{0..m-1}`), the others holding `m`;
there are `C(n-1, c) |K|^c` of them. With per-position bounds
`a_i = min_{k in K} lb(dE + dO(m,k,i), WLO[q][k][i], WHI[q][k][i])` (a non-max token at i) and
`b_i = lb(dE + dO(m,m,i), WLO[q][m][i], WHI[q][m][i])` (the max token at i), every input of the
block has numerator margin `>= query term + sum_i b_i + sum_{i in N} (a_i - b_i)` for its set `N`
of `c` non-max positions, and that is `>= query term + sum_i b_i + (sum of the c smallest a_i - b_i)`.
The block passes iff that last quantity is `> 0`. Blocks with distinct `(q, m, c)` are disjoint.
Unlike `cubic`, the work per block is `O(|K| n + n log n)`, not exponential in `n`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from math import comb

from pybridge.check.maxofk.bruteforce import lb
from pybridge.check.maxofk.cubic import direct_min, value_min
from pybridge.check.errors import Rejected
from pybridge.check.maxofk.tables import Tables, Weights


def count_block_margin(
    q: int, m: int, c: int, kset: list[int], n: int, dE: list[list[int]], dO: list[list[list[int]]], W: Weights
) -> int | None:
    """The block's guaranteed numerator margin (units as in Weights); None if c > 0 and K is empty."""
    if c and not kset:
        return None
    e = dE[q][m]
    total = lb(e + dO[m][q][n - 1], W.WLO[q][q][n - 1], W.WHI[q][q][n - 1])
    diffs = []
    for i in range(n - 1):
        b = lb(e + dO[m][m][i], W.WLO[q][m][i], W.WHI[q][m][i])
        total += b
        if c:
            diffs.append(min(lb(e + dO[m][k][i], W.WLO[q][k][i], W.WHI[q][k][i]) for k in kset) - b)
    return total + sum(sorted(diffs)[:c])


def validate_count_blocks(blocks: Iterable[object], V: int, n: int) -> list[tuple[int, int, int, int]]:
    """Integers in range, K a subset of {0..m-1}, c <= n-1 (n-2 if q < m), unique (q, m, c)."""
    out, seen = [], set()
    for idx, b in enumerate(blocks):
        if not (isinstance(b, list) and len(b) == 4 and all(type(x) is int for x in b)):
            raise Rejected(f"hint block {idx} is not a list of four integers")
        q, m, c, km = b
        if not (0 <= q <= m < V):
            raise Rejected(f"hint block {idx}: need 0 <= q <= m < d_vocab, got q={q}, m={m}")
        if not (0 <= c <= n - 1) or (q < m and c == n - 1):
            raise Rejected(f"hint block {idx}: invalid number of non-max positions {c}")
        if not (0 <= km < (1 << m)):
            raise Rejected(f"hint block {idx}: token set {km} is not a subset of 0..{m - 1}")
        if (q, m, c) in seen:
            raise Rejected(f"hint block {idx}: duplicate block (q={q}, m={m}, c={c})")
        seen.add((q, m, c))
        out.append((q, m, c, km))
    return out


def count_cubic_count(
    T: Tables, W: Weights, n: int, blocks: Iterable[object], progress: Callable[[int], None] | None = None
) -> tuple[int, list[int | None]]:
    """Return (number of inputs proven correct, per-block margins or None)."""
    V = len(T.EU)
    checked = validate_count_blocks(blocks, V, n)
    dE, dO = direct_min(T), value_min(T, n)
    count, margins = 0, []
    for q, m, c, km in checked:
        kset = [k for k in range(m) if km >> k & 1]
        mg = count_block_margin(q, m, c, kset, n, dE, dO, W)
        if mg is not None and mg > 0:
            count += comb(n - 1, c) * len(kset) ** c
        margins.append(mg)
        if progress is not None:
            progress(1)
    return count, margins
