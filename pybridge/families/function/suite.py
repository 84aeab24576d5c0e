"""`pybridge find generate`: a FIND-style function suite (issue 14), our own generator (untrusted).

Numeric functions (the facts of issue 14; the parameterisation below is ours): 16 atomic kinds with an
outer scale a and bias b ~ U(-30, 30) to one decimal (a != 0), trigonometric-style kinds as
`a f(2 pi / p (x - c)) + b`, polynomials of degree 2-5 with coefficients in [-5, 5], compositions (sum or
product of two of linear, polynomial, step, relu, constant, ceil, floor, rectangle, square wave). Domains
[-100, 100], [0, 100] for roots, [1, 100] for logarithms. Every parameter is a short decimal, i.e. an
exact rational: the JSON records it as "p/q" and the source writes the decimal (the language reads a
decimal literal as its exact rational).

    kind         source (description language)                      params
    constant     a                                                    a
    linear       a*x + b                                              a b
    polynomial   c0 + c1*x + ... + cd*x**d  (d in 2..5)               coeffs (ascending)
    absolute     a*abs(x - c) + b                                     a c b
    relu         a*max(x - c, 0) + b                                  a c b
    step         (a if x >= c else 0) + b                             a c b
    rectangle    (a if lo <= x <= hi else 0) + b    (lo, hi = c -+ w/2)   a c w b
    square_wave  a*(1 - 2*(floor(2(x-c)/p) - 2 floor((x-c)/p))) + b  (+a on [c, c+p/2) mod p, else -a)   a p c b
    sin cos tanh a*f(2*pi/p*(x - c)) + b                               a p c b
    gaussian     a*exp(-((x - m)/s)**2/2) + b                         a m s b
    reciprocal   a/x + b  (pole at 0: the function's domain excludes it)  a b
    rational     a*(n0 + n1*x + n2*x**2)/(x**2 + d) + b  (d > 0)      a n d b
    root         a*sqrt(x) + b (n = 2) or a*x + b (n = 1)             a b n
    logarithm    a*log(x)/log(base) + b  (base in [1.1, 10])          a b base

Variants: `plain`; `corrupted` (on an interval of width 5-25 or on a half-line x <= t / x >= t the value is
replaced by fresh N(m, 0.1) noise around the function's mean m on its domain: the source writes the mean m,
a deterministic stand-in, and the JSON records the interval, m and sigma 0.1); `noised` (uniform +-1,
normal sigma 1 or poisson lambda 1 added to each query: the source is the noise-free function and the JSON
records the noise kind). String functions: compositions of 1-3 atomic string operations written in the
Python string subset of the issue (slicing, upper/lower/capitalize/swapcase/replace, reversal,
concatenation, character tables via str.translate); the numeric language does not read them yet.

Output (deterministic: same seed and sizes -> identical bytes):
    DIR/index.json                       one entry per function file
    DIR/numeric/fNNNNN_<variant>.py      the source (`def f(x): ...`)
    DIR/numeric/fNNNNN_<variant>.json    a JSON function file (pybridge_family, source, name, kind, variant,
                                         domain, params, corruption, noise)
    DIR/strings/sNNNNN.py, .json         string functions (source + parameters)
    DIR/numeric/fNNNNN_mlp.py, .json     with --mlp N: a 1-64-1 ReLU MLP (float32, torch) trained on the plain
                                         function, written exactly (mlp.py; docs/FUNCTIONS.md)
"""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

ATOMIC = ("constant", "linear", "polynomial", "absolute", "relu", "step", "rectangle", "square_wave",
          "sin", "cos", "tanh", "gaussian", "reciprocal", "rational", "root", "logarithm")
COMPONENTS = ("linear", "polynomial", "step", "relu", "constant", "ceil", "floor", "rectangle", "square_wave")
VARIANTS = ("plain", "corrupted", "noised")


# ---------------------------------------------------------------- numbers
def dec(q: Fraction) -> str:
    """q as a literal of the language: a short decimal when q has one (exact), else (p/q); negatives in ()."""
    q = Fraction(q)
    for k in range(0, 13):
        if (q * 10**k).denominator == 1:
            n = int(q * 10**k)
            s = str(abs(n)).rjust(k + 1, "0")
            s = s if k == 0 else s[:-k] + "." + s[-k:]
            return f"(-{s})" if n < 0 else s
    return f"({q.numerator}/{q.denominator})"


def rat(q: Fraction) -> str:
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _u1(rng: random.Random, lo: float, hi: float, nonzero: bool = False) -> Fraction:
    """U(lo, hi) to one decimal, as an exact rational."""
    while True:
        q = Fraction(rng.randint(round(lo * 10), round(hi * 10)), 10)
        if q or not nonzero:
            return q


