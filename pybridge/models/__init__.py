"""Model definitions (prover side, untrusted): the Max-of-k transformer and its file format."""

from .errors import ModelFormatError
from .maxofk import (
    MaxOfKConfig,
    MaxOfKTransformer,
    load_torch,
    reference_logits,
    save_maxofk,
)

__all__ = [
    "MaxOfKConfig",
    "MaxOfKTransformer",
    "ModelFormatError",
    "load_torch",
    "reference_logits",
    "save_maxofk",
]
