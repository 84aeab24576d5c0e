"""Trusted: the discrete Transformer Program (the JSON program IR) and its semantics, vectorised.

State at each position: categorical variables (values 0..k-1): var 0 = token id, var 1 = position, then one
per module in order; numerical variables (integers): var 0 = `ones`, then one per numerical head.
Layer by layer: the heads read the variables that exist before the layer; then the MLPs read every
categorical variable that exists after the layer's heads. Outputs are appended in the order listed
(categorical heads, numerical heads, MLPs, numerical MLPs).

- Categorical head (q, k, v, pred): at query position i, the matching keys are
  `M = {j in K(i) : pred[x_q(i)][x_k(j)] = 1}` with `K(i) = {1..N-1}` (`{1..i}` for causal tasks;
  position 0, `<s>`, is never a candidate). The head returns `x_v(j*)`, j* chosen by the tie rule:
  `nearest` (the model's rule): the matching key nearest to i, the earlier at equal distance, i itself
  only when it is the only match; `self-first`: as nearest but i itself first if it matches; `earliest`:
  the smallest matching j. When nothing matches, j* = 0 (`<s>`).
  `printer`: the `select_closest` of the authors' program printer (princeton-nlp/TransformerPrograms,
  programs/*.py): every position 0..N-1, `<s>` included, is a candidate (no causal mask, even for causal tasks); the score of a
  matching j is |i - j|, except i itself, scored len(M); the smallest score wins, the smallest j among
  equal scores (Python's `min`); nothing matching: 0. Under `printer` the numerical heads also sum over
  every matching position, `<s>` included (the printer's `select` + `aggregate_sum`).
- Numerical head (q, k, v, pred): `sum_{j in M} u_v(j)` (0 when nothing matches; no `<s>` default).
- MLP (a, b, table): `table[x_a(i)][x_b(i)]`.
- Numerical MLP (a, b, table, default) (IR version 2): reads the numerical variables a and b that exist after the
  layer's numerical heads; the output is the categorical value `out` of the entry `[u_a(i), u_b(i), out]` of the
  table when there is one, else `default` (the authors' printed `num_mlp_*`: a lookup over the values seen, a
  default otherwise). Its output is a new categorical variable, after the layer's categorical MLPs.
- `nearest-bos`: as `nearest`, but position 0 (`<s>`) is a candidate key like any other (the farthest to the left),
  for categorical and numerical heads: the attention of the authors' model (their CatAttention with the fixed
  relative-position bias: distance d to the left scores -(d-1)/(M-1), to the right -(d-1)/(M-2), the query's own
  position -2, non-matches log 1e-20; their mask lets every query see `<s>`); causal tasks: keys 0..i.
- `printer-causal`: as `printer`, but query i only sees positions 0..i (the printer's `select_closest` and `select`
  with `keys[:i + 1]`, which it prints for causal tasks, e.g. Dyck).
- Classifier: `logit_c = bias_c + sum_var W_var[c][x_var(i)] + sum_u w_u[c] * u(i)` (integers over a common
  positive denominator); the label is the first c with the largest logit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from pybridge.check.errors import InputError
from pybridge.check.tprog.tasks import Task, task, token_ids

TIE_RULES = ("nearest", "self-first", "earliest", "printer", "printer-causal", "nearest-bos")
PRINTER_RULES = ("printer", "printer-causal")
MAX_K = 64
MAX_MODULES = 64
MAX_CLASSES = 64
MAX_ABS_BITS = 256
MAX_NUM_VALUE = 1 << 40  # numerical MLP table keys
MAX_NUM_ENTRIES = 1 << 16  # entries per numerical MLP table


@dataclass(frozen=True)
class Head:
    q: int
    k: int
    v: int
    pred: np.ndarray  # (k, k) bool


@dataclass(frozen=True)
class Mlp:
    a: int
    b: int
    table: np.ndarray  # (k, k) int


@dataclass(frozen=True)
class NumMlp:
    a: int  # numerical variables read
    b: int
    keys: np.ndarray  # (E, 2) int64: (u_a, u_b), distinct
    outs: np.ndarray  # (E,) int64: categorical values 0..k-1
    default: int

    def lookup(self, ua: np.ndarray, ub: np.ndarray) -> np.ndarray:
        """The table's value at (ua, ub) elementwise, `default` where the pair is not in the table."""
        table = {(int(x), int(y)): int(o) for (x, y), o in zip(self.keys.tolist(), self.outs.tolist())}
        pairs = np.stack([ua.ravel(), ub.ravel()], axis=1)
        uniq, inv = np.unique(pairs, axis=0, return_inverse=True)
        vals = np.array([table.get((int(x), int(y)), self.default) for x, y in uniq], np.int64)
        return vals[np.asarray(inv).ravel()].reshape(ua.shape)


