"""Trusted: read a Max-of-k model file and convert its weights exactly to integers.

Claim established by `load_maxofk`: every returned integer matrix `Z_M` satisfies
`Z_M = M * 2^s` exactly, where `M` is the matrix of IEEE values stored in the file and `s` is the
least non-negative integer making all entries integral (docs/CHECKING.md sections 2 and 7).
Conversion goes through `float.as_integer_ratio`, which is exact; never through decimal strings.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
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

LN_NAMES = (
    "blocks.0.ln1.w",
    "blocks.0.ln1.b",
    "ln_final.w",
    "ln_final.b",
)
NORMALIZATION_TYPES = ("none", "LN", "LNPre")
DEFAULT_LN_EPS = Fraction(1, 100000)
_EPS_RE = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,30})?([eE]-?[0-9]{1,2})?$|^[0-9]{1,30}/[0-9]{1,30}$")

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
    # biases (unit 2^-s; all zero when absent): b_Q, b_K, b_V (h), b_O (d), b_U (V)
    bQ: list[int] = field(default_factory=list)
    bK: list[int] = field(default_factory=list)
    bV: list[int] = field(default_factory=list)
    bO: list[int] = field(default_factory=list)
    bU: list[int] = field(default_factory=list)
    # LayerNorm (TransformerLens): "none", "LN" (weight w and bias b, unit 2^-s) or "LNPre" (w = 1, b = 0)
    normalization: str = "none"
    ln_eps: Fraction = DEFAULT_LN_EPS
    ln1_w: list[int] = field(default_factory=list)
    ln1_b: list[int] = field(default_factory=list)
    lnf_w: list[int] = field(default_factory=list)
    lnf_b: list[int] = field(default_factory=list)

    @property
    def has_bias(self) -> bool:
        return any(any(b) for b in (self.bQ, self.bK, self.bV, self.bO, self.bU))

    @property
    def has_ln(self) -> bool:
        return self.normalization != "none"


def maxofk_shapes(V: int, n: int, d: int, h: int) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """Shapes of the weights and of the optional biases (CHECKING.md s.7)."""
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


def parse_ln_eps(text: str | None) -> Fraction:
    """The LayerNorm epsilon of metadata `ln_eps` as an exact rational (decimal or p/q; default 1e-5)."""
    if text is None:
        return DEFAULT_LN_EPS
    if not _EPS_RE.match(text):
        raise InputError("model metadata 'ln_eps' must be a positive decimal (e.g. 1e-5) or p/q")
    try:
        eps = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InputError("model metadata 'ln_eps' is not a valid rational") from None
    if not (Fraction(1, 10**30) <= eps <= 1):
        raise InputError("model metadata 'ln_eps' must lie in [1e-30, 1]")
    return eps


def load_maxofk(path: str | Path) -> ExactMaxOfK:
    """Read, validate and exactly convert a Max-of-k safetensors model file."""
    path = Path(path)
    arrays, meta = _read_safetensors(path)
    if meta.get("pybridge_family") != "maxofk":
        raise InputError(f"model file {path}: metadata pybridge_family is not 'maxofk'")
    V, n, d, h = (meta_int(meta, k) for k in ("d_vocab", "n_ctx", "d_model", "d_head"))
    if V < 2:
        raise InputError("d_vocab must be at least 2")
    norm = meta.get("normalization_type", "none")
    if norm not in NORMALIZATION_TYPES:
        raise InputError(f"model metadata 'normalization_type' must be one of {', '.join(NORMALIZATION_TYPES)}")
    if norm == "none" and "ln_eps" in meta:
        raise InputError("model metadata 'ln_eps' given for a model without LayerNorm")
    eps = parse_ln_eps(meta.get("ln_eps"))
    expected, bias_shapes = maxofk_shapes(V, n, d, h)
    ln_shapes = {name: (d,) for name in LN_NAMES} if norm == "LN" else {}
    for name in arrays:
        if name not in expected and name not in bias_shapes and name not in ln_shapes:
            raise InputError(f"model file has unsupported tensor '{name}' (only one attention-only layer is supported)")
    for name, shape in {**expected, **ln_shapes}.items():
        if name not in arrays:
            raise InputError(f"model file lacks tensor '{name}'")
        if tuple(arrays[name].shape) != shape:
            raise InputError(f"{name} has shape {tuple(arrays[name].shape)}, expected {shape}")
    for name, shape in bias_shapes.items():
        if name in arrays and tuple(arrays[name].shape) != shape:
            raise InputError(f"{name} has shape {tuple(arrays[name].shape)}, expected {shape}")
    present_biases = tuple(name for name in BIAS_NAMES if name in arrays)
    names = WEIGHT_NAMES + present_biases + tuple(ln_shapes)
    s, ints = exact_integers({name: arrays[name] for name in names})

    def mat(name: str) -> Matrix:
        a = arrays[name]
        rows, cols = a.shape[-2], a.shape[-1]
        return [ints[name][r * cols : (r + 1) * cols] for r in range(rows)]

    def vec(name: str, size: int, default: int = 0) -> list[int]:
        return list(ints[name]) if name in ints else [default] * size

    biases = [vec(name, shape[-1]) for name, shape in bias_shapes.items()]
    one = 1 << s
    ln = [vec(name, d, one if name.endswith(".w") else 0) for name in LN_NAMES]
    extended = norm != "none" or any(any(b) for b in biases)
    if extended:
        inner = canonical_sha256(arrays, names)
        digest = hashlib.sha256(
            f"pybridge-maxofk-extended\n{inner}\nnormalization_type:{norm}\n"
            f"ln_eps:{eps.numerator}/{eps.denominator}\n".encode()
        ).hexdigest()
    else:
        digest = canonical_sha256(arrays)
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
        sha256=digest,
        bQ=biases[0],
        bK=biases[1],
        bV=biases[2],
        bO=biases[3],
        bU=biases[4],
        normalization=norm,
        ln_eps=eps if norm != "none" else DEFAULT_LN_EPS,
        ln1_w=ln[0],
        ln1_b=ln[1],
        lnf_w=ln[2],
        lnf_b=ln[3],
    )


def canonical_sha256(arrays: dict[str, np.ndarray], names: tuple[str, ...] = WEIGHT_NAMES) -> str:
    """The canonical weight hash (check.modelfile.canonical_sha256) over the Max-of-k weight names."""
    return _canonical_sha256(arrays, names)
