"""Trusted: the gap-block check (strategy `subcubic`, docs/CHECKING.md section 6c).

A block `(q, m, c, g, D)` stands for the inputs with query `q`, max `m`, and exactly `c` of the
`n-1` non-query positions holding tokens `<= m - g` (the others hold `m`): `C(n-1, c) (m-g+1)^c`
inputs. Unlike `cubic-count`, nothing here is a per-(q, m, token) quantity: every term is computed
from O(V^2 n) numbers, and the two hinted quantities are verified, not trusted:

- direct path: either exact, `e[q][m] = EU[q][m] - max_{j != m} EU[q][j]`, or split as a reference
  row `u` plus a per-query spread `delta[q] >= max_x (EU[q][x] - u[x]) - min_x (EU[q][x] - u[x])`
  (verified), giving `e[q][m] = u[m] - max_{j != m} u[j] - delta[q] <= EU[q][m] - EU[q][j]`;
- attention: `D <= QK[q][m][i] - QK[q][k][i]` for every `k <= m-g` (verified at i = 0; the
  difference does not depend on the position because the key is linear in `E[tok] + P[i]`), so the
  weight of a non-max token is at most `w(q,m,i) exp(-D/sqrt h)`.

Value path: with `OV[tok][i] = EV[tok] + PV[i]` (EV = OV at position 0, PV[i] = OV[0][i] - OV[0][0],
an identity of the exact tables that is verified), `ev(m,k) = EV[k][m] - max_{j != m} EV[k][j]` and
`pv(m,i) = PV[i][m] - max_{j != m} PV[i][j]` bound `OV[k][i][m] - OV[k][i][j]` from below.
Then with `L = e + min_{k <= m-g} ev(m,k) + pv(m,i)` and `Y_i >= w(q,k,i)` for all `k <= m-g`,
every non-max position contributes at least `a_i = min(L, 0) * Y_i`, the max token at `i` at least
`b_i = lb(e + ev(m,m) + pv(m,i), WLO, WHI)`, the query `T_q = lb(e + ev(m,q) + pv(m,n-1), ...)`;
the block passes iff `T_q + sum_i b_i + (sum of the c smallest a_i - b_i) > 0`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from math import comb

from pybridge.check.maxofk.bruteforce import lb
from pybridge.check.errors import Rejected
from pybridge.check.maxofk.fixedpoint import exp_hi, scale_bounds, score_bounds
from pybridge.check.maxofk.tables import Tables, Weights, align_bits

MAX_ABS_HINT = 1 << 400


def _max_excluding(row: list[int]) -> list[int]:
    """out[m] = max_{j != m} row[j] (needs len(row) >= 2), in O(len(row))."""
    top = max(range(len(row)), key=row.__getitem__)
    second = max(row[j] for j in range(len(row)) if j != top)
    return [second if m == top else row[top] for m in range(len(row))]


def direct_bounds(T: Tables, direct: object) -> list[list[int]]:
    """e[q][m] <= min_{j != m} (EU[q][m] - EU[q][j]) (unit 2^-4s), from the verified direct hint."""
    V = len(T.EU)
    if direct == {"mode": "exact"}:
        return [[r - x for r, x in zip(row, _max_excluding(row))] for row in T.EU]
    if not (isinstance(direct, dict) and set(direct) == {"mode", "u", "delta"} and direct["mode"] == "split"):
        raise Rejected('hint "direct" must be {"mode": "exact"} or {"mode": "split", "u": [...], "delta": [...]}')
    u, delta = direct["u"], direct["delta"]
    for name, vec in (("u", u), ("delta", delta)):
        if not (isinstance(vec, list) and len(vec) == V and all(type(x) is int and abs(x) < MAX_ABS_HINT for x in vec)):
            raise Rejected(f"hint direct.{name} must be a list of {V} integers")
    for q in range(V):
        d = [EU - ux for EU, ux in zip(T.EU[q], u)]
        if max(d) - min(d) > delta[q]:
            raise Rejected(f"hint direct.delta[{q}] = {delta[q]} is below the spread {max(d) - min(d)} of EU[{q}] - u")
    umax = _max_excluding(u)
    return [[u[m] - umax[m] - delta[q] for m in range(V)] for q in range(V)]


def value_split(T: Tables, n: int) -> tuple[list[list[int]], list[list[int]]]:
    """(ev[m][k], pv[m][i]) with ev + pv <= OV[k][i][m] - OV[k][i][j] for all j != m."""
    V = len(T.EU)
    EV = [T.OV[k][0] for k in range(V)]
    PV = [[a - b for a, b in zip(T.OV[0][i], T.OV[0][0])] for i in range(n)]
    for k in range(V):
        for i in range(n):
            if any(o != e + p for o, e, p in zip(T.OV[k][i], EV[k], PV[i])):
                raise Rejected(f"OV table is not additive in token and position at ({k}, {i})")
    evx = [_max_excluding(r) for r in EV]
    pvx = [_max_excluding(r) for r in PV]
    ev = [[EV[k][m] - evx[k][m] for k in range(V)] for m in range(V)]
    pv = [[PV[i][m] - pvx[i][m] for i in range(n)] for m in range(V)]
    return ev, pv


def validate_gap_blocks(blocks: Iterable[object], V: int, n: int) -> list[tuple[int, int, int, int, int]]:
    """Integers in range; g in 1..m when c > 0 (g = 0 when c = 0); unique (q, m, c)."""
    out, seen = [], set()
    for idx, b in enumerate(blocks):
        if not (isinstance(b, list) and len(b) == 5 and all(type(x) is int for x in b)):
            raise Rejected(f"hint block {idx} is not a list of five integers")
        q, m, c, g, D = b
        if not (0 <= q <= m < V):
            raise Rejected(f"hint block {idx}: need 0 <= q <= m < d_vocab, got q={q}, m={m}")
        if not (0 <= c <= n - 1) or (q < m and c == n - 1):
            raise Rejected(f"hint block {idx}: invalid number of non-max positions {c}")
        if (c == 0 and g != 0) or (c > 0 and not 1 <= g <= m):
            raise Rejected(f"hint block {idx}: gap {g} out of range (1..m for c > 0, 0 for c = 0)")
        if abs(D) >= MAX_ABS_HINT:
            raise Rejected(f"hint block {idx}: attention bound out of range")
        if (q, m, c) in seen:
            raise Rejected(f"hint block {idx}: duplicate block (q={q}, m={m}, c={c})")
        seen.add((q, m, c))
        out.append((q, m, c, g, D))
    return out


class GapChecker:
    """The O(V^2 n) precomputation of section 6c, then one `margin` call per block."""

    def __init__(self, T: Tables, W: Weights, n: int, d_head: int, s: int, P: int, k: int, direct: object):
        V = len(T.EU)
        self.T, self.W, self.n, self.P, self.k, self.four_s = T, W, n, P, k, 4 * s
        self.SLO, self.SHI = scale_bounds(d_head, P)
        self._att: dict[int, tuple[int, int]] = {}
        self.e = direct_bounds(T, direct)
        self.ev, self.pv = value_split(T, n)
        self.evmin = [_prefix(self.ev[m], min) for m in range(V)]  # evmin[m][t] = min_{k <= t} ev[m][k]
        for q in range(V):  # the score difference of two keys does not depend on the position
            pos = [T.QK[q][0][i] - T.QK[q][0][0] for i in range(n)]
            if any(T.QK[q][t][i] - T.QK[q][t][0] != pos[i] for t in range(V) for i in range(n)):
                raise Rejected(f"QK table is not additive in token and position at query {q}")
        self.qkmax = [_prefix([T.QK[q][t][0] for t in range(V)], max) for q in range(V)]
        # whimax[q][t][i] = max_{k <= t} WHI[q][k][i] >= w(q, k, i) for every k <= t: a second valid Y_i
        self.whimax = [[_prefix([W.WHI[q][t][i] for t in range(V)], max) for i in range(n)] for q in range(V)]
        # |lo| is capped at LO_CAP nats: a smaller lo only weakens exp(-lo) (issue 10: no integer grows with |D|)
        self.lo_cap = (align_bits(P) // 2) << P

    def _attenuation(self, D: int) -> tuple[int | None, int]:
        """EXPHI(-lo) with lo/2^P <= D/2^(4s)/sqrt(h), lo capped at LO_CAP (a weaker, still valid bound);
        (None, 0) when -lo is above LO_CAP (no useful bound: the caller uses whimax alone). Memoised."""
        hit = self._att.get(D)
        if hit is None:
            lo, _ = score_bounds(D, self.four_s, self.SLO, self.SHI)
            lo = min(lo, self.lo_cap)
            hit = self._att[D] = (None, 0) if -lo > self.lo_cap else exp_hi(-lo, self.P, self.k)
        return hit

    def _y(self, q: int, m: int, t: int, i: int, cx: int | None, f: int) -> int:
        """Y_i (unit 2^E[q], for f >= 0 or no attenuation bound) = min(WHI[q][m][i] cx 2^f, whimax[q][t][i]),
        without forming the product when it is surely the larger one."""
        cap = self.whimax[q][i][t]
        if cx is None:
            return cap
        w = self.W.WHI[q][m][i]
        if w.bit_length() + cx.bit_length() + f > cap.bit_length() + 1:
            return cap
        return min((w * cx) << f, cap)

    def margin(self, q: int, m: int, c: int, g: int, D: int) -> tuple[int, int]:
        """(numerator margin lower bound, exponent f): the real margin times the normaliser is at
        least `value * 2^(E[q] + min(f, 0))`; the block passes iff value > 0."""
        n, W, e = self.n, self.W, self.e[q][m]
        ev, pv = self.ev[m], self.pv[m]
        T_q = lb(e + ev[q] + pv[n - 1], W.WLO[q][q][n - 1], W.WHI[q][q][n - 1])
        b = [lb(e + ev[m] + pv[i], W.WLO[q][m][i], W.WHI[q][m][i]) for i in range(n - 1)]
        if c == 0:
            return T_q + sum(b), 0
        t = m - g
        if D > self.T.QK[q][m][0] - self.qkmax[q][t]:
            raise Rejected(f"block ({q}, {m}, {c}): attention bound {D} exceeds QK[q][m] - max_(k<={t}) QK[q][k]")
        cx, f = self._attenuation(D)  # exp(-D/sqrt h) <= cx 2^f (cx None: no bound below whimax)
        L0 = e + self.evmin[m][t]
        if cx is None or f >= 0:  # units 2^E[q]; Y_i = min(WHI[q][m][i] cx 2^f, max_{k<=t} WHI[q][k][i])
            a = [min(L0 + pv[i], 0) * self._y(q, m, t, i, cx, f) for i in range(n - 1)]
            sh, f = 0, 0
        else:  # f < 0: units 2^(E[q] + f); |f| is bounded through LO_CAP
            sh = -f
            a = [min(L0 + pv[i], 0) * W.WHI[q][m][i] * cx for i in range(n - 1)]
        bs = [x << sh for x in b]
        diffs = sorted(x - y for x, y in zip(a, bs))
        return (T_q << sh) + sum(bs) + sum(diffs[:c]), min(f, 0)


def count_subcubic(
    T: Tables, W: Weights, n: int, d_head: int, s: int, P: int, k: int, hints: dict,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, list[int]]:
    """Return (number of inputs proven correct, per-block margin values)."""
    V = len(T.EU)
    if V < 2:
        raise Rejected("strategy subcubic needs d_vocab >= 2")
    blocks = validate_gap_blocks(hints["blocks"], V, n)
    G = GapChecker(T, W, n, d_head, s, P, k, hints["direct"])
    count, margins = 0, []
    for q, m, c, g, D in blocks:
        mg, _ = G.margin(q, m, c, g, D)
        if mg > 0:
            count += comb(n - 1, c) * (m - g + 1) ** c if c else 1
        margins.append(mg)
        if progress is not None:
            progress(1)
    return count, margins


def _prefix(xs: list[int], f: Callable[[int, int], int]) -> list[int]:
    out, acc = [], xs[0]
    for x in xs:
        acc = f(acc, x)
        out.append(acc)
    return out
