"""Import and export TransformerLens `HookedTransformer` state dicts, without transformer_lens.

Supported: exactly the class pybridge proves things about — one layer, one head, attention only,
no normalisation, all biases zero, TransformerLens defaults otherwise (standard learned positional
embedding, causal attention, attention scale sqrt(d_head)). These defaults are not visible in a
state dict; importing a model trained with other settings (e.g. `use_attn_scale=False`) would give a
file that does not describe the same function, so check the source config before importing.

Sources: `.safetensors`, or `.pt`/`.pth`/`.bin` read with `torch.load(weights_only=True)` (never a
general unpickler). The mapping may be the state dict itself or wrap it under one of the keys
`state_dict`, `model_state_dict`, `model`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from pybridge.families.errors import ModelFormatError
from pybridge.families.maxofk.model import BIAS_NAMES, WEIGHT_NAMES, load_state, save_maxofk, validate_weights
from pybridge.families.stio import MAX_FILE_BYTES, atomic_write_bytes, read_safetensors, serialize_safetensors

IGNORED_BUFFERS = ("blocks.0.attn.IGNORE", "blocks.0.attn.mask")
WRAPPER_KEYS = ("state_dict", "model_state_dict", "model")
_LAYER = re.compile(r"^blocks\.(\d+)\.")
_LAYERNORM = re.compile(r"(^|\.)ln(_final|_pre|\d+)?(\.|$)")
_MLP = re.compile(r"^blocks\.\d+\.mlp\.")
_TORCH_SUFFIXES = (".pt", ".pth", ".bin")


def _first_line(e: BaseException) -> str:
    s = str(e).strip()
    return s.splitlines()[0] if s else type(e).__name__


def _is_tensor_map(obj: Any) -> bool:
    return isinstance(obj, Mapping) and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items())


def read_tl_state_dict(src: str | Path) -> dict[str, torch.Tensor]:
    """Read a flat {name: tensor} mapping from a safetensors or weights-only torch file."""
    src = Path(src)
    suffix = src.suffix.lower()
    if suffix == ".safetensors":
        tensors, _ = read_safetensors(src)
        return tensors
    if suffix not in _TORCH_SUFFIXES:
        raise ModelFormatError(f"{src}: unsupported extension '{src.suffix}' (use .safetensors, .pt, .pth or .bin)")
    try:
        if src.stat().st_size > MAX_FILE_BYTES:
            raise ModelFormatError(f"{src} is larger than {MAX_FILE_BYTES} bytes")
        obj = torch.load(src, map_location="cpu", weights_only=True)
    except ModelFormatError:
        raise
    except Exception as e:  # OSError, UnpicklingError for disallowed globals, corrupt archives
        raise ModelFormatError(f"{src}: cannot be read with torch.load(weights_only=True): {_first_line(e)}") from None
    if _is_tensor_map(obj):
        return dict(obj)
    if isinstance(obj, Mapping):
        for key in WRAPPER_KEYS:
            if key in obj and _is_tensor_map(obj[key]):
                return dict(obj[key])
    raise ModelFormatError(f"{src}: not a state dict (a mapping from names to tensors)")


def _refuse_unsupported_keys(sd: Mapping[str, torch.Tensor]) -> None:
    """Refuse, in a fixed order of causes, any tensor outside one attention-only layer and head."""
    keys = sorted(sd)
    for k in keys:
        m = _LAYER.match(k)
        if m and int(m.group(1)) != 0:
            raise ModelFormatError(f"more than one layer ('{k}'); only one-layer models are supported")
    for k in keys:
        if _LAYERNORM.search(k):
            raise ModelFormatError(f"LayerNorm weights present ('{k}'); only models without normalisation are supported")
    for k in keys:
        if _MLP.match(k):
            raise ModelFormatError(f"MLP weights present ('{k}'); only attention-only models are supported")
    for k in keys:
        if k not in WEIGHT_NAMES and k not in BIAS_NAMES and k not in IGNORED_BUFFERS:
            raise ModelFormatError(f"unsupported tensor '{k}'")


def tl_to_pybridge_weights(
    sd: Mapping[str, torch.Tensor], n_ctx_override: int | None = None
) -> dict[str, torch.Tensor]:
    """Convert a TL state dict to the seven pybridge weights, or raise a one-line ModelFormatError.

    Establishes: no second layer, LayerNorm, MLP or unknown tensor; one head; every tensor finite;
    every bias present is exactly zero; shapes consistent (checked by `validate_weights`). With
    `n_ctx_override = n`, only the first n positional embeddings are kept (valid for a causal model
    read at position n-1).
    """
    _refuse_unsupported_keys(sd)
    for name in WEIGHT_NAMES:
        if name not in sd:
            raise ModelFormatError(f"missing tensor '{name}'")
    for name in WEIGHT_NAMES + BIAS_NAMES:
        if name in sd:
            t = sd[name]
            if not t.is_floating_point():
                raise ModelFormatError(f"{name} has non-floating dtype {t.dtype}")
            if not bool(torch.isfinite(t).all()):
                raise ModelFormatError(f"{name} contains NaN or infinite entries")
    for name in ("blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V", "blocks.0.attn.W_O"):
        t = sd[name]
        if t.dim() != 3:
            raise ModelFormatError(f"{name} has shape {list(t.shape)}, expected [n_heads, ., .]")
        if t.shape[0] != 1:
            raise ModelFormatError(f"more than one head ({name} has n_heads={t.shape[0]}); only one-head models are supported")
    for name in BIAS_NAMES:
        if name in sd and not bool((sd[name] == 0).all()):
            worst = float(sd[name].abs().max())
            raise ModelFormatError(f"non-zero bias '{name}' (max |b| = {worst:.3g}); only zero biases are supported")
    weights = {k: sd[k] for k in WEIGHT_NAMES}
    if n_ctx_override is not None:
        n_file = weights["pos_embed.W_pos"].shape[0]
        if not (isinstance(n_ctx_override, int) and 1 <= n_ctx_override <= n_file):
            raise ModelFormatError(f"n_ctx_override must be an integer in 1..{n_file}, got {n_ctx_override!r}")
        weights["pos_embed.W_pos"] = weights["pos_embed.W_pos"][:n_ctx_override]
    biases = {k: sd[k] for k in BIAS_NAMES if k in sd}
    validate_weights({**weights, **biases}, allowed_dtypes=(torch.float16, torch.bfloat16, torch.float32, torch.float64))
    return weights


def import_tl_state_dict(src: Path, out: Path, n_ctx_override: int | None = None) -> Path:
    """Write the pybridge model file for a TransformerLens state dict at `src`; return `out`.

    The weights are stored exactly: float64 if any source weight is float64, else float32 (float16
    and bfloat16 widen exactly). The `training` metadata records the source file name and SHA-256.
    The output is written atomically; nothing is written if the source is refused.
    """
    src, out = Path(src), Path(out)
    weights = tl_to_pybridge_weights(read_tl_state_dict(src), n_ctx_override)
    dtype = torch.float64 if any(t.dtype == torch.float64 for t in weights.values()) else torch.float32
    provenance = {
        "imported_from": "transformerlens-state-dict",
        "source_file": src.name,
        "source_sha256": hashlib.sha256(src.read_bytes()).hexdigest(),
        "n_ctx_override": n_ctx_override,
    }
    return save_maxofk(weights, out, {"training": provenance}, dtype=dtype)


def state_dict_to_model(sd: Mapping[str, Any], out: Path, n_ctx_override: int | None = None) -> Path:
    """Write the pybridge model file for an in-memory TransformerLens state dict (tensors or arrays)."""
    import numpy as np

    tensors = {}
    for k, v in dict(sd).items():
        if isinstance(v, np.ndarray):
            v = torch.from_numpy(v)
        if not isinstance(v, torch.Tensor):
            raise ModelFormatError(f"state dict entry {k!r} is not a tensor")
        tensors[k] = v.detach().cpu()
    weights = tl_to_pybridge_weights(tensors, n_ctx_override)
    dtype = torch.float64 if any(t.dtype == torch.float64 for t in weights.values()) else torch.float32
    return save_maxofk(weights, Path(out), {"training": {"imported_from": "transformerlens-state-dict (in memory)"}},
                       dtype=dtype)


def export_tl_state_dict(model_path: Path, out: Path) -> Path:
    """Write a TransformerLens-loadable state dict (.safetensors) for a pybridge model file.

    Contains the seven weights (stored dtype), zero biases b_Q/b_K/b_V [1,h], b_O [d], b_U [V], and
    the buffers `blocks.0.attn.mask` (lower-triangular bool [n,n]) and `blocks.0.attn.IGNORE` (-inf),
    so `HookedTransformer(cfg).load_state_dict(...)` works with cfg n_layers=1, n_heads=1,
    attn_only=True, normalization_type=None and the sizes recorded in the metadata.
    """
    weights, _, cfg = load_state(model_path)
    dtype = weights["embed.W_E"].dtype
    tensors: dict[str, torch.Tensor] = dict(weights)
    for name, shape in cfg.bias_shapes().items():
        tensors[name] = torch.zeros(shape, dtype=dtype)
    tensors["blocks.0.attn.mask"] = torch.ones(cfg.n_ctx, cfg.n_ctx, dtype=torch.bool).tril()
    tensors["blocks.0.attn.IGNORE"] = torch.tensor(float("-inf"), dtype=torch.float32)
    meta = {
        "format": "transformerlens-state-dict",
        "n_layers": "1",
        "n_heads": "1",
        "attn_only": "true",
        "normalization_type": "None",
        "positional_embedding_type": "standard",
        "d_vocab": str(cfg.d_vocab),
        "n_ctx": str(cfg.n_ctx),
        "d_model": str(cfg.d_model),
        "d_head": str(cfg.d_head),
    }
    return atomic_write_bytes(Path(out), serialize_safetensors(tensors, meta))
