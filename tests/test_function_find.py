"""FIND's numeric data (../shared/find; skipped when absent): the loader writes every simple entry in the
description language, and the sources mean what FIND's generator computes (spot checks by hand)."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest

from pybridge.check.function import enclose as E
from pybridge.check.function.lang import parse_function
from pybridge.families.function.agree import agree
from pybridge.families.function.find_data import load

DATA = Path(__file__).resolve().parents[2] / "shared" / "find" / "numeric" / "data.json"
pytestmark = pytest.mark.skipif(not DATA.exists(), reason=f"FIND data absent ({DATA}): external, not part of the project")


@pytest.fixture(scope="module")
def recs():
    return load(DATA)


def _v(src: str, x: F) -> float:
    ir = parse_function(src)[1]
    lo, hi = E.point_values(ir, ir, x)[0]
    return float((lo + hi) / 2)


def test_every_simple_entry_parses(recs):
    assert len(recs) == 1000
    simple = [r for r in recs if r["source"]]
    assert len(simple) >= 800
    for r in simple:
        parse_function(r["source"])
        if r["corrupted_source"]:
            parse_function(r["corrupted_source"])


def test_spot_values(recs):
    r0 = recs[0]  # absolute((26.8, -8.2)): 26.8 |x| - 8.2
    assert r0["kind"] == "absolute" and abs(_v(r0["source"], F(-3)) - (26.8 * 3 - 8.2)) < 1e-9
    # f00001 relu((-20.7, -5.2, 0.7)), corrupted on (83.6, 90.1...) by the mean -162.018...
    r1 = recs[1]
    assert abs(_v(r1["source"], F(2)) - (-20.7 * 2 - 5.2)) < 1e-9
    assert abs(_v(r1["source"], F(-2)) - (-20.7 * -2 * 0.7 - 5.2)) < 1e-9
    assert abs(_v(r1["corrupted_source"], F(85)) - (-162.018182)) < 1e-5


def test_missing_the_corruption_is_refuted_inside_it(recs):
    r1 = recs[1]
    g = r1["source"].replace("def f", "def g")
    res = agree(r1["corrupted_source"], g, F(10), [(F(-100), F(100))])
    assert res.agree is False
    lo, hi = r1["corruption_params"]["boundary"]
    assert lo < F(res.counterexample["x"]) < hi
