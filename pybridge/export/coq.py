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
from pybridge.check.weights import load_maxofk

from . import template_env

GROUP_CTORS = {"S": "Sym", "A": "Alt", "C": "Cyc", "D": "Dih"}

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
    """Return the text of the Coq certificate file (raises ValueError on a model mismatch)."""
    cert_path = Path(cert_path)
    cert = read_certificate(cert_path)
    if cert.family == "groupop":
        return render_coq_groupop(cert_path, cert, model_path, print_assumptions)
    M = load_maxofk(model_path)
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
        cert_name=cert_path.name,
        strategy=cert.strategy,
        module={"cubic": "Cubic", "cubic-count": "Cubic CubicCount"}.get(cert.strategy, "BruteForce"),
        sha256=M.sha256,
        N=cert.correct_at_least,
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


def coq_group(name: str) -> str:
    """`S4` -> `Sym 4` (the constructor of GroupSpec.group); the name is validated by `group_table`."""
    from pybridge.check.groupop import group_table

    group_table(name)  # raises InputError for names the Python checker does not know
    return f"{GROUP_CTORS[name[0]]} {int(name[1:])}"


def render_coq_groupop(cert_path: Path, cert, model_path: str | Path, print_assumptions: bool = True) -> str:
    """The Coq file of a groupop brute-force certificate (template coq_groupop.v.j2)."""
    from pybridge.check.groupop import load_groupop

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
        from .grouprho_data import verified_coq_data

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
        cert_name=cert_path.name,
        sha256=M.sha256,
        N=cert.correct_at_least,
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


def export_coq(cert_path: str | Path, model_path: str | Path, out_dir: str | Path) -> Path:
    """Write `<out_dir>/<CertName>.v` for the certificate and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    from .subcubic_reduce import reduce_if_subcubic

    cert_path = reduce_if_subcubic(Path(cert_path), Path(model_path), out_dir)
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
