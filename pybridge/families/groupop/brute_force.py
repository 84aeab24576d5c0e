"""Strategy `brute-force` for group-operation MLPs (docs/CHECKING.md section 8).

Like the Max-of-k brute force, the proof *is* the enumeration: the prover runs the trusted
enumeration (`pybridge.check.groupop.bruteforce.count_bruteforce`: exact int64 interval path over all |G|^2
pairs, then the exact integer formula for every pair the intervals leave open) and claims exactly
what it finds; `pybridge check` re-runs it independently. Every pair is decided, so the two claimed
counts add up to |G|^2: the bracket is the exact accuracy of the real-valued model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from pybridge import __version__
from pybridge.check.groupop.bruteforce import ExactGroupOp, count_bruteforce, load_groupop, pre_activations

from pybridge.families.maxofk.common import ProofResult


@dataclass
class LoadedGroupOp:
    path: Path
    exact: ExactGroupOp
    table: list[list[int]]

    @property
    def shape(self) -> dict[str, Any]:
        M = self.exact
        return {"group": M.group, "group_order": M.order, "d_embed": M.d_embed, "d_hidden": M.d_hidden}


def load_groupop_model(path: str | Path) -> LoadedGroupOp:
    M, table = load_groupop(path)  # validates; InputError with a one-line reason
    return LoadedGroupOp(Path(path), M, table)


def forward_flops(G: int, e: int, h: int) -> int:
    """FLOPs of one forward pass (multiply-adds count 2)."""
    return 2 * 2 * e * h + h + h + 2 * h * G + G


def prove_groupop_bf(m: LoadedGroupOp, params: dict[str, int] | None = None,
                     progress: Callable[[int], None] | None = None) -> ProofResult:
    M = m.exact
    G, e, h = M.order, M.d_embed, M.d_hidden
    t0 = time.perf_counter()
    AB = pre_activations(M)
    correct, incorrect, exact = count_bruteforce(M, m.table, None, progress, AB)
    secs = time.perf_counter() - t0
    total = G * G
    # our cost: A and B tables, then per pair h additions, h ReLUs and four h x G products (intervals)
    flops = 2 * (2 * G * e * h) + total * (2 * h + 4 * 2 * h * G)
    info = {
        "seconds": round(secs, 3),
        "flops": flops,
        "forward_flops_all_inputs": total * forward_flops(G, e, h),
        "pairs_decided_exactly": exact,
        "accuracy_bracket": [correct / total, 1 - incorrect / total],
    }
    cert = {
        "format": "pybridge-certificate",
        "version": 1,
        "family": "groupop",
        "strategy": "brute-force",
        "model_sha256": M.sha256,
        "model": dict(m.shape),
        "params": {},
        "claim": {"correct_at_least": correct, "total": total, "incorrect_at_least": incorrect},
        "hints": {},
        "prover": {"pybridge": __version__, "torch": torch.__version__, **info},
    }
    return ProofResult("brute-force", correct, total, incorrect, flops, secs, cert,
                       {"accuracy_at_most": 1 - incorrect / total, "pairs_decided_exactly": exact})
