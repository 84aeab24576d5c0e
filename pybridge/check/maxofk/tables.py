"""Trusted: the exact integer tables of docs/CHECKING.md section 2 and the attention-weight
enclosures of section 3.

Claims (with `w(q,tok,i) = exp(score(q,tok,i) - C[q]/2^P)`, `score` the real attention score):
- `QK[q][tok][i] / 2^(4s) * (1/sqrt h)` is the real attention score of token `tok` at position `i`
  under query token `q` (query at position n-1);
- `(EU[q][c] + OV[tok][i][c]) / 2^(4s)` are the direct and value-path contributions to logit `c`;
- for every (tok, i) an input with query `q` can have (i < n-1, or tok == q at i = n-1; the other
  entries are 0 and never read), `C[q]` is above every such score's upper bound and
  `WLO[q][tok][i] * 2^E[q] <= w(q,tok,i) <= WHI[q][tok][i] * 2^E[q]` (the floating-dyadic
  enclosures of section 3, aligned per query to the common exponent `E[q]` so that every later sum
  is an integer sum; per query only signs matter, so the unit `2^E[q]` never needs to be applied).
"""

from __future__ import annotations

from dataclasses import dataclass

from pybridge.check.errors import Rejected
from pybridge.check.maxofk.fixedpoint import exp_hi, exp_lo, scale_bounds, score_bounds
from pybridge.check.maxofk.weights import ExactMaxOfK, Matrix


def _matmul(A: Matrix, B: Matrix) -> Matrix:
    cols = list(zip(*B))
    return [[sum(a * b for a, b in zip(row, col)) for col in cols] for row in A]


def _add_bias(rows: Matrix, b: list[int], one: int) -> Matrix:
    """rows + b (b in unit 2^-s, rows in unit 2^-2s); rows unchanged when b is all zero."""
    if not any(b):
        return rows
    return [[x + y * one for x, y in zip(row, b)] for row in rows]


def _dot(u: list[int], v: list[int]) -> int:
    return sum(a * b for a, b in zip(u, v))


@dataclass(frozen=True)
class Tables:
    """Exact tables; `X` has unit 2^-s, `QK`, `OV`, `EU` have unit 2^-4s."""

    QK: list[list[list[int]]]  # [q][tok][i]
    OV: list[list[list[int]]]  # [tok][i][c]
    EU: list[list[int]]  # [q][c]


def exact_tables(M: ExactMaxOfK) -> Tables:
    """Replay the heavy products exactly (Python integers), associating as in CHECKING.md.

    Biases fold in exactly: K = x W_K + b_K, Q = x_q W_Q + b_Q, V = x W_V + b_V, and
    EU[q] = x_q W_U + b_O W_U + b_U (the softmax weights sum to 1). LayerNorm models have no exact
    tables (check.maxofk.layernorm evaluates them per input) and are refused here."""
    if M.has_ln:
        raise Rejected("LayerNorm models have no exact tables; only the brute-force strategy supports them")
    V, n = M.d_vocab, M.n_ctx
    X = [[[e + p for e, p in zip(M.E[tok], M.P[i])] for i in range(n)] for tok in range(V)]
    Xflat = [X[tok][i] for tok in range(V) for i in range(n)]
    one = 1 << M.s  # biases have unit 2^-s; products with a weight have unit 2^-2s
    Kv = _add_bias(_matmul(Xflat, M.WK), M.bK, one)
    OVflat = _matmul(_matmul(_add_bias(_matmul(Xflat, M.WV), M.bV, one), M.WO), M.WU)
    Xq = [X[q][n - 1] for q in range(V)]
    Qv = _add_bias(_matmul(Xq, M.WQ), M.bQ, one)
    shift = 1 << (2 * M.s)
    # the softmax weights sum to 1, so b_O contributes b_O W_U to every logit, like b_U (CHECKING.md s.2)
    const = [x * shift + (b << (3 * M.s)) for x, b in zip(_matmul([M.bO], M.WU)[0], M.bU)] if M.has_bias else None
    EU = [[x * shift for x in row] for row in _matmul(Xq, M.WU)]
    if const is not None:
        EU = [[x + c for x, c in zip(row, const)] for row in EU]
    QK = [[[_dot(Qv[q], Kv[tok * n + i]) for i in range(n)] for tok in range(V)] for q in range(V)]
    OV = [[OVflat[tok * n + i] for i in range(n)] for tok in range(V)]
    return Tables(QK=QK, OV=OV, EU=EU)


