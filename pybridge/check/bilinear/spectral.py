"""Trusted: the `spectral` distance check of two bilinear models (exact LDL^T certificates).

Claim: `|f_A(x)_o - f_B(x)_o| <= delta |x|^2` for every real x and output o, as the `distance` claim,
but from the spectral norm instead of the Frobenius norm. With `M_o = Bs_A,o - Bs_B,o` (symmetric),
`|x^T M_o x| <= delta |x|^2` for all x iff `delta I - M_o` and `delta I + M_o` are positive semidefinite.
In integers: `S = 2^(e+1) Bs` (model.py), `E = max(e_A, e_B) + 1`, `N_o = S_A,o 2^(E-e_A-1) - S_B,o 2^(E-e_B-1)`
(so `M_o = N_o / 2^E`) and, with `delta = p/q`, the integer matrices `K_o,s = p 2^E I - s q N_o` (s = +1, -1)
must be PSD. The certificate gives, for each o and s, a unit lower-triangular L and a diagonal D (exact
rationals "p/q") with `L D L^T = K_o,s` exactly and every `D_i >= 0`; then `x^T K x = sum_i D_i (L^T x)_i^2 >= 0`.
The checker materialises `N_o` (the tensors, d x d per output) and multiplies out `L D L^T`.
"""

from __future__ import annotations

from fractions import Fraction

from pybridge.check.bilinear.certificate import rational
from pybridge.check.bilinear.model import ExactBilinear, max_bits
from pybridge.check.errors import InputError, Rejected


def sym_int(M: ExactBilinear, o: int) -> list[list[int]]:
    """`S_o[i][j] = sum_h D'[o,h] (L[h,i] R[h,j] + L[h,j] R[h,i])` (= 2^(e+1) Bs_o)."""
    d, H = M.d_in, M.d_hidden
    Do = M.ZD[o]
    P = [[sum(Do[h] * M.ZL[h][i] * M.ZR[h][j] for h in range(H)) for j in range(d)] for i in range(d)]
    return [[P[i][j] + P[j][i] for j in range(d)] for i in range(d)]


def parse_ldl(raw: object, n_out: int, d: int) -> list[list[tuple[list[list[Fraction]], list[Fraction]]]]:
    """hints.ldl: n_out entries, each two factorisations (s = +1 then -1) {"L": rows (row i has i entries), "D": d}."""
    if not isinstance(raw, list) or len(raw) != n_out:
        raise InputError(f"hints.ldl must be a list of {n_out} entries (one per output)")
    out = []
    for o, pair in enumerate(raw):
        if not isinstance(pair, list) or len(pair) != 2:
            raise InputError(f"hints.ldl[{o}] must be a list of two factorisations (+, -)")
        facs = []
        for s, f in enumerate(pair):
            if not isinstance(f, dict) or set(f) != {"L", "D"}:
                raise InputError(f"hints.ldl[{o}][{s}] must hold exactly L and D")
            Lr, Dr = f["L"], f["D"]
            if not isinstance(Lr, list) or len(Lr) != d or not isinstance(Dr, list) or len(Dr) != d:
                raise InputError(f"hints.ldl[{o}][{s}]: L must have {d} rows and D {d} entries")
            L = []
            for i, row in enumerate(Lr):
                if not isinstance(row, list) or len(row) != i:
                    raise InputError(f"hints.ldl[{o}][{s}].L row {i} must have {i} entries (strictly lower part)")
                L.append([rational(v, f"hints.ldl[{o}][{s}].L") for v in row])
            facs.append((L, [rational(v, f"hints.ldl[{o}][{s}].D") for v in Dr]))
        out.append(facs)
    return out


def work(A: ExactBilinear, B: ExactBilinear) -> tuple[int, int]:
    d = A.d_in
    w = A.n_out * (d * d * (A.d_hidden + B.d_hidden) * 2 + 2 * d ** 3)
    return w, 3 * (max_bits(A) + max_bits(B)) + 64


def check_spectral(A: ExactBilinear, B: ExactBilinear, delta: Fraction, ldl) -> None:
    d = A.d_in
    E = max(A.e, B.e) + 1
    p, q = delta.numerator, delta.denominator
    for o in range(A.n_out):
        SA, SB = sym_int(A, o), sym_int(B, o)
        fa, fb = 1 << (E - A.e - 1), 1 << (E - B.e - 1)
        N = [[SA[i][j] * fa - SB[i][j] * fb for j in range(d)] for i in range(d)]
        for k, s in enumerate((1, -1)):
            L, D = ldl[o][k]
            if any(v < 0 for v in D):
                raise Rejected(f"output {o}: the LDL^T certificate has a negative pivot (sign {'+-'[k]})")

            def Lij(i: int, j: int) -> Fraction:
                return L[i][j] if j < i else (Fraction(1) if i == j else Fraction(0))

            for i in range(d):
                for j in range(i + 1):
                    v = sum(Lij(i, t) * D[t] * Lij(j, t) for t in range(j + 1))
                    want = (p << E if i == j else 0) - s * q * N[i][j]
                    if v != want:
                        raise Rejected(f"output {o}: L D L^T differs from delta I {'-+'[k]} M at ({i}, {j})")
