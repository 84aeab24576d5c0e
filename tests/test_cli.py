"""CLI contract: exit codes, one-line errors, no partial output files, --json, --help, --list."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from safetensors.numpy import save_file

from reference import write_model

PY = [sys.executable, "-m", "pybridge.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(PY + list(args), capture_output=True, text=True, timeout=600)


def one_line_error(r: subprocess.CompletedProcess, code: int = 2) -> None:
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err


def test_list_strategies():
    r = run("prove", "--list")
    assert r.returncode == 0
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert all(len(row) == 3 and row[2] for row in rows)
    assert [row[1] for row in rows if row[0] == "maxofk"] == ["brute-force", "cubic", "cubic-count", "subcubic"]


@pytest.mark.parametrize("cmd", [[], ["train", "maxofk"], ["prove"], ["check"], ["demo"], ["export"], ["verify"], ["audit"], ["import-tl"], ["plot"]])
def test_help(cmd):
    r = run(*cmd, "--help")
    assert r.returncode == 0 and "usage:" in r.stdout


def test_usage_error_exit_2():
    r = run("prove", "nothing.safetensors")
    one_line_error(r)
    assert run("frobnicate").returncode == 2


def _bad_model(path, kind):
    meta = {"pybridge_family": "maxofk", "d_vocab": "4", "n_ctx": "2", "d_model": "3", "d_head": "3"}
    r = np.random.default_rng(0)
    t = {
        "embed.W_E": r.normal(size=(4, 3)), "pos_embed.W_pos": r.normal(size=(2, 3)),
        "blocks.0.attn.W_Q": r.normal(size=(1, 3, 3)), "blocks.0.attn.W_K": r.normal(size=(1, 3, 3)),
        "blocks.0.attn.W_V": r.normal(size=(1, 3, 3)), "blocks.0.attn.W_O": r.normal(size=(1, 3, 3)),
        "unembed.W_U": r.normal(size=(3, 4)),
    }
    t = {k: v.astype(np.float32) for k, v in t.items()}
    if kind == "nan":
        t["embed.W_E"][0, 0] = np.nan
    elif kind == "inf":
        t["unembed.W_U"][1, 1] = np.inf
    elif kind == "shape":
        t["embed.W_E"] = t["embed.W_E"][:3]
    elif kind == "bias":
        t["unembed.b_U"] = np.ones(5, np.float32)  # wrong shape (non-zero biases are supported: issue 15)
    elif kind == "layer":
        t["blocks.1.attn.W_Q"] = t["blocks.0.attn.W_Q"]
    elif kind == "meta":
        meta["d_vocab"] = "x"
    elif kind == "dtype":
        t["embed.W_E"] = t["embed.W_E"].astype(np.int32)
    save_file(t, str(path), metadata=meta)
    return path


@pytest.mark.parametrize("kind", ["nan", "inf", "shape", "bias", "layer", "meta", "dtype"])
def test_bad_model_prove_and_check(tmp_path, kind):
    bad = _bad_model(tmp_path / "bad.safetensors", kind)
    out = tmp_path / "cert.json"
    one_line_error(run("prove", str(bad), "--strategy", "cubic", "--out", str(out)))
    assert not out.exists() and not list(tmp_path.glob(".tmp-*"))
    good = write_model(tmp_path / "good.safetensors", 4, 2, 3, 3)
    assert run("prove", str(good), "--strategy", "cubic", "--out", str(out)).returncode == 0
    one_line_error(run("check", str(out), "--model", str(bad)))


def test_missing_files(tmp_path):
    one_line_error(run("check", str(tmp_path / "none.json")))
    one_line_error(run("prove", str(tmp_path / "none.safetensors"), "--strategy", "cubic", "--out", str(tmp_path / "c.json")))
    assert not (tmp_path / "c.json").exists()


def test_not_json_and_not_safetensors(tmp_path):
    (tmp_path / "x.json").write_text("{not json")
    one_line_error(run("check", str(tmp_path / "x.json")))
    (tmp_path / "x.safetensors").write_bytes(b"\x00" * 10)
    one_line_error(run("prove", str(tmp_path / "x.safetensors"), "--strategy", "cubic", "--out", str(tmp_path / "c.json")))


def test_json_outputs(tmp_path):
    model = write_model(tmp_path / "m.safetensors", 4, 3, 3, 3, seed=1)
    cert = tmp_path / "bf.json"
    r = run("prove", str(model), "--strategy", "brute-force", "--out", str(cert), "--json")
    assert r.returncode == 0
    p = json.loads(r.stdout)
    assert p["total"] == 64 and p["correct_at_least"] + p["incorrect_at_least"] <= 64
    r = run("check", str(cert), "--json")
    c = json.loads(r.stdout)
    assert r.returncode == 0 and c["valid"] and c["verified_correct"] >= p["correct_at_least"]
    assert "replay_tables" in c["seconds"]
    # the certificate names its model relative to itself: it still checks after moving both
    (tmp_path / "moved").mkdir()
    cert.rename(tmp_path / "moved" / "bf.json")
    model.rename(tmp_path / "m2.safetensors")
    one_line_error(run("check", str(tmp_path / "moved" / "bf.json")))
    assert run("check", str(tmp_path / "moved" / "bf.json"), "--model", str(tmp_path / "m2.safetensors")).returncode == 0


def test_invalid_json_output(tmp_path):
    model = write_model(tmp_path / "m.safetensors", 4, 2, 3, 3, seed=2)
    cert = tmp_path / "c.json"
    run("prove", str(model), "--strategy", "cubic", "--out", str(cert))
    doc = json.loads(cert.read_text())
    doc["claim"]["correct_at_least"] += 1
    cert.write_text(json.dumps(doc))
    r = run("check", str(cert), "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["valid"] is False


def test_train_cli(tmp_path):
    out = tmp_path / "t.safetensors"
    r = run("train", "maxofk", "--seed", "1", "--out", str(out), "--d-vocab", "5", "--n-ctx", "2",
            "--d-model", "4", "--d-head", "4", "--steps", "20", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["steps"] == 20 and out.exists()