# ---------------------------------------------------------------- expressions
def expr(kind: str, p: dict[str, Any]) -> str:
    """Source expression (in x) of one atomic kind or composition component."""
    if kind == "constant":
        return dec(p["a"])
    if kind == "linear":
        return f"{dec(p['a'])}*x + {dec(p['b'])}"
    if kind == "polynomial":
        terms = [dec(c) + ("" if i == 0 else "*x" if i == 1 else f"*x**{i}") for i, c in enumerate(p["coeffs"]) if c]
        return " + ".join(terms) or "0"
    if kind == "absolute":
        return f"{dec(p['a'])}*abs(x - {dec(p['c'])}) + {dec(p['b'])}"
    if kind == "relu":
        return f"{dec(p['a'])}*max(x - {dec(p['c'])}, 0) + {dec(p['b'])}"
    if kind == "step":
        return f"({dec(p['a'])} if x >= {dec(p['c'])} else 0) + {dec(p['b'])}"
    if kind == "rectangle":
        lo, hi = p["c"] - p["w"] / 2, p["c"] + p["w"] / 2
        return f"({dec(p['a'])} if {dec(lo)} <= x <= {dec(hi)} else 0) + {dec(p['b'])}"
    if kind == "square_wave":
        c, per = dec(p["c"]), dec(p["p"])
        return (f"{dec(p['a'])}*(1 - 2*(math.floor(2*(x - {c})/{per}) - 2*math.floor((x - {c})/{per})))"
                f" + {dec(p['b'])}")
    if kind in ("sin", "cos", "tanh"):
        return f"{dec(p['a'])}*math.{kind}(2*math.pi/{dec(p['p'])}*(x - {dec(p['c'])})) + {dec(p['b'])}"
    if kind == "gaussian":
        return f"{dec(p['a'])}*math.exp(-((x - {dec(p['m'])})/{dec(p['s'])})**2/2) + {dec(p['b'])}"
    if kind == "reciprocal":
        return f"{dec(p['a'])}/x + {dec(p['b'])}"
    if kind == "rational":
        n0, n1, n2 = (dec(c) for c in p["n"])
        return f"{dec(p['a'])}*({n0} + {n1}*x + {n2}*x**2)/(x**2 + {dec(p['d'])}) + {dec(p['b'])}"
    if kind == "root":
        return (f"{dec(p['a'])}*math.sqrt(x) + {dec(p['b'])}" if p["n"] == 2 else f"{dec(p['a'])}*x + {dec(p['b'])}")
    if kind == "logarithm":
        return f"{dec(p['a'])}*math.log(x)/math.log({dec(p['base'])}) + {dec(p['b'])}"
    if kind in ("floor", "ceil"):
        return f"{dec(p['a'])}*math.{kind}(x)"
    raise ValueError(f"unknown kind {kind}")


def domain_of(kind: str) -> tuple[Fraction, Fraction]:
    return {"root": (Fraction(0), Fraction(100)), "logarithm": (Fraction(1), Fraction(100))}.get(
        kind, (Fraction(-100), Fraction(100)))


def atomic_params(kind: str, rng: random.Random) -> dict[str, Any]:
    a, b = _u1(rng, -30, 30, True), _u1(rng, -30, 30)
    if kind == "constant":
        return {"a": a}
    if kind == "linear":
        return {"a": a, "b": b}
    if kind == "polynomial":
        d = rng.randint(2, 5)
        cs = [_u1(rng, -5, 5) for _ in range(d)] + [_u1(rng, -5, 5, True)]
        return {"coeffs": cs}
    if kind in ("absolute", "relu", "step"):
        return {"a": a, "c": _u1(rng, -50, 50), "b": b}
    if kind == "rectangle":
        return {"a": a, "c": _u1(rng, -50, 50), "w": _u1(rng, 5, 50), "b": b}
    if kind == "square_wave":
        return {"a": a, "p": _u1(rng, 5, 50), "c": _u1(rng, -10, 10), "b": b}
    if kind in ("sin", "cos"):
        return {"a": a, "p": _u1(rng, 5, 60), "c": _u1(rng, -10, 10), "b": b}
    if kind == "tanh":
        return {"a": a, "p": _u1(rng, 20, 200), "c": _u1(rng, -50, 50), "b": b}
    if kind == "gaussian":
        return {"a": a, "m": _u1(rng, -50, 50), "s": _u1(rng, 2, 30), "b": b}
    if kind == "reciprocal":
        return {"a": a, "b": b}
    if kind == "rational":
        return {"a": a, "n": [_u1(rng, -5, 5) for _ in range(3)], "d": _u1(rng, 1, 100, True), "b": b}
    if kind == "root":
        return {"a": a, "b": b, "n": rng.choice((1, 2, 2, 2))}
    if kind == "logarithm":
        return {"a": a, "b": b, "base": _u1(rng, 1.1, 10)}
    raise ValueError(kind)


