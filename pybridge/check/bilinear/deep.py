"""Trusted: bilinear models with several layers and residual blocks (issue 13), read exactly.

Model file: tensors `bilinear.K.W_L` (H_K x m_K), `bilinear.K.W_R` (H_K x m_K), `bilinear.K.W_D`
(m_{K+1} x H_K) for K = 0..n-1, optional `embed.W` (m_0 x d_in) and `head.W` (classes x m_n); metadata
`residual` = n comma-separated flags `0`/`1` (absent: all 0). The real function (weights exact dyadics):

    z_0 = E x;   z_{K+1} = [z_K +] D_K ((L_K z_K) * (R_K z_K));   f(x) = U z_n

(E, U the identity when absent; `[z_K +]` only for a residual layer, which needs m_{K+1} = m_K).

The tensor of a model (what `similarity`, `equivalent` and `distance` are about). A model with a residual
layer is *affine*: its input coordinates are `x~ = [1; x]` (the constant first); otherwise `x~ = x`.
Every layer is folded into ONE bilinear layer on `[1; z]` (affine) or `z`, with extra hidden units:
  - each hidden unit h of the layer: L'_h = L_h In, R'_h = R_h In, D' column = Out D[:, h];
  - a residual layer adds, for each coordinate i of z, a unit with L' = e_1 (the constant), R' = In_i,
    D' column = Out e_i (since z_i = 1 * z_i);
  - an affine model keeps the constant: one more unit with L' = R' = e_1 and D' column = e_1 (1 = 1 * 1),
    except in the last layer;
where In maps the folded input to z (E, or [0 | E], for the first layer; [0 | I] or I after it) and Out is
the identity on [1; z'] (the head U, without the constant, for the last layer). The per-layer symmetrised
tensor is then defined recursively, with T^0_c = e_c (c a coordinate of x~) and

    T^{K+1}_o = sum_u D'[o,u] (L'_u.T^K (x) R'_u.T^K + R'_u.T^K (x) L'_u.T^K) / 2,

an element of (R^|x~|)^{(x) 2^n}, and f(x)_o = <T^n_o, x~^{(x) 2^n}> for every real x. For n = 1 and no
residual this is the symmetric tensor Bs of model.py. Inner products never materialise T: the Gram
recursion (G_0[c,c'] = 1 iff the input coordinates c of A and c' of B are the same, else 0)

    G_{K+1} = D'_A ((L'_A G L'_B^T) * (R'_A G R'_B^T) + (L'_A G R'_B^T) * (R'_A G L'_B^T)) D'_B^T / 2

gives G_K[o,p] = <T^K_A,o , T^K_B,p> (induction: <(a(x)b + b(x)a)/2, (c(x)d + d(x)c)/2> =
(<a,c><b,d> + <a,d><b,c>)/2), and <T_A,o, T_B,o> = G_n[o,o]. Integers: every folded matrix is an integer
matrix with a power-of-two unit, and G_K = ZG_K / 2^g_K.

Per-layer symmetrisation is not a canonical form at depth >= 2 (docs/CHECKING.md, section 11): T_B = lambda T_A
implies f_B = lambda f_A (sufficient), but equal functions can have non-proportional tensors (not necessary).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from pybridge.check.bilinear.model import embed_head_dims
from pybridge.check.errors import InputError

MAX_LAYERS = 16
_LAYER_NAME = re.compile(r"bilinear\.(0|[1-9][0-9]{0,2})\.(W_L|W_R|W_D)", re.ASCII)
_FLAGS = re.compile(r"[01](,[01]){0,63}", re.ASCII)


@dataclass(frozen=True)
class FoldedLayer:
    """One folded bilinear layer: L' = ZL / 2^a, R' = ZR / 2^a (units x inputs), D' = ZD / 2^b (outputs x units)."""

    ZL: list[list[int]]
    ZR: list[list[int]]
    ZD: list[list[int]]
    a: int
    b: int


@dataclass(frozen=True)
class ExactNet:
    """A bilinear model of any depth, exactly: the raw integer layers (for evaluation) and the folded
    layers (for the Gram recursion). Weights are `Z / 2^s`."""

    s: int
    embed: list[list[int]] | None  # m_0 x d_in
    layers: tuple[tuple[list[list[int]], list[list[int]], list[list[int]]], ...]  # (ZL, ZR, ZD) per layer
    residual: tuple[bool, ...]
    head: list[list[int]] | None
    folded: tuple[FoldedLayer, ...]
    affine: bool
    d_in: int
    d_hidden: int  # hidden units over all layers (before folding)
    n_out: int
    sha256: str
    shape: dict
    task: str | None
    p: int | None

    @property
    def depth(self) -> int:
        return len(self.layers)


