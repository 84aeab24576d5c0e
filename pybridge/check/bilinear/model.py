"""Trusted: bilinear models read exactly, and the exact figures every bilinear check uses.

A bilinear model file (safetensors, metadata `pybridge_family=bilinear`) holds one bilinear layer
`bilinear.0.W_L` (H x d), `bilinear.0.W_R` (H x d), `bilinear.0.W_D` (d_out x H), an optional
embedding `embed.W` (d x d_in) and an optional head `head.W` (classes x d_out); no biases. The model is
the real function (weights are exact dyadic rationals)

    f(x) = U D ((L E x) * (R E x))        (E, U the identity when absent),

a vector of quadratic forms in x. Folding E and U in, `L' = L E`, `R' = R E`, `D' = U D` and
`f(x)_o = sum_h D'[o,h] (L'_h . x)(R'_h . x) = x^T Bs_o x` with the symmetric tensor
`Bs[o,i,j] = sum_h D'[o,h] (L'[h,i] R'[h,j] + L'[h,j] R'[h,i]) / 2`, which the function determines
uniquely (a quadratic form has one symmetric matrix). Everything below is exact integer arithmetic:
with `s` the least exponent making every entry times `2^s` an integer, the folded matrices are
integer matrices `ZL`, `ZR`, `ZD` in unit `2^-sL`, `2^-sR`, `2^-sD`, and `S = 2^(e+1) Bs` is an
integer tensor, `e = sL + sR + sD`.

Gram identity (never materialising S): for models A, B
    sum_{o,i,j} S_A[o,i,j] S_B[o,i,j] = 2 * sum_{h,k} (D_A^T D_B)[h,k] * G[h,k],
    G = (L_A L_B^T) * (R_A R_B^T) + (L_A R_B^T) * (R_A L_B^T)      (* elementwise),
and per output o the same with (D_A^T D_B)[h,k] replaced by D_A[o,h] D_B[o,k]. `gram(A, B)` returns
`I_o = sum_{h,k} D_A[o,h] D_B[o,k] G[h,k]` for every o (integers), so that
`<Bs_A,o , Bs_B,o> = I_o / 2^(e_A + e_B + 1)` exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pybridge.check.errors import InputError
from pybridge.check.limits import require
from pybridge.check.modelfile import canonical_sha256, exact_integers
from pybridge.check.modelfile import read_safetensors as _read_safetensors

if TYPE_CHECKING:
    from pybridge.check.bilinear.deep import ExactNet

LAYER = ("bilinear.0.W_L", "bilinear.0.W_R", "bilinear.0.W_D")
OPTIONAL = ("embed.W", "head.W")
MAX_DIM = 4096
_DIGITS = re.compile(r"[0-9]{1,4}")


@dataclass(frozen=True)
class ExactBilinear:
    """The folded model: `f(x)_o = sum_h ZD[o][h] (ZL[h].x)(ZR[h].x) / 2^e` (integers, e >= 0)."""

    ZL: list[list[int]]  # H x d_in
    ZR: list[list[int]]  # H x d_in
    ZD: list[list[int]]  # n_out x H
    e: int
    d_in: int
    d_hidden: int
    n_out: int
    sha256: str
    shape: dict
    task: str | None
    p: int | None

    def sym_scale(self) -> int:
        """`S = 2^(e+1) Bs`: the exponent e + 1."""
        return self.e + 1


def _matmul(X: list[list[int]], Y: list[list[int]]) -> list[list[int]]:
    if not X or not Y:
        return [[0] * (len(Y[0]) if Y else 0) for _ in X]
    a = np.array(X, dtype=object) if X else None
    b = np.array(Y, dtype=object)
    return (a @ b).tolist()


def _rows(v: list[int], ncol: int) -> list[list[int]]:
    return [v[i:i + ncol] for i in range(0, len(v), ncol)]


def embed_head_dims(arrays: dict, d_model: int, d_out: int) -> tuple[int, int]:
    """The input width and the number of outputs once the optional embed.W (d_model x d_in) and head.W
    (n_out x d_out) are checked against the layers' widths."""
    d_in, n_out = d_model, d_out
    if "embed.W" in arrays:
        if arrays["embed.W"].shape[0] != d_model:
            raise InputError(f"embed.W has {arrays['embed.W'].shape[0]} rows, expected {d_model}")
        d_in = arrays["embed.W"].shape[1]
    if "head.W" in arrays:
        if arrays["head.W"].shape[1] != d_out:
            raise InputError(f"head.W has {arrays['head.W'].shape[1]} columns, expected {d_out}")
        n_out = arrays["head.W"].shape[0]
    return d_in, n_out


