"""Prover side (untrusted) of strategy `low-rank`: an accuracy count for a modular-addition bilinear model
from an interpretation of its output map (issue 13 item 4). The checker is pybridge/check/bilinear/fourier.py
(its docstring has the argument); this module only chooses the hints:

- basis `svd`: the output map D (P x H, head folded in) is replaced by its best rank-r approximation F C;
- basis `fourier`: F's columns are the constant and cos/sin(2 pi k c / P) for the K frequencies with the most
  energy in D's columns (the "Fourier circuit"), C the least-squares coefficients (rank 2K + 1).

Both are rounded to integers (`bits` bits for the largest entry); the checker derives the residual exactly.
`mode=hybrid` (default) lets the checker decide the comparisons the cheap test leaves open exactly
(fallback_limit = the number needed, so the count is exact); `mode=cheap` certifies with the interpretation only.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from pybridge.certio import ProofResult
from pybridge.check.bilinear.fourier import STRATEGY, Interp, brute_force_work, count
from pybridge.check.bilinear.model import ExactBilinear, load_bilinear

PARAMS = {"basis": ("svd", "fourier"), "mode": ("hybrid", "cheap"), "zbar": ("yes", "no")}


def _scaled_float(Z: list[list[int]]) -> tuple[np.ndarray, int]:
    """The integer matrix Z as float64 times 2^-x (exact power-of-two scaling to magnitude ~1), and x."""
    top = max((abs(v) for row in Z for v in row), default=0)
    x = max(top.bit_length(), 1)
    return np.array([[float(v) for v in row] for row in Z]) * 2.0 ** -x, x


def fit(D: np.ndarray, P: int, basis: str, rank: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Float factors F (P x r), C (r x H) with F C ~ D; for basis fourier also the frequencies used."""
    if basis == "svd":
        U, S, Vt = np.linalg.svd(D, full_matrices=False)
        r = min(rank, len(S))
        return U[:, :r], S[:r, None] * Vt[:r], []
    energy = (np.abs(np.fft.rfft(D, axis=0)) ** 2).sum(axis=1)
    order = [int(k) for k in np.argsort(-energy[1:], kind="stable") + 1][:rank]
    c = np.arange(P)
    F = np.stack([np.ones(P)] + [f(2 * np.pi * k * c / P) for k in order for f in (np.cos, np.sin)], axis=1)
    Cf, *_ = np.linalg.lstsq(F, D, rcond=None)
    return F, Cf, order


def _to_int(X: np.ndarray, bits: int) -> tuple[list[list[int]], int]:
    """round(X 2^s) with the largest entry near 2^bits; returns (integers, s)."""
    top = float(np.max(np.abs(X))) if X.size else 0.0
    s = bits - (math.frexp(top)[1] if top > 0 else 0)
    return [[int(round(math.ldexp(float(v), s))) for v in row] for row in X], s


def interpretation(A: ExactBilinear, basis: str = "svd", rank: int = 16, bits: int = 24) -> tuple[Interp, dict]:
    """Integer hints (fallback_limit 0) and a float summary of the fit."""
    P = A.p
    Df, x = _scaled_float(A.ZD)
    Ff, Cf, freqs = fit(Df, P, basis, rank)
    F, sf = _to_int(Ff, bits)
    C, sc = _to_int(Cf, bits)
    # D = Df 2^x and F C ~ Df 2^(sf + sc), so D 2^(sf + sc - x) ~ F C
    w = sf + sc - x
    sm, si = (w, 0) if w >= 0 else (0, -w)
    rel = float(np.linalg.norm(Df - Ff @ Cf) / max(np.linalg.norm(Df), 1e-300))
    return Interp(F, C, sm, si, 0), {"basis": basis, "rank": len(F[0]), "frequencies": freqs, "relative_residual": rel}


def ideal_circuit(P: int, freqs: list[int]) -> dict[str, np.ndarray]:
    """The ideal Fourier circuit for modular addition as a bilinear model (float32 tensors, no head):
    `logit_c(a, b) = sum_k cos(w_k (a + b - c))`, w_k = 2 pi k / P, with six hidden units per frequency
    (4 cos wa cos wb and 4 sin wa sin wb as differences of squares, 2 sin w(a+b) from two L != R products)."""
    L, R, D = [], [], []
    a = np.arange(P)
    for k in freqs:
        w = 2 * np.pi * k / P
        ca, sa, cc, sc = np.cos(w * a), np.sin(w * a), np.cos(w * a), np.sin(w * a)
        for l, r, d in ((np.r_[ca, ca], np.r_[ca, ca], cc / 4), (np.r_[ca, -ca], np.r_[ca, -ca], -cc / 4),
                        (np.r_[sa, sa], np.r_[sa, sa], -cc / 4), (np.r_[sa, -sa], np.r_[sa, -sa], cc / 4),
                        (np.r_[ca, ca], np.r_[sa, sa], sc / 2), (np.r_[ca, -ca], np.r_[sa, -sa], -sc / 2)):
            L.append(l)
            R.append(r)
            D.append(d)
    return {"bilinear.0.W_L": np.array(L, np.float32), "bilinear.0.W_R": np.array(R, np.float32),
            "bilinear.0.W_D": np.ascontiguousarray(np.array(D, np.float32).T)}


