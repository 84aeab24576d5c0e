"""Trusted: the Transformer Programs tasks (issue 12): vocabulary, input space and per-position target.

An input of length n is `["<s>", t1, ..., tn]` (plus `"</s>"` for tasks with `eos`), `t_i` a content token.
Token ids: 0 = `<s>`, 1..m = the content tokens, m+1 = `</s>`; the position variable holds the index 0..N-1.
The target is one class per content position 1..n (the label at position 0, and at `</s>`, is ignored).
Every space is enumerated lexicographically by length, then by content (token order as in `content`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pybridge.check.errors import InputError


@dataclass(frozen=True)
class Task:
    name: str
    content: tuple[str, ...]
    lengths: tuple[int, ...]
    classes: tuple[str, ...]
    eos: bool = False
    causal: bool = False
    k: int = 8  # the paper's cardinality of every categorical variable

    @property
    def vocab(self) -> tuple[str, ...]:
        return ("<s>",) + self.content + (("</s>",) if self.eos else ())

    def seq_len(self, n: int) -> int:
        """Positions of an input of length n (with `<s>`, and `</s>` if any)."""
        return n + 1 + int(self.eos)

    def size(self, n: int | None = None) -> int:
        m = len(self.content)
        return m**n if n is not None else sum(m**L for L in self.lengths)


_SYM5 = tuple("abcde")
_SYM6 = tuple("abcdef")
TASKS: dict[str, Task] = {
    "reverse": Task("reverse", _SYM5, tuple(range(1, 7)), _SYM5, eos=True),
    "sort": Task("sort", _SYM5, tuple(range(1, 7)), _SYM5, eos=True),
    "hist": Task("hist", _SYM6, tuple(range(1, 8)), tuple(str(c) for c in range(1, 8))),
    "double-hist": Task("double-hist", _SYM6, tuple(range(1, 8)), tuple(str(c) for c in range(1, 7))),
    "most-freq": Task("most-freq", _SYM6, tuple(range(1, 8)), _SYM6 + ("<pad>",)),
    "dyck1": Task("dyck1", ("(", ")"), (15,), ("F", "P", "T"), causal=True, k=16),
    "dyck2": Task("dyck2", ("(", ")", "{", "}"), (15,), ("F", "P", "T"), causal=True, k=16),
    # small spaces for tests and the Coq re-check (same targets, fewer lengths)
    "hist-small": Task("hist-small", tuple("abc"), (1, 2, 3, 4), tuple(str(c) for c in range(1, 5))),
    "reverse-small": Task("reverse-small", tuple("abc"), (1, 2, 3), tuple("abc"), eos=True),
    "sort-small": Task("sort-small", tuple("abc"), (1, 2, 3), tuple("abc"), eos=True),
}
BASE = {"hist-small": "hist", "reverse-small": "reverse", "sort-small": "sort"}


def task(name: object) -> Task:
    if not isinstance(name, str) or name not in TASKS:
        raise InputError(f"unknown tprog task {name!r} (known: {', '.join(TASKS)})")
    return TASKS[name]


def enumerate_inputs(t: Task, n: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Rows start..stop-1 of the length-n inputs in lexicographic order, as content indices 0..m-1."""
    m = len(t.content)
    stop = m**n if stop is None else stop
    idx = np.arange(start, stop, dtype=np.int64)
    X = np.empty((len(idx), n), dtype=np.int64)
    for j in range(n):
        X[:, j] = (idx // m ** (n - 1 - j)) % m
    return X


def token_ids(t: Task, X: np.ndarray) -> np.ndarray:
    """The token-id sequence (with `<s>` and `</s>`) of content rows X."""
    B, n = X.shape
    cols = [np.zeros((B, 1), np.int64), X + 1]
    if t.eos:
        cols.append(np.full((B, 1), len(t.content) + 1, np.int64))
    return np.concatenate(cols, axis=1)


def _dyck_labels(X: np.ndarray, pairs: int) -> np.ndarray:
    """Stack machine, vectorised over the rows: symbol s opens bracket type s // 2 when s is even, closes it when
    odd; F (0) from the first unmatched closing bracket on, else T (2) when the stack is empty, P (1) otherwise."""
    B, n = X.shape
    out = np.empty((B, n), np.int64)
    stack = np.zeros((B, n + 1), np.int64)
    depth = np.zeros(B, np.int64)
    bad = np.zeros(B, bool)
    rows = np.arange(B)
    for i in range(n):
        s = X[:, i]
        opening = (s % 2 == 0) & ~bad
        closing = (s % 2 == 1) & ~bad
        top = stack[rows, np.maximum(depth - 1, 0)]
        matched = closing & (depth > 0) & (top == s // 2)
        bad |= closing & ~matched
        stack[rows[opening], depth[opening]] = s[opening] // 2
        depth = depth + opening - matched
        out[:, i] = np.where(bad, 0, np.where(depth == 0, 2, 1))
    return out


def targets(t: Task, X: np.ndarray) -> np.ndarray:
    """Class index of the target at content positions 1..n, shape (B, n)."""
    base = BASE.get(t.name, t.name)
    B, n = X.shape
    m = len(t.content)
    if base == "reverse":
        return X[:, ::-1].copy()
    if base == "sort":
        return np.sort(X, axis=1)
    C = (X[:, :, None] == np.arange(m)[None, None, :]).sum(axis=1)  # (B, m) count of each symbol
    cnt = np.take_along_axis(C, X, axis=1)  # (B, n) count of each position's token
    if base == "hist":
        return cnt - 1
    if base == "double-hist":
        same = (C[:, None, :] == cnt[:, :, None]) & (C[:, None, :] > 0)
        return same.sum(axis=2) - 1
    if base == "most-freq":
        first = np.where(C > 0, np.argmax(X[:, :, None] == np.arange(m)[None, None, :], axis=1), n)
        order = np.argsort(-C * (n + 1) + first, axis=1, kind="stable")  # by count desc, then first occurrence
        uniq = (C > 0).sum(axis=1)
        pos = np.arange(n)[None, :]
        padded = np.concatenate([order, np.full((B, max(0, n - m)), m, np.int64)], axis=1)[:, :n]
        return np.where(pos < uniq[:, None], padded, m)
    if base == "dyck1":
        d = np.cumsum(np.where(X == 0, 1, -1), axis=1)
        bad = np.minimum.accumulate(d, axis=1) < 0
        return np.where(bad, 0, np.where(d == 0, 2, 1))
    if base == "dyck2":
        return _dyck_labels(X, 2)
    raise InputError(f"no target for task {t.name!r}")


# ---------------------------------------------------------------- the Dyck target as a prefix automaton
# State of a prefix (one int): 0 once a closing bracket had no match (bad), else the stack as the bits below a
# leading 1 (1: empty; pushing bracket type b maps e to 2e + b; popping needs e > 1 and e's low bit = b: e -> e >> 1).
# Label after each symbol: F (0) when bad, T (2) when the stack is empty, P (1) otherwise (as _dyck_labels).
def has_prefix_target(t: Task) -> bool:
    return BASE.get(t.name, t.name) in ("dyck1", "dyck2")


def dyck_root(t: Task) -> int:
    return 1


def dyck_step(t: Task, e: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(next state, label) after content symbol s (0..m-1) from state e, elementwise."""
    if not has_prefix_target(t):
        raise InputError(f"task {t.name} has no prefix target")
    b = s // 2
    opening = s % 2 == 0
    pop_ok = (e > 1) & ((e & 1) == b)
    nxt = np.where(e == 0, 0, np.where(opening, 2 * e + b, np.where(pop_ok, e >> 1, 0)))
    lab = np.where(nxt == 0, 0, np.where(nxt == 1, 2, 1))
    return nxt, lab
