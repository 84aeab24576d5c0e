"""Bilinear family (issue 13): exact Gram identity vs the materialised tensor, invariances, the four
certificate kinds, tampering, the CLI contract."""

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

from pybridge.check import Rejected, verify
from pybridge.check.bilinear.model import gram, inner, load_bilinear
from pybridge.check.errors import InputError
from pybridge.families import ProveRequest
from pybridge.families.bilinear.model import save_tensors
from pybridge.families.bilinear.similarity import exact_similarity, float_cosine, prove_brute_force, prove_two

import torch


def rand_model(rng, d_in, H, d_out, n_cls=None, embed=None, scale=1.0):
    d = embed if embed else d_in
    t = {"bilinear.0.W_L": rng.standard_normal((H, d)) * scale, "bilinear.0.W_R": rng.standard_normal((H, d)),
         "bilinear.0.W_D": rng.standard_normal((d_out, H))}
    if n_cls:
        t["head.W"] = rng.standard_normal((n_cls, d_out))
    if embed:
        t["embed.W"] = rng.standard_normal((embed, d_in))
    return {k: v.astype(np.float32) for k, v in t.items()}


def write(path: Path, arrays: dict, **meta) -> Path:
    save_tensors(path, {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()}, meta)
    return path


def F(x) -> Fraction:
    return Fraction(*float(x).as_integer_ratio())


def sym_tensor(arrays: dict) -> list:
    """Materialised Bs[o][i][j] as Fractions (slow, obviously correct; unfolded model)."""
    L = [[F(v) for v in r] for r in arrays["bilinear.0.W_L"]]
    R = [[F(v) for v in r] for r in arrays["bilinear.0.W_R"]]
    D = [[F(v) for v in r] for r in arrays["bilinear.0.W_D"]]
    if "embed.W" in arrays:
        E = [[F(v) for v in r] for r in arrays["embed.W"]]
        L = [[sum(l[k] * E[k][i] for k in range(len(E))) for i in range(len(E[0]))] for l in L]
        R = [[sum(l[k] * E[k][i] for k in range(len(E))) for i in range(len(E[0]))] for l in R]
    if "head.W" in arrays:
        U = [[F(v) for v in r] for r in arrays["head.W"]]
        D = [[sum(U[c][o] * D[o][h] for o in range(len(D))) for h in range(len(D[0]))] for c in range(len(U))]
    n = len(L[0])
    return [[[sum(D[o][h] * (L[h][i] * R[h][j] + L[h][j] * R[h][i]) for h in range(len(L))) / 2 for j in range(n)]
             for i in range(n)] for o in range(len(D))]


def evaluate(arrays: dict, x: list[Fraction]) -> list[Fraction]:
    """The model on x, exactly, layer by layer (no folding)."""
    def mv(M, v):
        return [sum(F(a) * b for a, b in zip(row, v)) for row in M]
    if "embed.W" in arrays:
        x = mv(arrays["embed.W"], x)
    y = mv(arrays["bilinear.0.W_D"], [a * b for a, b in zip(mv(arrays["bilinear.0.W_L"], x), mv(arrays["bilinear.0.W_R"], x))])
    return mv(arrays["head.W"], y) if "head.W" in arrays else y


def transform(arrays: dict, rng, global_shift: int = 0) -> dict:
    """A symmetry-transformed copy: permute hidden units, rescale L_h by +-2^a, R_h by +-2^b, D[:,h] by
    their inverse, swap L and R on some units, D times 2^global_shift. Same function up to 2^global_shift."""
    L, R, D = (arrays[k].astype(np.float64).copy() for k in ("bilinear.0.W_L", "bilinear.0.W_R", "bilinear.0.W_D"))
    H = L.shape[0]
    for h in range(H):
        a, b = int(rng.integers(-3, 4)), int(rng.integers(-3, 4))
        sa, sb = rng.choice([-1.0, 1.0]), rng.choice([-1.0, 1.0])
        L[h] *= sa * 2.0 ** a
        R[h] *= sb * 2.0 ** b
        D[:, h] /= sa * sb * 2.0 ** (a + b)
        if rng.random() < 0.5:
            L[h], R[h] = R[h].copy(), L[h].copy()
    perm = rng.permutation(H)
    out = dict(arrays)
    out.update({"bilinear.0.W_L": L[perm].astype(np.float32), "bilinear.0.W_R": R[perm].astype(np.float32),
                "bilinear.0.W_D": (D[:, perm] * 2.0 ** global_shift).astype(np.float32)})
    return out


