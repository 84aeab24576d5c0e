"""Subcubic family: every variant's certified count <= brute-force lower bound <= exact count, every
certificate is accepted by the checker, and tampered hints are rejected."""

from __future__ import annotations

import copy
import shutil
import json
from math import comb
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from model_strategies import given_random_model
from reference import reference_counts, write_model

from pybridge.check import verify
from pybridge.check.errors import Rejected
from pybridge.families.maxofk.brute_force import prove_brute_force
from pybridge.families.maxofk.common import load_model, write_json_atomic
from pybridge.families.maxofk.subcubic import (
    Variant,
    all_variants,
    parse_variant,
    prove_subcubic,
    subcubic_family,
)

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _family_chain(path: Path, tmp: Path) -> list[int]:
    m = load_model(path)
    bf = prove_brute_force(m)
    good, bad, amb = reference_counts(path)
    assert bf.correct <= good + amb
    counts = []
    for res in subcubic_family(m):
        assert res.correct <= bf.correct, res.extra["variant"]
        cert = write_json_atomic(res.certificate, tmp / "s.json")
        assert verify(cert, path).verified_correct >= res.correct
        counts.append(res.correct)
    return counts


@SETTINGS
@given_random_model
def test_random_models_every_variant_below_brute_force(tmp_path, V, n, d, h, seed, scale):
    path = write_model(tmp_path / "m.safetensors", V, n, d, h, seed=seed, scale=scale)
    _family_chain(path, tmp_path)


@pytest.mark.parametrize("V,n,steps", [(6, 4, 600), (8, 3, 400)])
def test_trained_models_not_vacuous(tmp_path, V, n, steps):
    from pybridge.families.maxofk.model import MaxOfKConfig
    from pybridge.families.maxofk.train import train_maxofk

    path = tmp_path / "t.safetensors"
    train_maxofk(MaxOfKConfig(V, n, 8, 8), seed=V + n, steps=steps, out=path, quiet=True)
    counts = _family_chain(path, tmp_path)
    assert max(counts) > 0.3 * V**n  # the best variant proves something on a trained model


def _shipped(tmp_path):
    src = Path(__file__).parent.parent / "certificates" / "maxofk-v5-n3-seed1.safetensors"
    src = Path(shutil.copy(src, tmp_path / src.name))  # certificates name a model beside them (issue 10)
    return src, load_model(src)


def test_gap_blocks_dominated_by_cubic_count(tmp_path):
    """Each passing gap block, read as a cubic-count block with K = {0..m-g}, passes there too
    (the section 6c argument only weakens section 6b's terms), so Coq can re-check the claim."""
    from pybridge.check.maxofk.cubic_count import count_cubic_count
    from pybridge.check.maxofk.tables import exact_tables, weight_enclosures

    path = write_model(tmp_path / "m.safetensors", 6, 3, 4, 4, seed=3, scale=1.0)
    m = load_model(path)
    T = exact_tables(m.exact)
    W = weight_enclosures(m.exact, T, 32, 20)
    for v in (Variant("exact", "exact_EQKE+max_diff_exact"), Variant("max_diff", "svd")):
        res = prove_subcubic(m, variant=v)
        blocks = [[q, mx, c, (1 << (mx - g + 1)) - 1 if c else 0] for q, mx, c, g, _ in res.certificate["hints"]["blocks"]]
        cc, _ = count_cubic_count(T, W, m.exact.n_ctx, blocks)
        assert cc >= res.correct


def _tamper(cert: dict, tmp: Path, model: Path, edit) -> None:
    c = copy.deepcopy(cert)
    edit(c)
    p = tmp / "t.json"
    p.write_text(json.dumps(c))
    with pytest.raises(Rejected):
        verify(p, model)


def test_tampered_hints_rejected(tmp_path):
    path, m = _shipped(tmp_path)
    res = prove_subcubic(m, variant=Variant("max_diff_exact", "max_diff"))
    cert = res.certificate
    blocks = cert["hints"]["blocks"]
    assert any(b[2] > 0 for b in blocks), "need a block with non-max tokens"
    i = next(i for i, b in enumerate(blocks) if b[2] > 0)

    def more(c):
        c["claim"]["correct_at_least"] += 1

    def raise_D(c):  # claim a larger attention gap than the exact table allows
        b = c["hints"]["blocks"][i]
        b[4] += 1 << 200

    def shrink_delta(c):
        c["hints"]["direct"]["delta"] = [0] * len(c["hints"]["direct"]["delta"])

    def widen_gap(c):  # g = 0 would admit the max token itself as a non-max token
        c["hints"]["blocks"][i][3] = 0

    def dup(c):
        c["hints"]["blocks"].append(list(c["hints"]["blocks"][i]))

    for edit in (more, raise_D, shrink_delta, widen_gap, dup):
        _tamper(cert, tmp_path, path, edit)
    # honest certificate: accepted
    p = write_json_atomic(cert, tmp_path / "ok.json")
    assert verify(p, path).verified_correct >= res.correct


