"""Prover side (untrusted) of `agree`: is |f(x) - g(x)| <= eps for every x in the domain?

1. Counterexample search: f - g at the end points, FIND's scoring grid x = i + 0.5, a uniform grid and
   the points where the functions switch branch, each enclosed rigorously (the checker's enclosures);
   a point whose enclosure of |f - g| lies above eps is an exact counterexample.
2. Branch and bound: start from the branch points (roots of affine comparisons, integer crossings of
   affine floor/ceil/sign arguments), enclose f - g on every point and open interval, bisect what fails.
The certificate is the list of breakpoints; the trusted checker re-derives every piece.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pybridge.check.function import enclose as E
from pybridge.check.function import fmt, sha256_text
from pybridge.check.function.lang import parse_function

MAX_BRANCH_POINTS = 20000
_NUM = re.compile(r"-?([0-9]{1,40}(\.[0-9]{0,40})?|\.[0-9]{1,40})(e-?[0-9]{1,3})?(/[0-9]{1,40})?")


class BadInput(ValueError):
    """Usage-level problem (exit 2)."""


def parse_number(s: str, what: str) -> Fraction:
    s = s.strip()
    if not _NUM.fullmatch(s):
        raise BadInput(f"{what} must be a decimal or p/q number, not {s[:40]!r}")
    num, _, den = s.partition("/")
    q = Fraction(num)
    if den:
        if int(den) == 0:
            raise BadInput(f"{what} has denominator 0")
        q /= int(den)
    return q


def parse_domain(s: str) -> list[tuple[Fraction, Fraction]]:
    out = []
    for part in s.split(","):
        a, sep, b = part.partition(":")
        if not sep:
            raise BadInput(f"domain interval must be A:B, not {part[:40]!r}")
        lo, hi = parse_number(a, "domain bound"), parse_number(b, "domain bound")
        if lo > hi:
            raise BadInput(f"domain interval {part[:40]!r} has A > B")
        out.append((lo, hi))
    if not out or len(out) > 1000:
        raise BadInput("domain must have 1..1000 intervals")
    return out


@dataclass
class AgreeResult:
    agree: bool | None  # True: certificate; False: counterexample; None: undecided
    eps: Fraction
    domain: list[tuple[Fraction, Fraction]]
    breakpoints: list[list[Fraction]] = field(default_factory=list)
    counterexample: dict[str, Any] | None = None
    reason: str = ""
    boxes: int = 0
    seconds: float = 0.0
    method: str = ""  # how the verdict was found: z3, exact-pieces, sampling, bisection, boxes
    z3: str = "off"  # z3's answer: off, not-encodable, sat, sat-unverified, unsat, unknown, skipped
    sup: Fraction | None = None  # exact sup |f - g| on the domain (piecewise-linear f and g only)


def _branch_points(ir: tuple, a: Fraction, b: Fraction, out: set) -> None:
    """Points of (a, b) where an affine comparison or an affine floor/ceil/sign argument switches."""
    stack = [ir]
    seen = set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        k = t[0]
        aff = None
        integer = False
        if k in ("lt", "le", "eq", "ne"):
            aff = E.affine(("sub", t[1], t[2]))
        elif k in ("floor", "ceil", "sign", "abs"):
            aff = E.affine(t[1])
            integer = k in ("floor", "ceil")
        elif k in ("min", "max"):  # kinks (e.g. a ReLU neuron max(0, w x + b)) split linear pieces
            aff = E.affine(("sub", t[1], t[2]))
        if aff is not None and aff[0] != 0:
            c1, c0 = aff
            if not integer:
                r = -c0 / c1
                if a < r < b:
                    out.add(r)
            else:
                u, v = sorted((c1 * a + c0, c1 * b + c0))
                lo, hi = E._ceil(u), E._floor(v)
                if hi - lo + 1 + len(out) > MAX_BRANCH_POINTS:
                    raise BadInput(f"more than {MAX_BRANCH_POINTS} branch points on the domain")
                for n in range(lo, hi + 1):
                    r = (n - c0) / c1
                    if a < r < b:
                        out.add(r)
        stack.extend(c for c in t[1:] if isinstance(c, tuple))


def _iv_json(v: tuple) -> Any:
    if v[0] == v[1]:
        return fmt(v[0])
    return {"lo": fmt(E.rd(v[0])), "hi": fmt(E.ru(v[1])), "approx": float((v[0] + v[1]) / 2)}


def counterexample_at(f: tuple, g: tuple, x: Fraction, eps: Fraction) -> dict | None:
    """An exact counterexample at x if the enclosures prove |f(x) - g(x)| > eps."""
    try:
        vf, vg = E.point_values(f, g, x)
    except E.Undefined:
        return None
    d = E.sub(vf, vg)
    if d[0] > eps or d[1] < -eps:
        return {"x": fmt(x), "f": _iv_json(vf), "g": _iv_json(vg),
                "f_approx": float((vf[0] + vf[1]) / 2), "g_approx": float((vg[0] + vg[1]) / 2)}
    return None


def _samples(a: Fraction, b: Fraction, n: int) -> list[Fraction]:
    pts = [a, b]
    if a < b:
        pts += [a + (b - a) * i / n for i in range(1, n)]
        lo, hi = int(a) - 1, int(b) + 1
        pts += [Fraction(2 * i + 1, 2) for i in range(max(lo, -4096), min(hi, 4096)) if a <= Fraction(2 * i + 1, 2) <= b]
    return pts


def split_point(u: Fraction, v: Fraction) -> Fraction:
    """The shortest decimal in the middle half of (u, v) (else its midpoint): descriptions' jumps sit at
    short decimals (FIND's parameters have one decimal), and a jump must become a breakpoint to be decided."""
    w = v - u
    m = (u + v) / 2
    for k in range(0, 40):
        c = Fraction(round(m * 10**k), 10**k)
        if u + w / 4 < c < v - w / 4:
            return c
    return m


_PL_NODES = {"c", "x", "add", "sub", "neg", "min", "max", "abs", "if", "floor", "ceil", "sign", "mul", "div"}


def piecewise_linear(ir: tuple) -> bool:
    """True if ir is affine between the points `_branch_points` finds: + - neg min max abs, products and
    quotients by constants, if/floor/ceil/sign of affine arguments (e.g. a ReLU MLP, FIND's relu/step/absolute)."""
    k = ir[0]
    if k not in _PL_NODES:
        return False
    if k in ("c", "x"):
        return True
    if k in ("floor", "ceil", "sign"):
        return E.affine(ir[1]) is not None
    if k == "if":
        return _pl_cond(ir[1]) and piecewise_linear(ir[2]) and piecewise_linear(ir[3])
    if k == "mul":
        a, b = E.affine(ir[1]), E.affine(ir[2])
        const = (a is not None and a[0] == 0) or (b is not None and b[0] == 0)
        return const and piecewise_linear(ir[1]) and piecewise_linear(ir[2])
    if k == "div":
        b = E.affine(ir[2])
        return b is not None and b[0] == 0 and b[1] != 0 and piecewise_linear(ir[1])
    if k in ("min", "max") and E.affine(("sub", ir[1], ir[2])) is None:
        return False  # a kink where two non-affine pieces cross is not a branch point we compute
    if k == "abs" and E.affine(ir[1]) is None:
        return False
    return all(piecewise_linear(c) for c in ir[1:])


def _pl_cond(c: tuple) -> bool:
    k = c[0]
    if k in ("true", "false"):
        return True
    if k == "not":
        return _pl_cond(c[1])
    if k in ("and", "or"):
        return _pl_cond(c[1]) and _pl_cond(c[2])
    return E.affine(("sub", c[1], c[2])) is not None


def exact_value(ir: tuple, x: Fraction, memo: dict | None = None) -> Fraction:
    """f(x) with exact rationals for the rational node kinds (c x + - * / neg pow min max abs if floor
    ceil sign); ZeroDivisionError at a pole. Untrusted helper (the checker has its own enclosures)."""
    memo = {} if memo is None else memo
    hit = memo.get(id(ir))
    if hit is not None and hit[0] is ir:
        return hit[1]
    k = ir[0]
    if k == "c":
        v = ir[1]
    elif k == "x":
        v = x
    elif k == "if":
        v = exact_value(ir[2] if _exact_cond(ir[1], x, memo) else ir[3], x, memo)
    elif k == "pow":
        v = exact_value(ir[1], x, memo) ** ir[2]
    elif k in ("add", "sub", "mul", "div", "min", "max"):
        a, b = exact_value(ir[1], x, memo), exact_value(ir[2], x, memo)
        v = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b, "div": lambda: a / b,
             "min": lambda: min(a, b), "max": lambda: max(a, b)}[k]()
    elif k in ("neg", "abs", "floor", "ceil", "sign"):
        a = exact_value(ir[1], x, memo)
        v = {"neg": lambda: -a, "abs": lambda: abs(a), "floor": lambda: Fraction(E._floor(a)),
             "ceil": lambda: Fraction(E._ceil(a)), "sign": lambda: Fraction((a > 0) - (a < 0))}[k]()
    else:
        raise ValueError(f"no exact value for {k!r}")
    memo[id(ir)] = (ir, v)
    return v


