"""Trusted: the `rho-set` check of group-operation MLPs (docs/CHECKING.md section 8.6).

The certificate describes an *ideal* model by explicit exact data (hints), the checker verifies that
the ideal model is bi-equivariant by cheap exact checks on generators, evaluates it once at the
identity, and then bounds the real model's distance from it on every input and class with exact
integer work (a low-rank part plus a remainder bound, see 4.).

Ideal model (all numbers exact: dyadic integers or Fractions):
- `P` pair-neurons `p` with tables `Lp[p][x]`, `Rp[p][y]` (real value `int * 2^-exp_lr`) and
  `Up[p][z]` (`int * 2^-exp_u`), `x, y, z` group element indices.
- `h + v` neurons `n` (the model's `h` neurons, then `v` virtual ones whose real weights are zero),
  each `[p, lam, mu_num, mu_den]`: neuron `n` is the pair-neuron `p` scaled, with pre-activation
  `a'_n(x, y) = lam_n (Lp[p][x] + Rp[p][y])` and unembedding row `U'_n[c] = mu_n Up[p][c]`, where
  `lam_n = lam * 2^-exp_lambda > 0`, `mu_n = mu_num / mu_den`; `p = -1` means the ideal neuron is 0.
- `I(x, y)_c = sum_n U'_n[c] relu(a'_n(x, y))` (no bias). Because `lam_n > 0`,
  `I(x, y)_c = sum_p K_p Up[p][c] relu(Lp[p][x] + Rp[p][y])` with `K_p = sum_{n -> p} lam_n mu_n`.

Checks and claims (each function's docstring states its part):
1. `generators`: a generating set of G, verified by closure from the multiplication table.
2. `check_equivariance`: for each generator g, the multiset of columns
   `(Lp[p][.], Rp[p][.], K_p Up[p][.])` (over p with K_p != 0) equals the multiset of left-translated
   columns `(Lp[p][g x], Rp[p][y], K_p Up[p][g z])` and of right-translated columns
   `(Lp[p][x], Rp[p][y g], K_p Up[p][z g])`. Reindexing the sum then gives `I(gx, y)_{gz} = I(x, y)_z`
   and `I(x, yg)_{zg} = I(x, y)_z` for generators, hence for all g, hence
   `I(x, y)_z = I(e, e)_{x^-1 z y^-1}`.
3. `I(e, e)_c` exactly; the ideal model must be correct at (e, e).
4. The distance is a linear form `H_c - I_c = sum_i phi_i(x, y) C[i][c]` (`H_c` the real logit without
   bias; features `phi_n = relu(a_n) - relu(a'_n)` for the h model neurons, `phi_{h+p} = g_p =
   relu(Lp[p][x] + Rp[p][y])` for the pairs; coefficients `C[n] = W_U[n]`, `C[h+p] = sum_{n -> p} lam_n
   W_U[n] - K_p Up[p]`). The hints give a low-rank part `X Y` (never trusted: the checker computes the
   remainder `C - X Y` exactly and its row maxima `rmax`). Per input `(x, y)`, `z = x*y`, and class `j != z`:
   `L_j = I(e, e)_{x^-1 j y^-1} + (H_j - I_j) + b_j <= I(e, e)_{x^-1 j y^-1} + (phi X Y)_j + sum_i |phi_i| rmax_i + b_j`;
   `(x, y)` is proven correct iff a lower bound of `L_z` exceeds this for every `j != z`.
   Cost per input O(S + S k + k |G|) (S = h + P, k the rank) instead of brute force's O(h |G|).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from pybridge.check.errors import InputError, Rejected
from pybridge.check.groupop.bruteforce import ExactGroupOp, pre_activations

HINT_KEYS = {"exp_lr", "exp_u", "exp_lambda", "pair_left", "pair_right", "pair_unembed", "neurons",
             "exp_x", "exp_y", "lowrank_x", "lowrank_y"}
MAX_PAIRS = 1 << 14
MAX_VIRTUAL = 1 << 14
MAX_EXP = 256
MAX_INT_BITS = 128
MAX_RANK = 256
LOWRANK_BITS = 24  # |X|, |Y| < 2^24, so X Y (k <= 256 terms) is exact in int64
I64_BUDGET = 61


@dataclass(frozen=True)
class RhoHints:
    exp_lr: int
    exp_u: int
    exp_lambda: int
    L: list[list[int]]  # P x |G|
    R: list[list[int]]
    U: list[list[int]]
    neurons: list[tuple[int, int, Fraction]]  # (p, lam, mu); p = -1: ideal neuron zero
    exp_x: int = 0
    exp_y: int = 0
    X: list[list[int]] = None  # (h + P) x k, real value int * 2^-exp_x
    Y: list[list[int]] = None  # k x |G|, real value int * 2^-exp_y


def _intlist(v, n: int, what: str) -> list[int]:
    if not isinstance(v, list) or len(v) != n or any(type(t) is not int or t.bit_length() > MAX_INT_BITS for t in v):
        raise InputError(f"rho-set hint {what} must be a list of {n} integers of at most {MAX_INT_BITS} bits")
    return v


def parse_rho_hints(hints: dict, G: int, h: int) -> RhoHints:
    """Strictly validate the hints' shapes and ranges (InputError with a one-line reason)."""
    if not isinstance(hints, dict) or set(hints) != HINT_KEYS:
        raise InputError(f"rho-set hints must have exactly the keys {', '.join(sorted(HINT_KEYS))}")
    exps = []
    for k in ("exp_lr", "exp_u", "exp_lambda", "exp_x", "exp_y"):
        v = hints[k]
        if type(v) is not int or not (-MAX_EXP <= v <= MAX_EXP):
            raise InputError(f"rho-set hint {k} must be an integer in -{MAX_EXP}..{MAX_EXP}")
        exps.append(v)
    tabs = []
    for k in ("pair_left", "pair_right", "pair_unembed"):
        v = hints[k]
        if not isinstance(v, list) or len(v) > MAX_PAIRS:
            raise InputError(f"rho-set hint {k} must be a list of at most {MAX_PAIRS} rows")
        tabs.append([_intlist(row, G, f"{k} row") for row in v])
    P = len(tabs[0])
    if len(tabs[1]) != P or len(tabs[2]) != P:
        raise InputError("rho-set hints pair_left, pair_right, pair_unembed must have the same number of rows")
    nv = hints["neurons"]
    if not isinstance(nv, list) or not (h <= len(nv) <= h + MAX_VIRTUAL):
        raise InputError(f"rho-set hint neurons must list the {h} model neurons and at most {MAX_VIRTUAL} virtual ones")
    neurons = []
    for i, e in enumerate(nv):
        if not isinstance(e, list) or len(e) != 4 or any(type(t) is not int or t.bit_length() > MAX_INT_BITS for t in e):
            raise InputError("rho-set hint neurons entries must be [pair, lam, mu_num, mu_den] integers")
        p, lam, mn, md = e
        if p == -1:
            if lam != 0 or mn != 0 or md != 1:
                raise InputError("a rho-set neuron with pair -1 must be [-1, 0, 0, 1]")
            if i >= h:
                raise InputError("virtual rho-set neurons must name a pair")
        elif not (0 <= p < P) or lam <= 0 or md <= 0:
            raise InputError("rho-set neuron entries need 0 <= pair < #pairs, lam > 0, mu_den > 0")
        neurons.append((p, lam, Fraction(mn, md)))
    X, Y = hints["lowrank_x"], hints["lowrank_y"]
    if not isinstance(Y, list) or len(Y) > MAX_RANK:
        raise InputError(f"rho-set hint lowrank_y must be a list of at most {MAX_RANK} rows")
    k = len(Y)
    if not isinstance(X, list) or len(X) != h + P:
        raise InputError(f"rho-set hint lowrank_x must have {h + P} rows (model neurons, then pair-neurons)")
    for rows, n, what in ((X, k, "lowrank_x"), (Y, G, "lowrank_y")):
        for row in rows:
            if (not isinstance(row, list) or len(row) != n
                    or any(type(t) is not int or t.bit_length() >= LOWRANK_BITS for t in row)):
                raise InputError(f"rho-set hint {what} rows must be lists of {n} integers of less than {LOWRANK_BITS} bits")
    return RhoHints(exps[0], exps[1], exps[2], tabs[0], tabs[1], tabs[2], neurons, exps[3], exps[4], X, Y)


