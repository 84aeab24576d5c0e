"""Coq re-check of tprog certificates (coq/theories/TransformerPrograms): task-accuracy of a program IR and of a
trained model (Coq computes the model's discrete program from its integer tensors: Spec.model_program), and
program-equivalence (Spec.program_is_model), each through `verify --coq`'s strict statement check; claim + 1, an
edited program and an edited model are rejected by Coq; features the Spec does not model are refused."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, replace

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    from tprog_certs import make_certs

    d = tmp_path_factory.mktemp("coqtprog")
    out = make_certs(d, "hist-small", seed=1, epochs=15)
    return d, {k: (cert, model, res.correct) for k, (cert, model, res) in out.items()}


def _strict(cert, model, out):
    from pybridge import families
    from pybridge.check.certificate import read_certificate
    from pybridge.export.coq import verify_coq_strict

    expected = families.get("tprog").coq_expected(read_certificate(cert))
    return verify_coq_strict(cert, model, out, expected, timeout=300)


@pytest.mark.parametrize("name", ["acc", "pacc", "eq"])
def test_coq_accepts_with_the_exact_statement(certs, name, tmp_path):
    _, c = certs
    cert, model, _ = c[name]
    ok, _, why, v = _strict(cert, model, tmp_path)
    assert ok, why
    text = v.read_text()
    stmt = {"acc": "accuracy_at_least (model_program cert_model) cert_task cert_N",
            "pacc": "accuracy_at_least cert_prog cert_task cert_N",
            "eq": "program_is_model cert_prog cert_model cert_task"}[name]
    assert f"Theorem cert_correct : {stmt}." in text
    assert ("Definition cert_model" in text) == (name != "pacc")


@pytest.mark.parametrize("fixture", ["certs", "num_certs"])
@pytest.mark.parametrize("name", ["acc", "pacc"])
def test_coq_rejects_claim_plus_one(fixture, name, tmp_path, request):
    """claim + 1 on the trained model's certificates and on those with a numerical MLP (num_certs)."""
    from pybridge.export.coq import export_coq, run_coqc

    d, c = request.getfixturevalue(fixture)
    cert, model, correct = c[name]
    doc = json.loads(cert.read_text())
    doc["claim"]["correct_at_least"] = correct + 1
    bad = d / f"{name}_plus1.json"
    bad.write_text(json.dumps(doc))
    ok, _, out = run_coqc(export_coq(bad, model, tmp_path), timeout=300)
    assert not ok, out


def test_coq_rejects_an_edited_program_or_model(certs, tmp_path):
    """The Python checker would refuse these first; here the Coq file itself is edited, so Coq alone decides."""
    from pybridge.export.coq import export_coq, run_coqc

    _, c = certs
    cert, model, _ = c["eq"]
    v = export_coq(cert, model, tmp_path / "ok")
    text = v.read_text()
    # the program: every class-0 bias becomes huge, so the program labels every position 0
    prog_part, model_part = text.split("Definition cert_model")
    m = re.search(r"p_bias := \[\(([-0-9]+)\)%Z", prog_part)
    bad_prog = prog_part.replace(m.group(0), "p_bias := [(" + str(10**40) + ")%Z", 1) + "Definition cert_model" + model_part
    # the model: its classifier bias likewise (the model then labels everything 0, the program does not)
    m2 = re.search(r"md_bias := \[\(([-0-9]+)\)%Z", model_part)
    bad_model = prog_part + "Definition cert_model" + model_part.replace(m2.group(0), "md_bias := [(" + str(10**40) + ")%Z", 1)
    for i, t in enumerate((bad_prog, bad_model)):
        (tmp_path / f"bad{i}").mkdir()
        w = tmp_path / f"bad{i}" / "Bad.v"
        w.write_text(t)
        ok, _, out = run_coqc(w, timeout=300)
        assert not ok, out


