"""Figure for bench/results/function_interpret.md: one description that passes FIND's sampled NMSE test but
is refuted on the whole domain, beside the function, with the exact counterexample marked.

    python bench/function_interpret_plot.py [--json bench/results/function_interpret.json] [--out ...png]
Picks the refuted, NMSE-passing 'uncorrupted function' description with the smallest NMSE (else any
refuted NMSE-passing description of the interpreter).
"""

from __future__ import annotations

import argparse
import json
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from pybridge.check.function.lang import parse_function  # noqa: E402
from pybridge.families.function.interpret import exact_value  # noqa: E402
from pybridge.families.function.suite import float_eval  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", default="bench/results/function_interpret.json")
    ap.add_argument("--out", default="bench/results/function_interpret.png")
    args = ap.parse_args()
    doc = json.load(open(args.json))
    src = {(r["id"], r["variant"], bool(r.get("find"))): r["source"] for r in doc["generated"]}
    src.update({(r["id"], r["variant"], True): r["source"] for r in doc["find"]})
    picks = [w for w in doc["wrong"] if w["wrong"] == "uncorrupted function" and w["nmse"] < 0.1 and w["whole"] == "refuted"]
    if picks:
        w = min(picks, key=lambda w: w["nmse"])
        f_src, g_src, x0, title = src[(w["id"], w["variant"], bool(w.get("find")))], w["description"], w["whole_x"], \
            f"{w['id']} {w['kind']} (corrupted) vs the uncorrupted description: NMSE {w['nmse']:.3g} (FIND: pass)"
        eps = w["eps"]
    else:
        r = next(r for r in doc["generated"] if r["find_pass"] and r["whole"] == "refuted")
        f_src, g_src, x0, eps = r["source"], r["description"], r["whole_x"], r["eps"]
        title = f"{r['id']} {r['kind']} ({r['variant']}): NMSE {r['nmse']:.3g} (FIND: pass)"
    fi, gi = parse_function(f_src)[1], parse_function(g_src)[1]
    xs = np.linspace(-100, 100, 4001)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.plot(xs, float_eval(fi, xs), lw=1.6, label="function F")
    ax.plot(xs, float_eval(gi, xs), lw=1.0, ls="--", label="description G")
    grid = np.arange(-128, 128) + 0.5
    grid = grid[(grid >= -100) & (grid <= 100)]
    ax.plot(grid, float_eval(fi, grid), "o", ms=2.2, color="0.25", label="FIND's scoring points x = i + 0.5 (in the domain)")
    x = Fraction(x0)
    fx, gx = exact_value(fi, x), exact_value(gi, x)
    ax.plot([float(x)] * 2, [fx, gx], "r-", lw=2)
    ax.plot([float(x)], [fx], "ro", ms=6, label=f"counterexample x = {x0}: F = {fx:.4g}, G = {gx:.4g}")
    ax.plot([float(x)], [gx], "rx", ms=8)
    ax.set_title(title + f"\nrefuted on the whole domain at eps = {float(Fraction(eps)):.4g} (exact x)", fontsize=9)
    ax.set_xlabel("x")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
