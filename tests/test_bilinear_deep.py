"""Bilinear family, several layers and residual blocks (issue 13 item 1): the exact Gram recursion against
the materialised per-layer symmetrised tensor (slow reference), the tensor against the exact forward pass,
exact invariances, the certificate kinds at depth >= 2, what per-layer symmetrisation does NOT give
(equal functions with cosine 0), and the plain-name rule for the second model file."""

from __future__ import annotations

import itertools
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

from pybridge.check import Rejected, verify
from pybridge.check.bilinear import deep
from pybridge.check.bilinear.model import as_net, gram, load_bilinear, pair_gram
from pybridge.check.errors import InputError
from pybridge.families import NoProof, ProveRequest
from pybridge.families.bilinear.model import float_gram, folded_float, forward_np, save_tensors
from pybridge.families.bilinear.similarity import exact_similarity, prove_brute_force, prove_two


def F(x) -> Fraction:
    return Fraction(*float(x).as_integer_ratio())


def rand_net(rng, d_in, widths, hidden, residual, embed=None, n_cls=None) -> dict:
    """widths[k] = input width of layer k (widths[0] = model width), len(widths) = layers + 1."""
    t = {}
    if embed:
        t["embed.W"] = rng.standard_normal((widths[0], d_in))
    for k, H in enumerate(hidden):
        t[f"bilinear.{k}.W_L"] = rng.standard_normal((H, widths[k]))
        t[f"bilinear.{k}.W_R"] = rng.standard_normal((H, widths[k]))
        t[f"bilinear.{k}.W_D"] = rng.standard_normal((widths[k + 1], H)) / 2
    if n_cls:
        t["head.W"] = rng.standard_normal((n_cls, widths[-1]))
    return {k: v.astype(np.float32) for k, v in t.items()}


def write(path: Path, arrays: dict, residual=None, **meta) -> Path:
    if residual is not None:
        meta["residual"] = ",".join("1" if r else "0" for r in residual)
    save_tensors(path, {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()}, meta)
    return path


def n_layers(arrays) -> int:
    return sum(1 for k in arrays if k.endswith(".W_L"))


# ---------------------------------------------------------------- slow, obviously correct references
def mv(M, v):
    return [sum(F(a) * b for a, b in zip(row, v)) for row in M]


def evaluate(arrays: dict, residual, x: list[Fraction]) -> list[Fraction]:
    """The model on x, exactly, layer by layer."""
    z = mv(arrays["embed.W"], x) if "embed.W" in arrays else list(x)
    for k in range(n_layers(arrays)):
        L, R, D = (arrays[f"bilinear.{k}.{t}"] for t in ("W_L", "W_R", "W_D"))
        y = mv(D, [a * b for a, b in zip(mv(L, z), mv(R, z))])
        z = [a + b for a, b in zip(z, y)] if residual[k] else y
    return mv(arrays["head.W"], z) if "head.W" in arrays else z


def tensors(arrays: dict, residual) -> tuple[list[np.ndarray], bool]:
    """The per-layer symmetrised tensors T_o (numpy object arrays of Fractions, order 2^n), built directly from
    the layers: T(z_i) per coordinate, T(1) = e_1 for an affine model, a residual layer adds sym(T(1) (x) T(z_i))."""
    affine = any(residual)
    c = int(affine)
    d_in = (arrays["embed.W"] if "embed.W" in arrays else arrays["bilinear.0.W_L"]).shape[1]
    v = d_in + c

    def basis(j):
        e = np.array([Fraction(0)] * v, dtype=object)
        e[j] = Fraction(1)
        return e

    one = basis(0) if affine else None
    if "embed.W" in arrays:
        z = [sum((F(arrays["embed.W"][i, j]) * basis(c + j) for j in range(d_in)), np.zeros(v, dtype=object))
             for i in range(arrays["embed.W"].shape[0])]
    else:
        z = [basis(c + j) for j in range(d_in)]

    def sym(p, q):
        return (np.multiply.outer(p, q) + np.multiply.outer(q, p)) / 2

    def comb(W, row):
        return sum((F(w) * t for w, t in zip(W[row], z)), np.zeros_like(z[0]))

    for k in range(n_layers(arrays)):
        L, R, D = (arrays[f"bilinear.{k}.{t}"] for t in ("W_L", "W_R", "W_D"))
        units = [sym(comb(L, h), comb(R, h)) for h in range(L.shape[0])]
        y = [sum((F(D[o, h]) * units[h] for h in range(L.shape[0])), np.zeros_like(units[0])) for o in range(D.shape[0])]
        if residual[k]:
            y = [yo + sym(one, zo) for yo, zo in zip(y, z)]
        if affine:
            one = np.multiply.outer(one, one)
        z = y
    if "head.W" in arrays:
        U = arrays["head.W"]
        z = [sum((F(U[c_, o]) * z[o] for o in range(U.shape[1])), np.zeros_like(z[0])) for c_ in range(U.shape[0])]
    return z, affine


