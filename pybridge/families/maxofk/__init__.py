"""The Max-of-k family: one-layer, one-head, attention-only transformers read out at the last position,
correct on t iff the logit of max(t) is strictly largest (docs/CHECKING.md sections 1-7).
Trusted checker: pybridge/check/maxofk/. Coq: coq/theories/{Spec,Checker,BruteForce,Cubic,CubicCount}.v."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pybridge.families import Family, ProveRequest, Strategy

DEFAULT_FIXED_BITS_RANGE = (16, 256)


def _model(model: Any):
    from pybridge.families.maxofk.common import LoadedModel, load_model

    return model if isinstance(model, LoadedModel) else load_model(Path(model))


def params(strategy: str, req: ProveRequest) -> dict[str, int]:
    """The strategy's default parameters, overridden by `fixed_bits` / `exp_squarings` in the request."""
    from pybridge.clikit import UsageError
    from pybridge.families.maxofk.common import DEFAULT_PARAMS

    p = dict(DEFAULT_PARAMS[strategy])
    for key in ("fixed_bits", "exp_squarings"):
        if req.params.get(key) is not None:
            try:
                p[key] = int(req.params[key])
            except (TypeError, ValueError):
                raise UsageError(f"{key} must be an integer") from None
    unknown = set(req.params) - {"fixed_bits", "exp_squarings"}
    if unknown:
        raise UsageError(f"unknown Max-of-k parameter(s): {', '.join(sorted(unknown))}")
    if not (16 <= p["fixed_bits"] <= 256 and 1 <= p["exp_squarings"] <= 64):
        raise UsageError("--fixed-bits must be in 16..256 and --exp-squarings in 1..64")
    return p


def _work(m: Any, strategy: str) -> int:
    V, n = m.exact.d_vocab, m.exact.n_ctx
    return V**n if strategy == "brute-force" else 2 if strategy == "subcubic" else V * (V + 1) // 2


def _prover(name: str):
    def prove(model: Any, req: ProveRequest):
        from pybridge.clikit import UsageError

        m = _model(model)
        if name != "brute-force" and m.exact.has_ln:
            raise UsageError(f"strategy {name} does not support LayerNorm models (ln_final is not linear in the "
                             "attention weights); use brute-force")
        bar = req.progress(f"prove {name}", _work(m, name)) if req.progress else None
        p = params(name, req)
        if name == "subcubic":
            from pybridge.families.maxofk.subcubic import parse_variant, prove_subcubic

            try:
                v = parse_variant(req.variant) if req.variant else None
            except ValueError as e:
                raise UsageError(str(e)) from None
            return prove_subcubic(m, p, bar, v)
        if req.variant:
            raise UsageError("--variant applies to the subcubic strategy only")
        if name == "brute-force":
            from pybridge.families.maxofk.brute_force import prove_brute_force as f
        elif name == "cubic":
            from pybridge.families.maxofk.cubic import prove_cubic as f
        else:
            from pybridge.families.maxofk.cubic_count import prove_cubic_count as f
        return f(m, p, bar)

    return prove


def _variants() -> list[str]:
    from pybridge.families.maxofk.subcubic import all_variants

    return [f"{v.direct}/{v.attention_error}" for v in all_variants()]


def _render_coq(*a, **k):
    from pybridge.families.maxofk.export import render_coq

    return render_coq(*a, **k)


def _render_lean(*a, **k):
    from pybridge.families.maxofk.export import render_lean

    return render_lean(*a, **k)


def _prepare(cert: Path, model: Path, out: Path) -> Path:
    from pybridge.families.maxofk.subcubic_reduce import reduce_if_subcubic

    return reduce_if_subcubic(cert, model, out)


def _audit(cert: Path, model: Path):
    from pybridge.families.maxofk.audit import audit

    return audit(cert, model)


def _add_train(tsub: Any) -> None:
    from pybridge.families.maxofk.commands import add_train_parser

    add_train_parser(tsub)


def _from_state_dict(sd: Any, out: Path) -> Path:
    from pybridge.families.maxofk.transformerlens import state_dict_to_model

    return state_dict_to_model(sd, out)


def _justify() -> dict[str, tuple[str, str, str]]:
    from pybridge.families.maxofk.audit import JUSTIFY, JUSTIFY_BIAS

    return {**JUSTIFY, **{f"{k}_bias": v for k, v in JUSTIFY_BIAS.items()}}


def _extended(model: Path) -> bool:
    from pybridge.families.maxofk.export import is_extended

    return is_extended(model)


def _statement(spec: str) -> str:
    from pybridge.export.coq import statement_text

    return statement_text(spec)


FAMILY = Family(
    name="maxofk",
    description="Max-of-k attention-only transformers (compact proofs, Gross et al. 2024): accuracy lower bounds",
    strategies=(
        Strategy("brute-force", "every input, rigorous interval arithmetic; brackets the accuracy", _prover("brute-force")),
        Strategy("cubic", "per-position pessimisation, token-set blocks, combinatorial count; O(V^3 n 2^n)", _prover("cubic")),
        Strategy("cubic-count", "as cubic, blocks by number of non-max positions (worst positions by sorting); O(V^3 n^2)",
                 _prover("cubic-count")),
        Strategy("subcubic", "gap blocks with verified direct-path and attention-gap hints; O(V^2 (d + n h + n^2)) "
                 "(--variant picks the bounds)", _prover("subcubic"), _variants),
    ),
    load=lambda path: _model(path),
    add_train_parser=_add_train,
    render_coq=_render_coq,
    coq_expected=lambda cert: _statement("Spec"),
    coq_expected_model=lambda cert, model: _statement("SpecTL" if _extended(model) else "Spec"),
    render_lean=_render_lean,
    prepare_export=_prepare,
    coq_library="coq/theories",
    lean_library="Proofs",
    audit=_audit,
    justify=_justify,
    from_state_dict=_from_state_dict,
)
