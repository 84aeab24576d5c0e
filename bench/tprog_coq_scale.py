"""Coq scale of the tprog enumeration checker (issue 12): seconds of `coqc` on a task-accuracy certificate vs the
size of the input space. The programs are random (seeded) program IRs of a fixed shape (accuracy is irrelevant for
timing): L layers x (C categorical heads, U numerical heads, M MLPs), the paper's k for the task.

    python bench/tprog_coq_scale.py --tasks reverse-small,hist-small,reverse --timeout 600 --out bench/results/tprog_coq_scale.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def random_program(task: str, layers: int, ch: int, nh: int, nm: int, seed: int):
    from pybridge.check.tprog.program import Head, Layer, Mlp, Program
    from pybridge.check.tprog.tasks import TASKS

    t = TASKS[task]
    k = t.k
    rnd = np.random.default_rng(seed)
    ncat, nnum, out = 2, 1, []
    for _ in range(layers):
        def head(nv):
            pred = np.zeros((k, k), bool)
            pred[np.arange(k), rnd.integers(0, k, k)] = True  # one key value per query value, like the model
            return Head(int(rnd.integers(ncat)), int(rnd.integers(ncat)), int(rnd.integers(nv)), pred)
        c = tuple(head(ncat) for _ in range(ch))
        n = tuple(head(nnum) for _ in range(nh))
        ncat2 = ncat + len(c)
        m = tuple(Mlp(int(rnd.integers(ncat2)), int(rnd.integers(ncat2)), rnd.integers(0, k, (k, k))) for _ in range(nm))
        out.append(Layer(c, n, m))
        ncat, nnum = ncat2 + nm, nnum + nh
    C = len(t.classes)
    w_cat = tuple([[int(x) for x in rnd.integers(-1000, 1000, k)] for _ in range(C)] for _ in range(ncat))
    w_num = tuple([int(x) for x in rnd.integers(-1000, 1000, C)] for _ in range(nnum))
    bias = [int(x) for x in rnd.integers(-1000, 1000, C)]
    return Program(t, k, "nearest", tuple(out), 1024, w_cat, w_num, bias)


def one(task: str, shape: tuple[int, int, int, int], seed: int, work: Path, timeout: float) -> dict:
    from pybridge import families
    from pybridge.certio import write_json_atomic
    from pybridge.check.tprog.program import program_to_ir
    from pybridge.export.coq import export_coq

    d = work / f"{task}-{'x'.join(map(str, shape))}-s{seed}"
    d.mkdir(parents=True, exist_ok=True)
    p = random_program(task, *shape, seed)
    write_json_atomic(program_to_ir(p), d / "prog.json")
    res = families.get("tprog").strategy("task-accuracy").prove(d / "prog.json", families.ProveRequest())
    res.certificate["model"]["file"] = "prog.json"
    write_json_atomic(res.certificate, d / "acc.json")
    v = export_coq(d / "acc.json", d / "prog.json", d / "coq")
    ok, secs, cpu, out = timed_coqc(v, timeout)
    return {"task": task, "inputs": p.task.size(), "shape": "x".join(map(str, shape)), "seed": seed,
            "correct": res.correct, "coq_ok": ok, "coqc_seconds": round(secs, 2), "coqc_cpu_seconds": round(cpu, 2),
            "timed_out": "timed out" in out, "v_bytes": v.stat().st_size}


def timed_coqc(v: Path, timeout: float):
    """coqc on `v` (the library as built: run `make -C coq` first), with the CPU seconds of the coqc child (the
    machine is shared: wall time depends on the load). Not run_coqc: that rebuilds the whole shared library first,
    which fails while another family's file is being edited."""
    import resource
    import subprocess

    from pybridge.export.coq import THEORIES

    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(["coqc", "-q", "-R", str(THEORIES), "Pybridge", "-w", "-abstract-large-number", v.name],
                           cwd=str(v.parent), capture_output=True, text=True, timeout=timeout)
        ok, out = p.returncode == 0, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        ok, out = False, f"coqc timed out after {timeout} s"
    secs = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ok, secs, (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime), out


def shipped(cert: Path, timeout: float) -> dict:
    """Export an existing tprog certificate (its model file beside it) and time coqc on it."""
    from pybridge.check.certificate import read_certificate
    from pybridge.check.verify import resolve_model_path
    from pybridge.export.coq import export_coq

    c = read_certificate(cert)
    model = resolve_model_path(c, cert, None)
    v = export_coq(cert, model, Path("/tmp/tprog_coq_scale") / cert.stem)
    ok, secs, cpu, out = timed_coqc(v, timeout)
    return {"certificate": str(cert), "strategy": c.strategy, "inputs": c.total, "correct": c.correct_at_least,
            "coq_ok": ok, "coqc_seconds": round(secs, 2), "coqc_cpu_seconds": round(cpu, 2),
            "timed_out": "timed out" in out, "v_bytes": v.stat().st_size}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", default="reverse-small,hist-small,reverse")
    ap.add_argument("--shape", default="2,2,1,1", help="layers,cat_heads,num_heads,mlps")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--work", type=Path, default=Path("/tmp/tprog_coq_scale"))
    ap.add_argument("--cert", type=Path, action="append", default=[], help="also time an existing certificate")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    shape = tuple(int(x) for x in a.shape.split(","))
    rows = []
    for c in a.cert:
        r = shipped(c, a.timeout)
        print(json.dumps(r), flush=True)
        rows.append(r)
    for t in filter(None, a.tasks.split(",")):
        t0 = time.perf_counter()
        r = one(t, shape, a.seed, a.work, a.timeout)
        r["wall_seconds"] = round(time.perf_counter() - t0, 2)
        print(json.dumps(r), flush=True)
        rows.append(r)
    if a.out:
        a.out.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