def layer_count(names) -> int:
    """The number n of bilinear layers named `bilinear.K.*` (K = 0..n-1, all three tensors each), 0 if none."""
    ks = set()
    for k in names:
        m = _LAYER_NAME.fullmatch(k)
        if m is None:
            if k.startswith("bilinear."):
                raise InputError(f"model file has tensor '{k}': layer tensors are bilinear.K.W_L/W_R/W_D, K decimal")
            continue
        ks.add(int(m.group(1)))
    n = len(ks)
    if n > MAX_LAYERS:
        raise InputError(f"model has {n} bilinear layers, over the {MAX_LAYERS} the checker reads")
    for k in range(n):
        for t in ("W_L", "W_R", "W_D"):
            if f"bilinear.{k}.{t}" not in names:
                raise InputError(f"model file lacks tensor 'bilinear.{k}.{t}' (layers must be numbered 0..{n - 1})")
    return n


def residual_flags(meta: dict, n: int) -> tuple[bool, ...]:
    """Metadata `residual`: n comma-separated flags 0/1 (absent: no residual layer)."""
    v = meta.get("residual")
    if v is None:
        return (False,) * n
    if not isinstance(v, str) or not _FLAGS.fullmatch(v) or len(v.split(",")) != n:
        raise InputError(f"model metadata 'residual' must be {n} comma-separated flags 0/1 (one per layer)")
    return tuple(f == "1" for f in v.split(","))


def net_shape(arrays: dict, n: int, residual: tuple[bool, ...], max_dim: int) -> dict:
    """Validate names and shapes of an n-layer model; its shape dict."""
    for k in arrays:
        if not (_LAYER_NAME.fullmatch(k) or k in ("embed.W", "head.W")):
            raise InputError(f"model file has unsupported tensor '{k}'")
    for k, a in arrays.items():
        if a.ndim != 2 or not all(1 <= d <= max_dim for d in a.shape):
            raise InputError(f"{k} must be a matrix with dimensions in 1..{max_dim}, not {tuple(a.shape)}")
    m = arrays["bilinear.0.W_L"].shape[1]
    d_model = m
    hidden = []
    for k in range(n):
        H, mk = arrays[f"bilinear.{k}.W_L"].shape
        if mk != m:
            raise InputError(f"bilinear.{k}.W_L has {mk} columns, expected {m} (the width of layer {k}'s input)")
        if tuple(arrays[f"bilinear.{k}.W_R"].shape) != (H, m):
            raise InputError(f"bilinear.{k}.W_R has shape {tuple(arrays[f'bilinear.{k}.W_R'].shape)}, expected {(H, m)}")
        if arrays[f"bilinear.{k}.W_D"].shape[1] != H:
            raise InputError(f"bilinear.{k}.W_D has {arrays[f'bilinear.{k}.W_D'].shape[1]} columns, expected {H}")
        out = arrays[f"bilinear.{k}.W_D"].shape[0]
        if residual[k] and out != m:
            raise InputError(f"residual layer {k} must map width {m} to {m}, not {out}")
        hidden.append(int(H))
        m = out
    d_in, n_out = embed_head_dims(arrays, d_model, m)
    return {"d_in": int(d_in), "d_model": int(d_model), "d_hidden": int(sum(hidden)), "hidden": hidden,
            "d_out": int(m), "n_out": int(n_out), "embed": "embed.W" in arrays, "head": "head.W" in arrays,
            "layers": n, "residual": [int(r) for r in residual]}


def _rows(v: list[int], ncol: int) -> list[list[int]]:
    return [v[i:i + ncol] for i in range(0, len(v), ncol)]


def _mm(X: list[list[int]], Y: list[list[int]]) -> list[list[int]]:
    if not X:
        return []
    return (np.array(X, dtype=object) @ np.array(Y, dtype=object)).tolist()


def _scaled(X: list[list[int]], k: int) -> list[list[int]]:
    return [[v << k for v in r] for r in X] if k else X


