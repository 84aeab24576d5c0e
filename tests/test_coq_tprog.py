"""Coq re-check of tprog task-accuracy certificates (coq/theories/TransformerPrograms): a small trained
model's certificate is accepted, closed under the global context; the claim + 1 is rejected by Coq."""

from __future__ import annotations

import json
import shutil

import pytest

pytestmark = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed")


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    from pybridge import families
    from pybridge.certio import write_json_atomic
    from pybridge.families.tprog.model import TProgConfig, train

    d = tmp_path_factory.mktemp("coqtprog")
    train(TProgConfig("hist-small", layers=1, cat_heads=1, num_heads=1, mlps=1, hidden=16), seed=1,
          out=d / "m.safetensors", epochs=15)
    res = families.get("tprog").strategy("task-accuracy").prove(d / "m.safetensors", families.ProveRequest())
    res.certificate["model"]["file"] = "m.safetensors"
    write_json_atomic(res.certificate, d / "acc.json")
    return d, res.correct


def test_coq_accepts_and_rejects_claim_plus_one(cert):
    from pybridge.export.coq import export_coq, run_coqc

    d, correct = cert
    v = export_coq(d / "acc.json", d / "m.safetensors", d / "coq")
    ok, _, out = run_coqc(v)
    assert ok, out
    assert "Closed under the global context" in out
    doc = json.loads((d / "acc.json").read_text())
    doc["claim"]["correct_at_least"] = correct + 1
    (d / "bad.json").write_text(json.dumps(doc))
    v2 = export_coq(d / "bad.json", d / "m.safetensors", d / "coq")
    ok2, _, out2 = run_coqc(v2)
    assert not ok2, out2


def test_coq_export_refuses_equivalence_and_foreign_model(cert, tmp_path):
    from pybridge import families
    from pybridge.certio import write_json_atomic
    from pybridge.export.coq import export_coq

    d, _ = cert
    res = families.get("tprog").strategy("program-equivalence").prove(d / "m.safetensors", families.ProveRequest())
    res.certificate["model"]["file"] = str(d / "m.safetensors")
    write_json_atomic(res.certificate, tmp_path / "eq.json")
    with pytest.raises(ValueError, match="task-accuracy"):
        export_coq(tmp_path / "eq.json", d / "m.safetensors", tmp_path)
    doc = json.loads((d / "acc.json").read_text())
    doc["model_sha256"] = "0" * 64
    (tmp_path / "x.json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="hash"):
        export_coq(tmp_path / "x.json", d / "m.safetensors", tmp_path)
