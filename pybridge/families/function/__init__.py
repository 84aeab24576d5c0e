"""The function family (issue 14): one-variable real functions written as Python source (FIND-style
descriptions as code), parsed into the checker's own expression language and never executed. The claim
is `|f(x) - g(x)| <= eps` for every x of a domain (a union of closed rational intervals); a refutation is
an exact rational x with enclosures of both values. Trusted checker: pybridge/check/function/.
Coq: coq/theories/Functions/. docs/FUNCTIONS.md describes the language and the certificates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pybridge.families import Family, ProveRequest, Strategy


def _load(path: Path) -> str:
    from pybridge.check.function import read_function_file
    from pybridge.check.function.lang import parse_function

    src = read_function_file(path)
    parse_function(src)
    return src


def _prove_agree(model: Any, req: ProveRequest):
    from pybridge.families.function.commands import prove_agree

    return prove_agree(model, req)


def _add_commands(sub: Any) -> None:
    from pybridge.families.function.commands import add_commands

    add_commands(sub)


def _render_coq(*a, **k):
    from pybridge.families.function.export import render_coq

    return render_coq(*a, **k)


def _render_lean(*a, **k):
    from pybridge.families.function.export import render_lean

    return render_lean(*a, **k)


def _audit(cert: Path, model: Path):
    from pybridge.families.function.audit import audit

    return audit(cert, model)


def _justify():
    from pybridge.families.function.audit import JUSTIFY

    return JUSTIFY


FAMILY = Family(
    name="function",
    description="functions as code (FIND-style descriptions): |f - g| <= eps on the whole domain, or an exact counterexample",
    strategies=(
        Strategy("agree", "f against a description g (--with G --param eps=E --param domain=A:B[,C:D]): rigorous "
                 "interval branch and bound over points and open intervals; certificate = the breakpoints", _prove_agree),
    ),
    load=_load,
    add_commands=_add_commands,
    render_coq=_render_coq,
    render_lean=_render_lean,
    lean_library="Proofs/Functions",
    audit=_audit,
    justify=_justify,
    coq_expected=lambda cert: "Cert.cert_correct\n     : Spec.agree_on_domain Cert.f Cert.g Cert.eps Cert.domain\n",
    coq_library="coq/theories/Functions",
)
