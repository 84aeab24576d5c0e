"""Trusted: strict reading of certificate files (docs/CHECKING.md section 7).

Files are untrusted input: size-limited, JSON only (no pickle, no code), every field typed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError

FORMAT = "pybridge-certificate"
VERSIONS = (1,)
STRATEGIES = ("brute-force", "cubic", "cubic-count", "subcubic")
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


def _int(obj: dict, key: str, where: str, lo: int = 0, hi: int | None = None) -> int:
    v = obj.get(key)
    if type(v) is not int or v < lo or (hi is not None and v > hi):
        rng = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise InputError(f"certificate field {where}.{key} must be an integer in {rng}")
    return v


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
    if doc.get("family") == "groupop":
        return _parse_groupop(doc)
    if doc.get("family") != "maxofk":
        raise InputError(f"unknown model family {doc.get('family')!r}")
    strategy = doc.get("strategy")
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
    sha = doc.get("model_sha256")
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise InputError("certificate field model_sha256 must be 64 lowercase hex digits")
    model = doc.get("model")
    if not isinstance(model, dict):
        raise InputError("certificate field model must be an object")
    shape = {k: _int(model, k, "model", 1, 4096) for k in ("d_vocab", "n_ctx", "d_model", "d_head")}
    mfile = model.get("file")
    if mfile is not None and not isinstance(mfile, str):
        raise InputError("certificate field model.file must be a string")
    params = doc.get("params")
    if not isinstance(params, dict) or set(params) != {"fixed_bits", "exp_squarings"}:
        raise InputError("certificate field params must have exactly fixed_bits and exp_squarings")
    P = _int(params, "fixed_bits", "params", 16, 256)
    k = _int(params, "exp_squarings", "params", 1, 64)
    claim = doc.get("claim")
    if not isinstance(claim, dict) or not set(claim) <= {"correct_at_least", "total", "incorrect_at_least"}:
        raise InputError("certificate field claim must hold correct_at_least, total[, incorrect_at_least]")
    total = _int(claim, "total", "claim", 1)
    N = _int(claim, "correct_at_least", "claim", 0)
    inc = _int(claim, "incorrect_at_least", "claim", 0) if "incorrect_at_least" in claim else None
    if inc is not None and strategy != "brute-force":
        raise InputError("claim.incorrect_at_least is only meaningful for brute-force certificates")
    hints = doc.get("hints", {})
    if not isinstance(hints, dict):
        raise InputError("certificate field hints must be an object")
    if strategy.startswith("cubic") and (set(hints) != {"blocks"} or not isinstance(hints["blocks"], list)):
        raise InputError(f"{strategy} certificate hints must be {{\"blocks\": [[q, m, N or c, K], ...]}}")
    if strategy == "subcubic" and (set(hints) != {"direct", "blocks"} or not isinstance(hints["blocks"], list)):
        raise InputError('subcubic certificate hints must be {"direct": {...}, "blocks": [[q, m, c, g, D], ...]}')
    if strategy == "brute-force" and hints:
        raise InputError("brute-force certificates take no hints")
    return Certificate(strategy, sha, shape, mfile, P, k, N, total, inc, hints)


def _parse_groupop(doc: dict) -> Certificate:
    """The groupop family (docs/CHECKING.md section 8): brute-force (no hints) or rho-set (8.6; the
    hints are validated in depth by `groupop_rho.parse_rho_hints`, which knows |G| and h); no params."""
    strategy = doc.get("strategy")
    if strategy not in ("brute-force", "rho-set"):
        raise InputError(f"unknown strategy {strategy!r} for family groupop (known: brute-force, rho-set)")
    sha = doc.get("model_sha256")
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise InputError("certificate field model_sha256 must be 64 lowercase hex digits")
    model = doc.get("model")
    if not isinstance(model, dict) or not set(model) <= {"group", "group_order", "d_embed", "d_hidden", "file"}:
        raise InputError("certificate field model must hold group, group_order, d_embed, d_hidden[, file]")
    group = model.get("group")
    if not isinstance(group, str) or not re.fullmatch(r"[SACD][1-9][0-9]{0,3}", group):
        raise InputError("certificate field model.group must be a group name such as S5")
    shape: dict[str, Any] = {"group": group}
    shape.update({k: _int(model, k, "model", 1, 4096) for k in ("group_order", "d_embed", "d_hidden")})
    mfile = model.get("file")
    if mfile is not None and not isinstance(mfile, str):
        raise InputError("certificate field model.file must be a string")
    if doc.get("params", {}) != {}:
        raise InputError("certificate field params must be empty for groupop brute-force")
    claim = doc.get("claim")
    if not isinstance(claim, dict) or not set(claim) <= {"correct_at_least", "total", "incorrect_at_least"}:
        raise InputError("certificate field claim must hold correct_at_least, total[, incorrect_at_least]")
    total = _int(claim, "total", "claim", 1)
    N = _int(claim, "correct_at_least", "claim", 0)
    inc = _int(claim, "incorrect_at_least", "claim", 0) if "incorrect_at_least" in claim else None
    hints = doc.get("hints", {})
    if strategy == "rho-set":
        if inc is not None:
            raise InputError("claim.incorrect_at_least is only meaningful for brute-force certificates")
        if not isinstance(hints, dict):
            raise InputError("certificate field hints must be an object")
        return Certificate("rho-set", sha, shape, mfile, 0, 0, N, total, None, hints, "groupop")
    if hints != {}:
        raise InputError("brute-force certificates take no hints")
    return Certificate("brute-force", sha, shape, mfile, 0, 0, N, total, inc, {}, "groupop")


def read_certificate(path: str | Path) -> Certificate:
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_CERT_BYTES + 1)
    except OSError as e:
        raise InputError(f"cannot read certificate {path}: {e.strerror}") from None
    if len(data) > MAX_CERT_BYTES:
        raise InputError(f"certificate {path} is larger than {MAX_CERT_BYTES} bytes")
    return parse_certificate(data)
