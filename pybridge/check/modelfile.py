"""Trusted: model files shared by every family's checker: bounded safetensors reading, canonical
weight hashing, exact conversion of float entries to integers, metadata integers, and where a
certificate's model file is.

`exact_integers` establishes `Z = M * 2^s` exactly for every float entry M (float.as_integer_ratio,
never decimal strings); `canonical_sha256` is the hash certificates bind to (docs/CHECKING.md s.7).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from pybridge.check.errors import InputError

MAX_MODEL_BYTES = 1 << 30
MAX_DIM = 4096


def canonical_sha256(arrays: dict[str, np.ndarray], names: tuple[str, ...]) -> str:
    """SHA-256 of the canonical weight bytes: per name, `name:dtype:shape\\n` + little-endian bytes
    (docs/CHECKING.md sections 7 and 8)."""
    h = hashlib.sha256()
    for name in names:
        a = np.ascontiguousarray(arrays[name])
        dt = {np.dtype("float32"): "float32", np.dtype("float64"): "float64"}[a.dtype]
        h.update(f"{name}:{dt}:{','.join(str(x) for x in a.shape)}\n".encode())
        h.update(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())
    return h.hexdigest()


def read_safetensors(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    from safetensors import safe_open  # a small, well-kept parser of a non-executable format

    try:
        size = os.path.getsize(path)
    except OSError as e:
        raise InputError(f"cannot read model file {path}: {e.strerror}") from None
    if size > MAX_MODEL_BYTES:
        raise InputError(f"model file {path} is larger than {MAX_MODEL_BYTES} bytes")
    try:
        with safe_open(str(path), framework="numpy") as f:
            meta = dict(f.metadata() or {})
            arrays = {k: f.get_tensor(k) for k in f.keys()}
    except InputError:
        raise
    except Exception as e:  # safetensors raises its own error types for truncated/corrupt files
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"model file {path} is not a readable safetensors file: {first}") from None
    return arrays, meta


def meta_int(meta: dict[str, str], key: str) -> int:
    v = meta.get(key)
    if v is None or not v.isdigit() or not (1 <= int(v) <= MAX_DIM):
        raise InputError(f"model metadata '{key}' missing or not an integer in 1..{MAX_DIM}")
    return int(v)


def exact_integers(arrays: dict[str, np.ndarray]) -> tuple[int, dict[str, list[int]]]:
    """`(s, Z)` with `Z[name]` the flattened (C order) entries times `2^s`, all integers, `s >= 0`
    least. Refuses non-float dtypes and NaN/inf. Exact: `float.as_integer_ratio`."""
    exact = {}
    for name, a in arrays.items():
        if a.dtype not in (np.float32, np.float64):
            raise InputError(f"{name}: dtype {a.dtype} is not float32 or float64")
        if not np.all(np.isfinite(a)):
            raise InputError(f"{name}: contains NaN or infinite entries")
        exact[name] = [float(x).as_integer_ratio() for x in a.reshape(-1).tolist()]
    s = max((den.bit_length() - 1 for v in exact.values() for _, den in v), default=0)
    return s, {k: [num << (s - (den.bit_length() - 1)) for num, den in v] for k, v in exact.items()}


def resolve_model_path(cert: Any, cert_path: Path, model: str | Path | None) -> Path:
    """The model file a check reads: `model` when given, else the certificate's `model.file`
    relative to the certificate's folder."""
    if model is not None:
        return Path(model)
    if cert.model_file is None:
        raise InputError("certificate names no model file; pass --model")
    return (Path(cert_path).parent / cert.model_file).resolve()
