"""`pybridge audit`: every lemma it cites exists, and the report adds up."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from pybridge.audit import audit, justifications, render_markdown

JUSTIFY = justifications()
from pybridge.families.maxofk.common import load_model, write_json_atomic
from pybridge.families.maxofk.cubic import prove_cubic
from pybridge.families.maxofk.brute_force import prove_brute_force
from reference import write_model

ROOT = Path(__file__).resolve().parents[1]


def _names(field: str) -> list[tuple[str, str]]:
    out = []
    for part in field.split(" / "):
        part = part.split(" (")[0].strip()
        if re.fullmatch(r"\w+(\.\w+)+", part):  # Module.name or Folder.Module.name (coq/theories/Folder/Module.v)
            mod, name = part.rsplit(".", 1)
            out.append((mod.replace(".", "/"), name))
    return out


@pytest.mark.parametrize("key", sorted(JUSTIFY))
def test_cited_lemmas_exist(key):
    py, coq, lean = JUSTIFY[key]
    for mod, name in _names(coq):
        text = (ROOT / "coq" / "theories" / f"{mod}.v").read_text()
        assert re.search(rf"\b(Lemma|Theorem|Definition|Record|Fixpoint|Inductive)\s+{name}\b", text), f"Coq {mod}.{name}"
    for mod, name in _names(lean):
        text = (ROOT / "Proofs" / f"{mod}.lean").read_text()
        assert re.search(rf"\b(theorem|def|structure|class|abbrev|lemma)\s+{name}\b", text), f"Lean {mod}.{name}"
    m = re.match(r"check\.([\w.]+)\.(\w+)", py)
    if m:
        assert hasattr(importlib.import_module(f"pybridge.check.{m.group(1)}"), m.group(2))


def test_audit_reports_add_up(tmp_path):
    path = write_model(tmp_path / "m.safetensors", 5, 3, 4, 4, seed=7)
    mdl = load_model(path)
    for res in (prove_cubic(mdl), prove_brute_force(mdl)):
        cert = write_json_atomic(res.certificate, tmp_path / f"{res.strategy}.json")
        r = audit(cert, path)
        assert r["claim"]["correct_at_least"] == res.correct
        assert "| 1 |" in render_markdown(r)
        if res.strategy == "cubic":
            blocks = next(s for s in r["steps"] if s["step"].startswith("Check each block"))
            lost = blocks["numbers"]["correct_inputs_in_classes_without_a_passing_block"] + \
                blocks["numbers"]["correct_inputs_with_a_token_outside_K"]
            # every float-correct input is either certified or counted as lost (up to float ties)
            assert r["total_slack_inputs"] == lost
        else:
            und = r["steps"][-1]["numbers"]["undetermined"]
            assert und == res.total - res.correct - res.incorrect


def test_audit_groupop_adds_up():
    import json

    cert = ROOT / "certificates" / "groupop-d5-e16-h32-seed0.brute-force.json"
    r = audit(cert, ROOT / "certificates" / "groupop-d5-e16-h32-seed0.safetensors")
    claim = json.loads(cert.read_text())["claim"]
    assert r["family"] == "groupop" and r["claim"]["correct_at_least"] == claim["correct_at_least"]
    assert [s["coq"] for s in r["steps"]][-1] == "GroupBruteForce.check_group_bf_sound"
    last = r["steps"][-1]["numbers"]
    assert last["proven_correct"] + last["proven_incorrect"] + last["undetermined"] == claim["total"]
    assert last["proven_correct"] >= claim["correct_at_least"]
    steps = {s["python"] for s in r["steps"]}
    assert "check.groupop.bruteforce.count_bruteforce" in steps and "check.groupop.bruteforce.group_table" in steps
    assert "exact rational model" in render_markdown(r)


def test_audit_of_a_biased_model_cites_the_tl_lemmas(tmp_path):
    """Issue 15: a model with biases is re-checked against TL/SpecTL (brute force: BruteForceTL; cubic: the
    bias-free checker on AugmentTL.augment), so its audit must cite those, not the bias-free Spec's."""
    path = write_model(tmp_path / "b.safetensors", 4, 3, 3, 3, seed=2, biases=True)
    mdl = load_model(path)
    cited = {}
    for res in (prove_cubic(mdl), prove_brute_force(mdl)):
        cert = write_json_atomic(res.certificate, tmp_path / f"{res.strategy}.json")
        cited[res.strategy] = [s["coq"] for s in audit(cert, path)["steps"]]
    assert cited["cubic"][0] == "TL.SpecTL.tlmodel / TL.AugmentTL.augment"
    assert cited["cubic"][-1] == "TL.AugmentTL.check_cubic_tl_sound"
    assert cited["brute-force"][-1] == "TL.BruteForceTL.check_bf_tl_sound"
    assert not any(c.startswith(("Spec.", "Cubic.check", "BruteForce.")) for c in cited["cubic"] + cited["brute-force"])
