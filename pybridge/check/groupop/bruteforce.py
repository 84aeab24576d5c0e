"""Trusted: the brute-force check of group-operation MLPs (docs/CHECKING.md section 8).

Everything here is exact integer arithmetic; nothing is taken from the prover, the certificate or
the model file that could change the meaning of the claim:

- The group, its element order and its multiplication table are recomputed from the group's name
  by `group_table` (a few lines; section 8.1).
- Weights are exact dyadics: with `s` the least integer making every entry of the six tensors
  times `2^s` integral, `Z_M = M * 2^s` (via `float.as_integer_ratio`, as `weights.py`).
- `A = Z_embed_left @ Z_W_left`, `B = Z_embed_right @ Z_W_right` (Python integers, unit `2^-2s`).
  The exact logit of class `c` on `(x, y)` in unit `2^-3s` is
  `L_c = sum_k max(A[x][k] + B[y][k], 0) * Z_W_U[k][c] + Z_b_U[c] * 2^(2s)`.
- Fast path (int64, exact): round `A`, `B` to a grid `2^r` (floor for the low, ceil for the high
  end) and `Z_W_U` to a grid `2^t`, so that `Hlo*2^r <= max(A+B, 0) <= Hhi*2^r` and
  `Wlo*2^t <= Z_W_U <= Whi*2^t`; because the hidden values are non-negative,
  `LO = Hlo @ max(Wlo,0) + Hhi @ min(Wlo,0)` and `HI = Hhi @ max(Whi,0) + Hlo @ min(Whi,0)` enclose
  `sum_k h_k Z_W_U[k][c] / 2^(r+t)`; the bias is added rounded down / up on the same grid. `r` and
  `t` are chosen so that every partial sum stays below `2^62` in magnitude (asserted, not assumed),
  hence the int64 matrix products are exact.
- A pair is proven correct iff `LO[z] > HI[j]` for every `j != z` (z = x*y), proven incorrect iff
  `HI[z] <= LO[j]` for some `j != z`. Undetermined pairs are decided by the exact formula for `L_c`
  (correct iff `L_z > L_j` for all `j != z`) as far as the claim needs them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path

import numpy as np

from pybridge.check.errors import InputError, Rejected
from pybridge.check.modelfile import MAX_DIM, canonical_sha256, exact_integers, meta_int
from pybridge.check.modelfile import read_safetensors as _read_safetensors

WEIGHT_NAMES = ("embed_left", "embed_right", "W_left", "W_right", "W_U", "b_U")
GROUP_RE = re.compile(r"^([SACD])([1-9][0-9]*)$")
GROUP_N = {"S": (1, 6), "A": (1, 6), "C": (1, 128), "D": (3, 64)}
I64_BUDGET = 61  # |each int64 matmul partial sum| < 2^61, |bias| < 2^61: sums stay below 2^62
ROWS_PER_BLOCK = 1 << 15


# ---------------------------------------------------------------- 8.1 the group
def group_table(name: str) -> list[list[int]]:
    """Multiplication table of the named group, elements indexed in lexicographic order.

    Elements are permutations of {0..n-1} as tuples of images; `(x*y)[i] = x[y[i]]`.
    S_n: all; A_n: even (inversion count); C_n: `i -> k+i`; D_n: `i -> k+i` and `i -> k-i` (mod n).
    """
    m = GROUP_RE.match(name)
    if not m or not (GROUP_N[m.group(1)][0] <= int(m.group(2)) <= GROUP_N[m.group(1)][1]):
        raise InputError(f"unknown or unsupported group {name!r}")
    kind, n = m.group(1), int(m.group(2))
    if kind in "SA":
        els = [p for p in permutations(range(n))
               if kind == "S" or sum(p[i] > p[j] for i in range(n) for j in range(i + 1, n)) % 2 == 0]
    else:
        els = [tuple((k + i) % n for i in range(n)) for k in range(n)]
        if kind == "D":
            els += [tuple((k - i) % n for i in range(n)) for k in range(n)]
    els = sorted(set(els))
    index = {p: i for i, p in enumerate(els)}
    return [[index[tuple(x[i] for i in y)] for y in els] for x in els]


# ---------------------------------------------------------------- the model, exactly
@dataclass(frozen=True)
class ExactGroupOp:
    group: str
    order: int
    d_embed: int
    d_hidden: int
    s: int
    EL: list[list[int]]
    ER: list[list[int]]
    WL: list[list[int]]
    WR: list[list[int]]
    WU: list[list[int]]
    bU: list[int]
    sha256: str


def load_groupop(path: str | Path) -> tuple[ExactGroupOp, list[list[int]]]:
    """Read, validate and exactly convert a groupop model file; also return the group's table."""
    path = Path(path)
    arrays, meta = _read_safetensors(path)
    if meta.get("pybridge_family") != "groupop":
        raise InputError(f"model file {path}: metadata pybridge_family is not 'groupop'")
    name = meta.get("group", "")
    table = group_table(name)
    G = len(table)
    if meta_int(meta, "group_order") != G:
        raise InputError(f"model metadata group_order is not the order {G} of {name}")
    e, h = meta_int(meta, "d_embed"), meta_int(meta, "d_hidden")
    expected = {"embed_left": (G, e), "embed_right": (G, e), "W_left": (e, h), "W_right": (e, h),
                "W_U": (h, G), "b_U": (G,)}
    for k in arrays:
        if k not in expected:
            raise InputError(f"model file has unsupported tensor '{k}'")
    for k, shape in expected.items():
        if k not in arrays:
            raise InputError(f"model file lacks tensor '{k}'")
        if tuple(arrays[k].shape) != shape:
            raise InputError(f"{k} has shape {tuple(arrays[k].shape)}, expected {shape}")
    s, ints = exact_integers({k: arrays[k] for k in expected})

    def rows(k: str, ncol: int) -> list[list[int]]:
        v = ints[k]
        return [v[i:i + ncol] for i in range(0, len(v), ncol)]

    M = ExactGroupOp(name, G, e, h, s, rows("embed_left", e), rows("embed_right", e), rows("W_left", h),
                     rows("W_right", h), rows("W_U", G), ints["b_U"], canonical_sha256(arrays, WEIGHT_NAMES))
    return M, table


