"""Bilinear `low-rank` (issue 13 item 4): accuracy from an interpretation of the output map.
Soundness against a slow exact reference on random and trained models (any hints), the ideal Fourier
circuit certified by its 3-dimensional interpretation alone, tampering, the CLI contract, Coq refused."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pybridge.check.bilinear.fourier import Interp, count
from pybridge.check.bilinear.model import load_bilinear
from pybridge.families import ProveRequest
from pybridge.families.bilinear.fourier import ideal_circuit as fourier_circuit
from pybridge.families.bilinear.fourier import interpretation, prove_low_rank, zbar
from pybridge.families.bilinear.model import save_tensors


def write(path: Path, arrays: dict, **meta) -> Path:
    save_tensors(path, {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()}, meta)
    return path


def rand_modadd(rng, P: int, H: int, head: bool, embed: bool = False) -> dict:
    d = 4 if embed else 2 * P
    t = {"bilinear.0.W_L": rng.standard_normal((H, d)), "bilinear.0.W_R": rng.standard_normal((H, d)),
         "bilinear.0.W_D": rng.standard_normal((P if not head else 3, H))}
    if head:
        t["head.W"] = rng.standard_normal((P, 3))
    if embed:
        t["embed.W"] = rng.standard_normal((d, 2 * P))
    return {k: v.astype(np.float32) for k, v in t.items()}


def slow_count(arrays: dict, P: int) -> int:
    """Obviously correct: every pair's logits as exact Fractions of the unfolded model."""
    def fr(m):
        return [[Fraction(*float(v).as_integer_ratio()) for v in row] for row in m]
    L, R, D = fr(arrays["bilinear.0.W_L"]), fr(arrays["bilinear.0.W_R"]), fr(arrays["bilinear.0.W_D"])
    if "embed.W" in arrays:
        E = fr(arrays["embed.W"])
        L, R = ([[sum(row[k] * E[k][i] for k in range(len(E))) for i in range(2 * P)] for row in X] for X in (L, R))
    U = fr(arrays["head.W"]) if "head.W" in arrays else None
    good = 0
    for a in range(P):
        for b in range(P):
            hid = [(l[a] + l[P + b]) * (r[a] + r[P + b]) for l, r in zip(L, R)]
            y = [sum(d * x for d, x in zip(row, hid)) for row in D]
            if U is not None:
                y = [sum(u * x for u, x in zip(row, y)) for row in U]
            t = (a + b) % P
            good += all(y[t] > v for j, v in enumerate(y) if j != t)
    return good


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(2, 7), st.integers(1, 6), st.booleans(), st.booleans(), st.sampled_from(["svd", "fourier"]),
       st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_certified_never_exceeds_exact_count(tmp_path, P, H, head, embed, basis, rank, seed):
    rng = np.random.default_rng(seed)
    arr = rand_modadd(rng, P, H, head, embed)
    M = load_bilinear(write(tmp_path / "m.safetensors", arr, task="modadd", p=str(P)))
    exact = slow_count(arr, P)
    I, _ = interpretation(M, basis, rank, bits=int(rng.integers(4, 30)))
    cheap = count(M, I)
    assert cheap.certified == cheap.cheap_pairs <= exact
    full = count(M, Interp(I.F, I.C, I.sm, I.si, P * P * P))
    assert full.certified == exact and full.open_left == 0  # hybrid with enough fallback is exact
    zb = zbar(M, I)
    zr = rng.integers(-(1 << 40), 1 << 40, size=(P, len(I.F[0]))).tolist()
    for z in (zb, zr):  # the O(1) test through zbar: any zbar is sound
        assert count(M, Interp(I.F, I.C, I.sm, I.si, 0, z)).certified <= exact
        assert count(M, Interp(I.F, I.C, I.sm, I.si, 0, z), second=False).certified <= exact
        assert count(M, Interp(I.F, I.C, I.sm, I.si, P ** 3, z)).certified == exact
    assert count(M, Interp(I.F, I.C, I.sm, I.si, 0, zb)).certified >= cheap.certified  # test 2 still runs
    # arbitrary (wrong) hints never certify more than the truth
    Fr = rng.integers(-9, 10, size=(P, rank)).tolist()
    Cr = rng.integers(-9, 10, size=(rank, H)).tolist()
    for limit in (0, int(rng.integers(0, P * P))):
        assert count(M, Interp(Fr, Cr, int(rng.integers(0, 40)), int(rng.integers(0, 40)), limit)).certified <= exact


