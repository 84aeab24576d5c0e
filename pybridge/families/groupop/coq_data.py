"""Untrusted: the Coq/Lean reading of a groupop `rho-set` certificate (docs/CHECKING.md section 8.7).

`coq/theories/GroupRho.v` proves `check_group_rho M N H = true -> accuracy_at_least M N` for *any*
hint record `H`, so this module is free to rescale, round and add witnesses. From the JSON hints
(section 8.6) it computes, in exact Python integers:

- `d1, d3`: the logits are read in unit `2^-(3s + d1 + d3)` (the exact logits of 8.3 times
  `E1 E3 = 2^(d1 + d3)`), the features in unit `2^-(2s + d1)`, the coefficients in unit `2^-(s + d3)`;
  `d1 = max(0, exp_lambda + exp_lr - 2s)` makes `lam_n Lq` an integer in the feature unit,
  `d3 = max(0, exp_x + exp_y - s, exp_x + exp_y - s - exp_lambda, exp_u - exp_lambda - s) + EXTRA_BITS`.
  The pair features `g_p = max(Lq[p][x] + Rq[p][y], 0)` are in unit `2^-(2s + d1 - exp_lambda)`, so the
  pair coefficient rows are in unit `2^-(s + d3 + exp_lambda)`.
- `Lq = pair_left 2^(2s + d1 - exp_lambda - exp_lr)`, `Rq` likewise (exact).
- `KU[p][c] = round(K_p Up[p][c] 2^(s + d3 + exp_lambda))` (`K_p Up` is rational, section 8.6): the only
  rounding. It is a deterministic function of the exact value, so the column equalities that the
  bi-equivariance needs survive it.
- `nrn`: `(p_n, lam_n)` for the model neurons (`(0, 0)` for an unpaired one); virtual neurons only
  enter through `K_p`.
- `gens`: the Python checker's generators, each with permutations `pi` (left) and `sigma` (right)
  of the pairs such that `KU[pi p] = KU[p](g .)` and, when `KU[p] != 0`, `Lq[pi p] = Lq[p](g .)`,
  `Rq[pi p] = Rq[p]` (right: `KU[sigma p] = KU[p](. g)`, `Lq[sigma p] = Lq[p]`, `Rq[sigma p] = Rq[p](. g)`).
- `wordL[x]`, `wordR[y]`: shortest words over the generators with `gm*(..*(g1*x)) = 0` and
  `((y*g1)*..)*gm = 0` (breadth-first search on the multiplication table).
- `LX = lowrank_x 2^(s + d3 - exp_x - exp_y)` (pair rows: `2^(s + d3 + exp_lambda - exp_x - exp_y)`), `LY = lowrank_y`, and the exact row maxima
  `rmax_i = max_c |C[i][c] - (LX LY)[i][c]|` of the remainder of the coefficient rows `C` of GroupRho.v.

`coq_count` mirrors Coq's per-pair test exactly (for tests and small groups; Coq decides).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pybridge.check.groupop.bruteforce import ExactGroupOp, group_table, load_groupop, pre_activations
from pybridge.check.groupop.rho import RhoHints, generators, pair_weights, parse_rho_hints

EXTRA_BITS = 16  # of the rounding of K_p Up below the coefficient grid of the low-rank hints


@dataclass
class RhoCoqData:
    d1: int
    d3: int
    Lq: list[list[int]]
    Rq: list[list[int]]
    KU: list[list[int]]
    nrn: list[tuple[int, int]]
    gens: list[tuple[int, list[int], list[int]]]
    wordL: list[list[int]]
    wordR: list[list[int]]
    LX: list[list[int]]
    LY: list[list[int]]
    rmax: list[int]


def _round(v: Fraction) -> int:
    """Nearest integer, ties up (deterministic)."""
    return (2 * v.numerator + v.denominator) // (2 * v.denominator)


def _pair_perm(keys_src: list, keys_dst: list, what: str) -> list[int]:
    """A permutation `pi` with `keys_dst[pi[p]] == keys_src[p]` for every p."""
    free: dict = {}
    for q, key in enumerate(keys_dst):
        free.setdefault(key, []).append(q)
    pi = []
    for key in keys_src:
        qs = free.get(key)
        if not qs:
            raise ValueError(f"rho-set certificate: the rounded ideal model is not {what}-equivariant")
        pi.append(qs.pop())
    return pi


def _words(table: list[list[int]], gens: list[int], left: bool) -> list[list[int]]:
    """For each t a shortest word [g1, .., gm] driving t to 0 (left: t -> g t; right: t -> t g)."""
    G = len(table)
    step = (lambda g, t: table[g][t]) if left else (lambda g, t: table[t][g])
    out = []
    for start in range(G):
        prev = {start: None}
        todo = deque([start])
        while todo and 0 not in prev:
            t = todo.popleft()
            for g in gens:
                u = step(g, t)
                if u not in prev:
                    prev[u] = (t, g)
                    todo.append(u)
        if 0 not in prev:
            raise ValueError("rho-set certificate: the generators do not reach the identity")
        w, t = [], 0
        while prev[t] is not None:
            t, g = prev[t]
            w.append(g)
        out.append(w[::-1])
    return out


def coq_data(M: ExactGroupOp, table: list[list[int]], H: RhoHints) -> RhoCoqData:
    """The hint record of GroupRho.v for the (already verified) certificate hints `H`."""
    G, h, s = M.order, M.d_hidden, M.s
    P = len(H.L)
    eA, eL, eU = H.exp_lambda, H.exp_lr, H.exp_u
    d1 = max(0, eA + eL - 2 * s)
    d3 = max(0, H.exp_x + H.exp_y - s, H.exp_x + H.exp_y - s - eA, eU - eA - s) + EXTRA_BITS
    sh = 2 * s + d1 - eA - eL
    Lq = [[v << sh for v in row] for row in H.L]
    Rq = [[v << sh for v in row] for row in H.R]
    K = pair_weights(H)
    f = Fraction(2) ** (s + d3 + eA - eU)
    KU = [[_round(K[p] * u * f) for u in H.U[p]] for p in range(P)]
    nrn = [(p, lam) if p >= 0 else (0, 0) for p, lam, _ in H.neurons[:h]]
    gens = generators(table)
    live = [any(row) for row in KU]

    def key(p: int, L, R, U):
        return (tuple(L), tuple(R), tuple(U)) if live[p] else None

    dst = [key(p, Lq[p], Rq[p], KU[p]) for p in range(P)]
    gl = []
    for g in gens:
        left = [key(p, [Lq[p][table[g][x]] for x in range(G)], Rq[p], [KU[p][table[g][z]] for z in range(G)])
                for p in range(P)]
        right = [key(p, Lq[p], [Rq[p][table[y][g]] for y in range(G)], [KU[p][table[z][g]] for z in range(G)])
                 for p in range(P)]
        gl.append((g, _pair_perm(left, dst, "left"), _pair_perm(right, dst, "right")))
    E3 = 1 << d3
    qx = s + d3 - H.exp_x - H.exp_y  # neuron rows: coefficient unit 2^-(s + d3); pair rows 2^-(s + d3 + exp_lambda)
    LX = [[v << (qx + (eA if i >= h else 0)) for v in row] for i, row in enumerate(H.X)]
    LY = [list(row) for row in H.Y]
    k = len(LY)
    paired = [[0] * G for _ in range(P)]  # sum_{n : p_n = p} lam_n W[n], one pass over the neurons
    for n, (q, lam) in enumerate(nrn):
        if lam:
            paired[q] = [r + lam * w for r, w in zip(paired[q], M.WU[n])]
    C = [[w * E3 for w in M.WU[n]] for n in range(h)]
    C += [[r * E3 - u for r, u in zip(paired[p], KU[p])] for p in range(P)]
    cols = [[LY[t][c] for t in range(k)] for c in range(G)]
    rmax = [max((abs(cv - sum(a * b for a, b in zip(xr, col))) for cv, col in zip(Ci, cols)), default=0)
            for Ci, xr in zip(C, LX)]
    return RhoCoqData(d1, d3, Lq, Rq, KU, nrn, gl, _words(table, gens, True), _words(table, gens, False), LX, LY, rmax)


def load_coq_data(cert, model_path: str | Path) -> tuple[ExactGroupOp, RhoCoqData]:
    M, table = load_groupop(model_path)
    return M, coq_data(M, table, parse_rho_hints(cert.hints, M.order, M.d_hidden))


def coq_count(M: ExactGroupOp, D: RhoCoqData) -> int:
    """The number of pairs GroupRho.check_group_rho counts (exact; O(|G|^2 (S k + k |G|)) Python ints)."""
    table = group_table(M.group)
    G, h, P = M.order, M.d_hidden, len(D.Lq)
    A, B = pre_activations(M)
    E1, E13 = 1 << D.d1, 1 << (D.d1 + D.d3)
    b2 = [b << (2 * M.s) for b in M.bU]
    WUT = [[M.WU[n][c] for n in range(h)] for c in range(G)]
    ideal = [sum(D.KU[p][c] * max(D.Lq[p][0] + D.Rq[p][0], 0) for p in range(P)) for c in range(G)]

    def act(w, t, left):
        for g in w:
            t = table[g][t] if left else table[t][g]
        return t

    LXw = [[act(D.wordL[x], j, True) for j in range(G)] for x in range(G)]
    IeR = [[ideal[act(D.wordR[y], t, False)] for t in range(G)] for y in range(G)]
    k = len(D.LY)
    XT = [[row[t] for row in D.LX] for t in range(k)]
    good = 0
    for x in range(G):
        for y in range(G):
            hid = [max(a + b, 0) for a, b in zip(A[x], B[y])]
            gp = [max(D.Lq[p][x] + D.Rq[p][y], 0) for p in range(P)]
            phi = [hv * E1 - lam * gp[p] for hv, (p, lam) in zip(hid, D.nrn)] + gp
            px = [sum(a * b for a, b in zip(phi, col)) for col in XT]
            rb = sum(abs(a) * r for a, r in zip(phi, D.rmax))
            z = table[x][y]
            lz = E13 * (sum(a * b for a, b in zip(hid, WUT[z])) + b2[z]) - rb
            ok = True
            for j in range(G):
                if j != z:
                    v = sum(px[t] * D.LY[t][j] for t in range(k))
                    if IeR[y][LXw[x][j]] + E13 * b2[j] + v >= lz:
                        ok = False
                        break
            good += ok
    return good


def verified_coq_data(cert_path: Path, cert, model_path: str | Path, M: ExactGroupOp) -> RhoCoqData:
    """Run the trusted Python checker on the certificate first (raises Rejected if it fails), then
    compute the Coq/Lean hint record from `M`, the model the caller loaded from `model_path`."""
    from pybridge.check.verify import verify

    verify(cert_path, model_path)
    return coq_data(M, group_table(M.group), parse_rho_hints(cert.hints, M.order, M.d_hidden))
