"""The proof strategies the CLI knows, by name."""

from __future__ import annotations

from collections.abc import Callable

from .brute_force import prove_brute_force
from .common import LoadedModel, ProofResult
from .cubic import prove_cubic
from .cubic_count import prove_cubic_count
from .subcubic import prove_subcubic

Strategy = Callable[..., ProofResult]

STRATEGIES: dict[str, tuple[Strategy, str]] = {
    "brute-force": (prove_brute_force, "every input, rigorous interval arithmetic; brackets the accuracy"),
    "cubic": (prove_cubic, "per-position pessimisation, token-set blocks, combinatorial count; O(V^3 n 2^n)"),
    "cubic-count": (prove_cubic_count, "as cubic, blocks by number of non-max positions (worst positions by sorting); O(V^3 n^2)"),
    "subcubic": (prove_subcubic, "gap blocks with verified direct-path and attention-gap hints; O(V^2 (d + n h + n^2)) (--variant picks the bounds)"),
}


GROUPOP_STRATEGIES: dict[str, str] = {
    "brute-force": "every pair (x, y), exact int64 intervals then exact integers; the exact accuracy",
    "rho-set": "bi-equivariant ideal model from rho-set circuits, one evaluation at (e, e), per-class distance bound (low-rank part + remainder) per pair",
}


def prove_groupop(path, name: str, progress_factory=None) -> ProofResult:
    """Prove a strategy for a groupop model file (`progress_factory(desc, total)` makes a progress callback)."""
    from .groupop_bf import load_groupop_model, prove_groupop_bf

    if name not in GROUPOP_STRATEGIES:
        raise ValueError(f"strategy '{name}' is not available for groupop models (known: {', '.join(GROUPOP_STRATEGIES)})")
    m = load_groupop_model(path)
    if name == "rho-set":
        from .groupop_rho import prove_groupop_rho

        return prove_groupop_rho(m)  # raises groupop_rho.Unexplained when the explanation does not fit
    bar = progress_factory(f"prove groupop {name}", m.exact.order**2) if progress_factory else None
    return prove_groupop_bf(m, None, bar)


def prove(m: LoadedModel, name: str, params: dict[str, int] | None = None, progress=None) -> ProofResult:
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy '{name}' (known: {', '.join(STRATEGIES)})")
    return STRATEGIES[name][0](m, params, progress)