def fold(s: int, embed, layers, residual, head, d_in: int) -> tuple[tuple[FoldedLayer, ...], bool]:
    """The folded layers (module doc) as integer matrices with power-of-two units."""
    affine = any(residual)
    n = len(layers)
    c = 1 if affine else 0
    out = []
    for k, (L, R, D) in enumerate(layers):
        m = len(L[0])
        # In: rows = coordinates of z_k, columns = the folded input ([1;] x or [1;] z_{k-1}); unit u_in
        if k == 0 and embed is not None:
            In, u_in = [[0] * c + row for row in embed], s
            Lf, Rf = _mm(L, In), _mm(R, In)
        else:
            width = d_in if k == 0 else m
            In, u_in = [[0] * c + [1 if j == i else 0 for j in range(width)] for i in range(m)], 0
            Lf, Rf = [[0] * c + list(r) for r in L], [[0] * c + list(r) for r in R]  # L In with In = [0 | I]
        a = s + u_in
        last = k == n - 1
        m_out = len(D)
        # Out: rows = folded outputs ([1;] z_{k+1}, or the head's classes), columns = coordinates of z_{k+1}
        if last and head is not None:
            Out, u_out = head, s
            Dcols = _mm(head, D)
        else:
            Out = [[0] * m_out] * (0 if last else c) + [[1 if j == i else 0 for j in range(m_out)] for i in range(m_out)]
            u_out = 0
            Dcols = [[0] * len(D[0])] * (0 if last else c) + [list(r) for r in D]
        b = s + u_out
        n_in = len(In[0])
        one = [1 << a] + [0] * (n_in - 1)  # e_1 (the constant) in unit a
        if residual[k]:
            for i in range(m):
                Lf.append(list(one))
                Rf.append([v << (a - u_in) for v in In[i]])
            Dcols = [row + [v << (b - u_out) for v in Orow] for row, Orow in zip(Dcols, Out)]
        if affine and not last:
            Lf.append(list(one))
            Rf.append(list(one))
            Dcols = [row + [(1 << b) if o == 0 else 0] for o, row in enumerate(Dcols)]
        out.append(FoldedLayer(Lf, Rf, Dcols, a, b))
    return tuple(out), affine


def _bits(X: list[list[int]]) -> int:
    return max((abs(v).bit_length() for r in X for v in r), default=0)


def input_gram(A: ExactNet, B: ExactNet) -> list[list[int]]:
    """G_0: 1 where A's input coordinate and B's are the same (x_i and x_i, or both the constant)."""
    ca, cb = int(A.affine), int(B.affine)
    ga = ["1"] * ca + [f"x{i}" for i in range(A.d_in)]
    gb = ["1"] * cb + [f"x{i}" for i in range(B.d_in)]
    return [[1 if u == v else 0 for v in gb] for u in ga]


def same_space(A: ExactNet, B: ExactNet) -> None:
    if A.d_in != B.d_in or A.n_out != B.n_out:
        raise InputError(f"models differ in shape: inputs {A.d_in} vs {B.d_in}, outputs {A.n_out} vs {B.n_out}")
    if A.depth != B.depth:
        raise InputError(f"the models have {A.depth} and {B.depth} bilinear layers: their tensors live in different "
                         "spaces (degree 2^depth); compare models of equal depth")


def gram_net_work(A: ExactNet, B: ExactNet) -> tuple[int, int]:
    """(work units, bits of the largest integer) of `gram_net(A, B)`, from shapes and bit sizes alone."""
    same_space(A, B)
    work, bits = 0, 1
    na, nb = A.d_in + A.affine, B.d_in + B.affine
    for FA, FB in zip(A.folded, B.folded):
        ha, hb = len(FA.ZL), len(FB.ZL)
        oa, ob = len(FA.ZD), len(FB.ZD)
        work += 4 * (ha * na * nb + ha * nb * hb) + oa * ha * hb + oa * hb * ob
        term = 2 * (bits + _bits(FA.ZL) + _bits(FA.ZR) + _bits(FB.ZL) + _bits(FB.ZR)
                    + (na * nb).bit_length() + 2) + 1
        bits = term + _bits(FA.ZD) + _bits(FB.ZD) + (ha * hb).bit_length() + 1
        na, nb = oa, ob
    return work, bits


