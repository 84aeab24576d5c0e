"""`pybridge train groupop ...` (the anchor recipe: Adam 0.01, L2 2e-4, 40% of pairs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pybridge.clikit import EXIT_OK, UsageError, emit


def cmd_train_groupop(args: argparse.Namespace) -> int:
    from pybridge.families.groupop.model import GroupOpConfig
    from pybridge.families.groupop.train import train_groupop

    epochs = args.epochs
    if epochs is not None and epochs < 1:
        raise UsageError("--epochs must be at least 1")
    if not 0.0 < args.train_fraction < 1.0:
        raise UsageError("--train-fraction must be strictly between 0 and 1")
    s = train_groupop(GroupOpConfig(args.group, args.d_embed, args.d_hidden), seed=args.seed, epochs=epochs,
                      out=args.out, quiet=args.quiet or args.json, train_fraction=args.train_fraction)
    obj = {"model": str(s.path), "model_sha256": s.model_sha256, "group": s.group, "seed": s.seed, "epochs": s.epochs,
           "final_loss": s.final_loss, "train_accuracy": s.train_accuracy, "test_accuracy": s.test_accuracy,
           "accuracy": s.accuracy, "seconds": round(s.seconds, 3)}
    emit(args, obj, f"wrote {s.path} ({s.group}, seed {s.seed}, {s.epochs} epochs, loss {s.final_loss:.4g}, "
         f"test accuracy {s.test_accuracy:.5f}, {s.seconds:.1f} s)")
    return EXIT_OK


def add_train_parser(tsub: argparse._SubParsersAction) -> None:
    tg = tsub.add_parser("groupop", help="train a group-operation MLP (anchor recipe: Adam 0.01, L2 2e-4, 40%% of pairs)")
    tg.add_argument("--group", default="S5", help="S<n>, A<n> (n <= 6), C<n> (n <= 128), D<n> (3 <= n <= 64)")
    tg.add_argument("--seed", type=int, default=0)
    tg.add_argument("--out", type=Path, required=True)
    tg.add_argument("--epochs", type=int, default=None, help="full-batch epochs (default: 2000 for |G| >= 60, else 5000)")
    tg.add_argument("--train-fraction", type=float, default=0.4,
                    help="share of the |G|^2 pairs trained on (anchor recipe: 0.4; the rest is the test set)")
    tg.add_argument("--d-embed", type=int, default=128)
    tg.add_argument("--d-hidden", type=int, default=128)
    tg.add_argument("--quiet", action="store_true")
    tg.add_argument("--json", action="store_true")
    tg.set_defaults(func=cmd_train_groupop)
