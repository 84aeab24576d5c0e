"""Coq re-check of group-operation brute-force certificates (coq/theories/GroupSpec.v,
GroupBruteForce.v; pybridge.export.coq).

The shipped groupop certificates must compile with no axioms at all (the semantics is over Q);
coqc must reject a claim + 1 and a tampered weight; the export must carry exactly the checker's
integers; the groups Coq generates from their names must have the Python checker's tables.
Skipped when coqc is not installed.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed (Coq 8.16 needed)")

from conftest import coqc_rejects_tampered_bias  # noqa: E402

from pybridge.check.groupop.bruteforce import group_table, load_groupop  # noqa: E402
from pybridge.export.coq import THEORIES, build_library, export_coq, run_coqc  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CERTS = ROOT / "certificates"
INDEX = [e for e in json.loads((CERTS / "index.json").read_text()) if e.get("family") == "groupop"]
SMALL = "groupop-c6-e8-h16-seed0"


def test_index_has_groupop_certificates() -> None:
    groups = {load_groupop(CERTS / e["model"])[0].group[0] for e in INDEX}
    assert {"S", "C", "D"} <= groups and all(e["coq"] for e in INDEX)


@pytest.mark.parametrize("entry", INDEX, ids=[e["certificate"] for e in INDEX])
def test_shipped_groupop_accepted_without_axioms(entry, tmp_path: Path) -> None:
    v = export_coq(CERTS / entry["certificate"], CERTS / entry["model"], tmp_path)
    ok, secs, out = run_coqc(v)
    assert ok, out[-2000:]
    assert "Closed under the global context" in out, out[-2000:]


def _small_v(tmp_path: Path, doc_edit=None) -> Path:
    doc = json.loads((CERTS / f"{SMALL}.brute-force.json").read_text())
    doc["model"]["file"] = str(CERTS / f"{SMALL}.safetensors")
    if doc_edit:
        doc_edit(doc)
    cert = tmp_path / "cert.json"
    cert.write_text(json.dumps(doc))
    return export_coq(cert, CERTS / f"{SMALL}.safetensors", tmp_path)


def test_claim_plus_one_rejected(tmp_path: Path) -> None:
    def edit(doc):
        doc["claim"]["correct_at_least"] += 1
        doc["claim"].pop("incorrect_at_least", None)

    ok, _, out = run_coqc(_small_v(tmp_path, edit))
    assert not ok and "Error" in out


def test_tampered_weight_rejected(tmp_path: Path) -> None:
    """A huge bias on class 0 makes every pair predict the identity: only the |G| pairs with x*y = 0
    stay correct, fewer than the claim, so the certificate file must no longer compile."""
    v = _small_v(tmp_path)
    text = v.read_text()
    coqc_rejects_tampered_bias(v, 10**30)
    v.write_text(text)  # the untampered file compiles (the test can tell the difference)
    ok, _, out = run_coqc(v)
    assert ok, out[-2000:]


def _coq_list(text: str, name: str):
    m = re.search(rf"\b{name} := (\[.*?\])(?=;\n  [A-Za-z]+ :=| \|\}})", text, re.S)
    assert m, name
    return ast.literal_eval(m.group(1).replace(";", ","))


@pytest.mark.parametrize("entry", INDEX, ids=[e["certificate"] for e in INDEX])
def test_export_round_trips(entry, tmp_path: Path) -> None:
    text = export_coq(CERTS / entry["certificate"], CERTS / entry["model"], tmp_path).read_text()
    M, _ = load_groupop(CERTS / entry["model"])
    for name, mat in (("EL", M.EL), ("ER", M.ER), ("WL", M.WL), ("WR", M.WR), ("WU", M.WU), ("bU", M.bU)):
        assert _coq_list(text, name) == mat, name
    ctor = {"S": "Sym", "A": "Alt", "C": "Cyc", "D": "Dih"}[M.group[0]]
    assert f"grp := {ctor} {int(M.group[1:])}; d_embed := {M.d_embed}; d_hidden := {M.d_hidden}; s := {M.s};" in text
    assert re.search(rf"cert_N : Z := {entry['correct_at_least']}\.", text) and M.sha256 in text


def test_coq_groups_match_python(tmp_path: Path) -> None:
    """GroupSpec.gmul, evaluated by Coq, is the Python checker's table for several groups."""
    import subprocess

    build_library()
    names = {"S3": "Sym 3", "A4": "Alt 4", "S4": "Sym 4", "C5": "Cyc 5", "D4": "Dih 4", "D5": "Dih 5", "C1": "Cyc 1"}
    lines = ["From Pybridge Require Import GroupSpec.", "From Coq Require Import List.", "Set Printing Depth 1000000."]
    for ctor in names.values():
        lines.append(f"Eval vm_compute in let G := {ctor} in "
                     "flat_map (fun x => map (gmul G x) (seq 0 (order G))) (seq 0 (order G)).")
    (tmp_path / "G.v").write_text("\n".join(lines) + "\n")
    p = subprocess.run(["coqc", "-q", "-R", str(THEORIES), "Pybridge", "G.v"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    flat = [[int(v) for v in re.findall(r"\d+", block.split("=", 1)[1])]
            for block in p.stdout.split(": list nat")[:-1]]
    assert len(flat) == len(names)
    for name, got in zip(names, flat):
        expect = group_table(name)
        assert got == [z for row in expect for z in row], name