def zbar(A: ExactBilinear, I: Interp) -> list[list[int]]:
    """The interpretation's C k(a, b) averaged over the pairs with a + b = s (float64, rounded; any value is
    sound, a good one lets the checker's O(1) test decide most comparisons)."""
    P = A.p
    L = np.array([[float(v) for v in row] for row in A.ZL])
    R = np.array([[float(v) for v in row] for row in A.ZR])
    C = np.array([[float(v) for v in row] for row in I.C])
    a = np.arange(P)
    out = np.zeros((P, len(I.C)))
    for s in range(P):
        b = (s - a) % P
        K = L[:, a] * R[:, P + b] + L[:, P + b] * R[:, a]  # H x P (one column per a)
        out[s] = (C @ K).mean(axis=1)
    return [[int(round(v)) for v in row] for row in out]


def _params(req) -> dict:
    from pybridge.clikit import UsageError

    p = dict(req.params or {})
    unknown = set(p) - {"basis", "rank", "freqs", "mode", "bits", "zbar"}
    if unknown or req.inputs:
        raise UsageError("bilinear low-rank takes --param basis=svd|fourier, rank=R (svd), freqs=K (fourier), "
                         "mode=hybrid|cheap, zbar=yes|no, bits=B, and no --with")
    out = {"basis": str(p.get("basis", "svd")), "mode": str(p.get("mode", "hybrid")), "zbar": str(p.get("zbar", "yes"))}
    for k, allowed in PARAMS.items():
        if out[k] not in allowed:
            raise UsageError(f"--param {k} must be one of {', '.join(allowed)}")
    try:
        out["rank"] = int(p.get("freqs" if out["basis"] == "fourier" else "rank", 12 if out["basis"] == "fourier" else 16))
        out["bits"] = int(p.get("bits", 24))
    except (TypeError, ValueError):
        raise UsageError("--param rank/freqs/bits must be integers") from None
    if not 1 <= out["rank"] <= 2048 or not 4 <= out["bits"] <= 120:
        raise UsageError("--param rank/freqs must be in 1..2048 and bits in 4..120")
    return out


def prove_low_rank(model: Any, req) -> ProofResult:
    from pybridge.clikit import UsageError
    from pybridge.families.bilinear.similarity import _envelope

    A = model if isinstance(model, ExactBilinear) else load_bilinear(model)
    if not isinstance(A, ExactBilinear):
        raise UsageError("bilinear low-rank covers models with one non-residual bilinear layer")
    if A.task != "modadd" or A.p is None:
        raise UsageError("bilinear low-rank covers modular-addition models (metadata task=modadd)")
    prm = _params(req)
    t0 = time.perf_counter()
    I, info = interpretation(A, prm["basis"], prm["rank"], prm["bits"])
    zb = zbar(A, I) if prm["zbar"] == "yes" else None
    t_fit = time.perf_counter() - t0
    P, H = A.p, A.d_hidden
    limit = P * P * (P - 1) if prm["mode"] == "hybrid" else 0
    bar = req.progress("prove bilinear low-rank", P * P) if req.progress else None
    res = count(A, Interp(I.F, I.C, I.sm, I.si, limit, zb), bar)
    hints = {"F": I.F, "C": I.C, "shift_model": I.sm, "shift_ideal": I.si, "fallback_limit": res.fallback_used}
    if zb is not None:
        hints["zbar"] = zb
    cert = _envelope(STRATEGY, A, {"correct_at_least": res.certified, "total": P * P}, hints)
    cert["prover"].update({"basis": info["basis"], "rank": info["rank"], "frequencies": info["frequencies"],
                           "mode": prm["mode"], "zbar": prm["zbar"]})
    bf = brute_force_work(P, H)
    extra = {**info, "mode": prm["mode"], "zbar": prm["zbar"], "certified_cheap": res.cheap_pairs, "fallback_comparisons": res.fallback_used,
             "incorrect_found": res.incorrect, "work_cheap": res.work_cheap, "work_fallback": res.work_fallback,
             "work_brute_force": bf, "fit_seconds": round(t_fit, 3)}
    out = ProofResult(STRATEGY, res.certified, P * P, None, res.work_cheap + res.work_fallback,
                      time.perf_counter() - t0, cert, extra=extra)
    text = (f"low-rank ({info['basis']}, rank {info['rank']}, {prm['mode']}): at least {res.certified}/{P * P} correct "
            f"({res.cheap_pairs} by the interpretation, {res.fallback_used} exact comparisons); work "
            f"{res.work_cheap + res.work_fallback:.3g} vs brute force {bf:.3g}")
    out.describe = lambda: text  # type: ignore[attr-defined]
    return out
