"""Prover side of the bilinear family: exact similarity figures, the four strategies' certificates,
and a float64 reference (for timing and cross-checks). The exact figures come from the trusted kernel
(pybridge.check.bilinear.model); the checker recomputes them from the model files."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from math import isqrt
from pathlib import Path
from typing import Any

import numpy as np

from pybridge.certio import ProofResult
from pybridge.check.bilinear.certificate import fmt
from pybridge.check.bilinear.model import ExactBilinear, count_modadd, depth, load_bilinear, pair_gram

PRECISION_BITS = 32


def _envelope(strategy: str, A, claim: dict, hints: dict, model_extra: dict | None = None) -> dict:
    layers = {"layers": depth(A)} if depth(A) > 1 else {}
    return {"format": "pybridge-certificate", "version": 1, "family": "bilinear", "strategy": strategy,
            "model_sha256": A.sha256, "model": {"d_in": A.d_in, "d_hidden": A.d_hidden, "n_out": A.n_out, **layers,
                                                "file": None, **(model_extra or {})},
            "params": {}, "claim": claim, "hints": hints, "prover": {"name": "pybridge.families.bilinear"}}


@dataclass
class Similarity:
    """Exact similarity figures of two models (integers from the Gram identity or recursion, exact
    Fractions): `<T_A,o, T_B,o> = IAB[o] / 2^gab` and likewise for (A, A) and (B, B)."""

    A: Any
    B: Any
    IAB: list[int]
    IAA: list[int]
    IBB: list[int]
    seconds: float
    gab: int | None = None  # None: one layer each, the Gram identity's unit e_A + e_B + 1 (and 2e_A + 1, 2e_B + 1)
    gaa: int | None = None
    gbb: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.gab is None:
            self.gab, self.gaa, self.gbb = self.A.e + self.B.e + 1, 2 * self.A.e + 1, 2 * self.B.e + 1

    @property
    def deep(self) -> bool:
        return not (isinstance(self.A, ExactBilinear) and isinstance(self.B, ExactBilinear))

    def f_ab(self) -> Fraction:
        return Fraction(self.ab, 1 << self.gab)

    def f_aa(self) -> Fraction:
        return Fraction(self.aa, 1 << self.gaa)

    def f_bb(self) -> Fraction:
        return Fraction(self.bb, 1 << self.gbb)

    @property
    def ab(self) -> int:
        return sum(self.IAB)

    @property
    def aa(self) -> int:
        return sum(self.IAA)

    @property
    def bb(self) -> int:
        return sum(self.IBB)

    def inner(self) -> Fraction:
        return self.f_ab()

    def proportional(self) -> bool:
        return self.aa > 0 and self.ab > 0 and self.f_ab() ** 2 == self.f_aa() * self.f_bb()

    def lam(self) -> Fraction:
        return self.f_ab() / self.f_aa()

    def cosine_bracket(self, k: int = PRECISION_BITS) -> tuple[Fraction, Fraction]:
        """[lo, hi] with lo <= cos <= hi, dyadic with k bits (cos of a zero tensor: [0, 0])."""
        den = self.aa * self.bb << (2 * self.gab)
        if den == 0:
            return Fraction(0), Fraction(0)
        num = self.ab * self.ab << (2 * k + self.gaa + self.gbb)  # cos^2 = ab^2 2^(gaa+gbb) / (aa bb 2^(2 gab))
        n = isqrt(num // den)  # floor(sqrt(ab^2 4^k / den)) = floor(2^k |cos|)
        hi = n + (0 if n * n * den == num else 1)
        if self.ab >= 0:
            return Fraction(n, 1 << k), Fraction(hi, 1 << k)
        return Fraction(-hi, 1 << k), Fraction(-n, 1 << k)

    def cosine(self) -> float:
        lo, hi = self.cosine_bracket(52)
        return float((lo + hi) / 2)

    def per_output_cosine(self) -> list[float]:
        out = []
        for x, a, b in zip(self.IAB, self.IAA, self.IBB):
            fa, fb = Fraction(a, 1 << self.gaa), Fraction(b, 1 << self.gbb)
            out.append(float(Fraction(x, 1 << self.gab)) / math.sqrt(float(fa * fb)) if a * b > 0 else 0.0)
        return out

    def frobenius_sq(self) -> list[Fraction]:
        return [Fraction(a, 1 << self.gaa) - 2 * Fraction(x, 1 << self.gab) + Fraction(b, 1 << self.gbb)
                for a, x, b in zip(self.IAA, self.IAB, self.IBB)]

    def delta(self, k: int = PRECISION_BITS) -> Fraction:
        """The least k-bit dyadic delta with delta^2 >= max_o ||Bs_A,o - Bs_B,o||_F^2."""
        w = max(self.frobenius_sq())
        t = w * (1 << (2 * k))
        c = -((-t.numerator) // t.denominator)  # ceil
        n = isqrt(c)
        if n * n < c:
            n += 1
        return Fraction(n, 1 << k)


def exact_similarity(a: str | Path | ExactBilinear, b: str | Path | ExactBilinear) -> Similarity:
    A = a if isinstance(a, ExactBilinear) else load_bilinear(a)
    B = b if isinstance(b, ExactBilinear) else load_bilinear(b)
    t0 = time.perf_counter()
    (IAB, gab), (IAA, gaa), (IBB, gbb) = pair_gram(A, B), pair_gram(A, A), pair_gram(B, B)
    return Similarity(A, B, IAB, IAA, IBB, time.perf_counter() - t0, gab, gaa, gbb)


def float_cosine(La, Ra, Da, Lb, Rb, Db) -> float:
    """float64 reference (the paper's formula, not rigorous): cosine of the symmetric tensors."""

    def ip(L1, R1, D1, L2, R2, D2):
        G = (L1 @ L2.T) * (R1 @ R2.T) + (L1 @ R2.T) * (R1 @ L2.T)
        return float(np.sum((D1.T @ D2) * G)) / 2

    ab, aa, bb = ip(La, Ra, Da, Lb, Rb, Db), ip(La, Ra, Da, La, Ra, Da), ip(Lb, Rb, Db, Lb, Rb, Db)
    return ab / math.sqrt(aa * bb) if aa * bb > 0 else 0.0


def spectral_certificate(A: ExactBilinear, B: ExactBilinear, k: int = 24) -> tuple[Fraction, list]:
    """delta (a k-bit dyadic just above max_o ||M_o||_2, from float64 eigenvalues) and the exact LDL^T
    factorisations of p 2^E I -+ q N_o (pybridge.check.bilinear.spectral); raises NoProof if one fails."""
    from pybridge.check.bilinear.spectral import sym_int
    from pybridge.families import NoProof

    E = max(A.e, B.e) + 1
    Ns = []
    top = 0.0
    for o in range(A.n_out):
        SA, SB = sym_int(A, o), sym_int(B, o)
        fa, fb = 1 << (E - A.e - 1), 1 << (E - B.e - 1)
        N = [[SA[i][j] * fa - SB[i][j] * fb for j in range(A.d_in)] for i in range(A.d_in)]
        Ns.append(N)
        M = np.array([[float(Fraction(v, 1 << E)) for v in row] for row in N])
        top = max(top, float(np.max(np.abs(np.linalg.eigvalsh(M)))) if M.size else 0.0)
    for slack in (1e-9, 1e-6, 1e-3):
        delta = Fraction(math.ceil((top * (1 + slack) + 2.0 ** -k) * 2 ** k), 2 ** k)
        p, q = delta.numerator, delta.denominator
        out = []
        for N in Ns:
            pair = []
            for s in (1, -1):
                K = [[(p << E if i == j else 0) - s * q * N[i][j] for j in range(len(N))] for i in range(len(N))]
                f = ldl_factor(K)
                if f is None:
                    break
                L, D = f
                pair.append({"L": [[fmt(v) for v in row] for row in L], "D": [fmt(v) for v in D]})
            if len(pair) < 2:
                break
            out.append(pair)
        if len(out) == A.n_out:
            return delta, out
    raise NoProof("no exact LDL^T certificate found for the spectral bound")


def _second(req) -> Path:
    from pybridge.clikit import UsageError

    if len(req.inputs) != 1:
        raise UsageError("this bilinear strategy compares two models: pass the second with --with B.safetensors")
    return Path(req.inputs[0])


def two_model_certificate(strategy: str, S: Similarity, b_file: str, params: dict | None = None) -> ProofResult:
    """The certificate of `strategy` for the pair (A, B)."""
    from pybridge.families import NoProof

    t0 = time.perf_counter()
    if strategy == "equivalent":
        if not S.proportional():
            raise NoProof("the symmetric tensors are not positively proportional (cos < 1 exactly)")
        claim, text = {"lambda": fmt(S.lam())}, f"equivalent: f_B = {fmt(S.lam())} f_A on every input"
    elif strategy == "similarity":
        c = S.cosine_bracket()[0]
        if "c" in (params or {}):
            c = Fraction(str(params["c"]))
        if c < 0:
            raise NoProof(f"cosine is negative ({S.cosine():.6f}); similarity claims need c in [0, 1]")
        claim, text = {"cosine_at_least": fmt(c)}, f"similarity: cos(A, B) >= {float(c):.9f}"
    elif strategy == "spectral":
        if S.deep:
            raise NoProof("bilinear spectral covers one non-residual layer per model (the tensors are materialised)")
        delta, ldl = spectral_certificate(S.A, S.B)
        claim, text = {"delta": fmt(delta)}, f"spectral distance: |f_A(x)_o - f_B(x)_o| <= {float(delta):.6g} |x|^2"
        cert = _envelope(strategy, S.A, claim, {"model_b_sha256": S.B.sha256, "ldl": ldl}, {"model_b_file": b_file})
        res = ProofResult(strategy, 1, 1, None, 0, S.seconds + time.perf_counter() - t0, cert,
                          extra={"claim": claim, "cosine": S.cosine()})
        res.describe = lambda: text  # type: ignore[attr-defined]
        return res
    elif strategy == "distance":
        d = S.delta()
        n = depth(S.A)
        if S.deep:
            from pybridge.check.bilinear.model import as_net

            c = "1 + " if as_net(S.A).affine or as_net(S.B).affine else ""
            norm = f"({c}|x|^2)^{2 ** (n - 1)}"
        else:
            norm = "|x|^2"
        claim, text = {"delta": fmt(d)}, f"distance: |f_A(x)_o - f_B(x)_o| <= {float(d):.6g} {norm}"
    else:
        raise ValueError(strategy)
    cert = _envelope(strategy, S.A, claim, {"model_b_sha256": S.B.sha256}, {"model_b_file": b_file})
    res = ProofResult(strategy, 1, 1, None, 0, S.seconds + time.perf_counter() - t0, cert,
                      extra={"claim": claim, "cosine": S.cosine()})
    res.describe = lambda: text  # type: ignore[attr-defined]
    return res


def prove_two(strategy: str):
    def prove(model: Any, req) -> ProofResult:
        b = _second(req)
        S = exact_similarity(model, b)
        # the checker looks for the second model by this plain name in the certificate's folder
        return two_model_certificate(strategy, S, b.name, req.params)
    return prove


def prove_brute_force(model: Any, req) -> ProofResult:
    from pybridge.clikit import UsageError

    A = model if isinstance(model, ExactBilinear) else load_bilinear(model)
    if A.task != "modadd" or A.p is None:
        raise UsageError("bilinear brute-force covers modular-addition models (metadata task=modadd)")
    if req.params or req.inputs:
        raise UsageError("bilinear brute-force takes no parameters or further inputs")
    t0 = time.perf_counter()
    bar = req.progress("prove bilinear brute-force", A.p ** 2) if req.progress else None
    good, bad = count_modadd(A, bar)
    P2 = A.p ** 2
    cert = _envelope("brute-force", A, {"correct_at_least": good, "total": P2, "incorrect_at_least": bad}, {})
    flops = P2 * A.d_hidden * (A.n_out + 3) * 2
    return ProofResult("brute-force", good, P2, bad, flops, time.perf_counter() - t0, cert)


def ldl_factor(K: list[list[int]]) -> tuple[list[list[Fraction]], list[Fraction]] | None:
    """Exact LDL^T of a symmetric integer matrix (no pivoting); None if a pivot is negative or a zero pivot
    has a non-zero column below it (then K is not PSD, or needs pivoting)."""
    n = len(K)
    A = [[Fraction(v) for v in row] for row in K]
    L = [[Fraction(0)] * i for i in range(n)]
    D: list[Fraction] = []
    for j in range(n):
        dj = A[j][j] - sum(L[j][t] ** 2 * D[t] for t in range(j))
        if dj < 0:
            return None
        D.append(dj)
        for i in range(j + 1, n):
            v = A[i][j] - sum(L[i][t] * L[j][t] * D[t] for t in range(j))
            if dj == 0:
                if v != 0:
                    return None
                L[i][j] = Fraction(0)
            else:
                L[i][j] = v / dj
    return L, D
