"""Regenerate the shipped `low-rank` example (issue 13 item 4): the ideal Fourier circuit for modular
addition with P = 13 and frequencies 1 and 5 as a bilinear model (12 hidden units, float32 weights;
pybridge.families.bilinear.fourier.ideal_circuit), and its certificate from the 5-dimensional Fourier
interpretation alone (mode=cheap: no exact fallback comparison).

    python bench/bilinear_fourier_shipped.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "certificates"
STEM = "bilinear-fourier-circuit-p13"


def main() -> None:
    from pybridge.families.bilinear.fourier import ideal_circuit
    from pybridge.families.bilinear.model import save_tensors

    m = OUT / f"{STEM}.safetensors"
    c = OUT / f"{STEM}.low-rank.json"
    arrays = ideal_circuit(13, [1, 5])
    save_tensors(m, {k: torch.from_numpy(v) for k, v in arrays.items()}, {"task": "modadd", "p": "13"})
    run = [sys.executable, "-m", "pybridge.cli"]
    subprocess.run(run + ["prove", str(m), "--strategy", "low-rank", "--param", "basis=fourier", "--param", "freqs=2",
                          "--param", "mode=cheap", "--out", str(c)], check=True)
    doc = json.loads(c.read_text())
    doc["model"]["file"] = m.name
    c.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    subprocess.run(run + ["check", str(c)], check=True)
    print(json.dumps({"certificate": c.name, "model": m.name, "family": "bilinear", "strategy": "low-rank",
                      "correct_at_least": doc["claim"]["correct_at_least"], "total": doc["claim"]["total"],
                      "coq": False}))


if __name__ == "__main__":
    main()
