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


def sha256_hex(h: object) -> str:
    """`h` if it is 64 lowercase hex digits (the only form a hash may take in a proof file), else ValueError."""
    if not isinstance(h, str) or not re.fullmatch(r"[0-9a-f]{64}", h):
        raise ValueError("refusing to render a model hash that is not 64 lowercase hex digits")
    return h


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


def _coqc(v_path: Path, extra: list[str], timeout: float) -> subprocess.CompletedProcess | str:
    """Run coqc on `v_path` (in its folder) with the Pybridge library; a string on timeout."""
    try:
        return subprocess.run(
            ["coqc", "-q", "-R", str(THEORIES), "Pybridge", *extra, "-w", "-abstract-large-number", v_path.name],
            cwd=str(v_path.parent),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"coqc timed out after {timeout} s"


def run_coqc(v_path: str | Path, timeout: float = 7200) -> tuple[bool, float, str]:
    """Compile a generated certificate file; return (ok, seconds, combined output).
    This only reports coqc's exit code; `pybridge verify --coq` uses `verify_coq_strict` instead."""
    if shutil.which("coqc") is None:
        return False, 0.0, "coqc not found"
    try:
        build_library()
    except subprocess.CalledProcessError as e:
        return False, 0.0, "building coq/theories failed:\n" + e.stdout.decode() + e.stderr.decode()
    v_path = Path(v_path)
    t0 = time.perf_counter()
    p = _coqc(v_path, [], timeout)
    if isinstance(p, str):
        return False, time.perf_counter() - t0, p
    return p.returncode == 0, time.perf_counter() - t0, p.stdout + p.stderr


# ---------------------------------------------------------------- the strict check (issue 10)
# `pybridge verify --coq` compiles the certificate as the module `PybridgeCert.Cert` (a fixed name: nothing from
# the certificate's file name), then a second file written here, from fixed text only, that `Require`s it
# (without `Import`: no notation or tactic the certificate file might declare is active there) and prints
#   Check PybridgeCert.Cert.cert_correct.              (the statement, names printed unambiguously)
#   Print Assumptions PybridgeCert.Cert.cert_correct.  (the axioms)
# under `Set Printing All`. The output must be exactly the family's expected statement (Family.coq_expected),
# or, for families that declare none, `Cert.cert_correct` with any statement, followed by axioms all of which
# are in STANDARD_AXIOMS. The certificate file itself must print nothing but such axiom lists.
CERT_MODULE = "Cert"
CERT_LIBRARY = "PybridgeCert"
TRAILER = (
    f"Require {CERT_LIBRARY}.{CERT_MODULE}.\n"
    "Set Printing All.\n"
    f"Check {CERT_LIBRARY}.{CERT_MODULE}.cert_correct.\n"
    f"Print Assumptions {CERT_LIBRARY}.{CERT_MODULE}.cert_correct.\n"
)
# The axioms of Coq's classical real numbers (Reals), as `Print Assumptions` shows them under Printing All.
STANDARD_AXIOMS = frozenset({
    "ClassicalDedekindReals.sig_not_dec\n  : forall P : Prop, sumbool (not (not P)) (not P)",
    "ClassicalDedekindReals.sig_forall_dec\n  : forall (P : forall _ : nat, Prop)\n"
    "      (_ : forall n : nat, sumbool (P n) (not (P n))),\n"
    "    sumor (@sig nat (fun n : nat => not (P n))) (forall n : nat, P n)",
    "FunctionalExtensionality.functional_extensionality_dep\n"
    "  : forall (A : Type) (B : forall _ : A, Type) (f g : forall x : A, B x)\n"
    "      (_ : forall x : A, @eq (B x) (f x) (g x)), @eq (forall x : A, B x) f g",
    "Classical_Prop.classic : forall P : Prop, or P (not P)",
})
# Without Printing All (the certificate file's own optional Print Assumptions)
STANDARD_AXIOM_NAMES = frozenset(a.split("\n")[0].split(" :")[0] for a in STANDARD_AXIOMS)


def statement_text(spec_module: str, args: str = "Cert.cert_model Cert.cert_N") -> str:
    """The exact `Check` output of the trailer for `cert_correct : <Spec>.accuracy_at_least cert_model cert_N`."""
    return f"Cert.cert_correct\n     : {spec_module}.accuracy_at_least {args}\n"


def _entries(block: str) -> list[str]:
    """Split `Print Assumptions` output (after its `Axioms:` line) into one text per axiom."""
    out: list[str] = []
    for line in block.split("\n"):
        if line.startswith(" ") and out:
            out[-1] += "\n" + line
        elif line:
            out.append(line)
    return out


def _assumptions_ok(text: str, exact: bool) -> str | None:
    """None if `text` is `Closed under the global context` or `Axioms:` + standard axioms only; else the reason."""
    text = text.strip("\n")
    if text == "Closed under the global context":
        return None
    if not text.startswith("Axioms:\n"):
        return "Print Assumptions output is not an axiom list"
    for e in _entries(text[len("Axioms:\n"):]):
        ok = e in STANDARD_AXIOMS if exact else e.split("\n")[0].split(" :")[0] in STANDARD_AXIOM_NAMES
        if not ok:
            return f"unexpected assumption: {e.splitlines()[0][:120]}"
    return None


def _certificate_output_ok(out: str) -> str | None:
    """The certificate file may print only axiom lists of standard axioms (its optional Print Assumptions)."""
    out = out.strip("\n")
    if not out:
        return None
    parts = [p for p in ("\n" + out).split("\nAxioms:\n")]
    if parts[0].strip("\n") not in ("", "Closed under the global context"):
        return "the certificate file printed unexpected output"
    for p in parts[1:]:
        why = _assumptions_ok("Axioms:\n" + p, exact=False)
        if why:
            return why
    return None


def check_trailer_output(out: str, expected: str | None) -> str | None:
    """None if the trailer's output is the expected statement plus standard axioms; else a one-line reason."""
    head, sep, rest = out.partition("Axioms:\n")
    if not sep:
        head, sep, rest = out.partition("Closed under the global context")
        rest = "Closed under the global context" + rest if sep else rest
    else:
        rest = "Axioms:\n" + rest
    if not sep:
        return "coqc printed no Print Assumptions output"
    if expected is not None:
        if head != expected:
            got = " ".join(head.split())[:200]
            return f"Coq's statement of cert_correct differs from the expected one: {got}"
    elif not head.startswith("Cert.cert_correct\n     : "):
        return "Coq printed no statement for Cert.cert_correct"
    return _assumptions_ok(rest, exact=True)


def verify_coq_strict(cert_path: str | Path, model_path: str | Path, out_dir: str | Path,
                      expected: str | None, timeout: float = 7200) -> tuple[bool, float, str, Path]:
    """Export the certificate as `<out_dir>/Cert.v`, compile it and the fixed trailer, compare the output.

    Returns (ok, seconds, one-line reason or '', path of the .v file). The caller has run the Python
    checker first. `expected` is the family's exact statement text (see `statement_text`), or None."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    v = out_dir / f"{CERT_MODULE}.v"
    if shutil.which("coqc") is None:
        return False, 0.0, "coqc not found", v
    try:
        build_library()
    except subprocess.CalledProcessError:
        return False, 0.0, "building coq/theories failed", v
    cert_path = prepare_export(Path(cert_path), Path(model_path), out_dir)
    text = render_coq(cert_path, model_path, print_assumptions=False)
    cert = read_certificate(cert_path)
    m = re.search(r"^Definition cert_N : Z := (-?[0-9]+)\.$", text, re.M)
    if m and int(m.group(1)) != cert.correct_at_least:  # our own rendering; checked anyway
        return False, 0.0, "the generated file's cert_N differs from the certificate's claim", v
    v.write_text(text, encoding="utf-8")
    trailer = out_dir / "PybridgeTrailer.v"
    trailer.write_text(TRAILER, encoding="utf-8")
    lib = ["-Q", ".", CERT_LIBRARY]
    t0 = time.perf_counter()
    p = _coqc(v, lib, timeout)
    if isinstance(p, str):
        return False, time.perf_counter() - t0, p, v
    if p.returncode != 0:
        last = (p.stdout + p.stderr).strip().splitlines()
        return False, time.perf_counter() - t0, (last[-1] if last else "coqc failed"), v
    why = _certificate_output_ok(p.stdout)
    if why is None:
        q = _coqc(trailer, lib, max(60.0, timeout - (time.perf_counter() - t0)))
        if isinstance(q, str):
            why = q
        elif q.returncode != 0:
            why = "coqc rejected the statement check: " + ((q.stdout + q.stderr).strip().splitlines() or [""])[-1]
        else:
            why = check_trailer_output(q.stdout, expected)
    return why is None, time.perf_counter() - t0, why or "", v
