"""The central property: cubic <= brute-force lower <= exact accuracy <= brute-force upper.

Exact accuracy comes from tests/reference.py (exact fractions + 80-digit mpmath softmax), which
shares no code with the prover or the checker.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from model_strategies import given_random_model
from reference import reference_counts, write_model

from pybridge.check import verify
from pybridge.families.maxofk.brute_force import prove_brute_force
from pybridge.families.maxofk.common import load_model, write_json_atomic
from pybridge.families.maxofk.cubic import prove_cubic
from pybridge.families.maxofk.cubic_count import prove_cubic_count

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check_chain(path: Path, tmp: Path) -> tuple[int, int, int]:
    m = load_model(path)
    bf = prove_brute_force(m)
    cu = prove_cubic(m)
    cc = prove_cubic_count(m)
    good, bad, amb = reference_counts(path)
    total = m.exact.d_vocab ** m.exact.n_ctx
    assert good + bad + amb == total
    assert cu.correct <= bf.correct <= good + amb  # lower bounds are sound
    assert cc.correct <= bf.correct
    assert bf.incorrect <= bad + amb  # proven-incorrect inputs really are incorrect
    assert bf.correct >= good - amb - total // 1000  # and the bracket is tight on these models
    for res in (bf, cu, cc):  # the checker accepts what the prover claims
        cert = write_json_atomic(res.certificate, tmp / f"{res.strategy}.json")
        r = verify(cert, path)
        assert r.verified_correct >= res.correct
    return cu.correct, bf.correct, good


@SETTINGS
@given_random_model
def test_random_models_bracket_exact_accuracy(tmp_path, V, n, d, h, seed, scale):
    path = write_model(tmp_path / "m.safetensors", V, n, d, h, seed=seed, scale=scale)
    _check_chain(path, tmp_path)


@pytest.mark.parametrize("V,n", [(4, 4), (7, 3), (10, 2)])
def test_larger_shapes(tmp_path, V, n):
    path = write_model(tmp_path / "m.safetensors", V, n, 3, 2, seed=V * 10 + n)
    _check_chain(path, tmp_path)


def test_float64_weights(tmp_path):
    path = write_model(tmp_path / "m.safetensors", 4, 3, 3, 3, seed=5, dtype=np.float64)
    _check_chain(path, tmp_path)


@pytest.mark.parametrize("V,n,steps", [(5, 3, 400), (8, 2, 400), (6, 4, 600)])
def test_trained_models(tmp_path, V, n, steps):
    from pybridge.families.maxofk.model import MaxOfKConfig
    from pybridge.families.maxofk.train import train_maxofk

    path = tmp_path / "t.safetensors"
    train_maxofk(MaxOfKConfig(V, n, 8, 8), seed=V + n, steps=steps, out=path, quiet=True)
    cubic, bf, exact = _check_chain(path, tmp_path)
    assert exact > 0.9 * V**n  # trained: the chain is not vacuous
    assert bf > 0.9 * V**n
