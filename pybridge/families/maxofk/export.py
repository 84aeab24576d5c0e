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


# The TLModel vectors of a model with biases and/or LayerNorm: (field, length key).
TL_VECTORS = (("bQ", "h"), ("bK", "h"), ("bV", "h"), ("bO", "d"), ("bU", "V"),
              ("ln1w", "d"), ("ln1b", "d"), ("lnfw", "d"), ("lnfb", "d"))


def lean_tl_data(M) -> tuple[dict, list[dict], list[dict]]:
    """The integers of Proofs/TL's `TLModel` for an exact model with biases and/or LayerNorm (a dict with the
    TLModel fields, as lean_tl.check_bf_tl reads them) and the template's matrix and vector entries. LNPre is
    LayerNorm with weights 2^s (i.e. 1) and biases 0, as for Coq."""
    V, n, d, h = M.d_vocab, M.n_ctx, M.d_model, M.d_head
    shapes = {"E": (V, d), "P": (n, d), "WQ": (d, h), "WK": (d, h), "WV": (d, h), "WO": (h, d), "WU": (d, V)}
    tl = {"V": V, "n": n, "d": d, "h": h, "s": M.s}
    matrices = []
    for ident, attr, desc in MATRICES:
        rows = [[int(z) for z in row] for row in getattr(M, attr)]
        r, c = shapes[attr]
        _check_shape(desc, rows, r, c)
        tl["Pos" if attr == "P" else attr] = rows
        matrices.append({"ident": ident, "rows": r, "cols": c, "data": _flat(rows)})
    one = 1 << M.s
    tl["ln"] = M.normalization in ("LN", "LNPre")
    if M.normalization == "LN":
        lnv = (M.ln1_w, M.ln1_b, M.lnf_w, M.lnf_b)
    else:
        lnv = ([one] * d, [0] * d, [one] * d, [0] * d)
    dims = {"h": h, "d": d, "V": V}
    vectors = []
    for (field, key), vec in zip(TL_VECTORS, (M.bQ, M.bK, M.bV, M.bO, M.bU) + tuple(lnv)):
        vec = [int(z) for z in vec]
        _check_shape(field, [vec], 1, dims[key])
        tl[field] = vec
        vectors.append({"ident": f"{field}_flat", "len": dims[key], "data": _flat([vec])})
    tl["epsNum"], tl["epsDen"] = int(M.ln_eps.numerator), int(M.ln_eps.denominator)
    return tl, matrices, vectors


def _render_lean_tl(cert, M) -> tuple[str, str]:
    """(module base name, Lean source) of a brute-force certificate of a model with biases and/or LayerNorm
    (statement Proofs/TL/SpecTL.lean, checker Proofs/TL/BruteForceTL.lean). Only integers and fixed identifiers
    reach the file. Refused in one line when the Lean checker (its Python transcription, lean_tl.py) does not
    prove the claim."""
    from pybridge.families.maxofk.lean_tl import check_bf_tl

    if cert.strategy != "brute-force":
        raise ValueError(f"Lean export of strategy {cert.strategy!r} for models with biases or LayerNorm is not "
                         "implemented (Proofs/TL mirrors brute force only); not exported")
    V, n, d, h = M.d_vocab, M.n_ctx, M.d_model, M.d_head
    tl, matrices, vectors = lean_tl_data(M)
    F, k, N = max(int(cert.fixed_bits), M.s), int(cert.exp_squarings), int(cert.correct_at_least)
    ok, count = check_bf_tl(tl, F, k, N)
    if not ok:
        raise ValueError(f"the Lean checker (Proofs/TL/BruteForceTL.lean) proves {count} of the {N} inputs this "
                         "certificate claims (its ln_final enclosure is looser); not exported; try a larger fixed_bits")
    tag = re.sub(r"[^0-9a-f]", "", M.sha256.lower())[:12]
    ns = f"Cert_{tag}_tlbf"
    src = template_env(keep_trailing_newline=True).get_template("lean_maxofk_tl.lean.j2").render(
        model_sha256=sha256_hex(M.sha256), N=N, total=int(cert.total), V=V, n=n, d=d, h=h, s=M.s,
        matrices=matrices, vectors=vectors, ln=tl["ln"], eps_num=tl["epsNum"], eps_den=tl["epsDen"],
        F=F, k=k, ns=ns)
    return ns, src


def _zvec(v: list[int]) -> str:
    return "[" + ";".join(str(int(x)) for x in v) + "]"


def _coq_blocks(cert) -> list[str]:
    """The hint blocks of a cubic / cubic-count certificate as Coq tuples. The Coq checkers require strictly
    increasing keys (q, m, N) resp. (q, m, c): sort; duplicates stay and make the Coq check fail, as they
    make the Python checker reject."""
    raw = cert.hints["blocks"]
    for b in raw:
        if not (isinstance(b, list) and len(b) == 4 and all(type(x) is int for x in b)):
            raise ValueError("hint blocks must be lists of four integers")
    return [f"({q}, {m}, {x}, {km})" for q, m, x, km in sorted(raw, key=lambda b: (b[0], b[1], b[2]))]


