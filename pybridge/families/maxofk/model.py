"""The Max-of-k transformer of docs/CHECKING.md section 1, its file format (section 7) and a loader.

Model: one layer, one head, attention only, no LayerNorm, no biases, learned positional embedding,
causal attention with scale 1/sqrt(d_head); the residual stream at position i is
x_i + attn_out_i with x_i = W_E[t_i] + W_pos[i], and logits are resid @ W_U. Only the last
position's logits matter for the task (predict max(t)).

Parameter names and shapes follow TransformerLens, so `model.state_dict()` keys are exactly the
tensor names of the model file: `embed.W_E [V,d]`, `pos_embed.W_pos [n,d]`,
`blocks.0.attn.W_Q/W_K/W_V [1,d,h]`, `blocks.0.attn.W_O [1,h,d]`, `unembed.W_U [d,V]`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

# the tensor names and the canonical hash are part of the trusted file format: reuse the checker's
from pybridge.check.maxofk.weights import BIAS_NAMES, LN_NAMES, WEIGHT_NAMES, canonical_sha256, maxofk_shapes

from pybridge.families.errors import ModelFormatError
from pybridge.families.stio import atomic_write_bytes, merge_metadata, read_safetensors, serialize_safetensors

FAMILY = "maxofk"
MAX_DIM = 4096
_REQUIRED_META = ("pybridge_family", "d_vocab", "n_ctx", "d_model", "d_head")


@dataclass(frozen=True)
class MaxOfKConfig:
    """Sizes of a Max-of-k model: vocabulary V, context n, residual width d, head width h."""

    d_vocab: int = 64
    n_ctx: int = 4
    d_model: int = 32
    d_head: int = 32

    def __post_init__(self) -> None:
        for name in ("d_vocab", "n_ctx", "d_model", "d_head"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not (1 <= v <= MAX_DIM):
                raise ModelFormatError(f"{name} must be an integer in 1..{MAX_DIM}, got {v!r}")
        if self.d_vocab < 2:
            raise ModelFormatError("d_vocab must be at least 2")

    def weight_shapes(self) -> dict[str, tuple[int, ...]]:
        """Expected shape of each weight tensor (file names, TransformerLens layout)."""
        return maxofk_shapes(self.d_vocab, self.n_ctx, self.d_model, self.d_head)[0]

    def bias_shapes(self) -> dict[str, tuple[int, ...]]:
        """Shapes of the optional (necessarily zero) biases."""
        return maxofk_shapes(self.d_vocab, self.n_ctx, self.d_model, self.d_head)[1]


def _holder(**params: nn.Parameter) -> nn.Module:
    m = nn.Module()
    for k, v in params.items():
        setattr(m, k, v)
    return m


class MaxOfKTransformer(nn.Module):
    """One-layer, one-head, attention-only causal transformer with TransformerLens names.

    `forward(tokens[B,L]) -> logits[B,L,V]` for 1 <= L <= n_ctx. Initialisation (when no state is
    loaded) follows TransformerLens' default "gpt2" scheme: every weight i.i.d. N(0, (0.8/sqrt(d))^2),
    drawn in the order of WEIGHT_NAMES from `generator` (the global RNG if None).
    """

    def __init__(
        self,
        cfg: MaxOfKConfig,
        *,
        generator: torch.Generator | None = None,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        super().__init__()
        self.cfg = cfg
        std = 0.8 / math.sqrt(cfg.d_model)
        shapes = cfg.weight_shapes()

        def init(name: str) -> nn.Parameter:
            w = torch.randn(shapes[name], generator=generator, dtype=torch.float32) * std
            return nn.Parameter(w.to(dtype))

        self.embed = _holder(W_E=init("embed.W_E"))
        self.pos_embed = _holder(W_pos=init("pos_embed.W_pos"))
        attn = _holder(
            W_Q=init("blocks.0.attn.W_Q"),
            W_K=init("blocks.0.attn.W_K"),
            W_V=init("blocks.0.attn.W_V"),
            W_O=init("blocks.0.attn.W_O"),
        )
        block = nn.Module()
        block.attn = attn
        self.blocks = nn.ModuleList([block])
        self.unembed = _holder(W_U=init("unembed.W_U"))

    def weights(self) -> dict[str, torch.Tensor]:
        """The seven weight tensors by file name (views of the parameters)."""
        sd = self.state_dict(keep_vars=True)
        return {k: sd[k] for k in WEIGHT_NAMES}

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits at every position, [B, L, V], with causal attention."""
        if tokens.dim() != 2 or not (1 <= tokens.shape[1] <= self.cfg.n_ctx):
            raise ValueError(f"tokens must be [B, L] with 1 <= L <= {self.cfg.n_ctx}, got {tuple(tokens.shape)}")
        attn = self.blocks[0].attn
        L = tokens.shape[1]
        x = self.embed.W_E[tokens] + self.pos_embed.W_pos[:L]
        q = x @ attn.W_Q[0]
        k = x @ attn.W_K[0]
        v = x @ attn.W_V[0]
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.cfg.d_head)
        future = torch.ones(L, L, dtype=torch.bool, device=tokens.device).triu(1)
        scores = scores.masked_fill(future, float("-inf"))
        pattern = torch.softmax(scores, dim=-1)
        resid = x + (pattern @ v) @ attn.W_O[0]
        return resid @ self.unembed.W_U

    def last_logits(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits at the last position, [B, V] (the only ones the task and the claims use)."""
        return self.forward(tokens)[:, -1, :]


def reference_logits(model: MaxOfKTransformer, tokens: torch.Tensor) -> torch.Tensor:
    """Last-position logits [B, V] in float64, computed by the formula of CHECKING.md section 1.

    `logit = x_{n-1} W_U + sum_i a_i (x_i W_V W_O W_U)`, `a = softmax_i((x_{n-1} W_Q).(x_i W_K)/sqrt(h))`.
    This path (no mask, per-position OV in vocabulary space) is deliberately different from
    `forward`, so that agreement between the two is evidence that both are right.
    """
    w = {k: v.detach().to(torch.float64) for k, v in model.weights().items()}
    E, P = w["embed.W_E"], w["pos_embed.W_pos"]
    WQ, WK, WV = w["blocks.0.attn.W_Q"][0], w["blocks.0.attn.W_K"][0], w["blocks.0.attn.W_V"][0]
    WO, WU = w["blocks.0.attn.W_O"][0], w["unembed.W_U"]
    L = tokens.shape[1]
    x = E[tokens] + P[:L]  # [B, L, d]
    xq = x[:, -1, :]  # [B, d]
    s = torch.einsum("bh,bih->bi", xq @ WQ, x @ WK) / math.sqrt(model.cfg.d_head)
    a = torch.softmax(s, dim=-1)  # [B, L]
    ov = ((x @ WV) @ WO) @ WU  # [B, L, V]
    return xq @ WU + torch.einsum("bi,biv->bv", a, ov)


def correct_mask(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Per input: is logit[max(t)] strictly greater than every other logit? (ties are failures)."""
    m = tokens.max(dim=1).values
    target = logits.gather(1, m[:, None])
    others = logits.scatter(1, m[:, None], float("-inf"))
    return (target[:, 0] > others.max(dim=1).values)


def model_sha256(weights: Mapping[str, torch.Tensor]) -> str:
    """SHA-256 of the canonical weight bytes of CHECKING.md section 7 (prover-side convenience)."""
    arrays = {}
    for name in WEIGHT_NAMES:
        t = weights[name].detach().cpu().contiguous()
        if t.dtype not in (torch.float32, torch.float64):
            raise ModelFormatError(f"{name}: dtype {t.dtype} is not float32 or float64")
        arrays[name] = t.numpy()
    return canonical_sha256(arrays)


def _config_from_shapes(tensors: Mapping[str, torch.Tensor]) -> MaxOfKConfig:
    for name in WEIGHT_NAMES:
        if name not in tensors:
            raise ModelFormatError(f"missing tensor '{name}'")
    V, d = tuple(tensors["embed.W_E"].shape) if tensors["embed.W_E"].dim() == 2 else (0, 0)
    if V == 0:
        raise ModelFormatError(f"embed.W_E has shape {tuple(tensors['embed.W_E'].shape)}, expected [V, d]")
    n = tensors["pos_embed.W_pos"].shape[0] if tensors["pos_embed.W_pos"].dim() == 2 else 0
    wq = tensors["blocks.0.attn.W_Q"]
    h = wq.shape[-1] if wq.dim() == 3 else 0
    if n == 0 or h == 0:
        raise ModelFormatError("pos_embed.W_pos must be [n, d] and blocks.0.attn.W_Q must be [1, d, h]")
    return MaxOfKConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=h)


