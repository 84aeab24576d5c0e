"""Audit of tprog certificates (`pybridge audit CERT`): the steps of the exhaustive proof, what justifies each
(Python checker function, Coq definition or theorem, Lean mirror), the numbers it uses. Nothing is given away:
the enumeration is exact, so the only slack is the claim's own (exact count minus claimed count)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pybridge.audit import make_step
from pybridge.check.certificate import read_certificate
from pybridge.check.verify import verify

# (python checker, Coq, Lean) per step; Coq/Lean names are <folder>.<module>.<name> under coq/theories and Proofs
JUSTIFY = {
    "tbind": ("check.tprog.load_any + check.modelfile.canonical_sha256",
              "TransformerPrograms.Spec.program / TransformerPrograms.Spec.model (data in the certificate file)",
              "TransformerPrograms.Spec.Program"),
    "tdiscrete": ("check.tprog.model.load_model", "TransformerPrograms.Spec.model_program",
                  "TransformerPrograms.Spec.modelProgram"),
    "tsemantics": ("check.tprog.program.run", "TransformerPrograms.Spec.run", "TransformerPrograms.Spec.run"),
    "tspace": ("check.tprog.tasks.enumerate_inputs + check.tprog.tasks.targets",
               "TransformerPrograms.Spec.space / TransformerPrograms.Spec.correct",
               "TransformerPrograms.Spec.space / TransformerPrograms.Spec.correct"),
    "tprefix": ("check.tprog.prefix.run_prefix + check.tprog.tasks.dyck_step",
                "TransformerPrograms.Spec.space / TransformerPrograms.Spec.correct (Coq re-enumerates; no dyck2 target)",
                "TransformerPrograms.Spec.space / TransformerPrograms.Spec.correct (re-enumerates)"),
    "tstruct": ("check.tprog.structural.first_difference",
                "TransformerPrograms.Check.check_equal_sound (Coq re-enumerates)",
                "TransformerPrograms.Check.checkEqual_sound (re-enumerates)"),
    "tcount": ("check.tprog.verify", "TransformerPrograms.Check.check_sound", "TransformerPrograms.Check.check_sound"),
    "tequal": ("check.tprog.verify", "TransformerPrograms.Check.check_equal_sound",
               "TransformerPrograms.Check.checkEqual_sound"),
}


def _step(key: str, title: str, numbers: dict[str, Any], gives_away: str | int) -> dict[str, Any]:
    return make_step(JUSTIFY[key], title, numbers, gives_away)


def audit(cert_path: str | Path, model_path: str | Path) -> dict[str, Any]:
    """The steps of a tprog certificate (runs the trusted checker first; raises if the certificate is invalid)."""
    from pybridge.check.tprog import load_any

    cert = read_certificate(cert_path)
    res = verify(cert_path, model_path)  # the proof itself; raises Rejected/InputError if invalid
    kind = "safetensors" if cert.strategy == "program-equivalence" else cert.hints["kind"]
    prog, sha, info = load_any(Path(model_path), kind)
    t = prog.task
    d = res.details
    steps = [_step("tbind", "Bind the certificate to the model file (canonical SHA-256)",
                   {"model_sha256": sha, "kind": kind, "task": t.name, "k": prog.k, "layers": len(prog.layers),
                    "modules": prog.modules(), "classes": prog.n_classes}, 0)]
    if kind == "safetensors":
        steps.append(_step("tdiscrete", "Read the discrete model: the first argmax of every selection and predicate "
                           "row, exact MLP tables (a numerical MLP: tabulated over every reachable pair of values; "
                           "Coq evaluates the network at the values read), classifier over one 2^s; tie rule nearest",
                           {"argmax_ties": info.get("argmax_ties", 0),
                            "numerical_mlps": sum(len(L.num_mlps) for L in prog.layers)}, 0))
    programs = [prog] + ([cert.hints["program"]] if cert.strategy == "program-equivalence" else [])
    steps.append(_step("tsemantics", "Run the program(s) with hard attention and the stated tie rule on each input",
                       {"tie_rules": ", ".join(p.tie_rule for p in programs)}, 0))
    method = d.get("method", "exhaustive")
    space = {"inputs": d["total"], "lengths": ", ".join(map(str, t.lengths)), "content_tokens": len(t.content)}
    capped = d.get("exact") is False  # a prefix state cap dropped states: the count is a lower bound
    if method == "prefix":
        nums = {**space, "states_per_level": ", ".join(map(str, d["prefix_states"]))}
        title = ("Walk the space's prefixes level by level, keeping the distinct program states "
                 "(and Dyck stacks) of the prefixes still right, with their multiplicities (causal rule)")
        if "prefix_cap" in d:
            title += f"; at most {d['prefix_cap']} states per level (those of largest multiplicity), the rest undecided"
            nums["dropped_prefixes_per_level"] = ", ".join(map(str, d["dropped_per_level"]))
        steps.append(_step("tprefix", title, nums, d.get("undecided", 0)))
    elif method == "structural":
        steps.append(_step("tstruct", "No input is evaluated: the program IR is the model's program (canonical "
                           "forms equal: classifier up to a positive factor, numerical-MLP entries as a map)", space, 0))
    else:
        steps.append(_step("tspace", "Enumerate the whole input space (every length, every content) and the targets",
                           space, 0))
    if cert.strategy == "program-equivalence":
        steps.append(_step("tequal", "Compare the program's labels with the model's at every content position",
                           {"inputs_differing": d["inputs_differing"], "program_sha256": cert.hints["claim"]["program_sha256"]}, 0))
        claim = {"correct_at_least": res.total, "total": res.total, "bound": 1.0}
        semantics = (f"claim: the program IR gives the discrete model's labels on all {res.total} inputs of {t.name} "
                     f"({method}, exact).")
    else:
        steps.append(_step("tcount", ("Count the inputs proven right (kept prefixes) and proven failing; compare with the "
                                     "claim (a lower bound: the undecided inputs are counted as neither)") if capped else
                           "Count the inputs whose labels all equal the target; compare with the claim",
                           {"correct": d["correct"], "failing": d["failing"], **({"undecided": d["undecided"]} if capped else {}),
                            "claim_slack": d["correct"] - cert.correct_at_least}, d["correct"] - cert.correct_at_least))
        claim = {"correct_at_least": cert.correct_at_least, "total": cert.total,
                 "bound": cert.correct_at_least / cert.total}
        semantics = ("about the program's exact semantics (integer logits, hard attention with its tie rule"
                     + ("; the program is the trained model's argmax" if kind == "safetensors" else "") + ").")
    out = {"certificate": str(cert_path), "model": str(model_path), "strategy": cert.strategy, "family": "tprog",
           "semantics": semantics, "claim": claim, "steps": steps}
    if cert.strategy == "program-equivalence":
        out["statement"] = "**program = model**: " + semantics[len("claim: "):]
    return out
