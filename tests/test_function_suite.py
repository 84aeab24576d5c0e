"""`pybridge find generate` (issue 14, item 2): deterministic, every numeric source in the language, exact
parameters, corruptions where the JSON says, string sources recorded."""

from __future__ import annotations

import ast
import json
from fractions import Fraction as F
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pybridge.check.function import enclose as E
from pybridge.check.function import read_function_file
from pybridge.check.function.lang import parse_function
from pybridge.cli import main
from pybridge.families.function.suite import ATOMIC, dec, generate, numeric_suite


def _tree(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def _val(src: str, x: F) -> F:
    ir = parse_function(src)[1]
    lo, hi = E.point_values(ir, ir, x)[0]
    assert lo == hi, "piecewise-polynomial kinds evaluate exactly"
    return lo


def test_same_seed_identical_bytes_other_seed_differs(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, 7, n=2, n_comp=4, n_strings=5)
    generate(b, 7, n=2, n_comp=4, n_strings=5)
    generate(c, 8, n=2, n_comp=4, n_strings=5)
    ta, tb, tc = _tree(a), _tree(b), _tree(c)
    assert ta == tb
    assert set(ta) == set(tc) and ta != tc
    # 16 kinds x 2 + 4 compositions, 3 variants, .py + .json; 5 strings x 2; index
    assert len(ta) == (16 * 2 + 4) * 3 * 2 + 5 * 2 + 1


def test_every_generated_source_parses_and_files_are_function_files(tmp_path):
    s = generate(tmp_path, 1, n=3, n_comp=12, n_strings=10)
    kinds = set()
    for f in s["files"]:
        src = (tmp_path / f["source"]).read_text()
        if f["kind"] == "string":
            ast.parse(src)  # Python string subset; the numeric language does not read it
            continue
        kinds.add(f["kind"].split(";")[0] if ";" in f["kind"] else f["kind"])
        parse_function(src)
        assert read_function_file(tmp_path / f["json"]) == src
        doc = json.loads((tmp_path / f["json"]).read_text())
        assert doc["variant"] in ("plain", "corrupted", "noised")
        assert (doc["corruption"] is not None) == (doc["variant"] == "corrupted")
        assert (doc["noise"] is not None) == (doc["variant"] == "noised")
    assert set(ATOMIC) <= kinds


def test_parameters_are_exact_and_mean_what_the_source_says():
    recs = [r for r in numeric_suite(3, 4, 0) if r["variant"] == "plain"]
    for r in recs:
        p = r["params"]
        x = F(37, 10)
        if r["kind"] == "linear":
            assert _val(r["source"], x) == F(p["a"]) * x + F(p["b"])
        elif r["kind"] == "step":
            for xx in (F(p["c"]), F(p["c"]) - F(1, 10**9)):
                assert _val(r["source"], xx) == (F(p["a"]) if xx >= F(p["c"]) else 0) + F(p["b"])
        elif r["kind"] == "polynomial":
            assert _val(r["source"], x) == sum(F(c) * x**i for i, c in enumerate(p["coeffs"]))
        elif r["kind"] == "square_wave":
            a, per, c, b = F(p["a"]), F(p["p"]), F(p["c"]), F(p["b"])
            for k in range(-3, 4):
                assert _val(r["source"], c + k * per) == a + b          # +a on [c, c + p/2)
                assert _val(r["source"], c + k * per + per / 2) == -a + b
        for v in p.values():
            if isinstance(v, str):
                F(v)  # "p/q"


def test_corruption_is_where_the_json_says():
    for r in numeric_suite(5, 3, 3, variants=("corrupted",)):
        c = r["corruption"]
        bd = [F(v) for v in c["boundary"]]
        m = F(c["mean"])
        plain = r["source"].split("\n", 3)[3].strip()  # the line after the corruption branch
        g = f"def g(x):\n    {plain}\n"
        gi = parse_function(g)[1]
        fi = parse_function(r["source"])[1]
        inside = (bd[0] + bd[1]) / 2 if c["type"] == "interval_inside" else (
            bd[0] - 1 if c["type"] == "interval_smaller" else bd[0] + 1)
        outside = bd[1] + F(1, 100) if c["type"] == "interval_inside" else (
            bd[0] + F(1, 100) if c["type"] == "interval_smaller" else bd[0] - F(1, 100))
        vf = E.point_values(fi, gi, inside)[0]
        assert vf[0] <= m <= vf[1]
        if F(r["domain"][0][0]) <= outside <= F(r["domain"][0][1]):
            try:
                a, b = E.point_values(fi, gi, outside)
            except E.Undefined:
                continue
            assert a == b


@given(st.integers(-10**7, 10**7), st.integers(0, 6))
@settings(max_examples=200, deadline=None)
def test_dec_literal_is_the_exact_rational(n, k):
    q = F(n, 10**k)
    src = f"def f(x):\n    return {dec(q)}\n"
    assert _val(src, F(0)) == q


def test_cli_generate(tmp_path, capsys):
    rc = main(["find", "generate", "--out", str(tmp_path / "s"), "--seed", "2", "--n", "1", "--compositions", "2",
               "--strings", "3", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["numeric_files"] == (16 + 2) * 3 and out["string_files"] == 3
    assert main(["find", "generate", "--out", str(tmp_path / "t"), "--seed", "2", "--n", "-1"]) == 2


def test_mlp_variant_is_exact_and_deterministic():
    from pybridge.families.function.mlp import mlp_source, train

    src = "def f(x):\n    return 3.9*math.sin(2*math.pi/47.8*(x - (-4.2))) + 16.9\n"
    p, err = train(src, (F(-100), F(100)), 5, steps=30, n=64)
    p2, _ = train(src, (F(-100), F(100)), 5, steps=30, n=64)
    assert p == p2 and p["hidden"] == 64 and err >= 0
    ir = parse_function(mlp_source(p))[1]
    for x in (F(-100), F(-37, 3), F(0), F(55, 7)):
        ref = F(p["b2"]) + sum(F(c) * max(F(a) * x + F(b), 0) for a, b, c in zip(p["w1"], p["b1"], p["w2"]))
        assert _val(mlp_source(p), x) == ref
        for q in p["w1"]:
            assert F(q).denominator & (F(q).denominator - 1) == 0  # dyadic (float32)
    assert ir[0] == "add"
