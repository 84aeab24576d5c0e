"""Trusted checker of the function family (issue 14): `|f(x) - g(x)| <= eps` for every x of the domain.

The certificate embeds both sources (and their SHA-256); the checker re-parses them with its own parser
(`lang.py`, never executing anything), checks that the breakpoints partition each domain interval
[a, b] into points and open intervals, and re-derives every piece with its own rational enclosures
(`enclose.py`). docs/FUNCTIONS.md describes the format and the semantics.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from fractions import Fraction
from pathlib import Path

from pybridge.check.certificate import Certificate, sha256_field
from pybridge.check.errors import InputError, Rejected
from pybridge.check.limits import require
from pybridge.check.modelfile import read_bounded
from pybridge.check.result import CheckResult, ProgressFactory

DESCRIPTION = "functions (FIND-style descriptions as code): |f - g| <= eps on the whole domain"
__all__ = ["DESCRIPTION", "parse", "verify", "parse_rational", "fmt", "read_function_file", "MODEL_KEYS"]

STRATEGIES = ("agree", "agree-strings")
MAX_STR_LEN = 64
MAX_PIECES = 1000
MAX_RAT_DIGITS = 200
MAX_FUNCTION_FILE = 1 << 20
MODEL_KEYS = {"pybridge_family", "source", "name", "kind", "variant", "domain", "params", "corruption", "noise", "find"}
_RAT = re.compile(r"-?[0-9]{1,%d}(/[0-9]{1,%d})?" % (MAX_RAT_DIGITS, MAX_RAT_DIGITS))


def parse_rational(v: object, where: str) -> Fraction:
    """A rational written as an ASCII string "p" or "p/q" (q > 0)."""
    if not isinstance(v, str) or not _RAT.fullmatch(v):
        raise InputError(f"{where} must be a rational written \"p\" or \"p/q\" (ASCII digits, at most {MAX_RAT_DIGITS} each)")
    num, _, den = v.partition("/")
    d = int(den) if den else 1
    if d == 0:
        raise InputError(f"{where} has denominator 0")
    return Fraction(int(num), d)


def fmt(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def sha256_text(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def read_function_file(path: str | Path) -> str:
    """The source of a function file: a `.py` file (text, parsed later, never run) or a JSON function
    file `{"pybridge_family": "function", "source": ...}`."""
    path = Path(path)
    data = read_bounded(path, MAX_FUNCTION_FILE, "function file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"function file {path} is not UTF-8") from None
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            raise InputError(f"function file {path} is not valid JSON") from None
        if not isinstance(doc, dict) or doc.get("pybridge_family") != "function":
            raise InputError(f"function file {path} must be a JSON object with \"pybridge_family\": \"function\"")
        extra = set(doc) - MODEL_KEYS
        if extra:
            raise InputError(f"function file {path}: unknown key(s) {', '.join(sorted(extra))[:80]}")
        if not isinstance(doc.get("source"), str):
            raise InputError(f"function file {path}: \"source\" must be a string")
        return doc["source"]
    return text


def parse(doc: dict) -> Certificate:
    strategy = doc.get("strategy")
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r} for family function (known: {', '.join(STRATEGIES)})")
    sha = sha256_field(doc)
    model = doc.get("model")
    if not isinstance(model, dict) or not set(model) <= {"file"} or not isinstance(model.get("file", ""), str):
        raise InputError("certificate field model must be an object with at most a string 'file'")
    if strategy == "agree-strings":
        return _parse_strings(doc, sha, model)
    params = doc.get("params")
    if not isinstance(params, dict) or set(params) != {"eps", "domain"}:
        raise InputError("certificate field params must hold exactly eps and domain")
    eps = parse_rational(params["eps"], "params.eps")
    if eps < 0:
        raise InputError("params.eps must be >= 0")
    dom = params["domain"]
    if not isinstance(dom, list) or not 1 <= len(dom) <= MAX_PIECES:
        raise InputError(f"params.domain must be a list of 1..{MAX_PIECES} intervals")
    pieces = []
    for i, p in enumerate(dom):
        if not isinstance(p, list) or len(p) != 2:
            raise InputError(f"params.domain[{i}] must be [a, b]")
        a, b = parse_rational(p[0], f"params.domain[{i}][0]"), parse_rational(p[1], f"params.domain[{i}][1]")
        if a > b:
            raise InputError(f"params.domain[{i}] has a > b")
        pieces.append((a, b))
    claim = doc.get("claim")
    if not isinstance(claim, dict) or set(claim) != {"agree", "boxes"} or claim["agree"] is not True \
            or type(claim["boxes"]) is not int or claim["boxes"] < 1:
        raise InputError("certificate field claim must be {\"agree\": true, \"boxes\": N} with an integer N >= 1")
    hints = doc.get("hints")
    if not isinstance(hints, dict) or set(hints) != {"f", "g", "g_sha256", "breakpoints"}:
        raise InputError("certificate field hints must hold exactly f, g, g_sha256, breakpoints")
    for k in ("f", "g"):
        if not isinstance(hints[k], str):
            raise InputError(f"hints.{k} must be a string (function source)")
    if not isinstance(hints["g_sha256"], str) or not re.fullmatch(r"[0-9a-f]{64}", hints["g_sha256"]):
        raise InputError("hints.g_sha256 must be 64 lowercase hex digits")
    bps = hints["breakpoints"]
    if not isinstance(bps, list) or len(bps) != len(pieces):
        raise InputError("hints.breakpoints must hold one list per domain interval")
    breaks = []
    for i, lst in enumerate(bps):
        if not isinstance(lst, list):
            raise InputError(f"hints.breakpoints[{i}] must be a list")
        breaks.append([parse_rational(v, f"hints.breakpoints[{i}][{j}]") for j, v in enumerate(lst)])
    hints_out = {"f": hints["f"], "g": hints["g"], "g_sha256": hints["g_sha256"], "eps": eps,
                 "domain": pieces, "breakpoints": breaks}
    shape = {"pieces": len(pieces)}
    return Certificate("agree", sha, shape, model.get("file"), 0, 0, claim["boxes"], claim["boxes"], None,
                       hints_out, "function")


def _parse_strings(doc: dict, sha: str, model: dict) -> Certificate:
    params = doc.get("params")
    if not isinstance(params, dict) or set(params) != {"alphabet", "max_len"}:
        raise InputError("certificate field params must hold exactly alphabet and max_len")
    alpha, L = params["alphabet"], params["max_len"]
    if (not isinstance(alpha, str) or not 1 <= len(alpha) <= 95 or len(set(alpha)) != len(alpha)
            or not all(32 <= ord(c) < 127 for c in alpha)):
        raise InputError("params.alphabet must be 1..95 distinct printable ASCII characters")
    if type(L) is not int or not 0 <= L <= MAX_STR_LEN:
        raise InputError(f"params.max_len must be an integer 0..{MAX_STR_LEN}")
    claim = doc.get("claim")
    if not isinstance(claim, dict) or set(claim) != {"agree", "strings"} or claim["agree"] is not True \
            or type(claim["strings"]) is not int or claim["strings"] < 1:
        raise InputError("certificate field claim must be {\"agree\": true, \"strings\": N} with an integer N >= 1")
    hints = doc.get("hints")
    if not isinstance(hints, dict) or set(hints) != {"f", "g", "g_sha256"}:
        raise InputError("certificate field hints must hold exactly f, g, g_sha256")
    for k in ("f", "g"):
        if not isinstance(hints[k], str):
            raise InputError(f"hints.{k} must be a string (function source)")
    if not isinstance(hints["g_sha256"], str) or not re.fullmatch(r"[0-9a-f]{64}", hints["g_sha256"]):
        raise InputError("hints.g_sha256 must be 64 lowercase hex digits")
    h = {"f": hints["f"], "g": hints["g"], "g_sha256": hints["g_sha256"], "alphabet": alpha, "max_len": L}
    return Certificate("agree-strings", sha, {"alphabet": len(alpha), "max_len": L}, model.get("file"), 0, 0,
                       claim["strings"], claim["strings"], None, h, "function")


def _verify_strings(cert: Certificate, model, progress) -> CheckResult:
    """Exhaustive: f(s) == g(s) for every string s over the alphabet of length 0..max_len (work bound first)."""
    from pybridge.check.function import strings as S

    t0 = time.perf_counter()
    h = cert.hints
    alpha, L = h["alphabet"], h["max_len"]
    n = S.space_size(alpha, L)
    require("function agree-strings (sources)", work=len(h["f"]) + len(h["g"]))
    if sha256_text(h["f"]) != cert.model_sha256:
        raise Rejected("hints.f does not match model_sha256")
    if sha256_text(h["g"]) != h["g_sha256"]:
        raise Rejected("hints.g does not match hints.g_sha256")
    if model is not None and sha256_text(read_function_file(model)) != cert.model_sha256:
        raise Rejected(f"model file {model} is not the function f of this certificate (source SHA-256 differs)")
    _, tf, f = S.parse_string_function(h["f"])
    _, tg, g = S.parse_string_function(h["g"])
    longest = max(S.length_bound(f, L), S.length_bound(g, L))
    if longest > S.MAX_STR_BOUND:
        raise InputError(f"intermediate strings may reach {longest} characters (limit {S.MAX_STR_BOUND})")
    # work: every string, every node of both functions, each touching at most `longest` characters
    require("function agree-strings", work=n * (S._size(f) + S._size(g)) * max(1, longest))
    if n != cert.total:
        raise Rejected(f"claim.strings = {cert.total} but the alphabet and max_len give {n} strings")
    bar = progress("check function agree-strings", n) if progress else None
    for i, s in enumerate(S.all_strings(alpha, L)):
        a, b = S.evaluate(f, s), S.evaluate(g, s)
        if a != b or type(a) is not type(b):
            raise Rejected(f"f and g differ at s = {json.dumps(s)}: f(s) = {json.dumps(a)[:80]}, g(s) = {json.dumps(b)[:80]}")
        if bar and i % 4096 == 4095:
            bar(4096)
    if bar:
        bar(n % 4096)
    return CheckResult(
        strategy="agree-strings", correct_at_least=n, total=n, verified_correct=n,
        seconds={"total": time.perf_counter() - t0}, family="function",
        statement=f"f(s) = g(s) for every string s of length 0..{L} over {json.dumps(alpha)} ({n} strings, exhaustive)",
        details={"alphabet": alpha, "max_len": L, "strings": n, "f_sha256": cert.model_sha256, "g_sha256": h["g_sha256"]},
    )


def _boxes(pieces, breaks):
    """The partition: for [a, b] with interior breakpoints p1 < ... < pk, the points a, p1, ..., pk, b and
    the open intervals between consecutive ones. Rejected unless the breakpoints are strictly inside and increasing."""
    out = []
    for i, ((a, b), ps) in enumerate(zip(pieces, breaks)):
        pts = [a, *ps, b] if a < b else [a]
        if a == b and ps:
            raise Rejected(f"domain interval {i} is a point but has breakpoints")
        for u, v in zip(pts, pts[1:]):
            if not u < v:
                raise Rejected(f"breakpoints of domain interval {i} are not strictly increasing inside ({fmt(u)}, {fmt(v)})")
        out.extend((p, p, True) for p in pts)
        out.extend((u, v, False) for u, v in zip(pts, pts[1:]))
    return out


def verify(cert: Certificate, cert_path: Path, model, progress: ProgressFactory | None = None,
           cache: dict | None = None) -> CheckResult:
    from pybridge.check.function import enclose as E
    from pybridge.check.function.lang import parse_function, size

    if cert.strategy == "agree-strings":
        return _verify_strings(cert, model, progress)
    t0 = time.perf_counter()
    h = cert.hints
    pieces, breaks, eps = h["domain"], h["breakpoints"], h["eps"]
    nboxes = sum((2 * len(ps) + 3) if a < b else 1 for (a, b), ps in zip(pieces, breaks))
    bits = max([eps.numerator.bit_length(), eps.denominator.bit_length()]
               + [max(q.numerator.bit_length(), q.denominator.bit_length()) for ps in breaks for q in ps]
               + [max(q.numerator.bit_length(), q.denominator.bit_length()) for p in pieces for q in p])
    srcs = (h["f"], h["g"])
    require("function agree (sources)", work=sum(len(s) for s in srcs))
    if sha256_text(h["f"]) != cert.model_sha256:
        raise Rejected("hints.f does not match model_sha256")
    if sha256_text(h["g"]) != h["g_sha256"]:
        raise Rejected("hints.g does not match hints.g_sha256")
    if model is not None:
        src = read_function_file(model)
        if sha256_text(src) != cert.model_sha256:
            raise Rejected(f"model file {model} is not the function f of this certificate (source SHA-256 differs)")
    _, f = parse_function(h["f"])
    _, g = parse_function(h["g"])
    nodes = size(f) + size(g)
    # one box: each node is one interval operation (transcendental ones ~ 400 small-integer steps), done
    # twice (box and midpoint for the mean-value form)
    require("function agree", work=nboxes * nodes * 800 * 2, bits=bits + E.PREC * 4)
    if nboxes != cert.total:
        raise Rejected(f"claim.boxes = {cert.total} but the breakpoints give {nboxes} boxes")
    boxes = _boxes(pieces, breaks)
    bar = progress("check function agree", len(boxes)) if progress else None
    for i, (lo, hi, point) in enumerate(boxes):
        box = E.Box(lo, hi, point)
        try:
            d = E.diff_enclosure(f, g, box)
        except E.Undefined as e:
            where = f"x = {fmt(lo)}" if point else f"({fmt(lo)}, {fmt(hi)})"
            raise Rejected(f"box {where}: f or g may be undefined ({e})") from None
        except (ZeroDivisionError, OverflowError, RecursionError, MemoryError) as e:
            raise InputError(f"evaluation failed ({type(e).__name__})") from None
        if d[0] < -eps or d[1] > eps:
            where = f"x = {fmt(lo)}" if point else f"({fmt(lo)}, {fmt(hi)})"
            raise Rejected(f"box {where}: |f - g| is not proven <= eps (enclosure [{float(d[0]):.6g}, {float(d[1]):.6g}])")
        if bar and i % 256 == 255:
            bar(256)
    if bar:
        bar(len(boxes) % 256)
    dom = ", ".join(f"[{fmt(a)}, {fmt(b)}]" for a, b in pieces)
    if len(dom) > 200:
        dom = dom[:200] + "..."
    return CheckResult(
        strategy="agree", correct_at_least=nboxes, total=nboxes, verified_correct=nboxes,
        seconds={"total": time.perf_counter() - t0}, family="function",
        statement=f"|f(x) - g(x)| <= {fmt(eps)} for every x in {dom} ({nboxes} boxes re-derived)",
        details={"eps": fmt(eps), "domain": [[fmt(a), fmt(b)] for a, b in pieces], "boxes": nboxes,
                 "f_sha256": cert.model_sha256, "g_sha256": h["g_sha256"]},
    )
