"""Group-operation MLP (Wu, Jaburi, Drori, Gross 2024): one hidden ReLU layer computing x*y in a group.

Model (docs/CHECKING.md section 8), for group elements x, y given by their canonical indices
(`pybridge.families.groupop.perm`):

    h(x, y)      = ReLU(embed_left[x] @ W_left + embed_right[y] @ W_right)      (length d_hidden)
    logits(x, y) = h(x, y) @ W_U + b_U                                          (length |G|)

Tensors (file names = attribute names): `embed_left [|G|, d_embed]`, `embed_right [|G|, d_embed]`,
`W_left [d_embed, d_hidden]`, `W_right [d_embed, d_hidden]` (no bias), `W_U [d_hidden, |G|]`,
`b_U [|G|]`. The model is correct on (x, y) iff logit[x*y] is strictly above every other logit.

File: safetensors with exactly these six tensors (float32 or float64, finite) and string metadata
`pybridge_family = "groupop"`, `group` (e.g. "S5"), `group_order`, `d_embed`, `d_hidden`, optional
`seed` and `training` (JSON). Bytes are deterministic (`stio.serialize_safetensors`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from pybridge.check.modelfile import MAX_DIM
from pybridge.families.errors import ModelFormatError
from pybridge.families.stio import atomic_write_bytes, merge_metadata, read_safetensors, serialize_safetensors

FAMILY = "groupop"
WEIGHT_NAMES: tuple[str, ...] = ("embed_left", "embed_right", "W_left", "W_right", "W_U", "b_U")


@dataclass(frozen=True)
class GroupOpConfig:
    """Group name and sizes; `group_order` is derived from the name."""

    group: str = "S5"
    d_embed: int = 128
    d_hidden: int = 128

    def __post_init__(self) -> None:
        from pybridge.families.groupop.perm import group_elements

        try:
            group_elements(self.group)
        except ValueError as e:
            raise ModelFormatError(str(e)) from None
        for name in ("d_embed", "d_hidden"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not (1 <= v <= MAX_DIM):
                raise ModelFormatError(f"{name} must be an integer in 1..{MAX_DIM}, got {v!r}")

    @property
    def group_order(self) -> int:
        from pybridge.families.groupop.perm import group

        return group(self.group).order

    def weight_shapes(self) -> dict[str, tuple[int, ...]]:
        G, e, h = self.group_order, self.d_embed, self.d_hidden
        return {
            "embed_left": (G, e),
            "embed_right": (G, e),
            "W_left": (e, h),
            "W_right": (e, h),
            "W_U": (h, G),
            "b_U": (G,),
        }


class GroupOpMLP(nn.Module):
    """The model above. `forward(x[B], y[B]) -> logits[B, |G|]`.

    Initialisation (torch's defaults for nn.Embedding / nn.Linear, drawn in WEIGHT_NAMES order from
    `generator`): embeddings N(0, 1); W_left, W_right, W_U uniform on [-1/sqrt(fan_in), 1/sqrt(fan_in)]
    (fan_in = d_embed, d_embed, d_hidden); b_U uniform on [-1/sqrt(d_hidden), 1/sqrt(d_hidden)].
    """

    def __init__(self, cfg: GroupOpConfig, *, generator: torch.Generator | None = None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.cfg = cfg
        shapes = cfg.weight_shapes()

        def uniform(name: str, fan_in: int) -> nn.Parameter:
            b = 1.0 / math.sqrt(fan_in)
            w = (torch.rand(shapes[name], generator=generator, dtype=torch.float32) * 2 - 1) * b
            return nn.Parameter(w.to(dtype))

        self.embed_left = nn.Parameter(torch.randn(shapes["embed_left"], generator=generator).to(dtype))
        self.embed_right = nn.Parameter(torch.randn(shapes["embed_right"], generator=generator).to(dtype))
        self.W_left = uniform("W_left", cfg.d_embed)
        self.W_right = uniform("W_right", cfg.d_embed)
        self.W_U = uniform("W_U", cfg.d_hidden)
        self.b_U = uniform("b_U", cfg.d_hidden)

    def weights(self) -> dict[str, torch.Tensor]:
        return {k: getattr(self, k) for k in WEIGHT_NAMES}

    def hidden(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.embed_left[x] @ self.W_left + self.embed_right[y] @ self.W_right)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.hidden(x, y) @ self.W_U + self.b_U

    @torch.no_grad()
    def all_logits(self) -> torch.Tensor:
        """Logits of every pair, [|G|, |G|, |G|] indexed [x, y, class] (float64)."""
        w = {k: v.detach().to(torch.float64) for k, v in self.weights().items()}
        A = w["embed_left"] @ w["W_left"]
        B = w["embed_right"] @ w["W_right"]
        h = torch.relu(A[:, None, :] + B[None, :, :])
        return h @ w["W_U"] + w["b_U"]


def model_sha256(weights: Mapping[str, torch.Tensor]) -> str:
    """SHA-256 of the canonical weight bytes (CHECKING.md section 8), prover-side convenience."""
    names = {torch.float32: "float32", torch.float64: "float64"}
    h = hashlib.sha256()
    for name in WEIGHT_NAMES:
        t = weights[name].detach().cpu().contiguous()
        if t.dtype not in names:
            raise ModelFormatError(f"{name}: dtype {t.dtype} is not float32 or float64")
        h.update(f"{name}:{names[t.dtype]}:{','.join(str(x) for x in t.shape)}\n".encode())
        h.update(t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes())
    return h.hexdigest()


def validate_weights(tensors: Mapping[str, torch.Tensor], cfg: GroupOpConfig) -> None:
    """Exactly the six tensors, with the shapes of `cfg`, float32/float64, finite; else ModelFormatError."""
    shapes = cfg.weight_shapes()
    for name in tensors:
        if name not in shapes:
            raise ModelFormatError(f"unsupported tensor '{name}' in a groupop model")
    for name, shape in shapes.items():
        if name not in tensors:
            raise ModelFormatError(f"missing tensor '{name}'")
        t = tensors[name]
        if tuple(t.shape) != shape:
            raise ModelFormatError(f"{name} has shape {list(t.shape)}, expected {list(shape)}")
        if t.dtype not in (torch.float32, torch.float64):
            raise ModelFormatError(f"{name} has dtype {t.dtype}, expected float32 or float64")
        if not bool(torch.isfinite(t).all()):
            raise ModelFormatError(f"{name} contains NaN or infinite entries")


def _metadata(cfg: GroupOpConfig, meta: Mapping[str, Any] | None) -> dict[str, str]:
    base = {
        "pybridge_family": FAMILY,
        "group": cfg.group,
        "group_order": str(cfg.group_order),
        "d_embed": str(cfg.d_embed),
        "d_hidden": str(cfg.d_hidden),
    }
    return merge_metadata(base, meta)


def save_groupop(model: GroupOpMLP, path: str | Path, meta: Mapping[str, Any] | None = None,
                 *, dtype: torch.dtype = torch.float32) -> Path:
    """Write the model file atomically (never a partial file); bytes depend on weights and metadata only."""
    if dtype not in (torch.float32, torch.float64):
        raise ModelFormatError(f"model files store float32 or float64, not {dtype}")
    tensors = {k: v.detach().to(dtype).cpu().contiguous() for k, v in model.weights().items()}
    validate_weights(tensors, model.cfg)
    return atomic_write_bytes(path, serialize_safetensors(tensors, _metadata(model.cfg, meta)))


def _meta_int(meta: Mapping[str, str], key: str) -> int:
    v = meta.get(key)
    if v is None or not v.isdigit() or not (1 <= int(v) <= MAX_DIM):
        raise ModelFormatError(f"metadata '{key}' missing or not an integer in 1..{MAX_DIM}")
    return int(v)


def load_groupop(path: str | Path) -> GroupOpMLP:
    """Read and validate a groupop model file into a module (float64 if any tensor is float64)."""
    tensors, meta = read_safetensors(path)
    if meta.get("pybridge_family") != FAMILY:
        raise ModelFormatError(f"{path}: metadata pybridge_family is not '{FAMILY}'")
    cfg = GroupOpConfig(meta.get("group", ""), _meta_int(meta, "d_embed"), _meta_int(meta, "d_hidden"))
    if _meta_int(meta, "group_order") != cfg.group_order:
        raise ModelFormatError(f"{path}: metadata group_order disagrees with group {cfg.group}")
    validate_weights(tensors, cfg)
    dtype = torch.float64 if any(t.dtype == torch.float64 for t in tensors.values()) else torch.float32
    model = GroupOpMLP(cfg, generator=torch.Generator().manual_seed(0), dtype=dtype)
    with torch.no_grad():
        for k in WEIGHT_NAMES:
            getattr(model, k).copy_(tensors[k].to(dtype))
    model.file_metadata = dict(meta)  # type: ignore[assignment]
    return model
