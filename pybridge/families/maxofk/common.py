"""Shared prover plumbing: model arrays, float tables in torch, results and certificate writing.

Nothing here is trusted: a certificate is worth what `pybridge.check.verify` says of it.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from pybridge import __version__
from pybridge.certio import ProofResult, relative_model_file, write_json_atomic  # noqa: F401 (re-exported)
from pybridge.check.maxofk.weights import WEIGHT_NAMES, ExactMaxOfK, load_maxofk

DEFAULT_PARAMS = {
    "brute-force": {"fixed_bits": 80, "exp_squarings": 40},
    "cubic": {"fixed_bits": 32, "exp_squarings": 20},
    "cubic-count": {"fixed_bits": 32, "exp_squarings": 20},
    "subcubic": {"fixed_bits": 32, "exp_squarings": 20},
}


@dataclass
class LoadedModel:
    """The model as the prover sees it: exact integers (for the final claim) and float arrays."""

    path: Path
    exact: ExactMaxOfK
    arrays: dict[str, np.ndarray]  # float64 copies, W_Q etc. squeezed to 2-D

    @property
    def shape(self) -> dict[str, int]:
        M = self.exact
        return {"d_vocab": M.d_vocab, "n_ctx": M.n_ctx, "d_model": M.d_model, "d_head": M.d_head}


def load_model(path: str | Path) -> LoadedModel:
    """Read the file once (through the checker's validating loader) and derive the float64 arrays
    from its exact integers: every entry is a stored float (at most 53 significant bits), so
    `Z * 2^-s` is exactly representable and `_to_float` reproduces it bit for bit."""
    path = Path(path)
    exact = load_maxofk(path)  # validates the file; raises InputError with a one-line reason
    mats = (exact.E, exact.P, exact.WQ, exact.WK, exact.WV, exact.WO, exact.WU)
    arrays = {name: np.array([[_to_float(x, exact.s) for x in row] for row in z]) for name, z in zip(WEIGHT_NAMES, mats)}
    vecs = {"b_Q": exact.bQ, "b_K": exact.bK, "b_V": exact.bV, "b_O": exact.bO, "b_U": exact.bU,
            "ln1_w": exact.ln1_w, "ln1_b": exact.ln1_b, "lnf_w": exact.lnf_w, "lnf_b": exact.lnf_b}
    for name, v in vecs.items():  # biases and LayerNorm parameters (1-D; b_Q etc. squeezed)
        arrays[name] = np.array([_to_float(x, exact.s) for x in v])
    return LoadedModel(path, exact, arrays)


def _to_float(z: int, s: int) -> float:
    """The float `z * 2^-s`, exactly: strip trailing zeros so the mantissa fits 53 bits whatever `s` is."""
    t = (z & -z).bit_length() - 1 if z else 0
    return math.ldexp(float(z >> t), t - s)


@dataclass
class FloatTables:
    """Float64 tables (not rigorous): EU [q, c], OV [tok, i, c], QK [q, tok, i] (unscaled)."""

    EU: torch.Tensor
    OV: torch.Tensor
    QK: torch.Tensor
    scale: float


def float_tables(m: LoadedModel) -> FloatTables:
    """The heavy products of docs/CHECKING.md section 2, in torch float64 (replayed exactly by the checker)."""
    A = {k: torch.from_numpy(v) for k, v in m.arrays.items()}
    E, Pos = A["embed.W_E"], A["pos_embed.W_pos"]
    X = E[:, None, :] + Pos[None, :, :]  # [tok, i, d]
    Xq = X[:, -1, :]
    WU = A["unembed.W_U"]
    EU = Xq @ WU + (A["b_O"] @ WU + A["b_U"])[None, :]
    OV = (X @ A["blocks.0.attn.W_V"] + A["b_V"]) @ A["blocks.0.attn.W_O"] @ WU
    QK = torch.einsum("qh,tih->qti", Xq @ A["blocks.0.attn.W_Q"] + A["b_Q"], X @ A["blocks.0.attn.W_K"] + A["b_K"])
    return FloatTables(EU, OV, QK, 1.0 / float(np.sqrt(m.exact.d_head)))


def make_certificate(
    m: LoadedModel,
    strategy: str,
    params: dict[str, int],
    correct: int,
    incorrect: int | None,
    hints: dict[str, Any],
    prover_info: dict[str, Any],
    model_file: str | None = None,
) -> dict[str, Any]:
    M = m.exact
    claim: dict[str, int] = {"correct_at_least": correct, "total": M.d_vocab**M.n_ctx}
    if incorrect is not None:
        claim["incorrect_at_least"] = incorrect
    model = dict(m.shape)
    if model_file is not None:
        model["file"] = model_file
    return {
        "format": "pybridge-certificate",
        "version": 1,
        "family": "maxofk",
        "strategy": strategy,
        "model_sha256": M.sha256,
        "model": model,
        "params": params,
        "claim": claim,
        "hints": hints,
        "prover": {"pybridge": __version__, "torch": torch.__version__, **prover_info},
    }