@dataclass(frozen=True)
class Layer:
    cat_heads: tuple[Head, ...]
    num_heads: tuple[Head, ...]
    mlps: tuple[Mlp, ...]
    num_mlps: tuple[NumMlp, ...] = ()


@dataclass(frozen=True)
class Program:
    task: Task
    k: int
    tie_rule: str
    layers: tuple[Layer, ...]
    den: int
    w_cat: tuple[list[list[int]], ...]  # per categorical variable: C x k
    w_num: tuple[list[int], ...]  # per numerical variable: C
    bias: list[int]

    @property
    def n_cat(self) -> int:
        return 2 + sum(len(L.cat_heads) + len(L.mlps) + len(L.num_mlps) for L in self.layers)

    @property
    def n_num(self) -> int:
        return 1 + sum(len(L.num_heads) for L in self.layers)

    @property
    def n_classes(self) -> int:
        return len(self.bias)

    def modules(self) -> int:
        return sum(len(L.cat_heads) + len(L.num_heads) + len(L.mlps) + len(L.num_mlps) for L in self.layers)

    def num_mlp_entries(self) -> int:
        return sum(len(m.outs) for L in self.layers for m in L.num_mlps)


# ---------------------------------------------------------------- strict reading of the IR
def _int(v: Any, where: str, lo: int, hi: int) -> int:
    if type(v) is not int or not lo <= v <= hi:
        raise InputError(f"program IR: {where} must be an integer in {lo}..{hi}")
    return v


def _big(v: Any, where: str) -> int:
    if type(v) is not int or abs(v).bit_length() > MAX_ABS_BITS:
        raise InputError(f"program IR: {where} must be an integer of at most {MAX_ABS_BITS} bits")
    return v


def _obj(v: Any, keys: set[str], where: str) -> dict:
    if not isinstance(v, dict) or set(v) != keys:
        raise InputError(f"program IR: {where} must be an object with exactly the keys {', '.join(sorted(keys))}")
    return v


def _list(v: Any, n: int | None, where: str, hi: int = 1 << 20) -> list:
    if not isinstance(v, list) or (n is not None and len(v) != n) or len(v) > hi:
        raise InputError(f"program IR: {where} must be a list" + (f" of length {n}" if n is not None else ""))
    return v


def _matrix(v: Any, k: int, where: str, hi: int) -> np.ndarray:
    rows = _list(v, k, where)
    return np.array([[_int(x, where, 0, hi) for x in _list(r, k, where)] for r in rows], dtype=np.int64)


IR_KEYS = {"pybridge_family", "format", "version", "task", "k", "tie_rule", "layers", "classifier"}


