"""Float64 (untrusted) bounds for the two hinted quantities of a subcubic certificate.

Each function returns numbers the trusted checker *verifies* against the exact tables; a wrong or
over-optimistic value makes the checker reject, never a wrong claim. Every function also returns
its own operation count (multiply-adds counted as 2), the cost of the argument as the paper counts it.
"""

from __future__ import annotations

import numpy as np

Arr = np.ndarray


def _spread(a: Arr, axis: int = -1) -> Arr:
    return a.max(axis=axis) - a.min(axis=axis)


def direct_split(opt: str, W_EP: Arr, W_U: Arr) -> tuple[Arr, Arr, int]:
    """(u, delta, flops) with `max_x (EU[q,x] - u[x]) - min_x (...) <= delta[q]` in exact arithmetic.

    `mean_query` / `svd_query` / `max_diff`: EU = W_EP W_U is never formed; with `r = W_EP[q] - a`
    for a reference row `a` (mean, leading singular direction, or 0), `(EU[q] - aW_U)[x] - (...)[y]
    = sum_d r_d (W_U[d,x] - W_U[d,y]) <= sum_d |r_d| spread_d(W_U)`, so `delta = |r| spread(W_U)`
    at cost O(V d). `max_diff_exact` / `global_max_diff_exact` form EU (O(V^2 d)) and take its
    per-row (resp. global) spread with u = 0."""
    V, d = W_EP.shape
    if opt in ("max_diff_exact", "global_max_diff_exact"):
        EU = W_EP @ W_U
        sp = _spread(EU)
        if opt == "global_max_diff_exact":
            sp = np.full(V, EU.max() - EU.min())
        return np.zeros(V), sp, 2 * V * d * V + 2 * V * V
    flops = V * d  # the row differences
    if opt == "mean_query+max_diff":
        a = W_EP.mean(axis=0)
        flops += V * d
    elif opt == "svd_query+max_diff":
        U = np.linalg.svd(W_EP, full_matrices=False)[0]
        a = U[:, 0] @ W_EP
        flops += 4 * V * d * d + 2 * V * d
    elif opt == "max_diff":
        a = np.zeros(d)
    else:
        raise ValueError(opt)
    u = a @ W_U
    delta = np.abs(W_EP - a[None, :]) @ _spread(W_U)
    return u, delta, flops + 2 * d * V + 2 * V * d + 2 * d * V


def _top_right(M: Arr) -> Arr:
    """Leading right singular vector of M."""
    return np.linalg.svd(M, full_matrices=False)[2][0]


def _peel(M: Arr, v: Arr) -> tuple[Arr, Arr]:
    """M = (M v / |v|^2) v^T + rest: the rank-one part along v and the rest (rows orthogonal to v)."""
    one = np.outer(M @ v / (v @ v), v)
    return one, M - one


def _row_diffs_2(A: Arr, B: Arr, mean_row: bool) -> Arr:
    """Per row r: max_{i,j} (AB)[r,i] - (AB)[r,j] <= sum_k |A[r,k]| spread(B[k]) (+ mean-row split)."""
    sb = _spread(B)
    if mean_row:
        a = A.mean(axis=0, keepdims=True)
        return _spread(a @ B)[0] + np.abs(A - a) @ sb
    return np.abs(A) @ sb


def _row_diffs_splits(ms: list[Arr], mean_row: bool) -> Arr:
    """The paper's `max_row_diffs_per_dim`: the best of the two-factor bound over every split point."""
    best = None
    for s in range(1, len(ms)):
        L = ms[0]
        for x in ms[1:s]:
            L = L @ x
        R = ms[s]
        for x in ms[s + 1 :]:
            R = R @ x
        r = _row_diffs_2(L, R, mean_row)
        best = r if best is None else np.minimum(best, r)
    return best


def _row_diffs_recursive(ms: list[Arr], mean_row: bool, mean_rec: bool) -> Arr:
    """The paper's `max_row_diffs_per_dim_no_multipy`: |A| (bound for the rest), never multiplying
    two large factors: O(sum of factor sizes)."""
    if len(ms) == 1:
        return _spread(ms[0])
    A, rest = ms[0], ms[1:]
    extra = 0.0
    if mean_row:
        a = A.mean(axis=0, keepdims=True)
        for x in rest:
            a = a @ x
        extra = _spread(a)[0]
        A = A - ms[0].mean(axis=0, keepdims=True)
    return extra + np.abs(A) @ _row_diffs_recursive(rest, mean_rec, mean_rec)


