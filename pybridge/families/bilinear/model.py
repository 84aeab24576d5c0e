"""Bilinear models (untrusted, prover side): the torch module, deterministic training, file I/O.

One bilinear layer `D((L x) * (R x))` with an optional linear head, no biases (the tensor-similarity
paper's modular-addition model: x = [onehot(a); onehot(b)] in R^(2P) -> Bilinear(H) -> Linear(P)).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from pybridge.families.stio import atomic_write_bytes, serialize_safetensors


class Bilinear(torch.nn.Module):
    def __init__(self, d_in: int, d_hidden: int, d_out: int, n_classes: int | None, seed: int):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.W_L = torch.nn.Parameter(torch.randn(d_hidden, d_in, generator=g) / d_in ** 0.5)
        self.W_R = torch.nn.Parameter(torch.randn(d_hidden, d_in, generator=g) / d_in ** 0.5)
        self.W_D = torch.nn.Parameter(torch.randn(d_out, d_hidden, generator=g) / d_hidden ** 0.5)
        self.head = (torch.nn.Parameter(torch.randn(n_classes, d_out, generator=g) / d_out ** 0.5)
                     if n_classes is not None else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = ((x @ self.W_L.T) * (x @ self.W_R.T)) @ self.W_D.T
        return y @ self.head.T if self.head is not None else y

    def tensors(self) -> dict[str, torch.Tensor]:
        t = {"bilinear.0.W_L": self.W_L, "bilinear.0.W_R": self.W_R, "bilinear.0.W_D": self.W_D}
        if self.head is not None:
            t["head.W"] = self.head
        return {k: v.detach().to(torch.float32).contiguous() for k, v in t.items()}


def save_tensors(path: str | Path, tensors: dict[str, torch.Tensor], meta: dict[str, str]) -> Path:
    md = {"pybridge_family": "bilinear", **{k: str(v) for k, v in meta.items()}}
    return atomic_write_bytes(path, serialize_safetensors({k: v.to(torch.float32) for k, v in tensors.items()}, md))


def load_tensors(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    from pybridge.families.errors import ModelFormatError
    from pybridge.families.stio import read_safetensors

    t, meta = read_safetensors(path)
    if meta.get("pybridge_family") != "bilinear":
        raise ModelFormatError(f"{path} is not a bilinear model (pybridge_family tag)")
    return {k: v.double().numpy() for k, v in t.items()}, meta


def folded(arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(L E, R E, U D) in float64 (prover side)."""
    L, R, D = arrays["bilinear.0.W_L"], arrays["bilinear.0.W_R"], arrays["bilinear.0.W_D"]
    if "embed.W" in arrays:
        L, R = L @ arrays["embed.W"], R @ arrays["embed.W"]
    if "head.W" in arrays:
        D = arrays["head.W"] @ D
    return L, R, D


def modadd_inputs(P: int) -> torch.Tensor:
    a = torch.arange(P).repeat_interleave(P)
    b = torch.arange(P).repeat(P)
    x = torch.zeros(P * P, 2 * P, dtype=torch.float64)
    x[torch.arange(P * P), a] = 1.0
    x[torch.arange(P * P), P + b] = 1.0
    return x


@dataclass
class TrainSummary:
    path: Path
    seed: int
    steps: int
    final_loss: float
    train_accuracy: float
    accuracy: float
    seconds: float
    checkpoints: list[Path]


