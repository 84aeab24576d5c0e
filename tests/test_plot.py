"""`pybridge plot`: the Pareto frontier is right and the figure is written from checked certificates."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pybridge.plot import collect, draw, pareto
from pybridge.families.maxofk.brute_force import prove_brute_force
from pybridge.families.maxofk.common import load_model, write_json_atomic
from pybridge.families.maxofk.cubic import prove_cubic
from reference import write_model


@given(st.lists(st.tuples(st.floats(1, 1e15), st.floats(0, 1)), max_size=40))
def test_pareto_is_the_undominated_set(points):
    front = pareto(points)
    for p in points:  # every point is dominated by (or equal to) a frontier point
        assert any(f[0] <= p[0] and f[1] >= p[1] for f in front)
    for f in front:  # no frontier point is strictly dominated
        assert not any(q[0] <= f[0] and q[1] > f[1] for q in points)


def test_plot_writes_png(tmp_path):
    path = write_model(tmp_path / "m.safetensors", 5, 3, 4, 4, seed=11)
    m = load_model(path)
    certs = []
    for res in (prove_brute_force(m), prove_cubic(m)):
        res.certificate["model"]["file"] = "m.safetensors"
        certs.append(write_json_atomic(res.certificate, tmp_path / f"{res.strategy}.json"))
    rows = collect(certs)
    assert {r["strategy"] for r in rows} == {"brute-force", "cubic"}
    bf = next(r for r in rows if r["strategy"] == "brute-force")
    assert bf["normalised"] == 1.0 or bf["bound"] == 0
    out = draw(rows, tmp_path / "fig.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
