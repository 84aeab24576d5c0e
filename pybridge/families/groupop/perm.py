"""Finite permutation groups S_n, A_n, C_n, D_n (prover side, untrusted; mirrored by the checker).

Conventions (docs/CHECKING.md section 8; `pybridge/check/groupop.py` re-implements the same few
lines independently and a test compares the two):

- An element is a permutation of `{0..n-1}` written as the tuple of images `p = (p[0], .., p[n-1])`.
- The product is composition, right factor first: `(x * y)[i] = x[y[i]]`.
- The elements of a group are listed in lexicographic order of these tuples; an element's *index*
  is its position in that list. The identity is always index 0.
- `S_n`: all permutations of `{0..n-1}` (n >= 1).  `A_n`: the even ones (n >= 1).
  `C_n`: the rotations `i -> i + k mod n` (index k).  `D_n` (n >= 3, order 2n): the symmetries
  of the n-gon with vertices `0..n-1`: rotations `i -> k + i` and reflections `i -> k - i` (mod n).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import permutations

Perm = tuple[int, ...]

NAME_RE = re.compile(r"^([SACD])([1-9][0-9]*)$")
MAX_N = {"S": 6, "A": 6, "C": 128, "D": 64}
MIN_N = {"S": 1, "A": 1, "C": 1, "D": 3}


def compose(x: Perm, y: Perm) -> Perm:
    """`x * y`: apply `y` first, then `x`."""
    return tuple(x[i] for i in y)


def parity(p: Perm) -> int:
    """0 for even, 1 for odd permutations (by counting inversions)."""
    n = len(p)
    return sum(1 for i in range(n) for j in range(i + 1, n) if p[i] > p[j]) % 2


def group_elements(name: str) -> list[Perm]:
    """The elements of the named group in canonical (lexicographic) order; ValueError if unknown."""
    m = NAME_RE.match(name)
    if not m:
        raise ValueError(f"unknown group {name!r} (expected S<n>, A<n>, C<n> or D<n>, e.g. S5)")
    kind, n = m.group(1), int(m.group(2))
    if not (MIN_N[kind] <= n <= MAX_N[kind]):
        raise ValueError(f"group {name}: n must be in {MIN_N[kind]}..{MAX_N[kind]}")
    if kind == "S":
        els = list(permutations(range(n)))
    elif kind == "A":
        els = [p for p in permutations(range(n)) if parity(p) == 0]
    elif kind == "C":
        els = [tuple((k + i) % n for i in range(n)) for k in range(n)]
    else:
        els = [tuple((k + i) % n for i in range(n)) for k in range(n)]
        els += [tuple((k - i) % n for i in range(n)) for k in range(n)]
    return sorted(set(els))


@dataclass(frozen=True)
class PermGroup:
    """A named permutation group with its multiplication table, inverses and conjugacy classes."""

    name: str
    elements: tuple[Perm, ...]
    index: dict[Perm, int] = field(repr=False, compare=False)

    @classmethod
    def from_name(cls, name: str) -> PermGroup:
        els = tuple(group_elements(name))
        return cls(name, els, {p: i for i, p in enumerate(els)})

    @property
    def order(self) -> int:
        return len(self.elements)

    @property
    def degree(self) -> int:
        return len(self.elements[0])

    @cached_property
    def table(self) -> list[list[int]]:
        """`table[a][b]` = index of `elements[a] * elements[b]`."""
        E, idx = self.elements, self.index
        return [[idx[compose(x, y)] for y in E] for x in E]

    @cached_property
    def inverses(self) -> list[int]:
        """`inverses[a]` = index of the inverse of element `a`."""
        out = [0] * self.order
        for a, p in enumerate(self.elements):
            inv = [0] * len(p)
            for i, v in enumerate(p):
                inv[v] = i
            out[a] = self.index[tuple(inv)]
        return out

    @cached_property
    def conjugacy_classes(self) -> list[list[int]]:
        """Classes as sorted index lists, ordered by their least element (identity class first)."""
        T, inv = self.table, self.inverses
        seen: set[int] = set()
        classes = []
        for a in range(self.order):
            if a in seen:
                continue
            cls_ = sorted({T[T[g][a]][inv[g]] for g in range(self.order)})
            seen.update(cls_)
            classes.append(cls_)
        return classes

    @cached_property
    def class_of(self) -> list[int]:
        """`class_of[a]` = position of a's conjugacy class in `conjugacy_classes`."""
        out = [0] * self.order
        for c, members in enumerate(self.conjugacy_classes):
            for a in members:
                out[a] = c
        return out

    def mul(self, a: int, b: int) -> int:
        return self.table[a][b]

    def element_order(self, a: int) -> int:
        k, x = 1, a
        while x != 0:
            x, k = self.table[x][a], k + 1
        return k


def group(name: str) -> PermGroup:
    """`PermGroup.from_name`, cached."""
    if name not in _CACHE:
        _CACHE[name] = PermGroup.from_name(name)
    return _CACHE[name]


_CACHE: dict[str, PermGroup] = {}
