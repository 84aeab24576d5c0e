"""Coq re-check of function-family certificates (issue 14): a small certificate with sin is accepted by
coqc through Functions/Spec.v (only the standard real-number axioms), and tampered ones are rejected."""

from __future__ import annotations

import json
import re
import shutil
from fractions import Fraction as F
from pathlib import Path

import pytest

from pybridge.families.function.agree import agree, certificate

pytestmark = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed: run scripts/test.sh (coq libcoq-interval)")

ALLOWED_AXIOMS = {
    "ClassicalDedekindReals.sig_not_dec",
    "ClassicalDedekindReals.sig_forall_dec",
    "FunctionalExtensionality.functional_extensionality_dep",
    "Classical_Prop.classic",
}
SIN_F = "import math\ndef f(x):\n    return 3*math.sin(2*math.pi/7*(x - 1)) + 2\n"
SIN_G = "def g(x):\n    y = 2*np.pi/7*(x - 1)\n    return 3*np.sin(y) + 2.04\n"


def _axioms(output: str) -> set[str]:
    if "Closed under the global context" in output:
        return set()
    tail = output.split("Axioms:", 1)[1]
    return {line.split(" :")[0].strip() for line in tail.splitlines() if line and not line[0].isspace()}


@pytest.fixture(scope="module")
def sin_v(tmp_path_factory) -> Path:
    from pybridge.export.coq import export_coq

    d = tmp_path_factory.mktemp("coqfn")
    r = agree(SIN_F, SIN_G, F(1, 20), [(F(0), F(1, 2)), (F(3), F(13, 4))])
    assert r.agree is True
    c = d / "sin.json"
    c.write_text(json.dumps(certificate(SIN_F, SIN_G, r, 0.0)))
    return export_coq(c, c, d)


def test_coq_accepts_a_sin_certificate(sin_v):
    from pybridge.export.coq import run_coqc

    text = sin_v.read_text()
    assert "Theorem cert_correct : agree_on_domain f g eps domain." in text and "(sin " in text
    assert "math" not in text and "np." not in text  # no text from the certificate: integers and fixed names
    ok, secs, out = run_coqc(sin_v)
    assert ok, out
    assert _axioms(out) <= ALLOWED_AXIOMS, _axioms(out)


@pytest.mark.parametrize("old, new", [
    ("Definition eps : R := (1 / 20).", "Definition eps : R := (1 / 30)."),  # smaller eps: |f - g| = 0.04
    ("(51 / 25)).", "(53 / 25))."),  # g's bias changed
])
def test_coq_rejects_tampered(sin_v, old, new, tmp_path):
    from pybridge.export.coq import run_coqc

    text = sin_v.read_text()
    assert old in text
    bad = tmp_path / sin_v.name
    bad.write_text(text.replace(old, new, 1))
    ok, _, out = run_coqc(bad)
    assert not ok and "Error" in out


def test_export_refuses_discontinuous_functions(tmp_path):
    from pybridge.export.coq import export_coq

    f = "def f(x): return np.where(x > 0, 1, 0)"
    r = agree(f, f, F(0), [(F(-1), F(1))])
    c = tmp_path / "step.json"
    c.write_text(json.dumps(certificate(f, f, r, 0.0)))
    with pytest.raises(ValueError, match="continuous"):
        export_coq(c, c, tmp_path)


@pytest.mark.slow  # ~25 s of coqc; the sin certificate above already covers the export path
def test_verify_coq_strict_accepts_the_shipped_certificate():
    """`pybridge verify --coq`: Python check, coqc, then the exact statement and the axioms."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1] / "certificates"
    r = subprocess.run([sys.executable, "-m", "pybridge.cli", "verify", str(root / "function-sin.agree.json"), "--coq",
                        "--json"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    obj = json.loads(r.stdout)
    assert obj["coq"] is True and obj["statement_checked"] == "exact"