def test_refuses_what_the_spec_does_not_model(certs, tmp_path):
    from pybridge.check.tprog.program import parse_program
    from pybridge.export.coq import export_coq
    from pybridge.families.tprog.export import refuse_unmodelled

    d, c = certs
    cert, _, _ = c["eq"]
    doc = json.loads(cert.read_text())
    prog = parse_program(doc["hints"]["program"])
    with pytest.raises(ValueError, match="tie rule some-new-rule"):
        refuse_unmodelled(replace(prog, tie_rule="some-new-rule"))

    @dataclass(frozen=True)
    class LayerWithMore:  # a layer with a module kind the Spec does not have (numerical MLPs it has)
        cat_heads: tuple
        num_heads: tuple
        mlps: tuple
        num_mlps: tuple
        other_modules: tuple

    L = prog.layers[0]
    p2 = replace(prog, layers=(LayerWithMore(L.cat_heads, L.num_heads, L.mlps, (), ("a module",)),))
    with pytest.raises(ValueError, match="no other_modules"):
        refuse_unmodelled(p2)
    refuse_unmodelled(replace(prog, layers=(LayerWithMore(L.cat_heads, L.num_heads, L.mlps, ("an MLP",), ()),)))
    bad = json.loads(c["acc"][0].read_text())
    bad["model_sha256"] = "0" * 64
    (d / "x.json").write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="hash"):
        export_coq(d / "x.json", d / "m.safetensors", tmp_path)


@pytest.mark.parametrize("rule", ["printer", "printer-causal", "nearest-bos", "earliest"])
def test_coq_tie_rules_count_exactly(certs, rule, tmp_path):
    """An IR under each further tie rule (the authors' printer, its causal form, <s> as a key): Coq accepts the
    checker's exact count and rejects count + 1, so Coq's semantics of the rule agrees with the checker's here."""
    from pybridge import families
    from pybridge.certio import write_json_atomic
    from pybridge.export.coq import export_coq, run_coqc

    d, _ = certs
    ir = json.loads((d / "p.json").read_text())
    ir["tie_rule"] = rule
    write_json_atomic(ir, tmp_path / "p.json")
    res = families.get("tprog").strategy("task-accuracy").prove(tmp_path / "p.json", families.ProveRequest())
    res.certificate["model"]["file"] = "p.json"
    write_json_atomic(res.certificate, tmp_path / "acc.json")
    ok, _, why, _ = _strict(tmp_path / "acc.json", tmp_path / "p.json", tmp_path / "coq")
    assert ok, why
    res.certificate["claim"]["correct_at_least"] = res.correct + 1
    write_json_atomic(res.certificate, tmp_path / "plus1.json")
    ok2, _, out = run_coqc(export_coq(tmp_path / "plus1.json", tmp_path / "p.json", tmp_path / "coq2"), timeout=300)
    assert not ok2, out


def test_coq_model_program_matches_python_tables(certs):
    """The exporter's integer tensors give, by the Spec's own rules computed here in Python, the Python checker's
    discrete program (a mirror of Spec.model_program on the argmax/MLP parts)."""
    from pybridge.check.modelfile import exact_integers, read_safetensors
    from pybridge.families.tprog.prove import load

    d, _ = certs
    prog, _, _ = load(d / "m.safetensors")
    arrays, _ = read_safetensors(d / "m.safetensors")
    k = prog.k
    s1, A = exact_integers({"W1": arrays["l0.m0.W1"], "b1": arrays["l0.m0.b1"]})
    _, B = exact_integers({"W2": arrays["l0.m0.W2"], "b2": arrays["l0.m0.b2"]})
    H = len(A["b1"])
    W1 = np.array(A["W1"], dtype=object).reshape(H, 2 * k)
    W2 = np.array(B["W2"], dtype=object).reshape(k, H)
    for a in range(k):
        for b in range(k):
            hid = [max(0, W1[h, a] + W1[h, k + b] + A["b1"][h]) for h in range(H)]
            out = [sum(W2[c, h] * hid[h] for h in range(H)) + B["b2"][c] * 2**s1 for c in range(k)]
            assert out.index(max(out)) == prog.layers[0].mlps[0].table[a, b]


