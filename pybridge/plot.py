"""`pybridge plot`: accuracy bound versus proof cost (FLOPs) for a set of certificates.

Bounds are the checker's (each certificate is re-checked unless `check=False`); FLOPs are the
prover's own count, recorded in the certificate's informational `prover` section. A bound is
normalised by the brute-force bound of the same model when a brute-force certificate for the
same `model_sha256` is in the set. The anchor's published means are drawn for comparison.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# anchor (Gross et al. 2024, 151 seeds): (label, FLOPs, normalised bound)
ANCHOR_POINTS = [
    ("anchor brute force", 1.41e14, 1.0),
    ("anchor cubic", 3.4e7, 0.9539),
    ("anchor best subcubic", None, 0.700),
    ("anchor attention-v·d²", None, 0.675),
    ("anchor direct-quadratic", None, 0.633),
    ("anchor attention-quadratic", None, 0.316),
]
# subcubic certificates are grouped by their most specific paper family (prover.families)
FAMILY_ORDER = ("attention-quadratic", "direct-quadratic", "attention-v·d²")


def group_of(strategy: str, prover: dict[str, Any]) -> str:
    """Legend group: the strategy, refined for subcubic by family and by our own direct option."""
    if strategy != "subcubic":
        return strategy
    if str(prover.get("variant", "")).startswith("EUPU-exact-"):
        return "subcubic, ours (exact direct)"
    fams = prover.get("families") or []
    return "subcubic: " + next((f for f in FAMILY_ORDER if f in fams), "other")


def collect(certs: list[Path], check: bool = True) -> list[dict[str, Any]]:
    from pybridge.check import verify
    from pybridge.check.certificate import read_certificate

    rows = []
    for c in certs:
        cert = read_certificate(c)
        if not isinstance(getattr(cert, "correct_at_least", None), int) or not getattr(cert, "total", None):
            raise ValueError(f"{c}: pybridge plot draws accuracy bounds of count certificates; "
                             f"{cert.family} {cert.strategy} certificates are drawn by their family's own commands")
        if check:
            verify(c)  # raises on an invalid certificate: a plot never shows an unchecked bound
        prover = json.loads(Path(c).read_text()).get("prover", {})
        rows.append({
            "certificate": str(c), "strategy": cert.strategy, "group": group_of(cert.strategy, prover),
            "model_sha256": cert.model_sha256,
            "bound": cert.correct_at_least / cert.total, "flops": prover.get("flops"), "checked": check,
        })
    bf = {r["model_sha256"]: r["bound"] for r in rows if r["strategy"] == "brute-force"}
    for r in rows:
        b = bf.get(r["model_sha256"])
        r["normalised"] = r["bound"] / b if b else None
    return rows


def pareto(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Points not dominated by a cheaper-or-equal point with a higher-or-equal bound."""
    front, best = [], -1.0
    for x, y in sorted(points, key=lambda p: (p[0], -p[1])):
        if y > best:
            front.append((x, y))
            best = y
    return front


def draw(rows: list[dict[str, Any]], out: Path, normalised: bool = True, title: str | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    key = "normalised" if normalised and all(r["normalised"] is not None for r in rows) else "bound"
    fig, ax = plt.subplots(figsize=(8, 5.5))
    pts = []
    big = len(rows) > 300
    for group in sorted({r.get("group", r["strategy"]) for r in rows}):
        sel = [r for r in rows if r.get("group", r["strategy"]) == group and r["flops"]]
        xs, ys = [r["flops"] for r in sel], [r[key] for r in sel]
        ax.scatter(xs, ys, s=4 if big else 14, alpha=0.35 if big else 0.7, label=f"pybridge {group} ({len(xs)})")
        pts += list(zip(xs, ys))
    front = pareto(pts)
    if front:
        ax.step([p[0] for p in front], [p[1] for p in front], where="post", color="k", lw=1, label="our Pareto frontier")
    ax.set_xscale("log")
    for label, x, y in ANCHOR_POINTS:
        if x is not None:
            ax.scatter([x], [y], marker="x", s=60, color="tab:red")
            ax.annotate(label, (x, y), textcoords="offset points", xytext=(4, -12), fontsize=8, color="tab:red")
        else:
            ax.axhline(y, ls=":", color="tab:red", lw=1)
            ax.annotate(label, (ax.get_xlim()[0], y), textcoords="offset points", xytext=(4, 3), fontsize=7, color="tab:red")
    ax.set_xlabel("proof cost (FLOPs, prover's count)")
    ax.set_ylabel("accuracy bound / brute-force bound" if key == "normalised" else "accuracy lower bound")
    ax.set_title(title or "Max-of-k: rigorous bound versus proof cost")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".tmp-{out.name}")
    fig.savefig(tmp, dpi=130, format="png")
    plt.close(fig)
    tmp.replace(out)
    return out
