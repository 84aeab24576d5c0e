"""Max-of-4 zoo benchmark: train seeds, prove brute force and cubic, check both, compare with the anchor.

    python bench/maxofk_zoo.py --seeds 20            # seeds 0..19
    python bench/maxofk_zoo.py --seeds 151 --out bench/results/maxofk_zoo_151

Writes `<out>.json` (one record per seed) and `<out>.md` (summary table next to the anchor's numbers,
read from the anchor's code and data; see ../shared/MISSION.md). Models and certificates go to a
work directory (default: a temporary directory), not into git.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ANCHOR = {
    "brute_force_accuracy": (0.9992, 0.0015),
    "cubic_bound": (0.9531, 0.0087),
    "cubic_bound_normalised": (0.9539, 0.0080),
    "brute_force_flops": 1.41e14,
    "cubic_flops": 3.4e7,
}


def run_seed(seed: int, work: Path, steps: int) -> dict:
    from pybridge.check import verify
    from pybridge.families.maxofk.model import MaxOfKConfig
    from pybridge.families.maxofk.brute_force import prove_brute_force
    from pybridge.families.maxofk.common import load_model, write_json_atomic
    from pybridge.families.maxofk.cubic import prove_cubic
    from pybridge.families.maxofk.train import train_maxofk

    model = work / f"seed{seed}.safetensors"
    tr = train_maxofk(MaxOfKConfig(), seed=seed, steps=steps, out=model, quiet=True)
    m = load_model(model)
    rec: dict = {"seed": seed, "train_seconds": round(tr.seconds, 2), "model_sha256": tr.model_sha256}
    for name, fn in (("brute_force", prove_brute_force), ("cubic", prove_cubic)):
        t0 = time.perf_counter()
        res = fn(m)
        t_prove = time.perf_counter() - t0
        cert = write_json_atomic(res.certificate, work / f"seed{seed}.{name}.json")
        chk = verify(cert, model)
        rec[name] = {
            "correct": res.correct,
            "total": res.total,
            "bound": res.bound,
            "incorrect": res.incorrect,
            "flops": res.flops,
            "prove_seconds": round(t_prove, 3),
            "check_seconds": round(chk.seconds["total"], 3),
            "check_replay_seconds": round(chk.seconds["replay_tables"], 3),
            "valid": chk.verified_correct >= res.correct,
        }
    bf = rec["brute_force"]
    rec["accuracy_bracket"] = [bf["bound"], 1 - bf["incorrect"] / bf["total"]]
    rec["cubic"]["normalised"] = rec["cubic"]["correct"] / bf["correct"]
    return rec


def _ms(xs: list[float]) -> str:
    if len(xs) < 2:
        return f"{xs[0]:.4f}"
    return f"{statistics.mean(xs):.4f} ± {statistics.stdev(xs):.4f}"


def summarise(recs: list[dict]) -> str:
    bf = [r["brute_force"]["bound"] for r in recs]
    bf_hi = [r["accuracy_bracket"][1] for r in recs]
    cu = [r["cubic"]["bound"] for r in recs]
    cn = [r["cubic"]["normalised"] for r in recs]
    t = lambda k, s: statistics.mean(r[k][s] for r in recs)  # noqa: E731
    a = ANCHOR
    from pybridge.families.maxofk.common import DEFAULT_PARAMS

    lines = [
        f"# Max-of-4 zoo: {len(recs)} seeds (V=64, n_ctx=4, d_model=d_head=32, 3000 steps)",
        "",
        f"Machine: {platform.machine()}, {platform.python_version()}; seeds {recs[0]['seed']}..{recs[-1]['seed']}; "
        f"exp parameters {DEFAULT_PARAMS}. Times were measured with other jobs sharing the 2 cores.",
        "All certificates were accepted by the independent checker: "
        + ("yes" if all(r[s]["valid"] for r in recs for s in ("brute_force", "cubic")) else "NO"),
        "",
        "| quantity | pybridge (mean ± std) | anchor (151 seeds) |",
        "| --- | --- | --- |",
        f"| brute-force accuracy, rigorous lower bound | {_ms(bf)} | {a['brute_force_accuracy'][0]} ± {a['brute_force_accuracy'][1]} (float32, not rigorous) |",
        f"| brute-force accuracy, rigorous upper bound | {_ms(bf_hi)} | - |",
        f"| cubic bound | {_ms(cu)} | {a['cubic_bound'][0]} ± {a['cubic_bound'][1]} |",
        f"| cubic bound / brute force (normalised) | {_ms(cn)} | {a['cubic_bound_normalised'][0]} ± {a['cubic_bound_normalised'][1]} |",
        f"| brute-force FLOPs (our enumeration) | {recs[0]['brute_force']['flops']:.3g} | {a['brute_force_flops']:.3g} (their count) |",
        f"| cubic FLOPs | {recs[0]['cubic']['flops']:.3g} | {a['cubic_flops']:.3g} |",
        "",
        "| time per model (s, 2 cores) | mean |",
        "| --- | --- |",
        f"| training | {statistics.mean(r['train_seconds'] for r in recs):.2f} |",
        f"| brute force: prove | {t('brute_force', 'prove_seconds'):.2f} |",
        f"| brute force: check (incl. exact table replay) | {t('brute_force', 'check_seconds'):.2f} |",
        f"| cubic: prove | {t('cubic', 'prove_seconds'):.2f} |",
        f"| cubic: check | {t('cubic', 'check_seconds'):.2f} |",
        f"| exact table replay inside check | {t('cubic', 'check_replay_seconds'):.2f} |",
        "",
        "Per seed: `seed: brute-force [lower, upper] | cubic (normalised)`",
        "",
    ]
    for r in recs:
        lo, hi = r["accuracy_bracket"]
        lines.append(f"- {r['seed']}: [{lo:.6f}, {hi:.6f}] | {r['cubic']['bound']:.4f} ({r['cubic']['normalised']:.4f})")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5, help="number of seeds (0..N-1); 151 for the full zoo")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--out", default=str(Path(__file__).parent / "results" / "maxofk_zoo"))
    p.add_argument("--work", default=None, help="directory for models and certificates (default: temporary)")
    a = p.parse_args(argv)
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="pybridge-zoo-"))
    work.mkdir(parents=True, exist_ok=True)
    recs = []
    from tqdm import tqdm

    for seed in tqdm(range(a.first_seed, a.first_seed + a.seeds), desc="zoo", file=sys.stderr, disable=not sys.stderr.isatty()):
        recs.append(run_seed(seed, work, a.steps))
        out = Path(a.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".json").write_text(json.dumps(recs, indent=1) + "\n")
        out.with_suffix(".md").write_text(summarise(recs))
    print(summarise(recs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
