"""Trusted checker of the Transformer Programs family (issue 12; docs/CHECKING.md, Transformer Programs).

Two claims over the task's whole input space:
- `program-equivalence`: the program IR in the certificate, run with its stated semantics (program.py), gives
  the same label as the discrete model read from the model file (model.py) at every content position of
  every input;
- `task-accuracy`: `#{inputs : every content label equals the task's target} >= N` (and per length), for the
  model file's program (a trained model's discrete program, or a program IR file); the failing inputs are
  counted and the smallest ones (in enumeration order) listed.
How (the certificate's hints choose; every method decides the same claim):
- no method hint: exhaustive, vectorised evaluation of every input (program.run);
- `prefix_states` (causal tasks and tie rules: Dyck): the prefix pass of prefix.py over the distinct states of the
  good prefixes; the hint bounds the states per level (the work bound is computed from it before any work);
- `method: structural` (program-equivalence only): the IR and the model's program are the same program
  (structural.py); no input is evaluated.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from pybridge.check import limits
from pybridge.check.certificate import Certificate, int_field, sha256_field
from pybridge.check.errors import InputError, Rejected
from pybridge.check.modelfile import read_bounded, resolve_model_path
from pybridge.check.result import CheckResult, ProgressFactory
from pybridge.check.tprog import prefix, structural
from pybridge.check.tprog.program import Program, ir_sha256, parse_program, run, work_per_input
from pybridge.check.tprog.tasks import Task, enumerate_inputs, targets, task

DESCRIPTION = "Transformer Programs: program = model on every input, exact task accuracy (exhaustive, prefix states, structural)"
STRATEGIES = ("program-equivalence", "task-accuracy")
MAX_LISTED = 20
MAX_PROGRAM_BYTES = 16 << 20
CHUNK = 1 << 15
__all__ = ["DESCRIPTION", "parse", "verify", "load_any"]


def parse(doc: dict) -> Certificate:
    strategy = doc.get("strategy")
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r} for family tprog (known: {', '.join(STRATEGIES)})")
    sha = sha256_field(doc)
    model = doc.get("model")
    if not isinstance(model, dict) or not {"task", "kind"} <= set(model) <= {"task", "kind", "file"}:
        raise InputError("certificate field model must hold task, kind[, file]")
    t = task(model["task"])
    if model["kind"] not in ("safetensors", "program"):
        raise InputError("certificate field model.kind must be 'safetensors' or 'program'")
    mfile = model.get("file")
    if mfile is not None and not isinstance(mfile, str):
        raise InputError("certificate field model.file must be a string")
    if doc.get("params", {}) != {}:
        raise InputError("certificate field params must be empty for tprog")
    claim, hints = doc.get("claim"), doc.get("hints", {})
    if not isinstance(claim, dict) or not isinstance(hints, dict):
        raise InputError("certificate fields claim and hints must be objects")
    total = int_field(claim, "total", "claim", 1)
    if strategy == "program-equivalence":
        if set(claim) != {"equal_on_all_inputs", "total", "program_sha256"} or claim["equal_on_all_inputs"] is not True:
            raise InputError("program-equivalence claim must be {equal_on_all_inputs: true, total, program_sha256}")
        if not {"program"} <= set(hints) <= {"program", "method", "prefix_states"} or len(hints) > 2 or \
                hints.get("method", "structural") != "structural":
            raise InputError("program-equivalence hints must hold the program IR (hints.program) and at most one "
                             "method hint (method: structural, or prefix_states)")
        if model["kind"] != "safetensors":
            raise InputError("program-equivalence compares a program with a trained model (model.kind safetensors)")
        prog = parse_program(hints["program"])
        if prog.task.name != t.name:
            raise InputError("the program IR's task is not the certificate's task")
        if not isinstance(claim["program_sha256"], str) or claim["program_sha256"] != ir_sha256(hints["program"]):
            raise InputError("claim.program_sha256 is not the SHA-256 of the program IR in the hints")
        return Certificate(strategy, sha, {"task": t.name}, mfile, 0, 0, total, total, None,
                           {"program": prog, "claim": claim, "method": _method(hints, t)}, "tprog")
    keys = {"correct_at_least", "total", "per_length", "incorrect_at_least", "smallest_failing"}
    if not {"correct_at_least", "total"} <= set(claim) <= keys:
        raise InputError(f"task-accuracy claim keys must be among {', '.join(sorted(keys))}")
    if set(hints) - {"prefix_states", "prefix_cap"}:
        raise InputError("task-accuracy hints may hold only prefix_states and prefix_cap")
    cap = hints.get("prefix_cap")
    if "prefix_cap" in hints and ("prefix_states" not in hints or type(cap) is not int or
                                  not 1 <= cap <= prefix.MAX_STATES):
        raise InputError(f"hints.prefix_cap must be an integer in 1..{prefix.MAX_STATES} (states kept per level), "
                         "with hints.prefix_states")
    N = int_field(claim, "correct_at_least", "claim", 0)
    inc = int_field(claim, "incorrect_at_least", "claim", 0) if "incorrect_at_least" in claim else None
    per = claim.get("per_length", [])
    if not isinstance(per, list) or len(per) > len(t.lengths) or not all(
            isinstance(r, list) and len(r) == 2 and all(type(x) is int and x >= 0 for x in r) for r in per):
        raise InputError("claim.per_length must be a list of [length, correct_at_least] pairs")
    if len({r[0] for r in per}) != len(per) or any(r[0] not in t.lengths for r in per):
        raise InputError("claim.per_length names a length twice or one outside the task's lengths")
    fails = claim.get("smallest_failing", [])
    if not isinstance(fails, list) or len(fails) > MAX_LISTED or not all(
            isinstance(f, list) and len(f) in t.lengths and all(isinstance(s, str) and s in t.content for s in f)
            for f in fails):
        raise InputError(f"claim.smallest_failing must list at most {MAX_LISTED} inputs of content tokens")
    return Certificate(strategy, sha, {"task": t.name}, mfile, 0, 0, N, total, inc,
                       {"kind": model["kind"], "per_length": per, "smallest_failing": fails,
                        "method": _method(hints, t), "cap": cap}, "tprog")


def _method(hints: dict, t: Task) -> tuple[str, list[int] | None]:
    """('exhaustive', None), ('structural', None) or ('prefix', the states bound per level 0..max length)."""
    if hints.get("method") == "structural":
        return "structural", None
    if "prefix_states" not in hints:
        return "exhaustive", None
    b = hints["prefix_states"]
    if not isinstance(b, list) or len(b) != max(t.lengths) + 1 or not all(
            type(x) is int and 0 <= x <= prefix.MAX_STATES for x in b):
        raise InputError(f"hints.prefix_states must list {max(t.lengths) + 1} integers in 0..{prefix.MAX_STATES} "
                         "(states per level)")
    return "prefix", b


def load_any(path: Path, kind: str) -> tuple[Program, str, dict]:
    """The program of a model file: a trained model's discrete program, or a program IR (JSON)."""
    if kind == "safetensors":
        from pybridge.check.tprog.model import load_model

        return load_model(path)
    data = read_bounded(Path(path), MAX_PROGRAM_BYTES, "program file")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise InputError(f"program file {path} is not valid JSON ({type(e).__name__})") from None
    return parse_program(doc), ir_sha256(doc), {}


