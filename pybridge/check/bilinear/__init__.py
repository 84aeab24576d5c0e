"""Trusted checker of the bilinear family (one bilinear layer, optional embedding and head).

Exact integers only (model.py: the folded model, the Gram identity, modular-addition brute force).
Claims: accuracy count (brute-force), `f_B = lambda f_A` (equivalent), `cos >= c` (similarity), and
`|f_A(x)_o - f_B(x)_o| <= delta |x|^2` (distance, from the per-output Frobenius norm).
"""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

from pybridge.check.bilinear.certificate import fmt
from pybridge.check.bilinear.certificate import parse as _parse
from pybridge.check.errors import InputError, Rejected
from pybridge.check.limits import require
from pybridge.check.result import CheckResult, ProgressFactory

DESCRIPTION = "bilinear models: brute-force accuracy (modular addition), equivalence, similarity, distance"
__all__ = ["DESCRIPTION", "parse", "verify"]


def parse(doc: dict):
    if doc.get("strategy") == "low-rank":  # accuracy from an interpretation (fourier.py)
        from pybridge.check.bilinear.fourier import parse as parse_low_rank

        return parse_low_rank(doc)
    return _parse(doc)


def _approx(q: Fraction) -> str:
    """A float reading of an exact rational for messages (never raises: huge values are named as such)."""
    try:
        return f"{float(q):.6g}"
    except OverflowError:
        return "huge"


def _load(path: Path, sha: str, what: str):
    from pybridge.check.bilinear.model import load_bilinear

    M = load_bilinear(path)
    if M.sha256 != sha:
        raise Rejected(f"{what} mismatch: weights hash {M.sha256[:12]}..., certificate is for {sha[:12]}...")
    return M


def _shape(M) -> dict:
    from pybridge.check.bilinear.model import depth

    return {"d_in": M.d_in, "d_hidden": M.d_hidden, "n_out": M.n_out, **({"layers": depth(M)} if depth(M) > 1 else {})}


