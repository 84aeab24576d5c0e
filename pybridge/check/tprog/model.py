"""Trusted: read a tprog model file (safetensors) and take its discrete program exactly.

Tensors (float32/float64; every entry an exact dyadic rational), for layer l:
- categorical head h: `l{l}.c{h}.sel_q|sel_k|sel_v` (logits over the categorical variables before the layer),
  `l{l}.c{h}.pred` (k x k logits, one distribution per query value);
- numerical head h: `l{l}.n{h}.sel_q|sel_k` (categorical), `l{l}.n{h}.sel_v` (over the numerical variables), `pred`;
- MLP i: `l{l}.m{i}.sel_a|sel_b` (over the categorical variables after the layer's heads), `W1` (hidden x 2k),
  `b1`, `W2` (k x hidden), `b2`;
- numerical MLP i (optional metadata `num_mlps`, default 0): `l{l}.u{i}.sel_a|sel_b` (logits over the numerical
  variables after the layer's numerical heads), `W1` (hidden x 2), `b1`, `W2` (k x hidden), `b2`; its output is a
  categorical variable appended after the layer's categorical MLPs;
- classifier: `cls.W_cat` (C x n_cat*k), `cls.W_num` (C x n_num), `cls.b` (C).
Metadata: `pybridge_family=tprog`, `task`, `k`, `layers`, `cat_heads`, `num_heads`, `mlps`, `hidden` (per layer
counts), optionally `num_mlps`.

The discrete program (the network's argmax at temperature 0): each variable choice is the first index of the
largest logit; each predicate row matches the first key value of the largest logit; the MLP table entry
(a, b) is the first class of the largest exact output `W2 relu(W1[:, a] + W1[:, k + b] + b1) + b2`; the
classifier's weights are the exact dyadics over the common denominator 2^s; the tie rule is `nearest`.
A numerical MLP's table is the first class of the largest exact output `W2 relu(W1 [x, y] + b1) + b2` at every
pair of integers (x, y) with 0 <= x <= B_a, 0 <= y <= B_b (only x = y when a = b), where B_u bounds the values of
numerical variable u on every input of the task (`ones`: 1; a head sums at most N-1 values, position 0 being
never a key under `nearest`: (N-1) B_v, N the longest input's positions); the most common output (the smallest
on a tie) is the default and the table lists the other pairs. Values outside the bounds never occur.
Comparing floats is exact; the MLP outputs are computed in exact integers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pybridge.check import limits
from pybridge.check.errors import InputError
from pybridge.check.modelfile import canonical_sha256, exact_integers, read_safetensors
from pybridge.check.tprog.program import MAX_K, MAX_MODULES, Head, Layer, Mlp, NumMlp, Program
from pybridge.check.tprog.tasks import task

META_KEYS = {"pybridge_family", "task", "k", "layers", "cat_heads", "num_heads", "mlps", "hidden", "num_mlps"}
MAX_NUM_PAIRS = 1 << 16  # pairs (x, y) a numerical MLP's table is computed on
MAX_HIDDEN = 1024


def expected_shapes(k: int, n_layers: int, ch: int, nh: int, nm: int, hidden: int, C: int, nu: int = 0) -> dict[str, tuple]:
    shapes: dict[str, tuple] = {}
    ncat, nnum = 2, 1
    for L in range(n_layers):
        for h in range(ch):
            for s in ("sel_q", "sel_k", "sel_v"):
                shapes[f"l{L}.c{h}.{s}"] = (ncat,)
            shapes[f"l{L}.c{h}.pred"] = (k, k)
        for h in range(nh):
            shapes[f"l{L}.n{h}.sel_q"] = (ncat,)
            shapes[f"l{L}.n{h}.sel_k"] = (ncat,)
            shapes[f"l{L}.n{h}.sel_v"] = (nnum,)
            shapes[f"l{L}.n{h}.pred"] = (k, k)
        ncat2 = ncat + ch
        for m in range(nm):
            shapes[f"l{L}.m{m}.sel_a"] = (ncat2,)
            shapes[f"l{L}.m{m}.sel_b"] = (ncat2,)
            shapes[f"l{L}.m{m}.W1"] = (hidden, 2 * k)
            shapes[f"l{L}.m{m}.b1"] = (hidden,)
            shapes[f"l{L}.m{m}.W2"] = (k, hidden)
            shapes[f"l{L}.m{m}.b2"] = (k,)
        for m in range(nu):
            shapes[f"l{L}.u{m}.sel_a"] = (nnum + nh,)
            shapes[f"l{L}.u{m}.sel_b"] = (nnum + nh,)
            shapes[f"l{L}.u{m}.W1"] = (hidden, 2)
            shapes[f"l{L}.u{m}.b1"] = (hidden,)
            shapes[f"l{L}.u{m}.W2"] = (k, hidden)
            shapes[f"l{L}.u{m}.b2"] = (k,)
        ncat, nnum = ncat2 + nm + nu, nnum + nh
    shapes["cls.W_cat"] = (C, ncat * k)
    shapes["cls.W_num"] = (C, nnum)
    shapes["cls.b"] = (C,)
    return shapes


def _meta_count(meta: dict, key: str, lo: int, hi: int) -> int:
    v = meta.get(key)
    if not isinstance(v, str) or not v.isascii() or not v.isdigit() or len(v) > 6 or not lo <= int(v) <= hi:
        raise InputError(f"model metadata {key!r} missing or not an ASCII decimal integer in {lo}..{hi}")
    return int(v)


def _first_max(a: np.ndarray) -> tuple[int, bool]:
    i = int(np.argmax(a))
    return i, int((a == a[i]).sum()) > 1


def mlp_table(W1: list[int], b1: list[int], W2: list[int], b2: list[int], s1: int, k: int, H: int) -> tuple[np.ndarray, int]:
    """Exact lookup table of one MLP (weights as integers: W1, b1 over 2^s1; W2, b2 over 2^s2); also the tie count."""
    table = np.zeros((k, k), np.int64)
    ties = 0
    cols = [[W1[r * 2 * k + c] for r in range(H)] for c in range(2 * k)]
    W2r = [W2[c * H:(c + 1) * H] for c in range(k)]
    for a in range(k):
        for b in range(k):
            h = [max(x + y + z, 0) for x, y, z in zip(cols[a], cols[k + b], b1)]
            out = [sum(w * v for w, v in zip(W2r[c], h)) + (b2[c] << s1) for c in range(k)]
            best = max(out)
            table[a, b] = out.index(best)
            ties += out.count(best) > 1
    return table, ties


def num_mlp_table(W1: list[int], b1: list[int], W2: list[int], b2: list[int], s1: int, k: int, H: int,
                  pairs: np.ndarray) -> tuple[np.ndarray, int]:
    """Exact output class of one numerical MLP at each integer pair (x, y) (rows of `pairs`); also the tie count.
    W1 (H x 2) and b1 over 2^s1, W2 (k x H) and b2 over 2^s2: outputs compared over 2^(s1 + s2), in exact integers
    (numpy object arrays of Python ints)."""
    A = np.array(W1, dtype=object).reshape(H, 2)
    x = pairs[:, 0].astype(object)[:, None]
    y = pairs[:, 1].astype(object)[:, None]
    pre = x * A[None, :, 0] + y * A[None, :, 1] + np.array(b1, dtype=object)[None, :]
    h = np.where(pre > 0, pre, 0)
    out = h.dot(np.array(W2, dtype=object).reshape(k, H).T) + np.array([b << s1 for b in b2], dtype=object)[None, :]
    best = out.max(axis=1)
    cls = np.array([row.index(m) for row, m in zip(out.tolist(), best.tolist())], np.int64) if len(pairs) else \
        np.zeros(0, np.int64)
    ties = int(((out == best[:, None]).sum(axis=1) > 1).sum()) if len(pairs) else 0
    return cls, ties


def load_model(path: str | Path) -> tuple[Program, str, dict]:
    """(the discrete program, the canonical weight hash, details: argmax ties) of a tprog model file."""
    path = Path(path)
    arrays, meta = read_safetensors(path)
    if meta.get("pybridge_family") != "tprog":
        raise InputError(f"model file {path}: metadata pybridge_family is not 'tprog'")
    extra = set(meta) - META_KEYS
    if extra:
        raise InputError(f"model file {path}: unknown metadata key(s) {', '.join(sorted(extra))}")
    t = task(meta.get("task"))
    k = _meta_count(meta, "k", 2, MAX_K)
    nL, ch, nh, nm, H = (_meta_count(meta, x, lo, hi) for x, lo, hi in (
        ("layers", 1, MAX_MODULES), ("cat_heads", 0, MAX_MODULES), ("num_heads", 0, MAX_MODULES),
        ("mlps", 0, MAX_MODULES), ("hidden", 1, MAX_HIDDEN)))
    nu = _meta_count(meta, "num_mlps", 0, MAX_MODULES) if "num_mlps" in meta else 0
    if not (2 <= k <= MAX_K and 1 <= nL and nL * (ch + nh + nm + nu) <= MAX_MODULES and 1 <= H <= MAX_HIDDEN):
        raise InputError(f"model file {path}: k, layers, heads, mlps or hidden out of range")
    if len(t.vocab) > k or t.seq_len(max(t.lengths)) > k:
        raise InputError(f"model file {path}: k={k} is smaller than the vocabulary or positions of {t.name}")
    C = len(t.classes)
    shapes = expected_shapes(k, nL, ch, nh, nm, H, C, nu)
    if set(arrays) != set(shapes):
        raise InputError(f"model file {path}: tensors do not match the metadata (missing or unknown tensor)")
    for name, shp in shapes.items():
        if tuple(arrays[name].shape) != shp:
            raise InputError(f"model file {path}: {name} has shape {tuple(arrays[name].shape)}, expected {shp}")
        if arrays[name].dtype not in (np.float32, np.float64) or not np.all(np.isfinite(arrays[name])):
            raise InputError(f"model file {path}: {name} is not a finite float32/float64 tensor")
    N = t.seq_len(max(t.lengths))
    bound = [1]  # per numerical variable: a bound on its values over the whole input space
    for L in range(nL):
        bound += [(N - 1) * max(bound)] * nh  # (a head's value variable is one of the earlier ones)
        if nu and (max(bound) + 1) ** 2 > MAX_NUM_PAIRS:
            raise InputError(f"model file {path}: numerical MLP tables over more than {MAX_NUM_PAIRS} value pairs")
    limits.require("tprog MLP tables", work=nL * nm * k * k * H * (k + 2) + nL * nu * (max(bound) + 1) ** 2 * H * (k + 2))
    sha = canonical_sha256(arrays, tuple(sorted(shapes)))
    ties = 0

    def pick(name: str) -> int:
        nonlocal ties
        i, tie = _first_max(arrays[name])
        ties += tie
        return i

    def pred(name: str) -> np.ndarray:
        nonlocal ties
        P = np.zeros((k, k), bool)
        for a in range(k):
            j, tie = _first_max(arrays[name][a])
            P[a, j] = True
            ties += tie
        return P

    layers = []
    bound = [1]
    for L in range(nL):
        cat_h = tuple(Head(pick(f"l{L}.c{h}.sel_q"), pick(f"l{L}.c{h}.sel_k"), pick(f"l{L}.c{h}.sel_v"),
                           pred(f"l{L}.c{h}.pred")) for h in range(ch))
        num_h = tuple(Head(pick(f"l{L}.n{h}.sel_q"), pick(f"l{L}.n{h}.sel_k"), pick(f"l{L}.n{h}.sel_v"),
                           pred(f"l{L}.n{h}.pred")) for h in range(nh))
        mlps = []
        for m in range(nm):
            p = f"l{L}.m{m}."
            s1, A = exact_integers({"W1": arrays[p + "W1"], "b1": arrays[p + "b1"]})
            _, B = exact_integers({"W2": arrays[p + "W2"], "b2": arrays[p + "b2"]})
            table, tt = mlp_table(A["W1"], A["b1"], B["W2"], B["b2"], s1, k, H)
            ties += tt
            mlps.append(Mlp(pick(p + "sel_a"), pick(p + "sel_b"), table))
        bound += [(N - 1) * bound[h.v] for h in num_h]
        num_mlps = []
        for m in range(nu):
            p = f"l{L}.u{m}."
            a, b = pick(p + "sel_a"), pick(p + "sel_b")
            if a == b:
                pairs = np.repeat(np.arange(bound[a] + 1, dtype=np.int64)[:, None], 2, axis=1)
            else:
                g = np.stack(np.meshgrid(np.arange(bound[a] + 1), np.arange(bound[b] + 1), indexing="ij"), -1)
                pairs = g.reshape(-1, 2).astype(np.int64)
            s1, A = exact_integers({"W1": arrays[p + "W1"], "b1": arrays[p + "b1"]})
            _, B = exact_integers({"W2": arrays[p + "W2"], "b2": arrays[p + "b2"]})
            cls, tt = num_mlp_table(A["W1"], A["b1"], B["W2"], B["b2"], s1, k, H, pairs)
            ties += tt
            counts = np.bincount(cls, minlength=k)
            default = int(np.argmax(counts))
            keep = cls != default
            num_mlps.append(NumMlp(a, b, pairs[keep], cls[keep], default))
        layers.append(Layer(cat_h, num_h, tuple(mlps), tuple(num_mlps)))
    s, Z = exact_integers({"W_cat": arrays["cls.W_cat"], "W_num": arrays["cls.W_num"], "b": arrays["cls.b"]})
    ncat = 2 + nL * (ch + nm + nu)
    nnum = 1 + nL * nh
    Wc, Wn = Z["W_cat"], Z["W_num"]
    w_cat = tuple([[Wc[c * ncat * k + v * k + x] for x in range(k)] for c in range(C)] for v in range(ncat))
    w_num = tuple([Wn[c * nnum + u] for c in range(C)] for u in range(nnum))
    prog = Program(t, k, "nearest", tuple(layers), 1 << s, w_cat, w_num, list(Z["b"]))
    return prog, sha, {"argmax_ties": ties}
