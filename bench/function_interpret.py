"""Bench (issue 14, items 5-6): our interpreter (`pybridge find interpret`, no LM) on a generated FIND-style
suite and, when ../shared/find/ is present, on FIND's own functions. Per kind and variant:

- how many of the interpreter's descriptions pass FIND's NMSE test (x = i + 0.5, i = -128..127 inside F's
  domain, NMSE = sum (f - g)^2 / sum f^2 < 0.1; a description undefined at a grid point fails),
- how many of those are refuted on F's WHOLE domain at eps = 5% of F's range (and where: the exact x),
- how many are certified (on the whole domain, or on the domain the interpreter proposes after cutting
  out a suspected corruption), and the time per check (agree) and per re-check (trusted checker).
Deliberately wrong descriptions (the uncorrupted function for a corrupted one, a dropped bias, a missed
step) show what sampling misses. Noised variants: the interpreter sees noisy samples (uniform +-1, normal
sigma 1, poisson lambda 1) and the claim is about the noise-free F (at eps - 1 for the uniform band).

    nice python bench/function_interpret.py [--seed 0] [--n 2] [--compositions 6] [--find 16]
        [--out bench/results/function_interpret]
String functions: bench/function_interpret_strings.py (the check only; no string interpreter).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from pybridge.check.function.lang import parse_function
from pybridge.families.function.agree import agree, certificate
from pybridge.families.function.interpret import exact_value, interpret
from pybridge.families.function.suite import expr, numeric_suite

FIND = Path(__file__).resolve().parents[2] / "shared" / "find" / "numeric" / "data.json"


def grid(dom) -> list[Fraction]:
    return [Fraction(2 * i + 1, 2) for i in range(-128, 128) if any(a <= Fraction(2 * i + 1, 2) <= b for a, b in dom)]


def nmse(f_src: str, g_src: str, dom, fvals: dict | None = None) -> float:
    fi, gi = parse_function(f_src)[1], parse_function(g_src)[1]
    num = den = 0.0
    for x in grid(dom):
        fv = fvals[x] if fvals is not None and x in fvals else exact_value(fi, x)
        if not math.isfinite(fv):
            continue  # F undefined there (a pole): FIND's grid point carries no score
        gv = exact_value(gi, x)
        if not math.isfinite(gv):
            return math.inf
        num += (fv - gv) ** 2
        den += fv * fv
    return num / den if den > 0 else (0.0 if num == 0 else math.inf)


def check_cert(cert: dict, tmp: Path) -> float:
    from pybridge.check import verify

    tmp.write_text(json.dumps(cert))
    t0 = time.perf_counter()
    verify(tmp)
    return time.perf_counter() - t0


def run_one(rec: dict, tmp: Path, max_boxes: int) -> dict:
    dom = [(Fraction(a), Fraction(b)) for a, b in rec["domain"]]
    noise = None
    if rec.get("noise"):
        n = rec["noise"]
        noise = (n["type"], Fraction(n.get("amplitude") or n.get("sigma") or n.get("lambda")))
    t0 = time.perf_counter()
    r = interpret(rec["source"], dom, noise=noise, max_boxes=max_boxes)
    secs = time.perf_counter() - t0
    row = {"id": rec["id"], "kind": rec["kind"], "variant": rec["variant"], "source": rec["source"],
           "noise": rec.get("noise"), "corruption": rec.get("corruption"),
           "found_kind": r.kind, "description": r.description, "verdict": r.verdict, "eps": str(r.eps),
           "claim_eps": str(r.claim_eps), "covers": float(r.covered()),
           "domain": [[str(a), str(b)] for a, b in r.domain], "excluded": [[str(a), str(b)] for a, b in r.excluded],
           "boxes": r.boxes, "interpret_s": round(secs, 2), "check_s": round(r.seconds.get("check", 0.0), 2),
           "steps": r.log, "reason": r.reason,
           "counterexample_x": r.counterexample["x"] if r.counterexample and r.verdict == "refuted" else None}
    row["recheck_s"] = round(check_cert(r.certificate, tmp), 2) if r.certificate else None
    if not r.description:
        row.update(nmse=None, find_pass=False, whole="none", whole_x=None)
        return row
    row["nmse"] = nmse(rec["source"], r.description, dom)
    row["find_pass"] = row["nmse"] < 0.1
    # the same description on F's whole domain
    if r.verdict == "certified" and not r.excluded and r.domain == dom:
        row["whole"], row["whole_x"] = "certified", None
    else:
        w = agree(rec["source"], r.description, r.claim_eps, dom, max_boxes=max_boxes)
        row["whole"] = {True: "certified", False: "refuted", None: "undecided"}[w.agree]
        row["whole_x"] = w.counterexample["x"] if w.counterexample else None
    return row


def wrong_descriptions(rec: dict) -> list[tuple[str, str]]:
    """(name, description source) deliberately wrong in a way sampling may miss."""
    out = []
    k, p = rec["kind"], rec["params"]
    if rec["variant"] == "corrupted":
        body = rec["source"].split("\n", 3)[3].strip()
        out.append(("uncorrupted function", f"def g(x):\n    {body}\n"))
    if rec["variant"] != "plain" or ";" in k or not p:
        return out
    q = {kk: (Fraction(v) if isinstance(v, str) else v) for kk, v in p.items() if kk != "poles"}
    if "coeffs" in q:
        q["coeffs"] = [Fraction(c) for c in p["coeffs"]]
    if "n" in q and isinstance(p["n"], list):
        q["n"] = [Fraction(c) for c in p["n"]]
    if "b" in q and q["b"] != 0:
        out.append(("dropped bias", f"def g(x):\n    return {expr(k, {**q, 'b': Fraction(0)})}\n"))
    if k in ("step", "rectangle", "square_wave"):
        mid = {"step": q["b"] + q["a"] / 2, "rectangle": q["b"], "square_wave": q["b"]}[k]
        out.append(("missed step", f"def g(x):\n    return {expr('constant', {'a': mid})}\n"))
    if k == "step":
        out.append(("step moved by 0.3", f"def g(x):\n    return {expr(k, {**q, 'c': q['c'] + Fraction(3, 10)})}\n"))
    return out


def run_wrong(rec: dict, name: str, g: str, eps: Fraction, max_boxes: int) -> dict:
    dom = [(Fraction(a), Fraction(b)) for a, b in rec["domain"]]
    if rec["kind"] == "reciprocal":
        dom = [(Fraction(-100), Fraction(-1)), (Fraction(1), Fraction(100))]
    t0 = time.perf_counter()
    w = agree(rec["source"], g, eps, dom, max_boxes=max_boxes)
    return {"id": rec["id"], "kind": rec["kind"], "variant": rec["variant"], "wrong": name, "description": g,
            "eps": str(eps), "nmse": nmse(rec["source"], g, dom),
            "whole": {True: "certified", False: "refuted", None: "undecided"}[w.agree],
            "whole_x": w.counterexample["x"] if w.counterexample else None,
            "check_s": round(time.perf_counter() - t0, 2)}


def find_records(k: int) -> list[dict]:
    from pybridge.families.function.find_data import load

    out = []
    for r in load(FIND):
        if not r["source"] or len([o for o in out if o["variant"] == "plain"]) >= k:
            continue
        dom = [[str(r["domain"][0]), str(r["domain"][1])]]
        out.append({"id": r["dir"], "kind": r["kind"], "variant": "plain", "domain": dom, "source": r["source"],
                    "params": {}})
        if r["corrupted_source"]:
            out.append({"id": r["dir"], "kind": r["kind"], "variant": "corrupted", "domain": dom,
                        "source": r["corrupted_source"], "params": {},
                        "corruption": {"boundary": r["corruption_params"]["boundary"]}})
    return out


def summarize(rows: list[dict]) -> list[str]:
    lines = ["| kind | variant | n | kind recovered | pass NMSE | of those refuted on whole domain (x) | certified whole | "
             "certified reduced (mean cover) | refuted | undecided | interpret s (mean) | check s (mean) | re-check s (mean) |",
             "| --- | --- | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    keys = sorted({(r["kind"], r["variant"]) for r in rows}, key=lambda t: (";" in t[0], t[0], t[1]))
    for kind, var in keys:
        rs = [r for r in rows if r["kind"] == kind and r["variant"] == var]
        passed = [r for r in rs if r["find_pass"]]
        ref = [r for r in passed if r["whole"] == "refuted"]
        cw = sum(r["verdict"] == "certified" and not r["excluded"] and r["covers"] == 1 for r in rs)
        red = [r for r in rs if r["verdict"] == "certified" and (r["excluded"] or r["covers"] < 1)]
        xs = ", ".join(f"{float(Fraction(r['whole_x'])):.4g}" for r in ref[:3])
        rc = [r["recheck_s"] for r in rs if r["recheck_s"] is not None]
        lines.append(
            f"| {kind} | {var} | {len(rs)} | {sum(r['found_kind'] == kind for r in rs)} | {len(passed)} | "
            f"{len(ref)}{' (' + xs + ')' if xs else ''} | {cw} | "
            f"{len(red)}{' (%.2f)' % (sum(r['covers'] for r in red) / len(red)) if red else ''} | "
            f"{sum(r['verdict'] == 'refuted' for r in rs)} | {sum(r['verdict'] == 'undecided' for r in rs)} | "
            f"{np.mean([r['interpret_s'] for r in rs]):.1f} | {np.mean([r['check_s'] for r in rs]):.2f} | "
            f"{(np.mean(rc) if rc else float('nan')):.2f} |")
    return lines


def totals(rows: list[dict]) -> str:
    passed = [r for r in rows if r["find_pass"]]
    return (f"descriptions: {len(rows)}; pass FIND's NMSE test: {len(passed)}; of those refuted on the whole domain: "
            f"{sum(r['whole'] == 'refuted' for r in passed)}; certified by the interpreter: "
            f"{sum(r['verdict'] == 'certified' for r in rows)} ({sum(r['verdict'] == 'certified' and r['covers'] == 1 for r in rows)} "
            f"on the whole domain, {sum(r['verdict'] == 'certified' and r['covers'] < 1 for r in rows)} on a reduced one); "
            f"refuted: {sum(r['verdict'] == 'refuted' for r in rows)}; undecided: {sum(r['verdict'] == 'undecided' for r in rows)}; "
            f"kind recovered: {sum(r['found_kind'] == r['kind'] for r in rows)}.")


def main() -> None:
    global FIND
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", type=int, default=2, help="functions per atomic kind")
    ap.add_argument("--compositions", type=int, default=6)
    ap.add_argument("--find", type=int, default=16, help="FIND's first K simple functions (plain + corrupted); 0: none")
    ap.add_argument("--max-boxes", type=int, default=20000)
    ap.add_argument("--find-data", default=str(FIND), help="FIND's numeric/data.json (default ../shared/find/...)")
    ap.add_argument("--out", default="bench/results/function_interpret")
    args = ap.parse_args()
    FIND = Path(args.find_data)
    tmp = Path(args.out + ".tmp-cert.json")
    t_all = time.perf_counter()
    recs = numeric_suite(args.seed, args.n, args.compositions)
    rows, wrong = [], []
    for rec in recs:
        row = run_one(rec, tmp, args.max_boxes)
        rows.append(row)
        print(json.dumps({k: row[k] for k in ("id", "kind", "variant", "found_kind", "verdict", "covers", "nmse",
                                              "whole", "interpret_s")}), flush=True)
        for name, g in wrong_descriptions(rec):
            wrong.append(run_wrong(rec, name, g, Fraction(row["eps"]), args.max_boxes))
    Path(args.out + ".partial.json").write_text(json.dumps({"generated": rows, "wrong": wrong}, indent=1) + "\n")
    find_rows = []
    if args.find and FIND.exists():
        for rec in find_records(args.find):
            row = run_one(rec, tmp, args.max_boxes)
            find_rows.append(row)
            print(json.dumps({k: row[k] for k in ("id", "kind", "variant", "found_kind", "verdict", "covers", "nmse",
                                                  "whole", "interpret_s")}), flush=True)
            for name, g in wrong_descriptions({**rec, "variant": rec["variant"]}):
                wrong.append({**run_wrong(rec, name, g, Fraction(row["eps"]), args.max_boxes), "find": True})
    tmp.unlink(missing_ok=True)
    Path(args.out + ".partial.json").unlink(missing_ok=True)
    total_s = time.perf_counter() - t_all
    Path(args.out + ".json").write_text(json.dumps({"args": {k: v for k, v in vars(args).items() if k != "find_data"}, "seconds": round(total_s, 1), "generated": rows,
                                                     "wrong": wrong, "find": find_rows}, indent=1) + "\n")
    md = [f"# Our interpreter vs FIND's sampled test, decided on the whole domain (bench/function_interpret.py)", "",
          f"Command: `nice python bench/function_interpret.py --seed {args.seed} --n {args.n} --compositions "
          f"{args.compositions} --find {args.find}` ({total_s:.0f} s wall on the shared 2-core machine).", "",
          f"Generated suite (`pybridge find generate` parameters, seed {args.seed}): {args.n} functions per atomic kind "
          f"(16 kinds) and {args.compositions} compositions, each in 3 variants (plain, corrupted, noised): "
          f"{len(rows)} interpretations. eps = 5% of F's sampled range (3 significant digits); the interpreter's "
          "description is certified on the domain it proposes (whole, or reduced by a cut-out corruption / pole "
          "margin) or refuted; 'refuted on whole domain' re-runs `agree` with the same description on F's whole "
          "domain. Noised: simulated noise on the samples only; the claim is about the noise-free F (at eps - 1 for "
          "uniform noise; normal/poisson noise is unbounded, so no claim covers the noisy values).", ""]
    md += summarize(rows) + ["", totals(rows), ""]
    md += ["## Deliberately wrong descriptions (what sampling misses)", "",
           "| function | variant | wrong description | NMSE | FIND | whole domain | counterexample x |",
           "| --- | --- | --- | ---: | --- | --- | --- |"]
    for w in wrong:
        md.append(f"| {w['id']} {w['kind']}{' (FIND)' if w.get('find') else ''} | {w['variant']} | {w['wrong']} | "
                  f"{w['nmse']:.3g} | {'pass' if w['nmse'] < 0.1 else 'fail'} | {w['whole']} | "
                  f"{'' if not w['whole_x'] else '%.6g' % float(Fraction(w['whole_x']))} |")
    wp = [w for w in wrong if w["nmse"] < 0.1]
    md += ["", f"wrong descriptions: {len(wrong)}; pass FIND's NMSE test: {len(wp)}; of those refuted on the whole "
           f"domain: {sum(w['whole'] == 'refuted' for w in wp)}; certified (within eps although wrong in form): "
           f"{sum(w['whole'] == 'certified' for w in wp)}.", ""]
    if find_rows:
        md += [f"## FIND's own functions (../shared/find/numeric/data.json, the first {args.find} simple entries with a "
               "loader source; corrupted = the authors' corruption with its noise replaced by its mean m)", ""]
        md += summarize(find_rows) + ["", totals(find_rows), ""]
    else:
        md += ["FIND's data: not present or not requested (../shared/find/ absent): section skipped.", ""]
    md += ["String functions: the interpreter (fitting) covers numeric functions only. The generated string "
           "sources are checked with `agree --strings` in bench/function_interpret_strings.py "
           "(results: function_interpret_strings.md).", ""]
    Path(args.out + ".md").write_text("\n".join(md) + "\n")
    print(totals(rows))


if __name__ == "__main__":
    main()