def embed_to(T: np.ndarray, affine_from: bool, affine_to: bool) -> np.ndarray:
    """A non-affine tensor seen in the affine space (zero wherever an index is the constant)."""
    if affine_from == affine_to:
        return T
    out = np.zeros(tuple(s + 1 for s in T.shape), dtype=object)
    out[(slice(1, None),) * T.ndim] = T
    return out


def ref_inner(TA, aa, TB, ab) -> list[Fraction]:
    aff = aa or ab
    return [sum(np.ravel(embed_to(ta, aa, aff) * embed_to(tb, ab, aff)), Fraction(0)) for ta, tb in zip(TA, TB)]


def contract(T: np.ndarray, xt: list[Fraction]) -> Fraction:
    r = T
    for _ in range(T.ndim):
        r = r @ np.array(xt, dtype=object)
    return r


# ---------------------------------------------------------------- random architectures
def arch(draw_ints, depth: int, d_in: int, residual_mask: int, embed: bool, head: bool):
    residual = [bool(residual_mask >> k & 1) for k in range(depth)]
    m = draw_ints[0]
    widths = [m]
    for k in range(depth):
        widths.append(widths[-1] if residual[k] else draw_ints[1 + k])
    hidden = [draw_ints[4 + k] for k in range(depth)]
    return widths, hidden, residual


archs = st.tuples(st.integers(1, 2), st.integers(0, 3), st.booleans(), st.booleans(),
                  st.lists(st.integers(1, 2), min_size=8, max_size=8), st.integers(0, 2**31 - 1))


def make(rng, spec, d_in, n_out=None):
    depth, mask, emb, head, ints, _ = spec
    widths, hidden, residual = arch(ints, depth, d_in, mask, emb, head)
    if not emb:
        widths[0] = d_in
        for k in range(depth):
            if residual[k]:
                widths[k + 1] = widths[k]
    if n_out is not None and not head:
        if residual[-1]:  # the last width is fixed by the residual chain: use a head to reach n_out
            head = True
        else:
            widths[-1] = n_out
    return rand_net(rng, d_in, widths, hidden, residual, embed=emb, n_cls=n_out if head else None), residual


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(archs, archs, st.integers(1, 2), st.integers(1, 2))
def test_gram_recursion_equals_materialised_tensors(tmp_path, sa, sb, d_in, n_out):
    depth = sa[0]
    sb = (depth,) + sb[1:]  # equal depth (else the tensors live in different spaces)
    A, resA = make(np.random.default_rng(sa[5]), sa, d_in, n_out)
    B, resB = make(np.random.default_rng(sb[5]), sb, d_in, n_out)
    ma = load_bilinear(write(tmp_path / "a.safetensors", A, resA))
    mb = load_bilinear(write(tmp_path / "b.safetensors", B, resB))
    TA, aa = tensors(A, resA)
    TB, ab = tensors(B, resB)
    (I, g) = pair_gram(ma, mb)
    assert [Fraction(v, 1 << g) for v in I] == ref_inner(TA, aa, TB, ab)
    (I2, g2) = pair_gram(ma, ma)
    assert [Fraction(v, 1 << g2) for v in I2] == ref_inner(TA, aa, TA, aa)
    # the tensor represents the function: f(x)_o = <T_o, x~^(2^n)>, x~ = [1; x] (affine) or x
    rng = np.random.default_rng(sa[5] ^ 7)
    x = [Fraction(int(v), int(rng.integers(1, 5))) for v in rng.integers(-4, 5, size=d_in)]
    xt = ([Fraction(1)] if aa else []) + x
    assert [contract(t, xt) for t in TA] == evaluate(A, resA, x)
    # float64 forward and float Gram recursion agree with the exact figures
    assert np.allclose(forward_np({k: v.astype(np.float64) for k, v in A.items()}, resA, np.array([[float(v) for v in x]])),
                       [[float(v) for v in evaluate(A, resA, x)]], rtol=1e-9, atol=1e-9)
    fg = float_gram(folded_float({k: v.astype(np.float64) for k, v in A.items()}, resA),
                    folded_float({k: v.astype(np.float64) for k, v in B.items()}, resB), d_in)
    assert np.allclose(fg, [float(Fraction(v, 1 << g)) for v in I], rtol=1e-8, atol=1e-9)