def component_params(kind: str, rng: random.Random) -> dict[str, Any]:
    a, b = _u1(rng, -10, 10, True), _u1(rng, -10, 10)
    if kind in ("floor", "ceil", "constant"):
        return {"a": a}
    if kind == "linear":
        return {"a": _u1(rng, -5, 5, True), "b": b}
    if kind == "polynomial":
        d = rng.randint(2, 3)
        return {"coeffs": [_u1(rng, -5, 5) for _ in range(d)] + [_u1(rng, -5, 5, True)]}
    if kind in ("step", "relu"):
        return {"a": a, "c": _u1(rng, -50, 50), "b": b}
    if kind == "rectangle":
        return {"a": a, "c": _u1(rng, -50, 50), "w": _u1(rng, 5, 50), "b": b}
    if kind == "square_wave":
        return {"a": a, "p": _u1(rng, 5, 50), "c": _u1(rng, -10, 10), "b": b}
    raise ValueError(kind)


def poles(kind: str, p: dict[str, Any]) -> list[Fraction]:
    return [Fraction(0)] if kind == "reciprocal" else []


# ---------------------------------------------------------------- float evaluation (untrusted, for choices only)
def float_eval(ir: tuple, xs: np.ndarray) -> np.ndarray:
    """f at float64 points by walking the IR (nothing is executed); NaN where undefined. Used for
    choosing parameters (the corruption mean) and quick scans; claims never rest on it."""
    with np.errstate(all="ignore"):
        return np.asarray(_fe(ir, np.asarray(xs, dtype=np.float64), {}), dtype=np.float64) * np.ones_like(xs, dtype=np.float64)


