"""Untrusted: the two tprog strategies. The proof is the checker's own computation (the enumeration, the prefix pass
over states, or the structural comparison), so the prover runs the same trusted code and writes the exact figures as
the claim, and the method as a hint.

`--param method=M`: `exhaustive` (every input), `prefix` (causal tasks and rules: the prefix pass of
pybridge.check.tprog.prefix; hint: the states per level), `structural` (program-equivalence: the IR is the model's
program, nothing evaluated), `auto` (default): structural when it holds (equivalence), else exhaustive when the
checker's work bound admits it, else prefix when it applies."""

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


METHODS = {"exhaustive": "exhaustive enumeration", "prefix": "prefix pass over program states (causal)",
           "structural": "structural identity of the program and the model's program"}


def _envelope(strategy: str, sha: str, task: str, kind: str, claim: dict, hints: dict,
              method: str = "exhaustive") -> dict[str, Any]:
    return {"format": "pybridge-certificate", "version": 1, "family": "tprog", "strategy": strategy,
            "model_sha256": sha, "model": {"task": task, "kind": kind}, "params": {}, "claim": claim,
            "hints": hints, "prover": {"name": "pybridge.families.tprog", "method": METHODS[method]}}


def _method(req: ProveRequest, name: str, allowed: tuple[str, ...]) -> str:
    from pybridge.clikit import UsageError

    extra = {"cap"} if name == "task-accuracy" else set()
    if req.variant or set(req.params) - {"method"} - extra:
        raise UsageError(f"the tprog {name} strategy takes no variants and the parameters "
                         f"{', '.join(['method'] + sorted(extra))}")
    m = str(req.params.get("method", "auto"))
    if m not in allowed:
        raise UsageError(f"--param method must be one of {', '.join(allowed)} for {name}")
    return m


def _within_limits(t, progs) -> bool:
    from pybridge.check.errors import InputError
    from pybridge.check.tprog import _space

    try:
        _space(t, progs, "tprog")
        return True
    except InputError:
        return False


def _level_progress(req: ProveRequest, what: str, levels: int):
    if not req.progress:
        return None
    bar = req.progress(f"prove tprog {what} (prefix levels)", levels)

    def tick(level: int, done: int, of: int) -> None:
        if done == of:
            bar(1)
    return tick


def _prefix_run(progs, mode: str, want: int, progress, cap: int | None = None):
    """The checker's prefix pass with the largest state bound its memory bound admits (more states: no proof).
    `cap`: keep at most that many states per level (a lower bound when states are dropped)."""
    from pybridge.check.errors import Rejected
    from pybridge.check.tprog import prefix

    nmax = max(progs[0].task.lengths)
    try:
        return prefix.run_prefix(progs, mode, [prefix.state_cap(progs)] * (nmax + 1), want, progress, cap)
    except Rejected as e:
        raise NoProof(f"{e} (the checker's memory bound); this program's state is too large for the prefix pass") \
            from None


