"""Untrusted: the two tprog strategies. The proof is the enumeration itself, so the prover runs the same
vectorised semantics as the checker and writes the exact figures as the claim."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pybridge.certio import ProofResult
from pybridge.families import NoProof, ProveRequest

N_LISTED = 10


@dataclass
class TProgResult(ProofResult):
    line: str = ""

    def describe(self) -> str:
        return self.line


def model_kind(path: Path) -> str:
    with open(path, "rb") as f:
        return "program" if f.read(1) == b"{" else "safetensors"


def load(path: Path):
    from pybridge.check.tprog import load_any

    return load_any(Path(path), model_kind(Path(path)))


def _envelope(strategy: str, sha: str, task: str, kind: str, claim: dict, hints: dict) -> dict[str, Any]:
    return {"format": "pybridge-certificate", "version": 1, "family": "tprog", "strategy": strategy,
            "model_sha256": sha, "model": {"task": task, "kind": kind}, "params": {}, "claim": claim,
            "hints": hints, "prover": {"name": "pybridge.families.tprog", "method": "exhaustive enumeration"}}


def _no_params(req: ProveRequest, name: str) -> None:
    from pybridge.clikit import UsageError

    if req.variant or req.params:
        raise UsageError(f"the tprog {name} strategy takes no parameters or variants")


def prove_accuracy(model: Any, req: ProveRequest) -> TProgResult:
    from pybridge.check.tprog.program import run
    from pybridge.check.tprog.tasks import enumerate_inputs, targets

    _no_params(req, "task-accuracy")
    if req.inputs:
        from pybridge.clikit import UsageError

        raise UsageError("task-accuracy takes no --with files (prove it on a program file instead)")
    t0 = time.perf_counter()
    path = Path(model)
    prog, sha, _ = load(path)
    t = prog.task
    from pybridge.check.tprog import _space

    _space(t, [prog], "tprog task-accuracy")  # the checker's work bound: refuse what it would refuse (dyck2)
    bar = req.progress("prove tprog task-accuracy", t.size()) if req.progress else None
    per, failing = [], []
    for n in t.lengths:
        ok_n = 0
        for s in range(0, t.size(n), 1 << 15):
            X = enumerate_inputs(t, n, s, min(t.size(n), s + (1 << 15)))
            ok = np.all(run(prog, X) == targets(t, X), axis=1)
            ok_n += int(ok.sum())
            for r in np.flatnonzero(~ok)[: max(0, N_LISTED - len(failing))]:
                failing.append([t.content[i] for i in X[r]])
            if bar:
                bar(len(X))
        per.append([n, ok_n])
    correct, total = sum(c for _, c in per), t.size()
    claim = {"correct_at_least": correct, "total": total, "per_length": per, "incorrect_at_least": total - correct,
             "smallest_failing": failing}
    cert = _envelope("task-accuracy", sha, t.name, model_kind(path), claim, {})
    line = f"task-accuracy: {t.name} exactly {correct}/{total} correct ({correct / total:.6f})"
    return TProgResult("task-accuracy", correct, total, total - correct, 0, time.perf_counter() - t0, cert,
                       {"task": t.name, "per_length": per}, line)


def prove_equivalence(model: Any, req: ProveRequest) -> TProgResult:
    from pybridge.check.tprog.program import ir_sha256, parse_program, program_to_ir, run
    from pybridge.check.tprog.tasks import enumerate_inputs

    _no_params(req, "program-equivalence")
    t0 = time.perf_counter()
    path = Path(model)
    if model_kind(path) != "safetensors":
        from pybridge.clikit import UsageError

        raise UsageError("program-equivalence compares a program with a trained model: MODEL must be a .safetensors")
    mprog, sha, _ = load(path)
    if len(req.inputs) > 1:
        from pybridge.clikit import UsageError

        raise UsageError("program-equivalence takes at most one --with PROGRAM.json (default: the model's own program)")
    ir = json.loads(Path(req.inputs[0]).read_text()) if req.inputs else program_to_ir(mprog)
    prog = parse_program(ir)
    t = mprog.task
    from pybridge.check.tprog import _space

    _space(t, [mprog, prog], "tprog program-equivalence")
    differ = 0
    for n in t.lengths:
        for s in range(0, t.size(n), 1 << 15):
            X = enumerate_inputs(t, n, s, min(t.size(n), s + (1 << 15)))
            differ += int(np.any(run(mprog, X) != run(prog, X), axis=1).sum())
    if differ:
        raise NoProof(f"the program differs from the model on {differ} of {t.size()} inputs")
    claim = {"equal_on_all_inputs": True, "total": t.size(), "program_sha256": ir_sha256(ir)}
    cert = _envelope("program-equivalence", sha, t.name, "safetensors", claim, {"program": ir})
    line = f"program-equivalence: program {ir_sha256(ir)[:12]}... = model on all {t.size()} inputs of {t.name}"
    return TProgResult("program-equivalence", t.size(), t.size(), None, 0, time.perf_counter() - t0, cert,
                       {"task": t.name}, line)
