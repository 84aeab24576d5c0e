"""`pybridge find generate` and `pybridge find interpret` (issue 14, items 2 and 5; untrusted).

    pybridge find generate --out DIR --seed S [--n N] [--compositions M] [--strings K]
    pybridge find interpret F [--domain=A:B[,C:D]] [--eps-frac 0.05 | --eps E] [--noise KIND:P] [--out CERT] [--json]

`interpret` exits 0 when its description is certified on the domain it reports (which may leave out an
interval where F departs from it: the result says which part of F's domain the certificate covers), 1 when
it is refuted or undecided, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from pybridge.clikit import EXIT_INVALID, EXIT_OK, UsageError, emit


def cmd_generate(args: argparse.Namespace) -> int:
    from pybridge.families.function.suite import generate

    for k in ("n", "compositions", "strings"):
        v = getattr(args, k)
        if not 0 <= v <= 100000:
            raise UsageError(f"--{k} must be in 0..100000")
    if not 0 <= args.mlp <= 10000:
        raise UsageError("--mlp must be in 0..10000")
    s = generate(args.out, args.seed, args.n, args.compositions, args.strings, mlp=args.mlp)
    nums = sum(1 for f in s["files"] if f["kind"] != "string")
    strs = len(s["files"]) - nums
    emit(args, {"out": str(args.out), "numeric_files": nums, "string_files": strs, "seed": args.seed},
         f"wrote {nums} numeric function files ({args.n} per atomic kind x 16 kinds + {args.compositions} compositions, "
         f"variants plain/corrupted/noised{', %d MLP variants' % s['mlp'] if s['mlp'] else ''}) and {strs} string functions to {args.out} (index.json)")
    return EXIT_OK


def _read_f(path: Path) -> tuple[str, dict]:
    """(source, the JSON function file's metadata or {}); both read through the bounded reader."""
    from pybridge.check.function import MAX_FUNCTION_FILE, read_function_file
    from pybridge.check.modelfile import read_bounded

    src = read_function_file(path)
    meta: dict = {}
    try:
        doc = json.loads(read_bounded(path, MAX_FUNCTION_FILE, "function file").decode("utf-8"))
        if isinstance(doc, dict):
            meta = doc
    except (UnicodeDecodeError, ValueError, RecursionError):
        pass
    return src, meta


def _domain(meta: dict, given: str | None):
    from pybridge.check.function import parse_rational
    from pybridge.families.function.agree import BadInput, parse_domain

    if given:
        try:
            return parse_domain(given)
        except BadInput as e:
            raise UsageError(str(e)) from None
    d = meta.get("domain")
    if isinstance(d, list) and d and all(isinstance(p, list) and len(p) == 2 for p in d):
        out = [(parse_rational(a, "domain"), parse_rational(b, "domain")) for a, b in d]
        if all(a <= b for a, b in out):
            return out
        raise UsageError("the function file's domain has an interval with A > B")
    return [(Fraction(-100), Fraction(100))]  # FIND's domain


def _noise(spec: str | None) -> tuple[str, Fraction] | None:
    from pybridge.families.function.agree import BadInput, parse_number

    if not spec:
        return None
    kind, _, p = spec.partition(":")
    if kind not in ("uniform", "normal", "poisson") or not p:
        raise UsageError("--noise takes uniform:A, normal:SIGMA or poisson:LAMBDA")
    try:
        v = parse_number(p, "noise parameter")
    except BadInput as e:
        raise UsageError(str(e)) from None
    if v < 0 or v > 1000:
        raise UsageError("noise parameter must be in [0, 1000]")
    return kind, v


def cmd_interpret(args: argparse.Namespace) -> int:
    from pybridge.certio import write_json_atomic
    from pybridge.families.function.agree import BadInput, parse_number
    from pybridge.families.function.interpret import interpret

    src, meta = _read_f(Path(args.f))
    from pybridge.check.function.lang import parse_function

    parse_function(src)  # refuse anything outside the language before any work (InputError: exit 2)
    dom = _domain(meta, args.domain)
    try:
        frac = parse_number(args.eps_frac, "--eps-frac")
        eps = parse_number(args.eps, "--eps") if args.eps else None
    except BadInput as e:
        raise UsageError(str(e)) from None
    if not 0 < frac <= 1:
        raise UsageError("--eps-frac must be in (0, 1]")
    if eps is not None and eps <= 0:
        raise UsageError("--eps must be > 0")
    if not 16 <= args.samples <= 20000:
        raise UsageError("--samples must be in 16..20000")
    try:
        r = interpret(src, dom, eps_frac=frac, eps=eps, n_samples=args.samples, max_boxes=args.max_boxes,
                      noise=_noise(args.noise), seed=args.seed)
    except ValueError as e:
        raise UsageError(str(e).splitlines()[0]) from None
    obj: dict[str, Any] = r.to_json()
    if r.certificate is not None and args.out:
        write_json_atomic(r.certificate, args.out)
        obj["certificate"] = str(args.out)
    dom_txt = " u ".join(f"[{float(a):g}, {float(b):g}]" for a, b in r.domain)
    lines = [r.description.rstrip(), f"kind: {r.kind}",
             f"domain: {dom_txt} ({float(r.covered()) * 100:.1f}% of F's domain"
             + (", excluded " + ", ".join(f"({float(a):g}, {float(b):g})" for a, b in r.excluded) if r.excluded else "")
             + ")"]
    if r.noise_note:
        lines.append(f"noise: {r.noise_note}")
    if r.verdict == "certified":
        lines.append(f"verdict: CERTIFIED |f - g| <= {float(r.claim_eps):g} on that domain ({r.boxes} boxes)"
                     + (f"; wrote {args.out}" if args.out else ""))
    elif r.verdict == "refuted":
        cx = r.counterexample or {}
        lines.append(f"verdict: REFUTED at x = {cx.get('x')}: f = {cx.get('f_approx', 0):.10g}, "
                     f"g = {cx.get('g_approx', 0):.10g} (|f - g| > {float(r.claim_eps):g})")
    else:
        lines.append(f"verdict: UNDECIDED ({r.reason})")
    emit(args, obj, "\n".join(lines))
    return EXIT_OK if r.verdict == "certified" else EXIT_INVALID


def add_find_commands(sub: Any) -> None:
    f = sub.add_parser("find", help="FIND-style function suite: generate it, or interpret a function (no LM) with a certificate")
    fs = f.add_subparsers(dest="find_command", required=True)
    g = fs.add_parser("generate", help="write the numeric and string suites (source + JSON parameters per function)")
    g.add_argument("--out", required=True, help="output directory")
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--n", type=int, default=53, help="functions per atomic kind (16 kinds; default 53, about FIND's 850)")
    g.add_argument("--compositions", type=int, default=150, help="sums/products of two components (default 150)")
    g.add_argument("--strings", type=int, default=1000, help="string functions (default 1000)")
    g.add_argument("--mlp", type=int, default=0, help="also train this many 1-64-1 ReLU MLP variants (torch; "
                   "a few seconds each; default 0)")
    g.add_argument("--json", action="store_true")
    g.set_defaults(func=cmd_generate)
    i = fs.add_parser("interpret", help="fit atomic kinds and compositions to samples of F, propose code + domain, "
                      "decide it with agree at eps (exit 0 certified, 1 refuted/undecided)")
    i.add_argument("f", help="function file (.py `def f(x): ...` or JSON function file); parsed, never executed")
    i.add_argument("--domain", help="A:B[,C:D...] (default: the domain in F's JSON file, else [-100, 100])")
    i.add_argument("--eps-frac", default="0.05", help="eps as a fraction of F's sampled range (default 0.05)")
    i.add_argument("--eps", help="absolute eps (overrides --eps-frac)")
    i.add_argument("--noise", help="F is queried with noise: uniform:A (claim at eps - A), normal:S, poisson:L "
                   "(unbounded: the claim covers the noise-free F only); the samples get simulated noise")
    i.add_argument("--seed", type=int, default=0, help="seed of the simulated noise")
    i.add_argument("--samples", type=int, default=400, help="uniform samples besides FIND's grid (default 400)")
    i.add_argument("--max-boxes", type=int, default=20000)
    i.add_argument("--out", help="write the certificate here when certified")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_interpret)
