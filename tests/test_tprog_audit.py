"""`pybridge audit` on tprog certificates: the report adds up, every Coq/Lean name it cites exists, tampered
certificates are refused (the checker runs first), and the CLI prints it."""

from __future__ import annotations

import json
import re
import contextlib
import io
from pathlib import Path

import pytest

from pybridge.check import Rejected

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    from tprog_certs import make_certs

    return make_certs(tmp_path_factory.mktemp("audittprog"), "reverse-small", seed=2, epochs=5)


def _names(field: str) -> list[list[str]]:
    return [p.split(" (")[0].strip().split(".") for p in field.split(" / ")
            if re.fullmatch(r"\w+\.\w+\.\w+", p.split(" (")[0].strip())]


def test_cited_names_exist():
    from pybridge.families.tprog.audit import JUSTIFY

    import importlib

    seen = 0
    for py, coq, lean in JUSTIFY.values():
        for folder, mod, name in _names(coq):
            text = (ROOT / "coq" / "theories" / folder / f"{mod}.v").read_text()
            assert re.search(rf"\b(Lemma|Theorem|Definition|Record|Fixpoint|Inductive)\s+{name}\b", text), (mod, name)
            seen += 1
        for folder, mod, name in _names(lean):
            text = (ROOT / "Proofs" / folder / f"{mod}.lean").read_text()
            assert re.search(rf"\b(theorem|def|structure|inductive|abbrev)\s+{name}\b", text), (mod, name)
            seen += 1
        for part in py.split(" + "):
            m = re.fullmatch(r"check\.([\w.]+)\.(\w+)", part.strip())
            assert m, part
            assert hasattr(importlib.import_module(f"pybridge.check.{m.group(1)}"), m.group(2)), part
    assert seen >= 12


def test_audit_reports_add_up(certs):
    from pybridge.audit import audit, render_markdown

    for name, (cert, model, res) in certs.items():
        r = audit(cert, model)
        assert r["family"] == "tprog" and r["strategy"] == res.strategy
        md = render_markdown(r)
        assert "| 1 |" in md
        last = r["steps"][-1]
        if name == "eq":
            assert last["numbers"]["inputs_differing"] == 0 and "program = model" in md
            assert r["claim"]["correct_at_least"] == r["claim"]["total"] == res.total
        else:
            n = last["numbers"]
            assert n["correct"] + n["failing"] == res.total and n["correct"] == res.correct
            assert n["claim_slack"] == 0 and last["coq"] == "TransformerPrograms.Check.check_sound"
        assert any(s["coq"] == "TransformerPrograms.Spec.model_program" for s in r["steps"]) == (name != "pacc")


def test_audit_runs_the_checker_first(certs, tmp_path):
    from pybridge.audit import audit

    cert, model, res = certs["acc"]
    doc = json.loads(cert.read_text())
    doc["claim"]["correct_at_least"] = res.correct + 1
    (tmp_path / "m.safetensors").write_bytes(model.read_bytes())
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(Rejected):
        audit(tmp_path / "bad.json", tmp_path / "m.safetensors")


def test_cli_audit(certs):
    from pybridge.cli import main

    cert, _, _ = certs["eq"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["audit", str(cert), "--json"])
    assert code == 0
    assert json.loads(out.getvalue())["strategy"] == "program-equivalence"