shapes = st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.sampled_from([None, 2]),
                   st.sampled_from([None, 3]), st.integers(0, 2**31 - 1))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes, shapes)
def test_gram_equals_materialised_inner_product(tmp_path, sa, sb):
    d_in = sa[0]
    ra, rb = np.random.default_rng(sa[5]), np.random.default_rng(sb[5])
    A = rand_model(ra, d_in, sa[1], sa[2], sa[3], sa[4])
    B = rand_model(rb, d_in, sb[1], sb[2], sa[3] if sa[3] else sa[2], sb[4]) if True else None
    if (sa[3] or sa[2]) != (B["head.W"].shape[0] if "head.W" in B else B["bilinear.0.W_D"].shape[0]):
        B["bilinear.0.W_D"] = B["bilinear.0.W_D"][:1]
        B.pop("head.W", None)
        A["bilinear.0.W_D"] = A["bilinear.0.W_D"][:1]
        A.pop("head.W", None)
    ma, mb = load_bilinear(write(tmp_path / "a.safetensors", A)), load_bilinear(write(tmp_path / "b.safetensors", B))
    TA, TB = sym_tensor(A), sym_tensor(B)
    ref = sum(x * y for pa, pb in zip(TA, TB) for ra_, rb_ in zip(pa, pb) for x, y in zip(ra_, rb_))
    assert inner(ma, mb) == ref
    # per output too
    I = gram(ma, mb)
    for o in range(len(TA)):
        ref_o = sum(x * y for ra_, rb_ in zip(TA[o], TB[o]) for x, y in zip(ra_, rb_))
        assert Fraction(I[o], 1 << (ma.e + mb.e + 1)) == ref_o


def test_float_reference_agrees(tmp_path):
    rng = np.random.default_rng(1)
    A, B = rand_model(rng, 6, 5, 3), rand_model(rng, 6, 4, 3)
    S = exact_similarity(write(tmp_path / "a.safetensors", A), write(tmp_path / "b.safetensors", B))
    f = float_cosine(*(X[k].astype(np.float64) for X in (A, B) for k in ("bilinear.0.W_L", "bilinear.0.W_R", "bilinear.0.W_D")))
    lo, hi = S.cosine_bracket()
    assert abs(f - S.cosine()) < 1e-9 and lo <= Fraction(S.cosine()) + Fraction(1, 2**40) and lo < hi


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.sampled_from([None, 2]), st.integers(-2, 2),
       st.integers(0, 2**31 - 1))
def test_symmetry_copy_is_exactly_equivalent(tmp_path, d_in, H, d_out, ncls, shift, seed):
    rng = np.random.default_rng(seed)
    A = rand_model(rng, d_in, H, d_out, ncls)
    B = transform(A, rng, shift)
    pa, pb = write(tmp_path / "a.safetensors", A), write(tmp_path / "b.safetensors", B)
    S = exact_similarity(pa, pb)
    assert S.proportional() and S.cosine_bracket() == (1, 1)
    assert S.lam() == Fraction(2) ** shift
    # invariance: identical exact figures
    ma, mb = load_bilinear(pa), load_bilinear(pb)
    assert inner(mb, mb) == inner(ma, ma) * Fraction(4) ** shift
    assert inner(ma, mb) == inner(ma, ma) * Fraction(2) ** shift
    res = prove_two("equivalent")(pa, ProveRequest(inputs=[pb]))
    res.certificate["model"]["file"] = pa.name  # a plain name beside the certificate (issue 10)
    c = tmp_path / "eq.json"
    c.write_text(json.dumps(res.certificate))
    r = verify(c)
    assert r.strategy == "equivalent" and r.statement.startswith("equivalent")
    # the claim says f_B = lambda f_A: check on a random rational input, exactly
    x = [Fraction(int(v), 7) for v in rng.integers(-9, 10, size=d_in)]
    assert evaluate(B, x) == [Fraction(2) ** shift * v for v in evaluate(A, x)]