COQ_WORDS = {
    "From", "Coq", "Require", "Import", "List", "ZArith", "Pybridge.TransformerPrograms", "Spec", "Check",
    "ListNotations", "Definition", "cert_prog", "cert_model", "cert_task", "cert_N", "program", "model", "task", "nat",
    "p_causal", "p_tie", "p_layers", "p_wcat", "p_wnum", "p_bias", "l_cat", "l_num", "l_mlp", "h_q", "h_k", "h_v",
    "h_pred", "m_a", "m_b", "m_table", "md_causal", "md_k", "md_layers", "md_wcat", "md_wnum", "md_bias", "ml_cat",
    "ml_num", "ml_mlp", "mh_q", "mh_k", "mh_v", "mh_pred", "mm_a", "mm_b", "mm_W1a", "mm_W1b", "mm_b1", "mm_W2",
    "mm_b2", "mm_s1", "l_nmlp", "n_a", "n_b", "n_out", "table_lookup", "ml_nmlp", "mn_a", "mn_b", "mn_W1x", "mn_W1y",
    "mn_b1", "mn_W2", "mn_b2", "mn_s1", "t_m", "t_lengths", "t_eos", "t_target", "true", "false", "Nearest", "SelfFirst", "Earliest",
    "Z", "Theorem", "cert_correct", "accuracy_at_least", "model_program", "program_is_model", "Proof", "apply",
    "check_sound", "check_equal_sound", "vm_cast_no_check", "eq_refl", "Qed", "Print", "Assumptions",
    "hist_target", "reverse_target", "sort_target", "dyck1_target", "_",
}


@pytest.mark.parametrize("numerical", [False, True])
@pytest.mark.parametrize("name", ["acc", "pacc", "eq"])
def test_coq_export_holds_only_data_and_fixed_words(request, name, numerical, tmp_path):
    from pybridge.export.coq import export_coq

    _, c = request.getfixturevalue("num_certs" if numerical else "certs")
    cert, model, _ = c[name]
    text = export_coq(cert, model, tmp_path).read_text()
    body = re.sub(r"\(\*.*?\*\)", " ", text, flags=re.S)
    words = {w.rstrip(".") for w in re.findall(r"[A-Za-z_][\w.]*", body)}
    assert words <= COQ_WORDS, words - COQ_WORDS
    rest = re.sub(r"[A-Za-z_][\w.]*|-?\d+", " ", body)
    assert set(rest) <= set(" \n[](){}|;:=%.,"), set(rest) - set(" \n[](){}|;:=%.,")
    assert text.count("Theorem ") == 1 and text.count("Qed.") == 1


def test_coq_two_layer_model_equivalence_and_accuracy(tmp_path):
    """A two-layer model with several heads (variable indices past the first layer, a numerical head reading a
    head's output): Coq's model_program equals the Python checker's discrete program on every input."""
    from pybridge import families
    from pybridge.certio import write_json_atomic
    from pybridge.families.tprog.model import TProgConfig, train

    train(TProgConfig("reverse-small", layers=2, cat_heads=2, num_heads=1, mlps=1, hidden=8), seed=4,
          out=tmp_path / "m2.safetensors", epochs=2)
    fam = families.get("tprog")
    for strat in ("program-equivalence", "task-accuracy"):
        res = fam.strategy(strat).prove(tmp_path / "m2.safetensors", families.ProveRequest())
        res.certificate["model"]["file"] = "m2.safetensors"
        write_json_atomic(res.certificate, tmp_path / f"{strat}.json")
        ok, _, why, _ = _strict(tmp_path / f"{strat}.json", tmp_path / "m2.safetensors", tmp_path / f"coq_{strat}")
        assert ok, why


# ---------------------------------------------------------------- numerical MLPs (Spec.nmlp, table_lookup, num_entry)
@pytest.fixture(scope="module")
def num_certs(tmp_path_factory):
    """A hist-small network with a numerical MLP (reads `ones` and a count, writes a categorical variable), its IR
    (version 2) and the three certificate kinds. The network is a seeded random one (short training leaves this
    small MLP constant, an empty table): here its table has two entries besides the default."""
    import torch
    from tprog_certs import write_certs

    from pybridge.certio import write_json_atomic
    from pybridge.check.tprog.program import program_to_ir
    from pybridge.families.tprog.model import TProgConfig, TProgNet, save_model, to_tensors
    from pybridge.families.tprog.prove import load

    d = tmp_path_factory.mktemp("coqtprognum")
    net = TProgNet(TProgConfig("hist-small", 1, 1, 1, 0, hidden=8, num_mlps=1), torch.Generator().manual_seed(4))
    with torch.no_grad():
        for name, v in to_tensors(net).items():
            net.w(name).copy_(v)
    save_model(net, d / "m.safetensors")
    ir = program_to_ir(load(d / "m.safetensors")[0])
    assert ir["version"] == 2 and len(ir["layers"][0]["num_mlps"][0]["table"]) == 2
    write_json_atomic(ir, d / "p.json")
    return d, {name: (cert, model, res.correct) for name, (cert, model, res) in write_certs(d).items()}


