"""Strategy `brute-force`: every input, rigorously, on the outward-rounded float64 path.

Claim established: an input is counted correct only if interval arithmetic (float64, outward
rounding after every operation, see `pybridge.exact.floatpath`) proves
`sum_i w_i (logit contribution at m - at j) > 0` for every wrong logit `j`, where `w_i` ranges over
an enclosure of the (shifted) softmax numerators; counted incorrect only if it proves `<= 0` for some
`j`. The two counts bracket the true accuracy. Exp enclosures come from the trusted fixed-point
routine (the prover may use trusted code; the checker never uses prover code).

Per query token `q`, the numerator of logit `c` for input `t` is `sum_i G_i[t_i][c]` with
`G_i[tok][c] = w(q,tok,i) * (EU[q][c] + OV[tok][i][c])`, so the enumeration needs only additions:
outer sums of `V x V` tables, `V^n * V` cells in all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import product

import numpy as np
import torch

from pybridge.check.fixedpoint import exp_hi, exp_lo, scale_bounds
from pybridge.exact import floatpath as fp

from .common import DEFAULT_PARAMS, LoadedModel, ProofResult, make_certificate

INNER_LIMIT = 1 << 24


def interval_tables(m: LoadedModel) -> dict[str, fp.Pair]:
    """Rigorous float64 enclosures of EU [q,c], OV [tok*n+i, c] and QK [q, tok*n+i] (unscaled)."""
    A = {k: fp.enclose(v) for k, v in m.arrays.items()}
    V, n = m.exact.d_vocab, m.exact.n_ctx
    E = fp.enclose(np.repeat(m.arrays["embed.W_E"], n, axis=0))
    Pos = fp.enclose(np.tile(m.arrays["pos_embed.W_pos"], (V, 1)))
    X = fp.add(E, Pos)  # row tok*n + i
    Xq = (X[0][n - 1 :: n], X[1][n - 1 :: n])
    Kv = fp.matmul(X, A["blocks.0.attn.W_K"])
    Qv = fp.matmul(Xq, A["blocks.0.attn.W_Q"])
    QK = fp.matmul(Qv, (Kv[0].T.copy(), Kv[1].T.copy()))
    OV = fp.matmul(fp.matmul(fp.matmul(X, A["blocks.0.attn.W_V"]), A["blocks.0.attn.W_O"]), A["unembed.W_U"])
    EU = fp.matmul(Xq, A["unembed.W_U"])
    for name, t in (("QK", QK), ("OV", OV), ("EU", EU)):
        if not fp.is_valid(t):
            raise ValueError(f"float enclosure of {name} overflowed; weights too large for the float path")
    return {"QK": QK, "OV": OV, "EU": EU}


def weight_intervals(QK: fp.Pair, V: int, n: int, h: int, P: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Float enclosures [V, V, n] of 2^P-scaled exp(score - C[q]) via the fixed-point exp bounds."""
    slo, shi = scale_bounds(h, P)
    sc = (np.full_like(QK[0], fp.down(np.float64(slo / 2**P))), np.full_like(QK[0], fp.up(np.float64(shi / 2**P))))
    s_lo = fp.mul(QK, sc)
    scale = float(2**P)
    lo_fp = [[int(np.floor(x * scale)) for x in row] for row in s_lo[0].tolist()]
    hi_fp = [[int(np.ceil(x * scale)) for x in row] for row in s_lo[1].tolist()]
    wlo = np.zeros((V, V * n))
    whi = np.zeros((V, V * n))
    for q in range(V):
        C = max(hi_fp[q])
        wlo[q] = [fp.down(np.float64(exp_lo(x - C, P, k) / 2**P)) for x in lo_fp[q]]
        whi[q] = [fp.up(np.float64(exp_hi(x - C, P, k) / 2**P)) for x in hi_fp[q]]
    return wlo.reshape(V, V, n), whi.reshape(V, V, n)