def test_one_layer_recursion_is_the_gram_identity(tmp_path):
    """Depth 1: the recursion (deep.py) gives the very integers of the one-layer Gram identity (model.py)."""
    rng = np.random.default_rng(4)
    for emb, head in ((False, False), (True, False), (False, True), (True, True)):
        A = rand_net(rng, 3, [4 if emb else 3, 2], [3], [False], embed=emb, n_cls=2 if head else None)
        B = rand_net(rng, 3, [2 if emb else 3, 2], [2], [False], embed=emb, n_cls=2 if head else None)
        ma, mb = load_bilinear(write(tmp_path / "a.safetensors", A)), load_bilinear(write(tmp_path / "b.safetensors", B))
        arrays_a = {k: v for k, v in A.items()}
        from pybridge.check.modelfile import exact_integers

        for M, arr in ((ma, A), (mb, B)):
            s, ints = exact_integers(arr)
            net = deep.build_net(arr, ints, s, deep.net_shape(arr, 1, (False,), 4096), (False,), M.sha256, None, None)
            assert deep.gram_net(net, net) == (gram(M, M), 2 * M.e + 1)
        assert pair_gram(ma, mb) == (gram(ma, mb), ma.e + mb.e + 1)
        del arrays_a


def permuted_copy(A: dict, residual, rng, shift: int = 0) -> dict:
    """Per layer: permute hidden units, rescale L_h by +-2^a, R_h by +-2^b, D[:, h] by the inverse, swap L_h/R_h;
    permute the outputs of non-residual inner layers (and the next layer's columns); D of the last layer times 2^shift."""
    A = {k: v.astype(np.float64).copy() for k, v in A.items()}
    n = n_layers(A)
    for k in range(n):
        L, R, D = (A[f"bilinear.{k}.{t}"] for t in ("W_L", "W_R", "W_D"))
        for h in range(L.shape[0]):
            a, b = int(rng.integers(-2, 3)), int(rng.integers(-2, 3))
            sa, sb = rng.choice([-1.0, 1.0]), rng.choice([-1.0, 1.0])
            L[h] *= sa * 2.0 ** a
            R[h] *= sb * 2.0 ** b
            D[:, h] /= sa * sb * 2.0 ** (a + b)
            if rng.random() < 0.5:
                L[h], R[h] = R[h].copy(), L[h].copy()
        perm = rng.permutation(L.shape[0])
        A[f"bilinear.{k}.W_L"], A[f"bilinear.{k}.W_R"], A[f"bilinear.{k}.W_D"] = L[perm], R[perm], D[:, perm]
        residual_chain = residual[k] or (k + 1 < n and residual[k + 1])
        if k + 1 < n and not residual_chain:  # the intermediate coordinates themselves
            q = rng.permutation(D.shape[0])
            A[f"bilinear.{k}.W_D"] = A[f"bilinear.{k}.W_D"][q]
            A[f"bilinear.{k + 1}.W_L"] = A[f"bilinear.{k + 1}.W_L"][:, q]
            A[f"bilinear.{k + 1}.W_R"] = A[f"bilinear.{k + 1}.W_R"][:, q]
    if shift and "head.W" in A:
        A["head.W"] = A["head.W"] * 2.0 ** shift
    elif shift:
        assert not residual[-1]
        A[f"bilinear.{n - 1}.W_D"] = A[f"bilinear.{n - 1}.W_D"] * 2.0 ** shift
    return {k: v.astype(np.float32) for k, v in A.items()}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(archs, st.integers(1, 3), st.integers(-2, 2))
