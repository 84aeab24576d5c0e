"""Dyck-2 (4^15 ~ 1.07e9 inputs): what the exhaustive checker would cost, and what a prefix argument gives (issue 12).

1. Rate: the trusted vectorised semantics (`program.run` + `tasks.targets`, the checker's inner loop) on chunks of
   2^15 length-15 inputs of the authors' two Dyck-2 programs; extrapolated to 4^15 inputs (one core).
2. Prefix argument (counts here, not certificates): under a causal rule (`printer-causal`, `nearest`,
   `nearest-bos` on a causal task) every head of query i reads positions 0..i only, MLPs and the classifier are
   per position, and the Dyck target at i depends on t_1..t_i only. So the labels at positions 1..L of a length-15
   input are the labels of its length-L prefix, and `#{inputs right at 1..L} = 4^(15-L) * #{prefixes of length L
   right at every position}` exactly. Since 'right at 1..15' implies 'right at 1..L', this gives an exact upper
   bound on the whole-space sequence accuracy from 4^L evaluations, and the exact fraction of inputs whose first L
   labels are right. A lower bound (what task-accuracy claims) still needs the 4^15 enumeration.
3. The authors' own (emulated) Dyck-2 test set, for comparison with the paper (bench/tprog_authors.py).
Usage: python bench/tprog_dyck2.py AUTHORS_REPO_DIR   (results: bench/results/tprog_dyck2.{json,md})
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from pybridge.check.tprog.program import parse_program, run
from pybridge.check.tprog.tasks import TASKS, Task, enumerate_inputs, targets
from pybridge.families.tprog.importer import import_program

RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tprog_authors import PAPER, authors_test_set, evaluate  # noqa: E402


def prefix_task(L: int) -> Task:
    t = TASKS["dyck2"]
    return Task("dyck2", t.content, (L,), t.classes, causal=True, k=t.k)  # dyck2's target, length-L inputs


def main() -> None:
    repo = Path(sys.argv[1])
    rows = []
    ts = authors_test_set("dyck2")
    for suite in ("rasp", "rasp_categorical_only"):
        ir = import_program(repo / "programs" / suite / "dyck2" / "dyck2.py", "dyck2")
        p = parse_program(ir)
        t = p.task
        row = {"suite": suite, "tie_rule": ir["tie_rule"], "modules": p.modules(),
               "paper": PAPER["dyck2"][0 if suite == "rasp" else 1]}
        secs = []
        for c in range(3):  # three chunks spread over the space
            start = c * (t.size(15) // 3)
            X = enumerate_inputs(t, 15, start, start + (1 << 15))
            t0 = time.perf_counter()
            np.all(run(p, X) == targets(t, X), axis=1).sum()
            secs.append(time.perf_counter() - t0)
        rate = (1 << 15) / float(np.median(secs))
        row.update(inputs_per_second=round(rate), extrapolated_hours=round(t.size(15) / rate / 3600, 1))
        prefixes = []
        for L in range(1, 11):
            pt = prefix_task(L)
            pp = p.__class__(pt, p.k, p.tie_rule, p.layers, p.den, p.w_cat, p.w_num, p.bias)
            ok = 0
            t0 = time.perf_counter()
            for s in range(0, 4**L, 1 << 15):
                X = enumerate_inputs(pt, L, s, min(4**L, s + (1 << 15)))
                ok += int(np.all(run(pp, X) == targets(pt, X), axis=1).sum())
            prefixes.append({"L": L, "prefixes_right": ok, "of": 4**L, "fraction": ok / 4**L,
                             "seconds": round(time.perf_counter() - t0, 2)})
        row["prefixes"] = prefixes
        row["upper_bound_whole_space_seq_acc"] = round(100 * min(x["fraction"] for x in prefixes), 4)
        row["authors_test_set"] = evaluate(p, ts)
        rows.append(row)
        print(json.dumps(row), flush=True)
    (RESULTS / "tprog_dyck2.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = ["# Dyck-2 (4^15 inputs): exhaustive cost, prefix bound, the authors' programs (issue 12)", "",
             "Command: `python bench/tprog_dyck2.py <checkout of princeton-nlp/TransformerPrograms @59970de>` "
             "(shared 2-core machine, load average ~10: rates are under contention).", "",
             "| suite | rule | checker rate (inputs/s, one core) | 4^15 extrapolated | right on positions 1..L, "
             "exact fraction of all 4^15 inputs (L = 4, 6, 8, 10) | => whole-space sequence accuracy at most "
             "| their test set: tokens / seqs | paper (tokens) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        fr = ", ".join(f"{100 * x['fraction']:.3f}%" for x in r["prefixes"] if x["L"] in (4, 6, 8, 10))
        lines.append(f"| {r['suite']} | {r['tie_rule']} | {r['inputs_per_second']} | {r['extrapolated_hours']} h "
                     f"| {fr} | {r['upper_bound_whole_space_seq_acc']}% | {r['authors_test_set']['token_acc']}% / "
                     f"{r['authors_test_set']['seq_acc']}% | {r['paper']} |")
    (RESULTS / "tprog_dyck2.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
