"""Trusted checker of the Max-of-k family (one-layer attention-only transformers; CHECKING.md 2-7)."""

from pybridge.check.maxofk.certificate import parse
from pybridge.check.maxofk.verify import verify

DESCRIPTION = "Max-of-k transformers: brute force, cubic, cubic-count, subcubic"
__all__ = ["DESCRIPTION", "parse", "verify"]
