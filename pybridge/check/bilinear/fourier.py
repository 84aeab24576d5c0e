"""Trusted: strategy `low-rank` of the bilinear family, an accuracy count for a modular-addition model
from an interpretation (issue 13 item 4). Exact integers only; docs/CHECKING.md, "Family bilinear".

The model (check/bilinear/model.py, folded integer form, one positive unit 2^-e dropped throughout):
`logit_c(a, b) = sum_h D[c,h] (L_h,a + L_h,P+b)(R_h,a + R_h,P+b)`, correct on (a, b) iff the logit of
t = (a + b) mod P is strictly the largest. Split the hidden vector into a-only, b-only and cross parts:

    logit_c(a, b) = u[a][c] + v[b][c] + D_c . k(a, b),
    u[a][c] = sum_h D[c,h] L_h,a R_h,a,   v[b][c] = sum_h D[c,h] L_h,P+b R_h,P+b,
    k_h(a, b) = L_h,a R_h,P+b + L_h,P+b R_h,a.

The interpretation (hints, untrusted): integer matrices F (P x r) and C (r x H) and shifts sm, si >= 0,
read as `D 2^sm ~ F C 2^si` (for a grokked model F's columns are the output map's few directions, e.g.
Fourier modes of the class index). The checker computes the residual exactly,
`eps = D 2^sm - (F C) 2^si`, and `E2[t][c] = |eps_t - eps_c|^2`. With everything scaled by 2^sm,

    2^sm (logit_t - logit_c) = m + (eps_t - eps_c) . k,
    m = 2^sm (u[a][t] - u[a][c] + v[b][t] - v[b][c]) + 2^si (F_t - F_c) . (C k),

and by Cauchy-Schwarz |(eps_t - eps_c) . k| <= sqrt(E2[t][c] |k|^2). So the comparison (a, b, c) is
certified when m > 0 and m^2 > E2[t][c] |k|^2 (integers, no square root), and (a, b) is certified
correct when every c != t is. That is test 2 (r per comparison). Test 1 (optional hint `zbar`, P x r, O(1)
per comparison, run first): with zbar_s standing for C k on the pairs with a + b = s,
m1 = 2^sm (u/v differences) + 2^si (F_t - F_c) . zbar_(a+b) (tables G[s][c] = F_c . zbar_s, P^2 r), and
2^sm (logit_t - logit_c) = m1 + (eps_t - eps_c) . k + 2^si (F_t - F_c) . (C k - zbar_(a+b)), so
m1 > sqrt(X) + sqrt(Y), X = E2[t][c] |k|^2, Y = 4^si |F_t - F_c|^2 |C k - zbar|^2, proves the comparison;
exactly: m1 > 0, W = m1^2 - X - Y > 0 and W^2 > 4 X Y. Test 2 runs on the rows test 1 leaves open. Cost per input: r H (C k) + P r (the ideal logits) + O(P), instead of
the P H of the model's logits. Hybrid: at most `fallback_limit` comparisons the cheap test leaves open
are decided exactly (logit_t > logit_c, H multiply-adds each); further open comparisons leave their
pair uncounted. The claim holds for every F, C: the hints only change how many pairs get certified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pybridge.check.errors import InputError, Rejected

STRATEGY = "low-rank"
MAX_ENTRY_BITS = 160  # F, C
MAX_ZBAR_BITS = 1024  # zbar stands for C k, whose size grows with the model's integer width
MAX_SHIFT = 512


@dataclass(frozen=True)
class Interp:
    F: list[list[int]]  # P x r
    C: list[list[int]]  # r x H
    sm: int
    si: int
    fallback_limit: int
    zbar: list[list[int]] | None = None  # P x r: the interpretation's C k as a function of s = a + b


def _int(v: object, where: str, lo: int, hi: int) -> int:
    if type(v) is not int or not lo <= v <= hi:
        raise InputError(f"certificate field {where} must be an integer in {lo}..{hi}")
    return v


def _matrix(v: object, where: str, rows: int | None, cols: int | None, max_dim: int = 4096,
            max_bits: int = MAX_ENTRY_BITS) -> list[list[int]]:
    lim = 1 << max_bits
    if not isinstance(v, list) or not 1 <= len(v) <= max_dim or (rows is not None and len(v) != rows):
        raise InputError(f"certificate field {where} must be a list of {rows if rows is not None else 'r'} rows")
    n = cols if cols is not None else (len(v[0]) if isinstance(v[0], list) else -1)
    for row in v:
        if not isinstance(row, list) or len(row) != n or not 1 <= n <= max_dim:
            raise InputError(f"certificate field {where} must have rows of equal length "
                             f"{cols if cols is not None else '1..' + str(max_dim)}")
        for x in row:
            if type(x) is not int or not -lim < x < lim:
                raise InputError(f"certificate field {where} must hold integers of at most {max_bits} bits")
    return v


def parse_hints(hints: object, P: int, H: int) -> Interp:
    """Strict schema of the interpretation (`hints`), for P classes and H hidden units."""
    keys = {"F", "C", "shift_model", "shift_ideal", "fallback_limit"}
    if not isinstance(hints, dict) or not keys <= set(hints) <= keys | {"zbar"}:
        raise InputError(f"certificate field hints must hold exactly {', '.join(sorted(keys))}[, zbar]")
    F = _matrix(hints["F"], "hints.F", P, None)
    r = len(F[0])
    C = _matrix(hints["C"], "hints.C", r, H)
    zbar = _matrix(hints["zbar"], "hints.zbar", P, r, max_bits=MAX_ZBAR_BITS) if "zbar" in hints else None
    return Interp(F, C, _int(hints["shift_model"], "hints.shift_model", 0, MAX_SHIFT),
                  _int(hints["shift_ideal"], "hints.shift_ideal", 0, MAX_SHIFT),
                  _int(hints["fallback_limit"], "hints.fallback_limit", 0, P * P * max(P - 1, 0)), zbar)


def _bits(m: list[list[int]]) -> int:
    return max((abs(x).bit_length() for row in m for x in row), default=0)


def work(P: int, H: int, r: int, limit: int, model_bits: int, I: Interp) -> tuple[int, int]:
    """(work units, bits of the largest integer), from the shapes and hints only (worst case: every row
    needs the second test)."""
    w = P * r * H + 3 * P * P * H + P * (2 * P * H + P * H * r + P * P * r + 4 * P * P) + limit * 2 * H
    if I.zbar is not None:
        w += 2 * P * P * r + P * (3 * P * r + 9 * P * P)
    lg = (P * H * r + 2).bit_length()
    bF, bC = _bits(I.F), _bits(I.C)
    eps = max(model_bits + I.sm, bF + bC + lg + I.si) + 1
    k = 2 * model_bits + 1
    zb = max(bC + k + lg, _bits(I.zbar) if I.zbar is not None else 0) + 1
    m = max(3 * model_bits + lg + 3 + I.sm, bF + zb + 2 * lg + 1 + I.si) + 2
    e2 = max(2 * eps + 2 + lg, 2 * I.si + 2 * bF + 2 + lg) + 1
    kk = max(2 * k + lg, 2 * zb + lg) + 1
    return w, max(4 * m, 2 * (e2 + kk) + 2) + 4


@dataclass
class Count:
    certified: int  # pairs certified correct
    cheap_pairs: int  # of which by the cheap test alone
    fallback_used: int  # comparisons decided exactly
    open_left: int  # comparisons left open after the fallback budget ran out
    incorrect: int  # pairs found incorrect by an exact comparison
    work_cheap: int
    work_fallback: int


def count(M, I: Interp, progress=None, second: bool = True) -> Count:
    """Count the pairs certified correct (module doc). M: check.bilinear.model.ExactBilinear (task modadd).
    `second=False` skips test 2 (tests use it to check test 1 alone; the checker always runs both)."""
    P, H = M.p, M.d_hidden
    if P is None or M.d_in != 2 * P or M.n_out != P:
        raise InputError("bilinear low-rank covers modular-addition models (metadata task=modadd, p=P)")
    r = len(I.F[0])
    L = np.array(M.ZL, dtype=object)  # H x 2P
    R = np.array(M.ZR, dtype=object)
    D = np.array(M.ZD, dtype=object)  # P x H
    Fm = np.array(I.F, dtype=object)  # P x r
    Cm = np.array(I.C, dtype=object)  # r x H
    sm, si = I.sm, I.si
    eps = D * (1 << sm) - (Fm @ Cm) * (1 << si)  # P x H
    E2 = np.empty((P, P), dtype=object)
    for t in range(P):
        dif = eps - eps[t]
        E2[t] = (dif * dif).sum(axis=1)
    u = (L[:, :P] * R[:, :P]).T @ D.T  # P(a) x P(c)
    v = (L[:, P:] * R[:, P:]).T @ D.T  # P(b) x P(c)
    FT = Fm.T  # r x P
    cls = np.arange(P)
    certified = cheap = used = left = bad = 0
    fb_work = 0
    scale_m = 1 << sm
    scale_i = 1 << si
    cheap_work = P * r * H + 3 * P * P * H + P * P * (2 * H)  # eps, u, v, E2; K and kk per pair
    if I.zbar is not None:
        ZB = np.array(I.zbar, dtype=object)  # P(s) x r
        G = (ZB @ FT) * scale_i  # P(s) x P(c): 2^si F_c . zbar_s
        FF = np.empty((P, P), dtype=object)  # 4^si |F_t - F_c|^2
        for t in range(P):
            dF = Fm - Fm[t]
            FF[t] = (dF * dF).sum(axis=1) * (1 << (2 * si))
        cheap_work += 2 * P * P * r
    for a in range(P):
        K = (L[:, a][None, :] * R[:, P:].T) + (L[:, P:].T * R[:, a][None, :])  # P(b) x H: k(a, b)
        kk = (K * K).sum(axis=1)  # P(b)
        Z = K @ Cm.T  # P(b) x r: C k(a, b)
        cheap_work += P * H * r
        tb = (a + cls) % P  # the target of (a, b)
        UV = (u[a][None, :] + v) * scale_m  # P(b) x P(c)
        if I.zbar is not None:
            # test 1 (O(1) per comparison): the ideal through zbar_(a+b); the error is
            # (eps_t - eps_c) . k + 2^si (F_t - F_c) . (C k - zbar_(a+b)) <= sqrt(X) + sqrt(Y)
            dz = Z - ZB[tb]
            dd = (dz * dz).sum(axis=1)
            base = UV + G[tb]
            m1 = base[cls, tb][:, None] - base
            X = E2[tb] * kk[:, None]
            Y = FF[tb] * dd[:, None]
            W = m1 * m1 - X - Y  # m1 > sqrt(X) + sqrt(Y) iff m1 > 0, W > 0 and W^2 > 4 X Y
            ok = ((m1 > 0) & (W > 0) & (W * W > 4 * X * Y)).astype(bool)
            cheap_work += 3 * P * r + 9 * P * P
        else:
            ok = np.zeros((P, P), dtype=bool)
        ok[cls, tb] = True
        rows = np.nonzero(~ok.all(axis=1))[0]
        if len(rows) and second:
            # test 2 (r per comparison): the ideal through C k(a, b) itself, error vector eps_t - eps_c against k
            J = UV[rows] + (Z[rows] @ FT) * scale_i
            m = J[np.arange(len(rows)), tb[rows]][:, None] - J
            ok[rows] |= ((m > 0) & (m * m > E2[tb[rows]] * kk[rows][:, None])).astype(bool)
            cheap_work += len(rows) * (P * r + 4 * P)
        for b in np.nonzero(~ok.all(axis=1))[0].tolist():
            t = int(tb[b])
            open_c = np.nonzero(~ok[b])[0].tolist()
            good = True
            for i, c in enumerate(open_c):
                if used >= I.fallback_limit:
                    left += len(open_c) - i
                    good = False
                    break
                used += 1
                fb_work += 2 * H
                # exact: logit_t - logit_c = (u[a][t]-u[a][c]) + (v[b][t]-v[b][c]) + (D_t - D_c) . k(a, b)
                diff = u[a][t] - u[a][c] + v[b][t] - v[b][c] + sum((D[t] - D[c]) * K[b])
                if diff <= 0:
                    bad += 1
                    good = False
                    break
            certified += good
        cheap += int(ok.all(axis=1).sum())
        if progress is not None:
            progress(P)
    return Count(certified + cheap, cheap, used, left, bad, cheap_work, fb_work)


def brute_force_work(P: int, H: int) -> int:
    """Multiply-adds of the brute-force count on the same model: every pair's hidden vector and logits."""
    return P * P * H * (P + 2)