def _matmul(X: list[list[int]], Y: list[list[int]]) -> list[list[int]]:
    cols = list(zip(*Y))
    return [[sum(a * b for a, b in zip(row, col)) for col in cols] for row in X]


def pre_activations(M: ExactGroupOp) -> tuple[list[list[int]], list[list[int]]]:
    """`A = Z_EL Z_WL`, `B = Z_ER Z_WR` (exact integers, unit 2^-2s)."""
    return _matmul(M.EL, M.WL), _matmul(M.ER, M.WR)


def exact_logits(M: ExactGroupOp, A: list[list[int]], B: list[list[int]], x: int, y: int) -> list[int]:
    """The exact logits of (x, y) in unit 2^-3s."""
    hid = [max(a + b, 0) for a, b in zip(A[x], B[y])]
    cols = zip(*M.WU)
    return [sum(hv * w for hv, w in zip(hid, col)) + (b << (2 * M.s)) for col, b in zip(cols, M.bU)]


def classify_exact(M: ExactGroupOp, A, B, table, x: int, y: int) -> int:
    """+1 if the model is correct on (x, y) (logit of x*y strictly above all others), else -1."""
    L = exact_logits(M, A, B, x, y)
    z = table[x][y]
    return 1 if all(L[z] > v for j, v in enumerate(L) if j != z) else -1


def _floor_shift(v: int, k: int) -> int:
    return v >> k


def _ceil_shift(v: int, k: int) -> int:
    return -((-v) >> k)


