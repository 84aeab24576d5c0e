"""ReLU MLPs in the function family (issue 14): exact piecewise-linear analysis. A 1-H-1 ReLU MLP in the
MLP file format (integer ratios p/q of exact float32 values, /tmp/briefs mlp_format) is affine between its
kinks -b1_i/w1_i; `agree` computes the exact sup of |MLP - g| for piecewise-linear g, certifies at
eps = sup (the checker re-derives every piece) and refutes just below it."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pybridge.check import Rejected, verify
from pybridge.check.function.lang import parse_function
from pybridge.families.function.agree import agree, certificate, piecewise_linear, pl_sup

FIND = Path(__file__).resolve().parents[2] / "shared" / "find" / "numeric"


def q(v: float) -> str:
    n, d = float(v).as_integer_ratio()
    return f"({n}/{d})"


def mlp_src(w1, b1, w2, b2, name="f") -> str:
    terms = " + ".join(f"{q(c)}*max({q(w)}*x + {q(b)}, 0)" for w, b, c in zip(w1, b1, w2))
    return f"def {name}(x):\n    return {q(b2)} + {terms}\n"


def ref_mlp(w1, b1, w2, b2, x: F) -> F:
    """Obviously correct: the MLP's real function at x, exact rationals from the float32 values."""
    return F(float(b2)) + sum(F(float(c)) * max(F(float(w)) * x + F(float(b)), F(0)) for w, b, c in zip(w1, b1, w2))


def ref_sup(w1, b1, w2, b2, m: F, c: F, a: F, b: F) -> F:
    """Slow reference: |MLP - (m x + c)| is continuous and affine between the kinks, so its max on [a, b]
    is at a, b or a kink -b1_i/w1_i inside."""
    pts = [a, b] + [-F(float(bb)) / F(float(w)) for w, bb in zip(w1, b1) if w != 0]
    return max(abs(ref_mlp(w1, b1, w2, b2, x) - (m * x + c)) for x in pts if a <= x <= b)


@st.composite
def mlps(draw):
    h = draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**31 - 1))
    r = np.random.default_rng(seed)
    w1 = r.normal(size=h).astype(np.float32)
    b1 = (r.normal(size=h) * 3).astype(np.float32)
    w2 = r.normal(size=h).astype(np.float32)
    b2 = np.float32(r.normal())
    return w1.tolist(), b1.tolist(), w2.tolist(), float(b2)


SET = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@settings(max_examples=25, **SET)
@given(net=mlps(), m=st.sampled_from([F(0), F(1, 2), F(-3, 4)]), c=st.sampled_from([F(0), F(1, 3)]))
def test_exact_sup_matches_the_reference_and_is_tight(net, m, c, tmp_path):
    a, b = F(-5), F(5)
    f = mlp_src(*net)
    g = f"def g(x):\n    return ({m.numerator}/{m.denominator})*x + ({c.numerator}/{c.denominator})\n"
    fi, gi = parse_function(f)[1], parse_function(g)[1]
    assert piecewise_linear(fi) and piecewise_linear(gi)
    sup, _, _ = pl_sup(fi, gi, [(a, b)])
    assert sup == ref_sup(*net, m, c, a, b)
    # at eps = sup: certified, and the trusted checker re-derives every piece
    r = agree(f, g, sup, [(a, b)])
    assert r.agree is True and r.method == "exact-pieces", r
    p = tmp_path / "c.json"
    p.write_text(json.dumps(certificate(f, g, r, 0.0)))
    assert verify(p).total == r.boxes
    # just below: an exact counterexample, checked against the reference
    eps = sup - F(1, 2**40)
    if eps >= 0:
        r = agree(f, g, eps, [(a, b)])
        assert r.agree is False and r.method == "exact-pieces"
        x = F(r.counterexample["x"])
        assert a <= x <= b and abs(ref_mlp(*net, x) - (m * x + c)) > eps


def test_two_mlps_and_jumps():
    # an MLP against a piecewise-linear description with a jump: the sup is a one-sided limit
    f = mlp_src([1.0, -1.0], [0.0, 0.0], [1.0, 1.0], 0.0)  # |x|
    r = agree(f, "def g(x): return abs(x) + (1 if x > 1 else 0)", F(1, 2), [(F(-3), F(3))])
    assert r.agree is False and F(r.counterexample["x"]) > 1
    r = agree(f, "def g(x): return x if x > 0 else -x", F(0), [(F(-3), F(3))])
    assert r.agree is True and r.sup == 0
    g2 = mlp_src([2.0, -2.0], [0.0, 0.0], [0.5, 0.5], 0.25, "g")  # |x| + 1/4
    r = agree(f, g2, F(1, 4), [(F(-3), F(3))])
    assert r.agree is True and r.sup == F(1, 4)


@pytest.fixture(scope="module")
def tight_cert(tmp_path_factory):
    net = ([0.5, -1.25, 2.0], [1.0, 0.5, -3.0], [1.5, -0.75, 0.25], 0.125)
    f, g = mlp_src(*net), "def g(x): return 0.5*x + 1"
    sup = ref_sup(*net, F(1, 2), F(1), F(-4), F(4))
    r = agree(f, g, sup, [(F(-4), F(4))])
    assert r.agree is True
    p = tmp_path_factory.mktemp("mlp") / "c.json"
    p.write_text(json.dumps(certificate(f, g, r, 0.0)))
    return p, sup


@pytest.mark.parametrize("how", ["eps", "weight", "domain"])
def test_tampered_mlp_certificates_are_rejected(tight_cert, how, tmp_path):
    from pybridge.check.function import sha256_text

    p, sup = tight_cert
    d = json.loads(p.read_text())
    if how == "eps":
        d["params"]["eps"] = f"{(sup - F(1, 10**9)).numerator}/{(sup - F(1, 10**9)).denominator}"
    elif how == "weight":  # a changed weight with its hash updated: the pieces no longer fit
        d["hints"]["f"] = d["hints"]["f"].replace("(3/2)", "(7/4)")
        d["model_sha256"] = sha256_text(d["hints"]["f"])
    else:
        d["params"]["domain"] = [["-4", "5"]]
    t = tmp_path / "t.json"
    t.write_text(json.dumps(d))
    with pytest.raises(Rejected):
        verify(t)


def test_find_mlp_against_its_ground_truth():
    pt = FIND / "f00002" / "mlp_approx_model.pt"
    if not pt.exists():
        pytest.skip(f"{pt} is absent (FIND's data is only on the development machine)")
    torch = pytest.importorskip("torch")
    sd = torch.load(pt, map_location="cpu", weights_only=True)
    f = mlp_src(sd["layers.0.weight"].reshape(-1).tolist(), sd["layers.0.bias"].tolist(),
                sd["layers.2.weight"].reshape(-1).tolist(), float(sd["layers.2.bias"][0]))
    g = "def g(x): return 17.4*x - 9.8"  # root((17.4, -9.8, 1)) on [0, 100]
    r = agree(f, g, F(87), [(F(0), F(100))])
    assert r.agree is True and r.method == "exact-pieces" and r.sup < 87
    r2 = agree(f, g, r.sup * F(99, 100), [(F(0), F(100))])
    assert r2.agree is False
