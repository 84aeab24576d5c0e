"""Strategy `rho-set` for group-operation MLPs (docs/CHECKING.md section 8.6). Untrusted.

The explanation (Wu, Jaburi, Drori, Gross 2024): neuron `n` of a trained model belongs to an irrep
`rho` and is, approximately,

    left(x) = lam_n b_n^T rho(x) a,   right(y) = lam_n a^T rho(y) c_n,   unembed(z) = mu_n b_n^T rho(z) c_n,

with one vector `a` shared by the irrep's neurons and `b_n`, `c_n` taken from *rho-sets* `B`, `C`
(orbits of vectors `b0`, `c0` under `rho(G)`). Writing `b_n = rho(k_n)^T b0` and `c_n = rho(m_n) c0`,
the three functions are translates of three functions on G:

    f(g) = b0^T rho(g) a,  r0(g) = a^T rho(g) c0,  v0(g) = b0^T rho(g) c0:
    left(x) = lam f(k x),  right(y) = lam r0(y m),  unembed(z) = mu v0(k z m).

`f` is invariant under left multiplication by the stabiliser `S` of `b0`, `r0` under right
multiplication by the stabiliser `T` of `c0`, `v0` under both. The ideal *circuit* has one
pair-neuron for every pair of cosets `(S k, m T)` with the same total weight `K = sum lam mu`; then
the circuit's sum is exactly bi-equivariant. The prover fits `a`, `b_n`, `c_n`, clusters them into
rho-sets, builds `f`, `r0`, `v0` (rounded to dyadics *once per coset*, so the invariances hold
exactly after rounding), fits `lam_n`, `mu_n`, makes the weights uniform (rational `mu` for the
last neuron of each pair; virtual neurons for missing pairs) and writes explicit tables. The
checker never sees `rho`: it verifies equivariance of the tables, evaluates the ideal model at
(e, e) and bounds the distance per input. The claim is whatever the trusted count returns.

Models the explanation does not fit raise `Unexplained` with the reason (no certificate).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import torch

from pybridge import __version__
from pybridge.families import NoProof
from pybridge.check.errors import Rejected
from pybridge.check.groupop.bruteforce import pre_activations
from pybridge.check.groupop.rho import count_rho, parse_rho_hints

from pybridge.families.maxofk.common import ProofResult
from pybridge.families.groupop.brute_force import LoadedGroupOp, forward_flops

EXP_TABLE_BITS = 30  # dyadic precision of the ideal tables (relative to their largest entry)


class Unexplained(NoProof):
    """The rho-set explanation does not fit this model (one-line reason); no certificate is written.
    `count` is the checker's count when the failure is a bound below the threshold (else None)."""

    def __init__(self, reason: str, count: int | None = None, info: dict | None = None):
        super().__init__(reason)
        self.count, self.info = count, info or {}


@dataclass
class FitParams:
    irrep_r2: float = 0.90       # fraction of a neuron's squared norm an irrep must explain
    min_norm_frac: float = 1e-3  # neurons below this fraction of the largest norm are left out
    cluster_cos: float = 0.80    # cosine to an orbit element to join a rho-set
    stab_cos: float = 0.95       # cosine for a group element to stabilise b0 / c0
    max_missing: float = 0.5     # drop a circuit if more than this fraction of its pairs is missing
    max_pairs: int = 1024
    ranks: tuple[int, ...] = (0, 1, 2, 4, 8, 12, 16, 20, 24, 32, 40, 48, 64)  # low-rank candidates
    rank_slack: float = 0.001  # smallest rank whose float estimate is within this of the best
    x_bits: int = 14           # precision of the low-rank hints X, Y (the checker's remainder absorbs it)
    y_bits: int = 12
    min_bound: float = 0.5     # below this certified accuracy the model is reported unexplained
    max_rank_cost: float = 1.0  # keep the per-input low-rank work k (h + P + |G|) <= this * h |G|


@dataclass
class Circuit:
    irrep: str
    neurons: list[int]
    n_pairs: int
    n_missing: int
    stab_b: int
    stab_c: int


