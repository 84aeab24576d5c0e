"""Group-operation MLPs: model file, deterministic training, brute-force certificate vs an exact
Fraction reference, tampering and bad input (docs/CHECKING.md section 8)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import save_file

PY = [sys.executable, "-m", "pybridge.cli"]


def run_subprocess(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(PY + list(args), capture_output=True, text=True, timeout=600)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str) -> Ran:
    """The CLI in-process (fast); `test_end_to_end_subprocess` covers the real entry point."""
    from pybridge.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as e:  # argparse usage errors
            code = e.code
    return Ran(code, out.getvalue(), err.getvalue())


def one_line(r: subprocess.CompletedProcess, codes=(2,)) -> str:
    assert r.returncode in codes, (r.returncode, r.stdout, r.stderr)
    out = (r.stdout + r.stderr).strip()
    assert out and len(out.splitlines()) == 1 and "Traceback" not in out, out
    return out


def write_groupop(path, group: str, e: int, h: int, seed: int, dtype=np.float32, edit=None, meta=None):
    from pybridge.families.groupop.perm import group as G

    n = G(group).order
    r = np.random.default_rng(seed)
    t = {
        "embed_left": r.normal(size=(n, e)), "embed_right": r.normal(size=(n, e)),
        "W_left": r.normal(size=(e, h)), "W_right": r.normal(size=(e, h)),
        "W_U": r.normal(size=(h, n)), "b_U": r.normal(size=(n,)) * 0.1,
    }
    t = {k: v.astype(dtype) for k, v in t.items()}
    if edit:
        edit(t)
    md = {"pybridge_family": "groupop", "group": group, "group_order": str(n), "d_embed": str(e), "d_hidden": str(h)}
    md.update(meta or {})
    save_file(t, str(path), metadata=md)
    return path


def reference_counts(path) -> tuple[int, int]:
    """Obviously-correct slow reference: exact Fractions, the formula of section 8, group from pybridge.families.groupop.perm."""
    from pybridge.families.groupop.perm import group as G

    with safe_open(str(path), framework="numpy") as f:
        meta = f.metadata()
        w = {k: [[Fraction(float(v)) for v in row] for row in np.atleast_2d(f.get_tensor(k)).tolist()] for k in f.keys()}
    grp = G(meta["group"])
    EL, ER, WL, WR, WU, bU = (w[k] for k in ("embed_left", "embed_right", "W_left", "W_right", "W_U", "b_U"))
    bU = bU[0]
    good = 0
    for x in range(grp.order):
        for y in range(grp.order):
            pre = [sum(EL[x][i] * WL[i][k] for i in range(len(WL))) + sum(ER[y][i] * WR[i][k] for i in range(len(WR)))
                   for k in range(len(WU))]
            hid = [max(p, Fraction(0)) for p in pre]
            logits = [sum(hid[k] * WU[k][c] for k in range(len(WU))) + bU[c] for c in range(grp.order)]
            z = grp.table[x][y]
            good += all(logits[z] > v for j, v in enumerate(logits) if j != z)
    return good, grp.order**2 - good


# ---------------------------------------------------------------- group table, trusted copy
@pytest.mark.parametrize("name", ["S1", "S3", "S4", "S5", "A4", "A5", "C1", "C2", "C7", "D3", "D4", "D6"])
def test_checker_table_matches_groups(name):
    from pybridge.check.groupop.bruteforce import group_table
    from pybridge.families.groupop.perm import group

    assert group_table(name) == group(name).table


@pytest.mark.parametrize("bad", ["S0", "S7", "X5", "D2", "s5", "C129", "", "S05", "S5 "])
def test_unknown_groups_rejected(bad):
    from pybridge.check.errors import InputError
    from pybridge.check.groupop.bruteforce import group_table
    from pybridge.families.groupop.perm import group_elements

    with pytest.raises(InputError):
        group_table(bad)
    with pytest.raises(ValueError):
        group_elements(bad)


# ---------------------------------------------------------------- brute force vs reference
def _cases():
    def ties(t):  # two identical output columns: every pair targeting them is an exact tie (incorrect)
        t["W_U"][:, 1] = t["W_U"][:, 0]
        t["b_U"][1] = t["b_U"][0]

    def tiny(t):  # subnormal and huge-exponent-range entries: s becomes large
        t["W_left"][0, 0] = np.float32(1e-42)
        t["embed_left"][1, 1] = np.float32(3e-39)
        t["b_U"][0] = np.float32(2.0**-140)

    def dead(t):  # a network whose hidden layer is always zero: logits = bias
        t["W_left"][:] = 0
        t["W_right"][:] = 0

    return [("S3", 4, 5, 0, np.float32, None), ("C4", 3, 6, 1, np.float64, None), ("D3", 5, 3, 2, np.float32, ties),
            ("C3", 4, 4, 3, np.float32, tiny), ("S3", 2, 3, 4, np.float32, dead), ("C1", 2, 2, 5, np.float32, None)]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"{c[0]}-{c[3]}")
def test_bruteforce_matches_exact_reference(tmp_path, case):
    from pybridge.check.groupop.bruteforce import count_bruteforce, load_groupop

    name, e, h, seed, dt, edit = case
    p = write_groupop(tmp_path / "m.safetensors", name, e, h, seed, dt, edit)
    M, table = load_groupop(p)
    good, bad, _ = count_bruteforce(M, table)
    assert (good, bad) == reference_counts(p)


def test_trained_model_matches_reference(trained):
    from pybridge.check.groupop.bruteforce import count_bruteforce, load_groupop

    d, model, cert = trained
    # reference on a copy with small dims would be faster; the trained S3 model is 128 wide: use the exact-integer path
    M, table = load_groupop(model)
    good, bad, _ = count_bruteforce(M, table)
    doc = json.loads(cert.read_text())
    assert (good, bad) == (doc["claim"]["correct_at_least"], doc["claim"]["incorrect_at_least"])
    assert good + bad == 36


def test_near_tie_decided_exactly(tmp_path):
    """Logits that differ below the int64 grid resolution go to the exact fallback and are decided."""
    from pybridge.check.groupop.bruteforce import count_bruteforce, load_groupop

    def near(t):
        t["W_U"][:, 1] = t["W_U"][:, 0]
        t["b_U"][1] = t["b_U"][0]
        t["W_U"][0, 1] = np.nextafter(t["W_U"][0, 0], np.float64(np.inf))
        t["b_U"][2] = -1000.0  # class 2 never wins: classes 0 and 1 are decided by the near tie

    p = write_groupop(tmp_path / "m.safetensors", "C3", 3, 4, 7, np.float64, near)
    M, table = load_groupop(p)
    good, bad, exact = count_bruteforce(M, table)
    assert exact > 0 and (good, bad) == reference_counts(p)


# ---------------------------------------------------------------- training
def test_training_deterministic(tmp_path):
    from pybridge.families.groupop.model import GroupOpConfig, load_groupop
    from pybridge.families.groupop.train import train_groupop

    cfg = GroupOpConfig("S3", 16, 16)
    a = train_groupop(cfg, seed=4, epochs=30, out=tmp_path / "a.safetensors", quiet=True)
    b = train_groupop(cfg, seed=4, epochs=30, out=tmp_path / "b.safetensors", quiet=True)
    c = train_groupop(cfg, seed=5, epochs=30, out=tmp_path / "c.safetensors", quiet=True)
    assert (tmp_path / "a.safetensors").read_bytes() == (tmp_path / "b.safetensors").read_bytes()
    assert a.file_sha256 == b.file_sha256 != c.file_sha256
    m = load_groupop(tmp_path / "a.safetensors")
    assert m.file_metadata["pybridge_family"] == "groupop" and m.file_metadata["group"] == "S3"
    assert json.loads(m.file_metadata["training"])["epochs"] == 30
    from pybridge.check.groupop.bruteforce import load_groupop as trusted_load

    assert trusted_load(tmp_path / "a.safetensors")[0].sha256 == a.model_sha256


def test_train_fraction(tmp_path):
    """The split trains on floor(fraction |G|^2) pairs; the fraction is recorded and changes the model."""
    from pybridge.families.groupop.model import GroupOpConfig, load_groupop
    from pybridge.families.groupop.train import split_pairs, train_groupop

    for frac in (0.4, 0.6, 0.9):
        tr, te = split_pairs(6, seed=3, fraction=frac)
        assert len(tr) == int(frac * 36) and len(tr) + len(te) == 36
        assert sorted(tr.tolist() + te.tolist()) == list(range(36))
    cfg = GroupOpConfig("S3", 8, 8)
    a = train_groupop(cfg, seed=4, epochs=5, out=tmp_path / "a.safetensors", quiet=True)
    b = train_groupop(cfg, seed=4, epochs=5, out=tmp_path / "b.safetensors", quiet=True, train_fraction=0.6)
    assert a.file_sha256 != b.file_sha256
    meta = json.loads(load_groupop(tmp_path / "b.safetensors").file_metadata["training"])
    assert meta["train_fraction"] == 0.6
    with pytest.raises(ValueError):
        train_groupop(cfg, seed=4, epochs=5, out=tmp_path / "c.safetensors", quiet=True, train_fraction=1.0)
    assert not (tmp_path / "c.safetensors").exists()


def test_forward_matches_exact_logits(tmp_path):
    import torch

    from pybridge.check.groupop.bruteforce import exact_logits, load_groupop, pre_activations
    from pybridge.families.groupop.model import load_groupop as load_torch

    p = write_groupop(tmp_path / "m.safetensors", "D4", 6, 7, 11)
    model = load_torch(p)
    M, _ = load_groupop(p)
    A, B = pre_activations(M)
    L = model.all_logits()
    for x, y in [(0, 0), (3, 5), (7, 1)]:
        ex = [v / 2 ** (3 * M.s) for v in exact_logits(M, A, B, x, y)]
        assert np.allclose(ex, L[x, y].numpy(), rtol=1e-12, atol=1e-12)
        fw = model(torch.tensor([x]), torch.tensor([y]))[0].detach().double().numpy()
        assert np.allclose(fw, ex, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------- CLI, tampering, bad input
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("groupop")
    model = d / "m.safetensors"
    r = run("train", "groupop", "--group", "S3", "--seed", "1", "--epochs", "200", "--out", str(model), "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["group"] == "S3" and info["epochs"] == 200
    cert = d / "bf.json"
    r = run("prove", str(model), "--strategy", "brute-force", "--out", str(cert), "--json")
    assert r.returncode == 0, r.stderr
    return d, model, cert


def _edit(src, dst, fn):
    doc = json.loads(src.read_text())
    fn(doc)
    dst.write_text(json.dumps(doc))
    return dst


def test_end_to_end_subprocess(trained):
    d, model, cert = trained
    r = run_subprocess("check", str(cert))
    assert r.returncode == 0 and r.stdout.startswith("VALID: brute-force"), r.stdout + r.stderr
    r = run_subprocess("train", "groupop", "--group", "Q8", "--out", str(d / "x.safetensors"))
    one_line(r)


def test_cli_valid(trained):
    d, model, cert = trained
    doc = json.loads(cert.read_text())
    assert doc["family"] == "groupop" and doc["strategy"] == "brute-force" and doc["params"] == {}
    assert doc["model"] == {"group": "S3", "group_order": 6, "d_embed": 128, "d_hidden": 128, "file": "m.safetensors"}
    c = doc["claim"]
    assert c["total"] == 36 and c["correct_at_least"] + c["incorrect_at_least"] == 36
    r = run("check", str(cert), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["valid"] and out["verified_correct"] == c["correct_at_least"]


@pytest.mark.parametrize("what", ["correct+1", "incorrect+1", "group", "order", "total", "family", "strategy",
                                  "params", "hints", "sha"])
def test_tampered_certificate(trained, what):
    d, model, cert = trained

    def fn(doc):
        c = doc["claim"]
        if what == "correct+1":
            c["correct_at_least"] += 1
        elif what == "incorrect+1":
            c["incorrect_at_least"] += 1
        elif what == "group":
            doc["model"]["group"] = "C6"
        elif what == "order":
            doc["model"]["group_order"] = 7
        elif what == "total":
            c["total"] += 1
        elif what == "family":
            doc["family"] = "maxofk"
        elif what == "strategy":
            doc["strategy"] = "cubic"
        elif what == "params":
            doc["params"] = {"fixed_bits": 32, "exp_squarings": 20}
        elif what == "hints":
            doc["hints"] = {"blocks": []}
        elif what == "sha":
            doc["model_sha256"] = "0" * 64

    r = run("check", str(_edit(cert, d / f"t-{what}.json", fn)))
    one_line(r, codes=(1, 2))


def test_claim_plus_one_rejected(trained):
    d, model, cert = trained

    def bump(doc):
        doc["claim"]["correct_at_least"] += 1
        doc["claim"].pop("incorrect_at_least")

    r = run("check", str(_edit(cert, d / "t.json", bump)))
    assert "only" in one_line(r, codes=(1,))


def test_weight_one_ulp(trained):
    d, model, cert = trained
    with safe_open(str(model), framework="numpy") as f:
        meta = f.metadata()
        t = {k: f.get_tensor(k) for k in f.keys()}
    w = t["W_U"].copy()
    w[3, 2] = np.nextafter(w[3, 2], np.float32(np.inf))
    t["W_U"] = w
    save_file(t, str(d / "ulp.safetensors"), metadata=meta)
    r = run("check", str(cert), "--model", str(d / "ulp.safetensors"))
    assert "model mismatch" in one_line(r, codes=(1,))


def test_truncated_files(trained):
    d, model, cert = trained
    (d / "trunc.safetensors").write_bytes(model.read_bytes()[:-100])
    one_line(run("check", str(cert), "--model", str(d / "trunc.safetensors")), codes=(2,))
    (d / "trunc.json").write_bytes(cert.read_bytes()[:50])
    one_line(run("check", str(d / "trunc.json")), codes=(2,))


def test_bad_model_files(tmp_path):
    def nan(t):
        t["W_U"][0, 0] = np.nan

    def extra(t):
        t["b_left"] = np.zeros(4, np.float32)

    def shape(t):
        t["W_left"] = t["W_left"][:, :2]

    cases = {
        "nan": dict(edit=nan), "extra": dict(edit=extra), "shape": dict(edit=shape),
        "group": dict(meta={"group": "S9"}), "order": dict(meta={"group_order": "7"}),
        "family": dict(meta={"pybridge_family": "other"}),
    }
    for name, kw in cases.items():
        p = write_groupop(tmp_path / f"{name}.safetensors", "S3", 4, 3, 0, **kw)
        out = tmp_path / f"{name}.json"
        r = run("prove", str(p), "--strategy", "brute-force", "--out", str(out))
        one_line(r, codes=(2,))
        assert not out.exists() and not list(tmp_path.glob(".tmp-*")), name


def test_bad_cli_input(tmp_path):
    one_line(run("train", "groupop", "--group", "Q8", "--out", str(tmp_path / "m.safetensors")))
    one_line(run("train", "groupop", "--group", "S3", "--epochs", "0", "--out", str(tmp_path / "m.safetensors")))
    one_line(run("train", "groupop", "--group", "S3", "--train-fraction", "0", "--out", str(tmp_path / "m.safetensors")))
    assert not (tmp_path / "m.safetensors").exists()
    p = write_groupop(tmp_path / "ok.safetensors", "C3", 2, 2, 0)
    one_line(run("prove", str(p), "--strategy", "cubic", "--out", str(tmp_path / "c.json")))
    assert not (tmp_path / "c.json").exists()


def test_model_hash_is_canonical(tmp_path):
    from pybridge.check.groupop.bruteforce import load_groupop

    p = write_groupop(tmp_path / "m.safetensors", "C3", 2, 2, 0)
    h = hashlib.sha256()
    with safe_open(str(p), framework="numpy") as f:
        for k in ("embed_left", "embed_right", "W_left", "W_right", "W_U", "b_U"):
            a = f.get_tensor(k)
            h.update(f"{k}:float32:{','.join(map(str, a.shape))}\n".encode() + a.astype("<f4").tobytes())
    assert load_groupop(p)[0].sha256 == h.hexdigest()


def test_checker_imports_no_prover_code(trained):
    d, model, cert = trained
    code = (
        "import sys; from pybridge.check import verify; r = verify(sys.argv[1]); "
        "bad = [m for m in sys.modules if m.split('.')[0] == 'torch' or m.startswith(('pybridge.families', "
        "'pybridge.exact', 'pybridge.export', 'pybridge.cli'))]; "
        "assert not bad, bad; print(r.verified_correct)"
    )
    r = subprocess.run([sys.executable, "-c", code, str(cert)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) == json.loads(cert.read_text())["claim"]["correct_at_least"]