def _space(t: Task, progs: list[Program], what: str) -> int:
    work = sum(t.size(n) * work_per_input(p, t.seq_len(n)) for n in t.lengths for p in progs)
    limits.require(what, work=work)
    return sum(t.size(n) for n in t.lengths)


def _prefix_bound(t: Task, progs: list[Program], bound: list[int], what: str) -> None:
    """The prefix pass's work from the hint's state bounds, before any work (prefix.work)."""
    why = prefix.refusal(progs)
    if why:
        raise InputError(f"{what}: the prefix method does not apply ({why})")
    limits.require(what, work=prefix.work(progs, bound))


def _level_bar(progress: ProgressFactory | None, what: str, t: Task):
    if not progress:
        return None
    bar = progress(f"check tprog {what} (prefix levels)", max(t.lengths))

    def tick(level: int, done: int, of: int) -> None:
        if done == of:
            bar(1)
    return tick


def _chunks(t: Task, n: int):
    size = t.size(n)
    for start in range(0, size, CHUNK):
        yield start, enumerate_inputs(t, n, start, min(size, start + CHUNK))


def verify(cert: Certificate, cert_path: Path, model: Any, progress: ProgressFactory | None = None,
           cache: dict | None = None) -> CheckResult:
    t0 = time.perf_counter()
    t = task(cert.shape["task"])
    kind = "safetensors" if cert.strategy == "program-equivalence" else cert.hints["kind"]
    try:
        mprog, sha, info = load_any(resolve_model_path(cert, cert_path, model), kind)
    except (InputError, Rejected):
        raise
    except Exception as e:  # anything else in a hostile file: one line
        raise InputError(f"cannot read the tprog model file ({type(e).__name__})") from None
    if sha != cert.model_sha256:
        raise Rejected(f"model SHA-256 mismatch: certificate {cert.model_sha256[:12]}..., model {sha[:12]}...")
    if mprog.task.name != t.name:
        raise Rejected(f"the model is for task {mprog.task.name}, the certificate for {t.name}")
    t_load = time.perf_counter() - t0
    if cert.strategy == "program-equivalence":
        prog: Program = cert.hints["program"]
        method, bound = cert.hints["method"]
        total = t.size()
        if cert.total != total:
            raise Rejected(f"claim.total {cert.total} is not the size {total} of the {t.name} input space")
        if method == "structural":
            where = structural.first_difference(mprog, prog)
            if where is not None:
                raise Rejected(f"method structural: the program IR differs from the model's program in its {where} "
                               "(this method decides identical programs only)")
        elif method == "prefix":
            _prefix_bound(t, [mprog, prog], bound, "tprog program-equivalence (prefix states)")
            r = prefix.run_prefix([mprog, prog], "equivalence", bound, 1, _level_bar(progress, "equivalence", t))
            if r.smallest_bad:
                differ = total - sum(r.good.values())
                raise Rejected(f"the program differs from the model on {differ} of {total} inputs (first: "
                               f"{' '.join(t.content[s] for s in r.smallest_bad[0])}; program tie rule "
                               f"{prog.tie_rule}, model nearest)")
            info = {**info, "prefix_states": r.states}
        else:
            _space(t, [mprog, prog], "tprog program-equivalence")
            bar = progress("check tprog program-equivalence", total) if progress else None
            differ, first = 0, None
            for n in t.lengths:
                for start, X in _chunks(t, n):
                    d = np.any(run(mprog, X) != run(prog, X), axis=1)
                    if first is None and d.any():
                        first = [t.content[s] for s in X[int(np.argmax(d))]]
                    differ += int(d.sum())
                    if bar:
                        bar(len(X))
            if differ:
                raise Rejected(f"the program differs from the model on {differ} of {total} inputs "
                               f"(first: {' '.join(first)}; program tie rule {prog.tie_rule}, model nearest)")
        secs = {"load": t_load, "total": time.perf_counter() - t0}
        return CheckResult(cert.strategy, total, total, total, seconds=secs, family="tprog",
                           statement=f"program {cert.hints['claim']['program_sha256'][:12]}... equals the model on "
                                     f"all {total} inputs of {t.name}",
                           details={"task": t.name, "total": total, "inputs_differing": 0, "method": method, **info})
    method, bound = cert.hints["method"]
    total = t.size() if method == "prefix" else _space(t, [mprog], "tprog task-accuracy")
    if cert.total != total:
        raise Rejected(f"claim.total {cert.total} is not the size {total} of the {t.name} input space")
    per: dict[int, list[int]] = {}
    failing: list[list[str]] = []
    want = len(cert.hints["smallest_failing"])
    cap = cert.hints["cap"]
    proven_failing = None  # inputs proven failing when the cap dropped states (else total - correct)
    if method == "prefix":
        # the cap bounds the states kept per level: the work bound uses the smaller of the two bounds
        _prefix_bound(t, [mprog], bound if cap is None else [min(b, cap) for b in bound],
                      "tprog task-accuracy (prefix states)")
        r = prefix.run_prefix([mprog], "accuracy", bound, want, _level_bar(progress, "task-accuracy", t), cap)
        per = {n: [r.good[n], t.size(n)] for n in t.lengths}
        failing = [[t.content[s] for s in f] for f in r.smallest_bad]
        info = {**info, "prefix_states": r.states}
        if cap is not None:
            info = {**info, "prefix_cap": cap, "exact": r.exact, "states_before_cap": r.before_cap,
                    "dropped_per_level": r.dropped}
        if not r.exact:
            proven_failing = sum(r.failing.values())
    else:
        bar = progress("check tprog task-accuracy", total) if progress else None
        for n in t.lengths:
            ok_n = 0
            for start, X in _chunks(t, n):
                ok = np.all(run(mprog, X) == targets(t, X), axis=1)
                ok_n += int(ok.sum())
                if len(failing) < want:
                    for r in np.flatnonzero(~ok)[: want - len(failing)]:
                        failing.append([t.content[s] for s in X[r]])
                if bar:
                    bar(len(X))
            per[n] = [ok_n, t.size(n)]
    correct = sum(v[0] for v in per.values())
    bad = total - correct if proven_failing is None else proven_failing
    exact = proven_failing is None
    if cert.correct_at_least > correct:
        raise Rejected(f"claim correct_at_least {cert.correct_at_least} exceeds the {correct} "
                       f"{'correct inputs' if exact else 'inputs proven correct (the state cap dropped some)'}")
    if cert.incorrect_at_least is not None and cert.incorrect_at_least > bad:
        raise Rejected(f"claim incorrect_at_least {cert.incorrect_at_least} exceeds the {bad} "
                       f"{'failing inputs' if exact else 'inputs proven failing (the state cap dropped some)'}")
    for n, c in cert.hints["per_length"]:
        if c > per[n][0]:
            raise Rejected(f"claim per_length: {c} correct at length {n}, only {per[n][0]} are")
    if cert.hints["smallest_failing"] != failing:
        raise Rejected("claim.smallest_failing is not the list of the smallest failing inputs")
    secs = {"load": t_load, "total": time.perf_counter() - t0}
    if exact:
        statement = f"{t.name}: at least {cert.correct_at_least}/{total} inputs correct (exact: {correct})"
    else:
        statement = (f"{t.name}: at least {cert.correct_at_least}/{total} inputs correct (lower bound: {correct} "
                     f"proven correct, {bad} proven failing, {total - correct - bad} undecided: the prefix state cap "
                     f"{cap} dropped them)")
    return CheckResult(cert.strategy, cert.correct_at_least, total, correct, cert.incorrect_at_least,
                       bad, seconds=secs, family="tprog", statement=statement,
                       details={"task": t.name, "correct": correct, "total": total, "failing": bad,
                                "undecided": total - correct - bad,
                                "per_length": {str(n): v for n, v in per.items()}, "smallest_failing": failing,
                                "method": method, **info})
