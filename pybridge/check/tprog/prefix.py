"""Trusted: exact counts over a causal task's whole input space by a forward pass over prefix *states* (issue 12).

Applies when the task is causal (Dyck), has no `</s>`, and the tie rule is causal (`nearest`, `self-first`,
`earliest`, `nearest-bos`, `printer-causal`): query i then reads positions 0..i only (program.py), so position i's
variables are a function of (the variables of positions 0..i-1, token i, i). What positions > i can read of
positions 0..i is summarised per head h and per query value q (0..k-1), over the *candidate* keys j <= i (j >= 1,
or j >= 0 under `nearest-bos` and `printer-causal`) with pred_h[q][x_k(j)] = 1 ("matches"):
- `nearest`, `nearest-bos`, `self-first`: x_v of the last match (-1: none);
- `earliest`: x_v of the first match (-1: none);
- `printer-causal`: (c = number of matches, tau = c + 1 + the position of the last match (-1: none), x_v there);
- a numerical head: the sum of u_v over the matches.
At query i (summary over 0..i-1, own values at i; own match = pred[q][x_k(i)] and i a candidate), the rules of
program.py read:
- `nearest`/`nearest-bos`: the last match if any, else i itself if it matches, else position 0 (`<s>`);
- `self-first`: i itself if it matches, else the last match, else position 0;
- `earliest`: the first match if any, else i itself if it matches, else position 0;
- `printer-causal`: with c matches and the last at jl before i: i itself if it matches and (no jl or c + 1 < i - jl,
  i.e. tau < i) (its score len(M) = c + 1 against the best earlier score i - jl; a tie goes to the smaller index
  jl); else jl if any; else position 0. A match at i sets c to c + 1, tau to (c + 1) + 1 + i.
- a numerical head: the sum plus u_v(i) if i matches.
Position 0's values are the same for every input (`<s>`); they are computed once (the root).
The state of a prefix = the summaries of every head of every program compared, plus the task's target state (the
Dyck stack, tasks.dyck_step). Two prefixes of the same length with the same state have the same labels and targets
at every later position for every continuation (induction on the position: the new position's values, its label,
its target and the next state are functions of the state, the token and the position only). Summary rows that no
later query can read are set to a fixed value: a head whose query variable is `positions` (var 1) is queried at
i > L only, so after L positions its rows q <= L are never read again. Under `printer-causal`, after L positions
(queries i <= n to come, n the longest length): tau is only compared with i <= n, so every tau >= n acts as n; a
later match at i' > L sets tau to c' + 1 + i' >= c + 2 + L + 1, which is >= n whenever c >= n - L - 1, so every
count c >= n - L acts as n - L (counts only grow). Both are clipped to those values.

The pass keeps, level by level, the distinct states of the prefixes that are still "good" (accuracy: every label
so far equals the target; equivalence: the two programs' labels agree so far) with their multiplicities; a prefix
that turns bad takes its whole subtree (m^(n-L) inputs of length n) with it. Good inputs of length n = the summed
multiplicities at level n. The smallest bad inputs come from the per-level transitions and a backward count of good
completions (a depth-first walk in enumeration order that enters only subtrees holding a bad input).
The work bound comes from the certificate's hint: an upper bound on the number of states at every level; a level with
more states is rejected (the hint is untrusted, the bound it gives is checked).

A LOWER bound when the states do not fit (task-accuracy only; hint `prefix_cap`): after level L's states are
formed, if there are more than `cap`, the `cap` states of largest multiplicity are kept (ties: the smaller state
number, the pass's sorted state order; so the selection is a function of the level's states alone and the checker
recomputes it) and the others are dropped with their multiplicities. Sound: every kept state's multiplicity counts
prefixes that are good (the induction above holds for each kept state as before; dropping a state only removes
prefixes from the set the pass follows), so the summed multiplicities at level n count inputs of length n that are
correct; the dropped ones are merely undecided. Inputs are counted as failing only when a kept good prefix has a bad
child (prefix + token, at level L): failing(n) = sum over L <= n of (that multiplicity at L) * m^(n-L); a dropped
prefix's inputs are in neither count. With anything dropped no smallest failing input is listed (the smallest
failing input could lie below a dropped state). With nothing dropped the pass is the exact one above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pybridge.check.errors import InputError, Rejected
from pybridge.check.tprog.program import Head, Program, classify, max_numerical
from pybridge.check.tprog.tasks import Task, dyck_root, dyck_step, has_prefix_target

CAUSAL_RULES = ("nearest", "self-first", "earliest", "nearest-bos", "printer-causal")
MAX_STATES = 1 << 26  # states at one level
CHUNK = 1 << 12  # parent states evaluated at once (x m children x width x 8 bytes, several arrays)


def refusal(progs: list[Program]) -> str | None:
    """Why the prefix pass does not apply to these programs (None: it applies)."""
    t = progs[0].task
    if not t.causal or t.eos or not has_prefix_target(t):
        return f"task {t.name} is not a causal task with a prefix target"
    for p in progs:
        if p.tie_rule not in CAUSAL_RULES:
            return f"tie rule {p.tie_rule} is not causal"
    return None


def value_sets(p: Program, N: int, m: int) -> list[np.ndarray]:
    """For every categorical variable, a (k,) bool mask holding every value it can take at any position of any input
    (an over-approximation: tokens 0..m, positions 0..N-1, a head's output: its value variable's values, an MLP's:
    its table on the product of its inputs' values, a numerical MLP's: its outputs and default)."""
    k = p.k
    sets = [np.arange(k) <= m, np.arange(k) < N]
    for L in p.layers:
        sets += [sets[h.v].copy() for h in L.cat_heads]
        for ml in L.mlps:
            s = np.zeros(k, bool)
            s[ml.table[np.ix_(np.flatnonzero(sets[ml.a]), np.flatnonzero(sets[ml.b]))].ravel()] = True
            sets.append(s)
        for nm in L.num_mlps:
            s = np.zeros(k, bool)
            s[nm.outs] = True
            s[nm.default] = True
            sets.append(s)
    return sets


@dataclass
class _Head:
    h: Head
    numerical: bool
    off: int  # first column of its summary block (in the program's summary)
    qvals: np.ndarray  # the query values it can be asked (the block's rows)
    col: np.ndarray  # (k,) value -> row (only read at values in qvals)
    parts: int  # 3 (count, last position, last value) under printer-causal, else 1


def _heads(p: Program, sets: list[np.ndarray]) -> tuple[list[_Head], int]:
    """Every head in evaluation order with the columns of its summary block."""
    out, off = [], 0
    for L in p.layers:
        for hi, h in enumerate(L.cat_heads + L.num_heads):
            num = hi >= len(L.cat_heads)
            qvals = np.flatnonzero(sets[h.q])
            col = np.zeros(p.k, np.int64)
            col[qvals] = np.arange(len(qvals))
            parts = 3 if p.tie_rule == "printer-causal" and not num else 1
            out.append(_Head(h, num, off, qvals, col, parts))
            off += parts * len(qvals)
    return out, off


@dataclass
class _Prog:
    p: Program
    heads: list[_Head]
    width: int
    off: int  # first column in the joint state
    pos0_cat: list  # position 0's categorical values (ints)


def _init(g: _Prog) -> np.ndarray:
    """The empty summary (before position 0): no match (-1), count 0, sum 0."""
    row = np.zeros(g.width, np.int64)
    for hd in g.heads:
        r = len(hd.qvals)
        if not hd.numerical:
            row[hd.off + (r if hd.parts == 3 else 0): hd.off + hd.parts * r] = -1
    return row


def _step(g: _Prog, S: np.ndarray, tok: np.ndarray, i: int, N: int, nmax: int) -> tuple[np.ndarray, np.ndarray, list]:
    """Position i of every row (summaries S over positions 0..i-1, in the storage type): labels (B,), the new summaries, and the
    position's categorical values (of row 0; used for position 0)."""
    p = g.p
    rule = p.tie_rule
    B = len(tok)
    rows = np.arange(B)
    cand = i >= 1 or rule in ("nearest-bos", "printer-causal")
    cat = [tok, np.full(B, i, np.int64)]
    num = [np.ones(B, np.int64)]
    new = S.copy()
    it = iter(g.heads)
    for L in p.layers:
        new_cat, new_num = [], []
        for _ in range(len(L.cat_heads) + len(L.num_heads)):
            hd = next(it)
            h, off, r = hd.h, hd.off, len(hd.qvals)
            q = hd.col[cat[h.q]]
            own = h.pred[cat[h.q], cat[h.k]] & cand
            if hd.numerical:
                new_num.append(S[rows, off + q] + np.where(own, num[h.v], 0))
                continue
            vi = cat[h.v]
            v0 = vi if i == 0 else np.full(B, g.pos0_cat[h.v], np.int64)
            if rule == "printer-causal":
                tau, vl = S[rows, off + r + q], S[rows, off + 2 * r + q]
                has = tau >= 0
                self_wins = own & (~has | (tau < i))
                new_cat.append(np.where(self_wins, vi, np.where(has, vl, v0)))
            else:
                last = S[rows, off + q]
                if rule == "self-first":
                    new_cat.append(np.where(own, vi, np.where(last >= 0, last, v0)))
                else:  # nearest, nearest-bos (last match), earliest (first match)
                    new_cat.append(np.where(last >= 0, last, np.where(own, vi, v0)))
        cat += new_cat
        num += new_num
        for ml in L.mlps:
            cat.append(ml.table[cat[ml.a], cat[ml.b]])
        for nm in L.num_mlps:
            cat.append(nm.lookup(num[nm.a], num[nm.b]))
    for hd in g.heads:  # position i joins the summaries of every head
        h, off, r = hd.h, hd.off, len(hd.qvals)
        # query variable `positions`: later queries ask values > i only, the rows q <= i are never read again: they
        # are set to 0 and not updated (rows lo..r-1 are the live ones)
        lo = int(np.searchsorted(hd.qvals, i, side="right")) if h.q == 1 else 0
        blk = [slice(off + j * r + lo, off + (j + 1) * r) for j in range(hd.parts)]
        if cand and lo < r:
            mt = h.pred[hd.qvals[lo:]][:, cat[h.k]].T  # (B, r - lo): the live query values that match position i
            if hd.numerical:
                new[:, blk[0]] += mt * num[h.v][:, None]
            elif rule == "printer-causal":
                new[:, blk[0]] += mt
                new[:, blk[1]] = np.where(mt, new[:, blk[0]] + 1 + i, new[:, blk[1]])
                new[:, blk[2]] = np.where(mt, cat[h.v][:, None], new[:, blk[2]])
            elif rule == "earliest":
                new[:, blk[0]] = np.where(mt & (new[:, blk[0]] < 0), cat[h.v][:, None], new[:, blk[0]])
            else:
                new[:, blk[0]] = np.where(mt, cat[h.v][:, None], new[:, blk[0]])
        if hd.parts == 3:  # printer-causal: clip c at n - i, tau at n (see above)
            np.minimum(new[:, blk[0]], max(0, nmax - i), out=new[:, blk[0]])
            np.minimum(new[:, blk[1]], nmax, out=new[:, blk[1]])
        for j in range(hd.parts if lo else 0):
            new[:, off + j * r: off + j * r + lo] = 0
    lab = classify(p, [c[:, None] for c in cat], [u[:, None] for u in num], N)[:, 0]
    return lab, new, [int(c[0]) for c in cat]


