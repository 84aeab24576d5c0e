"""Trusted: what a successful check returns (every family)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ProgressFactory = Callable[[str, int], Callable[[int], None]]


@dataclass
class CheckResult:
    """A verified claim. For count claims: at least `correct_at_least` of `total` inputs are correct
    (`verified_correct` is what the checker counted). Families whose claim is not a count (equivalence,
    agreement within eps, similarity) still report the inputs covered in `total` and say the claim in
    `statement`; `details` holds their exact figures (JSON-ready)."""

    strategy: str
    correct_at_least: int
    total: int
    verified_correct: int
    incorrect_at_least: int | None = None
    verified_incorrect: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    family: str = "maxofk"
    statement: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def bound(self) -> float:
        return self.correct_at_least / self.total if self.total else 0.0

    def describe(self) -> str:
        """One line: the verified claim."""
        if self.statement:
            return self.statement
        return (f"{self.strategy} certificate proves accuracy >= {self.correct_at_least}/{self.total} "
                f"= {self.bound:.6f}")
