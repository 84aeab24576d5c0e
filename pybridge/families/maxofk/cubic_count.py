"""Strategy `cubic-count`: the cubic argument with blocks by *number* of non-max positions.

Same per-position pessimisation as `cubic` (see its docstring), but a block fixes the query `q`, the
max `m` and the number `c` of non-query positions holding non-max tokens (from a set `K`), not which
positions they are: the checker takes the worst positions by sorting the per-position differences
(docs/CHECKING.md section 6b). There are `n` blocks per (q, m) instead of `2^(n-1)`, so long contexts
(n = 10, 20) stay cheap: O(V^3 n^2) in all. For n = 4 it is slightly weaker than `cubic`, which
can choose a different K for every set of positions.

Search (untrusted, float64) as in `cubic`: tokens ordered by their worst per-position product, the
longest prefix with a positive float margin; the claim is the trusted checker's exact count, and
blocks failing there are shrunk until they pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from pybridge.check.maxofk.cubic_count import count_block_margin, count_cubic_count

from pybridge.families.maxofk.common import DEFAULT_PARAMS, LoadedModel, ProofResult
from pybridge.families.maxofk.cubic import finish_blocks, float_pessimised, shared_flops


def search_count_blocks(m: LoadedModel, progress: Callable[[int], None] | None = None) -> list[list[int]]:
    V, n = m.exact.d_vocab, m.exact.n_ctx
    w, dE, dO = float_pessimised(m)
    L = n - 1
    blocks: list[list[int]] = []
    for mx in range(V):
        for q in range(mx + 1):
            e = dE[q, mx]
            b = (e + dO[mx, mx, :L]) * w[q, mx, :L]  # the max token at each position
            fixed = float((e + dO[mx, q, n - 1]) * w[q, q, n - 1] + b.sum())
            if q == mx or L >= 1:  # with n = 1 there is no input with query q below its max
                blocks.append([q, mx, 0, 0])
            cmax = L if q == mx else L - 1
            if mx == 0 or cmax < 1:
                continue
            term = (e + dO[mx, :mx, :L]) * w[q, :mx, :L]  # [k, i]
            order = np.argsort(-term.min(axis=1), kind="stable")
            a = np.minimum.accumulate(term[order], axis=0)  # [r-1, i]: worst over the first r tokens
            worst = np.cumsum(np.sort(a - b[None, :], axis=1), axis=1)  # [r-1, c-1]
            for c in range(1, cmax + 1):
                margin = fixed + worst[:, c - 1]
                ok = np.nonzero(margin > 1e-9 * (abs(fixed) + 1e-300))[0]
                if ok.size:
                    r = int(ok.max()) + 1
                    blocks.append([q, mx, c, sum(1 << int(k) for k in order[:r])])
            if progress is not None:
                progress(1)
    return blocks


def cubic_count_flops(V: int, n: int, d: int, h: int) -> int:
    """Operation count as implemented: shared tables and pessimisation, then n blocks per (q, m)."""
    return shared_flops(V, n, d, h) + V * (V + 1) // 2 * n * (V * n * 4 + 2 * n * max(1, n.bit_length()))


def prove_cubic_count(
    m: LoadedModel, params: dict[str, int] | None = None, progress: Callable[[int], None] | None = None
) -> ProofResult:
    params = dict(params or DEFAULT_PARAMS["cubic-count"])
    M = m.exact
    n = M.n_ctx
    t0 = time.perf_counter()
    with torch.no_grad():
        blocks = search_count_blocks(m, progress)
    t_search = time.perf_counter() - t0
    return finish_blocks(
        m, "cubic-count", params, blocks, count_block_margin, lambda c: list(range(n - 1)),
        count_cubic_count, cubic_count_flops(M.d_vocab, n, M.d_model, M.d_head), t0, t_search,
    )
