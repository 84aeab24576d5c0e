"""Strategy `cubic`: pessimise per position, group inputs into blocks, count combinatorially.

The argument (checked by `pybridge.check.maxofk.cubic`, docs/CHECKING.md section 6). Fix the query `q`,
the max `m >= q` and the set `N` of non-query positions that hold non-max tokens; let those tokens
range over a set `K` of tokens below `m`. Because the attention weights `a_i` are non-negative and sum
to one, the margin `logit[m] - logit[j]` equals `sum_i a_i D_i(j)` with
`D_i(j) = EU[q][m] - EU[q][j] + OV[t_i][i][m] - OV[t_i][i][j]`. We pessimise the wrong logit `j`
separately in the direct and value paths (`dE`, `dO`, O(V^3 n) work). Multiplying the margin by the
positive softmax normaliser turns it into `sum_i w_i D_i(j)` with unnormalised weights
`w_i = exp(score_i - c)`: one term per position, each depending only on the token there. So at each
position of `N` we pessimise the *product* `w_i v_i` over the tokens of `K` (sign-aware, with the
rigorous weight enclosure), and no convexity argument over mixtures of non-max tokens is needed:
every input of the block is covered by the same inequality. This differs from the anchor's cubic
proof (which computes attention for one non-max token value, pessimises positions by sorting and
extends to mixtures by convexity); ours keeps positions exact. The anchor's 2024-07-30 fix (commit
bd79dde, "Fix cubic proof") corrected the attention it assigned to the non-max tokens, which had
been set to the query token's attention; here every position carries its own weight enclosure, so
there is no per-category attention bookkeeping to get wrong, and the checker re-derives each term
from the weights.

Search (untrusted, float64): for each block, order candidate tokens by their worst per-position
product and take the longest prefix whose float margin is positive (margins only decrease as K
grows); the exact count comes from the trusted checker, and blocks that fail there are shrunk until
they pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from pybridge.check.maxofk.bruteforce import lb
from pybridge.check.maxofk.cubic import block_margin, count_cubic, direct_min, value_min
from pybridge.check.maxofk.tables import exact_tables, weight_enclosures

from pybridge.families.maxofk.common import DEFAULT_PARAMS, LoadedModel, ProofResult, float_tables, make_certificate


def float_pessimised(m: LoadedModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float64 (not rigorous) attention weights w[q, tok, i] (shifted per query), dE[q, m] and dO[m, tok, i]."""
    ft = float_tables(m)
    V = m.exact.d_vocab
    EU, OV = ft.EU.numpy(), ft.OV.numpy()  # [q, c], [tok, i, c]
    s = (ft.QK * ft.scale).numpy()
    w = np.exp(s - s.reshape(V, -1).max(axis=1)[:, None, None])  # [q, tok, i]
    dE = EU - _max_excluding(EU)  # [q, m]
    dO = (OV - _max_excluding(OV)).transpose(2, 0, 1)  # [m, tok, i]
    return w, dE, dO


def _max_excluding(a: np.ndarray) -> np.ndarray:
    """out[..., m] = max_{j != m} a[..., j] (the second largest where the largest sits at m)."""
    order = np.argsort(a, axis=-1)
    top1 = np.take_along_axis(a, order[..., -1:], axis=-1)
    top2 = np.take_along_axis(a, order[..., -2:-1], axis=-1)
    return np.where(np.arange(a.shape[-1]) == order[..., -1:], top2, top1)


