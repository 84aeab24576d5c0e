"""Deterministic training recipes (prover side, untrusted)."""

from .maxofk import TrainSummary, train_maxofk

__all__ = ["TrainSummary", "train_maxofk"]
