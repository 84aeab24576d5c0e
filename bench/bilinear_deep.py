"""Bench (issue 13 item 1): exact Gram recursion of bilinear models with several layers / residual blocks
vs the float64 recursion, and `pybridge similarity --matrix` on a small checkpoint run.

    python bench/bilinear_deep.py [--out bench/results/bilinear_deep.md]

Models: random float32 weights (seeded), modular-addition shapes (d_in = 2P, P outputs). Each row: the
exact per-output inner products <T_A,o, T_B,o> (pybridge/check/bilinear/deep.py, Python integers) and
the same recursion in float64 (families/bilinear/model.py float_gram); cosine from both.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # single thread, as the timing says
    os.environ.setdefault(_v, "1")

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch

from pybridge.check.bilinear.model import load_bilinear, pair_gram
from pybridge.families.bilinear.model import float_gram, folded_float, save_tensors


def net(rng, P: int, hidden: list[int], widths: list[int], residual: list[bool], head: bool) -> dict:
    t = {}
    for k, H in enumerate(hidden):
        t[f"bilinear.{k}.W_L"] = rng.standard_normal((H, widths[k])) / math.sqrt(widths[k])
        t[f"bilinear.{k}.W_R"] = rng.standard_normal((H, widths[k])) / math.sqrt(widths[k])
        t[f"bilinear.{k}.W_D"] = rng.standard_normal((widths[k + 1], H)) / math.sqrt(H)
    if head:
        t["head.W"] = rng.standard_normal((P, widths[-1])) / math.sqrt(widths[-1])
    return {k: torch.from_numpy(v.astype(np.float32)) for k, v in t.items()}


def cos_exact(I, g):
    (ab, gab), (aa, gaa), (bb, gbb) = I
    x, y, z = Fraction(sum(ab), 1 << gab), Fraction(sum(aa), 1 << gaa), Fraction(sum(bb), 1 << gbb)
    return float(x) / math.sqrt(float(y * z)) if y * z > 0 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("bench/results/bilinear_deep.md"))
    ap.add_argument("--p", type=int, default=113)
    a = ap.parse_args()
    torch.set_num_threads(1)
    P = a.p
    rng = np.random.default_rng(0)
    configs = [
        ("1 layer (paper's modadd shape)", [64], [2 * P, P], [False], True),
        ("2 layers", [64, 64], [2 * P, 64, P], [False, False], False),
        ("2 layers, 2nd residual", [64, 64], [2 * P, 64, 64], [False, True], True),
        ("2 layers, both residual", [64, 64], [2 * P, 2 * P, 2 * P], [True, True], True),
        ("3 layers", [32, 32, 32], [2 * P, 32, 32, P], [False, False, False], False),
    ]
    rows = []
    with tempfile.TemporaryDirectory() as td:
        for name, hidden, widths, residual, head in configs:
            meta = {"task": "none"}
            if any(residual):
                meta["residual"] = ",".join("1" if r else "0" for r in residual)
            ps = []
            for k in range(2):
                p = Path(td) / f"{k}.safetensors"
                save_tensors(p, net(rng, P, hidden, widths, residual, head), meta)
                ps.append(p)
            A, B = load_bilinear(ps[0]), load_bilinear(ps[1])
            t0 = time.perf_counter()
            I = (pair_gram(A, B), pair_gram(A, A), pair_gram(B, B))
            t_exact = time.perf_counter() - t0
            bits = max(abs(v).bit_length() for J, _ in I for v in J)
            arrs = []
            for p in ps:
                from pybridge.families.stio import read_safetensors

                t, _ = read_safetensors(p)
                arrs.append({k: v.double().numpy() for k, v in t.items()})
            fa, fb = (folded_float(x, residual) for x in arrs)
            t0 = time.perf_counter()
            reps = 20
            for _ in range(reps):
                ab, aa, bb = float_gram(fa, fb, 2 * P).sum(), float_gram(fa, fa, 2 * P).sum(), float_gram(fb, fb, 2 * P).sum()
            t_float = (time.perf_counter() - t0) / reps
            cf = ab / math.sqrt(aa * bb)
            ce = cos_exact(I, None)
            rows.append({"model": name, "layers": len(hidden), "residual": residual, "exact_s": round(t_exact, 3),
                         "float_ms": round(t_float * 1e3, 3), "ratio": round(t_exact / t_float), "bits": bits,
                         "cos_exact": ce, "cos_float64": cf, "abs_diff": abs(ce - cf)})
            print(rows[-1], flush=True)
        # similarity --matrix on a small checkpoint run
        ck = Path(td) / "ck"
        m = Path(td) / "m.safetensors"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pybridge.cli", "train", "bilinear", "--p", "23", "--hidden", "32", "--steps",
                        "1500", "--every", "100", "--checkpoints", str(ck), "--out", str(m), "--quiet"], check=True)
        t_train = time.perf_counter() - t0
        fig = a.out.with_name("bilinear_deep_matrix.png")
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "pybridge.cli", "similarity", "--matrix", str(ck), "--out", str(fig), "--json"],
                           check=True, capture_output=True, text=True)
        t_matrix = time.perf_counter() - t0
        out = json.loads(r.stdout)
    n = len(out["checkpoints"])
    md = [f"# Bilinear models with several layers and residual blocks: exact Gram recursion (P = {P})", "",
          "Command: `python bench/bilinear_deep.py`  (single thread; random float32 weights, seed 0; two models per row)", "",
          "| model | layers | residual | exact (3 recursions, Python ints) | float64 (same recursion) | exact/float | largest integer (bits) | cosine exact | abs(float64 - exact) |",
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r_ in rows:
        md.append(f"| {r_['model']} | {r_['layers']} | {','.join('1' if x else '0' for x in r_['residual'])} | {r_['exact_s']} s | "
                  f"{r_['float_ms']} ms | {r_['ratio']}x | {r_['bits']} | {r_['cos_exact']:.9f} | {r_['abs_diff']:.1e} |")
    md += ["", f"`pybridge similarity --matrix` on {n} checkpoints of `train bilinear --p 23 --hidden 32 --steps 1500 --every 100` "
           f"(training {t_train:.1f} s): {t_matrix:.2f} s for {n * (n - 1) // 2} exact pairs (CLI, including start-up); "
           f"figure `bench/results/{fig.name}`; min cosine {min(min(r) for r in out['cosine']):.4f}.", ""]
    a.out.write_text("\n".join(md))
    (a.out.with_suffix(".json")).write_text(json.dumps({"rows": rows, "matrix": out}, indent=1, sort_keys=True))
    print("\n".join(md))


if __name__ == "__main__":
    main()