def parse_program(doc: Any) -> Program:
    """The program IR (a JSON object) -> Program; InputError on anything out of schema."""
    d = _obj(doc, IR_KEYS, "the program")
    if d["pybridge_family"] != "tprog" or d["format"] != "tprog-program" or d["version"] not in (1, 2) \
            or type(d["version"]) is not int:
        raise InputError("program IR: must have pybridge_family 'tprog', format 'tprog-program', version 1 or 2")
    version = d["version"]  # 2 adds numerical MLPs (every layer has the key num_mlps)
    t = task(d["task"])
    k = _int(d["k"], "k", 2, MAX_K)
    if len(t.vocab) > k or t.seq_len(max(t.lengths)) > k:
        raise InputError(f"program IR: k={k} is smaller than the vocabulary or the positions of task {t.name}")
    if d["tie_rule"] not in TIE_RULES:
        raise InputError(f"program IR: tie_rule must be one of {', '.join(TIE_RULES)}")
    ncat, nnum, layers, nmod = 2, 1, [], 0
    for li, L in enumerate(_list(d["layers"], None, "layers", MAX_MODULES)):
        L = _obj(L, {"cat_heads", "num_heads", "mlps"} | ({"num_mlps"} if version == 2 else set()), f"layers[{li}]")
        ch, nh, ml, nml = [], [], [], []
        for kind, out in (("cat_heads", ch), ("num_heads", nh)):
            for hi_, h in enumerate(_list(L[kind], None, f"layers[{li}].{kind}", MAX_MODULES)):
                w = f"layers[{li}].{kind}[{hi_}]"
                h = _obj(h, {"q", "k", "v", "pred"}, w)
                vmax = (ncat if kind == "cat_heads" else nnum) - 1
                out.append(Head(_int(h["q"], w + ".q", 0, ncat - 1), _int(h["k"], w + ".k", 0, ncat - 1),
                                _int(h["v"], w + ".v", 0, vmax), _matrix(h["pred"], k, w + ".pred", 1).astype(bool)))
        ncat2 = ncat + len(ch)
        for mi, m in enumerate(_list(L["mlps"], None, f"layers[{li}].mlps", MAX_MODULES)):
            w = f"layers[{li}].mlps[{mi}]"
            m = _obj(m, {"a", "b", "table"}, w)
            ml.append(Mlp(_int(m["a"], w + ".a", 0, ncat2 - 1), _int(m["b"], w + ".b", 0, ncat2 - 1),
                          _matrix(m["table"], k, w + ".table", k - 1)))
        nnum2 = nnum + len(nh)
        for mi, m in enumerate(_list(L.get("num_mlps", []), None, f"layers[{li}].num_mlps", MAX_MODULES)):
            w = f"layers[{li}].num_mlps[{mi}]"
            m = _obj(m, {"a", "b", "table", "default"}, w)
            rows = _list(m["table"], None, w + ".table", MAX_NUM_ENTRIES)
            keys = np.zeros((len(rows), 2), np.int64)
            outs = np.zeros(len(rows), np.int64)
            for r, e in enumerate(rows):
                e = _list(e, 3, w + ".table entry")
                keys[r] = (_int(e[0], w + ".table key", 0, MAX_NUM_VALUE), _int(e[1], w + ".table key", 0, MAX_NUM_VALUE))
                outs[r] = _int(e[2], w + ".table value", 0, k - 1)
            if len({(int(x), int(y)) for x, y in keys}) != len(rows):
                raise InputError(f"program IR: {w}.table lists a key twice")
            nml.append(NumMlp(_int(m["a"], w + ".a", 0, nnum2 - 1), _int(m["b"], w + ".b", 0, nnum2 - 1), keys, outs,
                              _int(m["default"], w + ".default", 0, k - 1)))
        ncat, nnum = ncat2 + len(ml) + len(nml), nnum2
        nmod += len(ch) + len(nh) + len(ml) + len(nml)
        if nmod > MAX_MODULES:
            raise InputError(f"program IR: more than {MAX_MODULES} modules")
        layers.append(Layer(tuple(ch), tuple(nh), tuple(ml), tuple(nml)))
    c = _obj(d["classifier"], {"den", "cat", "num", "bias"}, "classifier")
    C = len(t.classes)
    den = _int(c["den"], "classifier.den", 1, 1 << MAX_ABS_BITS)
    w_cat = tuple([[_big(x, "classifier.cat") for x in _list(r, k, "classifier.cat row")]
                   for r in _list(var, C, "classifier.cat[var]")] for var in _list(c["cat"], ncat, "classifier.cat"))
    w_num = tuple([_big(x, "classifier.num") for x in _list(var, C, "classifier.num[var]")]
                  for var in _list(c["num"], nnum, "classifier.num"))
    bias = [_big(x, "classifier.bias") for x in _list(c["bias"], C, "classifier.bias")]
    return Program(t, k, d["tie_rule"], tuple(layers), den, w_cat, w_num, bias)


def program_to_ir(p: Program) -> dict:
    """The JSON IR of a Program (inverse of parse_program)."""
    def head(h: Head) -> dict:
        return {"q": h.q, "k": h.k, "v": h.v, "pred": h.pred.astype(int).tolist()}

    v2 = any(L.num_mlps for L in p.layers)  # version 1 (no num_mlps key) when there is none: unchanged hashes

    def layer(L: Layer) -> dict:
        d = {"cat_heads": [head(h) for h in L.cat_heads], "num_heads": [head(h) for h in L.num_heads],
             "mlps": [{"a": m.a, "b": m.b, "table": m.table.astype(int).tolist()} for m in L.mlps]}
        if v2:
            d["num_mlps"] = [{"a": m.a, "b": m.b, "default": int(m.default),
                              "table": [[int(x), int(y), int(o)] for (x, y), o in zip(m.keys.tolist(), m.outs.tolist())]}
                             for m in L.num_mlps]
        return d

    return {
        "pybridge_family": "tprog", "format": "tprog-program", "version": 2 if v2 else 1, "task": p.task.name,
        "k": p.k, "tie_rule": p.tie_rule, "layers": [layer(L) for L in p.layers],
        "classifier": {"den": p.den, "cat": [list(map(list, w)) for w in p.w_cat], "num": [list(w) for w in p.w_num],
                       "bias": list(p.bias)},
    }


def ir_sha256(doc: dict) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# ---------------------------------------------------------------- semantics
def rank_matrix(N: int, rule: str) -> np.ndarray:
    """R[i][j]: the smaller, the more preferred key j for query i (among matching keys)."""
    i = np.arange(N)[:, None]
    j = np.arange(N)[None, :]
    if rule == "earliest":
        return np.broadcast_to(j, (N, N)).astype(np.int64)
    if rule in PRINTER_RULES:  # |i - j|; the diagonal (len(matches)) is filled in per input by `run`
        return np.abs(i - j).astype(np.int64) + 0 * j
    R = 2 * np.abs(i - j) + (j > i)
    if rule in ("nearest", "nearest-bos"):
        R = np.where(i == j, 4 * N, R)
    return R.astype(np.int64)


