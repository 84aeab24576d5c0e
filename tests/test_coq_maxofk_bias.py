"""Issue 15: cubic / cubic-count / subcubic certificates of LayerNorm-free Max-of-k models WITH biases,
re-checked in Coq through coq/theories/TL/AugmentTL.v (template coq_maxofk_bias.v.j2).

Coq computes `augment M`, the bias-free model one coordinate wider (constant coordinate 2^-s:
E' = [E | 1], Pos' = [Pos | 0], W_Q' = [W_Q ; 2^s b_Q], ..., W_O' = [W_O | 0],
W_U' = [W_U ; b_O W_U + 2^s b_U]) and runs the existing checkers on it; `augment_accuracy` turns their
claim into `SpecTL.accuracy_at_least M N`. The Python side below checks the claim the exporter relies on:
the augmented model's exact tables are the biased model's tables integer for integer, so the count Coq
re-derives is the Python checker's N.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from model_strategies import given_random_model
from reference import write_model
from safetensors.numpy import load_file, save_file

from pybridge import families
from pybridge.check.certificate import read_certificate
from pybridge.check.maxofk.tables import exact_tables
from pybridge.check.maxofk.weights import ExactMaxOfK, load_maxofk
from pybridge.families.maxofk.common import load_model, write_json_atomic
from pybridge.families.maxofk.cubic import prove_cubic
from pybridge.families.maxofk.subcubic import prove_subcubic

ROOT = Path(__file__).resolve().parents[1]
TRAINED = ROOT / "certificates" / "maxofk-v5-n3-seed1.safetensors"
coq = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed (Coq 8.16 needed)")


def add_biases(src: Path, dst: Path, seed: int = 1, scale: float = 0.1) -> Path:
    """`src` with non-zero biases b_Q, b_K, b_V, b_O, b_U (normal * scale, rounded to 2^-10)."""
    t = load_file(str(src))
    from safetensors import safe_open

    with safe_open(str(src), "np") as f:
        meta = f.metadata()
    rng = np.random.default_rng(seed)
    h, d, V = t["blocks.0.attn.W_Q"].shape[-1], t["embed.W_E"].shape[1], t["unembed.W_U"].shape[1]

    def r(shape):
        return (np.round(rng.normal(size=shape) * scale * 1024) / 1024).astype(np.float32)

    t.update({"blocks.0.attn.b_Q": r((1, h)), "blocks.0.attn.b_K": r((1, h)), "blocks.0.attn.b_V": r((1, h)),
              "blocks.0.attn.b_O": r((d,)), "unembed.b_U": r((V,))})
    save_file(t, str(dst), metadata=meta)
    return dst


def augment(M: ExactMaxOfK) -> ExactMaxOfK:
    """A Python transcription of AugmentTL.augment (integers, unit 2^-s, the same s): bias-free, width d+1."""
    one = 1 << M.s
    c = [sum(b * M.WU[k][j] for k, b in enumerate(M.bO)) + M.bU[j] * one for j in range(M.d_vocab)]
    zero = lambda k: [0] * k  # noqa: E731
    return replace(
        M, d_model=M.d_model + 1, sha256="augmented",
        E=[row + [1] for row in M.E], P=[row + [0] for row in M.P],
        WQ=M.WQ + [[b * one for b in M.bQ]], WK=M.WK + [[b * one for b in M.bK]], WV=M.WV + [[b * one for b in M.bV]],
        WO=[row + [0] for row in M.WO], WU=M.WU + [c],
        bQ=zero(M.d_head), bK=zero(M.d_head), bV=zero(M.d_head), bO=zero(M.d_model + 1), bU=zero(M.d_vocab))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given_random_model
def test_augmented_tables_are_the_bias_folds(tmp_path, V, n, d, h, seed, scale):
    """The tables Coq computes for `augment M` (Checker.v: X, QK, OV, EU with the same association as
    check/maxofk/tables.py) are the biased model's folded tables, integer for integer, at the same s."""
    Mb = load_maxofk(write_model(tmp_path / "b.safetensors", V, n, d, h, seed=seed, scale=scale, biases=True))
    Ma = augment(Mb)
    assert not Ma.has_bias and Mb.has_bias
    Tb, Ta = exact_tables(Mb), exact_tables(Ma)
    assert Ta.QK == Tb.QK and Ta.OV == Tb.OV and Ta.EU == Tb.EU


