"""One table over the group-operation zoos: brute force and the rho-set compact proof per group.

    python bench/groupop_summary.py      # reads bench/results/groupop_{zoo,rho}*.json, writes groupop_summary.md

Inputs (each written by its own bench; rerun those to refresh):
- S5, 100 seeds, 40% of pairs:  groupop_zoo.json,        groupop_rho.json
- S4, 30 seeds, 40% of pairs:   groupop_zoo_S4.json,     groupop_rho_S4.json
- S4, 30 seeds, 60% of pairs:   groupop_zoo_S4_f60.json, groupop_rho_S4_f60.json
- A5, 30 seeds, 40% of pairs:   groupop_zoo_A5.json,     groupop_rho_A5.json
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from groupop_rho import ANCHOR as S5_ANCHOR  # bench/ is the script's directory, so on sys.path

RES = Path(__file__).parent / "results"

# (label, zoo file, rho file)
ZOOS = [
    ("S5, 40% of pairs", "groupop_zoo", "groupop_rho"),
    ("A5, 40% of pairs", "groupop_zoo_A5", "groupop_rho_A5"),
    ("S4, 40% of pairs (recipe)", "groupop_zoo_S4", "groupop_rho_S4"),
    ("S4, 60% of pairs", "groupop_zoo_S4_f60", "groupop_rho_S4_f60"),
]

# The anchor's numbers. S5: the paper (100 models), as the per-zoo bench states them. S4 and A5: read by
# eye off the anchor repository's figures figs/acc_bound_{S4,A5}_split.pdf (means marked as stars;
# approximate, +-0.03).
ANCHOR = {
    "S5": S5_ANCHOR,
    "A5": {"bf_mean": "~1.0", "ge95": "-", "mean_explained": "~0.75", "unexplained": "most (all-model mean ~0.17)",
           "time_fraction": "~45%"},
    "S4": {"bf_mean": "~1.0", "ge95": "-", "mean_explained": "~0.80", "unexplained": "about half (all-model mean ~0.42)",
           "time_fraction": "~50%"},
}


def _load(name: str) -> list[dict]:
    d = json.loads((RES / f"{name}.json").read_text())
    return d["records"] if isinstance(d, dict) else d


def _rank_share(diag: list[dict], kmax: int) -> str:
    """Models whose float estimate of the certified fraction reaches 0.95 with rank k <= kmax."""
    ok = sum(max(v for k, v in d["rank_estimates"].items() if int(k) <= kmax) >= 0.95 for d in diag)
    return f"{ok}/{len(diag)}"


def row(label: str, zoo: str, rho: str) -> list[str]:
    Z, R = _load(zoo), _load(rho)
    group = Z[0]["group"]
    n = len(R)
    ex = [r for r in R if r["rho_set"]["explained"]]
    diag = [r["diagnostics"] for r in R if "rank_estimates" in r.get("diagnostics", {})]
    frac = [r["rho_set"]["check_strategy_seconds"] / r["brute_force"]["check_strategy_seconds"] for r in ex]
    return [
        label,
        f"{len(Z)}",
        f"{statistics.mean(r['train_seconds'] for r in Z):.1f}",
        f"{statistics.mean(r['float_test_accuracy'] for r in Z):.4f}",
        f"{statistics.mean(r['brute_force']['bound'] for r in Z):.5f} ({ANCHOR[group]['bf_mean']})",
        f"{sum(r['brute_force']['bound'] == 1.0 for r in Z)}/{len(Z)}",
        f"{sum(r['rho_set']['bound'] >= 0.95 for r in ex)}/{n} ({ANCHOR[group]['ge95']})",
        (f"{statistics.mean(r['rho_set']['bound'] for r in ex):.4f}" if ex else "-") + f" ({ANCHOR[group]['mean_explained']})",
        f"{n - len(ex)}/{n} ({ANCHOR[group]['unexplained']})",
        (f"{statistics.mean(frac):.0%}" if frac else "-") + f" ({ANCHOR[group]['time_fraction']})",
        _rank_share(diag, 0), _rank_share(diag, 2), _rank_share(diag, 8),
    ]


def _rank_lines(rows: list[list[str]]) -> list[str]:
    """One bullet per zoo: how many fitted models reach 0.95 at k <= 2 and at k = 0."""
    return [f"- **{r[0]}.** {r[11]} fitted models reach 0.95 with k <= 2, {r[10]} at k = 0 (k <= 8: {r[12]})."
            for r in rows]


def _s4_probe_lines() -> list[str]:
    """S4 at the recipe's 40%: more epochs or more data? (bench/groupop_s4_probe.py)"""
    path = RES / "groupop_s4_probe.json"
    if not path.exists():
        return []
    P = json.loads(path.read_text())
    fails = [r for r in P if r["epochs5000_frac40"] < 0.9]
    lines = ["- **S4 at the recipe's 40% of pairs does not generalise on most seeds** (float test accuracy,"
             " `bench/groupop_s4_probe.py`):"]
    lines += [f"  - seed {r['seed']}: {r['epochs5000_frac40']:.3f} at 5000 epochs; {r['epochs20000_frac40']:.3f}"
              f" at 20000 epochs; {r['epochs5000_frac60']:.3f} at 5000 epochs with 60% of the pairs" for r in P]
    lines.append(f"  - test accuracy >= 0.99: more epochs fix {sum(r['epochs20000_frac40'] >= 0.99 for r in fails)} of the {len(fails)} failing"
                 f" seeds; 60% of the pairs fixes {sum(r['epochs5000_frac60'] >= 0.99 for r in fails)} of them.")
    return lines


