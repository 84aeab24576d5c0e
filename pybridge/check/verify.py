"""Trusted: re-derive a certificate's claim from the weights (the checker's entry point).

`verify` returns normally only if every step holds: the file parses, the model's canonical
SHA-256 matches, the tables are replayed exactly, and the strategy's count is at least the claim.
Otherwise it raises `InputError` (unreadable input) or `Rejected` (first failing step).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .bruteforce import count_bruteforce
from .certificate import Certificate, read_certificate
from .cubic import count_cubic
from .cubic_count import count_cubic_count
from .errors import InputError, Rejected
from .subcubic import count_subcubic
from .tables import exact_tables, weight_enclosures
from .weights import load_maxofk

ProgressFactory = Callable[[str, int], Callable[[int], None]]


@dataclass
class CheckResult:
    strategy: str
    correct_at_least: int
    total: int
    verified_correct: int
    incorrect_at_least: int | None = None
    verified_incorrect: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def bound(self) -> float:
        return self.correct_at_least / self.total


def resolve_model_path(cert: Certificate, cert_path: Path, model: str | Path | None) -> Path:
    if model is not None:
        return Path(model)
    if cert.model_file is None:
        raise InputError("certificate names no model file; pass --model")
    return (cert_path.parent / cert.model_file).resolve()


def verify(
    cert_path: str | Path, model: str | Path | None = None, progress: ProgressFactory | None = None,
    cache: dict | None = None,
) -> CheckResult:
    """Check one certificate. `cache` (a dict the caller keeps between calls) lets many certificates
    of one model file share the exact model, tables and enclosures; every other step is repeated."""
    t0 = time.perf_counter()
    cert_path = Path(cert_path)
    cert = read_certificate(cert_path)
    if cert.family == "groupop":
        from .groupop import verify_groupop
        from .groupop_rho import verify_groupop_rho

        if cert.strategy == "rho-set":
            return verify_groupop_rho(cert, cert_path, model, progress)
        return verify_groupop(cert, cert_path, model, progress)
    mpath = resolve_model_path(cert, cert_path, model)
    key = (str(Path(mpath).resolve()), cert.fixed_bits, cert.exp_squarings)
    if cache is not None and key in cache:
        M, T, W = cache[key]
    else:
        M, T, W = load_maxofk(mpath), None, None
    secs: dict[str, float] = {"load": time.perf_counter() - t0}
    if M.sha256 != cert.model_sha256:
        raise Rejected(f"model mismatch: weights hash {M.sha256[:12]}..., certificate is for {cert.model_sha256[:12]}...")
    shape = {"d_vocab": M.d_vocab, "n_ctx": M.n_ctx, "d_model": M.d_model, "d_head": M.d_head}
    if shape != cert.shape:
        raise Rejected(f"model shape {shape} differs from the certificate's {cert.shape}")
    V, n = M.d_vocab, M.n_ctx
    if cert.total != V**n:
        raise Rejected(f"claim.total is {cert.total}, but there are {V**n} inputs")
    if cert.correct_at_least > cert.total:
        raise Rejected("claim.correct_at_least exceeds claim.total")
    t = time.perf_counter()
    T = T or exact_tables(M)
    secs["replay_tables"] = time.perf_counter() - t
    t = time.perf_counter()
    W = W or weight_enclosures(M, T, cert.fixed_bits, cert.exp_squarings)
    if cache is not None:
        cache[key] = (M, T, W)
    secs["exp_enclosures"] = time.perf_counter() - t
    t = time.perf_counter()
    res = CheckResult(cert.strategy, cert.correct_at_least, cert.total, 0, cert.incorrect_at_least)
    if cert.strategy == "brute-force":
        cb = progress("check brute force", V**n) if progress else None
        good, bad = count_bruteforce(T, W, n, cb, need=(cert.correct_at_least, cert.incorrect_at_least or 0))
        res.verified_correct, res.verified_incorrect = good, bad
        if cert.incorrect_at_least is not None and bad < cert.incorrect_at_least:
            raise Rejected(f"claimed {cert.incorrect_at_least} inputs proven incorrect, only {bad} verified")
    elif cert.strategy == "subcubic":
        cb = progress("check subcubic blocks", len(cert.hints["blocks"])) if progress else None
        res.verified_correct, _ = count_subcubic(
            T, W, n, M.d_head, M.s, cert.fixed_bits, cert.exp_squarings, cert.hints, cb)
    else:
        blocks = cert.hints["blocks"]
        cb = progress(f"check {cert.strategy} blocks", len(blocks)) if progress else None
        counter = count_cubic if cert.strategy == "cubic" else count_cubic_count
        res.verified_correct, _ = counter(T, W, n, blocks, cb)
    secs["strategy"] = time.perf_counter() - t
    if res.verified_correct < cert.correct_at_least:
        raise Rejected(
            f"claimed {cert.correct_at_least} correct inputs, only {res.verified_correct} verified by {cert.strategy}"
        )
    secs["total"] = time.perf_counter() - t0
    res.seconds = secs
    return res