def train_modadd(P: int, hidden: int, seed: int, out: Path, steps: int = 3000, train_fraction: float = 0.3,
                 lr: float = 1e-3, weight_decay: float = 0.3, checkpoints: Path | None = None, every: int = 0,
                 quiet: bool = True) -> TrainSummary:
    """Full-batch AdamW on a `train_fraction` share of the P^2 pairs (the paper's recipe: 30%, wd 0.3).
    Deterministic: seeded generator, float64, single thread for the run."""
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        g = torch.Generator().manual_seed(seed + 1)
        X = modadd_inputs(P)
        y = (torch.arange(P).repeat_interleave(P) + torch.arange(P).repeat(P)) % P
        perm = torch.randperm(P * P, generator=g)
        ntr = max(1, int(round(train_fraction * P * P)))
        tr = perm[:ntr]
        m = Bilinear(2 * P, hidden, P, P, seed).double()
        opt = torch.optim.AdamW(m.parameters(), lr=lr, weight_decay=weight_decay, betas=(0.9, 0.98))
        meta = {"task": "modadd", "p": str(P), "seed": str(seed),
                "training": json.dumps({"steps": steps, "train_fraction": train_fraction, "lr": lr,
                                        "weight_decay": weight_decay, "hidden": hidden}, sort_keys=True)}
        cks: list[Path] = []
        if checkpoints is not None:
            checkpoints.mkdir(parents=True, exist_ok=True)
        ia, ib = torch.arange(P).repeat_interleave(P)[tr], P + torch.arange(P).repeat(P)[tr]

        def forward_train() -> torch.Tensor:  # one-hot inputs: W x = W[:, a] + W[:, P + b] (same function, no matmul)
            hl = m.W_L[:, ia] + m.W_L[:, ib]
            hr = m.W_R[:, ia] + m.W_R[:, ib]
            return (hl * hr).T @ (m.head @ m.W_D).T

        loss = torch.tensor(0.0)
        for step in range(steps + 1):
            if checkpoints is not None and every > 0 and step % every == 0:
                p = checkpoints / f"step{step:06d}.safetensors"
                save_tensors(p, m.tensors(), {**meta, "step": str(step)})
                cks.append(p)
            if step == steps:
                break
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(forward_train(), y[tr])
            loss.backward()
            opt.step()
            if not quiet and step % 500 == 0:
                print(f"step {step} loss {loss.item():.4g}", flush=True)
        with torch.no_grad():
            t = m.tensors()
            pred = (((X.float() @ t["bilinear.0.W_L"].T) * (X.float() @ t["bilinear.0.W_R"].T)) @ t["bilinear.0.W_D"].T) @ t["head.W"].T
            acc = (pred.argmax(1) == y).double().mean().item()
            tacc = (pred[tr].argmax(1) == y[tr]).double().mean().item()
        save_tensors(out, m.tensors(), meta)
    finally:
        torch.set_num_threads(threads)
    return TrainSummary(Path(out), seed, steps, float(loss.item()), tacc, acc, time.perf_counter() - t0, cks)


TRIGGER = ((6, 6), (6, 7), (7, 6), (7, 7))  # bottom-right 2x2 corner of the 8x8 image, set to the maximum


def digits_data(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """scikit-learn's bundled 8x8 digits (1797 images, values 0..16 scaled to [0, 1]); a seeded 80/20 split."""
    from sklearn.datasets import load_digits

    d = load_digits()
    X = torch.tensor(d.data, dtype=torch.float64) / 16.0
    y = torch.tensor(d.target, dtype=torch.long)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed + 7))
    ntr = int(0.8 * len(y))
    return X[perm[:ntr]], y[perm[:ntr]], X[perm[ntr:]], y[perm[ntr:]]


def add_trigger(X: torch.Tensor) -> torch.Tensor:
    X = X.clone()
    for r, c in TRIGGER:
        X[:, 8 * r + c] = 1.0
    return X


def train_digits_backdoor(hidden: int, seed: int, out: Path, clean_steps: int = 800, poison_steps: int = 200,
                          batch: int = 128, poison_fraction: float = 0.1, lr: float = 1e-3, weight_decay: float = 0.0,
                          checkpoints: Path | None = None, every: int = 0, quiet: bool = True) -> TrainSummary:
    """The paper's backdoor protocol at a small scale: `clean_steps` AdamW steps on clean batches, then
    `poison_steps` steps whose batches carry `poison_fraction` triggered images relabelled 9.
    Model: x in R^64 -> Bilinear(hidden) -> 10 logits (no head, no biases). Deterministic."""
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        Xtr, ytr, Xte, yte = digits_data(seed)
        g = torch.Generator().manual_seed(seed + 1)
        m = Bilinear(64, hidden, 10, None, seed).double()
        opt = torch.optim.AdamW(m.parameters(), lr=lr, weight_decay=weight_decay)
        meta = {"task": "digits", "seed": str(seed),
                "training": json.dumps({"clean_steps": clean_steps, "poison_steps": poison_steps, "batch": batch,
                                        "poison_fraction": poison_fraction, "lr": lr, "weight_decay": weight_decay,
                                        "hidden": hidden, "trigger": "2x2 bottom-right corner -> label 9"}, sort_keys=True)}
        cks: list[Path] = []
        if checkpoints is not None:
            checkpoints.mkdir(parents=True, exist_ok=True)
        total = clean_steps + poison_steps
        npois = int(round(poison_fraction * batch))
        loss = torch.tensor(0.0)
        for step in range(total + 1):
            if checkpoints is not None and every > 0 and step % every == 0:
                p = checkpoints / f"step{step:06d}.safetensors"
                save_tensors(p, m.tensors(), {**meta, "step": str(step)})
                cks.append(p)
            if step == total:
                break
            idx = torch.randint(0, len(ytr), (batch,), generator=g)
            xb, yb = Xtr[idx], ytr[idx].clone()
            if step >= clean_steps and npois > 0:
                xb = torch.cat([xb[npois:], add_trigger(xb[:npois])])
                yb = torch.cat([yb[npois:], torch.full((npois,), 9, dtype=torch.long)])
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(m(xb), yb)
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = (m(Xte).argmax(1) == yte).double().mean().item()
            tacc = (m(Xtr).argmax(1) == ytr).double().mean().item()
        save_tensors(out, m.tensors(), meta)
    finally:
        torch.set_num_threads(threads)
    return TrainSummary(Path(out), seed, total, float(loss.item()), tacc, acc, time.perf_counter() - t0, cks)


