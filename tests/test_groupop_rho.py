"""The rho-set compact proof for group-operation MLPs (docs/CHECKING.md section 8.6).

Models: synthetic rho-set circuits (C5, C7, D5: one 2-dim irrep, every pair of its rho-sets, built
here from the irreps independently of the prover) with noise added to every weight, so they are
only approximately bi-equivariant; random models (unexplained). Checked: compact bound <= exact
brute-force count, exact bi-equivariance of the ideal model from the hints (Fractions, own code),
tampering, bad input.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.numpy import save_file

from test_groupop import one_line, run, write_groupop


def synth_circuit(name: str, ridx: int, sign: float = -1.0, seed: int = 0):
    """A rho-set circuit (Wu et al.): neurons for all (b, c) in B x C, B = rho(G)^T v, C = sign rho(G) v,
    left(x) = b^T rho(x) v, right(y) = v^T rho(y) c, unembed(z) = b^T rho(z) c (float64)."""
    from pybridge.families.groupop.irreps import irreps
    from pybridge.families.groupop.perm import group

    G = group(name)
    n = G.order
    r = irreps(name)[ridx]
    R = np.stack([r.matrix_float(g) for g in range(n)])
    v = np.random.default_rng(seed).normal(size=r.dim)
    v /= np.linalg.norm(v)
    Ls, Rs, Us = [], [], []
    for k in range(n):
        for m in range(n):
            b, c = R[k].T @ v, sign * (R[m] @ v)
            Ls.append(R @ v @ b)
            Rs.append(np.einsum("i,gij,j->g", v, R, c))
            Us.append(np.einsum("i,gij,j->g", b, R, c))
    return np.array(Ls).T, np.array(Rs).T, np.array(Us)


def write_synth(path, name: str, ridx: int, noise: float, seed: int):
    A, B, U = synth_circuit(name, ridx)
    n, h = A.shape
    rng = np.random.default_rng(seed)
    t = {"embed_left": np.eye(n), "embed_right": np.eye(n),
         "W_left": A + noise * rng.normal(size=A.shape), "W_right": B + noise * rng.normal(size=B.shape),
         "W_U": U + noise * rng.normal(size=U.shape), "b_U": noise * rng.normal(size=n)}
    t = {k: v.astype(np.float32) for k, v in t.items()}
    md = {"pybridge_family": "groupop", "group": name, "group_order": str(n), "d_embed": str(n), "d_hidden": str(h)}
    save_file(t, str(path), metadata=md)
    return path


SYNTH = [("C5", 2, 0.02), ("C7", 2, 0.01), ("D5", 2, 0.01)]


def write_rho_cert(model, out, model_file: str | None = None, **fit):
    """Prove the rho-set certificate of `model` (FitParams overridden by `fit`), record `model_file`
    (default: the model's path) as its model file, write it to `out` and return `out`."""
    from pybridge.families.maxofk.common import write_json_atomic
    from pybridge.families.groupop.brute_force import load_groupop_model
    from pybridge.families.groupop.rho import FitParams, prove_groupop_rho

    doc = prove_groupop_rho(load_groupop_model(model), fp=FitParams(**fit)).certificate
    if model_file is None:  # as `pybridge prove` writes it: a plain name beside the certificate, else no file
        from pybridge.certio import set_model_file

        set_model_file(doc, Path(model), Path(out))
    else:
        doc["model"]["file"] = model_file
    return write_json_atomic(doc, out)


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """(model, rho-set certificate, brute-force certificate) for the first synthetic model."""
    d = tmp_path_factory.mktemp("rho")
    model = write_synth(d / "c5.safetensors", "C5", 2, 0.15, 0)  # bound 24/25 with rank 4: claim+1 is meaningful
    cert, bf = d / "c5.rho.json", d / "c5.bf.json"
    # the prover's rank cap (k (h + P + |G|) <= h |G|) allows only k <= 2 on this tiny model; lift it so
    # that the certificate exercises a rank-4 low-rank part (the checker does not depend on the cap)
    write_rho_cert(model, cert, model.name, max_rank_cost=10.0)  # model file as `pybridge prove --out` writes it
    assert run("prove", model, "--strategy", "brute-force", "--out", bf).returncode == 0
    return d, model, cert, bf


def _counts(model):
    from pybridge.families.groupop.brute_force import load_groupop_model, prove_groupop_bf
    from pybridge.families.groupop.rho import Unexplained, prove_groupop_rho

    m = load_groupop_model(model)
    bf = prove_groupop_bf(m)
    try:
        rho = prove_groupop_rho(m)
    except Unexplained:
        return bf.correct, None, None
    return bf.correct, rho.correct, rho


@pytest.mark.parametrize("name,ridx,noise", SYNTH)
def test_compact_le_bruteforce_and_explained(tmp_path, name, ridx, noise):
    model = write_synth(tmp_path / "m.safetensors", name, ridx, noise, 1)
    bf, rho, res = _counts(model)
    assert rho is not None, "a noisy rho-set circuit must be explained"
    assert 0 < rho <= bf
    assert rho >= 0.5 * bf  # small noise: the compact proof is not vacuous
    from pybridge.check import verify
    from pybridge.families.maxofk.common import write_json_atomic

    cert = write_json_atomic(res.certificate, tmp_path / "c.json")
    assert verify(cert, model).verified_correct >= rho


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noise=st.floats(0.0, 0.3), seed=st.integers(0, 10_000), which=st.sampled_from(SYNTH))
def test_property_compact_le_bruteforce(tmp_path, noise, seed, which):
    model = write_synth(tmp_path / f"p{seed}.safetensors", which[0], which[1], noise, seed)
    bf, rho, _ = _counts(model)
    assert rho is None or rho <= bf


