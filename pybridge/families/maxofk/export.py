"""Coq and Lean export of Max-of-k certificates (templates coq_certificate.v.j2 and lean_certificate.lean.j2;
the library is coq/theories/{Spec,Checker,BruteForce,Cubic,CubicCount}.v and its Lean mirror in Proofs/).
Untrusted: if the data or the claim are wrong, coqc fails."""

from __future__ import annotations

import re
from pathlib import Path

from pybridge.check.maxofk.cubic import validate_blocks
from pybridge.check.maxofk.cubic_count import validate_count_blocks
from pybridge.check.maxofk.weights import load_maxofk
from pybridge.export import template_env
from pybridge.export.coq import _zmat, sha256_hex
from pybridge.export.lean import _check_shape, _flat, _lean_int


# (Lean identifier, attribute of ExactMaxOfK, description)
MATRICES = (
    ("E_flat", "E", "embed.W_E"),
    ("Pos_flat", "P", "pos_embed.W_pos"),
    ("WQ_flat", "WQ", "blocks.0.attn.W_Q"),
    ("WK_flat", "WK", "blocks.0.attn.W_K"),
    ("WV_flat", "WV", "blocks.0.attn.W_V"),
    ("WO_flat", "WO", "blocks.0.attn.W_O"),
    ("WU_flat", "WU", "unembed.W_U"),
)


def _bias_free(M):
    """The Coq/Lean libraries state the bias-free, LayerNorm-free model: refuse anything else (issue 15)."""
    if M.has_bias or M.has_ln:
        raise ValueError("Coq/Lean export does not cover models with biases or LayerNorm yet "
                         "(the Python checker does); not exported")
    return M


def render_coq(cert_path: Path, cert, model_path: str | Path, print_assumptions: bool = True) -> str:
    """The Coq file of a Max-of-k certificate (raises ValueError on a model mismatch)."""
    M = _bias_free(load_maxofk(model_path))
    if M.sha256 != cert.model_sha256:
        raise ValueError(f"model {model_path} does not match the certificate (sha256 {M.sha256[:12]}...)")
    shape = {"d_vocab": M.d_vocab, "n_ctx": M.n_ctx, "d_model": M.d_model, "d_head": M.d_head}
    if shape != cert.shape:
        raise ValueError(f"model shape {shape} differs from the certificate's {cert.shape}")
    blocks: list[str] = []
    if cert.strategy in ("cubic", "cubic-count"):
        raw = cert.hints["blocks"]
        for b in raw:
            if not (isinstance(b, list) and len(b) == 4 and all(type(x) is int for x in b)):
                raise ValueError("hint blocks must be lists of four integers")
        # The Coq checkers require strictly increasing keys (q, m, N) resp. (q, m, c): sort;
        # duplicates stay and make the Coq check fail, as they make the Python checker reject.
        blocks = [f"({q}, {m}, {x}, {km})" for q, m, x, km in sorted(raw, key=lambda b: (b[0], b[1], b[2]))]
    env = template_env()
    tpl = env.get_template("coq_certificate.v.j2")
    return tpl.render(
        strategy=cert.strategy,
        module={"cubic": "Cubic", "cubic-count": "Cubic CubicCount"}.get(cert.strategy, "BruteForce"),
        sha256=sha256_hex(M.sha256),
        N=int(cert.correct_at_least),
        total=cert.total,
        V=M.d_vocab,
        n=M.n_ctx,
        d=M.d_model,
        h=M.d_head,
        s=M.s,
        E=_zmat(M.E),
        P=_zmat(M.P),
        WQ=_zmat(M.WQ),
        WK=_zmat(M.WK),
        WV=_zmat(M.WV),
        WO=_zmat(M.WO),
        WU=_zmat(M.WU),
        fixed_bits=cert.fixed_bits,
        exp_squarings=cert.exp_squarings,
        blocks=blocks,
        print_assumptions=print_assumptions,
    )




def render_lean(cert_path: Path, cert, model_path: str | Path) -> tuple[str, str]:
    """(module base name, Lean source) of a Max-of-k certificate."""
    M = _bias_free(load_maxofk(model_path))
    if cert.model_sha256 != M.sha256:
        raise ValueError("certificate model_sha256 does not match the model file")
    V, n, d, h = M.d_vocab, M.n_ctx, M.d_model, M.d_head
    shapes = {"E": (V, d), "P": (n, d), "WQ": (d, h), "WK": (d, h), "WV": (d, h), "WO": (h, d), "WU": (d, V)}
    matrices = []
    for ident, attr, desc in MATRICES:
        rows = getattr(M, attr)
        r, c = shapes[attr]
        _check_shape(desc, rows, r, c)
        matrices.append({"ident": ident, "name": desc, "rows": r, "cols": c, "data": _flat(rows)})
    strategy = cert.strategy
    blocks = ""
    if strategy == "cubic":
        # The Python checker's own validation (ranges, K within 0..m-1, distinct (q, m, N)), then the
        # order `check_cubic` requires: strictly increasing keys (q, m, N).
        checked = validate_blocks(cert.hints.get("blocks", []), V, n)
        keyed = sorted(checked, key=lambda b: (b[0], b[1], b[2]))
        blocks = ", ".join(f"({q}, {m}, {nm}, {km})" for q, m, nm, km in keyed)
    elif strategy == "cubic-count":
        # The Python checker's validation (ranges, c <= n-1 (n-2 if q < m), K within 0..m-1, distinct
        # (q, m, c)), then the order `check_cubic_count` requires: strictly increasing keys (q, m, c).
        checked = validate_count_blocks(cert.hints.get("blocks", []), V, n)
        keyed = sorted(checked, key=lambda b: (b[0], b[1], b[2]))
        blocks = ", ".join(f"({q}, {m}, {c}, {km})" for q, m, c, km in keyed)
    elif strategy != "brute-force":
        raise ValueError(f"the Lean export does not cover strategy {strategy!r}")
    tag = re.sub(r"[^0-9a-f]", "", M.sha256.lower())[:12]
    suffix = {"brute-force": "bf", "cubic": "cubic", "cubic-count": "cubiccount"}[strategy]
    ns = f"Cert_{tag}_{suffix}"
    env = template_env(keep_trailing_newline=True)
    src = env.get_template("lean_certificate.lean.j2").render(
        strategy=strategy,
        model_sha256=sha256_hex(M.sha256),
        N=cert.correct_at_least,
        total=cert.total,
        V=V,
        n=n,
        d=d,
        h=h,
        s=M.s,
        P=cert.fixed_bits,
        k=cert.exp_squarings,
        matrices=matrices,
        blocks=blocks,
        ns=ns,
        import_module={"brute-force": "BruteForce", "cubic": "Cubic", "cubic-count": "CubicCount"}[strategy],
    )
    return ns, src