def test_invariances_exact_and_equivalent_certificate(tmp_path, spec, d_in, shift):
    rng = np.random.default_rng(spec[5])
    A, res = make(rng, spec, d_in, 2)
    B = permuted_copy(A, res, rng, shift)
    pa, pb = write(tmp_path / "a.safetensors", A, res), write(tmp_path / "b.safetensors", B, res)
    S = exact_similarity(pa, pb)
    assert S.proportional() and S.cosine_bracket() == (1, 1) and S.lam() == Fraction(2) ** shift
    assert S.f_bb() == S.f_aa() * Fraction(4) ** shift  # identical exact figures up to the global scale
    assert [Fraction(v, 1 << S.gbb) for v in S.IBB] == [Fraction(v, 1 << S.gaa) * Fraction(4) ** shift for v in S.IAA]
    res_ = prove_two("equivalent")(pa, ProveRequest(inputs=[pb]))
    res_.certificate["model"]["file"] = pa.name
    c = tmp_path / "eq.json"
    c.write_text(json.dumps(res_.certificate))
    r = verify(c)
    assert r.strategy == "equivalent" and r.statement.startswith("equivalent")
    x = [Fraction(int(v), 3) for v in rng.integers(-5, 6, size=d_in)]
    assert evaluate(B, res, x) == [Fraction(2) ** shift * v for v in evaluate(A, res, x)]


def test_permutation_and_swap_give_identical_integers(tmp_path):
    """Without rescaling (same exponent s), permuting hidden units and swapping L/R leave the Gram integers unchanged."""
    rng = np.random.default_rng(12)
    A = rand_net(rng, 3, [3, 2, 2], [3, 2], [False, True], n_cls=2)
    B = {k: v.copy() for k, v in A.items()}
    for k in range(2):
        perm = rng.permutation(B[f"bilinear.{k}.W_L"].shape[0])
        L, R = B[f"bilinear.{k}.W_L"][perm], B[f"bilinear.{k}.W_R"][perm]
        B[f"bilinear.{k}.W_L"], B[f"bilinear.{k}.W_R"] = R, L  # swapped
        B[f"bilinear.{k}.W_D"] = B[f"bilinear.{k}.W_D"][:, perm]
    ma = load_bilinear(write(tmp_path / "a.safetensors", A, [False, True]))
    mb = load_bilinear(write(tmp_path / "b.safetensors", B, [False, True]))
    assert ma.s == mb.s and pair_gram(ma, ma) == pair_gram(mb, mb) == pair_gram(ma, mb)


def test_per_layer_symmetrisation_is_not_canonical(tmp_path):
    """Two 2-layer models computing the same function x1^2 x2^2 whose tensors are orthogonal: similarity 1 is
    sufficient for equal functions, not necessary (docs/CHECKING.md section 11)."""
    e = np.eye(2, dtype=np.float32)
    A = {"bilinear.0.W_L": e[:1], "bilinear.0.W_R": e[1:], "bilinear.0.W_D": np.ones((1, 1), np.float32),  # y = x1 x2
         "bilinear.1.W_L": np.ones((1, 1), np.float32), "bilinear.1.W_R": np.ones((1, 1), np.float32),
         "bilinear.1.W_D": np.ones((1, 1), np.float32)}  # y^2
    B = {"bilinear.0.W_L": e, "bilinear.0.W_R": e, "bilinear.0.W_D": e,  # (x1^2, x2^2)
         "bilinear.1.W_L": e[:1], "bilinear.1.W_R": e[1:], "bilinear.1.W_D": np.ones((1, 1), np.float32)}
    pa, pb = write(tmp_path / "a.safetensors", A), write(tmp_path / "b.safetensors", B)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = [Fraction(int(v), 3) for v in rng.integers(-6, 7, size=2)]
        assert evaluate(A, [False, False], x) == evaluate(B, [False, False], x) == [x[0] ** 2 * x[1] ** 2]
    S = exact_similarity(pa, pb)
    assert S.f_ab() == 0 and S.f_aa() > 0 and S.f_bb() > 0 and not S.proportional()
    with pytest.raises(NoProof):
        prove_two("equivalent")(pa, ProveRequest(inputs=[pb]))
    # the distance claim stays true (it is sound for any tensor representing f): Frobenius gives delta > 0
    res = prove_two("distance")(pa, ProveRequest(inputs=[pb]))
    assert Fraction(*map(int, res.certificate["claim"]["delta"].split("/"))) > 0


def _cert(tmp_path, strategy, A, resA, B, resB, name="c.json"):
    pa, pb = write(tmp_path / "a.safetensors", A, resA), write(tmp_path / "b.safetensors", B, resB)
    res = prove_two(strategy)(pa, ProveRequest(inputs=[pb]))
    doc = res.certificate
    doc["model"]["file"] = "a.safetensors"
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p, doc


