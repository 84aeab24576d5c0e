"""pybridge: machine-checked accuracy lower bounds for mechanistically interpreted small networks.

Architecture (see docs/CHECKING.md):
  pybridge.models / pybridge.train / pybridge.interop  -- model definitions, training, weight import
  pybridge.exact                                       -- prover-side exact and interval arithmetic
  pybridge.prove                                       -- untrusted proof search (torch, floats)
  pybridge.check                                       -- the small trusted checker (exact integers only)
  pybridge.export                                      -- Coq / Lean exporters (jinja2 templates)
"""

__version__ = "0.1.0"