def test_ideal_fourier_circuit_certified_by_three_dimensions(tmp_path):
    P = 7
    arr = fourier_circuit(P, [1])
    m = write(tmp_path / "f.safetensors", arr, task="modadd", p=str(P))
    assert slow_count(arr, P) == 49
    M = load_bilinear(m)
    for basis, rank in (("fourier", 1), ("svd", 3)):
        I, info = interpretation(M, basis, rank)
        assert info["rank"] == 3 and info["relative_residual"] < 1e-6
        res = count(M, I)
        assert res.cheap_pairs == res.certified == 49 and res.fallback_used == 0
    I, _ = interpretation(M, "svd", 1)  # too few directions: the cheap test certifies less, never more
    assert count(M, I).certified < 49


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("blf")
    m = d / "m.safetensors"
    r = run("train", "bilinear", "--p", 7, "--hidden", 12, "--steps", 300, "--train-fraction", 0.6, "--seed", 1,
            "--out", m, "--json")
    assert r.returncode == 0, r.stderr
    return d, m


def run(*args):
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def test_trained_model_every_rank(trained):
    d, m = trained
    from safetensors.numpy import load_file

    arr = load_file(str(m))
    exact = slow_count(arr, 7)
    M = load_bilinear(m)
    for basis in ("svd", "fourier"):
        for rank in range(1, 8):
            I, _ = interpretation(M, basis, rank)
            assert count(M, I).certified <= exact
            res = prove_low_rank(m, ProveRequest(params={"basis": basis, "rank": rank, "freqs": rank}))
            assert res.correct == exact and res.certificate["hints"]["fallback_limit"] == res.extra["fallback_comparisons"]


def _prove(d: Path, m: Path, *params: str) -> tuple[Path, dict]:
    c = d / "lr.json"
    args = ["prove", m, "--strategy", "low-rank", "--out", c, "--json"]
    for p in params:
        args += ["--param", p]
    r = run(*args)
    assert r.returncode == 0, r.stderr
    return c, json.loads(r.stdout)


def _check(d: Path, doc: dict, *extra) -> subprocess.CompletedProcess:
    bad = d / "bad.json"
    bad.write_text(json.dumps(doc))
    return run("check", bad, *extra)


