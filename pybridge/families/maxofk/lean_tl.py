"""A line-by-line Python transcription of the Lean brute-force checker for models with biases and/or LayerNorm:
`check_bf_tl` of Proofs/TL/BruteForceTL.lean, with the definitions it uses from Proofs/TL/IntervalTL.lean and
Proofs/ExpBounds.lean (issue 15). Untrusted.

There is no Lean toolchain here. The Lean export (`render_lean`) runs this transcription on the integers it writes
and refuses, in one line, a certificate whose claim the Lean checker would not prove: its `ln_final` enclosure is
looser than the Python/Coq one (no fold), so at a small `fixed_bits` it can count fewer inputs.
tests/test_lean_maxofk_tl.py checks that it counts exactly the Python checker's N on small models, reading the
integers back from the exported file.
"""

from __future__ import annotations

import itertools

# Proofs/ExpBounds.lean, Proofs/ListUtil.lean, Proofs/Dyadic.lean, Proofs/Checker.lean

def ediv(a: int, b: int) -> int:
    """Lean's Int `/` (Euclidean division; `a / 0 = 0`)."""
    if b == 0:
        return 0
    return a // b if b > 0 else -(a // -b)


fdiv = ediv


def cdiv(a: int, b: int) -> int:
    return -ediv(-a, b)


def bitlen(x: int) -> int:  # bitlenAux x x
    fuel, r = x, 0
    while fuel > 0 and x != 0:
        fuel, x, r = fuel - 1, x // 2, r + 1
    return r


def exp_step(P: int, be: tuple[int, int]) -> tuple[int, int]:
    b, e = be
    r = bitlen(max(b * b, 0)) - P  # sq_shift (Int.toNat of b*b)
    return (fdiv(b * b, 2 ** r), 2 * e + r) if 0 < r else (b * b, 2 * e)


def EXPLO(P: int, k: int, x: int) -> tuple[int, int]:
    b0 = 2 ** P + fdiv(x, 2 ** k)
    if b0 <= 0:
        return (0, 0)
    be = (b0, -P)
    for _ in range(k):  # iter_step
        be = exp_step(P, be)
    return be


def EXPHI(P: int, k: int, x: int) -> tuple[int, int]:
    lo = EXPLO(P, k, -x)
    return (cdiv(2 ** (2 * P), lo[0]), -lo[1] - 2 * P)


def isqrt_aux(N: int, fuel: int, lo: int, hi: int) -> int:
    while fuel > 0 and hi > lo + 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if mid * mid <= N else (lo, mid)
        fuel -= 1
    return lo


def SLO(P: int, h: int) -> int:
    return isqrt_aux(2 ** P * 2 ** P // h if h else 0, P + 2, 0, 2 ** P + 1)


def scale_ok(P: int, h: int) -> bool:
    lo, hi = SLO(P, h), SLO(P, h) + 1
    return 0 < h and 0 <= lo and lo * lo * h <= 2 ** P * 2 ** P <= hi * hi * h


def dalign(x: tuple[int, int], e: int) -> int:
    return x[0] * 2 ** max(x[1] - e, 0)  # Int.toNat


def nth(i, lst, d):
    return lst[i] if i < len(lst) else d


def tabulate(n, f):
    return [f(i) for i in range(n)]


def all_b(f, n) -> bool:  # allB
    return all(f(i) for i in range(n))


# Proofs/TL/IntervalTL.lean

def iadd(a, b):
    return (a[0] + b[0], a[1] + b[1])


def isub(a, b):
    return (a[0] - b[1], a[1] - b[0])


def imul(F, a, b):
    p1, p2, p3, p4 = a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]
    return (fdiv(min(min(p1, p2), min(p3, p4)), 2 ** F), cdiv(max(max(p1, p2), max(p3, p4)), 2 ** F))


def iscale(s, a, z):
    if 0 <= z:
        return (fdiv(z * a[0], 2 ** s), cdiv(z * a[1], 2 ** s))
    return (fdiv(z * a[1], 2 ** s), cdiv(z * a[0], 2 ** s))


def iw(F, s, z):
    return (z * 2 ** max(F - s, 0), z * 2 ** max(F - s, 0))  # Nat subtraction


def idiv(a, m):
    return (fdiv(a[0], m), cdiv(a[1], m))


def isq(F, a):
    lo, hi = a
    if 0 <= lo:
        return (fdiv(lo * lo, 2 ** F), cdiv(hi * hi, 2 ** F))
    if hi <= 0:
        return (fdiv(hi * hi, 2 ** F), cdiv(lo * lo, 2 ** F))
    return (0, cdiv(max(lo * lo, hi * hi), 2 ** F))


def isum(m, f):
    acc = (0, 0)
    for k in range(m):
        acc = iadd(acc, f(k))
    return acc


def zsqrt(N):
    n = max(N, 0)
    return isqrt_aux(n, bitlen(n) + 2, 0, n + 1)


def inv_sqrt_num(F, lo, en, ed):
    return max(lo, 0) * ed + en * 2 ** F


def iinvsqrt(F, a, en, ed):
    one = ed * 2 ** (3 * F)
    return (zsqrt(fdiv(one, inv_sqrt_num(F, a[1], en, ed))), zsqrt(fdiv(one, inv_sqrt_num(F, a[0], en, ed))) + 1)


def isqrt_ok(F, a, en, ed) -> bool:
    one, r = ed * 2 ** (3 * F), iinvsqrt(F, a, en, ed)
    return (0 < en and 0 < ed and r[0] * r[0] * inv_sqrt_num(F, a[1], en, ed) <= one
            and one <= r[1] * r[1] * inv_sqrt_num(F, a[0], en, ed))


