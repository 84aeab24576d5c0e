"""Deterministic safetensors writing, atomic file replacement and bounded reading.

`serialize_safetensors` exists because the `safetensors` library writes the `__metadata__` map in
hash order, which differs between processes; pybridge needs the same weights and metadata to give
the same bytes (reproducible training, stable file hashes). The layout it writes is the documented
safetensors layout (little-endian u64 header length, JSON header padded with spaces to a multiple of
8 bytes, then the tensor bytes), and the tests read every written file back with the library.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from pybridge.families.errors import ModelFormatError

MAX_FILE_BYTES = 1 << 30

_DTYPE_CODES: dict[torch.dtype, tuple[str, str]] = {
    torch.float64: ("F64", "<f8"),
    torch.float32: ("F32", "<f4"),
    torch.float16: ("F16", "<f2"),
    torch.bool: ("BOOL", "|b1"),
}


def _tensor_bytes(t: torch.Tensor) -> bytes:
    """Raw little-endian C-order bytes of a CPU tensor of a supported dtype."""
    if t.dtype not in _DTYPE_CODES:
        raise ModelFormatError(f"cannot serialize dtype {t.dtype}")
    arr = t.detach().cpu().contiguous().numpy()
    return np.ascontiguousarray(arr, dtype=np.dtype(_DTYPE_CODES[t.dtype][1])).tobytes()


def serialize_safetensors(tensors: Mapping[str, torch.Tensor], metadata: Mapping[str, str]) -> bytes:
    """Return safetensors bytes that depend only on the tensors' values and the metadata.

    Tensors are laid out in sorted name order; metadata keys are sorted. All metadata values must
    be strings (the safetensors format allows nothing else).
    """
    for k, v in metadata.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise ModelFormatError(f"metadata entry {k!r} is not a string pair")
    header: dict[str, object] = {}
    if metadata:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    chunks: list[bytes] = []
    offset = 0
    for name in sorted(tensors):
        if name == "__metadata__":
            raise ModelFormatError("tensor name '__metadata__' is reserved")
        t = tensors[name]
        data = _tensor_bytes(t)
        header[name] = {
            "dtype": _DTYPE_CODES[t.dtype][0],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    return struct.pack("<Q", len(head)) + head + b"".join(chunks)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` so that `path` is either untouched or complete, never partial.

    The bytes go to a temporary file in the same directory, are flushed to disk, and the file is
    then renamed over `path` (`os.replace` is atomic on POSIX within one file system). On any
    failure the temporary file is removed and the exception propagates.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def read_safetensors(
    path: str | Path, max_bytes: int = MAX_FILE_BYTES
) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Read all tensors and the metadata of a safetensors file, or raise a one-line ModelFormatError.

    Uses the `safetensors` parser (no code execution); refuses files above `max_bytes`.
    """
    from safetensors import safe_open

    path = Path(path)
    try:
        size = os.path.getsize(path)
    except OSError as e:
        raise ModelFormatError(f"cannot read {path}: {e.strerror}") from None
    if size > max_bytes:
        raise ModelFormatError(f"{path} is larger than {max_bytes} bytes")
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = dict(f.metadata() or {})
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as e:  # the library raises its own error types on corrupt input
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ModelFormatError(f"{path} is not a readable safetensors file: {first}") from None
    return tensors, meta


def merge_metadata(base: dict[str, str], meta: Mapping[str, Any] | None) -> dict[str, str]:
    """File metadata: the family/size fields `base`, plus the caller's extra keys.

    A caller key that repeats a `base` field must agree with it; `training` may be a dict (stored as
    canonical JSON) or a JSON string; `seed` is stored as a decimal integer; anything else must be
    a string. Raises a one-line ModelFormatError otherwise.
    """
    out = dict(base)
    for k, v in (meta or {}).items():
        if k in base:
            if str(v) != base[k]:
                raise ModelFormatError(f"metadata '{k}'={v!r} contradicts the model ({base[k]})")
            continue
        if k == "training":
            v = json.dumps(v, sort_keys=True, separators=(",", ":")) if not isinstance(v, str) else v
            json.loads(v)  # must be JSON
        elif k == "seed":
            v = str(int(v))
        elif not isinstance(v, str):
            raise ModelFormatError(f"metadata '{k}' must be a string")
        out[k] = v
    return out
