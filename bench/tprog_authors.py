"""Certified exact accuracy of the authors' shipped Transformer Programs (issue 12).

Reads `programs/rasp_categorical_only/<task>/<task>.py` + `<task>_weights.csv` from a checkout of
princeton-nlp/TransformerPrograms (not committed here) with `pybridge import-tprog` (ast only, never executed),
certifies task-accuracy over the whole input space, re-checks it, and, to show what the attention tie rule does,
also counts the same program under the model's `nearest` rule (not a certificate: a what-if count).
Usage: python bench/tprog_authors.py AUTHORS_REPO_DIR [PREVIOUS_LOG]   (results: bench/results/tprog_authors.{json,md})
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from pybridge import families
from pybridge.certio import write_json_atomic
from pybridge.check import verify
from pybridge.check.tprog.program import parse_program, run
from pybridge.check.tprog.tasks import enumerate_inputs, targets
from pybridge.families.tprog.importer import ImportError_, import_program

PAPER = {"reverse": (99.79, 99.75), "sort": (99.83, 99.99), "hist": (100.0, 83.20), "double-hist": (98.40, 55.89),
         "most-freq": (75.69, 64.13), "dyck1": (99.30, 99.43), "dyck2": (99.09, 99.17)}
TASKS = {"hist": "hist", "double_hist": "double-hist", "sort": "sort", "reverse": "reverse", "dyck1": "dyck1",
         "most_freq": "most-freq", "dyck2": "dyck2"}
RESULTS = Path(__file__).resolve().parent / "results"


def exact_count(ir: dict) -> tuple[int, dict]:
    p = parse_program(ir)
    t = p.task
    per = {}
    for n in t.lengths:
        ok = 0
        for s in range(0, t.size(n), 1 << 15):
            X = enumerate_inputs(t, n, s, min(t.size(n), s + (1 << 15)))
            ok += int(np.all(run(p, X) == targets(t, X), axis=1).sum())
        per[n] = ok
    return sum(per.values()), per


def main() -> None:
    repo = Path(sys.argv[1])
    work = Path("/tmp/tprog-authors")
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    if len(sys.argv) > 2:  # reuse the rows a previous (interrupted) run printed
        rows = [json.loads(line) for line in Path(sys.argv[2]).read_text().splitlines() if line.startswith("{")]
    done = {(r["suite"], r["task"]) for r in rows}
    for suite in ("rasp_categorical_only", "rasp"):
        for d, task in TASKS.items():
            py = repo / "programs" / suite / d / f"{d}.py"
            if (suite, task) in done:
                continue
            row = {"suite": suite, "task": task, "paper_num": PAPER[task][0], "paper_cat_only": PAPER[task][1]}
            try:
                ir = import_program(py, task)
                parse_program(ir)
            except ImportError_ as e:
                row["refused"] = f"import: {e}"
                rows.append(row)
                print(json.dumps(row), flush=True)
                continue
            irp = work / f"{suite}-{d}.json"
            write_json_atomic(ir, irp)
            try:
                t0 = time.perf_counter()
                res = families.get("tprog").strategy("task-accuracy").prove(irp, families.ProveRequest())
                res.certificate["model"]["file"] = irp.name
                cert = work / f"{suite}-{d}.acc.json"
                write_json_atomic(res.certificate, cert)
                row["prove_seconds"] = round(time.perf_counter() - t0, 1)
                t0 = time.perf_counter()
                r = verify(cert)
                row["check_seconds"] = round(time.perf_counter() - t0, 1)
            except Exception as e:  # dyck2: over the work bound
                row["refused"] = f"certificate: {str(e).splitlines()[0]}"
                rows.append(row)
                print(json.dumps(row), flush=True)
                continue
            t = parse_program(ir).task
            row.update(certified_correct=r.verified_correct, total=r.total,
                       certified_accuracy=round(100 * r.verified_correct / r.total, 3),
                       per_length={str(n): [c, t.size(int(n))] for n, (c, _) in r.details["per_length"].items()},
                       length_mean_accuracy=round(100 * float(np.mean([c / tot for c, tot in r.details["per_length"].values()])), 2),
                       smallest_failing=r.details["smallest_failing"][:3])
            ir2 = dict(ir, tie_rule="nearest")
            c2, _ = exact_count(ir2)
            row["what_if_nearest_accuracy"] = round(100 * c2 / r.total, 3)
            rows.append(row)
            print(json.dumps(row), flush=True)
    (RESULTS / "tprog_authors.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = ["# The authors' shipped Transformer Programs, certified (issue 12)", "",
             "Command: `python bench/tprog_authors.py <checkout of princeton-nlp/TransformerPrograms @59970de>`.",
             "Programs read with `pybridge import-tprog` (ast only, never executed), attention read with the printer's",
             "`select_closest` (tie rule `printer`); exact accuracy over the whole input space, re-checked by the trusted",
             "checker. 'mean over lengths' weights every length equally (closer to a uniform-length sampled test set).",
             "'under nearest' is a what-if count of the same program with the model's tie rule (not a certificate).", "",
             "| suite | task | certified exact accuracy | mean over lengths | under `nearest` | paper (cat-only) | check s |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        if "refused" in r:
            lines.append(f"| {r['suite']} | {r['task']} | refused: {r['refused'][:90]} | | | {r['paper_cat_only']} | |")
        else:
            lines.append(f"| {r['suite']} | {r['task']} | {r['certified_accuracy']}% ({r['certified_correct']}/{r['total']}) "
                         f"| {r['length_mean_accuracy']}% | {r['what_if_nearest_accuracy']}% | {r['paper_cat_only']} "
                         f"| {r['check_seconds']} |")
    (RESULTS / "tprog_authors.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
