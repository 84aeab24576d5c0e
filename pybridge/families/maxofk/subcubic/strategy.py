"""Prover for the `subcubic` family: choose a gap per block, emit verified-by-checker hints.

The argument (docs/CHECKING.md section 6c), in words: fix the query q, the max m and the number c of
non-max positions, and require every non-max token to be at most m - g. Then
- the score of a non-max token is below the max's by at least D = (EQKE approximation gap) - (error
  bound), so its attention weight is at most the max's weight at that position times exp(-D/sqrt h);
- its value-path contribution is at least the worst over tokens <= m - g of a per-token quantity
  that does not depend on the wrong logit (top-two per row of the value table);
- the direct path is bounded by the variant's (u, delta) split or exactly;
and the worst c positions are found by sorting. Per block the work is O(n log n); everything else
is O(V^2 n) given the O(V^2 d) value table: subcubic in V. The gap g of each block is chosen by
search (the smallest gap whose float margin is positive); the claim is the trusted checker's exact
count of the chosen blocks.

What is ours, beyond the paper's option space (the default variant `exact/exact_EQKE+max_diff_exact`
uses all of it; the paper's variants use the first three):
- *Per-position attention, worst positions by sorting.* The paper pessimises the positional part of
  attention and the value path over positions independently; here each position keeps its exact
  weight enclosure for the max token, and only the choice of which c positions are non-max is
  pessimised (by sorting), so no attention mass is given away to positions that cannot hold it.
- *Per-wrong-logit split of the value path by top-two rows.* Instead of a token's max-minus-min
  logit spread (which counts the token's own preferred logit against it), `ev(m, k)` compares the
  logit of m with the best *other* logit of the same row, so a non-max token that also votes for m
  costs nothing.
- *Gap per block, tightened per query.* Each (q, m, c) block gets its own gap and attention bound
  D, so queries whose attention is sharp keep more inputs.
- *Exact direct path at the paper's cost.* The option `exact` reads the direct path's margin for
  max m from the top two entries of each EU row: the same O(V^2 d) as the paper's `max_diff_exact`
  (which forms EU too), but it keeps the dependence on m that a per-row spread throws away. On the
  zoo it beats the best paper variant at equal FLOPs (bench/results/maxofk_frontier.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from math import comb

import numpy as np
import torch

from pybridge.check.maxofk.subcubic import GapChecker
from pybridge.check.maxofk.tables import Tables, Weights, exact_tables, weight_enclosures

from pybridge.families.maxofk.common import DEFAULT_PARAMS, LoadedModel, ProofResult, float_tables, make_certificate
from pybridge.families.maxofk.cubic import _max_excluding
from pybridge.families.maxofk.subcubic.bounds import attention_approx, direct_split
from pybridge.families.maxofk.subcubic.options import Variant, all_variants

DEFAULT_VARIANT = Variant("exact", "exact_EQKE+max_diff_exact")


class Shared:
    """Float quantities every variant of one model uses (value split, weights), computed once."""

    def __init__(self, m: LoadedModel):
        A = m.arrays
        self.m = m
        M = m.exact
        self.V, self.n, self.d, self.h, self.s = M.d_vocab, M.n_ctx, M.d_model, M.d_head, M.s
        self.E, self.P = A["embed.W_E"], A["pos_embed.W_pos"]
        self.WQ, self.WK, self.WU = A["blocks.0.attn.W_Q"], A["blocks.0.attn.W_K"], A["unembed.W_U"]
        self.Eq = self.E + self.P[-1][None, :]
        self.Ek = self.E + self.P.mean(axis=0)[None, :]
        # attention operands; with biases the affine trick [x, 1] [[W], [b]] = x W + b (issue 15)
        self.att = (self.Eq, self.Ek, self.WQ, self.WK)
        if A["b_Q"].any() or A["b_K"].any():
            ones = np.ones((self.V, 1))
            self.att = (np.hstack([self.Eq, ones]), np.hstack([self.Ek, ones]),
                        np.vstack([self.WQ, A["b_Q"][None, :]]), np.vstack([self.WK, A["b_K"][None, :]]))
        self.direct_const = A["b_O"] @ self.WU + A["b_U"]  # added to every row of EU (zero without biases)
        with torch.no_grad():
            ft = float_tables(m)
        OV, QK = ft.OV.numpy(), ft.QK.numpy()
        self.EU = ft.EU.numpy()
        EV, PV = OV[:, 0, :], OV[0] - OV[0, 0][None, :]
        self.ev = (EV - _max_excluding(EV)).T  # [m, k]
        self.pv = (PV - _max_excluding(PV)).T  # [m, i]
        s = QK * ft.scale
        idx = np.arange(self.V)
        diag = s[:, idx, :]  # [q, m, i]: score of token m at position i under query q
        self.w = np.exp(diag - diag.reshape(self.V, -1).max(axis=1)[:, None, None])  # [q, m, i]
        self.scale = ft.scale
        self.unit = 2.0 ** (4 * self.s)
        V, n, d, h = self.V, self.n, self.d, self.h
        self.common_flops = (
            2 * (V + n) * (d * h + h * d + d * V)  # value rows EV, PV
            + 2 * V * V + 2 * n * V  # top-two per row
            + 2 * V * d * h + 2 * V * n * d * h + 2 * V * V * n * h + V * V * n  # scores of (q, m, i), exp
        )


def search_gaps(S: Shared, e: np.ndarray, D: np.ndarray) -> dict[tuple[int, int, int], list[tuple[int, float]]]:
    """Float margins of every (q, m, c, g); returns, per (q, m, c), the passing gaps, smallest first,
    each with its float margin relative to the size of the terms (how safely it passes).

    e[q, m]: direct-path bound; D[q, m, g]: attention gap bound (real units, unscaled)."""
    V, n = S.V, S.n
    L = n - 1
    idx = np.arange(V)
    evmin = np.minimum.accumulate(S.ev, axis=1)  # [m, t]
    b = (e[:, :, None] + S.ev[idx, idx][None, :, None] + S.pv[None, :, :L]) * S.w[:, :, :L]  # [q, m, i]
    Tq = (e + S.ev.T + S.pv[None, :, n - 1]) * S.w[idx, idx, n - 1][:, None]  # [q, m]: the query token
    fixed = Tq + b.sum(axis=2)  # [q, m]
    size0 = np.abs(Tq) + np.abs(b).sum(axis=2)  # [q, m]
    pass0 = (fixed > 1e-9 * size0) & (idx[:, None] <= idx[None, :])  # q <= m
    if L == 0:
        pass0 &= idx[:, None] == idx[None, :]  # n = 1: the query is the max
    out: dict[tuple[int, int, int], list[tuple[int, float]]] = {
        (int(q), int(mx), 0): [(0, float(fixed[q, mx] / size0[q, mx]))] for q, mx in zip(*np.nonzero(pass0))
    }
    if L == 0:
        return out
    g = np.arange(1, V)
    # t = m - g (clipped; invalid g masked below)
    t = np.clip(idx[:, None] - g[None, :], 0, V - 1)  # [m, g]
    L0 = e[:, :, None] + evmin[idx[:, None], t][None, :, :]  # [q, m, g]
    att = np.exp(np.minimum(-S.scale * D, 700.0))  # [q, m, g]; capped: such blocks fail anyway
    a = np.minimum(L0[..., None] + S.pv[None, :, None, :L], 0) * S.w[:, :, None, :L] * att[..., None]  # [q, m, g, i]
    diffs = np.sort(a - b[:, :, None, :], axis=3)
    worst = np.cumsum(diffs, axis=3)  # [q, m, g, c-1]
    tol = 1e-9 * size0
    size = size0[:, :, None, None] + np.abs(a).sum(axis=3, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):  # size 0: rel is nan, the block is tested exactly
        rel = (fixed[:, :, None, None] + worst) / size
    ok = (fixed[:, :, None, None] + worst) > tol[:, :, None, None]
    valid_g = (g[None, :] <= idx[:, None])  # [m, g]
    ok &= valid_g[None, :, :, None]
    for q in range(V):
        for mx in range(max(q, 1), V):
            cmax = L if q == mx else L - 1
            for c in range(1, cmax + 1):
                gs = np.nonzero(ok[q, mx, :, c - 1])[0]
                if gs.size:
                    out[(q, mx, c)] = [(int(x) + 1, float(rel[q, mx, x, c - 1])) for x in gs[:4]]
    return out


def prove_subcubic(
    m: LoadedModel,
    params: dict[str, int] | None = None,
    progress: Callable[[int], None] | None = None,
    variant: Variant | None = None,
    shared: Shared | None = None,
    exact: tuple[Tables, Weights] | None = None,
) -> ProofResult:
    params = dict(params or DEFAULT_PARAMS["subcubic"])
    variant = variant or DEFAULT_VARIANT
    t0 = time.perf_counter()
    S = shared or Shared(m)
    V, n, unit = S.V, S.n, S.unit
    # direct path
    if variant.direct == "exact":
        direct: dict = {"mode": "exact"}
        e = S.EU - _max_excluding(S.EU)
        fl_direct = 2 * V * S.d * V + 2 * V * V
    else:
        u, delta, fl_direct = direct_split(variant.direct, S.Eq, S.WU)
        u = u + S.direct_const  # EU[q] - u is unchanged by the bias constant
        u_i = [int(x) for x in np.round(u * unit)]
        d_i = [int(x) + 4 for x in np.ceil(delta * (1 + 1e-9) * unit)]
        direct = {"mode": "split", "u": u_i, "delta": d_i}
        ua = np.array(u_i, dtype=float) / unit
        e = (ua - _max_excluding(ua))[None, :] - (np.array(d_i, dtype=float) / unit)[:, None]
    # attention
    approx, r, fl_att = attention_approx(variant.attention_error, *S.att)
    pm = np.maximum.accumulate(approx, axis=1)  # [q, t]
    idx = np.arange(V)
    t = np.clip(idx[:, None] - np.arange(1, V)[None, :], 0, V - 1)  # [m, g]
    D = approx[:, :, None] - pm[:, t] - r[:, None, None]  # [q, m, g]
    D = D - 1e-9 * (np.abs(approx).max(axis=1) + r + 1e-300)[:, None, None]
    if progress is not None:
        progress(1)
    cands = search_gaps(S, e, D)
    t_search = time.perf_counter() - t0
    # exact pass: the claim is what the trusted checker derives for the chosen blocks
    M = m.exact
    T, W = exact or (None, None)
    if T is None:
        T = exact_tables(M)
        W = weight_enclosures(M, T, params["fixed_bits"], params["exp_squarings"])
    G = GapChecker(T, W, n, M.d_head, M.s, params["fixed_bits"], params["exp_squarings"], direct)
    blocks, correct = [], 0
    for (q, mx, c), gs in sorted(cands.items()):
        for g, _rel in gs:
            Dg = 0 if c == 0 else int(np.floor(D[q, mx, g - 1] * unit))
            # every block is tested exactly, as the checker will: a large relative float margin can be
            # undone by the exact enclosures, e.g. when a key's weight enclosure underflows (issue 15, biases)
            if G.margin(q, mx, c, g, Dg)[0] > 0:
                blocks.append([q, mx, c, g, Dg])
                correct += comb(n - 1, c) * (mx - g + 1) ** c if c else 1
                break
    if progress is not None:
        progress(1)
    flops = S.common_flops + fl_direct + fl_att + len(blocks) * (4 * n + 2 * n * max(1, n.bit_length()))
    secs = time.perf_counter() - t0
    dim = variant.unexplained_dimension(V, S.d)
    info = {"seconds": round(secs, 3), "search_seconds": round(t_search, 3), "flops": flops, "blocks": len(blocks),
            "variant": variant.name, "families": variant.families, "unexplained_dimension": dim}
    cert = make_certificate(m, "subcubic", params, correct, None, {"direct": direct, "blocks": blocks}, info)
    return ProofResult("subcubic", correct, V**n, None, flops, secs, cert,
                       {"blocks": len(blocks), "variant": variant.name, "unexplained_dimension": dim})


def subcubic_family(m: LoadedModel, params: dict[str, int] | None = None, include_ours: bool = True) -> list[ProofResult]:
    """Every variant on one model, sharing the float precomputation and the exact tables."""
    params = dict(params or DEFAULT_PARAMS["subcubic"])
    S = Shared(m)
    T = exact_tables(m.exact)
    W = weight_enclosures(m.exact, T, params["fixed_bits"], params["exp_squarings"])
    return [prove_subcubic(m, params, None, v, S, (T, W)) for v in all_variants(include_ours)]
