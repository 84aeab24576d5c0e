"""Bench (issue 14): FIND's sampled NMSE test against pybridge's whole-domain check, on a small generated
suite of FIND-style functions (our own generator; FIND's data are not needed) with correct and
deliberately wrong descriptions (the uncorrupted function for a corrupted one, a dropped bias, a missed
step, a wrong period).

    python bench/function_find.py [--seed 0] [--out bench/results/function_find]

For each (kind, variant): FIND's NMSE on x = i + 0.5, i = -128..127 (inside the domain; pass < 0.1),
then `agree` at eps = 5% of the function's range on the domain: certified (and re-checked by the trusted
checker), refuted (exact counterexample x), or undecided; seconds per check.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from fractions import Fraction
from pathlib import Path

from pybridge.check.function import enclose as E
from pybridge.check.function.lang import parse_function
from pybridge.families.function.agree import agree, certificate


def r1(rng: random.Random, lo: float, hi: float) -> float:
    return round(rng.uniform(lo, hi), 1)


def suite(seed: int) -> list[dict]:
    """(kind, domain, f source, description sources by variant). Our own parameterisation of FIND's kinds."""
    rng = random.Random(seed)
    out = []

    def add(kind, dom, body, descr):
        out.append({"kind": kind, "domain": dom, "f": f"def f(x):\n    return {body}\n", "descriptions": descr})

    a, b = r1(rng, -30, 30), r1(rng, -30, 30)
    add("linear", (-100, 100), f"{a}*x + {b}", {"correct": f"{b} + x*{a}", "dropped bias": f"{a}*x"})
    c = [r1(rng, -5, 5) for _ in range(3)]
    add("polynomial", (-100, 100), f"{c[0]}*x**2 + {c[1]}*x + {c[2]}",
        {"correct": f"x*({c[0]}*x + {c[1]}) + {c[2]}", "dropped bias": f"{c[0]}*x**2 + {c[1]}*x"})
    a, b, s = r1(rng, 1, 30), r1(rng, -30, 30), r1(rng, -20, 20)
    add("absolute", (-100, 100), f"{a}*abs(x - {s}) + {b}",
        {"correct": f"max({a}*(x - {s}), {a}*({s} - x)) + {b}", "dropped bias": f"{a}*abs(x - {s})"})
    a, b, s = r1(rng, 1, 30), r1(rng, -30, 30), r1(rng, -20, 20)
    add("relu", (-100, 100), f"{a}*max(x - {s}, 0) + {b}",
        {"correct": f"np.where(x > {s}, {a}*(x - {s}), 0) + {b}", "missed kink": f"{a}*(x - {s}) + {b}"})
    a, b, s = r1(rng, 1, 30), r1(rng, -30, 30), r1(rng, -20, 20)
    add("step", (-100, 100), f"np.where(x >= {s}, {a}, 0) + {b}",
        {"correct": f"({a} + {b}) if x >= {s} else {b}", "missed step": f"{a}/2 + {b}",
         "step misplaced by 0.3": f"np.where(x >= {s} + 0.3, {a}, 0) + {b}"})
    for kind, fn in (("sin", "math.sin"), ("cos", "math.cos")):
        a, b, p, s = r1(rng, 1, 30), r1(rng, -30, 30), r1(rng, 20, 60), r1(rng, -10, 10)
        add(kind, (-100, 100), f"{a}*{fn}(2*math.pi/{p}*(x - {s})) + {b}",
            {"correct": f"{b} + {a}*np.{fn[5:]}((x - {s})*2*np.pi/{p})", "dropped bias": f"{a}*{fn}(2*math.pi/{p}*(x - {s}))",
             "period off by 2%": f"{a}*{fn}(2*math.pi/{round(p * 1.02, 3)}*(x - {s})) + {b}"})
    a, b, w, s = r1(rng, 1, 30), r1(rng, -30, 30), r1(rng, 5, 20), r1(rng, -20, 20)
    add("tanh", (-100, 100), f"{a}*math.tanh((x - {s})/{w}) + {b}",
        {"correct": f"{a}*np.tanh(x/{w} - {s}/{w}) + {b}", "dropped bias": f"{a}*math.tanh((x - {s})/{w})"})
    a, b, w, s = r1(rng, 1, 30), r1(rng, -30, 30), r1(rng, 5, 20), r1(rng, -20, 20)
    add("gaussian", (-100, 100), f"{a}*math.exp(-((x - {s})/{w})**2) + {b}",
        {"correct": f"{a}*np.exp(-(x - {s})**2/{w}**2) + {b}", "dropped bias": f"{a}*math.exp(-((x - {s})/{w})**2)"})
    a, b = r1(rng, 1, 30), r1(rng, -30, 30)
    add("root", (0, 100), f"{a}*math.sqrt(x) + {b}", {"correct": f"{b} + {a}*x**0.5".replace("x**0.5", "np.sqrt(x)"),
                                                       "dropped bias": f"{a}*math.sqrt(x)"})
    a, b, base = r1(rng, 1, 30), r1(rng, -30, 30), r1(rng, 2, 10)
    add("logarithm", (1, 100), f"{a}*math.log(x, {base}) + {b}",
        {"correct": f"{a}*np.log(x)/np.log({base}) + {b}", "dropped bias": f"{a}*math.log(x, {base})"})
    # corrupted variants: the function is replaced by (the mean of) fresh noise on an interval of width 5-25;
    # the description is the uncorrupted function
    for base_entry in list(out):
        lo = r1(rng, -80, 60) if base_entry["domain"][0] < 0 else r1(rng, 5, 60)
        w = r1(rng, 5, 25)
        body = base_entry["f"].split("return ", 1)[1].strip()
        m = _mean(base_entry["f"], base_entry["domain"])
        out.append({"kind": base_entry["kind"] + " (corrupted)", "domain": base_entry["domain"],
                    "f": f"def f(x):\n    if {lo} < x < {round(lo + w, 1)}:\n        return {m}\n    return {body}\n",
                    "descriptions": {"uncorrupted description": body,
                                     "corruption described": f"{m} if {lo} < x < {round(lo + w, 1)} else ({body})"},
                    "corruption": [lo, round(lo + w, 1)]})
    return out