def validate_weights(
    tensors: Mapping[str, torch.Tensor],
    cfg: MaxOfKConfig | None = None,
    *,
    allowed_dtypes: tuple[torch.dtype, ...] = (torch.float32, torch.float64),
    allow_ln: bool = False,
) -> MaxOfKConfig:
    """Check that `tensors` is exactly a Max-of-k model and return its config.

    Establishes: the seven weights are present with the shapes of `cfg` (inferred from W_E, W_pos
    and W_Q when None), of an allowed floating dtype, all entries finite; any bias present has its
    TransformerLens shape and finite entries; the four LayerNorm tensors (`blocks.0.ln1.w/b`,
    `ln_final.w/b`, shape [d]) are present iff `allow_ln`; no other tensor is present.
    Raises ModelFormatError.
    """
    if cfg is None:
        cfg = _config_from_shapes(tensors)
    shapes, bshapes = cfg.weight_shapes(), cfg.bias_shapes()
    for name in tensors:
        if name not in shapes and name not in bshapes and name not in LN_NAMES:
            raise ModelFormatError(f"unsupported tensor '{name}' (only one attention-only layer with one head)")
    for name, shape in shapes.items():
        if name not in tensors:
            raise ModelFormatError(f"missing tensor '{name}'")
        t = tensors[name]
        if tuple(t.shape) != shape:
            raise ModelFormatError(f"{name} has shape {list(t.shape)}, expected {list(shape)}")
        if t.dtype not in allowed_dtypes:
            raise ModelFormatError(f"{name} has dtype {t.dtype}, expected one of {[str(d) for d in allowed_dtypes]}")
        if not bool(torch.isfinite(t).all()):
            raise ModelFormatError(f"{name} contains NaN or infinite entries")
    for name, shape in bshapes.items():
        if name in tensors:
            b = tensors[name]
            if tuple(b.shape) != shape:
                raise ModelFormatError(f"{name} has shape {list(b.shape)}, expected {list(shape)}")
            if b.dtype not in allowed_dtypes:
                raise ModelFormatError(f"{name} has dtype {b.dtype}, expected one of {[str(d) for d in allowed_dtypes]}")
            if not bool(torch.isfinite(b).all()):
                raise ModelFormatError(f"{name} contains NaN or infinite entries")
    present_ln = [k for k in LN_NAMES if k in tensors]
    if present_ln and not allow_ln:
        raise ModelFormatError(f"unsupported tensor '{present_ln[0]}' (LayerNorm weights need normalization_type LN)")
    if allow_ln:
        for name in LN_NAMES:
            if name not in tensors:
                raise ModelFormatError(f"missing tensor '{name}'")
            t = tensors[name]
            if tuple(t.shape) != (cfg.d_model,):
                raise ModelFormatError(f"{name} has shape {list(t.shape)}, expected [{cfg.d_model}]")
            if t.dtype not in allowed_dtypes or not bool(torch.isfinite(t).all()):
                raise ModelFormatError(f"{name} must be finite with dtype one of {[str(d) for d in allowed_dtypes]}")
    return cfg