def Q(s: str) -> Fraction:
    n, d = s.split("/")
    return Fraction(int(n), int(d))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(archs, archs, st.integers(1, 2))
def test_distance_bound_holds_on_random_inputs(tmp_path, sa, sb, d_in):
    sb = (sa[0],) + sb[1:]
    A, resA = make(np.random.default_rng(sa[5]), sa, d_in, 2)
    B, resB = make(np.random.default_rng(sb[5]), sb, d_in, 2)
    p, doc = _cert(tmp_path, "distance", A, resA, B, resB)
    r = verify(p)
    n = sa[0]
    c = 1 if any(resA) or any(resB) else 0
    if n > 1 or c:
        assert f")^{2 ** (n - 1)}" in r.statement and ("(1 + |x|^2)" in r.statement) == bool(c)
    else:
        assert "<= " in r.statement and " |x|^2 for every x" in r.statement
    delta = Q(doc["claim"]["delta"])
    rng = np.random.default_rng(sa[5] + 1)
    for _ in range(4):
        x = [Fraction(int(v), int(rng.integers(1, 5))) for v in rng.integers(-5, 6, size=d_in)]
        bound = delta * (c + sum(v * v for v in x)) ** (2 ** (n - 1))
        for fa, fb in zip(evaluate(A, resA, x), evaluate(B, resB, x)):
            assert abs(fa - fb) <= bound


def test_deep_certificates_check_and_tampering_rejected(tmp_path):
    rng = np.random.default_rng(21)
    res = [True, False]
    A = rand_net(rng, 3, [3, 3, 2], [2, 3], res, n_cls=2)
    B = {k: (v + 0.1 * rng.standard_normal(v.shape)).astype(np.float32) for k, v in A.items()}
    for strategy, key in (("similarity", "cosine_at_least"), ("distance", "delta")):
        p, doc = _cert(tmp_path, strategy, A, res, B, res, f"{strategy}.json")
        assert doc["model"]["layers"] == 2
        r = verify(p)
        assert "2 layer" in r.statement and r.details["layers"] == 2
        num, den = (int(v) for v in doc["claim"][key].split("/"))
        bad = json.loads(json.dumps(doc))
        bad["claim"] = {key: f"{num + 1 if strategy == 'similarity' else num - 1}/{den}"}
        q = tmp_path / "bad.json"
        q.write_text(json.dumps(bad))
        with pytest.raises(Rejected):
            verify(q)
        bad = json.loads(json.dumps(doc))
        bad["model"].pop("layers")  # a one-layer certificate for a two-layer model
        q.write_text(json.dumps(bad))
        with pytest.raises(Rejected, match="shape"):
            verify(q)
    # the residual flags are bound by the hash: the same weights read without the flags are another model
    p, doc = _cert(tmp_path, "similarity", A, res, B, res, "s.json")
    write(tmp_path / "b.safetensors", B, [False, False])
    with pytest.raises(Rejected, match="mismatch"):
        verify(p)
    write(tmp_path / "b.safetensors", B, res)
    # one ulp in a deep model's weight
    B2 = {k: v.copy() for k, v in B.items()}
    B2["bilinear.1.W_R"][0, 0] = np.nextafter(B2["bilinear.1.W_R"][0, 0], np.float32(np.inf))
    write(tmp_path / "b.safetensors", B2, res)
    with pytest.raises(Rejected, match="mismatch"):
        verify(p)
    # equivalent at depth 2: lambda tampered
    C = permuted_copy(A, res, rng, 1)
    p, doc = _cert(tmp_path, "equivalent", A, res, C, res, "eq.json")
    assert doc["claim"]["lambda"] == "2/1" and "T_B" in verify(p).statement
    q = tmp_path / "bad.json"
    q.write_text(json.dumps(dict(doc, claim={"lambda": "3/1"})))
    with pytest.raises(Rejected, match="lambda"):
        verify(q)


