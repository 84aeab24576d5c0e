"""A slow, obviously-correct reference for Max-of-k accuracy (tests only).

Weights are exact Fractions (from the float values), every product and sum is exact, and only the
softmax uses mpmath at high precision: exp of the exact scores times 1/sqrt(h). An input whose
margin is within `TIE` of zero is reported as ambiguous so tests can avoid relying on it.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import numpy as np
from safetensors.numpy import load_file, save_file

NAMES = {
    "E": "embed.W_E",
    "P": "pos_embed.W_pos",
    "WQ": "blocks.0.attn.W_Q",
    "WK": "blocks.0.attn.W_K",
    "WV": "blocks.0.attn.W_V",
    "WO": "blocks.0.attn.W_O",
    "WU": "unembed.W_U",
}
TIE = mpmath.mpf(10) ** -30


def write_model(path, V, n, d, h, seed=0, scale=1.0, dtype=np.float32, rng=None):
    """A random Max-of-k model file (untrained)."""
    r = rng or np.random.default_rng(seed)
    t = {
        "embed.W_E": r.normal(size=(V, d)),
        "pos_embed.W_pos": r.normal(size=(n, d)) * 0.3,
        "blocks.0.attn.W_Q": r.normal(size=(1, d, h)),
        "blocks.0.attn.W_K": r.normal(size=(1, d, h)),
        "blocks.0.attn.W_V": r.normal(size=(1, d, h)),
        "blocks.0.attn.W_O": r.normal(size=(1, h, d)),
        "unembed.W_U": r.normal(size=(d, V)),
    }
    t = {k: (v * scale).astype(dtype) for k, v in t.items()}
    meta = {"pybridge_family": "maxofk", "d_vocab": str(V), "n_ctx": str(n), "d_model": str(d), "d_head": str(h)}
    save_file(t, str(path), metadata=meta)
    return path


def _frac(a):
    a = np.asarray(a)
    return [[Fraction(float(x)) for x in row] for row in a.reshape(a.shape[-2], a.shape[-1]).tolist()]


def _vecmat(v, M):
    return [sum(v[k] * M[k][j] for k in range(len(v))) for j in range(len(M[0]))]


def reference_counts(path) -> tuple[int, int, int]:
    """(correct, incorrect, ambiguous) over all inputs, by direct evaluation of the real model."""
    raw = load_file(str(path))
    W = {k: _frac(raw[v]) for k, v in NAMES.items()}
    V, d = len(W["E"]), len(W["E"][0])
    n, h = len(W["P"]), len(W["WQ"][0])
    mpmath.mp.dps = 80
    inv_sqrt_h = 1 / mpmath.sqrt(h)
    correct = incorrect = ambiguous = 0
    for t in itertools.product(range(V), repeat=n):
        x = [[W["E"][t[i]][c] + W["P"][i][c] for c in range(d)] for i in range(n)]
        qv = _vecmat(x[-1], W["WQ"])
        scores = [sum(a * b for a, b in zip(qv, _vecmat(x[i], W["WK"]))) for i in range(n)]
        e = [mpmath.exp(mpmath.mpf(s.numerator) / s.denominator * inv_sqrt_h) for s in scores]
        z = sum(e)
        a = [ei / z for ei in e]
        direct = _vecmat(x[-1], W["WU"])
        vals = [_vecmat(_vecmat(_vecmat(x[i], W["WV"]), W["WO"]), W["WU"]) for i in range(n)]
        logits = [
            mpmath.mpf(direct[c].numerator) / direct[c].denominator
            + sum(a[i] * (mpmath.mpf(vals[i][c].numerator) / vals[i][c].denominator) for i in range(n))
            for c in range(V)
        ]
        m = max(t)
        margin = min(logits[m] - logits[j] for j in range(V) if j != m)
        if abs(margin) < TIE:
            ambiguous += 1
        elif margin > 0:
            correct += 1
        else:
            incorrect += 1
    return correct, incorrect, ambiguous
