"""Coq re-check of bilinear certificates (coq/theories/Bilinear): brute force, equivalence,
similarity and distance accepted on tiny models; tampered claims rejected by Coq itself (rendered without the
Python checker's gate)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed: run scripts/test.sh")

from test_bilinear import rand_model, transform, write  # noqa: E402


def run(*args):
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *map(str, args)], capture_output=True, text=True, timeout=900)


def coq_compiles(cert: Path, model: Path, out: Path) -> tuple[bool, str]:
    from pybridge.export.coq import export_coq, run_coqc

    v = export_coq(cert, model, out)
    ok, _, text = run_coqc(v)
    return ok, text


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("coqbil")
    rng = np.random.default_rng(11)
    A = rand_model(rng, 6, 3, 3, 3)  # modadd shape: P = 3, d_in = 6, head 3 x 3
    write(d / "a.safetensors", A, task="modadd", p="3")
    write(d / "b.safetensors", transform(A, rng, 1), task="modadd", p="3")
    C = {k: (v + 0.05 * rng.standard_normal(v.shape)).astype(np.float32) for k, v in A.items()}
    write(d / "c.safetensors", C, task="modadd", p="3")
    return d


@pytest.mark.parametrize("kind", ["brute-force", "equivalent", "similarity", "distance"])
def test_coq_accepts_and_rejects_tampered(models, kind, tmp_path):
    d = models
    cert = d / f"{kind}.json"
    args = {"brute-force": (), "equivalent": ("--with", d / "b.safetensors"), "similarity": ("--with", d / "c.safetensors"),
            "distance": ("--with", d / "c.safetensors")}[kind]
    r = run("prove", d / "a.safetensors", "--strategy", kind, *args, "--out", cert)
    assert r.returncode == 0, r.stderr
    r = run("verify", cert, "--coq", "--out", tmp_path / "ok", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["coq"] is True, r.stdout + r.stderr
    assert json.loads(r.stdout)["statement_checked"] == "exact"
    doc = json.loads(cert.read_text())
    if kind == "brute-force":
        doc["claim"]["correct_at_least"] += 1
        doc["claim"].pop("incorrect_at_least", None)
    elif kind == "equivalent":
        doc["claim"]["lambda"] = "3/1"
    elif kind == "similarity":
        num, den = (int(v) for v in doc["claim"]["cosine_at_least"].split("/"))
        doc["claim"]["cosine_at_least"] = f"{num + 1}/{den}"
    else:
        num, den = (int(v) for v in doc["claim"]["delta"].split("/"))
        doc["claim"]["delta"] = f"{num - 1}/{den}"
    bad = d / f"bad-{kind}.json"
    bad.write_text(json.dumps(doc))
    ok, text = coq_compiles(bad, d / "a.safetensors", tmp_path / "bad")
    assert not ok, text[-500:]
    r = run("verify", bad, "--coq", "--out", tmp_path / "bad2")
    assert r.returncode == 1


ROOT = Path(__file__).resolve().parents[1]
from pybridge.families.bilinear.export import COQ_STRATEGIES  # noqa: E402

SHIPPED = [e for e in json.loads((ROOT / "certificates" / "index.json").read_text()) if e.get("family") == "bilinear"
           and e.get("coq", True) and e.get("strategy") in COQ_STRATEGIES]


@pytest.mark.parametrize("entry", SHIPPED, ids=[e["certificate"] for e in SHIPPED])
def test_shipped_bilinear_certificates_in_coq(entry, tmp_path):
    r = run("verify", ROOT / "certificates" / entry["certificate"], "--coq", "--out", tmp_path, "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["coq"] is True, r.stdout + r.stderr
