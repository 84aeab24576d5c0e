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


# ---------------------------------------------------------------- 4. hangs: work bounds, model paths
def _bf_cert(model: Path, V: int, n: int, d: int, h: int, name: str = "m.safetensors", N: int = 0) -> dict:
    from pybridge.check.maxofk.weights import load_maxofk

    return {"format": "pybridge-certificate", "version": 1, "family": "maxofk", "strategy": "brute-force",
            "model_sha256": load_maxofk(model).sha256,
            "model": {"d_vocab": V, "n_ctx": n, "d_model": d, "d_head": h, "file": name},
            "params": {"fixed_bits": 32, "exp_squarings": 20}, "claim": {"correct_at_least": N, "total": V**n},
            "hints": {}}


def test_brute_force_over_the_work_limit_is_refused_before_it_starts(tmp_path):
    """The reviewer's 1 KB model: V=2, n_ctx=48 (2^48 inputs) used to enumerate forever."""
    from reference import write_model

    m = write_model(tmp_path / "m.safetensors", 2, 48, 2, 2)
    c = tmp_path / "c.json"
    c.write_text(json.dumps(_bf_cert(m, 2, 48, 2, 2)))
    with pytest.raises(InputError, match="work units"):
        verify(c)
    r = cli("check", str(c), timeout=60)
    assert r.returncode == 2 and "max-work" in r.stderr
    one_line_error(r)


def test_limits_are_configurable(tmp_path):
    cert = CERTS / f"{V5}.cubic.json"
    assert verify(cert).verified_correct >= 117
    with pytest.raises(InputError, match="work units"):
        verify(cert, limits=Limits(max_work=1000))
    with pytest.raises(InputError, match="bits"):
        verify(cert, limits=Limits(max_bits=64))
    r = cli("check", str(cert), "--max-work", "1000")
    assert r.returncode == 2 and "max-work" in r.stderr
    assert cli("check", str(cert), "--max-work", "1e12", "--max-bits", "100000").returncode == 0
    g = CERTS / "groupop-c6-e8-h16-seed0.brute-force.json"
    with pytest.raises(InputError, match="work units"):
        verify(g, limits=Limits(max_work=100))


@pytest.mark.parametrize("kind", ["absolute", "dotdot", "subdir", "fifo", "dir", "symlink-out"])
def test_model_file_must_be_a_plain_regular_file_beside_the_certificate(tmp_path, kind):
    d = tmp_path / "c"
    p = _copy(d, f"{V5}.cubic.json", f"{V5}.safetensors")
    doc = json.loads(p.read_text())
    name = {"absolute": str((d / f"{V5}.safetensors").resolve()), "dotdot": f"../c/{V5}.safetensors",
            "subdir": f"sub/{V5}.safetensors", "fifo": "fifo.safetensors", "dir": "sub",
            "symlink-out": "link.safetensors"}[kind]
    (d / "sub").mkdir()
    shutil.copy(d / f"{V5}.safetensors", d / "sub" / f"{V5}.safetensors")
    if kind == "fifo":
        os.mkfifo(d / name)
    if kind == "symlink-out":
        shutil.copy(d / f"{V5}.safetensors", tmp_path / "outside.safetensors")
        os.symlink(tmp_path / "outside.safetensors", d / name)
    doc["model"]["file"] = name
    p.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="model"):
        verify(p)
    r = cli("check", str(p), timeout=30)  # a FIFO used to block forever in open()
    assert r.returncode == 2
    one_line_error(r)
    assert verify(p, d / f"{V5}.safetensors").verified_correct >= 117  # --model is the way


def test_fifo_given_as_model_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "f")
    with pytest.raises(InputError, match="regular file"):
        verify(CERTS / f"{V5}.cubic.json", tmp_path / "f")


def test_prover_writes_plain_names_or_none(tmp_path):
    from pybridge.certio import relative_model_file

    assert relative_model_file(tmp_path / "m.safetensors", tmp_path / "c.json") == "m.safetensors"
    assert relative_model_file(tmp_path / "m.safetensors", tmp_path / "sub" / "c.json") is None
    (tmp_path / "sub").mkdir()
    shutil.copy(CERTS / f"{V5}.safetensors", tmp_path / "m.safetensors")
    r = cli("prove", str(tmp_path / "m.safetensors"), "--strategy", "cubic", "--out", str(tmp_path / "sub" / "c.json"))
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "sub" / "c.json").read_text())
    assert "file" not in doc["model"]
    assert cli("check", str(tmp_path / "sub" / "c.json")).returncode == 2  # needs --model
    assert cli("check", str(tmp_path / "sub" / "c.json"), "--model", str(tmp_path / "m.safetensors")).returncode == 0


# ---------------------------------------------------------------- 5. crashes
def test_rho_set_negative_exponent_is_not_a_crash(tmp_path):
    """exp_lambda = -1 with small exp_x, exp_y, exp_u made a negative shift count (ValueError)."""
    from test_groupop_rho import write_rho_cert, write_synth

    model = write_synth(tmp_path / "c5.safetensors", "C5", 2, 0.15, 0)
    cert = write_rho_cert(model, tmp_path / "c5.rho.json", model.name, max_rank_cost=10.0)
    doc = json.loads(cert.read_text())
    doc["hints"].update(exp_lambda=-1, exp_x=0, exp_y=0, exp_u=0)
    bad = tmp_path / "neg.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises((InputError, Rejected)):
        verify(bad)


def _edit_model(src: Path, dst: Path, tensors=None, meta=None) -> Path:
    from safetensors.numpy import load_file, save_file
    from safetensors import safe_open

    with safe_open(str(src), framework="numpy") as f:
        md = dict(f.metadata() or {})
    t = load_file(str(src))
    t.update(tensors or {})
    md.update(meta or {})
    save_file(t, str(dst), metadata=md)
    return dst


