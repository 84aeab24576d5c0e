"""Trusted: the checker of each family, by the certificate's `family` field.

Each entry names a package under `pybridge/check/` that exposes `DESCRIPTION`, `parse(doc)` (the
family's certificate fields; the envelope is already checked) and
`verify(cert, cert_path, model, progress, cache) -> CheckResult`. Packages are imported on first use,
so a family's checker loads only when one of its certificates is read. Nothing here, nor in the
packages, imports prover code (tests/test_architecture.py enforces it).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from pybridge.check.errors import InputError

CHECKERS: dict[str, str] = {
    "maxofk": "pybridge.check.maxofk",
    "groupop": "pybridge.check.groupop",
    "bilinear": "pybridge.check.bilinear",
    "tprog": "pybridge.check.tprog",
    "function": "pybridge.check.function",
}


def checker(family: object) -> ModuleType:
    """The checker package of `family`; InputError for a family pybridge does not know."""
    if not isinstance(family, str) or family not in CHECKERS:
        raise InputError(f"unknown model family {family!r} (known: {', '.join(CHECKERS)})")
    return importlib.import_module(CHECKERS[family])
