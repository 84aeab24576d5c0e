"""Figure for bench/results/function_find.md: descriptions that pass FIND's sampled test but are refuted on
the whole domain, with the exact counterexample marked.  python bench/function_find_plot.py"""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from function_find import _val  # noqa: E402

rows = json.loads(Path("bench/results/function_find.json").read_text())
picks = [r for r in rows if r["find_pass"] and r["verdict"] == "refuted"]
picks = [next(r for r in picks if r["variant"] == "period off by 2%"),
         next(r for r in picks if r["variant"] == "uncorrupted description" and "sin" in r["kind"] or
              r["variant"] == "uncorrupted description")]
fig, axes = plt.subplots(1, len(picks), figsize=(6 * len(picks), 3.8))
for ax, r in zip(axes, picks):
    a, b = r["domain"]
    xs = [a + (b - a) * i / 4000 for i in range(4001)]
    ax.plot(xs, [_val(r["f"], x) for x in xs], lw=1.2, label="function f")
    ax.plot(xs, [_val(r["g"], x) for x in xs], lw=1.0, ls="--", label="description g")
    grid = [i + 0.5 for i in range(-128, 128) if a <= i + 0.5 <= b]
    ax.plot(grid, [_val(r["f"], x) for x in grid], ".", ms=2, color="gray", label="FIND's 256 sample points")
    cx = float(Fraction(r["counterexample_x"]))
    ax.plot([cx, cx], [_val(r["f"], cx), _val(r["g"], cx)], "r-", lw=2)
    ax.plot([cx], [_val(r["f"], cx)], "ro", label=f"counterexample x = {r['counterexample_x']}")
    ax.set_title(f"{r['kind']}: {r['variant']}\nNMSE {r['nmse']:.3g} (FIND: pass); whole domain, eps = {float(Fraction(r['eps'])):.3g}: refuted",
                 fontsize=9)
    ax.legend(fontsize=7)
fig.tight_layout()
fig.savefig("bench/results/function_find.png", dpi=120)
print("wrote bench/results/function_find.png")
