"""Coq export of bilinear certificates (template coq_bilinear.v.j2; library coq/theories/Bilinear/).
Data only: integers and fixed identifiers; the statement is fixed by the template per strategy.
Untrusted: if the data or the claim are wrong, coqc fails. Covers brute-force, equivalent and
similarity and distance certificates of models without an embedding."""

from __future__ import annotations

from pathlib import Path

from pybridge.export import template_env
from pybridge.export.coq import _zmat

COQ_STRATEGIES = ("brute-force", "equivalent", "similarity", "distance")


def _coq_model(ident: str, path: Path, sha: str) -> dict:
    from pybridge.check.bilinear.model import shape_of
    from pybridge.check.modelfile import canonical_sha256, exact_integers, read_safetensors

    arrays, meta = read_safetensors(Path(path))
    if meta.get("pybridge_family") != "bilinear":
        raise ValueError(f"{path} is not a bilinear model")
    shape = shape_of(arrays)
    if canonical_sha256(arrays, tuple(sorted(arrays))) != sha:
        raise ValueError(f"model {path} does not match the certificate's hash")
    if shape["embed"]:
        raise ValueError("the Coq export covers bilinear models without an embedding (embed.W)")
    s, ints = exact_integers(arrays)

    def rows(k: str) -> list[list[int]]:
        n = arrays[k].shape[1]
        v = ints[k]
        return [v[i:i + n] for i in range(0, len(v), n)]

    return {"ident": ident, "d_in": shape["d_in"], "hid": shape["d_hidden"], "d_out": shape["d_out"],
            "n_out": shape["n_out"], "head": "true" if shape["head"] else "false", "s": s,
            "L": _zmat(rows("bilinear.0.W_L")), "R": _zmat(rows("bilinear.0.W_R")), "D": _zmat(rows("bilinear.0.W_D")),
            "U": _zmat(rows("head.W")) if shape["head"] else "[]",
            "_ints": {"L": rows("bilinear.0.W_L"), "R": rows("bilinear.0.W_R"), "D": rows("bilinear.0.W_D"),
                      "U": rows("head.W") if shape["head"] else None}}


def refuse_deep(cert, cert_path: Path, model_path: Path, prover: str) -> None:
    """One line (exit 2) for models the Spec does not model: several layers or a residual layer."""
    from pybridge.check.bilinear.model import ExactBilinear, depth, load_bilinear
    from pybridge.check.modelfile import sibling_file
    from pybridge.clikit import UsageError

    paths = [model_path]
    if cert.strategy != "brute-force":
        paths.append(sibling_file(cert_path, cert.hints["model_b_file"], "model.model_b_file"))
    for p in paths:
        M = load_bilinear(p)
        if not isinstance(M, ExactBilinear):
            raise UsageError(f"the {prover} export covers one non-residual bilinear layer (its Spec); {p.name} has "
                             f"{depth(M)} layer(s){' with a residual layer' if any(M.residual) else ''}")


def _models_and_claim(cert, cert_path: Path, model_path: Path, idents: tuple[str, str]) -> tuple[list[dict], dict]:
    """The exported model(s) (model B through the checker's plain-name rule) and the claim's numbers, shared by
    the Coq and the Lean export."""
    from pybridge.check.bilinear.model import load_bilinear
    from pybridge.check.modelfile import sibling_file

    models = [_coq_model(idents[0], model_path, cert.model_sha256)]
    if cert.strategy == "brute-force":
        M = load_bilinear(model_path)
        if M.p is None:
            raise ValueError("bilinear brute-force export needs a modular-addition model")
        return models, {"P": int(M.p), "N": int(cert.correct_at_least)}
    b = sibling_file(cert_path, cert.hints["model_b_file"], "model.model_b_file")
    models.append(_coq_model(idents[1], b, cert.hints["model_b_sha256"]))
    v = cert.hints["value"]
    return models, {"p": int(v.numerator), "q": int(v.denominator), "sha256_b": cert.hints["model_b_sha256"]}


def render_coq(cert_path: Path, cert, model_path: str | Path, print_assumptions: bool = True) -> str:
    if cert.strategy not in COQ_STRATEGIES:
        raise ValueError(f"the Coq export covers bilinear {', '.join(COQ_STRATEGIES)} certificates, not {cert.strategy!r}")
    refuse_deep(cert, Path(cert_path), Path(model_path), "Coq")
    models, extra = _models_and_claim(cert, Path(cert_path), Path(model_path), ("cert_A", "cert_B"))
    return template_env().get_template("coq_bilinear.v.j2").render(
        strategy=cert.strategy, sha256=cert.model_sha256, two=cert.strategy != "brute-force", models=models,
        print_assumptions=print_assumptions, **extra)


LEAN_STRATEGIES = ("brute-force", "similarity", "equivalent", "distance")


def _lean_matrix(rows: list[list[int]]) -> str:
    from pybridge.export.lean import _lean_int

    return "[" + ", ".join("[" + ", ".join(_lean_int(int(v)) for v in row) + "]" for row in rows) + "]"


def render_lean(cert_path: Path, cert, model_path: str | Path) -> tuple[str, str]:
    """(module base name, Lean source) of a bilinear brute-force, similarity, equivalent or distance certificate
    (one layer, no embedding; distance in its Frobenius form, Proofs/Bilinear/Spec.lean). Data only: integers
    and fixed identifiers; the statement is fixed by the template."""
    import re

    if cert.strategy not in LEAN_STRATEGIES:
        raise ValueError(f"the Lean export covers bilinear {', '.join(LEAN_STRATEGIES)} certificates, not "
                         f"{cert.strategy!r} (no Lean mirror of that claim yet)")
    refuse_deep(cert, Path(cert_path), Path(model_path), "Lean")
    models, extra = _models_and_claim(cert, Path(cert_path), Path(model_path), ("modelA", "modelB"))
    for m in models:  # Lean list literals (the Coq dict carries Coq syntax)
        arrays = m.pop("_ints")
        m.update({k: _lean_matrix(arrays[k]) for k in ("L", "R", "D")})
        m["U"] = _lean_matrix(arrays["U"]) if arrays["U"] is not None else "[]"
    tag = re.sub(r"[^0-9a-f]", "", cert.model_sha256.lower())[:12]
    ns = f"Cert_{tag}_bilinear_{cert.strategy.replace('-', '_')}"
    text = template_env().get_template("lean_bilinear.lean.j2").render(
        strategy=cert.strategy, sha256=cert.model_sha256, two=cert.strategy != "brute-force", models=models, ns=ns,
        **extra)
    return ns, text