def test_equivalent_refused_and_rejected_when_not_proportional(tmp_path):
    from pybridge.families import NoProof

    rng = np.random.default_rng(3)
    A = rand_model(rng, 4, 3, 2)
    B = transform(A, rng)
    B["bilinear.0.W_D"] = B["bilinear.0.W_D"].copy()
    B["bilinear.0.W_D"][0, 0] = np.nextafter(B["bilinear.0.W_D"][0, 0], np.float32(np.inf))  # one ulp
    pa, pb = write(tmp_path / "a.safetensors", A), write(tmp_path / "b.safetensors", B)
    with pytest.raises(NoProof):
        prove_two("equivalent")(pa, ProveRequest(inputs=[pb]))
    S = exact_similarity(pa, pb)
    assert not S.proportional() and S.cosine_bracket()[1] <= 1 and S.cosine() > 0.999


def _cert(tmp_path, strategy, A, B, name="c.json"):
    pa, pb = write(tmp_path / "a.safetensors", A), write(tmp_path / "b.safetensors", B)
    res = prove_two(strategy)(pa, ProveRequest(inputs=[pb]))
    doc = res.certificate
    doc["model"]["file"] = "a.safetensors"
    doc["model"]["model_b_file"] = "b.safetensors"
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p, doc


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_distance_bound_holds_on_random_inputs(tmp_path, d_in, H, d_out, seed):
    rng = np.random.default_rng(seed)
    A, B = rand_model(rng, d_in, H, d_out), rand_model(rng, d_in, H + 1, d_out)
    p, doc = _cert(tmp_path, "distance", A, B)
    r = verify(p)
    delta = Fraction(doc["claim"]["delta"].split("/")[0]) / Fraction(doc["claim"]["delta"].split("/")[1])
    for _ in range(5):
        x = [Fraction(int(v), int(rng.integers(1, 9))) for v in rng.integers(-9, 10, size=d_in)]
        n2 = sum(v * v for v in x)
        for fa, fb in zip(evaluate(A, x), evaluate(B, x)):
            assert abs(fa - fb) <= delta * n2
    assert r.details["max_frobenius_sq"]


def test_tampered_two_model_certificates_rejected(tmp_path):
    rng = np.random.default_rng(5)
    A = rand_model(rng, 5, 4, 3)
    B = {k: (v + 0.1 * rng.standard_normal(v.shape)).astype(np.float32) for k, v in A.items()}
    for strategy, key in (("similarity", "cosine_at_least"), ("distance", "delta")):
        p, doc = _cert(tmp_path, strategy, A, B, f"{strategy}.json")
        verify(p)
        num, den = (int(v) for v in doc["claim"][key].split("/"))
        bad = dict(doc, claim={key: f"{num + 1 if strategy == 'similarity' else num - 1}/{den}"})
        q = tmp_path / "bad.json"
        q.write_text(json.dumps(bad))
        with pytest.raises(Rejected):
            verify(q)
    # equivalence: lambda tampered, and the second model changed by one ulp
    C = transform(A, rng, 1)
    p, doc = _cert(tmp_path, "equivalent", A, C, "eq.json")
    assert doc["claim"]["lambda"] == "2/1"
    verify(p)
    q = tmp_path / "bad.json"
    q.write_text(json.dumps(dict(doc, claim={"lambda": "3/1"})))
    with pytest.raises(Rejected, match="lambda"):
        verify(q)
    C2 = dict(C, **{"bilinear.0.W_L": C["bilinear.0.W_L"].copy()})
    C2["bilinear.0.W_L"][0, 0] = np.nextafter(C2["bilinear.0.W_L"][0, 0], np.float32(np.inf))
    write(tmp_path / "b.safetensors", C2)
    with pytest.raises(Rejected, match="mismatch"):
        verify(p)
    # rebinding the hash to the ulp-changed model does not help: the tensors are no longer proportional
    from pybridge.check.bilinear.model import load_bilinear as lb
    doc2 = json.loads(json.dumps(doc))
    doc2["hints"]["model_b_sha256"] = lb(tmp_path / "b.safetensors").sha256
    q.write_text(json.dumps(doc2))
    with pytest.raises(Rejected, match="proportional"):
        verify(q)


