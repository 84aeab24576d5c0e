"""Export a certificate to a Lean 4 file checked by the Lean mirror library (Proofs/).

The generated file holds the model's exact integer weights (`Z_M = M * 2^s`, each matrix as one flat
row-major `List Int`, rebuilt by `Pybridge.rows`), the certificate's parameters, hints and claim,
and

    theorem check_ok : check_bf model P k N = true := by decide +kernel
    theorem accuracy {K} [ExpField K] (r : K) (hr : IsInvSqrt model.h r) : AccuracyAtLeast K r model N

for brute-force certificates (the second from `check_bf_sound`), and the same two theorems with
`check_cubic model P k blocks N` and `check_cubic_sound` for cubic certificates (the hint blocks
`(q, m, N, K)` sorted by `(q, m, N)`, as `check_cubic` requires strictly increasing keys), and with
`check_cubic_count model P k blocks N` and `check_cubic_count_sound` for cubic-count certificates (the
count blocks `(q, m, c, K)` sorted by `(q, m, c)`, CHECKING.md section 6b).  The data
are read with the Python checker's own loaders (`read_certificate`, `load_maxofk`), so the Lean file
checks exactly the integers the Python checker checks.  Nothing here is trusted: if the data or the
claim are wrong, Lean fails.
Group-operation brute-force certificates (family `groupop`, CHECKING.md section 8) get their own
template (`lean_groupop.lean.j2`): the group by name (`.Sym 4`, ...; GroupSpec.lean generates it),
the six tensors as flat row-major `List Int` (rebuilt by `rows`), and
`check_ok : check_group_bf model N = true := by decide +kernel`,
`accuracy {K} [ExpField K] : GAccuracyAtLeast K model N` from `check_group_bf_sound`; rho-set
certificates (template `lean_grouprho.lean.j2`) add the hint record of `grouprho_data` (CHECKING.md 8.7)
and use `check_group_rho model N hints` and `check_group_rho_sound` (Proofs/GroupRho.lean).
No Lean toolchain exists on the machine this was written on; the output was never compiled there.
"""

from __future__ import annotations

import re
from pathlib import Path

from pybridge.check.certificate import read_certificate
from pybridge.check.cubic import validate_blocks
from pybridge.check.cubic_count import validate_count_blocks
from pybridge.check.weights import load_maxofk

from . import template_env

PROOFS_DIR = Path(__file__).resolve().parents[2] / "Proofs"

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

# Identifiers of the Proofs/ library that generated files use (tests check they are defined).
LIBRARY_NAMES = (
    "Model",
    "rows",
    "check_bf",
    "check_bf_sound",
    "check_cubic",
    "check_cubic_sound",
    "check_cubic_count",
    "check_cubic_count_sound",
    "block",
    "ExpField",
    "IsInvSqrt",
    "AccuracyAtLeast",
)

# Identifiers of Proofs/GroupSpec.lean and Proofs/GroupBruteForce.lean used by groupop files.
GROUP_LIBRARY_NAMES = ("GModel", "check_group_bf", "check_group_bf_sound", "GAccuracyAtLeast", "rows", "group")
# Identifiers of Proofs/GroupRho.lean used by groupop rho-set files.
GROUP_RHO_LIBRARY_NAMES = ("RhoHints", "check_group_rho", "check_group_rho_sound")
GROUP_CTORS = {"S": "Sym", "A": "Alt", "C": "Cyc", "D": "Dih"}


def _lean_int(z: int) -> str:
    return str(z) if z >= 0 else f"({z})"


def _flat(rows: list[list[int]]) -> str:
    return ", ".join(_lean_int(z) for row in rows for z in row)


def _check_shape(name: str, rows: list[list[int]], r: int, c: int) -> None:
    if len(rows) != r or any(len(row) != c for row in rows):
        raise ValueError(f"matrix {name} does not have shape {r} x {c}")


def lean_source(cert_path: str | Path, model_path: str | Path) -> tuple[str, str]:
    """Return (module base name, Lean source) for a certificate and its model file."""
    cert = read_certificate(cert_path)
    if getattr(cert, "family", "maxofk") == "groupop":
        return lean_source_groupop(cert_path, cert, model_path)
    if getattr(cert, "family", "maxofk") != "maxofk":
        raise ValueError(f"the Lean export does not cover the family {cert.family!r}")
    M = load_maxofk(model_path)
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
        cert_name=Path(cert_path).name,
        strategy=strategy,
        model_sha256=M.sha256,
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


def lean_source_groupop(cert_path: str | Path, cert, model_path: str | Path) -> tuple[str, str]:
    """(module base name, Lean source) of a groupop brute-force certificate."""
    from pybridge.check.groupop import group_table, load_groupop

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
        matrices.append({"ident": ident, "name": desc, "rows": r, "cols": c, "data": _flat(rows)})
    tag = re.sub(r"[^0-9a-f]", "", M.sha256.lower())[:12]
    rho = cert.strategy == "rho-set"
    ns = f"Cert_{tag}_{'grouprho' if rho else 'groupbf'}"
    extra: dict = {}
    if rho:
        from .grouprho_data import verified_coq_data

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
        cert_name=Path(cert_path).name, model_sha256=M.sha256, N=cert.correct_at_least, total=cert.total,
        group=M.group, group_ctor=f".{GROUP_CTORS[M.group[0]]} {int(M.group[1:])}", order=G, e=e, h=h, s=M.s,
        matrices=matrices, bU=", ".join(_lean_int(z) for z in M.bU), ns=ns)
    return ns, src


def export_lean(cert_path: str | Path, model_path: str | Path, out_dir: str | Path) -> Path:
    """Write `<out_dir>/<module>.lean` for the certificate and return its path.

    To have `lake build` check it, use `out_dir = Proofs/Certificates` (the `Proofs` library globs
    every module under `Proofs/`).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from .subcubic_reduce import reduce_if_subcubic

    cert_path = reduce_if_subcubic(Path(cert_path), Path(model_path), out)
    ns, src = lean_source(cert_path, model_path)
    path = out / f"{ns}.lean"
    tmp = path.with_suffix(".lean.tmp")
    tmp.write_text(src, encoding="utf-8")
    tmp.replace(path)
    return path
