"""Issue 12, Dyck-2-sized spaces: the trusted prefix pass (pybridge/check/tprog/prefix.py) and the structural
program-equivalence (structural.py) against the exhaustive checker (program.run + tasks.targets) on small causal
spaces; certificates through the CLI; tampering rejected; the work bound before any work."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tprog_certs import cli

from pybridge.check import limits, verify
from pybridge.check.errors import InputError, Rejected
from pybridge.check.tprog import prefix, structural
from pybridge.check.tprog.program import Head, Layer, Mlp, NumMlp, Program, ir_sha256, program_to_ir, run
from pybridge.check.tprog.tasks import TASKS, dyck_root, dyck_step, enumerate_inputs, targets





CAUSAL = ("nearest", "self-first", "earliest", "nearest-bos", "printer-causal")


def small(task: str, lengths: tuple[int, ...]) -> object:
    return replace(TASKS[task], lengths=lengths)


def random_program(rnd: np.random.Generator, t) -> Program:
    """A random program over the small causal space t; sparse predicates too (they make the printer's count rule
    and position-reading heads matter), position-query heads, numerical heads and MLPs, every causal tie rule."""
    k = t.k
    ncat, nnum, layers = 2, 1, []
    for _ in range(int(rnd.integers(1, 4))):
        def head(nv):
            pred = rnd.random((k, k)) < rnd.choice([0.05, 0.15, 0.4, 0.8])
            q = 1 if rnd.random() < 0.3 else int(rnd.integers(ncat))  # position queries: the pruned rows
            return Head(q, int(rnd.integers(ncat)), int(rnd.integers(nv)), pred)
        ch = tuple(head(ncat) for _ in range(int(rnd.integers(0, 4))))
        nh = tuple(head(nnum) for _ in range(int(rnd.integers(0, 2))))
        ncat2 = ncat + len(ch)
        ml = tuple(Mlp(int(rnd.integers(ncat2)), int(rnd.integers(ncat2)), rnd.integers(0, k, (k, k)))
                   for _ in range(int(rnd.integers(0, 3))))
        nnum2 = nnum + len(nh)

        def num_mlp():
            a, b = int(rnd.integers(nnum2)), int(rnd.integers(nnum2))
            pairs = sorted({(int(x), int(y)) for x, y in rnd.integers(0, 9, (int(rnd.integers(0, 12)), 2))})
            return NumMlp(a, b, np.array(pairs, np.int64).reshape(-1, 2), rnd.integers(0, k, len(pairs)),
                          int(rnd.integers(k)))
        nml = tuple(num_mlp() for _ in range(int(rnd.integers(0, 2))))
        layers.append(Layer(ch, nh, ml, nml))
        ncat, nnum = ncat2 + len(ml) + len(nml), nnum2
    C = len(t.classes)
    scale = int(rnd.choice([1, 2**70]))  # 2**70: the exact object-dtype classifier
    w_cat = tuple([[int(x) * scale for x in rnd.integers(-3, 4, k)] for _ in range(C)] for _ in range(ncat))
    w_num = tuple([int(x) * scale for x in rnd.integers(-3, 4, C)] for _ in range(nnum))
    bias = [int(x) * scale for x in rnd.integers(-3, 4, C)]
    rule = str(rnd.choice(CAUSAL + ("printer-causal",)))
    return Program(t, k, rule, tuple(layers), 7, w_cat, w_num, bias)


@st.composite
def causal_programs(draw, task=None, lengths=None):
    task = task or draw(st.sampled_from(["dyck1", "dyck2"]))
    lengths = lengths or draw(st.sampled_from([(1, 2, 3, 4, 5, 6), (6,), (2, 5)] if task == "dyck2" else
                                              [(3, 8), (9,), (1, 4, 7, 10)]))
    return random_program(np.random.default_rng(draw(st.integers(0, 2**32 - 1))), small(task, lengths))


def exhaustive(p: Program, q: Program | None = None, want: int = 20):
    """The exhaustive checker's figures: good inputs per length, the smallest bad ones (enumeration order)."""
    t = p.task
    good, bad = {}, []
    for n in t.lengths:
        X = enumerate_inputs(t, n)
        ok = np.all(run(p, X) == (targets(t, X) if q is None else run(q, X)), axis=1)
        good[n] = int(ok.sum())
        bad += [list(map(int, r)) for r in X[~ok]]
    return good, bad[:want]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(causal_programs())