@dataclass
class Fit:
    hints: dict[str, Any]
    circuits: list[Circuit] = field(default_factory=list)
    unassigned: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _floats(M) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A, B (|G| x h), W_U (h x |G|), b_U as float64 (rounded from the exact integers)."""
    A, B = pre_activations(M)
    sc = 2.0 ** (-2 * M.s)
    return (np.array(A, dtype=float) * sc, np.array(B, dtype=float) * sc,
            np.array(M.WU, dtype=float) * 2.0 ** -M.s, np.array(M.bU, dtype=float) * 2.0 ** -M.s)


def _irrep_arrays(name: str) -> list[tuple[str, np.ndarray]]:
    from pybridge.families.groupop.irreps import irreps

    out = []
    for r in irreps(name):
        out.append((r.name, np.stack([r.matrix_float(g) for g in range(len(r.M or r.C or r.R5))])))
    return out


def _canon(table: np.ndarray, S: list[int], side: str) -> np.ndarray:
    """canon[g] = least index of the coset S g (side 'left') or g S (side 'right')."""
    if side == "left":
        return table[np.array(S)][:, :].min(axis=0)
    return table[:, np.array(S)].min(axis=1)


def _closure(table: np.ndarray, S: list[int]) -> list[int]:
    sub = {0} | set(S)
    while True:
        new = {int(table[a][b]) for a in sub for b in sub} | sub
        if new == sub:
            return sorted(sub)
        sub = new


def _dyadic(x: np.ndarray, bits: int) -> tuple[np.ndarray, int]:
    """Integers m and exponent e with m * 2^-e ~ x, |m| < 2^bits."""
    top = float(np.abs(x).max()) if x.size else 0.0
    e = bits - (int(np.ceil(np.log2(top))) if top > 0 else 0)
    return np.rint(np.ldexp(x, e)).astype(np.int64), e


def _dyadic_frac(v: float, bits: int = 40) -> Fraction:
    """v rounded to `bits` significant bits, as an exact dyadic Fraction."""
    if v == 0 or not np.isfinite(v):
        return Fraction(0)
    e = bits - int(np.ceil(np.log2(abs(v))))
    return Fraction(int(round(np.ldexp(v, e)))) / Fraction(2) ** e


def _refine(table, inv, A, B, W, ns, ks, ms, S, T, f, r0, v0, rounds: int = 4):
    """Least-squares refinement of the circuit's functions beyond the irrep formula: `f` any
    left-S-invariant, `r0` any right-T-invariant, `v0` any (S, T)-bi-invariant function on G (the
    equivariance argument needs only these invariances), alternating with the per-neuron scales."""
    ks, ms = np.array(ks), np.array(ms)
    kinv, minv = inv[ks], inv[ms]
    pl = np.stack([A[table[ki], n] for n, ki in zip(ns, kinv)])              # l_n(k^-1 g)
    pr = np.stack([B[table[:, mi], n] for n, mi in zip(ns, minv)])           # r_n(g m^-1)
    pu = np.stack([W[n, table[table[ki]][:, mi]] for n, ki, mi in zip(ns, kinv, minv)])  # u_n(k^-1 g m^-1)
    Sa, Ta = np.array(S), np.array(T)

    def sym_l(v):
        return v[table[Sa]].mean(axis=0)

    def sym_r(v):
        return v[table[:, Ta]].mean(axis=1)

    def sym_lr(v):
        return v[table[table[Sa]][:, :, Ta]].mean(axis=(0, 2))

    for _ in range(rounds):
        lam = (pl @ f + pr @ r0) / max(float(f @ f + r0 @ r0), 1e-300)
        lam = np.where(lam > 0, lam, 0.0)
        if not lam.any():
            break
        f = sym_l(lam @ pl / (lam @ lam))
        r0 = sym_r(lam @ pr / (lam @ lam))
        mu = pu @ v0 / max(float(v0 @ v0), 1e-300)
        if mu.any():
            v0 = sym_lr(mu @ pu / (mu @ mu))
    return f, r0, v0


def fit_rho_sets(m: LoadedGroupOp, fp: FitParams | None = None, refine: bool = True) -> Fit:
    """Find the rho-set circuits and return the certificate hints (raises Unexplained)."""
    fp = fp or FitParams()
    M = m.exact
    G, h = M.order, M.d_hidden
    table = np.array(m.table)
    inv = np.argmin(table, axis=1)  # table[g][inv[g]] = 0 (identity is index 0)
    A, B, W, _ = _floats(M)
    norms = np.sqrt((A**2).sum(0) + (B**2).sum(0) + (W**2).sum(1))
    live = norms > fp.min_norm_frac * norms.max()
    reps = _irrep_arrays(M.group)
    # ---- 1. assign neurons to irreps by explained variance of (left, right, unembed)
    scores = []
    for _, R in reps:
        Phi = R.reshape(G, -1)
        Q, _ = np.linalg.qr(Phi)
        rank = np.linalg.matrix_rank(Phi)
        Q = Q[:, :rank]
        e = ((Q.T @ A) ** 2).sum(0) + ((Q.T @ B) ** 2).sum(0) + ((Q.T @ W.T) ** 2).sum(0)
        scores.append(e / np.maximum(norms**2, 1e-300))
    scores = np.array(scores)
    best = scores.argmax(0)
    assigned = {i: [n for n in range(h) if live[n] and best[n] == i and scores[i, n] >= fp.irrep_r2]
                for i in range(len(reps))}
    fit_notes: list[str] = []
    L_rows, R_rows, U_rows = [], [], []  # float pair tables, rounded later
    neuron_entries: dict[int, tuple[int, float, float]] = {}  # n -> (pair, lam, mu) (float, mu fixed later)
    pair_groups: list[tuple[list[int], float, list[int]]] = []  # (neurons, K, pair ids) per circuit
    circuits: list[Circuit] = []
    virtual: list[tuple[int, float, float]] = []
    for i, (name, R) in enumerate(reps):
        ns = assigned[i]
        if not ns:
            continue
        d = R.shape[1]
        Phi = R.reshape(G, d * d)
        pinv = np.linalg.pinv(Phi)
        P = (pinv @ A[:, ns]).T.reshape(len(ns), d, d)  # left(x) ~ sum_ij rho(x)_ij P_ij = b^T rho a, P = b a^T
        Qm = (pinv @ B[:, ns]).T.reshape(len(ns), d, d)  # right(y) ~ a^T rho(y) c, Q = a c^T
        Mat = sum(P[k].T @ P[k] + Qm[k] @ Qm[k].T for k in range(len(ns)))
        a = np.linalg.eigh(Mat)[1][:, -1]
        Xa = R @ a  # G x d: rho(x) a
        Ya = np.einsum("gij,i->gj", R, a)  # rho(y)^T a
        bs = np.linalg.lstsq(Xa, A[:, ns], rcond=None)[0].T  # len(ns) x d
        cs = np.linalg.lstsq(Ya, B[:, ns], rcond=None)[0].T
        RT = np.transpose(R, (0, 2, 1))

        def cluster(vecs: np.ndarray, orbit_mats: np.ndarray) -> list[tuple[np.ndarray, list[int], np.ndarray]]:
            """Greedy rho-set clustering: returns (v0, members, group element per member) with
            vec_n ~ orbit_mats[g_n] @ v0."""
            un = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-300)
            left = list(np.argsort(-np.linalg.norm(vecs, axis=1)))
            out = []
            while left:
                v0 = un[left[0]]
                for _ in range(3):
                    orbit = orbit_mats @ v0  # G x d
                    cos = un[left] @ orbit.T  # members x G
                    gi = cos.argmax(1)
                    ok = cos.max(1) >= fp.cluster_cos
                    mem = [left[j] for j in range(len(left)) if ok[j]]
                    gm = np.array([gi[j] for j in range(len(left)) if ok[j]])
                    if not mem:
                        mem, gm = [left[0]], np.array([0])
                    # refine: v0 = mean of orbit_mats[g]^T vec (orthogonal)
                    v0 = np.mean([orbit_mats[g].T @ un[n] for n, g in zip(mem, gm)], axis=0)
                    v0 /= max(np.linalg.norm(v0), 1e-300)
                out.append((v0, mem, gm))
                left = [n for n in left if n not in set(mem)]
            return out

        bcl = cluster(bs, RT)  # b_n ~ rho(k)^T b0
        ccl = cluster(cs, R)   # c_n ~ rho(m) c0
        bof = {n: (ci, int(g)) for ci, (_, mem, gm) in enumerate(bcl) for n, g in zip(mem, gm)}
        cof = {n: (ci, int(g)) for ci, (_, mem, gm) in enumerate(ccl) for n, g in zip(mem, gm)}
        combos: dict[tuple[int, int], list[int]] = {}
        for j in range(len(ns)):
            combos.setdefault((bof[j][0], cof[j][0]), []).append(j)
        for (bi, ci), js in combos.items():
            b0, c0 = bcl[bi][0], ccl[ci][0]
            S = [g for g in range(G) if float(b0 @ (RT[g] @ b0)) >= fp.stab_cos]
            T = [g for g in range(G) if float(c0 @ (R[g] @ c0)) >= fp.stab_cos]
            S, T = _closure(table, S), _closure(table, T)
            b0 = np.mean([RT[s] @ b0 for s in S], axis=0)
            c0 = np.mean([R[t] @ c0 for t in T], axis=0)
            # scale b0, c0 so that lam ~ 1 fits left and right equally: use mean norms
            b0 = b0 / max(np.linalg.norm(b0), 1e-300) * np.mean(np.linalg.norm(bs[js], axis=1))
            c0 = c0 / max(np.linalg.norm(c0), 1e-300) * np.mean(np.linalg.norm(cs[js], axis=1))
            cS, cT = _canon(table, S, "left"), _canon(table, T, "right")
            cST = table[table[np.array(S)]][:, :, np.array(T)].min(axis=(0, 2))  # least element of S g T
            f = (R @ a) @ b0   # f(g) = b0^T rho(g) a
            r0 = (R @ c0) @ a  # r0(g) = a^T rho(g) c0
            v0 = (R @ c0) @ b0
            if refine:
                f, r0, v0 = _refine(table, inv, A, B, W, [ns[j] for j in js], [bof[j][1] for j in js],
                                    [cof[j][1] for j in js], S, T, f, r0, v0)
            f, r0, v0 = f[cS], r0[cT], v0[cST]  # exact invariance after rounding (one value per coset)
            kreps, mreps = sorted(set(cS.tolist())), sorted(set(cT.tolist()))
            n_pairs = len(kreps) * len(mreps)
            members = [ns[j] for j in js]
            if n_pairs > fp.max_pairs:
                fit_notes.append(f"{name}: circuit with {n_pairs} pairs dropped (stabilisers {len(S)}, {len(T)})")
                continue
            pid0 = len(L_rows)
            pid = {}
            for kk in kreps:
                for mm in mreps:
                    pid[(kk, mm)] = len(L_rows)
                    L_rows.append(f[table[kk]])               # f(k x)
                    R_rows.append(r0[table[:, mm]])           # r0(y m)
                    U_rows.append(v0[table[table[kk]][:, mm]])  # v0(k z m)
            per_pair: dict[int, list[tuple[int, float, float]]] = {}
            for j in js:
                n = ns[j]
                k = int(cS[bof[j][1]])
                mm = int(cT[cof[j][1]])
                p = pid[(k, mm)]
                Lp, Rp, Up = L_rows[p], R_rows[p], U_rows[p]
                lam = float(A[:, n] @ Lp + B[:, n] @ Rp) / max(float(Lp @ Lp + Rp @ Rp), 1e-300)
                mu = float(W[n] @ Up) / max(float(Up @ Up), 1e-300)
                if lam <= 0:
                    continue
                per_pair.setdefault(p, []).append((n, lam, mu))
            present = len(per_pair)
            missing = n_pairs - present
            if present == 0 or missing > fp.max_missing * n_pairs:
                fit_notes.append(f"{name}: circuit dropped, {missing}/{n_pairs} pairs missing")
                del L_rows[pid0:], R_rows[pid0:], U_rows[pid0:]
                continue
            wsum = {p: sum(l * u for _, l, u in v) for p, v in per_pair.items()}
            Kc = sum(wsum.values()) / n_pairs
            lam_mean = float(np.mean([l for v in per_pair.values() for _, l, _ in v]))
            for p, v in per_pair.items():
                for n, lam, mu in v:
                    if wsum[p] * Kc > 0 and abs(wsum[p]) > 0.05 * abs(Kc):
                        mu = mu * Kc / wsum[p]
                    else:
                        mu = Kc / (lam * len(v))
                    neuron_entries[n] = (p, lam, mu)
            for p in range(pid0, pid0 + n_pairs):
                if p not in per_pair:
                    virtual.append((p, lam_mean, Kc / lam_mean))
            pair_groups.append(([n for v in per_pair.values() for n, _, _ in v], Kc, list(range(pid0, pid0 + n_pairs))))
            circuits.append(Circuit(name, sorted(n for v in per_pair.values() for n, _, _ in v), n_pairs, missing,
                                    len(S), len(T)))
    if not L_rows:
        raise Unexplained("no rho-set circuit fits: no neuron is explained by an irrep with a small rho-set")
    # ---- exact rounding: tables share one exponent (LR) and one (U); lam dyadic; mu rational so that
    # every pair of a circuit has exactly the same weight K (then the tables are exactly equivariant)
    Lf, Rf, Uf = np.array(L_rows), np.array(R_rows), np.array(U_rows)
    Li, e_lr = _dyadic(np.concatenate([Lf, Rf]), EXP_TABLE_BITS)
    Ui, e_u = _dyadic(Uf, EXP_TABLE_BITS)
    Pn = len(L_rows)
    lams = [e[1] for e in neuron_entries.values()] + [v[1] for v in virtual]
    e_lam = 24 - int(np.ceil(np.log2(max(lams))))
    entries: list[list[int]] = [[-1, 0, 0, 1] for _ in range(h)]
    exact_mu: dict[int, Fraction] = {}
    lam_int = {}
    allv = [(n, p, lam, mu) for n, (p, lam, mu) in neuron_entries.items()]
    allv += [(h + i, p, lam, mu) for i, (p, lam, mu) in enumerate(virtual)]
    for n, p, lam, mu in allv:
        lam_int[n] = max(1, int(round(lam * 2.0**e_lam)))
        exact_mu[n] = _dyadic_frac(mu)
    # exact weights: per circuit K (dyadic), per pair: last neuron's mu fixes the sum
    by_pair: dict[int, list[int]] = {}
    for n, p, _, _ in allv:
        by_pair.setdefault(p, []).append(n)
    for _, Kc, pids in pair_groups:
        Kx = _dyadic_frac(Kc)
        for p in pids:
            ns_p = by_pair[p]
            last = ns_p[-1]
            rest = sum(Fraction(lam_int[n], 1 << e_lam) * exact_mu[n] for n in ns_p[:-1]) if e_lam >= 0 else None
            if rest is None:
                raise Unexplained("internal: negative lambda exponent")
            exact_mu[last] = (Kx - rest) / Fraction(lam_int[last], 1 << e_lam)
    n_total = h + len(virtual)
    entries += [[-1, 0, 0, 1] for _ in range(len(virtual))]
    for n, p, _, _ in allv:
        mu = exact_mu[n]
        entries[n] = [p, lam_int[n], mu.numerator, mu.denominator]
    assert len(entries) == n_total
    hints = {"exp_lr": int(e_lr), "exp_u": int(e_u), "exp_lambda": int(e_lam),
             "pair_left": Li[:Pn].tolist(), "pair_right": Li[Pn:].tolist(), "pair_unembed": Ui.tolist(),
             "neurons": entries, "exp_x": 0, "exp_y": 0, "lowrank_x": [[] for _ in range(h + Pn)], "lowrank_y": []}
    unassigned = [n for n in range(h) if n not in neuron_entries]
    return Fit(hints, circuits, unassigned, fit_notes)


@dataclass
class Residual:
    """Float picture of the distance `H_c - I_c = sum_i phi_i(x, y) C[i][c]` (docs/CHECKING.md 8.6)."""
    phi: np.ndarray    # |G| x |G| x (h + P)
    C: np.ndarray      # (h + P) x |G|
    real: np.ndarray   # |G| x |G| x |G| real logits
    ideal: np.ndarray  # |G| x |G| x |G| ideal logits (I(x, y)_c)
    b: np.ndarray


def residual(m: LoadedGroupOp, hints: dict) -> Residual:
    M = m.exact
    G, h = M.order, M.d_hidden
    A, B, W, b = _floats(M)
    L = np.array(hints["pair_left"], dtype=float).reshape(-1, G) * 2.0 ** -hints["exp_lr"]
    R = np.array(hints["pair_right"], dtype=float).reshape(-1, G) * 2.0 ** -hints["exp_lr"]
    U = np.array(hints["pair_unembed"], dtype=float).reshape(-1, G) * 2.0 ** -hints["exp_u"]
    P = len(L)
    lamv = np.zeros(h)
    pv = np.full(h, -1)
    Kp = np.zeros(P)
    Dp = np.zeros((P, G))
    for n, (p, lam, mn, md) in enumerate(hints["neurons"]):
        if p >= 0:
            lf = lam * 2.0 ** -hints["exp_lambda"]
            Kp[p] += lf * mn / md
            if n < h:
                lamv[n], pv[n] = lf, p
                Dp[p] += lf * W[n]
    Dp -= Kp[:, None] * U
    g = np.maximum(L.T[:, None, :] + R.T[None, :, :], 0)  # x, y, p
    hid = np.maximum(A[:, None, :] + B[None, :, :], 0)
    hidi = np.where(pv >= 0, lamv * g[:, :, np.maximum(pv, 0)], 0.0)
    phi = np.concatenate([hid - hidi, g], axis=2)
    real = hid @ W + b
    ideal = g @ (Kp[:, None] * U)
    return Residual(phi, np.concatenate([W, Dp], axis=0), real, ideal, b)


def _estimate(res: Residual, table: np.ndarray, X: np.ndarray, Y: np.ndarray) -> float:
    """Float estimate of the fraction of inputs the checker's criterion passes with low-rank part X Y."""
    G = table.shape[0]
    rmax = np.abs(res.C - X @ Y).max(axis=1)
    rhs = res.ideal + res.b + (res.phi @ X) @ Y
    rhs[np.arange(G)[:, None], np.arange(G)[None, :], table] = -np.inf
    lz = np.take_along_axis(res.real, table[:, :, None], 2)[:, :, 0]
    return float((lz - np.abs(res.phi) @ rmax > rhs.max(axis=2)).mean())