def _lb_ub(r: fp.Pair, wl: torch.Tensor, wh: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Enclosure of r * w for r in [r0, r1], w in [wl, wh] with wl >= 0 (outward)."""
    lo = torch.where(r[0] >= 0, r[0] * wl, r[0] * wh)
    hi = torch.where(r[1] >= 0, r[1] * wh, r[1] * wl)
    return torch.nextafter(lo, torch.tensor(-np.inf, dtype=lo.dtype)), torch.nextafter(
        hi, torch.tensor(np.inf, dtype=hi.dtype)
    )


def enumerate_counts(
    tabs: dict[str, fp.Pair], wlo: np.ndarray, whi: np.ndarray, V: int, n: int, progress: Callable[[int], None] | None
) -> tuple[int, int]:
    ninf = torch.tensor(-np.inf, dtype=torch.float64)
    pinf = torch.tensor(np.inf, dtype=torch.float64)
    EU = [torch.from_numpy(x) for x in tabs["EU"]]
    OV = [torch.from_numpy(x).reshape(V, n, V) for x in tabs["OV"]]
    L = n - 1
    r = 0
    while r < L and V ** (r + 1) * V <= INNER_LIMIT:
        r += 1
    a = L - r
    toks = torch.arange(V)
    correct = incorrect = 0
    for q in range(V):
        G = []
        for i in range(n):
            R = (torch.nextafter(EU[0][q] + OV[0][:, i, :], ninf), torch.nextafter(EU[1][q] + OV[1][:, i, :], pinf))
            wl = torch.from_numpy(wlo[q, :, i])[:, None]
            wh = torch.from_numpy(whi[q, :, i])[:, None]
            G.append(_lb_ub(R, wl, wh))
        if not all(torch.isfinite(g[0]).all() and torch.isfinite(g[1]).all() for g in G):
            raise ValueError("float path overflowed; use a smaller model or the exact checker")
        # inner block: outer sums over r positions, outward rounded after every addition
        lo = torch.zeros((1,) * r + (V,), dtype=torch.float64)
        hi = torch.zeros((1,) * r + (V,), dtype=torch.float64)
        tmax = torch.zeros((1,) * r, dtype=torch.long)
        for j in range(r):
            sh = (1,) * j + (V,) + (1,) * (r - 1 - j)
            lo = torch.nextafter(lo + G[a + j][0].reshape(sh + (V,)), ninf)
            hi = torch.nextafter(hi + G[a + j][1].reshape(sh + (V,)), pinf)
            tmax = torch.maximum(tmax, toks.reshape(sh))
        lo = lo.reshape(-1, V)
        hi = hi.reshape(-1, V)
        tmax = tmax.reshape(-1).expand(lo.shape[0])
        rows = torch.arange(lo.shape[0])
        for outer in product(range(V), repeat=a):
            c_lo, c_hi = G[L][0][q], G[L][1][q]
            for i, tok in enumerate(outer):
                c_lo = torch.nextafter(c_lo + G[i][0][tok], ninf)
                c_hi = torch.nextafter(c_hi + G[i][1][tok], pinf)
            s_lo = torch.nextafter(lo + c_lo, ninf)
            s_hi = torch.nextafter(hi + c_hi, pinf)
            mm = torch.clamp(tmax, min=max(outer + (q,)))
            lo_m = s_lo[rows, mm].clone()
            hi_m = s_hi[rows, mm].clone()
            s_lo[rows, mm] = -np.inf
            s_hi[rows, mm] = -np.inf
            correct += int((lo_m > s_hi.amax(dim=1)).sum())
            incorrect += int((hi_m <= s_lo.amax(dim=1)).sum())
            if progress is not None:
                progress(lo.shape[0])
    return correct, incorrect


def forward_flops(V: int, n: int, d: int, h: int) -> int:
    """FLOPs of one forward pass read out at the last position (multiply-adds count 2)."""
    per_input = 2 * (n * d + d * h + 2 * n * d * h + n * h + n * h + h * d + d * V) + 3 * n + 2 * V
    return per_input


def prove_brute_force(
    m: LoadedModel, params: dict[str, int] | None = None, progress: Callable[[int], None] | None = None
) -> ProofResult:
    params = dict(params or DEFAULT_PARAMS["brute-force"])
    M = m.exact
    V, n, d, h = M.d_vocab, M.n_ctx, M.d_model, M.d_head
    t0 = time.perf_counter()
    tabs = interval_tables(m)
    wlo, whi = weight_intervals(tabs["QK"], V, n, h, params["fixed_bits"], params["exp_squarings"])
    correct, incorrect = enumerate_counts(tabs, wlo, whi, V, n, progress)
    secs = time.perf_counter() - t0
    # our cost: tables + per-query G tables + one addition and one comparison per cell
    flops = V * n * d * (3 * h + 2 * d + V) * 2 + V * V * n * V * 4 + V**n * V * 2 * (n + 1)
    info = {
        "seconds": round(secs, 3),
        "flops": flops,
        "forward_flops_all_inputs": V**n * forward_flops(V, n, d, h),
        "accuracy_bracket": [correct / V**n, 1 - incorrect / V**n],
    }
    cert = make_certificate(m, "brute-force", params, correct, incorrect, {}, info)
    return ProofResult("brute-force", correct, V**n, incorrect, flops, secs, cert, {"accuracy_at_most": 1 - incorrect / V**n})