def test_huge_delta_is_valid_not_a_crash(tmp_path):
    rng = np.random.default_rng(8)
    A = rand_model(rng, 3, 2, 2)
    p, doc = _cert(tmp_path, "distance", A, A)
    q = tmp_path / "huge.json"
    q.write_text(json.dumps(dict(doc, claim={"delta": "1" + "0" * 399 + "/1"})))
    assert "huge" in verify(q).statement


def test_bad_certificates_are_input_errors(tmp_path):
    rng = np.random.default_rng(6)
    A = rand_model(rng, 3, 2, 2)
    p, doc = _cert(tmp_path, "similarity", A, A)
    for bad in (dict(doc, extra=1), dict(doc, claim={"cosine_at_least": "1/0"}), dict(doc, claim={"cosine_at_least": "0.5"}),
                dict(doc, claim={"cosine_at_least": "3/2"}), dict(doc, hints={}),
                dict(doc, hints={"model_b_sha256": "x" * 64}), dict(doc, params={"c": 1}),
                dict(doc, model={**doc["model"], "extra": 1}), dict(doc, model={**doc["model"], "model_b_file": "../b.safetensors"}),
                dict(doc, model={**doc["model"], "model_b_file": "/etc/passwd"}), dict(doc, claim={"cosine_at_least": "١/2"})):
        q = tmp_path / "bad.json"
        q.write_text(json.dumps(bad))
        with pytest.raises(InputError):
            verify(q)


# ---------------------------------------------------------------- modular addition, brute force
def modadd_model(rng, P, H):
    A = rand_model(rng, 2 * P, H, 4, P)
    return A


def slow_modadd_count(arrays, P):
    good = 0
    for a in range(P):
        for b in range(P):
            x = [Fraction(0)] * (2 * P)
            x[a] += 1
            x[P + b] += 1
            y = evaluate(arrays, x)
            z = (a + b) % P
            good += all(y[z] > v for j, v in enumerate(y) if j != z)
    return good


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(2, 5), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_brute_force_equals_slow_reference(tmp_path, P, H, seed):
    rng = np.random.default_rng(seed)
    A = modadd_model(rng, P, H)
    pa = write(tmp_path / "m.safetensors", A, task="modadd", p=str(P))
    res = prove_brute_force(pa, ProveRequest())
    assert res.correct == slow_modadd_count(A, P) and res.correct + res.incorrect == P * P


def test_brute_force_ties_fail(tmp_path):
    P = 3
    A = {"bilinear.0.W_L": np.zeros((1, 6), np.float32), "bilinear.0.W_R": np.zeros((1, 6), np.float32),
         "bilinear.0.W_D": np.ones((3, 1), np.float32)}
    pa = write(tmp_path / "m.safetensors", A, task="modadd", p="3")
    assert prove_brute_force(pa, ProveRequest()).correct == 0


def run(*args):
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("bil")
    m = d / "m.safetensors"
    r = run("train", "bilinear", "--p", 7, "--hidden", 12, "--steps", 300, "--train-fraction", 0.6, "--seed", 1,
            "--out", m, "--json")
    assert r.returncode == 0, r.stderr
    return d, m


