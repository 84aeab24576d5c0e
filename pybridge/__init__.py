"""pybridge: machine-checked claims about mechanistically interpreted small networks.

Architecture (docs/ARCHITECTURE.md):
  pybridge.families.<family>   -- untrusted: model, training, strategies, export, audit (one package per family)
  pybridge.check.<family>      -- the small trusted checker (exact integers only; imports no prover code)
  pybridge.exact               -- prover-side exact and interval arithmetic
  pybridge.export              -- Coq / Lean export machinery (jinja2 templates), coqc runner
  pybridge.api                 -- `prove` / `check` for notebooks; pybridge.cli -- the command line
"""

__version__ = "0.1.0"

from pybridge.api import Check, Proof, check, prove  # noqa: E402
from pybridge.check.errors import InputError, Rejected  # noqa: E402

__all__ = ["Check", "InputError", "Proof", "Rejected", "__version__", "check", "prove"]