def test_augmented_count_is_the_python_count(tmp_path):
    """Same tables, same enclosures: the cubic checker gives the same count on the augmented model."""
    from pybridge.check.maxofk.cubic import count_cubic
    from pybridge.check.maxofk.tables import weight_enclosures

    src = add_biases(TRAINED, tmp_path / "b.safetensors")
    res = prove_cubic(load_model(src))
    p = res.certificate["params"]
    counts = []
    for M in (load_maxofk(src), augment(load_maxofk(src))):
        T = exact_tables(M)
        W = weight_enclosures(M, T, p["fixed_bits"], p["exp_squarings"])
        counts.append(count_cubic(T, W, M.n_ctx, res.certificate["hints"]["blocks"])[0])
    assert counts[0] == counts[1] == res.correct > 100


# ---------------------------------------------------------------------------------------------- Coq


@pytest.fixture(scope="module")
def biased(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The trained V=5, n=3 model with biases; cubic and subcubic certificates (117/125 each)."""
    if shutil.which("coqc") is None:
        pytest.skip("coqc not installed")
    from pybridge.export.coq import build_library

    build_library()
    d = tmp_path_factory.mktemp("coqbias")
    model = add_biases(TRAINED, d / "b.safetensors")
    m = load_model(model)
    out = {"model": model}
    for prove in (prove_cubic, prove_subcubic):
        res = prove(m)
        out[res.strategy] = (write_json_atomic(res.certificate, d / f"{res.strategy}.json"), res.certificate)
    return out


def _expected(cert: Path, model: Path) -> str:
    return families.get("maxofk").coq_expected_model(read_certificate(cert), model)


@coq
@pytest.mark.parametrize("strategy", ["cubic", "subcubic"])
def test_biased_compact_certificate_accepted_strict(biased, tmp_path, strategy):
    from pybridge.export.coq import verify_coq_strict

    cert, doc = biased[strategy]
    assert doc["claim"]["correct_at_least"] >= 110
    expected = _expected(cert, biased["model"])
    assert "SpecTL.accuracy_at_least" in expected
    ok, secs, why, v = verify_coq_strict(cert, biased["model"], tmp_path / "strict", expected)
    assert ok, why
    text = v.read_text()
    assert ("check_cubic_tl_sound" if strategy == "cubic" else "check_cubic_count_tl_sound") in text
    assert f"cert_N : Z := {doc['claim']['correct_at_least']}." in text


@coq
@pytest.mark.parametrize("strategy", ["cubic", "subcubic"])
def test_claim_plus_one_rejected(biased, tmp_path, strategy):
    from pybridge.export.coq import export_coq, run_coqc

    cert, _ = biased[strategy]
    v = export_coq(cert, biased["model"], tmp_path)
    text = v.read_text()
    n = int(re.search(r"cert_N : Z := (\d+)\.", text).group(1))
    v.write_text(text.replace(f"cert_N : Z := {n}.", f"cert_N : Z := {n + 1}."))
    ok, _, out = run_coqc(v)
    assert not ok and "check_cubic" in out


@coq
@pytest.mark.parametrize("strategy", ["cubic", "subcubic"])
def test_tampered_bias_rejected(biased, tmp_path, strategy):
    """b_U pushing the logit of token 0 far up: inputs whose max is not 0 become wrong."""
    from pybridge.export.coq import export_coq, run_coqc

    cert, _ = biased[strategy]
    v = export_coq(cert, biased["model"], tmp_path)
    text = v.read_text()
    new, count = re.subn(r"bU := \[[^\]]*\]", "bU := [1000000000000000;0;0;0;0]", text, count=1)
    assert count == 1
    v.write_text(new)
    ok, _, out = run_coqc(v)
    assert not ok and "check_cubic" in out


def test_layernorm_compact_export_refused(tmp_path):
    """ln_final is not linear: compact certificates of LayerNorm models are refused with one line."""
    from types import SimpleNamespace

    from pybridge.families.maxofk.export import render_coq_tl

    M = load_maxofk(write_model(tmp_path / "ln.safetensors", 3, 2, 4, 4, seed=0, biases=True, ln="LN"))
    for strategy in ("cubic", "cubic-count", "subcubic"):
        with pytest.raises(ValueError, match="ln_final is not linear") as e:
            render_coq_tl(SimpleNamespace(strategy=strategy), M, False)
        assert "\n" not in str(e.value)