def test_training_is_deterministic(trained, tmp_path):
    d, m = trained
    m2 = tmp_path / "m2.safetensors"
    r = run("train", "bilinear", "--p", 7, "--hidden", 12, "--steps", 300, "--train-fraction", 0.6, "--seed", 1,
            "--out", m2, "--json")
    assert r.returncode == 0 and m2.read_bytes() == m.read_bytes()


def test_cli_brute_force_contract(trained):
    d, m = trained
    c = d / "bf.json"
    r = run("prove", m, "--strategy", "brute-force", "--out", c, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["total"] == 49
    assert run("check", c).returncode == 0
    doc = json.loads(c.read_text())
    doc["claim"]["correct_at_least"] = out["correct_at_least"] + 1
    doc["claim"].pop("incorrect_at_least")
    bad = d / "bad.json"
    bad.write_text(json.dumps(doc))
    r = run("check", bad)
    assert r.returncode == 1 and r.stdout.startswith("INVALID")
    doc["claim"]["total"] = "49"
    bad.write_text(json.dumps(doc))
    r = run("check", bad)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_cli_similarity(trained, tmp_path):
    d, m0 = trained
    r = run("similarity", m0, m0, "--out", tmp_path / "x.json")  # the second model must sit beside the certificate
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    m = tmp_path / "m.safetensors"
    m.write_bytes(m0.read_bytes())
    r = run("similarity", m, m, "--json", "--out", tmp_path / "s.json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["exactly_proportional"] and out["lambda"] == "1/1" and out["cosine"] == 1.0
    assert run("check", tmp_path / "s.json").returncode == 0
    m2 = tmp_path / "m2.safetensors"
    assert run("train", "bilinear", "--p", 7, "--hidden", 12, "--steps", 300, "--seed", 2, "--out", m2).returncode == 0
    r = run("similarity", m, m2, "--json", "--out", tmp_path / "t.json")
    out = json.loads(r.stdout)
    assert not out["exactly_proportional"] and "lambda" not in out and -1 <= out["cosine"] < 1
    assert len(out["certificates"]) == (2 if out["cosine"] >= 0 else 1)
    for c in out["certificates"]:
        rc = run("check", c, "--json")
        assert rc.returncode == 0 and json.loads(rc.stdout)["statement"], rc.stderr
    # prove --with gives the same
    r = run("prove", m, "--strategy", "distance", "--with", m2, "--out", tmp_path / "d.json")
    assert r.returncode == 0 and run("check", tmp_path / "d.json").returncode == 0
    r = run("prove", m, "--strategy", "distance", "--out", tmp_path / "d.json")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_bad_model_file_one_line(tmp_path):
    bad = tmp_path / "x.safetensors"
    bad.write_bytes(b"garbage" * 10)
    r = run("similarity", bad, bad)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    rng = np.random.default_rng(0)
    A = rand_model(rng, 3, 2, 2)
    A["bilinear.1.W_L"] = A["bilinear.0.W_L"]
    write(tmp_path / "y.safetensors", A)
    r = run("similarity", tmp_path / "y.safetensors", tmp_path / "y.safetensors")
    assert r.returncode == 2 and "lacks tensor 'bilinear.1.W_R'" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    A["bilinear.1.W_R"], A["bilinear.1.W_D"] = A["bilinear.0.W_R"], A["bilinear.0.W_D"][:, :1]  # widths do not chain
    write(tmp_path / "y.safetensors", A)
    r = run("similarity", tmp_path / "y.safetensors", tmp_path / "y.safetensors")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr


# ---------------------------------------------------------------- spectral distance (exact LDL^T)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.sampled_from([None, 2]), st.integers(0, 2**31 - 1))
def test_spectral_bound_holds_and_is_tighter(tmp_path, d_in, H, d_out, ncls, seed):
    rng = np.random.default_rng(seed)
    A = rand_model(rng, d_in, H, d_out, ncls)
    B = {k: (v + 0.3 * rng.standard_normal(v.shape)).astype(np.float32) for k, v in A.items()}
    p, doc = _cert(tmp_path, "spectral", A, B, "sp.json")
    r = verify(p)
    assert r.strategy == "spectral"
    q, fro = _cert(tmp_path, "distance", A, B, "fr.json")
    ds, df = (Fraction(int(x.split("/")[0]), int(x.split("/")[1])) for x in (doc["claim"]["delta"], fro["claim"]["delta"]))
    assert ds <= df * (1 + Fraction(1, 10**6)) + Fraction(1, 2**20)  # spectral norm <= Frobenius norm (up to rounding)
    for _ in range(4):
        x = [Fraction(int(v), int(rng.integers(1, 9))) for v in rng.integers(-9, 10, size=d_in)]
        n2 = sum(v * v for v in x)
        for fa, fb in zip(evaluate(A, x), evaluate(B, x)):
            assert abs(fa - fb) <= ds * n2


def test_spectral_tampering_rejected(tmp_path):
    rng = np.random.default_rng(9)
    A = rand_model(rng, 3, 3, 2)
    B = {k: (v + 0.2 * rng.standard_normal(v.shape)).astype(np.float32) for k, v in A.items()}
    p, doc = _cert(tmp_path, "spectral", A, B, "sp.json")
    verify(p)
    q = tmp_path / "bad.json"

    def bad(mut):
        d2 = json.loads(json.dumps(doc))
        mut(d2)
        q.write_text(json.dumps(d2))
        with pytest.raises(Rejected):
            verify(q)

    def lower_delta(d2):
        n, m = (int(v) for v in d2["claim"]["delta"].split("/"))
        d2["claim"]["delta"] = f"{n - 1}/{m}"

    def bump_L(d2):
        n, m = (int(v) for v in d2["hints"]["ldl"][0][0]["L"][1][0].split("/"))
        d2["hints"]["ldl"][0][0]["L"][1][0] = f"{n + 1}/{m}"

    def negative_D(d2):
        d2["hints"]["ldl"][1][1]["D"][0] = "-" + d2["hints"]["ldl"][1][1]["D"][0].lstrip("-")

    def bump_D(d2):
        n, m = (int(v) for v in d2["hints"]["ldl"][1][0]["D"][2].split("/"))
        d2["hints"]["ldl"][1][0]["D"][2] = f"{n + 1}/{m}"

    for mut in (lower_delta, bump_L, negative_D, bump_D):
        bad(mut)
    d2 = json.loads(json.dumps(doc))
    d2["hints"]["ldl"][0][0]["L"][1] = []
    q.write_text(json.dumps(d2))
    with pytest.raises(InputError):
        verify(q)


def test_digits_backdoor_training(tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn (its bundled digits) is needed for --task digits-backdoor")
    outs = []
    for k in range(2):
        m = tmp_path / f"d{k}.safetensors"
        r = run("train", "bilinear", "--task", "digits-backdoor", "--hidden", 8, "--steps", 30, "--poison-steps", 10,
                "--checkpoints", tmp_path / f"ck{k}", "--every", 20, "--out", m, "--json")
        assert r.returncode == 0, r.stderr
        outs.append(m.read_bytes())
        assert json.loads(r.stdout)["checkpoints"] == 3
    assert outs[0] == outs[1]  # deterministic
    M = load_bilinear(tmp_path / "d0.safetensors")
    assert M.task == "digits" and M.d_in == 64 and M.n_out == 10
    r = run("similarity", tmp_path / "ck0" / "step000000.safetensors", tmp_path / "d0.safetensors", "--json")
    assert r.returncode == 0 and len(json.loads(r.stdout)["per_output_cosine"]) == 10


# ---------------------------------------------------------------- resource bound of reading a model (embedding/head folds)
def _fold_model(tmp_path, deep_model: bool):
    """A model with an embedding and a head: one layer (A, B for a distance certificate) or, deep_model,
    two layers with a residual second layer."""
    rng = np.random.default_rng(11)
    if not deep_model:
        A = rand_model(rng, 6, 4, 3, n_cls=2, embed=5)
        B = rand_model(rng, 6, 3, 3, n_cls=2, embed=4)
        p, _ = _cert(tmp_path, "distance", A, B)
        return p, A
    t = {"embed.W": rng.standard_normal((4, 6)), "bilinear.0.W_L": rng.standard_normal((3, 4)),
         "bilinear.0.W_R": rng.standard_normal((3, 4)), "bilinear.0.W_D": rng.standard_normal((4, 3)),
         "bilinear.1.W_L": rng.standard_normal((2, 4)), "bilinear.1.W_R": rng.standard_normal((2, 4)),
         "bilinear.1.W_D": rng.standard_normal((4, 2)), "head.W": rng.standard_normal((2, 4))}
    A = {k: v.astype(np.float32) for k, v in t.items()}
    pa = write(tmp_path / "a.safetensors", A, residual="0,1")
    pb = write(tmp_path / "b.safetensors", A, residual="0,1")
    doc = prove_two("distance")(pa, ProveRequest(inputs=[pb])).certificate
    doc["model"]["file"], doc["model"]["model_b_file"] = "a.safetensors", "b.safetensors"
    p = tmp_path / "c.json"
    p.write_text(json.dumps(doc))
    return p, A


@pytest.mark.parametrize("deep_model", [False, True])
def test_fold_bound_refuses_before_any_product(tmp_path, monkeypatch, capsys, deep_model):
    """`pybridge check --max-work/--max-bits` below what reading the model costs (exact conversion + the
    embedding/head products) refuses with one line, exit 2, before converting or multiplying anything."""
    from pybridge.check.bilinear import deep, model as bm
    from pybridge.check.bilinear.deep import layer_count, net_shape, residual_flags
    from pybridge.cli import main

    p, A = _fold_model(tmp_path, deep_model)
    residual = (False, True) if deep_model else (False,)
    shape = net_shape(A, 2, residual, bm.MAX_DIM) if deep_model else bm.shape_of(A)
    work, bits = bm.fold_bound(A, shape, residual)
    assert work > 2 * 4 * 5 * 6 - 1 and bits > 0
    assert main(["check", str(p)]) == 0  # accepted with the default limits
    capsys.readouterr()

    def boom(*a, **k):
        raise AssertionError("formed before the bound was checked")

    for name in ("_matmul", "exact_integers"):
        monkeypatch.setattr(bm, name, boom)
    monkeypatch.setattr(deep, "_mm", boom)
    for args in (["--max-work", str(work - 1)], ["--max-bits", str(bits - 1)]):
        rc = main(["check", str(p), *args])
        err = capsys.readouterr().err.strip().splitlines()
        assert rc == 2 and len(err) == 1 and "folded" in err[0] and "raise --max" in err[0], (args, err)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=32),
                          st.floats(allow_nan=False, allow_infinity=False)), min_size=1, max_size=6),
       st.booleans())
def test_exponent_bounds_are_upper_bounds(vals, single):
    """`exponent_bounds` (from np.frexp alone) bounds the exact conversion's s and the bit size of every integer,
    for float32 and float64 entries of any exponent (subnormals, zero, huge values)."""
    from pybridge.check.bilinear.model import exponent_bounds
    from pybridge.check.modelfile import exact_integers

    a32 = np.array([v for v in vals if abs(v) < 3e38], dtype=np.float32)
    arrays = {"x": np.array(vals, dtype=np.float64)}
    if not single and a32.size:
        arrays["y"] = a32
    s_ub, b_ub = exponent_bounds(arrays)
    s, ints = exact_integers(arrays)
    assert s <= s_ub
    assert all(abs(z).bit_length() <= b_ub for v in ints.values() for z in v)