def _quantise(v: np.ndarray, bits: int) -> tuple[np.ndarray, int]:
    top = float(np.abs(v).max()) if v.size else 0.0
    e = (bits - 1 - int(np.ceil(np.log2(top)))) if top > 0 else 0
    q = np.rint(np.ldexp(v, e)).astype(np.int64)
    while q.size and np.abs(q).max() >= 1 << bits:  # rounding may cross a power of two
        e -= 1
        q = np.rint(np.ldexp(v, e)).astype(np.int64)
    return q, e


def lowrank_hints(m: LoadedGroupOp, hints: dict, fp: FitParams) -> tuple[dict, dict]:
    """Choose the low-rank split `C ~ X Y` of the distance coefficients (weighted SVD, rows weighted by
    the rms size of their feature phi_i, so the remainder bound sum_i |phi_i| rmax_i is what shrinks);
    the rank is the smallest candidate whose float estimate is within `rank_slack` of the best."""
    res = residual(m, hints)
    table = np.array(m.table)
    sc = np.sqrt((res.phi ** 2).mean(axis=(0, 1))) + 1e-12
    Uu, Sv, Vt = np.linalg.svd(sc[:, None] * res.C, full_matrices=False)
    est = {}
    S, G, h = res.C.shape[0], table.shape[0], m.exact.d_hidden
    for k in fp.ranks:
        if k > len(Sv) or k * (S + G) > fp.max_rank_cost * h * G:  # else no cheaper than exact logits
            continue
        X = Uu[:, :k] * Sv[:k] / sc[:, None]
        Xi, ex = _quantise(X, fp.x_bits)
        Yi, ey = _quantise(Vt[:k], fp.y_bits)
        est[k] = (_estimate(res, table, np.ldexp(Xi.astype(float), -ex), np.ldexp(Yi.astype(float), -ey)), Xi, ex, Yi, ey)
    best = max(v[0] for v in est.values())
    k = min(k for k, v in est.items() if v[0] >= best - fp.rank_slack)
    _, Xi, ex, Yi, ey = est[k]
    out = dict(hints)
    if not k:  # no low-rank part: the exponents only set the checker's unembedding grid 2^-(exp_x + exp_y)
        cmax = float(np.abs(res.C).max()) if res.C.size else 0.0
        ex, ey = (fp.x_bits + fp.y_bits - int(np.ceil(np.log2(cmax)))) if cmax > 0 else 0, 0
    out.update({"exp_x": int(ex), "exp_y": int(ey),
                "lowrank_x": Xi.tolist() if k else [[] for _ in range(res.C.shape[0])],
                "lowrank_y": Yi.tolist() if k else []})
    lz = np.take_along_axis(res.real, table[:, :, None], 2)[:, :, 0]
    dist = (res.real - res.b - res.ideal).max(axis=2)
    need = lz - np.sort(res.ideal[0, 0])[-2] - res.b.max()
    diag = {"rank": k, "estimates": {int(kk): round(v[0], 5) for kk, v in est.items()},
            "true_distance_mean": float(dist.mean()), "frac_true_distance_ok": float((dist < need).mean()),
            "singular_values": [round(float(v), 3) for v in Sv[:16]]}
    return out, diag