def verify(cert, cert_path: Path, model, progress: ProgressFactory | None = None, cache: dict | None = None) -> CheckResult:
    from pybridge.check.bilinear import model as bm
    from pybridge.check.modelfile import resolve_model_path

    t0 = time.perf_counter()
    A = _load(resolve_model_path(cert, cert_path, model), cert.model_sha256, "model")
    if _shape(A) != cert.shape:
        raise Rejected(f"model shape {_shape(A)} differs from the certificate's {cert.shape}")
    if cert.strategy == "low-rank":
        from pybridge.check.bilinear import fourier

        return fourier.verify(cert, A, progress, t0)
    if cert.strategy == "brute-force":
        if A.task != "modadd" or A.p is None:
            raise InputError("bilinear brute-force covers modular-addition models (metadata task=modadd, p=P)")
        P = A.p
        if cert.total != P * P:
            raise Rejected(f"claim.total is {cert.total}, but there are {P * P} pairs")
        if cert.correct_at_least + (cert.incorrect_at_least or 0) > cert.total:
            raise Rejected("claim.correct_at_least + claim.incorrect_at_least exceeds claim.total")
        work, bits = bm.model_work(A)
        require("bilinear brute-force", work, bits)
        bar = progress("check bilinear brute-force", P * P) if progress else None
        good, bad = bm.count_modadd(A, bar)
        if good < cert.correct_at_least:
            raise Rejected(f"brute force: {good} pairs correct, fewer than the claimed {cert.correct_at_least}")
        if cert.incorrect_at_least is not None and bad < cert.incorrect_at_least:
            raise Rejected(f"brute force: {bad} pairs incorrect, fewer than the claimed {cert.incorrect_at_least}")
        return CheckResult("brute-force", cert.correct_at_least, cert.total, good, cert.incorrect_at_least, bad,
                           {"total": time.perf_counter() - t0}, "bilinear")
    from pybridge.check.modelfile import sibling_file

    # the second model: a plain file name in the certificate's folder (the same rule as model.file)
    bpath = sibling_file(cert_path, cert.hints["model_b_file"], "model.model_b_file")
    B = _load(bpath, cert.hints["model_b_sha256"], "second model")
    if A.d_in != B.d_in or A.n_out != B.n_out:
        raise Rejected(f"the two models differ in shape (inputs {A.d_in}/{B.d_in}, outputs {A.n_out}/{B.n_out})")
    n = bm.depth(A)
    if bm.depth(B) != n:
        raise Rejected(f"the models have {n} and {bm.depth(B)} bilinear layers: their tensors live in different spaces")
    deep = n > 1 or not isinstance(A, bm.ExactBilinear) or not isinstance(B, bm.ExactBilinear)
    if cert.strategy == "spectral" and deep:
        raise InputError("bilinear spectral covers one non-residual layer per model (the tensors are materialised)")
    w1, b1 = bm.pair_gram_work(A, B)
    w2, b2 = bm.pair_gram_work(A, A)
    w3, b3 = bm.pair_gram_work(B, B)
    require(f"bilinear {cert.strategy}", w1 + w2 + w3, max(b1, b2, b3))
    (IAB, gab), (IAA, gaa), (IBB, gbb) = bm.pair_gram(A, B), bm.pair_gram(A, A), bm.pair_gram(B, B)
    # exact inner products of the tensors (per output o and summed): <T_A,o, T_B,o> = IAB[o] / 2^gab, ...
    fab, faa, fbb = (Fraction(sum(I), 1 << g) for I, g in ((IAB, gab), (IAA, gaa), (IBB, gbb)))
    v: Fraction = cert.hints["value"]
    details = {"inner_ab": fmt(fab), "inner_aa": fmt(faa), "inner_bb": fmt(fbb), "layers": n}
    if cert.strategy == "spectral":
        from pybridge.check.bilinear import spectral

        w, b = spectral.work(A, B)
        require("bilinear spectral", w, b)
        ldl = spectral.parse_ldl(cert.hints["ldl"], A.n_out, A.d_in)
        spectral.check_spectral(A, B, v, ldl)
        return CheckResult(cert.strategy, 1, 1, 1, None, None, {"total": time.perf_counter() - t0}, "bilinear",
                           statement=f"spectral distance: |f_A(x)_o - f_B(x)_o| <= {fmt(v)} |x|^2 for every x and "
                                     f"output o (~{_approx(v)}; exact LDL^T certificates)", details=details)
    if cert.strategy == "equivalent":
        # ||S_B - mu S_A||^2 = IBB - 2 mu IAB + mu^2 IAA (in the integer unit); zero iff IAB^2 = IAA IBB, mu = IAB/IAA
        if faa == 0:
            raise Rejected("model A's tensor is zero: no positive lambda is determined")
        if fab <= 0 or fab * fab != faa * fbb:
            raise Rejected("the symmetric tensors are not positively proportional (<A,B>^2 != <A,A><B,B> or <A,B> <= 0)")
        lam = fab / faa
        if lam != v:
            raise Rejected(f"lambda is {fmt(lam)}, not the claimed {fmt(v)}")
        if deep:  # sufficient, not necessary, at depth >= 2 (docs/CHECKING.md section 11)
            st = (f"equivalent: T_B = {fmt(v)} * T_A exactly (per-layer symmetrised tensors, {n} layer(s)), so "
                  f"f_B(x) = {fmt(v)} f_A(x) for every x")
        else:
            st = f"equivalent: Bs_B = {fmt(v)} * Bs_A exactly, so f_B(x) = {fmt(v)} f_A(x) for every x"
    elif cert.strategy == "similarity":
        if fab < 0 or fab * fab < v * v * faa * fbb:
            raise Rejected(f"cos(A, B) >= {fmt(v)} does not hold (<A,B> < 0 or <A,B>^2 < c^2 <A,A><B,B>)")
        st = (f"similarity: cos(T_A, T_B) >= {fmt(v)} (~{_approx(v)}; per-layer symmetrised tensors, {n} layers)" if deep
              else f"similarity: cos(Bs_A, Bs_B) >= {fmt(v)} (~{_approx(v)})")
    else:
        # per output o: ||Bs_A,o - Bs_B,o||_F^2 = <A,A>_o - 2 <A,B>_o + <B,B>_o; |x^T M x| <= ||M||_F |x|^2
        worst = max(Fraction(x, 1 << gaa) - 2 * Fraction(y, 1 << gab) + Fraction(z, 1 << gbb)
                    for x, y, z in zip(IAA, IAB, IBB))
        details["max_frobenius_sq"] = fmt(worst)
        if worst > v * v:
            raise Rejected(f"delta^2 = {_approx(v * v)} is below the largest per-output squared Frobenius "
                           f"distance {_approx(worst)}")
        if deep:
            # |f_A(x)_o - f_B(x)_o| = |<T_A,o - T_B,o, x~^(2^n)>| <= ||T_A,o - T_B,o||_F |x~|^(2^n), |x~|^2 = [1 +] |x|^2
            c = "1 + " if bm.as_net(A).affine or bm.as_net(B).affine else ""
            st = (f"distance: |f_A(x)_o - f_B(x)_o| <= {fmt(v)} ({c}|x|^2)^{2 ** (n - 1)} for every x and output o "
                  f"(~{_approx(v)}; {n} layer(s))")
        else:
            st = f"distance: |f_A(x)_o - f_B(x)_o| <= {fmt(v)} |x|^2 for every x and output o (~{_approx(v)})"
    return CheckResult(cert.strategy, 1, 1, 1, None, None, {"total": time.perf_counter() - t0}, "bilinear",
                       statement=st, details=details)