def count_bruteforce(
    M: ExactGroupOp,
    table: list[list[int]],
    need: tuple[int, int] | None = None,
    progress: Callable[[int], None] | None = None,
    AB: tuple[list[list[int]], list[list[int]]] | None = None,
) -> tuple[int, int, int]:
    """Return (proven correct, proven incorrect, decided exactly) over all |G|^2 pairs.

    `need = (c, i)`: stop the exact fallback once both counts reach these; None decides every pair.
    """
    G, D = M.order, M.d_hidden
    A, B = AB if AB is not None else pre_activations(M)
    big_h = max((abs(v) for r in A for v in r), default=0) + max((abs(v) for r in B for v in r), default=0) + 1
    big_w = max((abs(v) for r in M.WU for v in r), default=0) + 1
    hb = (I64_BUDGET - 2 - D.bit_length()) // 2  # then hmax < 2^(hb+1), wmax < 2^(wb+1), D < 2^bitlen(D)
    wb = I64_BUDGET - 2 - D.bit_length() - hb
    r = max(big_h.bit_length() - hb, 0)
    t = max(big_w.bit_length() - wb, 0)
    while True:
        sh = 2 * M.s - r - t  # bias Z_b * 2^(2s) on the grid 2^(r+t)
        blo = [(b << sh) if sh >= 0 else _floor_shift(b, -sh) for b in M.bU]
        bhi = [(b << sh) if sh >= 0 else _ceil_shift(b, -sh) for b in M.bU]
        if max(abs(v) for v in blo + bhi) < (1 << I64_BUDGET):
            break
        r, t = r + 1, t + 1
    Alo = np.array([[_floor_shift(v, r) for v in row] for row in A], dtype=np.int64)
    Ahi = np.array([[_ceil_shift(v, r) for v in row] for row in A], dtype=np.int64)
    Blo = np.array([[_floor_shift(v, r) for v in row] for row in B], dtype=np.int64)
    Bhi = np.array([[_ceil_shift(v, r) for v in row] for row in B], dtype=np.int64)
    Wlo = np.array([[_floor_shift(v, t) for v in row] for row in M.WU], dtype=np.int64)
    Whi = np.array([[_ceil_shift(v, t) for v in row] for row in M.WU], dtype=np.int64)
    hmax = int(max(Ahi.max(initial=0) + Bhi.max(initial=0), 0))
    wmax = int(max(np.abs(Wlo).max(initial=0), np.abs(Whi).max(initial=0)))
    if D * hmax * wmax >= (1 << I64_BUDGET):  # cannot happen by the choice of r, t; checked anyway
        raise Rejected("internal: int64 budget exceeded")
    Wlo_p, Wlo_n = np.maximum(Wlo, 0), np.minimum(Wlo, 0)
    Whi_p, Whi_n = np.maximum(Whi, 0), np.minimum(Whi, 0)
    blo_a, bhi_a = np.array(blo, dtype=np.int64), np.array(bhi, dtype=np.int64)
    tab = np.array(table, dtype=np.int64)
    correct = incorrect = 0
    undecided: list[tuple[int, int]] = []
    xs_per = max(1, ROWS_PER_BLOCK // G)
    for x0 in range(0, G, xs_per):
        xs = np.arange(x0, min(G, x0 + xs_per))
        Hlo = np.maximum(Alo[xs][:, None, :] + Blo[None, :, :], 0).reshape(-1, D)
        Hhi = np.maximum(Ahi[xs][:, None, :] + Bhi[None, :, :], 0).reshape(-1, D)
        LO = Hlo @ Wlo_p + Hhi @ Wlo_n + blo_a
        HI = Hhi @ Whi_p + Hlo @ Whi_n + bhi_a
        z = tab[xs].reshape(-1)
        rows = np.arange(len(z))
        lo_z, hi_z = LO[rows, z].copy(), HI[rows, z].copy()
        LO[rows, z] = np.iinfo(np.int64).min
        HI[rows, z] = np.iinfo(np.int64).min
        good = lo_z > HI.max(axis=1)
        bad = hi_z <= LO.max(axis=1)
        correct += int(np.count_nonzero(good))
        incorrect += int(np.count_nonzero(bad & ~good))
        for p in np.nonzero(~good & ~bad)[0].tolist():
            undecided.append((int(xs[p // G]), p % G))
        if progress is not None:
            progress(len(z))
    exact = 0
    for x, y in undecided:
        if need is not None and correct >= need[0] and incorrect >= need[1]:
            break
        c = classify_exact(M, A, B, table, x, y)
        exact += 1
        correct += c == 1
        incorrect += c == -1
    return correct, incorrect, exact


# ---------------------------------------------------------------- the certificate
def load_bound_model(cert, cert_path: Path, model: str | Path | None):
    """Load the certificate's model and check that it is the one the claim is about:
    hash, shape, total = |G|^2, claims within the total. Returns (M, table, seconds spent loading)."""
    from pybridge.check.modelfile import resolve_model_path

    t0 = time.perf_counter()
    M, table = load_groupop(resolve_model_path(cert, cert_path, model))
    secs: dict[str, float] = {"load": time.perf_counter() - t0}
    if M.sha256 != cert.model_sha256:
        raise Rejected(f"model mismatch: weights hash {M.sha256[:12]}..., certificate is for {cert.model_sha256[:12]}...")
    shape = {"group": M.group, "group_order": M.order, "d_embed": M.d_embed, "d_hidden": M.d_hidden}
    if shape != cert.shape:
        raise Rejected(f"model shape {shape} differs from the certificate's {cert.shape}")
    if cert.total != M.order ** 2:
        raise Rejected(f"claim.total is {cert.total}, but there are {M.order ** 2} pairs")
    if cert.correct_at_least + (cert.incorrect_at_least or 0) > cert.total:
        raise Rejected("claim.correct_at_least + claim.incorrect_at_least exceeds claim.total")
    return M, table, secs


def require_bounds(M: ExactGroupOp, what: str, extra: int) -> None:
    """State the work before it starts (issue 10; check/limits.py): the pre-activations `2 |G| e h` products
    of integers of `wb` bits, the per-pair pass `|G|^2 h |G|` int64 steps, each exact re-test `h |G|`
    big-integer steps (at most |G|^2 of them), plus `extra` (the rho-set hints)."""
    from pybridge.check.limits import require

    G, e, h = M.order, M.d_embed, M.d_hidden
    wb = max((abs(x).bit_length() for A in (M.EL, M.ER, M.WL, M.WR, M.WU) for r in A for x in r), default=1)
    wb = max(wb, max((abs(b).bit_length() for b in M.bU), default=1)) + 2 * M.s + 2 * max(e, h).bit_length() + 8
    words = max(1, wb // 64)
    require(what, work=2 * G * e * h * words + G * G * h * G * words + extra, bits=3 * wb)


def verify_groupop(cert, cert_path: Path, model: str | Path | None, progress=None):
    """Check a groupop brute-force certificate; return a `verify.CheckResult` or raise."""
    from pybridge.check.result import CheckResult

    t0 = time.perf_counter()
    M, table, secs = load_bound_model(cert, cert_path, model)
    require_bounds(M, "groupop brute-force", 0)
    t = time.perf_counter()
    AB = pre_activations(M)
    secs["replay_tables"] = time.perf_counter() - t
    t = time.perf_counter()
    cb = progress("check groupop brute force", M.order ** 2) if progress else None
    good, bad, _ = count_bruteforce(M, table, (cert.correct_at_least, cert.incorrect_at_least or 0), cb, AB)
    secs["strategy"] = time.perf_counter() - t
    if cert.incorrect_at_least is not None and bad < cert.incorrect_at_least:
        raise Rejected(f"claimed {cert.incorrect_at_least} pairs proven incorrect, only {bad} verified")
    if good < cert.correct_at_least:
        raise Rejected(f"claimed {cert.correct_at_least} correct pairs, only {good} verified by brute-force")
    secs["total"] = time.perf_counter() - t0
    return CheckResult(cert.strategy, cert.correct_at_least, cert.total, good, cert.incorrect_at_least, bad, secs, "groupop")
