"""Command-line interface. Exit codes: 0 valid/ok, 1 certificate invalid, 2 unreadable input or usage.

Scripts rely on this contract: `pybridge prove --list` prints `family<TAB>strategy<TAB>description`
per line; `--json`
prints exactly one JSON object on stdout; errors are one line on stderr, never a traceback
(set PYBRIDGE_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from pybridge.clikit import EXIT_INPUT, EXIT_INVALID, EXIT_OK, UsageError, emit, progress_factory


# ---------------------------------------------------------------- families / prove
def cmd_families(args: argparse.Namespace) -> int:
    from pybridge import families

    fams = families.all_families()
    if args.json:
        print(json.dumps([{"family": f.name, "description": f.description,
                           "strategies": [s.name for s in f.strategies]} for f in fams], sort_keys=True))
    else:
        for f in fams:
            print(f"{f.name}\t{f.description}")
    return EXIT_OK


def _parse_params(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for it in items or []:
        key, sep, value = it.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes KEY=VALUE, not {it!r}")
        out[key.replace("-", "_")] = value
    return out


def prove_to_file(model: Path, strategy: str, out: Path, params: dict[str, Any] | None, progress,
                  variant: str | None = None, inputs: list[Path] | None = None) -> Any:
    """Prove `strategy` on the model file (dispatching on its family tag) and write the certificate
    atomically; raises families.NoProof (nothing written) when the explanation does not fit."""
    from pybridge import families
    from pybridge.certio import set_model_file, write_json_atomic

    try:
        fam = families.get(families.family_of_model(model))
        fam.strategy(strategy)
    except families.UnknownFamily as e:
        raise UsageError(str(e)) from None
    res = fam.prove(strategy, model, params=params, variant=variant, inputs=inputs, progress=progress)
    set_model_file(res.certificate, model, out)
    write_json_atomic(res.certificate, out)
    return res


def cmd_prove(args: argparse.Namespace) -> int:
    from pybridge import families

    if args.list or args.list_variants:
        try:
            fams = [families.get(args.family)] if args.family else families.all_families()
        except families.UnknownFamily as e:
            raise UsageError(str(e)) from None
        for f in fams:
            for s in f.strategies:
                if args.list:
                    print(f"{f.name}\t{s.name}\t{s.description}")
                elif s.variants is not None:
                    for v in s.variants():
                        print(v)
        return EXIT_OK
    if args.model is None or args.strategy is None or args.out is None:
        raise UsageError("prove needs MODEL, --strategy NAME and --out CERT (or --list)")
    params = _parse_params(args.param)
    if args.fixed_bits is not None:
        params["fixed_bits"] = args.fixed_bits
    if args.exp_squarings is not None:
        params["exp_squarings"] = args.exp_squarings
    try:
        res = prove_to_file(Path(args.model), args.strategy, Path(args.out), params, progress_factory(not args.json),
                            args.variant, [Path(p) for p in args.with_ or []])
    except families.NoProof as e:  # no certificate is written
        emit(args, {"certificate": None, "strategy": args.strategy, "unexplained": str(e)}, f"UNEXPLAINED: {e}")
        return EXIT_INVALID
    obj = {"certificate": str(args.out), **res.summary()}
    text = getattr(res, "describe", None)
    if callable(text):
        line = f"{text()}; {res.seconds:.2f} s; wrote {args.out}"
    else:
        line = (f"{args.strategy}: at least {res.correct}/{res.total} correct (bound {res.bound:.6f})"
                + (f", at most {1 - res.incorrect / res.total:.6f}" if res.incorrect is not None else "")
                + f"; {res.seconds:.2f} s" + (f", {res.flops:.3g} FLOPs" if res.flops else "") + f"; wrote {args.out}")
    emit(args, obj, line)
    return EXIT_OK


# ---------------------------------------------------------------- check
def cmd_check(args: argparse.Namespace) -> int:
    from pybridge.check import Rejected, verify

    try:
        from pybridge.cli_proofs import _limits

        r = verify(args.cert, args.model, progress_factory(not args.json), limits=_limits(args))
    except Rejected as e:
        emit(args, {"valid": False, "reason": str(e)}, f"INVALID: {e}")
        return EXIT_INVALID
    obj = {
        "valid": True, "strategy": r.strategy, "correct_at_least": r.correct_at_least, "total": r.total,
        "bound": r.bound, "verified_correct": r.verified_correct, "seconds": {k: round(v, 3) for k, v in r.seconds.items()},
    }
    if r.verified_incorrect is not None:
        obj["verified_incorrect"] = r.verified_incorrect
    if r.statement:
        obj["statement"] = r.statement
    obj.update({"family": r.family, **({"details": r.details} if r.details else {})})
    replay = f"replay {r.seconds['replay_tables']:.2f} s, " if "replay_tables" in r.seconds else ""
    emit(args, obj, f"VALID: {r.describe()} ({replay}total {r.seconds.get('total', 0.0):.2f} s)")
    return EXIT_OK


# ---------------------------------------------------------------- demo
SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "maxofk-v64-n4-seed0.safetensors"


def cmd_demo(args: argparse.Namespace) -> int:
    from pybridge.check import verify

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    progress = progress_factory(not args.json)
    model = out / "model.safetensors"
    if args.train or not SHIPPED_MODEL.exists():
        from pybridge.families.maxofk.model import MaxOfKConfig
        from pybridge.families.maxofk.train import train_maxofk

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
    from pybridge.families.maxofk.transformerlens import import_tl_state_dict

    p = import_tl_state_dict(Path(args.src), Path(args.out), args.n_ctx,
                             normalization_type=args.normalization_type, eps=args.eps)
    emit(args, {"model": str(p)}, f"wrote {p}")
    return EXIT_OK


def cmd_export_tl(args: argparse.Namespace) -> int:
    from pybridge.families.maxofk.transformerlens import export_tl_state_dict

    p = export_tl_state_dict(Path(args.model), Path(args.out))
    emit(args, {"state_dict": str(p)}, f"wrote {p}")
    return EXIT_OK


# ---------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pybridge", description="Machine-checked accuracy lower bounds for small transformers.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model (one subcommand per family)")
    tsub = t.add_subparsers(dest="family", required=True)
    from pybridge import families

    families.add_train_parsers(tsub)

    fa = sub.add_parser("families", help="the model families, one per line with a description")
    fa.add_argument("--json", action="store_true")
    fa.set_defaults(func=cmd_families)

    pr = sub.add_parser("prove", help="prove an accuracy lower bound and write a certificate")
    pr.add_argument("model", nargs="?", help="model file (its family tag picks the strategies)")
    pr.add_argument("--strategy", help="proof strategy (see --list)")
    pr.add_argument("--out", help="certificate file to write (JSON)")
    pr.add_argument("--list", action="store_true", help="print family<TAB>strategy<TAB>description, one per line")
    pr.add_argument("--family", help="with --list / --list-variants: only this family")
    pr.add_argument("--param", action="append", metavar="KEY=VALUE", help="a strategy parameter (repeatable)")
    pr.add_argument("--with", dest="with_", action="append", metavar="FILE",
                    help="a further input the strategy needs (second model, description file; repeatable)")
    pr.add_argument("--variant", help="subcubic only: DIRECT/ATTENTION_ERROR (see --list-variants; default exact/exact_EQKE+max_diff_exact)")
    pr.add_argument("--list-variants", action="store_true", help="print the strategy variants (Max-of-k subcubic: DIRECT/ATTENTION_ERROR), one per line")
    pr.add_argument("--fixed-bits", type=int, help="fixed-point bits P of scores / exp mantissas")
    pr.add_argument("--exp-squarings", type=int, help="squarings k of the exp enclosure")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=cmd_prove)

    c = sub.add_parser("check", help="independently re-derive a certificate's claim (exit 0 valid, 1 invalid, 2 unreadable)")
    c.add_argument("cert")
    c.add_argument("--model", help="model file (default: the one the certificate names)")
    c.add_argument("--json", action="store_true")
    from pybridge.cli_proofs import add_limit_options

    add_limit_options(c)
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
    i.add_argument("--normalization-type", choices=["LN", "LNPre", "None"], default=None,
                   help="TransformerLens normalization_type (default: the source metadata, else LN iff ln tensors exist)")
    i.add_argument("--eps", default=None, help="LayerNorm epsilon as a decimal (default: source metadata 'eps', else 1e-5)")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_import_tl)

    e = sub.add_parser("export-tl", help="write a TransformerLens-loadable state dict (.safetensors)")
    e.add_argument("model")
    e.add_argument("--out", required=True)
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_export_tl)

    from pybridge import cli_proofs

    cli_proofs.add_commands(sub)
    families.add_family_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from pybridge.check.errors import InputError, Rejected

    try:
        from pybridge.families.errors import ModelFormatError
    except ImportError:  # pragma: no cover
        ModelFormatError = InputError  # type: ignore[misc,assignment]
    from pybridge.families import NoProof, UnknownFamily

    try:
        return args.func(args)
    except BrokenPipeError:  # `pybridge ... | head`: exit quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK
    except NoProof as e:
        print(f"UNEXPLAINED: {e}", file=sys.stderr)
        return EXIT_INVALID
    except Rejected as e:
        print(f"INVALID: {e}", file=sys.stderr)
        return EXIT_INVALID
    except (InputError, ModelFormatError, UsageError, UnknownFamily, FileNotFoundError, IsADirectoryError, PermissionError) as e:
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
