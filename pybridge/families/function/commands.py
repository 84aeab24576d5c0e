"""`pybridge agree F G --eps E [--domain A:B[,C:D...]] [--out CERT] [--json]` and the `agree` strategy
of `pybridge prove` (untrusted; the certificate is re-checked by pybridge/check/function/)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from pybridge.clikit import EXIT_INPUT, EXIT_INVALID, EXIT_OK, UsageError, emit


def _domain_of(path: Path, given: str | None):
    from pybridge.check.function import parse_rational
    from pybridge.families.function.agree import BadInput, parse_domain

    try:
        if given:
            return parse_domain(given)
    except BadInput as e:
        raise UsageError(str(e)) from None
    # a JSON function file may record its domain
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("domain"), list):
        return [(parse_rational(a, "domain"), parse_rational(b, "domain")) for a, b in doc["domain"]]
    raise UsageError("no domain: pass --domain A:B[,C:D...] (or --param domain=...)")


def run_agree(f_path: Path, g_path: Path, eps_text: str, domain_text: str | None, max_boxes: int = 200000,
              use_z3: bool = True, z3_timeout_ms: int = 5000):
    """(f source, g source, AgreeResult)."""
    from pybridge.check.function import read_function_file
    from pybridge.families.function.agree import BadInput, agree, parse_number

    f_src, g_src = read_function_file(f_path), read_function_file(g_path)
    try:
        eps = parse_number(eps_text, "eps")
    except BadInput as e:
        raise UsageError(str(e)) from None
    if eps < 0:
        raise UsageError("eps must be >= 0")
    domain = _domain_of(f_path, domain_text)
    try:
        return f_src, g_src, agree(f_src, g_src, eps, domain, max_boxes=max_boxes, use_z3=use_z3,
                                   z3_timeout_ms=z3_timeout_ms)
    except BadInput as e:
        raise UsageError(str(e)) from None


def prove_agree(model: Any, req):
    from pybridge.certio import ProofResult
    from pybridge.families import NoProof
    from pybridge.families.function.agree import certificate

    extra = set(req.params) - {"eps", "domain", "max_boxes"}
    if extra or "eps" not in req.params or len(req.inputs) != 1 or req.variant:
        raise UsageError("agree needs --with G (one description file), --param eps=E [--param domain=A:B[,C:D]]"
                         + (f"; unknown parameter(s) {', '.join(sorted(extra))}" if extra else ""))
    t0 = time.perf_counter()
    f_src, g_src, r = run_agree(Path(model), req.inputs[0], str(req.params["eps"]), req.params.get("domain"),
                                int(req.params.get("max_boxes", 200000)))
    if r.agree is False:
        raise NoProof(f"counterexample {json.dumps(r.counterexample, sort_keys=True)}")
    if r.agree is None:
        raise NoProof(r.reason)
    secs = time.perf_counter() - t0
    cert = certificate(f_src, g_src, r, secs)
    res = ProofResult("agree", r.boxes, r.boxes, None, 0, secs, cert,
                      extra={"agree": True, "eps": cert["params"]["eps"], "boxes": r.boxes})
    res.describe = lambda: (f"agree: |f - g| <= {cert['params']['eps']} on "
                            f"{', '.join('[%s, %s]' % tuple(p) for p in cert['params']['domain'])} ({r.boxes} boxes)")
    return res


def noise_margin(spec: str | None):
    """`uniform:A` (F's values carry noise in [-A, A]): the check must hold with eps - A for every noise
    value, so the certificate is for eps - A. Unbounded noise (normal, poisson) has no such margin: refused."""
    from fractions import Fraction

    from pybridge.families.function.agree import BadInput, parse_number

    if not spec:
        return Fraction(0)
    kind, _, amp = spec.partition(":")
    if kind in ("normal", "gaussian", "poisson"):
        raise UsageError(f"{kind} noise is unbounded: no description agrees within any eps with every realisation "
                         "(use a bounded band, --noise uniform:A)")
    if kind != "uniform" or not amp:
        raise UsageError("--noise takes uniform:A")
    try:
        a = parse_number(amp, "noise amplitude")
    except BadInput as e:
        raise UsageError(str(e)) from None
    if a < 0:
        raise UsageError("noise amplitude must be >= 0")
    return a


def cmd_agree(args: argparse.Namespace) -> int:
    from pybridge.certio import write_json_atomic
    from pybridge.check.function import fmt
    from pybridge.families.function.agree import BadInput, certificate, parse_number

    if args.strings:
        return cmd_agree_strings(args)
    if args.alphabet is not None or args.max_len is not None:
        raise UsageError("--alphabet and --max-len need --strings")
    if args.eps is None:
        raise UsageError("agree needs --eps E (or --strings)")
    t0 = time.perf_counter()
    a = noise_margin(args.noise)
    if a:
        try:
            e = parse_number(args.eps, "eps")
        except BadInput as err:
            raise UsageError(str(err)) from None
        if e - a < 0:
            raise UsageError(f"eps {args.eps} is smaller than the noise amplitude {fmt(a)}: no description can agree")
        args.eps = fmt(e - a)
    if not 0 < args.z3_timeout <= 3600:
        raise UsageError("--z3-timeout must be in (0, 3600] seconds")
    f_src, g_src, r = run_agree(Path(args.f), Path(args.g), args.eps, args.domain, args.max_boxes,
                                not args.no_z3, int(args.z3_timeout * 1000))
    secs = time.perf_counter() - t0
    obj: dict[str, Any] = {"agree": r.agree, "eps": args.eps, "seconds": round(secs, 3), "method": r.method, "z3": r.z3}
    if a:
        obj["noise"] = f"uniform:{fmt(a)} (the noise-free functions were checked at eps - A = {args.eps})"
    if r.agree is True:
        cert = certificate(f_src, g_src, r, secs)
        obj["boxes"] = r.boxes
        if args.out:
            write_json_atomic(cert, args.out)
            obj["certificate"] = str(args.out)
        emit(args, obj, f"AGREE: |f - g| <= {cert['params']['eps']} on the whole domain ({r.boxes} boxes, {secs:.2f} s)"
             + (f"; wrote {args.out}" if args.out else ""))
        return EXIT_OK
    if r.agree is False:
        obj["counterexample"] = r.counterexample
        cx = r.counterexample
        emit(args, obj, f"DISAGREE: at x = {cx['x']}: f = {cx['f_approx']:.10g}, g = {cx['g_approx']:.10g} "
             f"(|f - g| > {args.eps}, proven by exact enclosures; found by {r.method})")
        return EXIT_INVALID
    obj["agree"] = None
    obj["reason"] = r.reason
    emit(args, obj, f"UNDECIDED: {r.reason}")
    return EXIT_INVALID


def cmd_agree_strings(args: argparse.Namespace) -> int:
    from pybridge.certio import write_json_atomic
    from pybridge.check.function import read_function_file
    from pybridge.families.function.strings_agree import TooLarge, agree_strings, certificate

    if args.domain or args.noise or args.eps is not None:
        raise UsageError("--strings takes --alphabet and --max-len, not --eps/--domain/--noise (string agreement is exact)")
    alpha = args.alphabet if args.alphabet is not None else "ab"
    if (not 1 <= len(alpha) <= 95 or len(set(alpha)) != len(alpha) or not all(32 <= ord(c) < 127 for c in alpha)):
        raise UsageError("--alphabet must be 1..95 distinct printable ASCII characters")
    L = 4 if args.max_len is None else args.max_len
    if not 0 <= L <= 64:
        raise UsageError("--max-len must be 0..64")
    f_src, g_src = read_function_file(Path(args.f)), read_function_file(Path(args.g))
    try:
        r = agree_strings(f_src, g_src, alpha, L)
    except TooLarge as e:
        raise UsageError(str(e)) from None
    obj: dict[str, Any] = {"agree": r.agree, "alphabet": alpha, "max_len": L, "strings": r.strings,
                           "seconds": round(r.seconds, 3), "method": "exhaustive"}
    if r.agree:
        if args.out:
            write_json_atomic(certificate(f_src, g_src, r), args.out)
            obj["certificate"] = str(args.out)
        emit(args, obj, f"AGREE: f(s) = g(s) for all {r.strings} strings of length 0..{L} over {json.dumps(alpha)}"
             + (f"; wrote {args.out}" if args.out else ""))
        return EXIT_OK
    obj["counterexample"] = r.counterexample
    cx = r.counterexample
    emit(args, obj, f"DISAGREE: at s = {json.dumps(cx['s'])}: f = {json.dumps(cx['f'])}, g = {json.dumps(cx['g'])}")
    return EXIT_INVALID


def add_commands(sub: Any) -> None:
    from pybridge.families.function.find_cli import add_find_commands

    add_find_commands(sub)  # `pybridge find generate|interpret` (find_cli.py)
    a = sub.add_parser("agree", help="is |F - G| <= eps on the whole domain? certificate (exit 0) or exact counterexample (exit 1)")
    a.add_argument("f", help="function file (.py `def f(x): ...` or JSON function file); parsed, never executed")
    a.add_argument("g", help="description file (same formats)")
    a.add_argument("--eps", help="tolerance (decimal or p/q); required for numeric functions")
    a.add_argument("--domain", help="A:B[,C:D...] closed intervals (default: the domain recorded in F's JSON file)")
    a.add_argument("--out", help="write the certificate here when the functions agree")
    a.add_argument("--max-boxes", type=int, default=200000, help="give up (exit 1, undecided) above this many boxes")
    a.add_argument("--noise", help="F's values carry noise: uniform:A (checked and certified at eps - A); "
                   "normal/poisson noise is refused (unbounded)")
    a.add_argument("--strings", action="store_true", help="string functions `def f(s)`: agreement on every string "
                   "over --alphabet up to --max-len (exhaustive; the certificate is re-checked exhaustively)")
    a.add_argument("--alphabet", help="with --strings: the characters (default ab)")
    a.add_argument("--max-len", type=int, help="with --strings: the largest length (default 4)")
    a.add_argument("--no-z3", action="store_true", help="skip z3 (otherwise used first for algebraic/piecewise functions)")
    a.add_argument("--z3-timeout", type=float, default=5.0, help="seconds for z3 before falling back to boxes (default 5)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_agree)
