"""Export a certificate to a Coq file checked by the Pybridge Coq library (coq/).

The generated file holds the model's exact integer weights (`Z_M = M * 2^s`), the certificate's
parameters, hints and claim, and one theorem

    Theorem cert_correct : accuracy_at_least cert_model cert_N.

stated with `coq/theories/Spec.v` only, proven by the soundness theorem of the strategy's checker
(`check_bf_sound` / `check_cubic_sound` / `check_cubic_count_sound`) and one VM evaluation of that
checker.  Nothing here is trusted: if the data or the claim are wrong, coqc fails.

Group-operation certificates (family `groupop`, strategy `brute-force`, CHECKING.md section 8) use
their own template (`coq_groupop.v.j2`): the group by its name (`Sym 4`, `Alt 5`, `Cyc 6`, `Dih 5`;
GroupSpec.v generates its elements), the six weight tensors as the checker's exact integers with the
common exponent `s`, and `cert_correct : accuracy_at_least cert_model cert_N` (GroupSpec.v) proven by
`check_group_bf_sound` (GroupBruteForce.v).  Only the `correct_at_least` part of the claim is
re-checked by Coq.
Rho-set certificates of the same family (CHECKING.md 8.6) are first verified by the Python checker, then
read by `grouprho_data` as the hint record of GroupRho.v (CHECKING.md 8.7) and rendered through
`coq_grouprho.v.j2`; `cert_correct` is then proven by `check_group_rho_sound`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

from pybridge.check.certificate import read_certificate

from pybridge.export import template_env

COQ_DIR = Path(__file__).resolve().parents[2] / "coq"
THEORIES = COQ_DIR / "theories"


def _zlist(row: list[int]) -> str:
    return "[" + ";".join(str(int(x)) for x in row) + "]"


def _zmat(rows: list[list[int]]) -> str:
    return "[" + ";\n    ".join(_zlist(r) for r in rows) + "]"


def _natlist(row: list[int]) -> str:
    return "[" + ";".join(f"{int(x)}%nat" for x in row) + "]"


def _natmat(rows: list[list[int]]) -> str:
    return "[" + ";\n    ".join(_natlist(r) for r in rows) + "]"


def coq_ident(stem: str) -> str:
    """A valid Coq file/module name derived from `stem`."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    if not name or not name[0].isalpha():
        name = "Cert_" + name
    return name


def render_coq(cert_path: str | Path, model_path: str | Path, print_assumptions: bool = True) -> str:
    """Return the text of the Coq certificate file, rendered by the certificate's family
    (raises ValueError on a model mismatch or a family/strategy without a Coq export)."""
    from pybridge import families

    cert_path = Path(cert_path)
    cert = read_certificate(cert_path)
    fam = families.get(cert.family)
    if fam.render_coq is None:
        raise ValueError(f"the Coq export does not cover the family {cert.family!r}")
    return fam.render_coq(cert_path, cert, model_path, print_assumptions)


def prepare_export(cert_path: Path, model_path: Path, out_dir: Path) -> Path:
    """The certificate the exporters render: the family's rewrite of it (e.g. subcubic -> cubic-count), if any."""
    from pybridge import families

    fam = families.get(read_certificate(cert_path).family)
    return fam.prepare_export(cert_path, model_path, out_dir) if fam.prepare_export else cert_path


def export_coq(cert_path: str | Path, model_path: str | Path, out_dir: str | Path) -> Path:
    """Write `<out_dir>/<CertName>.v` for the certificate and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cert_path = prepare_export(Path(cert_path), Path(model_path), out_dir)
    text = render_coq(cert_path, model_path)
    out = out_dir / (coq_ident(Path(cert_path).stem) + ".v")
    tmp = out.with_suffix(".v.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


def build_library(timeout: float = 1800) -> None:
    """Compile coq/theories (idempotent) with the Makefile in coq/."""
    subprocess.run(["make", "-C", str(COQ_DIR)], check=True, capture_output=True, timeout=timeout)


def run_coqc(v_path: str | Path, timeout: float = 7200) -> tuple[bool, float, str]:
    """Compile a generated certificate file; return (ok, seconds, combined output)."""
    if shutil.which("coqc") is None:
        return False, 0.0, "coqc not found"
    try:
        build_library()
    except subprocess.CalledProcessError as e:
        return False, 0.0, "building coq/theories failed:\n" + e.stdout.decode() + e.stderr.decode()
    v_path = Path(v_path)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(
            ["coqc", "-q", "-R", str(THEORIES), "Pybridge", "-w", "-abstract-large-number", v_path.name],
            cwd=str(v_path.parent),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return False, time.perf_counter() - t0, f"coqc timed out after {timeout} s"
    return p.returncode == 0, time.perf_counter() - t0, p.stdout + p.stderr
