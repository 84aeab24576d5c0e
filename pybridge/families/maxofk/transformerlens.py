"""Import and export TransformerLens `HookedTransformer` state dicts, without transformer_lens.

Supported: exactly the class pybridge proves things about — one layer, one head, attention only,
biases b_Q/b_K/b_V/b_O/b_U, LayerNorm ln1 + ln_final (normalization_type LN, or LNPre from the
source metadata / argument; eps from metadata `eps`, default 1e-5), TransformerLens defaults otherwise (standard learned positional
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
from pybridge.families.maxofk.model import BIAS_NAMES, LN_NAMES, WEIGHT_NAMES, load_state, save_maxofk, validate_weights
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
        if _LAYERNORM.search(k) and k not in LN_NAMES:
            raise ModelFormatError(f"unsupported LayerNorm tensor '{k}' (supported: ln1 before attention and ln_final)")
    for k in keys:
        if _MLP.match(k):
            raise ModelFormatError(f"MLP weights present ('{k}'); only attention-only models are supported")
    for k in keys:
        if k not in WEIGHT_NAMES and k not in BIAS_NAMES and k not in LN_NAMES and k not in IGNORED_BUFFERS:
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
    for name in WEIGHT_NAMES + BIAS_NAMES + LN_NAMES:
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
    present_ln = [k for k in LN_NAMES if k in sd]
    if present_ln and len(present_ln) != len(LN_NAMES):
        missing = sorted(set(LN_NAMES) - set(present_ln))[0]
        raise ModelFormatError(f"LayerNorm tensor '{missing}' missing (ln1 and ln_final need both w and b)")
    weights = {k: sd[k] for k in WEIGHT_NAMES}
    if n_ctx_override is not None:
        n_file = weights["pos_embed.W_pos"].shape[0]
        if not (isinstance(n_ctx_override, int) and 1 <= n_ctx_override <= n_file):
            raise ModelFormatError(f"n_ctx_override must be an integer in 1..{n_file}, got {n_ctx_override!r}")
        weights["pos_embed.W_pos"] = weights["pos_embed.W_pos"][:n_ctx_override]
    extra = {k: sd[k] for k in BIAS_NAMES + LN_NAMES if k in sd}
    validate_weights({**weights, **extra}, allowed_dtypes=(torch.float16, torch.bfloat16, torch.float32, torch.float64),
                     allow_ln=bool(present_ln))
    return {**weights, **extra}


def tl_config(src: str | Path, sd: Mapping[str, torch.Tensor], normalization_type: str | None = None,
              eps: str | None = None) -> dict[str, str]:
    """The TransformerLens config fields pybridge needs beyond the state dict: `normalization_type`
    (LN when ln1/ln_final tensors are present, else from the source's metadata or the argument;
    LNPre covers models whose LayerNorm weights were folded) and `eps` (default 1e-5).
    Taken from the argument, else from the safetensors metadata of `src`."""
    meta: dict[str, str] = {}
    if Path(src).suffix.lower() == ".safetensors":
        meta = read_safetensors(Path(src))[1]
    norm = normalization_type or meta.get("normalization_type")
    has_ln = any(k in sd for k in LN_NAMES)
    if norm is None:
        norm = "LN" if has_ln else "none"
    elif norm in ("None", "none"):
        norm = "none"
    if norm not in ("LN", "LNPre", "none"):
        raise ModelFormatError(f"normalization_type {norm!r} is not supported (LN, LNPre or None)")
    if (norm == "LN") != has_ln:
        raise ModelFormatError(f"normalization_type {norm} does not match the tensors (ln1/ln_final present: {has_ln})")
    out = {"normalization_type": norm}
    e = eps if eps is not None else meta.get("eps")
    if norm != "none":
        out["ln_eps"] = str(e) if e is not None else "1e-5"
        if not re.match(r"^[0-9]{1,12}(\.[0-9]{1,30})?([eE]-?[0-9]{1,2})?$", out["ln_eps"]):
            raise ModelFormatError(f"eps {out['ln_eps']!r} is not a plain decimal")
    return out


def import_tl_state_dict(src: Path, out: Path, n_ctx_override: int | None = None, *,
                         normalization_type: str | None = None, eps: str | None = None) -> Path:
    """Write the pybridge model file for a TransformerLens state dict at `src`; return `out`.

    The weights are stored exactly: float64 if any source weight is float64, else float32 (float16
    and bfloat16 widen exactly). The `training` metadata records the source file name and SHA-256.
    The output is written atomically; nothing is written if the source is refused.
    """
    src, out = Path(src), Path(out)
    sd = read_tl_state_dict(src)
    weights = tl_to_pybridge_weights(sd, n_ctx_override)
    cfg = tl_config(src, sd, normalization_type, eps)
    dtype = torch.float64 if any(t.dtype == torch.float64 for t in weights.values()) else torch.float32
    provenance = {
        "imported_from": "transformerlens-state-dict",
        "source_file": src.name,
        "source_sha256": hashlib.sha256(src.read_bytes()).hexdigest(),
        "n_ctx_override": n_ctx_override,
    }
    return save_maxofk(weights, out, {"training": provenance, **cfg}, dtype=dtype)


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
    cfg = {"normalization_type": "LN", "ln_eps": "1e-5"} if any(k in weights for k in LN_NAMES) else {}
    dtype = torch.float64 if any(t.dtype == torch.float64 for t in weights.values()) else torch.float32
    return save_maxofk(weights, Path(out), {"training": {"imported_from": "transformerlens-state-dict (in memory)"},
                                            **cfg}, dtype=dtype)


def export_tl_state_dict(model_path: Path, out: Path) -> Path:
    """Write a TransformerLens-loadable state dict (.safetensors) for a pybridge model file.

    Contains the seven weights (stored dtype), the biases b_Q/b_K/b_V [1,h], b_O [d], b_U [V] (zero when the
    model has none), the LayerNorm tensors of an LN model (metadata normalization_type, eps), and
    the buffers `blocks.0.attn.mask` (lower-triangular bool [n,n]) and `blocks.0.attn.IGNORE` (-inf),
    so `HookedTransformer(cfg).load_state_dict(...)` works with cfg n_layers=1, n_heads=1,
    attn_only=True, the normalization_type and the sizes recorded in the metadata.
    """
    weights, fmeta, cfg = load_state(model_path)
    dtype = weights["embed.W_E"].dtype
    tensors: dict[str, torch.Tensor] = dict(weights)
    for name, shape in cfg.bias_shapes().items():
        tensors.setdefault(name, torch.zeros(shape, dtype=dtype))
    tensors["blocks.0.attn.mask"] = torch.ones(cfg.n_ctx, cfg.n_ctx, dtype=torch.bool).tril()
    tensors["blocks.0.attn.IGNORE"] = torch.tensor(float("-inf"), dtype=torch.float32)
    meta = {
        "format": "transformerlens-state-dict",
        "n_layers": "1",
        "n_heads": "1",
        "attn_only": "true",
        "normalization_type": {"none": "None"}.get(fmeta.get("normalization_type", "none"),
                                                    fmeta.get("normalization_type", "none")),
        "positional_embedding_type": "standard",
        "d_vocab": str(cfg.d_vocab),
        "n_ctx": str(cfg.n_ctx),
        "d_model": str(cfg.d_model),
        "d_head": str(cfg.d_head),
    }
    if "ln_eps" in fmeta:
        meta["eps"] = fmeta["ln_eps"]
    return atomic_write_bytes(Path(out), serialize_safetensors(tensors, meta))