def main() -> None:
    head = ["zoo", "models", "train s/model", "float test acc.", "brute-force acc. (anchor)", "proven 100%",
            "compact >= 0.95 (anchor)", "mean compact, explained (anchor)", "unexplained (anchor)",
            "compact / BF check time (anchor)", "k = 0 reaches 0.95", "k <= 2", "k <= 8"]
    rows = [row(*z) for z in ZOOS if (RES / f"{z[1]}.json").exists() and (RES / f"{z[2]}.json").exists()]
    lines = [
        "# Group-operation zoos: brute force and the rho-set compact proof",
        "",
        "Written by `python bench/groupop_summary.py` from the per-zoo results (see its docstring).",
        "Models: d_embed = d_hidden = 128, anchor recipe (Adam 0.01, betas (0.9, 0.98), L2 2e-4, full batch);",
        "2000 epochs for S5 and A5, 5000 for S4. Every certificate was accepted by the trusted checker.",
        "Anchor values in parentheses: S5 from the paper; S4 and A5 read by eye off the anchor repository's",
        "figures (figs/acc_bound_{S4,A5}_split.pdf), approximate. Times are the checks' strategy parts, both",
        "vectorised (ours) against the anchor's per-input Python loops.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ] + ["| " + " | ".join(r) + " |" for r in rows] + [
        "",
        "The last three columns count the models (with a fitted ideal model) whose *float estimate* of the",
        "certified fraction reaches 0.95 when the low-rank part of the distance bound has rank at most k.",
        "k = 0 is the explanation alone: the ideal model plus a per-neuron remainder bound. Larger k adds",
        "a low-rank compression of the real-minus-ideal unembedding. How much of the certificate rests on it:",
        "",
        *_rank_lines(rows),
        *_s4_probe_lines(),
        "- **Compact check time.** For small groups (|G| = 24) the compact check is slower than brute force.",
        "  A brute-force input costs h |G| = 3072 products; a compact one costs (h + P) k + k |G|, at k around 8-12.",
        "  The ratio falls as |G| grows (A5: |G| = 60, S5: |G| = 120); see the time column.",
    ]
    (RES / "groupop_summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
