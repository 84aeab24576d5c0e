"""Issue 15: the compact-proofs authors' own Max-of-2 models (../shared/external/maxof2, not shipped).

Import (import-tl), brute force, check, and compare with the accuracy the authors' Coq development
records (JasonGross/neural-net-coq-interp, theories/<Model>/TheoremStatement.v and Heuristics.v, read
through the project's search tool): `expected_correct = total - 0` (MaxOfTwoNumbersSimpler),
`total - 50` (MaxOfTwoNumbersUndertrainedSimpler) and `total - length incorrect_results` with the 19
inputs listed in MaxOfTwoNumbers/Heuristics.v. Skips when the folder is absent.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest

from pybridge.check import verify
from pybridge.families.maxofk.brute_force import prove_brute_force
from pybridge.families.maxofk.common import load_model, write_json_atomic
from pybridge.families.maxofk.cubic import prove_cubic
from pybridge.families.maxofk.transformerlens import import_tl_state_dict

EXT = Path(__file__).resolve().parents[2] / "shared" / "external" / "maxof2"
# (file, authors' expected number correct out of 64^2 = 4096, LayerNorm?)
AUTHORS = {
    "MaxOfTwoNumbersSimpler": (4096, False),
    "MaxOfTwoNumbersUndertrainedSimpler": (4096 - 50, False),
    "MaxOfTwoNumbers": (4096 - 19, True),
}
# MaxOfTwoNumbers/Heuristics.v: incorrect_results (pairs [t0; t1])
AUTHORS_INCORRECT = {(3, 2), (6, 5), (7, 8), (13, 12), (15, 14), (17, 16), (22, 23), (22, 26), (24, 26), (25, 26),
                     (30, 31), (34, 37), (36, 37), (36, 38), (41, 42), (41, 43), (42, 41), (48, 49), (50, 51)}

needs_ext = pytest.mark.skipif(not EXT.is_dir(), reason=f"external Max-of-2 models not present ({EXT})")


def _import(name: str, tmp: Path) -> Path:
    return import_tl_state_dict(EXT / f"{name}.safetensors", tmp / f"{name}.safetensors")


@needs_ext
@pytest.mark.parametrize("name", sorted(AUTHORS))
def test_external_brute_force_matches_authors(tmp_path, name):
    expected, has_ln = AUTHORS[name]
    path = _import(name, tmp_path)
    m = load_model(path)
    assert m.exact.has_ln == has_ln and m.exact.has_bias == has_ln
    bf = prove_brute_force(m)
    assert bf.correct == expected and bf.incorrect == 4096 - expected  # lower = upper = the authors' count
    cert = write_json_atomic(bf.certificate, tmp_path / "bf.json")
    r = verify(cert, path)
    assert (r.verified_correct, r.verified_incorrect) == (expected, 4096 - expected)
    if not has_ln:
        cu = prove_cubic(m)
        assert 0 < cu.correct <= bf.correct
        assert verify(write_json_atomic(cu.certificate, tmp_path / "cubic.json"), path).verified_correct >= cu.correct


@needs_ext
@pytest.mark.slow
def test_external_layernorm_incorrect_inputs_are_the_authors_list(tmp_path):
    from pybridge.check.maxofk.layernorm import LNModel

    M = load_model(_import("MaxOfTwoNumbers", tmp_path)).exact
    L = LNModel(M, 80, 40)
    bad = {t for t in product(range(64), repeat=2) if L.classify(t) == -1}
    assert bad == AUTHORS_INCORRECT
