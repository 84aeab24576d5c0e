"""Issue 10: the trust boundary against hostile files. One test (at least) per finding of the review:

1. no text from inputs reaches a proof file; `verify --coq` runs the Python checker first and compares what
   Coq proved with the fixed expected statement and axioms;
2. memory from the model alone (exp-enclosure alignment);
3. memory from the certificate alone (subcubic attention gap D);
4. hangs: work bounds (--max-work/--max-bits) and model paths (plain names, regular files only);
5. crashes: every exception inside the checker is InputError or Rejected, one line, no traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pybridge.check import InputError, Rejected, verify
from pybridge.check.limits import Limits

ROOT = Path(__file__).resolve().parents[1]
CERTS = ROOT / "certificates"
V5 = "maxofk-v5-n3-seed1"
HOSTILE = ('a*) From Pybridge Require Import Spec. Notation "\'accuracy_at_least\'" := (fun (_:model) (_:Z) => True).'
           ' (* "x" := y.json')
needs_coqc = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed (scripts/test.sh installs it)")


def _copy(tmp: Path, cert: str, model: str, name: str | None = None, edit=None) -> Path:
    """Copy a shipped certificate (renamed to `name`, optionally edited) and its model into `tmp`."""
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(CERTS / model, tmp / model)
    doc = json.loads((CERTS / cert).read_text())
    if edit:
        edit(doc)
    p = tmp / (name or cert)
    p.write_text(json.dumps(doc))
    return p


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYBRIDGE_DEBUG"}
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def one_line_error(p: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in p.stderr + p.stdout
    assert len(p.stderr.strip().splitlines()) <= 1, p.stderr


# ---------------------------------------------------------------- 1. proof files carry no text from inputs
@pytest.mark.parametrize("cert,model", [
    (f"{V5}.cubic.json", f"{V5}.safetensors"),
    (f"{V5}.brute-force.json", f"{V5}.safetensors"),
    ("groupop-c6-e8-h16-seed0.brute-force.json", "groupop-c6-e8-h16-seed0.safetensors"),
])
def test_file_name_never_reaches_proof_files(tmp_path, cert, model):
    from pybridge.export.coq import render_coq
    from pybridge.export.lean import lean_source as render_lean

    benign = _copy(tmp_path / "a", cert, model, "plain.json")
    hostile = _copy(tmp_path / "b", cert, model, HOSTILE)
    coq_a, coq_b = render_coq(benign, benign.parent / model), render_coq(hostile, hostile.parent / model)
    assert coq_a == coq_b and "accuracy_at_least'\"" not in coq_b and "plain" not in coq_a
    lean_a, lean_b = render_lean(benign, benign.parent / model), render_lean(hostile, hostile.parent / model)
    assert lean_a == lean_b and "Require Import Spec. Notation" not in lean_b[1]


def test_trailer_output_comparison():
    from pybridge.export.coq import STANDARD_AXIOMS, check_trailer_output, statement_text

    axioms = "Axioms:\n" + "\n".join(sorted(STANDARD_AXIOMS)) + "\n"
    good = statement_text("Spec")
    assert check_trailer_output(good + axioms, good) is None
    assert check_trailer_output(good + "Closed under the global context\n", good) is None
    # a statement about a local redefinition prints with the certificate module's prefix
    bad = "Cert.cert_correct\n     : Cert.accuracy_at_least Cert.cert_model Cert.cert_N\n"
    assert "differs" in check_trailer_output(bad + axioms, good)
    assert check_trailer_output(bad + axioms, None) is None  # fallback: name and axioms only
    assert "unexpected assumption" in check_trailer_output(good + axioms + "Cert.cheat : False\n", good)
    assert check_trailer_output(good, good) is not None  # no Print Assumptions output at all


@needs_coqc
def test_verify_coq_refuses_false_claim_with_hostile_name(tmp_path):
    """The reviewer's attack: a file name with Coq syntax and a claim one above the truth (125/125)."""
    def edit(d):
        d["claim"] = {"correct_at_least": 125, "total": 125}

    p = _copy(tmp_path, f"{V5}.brute-force.json", f"{V5}.safetensors", HOSTILE, edit)
    r = cli("verify", "--coq", str(p), "--json", "--out", str(tmp_path / "out"))
    assert r.returncode == 1, r.stdout + r.stderr
    obj = json.loads(r.stdout)
    assert obj["coq"] is False and obj["python_check"] is False


@needs_coqc
def test_verify_coq_true_claim_with_hostile_name(tmp_path):
    p = _copy(tmp_path, f"{V5}.brute-force.json", f"{V5}.safetensors", HOSTILE)
    r = cli("verify", "--coq", str(p), "--json", "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stdout + r.stderr
    obj = json.loads(r.stdout)
    assert obj["coq"] and obj["statement_checked"] == "exact"
    assert "Notation \"" not in (tmp_path / "out" / "Cert.v").read_text()


@needs_coqc
@pytest.mark.parametrize("attack", ["redefine", "print"])
def test_strict_check_rejects_a_changed_statement(tmp_path, monkeypatch, attack):
    """Defence in depth: even if text did reach the .v file, a theorem about anything but Spec's
    accuracy_at_least, or any extra output, is a rejection although coqc itself succeeds."""
    import pybridge.export.coq as coq
    from pybridge import families

    real = coq.render_coq

    def evil(cert_path, model_path, print_assumptions=True):
        text = real(cert_path, model_path, print_assumptions)
        head, _, _ = text.partition("Theorem cert_correct")
        if attack == "redefine":
            return head + ("Definition accuracy_at_least (_ : model) (_ : Z) : Prop := True.\n"
                           "Theorem cert_correct : accuracy_at_least cert_model cert_N.\nProof. exact I. Qed.\n")
        return text + "\nPrint cert_N.\n"

    monkeypatch.setattr(coq, "render_coq", evil)
    cert = CERTS / f"{V5}.cubic.json"
    ok, _, reason, _ = coq.verify_coq_strict(cert, CERTS / f"{V5}.safetensors", tmp_path,
                                             families.get("maxofk").coq_expected(None))
    assert not ok
    assert ("differs" in reason) if attack == "redefine" else ("unexpected output" in reason)