def _fe(t: tuple, x: np.ndarray, memo: dict) -> Any:
    key = id(t)
    if key in memo and memo[key][0] is t:
        return memo[key][1]
    k = t[0]
    if k == "c":
        v: Any = float(t[1])
    elif k == "x":
        v = x
    elif k == "pi":
        v = math.pi
    elif k in ("add", "sub", "mul", "div", "min", "max"):
        a, b = _fe(t[1], x, memo), _fe(t[2], x, memo)
        if k == "div":
            b = np.where(np.asarray(b) == 0, np.nan, b)
        v = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
             "min": np.minimum, "max": np.maximum}[k](a, b)
    elif k == "pow":
        a = np.asarray(_fe(t[1], x, memo), dtype=np.float64)
        v = np.power(np.where(a == 0, np.nan, a), t[2]) if t[2] < 0 else np.power(a, t[2])
    elif k == "if":
        c = _fc(t[1], x, memo)
        v = np.where(c, _fe(t[2], x, memo), _fe(t[3], x, memo))
    else:
        a = np.asarray(_fe(t[1], x, memo), dtype=np.float64)
        if k == "log":
            a = np.where(a > 0, a, np.nan)
        if k == "sqrt":
            a = np.where(a >= 0, a, np.nan)
        v = {"neg": np.negative, "abs": np.abs, "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh,
             "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "floor": np.floor, "ceil": np.ceil, "sign": np.sign}[k](a)
    memo[key] = (t, v)
    return v


def _fc(c: tuple, x: np.ndarray, memo: dict) -> Any:
    k = c[0]
    if k == "true":
        return np.ones_like(x, dtype=bool)
    if k == "false":
        return np.zeros_like(x, dtype=bool)
    if k == "not":
        return np.logical_not(_fc(c[1], x, memo))
    if k in ("and", "or"):
        f = np.logical_and if k == "and" else np.logical_or
        return f(_fc(c[1], x, memo), _fc(c[2], x, memo))
    a, b = _fe(c[1], x, memo), _fe(c[2], x, memo)
    return {"lt": np.less, "le": np.less_equal, "eq": np.equal, "ne": np.not_equal}[k](a, b)


def mean_on(src: str, dom: tuple[Fraction, Fraction]) -> Fraction:
    """The function's mean on its domain (1001 float samples, poles skipped), to one decimal."""
    from pybridge.check.function.lang import parse_function

    xs = np.linspace(float(dom[0]), float(dom[1]), 1001)
    v = float_eval(parse_function(src)[1], xs)
    v = v[np.isfinite(v)]
    return Fraction(round(float(np.mean(v)) * 10), 10) if v.size else Fraction(0)


# ---------------------------------------------------------------- variants
def source(body_lines: list[str]) -> str:
    return "def f(x):\n" + "".join(f"    {ln}\n" for ln in body_lines)


def corrupt(rng: random.Random, e: str, dom: tuple[Fraction, Fraction], m: Fraction) -> tuple[str, dict]:
    a, b = dom
    ctype = rng.choice(("interval_inside", "interval_inside", "interval_inside", "interval_smaller", "interval_larger"))
    if ctype == "interval_inside":
        w = _u1(rng, 5, 25)
        lo = _u1(rng, float(a), float(b - w))
        bd = [lo, lo + w]
        cond = f"{dec(lo)} < x < {dec(lo + w)}"
    else:
        t = _u1(rng, float(a + 5), float(b - 5))
        bd = [t]
        cond = f"x <= {dec(t)}" if ctype == "interval_smaller" else f"x >= {dec(t)}"
    src = source([f"if {cond}:", f"    return {dec(m)}", f"return {e}"])
    return src, {"type": ctype, "boundary": [rat(q) for q in bd], "mean": rat(m), "sigma": "1/10",
                 "note": "replacement values are N(mean, 0.1) noise; the source writes the mean"}


NOISES = ({"type": "uniform", "amplitude": "1"}, {"type": "normal", "sigma": "1"}, {"type": "poisson", "lambda": "1"})


def _jsonable(p: Any) -> Any:
    if isinstance(p, Fraction):
        return rat(p)
    if isinstance(p, dict):
        return {k: _jsonable(v) for k, v in p.items()}
    if isinstance(p, list):
        return [_jsonable(v) for v in p]
    return p


def numeric_suite(seed: int, n: int, n_comp: int, variants: tuple[str, ...] = VARIANTS) -> list[dict[str, Any]]:
    """Records {id, kind, variant, domain, params, source, corruption, noise, poles}: n functions per atomic
    kind, n_comp compositions, each in every variant."""
    rng = random.Random(seed)
    base = []
    for kind in ATOMIC:
        for _ in range(n):
            p = atomic_params(kind, rng)
            base.append((kind, p, expr(kind, p), domain_of(kind)))
    for _ in range(n_comp):
        k1, k2 = rng.choice(COMPONENTS), rng.choice(COMPONENTS)
        op = rng.choice(("sum", "product"))
        p1, p2 = component_params(k1, rng), component_params(k2, rng)
        e = f"({expr(k1, p1)}) {'+' if op == 'sum' else '*'} ({expr(k2, p2)})"
        base.append((f"{k1};{k2};{op}", {"op": op, "first": {"kind": k1, **p1}, "second": {"kind": k2, **p2}}, e,
                     (Fraction(-100), Fraction(100))))
    out = []
    for i, (kind, p, e, dom) in enumerate(base):
        plain = source([f"return {e}"])
        pls = poles(kind, p)
        m = mean_on(plain, dom)
        corr, cinfo = corrupt(rng, e, dom, m)
        noise = rng.choice(NOISES)
        for v in variants:
            rec = {"id": f"f{i:05d}", "kind": kind, "variant": v, "domain": [[rat(dom[0]), rat(dom[1])]],
                   "params": _jsonable(p), "source": plain, "corruption": None, "noise": None}
            if pls:
                rec["params"]["poles"] = [rat(q) for q in pls]
            if v == "corrupted":
                rec["source"], rec["corruption"] = corr, cinfo
            elif v == "noised":
                rec["noise"] = dict(noise)
            out.append(rec)
    return out


# ---------------------------------------------------------------- strings
_LOW = "abcdefghijklmnopqrstuvwxyz"


def _shift_table(k: int) -> str:
    return _LOW[k:] + _LOW[:k]


def string_op(rng: random.Random) -> tuple[list, str]:
    """([op, args...], statement rewriting s)."""
    op = rng.choice(("reverse", "upper", "lower", "capitalize", "swapcase", "replace", "take", "drop", "last",
                     "append", "prepend", "double", "shift", "every_other"))
    if op == "reverse":
        return [op], "s = s[::-1]"
    if op in ("upper", "lower", "capitalize", "swapcase"):
        return [op], f"s = s.{op}()"
    if op == "replace":
        a, b = rng.choice(_LOW), rng.choice(_LOW)
        return [op, a, b], f"s = s.replace({a!r}, {b!r})"
    if op in ("take", "drop", "last"):
        k = rng.randint(1, 5)
        return [op, k], {"take": f"s = s[:{k}]", "drop": f"s = s[{k}:]", "last": f"s = s[-{k}:]"}[op]
    if op in ("append", "prepend"):
        w = "".join(rng.choice(_LOW) for _ in range(rng.randint(1, 3)))
        return [op, w], f"s = s + {w!r}" if op == "append" else f"s = {w!r} + s"
    if op == "double":
        return [op], "s = s + s"
    if op == "every_other":
        return [op], "s = s[::2]"
    k = rng.randint(1, 25)
    return ["shift", k], f"s = s.translate(str.maketrans({_LOW!r}, {_shift_table(k)!r}))"


def string_suite(seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed ^ 0x5717)
    out = []
    for i in range(n):
        ops, lines = [], []
        for _ in range(rng.choice((1, 2, 2, 3))):
            o, ln = string_op(rng)
            ops.append(o)
            lines.append(ln)
        src = "def f(s):\n" + "".join(f"    {ln}\n" for ln in lines) + "    return s\n"
        out.append({"id": f"s{i:05d}", "kind": "string", "variant": "plain", "source": src,
                    "params": {"ops": ops, "alphabet": _LOW + _LOW.upper(), "language": "python string subset"}})
    return out


# ---------------------------------------------------------------- writing
def _dump(obj: Any) -> str:
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=True) + "\n"


