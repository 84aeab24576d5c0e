"""Bench (issue 14) on FIND's own numeric functions (../shared/find/numeric/data.json; skipped if absent):
the corrupted function f (its N(m, 0.1) noise replaced by the mean m) against the description that misses
the corruption (the plain function g). FIND's NMSE on x = i + 0.5 (i = -128..127, inside the domain; pass
< 0.1) vs `agree` at eps = 5% of f's range on the domain.

    python bench/function_find_data.py [--limit N] [--out bench/results/function_find_data]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from function_find import _val, nmse  # noqa: E402

from pybridge.check.function.enclose import Undefined  # noqa: E402
from pybridge.families.function.agree import agree  # noqa: E402
from pybridge.families.function.find_data import load  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "find" / "numeric" / "data.json"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--max-boxes", type=int, default=3000)
    ap.add_argument("--out", default="bench/results/function_find_data")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} is absent")
        return
    recs = [r for r in load(DATA) if r["corrupted_source"]]
    if args.limit:
        recs = recs[: args.limit]
    rows = []
    for r in recs:
        f, g = r["corrupted_source"], r["source"].replace("def f", "def g")
        a, b = r["domain"]
        row = {"dir": r["dir"], "kind": r["kind"], "corruption": r["corruption"]}
        try:
            vals = [_val(f, a + (b - a) * i / 1000) for i in range(1001)]
            row["nmse"] = nmse(f, g, r["domain"])
        except Undefined:
            row.update(nmse=None, verdict="f undefined on the sample grid (pole)")
            rows.append(row)
            continue
        eps = Fraction(str(max(round(0.05 * (max(vals) - min(vals)), 6), 1e-6)))
        t0 = time.perf_counter()
        res = agree(f, g, eps, [(Fraction(str(a)), Fraction(str(b)))], max_boxes=args.max_boxes)
        row.update(eps=str(eps), verdict={True: "certified", False: "refuted", None: "undecided"}[res.agree],
                   x=res.counterexample["x"] if res.counterexample else None, seconds=round(time.perf_counter() - t0, 3),
                   reason=res.reason[:120])
        rows.append(row)
        print(json.dumps(row), flush=True)
    Path(args.out + ".json").write_text(json.dumps(rows, indent=1) + "\n")
    by = collections.defaultdict(list)
    for r in rows:
        by[r["kind"]].append(r)
    lines = ["# FIND's corrupted numeric functions vs the description that misses the corruption",
             "", "`python bench/function_find_data.py` on ../shared/find/numeric/data.json (simple functions with a "
             "corruption; noise replaced by its mean). eps = 5% of f's range on its domain.", "",
             "| kind | functions | pass FIND NMSE < 0.1 | of those refuted | certified | undecided | median s |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    tot = collections.Counter()
    for k in sorted(by):
        rs = by[k]
        ps = [r for r in rs if r.get("nmse") is not None and r["nmse"] < 0.1]
        c = collections.Counter(r["verdict"] for r in ps)
        secs = sorted(r.get("seconds", 0) for r in rs if "seconds" in r)
        med = secs[len(secs) // 2] if secs else 0
        lines.append(f"| {k} | {len(rs)} | {len(ps)} | {c['refuted']} | {c['certified']} | {len(ps) - c['refuted'] - c['certified']} | {med:.2f} |")
        tot.update(n=len(rs), p=len(ps), r=c["refuted"], c=c["certified"])
    lines.append(f"| **all** | {tot['n']} | {tot['p']} | {tot['r']} | {tot['c']} | {tot['p'] - tot['r'] - tot['c']} | |")
    Path(args.out + ".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