@pytest.mark.parametrize("group,h", [("C6", 12), ("D4", 16), ("S3", 10), ("S4", 24)])
def test_random_models_compact_le_bruteforce(tmp_path, group, h):
    """Random weights: either unexplained or a bound no larger than brute force."""
    model = write_groupop(tmp_path / "r.safetensors", group, 8, h, seed=h)
    bf, rho, _ = _counts(model)
    assert rho is None or rho <= bf


def _ideal_exact(hints, n):
    """The ideal model's logits I(x, y)_c, exactly (Fractions), straight from the definition in 8.6."""
    slr, su, sl = Fraction(1, 2 ** hints["exp_lr"]), Fraction(1, 2 ** hints["exp_u"]), Fraction(1, 2 ** hints["exp_lambda"])
    L, R, U = hints["pair_left"], hints["pair_right"], hints["pair_unembed"]
    out = {}
    for x in range(n):
        for y in range(n):
            logits = [Fraction(0)] * n
            for p, lam, mn, md in hints["neurons"]:
                if p < 0:
                    continue
                pre = lam * sl * (L[p][x] + R[p][y]) * slr
                if pre > 0:
                    for c in range(n):
                        logits[c] += Fraction(mn, md) * U[p][c] * su * pre
            out[x, y] = logits
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(0, 5), bits=st.integers(1, 23), ex=st.integers(-8, 30), ey=st.integers(-8, 30),
       seed=st.integers(0, 2 ** 32 - 1), drop_ideal=st.booleans())
def test_property_arbitrary_lowrank_hints_sound(synth, k, bits, ex, ey, seed, drop_ideal):
    """Any low-rank hints (random X, Y, exponents; optionally a useless ideal model with all pairs
    scaled): the checker's count never exceeds the exact brute-force count (soundness does not rest on
    the hints)."""
    from pybridge.check.groupop.bruteforce import load_groupop
    from pybridge.check.groupop.rho import count_rho, parse_rho_hints

    _, model, cert, bf = synth
    hints = json.loads(cert.read_text())["hints"]
    rng = np.random.default_rng(seed)
    lim = 1 << bits
    rows = len(hints["lowrank_x"])
    hints.update({"exp_x": ex, "exp_y": ey,
                  "lowrank_x": rng.integers(-lim + 1, lim, size=(rows, k)).tolist(),
                  "lowrank_y": rng.integers(-lim + 1, lim, size=(k, 5)).tolist()})
    if drop_ideal:  # another bi-equivariant ideal model: every pair weight doubled
        for e in hints["neurons"]:
            if e[0] >= 0:
                e[2] *= 2
    M, table = load_groupop(model)
    H = parse_rho_hints(hints, M.order, M.d_hidden)
    try:
        good, info = count_rho(M, table, H)
    except Exception as ex_:  # only a reasoned rejection is allowed
        from pybridge.check.errors import Rejected

        assert isinstance(ex_, Rejected), ex_
        return
    assert 0 <= good <= json.loads(bf.read_text())["claim"]["correct_at_least"]
    from pybridge.check.groupop.bruteforce import classify_exact, pre_activations

    A, B = pre_activations(M)
    for x, y in zip(*np.nonzero(info["proven"])):  # every proven pair is correct (exact logits)
        assert classify_exact(M, A, B, table, int(x), int(y)) == 1


