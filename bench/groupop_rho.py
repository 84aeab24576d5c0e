"""Rho-set compact proof vs brute force on the S5 zoo (issue 5 item 4).

    nice -n 10 python bench/groupop_rho.py --work /work/zoo_groupop --seeds 100

Per seed: the model `<work>/S5-seed<S>.safetensors` (trained by `pybridge train groupop` or this
script with --train; training is deterministic, so a rerun reuses the file), brute-force prove +
check, rho-set prove (+ check when explained), and diagnostics of the fit (float, informational):
how many (b, c) pairs of each circuit the real model lacks, the ideal margin, and the fraction of
inputs on which the *true* float distance max_c (H_c - I_c) is below what the criterion needs (an
upper limit for any distance bound against this ideal model). Results are appended to
`<out>.json` after each seed (resumable); `<out>.md` is rewritten from it.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ANCHOR = {"bf_mean": 0.99996, "ge95": "45/100", "mean_explained": "0.82-0.92", "unexplained": "38-45",
          "time_fraction": "~30% (both per-input Python loops)"}


def diagnostics(m, fit, diag_lr: dict) -> dict:
    """Float diagnostics of the ideal model (not part of any proof)."""
    pairs = sum(c.n_pairs for c in fit.circuits)
    missing = sum(c.n_missing for c in fit.circuits)
    H = fit.hints
    h = m.exact.d_hidden
    return {"pairs": pairs, "missing_pairs": missing, "virtual_neurons": len(H["neurons"]) - h,
            "unassigned_neurons": len(fit.unassigned), "rank": diag_lr["rank"], "rank_estimates": diag_lr["estimates"],
            "true_distance_mean": diag_lr["true_distance_mean"], "frac_true_distance_ok": diag_lr["frac_true_distance_ok"],
            "singular_values": diag_lr["singular_values"],
            "circuits": [{"irrep": c.irrep, "neurons": len(c.neurons), "pairs": c.n_pairs, "missing": c.n_missing}
                         for c in fit.circuits]}


def run_seed(seed: int, work: Path, group: str, train: bool) -> dict | None:
    from pybridge.check import verify
    from pybridge.families.maxofk.common import write_json_atomic
    from pybridge.families.groupop.brute_force import load_groupop_model, prove_groupop_bf
    from pybridge.families.groupop.rho import FitParams, Unexplained, fit_rho_sets, lowrank_hints, prove_groupop_rho

    model = work / f"{group}-seed{seed}.safetensors"
    if not model.exists():
        if not train:
            return None
        from pybridge.families.groupop.model import GroupOpConfig
        from pybridge.families.groupop.train import train_groupop

        train_groupop(GroupOpConfig(group), seed=seed, out=model, quiet=True)
    m = load_groupop_model(model)
    t0 = time.perf_counter()
    bf = prove_groupop_bf(m)
    t_bf = time.perf_counter() - t0
    bf_cert = write_json_atomic(bf.certificate, work / f"{group}-seed{seed}.bf.json")
    chk_bf = verify(bf_cert, model)
    rec = {"seed": seed, "group": group,
           "brute_force": {"correct": bf.correct, "total": bf.total, "bound": bf.bound, "prove_seconds": round(t_bf, 3),
                           "check_seconds": round(chk_bf.seconds["total"], 3),
                           "check_strategy_seconds": round(chk_bf.seconds["strategy"], 3),
                           "check_replay_seconds": round(chk_bf.seconds["replay_tables"], 3)}}
    t0 = time.perf_counter()
    try:
        rho = prove_groupop_rho(m)
        t_rho = time.perf_counter() - t0
        cert = write_json_atomic(rho.certificate, work / f"{group}-seed{seed}.rho.json")
        chk = verify(cert, model)
        rec["rho_set"] = {"explained": True, "correct": rho.correct, "bound": rho.bound, "prove_seconds": round(t_rho, 3),
                          "rank": rho.certificate["prover"]["rank"], "ideal_margin": rho.certificate["prover"]["ideal_margin"],
                          "check_seconds": round(chk.seconds["total"], 3),
                          "check_strategy_seconds": round(chk.seconds["strategy"], 3),
                          "check_replay_seconds": round(chk.seconds["replay_tables"], 3),
                          "valid": chk.verified_correct >= rho.correct, "le_brute_force": rho.correct <= bf.correct}
    except Unexplained as e:
        rec["rho_set"] = {"explained": False, "reason": str(e), "prove_seconds": round(time.perf_counter() - t0, 3),
                          "count_below_threshold": e.count,
                          "ideal_margin": e.info.get("ideal_margin")}
    try:
        fit = fit_rho_sets(m)
        _, dlr = lowrank_hints(m, fit.hints, FitParams())
        rec["diagnostics"] = diagnostics(m, fit, dlr)
    except Unexplained as e:
        rec["diagnostics"] = {"error": str(e)}
    return rec


def _mean(xs):
    return statistics.mean(xs) if xs else float("nan")


def write_md(recs: list[dict], path: Path, seeds_requested: int) -> None:
    from pybridge.families.groupop.rho import FitParams

    thr = FitParams().min_bound
    n = len(recs)
    group = recs[0].get("group", "S5") if recs else "S5"
    # The anchor's numbers are for its 100-model S5 zoo; other groups get no anchor column entries.
    anc = ANCHOR if group == "S5" else {k: "-" for k in ANCHOR}
    bfb = [r["brute_force"]["bound"] for r in recs]
    ex = [r for r in recs if r["rho_set"]["explained"]]
    un = [r for r in recs if not r["rho_set"]["explained"]]
    reasons: dict[str, int] = {}
    for r in un:
        reason = r["rho_set"]["reason"]
        key = "certified bound below the threshold" if reason.startswith("certified bound") else reason.split("(")[0].strip()
        reasons[key] = reasons.get(key, 0) + 1
    ge95 = sum(r["rho_set"]["bound"] >= 0.95 for r in ex)
    mean_ex = f"{_mean([r['rho_set']['bound'] for r in ex]):.4f}" if ex else "n/a (none explained)"
    diag = [r["diagnostics"] for r in recs if "rank" in r.get("diagnostics", {})]
    lines = [
        f"# Rho-set compact proof vs brute force, {group} zoo ({n} of {seeds_requested} seeds done)",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}; one process, "
        "two cores shared with another long benchmark (wall times are noisy).",
        f"A model is *unexplained* when no circuit fits, the ideal model is wrong at (e, e), or the certified"
        f" bound is below {thr} (no certificate is issued then; the count the checker would give is in the table).",
        "",
        "| quantity | ours | anchor (Wu et al. 2024) |",
        "|---|---|---|",
        f"| brute-force accuracy, mean over models (exact) | {_mean(bfb):.5f} | {anc['bf_mean']} |",
        f"| models with compact bound >= 0.95 | {ge95}/{n} | {anc['ge95']} |",
        f"| mean compact bound on explained models | {mean_ex} | {anc['mean_explained']} |",
        f"| unexplained models | {len(un)}/{n} | {anc['unexplained']} |",
    ]
    if ex:
        fr = [r["rho_set"]["check_strategy_seconds"] / r["brute_force"]["check_strategy_seconds"] for r in ex]
        lines.append(f"| compact check time / brute-force check time (strategy part, both vectorised), mean (min-max) |"
                     f" {_mean(fr):.1%} ({min(fr):.1%}-{max(fr):.1%}) | {anc['time_fraction']} |")
        fr2 = [r["rho_set"]["check_seconds"] / r["brute_force"]["check_seconds"] for r in ex]
        lines.append(f"| same, whole check incl. loading and the exact replay of the pre-activation tables (shared) |"
                     f" {_mean(fr2):.1%} | |")
        lines.append(f"| rho-set check, strategy part (s, mean over explained) | "
                     f"{_mean([r['rho_set']['check_strategy_seconds'] for r in ex]):.2f} | |")
    lines += [
        f"| brute-force check, strategy part (s, mean) | {_mean([r['brute_force']['check_strategy_seconds'] for r in recs]):.2f} | |",
        f"| rho-set prover (fit + rank choice + exact count), s, mean | {_mean([r['rho_set']['prove_seconds'] for r in recs]):.2f} | |",
        "",
        "Unexplained, by reason: " + ("; ".join(f"{k}: {v}" for k, v in sorted(reasons.items())) or "none"),
        "",
        "Asymptotic costs (|G| group order, h hidden width, e embedding width, P pair-neurons, N = h + virtual"
        " neurons, g generators, k the rank of the low-rank part, S = h + P): brute force O(|G| e h + |G|^2 h |G|)"
        " (every pair, every logit); rho-set check O(|G| e h + g P |G| + N |G| + S k |G|) once (tables,"
        " equivariance on generators, ideal model at (e, e), remainder C - X Y) plus O(S + S k + k |G| + |G|)"
        " per pair (features, low-rank part, one ideal logit per class by the equivariance permutation), i.e."
        " O(|G|^2 (S k + k |G|)) against O(|G|^2 h |G|): cheaper by about h |G| / (S k + k |G|) when k is small.",
        "",
        "## What limits the bound (float diagnostics of the prover's ideal model, informational)",
        "",
    ]
    if diag:
        lines += [
            f"- rank k chosen (smallest within 0.001 of the best float estimate), mean: {_mean([d['rank'] for d in diag]):.1f}",
            f"- (b, c) pairs required by exact bi-equivariance, mean per model: {_mean([d['pairs'] for d in diag]):.1f},"
            f" of which missing from the real model: {_mean([d['missing_pairs'] for d in diag]):.1f}"
            " (filled by virtual neurons whose real weights are zero); unassigned neurons (ideal 0), mean:"
            f" {_mean([d['unassigned_neurons'] for d in diag]):.1f}",
            f"- true float distance max_c (H_c - I_c), mean over inputs: {_mean([d['true_distance_mean'] for d in diag]):.3f}",
            f"- fraction of inputs where the true distance passes the old criterion (against the best wrong ideal logit"
            f" F2), mean: {_mean([d['frac_true_distance_ok'] for d in diag]):.4f}",
            f"- models whose float estimate reaches 0.95 with rank k <= 8: "
            f"{sum(max(v for k, v in d['rank_estimates'].items() if int(k) <= 8) >= 0.95 for d in diag)}/{len(diag)};"
            f" with the rank cap k (h + P + |G|) <= h |G|: "
            f"{sum(max(d['rank_estimates'].values()) >= 0.95 for d in diag)}/{len(diag)}",
        ]
        small = [r for r in ex if r["rho_set"]["rank"] <= 8]
        large = [r for r in ex if r["rho_set"]["rank"] > 8]
        for grp, name in ((small, "k <= 8"), (large, "k > 8")):
            if grp:
                lines.append(f"- compact / brute-force check time (strategy part) for explained models with {name}"
                             f" ({len(grp)}): {_mean([r['rho_set']['check_strategy_seconds'] / r['brute_force']['check_strategy_seconds'] for r in grp]):.1%}")
        if group == "S5":
            lines += [
                "- What still limits the bound: (1) the pre-activation fit. The features phi_n = relu(a_n) - relu(a'_n)"
                " of the model neurons (fit error of the ideal pre-activations, and the whole activation of unassigned"
                " neurons) are spread over almost all neurons, and their coefficient rows W_U[n] span the large"
                " singular directions of W_U (17 on seeds 1, 3, 4, 8: the 16 matrix entries of one 4-dim irrep and"
                " one more; 33-37 on seeds 0, 2, which use two circuits; measured in float), so on the models whose"
                " ideal pre-activations fit worst the remainder only becomes small once k covers that row space"
                " (k = 20-40): these certificates are mostly a low-rank compression of the unembedding around the"
                " ideal model, not the explanation alone. (2) Seed 0: 43 unassigned neurons and 28 of 104 pairs"
                " missing (a circuit the fit does not capture); at the rank cap k = 40 only 0.228 is certified."
                " (3) Models with a good fit (k <= 2) are certified at 0.9994-1.0000; the prover takes the smallest"
                " rank within 0.001 of its best float estimate, and a slightly larger rank (4-8) would close most"
                " of the rest at a small cost.",
            ]
    lines += ["", "| seed | brute force | rho-set | rank k | float estimate by rank (k: fraction) | ideal margin | pairs (missing) | unassigned |",
              "|---|---|---|---|---|---|---|---|"]
    for r in recs:
        d = r.get("diagnostics", {})
        rs = r["rho_set"]
        if rs["explained"]:
            cell = f"{rs['bound']:.4f}"
        elif rs.get("count_below_threshold") is not None:
            cell = f"unexplained ({rs['count_below_threshold'] / r['brute_force']['total']:.4f} < {thr})"
        else:
            cell = "unexplained: " + rs["reason"].split("(")[0].strip()
        est = d.get("rank_estimates", {})
        estc = ", ".join(f"{k}: {v:.3f}" for k, v in est.items() if int(k) in (0, 2, 8, 16, 32, 64))
        lines.append(f"| {r['seed']} | {r['brute_force']['bound']:.5f} | {cell} | {d.get('rank', '-')} | {estc} | "
                     + (f"{rs['ideal_margin']:.2f}" if rs.get("ideal_margin") is not None else "-") + " | "
                     + (f"{d['pairs']} ({d['missing_pairs']}) | {d['unassigned_neurons']}" if "pairs" in d else "- | -") + " |")
    path.write_text("\n".join(lines) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/work/zoo_groupop")
    ap.add_argument("--group", default="S5")
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--train", action="store_true", help="train missing models (else skip them)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "groupop_rho"))
    ap.add_argument("--fresh", action="store_true", help="ignore existing records (rerun every seed)")
    args = ap.parse_args()
    work, out = Path(args.work), Path(args.out)
    work.mkdir(parents=True, exist_ok=True)
    jpath = out.with_suffix(".json")
    recs = json.loads(jpath.read_text())["records"] if jpath.exists() and not args.fresh else []
    done = {r["seed"] for r in recs}
    for s in range(args.seeds):
        if s in done:
            continue
        rec = run_seed(s, work, args.group, args.train)
        if rec is None:
            continue
        recs.append(rec)
        recs.sort(key=lambda r: r["seed"])
        jpath.write_text(json.dumps({"anchor": ANCHOR, "records": recs}, indent=1))
        write_md(recs, out.with_suffix(".md"), args.seeds)
        print(s, rec["brute_force"]["bound"], rec["rho_set"].get("bound", rec["rho_set"].get("reason")), flush=True)
    if recs:
        write_md(recs, out.with_suffix(".md"), args.seeds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
