"""Issue 15: Max-of-k models with LayerNorm (TransformerLens ln1 + ln_final; LN and LNPre; exact eps).

Property: for random small models with LayerNorm (and biases), brute-force lower bound <= exact count
(tests/reference.py: the model's data flow at 80 digits with the real sqrt) <= brute-force upper
bound; compact strategies refuse LayerNorm models in one line; tampered claims are rejected.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import reference_counts, write_model

from pybridge.check import verify
from pybridge.check.errors import InputError, Rejected
from pybridge.check.maxofk.weights import load_maxofk
from pybridge.families.maxofk.brute_force import prove_brute_force
from pybridge.families.maxofk.common import load_model, write_json_atomic

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def ln_chain(path, tmp):
    m = load_model(path)
    total = m.exact.d_vocab ** m.exact.n_ctx
    bf = prove_brute_force(m, {"fixed_bits": 48, "exp_squarings": 24})
    good, bad, amb = reference_counts(path)
    assert good + bad + amb == total
    assert bf.correct <= good + amb
    assert good <= total - bf.incorrect
    assert bf.incorrect <= bad + amb
    assert bf.correct + bf.incorrect >= total - amb - total // 100  # tight
    cert = write_json_atomic(bf.certificate, tmp / "bf.json")
    r = verify(cert, path)
    assert r.verified_correct >= bf.correct and r.verified_incorrect >= bf.incorrect
    return bf, cert


@SETTINGS
@given(
    V=st.integers(2, 5),
    n=st.integers(1, 3),
    d=st.integers(2, 4),
    h=st.integers(1, 3),
    seed=st.integers(0, 10_000),
    scale=st.sampled_from([0.3, 1.0, 3.0]),
    ln=st.sampled_from(["LN", "LNPre"]),
    biases=st.booleans(),
    eps=st.sampled_from([None, "1e-5", "0.25"]),
)
def test_random_layernorm_models_bracket_exact_count(tmp_path, V, n, d, h, seed, scale, ln, biases, eps):
    path = write_model(tmp_path / "m.safetensors", V, n, d, h, seed=seed, scale=scale, biases=biases, ln=ln, eps=eps)
    ln_chain(path, tmp_path)


def test_layernorm_cert_rejected_when_claim_raised_or_model_changed(tmp_path):
    path = write_model(tmp_path / "m.safetensors", 5, 2, 4, 3, seed=7, ln="LN", biases=True)
    bf, cert = ln_chain(path, tmp_path)
    c = json.loads(cert.read_text())
    c["claim"]["correct_at_least"] = bf.correct + 1
    with pytest.raises(Rejected):
        verify(write_json_atomic(c, tmp_path / "up.json"), path)
    c = json.loads(cert.read_text())
    c["claim"]["incorrect_at_least"] = bf.incorrect + 1
    with pytest.raises(Rejected):
        verify(write_json_atomic(c, tmp_path / "upbad.json"), path)
    c = json.loads(cert.read_text())
    c["strategy"], c["hints"] = "cubic", {"blocks": []}
    with pytest.raises((Rejected, InputError)):
        verify(write_json_atomic(c, tmp_path / "cubic.json"), path)
    other = write_model(tmp_path / "o.safetensors", 5, 2, 4, 3, seed=7, ln="LN", biases=True, eps="0.001")
    with pytest.raises(Rejected):  # a different eps is a different model: hash mismatch
        verify(cert, other)


def test_eps_and_normalization_are_bound_by_the_hash(tmp_path):
    a = load_maxofk(write_model(tmp_path / "a.safetensors", 3, 2, 3, 2, seed=1, ln="LNPre"))
    b = load_maxofk(write_model(tmp_path / "b.safetensors", 3, 2, 3, 2, seed=1, ln="LNPre", eps="1e-5"))
    c = load_maxofk(write_model(tmp_path / "c.safetensors", 3, 2, 3, 2, seed=1, ln="LNPre", eps="1e-6"))
    plain = load_maxofk(write_model(tmp_path / "p.safetensors", 3, 2, 3, 2, seed=1))
    assert a.sha256 == b.sha256 != c.sha256 and a.sha256 != plain.sha256


@pytest.mark.parametrize("eps", ["-1", "1e5", "abc", "1/0", "0", "１e-5"])
def test_bad_eps_refused(tmp_path, eps):
    p = write_model(tmp_path / "m.safetensors", 3, 2, 3, 2, seed=1, ln="LNPre", eps=eps)
    with pytest.raises(InputError) as e:
        load_maxofk(p)
    assert "\n" not in str(e.value)


def test_compact_strategies_refuse_layernorm(tmp_path):
    from pybridge.clikit import UsageError
    from pybridge.families import ProveRequest
    from pybridge.families.maxofk import FAMILY

    p = write_model(tmp_path / "m.safetensors", 3, 2, 3, 2, seed=1, ln="LN")
    for s in FAMILY.strategies:
        if s.name != "brute-force":
            with pytest.raises(UsageError) as e:
                s.prove(p, ProveRequest())
            assert "LayerNorm" in str(e.value) and "\n" not in str(e.value)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    V=st.integers(2, 6), n=st.integers(1, 3), d=st.integers(1, 5), h=st.integers(1, 4),
    seed=st.integers(0, 10_000), scale=st.sampled_from([0.1, 1.0, 4.0]), ln=st.sampled_from(["LN", "LNPre"]),
    biases=st.booleans(), eps=st.sampled_from([None, "1e-5", "0.5", "1/3"]), P=st.sampled_from([20, 48, 80]),
    data=st.data(),
)
def test_logit_enclosures_contain_the_real_logits(tmp_path, V, n, d, h, seed, scale, ln, biases, eps, P, data):
    """Every interval of the trusted LN evaluator contains the 80-digit reference logit (any precision P)."""
    import mpmath
    from reference import reference_logits

    from pybridge.check.maxofk.layernorm import LNModel

    path = write_model(tmp_path / "m.safetensors", V, n, d, h, seed=seed, scale=scale, biases=biases, ln=ln, eps=eps)
    M = load_maxofk(path)
    L = LNModel(M, P, 20)
    t = tuple(data.draw(st.lists(st.integers(0, V - 1), min_size=n, max_size=n)))
    unit = mpmath.mpf(2) ** (L.F + M.s)
    for (lo, hi), ref in zip(L.logit_bounds(t), reference_logits(path, t)):
        assert lo / unit <= ref <= hi / unit
