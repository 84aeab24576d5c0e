"""Bench (issue 13 follow-up): the bilinear checker bounds reading a model (exact conversion + embedding/head
folded into the layer) BEFORE doing it. For one-layer models with an embedding (d_in = d = H = n, one output),
a hand-written distance certificate (A against itself) is checked with `pybridge check --max-work W`:
W below the stated fold work -> refused in one line (exit 2), timed; with the default limits the check runs,
timed (only for sizes that finish in seconds), and `load_bilinear` alone (conversion + fold) is timed in-process. Writes bench/results/bilinear_fold_bound.json.

    python bench/bilinear_fold_bound.py [--sizes 64,128,256,600] [--run-up-to 128]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from pybridge.check.bilinear.model import fold_bound, shape_of
from pybridge.check.modelfile import canonical_sha256
from pybridge.families.bilinear.model import save_tensors

ROOT = Path(__file__).resolve().parents[1]


def make(folder: Path, n: int) -> tuple[Path, dict]:
    rng = np.random.default_rng(n)
    arrays = {"embed.W": rng.standard_normal((n, n)), "bilinear.0.W_L": rng.standard_normal((n, n)),
              "bilinear.0.W_R": rng.standard_normal((n, n)), "bilinear.0.W_D": rng.standard_normal((1, n))}
    arrays = {k: v.astype(np.float32) for k, v in arrays.items()}
    save_tensors(folder / "m.safetensors", {k: torch.from_numpy(v) for k, v in arrays.items()}, {})
    sha = canonical_sha256(arrays, tuple(sorted(arrays)))
    doc = {"format": "pybridge-certificate", "version": 1, "family": "bilinear", "strategy": "distance",
           "model_sha256": sha, "model": {"d_in": n, "d_hidden": n, "n_out": 1, "file": "m.safetensors",
                                          "model_b_file": "m.safetensors"},
           "params": {}, "claim": {"delta": "0/1"}, "hints": {"model_b_sha256": sha},
           "prover": {"name": "bench/bilinear_fold_bound.py"}}
    cert = folder / "c.json"
    cert.write_text(json.dumps(doc))
    return cert, arrays


def check(cert: Path, *extra: str) -> tuple[int, float, str]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "pybridge.cli", "check", str(cert), *extra], capture_output=True,
                       text=True, timeout=3600)
    return r.returncode, time.perf_counter() - t0, (r.stderr.strip() or r.stdout.strip()).splitlines()[-1][:200]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="64,128,256,600")
    ap.add_argument("--run-up-to", type=int, default=128, help="also run the full check for n up to this")
    ap.add_argument("--load-up-to", type=int, default=256,
                    help="time load_bilinear (exact conversion + fold, what the bound guards) in-process up to this n")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "bilinear_fold_bound.json"))
    args = ap.parse_args()
    rows = []
    for n in (int(v) for v in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as d:
            cert, arrays = make(Path(d), n)
            work, bits = fold_bound(arrays, shape_of(arrays), (False,))
            rc, secs, line = check(cert, "--max-work", str(work - 1))
            row = {"n": n, "fold_work": work, "fold_bits": bits, "refused_exit": rc, "refused_seconds": round(secs, 3),
                   "refused_message": line}
            if n <= args.load_up_to:
                from pybridge.check.bilinear.model import load_bilinear

                t0 = time.perf_counter()
                load_bilinear(Path(d) / "m.safetensors")
                row["load_seconds"] = round(time.perf_counter() - t0, 3)
            if n <= args.run_up_to:
                rc2, secs2, line2 = check(cert)
                row.update({"full_exit": rc2, "full_seconds": round(secs2, 3), "full_message": line2})
            rows.append(row)
            print(json.dumps(row), flush=True)
    Path(args.out).write_text(json.dumps({"command": "python bench/bilinear_fold_bound.py " + " ".join(sys.argv[1:]),
                                          "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
