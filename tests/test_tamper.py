"""Tampering is caught: every modification below makes `pybridge check` exit 1 or 2 with a reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from reference import write_model

PY = [sys.executable, "-m", "pybridge.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(PY + list(args), capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from pybridge.families.maxofk.model import MaxOfKConfig
    from pybridge.families.maxofk.train import train_maxofk

    d = tmp_path_factory.mktemp("tamper")
    model = d / "m.safetensors"
    train_maxofk(MaxOfKConfig(6, 3, 8, 8), seed=3, steps=400, out=model, quiet=True)
    for s in ("brute-force", "cubic", "cubic-count"):
        r = run("prove", str(model), "--strategy", s, "--out", str(d / f"{s}.json"))
        assert r.returncode == 0, r.stderr
    return d, model


def _edit(src: Path, dst: Path, fn) -> Path:
    doc = json.loads(src.read_text())
    fn(doc)
    dst.write_text(json.dumps(doc))
    return dst


def _assert_rejected(r: subprocess.CompletedProcess, codes=(1,)) -> None:
    assert r.returncode in codes, (r.returncode, r.stdout, r.stderr)
    out = (r.stdout + r.stderr).strip()
    assert out and len(out.splitlines()) == 1 and "Traceback" not in out


def test_untampered_is_valid(setup):
    d, model = setup
    for s in ("brute-force", "cubic"):
        r = run("check", str(d / f"{s}.json"))
        assert r.returncode == 0 and r.stdout.startswith("VALID"), r.stdout + r.stderr


@pytest.mark.parametrize("strategy", ["brute-force", "cubic", "cubic-count"])
def test_claim_plus_one(setup, strategy):
    d, _ = setup

    def bump(doc):
        doc["claim"]["correct_at_least"] += 1

    _assert_rejected(run("check", str(_edit(d / f"{strategy}.json", d / "t.json", bump))))


def test_incorrect_claim_plus_one(setup):
    d, _ = setup

    def bump(doc):
        doc["claim"]["incorrect_at_least"] += 1

    _assert_rejected(run("check", str(_edit(d / "brute-force.json", d / "t.json", bump))))


def _hint_edits(doc):
    """Ways of changing a cubic hint, each of which breaks the certificate."""
    blocks = doc["hints"]["blocks"]
    nonempty = [i for i, b in enumerate(blocks) if b[2] and b[3]]
    i = nonempty[len(nonempty) // 2]
    q, m, nm, km = blocks[i]
    low = km & -km
    yield "drop a token from K", i, [q, m, nm, km ^ low]
    yield "empty K", i, [q, m, nm, 0]
    yield "token >= m in K", i, [q, m, nm, km | (1 << m)]
    yield "q above m", i, [m + 1, m, nm, km]
    yield "all positions non-max with q < m", i, [q, m, (1 << (doc["model"]["n_ctx"] - 1)) - 1, km] if q < m else [q, m, -1, km]
    yield "duplicate block", None, blocks[i]


def test_changed_hints(setup):
    d, _ = setup
    base = json.loads((d / "cubic.json").read_text())
    for what, i, new in _hint_edits(base):
        doc = json.loads(json.dumps(base))
        if i is None:
            doc["hints"]["blocks"].append(new)
        else:
            doc["hints"]["blocks"][i] = new
        (d / "t.json").write_text(json.dumps(doc))
        r = run("check", str(d / "t.json"))
        assert r.returncode in (1, 2), what
        assert len((r.stdout + r.stderr).strip().splitlines()) == 1, what


def test_changed_count_hints(setup):
    d, _ = setup
    base = json.loads((d / "cubic-count.json").read_text())
    blocks = base["hints"]["blocks"]
    i = next(j for j, b in enumerate(blocks) if b[2] and bin(b[3]).count("1") > 1)
    q, m, c, km = blocks[i]
    n = base["model"]["n_ctx"]
    for what, new in (
        ("drop a token from K", [q, m, c, km ^ (km & -km)]),
        ("empty K", [q, m, c, 0]),
        ("token >= m in K", [q, m, c, km | (1 << m)]),
        ("too many non-max positions", [q, m, n if q == m else n - 1, km]),
        ("duplicate block", None),
    ):
        doc = json.loads(json.dumps(base))
        if new is None:
            doc["hints"]["blocks"].append(blocks[i])
        else:
            doc["hints"]["blocks"][i] = new
        (d / "t.json").write_text(json.dumps(doc))
        r = run("check", str(d / "t.json"))
        assert r.returncode in (1, 2), what
        assert len((r.stdout + r.stderr).strip().splitlines()) == 1, what


def test_weight_changed_by_one_ulp(setup):
    d, model = setup
    t = load_file(str(model))
    w = t["embed.W_E"].copy()
    w[1, 2] = np.nextafter(w[1, 2], np.float32(np.inf))
    t["embed.W_E"] = w
    from safetensors import safe_open

    with safe_open(str(model), framework="numpy") as f:
        meta = f.metadata()
    save_file(t, str(d / "ulp.safetensors"), metadata=meta)
    for s in ("brute-force", "cubic"):
        r = run("check", str(d / f"{s}.json"), "--model", str(d / "ulp.safetensors"))
        _assert_rejected(r)
        assert "model mismatch" in r.stdout + r.stderr


def test_swapped_model(setup):
    d, _ = setup
    other = write_model(d / "other.safetensors", 6, 3, 8, 8, seed=99)
    _assert_rejected(run("check", str(d / "cubic.json"), "--model", str(other)))


@pytest.mark.parametrize("cut", [0.5, 0.99])
def test_truncated_certificate(setup, cut):
    d, _ = setup
    data = (d / "cubic.json").read_bytes()
    (d / "trunc.json").write_bytes(data[: int(len(data) * cut)])
    _assert_rejected(run("check", str(d / "trunc.json")), codes=(2,))


def test_truncated_model(setup):
    d, model = setup
    data = model.read_bytes()
    (d / "trunc.safetensors").write_bytes(data[: len(data) - 100])
    _assert_rejected(run("check", str(d / "cubic.json"), "--model", str(d / "trunc.safetensors")), codes=(2,))


def test_unknown_version_and_fields(setup):
    d, _ = setup
    for fn in (
        lambda doc: doc.update(version=2),
        lambda doc: doc.update(format="something-else"),
        lambda doc: doc.update(extra=1),
        lambda doc: doc["params"].update(fixed_bits=7),
        lambda doc: doc.update(strategy="magic"),
        lambda doc: doc["claim"].update(correct_at_least=-1),
        lambda doc: doc["claim"].update(correct_at_least=1.5),
    ):
        _assert_rejected(run("check", str(_edit(d / "cubic.json", d / "t.json", fn))), codes=(2,))


def test_total_mismatch(setup):
    d, _ = setup

    def f(doc):
        doc["claim"]["total"] += 1

    _assert_rejected(run("check", str(_edit(d / "cubic.json", d / "t.json", f))))