def render_coq_tl(cert, M, print_assumptions: bool) -> str:
    """The Coq file of a certificate of a model with biases and/or LayerNorm (statement TL/SpecTL.v):
    brute force through TL/BruteForceTL.v; cubic / cubic-count (and subcubic, reduced to cubic-count by
    `prepare_export`) of LayerNorm-free models through TL/AugmentTL.v, which runs the bias-free checkers
    on the model one coordinate wider, computed in Coq. LNPre is rendered as LayerNorm with weights 2^s
    (i.e. 1) and biases 0."""
    compact = cert.strategy in ("cubic", "cubic-count")
    if cert.strategy != "brute-force" and M.has_ln:
        raise ValueError(f"Coq export of strategy {cert.strategy!r} for LayerNorm models is not implemented "
                         "(ln_final is not linear in the attention weights); only brute-force is exported")
    if cert.strategy != "brute-force" and not compact:
        raise ValueError(f"Coq export of strategy {cert.strategy!r} for models with biases is not implemented")
    one = 1 << M.s
    d = M.d_model
    ln = M.normalization in ("LN", "LNPre")
    if M.normalization == "LN":
        ln1w, ln1b, lnfw, lnfb = M.ln1_w, M.ln1_b, M.lnf_w, M.lnf_b
    else:
        ln1w, ln1b, lnfw, lnfb = [one] * d, [0] * d, [one] * d, [0] * d
    eps = M.ln_eps
    # the Coq grid: F bits (at least s, so that every weight is exact on it)
    grid_bits = max(int(cert.fixed_bits), M.s)
    env = template_env()
    return env.get_template("coq_maxofk_bias.v.j2" if compact else "coq_maxofk_tl.v.j2").render(
        strategy=cert.strategy, blocks=_coq_blocks(cert) if compact else [], fixed_bits=int(cert.fixed_bits),
        sha256=sha256_hex(M.sha256), N=int(cert.correct_at_least), total=int(cert.total),
        V=M.d_vocab, n=M.n_ctx, d=d, h=M.d_head, s=M.s,
        E=_zmat(M.E), P=_zmat(M.P), WQ=_zmat(M.WQ), WK=_zmat(M.WK), WV=_zmat(M.WV), WO=_zmat(M.WO),
        WU=_zmat(M.WU), bQ=_zvec(M.bQ), bK=_zvec(M.bK), bV=_zvec(M.bV), bO=_zvec(M.bO), bU=_zvec(M.bU),
        ln=ln, ln1w=_zvec(ln1w), ln1b=_zvec(ln1b), lnfw=_zvec(lnfw), lnfb=_zvec(lnfb),
        eps_num=int(eps.numerator), eps_den=int(eps.denominator),
        grid_bits=grid_bits, exp_squarings=int(cert.exp_squarings), print_assumptions=print_assumptions)


def is_extended(model_path: str | Path) -> bool:
    """Whether the model has biases or LayerNorm (its Coq statement is TL.SpecTL's)."""
    M = load_maxofk(model_path)
    return M.has_bias or M.has_ln


def render_coq(cert_path: Path, cert, model_path: str | Path, print_assumptions: bool = True) -> str:
    """The Coq file of a Max-of-k certificate (raises ValueError on a model mismatch)."""
    M = load_maxofk(model_path)
    if M.sha256 != cert.model_sha256:
        raise ValueError(f"model {model_path} does not match the certificate (sha256 {M.sha256[:12]}...)")
    shape = {"d_vocab": M.d_vocab, "n_ctx": M.n_ctx, "d_model": M.d_model, "d_head": M.d_head}
    if shape != cert.shape:
        raise ValueError(f"model shape {shape} differs from the certificate's {cert.shape}")
    if M.has_bias or M.has_ln:
        return render_coq_tl(cert, M, print_assumptions)
    blocks = _coq_blocks(cert) if cert.strategy in ("cubic", "cubic-count") else []
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
    M = load_maxofk(model_path)
    if cert.model_sha256 != M.sha256:
        raise ValueError("certificate model_sha256 does not match the model file")
    if M.has_bias or M.has_ln:
        return _render_lean_tl(cert, M)
    V, n, d, h = M.d_vocab, M.n_ctx, M.d_model, M.d_head
    shapes = {"E": (V, d), "P": (n, d), "WQ": (d, h), "WK": (d, h), "WV": (d, h), "WO": (h, d), "WU": (d, V)}
    matrices = []
    for ident, attr, desc in MATRICES:
        rows = getattr(M, attr)
        r, c = shapes[attr]
        _check_shape(desc, rows, r, c)
        matrices.append({"ident": ident, "rows": r, "cols": c, "data": _flat(rows)})
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
