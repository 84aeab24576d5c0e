"""Transformer Programs (Friedman, Wettig, Chen 2023; issue 12): constrained transformers trained with
Gumbel-softmax whose argmax is a program. Certificates: the program equals the discrete model on every
input, and the exact task accuracy over the whole input space. Trusted checker: pybridge/check/tprog/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pybridge.families import Family, ProveRequest, Strategy


def _acc(model: Any, req: ProveRequest):
    from pybridge.families.tprog.prove import prove_accuracy

    return prove_accuracy(model, req)


def _eq(model: Any, req: ProveRequest):
    from pybridge.families.tprog.prove import prove_equivalence

    return prove_equivalence(model, req)


def _load(path: Path):
    from pybridge.families.tprog.prove import load

    return load(Path(path))[0]


def _render_coq(*a, **k):
    from pybridge.families.tprog.export import render_coq

    return render_coq(*a, **k)


def _coq_expected(cert) -> str:
    from pybridge.families.tprog.export import coq_expected

    return coq_expected(cert)


def _render_lean(*a, **k):
    from pybridge.families.tprog.export import render_lean

    return render_lean(*a, **k)


def _audit(cert: Path, model: Path):
    from pybridge.families.tprog.audit import audit

    return audit(cert, model)


def _justify() -> dict[str, tuple[str, str, str]]:
    from pybridge.families.tprog.audit import JUSTIFY

    return JUSTIFY


def _add_train(tsub: Any) -> None:
    from pybridge.families.tprog.commands import add_train_parser

    add_train_parser(tsub)


def _add_commands(sub: Any) -> None:
    from pybridge.families.tprog.commands import add_commands

    add_commands(sub)


FAMILY = Family(
    name="tprog",
    description="Transformer Programs (Friedman et al. 2023): program = model and exact task accuracy over the whole input space",
    strategies=(
        Strategy("task-accuracy", "every input of the task's space (--param method=exhaustive|prefix, default auto; prefix: "
                 "causal tasks, by distinct prefix states; --param cap=K: a lower bound keeping K states per level): "
                 "exact count correct, per length, smallest failing inputs "
                 "(model file: a trained .safetensors or a program IR .json)", _acc),
        Strategy("program-equivalence", "every input of the task's space: the program IR (--with PROG.json, default "
                 "the model's own) gives the model's labels at every position (--param method=structural|exhaustive|"
                 "prefix, default auto)", _eq),
    ),
    load=_load,
    add_train_parser=_add_train,
    add_commands=_add_commands,
    render_coq=_render_coq,
    coq_library="coq/theories/TransformerPrograms",
    coq_expected=_coq_expected,
    render_lean=_render_lean,
    lean_library="Proofs/TransformerPrograms",
    audit=_audit,
    justify=_justify,
)