def shape_of(arrays: dict) -> dict:
    """Validate the tensor names and shapes; return the model's shape dict."""
    for k in arrays:
        if k not in LAYER + OPTIONAL:
            if k.startswith("bilinear."):
                raise InputError(f"model file has tensor '{k}': only one bilinear layer (bilinear.0.*) is supported")
            raise InputError(f"model file has unsupported tensor '{k}'")
    for k in LAYER:
        if k not in arrays:
            raise InputError(f"model file lacks tensor '{k}'")
    for k, a in arrays.items():
        if a.ndim != 2 or not all(1 <= n <= MAX_DIM for n in a.shape):
            raise InputError(f"{k} must be a matrix with dimensions in 1..{MAX_DIM}, not {tuple(a.shape)}")
    H, d = arrays["bilinear.0.W_L"].shape
    if tuple(arrays["bilinear.0.W_R"].shape) != (H, d):
        raise InputError(f"bilinear.0.W_R has shape {tuple(arrays['bilinear.0.W_R'].shape)}, expected {(H, d)}")
    if arrays["bilinear.0.W_D"].shape[1] != H:
        raise InputError(f"bilinear.0.W_D has {arrays['bilinear.0.W_D'].shape[1]} columns, expected {H}")
    d_out = arrays["bilinear.0.W_D"].shape[0]
    d_in, n_out = embed_head_dims(arrays, d, d_out)
    return {"d_in": int(d_in), "d_model": int(d), "d_hidden": int(H), "d_out": int(d_out), "n_out": int(n_out),
            "embed": "embed.W" in arrays, "head": "head.W" in arrays}


def load_bilinear(path: str | Path) -> "ExactBilinear | ExactNet":
    """Read, validate and exactly convert a bilinear model file (InputError, one line, otherwise).
    One non-residual layer: an ExactBilinear (this module); several layers or a residual layer: an
    ExactNet (deep.py)."""
    from pybridge.check.bilinear import deep

    path = Path(path)
    arrays, meta = _read_safetensors(path)
    if meta.get("pybridge_family") != "bilinear":
        raise InputError(f"model file {path}: metadata pybridge_family is not 'bilinear'")
    n = deep.layer_count(arrays)
    if n == 0:
        raise InputError("model file lacks tensor 'bilinear.0.W_L'")
    residual = deep.residual_flags(meta, n)
    if n == 1 and not any(residual):
        shape = shape_of(arrays)
    else:
        shape = deep.net_shape(arrays, n, residual, MAX_DIM)
    task = meta.get("task")
    p = None
    if task is not None and task not in ("modadd", "digits", "none"):
        raise InputError("model metadata 'task' must be modadd, digits or none")
    if task == "modadd":
        v = meta.get("p", "")
        if not _DIGITS.fullmatch(v) or not 2 <= int(v) <= 1024:
            raise InputError("model metadata 'p' must be an integer in 2..1024 (ASCII decimal)")
        p = int(v)
        if shape["d_in"] != 2 * p or shape["n_out"] != p:
            raise InputError(f"modadd model with p={p} must have d_in={2 * p} and {p} outputs")
    # bound the exact conversion and the folding products (embedding into L, R; head into D) BEFORE forming them
    work, bits = fold_bound(arrays, shape, residual)
    require("bilinear model (exact weights, embedding/head folded into the layers)", work, bits)
    if n > 1 or any(residual):
        s, ints = exact_integers(arrays)
        return deep.build_net(arrays, ints, s, shape, residual, model_sha256(arrays, residual), task, p)
    names = tuple(sorted(arrays))
    s, ints = exact_integers(arrays)
    d, H, dout = shape["d_model"], shape["d_hidden"], shape["d_out"]
    L, R, D = _rows(ints[LAYER[0]], d), _rows(ints[LAYER[1]], d), _rows(ints[LAYER[2]], H)
    sL = sR = sD = s
    if shape["embed"]:
        E = _rows(ints["embed.W"], shape["d_in"])
        L, R = _matmul(L, E), _matmul(R, E)
        sL = sR = 2 * s
    if shape["head"]:
        D = _matmul(_rows(ints["head.W"], dout), D)
        sD = 2 * s
    return ExactBilinear(L, R, D, sL + sR + sD, shape["d_in"], H, shape["n_out"],
                         canonical_sha256(arrays, names), shape, task, p)