def search_blocks(m: LoadedModel, progress: Callable[[int], None] | None = None) -> list[list[int]]:
    """Choose a token set K for every (q, m, N) block, using float64 tables (not rigorous)."""
    V, n = m.exact.d_vocab, m.exact.n_ctx
    w, dE, dO = float_pessimised(m)
    full = (1 << (n - 1)) - 1
    blocks: list[list[int]] = []
    for mx in range(V):
        for q in range(mx + 1):
            e = dE[q, mx]
            base = (e + dO[mx, q, n - 1]) * w[q, q, n - 1]
            for nm in range(full + 1):
                if q < mx and nm == full:
                    continue
                pos = [i for i in range(n - 1) if nm >> i & 1]
                rest = [i for i in range(n - 1) if not nm >> i & 1]
                fixed = base + sum(float((e + dO[mx, mx, i]) * w[q, mx, i]) for i in rest)
                if not pos:
                    blocks.append([q, mx, 0, 0])
                    continue
                if mx == 0:
                    continue
                term = (e + dO[mx, :mx][:, pos]) * w[q, :mx][:, pos]  # [k, |N|]: w * v per token
                order = np.argsort(-term.min(axis=1), kind="stable")
                margin = fixed + np.minimum.accumulate(term[order], axis=0).sum(axis=1)
                ok = np.nonzero(margin > 1e-9 * (abs(fixed) + 1e-300))[0]
                if ok.size:
                    r = int(ok.max()) + 1
                    # margins decrease with r, so the passing prefixes are exactly 1..r
                    kmask = 0
                    for k in order[:r]:
                        kmask |= 1 << int(k)
                    blocks.append([q, mx, nm, kmask])
            if progress is not None:
                progress(1)
    return blocks


def shared_flops(V: int, n: int, d: int, h: int) -> int:
    """Operations every block strategy spends before its blocks: the EU/OV/QK tables and dE, dO."""
    tables = 2 * V * n * d * (2 * h + d + V) + 2 * V * V * n * h + 2 * V * d * V
    pessimise = 2 * V**3 + 2 * V**3 * n
    return tables + pessimise


def cubic_flops(V: int, n: int, d: int, h: int) -> int:
    """Operation count of the cubic proof as implemented (tables, pessimisation, blocks)."""
    return shared_flops(V, n, d, h) + V * (V + 1) // 2 * (1 << (n - 1)) * V * n * 4


MarginFn = Callable[..., "int | None"]


def finish_blocks(
    m: LoadedModel,
    strategy: str,
    params: dict[str, int],
    blocks: list[list[int]],
    margin: MarginFn,
    positions: Callable[[int], list[int]],
    counter: Callable[..., tuple[int, list]],
    flops: int,
    t0: float,
    t_search: float,
) -> ProofResult:
    """Exact pass shared by the block strategies: the claim is what the trusted checker derives.

    A block whose exact margin is not positive loses, one at a time, the token of K with the worst
    per-position product bound over `positions(x)` until it passes (or K is empty)."""
    M = m.exact
    n = M.n_ctx
    T = exact_tables(M)
    W = weight_enclosures(M, T, params["fixed_bits"], params["exp_squarings"])
    dE, dO = direct_min(T), value_min(T, n)
    kept = []
    for q, mx, x, km in blocks:
        ks = [k for k in range(mx) if km >> k & 1]
        while True:
            mg = margin(q, mx, x, ks, n, dE, dO, W)
            if mg is not None and mg > 0:
                kept.append([q, mx, x, sum(1 << k for k in ks)])
                break
            if not ks:
                break
            ks.remove(min(ks, key=lambda k: min(
                lb(dE[q][mx] + dO[mx][k][i], W.WLO[q][k][i], W.WHI[q][k][i]) for i in positions(x))))
    correct, _ = counter(T, W, n, kept)
    secs = time.perf_counter() - t0
    info = {"seconds": round(secs, 3), "search_seconds": round(t_search, 3), "flops": flops, "blocks": len(kept)}
    cert = make_certificate(m, strategy, params, correct, None, {"blocks": kept}, info)
    return ProofResult(strategy, correct, M.d_vocab**n, None, flops, secs, cert, {"blocks": len(kept)})


def prove_cubic(
    m: LoadedModel,
    params: dict[str, int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ProofResult:
    params = dict(params or DEFAULT_PARAMS["cubic"])
    M = m.exact
    n = M.n_ctx
    t0 = time.perf_counter()
    with torch.no_grad():
        blocks = search_blocks(m, progress)
    t_search = time.perf_counter() - t0
    return finish_blocks(
        m, "cubic", params, blocks, block_margin, lambda nm: [i for i in range(n - 1) if nm >> i & 1],
        count_cubic, cubic_flops(M.d_vocab, n, M.d_model, M.d_head), t0, t_search,
    )