def prove_accuracy(model: Any, req: ProveRequest) -> TProgResult:
    method = _method(req, "task-accuracy", ("auto", "exhaustive", "prefix"))
    if req.inputs:
        from pybridge.clikit import UsageError

        raise UsageError("task-accuracy takes no --with files (prove it on a program file instead)")
    t0 = time.perf_counter()
    path = Path(model)
    prog, sha, _ = load(path)
    t = prog.task
    from pybridge.check.tprog import _space, prefix

    cap = None
    if "cap" in req.params:
        from pybridge.clikit import UsageError

        c = str(req.params["cap"])
        if not (c.isascii() and c.isdigit()) or not 1 <= int(c) <= prefix.MAX_STATES:
            raise UsageError(f"--param cap must be an integer in 1..{prefix.MAX_STATES} (prefix states kept per level)")
        cap = int(c)
        if method == "auto":
            method = "prefix"
        if method != "prefix":
            raise UsageError("--param cap applies to the prefix method only")
    if method == "auto":
        method = "exhaustive" if _within_limits(t, [prog]) or prefix.refusal([prog]) else "prefix"
    bad = None
    if method == "prefix":
        r = _prefix_run([prog], "accuracy", N_LISTED, _level_progress(req, "task-accuracy", max(t.lengths)), cap)
        per = [[n, r.good[n]] for n in t.lengths]
        failing = [[t.content[i] for i in f] for f in r.smallest_bad]
        hints = {"prefix_states": r.states}
        if not r.exact:  # the cap dropped states: a lower bound (an exact run needs no cap hint)
            hints["prefix_cap"] = cap
            bad = sum(r.failing.values())
    else:
        _space(t, [prog], "tprog task-accuracy")  # the checker's work bound: refuse what it would refuse
        per, failing = _exhaustive_accuracy(prog, req)
        hints = {}
    correct, total = sum(c for _, c in per), t.size()
    exact = bad is None
    bad = total - correct if exact else bad
    claim = {"correct_at_least": correct, "total": total, "per_length": per, "incorrect_at_least": bad,
             "smallest_failing": failing}
    cert = _envelope("task-accuracy", sha, t.name, model_kind(path), claim, hints, method)
    line = (f"task-accuracy ({method}): {t.name} exactly {correct}/{total} correct ({correct / total:.6f})" if exact
            else f"task-accuracy ({method}, state cap {cap}): {t.name} at least {correct}/{total} correct "
                 f"({correct / total:.6f}), at least {bad} failing, {total - correct - bad} undecided")
    return TProgResult("task-accuracy", correct, total, bad, 0, time.perf_counter() - t0, cert,
                       {"task": t.name, "per_length": per, "method": method, **hints}, line)


def _exhaustive_accuracy(prog, req: ProveRequest):
    from pybridge.check.tprog.program import run
    from pybridge.check.tprog.tasks import enumerate_inputs, targets

    t = prog.task
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
    return per, failing


def prove_equivalence(model: Any, req: ProveRequest) -> TProgResult:
    from pybridge.check.tprog.program import ir_sha256, parse_program, program_to_ir, run
    from pybridge.check.tprog.tasks import enumerate_inputs

    method = _method(req, "program-equivalence", ("auto", "exhaustive", "prefix", "structural"))
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
    if prog.task.name != t.name:
        raise NoProof(f"the program is for task {prog.task.name}, the model for {t.name}")
    from pybridge.check.tprog import _space, prefix, structural

    where = structural.first_difference(mprog, prog)
    if method == "auto":
        method = "structural" if where is None else "exhaustive" if _within_limits(t, [mprog, prog]) or \
            prefix.refusal([mprog, prog]) else "prefix"
    hints: dict[str, Any] = {"program": ir}
    if method == "structural":
        if where is not None:
            raise NoProof(f"the program differs from the model's program in its {where}: method structural does not "
                          "apply")
        hints["method"] = "structural"
    elif method == "prefix":
        r = _prefix_run([mprog, prog], "equivalence", 1, _level_progress(req, "program-equivalence", max(t.lengths)))
        if r.smallest_bad:
            raise NoProof(f"the program differs from the model on {t.size() - sum(r.good.values())} of {t.size()} "
                          "inputs")
        hints["prefix_states"] = r.states
    else:
        _space(t, [mprog, prog], "tprog program-equivalence")
        differ = 0
        for n in t.lengths:
            for s in range(0, t.size(n), 1 << 15):
                X = enumerate_inputs(t, n, s, min(t.size(n), s + (1 << 15)))
                differ += int(np.any(run(mprog, X) != run(prog, X), axis=1).sum())
        if differ:
            raise NoProof(f"the program differs from the model on {differ} of {t.size()} inputs")
    claim = {"equal_on_all_inputs": True, "total": t.size(), "program_sha256": ir_sha256(ir)}
    cert = _envelope("program-equivalence", sha, t.name, "safetensors", claim, hints, method)
    line = (f"program-equivalence ({method}): program {ir_sha256(ir)[:12]}... = model on all {t.size()} inputs of "
            f"{t.name}")
    return TProgResult("program-equivalence", t.size(), t.size(), None, 0, time.perf_counter() - t0, cert,
                       {"task": t.name, "method": method}, line)