def test_block_count_formula():
    """Count per block: C(n-1, c) (m-g+1)^c non-query choices; by brute enumeration for small cases."""
    from itertools import product

    for n, m, c, g in [(3, 4, 1, 2), (4, 5, 2, 1), (4, 3, 3, 3), (2, 2, 1, 1)]:
        L = n - 1
        cnt = sum(1 for t in product(range(m + 1), repeat=L) if sum(x != m for x in t) == c and all(x == m or x <= m - g for x in t))
        assert cnt == comb(L, c) * (m - g + 1) ** c


def test_variant_names_parse():
    vs = all_variants()
    assert len(vs) == 60 and len(all_variants(include_ours=False)) == 50
    for v in vs:
        assert parse_variant(v.name) == v
    with pytest.raises(ValueError):
        parse_variant("nonsense")


def _run(*args: str) -> tuple[int, str, str]:
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "pybridge.cli", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def test_cli_prove_check_audit(tmp_path):
    src, _ = _shipped(tmp_path)
    out = tmp_path / "s.json"
    rc, so, se = _run("prove", str(src), "--strategy", "subcubic", "--variant", "max_diff_exact/svd", "--out", str(out), "--json")
    assert rc == 0, se
    claim = json.loads(so)["correct_at_least"]
    rc, so, _ = _run("check", str(out), "--json")
    assert rc == 0 and json.loads(so)["verified_correct"] >= claim
    rc, so, _ = _run("audit", str(out), "--json")
    rep = json.loads(so)
    nums = rep["steps"][-1]["numbers"]
    # the partition accounts for every input: uncovered classes + gap exclusions + verified = V^n
    assert nums["inputs_in_classes_without_a_passing_block"] + nums["inputs_excluded_by_the_gaps"] + nums["verified"] == 125
    rc, _, se = _run("prove", str(src), "--strategy", "subcubic", "--variant", "nope", "--out", str(tmp_path / "x.json"))
    assert rc == 2 and "unknown subcubic variant" in se and len(se.strip().splitlines()) == 1
    assert not (tmp_path / "x.json").exists()


def test_coq_rechecks_subcubic_claim(tmp_path):
    import shutil

    if shutil.which("coqc") is None:
        pytest.skip("coqc not installed (scripts/test.sh installs it; CI fails without it)")
    src, _ = _shipped(tmp_path)
    out = tmp_path / "s.json"
    assert _run("prove", str(src), "--strategy", "subcubic", "--out", str(out))[0] == 0
    rc, so, se = _run("verify", str(out), "--coq", "--json", "--out", str(tmp_path / "coq"))
    assert rc == 0 and json.loads(so)["coq"] is True, so + se
    doc = json.loads(out.read_text())  # a claim one above the checked count: Python rejects before Coq runs
    doc["claim"]["correct_at_least"] += 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    rc, _, se = _run("verify", str(bad), "--coq", "--out", str(tmp_path / "coq2"))
    assert rc != 0


def test_plot_groups_subcubic_by_family(tmp_path):
    from pybridge.plot import collect, group_of

    assert group_of("cubic", {}) == "cubic"
    v = Variant("mean_query+max_diff", "max_diff_subproduct_recursive")
    assert group_of("subcubic", {"variant": v.name, "families": v.families}) == "subcubic: attention-quadratic"
    o = Variant("exact", "svd")
    assert group_of("subcubic", {"variant": o.name, "families": o.families}) == "subcubic, ours (exact direct)"
    src, m = _shipped(tmp_path)
    res = prove_subcubic(m, variant=Variant("max_diff", "svd"))
    res.certificate["model"]["file"] = src.name
    cert = write_json_atomic(res.certificate, tmp_path / "c.json")
    (row,) = collect([cert])
    assert row["group"] == "subcubic: direct-quadratic" and row["bound"] == res.correct / 125
