"""Trusted: read a Max-of-k model file and convert its weights exactly to integers.

Claim established by `load_maxofk`: every returned integer matrix `Z_M` satisfies
`Z_M = M * 2^s` exactly, where `M` is the matrix of IEEE values stored in the file and `s` is the
least non-negative integer making all entries integral (docs/CHECKING.md sections 2 and 7).
Conversion goes through `float.as_integer_ratio`, which is exact; never through decimal strings.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pybridge.check.errors import InputError
from pybridge.check.modelfile import canonical_sha256 as _canonical_sha256
from pybridge.check.modelfile import MAX_DIM, MAX_MODEL_BYTES, exact_integers, meta_int  # noqa: F401
from pybridge.check.modelfile import read_safetensors as _read_safetensors

WEIGHT_NAMES = (
    "embed.W_E",
    "pos_embed.W_pos",
    "blocks.0.attn.W_Q",
    "blocks.0.attn.W_K",
    "blocks.0.attn.W_V",
    "blocks.0.attn.W_O",
    "unembed.W_U",
)
BIAS_NAMES = (
    "blocks.0.attn.b_Q",
    "blocks.0.attn.b_K",
    "blocks.0.attn.b_V",
    "blocks.0.attn.b_O",
    "unembed.b_U",
)

Matrix = list[list[int]]


@dataclass(frozen=True)
class ExactMaxOfK:
    """A one-layer, one-head attention-only model with weights `Z / 2^s` (Z integer)."""

    d_vocab: int
    n_ctx: int
    d_model: int
    d_head: int
    s: int
    E: Matrix  # V x d
    P: Matrix  # n x d
    WQ: Matrix  # d x h
    WK: Matrix  # d x h
    WV: Matrix  # d x h
    WO: Matrix  # h x d
    WU: Matrix  # d x V
    sha256: str


def maxofk_shapes(V: int, n: int, d: int, h: int) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """Shapes of the weights and of the optional (necessarily zero) biases (CHECKING.md s.7)."""
    weights = {
        "embed.W_E": (V, d),
        "pos_embed.W_pos": (n, d),
        "blocks.0.attn.W_Q": (1, d, h),
        "blocks.0.attn.W_K": (1, d, h),
        "blocks.0.attn.W_V": (1, d, h),
        "blocks.0.attn.W_O": (1, h, d),
        "unembed.W_U": (d, V),
    }
    biases = {
        "blocks.0.attn.b_Q": (1, h),
        "blocks.0.attn.b_K": (1, h),
        "blocks.0.attn.b_V": (1, h),
        "blocks.0.attn.b_O": (d,),
        "unembed.b_U": (V,),
    }
    return weights, biases


def load_maxofk(path: str | Path) -> ExactMaxOfK:
    """Read, validate and exactly convert a Max-of-k safetensors model file."""
    path = Path(path)
    arrays, meta = _read_safetensors(path)
    if meta.get("pybridge_family") != "maxofk":
        raise InputError(f"model file {path}: metadata pybridge_family is not 'maxofk'")
    V, n, d, h = (meta_int(meta, k) for k in ("d_vocab", "n_ctx", "d_model", "d_head"))
    if V < 2:
        raise InputError("d_vocab must be at least 2")
    expected, bias_shapes = maxofk_shapes(V, n, d, h)
    for name in arrays:
        if name not in expected and name not in bias_shapes:
            raise InputError(f"model file has unsupported tensor '{name}' (only one attention-only layer is supported)")
    for name, shape in expected.items():
        if name not in arrays:
            raise InputError(f"model file lacks tensor '{name}'")
        if tuple(arrays[name].shape) != shape:
            raise InputError(f"{name} has shape {tuple(arrays[name].shape)}, expected {shape}")
    for name, shape in bias_shapes.items():
        if name in arrays:
            b = arrays[name]
            if tuple(b.shape) != shape:
                raise InputError(f"{name} has shape {tuple(b.shape)}, expected {shape}")
            if b.dtype not in (np.float32, np.float64) or not np.all(b == 0):
                raise InputError(f"{name} is not all zero (non-zero biases are not supported)")
    s, ints = exact_integers({name: arrays[name] for name in WEIGHT_NAMES})

    def mat(name: str) -> Matrix:
        a = arrays[name]
        rows, cols = a.shape[-2], a.shape[-1]
        return [ints[name][r * cols : (r + 1) * cols] for r in range(rows)]

    return ExactMaxOfK(
        d_vocab=V,
        n_ctx=n,
        d_model=d,
        d_head=h,
        s=s,
        E=mat("embed.W_E"),
        P=mat("pos_embed.W_pos"),
        WQ=mat("blocks.0.attn.W_Q"),
        WK=mat("blocks.0.attn.W_K"),
        WV=mat("blocks.0.attn.W_V"),
        WO=mat("blocks.0.attn.W_O"),
        WU=mat("unembed.W_U"),
        sha256=canonical_sha256(arrays),
    )



def canonical_sha256(arrays: dict[str, np.ndarray], names: tuple[str, ...] = WEIGHT_NAMES) -> str:
    """The canonical weight hash (check.modelfile.canonical_sha256) over the Max-of-k weight names."""
    return _canonical_sha256(arrays, names)
