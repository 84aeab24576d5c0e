"""Regenerate the shipped two-layer residual bilinear example in certificates/ (issue 13 item 1):
layer 0 is the shipped trained modular-addition layer (P = 7, H = 16; its head folded into W_D, rounded to
float32), layer 1 a
residual block with small seeded random weights (7 -> 4 hidden units -> 7), metadata residual=0,1. A second
file is a symmetry-transformed copy (hidden units of both layers permuted, L_h / R_h rescaled by signed powers
of two with D compensating, L and R swapped on odd units). Certificates: brute force of the first (exact,
depth 2) and `equivalent` of the pair (T_B = T_A, so f_B = f_A on every input). Python checker only (Coq and
Lean model one non-residual layer).

    python bench/bilinear_shipped_deep.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "certificates"
STEM = "bilinear-modadd-p7-residual2"


def transformed(t: dict, rng) -> dict:
    t = {k: v.copy() for k, v in t.items()}
    for k in range(2):
        L, R, D = (t[f"bilinear.{k}.{n}"] for n in ("W_L", "W_R", "W_D"))
        for h in range(L.shape[0]):
            ea, eb = int(rng.integers(-2, 3)), int(rng.integers(-2, 3))
            sa = (-1.0) ** h
            L[h] *= sa * 2.0 ** ea
            R[h] *= 2.0 ** eb
            D[:, h] /= sa * 2.0 ** (ea + eb)
            if h % 2:
                L[h], R[h] = R[h].copy(), L[h].copy()
        perm = rng.permutation(L.shape[0])
        t[f"bilinear.{k}.W_L"], t[f"bilinear.{k}.W_R"], t[f"bilinear.{k}.W_D"] = L[perm], R[perm], D[:, perm]
    return t


def main() -> None:
    from pybridge.families.bilinear.model import load_tensors, save_tensors

    src, meta = load_tensors(OUT / "bilinear-modadd-p7-h16-seed0.safetensors")
    rng = np.random.default_rng(7)
    t = {"bilinear.0.W_L": src["bilinear.0.W_L"], "bilinear.0.W_R": src["bilinear.0.W_R"],
         "bilinear.0.W_D": (src["head.W"] @ src["bilinear.0.W_D"]).astype(np.float32).astype(np.float64),
         "bilinear.1.W_L": rng.standard_normal((4, 7)) * 0.25, "bilinear.1.W_R": rng.standard_normal((4, 7)) * 0.25,
         "bilinear.1.W_D": rng.standard_normal((7, 4)) * 0.25}
    t = {k: v.astype(np.float32) for k, v in t.items()}
    md = {"task": "modadd", "p": "7", "seed": "7", "residual": "0,1"}
    a, b = OUT / f"{STEM}.safetensors", OUT / f"{STEM}-sym.safetensors"
    save_tensors(a, {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in t.items()}, md)
    save_tensors(b, {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in transformed(t, rng).items()}, md)
    run = [sys.executable, "-m", "pybridge.cli"]
    subprocess.run(run + ["prove", str(a), "--strategy", "brute-force", "--out", str(OUT / f"{STEM}.brute-force.json")], check=True)
    subprocess.run(run + ["similarity", str(a), str(b), "--out", str(OUT / f"{STEM}.equivalent.json")], check=True)
    for c in (f"{STEM}.brute-force.json", f"{STEM}.equivalent.json"):
        subprocess.run(run + ["check", str(OUT / c)], check=True)


if __name__ == "__main__":
    main()
