"""The bilinear family (tensor-similarity paper, issue 13): one bilinear layer `D((L x) * (R x))` with
an optional embedding and head, no biases. Claims: exact brute-force accuracy on modular addition, and
two-model claims from the exact Gram identity (equivalent, similarity, distance).
Trusted checker: pybridge/check/bilinear/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pybridge.families import Family, ProveRequest, Strategy


def _bf(model: Any, req: ProveRequest):
    from pybridge.families.bilinear.similarity import prove_brute_force

    return prove_brute_force(model, req)


def _two(name: str):
    def prove(model: Any, req: ProveRequest):
        from pybridge.families.bilinear.similarity import prove_two

        return prove_two(name)(model, req)
    return prove


def _low_rank(model: Any, req: ProveRequest):
    from pybridge.families.bilinear.fourier import prove_low_rank

    return prove_low_rank(model, req)


def _load(path: Path):
    from pybridge.check.bilinear.model import load_bilinear

    return load_bilinear(path)


def _add_train(tsub: Any) -> None:
    from pybridge.families.bilinear.commands import add_train_parser

    add_train_parser(tsub)


def _render_coq(*a, **k):
    from pybridge.families.bilinear.export import render_coq

    return render_coq(*a, **k)


_COQ_CLAIMS = {"brute-force": "accuracy_at_least Cert.cert_A Cert.cert_P Cert.cert_N",
               "equivalent": "equivalent Cert.cert_A Cert.cert_B Cert.cert_lambda",
               "similarity": "similar_at_least Cert.cert_A Cert.cert_B Cert.cert_c",
               "distance": "within Cert.cert_A Cert.cert_B Cert.cert_delta"}


def _coq_expected(cert) -> str:
    """The exact `Check` output of the strict `verify --coq` trailer (statement fixed per strategy)."""
    if cert.strategy == "low-rank":
        from pybridge.clikit import UsageError

        raise UsageError("bilinear low-rank has no Coq checker yet (checked by the Python checker only)")
    return f"Cert.cert_correct\n     : Spec.{_COQ_CLAIMS[cert.strategy]}\n"


def _render_lean(*a, **k):
    from pybridge.families.bilinear.export import render_lean

    return render_lean(*a, **k)


def _add_commands(sub: Any) -> None:
    from pybridge.families.bilinear.commands import add_commands

    add_commands(sub)


FAMILY = Family(
    name="bilinear",
    description="bilinear models (tensor similarity, 2026): exact brute force, equivalence, similarity, distance",
    strategies=(
        Strategy("brute-force", "modular addition: all P^2 one-hot pairs, exact integer logits; the exact accuracy", _bf),
        Strategy("equivalent", "--with B: Bs_B = lambda Bs_A exactly (Gram identity, Cauchy-Schwarz equality)", _two("equivalent")),
        Strategy("similarity", "--with B: cos(Bs_A, Bs_B) >= c (exact Gram integers, no square roots)", _two("similarity")),
        Strategy("spectral", "--with B: the distance claim from the spectral norm, exact LDL^T certificates of "
                 "delta I -+ (Bs_A - Bs_B)_o (small models: the tensors are materialised)", _two("spectral")),
        Strategy("distance", "--with B: |f_A(x)_o - f_B(x)_o| <= delta |x|^2 (per-output Frobenius norm)", _two("distance")),
        Strategy("low-rank", "modular addition from an interpretation: a rank-r (svd or Fourier) output map, exact "
                 "residual, per-class-difference Cauchy-Schwarz; mode=hybrid decides open comparisons exactly", _low_rank),
    ),
    load=_load,
    add_train_parser=_add_train,
    add_commands=_add_commands,
    render_coq=_render_coq,
    coq_library="coq/theories/Bilinear",
    coq_expected=_coq_expected,
    render_lean=_render_lean,
    lean_library="Proofs/Bilinear",
)