def _exact_cond(c: tuple, x: Fraction, memo: dict) -> bool:
    k = c[0]
    if k in ("true", "false"):
        return k == "true"
    if k == "not":
        return not _exact_cond(c[1], x, memo)
    if k == "and":
        return _exact_cond(c[1], x, memo) and _exact_cond(c[2], x, memo)
    if k == "or":
        return _exact_cond(c[1], x, memo) or _exact_cond(c[2], x, memo)
    a, b = exact_value(c[1], x, memo), exact_value(c[2], x, memo)
    return {"lt": a < b, "le": a <= b, "eq": a == b, "ne": a != b}[k]


def pl_sup(f: tuple, g: tuple, domain) -> tuple[Fraction, Fraction, bool] | None:
    """Exact sup of |f - g| on the domain for piecewise-linear f and g: (sup, x, attained) where the sup is
    |f - g|(x) if attained, else its one-sided limit at x (f - g jumps there). f - g is affine on each
    open piece between consecutive kinks/branch points, so its values at two interior points give the
    one-sided limits at both ends exactly. None if f or g is not piecewise linear."""
    if not (piecewise_linear(f) and piecewise_linear(g)):
        return None

    def h(x: Fraction) -> Fraction:
        return exact_value(f, x) - exact_value(g, x)

    best: tuple[Fraction, Fraction, bool] | None = None
    for a, b in domain:
        bps: set = set()
        _branch_points(f, a, b, bps)
        _branch_points(g, a, b, bps)
        pts = [a, *sorted(bps), b] if a < b else [a]
        for p in pts:
            v = abs(h(p))
            if best is None or v > best[0]:
                best = (v, p, True)
        for u, v in zip(pts, pts[1:]):
            m1, m2 = u + (v - u) / 3, u + 2 * (v - u) / 3
            h1, h2 = h(m1), h(m2)
            s = (h2 - h1) / (m2 - m1)
            for end in (u, v):  # one-sided limits of the affine f - g on (u, v)
                lim = abs(h1 + s * (end - m1))
                if lim > best[0]:
                    best = (lim, end, False)
    return best


