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


BIASES = {
    "bQ": "blocks.0.attn.b_Q",
    "bK": "blocks.0.attn.b_K",
    "bV": "blocks.0.attn.b_V",
    "bO": "blocks.0.attn.b_O",
    "bU": "unembed.b_U",
}
LNS = {"ln1_w": "blocks.0.ln1.w", "ln1_b": "blocks.0.ln1.b", "lnf_w": "ln_final.w", "lnf_b": "ln_final.b"}


def write_model(path, V, n, d, h, seed=0, scale=1.0, dtype=np.float32, rng=None, biases=False, ln=None, eps=None):
    """A random Max-of-k model file (untrained); `biases` adds random non-zero biases, `ln` is
    None, "LN" (random LayerNorm weights and biases) or "LNPre"; `eps` the metadata ln_eps string."""
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
    if biases:
        shapes = {"bQ": (1, h), "bK": (1, h), "bV": (1, h), "bO": (d,), "bU": (V,)}
        t.update({BIASES[k]: (r.normal(size=sh) * scale).astype(dtype) for k, sh in shapes.items()})
    if ln == "LN":
        t.update({LNS[k]: (1 + r.normal(size=(d,)) * 0.3 if k.endswith("_w") else r.normal(size=(d,)) * 0.3).astype(dtype)
                  for k in LNS})
    if ln:
        meta["normalization_type"] = ln
        if eps is not None:
            meta["ln_eps"] = eps
    save_file(t, str(path), metadata=meta)
    return path


def _frac(a):
    a = np.asarray(a)
    return [[Fraction(float(x)) for x in row] for row in a.reshape(a.shape[-2], a.shape[-1]).tolist()]


def _vecmat(v, M):
    return [sum(v[k] * M[k][j] for k in range(len(v))) for j in range(len(M[0]))]


def _mp(x):
    return mpmath.mpf(x.numerator) / x.denominator if isinstance(x, Fraction) else x


def _reference_ln(raw, meta, W, t):
    """Last-position logits of input t for a model with biases and/or LayerNorm, computed along the
    model's own data flow (no tables): LN1, Q/K/V with biases, softmax, W_O + b_O, residual, LN_final,
    W_U + b_U (mpmath throughout)."""
    d = len(W["E"][0])
    n, h = len(W["P"]), len(W["WQ"][0])
    eps = Fraction(meta.get("ln_eps", "1e-5"))
    norm = meta.get("normalization_type", "none")
    if norm == "LN":
        L = {k: [Fraction(float(x)) for x in raw[v].tolist()] for k, v in LNS.items()}
    else:
        L = {k: [Fraction(1 if k.endswith("_w") else 0)] * d for k in LNS}
    x = [[W["E"][t[i]][c] + W["P"][i][c] for c in range(d)] for i in range(n)]
    y = [_layernorm_mp(xi, L["ln1_w"], L["ln1_b"], eps) if norm != "none" else [_mp(c) for c in xi] for xi in x]
    q = [a + _mp(b) for a, b in zip(_vecmat(y[-1], W["WQ"]), W["bQ"])]
    ks = [[a + _mp(b) for a, b in zip(_vecmat(y[i], W["WK"]), W["bK"])] for i in range(n)]
    vs = [[a + _mp(b) for a, b in zip(_vecmat(y[i], W["WV"]), W["bV"])] for i in range(n)]
    scores = [sum(a * b for a, b in zip(q, ks[i])) / mpmath.sqrt(h) for i in range(n)]
    e = [mpmath.exp(s) for s in scores]
    a = [ei / sum(e) for ei in e]
    mix = [sum(a[i] * vs[i][k] for i in range(n)) for k in range(h)]
    resid = [_mp(xc) + o + _mp(bo) for xc, o, bo in zip(x[-1], _vecmat(mix, W["WO"]), W["bO"])]
    z = _layernorm_mp(resid, L["lnf_w"], L["lnf_b"], eps) if norm != "none" else resid
    return [lc + _mp(bu) for lc, bu in zip(_vecmat(z, W["WU"]), W["bU"])]


def _layernorm_mp(x, w, b, eps):
    d = len(x)
    mu = sum(x) / d
    c = [xi - mu for xi in x]
    var = sum(ci * ci for ci in c) / d
    r = 1 / mpmath.sqrt(var + _mp(eps))
    return [ci * r * _mp(wi) + _mp(bi) for ci, wi, bi in zip(c, w, b)]


def reference_logits(path, t):
    """Last-position logits of input t (mpmath, 80 digits) for a model with biases and/or LayerNorm."""
    from safetensors import safe_open

    raw = load_file(str(path))
    with safe_open(str(path), framework="numpy") as f:
        meta = dict(f.metadata() or {})
    W = {k: _frac(raw[v]) for k, v in NAMES.items()}
    h, d, V = len(W["WQ"][0]), len(W["E"][0]), len(W["E"])
    sizes = {"bQ": h, "bK": h, "bV": h, "bO": d, "bU": V}
    for k, v in BIASES.items():
        W[k] = [Fraction(float(x)) for x in raw[v].reshape(-1).tolist()] if v in raw else [Fraction(0)] * sizes[k]
    mpmath.mp.dps = 80
    return _reference_ln(raw, meta, W, t)


def reference_counts(path) -> tuple[int, int, int]:
    """(correct, incorrect, ambiguous) over all inputs, by direct evaluation of the real model
    (biases and LayerNorm included: TransformerLens semantics, real sqrt and exp at 80 digits)."""
    from safetensors import safe_open

    raw = load_file(str(path))
    with safe_open(str(path), framework="numpy") as f:
        meta = dict(f.metadata() or {})
    W = {k: _frac(raw[v]) for k, v in NAMES.items()}
    for k, v in BIASES.items():
        W[k] = [Fraction(float(x)) for x in raw[v].reshape(-1).tolist()] if v in raw else None
    W["bQ"] = W["bQ"] or [Fraction(0)] * len(W["WQ"][0])
    W["bK"] = W["bK"] or [Fraction(0)] * len(W["WQ"][0])
    W["bV"] = W["bV"] or [Fraction(0)] * len(W["WQ"][0])
    W["bO"] = W["bO"] or [Fraction(0)] * len(W["E"][0])
    W["bU"] = W["bU"] or [Fraction(0)] * len(W["E"])
    direct_flow = meta.get("normalization_type", "none") != "none" or any(v in raw for v in BIASES.values())
    V, d = len(W["E"]), len(W["E"][0])
    n, h = len(W["P"]), len(W["WQ"][0])
    mpmath.mp.dps = 80
    inv_sqrt_h = 1 / mpmath.sqrt(h)
    correct = incorrect = ambiguous = 0
    for t in itertools.product(range(V), repeat=n):
        if direct_flow:
            logits = _reference_ln(raw, meta, W, t)
            m = max(t)
            margin = min(logits[m] - logits[j] for j in range(V) if j != m)
            if abs(margin) < TIE:
                ambiguous += 1
            elif margin > 0:
                correct += 1
            else:
                incorrect += 1
            continue
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