def test_ideal_model_exactly_biequivariant(synth):
    """I(x, y)_z = I(e, e)_{x^-1 z y^-1} for all x, y, z, in exact arithmetic (own code, not the checker's)."""
    from pybridge.families.groupop.perm import group

    _, _, cert, _ = synth
    hints = json.loads(cert.read_text())["hints"]
    G = group("C5")
    I = _ideal_exact(hints, G.order)
    inv, T = G.inverses, G.table
    for (x, y), logits in I.items():
        for z in range(G.order):
            assert logits[z] == I[0, 0][T[T[inv[x]][z]][inv[y]]]
    e = I[0, 0]
    assert e[0] > max(e[1:])  # the ideal model is correct, hence correct everywhere


def test_distance_linear_form_exact(synth):
    """H_c - I_c = sum_i phi_i C[i][c] (docs/CHECKING.md 8.6) on every input and class, in exact
    Fractions from the model's weights and the hints (own code, not the checker's)."""
    from pybridge.check.groupop.bruteforce import load_groupop, pre_activations

    _, model, cert, _ = synth
    hints = json.loads(cert.read_text())["hints"]
    M, _ = load_groupop(model)
    A, B = pre_activations(M)
    G, h, s = M.order, M.d_hidden, M.s
    sl = Fraction(1, 2 ** hints["exp_lr"]) if hints["exp_lr"] >= 0 else Fraction(2 ** -hints["exp_lr"])
    su = Fraction(1, 2 ** hints["exp_u"]) if hints["exp_u"] >= 0 else Fraction(2 ** -hints["exp_u"])
    sa = Fraction(1, 2 ** hints["exp_lambda"]) if hints["exp_lambda"] >= 0 else Fraction(2 ** -hints["exp_lambda"])
    L, R, U = hints["pair_left"], hints["pair_right"], hints["pair_unembed"]
    P = len(L)
    W = [[Fraction(w, 1 << s) for w in row] for row in M.WU]
    K = [Fraction(0)] * P
    for p, lam, mn, md in hints["neurons"]:
        if p >= 0:
            K[p] += lam * sa * Fraction(mn, md)
    C = [W[n] for n in range(h)]
    for p in range(P):
        C.append([sum((e[1] * sa * W[n][c] for n, e in enumerate(hints["neurons"][:h]) if e[0] == p), Fraction(0))
                  - K[p] * U[p][c] * su for c in range(G)])
    I = _ideal_exact(hints, G)
    for x in range(G):
        for y in range(G):
            a = [Fraction(A[x][n] + B[y][n], 1 << (2 * s)) for n in range(h)]
            g = [max((L[p][x] + R[p][y]) * sl, Fraction(0)) for p in range(P)]
            ai = [hints["neurons"][n][1] * sa * g[hints["neurons"][n][0]] if hints["neurons"][n][0] >= 0 else 0
                  for n in range(h)]
            phi = [max(a[n], 0) - ai[n] for n in range(h)] + g
            for c in range(G):
                Hc = sum(max(a[n], 0) * W[n][c] for n in range(h))
                assert Hc - I[x, y][c] == sum(f * C[i][c] for i, f in enumerate(phi))