def exponent_bounds(arrays: dict) -> tuple[int, int]:
    """`(s_ub, b_ub)` from the float exponents alone (vectorised, before any exact conversion): the `s` of
    `modelfile.exact_integers` is at most `s_ub`, and every integer `Z = W 2^s` it forms has at most `b_ub`
    bits. For a finite nonzero float `x = f 2^k` (`np.frexp`, `1/2 <= |f| < 1`) with `p` mantissa bits
    (24 float32, 53 float64, subnormals included), `x 2^(p-k)` is an integer, so the denominator of x is at
    most `2^(p-k)`; and `|x 2^s| < 2^(k+s)`."""
    s_ub, k_max = 0, None
    for name, a in arrays.items():
        if a.dtype not in (np.float32, np.float64):
            raise InputError(f"{name}: dtype {a.dtype} is not float32 or float64")
        if not np.all(np.isfinite(a)):
            raise InputError(f"{name}: contains NaN or infinite entries")
        nz = a[a != 0]
        if nz.size == 0:
            continue
        _, k = np.frexp(nz)
        prec = 24 if a.dtype == np.float32 else 53
        s_ub = max(s_ub, prec - int(k.min()))
        k_max = int(k.max()) if k_max is None else max(k_max, int(k.max()))
    return s_ub, max(1, (k_max if k_max is not None else 0) + s_ub)


def fold_bound(arrays: dict, shape: dict, residual: tuple[bool, ...]) -> tuple[int, int]:
    """(work units, bits of the largest integer) of reading a model exactly: the conversion of every weight
    (one unit each) and the folding products that `load_bilinear` forms (one layer: `L E`, `R E`, `U D`;
    several layers or residual blocks: deep.fold's `L E`, `R E`, `U D` plus its identity/residual blocks),
    from the shapes and the weights' exponents alone (`exponent_bounds`), before any of it is formed."""
    s_ub, b = exponent_bounds(arrays)
    entries = sum(int(a.size) for a in arrays.values())
    dims = [int(n) for a in arrays.values() for n in a.shape]
    inner_bits = max(dims, default=1).bit_length()
    d_in = shape["d_in"]
    work = entries
    n = len(residual)
    if n == 1 and not any(residual):
        H, d, d_out = shape["d_hidden"], shape["d_model"], shape["d_out"]
        if shape["embed"]:
            work += 2 * H * d * d_in
        if shape["head"]:
            work += shape["n_out"] * d_out * H
        return work, 2 * b + inner_bits + 1
    c = 1 if any(residual) else 0
    for k in range(n):
        H, m = (int(x) for x in arrays[f"bilinear.{k}.W_L"].shape)
        m_out = int(arrays[f"bilinear.{k}.W_D"].shape[0])
        n_in = (d_in if k == 0 else m) + c
        if k == 0 and shape["embed"]:
            work += 2 * H * m * d_in
        if k == n - 1 and shape["head"]:
            work += shape["n_out"] * m_out * H
        # In / Out blocks, copied rows of L, R, D, residual and constant units (entries written)
        work += m * n_in + 2 * (H + m + 1) * n_in + (m_out + 1 + shape["n_out"]) * (H + m + 1)
    return work, max(2 * b + inner_bits + 1, b + s_ub + 1, 2 * s_ub + 2)


def model_sha256(arrays: dict, residual: tuple[bool, ...]) -> str:
    """The model hash: the canonical weight hash (check/modelfile.py), and for a model with a residual layer
    SHA-256 of `<that hex>|residual=<flags>` (the flags change the function, so the hash binds them)."""
    import hashlib

    h = canonical_sha256(arrays, tuple(sorted(arrays)))
    if any(residual):
        h = hashlib.sha256(f"{h}|residual={','.join('1' if r else '0' for r in residual)}".encode()).hexdigest()
    return h


def max_bits(M: ExactBilinear) -> int:
    return max((abs(v).bit_length() for m in (M.ZL, M.ZR, M.ZD) for r in m for v in r), default=0)


def gram_work(A: ExactBilinear, B: ExactBilinear) -> tuple[int, int]:
    """(work units, bits of the largest integer) of `gram(A, B)`, from the shapes alone."""
    work = 4 * A.d_hidden * B.d_hidden * A.d_in + A.n_out * A.d_hidden * B.d_hidden + A.n_out * B.d_hidden
    bits = 2 * (max_bits(A) + max_bits(B)) + max_bits(A) + max_bits(B) + 2 * (A.d_in * A.d_hidden * B.d_hidden).bit_length() + 4
    return work, bits


def gram(A: ExactBilinear, B: ExactBilinear) -> list[int]:
    """`I_o = sum_{h,k} D_A[o,h] D_B[o,k] G[h,k]` for every output o (the Gram identity, module doc)."""
    if A.d_in != B.d_in or A.n_out != B.n_out:
        raise InputError(f"models differ in shape: inputs {A.d_in} vs {B.d_in}, outputs {A.n_out} vs {B.n_out}")
    LA, RA, DA = (np.array(m, dtype=object) for m in (A.ZL, A.ZR, A.ZD))
    LB, RB, DB = (np.array(m, dtype=object) for m in (B.ZL, B.ZR, B.ZD))
    G = (LA @ LB.T) * (RA @ RB.T) + (LA @ RB.T) * (RA @ LB.T)  # H_A x H_B
    DG = DA @ G  # n_out x H_B
    return [int(sum(DG[o, k] * DB[o, k] for k in range(B.d_hidden))) for o in range(A.n_out)]