# ---------------------------------------------------------------- 1. generators
def generators(table: list[list[int]]) -> list[int]:
    """A generating set of the group: greedy in index order; returns it only after verifying that
    the closure of the set under right multiplication, starting from the identity 0, is all of G."""

    def closure(gens: list[int]) -> set[int]:
        seen, todo = {0}, [0]
        while todo:
            a = todo.pop()
            for g in gens:
                b = table[a][g]
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
        return seen

    gens: list[int] = []
    sub = {0}
    for g in range(len(table)):
        if g not in sub:
            gens.append(g)
            sub = closure(gens)
    if len(closure(gens)) != len(table):  # pragma: no cover - cannot happen
        raise Rejected("internal: generators do not generate the group")
    return gens


# ---------------------------------------------------------------- 2. equivariance
def pair_weights(H: RhoHints) -> list[Fraction]:
    """`K_p = sum_{n: pair(n) = p} lam_n mu_n` (exact; lam_n = lam * 2^-exp_lambda)."""
    K = [Fraction(0)] * len(H.L)
    for p, lam, mu in H.neurons:
        if p >= 0:
            K[p] += Fraction(lam) * mu
    return [k / Fraction(2) ** H.exp_lambda for k in K]


def check_equivariance(H: RhoHints, table: list[list[int]], K: list[Fraction]) -> list[int]:
    """Raise Rejected unless, for every generator g, the multiset of columns
    `(Lp[p], Rp[p], K_p Up[p])` (p with K_p != 0) is invariant under the left translation
    `x -> g x, z -> g z` and under the right translation `y -> y g, z -> z g`. Returns the generators.

    Claim (for the ideal model `I` of the module docstring): `I(x, y)_z = I(e, e)_{x^-1 z y^-1}`.
    The third component is compared as `D K_p Up[p]` with `D` the lcm of the denominators of the
    `K_p` (exact integers; the same positive factor for every column)."""
    G = len(table)
    live = [p for p in range(len(H.L)) if K[p] != 0]
    # integers instead of Fractions (hashing Fractions was the check's hotspot): scaling every K_p by
    # the same D > 0 (the lcm of their denominators) changes neither equalities nor multisets
    D = math.lcm(*(K[p].denominator for p in live)) if live else 1
    KD = {p: K[p].numerator * (D // K[p].denominator) for p in live}
    cols = Counter((tuple(H.L[p]), tuple(H.R[p]), tuple(KD[p] * u for u in H.U[p])) for p in live)
    gens = generators(table)
    for g in gens:
        left = Counter()
        right = Counter()
        for p in live:
            L, R, U, k = H.L[p], H.R[p], H.U[p], KD[p]
            left[(tuple(L[table[g][x]] for x in range(G)), tuple(R), tuple(k * U[table[g][z]] for z in range(G)))] += 1
            right[(tuple(L), tuple(R[table[y][g]] for y in range(G)), tuple(k * U[table[z][g]] for z in range(G)))] += 1
        if left != cols:
            raise Rejected(f"ideal model is not left-equivariant: columns not permuted by generator {g}")
        if right != cols:
            raise Rejected(f"ideal model is not right-equivariant: columns not permuted by generator {g}")
    return gens


# ---------------------------------------------------------------- 3. the ideal model at (e, e)
def ideal_at_identity(H: RhoHints, K: list[Fraction], G: int) -> list[Fraction]:
    """`I(e, e)_c` for every class c, exactly (real values)."""
    out = [Fraction(0)] * G
    sl, su = Fraction(2) ** -H.exp_lr, Fraction(2) ** -H.exp_u
    for p, k in enumerate(K):
        pre = H.L[p][0] + H.R[p][0]
        if k != 0 and pre > 0:
            w = k * pre * sl * su
            for c in range(G):
                out[c] += w * H.U[p][c]
    return out


# ---------------------------------------------------------------- 4. per-input count
def _to_grid(v: int, k: int, q: int, up: bool) -> int:
    """floor (up=False) or ceil (up=True) of `v * 2^-k` in units of `2^-q`."""
    if q >= k:
        return v << (q - k)
    sh = k - q
    return -((-v) >> sh) if up else v >> sh


def _frac_grid(v: Fraction, q: int, up: bool) -> int:
    w = v * Fraction(2) ** q
    return -((-w.numerator) // w.denominator) if up else w.numerator // w.denominator


def _i64(rows: list) -> np.ndarray:
    """An int64 array of Python ints, refused (Rejected) before conversion if any entry is out of range."""
    flat = rows if not rows or not isinstance(rows[0], list) else [v for r in rows for v in r]
    if any(not (-(1 << 62) < v < (1 << 62)) for v in flat):
        raise Rejected("int64 budget exceeded (an entry of the grid tables is too large)")
    return np.array(rows, dtype=np.int64)


def _grid_array(rows: list[list[int]], k: int, q: int, up: bool) -> np.ndarray:
    """`_to_grid` on a table of Python ints (the entries may exceed int64: refused, not wrapped)."""
    if q >= k:
        return _i64([[v << (q - k) for v in r] for r in rows])
    sh = k - q
    if up:
        return _i64([[-((-v) >> sh) for v in r] for r in rows])
    return _i64([[v >> sh for v in r] for r in rows])


def _bits(v: int) -> int:
    return int(v).bit_length()


def count_rho(M: ExactGroupOp, table: list[list[int]], H: RhoHints,
              AB: tuple[list[list[int]], list[list[int]]] | None = None) -> tuple[int, dict]:
    """Return (#inputs proven correct by the criterion of docs/CHECKING.md 8.6, info).

    Raises Rejected if the ideal model is not bi-equivariant, not correct at (e, e), or a bit budget
    cannot be met."""
    G, h = M.order, M.d_hidden
    N, P, k = len(H.neurons), len(H.L), len(H.Y)
    S = h + P
    info: dict = {"neurons": N, "pairs": P, "rank": k}
    t = time.perf_counter()
    K = pair_weights(H)
    gens = check_equivariance(H, table, K)
    info["generators"] = len(gens)
    info["equivariance_seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    Ie = ideal_at_identity(H, K, G)
    F2 = max(Ie[1:]) if G > 1 else Fraction(0)
    info["ideal_margin"] = float(Ie[0] - F2) if G > 1 else 0.0
    if G > 1 and Ie[0] <= F2:
        raise Rejected("the ideal model is not correct at (e, e): its margin is not positive")
    A, B = AB if AB is not None else pre_activations(M)
    s = M.s
    # ---- unembedding side, unit 2^-qw with qw = exp_x + exp_y (the unit of X Y): exact integers at scale 2^T
    qw = H.exp_x + H.exp_y
    T = max(s, s + H.exp_lambda, qw, H.exp_u, 0)  # T >= s: every shift below is non-negative (issue 10)
    Xa = np.array(H.X, dtype=np.int64).reshape(S, k)
    Ya = np.array(H.Y, dtype=np.int64).reshape(k, G)
    XY = (Xa @ Ya).tolist()  # |X|, |Y| < 2^24, k <= 256: exact in int64
    sh_xy = T - qw
    rmax: list[int] = []
    for n in range(h):  # C[n] = W_U[n]: (W_U - XY) 2^T is an integer
        m = max((abs((w << (T - s)) - (v << sh_xy)) for w, v in zip(M.WU[n], XY[n])), default=0)
        rmax.append(-((-m) >> (T - qw)))  # ceil(m 2^-T) in units 2^-qw  (T >= qw)
    lamW = [[0] * G for _ in range(P)]  # sum_{n -> p, n < h} lam * W_U[n] (unit 2^-(s + exp_lambda))
    for n, (p, lam, _) in enumerate(H.neurons[:h]):
        if p >= 0:
            row = lamW[p]
            for c, w in enumerate(M.WU[n]):
                row[c] += lam * w
    for p in range(P):  # C[h+p] = lamW[p] 2^-(s+eA) - K_p Up[p] 2^-eU; K_p = kn / kd
        kn, kd = K[p].numerator, K[p].denominator
        a, b2, c2 = T - s - H.exp_lambda, T - H.exp_u, T - qw
        m = max((abs(kd * ((lw << a) - (xy << c2)) - kn * (u << b2)) for lw, u, xy in zip(lamW[p], H.U[p], XY[h + p])),
                default=0)
        rmax.append(-((-m) // (kd << (T - qw))))
    # ---- grids: pre-activation-side quantities in units 2^-qa; all logit quantities in units 2^-(qa + qw)
    kl = H.exp_lambda + H.exp_lr  # unit of lam * Lp
    Ai = [[lam * H.L[p][x] if p >= 0 else 0 for p, lam, _ in H.neurons[:h]] for x in range(G)]
    Bi = [[lam * H.R[p][y] if p >= 0 else 0 for p, lam, _ in H.neurons[:h]] for y in range(G)]
    Wlo_all = [[_to_grid(w, s, qw, False) for w in row] for row in M.WU]
    wm = max((abs(v) for r in Wlo_all for v in r), default=0)
    xm = max((abs(v) for r in H.X for v in r), default=0)
    ym = max((abs(v) for r in H.Y for v in r), default=0)
    rm = max(rmax, default=0)
    # magnitude of every pre-activation-side quantity (real): < 2^ea
    mx = lambda rows: max((abs(v) for r in rows for v in r), default=0)  # noqa: E731
    ea = max(_bits(mx(A)) - 2 * s, _bits(mx(B)) - 2 * s, _bits(mx(Ai)) - kl, _bits(mx(Bi)) - kl,
             _bits(mx(H.L)) - H.exp_lr, _bits(mx(H.R)) - H.exp_lr) + 1  # |sum of two| < 2^ea
    need = max(_bits(max(k, 1) * S * max(xm, 1) * max(ym, 1)), _bits(h * max(wm, 1)), _bits(S * max(rm, 1)))
    hb = I64_BUDGET - 4 - need  # then every per-input term is < 2^(I64_BUDGET - 2) before doubling
    qa = hb - ea - 1
    info["grid"] = {"qa": qa, "qw": qw, "bits": hb}
    if hb < 8:
        raise Rejected(f"the low-rank hints leave only {hb} bits for the pre-activations (int64 budget); use fewer bits")
    Alo, Ahi = _grid_array(A, 2 * s, qa, False), _grid_array(A, 2 * s, qa, True)
    Blo, Bhi = _grid_array(B, 2 * s, qa, False), _grid_array(B, 2 * s, qa, True)
    Ailo, Aihi = _grid_array(Ai, kl, qa, False), _grid_array(Ai, kl, qa, True)
    Bilo, Bihi = _grid_array(Bi, kl, qa, False), _grid_array(Bi, kl, qa, True)
    LT = [list(col) for col in zip(*H.L)] if P else [[] for _ in range(G)]  # G x P
    RT = [list(col) for col in zip(*H.R)] if P else [[] for _ in range(G)]
    Llo, Lhi = _grid_array(LT, H.exp_lr, qa, False).reshape(G, P), _grid_array(LT, H.exp_lr, qa, True).reshape(G, P)
    Rlo, Rhi = _grid_array(RT, H.exp_lr, qa, False).reshape(G, P), _grid_array(RT, H.exp_lr, qa, True).reshape(G, P)
    Wlo = _i64(Wlo_all).reshape(h, G)
    rmx = _i64(rmax)
    # per-class constants (unit 2^-(qa+qw)): cst[c] >= I(e, e)_c, bhi[j] >= b_U[j], blo[z] <= b_U[z]
    q = qa + qw
    cst = _i64([_frac_grid(v, q, True) for v in Ie])
    bU = [Fraction(b, 1 << s) for b in M.bU]
    bhi = _i64([_frac_grid(b, q, True) for b in bU])
    blo = _i64([_frac_grid(b, q, False) for b in bU])
    # int64 budget, asserted with the actual maxima: each of the four per-input terms is < 2^(I64_BUDGET-1)
    fm = int(max(np.abs(Alo).max(initial=0) + np.abs(Blo).max(initial=0), np.abs(Ahi).max(initial=0) + np.abs(Bhi).max(initial=0),
                 np.abs(Ailo).max(initial=0) + np.abs(Bilo).max(initial=0), np.abs(Aihi).max(initial=0) + np.abs(Bihi).max(initial=0),
                 np.abs(Llo).max(initial=0) + np.abs(Rlo).max(initial=0), np.abs(Lhi).max(initial=0) + np.abs(Rhi).max(initial=0)))
    # widths of the feature enclosures: fhi_i - flo_i <= wid_i for every input (relu is monotone and
    # 1-Lipschitz); c1 >= wid |X| and c2 >= c1 |Y| bound what the widths can add to 2 phi X and 2 phi X Y
    span = lambda lo, hi: (hi - lo).max(axis=0) if len(lo) else np.zeros(lo.shape[1], dtype=np.int64)  # noqa: E731
    wid = np.concatenate([span(Alo, Ahi) + span(Blo, Bhi) + span(Ailo, Aihi) + span(Bilo, Bihi), span(Llo, Lhi) + span(Rlo, Rhi)])
    c1 = wid @ np.abs(Xa)
    c2 = c1 @ np.abs(Ya) if k else np.zeros(G, dtype=np.int64)
    lim = 1 << (I64_BUDGET - 2)
    if (max(k, 1) * S * fm * max(xm, 1) * max(ym, 1) >= lim or h * fm * max(wm, 1) >= lim or S * fm * max(rm, 1) >= lim
            or max(int(np.abs(cst).max()), int(np.abs(bhi).max()), int(np.abs(blo).max()), int(c2.max(initial=0))) >= lim):
        raise Rejected("int64 budget exceeded (tables too large for the grid)")
    info["setup_seconds"] = time.perf_counter() - t
    tab = np.array(table, dtype=np.int64)
    inv = np.argmin(tab, axis=1)  # tab[g][inv[g]] = 0
    Wlo_p, Wlo_n = np.maximum(Wlo, 0), np.minimum(Wlo, 0)
    cst2 = 2 * cst
    bhi2 = 2 * bhi + c2  # doubled right-hand side constants, the width term c2 included
    rows = np.arange(G)
    lowest = np.iinfo(np.int64).min
    proven = np.zeros((G, G), dtype=bool)
    t = time.perf_counter()
    for x in range(G):
        hlo = np.maximum(Alo[x][None, :] + Blo, 0)  # G x h (rows: y): relu(a) in [hlo, hhi]
        hhi = np.maximum(Ahi[x][None, :] + Bhi, 0)
        ilo = np.maximum(Ailo[x][None, :] + Bilo, 0)  # relu(a') in [ilo, ihi]
        ihi = np.maximum(Aihi[x][None, :] + Bihi, 0)
        glo = np.maximum(Llo[x][None, :] + Rlo, 0)  # g_p in [glo, ghi]
        ghi = np.maximum(Lhi[x][None, :] + Rhi, 0)
        flo = np.concatenate([hlo - ihi, glo], axis=1)  # phi in [flo, fhi]  (G x S)
        fhi = np.concatenate([hhi - ilo, ghi], axis=1)
        rb = np.maximum(np.abs(flo), np.abs(fhi)) @ rmx  # >= sum_i |phi_i| rmax_i
        # 2 (phi X Y)_c <= ((flo + fhi) X) Y_c + c2_c
        v2 = ((flo + fhi) @ Xa) @ Ya if k else np.zeros((G, G), dtype=np.int64)
        z = tab[x]
        lz = (hlo * Wlo_p[:, z].T).sum(axis=1) + (hhi * Wlo_n[:, z].T).sum(axis=1) + blo[z]  # <= L_z
        cls = tab[tab[inv[x]][None, :], inv[:, None]]  # cls[y][j] = x^-1 j y^-1
        rhs = cst2[cls] + bhi2[None, :] + v2  # >= 2 (I(x, y)_j + b_j + (phi X Y)_j)
        rhs[rows, z] = lowest
        proven[x] = 2 * (lz - rb) > rhs.max(axis=1)
    info["per_input_seconds"] = time.perf_counter() - t
    info["proven"] = proven  # proven[x][y]: (x, y) proven correct
    return int(np.count_nonzero(proven)), info


# ---------------------------------------------------------------- the certificate
def verify_groupop_rho(cert, cert_path: Path, model, progress=None):
    """Check a groupop rho-set certificate; return a `verify.CheckResult` or raise."""
    from pybridge.check.groupop.bruteforce import load_bound_model
    from pybridge.check.result import CheckResult

    t0 = time.perf_counter()
    M, table, secs = load_bound_model(cert, cert_path, model)
    H = parse_rho_hints(cert.hints, M.order, M.d_hidden)
    from pybridge.check.groupop.bruteforce import require_bounds

    G, S, k = M.order, M.d_hidden + len(H.L), len(H.Y)  # per pair: features (h + P), low-rank part, rhs
    require_bounds(M, "groupop rho-set", G * G * (S * (k + G) + G) + S * G * G * 8)
    t = time.perf_counter()
    AB = pre_activations(M)
    secs["replay_tables"] = time.perf_counter() - t
    t = time.perf_counter()
    good, _ = count_rho(M, table, H, AB)
    secs["strategy"] = time.perf_counter() - t
    if good < cert.correct_at_least:
        raise Rejected(f"claimed {cert.correct_at_least} correct pairs, only {good} verified by rho-set")
    secs["total"] = time.perf_counter() - t0
    return CheckResult(cert.strategy, cert.correct_at_least, cert.total, good, None, None, secs, "groupop")
