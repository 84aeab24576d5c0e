"""`pybridge find interpret` (issue 14, item 5): the interpreter recovers the exact kind of clean functions
and its certificates check; on a corrupted function the description is certified on the reduced domain
and refuted on the whole one; inputs outside the language are refused with one line."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest

from pybridge.check import verify
from pybridge.cli import main
from pybridge.families.function.agree import agree
from pybridge.families.function.interpret import interpret

D = [(F(-100), F(100))]


def _src(body: str) -> str:
    return f"def f(x):\n    return {body}\n"


@pytest.mark.parametrize("body,kind,params", [
    ("(-20.4)*x + 19.9", "linear", {"a": F("-20.4"), "b": F("19.9")}),
    ("21.2*abs(x - 1.9) + 13.2", "absolute", {"a": F("21.2"), "c": F("1.9"), "b": F("13.2")}),
    ("((-27) if x >= (-45.6) else 0) + 18", "step", {"a": F(-27), "c": F("-45.6"), "b": F(18)}),
    ("(-20.7)*(x if x > 0 else x*(0.7)) + (-5.2)", "relu", {"a": F("-20.7"), "b": F("-5.2")}),  # FIND's leaky relu
    ("(-13.6)*math.exp(-((x - 22.1)/27.9)**2/2) + 15.6", "gaussian",
     {"a": F("-13.6"), "m": F("22.1"), "s": F("27.9"), "b": F("15.6")}),
])
def test_recovers_the_exact_kind_and_parameters(body, kind, params, tmp_path):
    r = interpret(_src(body), D)
    assert r.kind == kind and r.verdict == "certified" and r.domain == D and not r.excluded
    for k, v in params.items():
        assert f"{v}" in r.description.replace("(", "").replace(")", "") or str(float(v)).rstrip("0").rstrip(".") in r.description
    p = tmp_path / "c.json"
    p.write_text(json.dumps(r.certificate))
    res = verify(p)
    assert res.details["eps"] == str(r.eps.numerator) + ("" if r.eps.denominator == 1 else f"/{r.eps.denominator}")


def test_corrupted_function_reduced_domain_certified_whole_domain_refuted(tmp_path):
    f = ("def f(x):\n    if 12.5 < x < 30:\n        return 40.1\n"
         "    return 7.3*math.sin(2*math.pi/50.3*(x - 4.2)) + 2.5\n")
    r = interpret(f, D)
    assert r.kind == "sin" and r.verdict == "certified"
    assert len(r.excluded) == 1
    lo, hi = r.excluded[0]
    assert lo <= F("12.5") and F(30) <= hi and hi - lo < 20  # the corruption, and not much more
    assert F(1) / 2 < r.covered() < 1
    (tmp_path / "c.json").write_text(json.dumps(r.certificate))
    assert main(["check", str(tmp_path / "c.json")]) == 0
    # the same description on the whole domain: refuted, inside the corruption
    whole = agree(f, r.description, r.eps, D)
    assert whole.agree is False
    assert F("12.5") < F(whole.counterexample["x"]) < 30


def test_isolated_point_is_patched():
    # FIND's step writes heaviside(x, s): the value s at the jump itself, which sampling never sees
    f = "def f(x):\n    return 12.6*np.heaviside(x - 3.7, 0.5) + 55.9\n"
    r = interpret(f, D)
    assert r.verdict == "certified" and r.domain == D
    assert "if x == 3.7" in r.description


def test_uniform_noise_claims_eps_minus_the_band():
    r = interpret(_src("(-20.4)*x + 19.9"), D, noise=("uniform", F(1)), seed=1)
    assert r.claim_eps == r.eps - 1 and r.verdict == "certified"
    assert r.certificate["params"]["eps"] == f"{(r.eps - 1).numerator}/{(r.eps - 1).denominator}" \
        or r.certificate["params"]["eps"] == str(r.eps - 1)


def test_cli_interpret(tmp_path, capsys):
    fp = tmp_path / "f.py"
    fp.write_text(_src("3.3*x + 1.1"))
    out = tmp_path / "c.json"
    assert main(["find", "interpret", str(fp), "--out", str(out), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["agree"] is True and obj["verdict"] == "certified" and obj["covers"] == "1"
    assert main(["check", str(out)]) == 0
    capsys.readouterr()
    # a narrow bump no sample sees: the whole-domain check finds it and the interpreter cuts it out
    fp.write_text(_src("3.3*x + 1.1 + (50 if 10 < x < 10.01 else 0)"))
    assert main(["find", "interpret", str(fp), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert "3.3*x + 1.1" in obj["description"] and len(obj["excluded"]) == 1
    lo, hi = (F(v) for v in obj["excluded"][0])
    assert lo <= 10 and F("10.01") <= hi and hi - lo <= 1
    assert any("refuted" in s for s in obj["steps"])


@pytest.mark.parametrize("body", [
    "__import__('os').system('touch /tmp/pwned')",
    "(lambda y: y)(x)",
    "x.real",
    "[x for _ in range(3)][0]",
])
def test_refused_with_one_line(body, tmp_path, capsys):
    fp = tmp_path / "f.py"
    fp.write_text(_src(body))
    assert main(["find", "interpret", str(fp)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refused" in err
    assert not Path("/tmp/pwned").exists()