def _pl_counterexample(f, g, eps, domain, x: Fraction, attained: bool) -> dict | None:
    """A point where |f - g| > eps, given that sup |f - g| > eps is reached at x (or as a limit at x)."""
    if attained:
        return counterexample_at(f, g, x, eps)
    for a, b in domain:  # the limit at x from inside a piece: move into the piece by halving
        bps: set = set()
        _branch_points(f, a, b, bps)
        _branch_points(g, a, b, bps)
        pts = [a, *sorted(bps), b]
        for u, v in zip(pts, pts[1:]):
            if x not in (u, v):
                continue
            for k in range(1, 200):
                y = x + (v - u) / (1 << k) if x == u else x - (v - u) / (1 << k)
                cx = counterexample_at(f, g, y, eps)
                if cx is not None:
                    return cx
    return None


def _in_domain(x: Fraction, domain) -> bool:
    return any(a <= x <= b for a, b in domain)


def agree(f_src: str, g_src: str, eps: Fraction, domain: list[tuple[Fraction, Fraction]],
          max_boxes: int = 200000, progress=None, samples: int = 200, use_z3: bool = True,
          z3_timeout_ms: int = 5000) -> AgreeResult:
    res = _agree(f_src, g_src, eps, domain, max_boxes, samples, use_z3, z3_timeout_ms)
    if res.z3 == "unsat" and res.agree is False:  # z3 and the exact enclosures disagree: say so loudly
        res.reason = "z3 answered unsat but the checker's exact enclosures prove this counterexample (z3 encoding bug?)"
    if res.z3 == "unsat" and res.agree is None:
        res.reason = (f"{res.reason}; z3 (untrusted) finds no x where both are defined and differ by more than eps, "
                      "but there is no box certificate (a pole or a tangency at eps in the domain?)")
    return res


