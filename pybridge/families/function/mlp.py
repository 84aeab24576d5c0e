"""The MLP variant of the suite (issue 14, item 2): a 1-64-1 ReLU MLP (float32) trained with torch to
approximate a plain function, written as an ordinary JSON function file (format: docs/FUNCTIONS.md,
"MLP variant files"; untrusted).

    f(x) = b2 + sum_i w2[i] * max(w1[i] * x + b1[i], 0)

Every weight is the exact dyadic of its float32 value: "p/q" strings in params.mlp and integer ratios
`(p/q)` in the source (no float literals), so the language reads exactly the trained network.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

HIDDEN = 64


def _rat(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _lit(q: Fraction) -> str:
    return f"({q.numerator})" if q.denominator == 1 else f"({q.numerator}/{q.denominator})"


def exact(values: Any) -> list[Fraction]:
    """float32 values -> their exact rationals."""
    return [Fraction(*float(v).as_integer_ratio()) for v in np.asarray(values, dtype=np.float32).ravel()]


def mlp_params(w1: Any, b1: Any, w2: Any, b2: Any) -> dict[str, Any]:
    W1, B1, W2, B2 = exact(w1), exact(b1), exact(w2), exact(b2)
    if not (len(W1) == len(B1) == len(W2)) or len(B2) != 1:
        raise ValueError("a 1-H-1 MLP needs w1, b1, w2 of one length H and one b2")
    return {"hidden": len(W1), "dtype": "float32", "w1": [_rat(q) for q in W1], "b1": [_rat(q) for q in B1],
            "w2": [_rat(q) for q in W2], "b2": _rat(B2[0])}


def mlp_source(p: dict[str, Any]) -> str:
    """The source of f(x) = b2 + sum_i w2[i] max(w1[i] x + b1[i], 0), terms in order i = 0..H-1."""
    W1, B1, W2 = ([Fraction(v) for v in p[k]] for k in ("w1", "b1", "w2"))
    terms = [_lit(Fraction(p["b2"]))]
    terms += [f"{_lit(c)}*max({_lit(a)}*x + {_lit(b)}, 0)" for a, b, c in zip(W1, B1, W2)]
    return "def f(x):\n    return " + " + ".join(terms) + "\n"


def from_state_dict(sd: dict) -> dict[str, Any]:
    """FIND's state dict (layers.0.weight (H, 1), layers.0.bias (H), layers.2.weight (1, H), layers.2.bias (1))."""
    return mlp_params(sd["layers.0.weight"].reshape(-1).numpy(), sd["layers.0.bias"].numpy(),
                      sd["layers.2.weight"].reshape(-1).numpy(), sd["layers.2.bias"].numpy())


def train(src: str, domain: tuple[Fraction, Fraction], seed: int, steps: int = 3000, n: int = 2000) -> tuple[dict, float]:
    """Train a 1-64-1 ReLU MLP (float32, Adam, full batch) on F at n uniform points of the domain.
    Returns (params.mlp, largest |F - MLP| on a fresh float64 grid). Deterministic for a seed (one thread)."""
    import torch

    from pybridge.check.function.lang import parse_function
    from pybridge.families.function.suite import float_eval

    ir = parse_function(src)[1]
    a, b = float(domain[0]), float(domain[1])
    xs = np.linspace(a, b, n)
    ys = float_eval(ir, xs)
    ok = np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    ym, ysd = float(ys.mean()), float(ys.std()) or 1.0
    xm, xsd = (a + b) / 2, (b - a) / 2 or 1.0
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        g = torch.Generator().manual_seed(seed)
        l1, l2 = torch.nn.Linear(1, HIDDEN), torch.nn.Linear(HIDDEN, 1)
        with torch.no_grad():
            for t in (l1.weight, l1.bias, l2.weight, l2.bias):
                t.copy_(torch.randn(t.shape, generator=g) * (1.0 if t is l1.weight or t is l1.bias else 0.1))
        X = torch.tensor((xs - xm) / xsd, dtype=torch.float32)[:, None]
        Y = torch.tensor((ys - ym) / ysd, dtype=torch.float32)[:, None]
        opt = torch.optim.Adam(list(l1.parameters()) + list(l2.parameters()), lr=1e-2)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
        for _ in range(steps):
            opt.zero_grad()
            loss = ((l2(torch.relu(l1(X))) - Y) ** 2).mean()
            loss.backward()
            opt.step()
            sched.step()
        # fold the input/output normalisation into the weights (then round to float32: those are the model)
        w1 = (l1.weight.detach().double().reshape(-1) / xsd).float()
        b1 = (l1.bias.detach().double() - l1.weight.detach().double().reshape(-1) * xm / xsd).float()
        w2 = (l2.weight.detach().double().reshape(-1) * ysd).float()
        b2 = (l2.bias.detach().double() * ysd + ym).float()
    finally:
        torch.set_num_threads(threads)
    p = mlp_params(w1.numpy(), b1.numpy(), w2.numpy(), b2.numpy().reshape(1))
    grid = np.linspace(a, b, 4001)
    fv = float_eval(ir, grid)
    W1, B1, W2 = (np.array([float(Fraction(v)) for v in p[k]]) for k in ("w1", "b1", "w2"))
    mv = float(Fraction(p["b2"])) + np.maximum(np.outer(grid, W1) + B1, 0) @ W2
    err = float(np.nanmax(np.abs(fv - mv)))
    return p, err