def test_cli_check_valid(synth):
    _, model, cert, bf = synth
    r = run("check", cert, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["valid"] and out["strategy"] == "rho-set"
    doc = json.loads(cert.read_text())
    assert doc["claim"]["correct_at_least"] <= json.loads(bf.read_text())["claim"]["correct_at_least"]


def _tamper(src, dst, fn):
    doc = json.loads(src.read_text())
    fn(doc)
    dst.write_text(json.dumps(doc))
    return dst


@pytest.mark.parametrize("what", ["claim+1", "pair_left", "pair_unembed", "neuron_mu", "drop_virtual",
                                  "lowrank_zero_x", "lowrank_y_scaled", "exp_x+1", "lowrank_rank_drop"])
def test_tampered_rejected(synth, what):
    d, model, cert, _ = synth

    def fn(doc):
        h = doc["hints"]
        if what == "claim+1":
            doc["claim"]["correct_at_least"] = doc["claim"]["correct_at_least"] + 1
        elif what == "pair_left":
            h["pair_left"][0][1] += 1
        elif what == "pair_unembed":
            h["pair_unembed"][1][0] -= 1
        elif what == "neuron_mu":
            e = next(e for e in h["neurons"] if e[0] >= 0)
            e[2] += 1
        elif what == "drop_virtual":  # remove one neuron's pair: breaks the uniform pair weights
            e = next(e for e in h["neurons"] if e[0] >= 0)
            e[:] = [-1, 0, 0, 1]
        # the low-rank hints are never trusted (the checker computes the remainder C - X Y exactly), so a
        # wrong low-rank part only weakens the bound: the claim then exceeds the count and is rejected
        elif what == "lowrank_zero_x":
            h["lowrank_x"] = [[0] * len(r) for r in h["lowrank_x"]]
        elif what == "lowrank_y_scaled":
            h["lowrank_y"] = [[-v for v in r] for r in h["lowrank_y"]]
        elif what == "exp_x+1":
            h["exp_x"] -= 1  # X Y twice as large
        elif what == "lowrank_rank_drop":
            h["lowrank_x"] = [r[:1] for r in h["lowrank_x"]]
            h["lowrank_y"] = h["lowrank_y"][:1]

    doc = json.loads(cert.read_text())
    assert doc["claim"]["correct_at_least"] < 25
    assert len(doc["hints"]["lowrank_y"]) >= 2  # the fixture uses a low-rank part
    r = run("check", _tamper(cert, d / f"bad-{what}.json", fn))
    assert r.returncode == 1, (r.stdout, r.stderr)
    out = (r.stdout + r.stderr).strip()
    assert "INVALID" in out and len(out.splitlines()) == 1


def test_wrong_model_rejected(synth, tmp_path):
    _, model, cert, _ = synth
    other = write_synth(tmp_path / "other.safetensors", "C5", 2, 0.02, 99)
    r = run("check", cert, "--model", other)
    assert r.returncode == 1 and "model mismatch" in r.stdout + r.stderr


@pytest.mark.parametrize("what", ["lam0", "shape", "keys", "incorrect", "bigint", "lowrank_rows", "lowrank_bits",
                                  "lowrank_ragged", "exp_x_range", "lowrank_missing"])
def test_malformed_hints_one_line(synth, what):
    d, _, cert, _ = synth

    def fn(doc):
        h = doc["hints"]
        if what == "lam0":
            e = next(e for e in h["neurons"] if e[0] >= 0)
            e[1] = 0
        elif what == "shape":
            h["pair_right"][0] = h["pair_right"][0][:-1]
        elif what == "keys":
            h["extra"] = 1
        elif what == "incorrect":
            doc["claim"]["incorrect_at_least"] = 0
        elif what == "bigint":
            h["pair_left"][0][0] = 1 << 300
        elif what == "lowrank_rows":
            h["lowrank_x"] = h["lowrank_x"][:-1]
        elif what == "lowrank_bits":
            h["lowrank_y"][0][0] = 1 << 24
        elif what == "lowrank_ragged":
            h["lowrank_x"][3] = h["lowrank_x"][3] + [0]
        elif what == "exp_x_range":
            h["exp_x"] = 10 ** 6
        elif what == "lowrank_missing":
            del h["lowrank_y"]

    r = run("check", _tamper(cert, d / f"mal-{what}.json", fn))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_unexplained_model_no_certificate(tmp_path):
    model = write_groupop(tmp_path / "rand.safetensors", "S4", 8, 16, seed=3)
    out = tmp_path / "rand.rho.json"
    r = run("prove", model, "--strategy", "rho-set", "--out", out)
    assert r.returncode == 1 and r.stdout.startswith("UNEXPLAINED") and len(r.stdout.strip().splitlines()) == 1
    assert not out.exists()
    r = run("prove", model, "--strategy", "rho-set", "--out", out, "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["unexplained"]
    assert not out.exists()


def test_bad_model_input_one_line(tmp_path):
    def nan(t):
        t["W_U"][0, 0] = np.nan

    model = write_groupop(tmp_path / "nan.safetensors", "C5", 4, 4, seed=0, edit=nan)
    r = subprocess.run([sys.executable, "-m", "pybridge.cli", "prove", str(model), "--strategy", "rho-set",
                        "--out", str(tmp_path / "x.json")], capture_output=True, text=True, timeout=300)
    one_line(r)
    assert not (tmp_path / "x.json").exists()


def test_truncated_certificate(synth):
    d, _, cert, _ = synth
    bad = d / "trunc.json"
    bad.write_bytes(cert.read_bytes()[: len(cert.read_bytes()) // 2])
    r = run("check", bad)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
