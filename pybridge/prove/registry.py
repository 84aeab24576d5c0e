"""The proof strategies the CLI knows, by name."""

from __future__ import annotations

from collections.abc import Callable

from .brute_force import prove_brute_force
from .common import LoadedModel, ProofResult
from .cubic import prove_cubic

Strategy = Callable[..., ProofResult]

STRATEGIES: dict[str, tuple[Strategy, str]] = {
    "brute-force": (prove_brute_force, "every input, rigorous interval arithmetic; brackets the accuracy"),
    "cubic": (prove_cubic, "per-position pessimisation, token-set blocks, combinatorial count; O(V^3 n 2^n)"),
}


def prove(m: LoadedModel, name: str, params: dict[str, int] | None = None, progress=None) -> ProofResult:
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy '{name}' (known: {', '.join(STRATEGIES)})")
    return STRATEGIES[name][0](m, params, progress)