def test_cli_contract_and_tampering(tmp_path):
    P = 7
    m = write(tmp_path / "f.safetensors", fourier_circuit(P, [1]), task="modadd", p=str(P))
    c, out = _prove(tmp_path, m, "basis=fourier", "freqs=1", "mode=cheap")
    assert out["correct_at_least"] == 49 and out["certified_cheap"] == 49
    r = run("check", c, "--json")
    assert r.returncode == 0, r.stderr
    det = json.loads(r.stdout)["details"]
    assert det["fallback_comparisons"] == 0 and det["certified_cheap"] == 49
    doc = json.loads(c.read_text())
    # the claim + 1
    d1 = json.loads(json.dumps(doc))
    d1["claim"]["correct_at_least"] = 50
    r = _check(tmp_path, d1)
    assert r.returncode == 2  # above the total: a schema error
    d1["claim"]["total"] = 50
    assert _check(tmp_path, d1).returncode == 1
    # an interpretation coefficient (the ideal's output map; it also moves the residual eps = D - F C)
    for key, i, j in (("F", 0, 1), ("C", 1, 0)):
        d2 = json.loads(json.dumps(doc))
        d2["hints"][key][i][j] = -d2["hints"][key][i][j] * 3 + 1
        r = _check(tmp_path, d2)
        assert r.returncode == 1 and r.stdout.startswith("INVALID"), (key, r.stdout, r.stderr)
    # the model scale the residual is taken at (shift_model: eps becomes D 2^(sm+1) - F C 2^si)
    d3 = json.loads(json.dumps(doc))
    d3["hints"]["shift_model"] += 1
    assert _check(tmp_path, d3).returncode == 1
    # a weight moved by one ulp: the certificate is for other weights
    from safetensors.numpy import load_file

    arr = load_file(str(m))
    arr["bilinear.0.W_D"][0, 0] = np.nextafter(arr["bilinear.0.W_D"][0, 0], np.float32(1))
    m2 = write(tmp_path / "g.safetensors", arr, task="modadd", p=str(P))
    r = run("check", c, "--model", m2)
    assert r.returncode == 1 and "mismatch" in r.stdout
    # schema: one line, exit 2
    for mutate in (lambda d: d["hints"].update(extra=1), lambda d: d["hints"]["F"].pop(),
                   lambda d: d["hints"]["C"][0].append(0), lambda d: d["hints"]["F"][0].__setitem__(0, 1.5),
                   lambda d: d["hints"]["F"][0].__setitem__(0, True), lambda d: d["hints"].update(fallback_limit=-1),
                   lambda d: d["hints"]["C"][0].__setitem__(0, 1 << 200), lambda d: d.update(params={"rank": 3})):
        dd = json.loads(json.dumps(doc))
        mutate(dd)
        r = _check(tmp_path, dd)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr


def test_hybrid_fallback_limit_is_enforced(trained, tmp_path):
    d, m = trained
    c, out = _prove(tmp_path, m, "rank=1")
    doc = json.loads(c.read_text())
    assert run("check", c, "--model", m).returncode == 0
    assert out["fallback_comparisons"] > 0 and out["correct_at_least"] > out["certified_cheap"]
    d1 = json.loads(json.dumps(doc))
    d1["claim"]["correct_at_least"] += 1  # the hybrid count is exact: one more is false
    r = _check(tmp_path, d1, "--model", m)
    assert r.returncode == 1 and "fewer than the claimed" in r.stdout
    doc["hints"]["fallback_limit"] = 0
    r = _check(tmp_path, doc, "--model", m)
    assert r.returncode == 1 and "left open" in r.stdout


def test_work_bound_refused_before_work(tmp_path):
    P = 7
    m = write(tmp_path / "f.safetensors", fourier_circuit(P, [1]), task="modadd", p=str(P))
    c, _ = _prove(tmp_path, m, "basis=fourier", "freqs=1")
    r = run("check", c, "--max-work", 1000)
    assert r.returncode == 2 and "low-rank" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_coq_refused_with_reason(tmp_path):
    P = 7
    m = write(tmp_path / "f.safetensors", fourier_circuit(P, [1]), task="modadd", p=str(P))
    c, _ = _prove(tmp_path, m, "basis=fourier", "freqs=1")
    r = run("export", c, "--coq", tmp_path / "coq", "--lean", tmp_path / "lean")
    assert r.returncode == 2 and "low-rank" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run("verify", c, "--coq")
    assert r.returncode == 2 and "no Coq checker" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_bad_params_are_usage_errors(tmp_path):
    P = 5
    m = write(tmp_path / "f.safetensors", fourier_circuit(P, [1]), task="modadd", p=str(P))
    for p in ("basis=pca", "rank=x", "mode=fast", "colour=red"):
        r = run("prove", m, "--strategy", "low-rank", "--param", p, "--out", tmp_path / "x.json")
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, (p, r.stderr)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(3, 7), st.integers(0, 3), st.sampled_from([0.003, 0.03, 0.1, 0.3]), st.integers(1, 5),
       st.integers(0, 2**31 - 1))
