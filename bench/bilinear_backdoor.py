"""Backdoor bench for the bilinear family (issue 13; the tensor-similarity paper's backdoor insertion run,
on scikit-learn's bundled 8x8 digits instead of the paper's image set: no data set can be downloaded here).

Protocol (the paper's step counts): 8000 clean AdamW steps (batch 128), then 2000 steps whose batches carry
10% images with a 2x2 bottom-right trigger relabelled 9; a checkpoint every 100 steps. Model:
x in R^64 -> Bilinear(H) -> 10 logits. For each metric we report the change inside the poisoned phase,
`1 - sim(step 8000, step 10000)`, beside the change over the preceding clean window of the same length,
`1 - sim(step 6000, step 8000)`:
  weight cosine (raw weights), tensor similarity (exact, Gram identity), its class-9 slice (output 9 only,
  exact), behavioural similarity (cosine of the logits on the clean class-9 test images).

    python bench/bilinear_backdoor.py --hidden 64 --work /tmp/bd --out bench/results/bilinear_backdoor
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

ANCHOR = {"weight cosine": 0.15, "tensor similarity": 0.24, "behavioural (clean class 9)": 0.09,
          "tensor similarity, class-9 slice": 0.43}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--clean-steps", type=int, default=8000)
    ap.add_argument("--poison-steps", type=int, default=2000)
    ap.add_argument("--every", type=int, default=100)
    ap.add_argument("--lr", type=float, default=0.001)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", type=Path, default=Path("/tmp/bilinear-backdoor"))
    ap.add_argument("--out", type=Path, default=Path("bench/results/bilinear_backdoor"))
    a = ap.parse_args()

    import torch

    from pybridge.check.bilinear.model import gram, load_bilinear
    from pybridge.families.bilinear.model import add_trigger, digits_data, load_tensors
    from pybridge.families.bilinear.similarity import Similarity

    ck = a.work / "ck"
    final = a.work / "final.safetensors"
    if not final.exists():
        subprocess.run([sys.executable, "-m", "pybridge.cli", "train", "bilinear", "--task", "digits-backdoor",
                        "--hidden", str(a.hidden), "--steps", str(a.clean_steps), "--poison-steps", str(a.poison_steps),
                        "--lr", str(a.lr), "--weight-decay", "0", "--seed", str(a.seed), "--checkpoints", str(ck),
                        "--every", str(a.every), "--out", str(final), "--quiet"], check=True)
    paths = sorted(ck.glob("step*.safetensors"))
    steps = [int(p.stem[4:]) for p in paths]
    arrays = [load_tensors(p)[0] for p in paths]
    exact = [load_bilinear(p) for p in paths]
    selfg = [gram(m, m) for m in exact]
    _, _, Xte, yte = digits_data(a.seed)
    X9 = Xte[yte == 9].numpy()
    Xn9 = Xte[yte != 9].numpy()

    def logits(t, X):
        return ((X @ t["bilinear.0.W_L"].T) * (X @ t["bilinear.0.W_R"].T)) @ t["bilinear.0.W_D"].T

    def cos(u, v):
        n = np.linalg.norm(u) * np.linalg.norm(v)
        return float(u.ravel() @ v.ravel() / n) if n > 0 else 0.0

    def metrics(i: int, j: int) -> dict:
        S = Similarity(exact[i], exact[j], gram(exact[i], exact[j]), selfg[i], selfg[j], 0.0)
        c9 = S.IAB[9] / math.sqrt(S.IAA[9] * S.IBB[9])
        wi = np.concatenate([arrays[i][k].ravel() for k in sorted(arrays[i])])
        wj = np.concatenate([arrays[j][k].ravel() for k in sorted(arrays[j])])
        return {"weight cosine": cos(wi, wj), "tensor similarity": S.cosine(),
                "behavioural (clean class 9)": cos(logits(arrays[i], X9), logits(arrays[j], X9)),
                "tensor similarity, class-9 slice": c9}

    idx = {s: k for k, s in enumerate(steps)}
    s0, s1 = a.clean_steps, a.clean_steps + a.poison_steps
    sb = max(0, s0 - a.poison_steps)
    inside = metrics(idx[s0], idx[s1])
    before = metrics(idx[sb], idx[s0])
    consecutive = [metrics(k - 1, k) for k in range(1, len(paths))]
    to_start = [metrics(idx[s0], k) for k in range(len(paths))]
    asr = []
    clean = []
    for t in arrays:
        asr.append(float((logits(t, add_trigger(torch.tensor(Xn9)).numpy()).argmax(1) == 9).mean()))
        clean.append(float((logits(t, Xte.numpy()).argmax(1) == yte.numpy()).mean()))
    res = {"steps": steps, "inside_change": {k: 1 - v for k, v in inside.items()},
           "clean_window_change": {k: 1 - v for k, v in before.items()}, "anchor_jump": ANCHOR,
           "consecutive": consecutive, "to_poison_start": to_start, "attack_success": asr, "clean_accuracy": clean}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.with_suffix(".json").write_text(json.dumps(res) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(18, 4.6))
    for k in ANCHOR:
        ax[0].plot(steps[1:], [1 - c[k] for c in consecutive], label=k)
        ax[1].plot(steps, [1 - c[k] for c in to_start], label=k)
    for x in (0, 1):
        ax[x].axvline(s0, color="k", ls=":")
        ax[x].set_xlabel("step")
        ax[x].legend(fontsize=8)
    ax[0].set_yscale("log")
    ax[0].set_title("1 - similarity of consecutive checkpoints")
    ax[1].set_title(f"1 - similarity to the step-{s0} checkpoint")
    ax[2].plot(steps, clean, label="clean test accuracy")
    ax[2].plot(steps, asr, label="attack success (triggered non-9 test images -> 9)")
    ax[2].axvline(s0, color="k", ls=":")
    ax[2].legend(fontsize=8)
    ax[2].set_xlabel("step")
    fig.suptitle(f"bilinear digits classifier, H={a.hidden}: backdoor inserted at step {s0}")
    fig.tight_layout()
    fig.savefig(a.out.with_suffix(".png"), dpi=80)

    md = [f"# Bilinear backdoor bench (8x8 digits, H = {a.hidden}, {s0} clean + {a.poison_steps} poisoned steps)", "",
          f"Command: `python bench/bilinear_backdoor.py --hidden {a.hidden} --clean-steps {a.clean_steps} "
          f"--poison-steps {a.poison_steps} --every {a.every} --lr {a.lr} --seed {a.seed}`", "",
          f"Final clean test accuracy {clean[-1]:.4f} (at step {s0}: {clean[idx[s0]]:.4f}); attack success "
          f"{asr[-1]:.4f} (at step {s0}: {asr[idx[s0]]:.4f}).", "",
          f"| metric | change inside the poisoned phase, 1 - sim({s0}, {s1}) | change over the clean window, "
          f"1 - sim({sb}, {s0}) | ratio | paper's jump (anchor) |", "| --- | --- | --- | --- | --- |"]
    for k in ANCHOR:
        i, b = res["inside_change"][k], res["clean_window_change"][k]
        md.append(f"| {k} | {i:.4f} | {b:.4f} | {i / b if b else float('inf'):.1f} | {ANCHOR[k]} |")
    md += ["", "Tensor similarity and its class-9 slice are exact (Gram identity on the dyadic weights); the "
           "paper's numbers come from its own image set and model, so only the ordering is comparable.", ""]
    a.out.with_suffix(".md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