def test_prefix_accuracy_equals_exhaustive(p):
    r = prefix.run_prefix([p], "accuracy", None, want=20)
    assert (r.good, r.smallest_bad) == exhaustive(p)
    assert len(r.states) == max(p.task.lengths) + 1 and r.states[0] == 1
    # the states it reports are a valid bound; one less at a level with states is rejected
    assert prefix.run_prefix([p], "accuracy", r.states).good == r.good
    L = max(range(1, len(r.states)), key=lambda i: r.states[i])  # level 0 is the root (one state)
    if r.states[L]:
        with pytest.raises(Rejected, match="states at level"):
            prefix.run_prefix([p], "accuracy", [x - (i == L) for i, x in enumerate(r.states)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(causal_programs(), st.integers(0, 3), st.data())
def test_prefix_equivalence_equals_exhaustive(p, how, data):
    """Two programs: the same, one predicate entry flipped, one MLP entry changed, or another causal tie rule."""
    q = p
    rnd = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    heads = [(li, hi) for li, L in enumerate(p.layers) for hi in range(len(L.cat_heads))]
    mlps = [(li, mi) for li, L in enumerate(p.layers) for mi in range(len(L.mlps))]
    if how == 1 and heads:
        li, hi = heads[int(rnd.integers(len(heads)))]
        h = p.layers[li].cat_heads[hi]
        pred = h.pred.copy()
        a, b = rnd.integers(0, p.k, 2)
        pred[a, b] = ~pred[a, b]
        L = p.layers[li]
        q = replace(p, layers=p.layers[:li] + (replace(L, cat_heads=L.cat_heads[:hi] + (replace(h, pred=pred),)
                                                       + L.cat_heads[hi + 1:]),) + p.layers[li + 1:])
    elif how == 2 and mlps:
        li, mi = mlps[int(rnd.integers(len(mlps)))]
        m = p.layers[li].mlps[mi]
        tab = m.table.copy()
        a, b = rnd.integers(0, p.k, 2)
        tab[a, b] = (tab[a, b] + 1) % p.k
        L = p.layers[li]
        q = replace(p, layers=p.layers[:li] + (replace(L, mlps=L.mlps[:mi] + (replace(m, table=tab),)
                                                       + L.mlps[mi + 1:]),) + p.layers[li + 1:])
    elif how == 3:
        q = replace(p, tie_rule=CAUSAL[int(rnd.integers(len(CAUSAL)))])
    r = prefix.run_prefix([p, q], "equivalence", None, want=20)
    assert (r.good, r.smallest_bad) == exhaustive(p, q)


def test_dyck_automaton_equals_targets():
    rng = np.random.default_rng(0)
    for name in ("dyck1", "dyck2"):
        t = TASKS[name]
        m = len(t.content)
        X = rng.integers(0, m, (3000, 15))
        X[:1000, :8] = np.where(np.arange(8) % 2 == 0, 0, 1)  # balanced starts, so the stack matters
        if m == 4:
            X[1000:2000, :6] = [0, 2, 3, 2, 3, 1]
        e = np.full(len(X), dyck_root(t))
        labs = []
        for i in range(15):
            e, lab = dyck_step(t, e, X[:, i])
            labs.append(lab)
        assert (np.stack(labs, axis=1) == targets(t, X)).all()


def test_prefix_refuses_non_causal():
    t = small("dyck2", (4,))
    p = Program(t, 16, "printer", (), 1, tuple([[0] * 16] * 3 for _ in range(2)), ([0] * 3,), [0, 0, 1])
    assert "not causal" in prefix.refusal([p])
    with pytest.raises(InputError, match="does not apply"):
        prefix.run_prefix([p], "accuracy", None)
    h = Program(TASKS["hist-small"], 8, "nearest", (), 1, tuple([[0] * 8] * 4 for _ in range(2)), ([0] * 4,),
                [0] * 4)
    assert "not a causal task" in prefix.refusal([h])


# ---------------------------------------------------------------- structural program-equivalence
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(causal_programs(lengths=(1, 2, 3, 4)), st.integers(1, 5))
def test_structural_canonical_form(p, c):
    """Positive scaling of the classifier and the order of numerical-MLP entries are not structure; the labels
    are the same. Any single edit of a table is structure."""
    q = replace(p, den=p.den * c + 1, w_cat=tuple([[x * c for x in r] for r in w] for w in p.w_cat),
                w_num=tuple([x * c for x in w] for w in p.w_num), bias=[x * c for x in p.bias],
                layers=tuple(replace(L, num_mlps=tuple(replace(m, keys=m.keys[::-1], outs=m.outs[::-1])
                                                       for m in L.num_mlps)) for L in p.layers))
    assert structural.first_difference(p, q) is None
    assert exhaustive(p, q)[1] == []
    heads = [(li, hi) for li, L in enumerate(p.layers) for hi in range(len(L.cat_heads))]
    if heads:
        li, hi = heads[0]
        h = p.layers[li].cat_heads[hi]
        pred = h.pred.copy()
        pred[0, 0] = ~pred[0, 0]
        L = p.layers[li]
        e = replace(p, layers=p.layers[:li] + (replace(L, cat_heads=(replace(h, pred=pred),) + L.cat_heads[1:]),)
                    + p.layers[li + 1:])
        assert structural.first_difference(p, e) == f"layer {li} categorical heads"
    assert structural.first_difference(p, replace(p, bias=[p.bias[0] + 1] + p.bias[1:])) is not None
    other = "nearest" if p.tie_rule != "nearest" else "earliest"
    assert structural.first_difference(p, replace(p, tie_rule=other)) == "tie rule"


# ---------------------------------------------------------------- certificates through the CLI
@pytest.fixture(scope="module")
def dyck1_program(tmp_path_factory):
    """A random causal dyck1 program IR (32,768 inputs: the exhaustive checker is the reference) that gets some
    inputs right and some wrong."""
    for seed in range(1000):
        p = random_program(np.random.default_rng(seed), TASKS["dyck1"])
        if 0 < exhaustive(p)[0][15] < TASKS["dyck1"].size():
            break
    d = tmp_path_factory.mktemp("dyck1")
    (d / "p.json").write_text(json.dumps(program_to_ir(p)))
    return d, p


def test_prefix_certificate_equals_exhaustive_certificate(dyck1_program):
    d, p = dyck1_program
    for method in ("exhaustive", "prefix"):
        r = cli("prove", d / "p.json", "--strategy", "task-accuracy", "--param", f"method={method}", "--out",
                d / f"{method}.json", "--json")
        assert r.returncode == 0, r.stderr
    ex, pr = (json.loads((d / f"{m}.json").read_text()) for m in ("exhaustive", "prefix"))
    assert ex["claim"] == pr["claim"] and ex["hints"] == {} and len(pr["hints"]["prefix_states"]) == 16
    assert pr["claim"]["correct_at_least"] == exhaustive(p)[0][15]
    a, b = verify(d / "exhaustive.json"), verify(d / "prefix.json")
    assert a.verified_correct == b.verified_correct == pr["claim"]["correct_at_least"]
    assert b.details["method"] == "prefix" and b.details["prefix_states"] == pr["hints"]["prefix_states"]
    r = cli("check", d / "prefix.json", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["details"]["smallest_failing"] == pr["claim"]["smallest_failing"]
    r = cli("audit", d / "prefix.json")
    assert r.returncode == 0 and "distinct program states" in r.stdout and "Enumerate the whole" not in r.stdout


def _edit(src: Path, dst: Path, f) -> Path:
    doc = json.loads(src.read_text())
    f(doc)
    dst.write_text(json.dumps(doc))
    return dst


def test_prefix_certificate_tampered(dyck1_program, tmp_path):
    d, p = dyck1_program
    src = d / "prefix.json"
    if not src.exists():
        assert cli("prove", d / "p.json", "--strategy", "task-accuracy", "--param", "method=prefix", "--out",
                   src).returncode == 0
    doc = json.loads(src.read_text())
    n_states = doc["hints"]["prefix_states"]
    L = max(range(1, len(n_states)), key=lambda i: n_states[i])

    def plus1(doc):
        doc["claim"]["correct_at_least"] += 1

    def per1(doc):
        doc["claim"]["per_length"][0][1] += 1

    def inc1(doc):
        doc["claim"]["incorrect_at_least"] += 1

    def fail_edit(doc):
        doc["claim"]["smallest_failing"] = doc["claim"]["smallest_failing"][1:]

    def fail_swap(doc):
        f = doc["claim"]["smallest_failing"]
        f[0], f[-1] = f[-1], f[0]

    def states_low(doc):
        doc["hints"]["prefix_states"][L] -= 1

    for f in (plus1, per1, inc1, fail_edit, fail_swap, states_low):
        r = cli("check", _edit(src, tmp_path / "c.json", f), "--model", d / "p.json")
        assert r.returncode == 1, (f.__name__, r.stdout, r.stderr)
        assert len((r.stdout + r.stderr).strip().splitlines()) >= 1
    for bad in ([1] * 15, [1] * 15 + ["2"], [1] * 15 + [-1], [1] * 15 + [True], "16", [1] * 15 + [1 << 40]):
        r = cli("check", _edit(src, tmp_path / "c.json", lambda doc: doc["hints"].__setitem__("prefix_states", bad)),
                "--model", d / "p.json")
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, (bad, r.stderr)
    r = cli("check", _edit(src, tmp_path / "c.json", lambda doc: doc["hints"].__setitem__("extra", 1)),
            "--model", d / "p.json")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    # an edited program (one predicate entry) under the same certificate: hash mismatch
    ir = json.loads((d / "p.json").read_text())
    heads = [h for L in ir["layers"] for h in L["cat_heads"]]
    if heads:
        heads[0]["pred"][0][0] ^= 1
        (tmp_path / "p2.json").write_text(json.dumps(ir))
        with pytest.raises(Rejected, match="SHA-256"):
            verify(src, tmp_path / "p2.json")


def test_prefix_work_bound_refuses_before_work(dyck1_program, tmp_path):
    d, p = dyck1_program
    src = d / "prefix.json"
    if not src.exists():
        assert cli("prove", d / "p.json", "--strategy", "task-accuracy", "--param", "method=prefix", "--out",
                   src).returncode == 0
    big = _edit(src, tmp_path / "big.json", lambda doc: doc["hints"].__setitem__("prefix_states",
                                                                                  [prefix.MAX_STATES] * 16))
    t0 = time.process_time()
    with pytest.raises(InputError, match="GiB of states"):
        verify(big, d / "p.json")
    mid = _edit(src, tmp_path / "mid.json", lambda doc: doc["hints"].__setitem__("prefix_states", [200000] * 16))
    with pytest.raises(InputError, match="work units"):
        verify(mid, d / "p.json", limits=limits.Limits(max_work=10**8))
    assert time.process_time() - t0 < 2
    with pytest.raises(InputError, match="prefix states"):
        verify(src, d / "p.json", limits=limits.Limits(max_work=10))


def test_prefix_refused_for_non_causal_certificates(tmp_path):
    """hist-small is not causal: a prefix hint is refused with one line (exit 2), the prover too."""
    t = TASKS["hist-small"]
    p = Program(t, 8, "nearest", (), 1, tuple([[0] * 8] * 4 for _ in range(2)), ([0] * 4,), [0, 0, 1, 0])
    (tmp_path / "p.json").write_text(json.dumps(program_to_ir(p)))
    r = cli("prove", tmp_path / "p.json", "--strategy", "task-accuracy", "--param", "method=prefix", "--out",
            tmp_path / "c.json")
    assert r.returncode == 2 and "does not apply" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert cli("prove", tmp_path / "p.json", "--strategy", "task-accuracy", "--out", tmp_path / "c.json").returncode == 0
    r = cli("check", _edit(tmp_path / "c.json", tmp_path / "c2.json",
                           lambda doc: doc["hints"].__setitem__("prefix_states", [1] * 5)))
    assert r.returncode == 2 and "does not apply" in r.stderr
    r = cli("prove", tmp_path / "p.json", "--strategy", "task-accuracy", "--param", "method=magic", "--out",
            tmp_path / "c.json")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- program-equivalence on a trained dyck1 model
@pytest.fixture(scope="module")
def dyck1_model(tmp_path_factory):
    from pybridge.families.tprog.model import TProgConfig, train

    d = tmp_path_factory.mktemp("dyck1m")
    train(TProgConfig("dyck1", layers=1, cat_heads=1, num_heads=1, mlps=1, hidden=16), seed=0,
          out=d / "m.safetensors", epochs=1)
    return d


def test_equivalence_methods_on_a_model(dyck1_model, tmp_path):
    d = dyck1_model
    docs = {}
    for method in ("structural", "prefix", "exhaustive", "auto"):
        r = cli("prove", d / "m.safetensors", "--strategy", "program-equivalence", "--param", f"method={method}",
                "--out", tmp_path / f"{method}.json")
        assert r.returncode == 0, r.stderr
        docs[method] = json.loads((tmp_path / f"{method}.json").read_text())
        res = verify(tmp_path / f"{method}.json", d / "m.safetensors")
        assert res.details["method"] == ("structural" if method == "auto" else method)
    assert docs["auto"]["hints"]["method"] == "structural" and "prefix_states" in docs["prefix"]["hints"]
    assert all(doc["claim"] == docs["exhaustive"]["claim"] for doc in docs.values())
    ir = docs["exhaustive"]["hints"]["program"]
    # the model's program under another causal tie rule: structural refuses; on inputs (prefix, exhaustive) the
    # checker finds the difference exactly when the exhaustive one does
    from pybridge.check.tprog.program import parse_program

    for rule in ("self-first", "earliest", "printer-causal", "nearest-bos"):
        other = {**ir, "tie_rule": rule}
        same = exhaustive(parse_program(ir), parse_program(other))[1] == []
        for method in ("structural", "prefix", "exhaustive"):
            doc = json.loads(json.dumps(docs[method]))
            doc["hints"]["program"] = other
            doc["claim"]["program_sha256"] = ir_sha256(other)
            p = tmp_path / "t.json"
            p.write_text(json.dumps(doc))
            if method == "structural" or not same:
                with pytest.raises(Rejected, match="differs"):
                    verify(p, d / "m.safetensors")
            else:
                assert verify(p, d / "m.safetensors").verified_correct == TASKS["dyck1"].size()
    # a hint that says structural on an IR with one predicate entry flipped: rejected
    edited = json.loads(json.dumps(ir))
    heads = [h for L in edited["layers"] for h in L["cat_heads"] + L["num_heads"]]
    heads[0]["pred"][0][0] ^= 1
    doc = json.loads(json.dumps(docs["structural"]))
    doc["hints"]["program"] = edited
    doc["claim"]["program_sha256"] = ir_sha256(edited)
    (tmp_path / "s.json").write_text(json.dumps(doc))
    with pytest.raises(Rejected, match="structural"):
        verify(tmp_path / "s.json", d / "m.safetensors")
    for bad in ({"method": "magic"}, {"method": "structural", "prefix_states": [1] * 16}, {"method": 1}):
        doc = json.loads(json.dumps(docs["structural"]))
        doc["hints"] = {"program": ir, **bad}
        (tmp_path / "b.json").write_text(json.dumps(doc))
        with pytest.raises(InputError):
            verify(tmp_path / "b.json", d / "m.safetensors")


def test_prover_stops_at_the_checkers_memory_bound(dyck1_program, tmp_path, monkeypatch):
    """Without a hint the prover bounds the states per level by what the checker's memory bound admits; a program
    whose states exceed it gets no certificate (exit 1, one line), nothing is written."""
    d, p = dyck1_program
    monkeypatch.setattr(prefix, "MAX_MEMORY", 2 * 2 * (prefix._widths([p])[0] + 64) * 3)  # 3 states per level
    r = cli("prove", d / "p.json", "--strategy", "task-accuracy", "--param", "method=prefix", "--out",
            tmp_path / "c.json")
    assert r.returncode == 1 and "too large for the prefix pass" in r.stdout + r.stderr
    assert not (tmp_path / "c.json").exists()


# ---------------------------------------------------------------- the capped pass: a sound lower bound
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(causal_programs(), st.sampled_from([1, 2, 3, 5, 8]))
def test_prefix_cap_is_a_lower_bound(p, cap):
    """With at most `cap` states kept per level: good <= the exhaustive good count, proven failing <= the exhaustive
    failing count, per length; equal (and the same smallest failing inputs) when the cap is not hit."""
    t = p.task
    good, bad = exhaustive(p)
    r = prefix.run_prefix([p], "accuracy", None, want=20, cap=cap)
    assert all(s <= cap for s in r.states) and r.states[0] == 1
    for n in t.lengths:
        assert 0 <= r.good[n] <= good[n] and 0 <= r.failing[n] <= t.size(n) - good[n]
    hit = any(b > cap for b in r.before_cap)
    assert r.exact == (not any(r.dropped))
    if not hit:
        assert r.exact and (r.good, r.smallest_bad) == (good, bad)
        assert all(r.failing[n] == t.size(n) - good[n] for n in t.lengths)
    if not r.exact:
        assert r.smallest_bad == [] and hit
    # the uncapped pass's states: a cap at their maximum drops nothing
    full = prefix.run_prefix([p], "accuracy", None, want=20)
    same = prefix.run_prefix([p], "accuracy", None, want=20, cap=max(full.states))
    assert same.exact and (same.good, same.smallest_bad, same.states) == (full.good, full.smallest_bad, full.states)
    # deterministic: the kept counts it reports are a valid hint, and the rerun recomputes the same figures
    again = prefix.run_prefix([p], "accuracy", r.states, want=0, cap=cap)
    assert (again.states, again.good, again.failing) == (r.states, r.good, r.failing)


def test_prefix_cap_keeps_largest_multiplicity():
    """Cap 1 keeps the level's state of largest multiplicity: at level 1 its count is at least the mean multiplicity
    (good length-1 inputs / states), and the dropped prefixes are exactly the other good ones."""
    for seed in range(200):
        p = random_program(np.random.default_rng(seed), small("dyck2", (1, 2, 3)))
        full = prefix.run_prefix([p], "accuracy", None)
        if full.states[1] >= 2 and full.good[1] >= 2:
            break
    r = prefix.run_prefix([p], "accuracy", None, cap=1)
    good1 = exhaustive(p)[0][1]
    assert r.good[1] <= good1 and r.dropped[1] == good1 - r.good[1]
    assert r.good[1] >= good1 / full.states[1]  # the largest of the level's multiplicities is at least their mean


@pytest.fixture(scope="module")
def capped(dyck1_program):
    """A capped certificate of the dyck1 program whose cap is hit: the smallest cap that drops states."""
    d, p = dyck1_program
    full = prefix.run_prefix([p], "accuracy", None)
    cap = max(1, max(full.states) // 3)
    r = cli("prove", d / "p.json", "--strategy", "task-accuracy", "--param", "method=prefix", "--param",
            f"cap={cap}", "--out", d / "capped.json", "--json")
    assert r.returncode == 0, r.stderr
    return d / "capped.json", cap, full


def test_prefix_cap_certificate(dyck1_program, capped):
    d, p = dyck1_program
    src, cap, full = capped
    doc = json.loads(src.read_text())
    good = full.good  # the exact pass (= the exhaustive counts: test_prefix_accuracy_equals_exhaustive)
    total = TASKS["dyck1"].size()
    c = doc["claim"]
    assert doc["hints"]["prefix_cap"] == cap and max(doc["hints"]["prefix_states"]) <= cap
    assert c["correct_at_least"] <= good[15] and c["incorrect_at_least"] <= total - good[15]
    assert c["correct_at_least"] + c["incorrect_at_least"] < total and c["smallest_failing"] == []
    res = verify(src)
    assert res.verified_correct == c["correct_at_least"] and res.details["exact"] is False
    assert "lower bound" in res.describe() and "undecided" in res.describe()
    r = cli("check", src, "--json")
    assert r.returncode == 0, r.stderr
    # a cap the program never hits: the exact certificate's numbers (an exact certificate carries no cap)
    r = cli("prove", d / "p.json", "--strategy", "task-accuracy", "--param", "method=prefix", "--param",
            f"cap={max(full.states)}", "--out", d / "uncapped.json")
    ex = json.loads((d / "uncapped.json").read_text())
    assert r.returncode == 0 and "prefix_cap" not in ex["hints"] and ex["claim"]["correct_at_least"] == good[15]
    # prover usage: cap with the exhaustive method, a malformed cap
    for bad in (["--param", "method=exhaustive", "--param", "cap=3"], ["--param", "cap=0"], ["--param", "cap=x"]):
        r = cli("prove", d / "p.json", "--strategy", "task-accuracy", *bad, "--out", d / "no.json")
        assert r.returncode == 2, bad


def test_prefix_cap_audit_says_lower_bound(dyck1_program, capped):
    """`pybridge audit` of a capped certificate names the cap and counts the undecided inputs as given away."""
    from pybridge.audit import audit

    d, _ = dyck1_program
    src, cap, _ = capped
    r = audit(src, d / "p.json")
    walk = next(s for s in r["steps"] if s["python"].startswith("check.tprog.prefix"))
    count = r["steps"][-1]
    assert f"at most {cap} states per level" in walk["step"] and "lower bound" in count["step"]
    assert walk["gives_away"] == count["numbers"]["undecided"] > 0
    assert count["numbers"]["correct"] + count["numbers"]["failing"] + count["numbers"]["undecided"] == TASKS["dyck1"].size()


def test_prefix_cap_certificate_tampered(dyck1_program, capped, tmp_path):
    d, p = dyck1_program
    src, cap, _ = capped

    def plus1(doc):
        doc["claim"]["correct_at_least"] += 1

    def per1(doc):
        doc["claim"]["per_length"][0][1] += 1

    def inc1(doc):
        doc["claim"]["incorrect_at_least"] += 1

    def listed(doc):  # a failing input listed although states were dropped
        doc["claim"]["smallest_failing"] = [["("] * 15]

    def cap_up(doc):  # another cap: another kept set; the claim is no longer the recomputed bound (or the hint fails)
        doc["hints"]["prefix_cap"] = 1

    for f in (plus1, per1, inc1, listed, cap_up):
        r = cli("check", _edit(src, tmp_path / "c.json", f), "--model", d / "p.json")
        assert r.returncode == 1, (f.__name__, r.stdout, r.stderr)
    for bad in (0, -1, "3", True, 1.5, None, prefix.MAX_STATES + 1, [cap]):
        r = cli("check", _edit(src, tmp_path / "c.json", lambda doc: doc["hints"].__setitem__("prefix_cap", bad)),
                "--model", d / "p.json")
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, (bad, r.stderr)
    r = cli("check", _edit(src, tmp_path / "c.json", lambda doc: doc["hints"].pop("prefix_states")),
            "--model", d / "p.json")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    # the exact certificate with the capped one's claim: the exact pass has it as a valid (weaker) claim
    with pytest.raises(InputError, match="cap"):
        prefix.run_prefix([p, p], "equivalence", None, cap=cap)