def test_noisy_circuit_certified_at_most_exact(tmp_path, P, extra, noise, rank, seed):
    """Near the ideal circuit the cheap test certifies most pairs: there a wrong bound would show."""
    rng = np.random.default_rng(seed)
    freqs = sorted({1, *(int(k) for k in rng.integers(1, P // 2 + 1, size=extra))})
    arr = {k: (v + noise * rng.standard_normal(v.shape)).astype(np.float32) for k, v in fourier_circuit(P, freqs).items()}
    M = load_bilinear(write(tmp_path / "n.safetensors", arr, task="modadd", p=str(P)))
    exact = slow_count(arr, P)
    for basis in ("svd", "fourier"):
        I, _ = interpretation(M, basis, rank)
        res = count(M, I)
        assert res.certified <= exact
        assert count(M, Interp(I.F, I.C, I.sm, I.si, P ** 3)).certified == exact
        zb = zbar(M, I)
        assert count(M, Interp(I.F, I.C, I.sm, I.si, 0, zb)).certified <= exact
        assert count(M, Interp(I.F, I.C, I.sm, I.si, 0, zb), second=False).certified <= exact  # test 1 alone
        assert count(M, Interp(I.F, I.C, I.sm, I.si, P ** 3, zb), second=False).certified == exact


def test_residual_model_refused_one_line(tmp_path):
    P, H = 5, 3
    rng = np.random.default_rng(0)
    arr = {"bilinear.0.W_L": rng.standard_normal((H, 2 * P)), "bilinear.0.W_R": rng.standard_normal((H, 2 * P)),
           "bilinear.0.W_D": rng.standard_normal((2 * P, H)), "head.W": rng.standard_normal((P, 2 * P))}
    m = write(tmp_path / "res.safetensors", {k: v.astype(np.float32) for k, v in arr.items()}, task="modadd",
              p=str(P), residual="1")
    r = run("prove", m, "--strategy", "low-rank", "--out", tmp_path / "x.json")
    assert r.returncode == 2 and "non-residual" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    M = load_bilinear(m)
    doc = {"format": "pybridge-certificate", "version": 1, "family": "bilinear", "strategy": "low-rank",
           "model_sha256": M.sha256, "model": {"d_in": 2 * P, "d_hidden": H, "n_out": P, "file": m.name},
           "params": {}, "claim": {"correct_at_least": 0, "total": P * P},
           "hints": {"F": [[0]] * P, "C": [[0] * H], "shift_model": 0, "shift_ideal": 0, "fallback_limit": 0}}
    r = _check(tmp_path, doc)
    assert r.returncode in (1, 2) and len((r.stderr or r.stdout).strip().splitlines()) == 1 and "Traceback" not in r.stderr


SHIPPED = Path(__file__).resolve().parents[1] / "certificates" / "bilinear-fourier-circuit-p13.low-rank.json"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzzed_shipped_certificate_one_line_and_sound(tmp_path, data):
    """Random edits of the shipped certificate: accepted only with a true claim, else InputError/Rejected."""
    from pybridge.check import InputError, Rejected, verify

    doc = json.loads(SHIPPED.read_text())
    h = doc["hints"]
    for _ in range(data.draw(st.integers(1, 3))):
        what = data.draw(st.sampled_from(["F", "C", "zbar", "shift_model", "shift_ideal", "fallback_limit", "claim",
                                          "key"]))
        v = data.draw(st.one_of(st.integers(-(1 << 30), 1 << 30), st.integers(-3, 3), st.booleans(), st.none(),
                                st.text(max_size=3), st.floats(allow_nan=True)))
        m = h.get(what)
        if what in ("F", "C", "zbar") and isinstance(m, list) and m and all(isinstance(row, list) and row for row in m):
            i = data.draw(st.integers(0, len(m) - 1))
            j = data.draw(st.integers(0, len(m[i]) - 1))
            m[i][j] = v
        elif what == "claim":
            doc["claim"]["correct_at_least"] = v
        elif what == "key":
            h[data.draw(st.sampled_from(["F", "C", "zbar", "extra"]))] = v
        else:
            h[what] = v
    p = tmp_path / "c.json"
    p.write_text(json.dumps(doc))
    model = SHIPPED.parent / doc["model"]["file"]
    try:
        r = verify(p, model)
    except (InputError, Rejected) as e:
        assert "\n" not in str(e)
        return
    assert r.correct_at_least <= 169 == r.total
