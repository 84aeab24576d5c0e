"""Trusted checker of the group-operation family (one-hidden-layer ReLU MLPs; CHECKING.md 8)."""

from __future__ import annotations

from pathlib import Path

from pybridge.check.groupop.certificate import parse
from pybridge.check.result import CheckResult, ProgressFactory

DESCRIPTION = "group-operation MLPs: brute force, rho-set"
__all__ = ["DESCRIPTION", "parse", "verify"]


def verify(cert, cert_path: Path, model, progress: ProgressFactory | None = None, cache: dict | None = None) -> CheckResult:
    """Check a groupop certificate by its strategy (brute force: CHECKING.md 8.4; rho-set: 8.6)."""
    if cert.strategy == "rho-set":
        from pybridge.check.groupop.rho import verify_groupop_rho

        return verify_groupop_rho(cert, cert_path, model, progress)
    from pybridge.check.groupop.bruteforce import verify_groupop

    return verify_groupop(cert, cert_path, model, progress)
