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


@pytest.mark.parametrize("name", ["acc", "pacc"])
def test_coq_rejects_claim_plus_one(certs, name, tmp_path):
    from pybridge.export.coq import export_coq, run_coqc

    d, c = certs
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
    class LayerWithNumMlps:  # the shape of a layer with numerical MLPs (IR version 2)
        cat_heads: tuple
        num_heads: tuple
        mlps: tuple
        num_mlps: tuple

    L = prog.layers[0]
    p2 = replace(prog, layers=(LayerWithNumMlps(L.cat_heads, L.num_heads, L.mlps, ("an MLP",)),))
    with pytest.raises(ValueError, match="numerical MLPs"):
        refuse_unmodelled(p2)
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
    "mm_b2", "mm_s1", "t_m", "t_lengths", "t_eos", "t_target", "true", "false", "Nearest", "SelfFirst", "Earliest",
    "Z", "Theorem", "cert_correct", "accuracy_at_least", "model_program", "program_is_model", "Proof", "apply",
    "check_sound", "check_equal_sound", "vm_cast_no_check", "eq_refl", "Qed", "Print", "Assumptions",
    "hist_target", "reverse_target", "sort_target", "dyck1_target",
}


@pytest.mark.parametrize("name", ["acc", "pacc", "eq"])
def test_coq_export_holds_only_data_and_fixed_words(certs, name, tmp_path):
    from pybridge.export.coq import export_coq

    _, c = certs
    cert, model, _ = c[name]
    text = export_coq(cert, model, tmp_path).read_text()
    body = re.sub(r"\(\*.*?\*\)", " ", text, flags=re.S)
    words = {w.rstrip(".") for w in re.findall(r"[A-Za-z_][\w.]*", body)}
    assert words <= COQ_WORDS, words - COQ_WORDS
    rest = re.sub(r"[A-Za-z_][\w.]*|-?\d+", " ", body)
    assert set(rest) <= set(" \n[](){}|;:=%."), set(rest) - set(" \n[](){}|;:=%.")
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
