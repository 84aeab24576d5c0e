"""Issue 15: Coq re-check of brute-force certificates of Max-of-k models with biases and LayerNorm
(coq/theories/TL/{SpecTL,IntervalTL,BruteForceTL}.v, template coq_maxofk_tl.v.j2).

A tiny hand-made TransformerLens-style model (V=4, n=2, d=h=4; the query comes from b_Q, LayerNorm
keeps the direction of the token's embedding, W_U reads the direction back) is correct on all 16
inputs. Its certificate is accepted by `verify --coq`'s strict path (statement `SpecTL.accuracy_at_least`,
standard axioms only); claim+1 and a tampered weight, bias or LayerNorm weight in the Coq file are
rejected by Coq. The authors' MaxOfTwoNumbers model (LN + biases, V=64) is slow: marked slow.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

pytestmark = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed (Coq 8.16 needed)")

from pybridge import families  # noqa: E402
from pybridge.export.coq import build_library, export_coq, run_coqc, verify_coq_strict  # noqa: E402
from pybridge.families.maxofk.brute_force import prove_brute_force  # noqa: E402
from pybridge.families.maxofk.common import load_model, write_json_atomic  # noqa: E402
from pybridge.families.maxofk.cubic import prove_cubic  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT.parent / "shared" / "external" / "maxof2"
PARAMS = {"fixed_bits": 48, "exp_squarings": 24}


def tl_tiny(path: Path, V: int = 4, ln: str | None = "LN", biases: bool = True) -> Path:
    """Token k is the unit direction at angle k*90/(V-1) degrees (rounded to 2^-8), in (c, s, -c, -s)."""
    d = h = 4
    th = [k * (math.pi / 2) / (V - 1) for k in range(V)]
    E = np.round(np.array([[math.cos(a), math.sin(a), -math.cos(a), -math.sin(a)] for a in th]) * 256) / 256
    t = {"embed.W_E": E, "pos_embed.W_pos": np.zeros((2, d)),
         "blocks.0.attn.W_Q": np.zeros((1, d, h)), "blocks.0.attn.W_K": np.zeros((1, d, h)),
         "blocks.0.attn.W_V": 10 * np.eye(d)[None], "blocks.0.attn.W_O": np.eye(d)[None],
         "unembed.W_U": E.T.copy()}
    t["blocks.0.attn.W_K"][0, 1, 0] = 1.0
    if biases:
        t["blocks.0.attn.b_Q"] = np.array([[100.0, 0, 0, 0]])
        t["blocks.0.attn.b_K"] = np.array([[0.25, 0.5, 0, 0]])
        t["blocks.0.attn.b_V"] = np.array([[0.125, 0, -0.125, 0]])
        t["blocks.0.attn.b_O"] = np.array([0.0625, -0.0625, 0, 0.03125])
        t["unembed.b_U"] = np.array([0.015625, -0.03125, 0.03125, 0.0, 0.0078125][:V])
    if ln == "LN":
        t["blocks.0.ln1.w"] = np.array([1.0, 1.125, 0.875, 1.0])
        t["blocks.0.ln1.b"] = np.array([0.0, 0.0625, 0, -0.0625])
        t["ln_final.w"] = np.array([1.0, 0.875, 1.0, 1.125])
        t["ln_final.b"] = np.array([0.03125, 0, 0, -0.03125])
    meta = {"pybridge_family": "maxofk", "d_vocab": str(V), "n_ctx": "2", "d_model": str(d), "d_head": str(h)}
    if ln:
        meta["normalization_type"] = ln
    save_file({k: v.astype(np.float32) for k, v in t.items()}, str(path), metadata=meta)
    return path


@pytest.fixture(scope="module")
def lib() -> None:
    build_library()


@pytest.fixture(scope="module")
def ln_model(tmp_path_factory: pytest.TempPathFactory, lib) -> tuple[Path, Path, dict]:
    d = tmp_path_factory.mktemp("coqtl")
    model = tl_tiny(d / "ln.safetensors")
    res = prove_brute_force(load_model(model), PARAMS)
    assert res.correct == 16
    cert = write_json_atomic(res.certificate, d / "ln_bf.json")
    return model, cert, res.certificate


def _expected(cert: Path, model: Path) -> str:
    from pybridge.check.certificate import read_certificate

    return families.get("maxofk").coq_expected_model(read_certificate(cert), model)


def test_ln_bias_certificate_accepted_strict(ln_model, tmp_path: Path) -> None:
    model, cert, _ = ln_model
    expected = _expected(cert, model)
    assert "SpecTL.accuracy_at_least" in expected
    ok, secs, why, v = verify_coq_strict(cert, model, tmp_path / "strict", expected)
    assert ok, why
    assert "check_bf_tl_sound" in v.read_text()


@pytest.mark.parametrize("ln,biases", [("LNPre", True), (None, True)])
def test_lnpre_and_bias_only_accepted(tmp_path: Path, lib, ln, biases) -> None:
    model = tl_tiny(tmp_path / "m.safetensors", ln=ln, biases=biases)
    res = prove_brute_force(load_model(model), PARAMS)
    assert res.correct == 16
    cert = write_json_atomic(res.certificate, tmp_path / "bf.json")
    ok, secs, why, v = verify_coq_strict(cert, model, tmp_path / "strict", _expected(cert, model))
    assert ok, why


def test_zero_bias_model_keeps_the_old_spec(tmp_path: Path) -> None:
    model = tl_tiny(tmp_path / "m.safetensors", ln=None, biases=False)
    cert = write_json_atomic(prove_brute_force(load_model(model), PARAMS).certificate, tmp_path / "bf.json")
    assert "Spec.accuracy_at_least" in _expected(cert, model) and "SpecTL" not in _expected(cert, model)


def test_claim_plus_one_rejected(ln_model, tmp_path: Path) -> None:
    model, _, doc = ln_model
    bad = json.loads(json.dumps(doc))
    bad["claim"]["correct_at_least"] += 1
    bad["claim"].pop("incorrect_at_least", None)
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    ok, _, out = run_coqc(export_coq(tmp_path / "bad.json", model, tmp_path))
    assert not ok and "check_bf_tl" in out


def _tampered(ln_model, tmp_path: Path, pattern: str, repl) -> tuple[bool, str]:
    model, cert, _ = ln_model
    v = export_coq(cert, model, tmp_path)
    text = v.read_text()
    new, count = re.subn(pattern, repl, text, count=1, flags=re.S)
    assert count == 1 and new != text
    v.write_text(new)
    ok, _, out = run_coqc(v)
    return ok, out


def test_tampered_weight_rejected(ln_model, tmp_path: Path) -> None:
    # every token gets token 0's embedding: all inputs have the same logits, at most 7 of 16 can be right
    def same_rows(m: re.Match) -> str:
        rows = re.findall(r"\[[^\[\]]*\]", m.group(2))
        return m.group(1) + "[" + ";".join([rows[0]] * len(rows)) + "];\n  Pos :="
    ok, out = _tampered(ln_model, tmp_path, r"(  E := )(\[.*?\]);\n  Pos :=", same_rows)
    assert not ok and "check_bf_tl" in out


def test_tampered_bias_rejected(ln_model, tmp_path: Path) -> None:
    ok, out = _tampered(ln_model, tmp_path, r"bU := \[[^\]]*\]", "bU := [100000;0;0;0]")
    assert not ok and "check_bf_tl" in out


def test_tampered_layernorm_weight_rejected(ln_model, tmp_path: Path) -> None:
    # ln_final weights 0: the final vector is the constant ln_final bias, so the logits do not depend on the input
    ok, out = _tampered(ln_model, tmp_path, r"lnfw := \[[^\]]*\]", "lnfw := [0;0;0;0]")
    assert not ok and "check_bf_tl" in out


def test_export_of_compact_strategy_of_bias_model(tmp_path: Path) -> None:
    """Bias-only models: cubic goes through TL/AugmentTL.v (tests/test_coq_maxofk_bias.py compiles such files)."""
    model = tl_tiny(tmp_path / "m.safetensors", ln=None, biases=True)
    res = prove_cubic(load_model(model))
    cert = write_json_atomic(res.certificate, tmp_path / "cubic.json")
    assert "check_cubic_tl_sound" in export_coq(cert, model, tmp_path).read_text()


def test_lean_export_of_extended_model_uses_tl(ln_model) -> None:
    """Brute-force certificates of bias/LN models export to Lean through Proofs/TL (tests/test_lean_maxofk_tl.py)."""
    from pybridge.check.certificate import read_certificate
    from pybridge.families.maxofk.export import render_lean

    model, cert, _ = ln_model
    ns, src = render_lean(cert, read_certificate(cert), model)
    assert ns.endswith("_tlbf") and "Pybridge.TL.check_bf_tl_sound" in src


@pytest.mark.slow
def test_authors_layernorm_model_coq(tmp_path: Path, lib) -> None:
    """MaxOfTwoNumbers (V=64, n=2, d=32, LN + biases): Coq re-checks the brute-force certificate
    at fixed_bits 52, the smallest grid tried where brute force proves the exact 4077/4096 (the authors' count).
    About 8 minutes of coqc CPU (bench/maxofk_external_coq.py --fixed-bits 52, bench/results/maxofk_external.md)."""
    if not (EXT / "MaxOfTwoNumbers.safetensors").is_file():
        pytest.skip(f"{EXT} not present (the authors' Max-of-2 models)")
    from pybridge.families.maxofk.transformerlens import import_tl_state_dict

    model = import_tl_state_dict(EXT / "MaxOfTwoNumbers.safetensors", tmp_path / "m2.safetensors")
    res = prove_brute_force(load_model(model), {"fixed_bits": 52, "exp_squarings": 40})  # Coq grid 2^-52
    assert res.correct == 4077 and res.incorrect == 19  # exact: the authors' TheoremStatement.v count
    cert = write_json_atomic(res.certificate, tmp_path / "bf.json")
    ok, secs, why, _ = verify_coq_strict(cert, model, tmp_path / "strict", _expected(cert, model), timeout=7200)
    assert ok, why