@pytest.mark.parametrize("name", ["acc", "pacc", "eq"])
def test_coq_accepts_numerical_mlps(num_certs, name, tmp_path):
    _, c = num_certs
    cert, model, _ = c[name]
    ok, _, why, v = _strict(cert, model, tmp_path)
    assert ok, why
    text = v.read_text()
    assert ("n_out := table_lookup [" in text) == (name != "acc")  # the IR's table
    assert ("mn_W1x := [" in text) == (name != "pacc")  # the model's numerical MLP, as weights
    B = re.search(r"apply \(check(?:_equal)?_sound _ _ _ (\d+)\)", text).group(1)  # the tabulation bound (a hint)
    assert (B == "0") == (name == "pacc")  # an IR alone is not tabulated; a model's network is


def test_coq_rejects_a_tampered_numerical_table(num_certs, tmp_path):
    """program-equivalence with one edited table entry (an output, or the default) that changes the program's labels
    on some input: the exporter writes it (it does not run the Python checker) and Coq alone rejects it."""
    from pybridge.check.tprog.program import ir_sha256, parse_program, run
    from pybridge.check.tprog.tasks import enumerate_inputs
    from pybridge.export.coq import export_coq, run_coqc

    d, c = num_certs
    cert, model, _ = c["eq"]
    doc = json.loads(cert.read_text())
    prog = parse_program(doc["hints"]["program"])
    t = prog.task
    X = [enumerate_inputs(t, n) for n in t.lengths]
    base = [run(prog, x) for x in X]

    def changes(ir):
        p = parse_program(ir)
        return any((run(p, x) != b).any() for x, b in zip(X, base))

    nm = doc["hints"]["program"]["layers"][0]["num_mlps"][0]
    edits = [("default", lambda m, v=v: m.__setitem__("default", v)) for v in range(prog.k) if v != nm["default"]]
    edits += [(f"out{e}", lambda m, e=e, v=v: m["table"][e].__setitem__(2, v))
              for e in range(len(nm["table"])) for v in range(prog.k) if v != nm["table"][e][2]]
    done = set()
    for name, edit in edits:
        if name in done or (name.startswith("out") and any(n.startswith("out") for n in done)):
            continue  # one edited table entry and one edited default are enough
        bad = json.loads(json.dumps(doc))
        edit(bad["hints"]["program"]["layers"][0]["num_mlps"][0])
        if not changes(bad["hints"]["program"]):
            continue  # a pair no input reaches
        bad["claim"]["program_sha256"] = ir_sha256(bad["hints"]["program"])
        (d / f"t_{name}.json").write_text(json.dumps(bad))
        ok, _, out = run_coqc(export_coq(d / f"t_{name}.json", model, tmp_path / name), timeout=300)
        assert not ok, out
        done.add(name)
    assert "default" in done and any(n.startswith("out") for n in done), done


def test_coq_memo_bound_is_only_a_hint(num_certs, tmp_path, monkeypatch):
    """B = 0 (no table: every numerical MLP evaluated by itself) gives the same verdicts: accept the exact count."""
    import pybridge.families.tprog.export as ex

    _, c = num_certs
    monkeypatch.setattr(ex, "memo_bound", lambda progs: 0)
    for name in ("acc", "eq"):
        cert, model, _ = c[name]
        ok, _, why, v = _strict(cert, model, tmp_path / name)
        assert ok, why
        assert "_ _ _ 0)" in v.read_text()


