"""Real orthogonal irreducible representations of S_n, A_n (n <= 5), C_n and D_n, computed and
verified exactly.

Untrusted (prover side): these feed the later rho-set proofs; whatever they are used for will be
re-checked. Still, every representation returned by `irreps(name)` has passed `verify_irreps`, an
exact check (no floating point anywhere) of:

1. homomorphism: `rho(g) rho(h) = rho(g*h)` for *every* pair (g, h) (product as in `perm.py`:
   `(g*h)(i) = g(h(i))`);
2. orthogonality: `rho(g)^T rho(g) = I` for every g;
3. irreducibility over R and completeness: with characters `chi`, `<chi, chi> = c` where `c = 1`
   (real type) or `c = 2` (complex type, e.g. the 2-dim irreps of C_n), distinct irreps have
   `<chi, chi'> = 0`, and `sum_rho dim(rho)^2 / c_rho = |G|`. (For S_n and D_n every real irrep is
   of real type, so this is `sum dim^2 = |G|`.) For `c = 2` also the Frobenius-Schur sum
   `sum_g chi(g^2) = 0`: then `rho (x) C = U + conj(U)` with `U` irreducible and not self-dual, so
   `rho` is irreducible over R (`<chi, chi> = 2` alone would allow a sum of two real irreps).

Exact representation of the entries
-----------------------------------
- `S_n` (n <= 6), Young's orthogonal form. One irrep per partition `lam` of n, basis the standard
  Young tableaux (SYT) of shape `lam`; `s_i = (i, i+1)` acts by
  `s_i e_T = (1/r) e_T + sqrt(1 - 1/r^2) e_{s_i T}` with `r` the axial distance (content of `i+1`
  minus content of `i`; content = column - row). Entries lie in `Q(sqrt 2, sqrt 3, ...)`; we store
  them as `rho(g) = S M(g) S^-1` with `M(g)` a *rational* matrix (Young's seminormal form) and
  `S = diag(sqrt(q_T))`, `q_T` positive rationals. All checks are done on `M` and `q`:
  `rho(g) rho(h) = rho(gh)` iff `M(g) M(h) = M(gh)`, and `rho(g)` is orthogonal iff
  `M(g)^T Q M(g) = Q` with `Q = diag(q)`. `matrix_sympy(g)` gives the entries
  `M[a][b] * sqrt(q_a / q_b)` as exact sympy numbers.
- `C_n`, `D_n`: entries `cos(2 pi k m / n)`, `sin(2 pi k m / n)` in the cyclotomic field
  `Q(zeta_N)`, `N = lcm(n, 4)`, stored as rational coefficient vectors over the basis
  `1, zeta, .., zeta^(phi(N)-1)` (reduced modulo the cyclotomic polynomial, hence canonical):
  `cos a = (zeta^a + zeta^-a) / 2`, `sin a = (zeta^a - zeta^-a) / (2i)`, `i = zeta^(N/4)`.
  `C_n`: trivial, `(-1)^m` (n even), and for `1 <= k < n/2` the rotation by `2 pi k m / n` (2-dim,
  complex type). `D_n` (rotation `i -> m+i` = `r^m`, reflection `i -> m-i` = `r^m f`): trivial,
  `det` (reflections -1), for n even `(-1)^m` on `r^m` and `(-1)^m` resp. `(-1)^(m+1)` on `r^m f`,
  and for `1 <= k < n/2`: `r^m -> R(2 pi k m / n)`, `r^m f -> R(2 pi k m / n) diag(1, -1)`.
- `A_n` (n <= 5): the restrictions of the S_n irreps `[lam]` with `lam > lam'` (conjugate
  partition), real type; a self-conjugate `[lam]` restricts to one irrep of complex type (A_3:
  `[2,1]`, A_4: `[2,2]`), except `[3,1,1]` for A_5, which splits into the icosahedral 3-dim irrep
  and its Galois conjugate: entries in `Q(sqrt 5)` (class `Q5`, pairs of rationals). The rotation
  group of the icosahedron with vertices the cyclic shifts of `(0, +-1, +-phi)` is built exactly;
  `a = (0 1 2 3 4) -> R_a` (order 5), `b -> R_b` (order 2, `ab` of order 3) define the map, and
  the all-pairs check above proves it is a homomorphism.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from math import gcd

import numpy as np

from pybridge.families.groupop.perm import PermGroup, compose, group

# ================================================================ S_n: Young's seminormal form


def partitions(n: int, maxpart: int | None = None) -> list[tuple[int, ...]]:
    """Partitions of n in decreasing lexicographic order."""
    if n == 0:
        return [()]
    maxpart = n if maxpart is None else maxpart
    out = []
    for first in range(min(n, maxpart), 0, -1):
        out += [(first,) + rest for rest in partitions(n - first, first)]
    return out


def standard_tableaux(lam: tuple[int, ...]) -> list[tuple[tuple[int, int], ...]]:
    """SYT of shape lam, each as the tuple `pos[v] = (row, col)` of the box holding v = 0..n-1."""
    n = sum(lam)
    out: list[tuple[tuple[int, int], ...]] = []

    def rec(filled: list[int], pos: list[tuple[int, int]]) -> None:
        if len(pos) == n:
            out.append(tuple(pos))
            return
        for row in range(len(lam)):
            if filled[row] < lam[row] and (row == 0 or filled[row - 1] > filled[row]):
                filled[row] += 1
                rec(filled, pos + [(row, filled[row] - 1)])
                filled[row] -= 1

    rec([0] * len(lam), [])
    return out


def _seminormal_generators(lam: tuple[int, ...]) -> tuple[list[list[list[Fraction]]], list[Fraction]]:
    """Rational matrices M(s_i), i = 0..n-2, and the diagonal q of the invariant form.

    Pair {T, T' = s_i T}, oriented so that r = r_T > 0: `M[T][T] = 1/r`, `M[T'][T'] = -1/r`,
    `M[T'][T] = 1`, `M[T][T'] = 1 - 1/r^2`, and `q_T' = q_T (1 - 1/r^2)`; then
    `diag(sqrt q) M diag(sqrt q)^-1` is Young's orthogonal form.
    """
    tabs = standard_tableaux(lam)
    idx = {t: a for a, t in enumerate(tabs)}
    n, d = sum(lam), len(tabs)
    gens = []
    ratio: dict[tuple[int, int], Fraction] = {}  # (a, b): q_b / q_a
    for i in range(n - 1):
        M = [[Fraction(0)] * d for _ in range(d)]
        for a, t in enumerate(tabs):
            (r0, c0), (r1, c1) = t[i], t[i + 1]
            r = (c1 - r1) - (c0 - r0)
            M[a][a] = Fraction(1, r)
            if abs(r) == 1:
                continue  # i, i+1 adjacent in a row or column: s_i T is not standard
            sw = list(t)
            sw[i], sw[i + 1] = sw[i + 1], sw[i]
            b = idx[tuple(sw)]
            if r > 0:
                M[b][a] = Fraction(1)
                M[a][b] = 1 - Fraction(1, r * r)
                ratio[(a, b)] = 1 - Fraction(1, r * r)
                ratio[(b, a)] = 1 / (1 - Fraction(1, r * r))
        gens.append(M)
    q: list[Fraction | None] = [None] * d
    q[0] = Fraction(1)
    stack = [0]
    while stack:  # propagate along the pairs; conflicts are caught by verify_irreps
        a = stack.pop()
        for (x, y), f in ratio.items():
            if x == a and q[y] is None:
                q[y] = q[a] * f
                stack.append(y)
    if any(v is None for v in q):
        raise AssertionError(f"shape {lam}: tableau graph not connected")
    return gens, q  # type: ignore[return-value]


# ================================================================ cyclotomic field Q(zeta_N)


@cache
def _cyclotomic_poly(N: int) -> tuple[int, ...]:
    """Coefficients (low to high) of the N-th cyclotomic polynomial (monic, integer)."""
    import sympy

    x = sympy.Symbol("x")
    return tuple(int(c) for c in reversed(sympy.Poly(sympy.cyclotomic_poly(N, x), x).all_coeffs()))


class Cyc:
    """An element of Q(zeta_N): rational coefficients on 1, zeta, .., zeta^(phi(N)-1) (canonical)."""

    __slots__ = ("N", "c")

    def __init__(self, N: int, c: tuple[Fraction, ...]) -> None:
        self.N, self.c = N, c

    @staticmethod
    def _reduce(N: int, coeffs: list[Fraction]) -> Cyc:
        phi = _cyclotomic_poly(N)
        deg = len(phi) - 1
        coeffs = list(coeffs) + [Fraction(0)] * max(0, deg - len(coeffs))
        for top in range(len(coeffs) - 1, deg - 1, -1):
            f = coeffs[top]
            if f:
                for j in range(deg + 1):
                    coeffs[top - deg + j] -= f * phi[j]
        return Cyc(N, tuple(coeffs[:deg]))

    @classmethod
    def rational(cls, N: int, v: Fraction | int) -> Cyc:
        return cls._reduce(N, [Fraction(v)])

    @classmethod
    def zeta(cls, N: int, a: int) -> Cyc:
        a %= N
        return cls._reduce(N, [Fraction(0)] * a + [Fraction(1)])

    def __add__(self, o: Cyc) -> Cyc:
        return Cyc(self.N, tuple(x + y for x, y in zip(self.c, o.c)))

    def __sub__(self, o: Cyc) -> Cyc:
        return Cyc(self.N, tuple(x - y for x, y in zip(self.c, o.c)))

    def __mul__(self, o: Cyc) -> Cyc:
        out = [Fraction(0)] * (2 * len(self.c) - 1)
        for i, x in enumerate(self.c):
            if x:
                for j, y in enumerate(o.c):
                    if y:
                        out[i + j] += x * y
        return Cyc._reduce(self.N, out)

    def scale(self, f: Fraction) -> Cyc:
        return Cyc(self.N, tuple(x * f for x in self.c))

    def __eq__(self, o: object) -> bool:
        return isinstance(o, Cyc) and self.N == o.N and self.c == o.c

    def __hash__(self) -> int:
        return hash((self.N, self.c))

    def is_rational(self) -> bool:
        return all(x == 0 for x in self.c[1:])

    def __float__(self) -> float:
        z = np.exp(2j * np.pi / self.N)
        v = sum(float(x) * z**k for k, x in enumerate(self.c))
        return float(np.real(v))


def _cos_sin(N: int, a: int) -> tuple[Cyc, Cyc]:
    """cos(2 pi a / N), sin(2 pi a / N) in Q(zeta_N) (N divisible by 4)."""
    za, zm = Cyc.zeta(N, a), Cyc.zeta(N, -a)
    cos = (za + zm).scale(Fraction(1, 2))
    sin = ((za - zm) * Cyc.zeta(N, 3 * N // 4)).scale(Fraction(1, 2))  # 1/i = zeta^(3N/4)
    return cos, sin


# ================================================================ Q(sqrt 5), for A_5


class Q5:
    """`a + b sqrt(5)` with rational a, b (canonical: sqrt 5 is irrational)."""

    __slots__ = ("a", "b")

    def __init__(self, a, b=0) -> None:
        self.a, self.b = Fraction(a), Fraction(b)

    def __add__(self, o: Q5) -> Q5:
        return Q5(self.a + o.a, self.b + o.b)

    def __sub__(self, o: Q5) -> Q5:
        return Q5(self.a - o.a, self.b - o.b)

    def __mul__(self, o: Q5) -> Q5:
        return Q5(self.a * o.a + 5 * self.b * o.b, self.a * o.b + self.b * o.a)

    def inv(self) -> Q5:
        n = self.a * self.a - 5 * self.b * self.b
        return Q5(self.a / n, -self.b / n)

    def conj(self) -> Q5:
        return Q5(self.a, -self.b)

    def __eq__(self, o: object) -> bool:
        return isinstance(o, Q5) and (self.a, self.b) == (o.a, o.b)

    def __hash__(self) -> int:
        return hash((self.a, self.b))

    def __float__(self) -> float:
        return float(self.a) + float(self.b) * 5**0.5


def _m3(X, Y):
    return [[X[i][0] * Y[0][j] + X[i][1] * Y[1][j] + X[i][2] * Y[2][j] for j in range(3)] for i in range(3)]


def _icosahedral_rotations() -> list[list[list[Q5]]]:
    """The 60 rotations of the icosahedron with vertices the cyclic shifts of (0, +-1, +-phi)."""
    phi = Q5(Fraction(1, 2), Fraction(1, 2))
    zero, one = Q5(0), Q5(1)
    verts = []
    for s1 in (one, Q5(-1)):
        for s2 in (phi, Q5(0) - phi):
            v = [zero, s1, s2]
            verts += [v, [v[2], v[0], v[1]], [v[1], v[2], v[0]]]

    def dot(u, v):
        return u[0] * v[0] + u[1] * v[1] + u[2] * v[2]

    def cross(u, v):
        return [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]

    def cols(u, v):
        w = cross(u, v)
        return [[u[i], v[i], w[i]] for i in range(3)]

    U = cols(verts[0], next(v for v in verts if dot(v, verts[0]) == phi))  # two adjacent vertices
    # inverse of U by the adjugate
    det = U[0][0] * (U[1][1] * U[2][2] - U[1][2] * U[2][1]) - U[0][1] * (U[1][0] * U[2][2] - U[1][2] * U[2][0]) \
        + U[0][2] * (U[1][0] * U[2][1] - U[1][1] * U[2][0])
    di = det.inv()
    Ui = [[(U[(j + 1) % 3][(i + 1) % 3] * U[(j + 2) % 3][(i + 2) % 3]
            - U[(j + 1) % 3][(i + 2) % 3] * U[(j + 2) % 3][(i + 1) % 3]) * di for j in range(3)] for i in range(3)]
    edge = phi  # u . v for adjacent vertices: |u|^2 = 1 + phi^2, |u - v|^2 = 4, so u . v = phi^2 - 1 = phi
    out = []
    for w1 in verts:
        for w2 in verts:
            if dot(w1, w2) == edge:
                out.append(_m3(cols(w1, w2), Ui))
    return out


def _a5_three_dims(G: PermGroup) -> list[list[list[list[Q5]]]]:
    """The icosahedral 3-dim irrep of A_5 (a -> R_a, b -> R_b with a^5 = b^2 = (ab)^3 = 1) and its
    Galois conjugate (sqrt 5 -> -sqrt 5)."""
    rots = _icosahedral_rotations()
    I3 = [[Q5(int(i == j)) for j in range(3)] for i in range(3)]

    def order(R):
        k, P = 1, R
        while P != I3:
            P, k = _m3(P, R), k + 1
        return k

    a = G.index[(1, 2, 3, 4, 0)]
    b = next(x for x in range(G.order) if G.element_order(x) == 2 and G.element_order(G.table[a][x]) == 3)
    Ra = next(R for R in rots if order(R) == 5)
    Rb = next(R for R in rots if order(R) == 2 and order(_m3(Ra, R)) == 3)
    mats: list = [None] * G.order
    mats[0] = I3
    frontier = [0]
    while frontier:  # rho(s g) = rho(s) rho(g); consistency is verified afterwards for all pairs
        nxt = []
        for x in frontier:
            for s, R in ((a, Ra), (b, Rb)):
                y = G.table[s][x]
                if mats[y] is None:
                    mats[y] = _m3(R, mats[x])
                    nxt.append(y)
        frontier = nxt
    conj = [[[v.conj() for v in row] for row in M] for M in mats]
    return [mats, conj]


# ================================================================ irreps


@dataclass
class Irrep:
    """A real orthogonal irrep. `kind` is the Schur index over R: 1 real type, 2 complex type.

    Exact data: either `M` (rational matrices, S_n) with form `q`, or `C` (Q(zeta_N) matrices).
    """

    group: str
    name: str
    dim: int
    kind: int
    M: list[list[list[Fraction]]] | None = None  # M[g] for S_n (seminormal; rho = S M S^-1)
    q: list[Fraction] | None = None
    C: list[list[list[Cyc]]] | None = None  # C[g] for C_n, D_n (orthogonal already)
    R5: list[list[list[Q5]]] | None = None  # R5[g] for the 3-dim irreps of A_5 (orthogonal already)

    def matrix_float(self, g: int) -> np.ndarray:
        """rho(g) as a float64 array (rounded; for the prover)."""
        if self.M is not None:
            s = np.sqrt(np.array([float(v) for v in self.q]))
            m = np.array([[float(v) for v in row] for row in self.M[g]])
            return s[:, None] * m / s[None, :]
        if self.R5 is not None:
            return np.array([[float(v) for v in row] for row in self.R5[g]])
        return np.array([[float(v) for v in row] for row in self.C[g]])

    def matrix_sympy(self, g: int):
        """rho(g) exactly, as a sympy Matrix (S_n: entries rational * sqrt(rational))."""
        import sympy

        if self.M is not None:
            q = [sympy.Rational(v.numerator, v.denominator) for v in self.q]
            return sympy.Matrix(self.dim, self.dim, lambda a, b: sympy.Rational(
                self.M[g][a][b].numerator, self.M[g][a][b].denominator) * sympy.sqrt(q[a] / q[b]))
        if self.R5 is not None:
            r = lambda f: sympy.Rational(f.numerator, f.denominator)  # noqa: E731
            return sympy.Matrix(3, 3, lambda a, b: r(self.R5[g][a][b].a) + r(self.R5[g][a][b].b) * sympy.sqrt(5))
        N = self.C[g][0][0].N
        z = sympy.exp(2 * sympy.pi * sympy.I / N)
        return sympy.Matrix(self.dim, self.dim, lambda a, b: sympy.nsimplify(sympy.expand_complex(sum(
            sympy.Rational(x.numerator, x.denominator) * z**k for k, x in enumerate(self.C[g][a][b].c)))))


def _mat_mul_frac(X, Y):
    cols = list(zip(*Y))
    return [[sum((a * b for a, b in zip(row, col)), Fraction(0)) for col in cols] for row in X]


def _sn_irreps(G: PermGroup) -> list[Irrep]:
    n = G.degree
    out = []
    for lam in partitions(n):
        gens, q = _seminormal_generators(lam)
        d = len(q)
        ident = [[Fraction(int(a == b)) for b in range(d)] for a in range(d)]
        mats: list = [None] * G.order
        mats[0] = ident
        gen_perms = []
        for i in range(n - 1):
            p = list(range(n))
            p[i], p[i + 1] = p[i + 1], p[i]
            gen_perms.append(tuple(p))
        frontier = [0]
        while frontier:  # BFS on the Cayley graph: rho(s g) = rho(s) rho(g)
            nxt = []
            for a in frontier:
                for s, M in zip(gen_perms, gens):
                    b = G.index[compose(s, G.elements[a])]
                    if mats[b] is None:
                        mats[b] = _mat_mul_frac(M, mats[a])
                        nxt.append(b)
            frontier = nxt
        out.append(Irrep(G.name, "[" + ",".join(map(str, lam)) + "]", d, 1, M=mats, q=q))
    return out


def conjugate_partition(lam: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sum(1 for part in lam if part > i) for i in range(lam[0])) if lam else ()


def _an_irreps(G: PermGroup) -> list[Irrep]:
    """A_n (n <= 5): restrictions of the S_n irreps [lam] with lam > lam' (real type); a
    self-conjugate [lam] restricts to one real irrep of complex type (n <= 4), or, for A_5 and
    [3,1,1], is replaced by the icosahedral 3-dim irrep and its Galois conjugate."""
    n = G.degree
    if n > 5:
        raise NotImplementedError("irreps of A_6 are not implemented")
    S = group(f"S{n}")
    pos = [S.index[p] for p in G.elements]
    out = []
    for rho in irreps(S.name):
        lam = tuple(int(v) for v in rho.name.strip("[]").split(","))
        lamc = conjugate_partition(lam)
        if lam < lamc:
            continue
        if lam == lamc and n == 5:
            for k, mats in enumerate(_a5_three_dims(G)):
                out.append(Irrep(G.name, "ico" + "'" * k, 3, 1, R5=mats))
            continue
        kind = 2 if lam == lamc and rho.dim > 1 else 1
        out.append(Irrep(G.name, rho.name, rho.dim, kind, M=[rho.M[i] for i in pos], q=rho.q))
    return out


def _dihedral_parts(G: PermGroup) -> list[tuple[int, bool]]:
    """(m, reflected) for each element: rotation i -> m+i, or reflection i -> m-i."""
    n = G.degree
    return [(p[0], G.name[0] == "D" and n >= 3 and p[1] == (p[0] - 1) % n) for p in G.elements]


def _cd_irreps(G: PermGroup) -> list[Irrep]:
    n = G.degree
    N = n * 4 // gcd(n, 4)
    parts = _dihedral_parts(G)
    one = Cyc.rational(N, 1)
    out = []

    def one_dim(name: str, f) -> Irrep:
        return Irrep(G.name, name, 1, 1, C=[[[Cyc.rational(N, f(m, r))]] for m, r in parts])

    out.append(one_dim("trivial", lambda m, r: 1))
    dihedral = G.name[0] == "D"
    if dihedral:
        out.append(one_dim("det", lambda m, r: -1 if r else 1))
    if n % 2 == 0 and n > 1:
        out.append(one_dim("alt", lambda m, r: (-1) ** m))
        if dihedral:
            out.append(one_dim("alt*det", lambda m, r: (-1) ** m * (-1 if r else 1)))
    for k in range(1, (n + 1) // 2):
        mats = []
        for m, r in parts:
            c, s = _cos_sin(N, (N // n) * k * m)
            R = [[c, Cyc.rational(N, 0) - s], [s, c]]
            if r:  # R diag(1, -1)
                R = [[R[0][0], Cyc.rational(N, 0) - R[0][1]], [R[1][0], Cyc.rational(N, 0) - R[1][1]]]
            mats.append(R)
        out.append(Irrep(G.name, f"rot{k}", 2, 1 if dihedral else 2, C=mats))
    del one
    return out


# ================================================================ exact verification


def _check_sn(G: PermGroup, rho: Irrep) -> Fraction:
    """Exact checks 1-2 for a seminormal-form irrep (integer-scaled, vectorised); returns <chi,chi>."""
    den = 1
    for M in rho.M:
        for row in M:
            for v in row:
                den = den * v.denominator // gcd(den, v.denominator)
    Z = np.array([[[int(v * den) for v in row] for row in M] for M in rho.M], dtype=object)
    # homomorphism: Z(g) Z(h) = den * Z(gh) for all g, h
    T = np.array(G.table)
    for g in range(G.order):
        lhs = np.einsum("ab,hbc->hac", Z[g], Z)
        if not (lhs == den * Z[T[g]]).all():
            raise AssertionError(f"{G.name} {rho.name}: not a homomorphism at g={g}")
    # invariant form: Z(g)^T Qn Z(g) = den^2 Qn with Qn = lcm-scaled q (integers)
    qden = 1
    for v in rho.q:
        qden = qden * v.denominator // gcd(qden, v.denominator)
    Qn = np.diag(np.array([int(v * qden) for v in rho.q], dtype=object))
    for g in range(G.order):
        if not (Z[g].T.dot(Qn).dot(Z[g]) == den * den * Qn).all():
            raise AssertionError(f"{G.name} {rho.name}: rho({g}) is not orthogonal")
    return Fraction(sum(int(np.trace(Z[g])) ** 2 for g in range(G.order)), den * den * G.order)


def _check_q5(G: PermGroup, rho: Irrep) -> None:
    """Exact checks 1-2 for Q(sqrt 5) matrices, integer-scaled: rho = (X + Y sqrt 5) / den."""
    den = 1
    for M in rho.R5:
        for row in M:
            for v in row:
                for f in (v.a, v.b):
                    den = den * f.denominator // gcd(den, f.denominator)
    X = np.array([[[int(v.a * den) for v in row] for row in M] for M in rho.R5], dtype=object)
    Y = np.array([[[int(v.b * den) for v in row] for row in M] for M in rho.R5], dtype=object)
    T = np.array(G.table)
    for g in range(G.order):
        px = np.einsum("ab,hbc->hac", X[g], X) + 5 * np.einsum("ab,hbc->hac", Y[g], Y)
        py = np.einsum("ab,hbc->hac", X[g], Y) + np.einsum("ab,hbc->hac", Y[g], X)
        if not ((px == den * X[T[g]]).all() and (py == den * Y[T[g]]).all()):
            raise AssertionError(f"{G.name} {rho.name}: not a homomorphism at g={g}")
        ox = X[g].T.dot(X[g]) + 5 * Y[g].T.dot(Y[g])
        oy = X[g].T.dot(Y[g]) + Y[g].T.dot(X[g])
        if not ((ox == den * den * np.eye(rho.dim, dtype=int)).all() and (oy == 0).all()):
            raise AssertionError(f"{G.name} {rho.name}: rho({g}) is not orthogonal")


def _character(rho: Irrep) -> list:
    if rho.M is not None:
        return [sum((M[a][a] for a in range(rho.dim)), Fraction(0)) for M in rho.M]
    if rho.R5 is not None:
        return [M[0][0] + M[1][1] + M[2][2] for M in rho.R5]
    out = []
    for C in rho.C:
        t = C[0][0]
        for a in range(1, rho.dim):
            t = t + C[a][a]
        out.append(t)
    return out


def _check_cyc(G: PermGroup, rho: Irrep) -> None:
    T = G.table
    d = rho.dim
    zero = Cyc.rational(rho.C[0][0][0].N, 0)
    one = Cyc.rational(rho.C[0][0][0].N, 1)
    for g in range(G.order):
        A = rho.C[g]
        for h in range(G.order):
            B, P = rho.C[h], rho.C[T[g][h]]
            for a in range(d):
                for c in range(d):
                    v = zero
                    for b in range(d):
                        v = v + A[a][b] * B[b][c]
                    if v != P[a][c]:
                        raise AssertionError(f"{G.name} {rho.name}: not a homomorphism at ({g}, {h})")
        for a in range(d):
            for c in range(d):
                v = zero
                for b in range(d):
                    v = v + A[b][a] * A[b][c]
                if v != (one if a == c else zero):
                    raise AssertionError(f"{G.name} {rho.name}: rho({g}) is not orthogonal")


def _inner(G: PermGroup, x: list, y: list) -> Fraction:
    """<chi, psi> = (1/|G|) sum_g chi(g) psi(g^-1) (real characters: psi(g^-1) = psi(g)); exact."""
    inv = G.inverses
    if isinstance(x[0], Q5) or isinstance(y[0], Q5):
        lift5 = lambda v: v if isinstance(v, Q5) else Q5(v)  # noqa: E731
        tot5 = Q5(0)
        for g in range(G.order):
            tot5 = tot5 + lift5(x[g]) * lift5(y[inv[g]])
        if tot5.b != 0:
            raise AssertionError("character inner product is not rational")
        return tot5.a / G.order
    if isinstance(x[0], Cyc) or isinstance(y[0], Cyc):
        N = next(v.N for v in x + y if isinstance(v, Cyc))
        lift = lambda v: v if isinstance(v, Cyc) else Cyc.rational(N, v)  # noqa: E731
        tot = Cyc.rational(N, 0)
        for g in range(G.order):
            tot = tot + lift(x[g]) * lift(y[inv[g]])
        if not tot.is_rational():
            raise AssertionError("character inner product is not rational")
        return tot.c[0] / G.order
    return sum((x[g] * y[inv[g]] for g in range(G.order)), Fraction(0)) / G.order


def verify_irreps(G: PermGroup, reps: list[Irrep]) -> None:
    """Exact checks 1-3 of the module docstring; AssertionError naming the first failure."""
    for rho in reps:
        if rho.M is not None:
            _check_sn(G, rho)
        elif rho.R5 is not None:
            _check_q5(G, rho)
        else:
            _check_cyc(G, rho)
    chars = [_character(r) for r in reps]
    for i, ri in enumerate(reps):
        for j in range(i, len(reps)):
            v = _inner(G, chars[i], chars[j])
            want = ri.kind if i == j else 0
            if v != want:
                raise AssertionError(f"{G.name}: <chi_{ri.name}, chi_{reps[j].name}> = {v}, expected {want}")
    for r, chi in zip(reps, chars):  # complex type: Frobenius-Schur sum_g chi(g^2) = 0 (see docstring)
        if r.kind == 2:
            sq = [chi[G.table[g][g]] for g in range(G.order)]
            ones = [Fraction(1)] * G.order
            if _inner(G, sq, ones) != 0:
                raise AssertionError(f"{G.name} {r.name}: kind 2 but the Frobenius-Schur sum is not 0")
        elif r.kind != 1:
            raise AssertionError(f"{G.name} {r.name}: kind must be 1 or 2")
    total = sum(Fraction(r.dim * r.dim, r.kind) for r in reps)
    if total != G.order:
        raise AssertionError(f"{G.name}: sum dim^2 / kind = {total} != |G| = {G.order}")


_IRREPS: dict[str, list[Irrep]] = {}


def irreps(name: str) -> list[Irrep]:
    """The real orthogonal irreps of S_n (n <= 6), A_n (n <= 5), C_n, D_n, verified exactly (cached)."""
    if name not in _IRREPS:
        G = group(name)
        if name[0] == "S":
            reps = _sn_irreps(G)
        elif name[0] in "CD":
            reps = _cd_irreps(G)
        elif name[0] == "A":
            reps = _an_irreps(G)
        else:
            raise NotImplementedError(f"irreps of {name}: only S_n, C_n and D_n are implemented")
        verify_irreps(G, reps)
        _IRREPS[name] = reps
    return _IRREPS[name]
