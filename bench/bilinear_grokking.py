"""Grokking bench for the bilinear family (issue 13; the tensor-similarity paper's modular-addition run).

Trains (or reuses) a modular-addition bilinear model with checkpoints, then compares checkpoints with
four metrics: exact tensor similarity (cosine of the symmetric tensors from the Gram identity, exact
integers; the float reported is the midpoint of a 2^-32 bracket), logit cosine (flattened logits on
all P^2 inputs), linear CKA on the logits, and naive weight cosine. Writes heatmaps, the accuracy curve
and the exact-vs-float timing of one similarity at this size.

    python bench/bilinear_grokking.py --p 113 --hidden 64 --steps 12000 --every 120 --stride 6 \
        --work /tmp/grok --out bench/results/bilinear_grokking
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def logits_all(arrays: dict, P: int) -> np.ndarray:
    from pybridge.families.bilinear.model import folded

    L, R, D = folded(arrays)
    a = np.repeat(np.arange(P), P)
    b = np.tile(np.arange(P), P) + P
    h = (L[:, a] + L[:, b]) * (R[:, a] + R[:, b])
    return (D @ h).T  # P^2 x P


def cka(X: np.ndarray, Y: np.ndarray) -> float:
    X = X - X.mean(0)
    Y = Y - Y.mean(0)
    num = np.linalg.norm(X.T @ Y) ** 2
    den = np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y)
    return float(num / den) if den > 0 else 0.0


def cos(u: np.ndarray, v: np.ndarray) -> float:
    n = np.linalg.norm(u) * np.linalg.norm(v)
    return float(u @ v / n) if n > 0 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--p", type=int, default=113)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--steps", type=int, default=12000)
    ap.add_argument("--every", type=int, default=120)
    ap.add_argument("--lr", type=float, default=0.003)
    ap.add_argument("--weight-decay", type=float, default=0.3)
    ap.add_argument("--stride", type=int, default=6, help="use every stride-th checkpoint for the exact matrix")
    ap.add_argument("--float-stride", type=int, default=2, help="use every k-th checkpoint for the float matrices")
    ap.add_argument("--work", type=Path, default=Path("/tmp/bilinear-grok"))
    ap.add_argument("--out", type=Path, default=Path("bench/results/bilinear_grokking"))
    a = ap.parse_args()

    from pybridge.check.bilinear.model import gram, load_bilinear
    from pybridge.families.bilinear.model import folded, load_tensors
    from pybridge.families.bilinear.similarity import Similarity, float_cosine

    ck = a.work / "ck"
    if not (a.work / "final.safetensors").exists():
        subprocess.run([sys.executable, "-m", "pybridge.cli", "train", "bilinear", "--p", str(a.p), "--hidden", str(a.hidden),
                        "--steps", str(a.steps), "--lr", str(a.lr), "--weight-decay", str(a.weight_decay), "--seed", "0",
                        "--checkpoints", str(ck), "--every", str(a.every), "--out", str(a.work / "final.safetensors"),
                        "--quiet"], check=True)
    paths = sorted(ck.glob("step*.safetensors"))
    paths = paths[::a.float_stride] if paths[::a.float_stride][-1] == paths[-1] else paths[::a.float_stride] + [paths[-1]]
    steps = [int(p.stem[4:]) for p in paths]
    P = a.p
    y = (np.repeat(np.arange(P), P) + np.tile(np.arange(P), P)) % P
    arrays = [load_tensors(p)[0] for p in paths]
    logits = [logits_all(t, P) for t in arrays]
    acc = [float((lg.argmax(1) == y).mean()) for lg in logits]
    wvec = [np.concatenate([t[k].ravel() for k in sorted(t)]) for t in arrays]
    n = len(paths)
    F = np.eye(n)
    LC = np.eye(n)
    CK = np.eye(n)
    WC = np.eye(n)
    fl = [folded(t) for t in arrays]
    cen = [lg - lg.mean(0) for lg in logits]
    selfn = [np.linalg.norm(c.T @ c) for c in cen]
    t0 = time.perf_counter()
    for i in range(n):
        for j in range(i + 1, n):
            F[i, j] = F[j, i] = float_cosine(*fl[i], *fl[j])
            LC[i, j] = LC[j, i] = cos(logits[i].ravel(), logits[j].ravel())
            den = selfn[i] * selfn[j]
            CK[i, j] = CK[j, i] = float(np.linalg.norm(cen[i].T @ cen[j]) ** 2 / den) if den > 0 else 0.0
            WC[i, j] = WC[j, i] = cos(wvec[i], wvec[j])
    t_float_all = time.perf_counter() - t0
    # exact tensor similarity on every stride-th checkpoint (the checker's integers)
    sub = list(range(0, n, a.stride))
    if sub[-1] != n - 1:
        sub.append(n - 1)
    ex = [load_bilinear(paths[i]) for i in sub]
    t0 = time.perf_counter()
    selfg = [gram(m, m) for m in ex]
    E = np.eye(len(sub))
    maxdiff = 0.0
    for u in range(len(sub)):
        for v in range(u + 1, len(sub)):
            S = Similarity(ex[u], ex[v], gram(ex[u], ex[v]), selfg[u], selfg[v], 0.0)
            E[u, v] = E[v, u] = S.cosine()
            lo, hi = S.cosine_bracket()
            maxdiff = max(maxdiff, abs(F[sub[u], sub[v]] - E[u, v]))
            assert lo <= hi
    t_exact_matrix = time.perf_counter() - t0
    # timing of one similarity (final vs first checkpoint) at this size: exact integers vs float64
    A, B = load_bilinear(paths[-1]), load_bilinear(paths[0])
    t0 = time.perf_counter()
    S = Similarity(A, B, gram(A, B), gram(A, A), gram(B, B), 0.0)
    t_exact_one = time.perf_counter() - t0
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        fc = float_cosine(*fl[-1], *fl[0])
    t_float_one = (time.perf_counter() - t0) / reps

    a.out.parent.mkdir(parents=True, exist_ok=True)
    res = {"p": P, "hidden": a.hidden, "steps": steps, "accuracy": acc, "exact_indices": sub,
           "tensor_similarity_exact": E.tolist(), "tensor_similarity_float": F.tolist(), "logit_cosine": LC.tolist(),
           "logit_cka": CK.tolist(), "weight_cosine": WC.tolist(),
           "max_abs_float_minus_exact": maxdiff, "seconds_exact_one": t_exact_one, "seconds_float_one": t_float_one,
           "seconds_exact_matrix": t_exact_matrix, "exact_pairs": len(sub) * (len(sub) - 1) // 2,
           "seconds_float_all_metrics": t_float_all, "final_vs_first_cosine_exact": S.cosine(),
           "final_vs_first_cosine_float": fc, "final_vs_first_bracket": [str(x) for x in S.cosine_bracket()]}
    a.out.with_suffix(".json").write_text(json.dumps(res) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 5, figsize=(24, 4.6))
    ext = [steps[0], steps[-1], steps[-1], steps[0]]
    for k, (M, title) in enumerate(((E, "tensor similarity (exact)"), (LC, "logit cosine"), (CK, "linear CKA (logits)"),
                                    (WC, "weight cosine"))):
        im = ax[k].imshow(M, extent=ext, vmin=min(0.0, float(M.min())), vmax=1.0, cmap="viridis")
        ax[k].set_title(title)
        ax[k].set_xlabel("step")
        fig.colorbar(im, ax=ax[k], fraction=0.046)
    ax[4].plot(steps, acc, label="accuracy (all P^2 pairs)")
    ax[4].plot(steps, [F[i, -1] for i in range(n)], label="tensor sim. to final")
    ax[4].plot(steps, [LC[i, -1] for i in range(n)], label="logit cos. to final")
    ax[4].set_xlabel("step")
    ax[4].legend(fontsize=8)
    fig.suptitle(f"bilinear modular addition P={P}, H={a.hidden}: checkpoint-by-checkpoint similarity")
    fig.tight_layout()
    fig.savefig(a.out.with_suffix(".png"), dpi=80)

    md = [f"# Bilinear grokking bench (P = {P}, H = {a.hidden}, {len(steps)} checkpoints, steps 0..{steps[-1]})", "",
          f"Command: `python bench/bilinear_grokking.py --p {P} --hidden {a.hidden} --steps {a.steps} --every {a.every} "
          f"--lr {a.lr} --weight-decay {a.weight_decay} --stride {a.stride} --float-stride {a.float_stride}`", "",
          f"Float matrices (tensor cosine in float64, logit cosine, linear CKA, weight cosine) over {n} checkpoints; "
          f"exact tensor similarity over {len(sub)} of them.", "",
          "| quantity | value |", "| --- | --- |",
          f"| final accuracy (all P^2 pairs, float) | {acc[-1]:.4f} |",
          f"| one exact tensor similarity (3 Gram sums, Python ints) | {t_exact_one:.3f} s |",
          f"| one float64 tensor similarity (same formula) | {t_float_one * 1e3:.3f} ms |",
          f"| exact / float time | {t_exact_one / t_float_one:.0f}x |",
          f"| exact matrix: {res['exact_pairs']} pairs ({len(sub)} checkpoints) | {t_exact_matrix:.1f} s |",
          f"| max abs(float64 - exact) cosine over those pairs | {maxdiff:.2e} |",
          f"| final vs first: exact bracket | [{S.cosine_bracket()[0]}, {S.cosine_bracket()[1]}] |", "",
          "Accuracy by checkpoint (every 10th): " + ", ".join(f"{steps[i]}: {acc[i]:.3f}" for i in range(0, n, 10)), ""]
    a.out.with_suffix(".md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
