"""Regenerate the shipped bilinear examples in certificates/ (issue 13):
a modular-addition model (P = 7, H = 16), a symmetry-transformed copy of it (hidden units permuted,
L_h / R_h rescaled by signed powers of two and D compensating, L and R swapped on odd units, D times 2),
the brute-force certificate of the first and the `equivalent` certificate (lambda = 2) of the pair.

    python bench/bilinear_shipped.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "certificates"
STEM = "bilinear-modadd-p7-h16-seed0"


def main() -> None:
    from pybridge.families.bilinear.model import load_tensors, save_tensors

    a = OUT / f"{STEM}.safetensors"
    b = OUT / f"{STEM}-sym.safetensors"
    run = [sys.executable, "-m", "pybridge.cli"]
    subprocess.run(run + ["train", "bilinear", "--p", "7", "--hidden", "16", "--steps", "2000", "--train-fraction", "0.6",
                          "--lr", "0.01", "--weight-decay", "1.0", "--seed", "0", "--out", str(a), "--quiet"], check=True)
    arrays, meta = load_tensors(a)
    L, R, D = (arrays[k].copy() for k in ("bilinear.0.W_L", "bilinear.0.W_R", "bilinear.0.W_D"))
    rng = np.random.default_rng(0)
    for h in range(L.shape[0]):
        ea, eb = int(rng.integers(-2, 3)), int(rng.integers(-2, 3))
        sa, sb = (-1.0) ** h, 1.0
        L[h] *= sa * 2.0 ** ea
        R[h] *= sb * 2.0 ** eb
        D[:, h] /= sa * sb * 2.0 ** (ea + eb)
        if h % 2:
            L[h], R[h] = R[h].copy(), L[h].copy()
    perm = rng.permutation(L.shape[0])
    t = {"bilinear.0.W_L": L[perm], "bilinear.0.W_R": R[perm], "bilinear.0.W_D": 2.0 * D[:, perm], "head.W": arrays["head.W"]}
    save_tensors(b, {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in t.items()},
                 {k: v for k, v in meta.items() if k != "pybridge_family"})
    subprocess.run(run + ["prove", str(a), "--strategy", "brute-force", "--out", str(OUT / f"{STEM}.brute-force.json")], check=True)
    subprocess.run(run + ["similarity", str(a), str(b), "--out", str(OUT / f"{STEM}.equivalent.json")], check=True)


if __name__ == "__main__":
    main()
