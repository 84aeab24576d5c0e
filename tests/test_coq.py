"""Coq re-check of certificates (coq/, pybridge.export.coq).

Each test exports a certificate for a tiny hand-made model to a .v file and compiles it with coqc:
the file's theorem `cert_correct : accuracy_at_least cert_model N` must be accepted for the
prover's claim, and rejected for a tampered claim or hint.  Skipped when coqc is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import torch

pytestmark = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed (Coq 8.16 needed)")

from pybridge.export.coq import export_coq, run_coqc  # noqa: E402
from pybridge.families.maxofk.model import save_maxofk  # noqa: E402
from pybridge.families.maxofk.brute_force import prove_brute_force  # noqa: E402
from pybridge.families.maxofk.common import load_model, write_json_atomic  # noqa: E402
from pybridge.families.maxofk.cubic import prove_cubic  # noqa: E402
from pybridge.families.maxofk.cubic_count import prove_cubic_count  # noqa: E402

# The axioms the Reals library brings (Classical_Prop.classic enters through the standard
# library's proof of exp_ineq1_le, 1 + x <= exp x).
ALLOWED_AXIOMS = {
    "ClassicalDedekindReals.sig_not_dec",
    "ClassicalDedekindReals.sig_forall_dec",
    "FunctionalExtensionality.functional_extensionality_dep",
    "Classical_Prop.classic",
}


def tiny_state() -> dict[str, torch.Tensor]:
    """V=3, n=2, d=h=2: attention concentrates on the largest token (score 8*tok/sqrt 2), the value
    path copies it, and W_U reads token j as j*x1 - j^2/2 * x2: clearly right."""
    E = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    P = torch.zeros(2, 2)
    WQ = torch.tensor([[0.0, 0.0], [0.0, 8.0]])
    WK = torch.tensor([[0.0, 1.0], [0.0, 0.0]])
    WV = 10 * torch.eye(2)
    WO = torch.eye(2)
    WU = torch.tensor([[0.0, 1.0, 2.0], [0.0, -0.5, -2.0]])
    return {
        "embed.W_E": E,
        "pos_embed.W_pos": P,
        "blocks.0.attn.W_Q": WQ[None],
        "blocks.0.attn.W_K": WK[None],
        "blocks.0.attn.W_V": WV[None],
        "blocks.0.attn.W_O": WO[None],
        "unembed.W_U": WU,
    }


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("coq") / "tiny.safetensors"
    save_maxofk(tiny_state(), path)
    return path


def _cert(model: Path, strategy: str, out: Path) -> dict:
    m = load_model(model)
    provers = {"brute-force": prove_brute_force, "cubic": prove_cubic, "cubic-count": prove_cubic_count}
    res = provers[strategy](m)
    write_json_atomic(res.certificate, out)
    return res.certificate


def _compile(cert: Path, model: Path, out_dir: Path) -> tuple[bool, str]:
    v = export_coq(cert, model, out_dir)
    ok, secs, output = run_coqc(v)
    return ok, output


def _axioms(output: str) -> set[str]:
    """Names listed by `Print Assumptions` (unindented lines after 'Axioms:')."""
    if "Closed under the global context" in output:
        return set()
    tail = output.split("Axioms:", 1)[1]
    return {line.split(" :")[0].strip() for line in tail.splitlines() if line and not line[0].isspace()}


def test_bruteforce_compiles_and_assumptions(tiny: Path, tmp_path: Path) -> None:
    cert = _cert(tiny, "brute-force", tmp_path / "bf.json")
    assert cert["claim"]["correct_at_least"] == 9  # every input of the tiny model is proven correct
    ok, out = _compile(tmp_path / "bf.json", tiny, tmp_path)
    assert ok, out
    axioms = _axioms(out)
    assert axioms and axioms <= ALLOWED_AXIOMS, axioms


def test_bruteforce_claim_plus_one_fails(tiny: Path, tmp_path: Path) -> None:
    cert = _cert(tiny, "brute-force", tmp_path / "bf.json")
    cert["claim"]["correct_at_least"] += 1
    cert["claim"].pop("incorrect_at_least", None)
    (tmp_path / "bf_bad.json").write_text(json.dumps(cert))
    ok, out = _compile(tmp_path / "bf_bad.json", tiny, tmp_path)
    assert not ok
    assert "Error" in out


def test_cubic_compiles(tiny: Path, tmp_path: Path) -> None:
    cert = _cert(tiny, "cubic", tmp_path / "cubic.json")
    assert cert["claim"]["correct_at_least"] > 0
    ok, out = _compile(tmp_path / "cubic.json", tiny, tmp_path)
    assert ok, out
    axioms = _axioms(out)
    assert axioms <= ALLOWED_AXIOMS, axioms


def test_cubic_claim_plus_one_fails(tiny: Path, tmp_path: Path) -> None:
    cert = _cert(tiny, "cubic", tmp_path / "cubic.json")
    cert["claim"]["correct_at_least"] += 1
    (tmp_path / "cubic_bad.json").write_text(json.dumps(cert))
    ok, _ = _compile(tmp_path / "cubic_bad.json", tiny, tmp_path)
    assert not ok


def test_cubic_changed_hint_fails(tiny: Path, tmp_path: Path) -> None:
    cert = _cert(tiny, "cubic", tmp_path / "cubic.json")
    blocks = cert["hints"]["blocks"]
    # drop one token from the token set of a block that counts more than one input
    idx = next(i for i, (q, m, nm, km) in enumerate(blocks) if nm and bin(km).count("1") >= 1)
    q, m, nm, km = blocks[idx]
    blocks[idx] = [q, m, nm, km & (km - 1)]
    (tmp_path / "cubic_hint.json").write_text(json.dumps(cert))
    ok, _ = _compile(tmp_path / "cubic_hint.json", tiny, tmp_path)
    assert not ok


def test_cubic_invalid_hint_fails(tiny: Path, tmp_path: Path) -> None:
    cert = _cert(tiny, "cubic", tmp_path / "cubic.json")
    blocks = cert["hints"]["blocks"]
    q, m, nm, km = blocks[0]
    blocks.append([q, m, nm, km])  # duplicate key (q, m, N)
    (tmp_path / "cubic_dup.json").write_text(json.dumps(cert))
    ok, _ = _compile(tmp_path / "cubic_dup.json", tiny, tmp_path)
    assert not ok


def test_cubic_count_compiles(tiny: Path, tmp_path: Path) -> None:
    cert = _cert(tiny, "cubic-count", tmp_path / "cc.json")
    assert cert["claim"]["correct_at_least"] > 0
    assert any(c >= 1 and km for _, _, c, km in cert["hints"]["blocks"])
    ok, out = _compile(tmp_path / "cc.json", tiny, tmp_path)
    assert ok, out
    axioms = _axioms(out)
    assert axioms and axioms <= ALLOWED_AXIOMS, axioms


def test_cubic_count_claim_plus_one_fails(tiny: Path, tmp_path: Path) -> None:
    cert = _cert(tiny, "cubic-count", tmp_path / "cc.json")
    cert["claim"]["correct_at_least"] += 1
    (tmp_path / "cc_bad.json").write_text(json.dumps(cert))
    ok, _ = _compile(tmp_path / "cc_bad.json", tiny, tmp_path)
    assert not ok


def test_cubic_count_changed_hint_fails(tiny: Path, tmp_path: Path) -> None:
    cert = _cert(tiny, "cubic-count", tmp_path / "cc.json")
    blocks = cert["hints"]["blocks"]
    # drop one token from the token set of a block with c >= 1: its count C(n-1, c) |K|^c drops
    idx = next(i for i, (q, m, c, km) in enumerate(blocks) if c >= 1 and km)
    q, m, c, km = blocks[idx]
    blocks[idx] = [q, m, c, km & (km - 1)]
    (tmp_path / "cc_hint.json").write_text(json.dumps(cert))
    ok, _ = _compile(tmp_path / "cc_hint.json", tiny, tmp_path)
    assert not ok


def test_cubic_count_duplicate_block_fails(tiny: Path, tmp_path: Path) -> None:
    cert = _cert(tiny, "cubic-count", tmp_path / "cc.json")
    blocks = cert["hints"]["blocks"]
    q, m, c, km = blocks[0]
    blocks.append([q, m, c, km])  # duplicate key (q, m, c)
    (tmp_path / "cc_dup.json").write_text(json.dumps(cert))
    ok, _ = _compile(tmp_path / "cc_dup.json", tiny, tmp_path)
    assert not ok


def test_spec_mentions_no_checker() -> None:
    spec = (Path(__file__).resolve().parents[1] / "coq" / "theories" / "Spec.v").read_text()
    code = re.sub(r"\(\*.*?\*\)", "", spec, flags=re.S)  # the statement, without comments
    assert not re.search(r"check|Checker|EXPLO|dyadic|Require Import .*Pybridge", code)
    for f in (Path(__file__).resolve().parents[1] / "coq" / "theories").glob("*.v"):
        text = f.read_text()
        assert not re.search(r"\b(Admitted|admit|Axiom|Parameter)\b", text), f