def prove_groupop_rho(m: LoadedGroupOp, params: dict[str, int] | None = None, progress=None,
                      fp: FitParams | None = None) -> ProofResult:
    """Fit the rho-set circuits, then count with the trusted checker's `count_rho` (the claim is exactly
    its count). Raises Unexplained if nothing fits, the ideal model is wrong at (e, e), or no input is
    proven."""
    M = m.exact
    G, e, h = M.order, M.d_embed, M.d_hidden
    t0 = time.perf_counter()
    fp = fp or FitParams()
    fit = fit_rho_sets(m, fp)
    fit.hints, lr_diag = lowrank_hints(m, fit.hints, fp)
    t_fit = time.perf_counter() - t0
    H = parse_rho_hints(fit.hints, G, h)
    t1 = time.perf_counter()
    try:
        correct, info = count_rho(M, m.table, H)
    except Rejected as ex:
        raise Unexplained(str(ex)) from None
    t_count = time.perf_counter() - t1
    info["lowrank"] = lr_diag
    if correct < fp.min_bound * G * G:
        raise Unexplained(f"certified bound {correct}/{G * G} = {correct / (G * G):.4f} is below the threshold"
                          f" {fp.min_bound} (the distance to the ideal model exceeds its margin"
                          f" {info['ideal_margin']:.3g} on most inputs; rank {len(H.Y)})", correct, info)
    secs = time.perf_counter() - t0
    total = G * G
    N = len(H.neurons)
    P = len(H.L)
    # cost: tables 2 |G| e h products; check: equivariance O(gens P |G|), ideal at e O(P |G|),
    # remainder O((h + P) k |G|); per input: features ~6 (h + P), rb 2 (h + P), phi X 4 (h + P) k (interval),
    # (phi X) Y 4 k |G|, true logit 4 h, right-hand side 3 |G|
    k, S = len(H.Y), h + P
    flops = (2 * (2 * G * e * h) + 2 * 2 * info["generators"] * P * G + 2 * P * G + 2 * S * k * G
             + total * (8 * S + 4 * S * k + 4 * k * G + 4 * h + 3 * G))
    pinfo = {
        "seconds": round(secs, 3), "fit_seconds": round(t_fit, 3), "count_seconds": round(t_count, 3),
        "flops": flops, "forward_flops_all_inputs": total * forward_flops(G, e, h),
        "ideal_margin": info["ideal_margin"], "pairs": P, "virtual_neurons": N - h,
        "unassigned_neurons": len(fit.unassigned), "rank": k, "lowrank": lr_diag, "grid": info["grid"],
        "circuits": [{"irrep": c.irrep, "neurons": len(c.neurons), "pairs": c.n_pairs, "missing": c.n_missing,
                      "stab_b": c.stab_b, "stab_c": c.stab_c} for c in fit.circuits],
        "notes": fit.notes,
    }
    cert = {
        "format": "pybridge-certificate", "version": 1, "family": "groupop", "strategy": "rho-set",
        "model_sha256": M.sha256, "model": dict(m.shape), "params": {},
        "claim": {"correct_at_least": correct, "total": total},
        "hints": fit.hints,
        "prover": {"pybridge": __version__, "torch": torch.__version__, **pinfo},
    }
    return ProofResult("rho-set", correct, total, None, flops, secs, cert,
                       {"ideal_margin": info["ideal_margin"], "pairs": P, "virtual_neurons": N - h, "rank": k,
                        "unassigned_neurons": len(fit.unassigned), "circuits": pinfo["circuits"]})


def load(path: str | Path) -> LoadedGroupOp:
    from pybridge.families.groupop.brute_force import load_groupop_model

    return load_groupop_model(path)
