"""The trusted checker. It imports nothing from the prover (pybridge.prove, pybridge.exact,
pybridge.models, torch): only the standard library, numpy (int64 arrays) and the safetensors parser.

Public entry point: `verify(cert_path, model_path=None)`; see docs/CHECKING.md for what it proves.
"""

from .errors import InputError, Rejected
from .verify import CheckResult, verify

__all__ = ["CheckResult", "InputError", "Rejected", "verify"]
