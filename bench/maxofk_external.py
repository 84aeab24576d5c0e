"""Bench (issue 15): the compact-proofs authors' Max-of-2 models (../shared/external/maxof2).

For each model: import-tl, then every strategy the architecture supports (prove, then an independent
`pybridge.check.verify`), with wall and process CPU seconds; the authors' recorded accuracy
(JasonGross/neural-net-coq-interp, theories/<Model>/TheoremStatement.v, Heuristics.v) beside ours.
Writes bench/results/maxofk_external.{json,md}. Run: `python bench/maxofk_external.py` (about 2 min).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from pybridge.check import verify
from pybridge.families.maxofk.brute_force import prove_brute_force
from pybridge.families.maxofk.common import load_model, write_json_atomic
from pybridge.families.maxofk.cubic import prove_cubic
from pybridge.families.maxofk.cubic_count import prove_cubic_count
from pybridge.families.maxofk.subcubic import prove_subcubic
from pybridge.families.maxofk.transformerlens import import_tl_state_dict

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT.parent / "shared" / "external" / "maxof2"
AUTHORS = {"MaxOfTwoNumbersSimpler": 4096, "MaxOfTwoNumbersUndertrainedSimpler": 4046, "MaxOfTwoNumbers": 4077}


def timed(f, *a):
    w, c = time.perf_counter(), time.process_time()
    r = f(*a)
    return r, time.perf_counter() - w, time.process_time() - c


def main() -> int:
    if not EXT.is_dir():
        print(f"skip: {EXT} not present")
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, authors in AUTHORS.items():
            path = import_tl_state_dict(EXT / f"{name}.safetensors", Path(tmp) / f"{name}.safetensors")
            m = load_model(path)
            M = m.exact
            arch = ("LN" if M.has_ln else "no LN") + (", biases" if M.has_bias else ", zero biases")
            provers = [prove_brute_force] + ([] if M.has_ln else [prove_cubic, prove_cubic_count, prove_subcubic])
            for prove in provers:
                res, pw, pc = timed(prove, m)
                cert = write_json_atomic(res.certificate, Path(tmp) / "c.json")
                chk, cw, cc = timed(verify, cert, path)
                assert chk.verified_correct >= res.correct
                rows.append({"model": name, "architecture": arch, "strategy": res.strategy,
                             "certified_correct": res.correct,
                             "proven_incorrect": res.incorrect, "total": 4096, "authors_correct": authors,
                             "prove_wall_s": round(pw, 2), "prove_cpu_s": round(pc, 2),
                             "check_wall_s": round(cw, 2), "check_cpu_s": round(cc, 2)})
                print(rows[-1], flush=True)
    out = ROOT / "bench" / "results"
    (out / "maxofk_external.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = ["# The compact-proofs authors' Max-of-2 models (issue 15)", "",
             "`python bench/maxofk_external.py`; models from `../shared/external/maxof2` (JasonGross/neural-net-coq-interp "
             "@fdb4d4f, converted value for value); authors' count from their `TheoremStatement.v` / `Heuristics.v`. "
             "CPU = process CPU seconds (shared 2-core machine; wall times are noisy).", "",
             "| model | architecture | strategy | certified correct | proven incorrect | authors' correct | prove CPU s | check CPU s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        inc = "" if r["proven_incorrect"] is None else r["proven_incorrect"]
        lines.append(f"| {r['model']} | {r['architecture']} | {r['strategy']} | {r['certified_correct']}/4096 | {inc} | "
                     f"{r['authors_correct']}/4096 | {r['prove_cpu_s']} | {r['check_cpu_s']} |")
    (out / "maxofk_external.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
