"""The function family (issue 14): the description language (never executed), the trusted enclosures
against mpmath at 300 bits, agree/counterexample properties, tampered certificates, the CLI contract."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pybridge.check import Rejected, verify
from pybridge.check.errors import InputError
from pybridge.check.function import enclose as E
from pybridge.check.function.lang import parse_function
from pybridge.families.function.agree import agree, certificate

SIN_F = "import math\ndef f(x):\n    return 3*math.sin(2*math.pi/7*(x - 1)) + 2\n"
SIN_G = "def g(x):\n    y = 2*np.pi/7*(x - 1)\n    return 3*np.sin(y) + 2.04\n"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *args], capture_output=True, text=True, timeout=300)


# ---------------------------------------------------------------- the language: parsed, never executed
@pytest.mark.parametrize("src, word", [
    ("def f(x): return __import__('os').system('touch /tmp/pwned_h4')", "call"),
    ("def f(x): return x.real", "attribute"),
    ("def f(x): return (lambda y: y)(x)", "call"),
    ("def f(x): return [1 for _ in ()]", "ListComp"),
    ("def f(x):\n    for i in range(3):\n        x = x + 1\n    return x", "For"),
    ("def f(x):\n    while x > 0:\n        x = x - 1\n    return x", "While"),
    ("def f(x): return eval('1')", "call"),
    ("def f(x): return math.sys", "attribute"),
    ("import os\ndef f(x): return x", "top-level"),
    ("def f(x): return x ** 0.5", "integer exponent"),
    ("def f(x): return open('/etc/passwd')", "call"),
    ("def f(x): return 'a'", "literal"),
])
def test_constructs_outside_the_language_are_refused_in_one_line(src, word, tmp_path):
    with pytest.raises(InputError) as e:
        parse_function(src)
    msg = str(e.value)
    assert "\n" not in msg and word.lower() in msg.lower(), msg
    assert not Path("/tmp/pwned_h4").exists()
    p = tmp_path / "bad.py"
    p.write_text(src)
    (tmp_path / "ok.py").write_text("def f(x): return x\n")
    r = run("agree", str(tmp_path / "ok.py"), str(p), "--eps", "1", "--domain", "0:1")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not Path("/tmp/pwned_h4").exists()


def test_language_features():
    _, ir = parse_function("def f(x):\n  if x > 2:\n    return np.where(x < 3, abs(x), max(x, 1, 2))\n"
                           "  y = math.log10(x*x + 1) + np.heaviside(x, 0.5)\n  return min(y, math.e) + 26.8\n")
    assert ("c", F(268, 10)) in _consts(ir)
    with pytest.raises(InputError, match="nodes"):  # locals count once per use: no exponential blow-up
        parse_function("def f(x):\n  a = x + x\n" + "".join("  a = a + a\n" for _ in range(20)) + "  return a\n")


def _consts(ir, out=None):
    out = [] if out is None else out
    if ir[0] == "c":
        out.append(ir)
    for c in ir[1:]:
        if isinstance(c, tuple):
            _consts(c, out)
    return out


# ---------------------------------------------------------------- enclosures against mpmath (slow, obviously right)
rats = st.fractions(min_value=-60, max_value=60, max_denominator=10**6)


def _inside(iv, v):
    """v (an mpmath value at 300 bits) lies in iv, up to the reference's own rounding (2^-250 relative; the
    enclosures are about 2^-90 wide, so this cannot hide a wrong enclosure)."""
    lo, hi = iv
    slack = abs(v) * mpmath.mpf(2) ** -250 + mpmath.mpf(2) ** -280
    return mpmath.mpf(lo.numerator) / lo.denominator - slack <= v <= mpmath.mpf(hi.numerator) / hi.denominator + slack


@settings(max_examples=60, deadline=None)
@given(rats)
def test_point_enclosures_contain_the_true_values(q):
    mpmath.mp.prec = 300
    x = mpmath.mpf(q.numerator) / q.denominator
    assert _inside(E.exp_point(q), mpmath.exp(x))
    assert _inside(E.sin_point(q), mpmath.sin(x))
    assert _inside(E.i_cos((q, q)), mpmath.cos(x))
    assert _inside(E.i_tanh((q, q)), mpmath.tanh(x))
    if q > 0:
        assert _inside(E.log_point(q), mpmath.log(x))
        lo, hi = E.sqrt_point(q)
        assert lo >= 0 and lo * lo <= q <= hi * hi  # exact
    for iv in (E.exp_point(q), E.sin_point(q)):
        assert iv[1] - iv[0] <= max(1, abs(iv[1])) * F(1, 10**20)


@settings(max_examples=40, deadline=None)
@given(rats, st.fractions(min_value=0, max_value=8, max_denominator=1000))
def test_interval_sin_contains_samples(a, w):
    mpmath.mp.prec = 300
    lo, hi = E.i_sin((a, a + w))
    for k in range(9):
        t = mpmath.mpf(a.numerator) / a.denominator + mpmath.mpf(w.numerator) / w.denominator * k / 8
        assert _inside((lo, hi), mpmath.sin(t))


# ---------------------------------------------------------------- agree / counterexample properties
LEAVES = ["x", "1", "2.5", "x/3", "-x"]
UNARY = ["math.sin({})", "math.cos({})", "abs({})", "math.exp({}/8)", "math.tanh({})", "math.floor({})", "np.sign({})"]
BINARY = ["({} + {})", "({} - {})", "({} * {})", "max({}, {})", "({} if x > 0.5 else {})"]


@st.composite
def exprs(draw, depth=3):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(LEAVES))
    if draw(st.booleans()):
        return draw(st.sampled_from(UNARY)).format(draw(exprs(depth - 1)))
    return draw(st.sampled_from(BINARY)).format(draw(exprs(depth - 1)), draw(exprs(depth - 1)))


def ref_value(src: str, x: F) -> mpmath.mpf:
    """Slow reference: the IR evaluated with mpmath at 300 bits (independent of enclose.py)."""
    _, ir = parse_function(src)
    mpmath.mp.prec = 300
    X = mpmath.mpf(x.numerator) / x.denominator

    def ev(t):
        k = t[0]
        if k == "c":
            return mpmath.mpf(t[1].numerator) / t[1].denominator
        if k == "x":
            return X
        if k == "pi":
            return +mpmath.pi
        if k == "if":
            return ev(t[2]) if cond(t[1]) else ev(t[3])
        if k == "pow":
            return ev(t[1]) ** t[2]
        if k in ("add", "sub", "mul", "div", "min", "max"):
            a, b = ev(t[1]), ev(t[2])
            return {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b if b else mpmath.nan,
                    "min": min(a, b), "max": max(a, b)}[k]
        a = ev(t[1])
        fn = {"neg": lambda v: -v, "abs": abs, "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan,
              "tanh": mpmath.tanh, "exp": mpmath.exp, "log": mpmath.log, "sqrt": mpmath.sqrt,
              "floor": mpmath.floor, "ceil": mpmath.ceil, "sign": mpmath.sign}[k]
        return fn(a)

    def cond(c):
        k = c[0]
        if k == "true":
            return True
        if k == "false":
            return False
        if k == "not":
            return not cond(c[1])
        if k == "and":
            return cond(c[1]) and cond(c[2])
        if k == "or":
            return cond(c[1]) or cond(c[2])
        a, b = ev(c[1]), ev(c[2])
        return {"lt": a < b, "le": a <= b, "eq": a == b, "ne": a != b}[k]

    return ev(ir)


DOM = [(F(-2), F(2))]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(e=exprs())
def test_agree_with_itself_certifies_and_the_checker_accepts(e, tmp_path_factory):
    f = f"def f(x):\n    return {e}\n"
    g = f"def g(x):\n    return {e}\n"
    r = agree(f, g, F(1, 100), DOM, max_boxes=4000)
    assert r.agree is True
    p = tmp_path_factory.mktemp("self") / "c.json"
    p.write_text(json.dumps(certificate(f, g, r, 0.0)))
    assert verify(p).total == r.boxes
    # written differently (0 + ...): never a false counterexample
    r2 = agree(f, f"def g(x):\n    return 0 + ({e})\n", F(1, 100), DOM, max_boxes=1500)
    assert r2.agree is not False


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(e=exprs(), c=st.sampled_from(["0.02", "-0.5", "3", "-1/7"]))
def test_agree_with_a_shift_refutes_with_a_valid_counterexample(e, c):
    eps = F(1, 100)
    f = f"def f(x):\n    return {e}\n"
    g = f"def g(x):\n    return ({e}) + ({c})\n"
    r = agree(f, g, eps, DOM, max_boxes=4000)
    assert r.agree is False
    x = F(r.counterexample["x"])
    assert DOM[0][0] <= x <= DOM[0][1]
    assert abs(ref_value(f, x) - ref_value(g, x)) > mpmath.mpf(eps.numerator) / eps.denominator


# ---------------------------------------------------------------- certificates
@pytest.fixture(scope="module")
def sin_cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("sin")
    r = agree(SIN_F, SIN_G, F(1, 20), [(F(-4), F(4))])
    assert r.agree is True
    p = d / "c.json"
    p.write_text(json.dumps(certificate(SIN_F, SIN_G, r, 0.0)))
    return p


def _tamper(path: Path, tmp: Path, fn) -> Path:
    doc = json.loads(path.read_text())
    fn(doc)
    out = tmp / "t.json"
    out.write_text(json.dumps(doc))
    return out


def test_checker_accepts_the_sin_certificate(sin_cert):
    r = verify(sin_cert)
    assert r.family == "function" and "1/20" in r.statement and r.details["domain"] == [["-4", "4"]]


def _set_g(doc, src):
    from pybridge.check.function import sha256_text

    doc["hints"]["g"] = src
    doc["hints"]["g_sha256"] = sha256_text(src)


TAMPERS = {
    "smaller eps": (lambda d: d["params"].__setitem__("eps", "1/25"), Rejected),
    "wider domain": (lambda d: d["params"]["domain"][0].__setitem__(1, "5"), Rejected),
    "claim boxes + 1": (lambda d: d["claim"].__setitem__("boxes", d["claim"]["boxes"] + 1), Rejected),
    "breakpoint dropped": (lambda d: d["hints"]["breakpoints"][0].pop(len(d["hints"]["breakpoints"][0]) // 2), Rejected),
    "breakpoints unordered": (lambda d: d["hints"]["breakpoints"][0].reverse(), Rejected),
    "breakpoint outside": (lambda d: d["hints"]["breakpoints"][0].append("9"), Rejected),
    "g changed, hash not": (lambda d: d["hints"].__setitem__("g", SIN_G.replace("2.04", "2.1")), Rejected),
    "g changed with hash": (lambda d: _set_g(d, SIN_G.replace("2.04", "2.1")), Rejected),
    "f changed, hash not": (lambda d: d["hints"].__setitem__("f", SIN_F.replace("+ 2", "+ 2.0")), Rejected),
    "unknown key": (lambda d: d["hints"].__setitem__("extra", 1), InputError),
    "float eps": (lambda d: d["params"].__setitem__("eps", 0.05), InputError),
    "unicode digits": (lambda d: d["params"].__setitem__("eps", "\u0661/20"), InputError),
    "g executes code": (lambda d: _set_g(d, "def g(x): return __import__('os').getpid()"), InputError),
}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_tampered_certificates_are_rejected(name, sin_cert, tmp_path):
    fn, exc = TAMPERS[name]
    with pytest.raises(exc):
        verify(_tamper(sin_cert, tmp_path, fn))


def test_poles_must_be_excluded_from_the_domain(tmp_path):
    f = "def f(x): return 1/x"
    r = agree(f, "def g(x): return 1/x", F(1, 10), [(F(-1), F(1))])
    assert r.agree is None, r  # even f against itself needs f defined on the whole domain
    assert "undefined" in r.reason
    r = agree(f, "def g(x): return 1/x + 0.01", F(1, 10), [(F(-1), F(-1, 10)), (F(1, 10), F(1))])
    assert r.agree is True and len(r.breakpoints) == 2


def test_steps_are_decided_exactly_at_the_jump():
    f = "def f(x): return np.heaviside(x - 1.5, 1) * 3"
    g = "def g(x): return 3 if x >= 1.5 else 0"
    r = agree(f, g, F(0), [(F(-10), F(10))])
    assert r.agree is True and F(3, 2) in r.breakpoints[0]
    r = agree(f, "def g(x): return 3 if x > 1.5 else 0", F(1), [(F(-10), F(10))])
    assert r.agree is False and r.counterexample["x"] == "3/2"


# ---------------------------------------------------------------- CLI
def test_cli_agree_prove_check(tmp_path):
    (tmp_path / "f.py").write_text(SIN_F)
    (tmp_path / "g.py").write_text(SIN_G)
    (tmp_path / "h.py").write_text(SIN_F.replace("return", "if 3 < x < 3.5:\n        return 9\n    return"))
    c = tmp_path / "c.json"
    r = run("agree", str(tmp_path / "f.py"), str(tmp_path / "g.py"), "--eps", "0.05", "--domain=-3:3", "--out", str(c), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["agree"] is True
    r = run("check", str(c), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["valid"] is True
    r = run("agree", str(tmp_path / "f.py"), str(tmp_path / "h.py"), "--eps", "0.05", "--domain=-5:5", "--json")
    assert r.returncode == 1
    cx = json.loads(r.stdout)["counterexample"]
    assert 3 < F(cx["x"]) < F(7, 2) and cx["g"] == "9"
    fj = tmp_path / "f.json"
    fj.write_text(json.dumps({"pybridge_family": "function", "source": SIN_F, "domain": [["-2", "2"]]}))
    r = run("prove", str(fj), "--strategy", "agree", "--with", str(tmp_path / "g.py"), "--param", "eps=1/20",
            "--out", str(tmp_path / "p.json"))
    assert r.returncode == 0, r.stderr
    r = run("check", str(tmp_path / "p.json"), "--model", str(fj))
    assert r.returncode == 0, r.stderr
    r = run("check", str(tmp_path / "p.json"), "--model", str(tmp_path / "h.py"))
    assert r.returncode == 1 and "INVALID" in r.stdout + r.stderr
    r = run("agree", str(tmp_path / "f.py"), str(tmp_path / "g.py"), "--eps", "x", "--domain=0:1")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_huge_arguments_are_refused_not_computed():
    r = agree("def f(x): return math.exp(x)", "def g(x): return math.exp(x) + 0.5", F(1), [(F(0), F(10**50))])
    assert r.agree is None and "exp of an argument" in r.reason
    lo, hi = E.i_tanh((F(-10**30), F(10**30)))
    assert lo == -1 and hi == 1


def test_jumps_of_monotone_non_affine_conditions_are_decided_exactly():
    # FIND's rectangle: the condition |x| <= w/2 is not affine; the jump at the short decimal -4.6 becomes a
    # breakpoint and the open intervals beside it are decided by monotonicity
    f = "def f(x): return (1 if abs(x) <= 9.2/2 else 0)"
    r = agree(f, "def g(x): return np.where(x*x <= 21.16, 1, 0)", F(0), [(F(-100), F(100))])
    assert r.agree is True
    r = agree(f, "def g(x): return 1 if -4.6 < x <= 4.6 else 0", F(1, 2), [(F(-100), F(100))])
    assert r.agree is False and r.counterexample["x"] == "-23/5"


def test_noise_bands(tmp_path):
    (tmp_path / "f.py").write_text(SIN_F)
    (tmp_path / "g.py").write_text(SIN_G)
    args = ("agree", str(tmp_path / "f.py"), str(tmp_path / "g.py"), "--eps", "0.5", "--domain=-1:1", "--json")
    r = run(*args, "--noise", "uniform:0.4")  # |f - g| = 0.04 <= 0.5 - 0.4
    assert r.returncode == 0 and json.loads(r.stdout)["eps"] == "1/10"
    assert run(*args, "--noise", "uniform:0.47").returncode == 1  # 0.04 > 0.03
    r = run(*args, "--noise", "normal:1")
    assert r.returncode == 2 and "unbounded" in r.stderr and len(r.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- audit
def test_audit_names_the_steps_and_the_margin(sin_cert, tmp_path):
    from pybridge.audit import render_markdown
    from pybridge.families.function.audit import audit

    r = audit(sin_cert, None)
    assert [s["python"].split(" ")[0] for s in r["steps"]] == [
        "check.function.verify", "check.function.lang.parse_function", "check.function._boxes",
        "check.function.enclose.diff_enclosure"]
    margin = r["steps"][-1]["numbers"]["margin_eps_minus_largest"]
    assert 0 <= margin < 0.05 and "1/20" in r["statement"]
    assert "Claim: |f(x) - g(x)| <= 1/20" in render_markdown(r)
    (tmp_path / "f.py").write_text(SIN_F)
    out = run("audit", str(sin_cert), "--model", str(tmp_path / "f.py"))
    assert out.returncode == 0 and "diff_enclosure" in out.stdout, out.stderr
    with pytest.raises(Rejected):  # the audit runs the checker first
        audit(_tamper(sin_cert, tmp_path, TAMPERS["smaller eps"][0]), None)
