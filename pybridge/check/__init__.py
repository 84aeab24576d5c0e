"""The trusted checker. It imports nothing from the prover (pybridge.families, pybridge.exact,
pybridge.export, torch): only the standard library, numpy (int64 arrays) and the safetensors parser.
One package per family (`check/<family>/`), found through `check/registry.py`.

Public entry point: `verify(cert_path, model_path=None)`; see docs/CHECKING.md for what it proves.
"""

from pybridge.check.errors import InputError, Rejected
from pybridge.check.result import CheckResult
from pybridge.check.verify import verify

__all__ = ["CheckResult", "InputError", "Rejected", "verify"]
