"""The group-operation family: one-hidden-layer ReLU MLPs computing x*y in a finite group (S_n, A_n,
C_n, D_n), correct on (x, y) iff the logit of x*y is strictly largest (docs/CHECKING.md section 8).
Trusted checker: pybridge/check/groupop/. Coq: coq/theories/Group{Spec,BruteForce,Rho}.v."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pybridge.families import Family, ProveRequest, Strategy


def _model(model: Any):
    from pybridge.families.groupop.brute_force import LoadedGroupOp, load_groupop_model

    return model if isinstance(model, LoadedGroupOp) else load_groupop_model(Path(model))


def _no_options(req: ProveRequest, name: str) -> None:
    from pybridge.clikit import UsageError

    if req.variant or req.params:
        raise UsageError(f"the groupop {name} strategy takes no parameters or variants")


def _prove_bf(model: Any, req: ProveRequest):
    from pybridge.families.groupop.brute_force import prove_groupop_bf

    _no_options(req, "brute-force")
    m = _model(model)
    bar = req.progress("prove groupop brute-force", m.exact.order**2) if req.progress else None
    return prove_groupop_bf(m, None, bar)


def _prove_rho(model: Any, req: ProveRequest):
    from pybridge.families.groupop.rho import prove_groupop_rho

    _no_options(req, "rho-set")
    return prove_groupop_rho(_model(model))  # raises rho.Unexplained (a NoProof) when the explanation does not fit


def _render_coq(*a, **k):
    from pybridge.families.groupop.export import render_coq

    return render_coq(*a, **k)


def _render_lean(*a, **k):
    from pybridge.families.groupop.export import render_lean

    return render_lean(*a, **k)


def _audit(cert: Path, model: Path):
    from pybridge.families.groupop.audit import audit

    return audit(cert, model)


def _justify() -> dict[str, tuple[str, str, str]]:
    from pybridge.families.groupop.audit import JUSTIFY

    return JUSTIFY


def _add_train(tsub: Any) -> None:
    from pybridge.families.groupop.commands import add_train_parser

    add_train_parser(tsub)


def _statement(spec: str) -> str:
    from pybridge.export.coq import statement_text

    return statement_text(spec)


FAMILY = Family(
    name="groupop",
    description="group-operation MLPs (Wu et al. 2025): exact accuracy by brute force, rho-set compact proofs",
    strategies=(
        Strategy("brute-force", "every pair (x, y), exact int64 intervals then exact integers; the exact accuracy", _prove_bf),
        Strategy("rho-set", "bi-equivariant ideal model from rho-set circuits, one evaluation at (e, e), per-class "
                 "distance bound (low-rank part + remainder) per pair", _prove_rho),
    ),
    load=lambda path: _model(path),
    add_train_parser=_add_train,
    render_coq=_render_coq,
    coq_expected=lambda cert: _statement("GroupSpec"),
    render_lean=_render_lean,
    coq_library="coq/theories",
    lean_library="Proofs",
    audit=_audit,
    justify=_justify,
)
