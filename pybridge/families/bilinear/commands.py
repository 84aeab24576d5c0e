"""`pybridge train bilinear ...` and `pybridge similarity A B` (registered through Family hooks)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from pybridge.clikit import EXIT_OK, UsageError, emit


def cmd_train(args: argparse.Namespace) -> int:
    if not 2 <= args.p <= 1024 or not 1 <= args.hidden <= 4096 or args.steps < 0 or args.poison_steps < 0:
        raise UsageError("train bilinear: --p in 2..1024, --hidden in 1..4096, --steps/--poison-steps >= 0")
    if args.checkpoints is not None and args.every < 1:
        raise UsageError("--checkpoints needs --every K >= 1")
    if args.task == "digits-backdoor":
        from pybridge.families.bilinear.model import train_digits_backdoor

        s = train_digits_backdoor(args.hidden, args.seed, args.out, clean_steps=args.steps, poison_steps=args.poison_steps,
                                  lr=args.lr, weight_decay=args.weight_decay, checkpoints=args.checkpoints,
                                  every=args.every, quiet=args.quiet or args.json)
        emit(args, {"model": str(s.path), "seed": s.seed, "steps": s.steps, "final_loss": s.final_loss,
                    "train_accuracy": s.train_accuracy, "test_accuracy": s.accuracy, "seconds": round(s.seconds, 3),
                    "checkpoints": len(s.checkpoints)},
             f"wrote {s.path} (digits-backdoor, H={args.hidden}, seed {s.seed}, {s.steps} steps, clean test accuracy "
             f"{s.accuracy:.4f}, {s.seconds:.1f} s)")
        return EXIT_OK
    from pybridge.families.bilinear.model import train_modadd

    s = train_modadd(args.p, args.hidden, args.seed, args.out, steps=args.steps, train_fraction=args.train_fraction,
                     lr=args.lr, weight_decay=args.weight_decay, checkpoints=args.checkpoints, every=args.every,
                     quiet=args.quiet or args.json)
    obj = {"model": str(s.path), "seed": s.seed, "steps": s.steps, "final_loss": s.final_loss,
           "train_accuracy": s.train_accuracy, "accuracy": s.accuracy, "seconds": round(s.seconds, 3),
           "checkpoints": len(s.checkpoints)}
    emit(args, obj, f"wrote {s.path} (modadd P={args.p}, H={args.hidden}, seed {s.seed}, {s.steps} steps, "
         f"loss {s.final_loss:.4g}, accuracy {s.accuracy:.5f}, {s.seconds:.1f} s)")
    return EXIT_OK


def add_train_parser(tsub: argparse._SubParsersAction) -> None:
    t = tsub.add_parser("bilinear", help="train a bilinear model (modular addition, the tensor-similarity paper's recipe)")
    t.add_argument("--task", default="modadd", choices=["modadd", "digits-backdoor"])
    t.add_argument("--p", type=int, default=113)
    t.add_argument("--hidden", type=int, default=64)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--steps", type=int, default=3000, help="AdamW steps (modadd: full batch; digits-backdoor: clean steps)")
    t.add_argument("--poison-steps", type=int, default=200, help="digits-backdoor: steps with 10%% poisoned batches")
    t.add_argument("--train-fraction", type=float, default=0.3)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--weight-decay", type=float, default=0.3)
    t.add_argument("--checkpoints", type=Path, default=None, help="folder for step-K checkpoints")
    t.add_argument("--every", type=int, default=0)
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--quiet", action="store_true")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_train)


MAX_CHECKPOINTS = 512


def cmd_similarity_matrix(args: argparse.Namespace) -> int:
    """`similarity --matrix DIR --out fig.png [--json]`: the exact tensor-similarity heatmap of the checkpoints
    (*.safetensors in DIR, by name); each model's self-Gram once, then every pair."""
    from pybridge.check.bilinear.model import load_bilinear, pair_gram
    from pybridge.clikit import progress_factory
    from pybridge.families.bilinear.similarity import Similarity

    if args.a is not None or args.b is not None:
        raise UsageError("similarity: give either two models A B or --matrix CKPT_DIR, not both")
    if args.out is None or not str(args.out).lower().endswith(".png"):
        raise UsageError("similarity --matrix needs --out FIG.png")
    folder = Path(args.matrix)
    if not folder.is_dir():
        raise UsageError(f"similarity --matrix: {folder} is not a folder")
    files = sorted(p for p in folder.iterdir() if p.suffix == ".safetensors" and p.is_file())
    if not 2 <= len(files) <= MAX_CHECKPOINTS:
        raise UsageError(f"similarity --matrix: {folder} holds {len(files)} .safetensors files (need 2..{MAX_CHECKPOINTS})")
    n = len(files)
    make = progress_factory(not args.json)
    bar = make("exact tensor similarity", n + n * (n - 1) // 2) if make else None
    t0 = time.perf_counter()
    models = [load_bilinear(p) for p in files]
    selfs = []
    for M in models:
        selfs.append(pair_gram(M, M))
        if bar:
            bar(1)
    cos = [[1.0 if sum(selfs[i][0]) > 0 else 0.0 for _ in range(n)] for i in range(n)]
    lo_hi: dict[str, list[str]] = {}
    from pybridge.check.bilinear.certificate import fmt

    for i in range(n):
        for j in range(i + 1, n):
            (I, g) = pair_gram(models[i], models[j])
            S = Similarity(models[i], models[j], I, selfs[i][0], selfs[j][0], 0.0, g, selfs[i][1], selfs[j][1])
            cos[i][j] = cos[j][i] = S.cosine()
            lo, hi = S.cosine_bracket()
            lo_hi[f"{i},{j}"] = [fmt(lo), fmt(hi)]
            if bar:
                bar(1)
    for i in range(n):
        if sum(selfs[i][0]) == 0:
            cos[i][i] = 0.0
    seconds = time.perf_counter() - t0
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5))
    M = np.array(cos)
    im = ax.imshow(M, vmin=min(0.0, float(M.min())), vmax=1.0, cmap="viridis")
    names = [p.stem for p in files]
    step = max(1, n // 10)
    ax.set_xticks(range(0, n, step), [names[k] for k in range(0, n, step)], rotation=90, fontsize=7)
    ax.set_yticks(range(0, n, step), [names[k] for k in range(0, n, step)], fontsize=7)
    ax.set_title(f"exact tensor similarity ({n} checkpoints)")
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    out = Path(args.out)
    fig.savefig(out, dpi=80)
    plt.close(fig)
    emit(args, {"checkpoints": [p.name for p in files], "cosine": cos, "cosine_bracket": lo_hi, "figure": str(out),
                "seconds_exact": round(seconds, 4)},
         f"wrote {out} ({n} checkpoints, {n * (n - 1) // 2} exact pairs, {seconds:.2f} s); min cosine {float(M.min()):.6f}")
    return EXIT_OK


def cmd_similarity(args: argparse.Namespace) -> int:
    if args.matrix is not None:
        return cmd_similarity_matrix(args)
    if args.a is None or args.b is None:
        raise UsageError("similarity needs two models A B (or --matrix CKPT_DIR --out FIG.png)")
    from pybridge.certio import write_json_atomic
    from pybridge.check.bilinear.certificate import fmt
    from pybridge.check.bilinear.model import depth
    from pybridge.families.bilinear.similarity import exact_similarity, two_model_certificate

    S = exact_similarity(Path(args.a), Path(args.b))
    lo, hi = S.cosine_bracket()
    fro = S.frobenius_sq()
    obj = {"cosine": S.cosine(), "cosine_bracket": [fmt(lo), fmt(hi)], "exactly_proportional": S.proportional(),
           "inner_ab": fmt(S.inner()), "frobenius_sq": fmt(sum(fro, start=type(fro[0])(0))),
           "per_output_cosine": S.per_output_cosine(), "per_output_frobenius_sq": [float(f) for f in fro],
           "seconds_exact": round(S.seconds, 4), "layers": depth(S.A)}
    if S.proportional():
        obj["lambda"] = fmt(S.lam())
    written = []
    if args.out is not None:
        out = Path(args.out)
        folder = out.resolve().parent
        if Path(args.b).resolve().parent != folder:
            raise UsageError("similarity --out: the second model must sit in the certificate's folder "
                             "(certificates name it by its plain file name)")
        kinds = ["equivalent"] if S.proportional() else ["similarity", "distance"] if S.ab >= 0 else ["distance"]
        for k in kinds:
            path = out if k == kinds[0] else out.with_name(out.name.removesuffix(".json") + f".{k}.json")
            res = two_model_certificate(k, S, Path(args.b).name)
            if Path(args.a).resolve().parent == folder:
                res.certificate["model"]["file"] = Path(args.a).name
            else:  # the checker then needs --model A
                res.certificate["model"].pop("file")
            write_json_atomic(res.certificate, path)
            written.append(str(path))
        obj["certificates"] = written
    text = (f"cosine {obj['cosine']:.9f} in [{float(lo):.9f}, {float(hi):.9f}]"
            + (f"; exactly proportional, lambda = {obj['lambda']}" if S.proportional() else "")
            + f"; squared Frobenius distance {float(sum(fro)):.6g}; per-output cosine min "
            + f"{min(obj['per_output_cosine']):.6f} max {max(obj['per_output_cosine']):.6f}; {S.seconds:.3f} s exact"
            + (f"; wrote {', '.join(written)}" if written else ""))
    emit(args, obj, text)
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("similarity", help="exact tensor similarity of two bilinear models (cosine, distance, per class)")
    s.add_argument("a", nargs="?")
    s.add_argument("b", nargs="?")
    s.add_argument("--out", help="write the strongest certificate that holds (equivalent, else similarity + distance); "
                                 "with --matrix: the heatmap PNG")
    s.add_argument("--matrix", metavar="CKPT_DIR", help="heatmap of exact tensor similarity between the checkpoints "
                                                        "(*.safetensors) in CKPT_DIR; --json prints the matrix")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_similarity)
