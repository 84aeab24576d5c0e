"""Permutation groups and their real orthogonal irreps (pybridge.families.groupop.perm): group axioms, classes,
and the exact irrep checks, plus property tests (hypothesis) on random elements."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybridge.families.groupop.irreps import Cyc, irreps, partitions, standard_tableaux, verify_irreps
from pybridge.families.groupop.perm import compose, group, group_elements

NAMES = ["S1", "S2", "S3", "S4", "S5", "A4", "A5", "C1", "C2", "C5", "C6", "D3", "D4", "D5", "D6"]
ORDERS = {"S1": 1, "S2": 2, "S3": 6, "S4": 24, "S5": 120, "A4": 12, "A5": 60, "C1": 1, "C2": 2, "C5": 5,
          "C6": 6, "D3": 6, "D4": 8, "D5": 10, "D6": 12}
CLASS_SIZES = {"S4": [1, 3, 6, 6, 8], "S5": [1, 10, 15, 20, 20, 24, 30], "A4": [1, 3, 4, 4],
               "A5": [1, 12, 12, 15, 20], "D4": [1, 1, 2, 2, 2], "D5": [1, 2, 2, 5], "C6": [1] * 6}


@pytest.mark.parametrize("name", NAMES)
def test_group_axioms(name):
    G = group(name)
    n, T, inv = G.order, G.table, G.inverses
    assert n == ORDERS[name]
    assert list(G.elements) == sorted(G.elements) and G.elements[0] == tuple(range(G.degree))
    assert all(sorted(row) == list(range(n)) for row in T)  # Latin square
    assert all(T[0][a] == a == T[a][0] for a in range(n))
    assert all(T[a][inv[a]] == 0 == T[inv[a]][a] for a in range(n))
    for a in range(n):  # associativity (all triples for small groups, a sample for S5)
        for b in range(0, n, 1 if n <= 24 else 7):
            for c in range(0, n, 1 if n <= 24 else 11):
                assert T[T[a][b]][c] == T[a][T[b][c]]
    classes = G.conjugacy_classes
    assert sorted(a for c in classes for a in c) == list(range(n)) and classes[0] == [0]
    if name in CLASS_SIZES:
        assert sorted(len(c) for c in classes) == CLASS_SIZES[name]
    # every class is closed under conjugation
    for c in classes:
        cs = set(c)
        assert all(T[T[g][a]][inv[g]] in cs for a in c for g in range(n))


def test_cyclic_indexing_and_product_convention():
    G = group("C7")
    assert all(G.table[a][b] == (a + b) % 7 for a in range(7) for b in range(7))
    S = group("S3")
    x, y = S.elements[1], S.elements[3]
    assert S.elements[S.table[1][3]] == tuple(x[y[i]] for i in range(3))  # (x*y)(i) = x(y(i))
    D = group("D4")
    assert len({p for p in D.elements}) == 8 and D.element_order(1) in (2, 4)


def test_partitions_and_tableaux():
    assert partitions(4) == [(4,), (3, 1), (2, 2), (2, 1, 1), (1, 1, 1, 1)]
    assert [len(standard_tableaux(l)) for l in partitions(5)] == [1, 4, 5, 6, 5, 4, 1]


@pytest.mark.parametrize("name", ["S1", "S2", "S3", "S4", "S5", "A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4",
                                  "C5", "C8", "D3", "D4", "D5", "D8"])
def test_irreps_verified_exactly(name):
    G = group(name)
    reps = irreps(name)  # runs verify_irreps (exact): homomorphism on all pairs, orthogonality, characters
    assert sum(Fraction(r.dim**2, r.kind) for r in reps) == G.order
    if name[0] in "SD":
        assert all(r.kind == 1 for r in reps) and sum(r.dim**2 for r in reps) == G.order


def test_s4_s5_a5_dimensions():
    assert sorted(r.dim for r in irreps("S4")) == [1, 1, 2, 3, 3]
    assert sorted(r.dim for r in irreps("S5")) == [1, 1, 4, 4, 5, 5, 6]
    assert sorted(r.dim for r in irreps("A5")) == [1, 3, 3, 4, 5]
    assert [(r.dim, r.kind) for r in irreps("A4")] == [(1, 1), (3, 1), (2, 2)]


def test_kind_two_needs_frobenius_schur_zero():
    """[3,1,1] restricted to A5 has <chi, chi> = 2 but splits over R: declaring it one irrep of
    complex type must fail (the Frobenius-Schur sum is 2, not 0)."""
    from pybridge.families.groupop.irreps import Irrep

    A5, S5 = group("A5"), group("S5")
    six = next(r for r in irreps("S5") if r.name == "[3,1,1]")
    fake = Irrep("A5", "[3,1,1]", 6, 2, M=[six.M[S5.index[p]] for p in A5.elements], q=six.q)
    good = [r for r in irreps("A5") if r.dim != 3]
    with pytest.raises(AssertionError, match="Frobenius"):
        verify_irreps(A5, good + [fake])


def test_verification_catches_a_broken_irrep():
    import copy

    G = group("S3")
    reps = copy.deepcopy(irreps("S3"))
    two = next(r for r in reps if r.dim == 2)
    two.M[1][0][0] += 1
    with pytest.raises(AssertionError):
        verify_irreps(G, reps)
    reps = copy.deepcopy(irreps("S3"))
    next(r for r in reps if r.dim == 2).q[1] *= 2  # breaks orthogonality only
    with pytest.raises(AssertionError, match="orthogonal"):
        verify_irreps(G, reps)
    reps = copy.deepcopy(irreps("D4"))
    with pytest.raises(AssertionError):
        verify_irreps(group("D4"), reps[:-1])  # incomplete


def test_cyclotomic_field():
    N = 12
    z = Cyc.zeta(N, 1)
    p = Cyc.rational(N, 1)
    for _ in range(12):
        p = p * z
    assert p == Cyc.rational(N, 1)
    i = Cyc.zeta(N, 3)
    assert i * i == Cyc.rational(N, -1)
    s3 = Cyc.zeta(N, 1) + Cyc.zeta(N, -1)  # 2 cos(pi/6) = sqrt(3)
    assert s3 * s3 == Cyc.rational(N, 3) and abs(float(s3) - 3**0.5) < 1e-12


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(["S4", "S5", "A5", "D6", "C8"]), data=st.data())
def test_float_matrices_are_orthogonal_homomorphisms(name, data):
    G = group(name)
    g = data.draw(st.integers(0, G.order - 1))
    h = data.draw(st.integers(0, G.order - 1))
    for r in irreps(name):
        A, B, C = r.matrix_float(g), r.matrix_float(h), r.matrix_float(G.table[g][h])
        assert np.allclose(A @ B, C, atol=1e-12)
        assert np.allclose(A.T @ A, np.eye(r.dim), atol=1e-12)


def test_sympy_matrix_exact():
    import sympy

    G = group("S4")
    rho = next(r for r in irreps("S4") if r.dim == 3)
    g, h = 5, 17
    prod = sympy.simplify(rho.matrix_sympy(g) * rho.matrix_sympy(h) - rho.matrix_sympy(G.table[g][h]))
    assert prod == sympy.zeros(3, 3)
    m = rho.matrix_sympy(g)
    assert sympy.simplify(m.T * m - sympy.eye(3)) == sympy.zeros(3, 3)
    d = next(r for r in irreps("D5") if r.dim == 2)
    assert abs(float(d.matrix_sympy(1)[0, 0]) - d.matrix_float(1)[0, 0]) < 1e-12
    ico = next(r for r in irreps("A5") if r.dim == 3)
    m = ico.matrix_sympy(7)
    assert sympy.simplify(m.T * m - sympy.eye(3)) == sympy.zeros(3, 3) and m.det().equals(1)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(["S4", "S5", "A5", "D7", "C9"]), data=st.data())
def test_random_products_match_composition(name, data):
    G = group(name)
    a, b = data.draw(st.integers(0, G.order - 1)), data.draw(st.integers(0, G.order - 1))
    assert G.elements[G.table[a][b]] == compose(G.elements[a], G.elements[b])
    assert G.class_of[a] == G.class_of[G.table[G.table[b][a]][G.inverses[b]]]


def test_unknown_names():
    for bad in ("S7", "Q8", "D2", "A0"):
        with pytest.raises(ValueError):
            group_elements(bad)
    with pytest.raises(NotImplementedError):
        irreps("A6")