def _metadata(cfg: MaxOfKConfig, meta: Mapping[str, Any] | None) -> dict[str, str]:
    base = {
        "pybridge_family": FAMILY,
        "d_vocab": str(cfg.d_vocab),
        "n_ctx": str(cfg.n_ctx),
        "d_model": str(cfg.d_model),
        "d_head": str(cfg.d_head),
    }
    return merge_metadata(base, meta)


def save_maxofk(
    model_or_state: MaxOfKTransformer | Mapping[str, torch.Tensor],
    path: str | Path,
    meta: Mapping[str, Any] | None = None,
    *,
    dtype: torch.dtype = torch.float32,
) -> Path:
    """Write a model file (CHECKING.md section 7) atomically and return its path.

    Establishes: the file holds exactly the seven weights cast to `dtype` (float32 by default;
    float64 allowed), validated (shapes, finiteness) before anything is written, plus metadata
    `pybridge_family="maxofk"`, the four sizes, and optional `seed` and `training` (a dict is stored
    as canonical JSON). The bytes are a function of the weights and metadata alone. Either the old
    file (if any) or the complete new one exists at `path`, never a partial file.
    """
    if dtype not in (torch.float32, torch.float64):
        raise ModelFormatError(f"model files store float32 or float64, not {dtype}")
    if isinstance(model_or_state, MaxOfKTransformer):
        tensors = {k: v.detach() for k, v in model_or_state.weights().items()}
    else:
        tensors = {k: v.detach() for k, v in model_or_state.items()
                   if k in WEIGHT_NAMES or k in BIAS_NAMES or k in LN_NAMES}
        extra = sorted(set(model_or_state) - set(tensors))
        if extra:
            raise ModelFormatError(f"unsupported tensor '{extra[0]}'")
    norm = str((meta or {}).get("normalization_type", "none"))
    if norm not in ("none", "LN", "LNPre"):
        raise ModelFormatError(f"normalization_type must be none, LN or LNPre, not {norm!r}")
    cfg = validate_weights(tensors, allowed_dtypes=(torch.float16, torch.bfloat16, torch.float32, torch.float64),
                           allow_ln=norm == "LN")
    # biases are stored only when some entry is non-zero (a bias-free model keeps its bytes and hash)
    keep = list(WEIGHT_NAMES) + [k for k in BIAS_NAMES if k in tensors and bool((tensors[k] != 0).any())]
    keep += list(LN_NAMES) if norm == "LN" else []
    out = {k: tensors[k].to(dtype).cpu().contiguous() for k in keep}
    for k, v in out.items():
        if not bool(torch.isfinite(v).all()):
            raise ModelFormatError(f"{k} overflows {dtype}")
    data = serialize_safetensors(out, _metadata(cfg, meta))
    return atomic_write_bytes(path, data)