def test_depth_mismatch_and_spectral_refused(tmp_path):
    rng = np.random.default_rng(5)
    A = rand_net(rng, 2, [2, 2, 2], [2, 2], [False, False])
    B = rand_net(rng, 2, [2, 2], [3], [False])
    pa, pb = write(tmp_path / "a.safetensors", A), write(tmp_path / "b.safetensors", B)
    with pytest.raises(InputError, match="layers"):
        exact_similarity(pa, pb)
    with pytest.raises(NoProof, match="spectral"):
        prove_two("spectral")(pa, ProveRequest(inputs=[pa]))
    # a one-layer certificate whose second model is replaced by a two-layer one of the same name
    C = rand_net(rng, 2, [2, 2], [2], [False])
    pc = write(tmp_path / "c.safetensors", C)
    res = prove_two("distance")(pb, ProveRequest(inputs=[pc]))
    doc = res.certificate
    doc["model"]["file"] = "b.safetensors"
    doc["hints"]["model_b_sha256"] = load_bilinear(pa).sha256
    doc["model"]["model_b_file"] = "a.safetensors"
    q = tmp_path / "mix.json"
    q.write_text(json.dumps(doc))
    with pytest.raises(Rejected, match="layers"):
        verify(q)


def test_bad_deep_model_files_one_line(tmp_path):
    rng = np.random.default_rng(2)
    A = rand_net(rng, 2, [2, 2, 2], [2, 2], [False, False])
    for meta in ("1", "1,1,1", "2,0", "1, 0", "١,0"):
        save_tensors(tmp_path / "m.safetensors", {k: torch.from_numpy(v) for k, v in A.items()}, {"residual": meta})
        with pytest.raises(InputError, match="residual"):
            load_bilinear(tmp_path / "m.safetensors")
    A2 = dict(A)
    A2["bilinear.01.W_L"] = A2["bilinear.0.W_L"]
    write(tmp_path / "m.safetensors", A2)
    with pytest.raises(InputError):
        load_bilinear(tmp_path / "m.safetensors")
    A3 = rand_net(rng, 2, [2, 3, 2], [2, 2], [False, False])
    write(tmp_path / "m.safetensors", A3, [True, False])  # a residual layer must keep its width
    with pytest.raises(InputError, match="residual layer 0"):
        load_bilinear(tmp_path / "m.safetensors")


# ---------------------------------------------------------------- brute force at depth >= 2
def slow_modadd_count(arrays, residual, P):
    good = 0
    for a, b in itertools.product(range(P), repeat=2):
        x = [Fraction(0)] * (2 * P)
        x[a] += 1
        x[P + b] += 1
        y = evaluate(arrays, residual, x)
        z = (a + b) % P
        good += all(y[z] > v for j, v in enumerate(y) if j != z)
    return good


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(2, 4), st.integers(0, 3), st.booleans(), st.integers(0, 2**31 - 1))
def test_deep_brute_force_equals_slow_reference(tmp_path, P, mask, emb, seed):
    rng = np.random.default_rng(seed)
    res = [bool(mask & 1), bool(mask & 2)]
    m = 3 if emb else 2 * P
    A = rand_net(rng, 2 * P, [m, m, m], [2, 3], res, embed=emb, n_cls=P)
    pa = write(tmp_path / "m.safetensors", A, res, task="modadd", p=str(P))
    r = prove_brute_force(pa, ProveRequest())
    assert r.correct == slow_modadd_count(A, res, P) and r.correct + r.incorrect == P * P
    c = tmp_path / "bf.json"
    r.certificate["model"]["file"] = pa.name
    c.write_text(json.dumps(r.certificate))
    assert verify(c).correct_at_least == r.correct
    bad = json.loads(c.read_text())
    bad["claim"]["correct_at_least"] = r.correct + 1
    bad["claim"].pop("incorrect_at_least", None)
    c.write_text(json.dumps(bad))
    if r.correct < P * P:
        with pytest.raises(Rejected):
            verify(c)


# ---------------------------------------------------------------- CLI: one line, exit 2
def run(*args):
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *map(str, args)], capture_output=True, text=True, timeout=300)


