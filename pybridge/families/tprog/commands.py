"""`pybridge train tprog ...` and `pybridge decompile MODEL --out prog.py [--ir prog.json]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from pybridge.clikit import EXIT_OK, UsageError, emit


def cmd_train(args: argparse.Namespace) -> int:
    from pybridge.check.tprog.tasks import TASKS
    from pybridge.families.tprog.model import TProgConfig, refusal, train

    if args.task not in TASKS:
        raise UsageError(f"unknown task {args.task!r} (known: {', '.join(TASKS)})")
    if args.epochs < 1 or args.layers < 1 or min(args.cat_heads, args.num_heads, args.mlps, args.num_mlps) < 0 \
            or args.hidden < 1:
        raise UsageError("--epochs, --layers, --hidden must be >= 1 and head/MLP counts >= 0")
    if args.layers * (args.cat_heads + args.num_heads + args.mlps + args.num_mlps) > 64:
        raise UsageError("at most 64 modules")
    if not (0 < args.tau_end <= args.tau_start <= 100) or args.batch < 1 or not 0 < args.lr <= 10:
        raise UsageError("need 0 < --tau-end <= --tau-start <= 100, --batch >= 1 and 0 < --lr <= 10")
    cfg = TProgConfig(args.task, args.layers, args.cat_heads, args.num_heads, args.mlps, args.hidden,
                      num_mlps=args.num_mlps, recipe=args.recipe)
    why = refusal(cfg)
    if why:
        raise UsageError(why)
    s = train(cfg, seed=args.seed, out=args.out, epochs=args.epochs, batch=args.batch, lr=args.lr,
              tau_start=args.tau_start, tau_end=args.tau_end, quiet=args.quiet or args.json)
    obj = {"model": str(s.path), "model_sha256": s.model_sha256, "task": s.task, "seed": s.seed, "epochs": s.epochs,
           "recipe": args.recipe, "final_loss": s.final_loss, "val_accuracy": s.val_accuracy,
           "test_accuracy": s.test_accuracy, "test_token_accuracy": s.test_token_accuracy,
           "seconds": round(s.seconds, 3)}
    emit(args, obj, f"wrote {s.path} ({s.task}, seed {s.seed}, {s.epochs} epochs, loss {s.final_loss:.4g}, "
                    f"sampled test accuracy of the discrete program {s.test_accuracy:.4f}, {s.seconds:.1f} s)")
    return EXIT_OK


def add_train_parser(tsub: argparse._SubParsersAction) -> None:
    t = tsub.add_parser("tprog", help="train a Transformer Program (Gumbel-softmax, tau 3.0 -> 0.01, Adam lr 0.05)")
    t.add_argument("--task", required=True, help="reverse, sort, hist, double-hist, most-freq, dyck1, dyck2, "
                                                 "hist-small, reverse-small, sort-small")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--layers", type=int, default=2)
    t.add_argument("--cat-heads", type=int, default=2)
    t.add_argument("--num-heads", type=int, default=1)
    t.add_argument("--mlps", type=int, default=1)
    t.add_argument("--num-mlps", type=int, default=0, help="numerical MLPs per layer (read two numerical "
                                                          "variables, output a categorical one; default 0)")
    t.add_argument("--hidden", type=int, default=64)
    t.add_argument("--epochs", type=int, default=40, help="default 40 (the paper: 250)")
    t.add_argument("--batch", type=int, default=512)
    t.add_argument("--lr", type=float, default=0.05)
    t.add_argument("--tau-start", type=float, default=3.0, help="Gumbel-softmax temperature at the first step "
                                                                "(default 3.0, the paper's)")
    t.add_argument("--tau-end", type=float, default=0.01, help="temperature at the last step, annealed "
                                                               "geometrically per step (default 0.01, the paper's)")
    t.add_argument("--recipe", choices=("paper", "v1"), default="paper",
                   help="paper (default): the authors' training (Gumbel-sampled attention over log match + fixed "
                        "relative-position bias, their initialisation, all lengths in one padded stream, "
                        "per-sequence loss); v1: this project's first recipe (reproduces models trained before)")
    t.add_argument("--quiet", action="store_true")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_train)


def cmd_decompile(args: argparse.Namespace) -> int:
    from pybridge import families
    from pybridge.families.tprog.decompile import decompile

    try:
        fam = families.family_of_model(args.model)
    except (families.UnknownFamily, OSError) as e:
        raise UsageError(str(e).splitlines()[0] if str(e) else type(e).__name__) from None
    if fam != "tprog":
        raise UsageError(f"decompile reads tprog models, not {fam}")
    out, ir = decompile(Path(args.model), Path(args.out), Path(args.ir) if args.ir else None)
    emit(args, {"program": str(out), "ir": str(ir) if ir else None}, f"wrote {out}" + (f" and {ir}" if ir else ""))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from pybridge.certio import write_json_atomic
    from pybridge.check.errors import InputError
    from pybridge.check.tprog.program import parse_program
    from pybridge.families.tprog.importer import ImportError_, import_program

    try:
        ir = import_program(Path(args.program), args.task, Path(args.csv) if args.csv else None)
        parse_program(ir)  # the trusted schema: refuse now rather than at prove time
    except (ImportError_, InputError, SyntaxError, ValueError, KeyError, IndexError, AttributeError, TypeError,
            OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot import {args.program}: {(str(e).splitlines() or [type(e).__name__])[0]}") from None
    write_json_atomic(ir, Path(args.out))
    rule = ir["tie_rule"]
    emit(args, {"ir": str(args.out), "task": args.task, "tie_rule": rule, "version": ir["version"]},
         f"wrote {args.out} (task {args.task}, attention read with the printer's select_closest: tie rule {rule!r})")
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    i = sub.add_parser("import-tprog", help="tprog: read a program printed by the authors' code (ast only, never "
                                            "executed) and its classifier CSV into the program IR")
    i.add_argument("program")
    i.add_argument("--task", required=True, help="hist, double-hist, sort, reverse, dyck1, ... (pybridge task names)")
    i.add_argument("--csv", help="classifier weights (default: <program stem>_weights.csv beside it)")
    i.add_argument("--out", required=True)
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_import)
    d = sub.add_parser("decompile", help="tprog: write a model's program as readable Python (and its JSON IR)")
    d.add_argument("model")
    d.add_argument("--out", required=True, help="the Python program to write")
    d.add_argument("--ir", help="also write the program IR (JSON) here")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_decompile)