@dataclass(frozen=True)
class Weights:
    """Enclosures of the shifted attention weights, indexed [q][tok][i], in units 2^E[q]."""

    WLO: list[list[list[int]]]
    WHI: list[list[list[int]]]
    E: list[int]


def align_bits(P: int) -> int:
    """B: enclosures are kept exactly down to 2^-B of the row's largest (issue 10; CHECKING.md 3). Spans seen on
    trained models are below P + 130 bits; an input is lost to the clamp only if all its attention weights lie
    more than ~700 nats below the row's largest (then lb(...) <= 0 with a weight rounded to 0)."""
    return 4 * P + 1024


def _align_down(pairs: list[tuple[int, int]], E: int) -> list[int]:
    """floor(b 2^(e-E)): exact when e >= E; a lower bound (possibly 0) otherwise."""
    return [(b << (e - E) if e >= E else b >> (E - e)) if b else 0 for b, e in pairs]


def _align_up(pairs: list[tuple[int, int]], E: int) -> list[int]:
    """ceil(b 2^(e-E)): exact when e >= E; an upper bound (at least 1 when b > 0) otherwise."""
    return [(b << (e - E) if e >= E else -((-b) >> (E - e))) if b else 0 for b, e in pairs]


def weight_enclosures(M: ExactMaxOfK, T: Tables, P: int, k: int) -> Weights:
    """Enclose `exp(score - C[q]/2^P)` for every query, token and position (CHECKING.md s.3).

    The common unit of a query row is `2^E[q]` with `E[q] = max(smallest exponent, top - B)`, `top` the
    bit position of the row's largest enclosure and `B = align_bits(P)`: lower ends are rounded down and
    upper ends up onto that grid, so every entry has at most B + 1 bits whatever the score range (before,
    aligning to the smallest exponent cost about 1.44 x the score range in bits per entry)."""
    SLO, SHI = scale_bounds(M.d_head, P)
    four_s = 4 * M.s
    V, n = M.d_vocab, M.n_ctx
    B = align_bits(P)
    WLO, WHI, Es = [], [], []
    for q in range(V):
        bounds = [score_bounds(z, four_s, SLO, SHI) for row in T.QK[q] for z in row]
        # (tok, i) can occur with query q iff i < n-1 or tok == q: the shift C is the largest hi over those
        # (Checker.v tab_C); the other entries are never read and are set to 0 (issue 15: an impossible entry
        # could dominate C, and real keys' enclosures then underflowed to 0).
        ok = [i < n - 1 or t == q for t in range(V) for i in range(n)]
        C = max(hi for (_, hi), o in zip(bounds, ok) if o)
        lo = [exp_lo(lo - C, P, k) if o else (0, 0) for (lo, _), o in zip(bounds, ok)]
        hi = [exp_hi(hi - C, P, k) if o else (0, 0) for (_, hi), o in zip(bounds, ok)]
        nz = [(b, e) for b, e in lo + hi if b]
        E = max(min(e for _, e in nz), max(e + b.bit_length() for b, e in nz) - B)
        lo_a, hi_a = _align_down(lo, E), _align_up(hi, E)
        WLO.append([lo_a[t * n : (t + 1) * n] for t in range(V)])
        WHI.append([hi_a[t * n : (t + 1) * n] for t in range(V)])
        Es.append(E)
    return Weights(WLO=WLO, WHI=WHI, E=Es)