def _agree(f_src, g_src, eps, domain, max_boxes, samples, use_z3, z3_timeout_ms) -> AgreeResult:
    t0 = time.perf_counter()
    _, f = parse_function(f_src)
    _, g = parse_function(g_src)
    res = AgreeResult(None, eps, domain)
    # 0. exact methods first: piecewise-linear f and g (e.g. a ReLU MLP) -> the exact sup of |f - g| from
    #    the kinks (the pieces between them are the certificate's boxes); otherwise z3 for algebraic kinds
    pl = pl_sup(f, g, domain)
    if pl is not None:
        res.sup = pl[0]
        if pl[0] > eps:
            cx = _pl_counterexample(f, g, eps, domain, pl[1], pl[2])
            if cx is not None:
                res.agree, res.counterexample, res.method = False, cx, "exact-pieces"
                res.seconds = time.perf_counter() - t0
                return res
        use_z3 = False
        res.z3 = "skipped (piecewise linear)"
    # z3 for algebraic/piecewise kinds (a proposed x is verified exactly below)
    if use_z3 and pl is None:
        from pybridge.families.function import z3agree

        if not (z3agree.encodable(f) and z3agree.encodable(g)):
            res.z3 = "not-encodable"
        else:
            status, cands = z3agree.search(f, g, eps, domain, z3_timeout_ms)
            res.z3 = status
            if status == "sat":
                for x in cands:
                    cx = counterexample_at(f, g, x, eps) if _in_domain(x, domain) else None
                    if cx is not None:
                        res.agree, res.counterexample, res.method = False, cx, "z3"
                        res.seconds = time.perf_counter() - t0
                        return res
                res.z3 = "sat-unverified"
    if pl is None:
        # 1. counterexample search: every branch point and kink (for piecewise-linear f - g the largest
        #    |f - g| on each closed piece is at one of these, so this step alone is exact for them), then samples
        for a, b in domain:
            bps: set = set()
            _branch_points(f, a, b, bps)
            _branch_points(g, a, b, bps)
            for x in [a, b, *sorted(bps)]:
                cx = counterexample_at(f, g, x, eps)
                if cx is not None:
                    res.agree, res.counterexample, res.method = False, cx, "exact-pieces"
                    res.seconds = time.perf_counter() - t0
                    return res
        for a, b in domain:
            for x in sorted(set(_samples(a, b, samples))):
                cx = counterexample_at(f, g, x, eps)
                if cx is not None:
                    res.agree, res.counterexample, res.method = False, cx, "sampling"
                    res.seconds = time.perf_counter() - t0
                    return res
    # 2. branch and bound
    total = 0
    for a, b in domain:
        bps = set()
        _branch_points(f, a, b, bps)
        _branch_points(g, a, b, bps)
        pts = [a, *sorted(bps), b] if a < b else [a]
        for p in pts:
            total += 1
            try:
                d = E.diff_enclosure(f, g, E.Box(p, p, True))
            except E.Undefined as e:
                res.reason = f"f or g may be undefined at x = {fmt(p)} ({e}); exclude it from the domain"
                res.seconds = time.perf_counter() - t0
                return res
            if d[0] < -eps or d[1] > eps:
                res.reason = f"could not decide |f - g| <= eps at x = {fmt(p)}"
                res.seconds = time.perf_counter() - t0
                return res
        accepted: list[Fraction] = list(pts[1:-1])
        stack = [(u, v) for u, v in zip(pts, pts[1:])][::-1]
        minw = (b - a) / (1 << 60) if a < b else 0
        while stack:
            u, v = stack.pop()
            total += 1
            if total > max_boxes:
                res.reason = f"more than {max_boxes} boxes needed (raise --max-boxes)"
                res.seconds = time.perf_counter() - t0
                return res
            ok = False
            try:
                d = E.diff_enclosure(f, g, E.Box(u, v, False))
                ok = -eps <= d[0] and d[1] <= eps
            except E.Undefined:
                pass
            if ok:
                continue
            m = split_point(u, v)
            cx = counterexample_at(f, g, m, eps)
            if cx is not None:
                res.agree, res.counterexample, res.method = False, cx, "bisection"
                res.seconds = time.perf_counter() - t0
                return res
            if v - u < minw:
                res.reason = f"could not decide near x = {float(m):.6g} (interval width below 2^-60 of the domain)"
                res.seconds = time.perf_counter() - t0
                return res
            try:
                dm = E.diff_enclosure(f, g, E.Box(m, m, True))
            except E.Undefined as e:
                res.reason = f"f or g may be undefined at x = {fmt(m)} ({e}); exclude it from the domain"
                res.seconds = time.perf_counter() - t0
                return res
            if dm[0] < -eps or dm[1] > eps:
                res.reason = f"could not decide |f - g| <= eps at x = {fmt(m)}"
                res.seconds = time.perf_counter() - t0
                return res
            total += 1
            accepted.append(m)
            stack.append((m, v))
            stack.append((u, m))
        res.breakpoints.append(sorted(accepted))
    res.agree, res.method = True, ("exact-pieces" if pl is not None else "boxes")
    res.boxes = sum((2 * len(ps) + 3) if a < b else 1 for (a, b), ps in zip(domain, res.breakpoints))
    res.seconds = time.perf_counter() - t0
    return res


def certificate(f_src: str, g_src: str, r: AgreeResult, seconds: float) -> dict[str, Any]:
    return {
        "format": "pybridge-certificate", "version": 1, "family": "function", "strategy": "agree",
        "model_sha256": sha256_text(f_src), "model": {},
        "params": {"eps": fmt(r.eps), "domain": [[fmt(a), fmt(b)] for a, b in r.domain]},
        "claim": {"agree": True, "boxes": r.boxes},
        "hints": {"f": f_src, "g": g_src, "g_sha256": sha256_text(g_src),
                  "breakpoints": [[fmt(p) for p in ps] for ps in r.breakpoints]},
        "prover": {"tool": "pybridge function agree (interval branch and bound)", "seconds": round(seconds, 3),
                   "z3": r.z3},
    }
