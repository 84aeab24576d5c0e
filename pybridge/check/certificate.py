"""Trusted: strict reading of certificate files (docs/CHECKING.md section 7): the envelope every
family shares (format, version, top-level keys, family), then the family's own parser
(`check/<family>/certificate.py`, found through `check/registry.py`).

Files are untrusted input: size-limited, JSON only (no pickle, no code), every field typed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pybridge.check.errors import InputError
from pybridge.check.modelfile import read_bounded

FORMAT = "pybridge-certificate"
VERSIONS = (1,)
MAX_CERT_BYTES = 64 << 20
TOP_KEYS = {"format", "version", "family", "strategy", "model_sha256", "model", "params", "claim", "hints", "prover"}


@dataclass(frozen=True)
class Certificate:
    strategy: str
    model_sha256: str
    shape: dict[str, int]
    model_file: str | None
    fixed_bits: int
    exp_squarings: int
    correct_at_least: int
    total: int
    incorrect_at_least: int | None
    hints: dict[str, Any] = field(default_factory=dict)
    family: str = "maxofk"


def int_field(obj: dict, key: str, where: str, lo: int = 0, hi: int | None = None) -> int:
    v = obj.get(key)
    if type(v) is not int or v < lo or (hi is not None and v > hi):
        rng = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise InputError(f"certificate field {where}.{key} must be an integer in {rng}")
    return v


def sha256_field(doc: dict) -> str:
    sha = doc.get("model_sha256")
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise InputError("certificate field model_sha256 must be 64 lowercase hex digits")
    return sha


def parse_certificate(data: bytes) -> Certificate:
    """Parse and validate the manifest; raise InputError with a one-line reason."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:  # JSONDecodeError is a ValueError
        raise InputError(f"certificate is not valid JSON ({type(e).__name__}: {str(e).splitlines()[0]})") from None
    if not isinstance(doc, dict):
        raise InputError("certificate is not a JSON object")
    if doc.get("format") != FORMAT:
        raise InputError(f"not a pybridge certificate (format must be '{FORMAT}')")
    if doc.get("version") not in VERSIONS:
        raise InputError(f"unknown certificate version {doc.get('version')!r} (supported: {list(VERSIONS)})")
    extra = set(doc) - TOP_KEYS
    if extra:
        raise InputError(f"unknown certificate field(s): {', '.join(sorted(extra))}")
    from pybridge.check.registry import checker

    return checker(doc.get("family")).parse(doc)
def read_certificate(path: str | Path) -> Certificate:
    return parse_certificate(read_bounded(Path(path), MAX_CERT_BYTES, "certificate"))
