"""Trusted: the group-operation part of a certificate (docs/CHECKING.md section 8)."""

from __future__ import annotations

import re
from typing import Any

from pybridge.check.certificate import Certificate, int_field, sha256_field
from pybridge.check.errors import InputError

STRATEGIES = ("brute-force", "rho-set")


def parse(doc: dict) -> Certificate:
    """The groupop family (docs/CHECKING.md section 8): brute-force (no hints) or rho-set (8.6; the
    hints are validated in depth by `groupop_rho.parse_rho_hints`, which knows |G| and h); no params."""
    strategy = doc.get("strategy")
    if strategy not in ("brute-force", "rho-set"):
        raise InputError(f"unknown strategy {strategy!r} for family groupop (known: brute-force, rho-set)")
    sha = sha256_field(doc)
    model = doc.get("model")
    if not isinstance(model, dict) or not set(model) <= {"group", "group_order", "d_embed", "d_hidden", "file"}:
        raise InputError("certificate field model must hold group, group_order, d_embed, d_hidden[, file]")
    group = model.get("group")
    if not isinstance(group, str) or not re.fullmatch(r"[SACD][1-9][0-9]{0,3}", group):
        raise InputError("certificate field model.group must be a group name such as S5")
    shape: dict[str, Any] = {"group": group}
    shape.update({k: int_field(model, k, "model", 1, 4096) for k in ("group_order", "d_embed", "d_hidden")})
    mfile = model.get("file")
    if mfile is not None and not isinstance(mfile, str):
        raise InputError("certificate field model.file must be a string")
    if doc.get("params", {}) != {}:
        raise InputError("certificate field params must be empty for groupop brute-force")
    claim = doc.get("claim")
    if not isinstance(claim, dict) or not set(claim) <= {"correct_at_least", "total", "incorrect_at_least"}:
        raise InputError("certificate field claim must hold correct_at_least, total[, incorrect_at_least]")
    total = int_field(claim, "total", "claim", 1)
    N = int_field(claim, "correct_at_least", "claim", 0)
    inc = int_field(claim, "incorrect_at_least", "claim", 0) if "incorrect_at_least" in claim else None
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
