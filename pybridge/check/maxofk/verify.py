"""Trusted: the Max-of-k check (docs/CHECKING.md sections 2-6): bind the model by hash, replay the
tables exactly, enclose the attention weights, then count with the certificate's strategy."""

from __future__ import annotations

import time
from pathlib import Path

from pybridge.check.certificate import Certificate
from pybridge.check.errors import Rejected
from pybridge.check.maxofk.bruteforce import count_bruteforce
from pybridge.check.maxofk.cubic import count_cubic
from pybridge.check.maxofk.cubic_count import count_cubic_count
from pybridge.check.maxofk.subcubic import count_subcubic
from pybridge.check.maxofk.tables import exact_tables, weight_enclosures
from pybridge.check.maxofk.weights import load_maxofk
from pybridge.check.modelfile import resolve_model_path
from pybridge.check.result import CheckResult, ProgressFactory


def verify(cert: Certificate, cert_path: Path, model: str | Path | None, progress: ProgressFactory | None = None,
           cache: dict | None = None) -> CheckResult:
    """Check one Max-of-k certificate: returns only if `#correct >= claim` holds for the real model."""
    t0 = time.perf_counter()
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
    if M.has_ln:  # issue 15: no exact tables; brute force per input (check/maxofk/layernorm.py)
        from pybridge.check.limits import require

        d, h = M.d_model, M.d_head  # per input: the forward pass in interval arithmetic (issue 10 bound)
        require("max-of-k brute force (LayerNorm)", work=V**n * n * (n * d * h + d * V) * max(1, cert.fixed_bits // 32))
        return _verify_ln(cert, M, progress, t0, secs)
    require_bounds(M, cert)
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
        good, bad = count_bruteforce(T, W, n, cb, need=(cert.correct_at_least, cert.incorrect_at_least or 0),
                                     max_exact=exact_budget(M, n))
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


def _verify_ln(cert: Certificate, M, progress: ProgressFactory | None, t0: float, secs: dict) -> CheckResult:
    from pybridge.check.maxofk.layernorm import count_bruteforce_ln

    if cert.strategy != "brute-force":
        raise Rejected(f"strategy {cert.strategy} does not support LayerNorm models; only brute-force does")
    t = time.perf_counter()
    V, n = M.d_vocab, M.n_ctx
    cb = progress("check brute force (LayerNorm)", V**n) if progress else None
    good, bad = count_bruteforce_ln(M, cert.fixed_bits, cert.exp_squarings, cb)
    res = CheckResult(cert.strategy, cert.correct_at_least, cert.total, good, cert.incorrect_at_least)
    res.verified_incorrect = bad
    if cert.incorrect_at_least is not None and bad < cert.incorrect_at_least:
        raise Rejected(f"claimed {cert.incorrect_at_least} inputs proven incorrect, only {bad} verified")
    if good < cert.correct_at_least:
        raise Rejected(f"claimed {cert.correct_at_least} correct inputs, only {good} verified by brute-force")
    secs["strategy"] = time.perf_counter() - t
    secs["total"] = time.perf_counter() - t0
    res.seconds = secs
    return res


def require_bounds(M, cert: Certificate) -> None:
    """State the work and the largest integer before any table is built (issue 10; check/limits.py).

    One work unit is about one exact operation on an integer of 64 bits: the tables cost
    `V n (3 d h + h d + d V) + V^2 n h` products of integers of `wb` bits (four factors deep), the
    enclosures `V^2 n k` squarings of P-bit mantissas, then the strategy: brute force `V^n n` (and
    `V^n n V` if every input needs the exact test), cubic/cubic-count `V^3 n` plus `n V` per block,
    subcubic `V^2 n` plus `n log n` per block. The exact re-tests of brute force are budgeted separately
    (`exact_budget`): past the budget, undecided inputs count as unproven."""
    from pybridge.check.limits import require

    V, n, d, h, P, k = M.d_vocab, M.n_ctx, M.d_model, M.d_head, cert.fixed_bits, cert.exp_squarings
    mats = (M.E, M.P, M.WQ, M.WK, M.WV, M.WO, M.WU)
    wb = max((abs(x).bit_length() for A in mats for r in A for x in r), default=1) + 1
    tbits = 4 * wb + 2 * M.s + 4 * max(d, h, V, n).bit_length() + 8  # |QK|, |OV|, |EU| (biases included)
    words = max(1, tbits // 64)
    require("max-of-k tables", work=(V * n * (4 * d * h + d * V) + V * V * n * h) * words, bits=tbits)
    require("max-of-k exp enclosures", work=V * V * n * k * max(1, P // 32), bits=2 * P + tbits)
    nb = len(cert.hints.get("blocks", [])) if isinstance(cert.hints, dict) else 0
    work = {"brute-force": V**n * n,  # the float64 pass; the exact re-tests are budgeted (exact_budget)
            "cubic": V**3 * n + nb * n * V, "cubic-count": V**3 * n + nb * n * V,
            "subcubic": V * V * n + nb * n * max(1, n.bit_length())}.get(cert.strategy, 0)
    require(f"max-of-k {cert.strategy}", work=work * words)


def exact_budget(M, n: int) -> int:
    """How many inputs the brute-force check may re-test exactly (`O(n V)` big-integer steps each) within --max-work."""
    from pybridge.check.limits import current

    return max(1000, current().max_work // (4 * n * M.d_vocab))
