"""Trusted: brute force for Max-of-k models with LayerNorm (issue 15; docs/CHECKING.md section 5b).

The model (TransformerLens semantics, normalization_type LN or LNPre, epsilon `eps` exact):
  x_i = E[t_i] + P[i];  y_i = LN1(x_i);  q = y_{n-1} W_Q + b_Q;  k_i = y_i W_K + b_K;  v_i = y_i W_V + b_V;
  a = softmax_i(q.k_i / sqrt(h));  r = x_{n-1} + (sum_i a_i v_i) W_O + b_O;  logits = LNf(r) W_U + b_U,
  LN(x) = (x - mean(x)) / sqrt(var(x) + eps) * w + b, var the population variance.

Every real quantity is enclosed by an integer interval `[lo, hi]` on the grid 2^-F (F = fixed_bits +
s), rounding outward after every product. The only irrational steps are 1/sqrt (enclosed by `isqrt`
and checked by squaring), 1/sqrt(h) (`scale_bounds`) and exp (`exp_lo` / `exp_hi` of fixedpoint.py).
The softmax weights are enclosed one by one, a_i in [wl_i / (wl_i + sum_{j!=i} wh_j),
wh_i / (wh_i + sum_{j!=i} wl_j)]; LNf is evaluated on the interval vector r (the centring
`d r_k - sum_j r_j` uses the interval ends independently, which is sound). An input counts as proven
correct iff lo(logit[m]) > hi(logit[j]) for every j != m, proven incorrect iff hi(logit[m]) <= lo(logit[j])
for some j != m; both imply the corresponding fact about the real model.

`ln1` acts on E[tok] + P[i] only, so it is evaluated once per (token, position): V n rows.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from math import isqrt

from pybridge.check.errors import Rejected
from pybridge.check.limits import require
from pybridge.check.maxofk.fixedpoint import exp_hi, exp_lo, scale_bounds
from pybridge.check.maxofk.weights import ExactMaxOfK

Iv = tuple[int, int]


def _fdiv(a: int, b: int) -> int:  # floor(a / b), b > 0
    return a // b


def _cdiv(a: int, b: int) -> int:  # ceil(a / b), b > 0
    return -((-a) // b)


def _mul(x: Iv, y: Iv) -> Iv:
    p = (x[0] * y[0], x[0] * y[1], x[1] * y[0], x[1] * y[1])
    return min(p), max(p)


def _scale(x: Iv, w: int) -> Iv:
    return (x[0] * w, x[1] * w) if w >= 0 else (x[1] * w, x[0] * w)


def _round(x: Iv, den: int) -> Iv:
    return _fdiv(x[0], den), _cdiv(x[1], den)


def _vecmat(xs: list[Iv], W: list[list[int]], den: int) -> list[Iv]:
    """Interval row vector times an exact integer matrix, divided outward by `den`."""
    out = []
    for j in range(len(W[0])):
        lo = hi = 0
        for (a, b), row in zip(xs, W):
            w = row[j]
            if w >= 0:
                lo += a * w
                hi += b * w
            else:
                lo += b * w
                hi += a * w
        out.append((_fdiv(lo, den), _cdiv(hi, den)))
    return out


def _inv_sqrt(num_lo: int, num_hi: int, den: int, F: int) -> Iv:
    """[lo, hi] / 2^F enclosing 1/sqrt(v) for every v in [num_lo, num_hi] / den (num_lo > 0)."""
    one = den << (2 * F)
    lo = isqrt(one // num_hi)
    hi = isqrt(one // num_lo) + 1
    if not (lo * lo * num_hi <= one and hi * hi * num_lo >= one):  # cannot happen; the check is the proof
        raise Rejected("LayerNorm: 1/sqrt enclosure failed its integer check")
    return lo, hi


class LNModel:
    """The per-row work (ln1, Q, K, V W_O) and the per-input evaluation on the grid 2^-F."""

    def __init__(self, M: ExactMaxOfK, P: int, k: int):
        if M.normalization not in ("LN", "LNPre"):
            raise Rejected("the LayerNorm brute force needs a model with LayerNorm")
        self.M, self.P, self.k = M, P, k
        s, d, V, n = M.s, M.d_model, M.d_vocab, M.n_ctx
        self.F = F = P + s
        self.one_s = 1 << s
        self.eps_num, self.eps_den = M.ln_eps.numerator, M.ln_eps.denominator
        self.SLO, self.SHI = scale_bounds(M.d_head, P)
        up = 1 << (F - s)  # unit 2^-s -> 2^-F
        self.bO = [b * up for b in M.bO]
        self.bU = [b << F for b in M.bU]  # logits are kept in unit 2^-(F+s)
        self.rows: dict[tuple[int, int], tuple[list[Iv], list[Iv], list[Iv]]] = {}
        for tok in range(V):
            for i in range(n):
                x = [e + p for e, p in zip(M.E[tok], M.P[i])]
                S = sum(x)
                c = [(d * xk - S,) * 2 for xk in x]  # exact, unit 2^-s / d
                y = self._layernorm(c, 2 * s, M.ln1_w, M.ln1_b)
                q = [(a + b * up, c_ + b * up) for (a, c_), b in zip(_vecmat(y, M.WQ, self.one_s), M.bQ)]
                kk = [(a + b * up, c_ + b * up) for (a, c_), b in zip(_vecmat(y, M.WK, self.one_s), M.bK)]
                v = [(a + b * up, c_ + b * up) for (a, c_), b in zip(_vecmat(y, M.WV, self.one_s), M.bV)]
                self.rows[tok, i] = (q, kk, _vecmat(v, M.WO, self.one_s))
        self.x_last = {tok: [(e + p) * up for e, p in zip(M.E[tok], M.P[n - 1])] for tok in range(V)}

    def _layernorm(self, c: list[Iv], two_u: int, w: list[int], b: list[int]) -> list[Iv]:
        """LN of a vector given its centred values c_k = d x_k - sum x (unit 2^-u / d, two_u = 2u),
        returned on the grid 2^-F: c_k / d * r * w_k + b_k with r enclosing 1/sqrt(var + eps)."""
        M, F, d = self.M, self.F, self.M.d_model
        sq_lo = sq_hi = 0
        for lo, hi in c:
            a, z = lo * lo, hi * hi
            sq_hi += max(a, z)
            sq_lo += 0 if lo <= 0 <= hi else min(a, z)
        # var + eps = (sum c^2 / (d^3 2^two_u)) + eps_num/eps_den = N / D
        D = (d**3 << two_u) * self.eps_den
        r = _inv_sqrt(sq_lo * self.eps_den + (self.eps_num * d**3 << two_u),
                      sq_hi * self.eps_den + (self.eps_num * d**3 << two_u), D, F)
        half = two_u // 2  # c has unit 2^-half / d; w has unit 2^-s; r has unit 2^-F
        den = d << (half + M.s)
        up = 1 << (F - M.s)
        return [(lo + bk * up, hi + bk * up) for (lo, hi), bk in
                ((_round(_mul(_scale(ck, wk), r), den), bk) for ck, wk, bk in zip(c, w, b))]

    def classify(self, t: tuple[int, ...]) -> int:
        """+1 proven correct, -1 proven incorrect, 0 undetermined."""
        logits = self.logit_bounds(t)
        m = max(t)
        others = [logits[j] for j in range(self.M.d_vocab) if j != m]
        if logits[m][0] > max(hi for _, hi in others):
            return 1
        if logits[m][1] <= max(lo for lo, _ in others):
            return -1
        return 0

    def logit_bounds(self, t: tuple[int, ...]) -> list[Iv]:
        """[lo, hi] per logit, in unit 2^-(F+s): lo / 2^(F+s) <= logit_j(t) <= hi / 2^(F+s)."""
        M, F, P, n = self.M, self.F, self.P, self.M.n_ctx
        q = self.rows[t[-1], n - 1][0]
        sl, sh = [], []
        for i in range(n):
            kk = self.rows[t[i], i][1]
            prods = [_mul(a, b) for a, b in zip(q, kk)]
            z = (sum(p[0] for p in prods), sum(p[1] for p in prods))
            # score / 2^(2F) * (1/sqrt h) on the grid 2^-P
            lo = min(z[0] * self.SLO, z[0] * self.SHI) >> (2 * F)
            hi = _cdiv(max(z[1] * self.SLO, z[1] * self.SHI), 1 << (2 * F))
            sl.append(lo)
            sh.append(hi)
        C = max(sh)
        wl = [exp_lo(x - C, P, self.k) for x in sl]
        wh = [exp_hi(x - C, P, self.k) for x in sh]
        # common unit 2^E, at most ALIGN_BITS below the largest weight: lower ends rounded down, upper
        # ends up, so integer sizes stay bounded whatever the score range (a hostile model cannot blow up memory)
        nz = [(b, e) for b, e in wl + wh if b]
        E = max(min(e for _, e in nz), max(e + b.bit_length() for b, e in nz) - (4 * P + 1024))
        wl = [(b << (e - E) if e >= E else b >> (E - e)) if b else 0 for b, e in wl]
        wh = [b << (e - E) if e >= E else -((-b) >> (E - e)) for b, e in wh]
        tot_l, tot_h = sum(wl), sum(wh)
        one = 1 << F
        a = []
        for i in range(n):
            den_lo = wl[i] + tot_h - wh[i]
            den_hi = wh[i] + tot_l - wl[i]
            a.append((_fdiv(wl[i] * one, den_lo) if den_lo > 0 else 0, _cdiv(wh[i] * one, den_hi)))
        d = M.d_model
        mix = [(0, 0)] * d
        for i in range(n):
            o = self.rows[t[i], i][2]
            mix = [(m0 + p0, m1 + p1) for (m0, m1), (p0, p1) in
                   ((mi, _round(_mul(a[i], oi), one)) for mi, oi in zip(mix, o))]
        r = [(x + b + m0, x + b + m1) for x, b, (m0, m1) in zip(self.x_last[t[-1]], self.bO, mix)]
        S_lo, S_hi = sum(lo for lo, _ in r), sum(hi for _, hi in r)
        c = [(d * lo - S_hi, d * hi - S_lo) for lo, hi in r]
        z = self._layernorm(c, 2 * F, M.lnf_w, M.lnf_b)
        return [(a_ + b, c_ + b) for (a_, c_), b in zip(_vecmat(z, M.WU, 1), self.bU)]


def count_bruteforce_ln(
    M: ExactMaxOfK, P: int, k: int, progress: Callable[[int], None] | None = None
) -> tuple[int, int]:
    """(proven correct, proven incorrect) over all V^n inputs of a LayerNorm model."""
    V, n, d, h = M.d_vocab, M.n_ctx, M.d_model, M.d_head
    require("LayerNorm brute force", work=V**n * (n * (h + d) + d * V + 8 * d) + V * n * d * 3 * h * 4,
            bits=8 * (P + M.s) + 64 * k + 256)
    L = LNModel(M, P, k)
    good = bad = 0
    for t in product(range(V), repeat=n):
        c = L.classify(t)
        good += c == 1
        bad += c == -1
        if progress is not None:
            progress(1)
    return good, bad