def test_coq_num_entry_matches_python_table(num_certs):
    """Spec.num_entry computed here in Python on the exporter's integers (num_mlp_integers) is the Python checker's
    numerical MLP table (and default) at every pair the checker tabulated."""
    from pybridge.check.modelfile import read_safetensors
    from pybridge.families.tprog.export import num_mlp_integers
    from pybridge.families.tprog.prove import load

    d, _ = num_certs
    prog, _, _ = load(d / "m.safetensors")
    arrays, _ = read_safetensors(d / "m.safetensors")
    s1, Wx, Wy, b1, W2, b2 = num_mlp_integers(arrays, "l0.u0.")
    nm = prog.layers[0].num_mlps[0]

    def entry(x, y):
        hid = [max(0, wx * x + wy * y + b) for wx, wy, b in zip(Wx, Wy, b1)]
        out = [sum(w * h for w, h in zip(row, hid)) + bb * 2**s1 for row, bb in zip(W2, b2)]
        return out.index(max(out))

    table = {(int(x), int(y)): int(o) for (x, y), o in zip(nm.keys.tolist(), nm.outs.tolist())}
    N = prog.task.seq_len(max(prog.task.lengths))
    bound = [1, N - 1]  # the checker's bounds (model.py): `ones`, then the head's count (position 0 is no key)
    for x in range(bound[nm.a] + 1):
        for y in range(bound[nm.b] + 1):
            if nm.a == nm.b and x != y:
                continue
            assert entry(x, y) == table.get((x, y), nm.default), (x, y)


@pytest.mark.parametrize("causal", [False, True])
def test_coq_imported_printed_program_with_numerical_mlps(causal, tmp_path):
    """A program in the authors' printed format with numerical heads and MLPs (tests/test_tprog_numerical.py's text),
    imported (tie rule printer / printer-causal): Coq accepts its exact count and rejects count + 1."""
    from test_tprog import PRINTER_HELPERS, cli
    from test_tprog_numerical import RUN, _csv

    from pybridge import families
    from pybridge.certio import write_json_atomic
    from pybridge.export.coq import export_coq, run_coqc

    helpers = PRINTER_HELPERS
    if causal:
        helpers = helpers.replace("enumerate(keys) if", "enumerate(keys[: i + 1]) if").replace(
            "[[predicate(q, k) for k in keys] for q in queries]",
            "[[predicate(q, k) for k in keys[: i + 1]] for i, q in enumerate(queries)]")
    (tmp_path / "p.py").write_text(helpers + RUN)
    (tmp_path / "p_weights.csv").write_text(_csv(0))
    r = cli("import-tprog", tmp_path / "p.py", "--task", "hist-small", "--out", tmp_path / "p.json")
    assert r.returncode == 0, r.stderr
    res = families.get("tprog").strategy("task-accuracy").prove(tmp_path / "p.json", families.ProveRequest())
    res.certificate["model"]["file"] = "p.json"
    write_json_atomic(res.certificate, tmp_path / "acc.json")
    ok, _, why, v = _strict(tmp_path / "acc.json", tmp_path / "p.json", tmp_path / "coq")
    assert ok, why
    assert v.read_text().count("table_lookup") == 2
    res.certificate["claim"]["correct_at_least"] = res.correct + 1
    write_json_atomic(res.certificate, tmp_path / "plus1.json")
    ok2, _, out = run_coqc(export_coq(tmp_path / "plus1.json", tmp_path / "p.json", tmp_path / "coq2"), timeout=300)
    assert not ok2, out


# ---------------------------------------------------------------- the shipped tprog examples
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
SHIPPED = [e for e in json.loads((ROOT / "certificates" / "index.json").read_text()) if e.get("family") == "tprog"]


@pytest.mark.parametrize("entry", [e for e in SHIPPED if e["coq"]], ids=lambda e: e["certificate"])
def test_shipped_tprog_certificates_coq(entry, tmp_path):
    """Every shipped tprog certificate marked coq: true is accepted by Coq with the exact statement (test_shipped.py
    compiles only the maxofk entries)."""
    cert = ROOT / "certificates" / entry["certificate"]
    ok, _, why, v = _strict(cert, ROOT / "certificates" / entry["model"], tmp_path)
    assert ok, why
    assert f"cert_N : nat := {entry['correct_at_least']}." in v.read_text() or entry["strategy"] == "program-equivalence"


def test_shipped_tprog_index():
    """A shipped tprog example with a numerical MLP is re-checked by Coq here; the large ones say why they are not."""
    assert any(e["coq"] and "nummlp" in e["certificate"] for e in SHIPPED)
    for e in SHIPPED:
        assert e["coq"] or "Coq accepts it" in e.get("coq_note", ""), e["certificate"]
