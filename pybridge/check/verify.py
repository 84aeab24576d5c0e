"""Trusted: re-derive a certificate's claim from its inputs (the checker's entry point).

`verify` returns normally only if every step holds: the file parses (envelope, then the family's
fields), and the family's checker (`check/registry.py`) re-derives the claim from the model.
Otherwise it raises `InputError` (unreadable input) or `Rejected` (first failing step).
"""

from __future__ import annotations

from pathlib import Path

from pybridge.check.errors import InputError, Rejected
from pybridge.check.limits import Limits, reset, use
from pybridge.check.certificate import read_certificate
from pybridge.check.modelfile import resolve_model_path
from pybridge.check.registry import checker
from pybridge.check.result import CheckResult, ProgressFactory

__all__ = ["CheckResult", "resolve_model_path", "verify"]


def verify(
    cert_path: str | Path, model: str | Path | None = None, progress: ProgressFactory | None = None,
    cache: dict | None = None, limits: Limits | None = None,
) -> CheckResult:
    """Check one certificate. `cache` (a dict the caller keeps between calls) lets many certificates
    of one model file share the exact model and tables; every other step is repeated. `limits` bounds
    the work and integer sizes (check/limits.py); each family checks them before it starts."""
    token = use(limits)
    cert = None
    try:
        cert_path = Path(cert_path)
        cert = read_certificate(cert_path)
        return checker(cert.family).verify(cert, cert_path, model, progress, cache)
    except (InputError, Rejected):
        raise
    except CRASHES as e:  # no family's checker may crash the caller (issue 10): one line, exit 2
        raise InputError(f"the {getattr(cert, 'family', 'certificate')} checker cannot read this input "
                         f"({type(e).__name__}{': ' + _first_line(e) if str(e) else ''})") from None
    finally:
        reset(token)


# Exceptions a checker may raise on hostile input that is not caught where it happens; each becomes InputError.
CRASHES = (ValueError, OverflowError, KeyError, TypeError, IndexError, ZeroDivisionError, MemoryError,
           RecursionError, AttributeError, ArithmeticError, LookupError, UnicodeError, OSError, AssertionError)


def _first_line(e: BaseException) -> str:
    try:
        return (str(e).splitlines() or [""])[0][:200]
    except Exception:  # noqa: BLE001 - a str() that fails must not escape either
        return ""
