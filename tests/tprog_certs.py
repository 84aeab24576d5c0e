"""Shared by the tprog tests: a small trained model, its program IR, and the three certificate kinds
(task-accuracy of the model and of the IR, program-equivalence) written beside them; `cli`, the CLI run
in-process with its exit code and output."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def cli(*args) -> Ran:
    from pybridge.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as e:
            code = e.code
    return Ran(code, out.getvalue(), err.getvalue())


def make_certs(d: Path, task: str, seed: int, epochs: int, *, layers: int = 1, hidden: int = 16) -> dict:
    """{"acc" | "pacc" | "eq": (certificate path, model path, ProofResult)} in folder `d`."""
    from pybridge import families
    from pybridge.certio import write_json_atomic
    from pybridge.check.tprog.program import program_to_ir
    from pybridge.families.tprog.model import TProgConfig, train
    from pybridge.families.tprog.prove import load

    train(TProgConfig(task, layers=layers, cat_heads=1, num_heads=1, mlps=1, hidden=hidden), seed=seed,
          out=d / "m.safetensors", epochs=epochs)
    write_json_atomic(program_to_ir(load(d / "m.safetensors")[0]), d / "p.json")
    return write_certs(d)


def write_certs(d: Path) -> dict:
    """The three certificates of `d/m.safetensors` and its IR `d/p.json`, written beside them:
    {"acc" | "pacc" | "eq": (certificate path, model path, ProofResult)}."""
    from pybridge import families
    from pybridge.certio import write_json_atomic

    fam = families.get("tprog")
    out = {}
    for name, model, strat in (("acc", "m.safetensors", "task-accuracy"), ("pacc", "p.json", "task-accuracy"),
                               ("eq", "m.safetensors", "program-equivalence")):
        res = fam.strategy(strat).prove(d / model, families.ProveRequest())
        res.certificate["model"]["file"] = model
        write_json_atomic(res.certificate, d / f"{name}.json")
        out[name] = (d / f"{name}.json", d / model, res)
    return out