def attention_approx(opt: str, Eq: Arr, Ek: Arr, WQ: Arr, WK: Arr) -> tuple[Arr, Arr, int]:
    """(approx, r, flops): `approx` is V x V with `EQKE - approx = err`, `err[q,i] - err[q,j] <= r[q]`,
    where EQKE = Eq WQ WK^T Ek^T (Eq: query rows E + P[n-1]; Ek: key rows E + mean_i P[i])."""
    V, d = Eq.shape
    h = WQ.shape[1]
    A = Eq @ WQ  # V x h
    B = WK.T @ Ek.T  # h x V
    fl = 2 * V * d * h * 2
    if opt == "exact_EQKE+max_diff_exact":
        return A @ B, np.zeros(V), fl + 2 * V * V * h
    if opt in ("svd", "max_diff", "mean+max_diff", "max_diff_exact"):
        # rank-1 split of the factored product A B via the small core of two QR factorisations
        Qa, Ra = np.linalg.qr(A)
        Qb, Rb = np.linalg.qr(B.T)
        U, S, Vh = np.linalg.svd(Ra @ Rb.T)
        u, v = Qa @ U[:, 0], Qb @ Vh[0]
        approx = S[0] * np.outer(u, v)
        Ar = A - np.outer(u, u @ A)  # (A - u u^T A) B = AB - s u v^T
        fl += 4 * V * h * h * 2 + 10 * h**3 + 2 * V * h * 2 + 2 * V * V
        if opt == "svd":
            Rr = np.linalg.qr(Ar)[1]
            s1 = np.linalg.svd(Rr @ Rb.T, compute_uv=False)[0]
            return approx, np.full(V, np.sqrt(2.0) * s1 * (1 + 1e-12)), fl + 2 * V * h * h + 10 * h**3
        if opt == "max_diff_exact":
            err = Ar @ B
            return approx, _spread(err), fl + 2 * V * V * h
        return approx, _row_diffs_2(Ar, B, opt.startswith("mean")), fl + 4 * V * h + 2 * V * h
    # rank-one peels along chosen directions (the paper's "subproduct" decomposition)
    q1, k1 = _top_right(Eq), _top_right(Ek)
    Eq1, Eq1r = _peel(Eq, q1)
    Ek1, Ek1r = _peel(Ek, k1)
    q2, k2 = _top_right(Eq1r), _top_right(Ek1r)
    Eq2, Eq2r = _peel(Eq1r, q2)
    Ek2, Ek2r = _peel(Ek1r, k2)
    WQ1, WQr = _peel(WQ, _top_right(WQ))
    WK1, WKr = _peel(WK, _top_right(WK))
    M = WQ @ WK.T
    # everything except Eq2r (WQ WK^T) Ek2r^T is a sum of rank-one-in-the-vocabulary products
    approx = (
        Eq1 @ M @ Ek.T + Eq1r @ M @ Ek1.T  # first peel (rows of Eq1 / Ek1 are multiples of q1 / k1)
        + Eq2 @ M @ Ek1r.T + Eq2r @ M @ Ek2.T  # second peel
        + Eq2r @ (WQ1 @ WK.T + WQr @ WK1.T) @ Ek2r.T  # peel of W_Q and W_K
    )
    ms = [Eq2r, WQr, WKr.T, Ek2r.T]
    fl += 6 * (4 * V * d * d) + 10 * V * V + 2 * V * d * d * 4  # SVDs of the V x d factors, peels, rank-one terms
    a = opt
    if a in ("max_diff_subproduct", "mean+max_diff_subproduct"):
        r = _row_diffs_splits(ms, a.startswith("mean"))
        fl += 3 * (2 * V * d * h + 2 * h * d * V)
    else:
        r = _row_diffs_recursive(ms, a.startswith("mean"), a.startswith("mean_recursive"))
        fl += 2 * (V * d + d * h + h * d + d * V)
    return approx, r, fl