def _mean(f_src: str, dom) -> float:
    xs = [dom[0] + (dom[1] - dom[0]) * i / 1000 for i in range(1001)]
    return round(sum(_val(f_src, x) for x in xs) / len(xs), 1)


def _val(src: str, x: float) -> float:
    _, ir = parse_function(src)
    v = E.point_values(ir, ir, Fraction(x))[0]
    return float((v[0] + v[1]) / 2)


def nmse(f_src: str, g_src: str, dom) -> float:
    """FIND's score: sum (f - g)^2 / sum f^2 on x = i + 0.5, i = -128..127, restricted to the domain."""
    xs = [i + 0.5 for i in range(-128, 128) if dom[0] <= i + 0.5 <= dom[1]]
    fv = [_val(f_src, x) for x in xs]
    gv = [_val(g_src, x) for x in xs]
    return sum((a - b) ** 2 for a, b in zip(fv, gv)) / max(sum(a * a for a in fv), 1e-300)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="bench/results/function_find")
    ap.add_argument("--max-boxes", type=int, default=20000)
    args = ap.parse_args()
    from pybridge.check import verify

    rows = []
    tmp = Path(args.out + ".tmp-cert.json")
    for e in suite(args.seed):
        dom = [(Fraction(str(e["domain"][0])), Fraction(str(e["domain"][1])))]
        xs = [dom[0][0] + (dom[0][1] - dom[0][0]) * i / 2000 for i in range(2001)]
        vals = [_val(e["f"], float(x)) for x in xs]
        eps = Fraction(str(round(0.05 * (max(vals) - min(vals)), 3)))
        for variant, body in e["descriptions"].items():
            g = f"def g(x):\n    return {body}\n"
            score = nmse(e["f"], g, e["domain"])
            t0 = time.perf_counter()
            r = agree(e["f"], g, eps, dom, max_boxes=args.max_boxes)
            secs = time.perf_counter() - t0
            check_s = None
            if r.agree:
                tmp.write_text(json.dumps(certificate(e["f"], g, r, secs)))
                t1 = time.perf_counter()
                verify(tmp)
                check_s = time.perf_counter() - t1
            rows.append({"kind": e["kind"], "variant": variant, "domain": list(e["domain"]), "eps": str(eps),
                         "nmse": score, "find_pass": score < 0.1,
                         "verdict": {True: "certified", False: "refuted", None: "undecided"}[r.agree],
                         "counterexample_x": r.counterexample["x"] if r.counterexample else None,
                         "boxes": r.boxes, "prove_s": round(secs, 2), "check_s": None if check_s is None else round(check_s, 2),
                         "reason": r.reason, "f": e["f"], "g": g})
            print(json.dumps({k: rows[-1][k] for k in ("kind", "variant", "nmse", "verdict", "boxes", "prove_s", "check_s")}), flush=True)
    tmp.unlink(missing_ok=True)
    Path(args.out + ".json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = ["# FIND's sampled test vs the whole-domain check (bench/function_find.py, seed %d)" % args.seed, "",
             "eps = 5% of the function's range on its domain; NMSE on x = i + 0.5 (FIND passes below 0.1).", "",
             "| kind | description | NMSE | FIND | whole domain | counterexample x | boxes | prove s | check s |",
             "| --- | --- | ---: | --- | --- | --- | ---: | ---: | ---: |"]
    for r in rows:
        cx = f"{float(Fraction(r['counterexample_x'])):.4g}" if r["counterexample_x"] else ""
        lines.append(f"| {r['kind']} | {r['variant']} | {r['nmse']:.3g} | {'pass' if r['find_pass'] else 'fail'} | "
                     f"{r['verdict']} | {cx} | {r['boxes'] or ''} | {r['prove_s']} | {r['check_s'] if r['check_s'] is not None else ''} |")
    passed = [r for r in rows if r["find_pass"]]
    lines += ["", f"descriptions: {len(rows)}; pass FIND's NMSE test: {len(passed)}; of those refuted on the whole domain: "
              f"{sum(r['verdict'] == 'refuted' for r in passed)}; certified: {sum(r['verdict'] == 'certified' for r in passed)}; "
              f"undecided: {sum(r['verdict'] == 'undecided' for r in passed)}."]
    Path(args.out + ".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[-1:]))


if __name__ == "__main__":
    main()
