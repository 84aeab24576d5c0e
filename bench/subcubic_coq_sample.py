"""Coq re-check of a sample of the zoo's subcubic certificates: one variant per paper family.

    python bench/subcubic_coq_sample.py --work /work/zoo_maxofk --seed 0

Each certificate is first re-checked by the Python checker, then exported as the cubic-count
reading of its partition (docs/CHECKING.md section 6c.4) and compiled with coqc; writes
`bench/results/subcubic_coq_sample.{md,json}`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

SAMPLE = {  # family -> variant (file name stem as written by bench/maxofk_frontier.py)
    "subcubic (ours, best)": "EUPU-exact--attn-err-exact-EQKE+max-diff-exact",
    "subcubic (best paper variant)": "EUPU-max-diff-exact--attn-err-exact-EQKE+max-diff-exact",
    "attention-v·d²": "EUPU-max-diff-exact--attn-err-max-diff-subproduct",
    "direct-quadratic": "EUPU-mean-query+max-diff--attn-err-exact-EQKE+max-diff-exact",
    "attention-quadratic": "EUPU-max-diff-exact--attn-err-max-diff-subproduct-recursive",
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=str(Path(__file__).parent / "results" / "subcubic_coq_sample"))
    a = p.parse_args(argv)
    rows = []
    for fam, v in SAMPLE.items():
        cert = Path(a.work) / "certs" / f"seed{a.seed}" / f"subcubic.{v}.json"
        claim = json.loads(cert.read_text())["claim"]
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "pybridge.cli", "verify", str(cert), "--coq", "--json",
                            "--model", str(Path(a.work) / "models" / f"seed{a.seed}.safetensors")], capture_output=True, text=True)
        wall = time.perf_counter() - t
        try:
            obj = json.loads(r.stdout)
        except ValueError:
            obj = {"coq": False, "error": (r.stderr or r.stdout).strip()[-300:]}
        rows.append({"family": fam, "variant": v, "correct_at_least": claim["correct_at_least"], "total": claim["total"],
                     "coq": obj.get("coq"), "coqc_seconds": obj.get("seconds"), "wall_seconds": round(wall, 1), "error": obj.get("error")})
        print(rows[-1], file=sys.stderr, flush=True)
    md = ["# Coq re-check of subcubic certificates (one per family, zoo seed %d, V=64 n=4)" % a.seed, "",
          "Route: Python checker (section 6c) accepts; the partition's cubic-count reading (6c.4) is exported and compiled;",
          "`check_cubic_count_sound` then proves `accuracy_at_least` of the same claim. Times on 2 shared cores.", "",
          "| family | variant | claim | bound | Coq | coqc s |", "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        md.append(f"| {r['family']} | `{r['variant']}` | {r['correct_at_least']} | {r['correct_at_least'] / r['total']:.4f} | "
                  f"{'accepted' if r['coq'] else 'NOT accepted: ' + str(r['error'])} | {r['coqc_seconds']} |")
    out = Path(a.out)
    out.with_suffix(".md").write_text("\n".join(md) + "\n")
    out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n")
    print("\n".join(md))
    return 0 if all(r["coq"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
