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

from pybridge.export import template_env

PROOFS_DIR = Path(__file__).resolve().parents[2] / "Proofs"

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
    """Return (module base name, Lean source) for a certificate and its model file, rendered by its family."""
    from pybridge import families

    cert = read_certificate(cert_path)
    fam = families.get(cert.family)
    if fam.render_lean is None:
        raise ValueError(f"the Lean export does not cover the family {cert.family!r}")
    return fam.render_lean(Path(cert_path), cert, model_path)


def export_lean(cert_path: str | Path, model_path: str | Path, out_dir: str | Path) -> Path:
    """Write `<out_dir>/<module>.lean` for the certificate and return its path.

    To have `lake build` check it, use `out_dir = Proofs/Certificates` (the `Proofs` library globs
    every module under `Proofs/`).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from pybridge.export.coq import prepare_export

    cert_path = prepare_export(Path(cert_path), Path(model_path), out)
    ns, src = lean_source(cert_path, model_path)
    path = out / f"{ns}.lean"
    tmp = path.with_suffix(".lean.tmp")
    tmp.write_text(src, encoding="utf-8")
    tmp.replace(path)
    return path