def _meta_int(meta: Mapping[str, str], key: str) -> int:
    v = meta.get(key)
    if v is None or not v.isdigit() or not (1 <= int(v) <= MAX_DIM):
        raise ModelFormatError(f"metadata '{key}' missing or not an integer in 1..{MAX_DIM}")
    return int(v)


def load_state(path: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, str], MaxOfKConfig]:
    """Read and validate a model file; return (weights by name, metadata, config).

    Establishes everything `validate_weights` does, with the sizes taken from the metadata, and
    that the metadata names the family "maxofk". Raises ModelFormatError (one line) otherwise.
    """
    tensors, meta = read_safetensors(path)
    if meta.get("pybridge_family") != FAMILY:
        raise ModelFormatError(f"{path}: metadata pybridge_family is not '{FAMILY}'")
    cfg = MaxOfKConfig(*(_meta_int(meta, k) for k in ("d_vocab", "n_ctx", "d_model", "d_head")))
    validate_weights(tensors, cfg, allow_ln=meta.get("normalization_type") == "LN")
    if "training" in meta:
        try:
            json.loads(meta["training"])
        except ValueError:
            raise ModelFormatError(f"{path}: metadata 'training' is not JSON") from None
    nonzero = [k for k in BIAS_NAMES if k in tensors and bool((tensors[k] != 0).any())]
    ln = list(LN_NAMES) if meta.get("normalization_type") == "LN" else []
    return {k: tensors[k] for k in list(WEIGHT_NAMES) + nonzero + ln}, meta, cfg


def load_torch(path: str | Path) -> MaxOfKTransformer:
    """Load a validated model file into a MaxOfKTransformer (prover side).

    The module's dtype is float64 if any stored weight is float64 (an exact widening), else float32,
    so its parameters equal the stored values exactly. The file metadata is kept in `.file_metadata`.
    """
    weights, meta, cfg = load_state(path)
    if set(weights) != set(WEIGHT_NAMES) or meta.get("normalization_type", "none") != "none":
        raise ModelFormatError(f"{path}: the torch module has no biases or LayerNorm; this model has "
                               "(prove and check it through the pybridge CLI)")
    dtype = torch.float64 if any(t.dtype == torch.float64 for t in weights.values()) else torch.float32
    model = MaxOfKTransformer(cfg, generator=torch.Generator().manual_seed(0), dtype=dtype)
    model.load_state_dict({k: v.to(dtype) for k, v in weights.items()}, strict=True)
    model.file_metadata = dict(meta)  # type: ignore[assignment]
    return model