def test_second_model_file_plain_name_rule(tmp_path):
    rng = np.random.default_rng(3)
    A = rand_net(rng, 2, [2, 2], [2], [False])
    p, doc = _cert(tmp_path, "similarity", A, [False], A, [False])
    assert run("check", p).returncode == 0
    (tmp_path / "sub").mkdir()
    outside = tmp_path / "sub" / "b.safetensors"
    outside.write_bytes((tmp_path / "b.safetensors").read_bytes())
    for name in ("../b.safetensors", str(tmp_path / "b.safetensors"), "sub/b.safetensors", "-b"):
        d2 = json.loads(json.dumps(doc))
        d2["model"]["model_b_file"] = name
        q = tmp_path / "sub" / "bad.json"
        (tmp_path / "sub" / "a.safetensors").write_bytes((tmp_path / "a.safetensors").read_bytes())
        q.write_text(json.dumps(d2))
        r = run("check", q)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "model_b_file" in r.stderr, (name, r.stderr)
    # a symbolic link out of the certificate's folder
    link = tmp_path / "sub" / "link.safetensors"
    link.symlink_to(tmp_path / "b.safetensors")
    d2 = json.loads(json.dumps(doc))
    d2["model"]["model_b_file"] = "link.safetensors"
    q.write_text(json.dumps(d2))
    r = run("check", q)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "model_b_file" in r.stderr, r.stderr


def test_cli_deep_similarity_and_coq_refusal(tmp_path):
    rng = np.random.default_rng(8)
    res = [False, True]
    A = rand_net(rng, 2, [2, 2, 2], [2, 2], res)
    B = permuted_copy(A, res, rng, 0)
    pa, pb = write(tmp_path / "a.safetensors", A, res), write(tmp_path / "b.safetensors", B, res)
    r = run("similarity", pa, pb, "--json", "--out", tmp_path / "s.json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["exactly_proportional"] and out["lambda"] == "1/1" and out["layers"] == 2
    assert run("check", tmp_path / "s.json").returncode == 0
    for cmd in (("export", tmp_path / "s.json", "--coq", tmp_path / "coq"), ("verify", tmp_path / "s.json", "--coq")):
        r = run(*cmd)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "layer" in r.stderr, (cmd, r.stderr)


def test_similarity_matrix_on_three_checkpoints(tmp_path):
    ck = tmp_path / "ck"
    ck.mkdir()
    rng = np.random.default_rng(30)
    A = rand_net(rng, 3, [3, 2], [3], [False], n_cls=2)
    for k in range(3):  # a drifting run: A, A + noise, A + more noise
        write(ck / f"step{k:03d}.safetensors", {n: (v + 0.2 * k * rng.standard_normal(v.shape)).astype(np.float32)
                                                for n, v in A.items()})
    (ck / "notes.txt").write_text("ignored")
    fig = tmp_path / "fig.png"
    r = run("similarity", "--matrix", ck, "--out", fig, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    M = out["cosine"]
    assert out["checkpoints"] == ["step000.safetensors", "step001.safetensors", "step002.safetensors"]
    assert fig.stat().st_size > 1000 and fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(M[i][i] == 1.0 and M[i][j] == M[j][i] for i in range(3) for j in range(3))
    for i, j in ((0, 1), (0, 2), (1, 2)):
        S = exact_similarity(ck / out["checkpoints"][i], ck / out["checkpoints"][j])
        assert M[i][j] == S.cosine()
        lo, hi = (Q(v) for v in out["cosine_bracket"][f"{i},{j}"])
        assert lo <= Fraction(M[i][j]) + Fraction(1, 2**30) and Fraction(M[i][j]) <= hi + Fraction(1, 2**30)
    for bad in (("--matrix", ck), ("--matrix", ck, "--out", tmp_path / "x.json"), ("--matrix", tmp_path / "nothere", "--out", fig),
                ("a.safetensors", "--matrix", ck, "--out", fig)):
        r = run("similarity", *bad)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, (bad, r.stderr)


def test_work_and_bits_bounds_refuse_before_work(tmp_path):
    ROOT = Path(__file__).resolve().parents[1] / "certificates"
    eq, bf = ROOT / "bilinear-modadd-p7-residual2.equivalent.json", ROOT / "bilinear-modadd-p7-residual2.brute-force.json"
    if not eq.exists():
        pytest.skip("shipped residual example absent")
    for args in ((eq, "--max-bits", 200), (bf, "--max-work", 1000)):
        r = run("check", *args)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "raise --max" in r.stderr, r.stderr
    assert run("check", eq).returncode == 0 and run("check", bf).returncode == 0
    # more layers than the reader takes
    rng = np.random.default_rng(0)
    A = rand_net(rng, 1, [1] * (deep.MAX_LAYERS + 2), [1] * (deep.MAX_LAYERS + 1), [False] * (deep.MAX_LAYERS + 1))
    write(tmp_path / "m.safetensors", A)
    r = run("similarity", tmp_path / "m.safetensors", tmp_path / "m.safetensors")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "layers" in r.stderr, r.stderr