def inner(A: ExactBilinear, B: ExactBilinear, I: list[int] | None = None) -> Fraction:
    """`<Bs_A, Bs_B>` exactly (sum over every output)."""
    I = gram(A, B) if I is None else I
    return Fraction(sum(I), 1 << (A.e + B.e + 1))


def per_output(A: ExactBilinear, B: ExactBilinear, I: list[int]) -> list[Fraction]:
    return [Fraction(v, 1 << (A.e + B.e + 1)) for v in I]


# ---------------------------------------------------------------- brute force (modular addition)
def modadd_logits(M: ExactBilinear, a: int) -> list[list[int]]:
    """Exact logits (unit 2^-e) of the inputs (a, b), b = 0..P-1: row b, column c."""
    P = M.p
    assert P is not None
    L, R, D = M.ZL, M.ZR, M.ZD
    La = [row[a] for row in L]
    Ra = [row[a] for row in R]
    hid = np.array([[(La[h] + L[h][P + b]) * (Ra[h] + R[h][P + b]) for h in range(M.d_hidden)] for b in range(P)],
                   dtype=object)
    return (hid @ np.array(D, dtype=object).T).tolist()


def modadd_count(M: ExactBilinear, progress=None) -> tuple[int, int]:
    """(correct, incorrect) over all P^2 pairs: correct iff the logit of (a+b) mod P is strictly largest."""
    P = M.p
    assert P is not None
    good = 0
    for a in range(P):
        Lg = modadd_logits(M, a)
        for b in range(P):
            row = Lg[b]
            z = (a + b) % P
            if all(row[z] > v for j, v in enumerate(row) if j != z):
                good += 1
        if progress is not None:
            progress(P)
    return good, P * P - good


def modadd_work(M: ExactBilinear) -> tuple[int, int]:
    P = M.p or 0
    return P * P * M.d_hidden * (M.n_out + 2), 2 * max_bits(M) + max_bits(M) + 2 * M.d_hidden.bit_length() + 4


# ---------------------------------------------------------------- any depth (deep.py) through one interface
def as_net(M):
    """An ExactNet for the Gram recursion: an ExactNet as it is; an ExactBilinear as one folded layer
    (for depth 1 the recursion uses only 2a + b = e of its units)."""
    from pybridge.check.bilinear.deep import ExactNet, FoldedLayer

    if isinstance(M, ExactNet):
        return M
    return ExactNet(-1, None, ((M.ZL, M.ZR, M.ZD),), (False,), None, (FoldedLayer(M.ZL, M.ZR, M.ZD, 0, M.e),), False,
                    M.d_in, M.d_hidden, M.n_out, M.sha256, M.shape, M.task, M.p)


def depth(M) -> int:
    return getattr(M, "depth", 1)


def pair_gram_work(A, B) -> tuple[int, int]:
    """(work, bits) of `pair_gram(A, B)` from the shapes and bit sizes alone."""
    from pybridge.check.bilinear.deep import gram_net_work

    if isinstance(A, ExactBilinear) and isinstance(B, ExactBilinear):
        return gram_work(A, B)
    return gram_net_work(as_net(A), as_net(B))


def pair_gram(A, B) -> tuple[list[int], int]:
    """`(I, g)` with `<T_A,o, T_B,o> = I[o] / 2^g` for every output o, at any depth (one layer: the Gram
    identity above, g = e_A + e_B + 1; deeper or residual: the recursion of deep.py)."""
    from pybridge.check.bilinear.deep import gram_net

    if isinstance(A, ExactBilinear) and isinstance(B, ExactBilinear):
        return gram(A, B), A.e + B.e + 1
    return gram_net(as_net(A), as_net(B))


def model_work(M) -> tuple[int, int]:
    """(work, bits) of the modular-addition brute force of M."""
    from pybridge.check.bilinear.deep import ExactNet, eval_work

    if isinstance(M, ExactNet):
        return eval_work(M, (M.p or 0) ** 2)
    return modadd_work(M)


def count_modadd(M, progress=None) -> tuple[int, int]:
    from pybridge.check.bilinear.deep import ExactNet, modadd_count_net

    if isinstance(M, ExactNet):
        return modadd_count_net(M, progress)
    return modadd_count(M, progress)
