"""z3 for the algebraic and piecewise kinds of `agree` (issue 14): random algebraic expressions certify
against themselves, refute against a shift with a counterexample checked by an independent exact
evaluation, and z3's verdict never contradicts the interval branch and bound."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction as F

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pybridge.check import verify
from pybridge.check.function.lang import parse_function
from pybridge.families.function import z3agree
from pybridge.families.function.agree import agree, certificate

LEAVES = ["x", "1", "2.5", "x/3", "-x", "0.7"]
UNARY = ["abs({})", "math.floor({})", "np.sign({})", "({})**2", "math.sqrt(({})**2 + 1)", "1/(({})**2 + 2)",
         "math.ceil({}/2)"]
BINARY = ["({} + {})", "({} - {})", "({} * {})", "max({}, {})", "min({}, {})", "({} if x > 0.5 else {})",
          "np.where(x*x < 2, {}, {})"]
DOM = [(F(-2), F(2))]


@st.composite
def exprs(draw, depth=3):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(LEAVES))
    if draw(st.booleans()):
        return draw(st.sampled_from(UNARY)).format(draw(exprs(depth - 1)))
    return draw(st.sampled_from(BINARY)).format(draw(exprs(depth - 1)), draw(exprs(depth - 1)))


def ref(src: str, x: F):
    """Slow, obviously-correct reference: exact Fractions, sqrt by mpmath at 400 bits (returns an mpf)."""
    _, ir = parse_function(src)
    mpmath.mp.prec = 400

    def both(a, b):  # exact while both are Fractions; mpf (400 bits) once a square root is involved
        if isinstance(a, F) and isinstance(b, F):
            return a, b
        m = lambda v: mpmath.mpf(v.numerator) / v.denominator if isinstance(v, F) else v
        return m(a), m(b)

    def ev(t):
        k = t[0]
        if k == "c":
            return t[1]
        if k == "x":
            return x
        if k == "if":
            return ev(t[2]) if cond(t[1]) else ev(t[3])
        if k == "pow":
            return ev(t[1]) ** t[2]
        if k in ("add", "sub", "mul", "div", "min", "max"):
            a, b = both(ev(t[1]), ev(t[2]))
            return {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b, "div": lambda: a / b,
                    "min": lambda: min(a, b), "max": lambda: max(a, b)}[k]()
        a = ev(t[1])
        if k == "sqrt":
            a = mpmath.mpf(a.numerator) / a.denominator if isinstance(a, F) else a
            return mpmath.sqrt(a)
        if k == "floor":  # (an mpf argument is irrational here: not within 2^-400 of an integer in these tests)
            return F(int(mpmath.floor(a))) if not isinstance(a, F) else F(a.numerator // a.denominator)
        if k == "ceil":
            return F(int(mpmath.ceil(a))) if not isinstance(a, F) else F(-((-a.numerator) // a.denominator))
        return {"neg": lambda: -a, "abs": lambda: abs(a), "sign": lambda: F((a > 0) - (a < 0))}[k]()

    def cond(c):
        k = c[0]
        if k in ("true", "false"):
            return k == "true"
        if k == "not":
            return not cond(c[1])
        if k in ("and", "or"):
            return (cond(c[1]) and cond(c[2])) if k == "and" else (cond(c[1]) or cond(c[2]))
        a, b = both(ev(c[1]), ev(c[2]))
        return {"lt": a < b, "le": a <= b, "eq": a == b, "ne": a != b}[k]

    v = ev(ir)
    return mpmath.mpf(v.numerator) / v.denominator if isinstance(v, F) else v


def _ir(src):
    return parse_function(src)[1]


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=25, **SETTINGS)
@given(e=exprs())
def test_self_agreement_certifies_and_z3_says_unsat(e, tmp_path_factory):
    f, g = f"def f(x):\n    return {e}\n", f"def g(x):\n    return 0 + ({e})\n"
    assert z3agree.search(_ir(f), _ir(g), F(1, 100), DOM, 5000)[0] in ("unsat", "unknown")
    r = agree(f, f"def g(x):\n    return {e}\n", F(1, 100), DOM, max_boxes=4000)
    assert r.agree is True and r.z3 in ("unsat", "unknown", "skipped (piecewise linear)"), r
    p = tmp_path_factory.mktemp("z3self") / "c.json"
    p.write_text(json.dumps(certificate(f, f"def g(x):\n    return {e}\n", r, 0.0)))
    assert verify(p).total == r.boxes


@settings(max_examples=25, **SETTINGS)
@given(e=exprs(), c=st.sampled_from(["0.02", "-0.5", "3", "-1/7"]))
def test_shift_refutes_with_a_counterexample_checked_exactly(e, c):
    eps = F(1, 100)
    f, g = f"def f(x):\n    return {e}\n", f"def g(x):\n    return ({e}) + ({c})\n"
    r = agree(f, g, eps, DOM, max_boxes=4000)
    assert r.agree is False, r
    x = F(r.counterexample["x"])
    assert DOM[0][0] <= x <= DOM[0][1]
    assert abs(ref(f, x) - ref(g, x)) > mpmath.mpf(eps.numerator) / eps.denominator


@settings(max_examples=30, **SETTINGS)
@given(e1=exprs(), e2=exprs(), eps=st.sampled_from([F(0), F(1, 10), F(1), F(3)]))
def test_z3_and_boxes_never_disagree(e1, e2, eps):
    f, g = f"def f(x):\n    return {e1}\n", f"def g(x):\n    return {e2}\n"
    boxes = agree(f, g, eps, DOM, max_boxes=3000, use_z3=False)
    status, cands = z3agree.search(_ir(f), _ir(g), eps, DOM, 5000)
    if status == "unsat":
        assert boxes.agree is not False, (boxes.counterexample, "z3 said unsat")
    if boxes.agree is True:
        assert status != "sat", (cands, "boxes certified")
    with_z3 = agree(f, g, eps, DOM, max_boxes=3000)
    assert {with_z3.agree, boxes.agree} != {True, False}
    if with_z3.agree is False:
        x = F(with_z3.counterexample["x"])
        assert abs(ref(f, x) - ref(g, x)) > mpmath.mpf(eps.numerator) / eps.denominator


# the same random tree rendered twice, with each operation written in an equivalent second form
TWINS_U = [("abs({})", "max({0}, -({0}))"), ("math.floor({})", "-math.ceil(-({0}))"),
           ("np.sign({})", "(1 if ({0}) > 0 else (-1 if ({0}) < 0 else 0))"), ("({})**2", "({0})*({0})"),
           ("1/(({})**2 + 2)", "2/(2*({0})*({0}) + 4)")]
TWINS_B = [("max({}, {})", "({0} if {0} >= {1} else {1})"), ("min({}, {})", "-max(-({0}), -({1}))"),
           ("({} - {})", "(-({1}) + {0})"), ("({} if x > 0.5 else {})", "({1} if x <= 1/2 else {0})")]


@st.composite
def twins(draw, depth=3):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        v = draw(st.sampled_from(LEAVES))
        return v, v
    if draw(st.booleans()):
        a, b = draw(st.sampled_from(TWINS_U))
        u, v = draw(twins(depth - 1))
        return a.format(u), b.format(v)
    a, b = draw(st.sampled_from(TWINS_B))
    (u1, v1), (u2, v2) = draw(twins(depth - 1)), draw(twins(depth - 1))
    return a.format(u1, u2), b.format(v1, v2)


@settings(max_examples=30, **SETTINGS)
@given(t=twins())
def test_equivalent_renderings_z3_unsat_and_boxes_never_refute(t):
    f, g = f"def f(x):\n    return {t[0]}\n", f"def g(x):\n    return {t[1]}\n"
    assert z3agree.search(_ir(f), _ir(g), F(0), DOM, 5000)[0] in ("unsat", "unknown")
    r = agree(f, g, F(1, 1000), DOM, max_boxes=3000)
    assert r.agree is not False, r.counterexample


def test_z3_finds_a_narrow_spike_that_sampling_misses():
    f = "def f(x): return x**2 - 3*x"
    g = "def g(x): return x**2 - 3*x + (0.5 if 0.30011 < x < 0.300111 else 0)"
    r = agree(f, g, F(1, 10), [(F(-10), F(10))])
    assert r.agree is False and r.method == "z3" and r.z3 == "sat"
    assert F(30011, 100000) < F(r.counterexample["x"]) < F(300111, 1000000)


def test_algebraic_models_become_verified_rationals():
    # |f| > 1e11 only within ~1e-6 of sqrt(2): z3's model of x is algebraic; a rational near it is checked
    f = "def f(x): return 1/((x*x - 2)**2 + 0.000000000001)"
    r = agree(f, "def g(x): return 0", F(10**11), [(F(0), F(10))])
    assert r.agree is False and r.method == "z3"
    x = F(r.counterexample["x"])
    assert ref(f, x) > 10**11


def test_definedness_follows_the_branch_taken():
    # 1/x is only evaluated where x != 0, so x = 0 is in f's domain and f - g = 5 there
    f = "def f(x): return 1/x if x != 0 else 5"
    r = agree(f, "def g(x): return 1/x if x != 0 else 0", F(1), [(F(-1), F(1))])
    assert r.agree is False and r.counterexample["x"] == "0"


def test_transcendental_kinds_are_not_sent_to_z3():
    r = agree("def f(x): return math.sin(x)", "def g(x): return math.sin(x) + 0.001", F(1, 100), DOM)
    assert r.agree is True and r.z3 == "not-encodable"


def test_cli_reports_method_and_z3(tmp_path):
    (tmp_path / "f.py").write_text("def f(x): return x*x - 2*abs(x)\n")
    (tmp_path / "g.py").write_text("def g(x): return abs(x)*abs(x) - 2*max(x, -x)\n")
    (tmp_path / "h.py").write_text("def g(x): return abs(x)*abs(x) - 2*max(x, -x) + (1 if x == 1.25 else 0)\n")
    run = lambda *a: subprocess.run([sys.executable, "-m", "pybridge.cli", *a], capture_output=True, text=True, timeout=120)
    r = run("agree", str(tmp_path / "f.py"), str(tmp_path / "g.py"), "--eps", "1/1000", "--domain=-3:3", "--json",
            "--out", str(tmp_path / "c.json"))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["agree"] is True and out["z3"] == "unsat" and out["method"] == "boxes"
    assert run("check", str(tmp_path / "c.json")).returncode == 0
    r = run("agree", str(tmp_path / "f.py"), str(tmp_path / "h.py"), "--eps", "0.5", "--domain=-3:3", "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 1 and out["counterexample"]["x"] == "5/4" and out["method"] == "z3"
    r = run("agree", str(tmp_path / "f.py"), str(tmp_path / "h.py"), "--eps", "0.5", "--domain=-3:3", "--no-z3", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["z3"] == "off"
    r = run("agree", str(tmp_path / "f.py"), str(tmp_path / "g.py"), "--eps", "0", "--domain=0:1", "--z3-timeout", "inf")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