def work_per_input(p: Program, N: int) -> int:
    """Work units to evaluate one input of N positions (heads: N*N each, classifier: C per variable)."""
    heads = sum(len(L.cat_heads) + len(L.num_heads) for L in p.layers)
    return N * (heads * N * 4 + p.modules() + p.n_classes * (p.n_cat + p.n_num)) + 4 * p.num_mlp_entries()


def max_numerical(p: Program, N: int) -> int:
    """A bound on every numerical value: 1 for `ones`; a numerical head sums at most N values of a variable of an
    earlier layer, so after the l-th layer that has numerical heads, values are at most N^l."""
    return N ** sum(1 for L in p.layers if L.num_heads)


def classifier_bits(p: Program, N: int, layers: int = 0) -> int:
    """A bound on the bit size of every classifier logit."""
    maxnum = max_numerical(p, N)
    tot = max((abs(x) for x in p.bias), default=0)
    tot += sum(max((abs(x) for r in w for x in r), default=0) for w in p.w_cat)
    tot += sum(max((abs(x) for x in w), default=0) * maxnum for w in p.w_num)
    return tot.bit_length() + 1


def run(p: Program, X: np.ndarray) -> np.ndarray:
    """Labels at the content positions 1..n of the content rows X (B, n): class indices, shape (B, n)."""
    t = p.task
    B, n = X.shape
    N = t.seq_len(n)
    cat = [token_ids(t, X), np.broadcast_to(np.arange(N, dtype=np.int64), (B, N))]
    num = [np.ones((B, N), np.int64)]
    allowed = np.ones((N, N), bool)
    if p.tie_rule not in PRINTER_RULES + ("nearest-bos",):
        allowed[:, 0] = False
    if (t.causal and p.tie_rule not in PRINTER_RULES) or p.tie_rule == "printer-causal":
        allowed &= np.tril(np.ones((N, N), bool))  # `printer`: the printer's select_closest without keys[:i + 1]
    if max_numerical(p, N).bit_length() > 60:
        raise InputError("numerical values of this program could exceed 2^60 (too many layers of numerical heads)")
    R = rank_matrix(N, p.tie_rule)
    BIG = max(int(R.max()), N) + 1
    for L in p.layers:
        new_cat, new_num = [], []
        for hi, h in enumerate(L.cat_heads + L.num_heads):
            match = h.pred[cat[h.q][:, :, None], cat[h.k][:, None, :]] & allowed[None]
            if hi >= len(L.cat_heads):
                new_num.append((match * num[h.v][:, None, :]).sum(axis=2))
                continue
            if p.tie_rule in PRINTER_RULES:
                Rp = np.where(np.eye(N, dtype=bool)[None], match.sum(axis=2)[:, :, None], R[None])
                score = np.where(match, Rp, BIG)
            else:
                score = np.where(match, R[None], BIG)
            js = np.argmin(score, axis=2)
            js = np.where(np.min(score, axis=2) == BIG, 0, js)
            new_cat.append(np.take_along_axis(cat[h.v], js, axis=1))
        cat += new_cat[: len(L.cat_heads)]
        num += new_num
        for m in L.mlps:
            cat.append(m.table[cat[m.a], cat[m.b]])
        for nm in L.num_mlps:
            cat.append(nm.lookup(num[nm.a], num[nm.b]))
    return classify(p, cat, num, N)[:, 1:n + 1]


def classify(p: Program, cat: list, num: list, N: int) -> np.ndarray:
    """The classifier's label (first largest logit) at every position of the variables' arrays (B, N')."""
    big = classifier_bits(p, N) > 62
    dt = object if big else np.int64
    B, Np = cat[0].shape
    logits = np.broadcast_to(np.array(p.bias, dtype=dt), (B, Np, p.n_classes)).copy()
    for w, x in zip(p.w_cat, cat):
        logits += np.array(w, dtype=dt).T[x]
    for w, u in zip(p.w_num, num):
        logits += u[:, :, None].astype(dt) * np.array(w, dtype=dt)[None, None, :]
    return np.argmax(logits, axis=2) if not big else _argmax_obj(logits)


def _argmax_obj(a: np.ndarray) -> np.ndarray:
    best = np.zeros(a.shape[:-1], np.int64)
    bv = a[..., 0].copy()
    for c in range(1, a.shape[-1]):
        better = a[..., c] > bv
        best = np.where(better, c, best)
        bv = np.where(better, a[..., c], bv)
    return best
