"""Command-line interface. Exit codes: 0 valid/ok, 1 certificate invalid, 2 unreadable input or usage.

Scripts rely on this contract: `pybridge prove --list` prints one strategy name per line; `--json`
prints exactly one JSON object on stdout; errors are one line on stderr, never a traceback
(set PYBRIDGE_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_INPUT = 0, 1, 2


class UsageError(Exception):
    pass


def _progress_factory(enabled: bool) -> Callable[[str, int], Callable[[int], None]] | None:
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    def make(desc: str, total: int) -> Callable[[int], None]:
        bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=False, unit_scale=True)

        def update(k: int) -> None:
            bar.update(k)
            if bar.n >= total:
                bar.close()

        return update

    return make


def _emit(args: argparse.Namespace, obj: dict[str, Any], text: str) -> None:
    print(json.dumps(obj, sort_keys=True) if getattr(args, "json", False) else text)


# ---------------------------------------------------------------- train
def cmd_train_groupop(args: argparse.Namespace) -> int:
    from pybridge.models.groupop import GroupOpConfig
    from pybridge.train.groupop import train_groupop

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
    _emit(args, obj, f"wrote {s.path} ({s.group}, seed {s.seed}, {s.epochs} epochs, loss {s.final_loss:.4g}, "
          f"test accuracy {s.test_accuracy:.5f}, {s.seconds:.1f} s)")
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    from pybridge.models.maxofk import MaxOfKConfig
    from pybridge.train.maxofk import train_maxofk

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
    _emit(args, obj, f"wrote {s.path} (seed {s.seed}, loss {s.final_loss:.4g}, sampled accuracy "
          f"{s.sampled_accuracy:.4f}, {s.seconds:.1f} s)")
    return EXIT_OK


# ---------------------------------------------------------------- prove
def _params(args: argparse.Namespace, strategy: str) -> dict[str, int]:
    from pybridge.prove.common import DEFAULT_PARAMS

    p = dict(DEFAULT_PARAMS[strategy])
    if args.fixed_bits is not None:
        p["fixed_bits"] = args.fixed_bits
    if args.exp_squarings is not None:
        p["exp_squarings"] = args.exp_squarings
    if not (16 <= p["fixed_bits"] <= 256 and 1 <= p["exp_squarings"] <= 64):
        raise UsageError("--fixed-bits must be in 16..256 and --exp-squarings in 1..64")
    return p


def model_family(model: Path) -> str | None:
    """The `pybridge_family` metadata of a safetensors file (None if unreadable: the loader then reports)."""
    try:
        from safetensors import safe_open

        with safe_open(str(model), framework="numpy") as f:
            return (f.metadata() or {}).get("pybridge_family")
    except Exception:
        return None


def prove_to_file(model: Path, strategy: str, out: Path, params: dict[str, int] | None, progress, variant: str | None = None) -> Any:
    from pybridge.prove.common import load_model, relative_model_file, write_json_atomic
    from pybridge.prove.registry import prove

    if model_family(model) == "groupop":
        from pybridge.prove.registry import GROUPOP_STRATEGIES, prove_groupop

        if strategy not in GROUPOP_STRATEGIES:
            raise UsageError(f"strategy '{strategy}' is not available for groupop models (known: {', '.join(GROUPOP_STRATEGIES)})")
        res = prove_groupop(model, strategy, progress)
        res.certificate["model"]["file"] = relative_model_file(model, out)
        write_json_atomic(res.certificate, out)
        return res
    m = load_model(model)
    bar = progress(f"prove {strategy}", _work(m, strategy)) if progress else None
    if strategy == "subcubic":
        from pybridge.prove.subcubic import parse_variant, prove_subcubic

        try:
            v = parse_variant(variant) if variant else None
        except ValueError as e:
            raise UsageError(str(e)) from None
        res = prove_subcubic(m, params, bar, v)
    else:
        if variant:
            raise UsageError("--variant applies to the subcubic strategy only")
        res = prove(m, strategy, params, bar)
    res.certificate["model"]["file"] = relative_model_file(model, out)
    write_json_atomic(res.certificate, out)
    return res


def _work(m: Any, strategy: str) -> int:
    V, n = m.exact.d_vocab, m.exact.n_ctx
    return V**n if strategy == "brute-force" else 2 if strategy == "subcubic" else V * (V + 1) // 2


def cmd_prove(args: argparse.Namespace) -> int:
    from pybridge.prove.registry import STRATEGIES

    if args.list:
        for name in STRATEGIES:
            print(name)
        return EXIT_OK
    if args.list_variants:
        from pybridge.prove.subcubic import all_variants

        for v in all_variants():
            print(f"{v.direct}/{v.attention_error}")
        return EXIT_OK
    if args.model is None or args.strategy is None or args.out is None:
        raise UsageError("prove needs MODEL, --strategy NAME and --out CERT (or --list)")
    if args.strategy == "rho-set":  # groupop only (docs/CHECKING.md 8.6); no params
        from pybridge.prove.groupop_rho import Unexplained

        try:
            res = prove_to_file(Path(args.model), "rho-set", Path(args.out), None, _progress_factory(not args.json))
        except Unexplained as e:  # no certificate is written
            _emit(args, {"certificate": None, "strategy": "rho-set", "unexplained": str(e)}, f"UNEXPLAINED: {e}")
            return EXIT_INVALID
        _emit(args, {"certificate": str(args.out), **res.summary()},
              f"rho-set: at least {res.correct}/{res.total} correct (bound {res.bound:.6f}); {res.seconds:.2f} s; wrote {args.out}")
        return EXIT_OK
    if args.strategy not in STRATEGIES:
        raise UsageError(f"unknown strategy '{args.strategy}' (see pybridge prove --list)")
    res = prove_to_file(Path(args.model), args.strategy, Path(args.out), _params(args, args.strategy),
                        _progress_factory(not args.json), args.variant)
    obj = {"certificate": str(args.out), **res.summary()}
    text = (f"{args.strategy}: at least {res.correct}/{res.total} correct (bound {res.bound:.6f})"
            + (f", at most {1 - res.incorrect / res.total:.6f}" if res.incorrect is not None else "")
            + f"; {res.seconds:.2f} s, {res.flops:.3g} FLOPs; wrote {args.out}")
    _emit(args, obj, text)
    return EXIT_OK


# ---------------------------------------------------------------- check
def cmd_check(args: argparse.Namespace) -> int:
    from pybridge.check import Rejected, verify

    try:
        r = verify(args.cert, args.model, _progress_factory(not args.json))
    except Rejected as e:
        _emit(args, {"valid": False, "reason": str(e)}, f"INVALID: {e}")
        return EXIT_INVALID
    obj = {
        "valid": True, "strategy": r.strategy, "correct_at_least": r.correct_at_least, "total": r.total,
        "bound": r.bound, "verified_correct": r.verified_correct, "seconds": {k: round(v, 3) for k, v in r.seconds.items()},
    }
    if r.verified_incorrect is not None:
        obj["verified_incorrect"] = r.verified_incorrect
    _emit(args, obj, f"VALID: {r.strategy} certificate proves accuracy >= {r.correct_at_least}/{r.total} "
          f"= {r.bound:.6f} (replay {r.seconds['replay_tables']:.2f} s, total {r.seconds['total']:.2f} s)")
    return EXIT_OK


# ---------------------------------------------------------------- demo
SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "maxofk-v64-n4-seed0.safetensors"


def cmd_demo(args: argparse.Namespace) -> int:
    from pybridge.check import verify

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    progress = _progress_factory(not args.json)
    model = out / "model.safetensors"
    if args.train or not SHIPPED_MODEL.exists():
        from pybridge.models.maxofk import MaxOfKConfig
        from pybridge.train.maxofk import train_maxofk

        train_maxofk(MaxOfKConfig(), seed=args.seed, out=model, quiet=args.json)
        source = f"trained (seed {args.seed})"
    else:
        model.write_bytes(SHIPPED_MODEL.read_bytes())
        source = f"shipped ({SHIPPED_MODEL.name})"
    rows = []
    for strategy in ("brute-force", "cubic"):
        cert = out / f"{strategy}.cert.json"
        t0 = time.perf_counter()
        res = prove_to_file(model, strategy, cert, None, progress)
        t_prove = time.perf_counter() - t0
        chk = verify(cert, None, progress)
        rows.append({
            "strategy": strategy, "bound": res.bound, "correct_at_least": res.correct, "total": res.total,
            "accuracy_at_most": (1 - res.incorrect / res.total) if res.incorrect is not None else None,
            "flops": res.flops, "prove_seconds": round(t_prove, 2), "check_seconds": round(chk.seconds["total"], 2),
            "certificate": str(cert), "valid": True,
        })
    if args.json:
        print(json.dumps({"model": str(model), "source": source, "results": rows}, sort_keys=True))
        return EXIT_OK
    print(f"model: {model} ({source}; V=64, n_ctx=4, d_model=d_head=32)\n")
    print(f"{'strategy':<12} {'bound':>9} {'accuracy bracket':>21} {'FLOPs':>9} {'prove s':>8} {'check s':>8}  checked")
    for r in rows:
        hi = r["accuracy_at_most"]
        br = f"[{r['bound']:.6f}, {hi:.6f}]" if hi is not None else f"[{r['bound']:.6f}, -]"
        print(f"{r['strategy']:<12} {r['bound']:>9.6f} {br:>21} {r['flops']:>9.3g} {r['prove_seconds']:>8.2f} "
              f"{r['check_seconds']:>8.2f}  valid")
    print(f"\ncertificates: {', '.join(r['certificate'] for r in rows)}")
    print(f"re-check one:  pybridge check {rows[1]['certificate']}")
    return EXIT_OK


# ---------------------------------------------------------------- interop
def cmd_import_tl(args: argparse.Namespace) -> int:
    from pybridge.interop.transformerlens import import_tl_state_dict

    p = import_tl_state_dict(Path(args.src), Path(args.out), args.n_ctx)
    _emit(args, {"model": str(p)}, f"wrote {p}")
    return EXIT_OK


def cmd_export_tl(args: argparse.Namespace) -> int:
    from pybridge.interop.transformerlens import export_tl_state_dict

    p = export_tl_state_dict(Path(args.model), Path(args.out))
    _emit(args, {"state_dict": str(p)}, f"wrote {p}")
    return EXIT_OK


# ---------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pybridge", description="Machine-checked accuracy lower bounds for small transformers.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model")
    tsub = t.add_subparsers(dest="family", required=True)
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

    pr = sub.add_parser("prove", help="prove an accuracy lower bound and write a certificate")
    pr.add_argument("model", nargs="?", help="model file (.safetensors)")
    pr.add_argument("--strategy", help="proof strategy (see --list)")
    pr.add_argument("--out", help="certificate file to write (JSON)")
    pr.add_argument("--list", action="store_true", help="print the strategy names, one per line")
    pr.add_argument("--variant", help="subcubic only: DIRECT/ATTENTION_ERROR (see --list-variants; default exact/exact_EQKE+max_diff_exact)")
    pr.add_argument("--list-variants", action="store_true", help="print the subcubic variants, one per line")
    pr.add_argument("--fixed-bits", type=int, help="fixed-point bits P of scores / exp mantissas")
    pr.add_argument("--exp-squarings", type=int, help="squarings k of the exp enclosure")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=cmd_prove)

    c = sub.add_parser("check", help="independently re-derive a certificate's claim (exit 0 valid, 1 invalid, 2 unreadable)")
    c.add_argument("cert")
    c.add_argument("--model", help="model file (default: the one the certificate names)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_check)

    d = sub.add_parser("demo", help="prove and check brute-force and cubic bounds for a V=64, n_ctx=4 model")
    d.add_argument("--out", default="pybridge-demo", help="output directory (default: ./pybridge-demo)")
    d.add_argument("--train", action="store_true", help="train a fresh model instead of using the shipped one")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_demo)

    i = sub.add_parser("import-tl", help="convert a TransformerLens state dict (.safetensors or .pt) to a pybridge model")
    i.add_argument("src")
    i.add_argument("--out", required=True)
    i.add_argument("--n-ctx", type=int, default=None)
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_import_tl)

    e = sub.add_parser("export-tl", help="write a TransformerLens-loadable state dict (.safetensors)")
    e.add_argument("model")
    e.add_argument("--out", required=True)
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_export_tl)

    from . import cli_proofs

    cli_proofs.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from pybridge.check.errors import InputError, Rejected

    try:
        from pybridge.models.errors import ModelFormatError
    except ImportError:  # pragma: no cover
        ModelFormatError = InputError  # type: ignore[misc,assignment]
    try:
        return args.func(args)
    except Rejected as e:
        print(f"INVALID: {e}", file=sys.stderr)
        return EXIT_INVALID
    except (InputError, ModelFormatError, UsageError, FileNotFoundError, IsADirectoryError, PermissionError) as e:
        msg = e.strerror + f": {e.filename}" if isinstance(e, OSError) and e.strerror else str(e)
        print(f"pybridge: error: {msg.splitlines()[0] if msg else type(e).__name__}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("pybridge: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # never a traceback for users; PYBRIDGE_DEBUG=1 shows it
        if os.environ.get("PYBRIDGE_DEBUG"):
            raise
        first = (str(e).splitlines() or [""])[0]
        print(f"pybridge: error: {type(e).__name__}: {first}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