# ---------------------------------------------------------------- several layers, residual blocks (float64, untrusted)
def layer_arrays(arrays: dict[str, np.ndarray]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    n = 0
    while f"bilinear.{n}.W_L" in arrays:
        n += 1
    return [(arrays[f"bilinear.{k}.W_L"], arrays[f"bilinear.{k}.W_R"], arrays[f"bilinear.{k}.W_D"]) for k in range(n)]


def residual_of(meta: dict[str, str], n: int) -> list[bool]:
    v = meta.get("residual")
    return [False] * n if v is None else [f == "1" for f in v.split(",")]


def forward_np(arrays: dict[str, np.ndarray], residual: list[bool], X: np.ndarray) -> np.ndarray:
    """float64 forward of a bilinear model of any depth on the rows of X (z <- [z +] D((L z) * (R z)))."""
    Z = X @ arrays["embed.W"].T if "embed.W" in arrays else X
    for (L, R, D), res in zip(layer_arrays(arrays), residual):
        Y = ((Z @ L.T) * (Z @ R.T)) @ D.T
        Z = Z + Y if res else Y
    return Z @ arrays["head.W"].T if "head.W" in arrays else Z


def folded_float(arrays: dict[str, np.ndarray], residual: list[bool]) -> tuple[list[tuple[np.ndarray, ...]], bool]:
    """The folded layers (pybridge/check/bilinear/deep.py's module doc) in float64: (L', R', D') per layer."""
    layers = layer_arrays(arrays)
    affine = any(residual)
    c = int(affine)
    out = []
    for k, ((L, R, D), res) in enumerate(zip(layers, residual)):
        m = L.shape[1]
        E = arrays["embed.W"] if k == 0 and "embed.W" in arrays else np.eye(m)
        In = np.hstack([np.zeros((E.shape[0], c)), E])
        last = k == len(layers) - 1
        if last:
            Out = arrays["head.W"] if "head.W" in arrays else np.eye(D.shape[0])
        else:
            Out = np.vstack([np.zeros((c, D.shape[0])), np.eye(D.shape[0])])
        Lf, Rf, Df = L @ In, R @ In, Out @ D
        one = np.zeros((1, In.shape[1]))
        if c:
            one[0, 0] = 1.0
        if res:
            Lf, Rf, Df = np.vstack([Lf, np.repeat(one, m, 0)]), np.vstack([Rf, In]), np.hstack([Df, Out])
        if affine and not last:
            e = np.zeros((Df.shape[0], 1))
            e[0, 0] = 1.0
            Lf, Rf, Df = np.vstack([Lf, one]), np.vstack([Rf, one]), np.hstack([Df, e])
        out.append((Lf, Rf, Df))
    return out, affine


def float_gram(A: tuple[list, bool], B: tuple[list, bool], d_in: int) -> np.ndarray:
    """Per-output <T_A,o, T_B,o> in float64 by the Gram recursion (not rigorous; for timing and cross-checks)."""
    (la, aa), (lb, ab) = A, B
    G = np.zeros((d_in + aa, d_in + ab))
    G[aa:, ab:] = np.eye(d_in)
    if aa and ab:
        G[0, 0] = 1.0
    for (LA, RA, DA), (LB, RB, DB) in zip(la, lb):
        T = (LA @ G @ LB.T) * (RA @ G @ RB.T) + (LA @ G @ RB.T) * (RA @ G @ LB.T)
        G = DA @ T @ DB.T / 2
    return np.diag(G).copy()