MAX_MEMORY = 16 << 30  # bytes the pass may hold (estimate below)


def _widths(progs: list[Program]) -> tuple[int, int]:
    """(columns of a state, per-child cost in work units besides the columns)."""
    t = progs[0].task
    m, nmax = len(t.content), max(t.lengths)
    N = t.seq_len(nmax)
    per, width = 0, (nmax + 7) // 7
    for p in progs:
        _, w = _heads(p, value_sets(p, N, m))
        width += w
        per += w + p.modules() + p.n_classes * (p.n_cat + p.n_num) + 4 * p.num_mlp_entries()
    return width, per


def state_cap(progs: list[Program]) -> int:
    """The most states per level that `work` admits under MAX_MEMORY."""
    width, _ = _widths(progs)
    return min(MAX_STATES, MAX_MEMORY // (2 * len(progs[0].task.content) * (width + 64)))


def work(progs: list[Program], bound: list[int]) -> int:
    """Work units of the prefix pass when level L has at most bound[L] states: every state of levels 0..n-1 has m
    children; a child costs, per program, one operation per state column (the summaries are computed, copied and
    compared column by column, in a small integer type), its modules and its classifier, plus the sort that finds equal
    states (log2 of the level's children). Measured: about 2.5e8 units per CPU second (bench/results/tprog_dyck2.md).
    Also refuses (InputError) a bound whose states would not fit in MAX_MEMORY bytes."""
    t = progs[0].task
    m, nmax = len(t.content), max(t.lengths)
    width, per = _widths(progs)
    mem = 2 * max(bound[:nmax], default=0) * m * (width + 64)
    if mem > MAX_MEMORY:
        raise InputError(f"the prefix state hint allows about {mem / 2**30:.3g} GiB of states, over {MAX_MEMORY >> 30} GiB")
    return sum(b * m * (per + width + max(1, (b * m).bit_length())) for b in bound[:nmax])


def _dedupe(R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact: (index of the first row of every distinct row, the distinct row's number for every row)."""
    if len(R) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if R.shape[1] == 0:  # rows without columns are all equal
        return np.zeros(1, np.int64), np.zeros(len(R), np.int64)
    v = np.ascontiguousarray(R).view(np.dtype((np.void, R.dtype.itemsize * R.shape[1]))).ravel()
    _, first, inv = np.unique(v, return_index=True, return_inverse=True)
    return first, np.asarray(inv).ravel()


@dataclass
class PrefixResult:
    good: dict[int, int]  # length n -> good inputs of length n
    states: list[int]  # distinct good states per level 0..n_max
    smallest_bad: list[list[int]]  # content indices, enumeration order (lengths ascending, then lexicographic)
    failing: dict[int, int] | None = None  # length n -> inputs of length n proven failing (a bad prefix seen)
    dropped: list[int] | None = None  # per level 0..n_max: the multiplicity of the good states the cap dropped
    before_cap: list[int] | None = None  # per level: distinct good states before the cap

    @property
    def exact(self) -> bool:
        return not any(self.dropped or [])


DIGIT = 128


def _digits(e: np.ndarray, nd: int) -> np.ndarray:
    return np.stack([(e // DIGIT ** j) % DIGIT for j in range(nd)], axis=1)


def storage_dtype(progs: list[Program], N: int) -> type:
    """A signed integer type holding every state entry and every intermediate the pass forms in it (it computes in
    this type): values < k, positions and counts < N, -1, c + 1 + i < 2N + 2, numerical sums (at most N times the
    largest numerical value), the Dyck state's base-128 digits."""
    top = max([DIGIT, 2 * N + 2] + [p.k for p in progs] + [N * max_numerical(p, N) for p in progs])
    return np.int8 if top < 1 << 7 else np.int16 if top < 1 << 15 else np.int32 if top < 1 << 31 else np.int64


def run_prefix(progs: list[Program], mode: str, state_bound: list[int] | None, want: int = 0,
               progress=None, cap: int | None = None) -> PrefixResult:
    """The prefix pass. mode 'accuracy' (one program: label = target) or 'equivalence' (two programs: labels agree).
    `state_bound[L]` (untrusted) bounds the states at level L: exceeded -> Rejected.
    `cap` (accuracy only): keep at most `cap` good states per level (the lower-bound pass, see the module docstring);
    when a level has more, the `cap` of largest multiplicity are kept (ties: the smaller state number, i.e. the
    pass's sorted state order) and the others dropped with their prefixes. Then `good` are lower bounds, `failing`
    counts only inputs proven failing, and no smallest failing input is listed."""
    why = refusal(progs)
    if why:
        raise InputError(f"the prefix method does not apply: {why}")
    if mode not in ("accuracy", "equivalence") or len(progs) != (1 if mode == "accuracy" else 2):
        raise InputError("the prefix pass takes one program (accuracy) or two (equivalence)")
    t: Task = progs[0].task
    m, nmax = len(t.content), max(t.lengths)
    N = t.seq_len(nmax)
    if any(max_numerical(p, N).bit_length() > 60 for p in progs):
        raise InputError("numerical values of this program could exceed 2^60 (too many layers of numerical heads)")
    if state_bound is not None and len(state_bound) != nmax + 1:
        raise InputError(f"the prefix state hint must list {nmax + 1} levels")
    if cap is not None and (mode != "accuracy" or type(cap) is not int or not 1 <= cap <= MAX_STATES):
        raise InputError(f"a prefix state cap applies to task-accuracy only and must be in 1..{MAX_STATES}")
    dt = storage_dtype(progs, N)
    nd = (nmax + 1 + 6) // 7  # columns 0..nd-1: the target state e < 2^(nmax+1) in base-128 digits
    gs, off = [], nd
    for p in progs:
        heads, w = _heads(p, value_sets(p, N, m))
        gs.append(_Prog(p, heads, w, off, []))
        off += w
    width = off
    root = np.zeros(width, np.int64)
    root[:nd] = _digits(np.array([dyck_root(t)]), nd)[0]
    for g in gs:
        _, S1, g.pos0_cat = _step(g, _init(g)[None], np.zeros(1, np.int64), 0, N, nmax)
        root[g.off: g.off + g.width] = S1[0]
    # a level is stored as (ref, U, V): state s is `ref` with its columns U replaced by V[s]
    ref, U, V = root, np.zeros(0, np.int64), np.zeros((1, 0), dt)
    mult = np.ones(1, np.int64)
    good: dict[int, int] = {}
    bad_mult = [0]  # per level L: the multiplicity of the good level-(L-1) prefixes whose child turned bad at L
    dropped, before = [0], [1]
    trans: list[np.ndarray] = []  # trans[L][s, tok]: the child's state number at level L+1, -1 when it is bad
    counts = [1]
    for L in range(1, nmax + 1):
        last = L == nmax  # nothing is read after the last position: every good leaf is one state
        oks, blocks, ids, nrep = [], [], [], 0
        kref = None
        for s0 in range(0, len(V), CHUNK):
            P = np.tile(ref.astype(dt), (len(V[s0: s0 + CHUNK]), 1))
            P[:, U] = V[s0: s0 + CHUNK]
            rows = np.repeat(P, m, axis=0)
            tok = np.tile(np.arange(1, m + 1, dtype=np.int64), len(rows) // m)
            e, tlab = dyck_step(t, rows[:, :nd].astype(np.int64) @ (DIGIT ** np.arange(nd, dtype=np.int64)), tok - 1)
            nxt = np.empty_like(rows)
            nxt[:, :nd] = _digits(e, nd)
            labs = []
            for g in gs:
                lab, nxt[:, g.off: g.off + g.width], _ = _step(g, rows[:, g.off: g.off + g.width], tok, L, N, nmax)
                labs.append(lab)
            ok = labs[0] == tlab if mode == "accuracy" else labs[0] == labs[1]
            kids = nxt[ok][:, :0] if last else nxt[ok]
            if kref is None and len(kids):
                kref = kids[0].copy()
            cols = np.flatnonzero(np.any(kids != kref, axis=0)) if len(kids) else np.zeros(0, np.int64)
            K = kids[:, cols].astype(dt)  # the other columns equal kref's
            first, inv = _dedupe(K)
            oks.append(ok)
            ids.append(inv + nrep)
            blocks.append((cols, K[first]))
            nrep += len(first)
            if progress:
                progress(L, min(len(V), s0 + CHUNK), len(V))
        kref = np.zeros(0 if last else width, np.int64) if kref is None else kref
        U = np.unique(np.concatenate([c for c, _ in blocks] + [np.zeros(0, np.int64)]))
        allrep = np.tile(kref[U].astype(dt), (nrep, 1))
        at = 0
        for cols, B in blocks:
            allrep[at: at + len(B), np.searchsorted(U, cols)] = B
            at += len(B)
        first, inv = _dedupe(allrep)
        ok = np.concatenate(oks) if oks else np.zeros(0, bool)
        T = np.full(len(ok), -1, np.int64)
        T[ok] = inv[np.concatenate(ids)] if ids else []
        pall = np.repeat(mult, m)
        bad_mult.append(int(pall[~ok].sum()))
        pm = pall[ok]
        mult = np.zeros(len(first), np.int64)
        np.add.at(mult, T[ok], pm)
        before.append(len(first))
        if cap is not None and len(first) > cap:
            # keep the cap states of largest multiplicity (ties: smaller state number), in state order; a dropped
            # state's prefixes are neither counted good nor failing (T = -2)
            keep = np.sort(np.lexsort((np.arange(len(first)), -mult))[:cap])
            new_id = np.full(len(first) + 1, -2, np.int64)
            new_id[keep] = np.arange(len(keep))
            dropped.append(int(mult.sum() - mult[keep].sum()))
            T = np.where(T >= 0, new_id[T], T)
            first, mult = first[keep], mult[keep]
        else:
            dropped.append(0)
        if state_bound is not None and len(first) > state_bound[L]:
            raise Rejected(f"the prefix pass has {len(first)} states at level {L}, the hint bounds them by "
                           f"{state_bound[L]}")
        if len(first) > MAX_STATES:
            raise InputError(f"the prefix pass has more than {MAX_STATES} states at level {L}")
        trans.append(T.reshape(len(V), m))
        ref, V = kref, allrep[first]
        counts.append(len(V))
        if L in t.lengths:
            good[L] = int(mult.sum())
    failing = {n: sum(bad_mult[L] * m ** (n - L) for L in range(1, n + 1)) for n in t.lengths}
    bad: list[list[int]] = []
    for n in t.lengths:
        if len(bad) >= want or any(dropped):  # dropped prefixes: "smallest failing" is not decided, none listed
            break
        bad += _smallest_bad(trans, counts, n, m, want - len(bad))
    if not any(dropped) and any(good[n] + failing[n] != t.size(n) for n in t.lengths):
        raise Rejected("internal: the prefix pass's good and failing counts do not cover the input space")
    return PrefixResult(good, counts, bad, failing, dropped, before)


def _smallest_bad(trans: list[np.ndarray], counts: list[int], n: int, m: int, want: int) -> list[list[int]]:
    """The `want` smallest bad inputs of length n (lexicographic), from the transitions of levels 0..n-1."""
    if want <= 0:
        return []
    C = [None] * (n + 1)  # C[L][s]: good completions to length n of good state s at level L
    C[n] = np.ones(counts[n], np.int64)
    for L in range(n - 1, -1, -1):
        T = trans[L]
        C[L] = np.where(T >= 0, np.concatenate([C[L + 1], [0]])[T], 0).sum(axis=1)  # T = -1: the appended 0
    out: list[list[int]] = []

    def walk(L: int, s: int, prefix: list[int]) -> None:
        for tok in range(m):
            if len(out) >= want:
                return
            c = int(trans[L][s, tok])
            rest = n - L - 1
            if c < 0:  # prefix + tok is bad: all its m^rest completions, smallest first
                for r in range(min(want - len(out), m ** rest)):
                    out.append(prefix + [tok] + [(r // m ** (rest - 1 - j)) % m for j in range(rest)])
            elif m ** rest - int(C[L + 1][c]) > 0:
                walk(L + 1, c, prefix + [tok])

    walk(0, 0, [])
    return out

