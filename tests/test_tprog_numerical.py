"""Transformer Programs with numerical components (issue 12): numerical MLPs in the IR (version 2), the discrete
model, the checker, decompile and import-tprog; the printer's causal select_closest (`printer-causal`).

- random programs with numerical MLPs: IR semantics = slow reference = decompiled program (tests/test_tprog.py
  property tests draw numerical MLPs too); here: random networks with numerical MLPs, forward = discrete program;
- a program in the authors' printed format with numerical heads and MLPs (written here, executed here as plain
  Python: our own text) = its imported IR on every input, for both select_closest shapes;
- tampered numerical MLP tables rejected; the Coq and Lean exports accept numerical MLPs; schema strictness.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pybridge.check import Rejected, verify
from pybridge.check.errors import InputError
from pybridge.check.tprog.program import Head, Layer, NumMlp, Program, ir_sha256, parse_program, program_to_ir, run
from pybridge.check.tprog.tasks import TASKS, enumerate_inputs

from test_tprog import PRINTER_HELPERS, all_inputs, batch_run, cli, ref_run


# ---------------------------------------------------------------- schema
def _tiny(num_mlps=True) -> Program:
    t = TASKS["hist-small"]
    k, C = 8, 4
    h = Head(0, 0, 0, np.eye(k, dtype=bool))
    nm = (NumMlp(1, 1, np.array([[1, 1], [2, 2]], np.int64), np.array([3, 1], np.int64), 0),) if num_mlps else ()
    L = Layer((), (h,), (), nm)
    ncat = 2 + len(nm)
    return Program(t, k, "nearest", (L,), 1, tuple([[c * x for x in range(k)] for c in range(C)] for _ in range(ncat)),
                   ([0] * C, [1, 2, 3, 4]), [0] * C)


def test_ir_versions_and_schema():
    ir1 = program_to_ir(_tiny(False))
    assert ir1["version"] == 1 and "num_mlps" not in ir1["layers"][0]  # unchanged IR (and hash) without them
    ir2 = program_to_ir(_tiny(True))
    assert ir2["version"] == 2 and ir2["layers"][0]["num_mlps"][0]["table"] == [[1, 1, 3], [2, 2, 1]]
    p = parse_program(json.loads(json.dumps(ir2)))
    assert (run(p, enumerate_inputs(p.task, 3)) == run(_tiny(True), enumerate_inputs(p.task, 3))).all()

    def bad(edit, match):
        doc = json.loads(json.dumps(ir2))
        edit(doc)
        with pytest.raises(InputError, match=match):
            parse_program(doc)
    bad(lambda d: d.update(version=1), "exactly the keys")  # version 1 has no num_mlps
    bad(lambda d: d["layers"][0].pop("num_mlps"), "exactly the keys")
    bad(lambda d: d.update(version=True), "version 1 or 2")
    bad(lambda d: d["layers"][0]["num_mlps"][0]["table"].append([1, 1, 2]), "twice")
    bad(lambda d: d["layers"][0]["num_mlps"][0]["table"][0].__setitem__(2, 8), "0..7")
    bad(lambda d: d["layers"][0]["num_mlps"][0]["table"][0].__setitem__(0, -1), "key")
    bad(lambda d: d["layers"][0]["num_mlps"][0].__setitem__("a", 2), r"\.a")  # only ones + 1 head exist
    bad(lambda d: d["layers"][0]["num_mlps"][0].__setitem__("default", "0"), "default")
    bad(lambda d: d.update(tie_rule="printer-noncausal"), "tie_rule")


def test_numerical_mlp_lookup_default():
    p = _tiny(True)
    X = np.array([[0, 0, 1], [0, 1, 2], [0, 0, 0]])
    # counts of the own token (the head: same token, position 0 excluded): the MLP maps 1 -> 3, 2 -> 1, else 0
    assert ref_run(p, [0, 0, 1]) == run(p, X[:1]).tolist()[0]
    assert [ref_run(p, list(r)) for r in X] == run(p, X).tolist()


# ---------------------------------------------------------------- random networks with numerical MLPs
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(task=st.sampled_from(["hist-small", "sort-small"]), seed=st.integers(0, 2**31 - 1), layers=st.integers(1, 2),
       nh=st.integers(1, 2), nu=st.integers(1, 2))
def test_random_network_with_numerical_mlps_forward_equals_discrete_program(tmp_path_factory, task, seed, layers, nh, nu):
    from pybridge.check.tprog.model import load_model
    from pybridge.check.tprog.tasks import token_ids
    from pybridge.families.tprog.model import TProgConfig, TProgNet, save_model, to_tensors

    cfg = TProgConfig(task, layers, 1, nh, 1, hidden=8, num_mlps=nu)
    net = TProgNet(cfg, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        for name, v in to_tensors(net).items():
            net.w(name).copy_(v)
    path = save_model(net, tmp_path_factory.mktemp("rndnum") / "m.safetensors")
    prog, _, _ = load_model(path)
    assert sum(len(L.num_mlps) for L in prog.layers) == layers * nu
    t = prog.task
    for n in t.lengths:
        X = enumerate_inputs(t, n)
        with torch.no_grad():
            logits = net(torch.tensor(token_ids(t, X)), 1e-4, None)[:, 1:n + 1]
        top2 = torch.topk(logits, 2, dim=-1).values
        clear = (top2[..., 0] - top2[..., 1] > 1e-4).numpy()
        assert ((logits.argmax(-1).numpy() == run(prog, X)) | ~clear).all()
    ir = program_to_ir(prog)
    assert batch_run(parse_program(json.loads(json.dumps(ir)))) == batch_run(prog)


# ---------------------------------------------------------------- a trained model with numerical MLPs
@pytest.fixture(scope="module")
def trained_num(tmp_path_factory):
    from pybridge.families.tprog.model import TProgConfig, train

    d = tmp_path_factory.mktemp("tprognum")
    train(TProgConfig("hist-small", layers=1, cat_heads=1, num_heads=1, mlps=0, hidden=16, num_mlps=1), seed=1,
          out=d / "m.safetensors", epochs=15)
    return d


def test_numerical_model_certificates_decompile_and_tampering(trained_num, tmp_path):
    d = trained_num
    m = d / "m.safetensors"
    for s, out in (("task-accuracy", "acc.json"), ("program-equivalence", "eq.json")):
        r = cli("prove", m, "--strategy", s, "--out", d / out, "--json")
        assert r.returncode == 0, r.stderr
        assert cli("check", d / out).returncode == 0
    acc = json.loads((d / "acc.json").read_text())["claim"]["correct_at_least"]
    eq = json.loads((d / "eq.json").read_text())
    ir = eq["hints"]["program"]
    assert ir["version"] == 2 and ir["layers"][0]["num_mlps"]
    prog = parse_program(ir)
    # the decompiled program, executed as plain Python on every input, is right exactly `acc` times
    assert cli("decompile", m, "--out", d / "prog.py").returncode == 0
    ns: dict = {}
    exec(compile((d / "prog.py").read_text(), "prog.py", "exec"), ns)  # our own generated text
    t = prog.task
    from test_tprog import ref_target
    right = 0
    for s in all_inputs(t.name):
        lab = ns["run"](["<s>"] + [t.content[x] for x in s])
        right += [t.classes.index(c) for c in lab[1:len(s) + 1]] == ref_target(t.name, s)
    assert right == acc
    # tampered numerical MLP: an entry's output, a dropped entry, the default (hash recomputed) -> rejected
    base = batch_run(prog)
    nm = ir["layers"][0]["num_mlps"][0]
    edits = [("default", lambda m: m.__setitem__("default", (m["default"] + 1) % 8))]
    for e in range(len(nm["table"])):
        edits.append((f"out{e}", lambda m, e=e: m["table"][e].__setitem__(2, (m["table"][e][2] + 1) % 8)))
        edits.append((f"drop{e}", lambda m, e=e: m["table"].pop(e)))
    rejected = 0
    for name, edit in edits:
        doc = json.loads(json.dumps(eq))
        edit(doc["hints"]["program"]["layers"][0]["num_mlps"][0])
        if batch_run(parse_program(doc["hints"]["program"])) == base:
            continue  # an edit on a pair no input reaches: same program semantics
        doc["claim"]["program_sha256"] = ir_sha256(doc["hints"]["program"])
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
        with pytest.raises(Rejected, match="differs"):
            verify(tmp_path / f"{name}.json", m)
        rejected += 1
    assert rejected >= 1
    # the Coq and Lean exports cover numerical MLPs (compiled by tests/test_coq_tprog.py)
    r = cli("export", d / "acc.json", "--coq", tmp_path / "coq", "--lean", tmp_path / "lean")
    assert r.returncode == 0, r.stderr
    assert "mn_W1x" in "".join(v.read_text() for v in (tmp_path / "coq").glob("*.v"))


# ---------------------------------------------------------------- the authors' printed format, numerical parts
RUN = '''

def classify(scores):
    out = []
    for i in range(len(scores["tokens"])):
        logits = [sum((W.get((f, "_"), ZERO)[c] * v[i] if f.startswith("num_attn") or f == "ones"
                       else W.get((f, str(v[i])), ZERO)[c]) for f, v in scores.items()) for c in range(len(CLS))]
        out.append(CLS[logits.index(max(logits))])
    return out


def run(tokens):
    positions = list(range(len(tokens)))
    ones = [1 for _ in range(len(tokens))]

    def predicate_0_0(q_token, k_token):
        if q_token in {"0", "1"}:
            return k_token == "2"
        elif q_token in {"2"}:
            return k_token == "<s>"

    attn_0_0_pattern = select_closest(tokens, tokens, predicate_0_0)
    attn_0_0_outputs = aggregate(attn_0_0_pattern, positions)

    def num_predicate_0_0(q_token, k_token):
        if q_token in {"0"}:
            return k_token == "0"
        elif q_token in {"1", "2"}:
            return k_token == "1"
        elif q_token in {"<s>"}:
            return k_token == "<s>"

    num_attn_0_0_pattern = select(tokens, tokens, num_predicate_0_0)
    num_attn_0_0_outputs = aggregate_sum(num_attn_0_0_pattern, ones)

    def num_mlp_0_0(num_attn_0_0_output):
        key = num_attn_0_0_output
        if key in {0, 1}:
            return 2
        elif key in {3}:
            return 5
        return 1

    num_mlp_0_0_outputs = [num_mlp_0_0(k0) for k0 in num_attn_0_0_outputs]

    def predicate_1_0(position, num_mlp_0_0_output):
        if position in {1, 2}:
            return num_mlp_0_0_output == 2
        elif position in {3, 4, 0}:
            return num_mlp_0_0_output == 5

    attn_1_0_pattern = select_closest(num_mlp_0_0_outputs, positions, predicate_1_0)
    attn_1_0_outputs = aggregate(attn_1_0_pattern, tokens)

    def num_predicate_1_0(attn_0_0_output, token):
        if attn_0_0_output in {0, 3}:
            return token == "1"
        elif attn_0_0_output in {2}:
            return token == "2"

    num_attn_1_0_pattern = select(tokens, attn_0_0_outputs, num_predicate_1_0)
    num_attn_1_0_outputs = aggregate_sum(num_attn_1_0_pattern, num_attn_0_0_outputs)

    def mlp_1_0(attn_1_0_output, num_mlp_0_0_output):
        key = (attn_1_0_output, num_mlp_0_0_output)
        if key in {("0", 2), ("1", 5)}:
            return 4
        return 0

    mlp_1_0_outputs = [mlp_1_0(k0, k1) for k0, k1 in zip(attn_1_0_outputs, num_mlp_0_0_outputs)]

    def num_mlp_1_0(num_attn_1_0_output, num_attn_0_0_output):
        key = (num_attn_1_0_output, num_attn_0_0_output)
        if key in {(0, 1), (2, 2), (4, 1), (1, 0)}:
            return 3
        elif key in {(1, 1), (0, 0)}:
            return 0
        return 6

    num_mlp_1_0_outputs = [num_mlp_1_0(k0, k1) for k0, k1 in zip(num_attn_1_0_outputs, num_attn_0_0_outputs)]
    return classify({"tokens": tokens, "positions": positions, "ones": ones, "attn_0_0_outputs": attn_0_0_outputs,
                     "num_attn_0_0_outputs": num_attn_0_0_outputs, "num_mlp_0_0_outputs": num_mlp_0_0_outputs,
                     "attn_1_0_outputs": attn_1_0_outputs, "num_attn_1_0_outputs": num_attn_1_0_outputs,
                     "mlp_1_0_outputs": mlp_1_0_outputs, "num_mlp_1_0_outputs": num_mlp_1_0_outputs})
'''


def _csv(seed: int) -> str:
    rng = np.random.default_rng(seed)
    feats = [("tokens", ["0", "1", "2", "<s>"]), ("positions", [str(i) for i in range(8)]), ("ones", ["_"]),
             ("attn_0_0_outputs", [str(i) for i in range(8)]), ("num_attn_0_0_outputs", ["_"]),
             ("num_mlp_0_0_outputs", [str(i) for i in range(8)]), ("attn_1_0_outputs", ["0", "1", "2", "<s>"]),
             ("num_attn_1_0_outputs", ["_"]), ("mlp_1_0_outputs", [str(i) for i in range(8)]),
             ("num_mlp_1_0_outputs", [str(i) for i in range(8)])]
    lines = ["feature,value,1,2,3,4"]
    for f, vals in feats:
        for v in vals:
            lines.append(f"{f},{v}," + ",".join(f"{x / 1000:.3f}" for x in rng.integers(-3000, 3000, 4)))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_import_numerical_printed_program_equals_it_executed(tmp_path, causal, seed):
    helpers = PRINTER_HELPERS
    if causal:  # the printer's shape for causal tasks
        helpers = helpers.replace("enumerate(keys) if", "enumerate(keys[: i + 1]) if").replace(
            "[[predicate(q, k) for k in keys] for q in queries]",
            "[[predicate(q, k) for k in keys[: i + 1]] for i, q in enumerate(queries)]")
    csv_text = _csv(seed)
    (tmp_path / "p.py").write_text(helpers + RUN)
    (tmp_path / "p_weights.csv").write_text(csv_text)
    r = cli("import-tprog", tmp_path / "p.py", "--task", "hist-small", "--out", tmp_path / "p.json", "--json")
    assert r.returncode == 0, r.stderr
    ir = json.loads((tmp_path / "p.json").read_text())
    assert ir["version"] == 2 and ir["tie_rule"] == ("printer-causal" if causal else "printer")
    p = parse_program(ir)
    # execute the printed text (ours, written above) with an exact classifier over the same CSV
    W = {}
    for line in csv_text.splitlines()[1:]:
        f, v, *ws = line.split(",")
        W[(f, v)] = [Fraction(x) for x in ws]
    ns = {"W": W, "ZERO": [0, 0, 0, 0], "CLS": ["1", "2", "3", "4"]}
    exec(compile(helpers + RUN, "printed.py", "exec"), ns)
    t = p.task
    got = batch_run(p)
    for s, g in zip(all_inputs(t.name), got):
        lab = ns["run"](["<s>"] + [str(x) for x in s])
        assert [t.classes.index(c) for c in lab[1:]] == g, s
        assert ref_run(p, s) == g


def test_import_refuses_unknown_helper_shapes(tmp_path):
    (tmp_path / "p_weights.csv").write_text(_csv(0))
    # a head reading a variable its own layer writes (not a transformer program)
    (tmp_path / "p.py").write_text(PRINTER_HELPERS + RUN.replace("select(tokens, attn_0_0_outputs, num_predicate_1_0)",
                                                                 "select(tokens, attn_1_0_outputs, num_predicate_1_0)"))
    r = cli("import-tprog", tmp_path / "p.py", "--task", "hist-small", "--out", tmp_path / "p.json")
    assert r.returncode == 2 and "num_attn_1_0_outputs: reads a variable not defined before its layer" in r.stderr
    for old, new in (("len(matches) if j == i else abs(i - j)", "abs(i - j)"),
                     ("enumerate(keys) if", "enumerate(keys[1:]) if"),
                     ("[[predicate(q, k) for k in keys] for q in queries]",
                      "[[predicate(q, k) for k in keys[: i + 1]] for i, q in enumerate(queries)]")):
        (tmp_path / "p.py").write_text(PRINTER_HELPERS.replace(old, new) + RUN)
        r = cli("import-tprog", tmp_path / "p.py", "--task", "hist-small", "--out", tmp_path / "p.json")
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, (old, r.stderr)
        assert not (tmp_path / "p.json").exists()


def test_shipped_v1_certificate_still_checks():
    root = Path(__file__).resolve().parent.parent / "certificates"
    for c in ("tprog-hist-l1-seed0.task-accuracy.json", "tprog-hist-l1-seed0.program-equivalence.json"):
        assert verify(root / c).verified_correct > 0  # raises Rejected / InputError otherwise


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=__import__("test_tprog").programs(task="dyck1"), L=st.integers(1, 14))
def test_causal_rules_labels_depend_on_the_prefix_only(p, L):
    """The prefix argument of bench/tprog_dyck2.py: under a causal rule on a causal task, the labels at positions
    1..L of a length-15 input are the labels of its length-L prefix (every head of query i reads 0..i)."""
    from dataclasses import replace

    t = p.task
    X = enumerate_inputs(t, 15, 0, t.size(15))[np.random.default_rng(L).integers(0, t.size(15), 400)]
    causal_rule = p.tie_rule if p.tie_rule in ("nearest", "self-first", "earliest", "nearest-bos") else "printer-causal"
    p = replace(p, tie_rule=causal_rule)
    full = run(p, X)
    short = replace(p, task=replace(t, lengths=(L,)))
    assert (run(short, X[:, :L]) == full[:, :L]).all()
