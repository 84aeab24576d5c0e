"""Trusted: model files shared by every family's checker: bounded safetensors reading, canonical
weight hashing, exact conversion of float entries to integers, metadata integers, and where a
certificate's model file is.

`exact_integers` establishes `Z = M * 2^s` exactly for every float entry M (float.as_integer_ratio,
never decimal strings); `canonical_sha256` is the hash certificates bind to (docs/CHECKING.md s.7).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path
from typing import Any

import numpy as np

from pybridge.check.errors import InputError

MAX_MODEL_BYTES = 1 << 30
MAX_DIM = 4096
MAX_ENTRIES = 1 << 23  # weights converted to exact integers (issue 10: memory known before the work)


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


def _regular_file(path: Path, what: str) -> int:
    """Size of `path` if it is a regular file (os.stat + S_ISREG before any open: a FIFO or a device would
    block or never end); InputError otherwise."""
    try:
        st = os.stat(path)
    except (OSError, ValueError) as e:
        raise InputError(f"cannot read {what} {path}: {getattr(e, 'strerror', None) or type(e).__name__}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{what} {path} is not a regular file")
    return st.st_size


def read_bounded(path: Path, cap: int, what: str) -> bytes:
    """The bytes of `path`, which must be a regular file of at most `cap` bytes: stat + S_ISREG before the
    open, a non-blocking open re-checked with fstat (a FIFO or device swapped in never blocks), one bounded
    read. Every input file of every checker is read through here; InputError (one line) otherwise."""
    size = _regular_file(path, what)
    if size > cap:
        raise InputError(f"{what} {path} is larger than {cap} bytes")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InputError(f"{what} {path} is not a regular file")
            with os.fdopen(fd, "rb", closefd=False) as f:
                data = f.read(cap + 1)
        finally:
            os.close(fd)
    except OSError as e:
        raise InputError(f"cannot read {what} {path}: {e.strerror or type(e).__name__}") from None
    if len(data) > cap:
        raise InputError(f"{what} {path} is larger than {cap} bytes")
    return data


def read_safetensors(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read a safetensors file: a regular file of at most MAX_MODEL_BYTES, read once (bounded) into memory
    and parsed from the bytes, so the file cannot change or block between the checks and the parse."""
    from safetensors.numpy import load  # a small, well-kept parser of a non-executable format

    data = read_bounded(Path(path), MAX_MODEL_BYTES, "model file")
    try:
        meta = _metadata(data)
        arrays = load(data)
    except InputError:
        raise
    except Exception as e:  # safetensors raises its own error types for truncated/corrupt files
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"model file {path} is not a readable safetensors file: {first[:200]}") from None
    return arrays, meta


def _metadata(data: bytes) -> dict[str, str]:
    """The `__metadata__` of a safetensors header (strings only); the parse of the tensors is safetensors'."""
    import json

    if len(data) < 8:
        raise InputError("model file is too short to be a safetensors file")
    n = int.from_bytes(data[:8], "little")
    if n > min(len(data) - 8, 100 << 20):
        raise InputError("model file has a safetensors header longer than the file")
    try:
        head = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InputError("model file has an unreadable safetensors header") from None
    meta = head.get("__metadata__") if isinstance(head, dict) else None
    if meta is None:
        return {}
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        raise InputError("model file metadata must map strings to strings")
    return dict(meta)


def meta_int(meta: dict[str, str], key: str) -> int:
    v = meta.get(key)
    # ASCII decimal digits only: str.isdigit() also accepts '²' (int() fails) and other scripts' digits
    if not isinstance(v, str) or not re.fullmatch(r"[0-9]{1,6}", v, re.ASCII) or not (1 <= int(v) <= MAX_DIM):
        raise InputError(f"model metadata '{key}' missing or not an integer in 1..{MAX_DIM}")
    return int(v)


def exact_integers(arrays: dict[str, np.ndarray]) -> tuple[int, dict[str, list[int]]]:
    """`(s, Z)` with `Z[name]` the flattened (C order) entries times `2^s`, all integers, `s >= 0`
    least. Refuses non-float dtypes and NaN/inf. Exact: `float.as_integer_ratio`."""
    entries = sum(int(a.size) for a in arrays.values())
    if entries > MAX_ENTRIES:  # each becomes a Python integer (tens of bytes at least): bound memory first
        raise InputError(f"model has {entries} weights, over the {MAX_ENTRIES} the exact checker converts")
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
    """The model file a check reads: `model` when given (the caller's choice; it must be a regular file),
    else the certificate's `model.file` through `sibling_file`. Anything else needs --model (InputError)."""
    if model is not None:
        _regular_file(Path(model), "model file")
        return Path(model)
    name = getattr(cert, "model_file", None)
    if name is None:
        raise InputError("certificate names no model file; pass --model")
    return sibling_file(cert_path, name, "model.file")


def sibling_file(cert_path: Path, name: object, field: str) -> Path:
    """A file a certificate names (e.g. `model.file`): `name` must be a plain file name (no '/', '\\', ':',
    '..', NUL; not absolute) naming a regular file in the certificate's own folder (a symbolic link may not
    lead out of it). For every family's checker (issue 10)."""
    if not plain_model_name(name):
        raise InputError(f"certificate field {field} must be a plain file name in the certificate's folder; "
                         "pass --model")
    folder = Path(cert_path).resolve().parent
    path = folder / name
    if path.resolve().parent != folder:  # a symbolic link out of the folder
        raise InputError(f"certificate field {field} leaves the certificate's folder; pass --model")
    _regular_file(path, "model file")
    return path


def plain_model_name(name: object) -> bool:
    """A plain relative file name: 1..255 characters, no path separators, not '.'/'..', no NUL or control
    characters, not starting with '-' or '~'."""
    return (isinstance(name, str) and 0 < len(name) <= 255 and name not in (".", "..")
            and not any(c in name for c in "/\\\0:") and name.isprintable() and name[0] not in "-~"
            and name == name.strip())
