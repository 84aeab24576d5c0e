"""Dyck-2 (4^15 inputs), exact: task-accuracy certificates by the prefix pass (issue 12; pybridge/check/tprog/prefix.py).

For each program: import (the authors' printed program, `import-tprog`, never executed) or a model file; prove
`task-accuracy --param method=prefix` (the prefix pass over the distinct states of the good prefixes); check the
certificate with the trusted checker (`pybridge check`, the same pass bounded by the certificate's state hint); record
the exact count, the states per level, the CPU seconds and the peak memory of each step.
Usage: python bench/tprog_dyck2_prefix.py AUTHORS_REPO_DIR [SUITE ...] [--model M.safetensors ...] [--max-level L]
       [--cap K]
  --max-level L: stop after level L (a partial run: states and CPU per level only, no certificate).
  --cap K: keep at most K states per level (`--param cap=K`): a certified LOWER bound when states are dropped
  (rows named NAME@capK).
Results: bench/results/tprog_dyck2_prefix.json (one row per program, appended/replaced by name).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from pybridge import families
from pybridge.certio import write_json_atomic
from pybridge.check import verify

RESULTS = Path(__file__).resolve().parent / "results"
OUT = RESULTS / "tprog_dyck2_prefix.json"


def rss_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)


def partial(prog, max_level: int) -> dict:
    """States and CPU per level up to max_level (no certificate)."""
    from pybridge.check.tprog import prefix

    rows, t0 = [], time.process_time()

    class Stop(Exception):
        pass

    def tick(level: int, done: int, of: int) -> None:
        if done == of:
            rows.append({"level": level - 1, "states": of, "cpu_s": round(time.process_time() - t0, 1),
                         "rss_gb": rss_gb()})
            print(rows[-1], flush=True)
            if level > max_level:
                raise Stop

    try:
        prefix.run_prefix([prog], "accuracy", None, 0, tick)
    except Stop:
        pass
    return {"partial_levels": rows}


def run_one(name: str, model: Path, work: Path, max_level: int | None, cap: int | None = None) -> dict:
    from pybridge.families.tprog.prove import load

    prog = load(model)[0]
    row: dict = {"name": name, "tie_rule": prog.tie_rule, "modules": prog.modules()}
    if max_level is not None:
        row.update(partial(prog, max_level))
        return row
    fam = families.get("tprog")
    t0 = time.process_time()
    params = {"method": "prefix"} if cap is None else {"method": "prefix", "cap": str(cap)}
    res = fam.strategy("task-accuracy").prove(model, families.ProveRequest(params=params))
    row["prove_cpu_s"] = round(time.process_time() - t0, 1)
    row["prove_peak_rss_gb"] = rss_gb()
    cert = work / f"{name}.prefix.json"
    if model.parent == work:
        res.certificate["model"]["file"] = model.name
    write_json_atomic(res.certificate, cert)
    claim = res.certificate["claim"]
    if cap is not None:
        row.update(cap=cap, exact="prefix_cap" not in res.certificate["hints"],
                   proven_failing=claim["incorrect_at_least"])
    row.update(correct=claim["correct_at_least"], total=claim["total"],
               seq_acc_pct=round(100 * claim["correct_at_least"] / claim["total"], 4),
               prefix_states=res.certificate["hints"]["prefix_states"],
               smallest_failing=[" ".join(f) for f in claim["smallest_failing"][:5]])
    print(json.dumps(row), flush=True)
    t0 = time.process_time()
    chk = verify(cert, model)
    row["check_cpu_s"] = round(time.process_time() - t0, 1)
    row["check_peak_rss_gb"] = rss_gb()
    row["checked_correct"] = chk.verified_correct
    assert chk.verified_correct == claim["correct_at_least"]
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    args = sys.argv[1:]
    max_level = cap = None
    if "--cap" in args:
        i = args.index("--cap")
        cap = int(args[i + 1])
        del args[i: i + 2]
    if "--max-level" in args:
        i = args.index("--max-level")
        max_level = int(args[i + 1])
        del args[i: i + 2]
    models = []
    while "--model" in args:
        i = args.index("--model")
        models.append(Path(args[i + 1]))
        del args[i: i + 2]
    repo, suites = (Path(args[0]), args[1:] or ["rasp_categorical_only", "rasp"]) if args else (None, [])
    work = Path("/tmp/tprog_dyck2_prefix")
    work.mkdir(exist_ok=True)
    todo = []
    if repo is not None:
        from pybridge.families.tprog.importer import import_program

        for suite in suites:
            ir = import_program(repo / "programs" / suite / "dyck2" / "dyck2.py", "dyck2")
            write_json_atomic(ir, work / f"authors-{suite}.json")
            todo.append((f"authors-{suite}", work / f"authors-{suite}.json"))
    todo += [(m.stem, m) for m in models]
    rows = json.loads(OUT.read_text()) if OUT.exists() else []
    for name, model in todo:
        if cap is not None:
            name = f"{name}@cap{cap}"
        row = run_one(name, model, work, max_level, cap)
        row["command"] = "python bench/tprog_dyck2_prefix.py " + " ".join(sys.argv[1:])
        rows = [r for r in rows if r["name"] != name or ("partial_levels" in r) != ("partial_levels" in row)] + [row]
        OUT.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