def test_huge_bias_is_not_an_overflow_crash(tmp_path):
    """b_U[3] = 1e12 on a group model: int64 OverflowError before the budget check (rho-set)."""
    from test_groupop_rho import write_rho_cert, write_synth
    from safetensors.numpy import load_file

    model = write_synth(tmp_path / "c5.safetensors", "C5", 2, 0.15, 0)
    cert = write_rho_cert(model, tmp_path / "c5.rho.json", model.name, max_rank_cost=10.0)
    b = load_file(str(model))["b_U"].copy()
    b[3] = 1e12
    _edit_model(model, model, {"b_U": b})
    from pybridge.check.groupop.bruteforce import load_groupop

    doc = json.loads(cert.read_text())
    doc["model_sha256"] = load_groupop(model)[0].sha256
    cert.write_text(json.dumps(doc))
    with pytest.raises((InputError, Rejected)):
        verify(cert)


@pytest.mark.parametrize("value", ["\u00b2", "\u0665", "4\u0660", " 4", "4 ", "+4", "0x4", "", "4" * 7])
def test_dimensions_are_ascii_decimal_only(tmp_path, value):
    p = _copy(tmp_path, f"{V5}.cubic.json", f"{V5}.safetensors")
    _edit_model(CERTS / f"{V5}.safetensors", tmp_path / f"{V5}.safetensors", meta={"d_vocab": value})
    with pytest.raises(InputError, match="d_vocab"):
        verify(p)


def test_any_checker_exception_becomes_one_line_input_error(tmp_path, monkeypatch):
    """The class, not the instances: whatever a family's checker raises surfaces as InputError."""
    import importlib

    mk = importlib.import_module("pybridge.check.maxofk")

    for exc in (ValueError("x\ny"), OverflowError(), KeyError("k"), TypeError(), IndexError(), ZeroDivisionError(),
                MemoryError(), RecursionError(), AttributeError()):
        def boom(*a, _e=exc, **k):
            raise _e

        monkeypatch.setattr(mk, "verify", boom)
        with pytest.raises(InputError) as ei:
            verify(CERTS / f"{V5}.cubic.json")
        assert type(exc).__name__ in str(ei.value) and "\n" not in str(ei.value)


# ---------------------------------------------------------------- 2. memory from the model alone
@pytest.mark.parametrize("scale", [100.0, 1e4])
def test_exp_enclosures_do_not_grow_with_the_score_range(tmp_path, scale):
    """Aligning a row to its smallest exponent cost ~1.44 x the score range bits per entry (the reviewer's
    2-token model with |W_E| = 1e4 needed 1 GB); now every entry has at most align_bits(P) + 1 bits."""
    from reference import write_model

    from pybridge.check.maxofk.tables import align_bits, exact_tables, weight_enclosures
    from pybridge.check.maxofk.weights import load_maxofk

    M = load_maxofk(write_model(tmp_path / "m.safetensors", 2, 2, 4, 4, seed=3, scale=scale))
    W = weight_enclosures(M, exact_tables(M), 32, 20)
    assert max(x.bit_length() for A in (W.WLO, W.WHI) for r in A for c in r for x in c) <= align_bits(32) + 1
    c = tmp_path / "c.json"
    c.write_text(json.dumps(_bf_cert(tmp_path / "m.safetensors", 2, 2, 4, 4)))
    assert verify(c).correct_at_least == 0  # the reviewer's claim of 0 checks, in bounded memory


# ---------------------------------------------------------------- 3. memory from the certificate alone
def test_subcubic_large_negative_gap_is_bounded(tmp_path):
    """A hint D of about -5e5 nats used to make GapChecker.margin build integers of ~1.44 |D| bits."""
    from pybridge.check.maxofk.subcubic import GapChecker
    from pybridge.check.maxofk.tables import exact_tables, weight_enclosures
    from pybridge.check.maxofk.weights import load_maxofk

    M = load_maxofk(CERTS / f"{V5}.safetensors")
    doc = json.loads((CERTS / f"{V5}.subcubic.json").read_text())
    P, k = doc["params"]["fixed_bits"], doc["params"]["exp_squarings"]
    T = exact_tables(M)
    G = GapChecker(T, weight_enclosures(M, T, P, k), M.n_ctx, M.d_head, M.s, P, k, doc["hints"]["direct"])
    D = -((5 * 10**5 * 3) << (4 * M.s))  # ~ -5e5 nats after the 1/sqrt(8) scale
    for q, m, c, g, _ in (b for b in doc["hints"]["blocks"] if b[2] > 0):
        value, _ = G.margin(q, m, c, g, D)
        assert abs(value).bit_length() < 5000
    for blk in doc["hints"]["blocks"]:
        if blk[2] > 0:
            blk[4] = D
    p = tmp_path / f"{V5}.subcubic.json"
    shutil.copy(CERTS / f"{V5}.safetensors", tmp_path)
    p.write_text(json.dumps(doc))
    try:
        verify(p)
    except Rejected:
        pass


def test_no_template_renders_a_name_field():
    """Generated files (Coq, Lean, the decompiled program) carry integers and fixed identifiers only: no template
    expression reads a name, path, text, label or title field, which could carry text from a hostile input."""
    import re

    root = Path(__file__).resolve().parents[1] / "pybridge" / "export" / "templates"
    field = re.compile(r"\{\{[^}]*\.(name|path|text|title|label|file|out)\b[^}]*\}\}")
    found = [f"{p.name}:{i}" for p in sorted(root.glob("*.j2"))
             for i, line in enumerate(p.read_text().splitlines(), 1) if field.search(line)]
    assert found == []
