"""`pybridge train maxofk ...` (the anchor recipe: AdamW 1e-3, batch 128, 3000 steps)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pybridge.clikit import EXIT_OK, emit


def cmd_train(args: argparse.Namespace) -> int:
    from pybridge.families.maxofk.model import MaxOfKConfig
    from pybridge.families.maxofk.train import train_maxofk

    cfg = MaxOfKConfig(args.d_vocab, args.n_ctx, args.d_model, args.d_head)
    s = train_maxofk(
        cfg, seed=args.seed, steps=args.steps, batch_size=args.batch_size, lr=args.lr, out=args.out,
        quiet=args.quiet or args.json,
    )
    obj = {
        "model": str(s.path), "model_sha256": s.model_sha256, "seed": s.seed, "steps": s.steps,
        "final_loss": s.final_loss, "sampled_accuracy": s.sampled_accuracy, "exact_accuracy": s.exact_accuracy,
        "seconds": round(s.seconds, 3),
    }
    emit(args, obj, f"wrote {s.path} (seed {s.seed}, loss {s.final_loss:.4g}, sampled accuracy "
         f"{s.sampled_accuracy:.4f}, {s.seconds:.1f} s)")
    return EXIT_OK


def add_train_parser(tsub: argparse._SubParsersAction) -> None:
    tm = tsub.add_parser("maxofk", help="train a Max-of-k model (anchor recipe: AdamW 1e-3, batch 128, 3000 steps)")
    tm.add_argument("--seed", type=int, default=0)
    tm.add_argument("--out", type=Path, required=True)
    tm.add_argument("--d-vocab", type=int, default=64)
    tm.add_argument("--n-ctx", type=int, default=4)
    tm.add_argument("--d-model", type=int, default=32)
    tm.add_argument("--d-head", type=int, default=32)
    tm.add_argument("--steps", type=int, default=3000)
    tm.add_argument("--batch-size", type=int, default=128)
    tm.add_argument("--lr", type=float, default=1e-3)
    tm.add_argument("--quiet", action="store_true")
    tm.add_argument("--json", action="store_true")
    tm.set_defaults(func=cmd_train)
