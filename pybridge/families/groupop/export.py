"""Coq and Lean export of group-operation certificates (templates coq_groupop.v.j2, coq_grouprho.v.j2,
lean_groupop.lean.j2, lean_grouprho.lean.j2; libraries coq/theories/Group*.v and Proofs/Group*.lean).
Untrusted: if the data or the claim are wrong, coqc fails."""

from __future__ import annotations

import re
from pathlib import Path

from pybridge.export import template_env
from pybridge.export.coq import _natlist, _natmat, _zlist, _zmat, sha256_hex
from pybridge.export.lean import _check_shape, _flat, _lean_int

GROUP_CTORS = {"S": "Sym", "A": "Alt", "C": "Cyc", "D": "Dih"}


def coq_group(name: str) -> str:
    """`S4` -> `Sym 4` (the constructor of GroupSpec.group); the name is validated by `group_table`."""
    from pybridge.check.groupop.bruteforce import group_table

    group_table(name)  # raises InputError for names the Python checker does not know
    return f"{GROUP_CTORS[name[0]]} {int(name[1:])}"


def render_coq(cert_path: Path, cert, model_path: str | Path, print_assumptions: bool = True) -> str:
    """The Coq file of a groupop brute-force certificate (template coq_groupop.v.j2)."""
    from pybridge.check.groupop.bruteforce import load_groupop

    if cert.strategy not in ("brute-force", "rho-set"):
        raise ValueError(f"the Coq export covers groupop brute-force and rho-set certificates, not {cert.strategy!r}")
    M, _ = load_groupop(model_path)
    if M.sha256 != cert.model_sha256:
        raise ValueError(f"model {model_path} does not match the certificate (sha256 {M.sha256[:12]}...)")
    shape = {"group": M.group, "group_order": M.order, "d_embed": M.d_embed, "d_hidden": M.d_hidden}
    if shape != cert.shape:
        raise ValueError(f"model shape {shape} differs from the certificate's {cert.shape}")
    extra: dict = {}
    template = "coq_groupop.v.j2"
    if cert.strategy == "rho-set":
        from pybridge.families.groupop.coq_data import verified_coq_data

        D = verified_coq_data(cert_path, cert, model_path, M)
        template = "coq_grouprho.v.j2"
        extra = dict(
            d1=D.d1, d3=D.d3, P=len(D.Lq), k=len(D.LY), ngens=len(D.gens), Lq=_zmat(D.Lq), Rq=_zmat(D.Rq),
            KU=_zmat(D.KU), nrn="[" + ";".join(f"({p}%nat, {lam})" for p, lam in D.nrn) + "]",
            gens="[" + ";\n    ".join(f"({g}%nat, {_natlist(pi)}, {_natlist(sg)})" for g, pi, sg in D.gens) + "]",
            wordL=_natmat(D.wordL), wordR=_natmat(D.wordR), LX=_zmat(D.LX), LY=_zmat(D.LY), rmax=_zlist(D.rmax))
    env = template_env()
    return env.get_template(template).render(
        **extra,
        sha256=sha256_hex(M.sha256),
        N=int(cert.correct_at_least),
        total=cert.total,
        group=M.group,
        group_ctor=coq_group(M.group),
        order=M.order,
        e=M.d_embed,
        h=M.d_hidden,
        s=M.s,
        EL=_zmat(M.EL),
        ER=_zmat(M.ER),
        WL=_zmat(M.WL),
        WR=_zmat(M.WR),
        WU=_zmat(M.WU),
        bU=_zlist(M.bU),
        print_assumptions=print_assumptions,
    )


def render_lean(cert_path: Path, cert, model_path: str | Path) -> tuple[str, str]:
    """(module base name, Lean source) of a groupop brute-force certificate."""
    from pybridge.check.groupop.bruteforce import group_table, load_groupop

    if cert.strategy not in ("brute-force", "rho-set"):
        raise ValueError(f"the Lean export covers groupop brute-force and rho-set certificates, not {cert.strategy!r}")
    M, _ = load_groupop(model_path)
    if cert.model_sha256 != M.sha256:
        raise ValueError("certificate model_sha256 does not match the model file")
    shape = {"group": M.group, "group_order": M.order, "d_embed": M.d_embed, "d_hidden": M.d_hidden}
    if shape != cert.shape:
        raise ValueError(f"model shape {shape} differs from the certificate's {cert.shape}")
    group_table(M.group)  # the Python checker's validation of the name
    G, e, h = M.order, M.d_embed, M.d_hidden
    mats = (("EL_flat", M.EL, G, e, "embed_left"), ("ER_flat", M.ER, G, e, "embed_right"),
            ("WL_flat", M.WL, e, h, "W_left"), ("WR_flat", M.WR, e, h, "W_right"), ("WU_flat", M.WU, h, G, "W_U"))
    matrices = []
    for ident, rows, r, c, desc in mats:
        _check_shape(desc, rows, r, c)
        matrices.append({"ident": ident, "rows": r, "cols": c, "data": _flat(rows)})
    tag = re.sub(r"[^0-9a-f]", "", M.sha256.lower())[:12]
    rho = cert.strategy == "rho-set"
    ns = f"Cert_{tag}_{'grouprho' if rho else 'groupbf'}"
    extra: dict = {}
    if rho:
        from pybridge.families.groupop.coq_data import verified_coq_data

        D = verified_coq_data(Path(cert_path), cert, model_path, M)

        def nats(row) -> str:
            return "[" + ", ".join(str(int(v)) for v in row) + "]"

        def ints(row) -> str:
            return "[" + ", ".join(_lean_int(int(v)) for v in row) + "]"

        def mat(rows, f) -> str:
            return "[" + ",\n    ".join(f(r) for r in rows) + "]"

        extra = dict(d1=D.d1, d3=D.d3, P=len(D.Lq), k=len(D.LY), ngens=len(D.gens), Lq=mat(D.Lq, ints),
                     Rq=mat(D.Rq, ints), KU=mat(D.KU, ints), LX=mat(D.LX, ints), LY=mat(D.LY, ints),
                     rmax=ints(D.rmax), wordL=mat(D.wordL, nats), wordR=mat(D.wordR, nats),
                     nrn="[" + ", ".join(f"({p}, {_lean_int(lam)})" for p, lam in D.nrn) + "]",
                     gens="[" + ",\n    ".join(f"({g}, {nats(pi)}, {nats(sg)})" for g, pi, sg in D.gens) + "]")
    env = template_env(keep_trailing_newline=True)
    src = env.get_template("lean_grouprho.lean.j2" if rho else "lean_groupop.lean.j2").render(
        **extra,
        model_sha256=sha256_hex(M.sha256), N=cert.correct_at_least, total=cert.total,
        group=M.group, group_ctor=f".{GROUP_CTORS[M.group[0]]} {int(M.group[1:])}", order=G, e=e, h=h, s=M.s,
        matrices=matrices, bU=", ".join(_lean_int(z) for z in M.bU), ns=ns)
    return ns, src
