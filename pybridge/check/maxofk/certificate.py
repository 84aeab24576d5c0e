"""Trusted: the Max-of-k part of a certificate (docs/CHECKING.md section 7)."""

from __future__ import annotations

from pybridge.check.certificate import Certificate, int_field, sha256_field
from pybridge.check.errors import InputError

STRATEGIES = ("brute-force", "cubic", "cubic-count", "subcubic")


def parse(doc: dict) -> Certificate:
    """Validate a Max-of-k certificate document (envelope already checked); raise InputError."""
    strategy = doc.get("strategy")
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
    sha = sha256_field(doc)
    model = doc.get("model")
    if not isinstance(model, dict):
        raise InputError("certificate field model must be an object")
    shape = {k: int_field(model, k, "model", 1, 4096) for k in ("d_vocab", "n_ctx", "d_model", "d_head")}
    mfile = model.get("file")
    if mfile is not None and not isinstance(mfile, str):
        raise InputError("certificate field model.file must be a string")
    params = doc.get("params")
    if not isinstance(params, dict) or set(params) != {"fixed_bits", "exp_squarings"}:
        raise InputError("certificate field params must have exactly fixed_bits and exp_squarings")
    P = int_field(params, "fixed_bits", "params", 16, 256)
    k = int_field(params, "exp_squarings", "params", 1, 64)
    claim = doc.get("claim")
    if not isinstance(claim, dict) or not set(claim) <= {"correct_at_least", "total", "incorrect_at_least"}:
        raise InputError("certificate field claim must hold correct_at_least, total[, incorrect_at_least]")
    total = int_field(claim, "total", "claim", 1)
    N = int_field(claim, "correct_at_least", "claim", 0)
    inc = int_field(claim, "incorrect_at_least", "claim", 0) if "incorrect_at_least" in claim else None
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
