"""The example certificates in certificates/ check, in Python and (where index.json says so) in Coq.

CI installs Coq (scripts/test.sh), so there the Coq half runs and fails the build if any shipped
certificate does not compile; without coqc it is skipped with a message.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pybridge.check import verify

ROOT = Path(__file__).resolve().parents[1]
INDEX = json.loads((ROOT / "certificates" / "index.json").read_text())


@pytest.mark.parametrize("entry", INDEX, ids=[e["certificate"] for e in INDEX])
def test_python_checker_accepts(entry):
    r = verify(ROOT / "certificates" / entry["certificate"])
    assert r.correct_at_least == entry["correct_at_least"] and r.verified_correct >= r.correct_at_least


# groupop certificates are compiled by tests/test_coq_groupop.py (with their Print Assumptions check).
COQ = [e for e in INDEX if e["coq"] and e.get("family", "maxofk") == "maxofk"]
MAXOFK = [e for e in INDEX if e.get("family", "maxofk") == "maxofk"]


@pytest.mark.parametrize("entry", COQ, ids=[e["certificate"] for e in COQ])
def test_coq_accepts(entry, tmp_path):
    if shutil.which("coqc") is None:
        pytest.skip("coqc not installed: run scripts/test.sh (it installs coq libcoq-interval)")
    from pybridge.export.coq import export_coq, run_coqc

    cert = ROOT / "certificates" / entry["certificate"]
    v = export_coq(cert, ROOT / "certificates" / entry["model"], tmp_path)
    ok, secs, out = run_coqc(v)
    assert ok, out[-2000:]


def test_verify_cli_small(tmp_path):
    if shutil.which("coqc") is None:
        pytest.skip("coqc not installed: run scripts/test.sh (it installs coq libcoq-interval)")
    import subprocess
    import sys

    cert = ROOT / "certificates" / "maxofk-v5-n3-seed1.cubic.json"
    r = subprocess.run([sys.executable, "-m", "pybridge.cli", "verify", str(cert), "--coq", "--out", str(tmp_path), "--json"],
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["coq"] is True
    # claim + 1: Coq must refuse
    doc = json.loads(cert.read_text())
    doc["claim"]["correct_at_least"] += 1
    doc["model"].pop("file")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    r = subprocess.run([sys.executable, "-m", "pybridge.cli", "verify", str(bad), "--coq", "--out", str(tmp_path / "b"),
                        "--model", str(ROOT / "certificates" / "maxofk-v5-n3-seed1.safetensors")],
                       capture_output=True, text=True, timeout=1800)
    # defence in depth (issue 10): the Python checker refuses first, Coq is not run
    assert r.returncode == 1 and "REFUSED" in r.stdout


def _coq_list(text: str, name: str) -> list:
    """Parse the matrix `name := [[..];[..]]` from a generated .v file into Python ints."""
    import ast
    import re

    m = re.search(rf"\b{name} := (\[\[.*?\]\])", text, re.S)
    assert m, name
    return ast.literal_eval(m.group(1).replace(";", ","))


@pytest.mark.parametrize("entry", MAXOFK, ids=[e["certificate"] for e in MAXOFK])
def test_coq_export_round_trips(entry, tmp_path):
    """The numbers in the generated .v file are exactly the checker's integers and the claim."""
    import re

    from pybridge.check.maxofk.weights import load_maxofk
    from pybridge.export.coq import export_coq

    cert = ROOT / "certificates" / entry["certificate"]
    model = ROOT / "certificates" / entry["model"]
    M = load_maxofk(model)
    text = export_coq(cert, model, tmp_path).read_text()
    if M.has_bias or M.has_ln:  # issue 15: brute force of bias/LN models goes through Coq's TL.SpecTL
        assert entry["strategy"] == "brute-force" and "From Pybridge Require Import TL.SpecTL" in text
        for name, vec in (("bQ", M.bQ), ("bK", M.bK), ("bV", M.bV), ("bO", M.bO), ("bU", M.bU),
                          ("ln1w", M.ln1_w), ("ln1b", M.ln1_b), ("lnfw", M.lnf_w), ("lnfb", M.lnf_b)):
            m = re.search(rf"\b{name} := \[([^\]]*)\]", text)
            assert m and [int(v) for v in m.group(1).split(";") if v.strip()] == list(vec), name
        assert f"eps_num := {M.ln_eps.numerator}; eps_den := {M.ln_eps.denominator}" in text
    assert f"s := {M.s};" in text and M.sha256 in text
    for name, mat in (("E", M.E), ("Pos", M.P), ("WQ", M.WQ), ("WK", M.WK), ("WV", M.WV), ("WO", M.WO), ("WU", M.WU)):
        assert _coq_list(text, name) == mat, name
    assert re.search(rf"cert_N : Z := {entry['correct_at_least']}\.", text)
    doc = json.loads(cert.read_text())
    grid = "cert_F" if (M.has_bias or M.has_ln) else "cert_P"  # TL's grid: F = max(fixed_bits, s) in Coq
    assert re.search(rf"{grid} : nat := {doc['params']['fixed_bits']}\.", text)
    assert re.search(rf"cert_k : nat := {doc['params']['exp_squarings']}\.", text)
    if entry["strategy"] == "cubic":
        blocks = re.findall(r"\((-?\d+), (-?\d+), (-?\d+), (-?\d+)\)", text.split("cert_blocks", 1)[1])
        assert sorted(tuple(map(int, b)) for b in blocks) == sorted(tuple(b) for b in doc["hints"]["blocks"])