def gram_net(A: ExactNet, B: ExactNet) -> tuple[list[int], int]:
    """`(I, g)` with `<T_A,o, T_B,o> = I[o] / 2^g` for every output o (the Gram recursion, module doc)."""
    same_space(A, B)
    G = np.array(input_gram(A, B), dtype=object)
    g = 0
    n = A.depth
    for k, (FA, FB) in enumerate(zip(A.folded, B.folded)):
        LA, RA, DA = (np.array(M, dtype=object) for M in (FA.ZL, FA.ZR, FA.ZD))
        LB, RB, DB = (np.array(M, dtype=object) for M in (FB.ZL, FB.ZR, FB.ZD))
        LG, RG = LA @ G, RA @ G
        T = (LG @ LB.T) * (RG @ RB.T) + (LG @ RB.T) * (RG @ LB.T)
        g = 2 * g + 2 * FA.a + 2 * FB.a + FA.b + FB.b + 1
        DT = DA @ T
        if k < n - 1:
            G = DT @ DB.T
        else:
            return [int(sum(DT[o, j] * DB[o, j] for j in range(DB.shape[1]))) for o in range(A.n_out)], g
    raise AssertionError("unreachable: a model has at least one layer")


# ---------------------------------------------------------------- exact evaluation (brute force)
def eval_batch(M: ExactNet, X: list[list[int]]) -> tuple[list[list[int]], int]:
    """Exact outputs of a batch of integer inputs (rows of X): `(Y, u)` with f(x) = Y row / 2^u."""
    Z = np.array(X, dtype=object)
    u = 0
    s = M.s
    if M.embed is not None:
        Z = Z @ np.array(M.embed, dtype=object).T
        u += s
    for (L, R, D), res in zip(M.layers, M.residual):
        hl = Z @ np.array(L, dtype=object).T
        hr = Z @ np.array(R, dtype=object).T
        Y = (hl * hr) @ np.array(D, dtype=object).T  # unit 2u + 3s
        if res:
            Y = Y + Z * (1 << (u + 3 * s))
        Z, u = Y, 2 * u + 3 * s
    if M.head is not None:
        Z = Z @ np.array(M.head, dtype=object).T
        u += s
    return Z.tolist(), u


def eval_work(M: ExactNet, batch: int) -> tuple[int, int]:
    """(work units, bits) of `eval_batch` on `batch` inputs with entries in {0, 1}."""
    w = 0
    m = M.d_in
    bits = 1 + m.bit_length()
    wb = max(_bits(x) for L in M.layers for x in L)
    if M.embed is not None:
        w += batch * m * len(M.embed)
        m = len(M.embed)
        bits += _bits(M.embed) + m.bit_length()
    for (L, R, D) in M.layers:
        H = len(L)
        w += batch * (2 * H * m + len(D) * H + m)
        bits = 2 * (bits + wb + m.bit_length()) + wb + H.bit_length() + 2
        m = len(D)
    if M.head is not None:
        w += batch * m * len(M.head)
        bits += _bits(M.head) + m.bit_length()
    return w, bits


def modadd_count_net(M: ExactNet, progress=None) -> tuple[int, int]:
    """(correct, incorrect) over all P^2 one-hot pairs: correct iff the logit of (a+b) mod P is strictly largest."""
    P = M.p
    assert P is not None
    good = 0
    for a in range(P):
        X = [[1 if (j == a or j == P + b) else 0 for j in range(2 * P)] for b in range(P)]
        Y, _ = eval_batch(M, X)
        for b in range(P):
            row, z = Y[b], (a + b) % P
            if all(row[z] > v for j, v in enumerate(row) if j != z):
                good += 1
        if progress is not None:
            progress(P)
    return good, P * P - good


def build_net(arrays: dict, ints: dict, s: int, shape: dict, residual: tuple[bool, ...], sha: str,
              task: str | None, p: int | None) -> ExactNet:
    n = shape["layers"]
    layers = []
    for k in range(n):
        H, m = arrays[f"bilinear.{k}.W_L"].shape
        layers.append((_rows(ints[f"bilinear.{k}.W_L"], m), _rows(ints[f"bilinear.{k}.W_R"], m),
                       _rows(ints[f"bilinear.{k}.W_D"], H)))
    embed = _rows(ints["embed.W"], shape["d_in"]) if shape["embed"] else None
    head = _rows(ints["head.W"], shape["d_out"]) if shape["head"] else None
    folded, affine = fold(s, embed, layers, residual, head, shape["d_in"])
    return ExactNet(s, embed, tuple(layers), residual, head, folded, affine, shape["d_in"], shape["d_hidden"],
                    shape["n_out"], sha, shape, task, p)