# Proofs/TL/BruteForceTL.lean

def inth(lst, k):
    return nth(k, lst, (0, 0))


def attn_itv(F, wl, wh, tl, th):
    return (fdiv(wl * 2 ** F, wl + (th - wh)) if 0 < wl + (th - wh) else 0,
            cdiv(wh * 2 ** F, wh + (tl - wl)) if 0 < wh + (tl - wl) else 2 ** F)


def check_bf_tl(M: dict, F: int, kk: int, N: int) -> tuple[bool, int]:
    """`check_bf_tl M F kk N` and the number of inputs `proven` accepts. `M` has the TLModel fields."""
    V, n, d, h, s, en, ed = M["V"], M["n"], M["d"], M["h"], M["s"], M["epsNum"], M["epsDen"]
    dflt_row = (False, [], [], [])

    def getrow(R, tok, i):
        return nth(i, nth(tok, R, []), dflt_row)

    def iwt(z):
        return iw(F, s, z)

    def ivm(m, u, A, j):
        return isum(m, lambda k: iscale(s, inth(u, k), nth(j, nth(k, A, []), 0)))

    def iaff(m, u, A, b, c):
        return tabulate(c, lambda j: iadd(ivm(m, u, A, j), iwt(nth(j, b, 0))))

    def lnmu(u):
        return idiv(isum(d, lambda k: inth(u, k)), d)

    def lncs(u):
        mu = lnmu(u)
        return tabulate(d, lambda k: isub(inth(u, k), mu))

    def lnvar(u):
        cs = lncs(u)
        return idiv(isum(d, lambda l: isq(F, inth(cs, l))), d)

    def lnout(u, w, b):
        cs, rho = lncs(u), iinvsqrt(F, lnvar(u), en, ed)
        return tabulate(d, lambda k: iadd(iscale(s, imul(F, inth(cs, k), rho), nth(k, w, 0)), iwt(nth(k, b, 0))))

    def ix(tok, i):
        return tabulate(d, lambda k: iadd(iwt(nth(k, nth(tok, M["E"], []), 0)), iwt(nth(k, nth(i, M["Pos"], []), 0))))

    def yrow(tok, i):
        if M["ln"]:
            return (isqrt_ok(F, lnvar(ix(tok, i)), en, ed), lnout(ix(tok, i), M["ln1w"], M["ln1b"]))
        return (True, ix(tok, i))

    def mkrow(tok, i):
        ok, y = yrow(tok, i)
        return (ok, iaff(d, y, M["WQ"], M["bQ"], h), iaff(d, y, M["WK"], M["bK"], h), iaff(d, y, M["WV"], M["bV"], h))

    def proven(R, t):
        qrow = getrow(R, nth(n - 1, t, 0), n - 1)

        def prow(i):
            return getrow(R, nth(i, t, 0), i)

        scores = tabulate(n, lambda i: imul(F, isum(h, lambda j: imul(F, inth(qrow[1], j), inth(prow(i)[2], j))),
                                            (SLO(F, h), SLO(F, h) + 1)))
        smax = max(p[1] for p in scores)  # zmax_list, n >= 1
        wlo = tabulate(n, lambda i: EXPLO(F, kk, inth(scores, i)[0] - smax))
        whi = tabulate(n, lambda i: EXPHI(F, kk, inth(scores, i)[1] - smax))
        wex = min(min(nth(i, wlo, (0, 0))[1], nth(i, whi, (0, 0))[1]) for i in range(n))  # zmin_list
        WLv = tabulate(n, lambda i: dalign(nth(i, wlo, (0, 0)), wex))
        WHv = tabulate(n, lambda i: dalign(nth(i, whi, (0, 0)), wex))
        tl, th = sum(nth(l, WLv, 0) for l in range(n)), sum(nth(l, WHv, 0) for l in range(n))
        attnv = tabulate(n, lambda i: attn_itv(F, nth(i, WLv, 0), nth(i, WHv, 0), tl, th))
        explo_ok = all_b(lambda i: 0 < EXPLO(F, kk, -(inth(scores, i)[1] - smax))[0], n)
        zhv = tabulate(h, lambda j: isum(n, lambda i: imul(F, inth(attnv, i), inth(prow(i)[3], j))))
        xq = ix(nth(n - 1, t, 0), n - 1)
        residv = tabulate(d, lambda k: iadd(iadd(inth(xq, k), ivm(h, zhv, M["WO"], k)), iwt(nth(k, M["bO"], 0))))
        if M["ln"]:
            finv = (isqrt_ok(F, lnvar(residv), en, ed), lnout(residv, M["lnfw"], M["lnfb"]))
        else:
            finv = (True, residv)
        logitv = iaff(d, finv[1], M["WU"], M["bU"], V)
        m = max(t)  # list_max
        return explo_ok and finv[0] and all_b(lambda j: j == m or inth(logitv, j)[1] < inth(logitv, m)[0], V)

    basic = 1 <= n and 1 <= h and 1 <= d and 1 <= F and s <= F and scale_ok(F, h) and 0 < en and 0 < ed
    if not basic:
        return False, 0
    R = tabulate(V, lambda tok: tabulate(n, lambda i: mkrow(tok, i)))
    if not all_b(lambda tok: all_b(lambda i: getrow(R, tok, i)[0], n), V):
        return False, 0
    count = sum(1 for t in itertools.product(range(V), repeat=n) if proven(R, list(t)))
    return N <= count, count