def check(M, cert, progress=None) -> tuple[Count, Interp]:
    """Verify a low-rank certificate against the loaded model M (Rejected if the count is short)."""
    from pybridge.check.bilinear.model import ExactBilinear, max_bits
    from pybridge.check.limits import require

    if not isinstance(M, ExactBilinear):
        raise InputError("bilinear low-rank covers models with one non-residual bilinear layer")
    if M.task != "modadd" or M.p is None:
        raise InputError("bilinear low-rank covers modular-addition models (metadata task=modadd, p=P)")
    P = M.p
    if cert.total != P * P:
        raise Rejected(f"claim.total is {cert.total}, but there are {P * P} pairs")
    I = cert.hints["interp"]
    r = len(I.F[0])
    w, bits = work(P, M.d_hidden, r, I.fallback_limit, max_bits(M), I)
    require("bilinear low-rank", w, bits)
    bar = progress("check bilinear low-rank", P * P) if progress else None
    res = count(M, I, bar)
    if res.certified < cert.correct_at_least:
        raise Rejected(f"low-rank: {res.certified} pairs certified ({res.cheap_pairs} by the cheap test, "
                       f"{res.fallback_used} exact comparisons, {res.open_left} left open), fewer than the claimed "
                       f"{cert.correct_at_least}")
    return res, I


