"""Coq re-check of groupop rho-set certificates (coq/theories/GroupRho.v, docs/CHECKING.md 8.7;
pybridge.families.groupop.coq_data, template coq_grouprho.v.j2).

Small synthetic rho-set models (C5 with rank-4 low-rank hints, D5: two generators, non-abelian) and the
shipped trained S4 model: coqc accepts the honest claim with no axioms; Coq's count is exactly the
exporter's mirror `coq_count` (claim = count accepted, count + 1 rejected); a negative `lam_n`, a broken
pair permutation, a wrong word, a too small `rmax` and a tampered weight are rejected.
Skipped when coqc is not installed.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed (Coq 8.16 needed)")

from conftest import coqc_rejects_tampered_bias  # noqa: E402
from test_groupop_rho import write_rho_cert, write_synth  # noqa: E402

from pybridge.check.certificate import read_certificate  # noqa: E402
from pybridge.families.groupop import coq_data as grouprho_data  # noqa: E402
from pybridge.export.coq import export_coq, run_coqc  # noqa: E402
from pybridge.families.groupop.coq_data import coq_count, load_coq_data  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
S4 = ROOT / "certificates" / "groupop-s4-e16-h48-seed0.safetensors"


@pytest.fixture(scope="module")
def c5(tmp_path_factory):
    """(model, certificate): the C5 circuit of test_groupop_rho (bound 24/25, rank-4 low-rank part)."""
    d = tmp_path_factory.mktemp("grouprho")
    model = write_synth(d / "c5.safetensors", "C5", 2, 0.15, 0)
    return model, write_rho_cert(model, d / "c5.rho.json", max_rank_cost=10.0)


def _export(tmp: Path, model: Path, cert: Path, monkeypatch=None, edit=None, claim=None) -> Path:
    """Export with the hint record changed by `edit` (and the claim set to `claim`), bypassing the
    exporter's Python pre-check, so that only Coq judges the (possibly wrong) data."""
    if monkeypatch is not None:
        def data(cert_path, c, model_path, M):
            D = load_coq_data(c, model_path)[1]
            return edit(D) if edit else D

        monkeypatch.setattr(grouprho_data, "verified_coq_data", data)
    if claim is not None:
        doc = json.loads(cert.read_text())
        doc["claim"]["correct_at_least"] = claim
        tmp.mkdir(parents=True, exist_ok=True)
        cert = tmp / "edited.rho.json"
        cert.write_text(json.dumps(doc))
    return export_coq(cert, model, tmp)


@pytest.mark.parametrize("which", ["C5", "D5"])
def test_synthetic_accepted_without_axioms(which, c5, tmp_path: Path) -> None:
    if which == "C5":
        model, cert = c5
    else:
        model = write_synth(tmp_path / "d5.safetensors", "D5", 2, 0.01, 0)
        cert = write_rho_cert(model, tmp_path / "d5.rho.json")
    v = export_coq(cert, model, tmp_path / "out")
    ok, _, out = run_coqc(v)
    assert ok, out[-2000:]
    assert "Closed under the global context" in out, out[-2000:]
    M, D = load_coq_data(read_certificate(cert), model)
    assert coq_count(M, D) >= read_certificate(cert).correct_at_least
    if which == "D5":
        assert len(D.gens) == 2


def test_shipped_s4_accepted(tmp_path: Path) -> None:
    cert = write_rho_cert(S4, tmp_path / "s4.rho.json")
    v = export_coq(cert, S4, tmp_path)
    ok, _, out = run_coqc(v)
    assert ok and "Closed under the global context" in out, out[-2000:]


def test_coq_count_is_exact(c5, tmp_path: Path, monkeypatch) -> None:
    """Coq accepts exactly the claims up to the mirror's count."""
    model, cert = c5
    n = coq_count(*load_coq_data(read_certificate(cert), model))
    assert 0 < n < 25
    ok, _, out = run_coqc(_export(tmp_path / "a", model, cert, monkeypatch, claim=n))
    assert ok, out[-2000:]
    ok, _, out = run_coqc(_export(tmp_path / "b", model, cert, monkeypatch, claim=n + 1))
    assert not ok and "Error" in out


def _neg_lam(D):
    n = next(i for i, (p, lam) in enumerate(D.nrn) if lam > 0)
    nrn = list(D.nrn)
    nrn[n] = (nrn[n][0], -1)
    return replace(D, nrn=nrn)


def _bad_perm(D):
    g, pi, sg = D.gens[0]
    return replace(D, gens=[(g, [pi[1]] + pi[1:], sg)] + D.gens[1:])


def _bad_word(D):
    x = next(i for i, w in enumerate(D.wordL) if w)
    wl = list(D.wordL)
    wl[x] = wl[x][:-1]
    return replace(D, wordL=wl)


def _small_rmax(D):
    i = max(range(len(D.rmax)), key=lambda i: D.rmax[i])
    rm = list(D.rmax)
    rm[i] -= 1
    return replace(D, rmax=rm)


@pytest.mark.parametrize("edit", [_neg_lam, _bad_perm, _bad_word, _small_rmax],
                         ids=["negative-lam", "broken-permutation", "wrong-word", "small-rmax"])
def test_tampered_hints_rejected(edit, c5, tmp_path: Path, monkeypatch) -> None:
    model, cert = c5
    D = load_coq_data(read_certificate(cert), model)[1]
    assert edit(D) != D
    ok, _, out = run_coqc(_export(tmp_path, model, cert, monkeypatch, edit=edit))
    assert not ok and "Error" in out


def test_tampered_weight_rejected(c5, tmp_path: Path) -> None:
    """A huge bias on class 0: only the pairs with x*y = 0 stay correct, fewer than the claim."""
    model, cert = c5
    coqc_rejects_tampered_bias(export_coq(cert, model, tmp_path), 10**45)


def test_exporter_runs_the_python_checker(c5, tmp_path: Path) -> None:
    from pybridge.check.errors import Rejected

    model, cert = c5
    doc = json.loads(cert.read_text())
    doc["claim"]["correct_at_least"] = 25
    bad = tmp_path / "over.rho.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(Rejected):
        export_coq(bad, model, tmp_path)
