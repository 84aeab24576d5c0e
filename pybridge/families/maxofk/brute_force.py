"""Strategy `brute-force`: every input, rigorously.

The brute-force certificate carries no hints: its proof *is* the enumeration, so the prover runs
the trusted enumeration (`pybridge.check.maxofk.bruteforce`, outward-rounded float64 with an exact
fallback) and claims exactly what it finds; `pybridge check` re-runs it independently of this
process. An input counts as correct only if interval arithmetic proves every wrong logit strictly
below the right one, and as incorrect only if it proves some wrong logit at least as large, so the
two counts bracket the true accuracy.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pybridge.check.maxofk.bruteforce import count_bruteforce
from pybridge.check.maxofk.tables import exact_tables, weight_enclosures

from pybridge.families.maxofk.common import DEFAULT_PARAMS, LoadedModel, ProofResult, make_certificate

EXACT_BUDGET = 200_000


def forward_flops(V: int, n: int, d: int, h: int) -> int:
    """FLOPs of one forward pass read out at the last position (multiply-adds count 2)."""
    return 2 * (n * d + d * h + 2 * n * d * h + 2 * n * h + h * d + d * V) + 3 * n + 2 * V


def prove_brute_force(
    m: LoadedModel, params: dict[str, int] | None = None, progress: Callable[[int], None] | None = None
) -> ProofResult:
    params = dict(params or DEFAULT_PARAMS["brute-force"])
    M = m.exact
    V, n, d, h = M.d_vocab, M.n_ctx, M.d_model, M.d_head
    t0 = time.perf_counter()
    if M.has_ln:  # issue 15: LayerNorm models are evaluated per input by the trusted interval evaluator
        from pybridge.check.maxofk.layernorm import count_bruteforce_ln

        correct, incorrect = count_bruteforce_ln(M, params["fixed_bits"], params["exp_squarings"], progress)
    else:
        T = exact_tables(M)
        W = weight_enclosures(M, T, params["fixed_bits"], params["exp_squarings"])
        # decide near-ties exactly too (the float fast path leaves them open), up to EXACT_BUDGET inputs
        correct, incorrect = count_bruteforce(T, W, n, progress, need=(V**n, V**n), max_exact=EXACT_BUDGET)
    secs = time.perf_counter() - t0
    # our cost: tables + per-query G tables + one addition and one comparison per cell
    flops = V * n * d * (3 * h + 2 * d + V) * 2 + V * V * n * V * 4 + V**n * V * 2 * (n + 1)
    info = {
        "seconds": round(secs, 3),
        "flops": flops,
        "forward_flops_all_inputs": V**n * forward_flops(V, n, d, h),
        "accuracy_bracket": [correct / V**n, 1 - incorrect / V**n],
    }
    cert = make_certificate(m, "brute-force", params, correct, incorrect, {}, info)
    return ProofResult("brute-force", correct, V**n, incorrect, flops, secs, cert, {"accuracy_at_most": 1 - incorrect / V**n})