def parse(doc: dict):
    """Strict schema of a low-rank certificate (the envelope is already checked)."""
    from pybridge.check.certificate import Certificate, int_field, sha256_field

    sha = sha256_field(doc)
    model = doc.get("model")
    keys = ("d_in", "d_hidden", "n_out")
    if not isinstance(model, dict) or not set(model) <= set(keys) | {"file"} or not set(keys) <= set(model):
        raise InputError("certificate field model must hold d_in, d_hidden, n_out[, file]")
    shape = {k: int_field(model, k, "model", 1, 1 << 24) for k in keys}
    mfile = model.get("file")
    if mfile is not None and not isinstance(mfile, str):
        raise InputError("certificate field model.file must be a string")
    if doc.get("params", {}) != {}:
        raise InputError("certificate field params must be empty for bilinear certificates")
    claim = doc.get("claim")
    if not isinstance(claim, dict) or set(claim) != {"correct_at_least", "total"}:
        raise InputError("certificate field claim must hold exactly correct_at_least, total")
    total = int_field(claim, "total", "claim", 1, 1 << 40)
    N = int_field(claim, "correct_at_least", "claim", 0, total)
    I = parse_hints(doc.get("hints"), shape["n_out"], shape["d_hidden"])
    return Certificate(STRATEGY, sha, shape, mfile, 0, 0, N, total, None, {"interp": I}, "bilinear")


def verify(cert, M, progress, t0: float):
    """The CheckResult of a low-rank certificate (M: the loaded model, shape already matched)."""
    import time

    from pybridge.check.result import CheckResult

    res, I = check(M, cert, progress)
    P, H = M.p, M.d_hidden
    details = {"rank": len(I.F[0]), "certified": res.certified, "certified_cheap": res.cheap_pairs,
               "fallback_comparisons": res.fallback_used, "open_comparisons": res.open_left,
               "incorrect_found": res.incorrect, "work_cheap": res.work_cheap, "work_fallback": res.work_fallback,
               "work_brute_force": brute_force_work(P, H)}
    st = (f"low-rank: at least {cert.correct_at_least}/{cert.total} pairs correct ({res.cheap_pairs} by the rank-"
          f"{len(I.F[0])} interpretation, {res.certified - res.cheap_pairs} more by {res.fallback_used} exact "
          f"comparisons; work {res.work_cheap + res.work_fallback:.3g} vs brute force {brute_force_work(P, H):.3g})")
    return CheckResult(STRATEGY, cert.correct_at_least, cert.total, res.certified, None, None,
                       {"total": time.perf_counter() - t0}, "bilinear", statement=st, details=details)
