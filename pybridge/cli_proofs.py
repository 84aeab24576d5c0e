"""CLI commands for the proof-assistant side: `export`, `verify`, `audit`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _model_for(cert: Path, model: str | None) -> Path:
    from pybridge.check.certificate import read_certificate
    from pybridge.check.verify import resolve_model_path

    return resolve_model_path(read_certificate(cert), cert, model)


def cmd_export(args: argparse.Namespace) -> int:
    from pybridge.cli import UsageError

    if not args.coq and not args.lean:
        raise UsageError("export needs --coq DIR and/or --lean DIR")
    cert = Path(args.cert)
    model = _model_for(cert, args.model)
    written = {}
    if args.coq:
        from pybridge.export.coq import export_coq

        written["coq"] = str(export_coq(cert, model, Path(args.coq)))
    if args.lean:
        from pybridge.export.lean import export_lean

        written["lean"] = str(export_lean(cert, model, Path(args.lean)))
    if args.json:
        print(json.dumps(written, sort_keys=True))
    else:
        for k, v in written.items():
            print(f"{k}: wrote {v}")
    return 0


def _limits(args: argparse.Namespace):
    from pybridge.check.limits import Limits

    d = Limits()
    mw, mb = getattr(args, "max_work", None), getattr(args, "max_bits", None)
    return Limits(max_work=d.max_work if mw is None else mw, max_bits=d.max_bits if mb is None else mb)


def cmd_verify(args: argparse.Namespace) -> int:
    """Defence in depth (issue 10): the Python checker first (refuse if invalid), then coqc on the exported
    file, then the fixed statement check (export.coq.verify_coq_strict): exit 0 only if all three accept."""
    import shutil
    import tempfile

    from pybridge.cli import UsageError

    if not args.coq:
        raise UsageError("verify needs --coq (Lean cannot be compiled on this machine: no toolchain)")
    if shutil.which("coqc") is None:
        raise UsageError("coqc not found; install Coq: apt-get install -y coq libcoq-interval")
    from pybridge import families
    from pybridge.check import Rejected, verify
    from pybridge.check.certificate import read_certificate
    from pybridge.export.coq import verify_coq_strict

    cert = Path(args.cert)
    model = _model_for(cert, args.model)
    try:
        verify(cert, model, None, limits=_limits(args))
    except Rejected as e:
        obj = {"coq": False, "python_check": False, "reason": str(e)}
        if args.json:
            print(json.dumps(obj, sort_keys=True))
        else:
            print(f"REFUSED (the Python checker rejects the certificate; Coq not run): {e}")
        return 1
    fam = families.get(read_certificate(cert).family)
    if fam.render_coq is None:
        raise UsageError(f"the Coq export does not cover the family {fam.name!r}")
    expected = (fam.coq_expected_model(read_certificate(cert), model) if fam.coq_expected_model
                else fam.coq_expected(read_certificate(cert)) if fam.coq_expected else None)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="pybridge-coq-"))
    ok, secs, reason, v = verify_coq_strict(cert, model, out, expected)
    obj = {"coq": ok, "python_check": True, "seconds": round(secs, 2), "file": str(v),
           "statement_checked": "exact" if expected is not None else "name and assumptions"}
    if not ok:
        obj["reason"] = reason
    if args.json:
        print(json.dumps(obj, sort_keys=True))
    else:
        print(f"{'COQ ACCEPTED' if ok else 'COQ REJECTED'}: {v} ({secs:.1f} s)")
        if not ok:
            print(reason or "(no output)")
    return 0 if ok else 1


def cmd_audit(args: argparse.Namespace) -> int:
    from pybridge.audit import audit, render_markdown

    cert = Path(args.cert)
    report = audit(cert, _model_for(cert, args.model))
    print(json.dumps(report, sort_keys=True, indent=1) if args.json else render_markdown(report))
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from pybridge.plot import collect, draw

    rows = collect([Path(c) for c in args.certs], check=not args.no_check)
    out = draw(rows, Path(args.out), normalised=not args.raw)
    if args.json:
        print(json.dumps({"figure": str(out), "points": rows}, sort_keys=True))
    else:
        print(f"wrote {out} ({len(rows)} certificates{'' if args.no_check else ', all re-checked'})")
    return 0


def add_limit_options(p: argparse.ArgumentParser) -> None:
    """`--max-work` / `--max-bits`: the checker's resource bounds (pybridge/check/limits.py)."""
    from pybridge.check.limits import DEFAULT_MAX_BITS, DEFAULT_MAX_WORK

    def positive(v: str) -> int:
        try:
            x = int(float(v)) if ("e" in v.lower() or "." in v) else int(v)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"not a number: {v!r}") from None
        if x < 1:
            raise argparse.ArgumentTypeError("must be at least 1")
        return x

    p.add_argument("--max-work", type=positive, default=None, metavar="N",
                   help=f"refuse checks stating more work units than N (default {DEFAULT_MAX_WORK:.0e})")
    p.add_argument("--max-bits", type=positive, default=None, metavar="B",
                   help=f"refuse checks forming integers of more than B bits (default {DEFAULT_MAX_BITS})")


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="PNG of accuracy bound versus proof FLOPs for a set of certificates")
    p.add_argument("certs", nargs="+")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--raw", action="store_true", help="plot raw bounds instead of bounds normalised by brute force")
    p.add_argument("--no-check", action="store_true", help="do not re-check the certificates (faster)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plot)

    e = sub.add_parser("export", help="write the certificate as a Coq and/or Lean file")
    e.add_argument("cert")
    e.add_argument("--model", help="model file (default: the one the certificate names)")
    e.add_argument("--coq", metavar="DIR", help="directory for the Coq .v file")
    e.add_argument("--lean", metavar="DIR", help="directory for the Lean .lean file")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_export)

    v = sub.add_parser("verify", help="export to Coq and re-check with coqc (exit 0 accepted, 1 rejected)")
    v.add_argument("cert")
    v.add_argument("--model")
    v.add_argument("--coq", action="store_true", help="check with Coq (the backend available here)")
    v.add_argument("--out", help="directory for the generated .v file (default: a temporary directory)")
    v.add_argument("--json", action="store_true")
    add_limit_options(v)
    v.set_defaults(func=cmd_verify)

    a = sub.add_parser("audit", help="print the proof step by step: lemma, numbers used, slack given away")
    a.add_argument("cert")
    a.add_argument("--model")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_audit)