def generate(out: str | Path, seed: int, n: int = 53, n_comp: int = 150, n_strings: int = 1000,
             variants: tuple[str, ...] = VARIANTS, mlp: int = 0) -> dict[str, Any]:
    """Write the suite; `mlp` > 0 also trains that many MLP variants (torch, a few seconds each) of the first
    plain functions without poles."""
    out = Path(out)
    (out / "numeric").mkdir(parents=True, exist_ok=True)
    (out / "strings").mkdir(parents=True, exist_ok=True)
    index = []
    for r in numeric_suite(seed, n, n_comp, variants):
        stem = f"{r['id']}_{r['variant']}"
        doc = {"pybridge_family": "function", "name": stem, "kind": r["kind"], "variant": r["variant"],
               "domain": r["domain"], "params": r["params"], "corruption": r["corruption"], "noise": r["noise"],
               "source": r["source"]}
        (out / "numeric" / f"{stem}.py").write_text(r["source"], encoding="utf-8")
        (out / "numeric" / f"{stem}.json").write_text(_dump(doc), encoding="utf-8")
        index.append({"id": r["id"], "kind": r["kind"], "variant": r["variant"], "source": f"numeric/{stem}.py",
                      "json": f"numeric/{stem}.json"})
    for r in string_suite(seed, n_strings):
        doc = {"pybridge_family": "function", "name": r["id"], "kind": "string", "variant": "plain",
               "params": r["params"], "source": r["source"]}
        (out / "strings" / f"{r['id']}.py").write_text(r["source"], encoding="utf-8")
        (out / "strings" / f"{r['id']}.json").write_text(_dump(doc), encoding="utf-8")
        index.append({"id": r["id"], "kind": "string", "variant": "plain", "source": f"strings/{r['id']}.py",
                      "json": f"strings/{r['id']}.json"})
    n_mlp = 0
    if mlp:
        from pybridge.families.function.mlp import mlp_source, train

        for r in numeric_suite(seed, n, n_comp, ("plain",)):
            if n_mlp >= mlp:
                break
            if r["params"].get("poles"):
                continue  # an MLP cannot follow a pole
            dom = (Fraction(r["domain"][0][0]), Fraction(r["domain"][0][1]))
            p, err = train(r["source"], dom, seed * 100003 + n_mlp)
            stem = f"{r['id']}_mlp"
            src = mlp_source(p)
            doc = {"pybridge_family": "function", "name": stem, "kind": r["kind"], "variant": "mlp",
                   "domain": r["domain"], "params": {"mlp": p, "target": r["params"], "target_source": r["source"],
                                                      "max_abs_error_float_grid": round(err, 6)},
                   "corruption": None, "noise": None, "source": src}
            (out / "numeric" / f"{stem}.py").write_text(src, encoding="utf-8")
            (out / "numeric" / f"{stem}.json").write_text(_dump(doc), encoding="utf-8")
            index.append({"id": r["id"], "kind": r["kind"], "variant": "mlp", "source": f"numeric/{stem}.py",
                          "json": f"numeric/{stem}.json"})
            n_mlp += 1
    summary = {"seed": seed, "mlp": n_mlp, "n_per_kind": n, "compositions": n_comp, "strings": n_strings, "variants": list(variants),
               "files": index}
    (out / "index.json").write_text(_dump(summary), encoding="utf-8")
    return summary
