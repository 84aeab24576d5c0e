"""Lean export of bilinear certificates (issue 13 item 4): brute-force and similarity rendered from the
template lean_bilinear.lean.j2 (data only: integers and fixed identifiers), other claims and deep models
refused with one line. No Lean toolchain exists here: the Lean checker's definitions (Proofs/Bilinear/Spec.lean,
Check.lean) are transcribed to Python below and run on the exported integers, so that a wrong export or a
wrong claim would show as a checker that returns false."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pybridge.check.bilinear.certificate import parse
from pybridge.check.bilinear.model import gram, load_bilinear, modadd_count
from pybridge.families import ProveRequest
from pybridge.families.bilinear.export import render_lean
from pybridge.families.bilinear.similarity import prove_brute_force, prove_two

from test_bilinear import rand_model, transform, write  # noqa: E402


def run(*args):
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *map(str, args)], capture_output=True, text=True, timeout=300)


def lean_models(text: str) -> dict:
    """The Model records of a rendered certificate, read back (Lean list literals are JSON once parentheses go)."""
    out = {}
    for m in re.finditer(r"def (model[AB]) : Model :=\s*\{ (.*?) \}\n", text, re.S):
        body = m.group(2)
        rec = {}
        for key in ("dIn", "hid", "dOut", "nOut", "s"):
            rec[key] = int(re.search(rf"\b{key} := (\d+)", body).group(1))
        rec["head"] = re.search(r"\bhead := (true|false)", body).group(1) == "true"
        for key in ("ZL", "ZR", "ZD", "ZU"):
            lit = re.search(rf"\b{key} := (\[.*?\]\]|\[\])", body, re.S).group(1)
            rec[key] = json.loads(lit.replace("(", "").replace(")", ""))
        out[m.group(1)] = rec
    return out


# ---- Python transcription of the Lean definitions (get/ent default 0, sumTo, dfold, symZ, tinnerZ)
def ent(A, r, c):
    return A[r][c] if r < len(A) and c < len(A[r]) else 0


def dfold(m, o, h):
    return sum(ent(m["ZU"], o, c) * ent(m["ZD"], c, h) for c in range(m["dOut"])) if m["head"] else ent(m["ZD"], o, h)


def symZ(m, o, i, j):
    return sum(dfold(m, o, h) * (ent(m["ZL"], h, i) * ent(m["ZR"], h, j) + ent(m["ZL"], h, j) * ent(m["ZR"], h, i))
               for h in range(m["hid"]))


def tinnerZ(A, B):
    return sum(symZ(A, o, i, j) * symZ(B, o, i, j) for o in range(A["nOut"]) for i in range(A["dIn"]) for j in range(A["dIn"]))


def checkSim(A, B, p, q):
    ab, aa, bb = tinnerZ(A, B), tinnerZ(A, A), tinnerZ(B, B)
    return A["dIn"] == B["dIn"] and A["nOut"] == B["nOut"] and 0 < q and 0 <= p and 0 <= ab and p * p * (aa * bb) <= q * q * (ab * ab)


def logitZ(m, P, a, b, o):
    def yZ(c):
        return sum(ent(m["ZD"], c, h) * (ent(m["ZL"], h, a) + ent(m["ZL"], h, P + b)) * (ent(m["ZR"], h, a) + ent(m["ZR"], h, P + b))
                   for h in range(m["hid"]))
    return sum(ent(m["ZU"], o, c) * yZ(c) for c in range(m["dOut"])) if m["head"] else yZ(o)


def count_correct(m, P):
    good = 0
    for a in range(P):
        for b in range(P):
            t = (a + b) % P
            good += all(c == t or logitZ(m, P, a, b, c) < logitZ(m, P, a, b, t) for c in range(P))
    return good


@pytest.fixture()
def pair(tmp_path):
    rng = np.random.default_rng(17)
    A = rand_model(rng, 6, 3, 3, 3)
    B = {k: (v + 0.1 * rng.standard_normal(v.shape)).astype(np.float32) for k, v in A.items()}
    return (write(tmp_path / "a.safetensors", A, task="modadd", p="3"), write(tmp_path / "b.safetensors", B, task="modadd", p="3"),
            write(tmp_path / "c.safetensors", transform(A, rng, 1), task="modadd", p="3"))


def _write_cert(tmp_path, res, name):
    res.certificate["model"]["file"] = "a.safetensors"
    p = tmp_path / name
    p.write_text(json.dumps(res.certificate))
    return p, parse(res.certificate)


def test_lean_similarity_export_is_accepted_by_the_transcribed_checker(tmp_path, pair):
    pa, pb, _ = pair
    c, cert = _write_cert(tmp_path, prove_two("similarity")(pa, ProveRequest(inputs=[pb])), "sim.json")
    ns, text = render_lean(c, cert, pa)
    assert re.fullmatch(r"Cert_[0-9a-f]{12}_bilinear_similarity", ns) and f"namespace Pybridge.Certificates.{ns}" in text
    v = cert.hints["value"]
    p, q = v.numerator, v.denominator
    assert f"theorem check_ok : checkSim modelA modelB {p} {q} = true := by decide +kernel" in text
    assert f"theorem cert_correct : similarAtLeast modelA modelB {p} {q} :=" in text
    assert "sim.json" not in text and "a.safetensors" not in text  # no input text in the proof file
    M = lean_models(text)
    A, B = load_bilinear(pa), load_bilinear(pb)
    assert tinnerZ(M["modelA"], M["modelB"]) == 2 * sum(gram(A, B))  # S = 2^(e+1) Bs: <S_A,S_B> = 2 I
    assert checkSim(M["modelA"], M["modelB"], p, q)
    assert not checkSim(M["modelA"], M["modelB"], p + 1, q)  # claim + 1 ulp of the 32-bit bracket


def test_lean_brute_force_export(tmp_path, pair):
    pa, _, _ = pair
    res = prove_brute_force(pa, ProveRequest())
    c, cert = _write_cert(tmp_path, res, "bf.json")
    ns, text = render_lean(c, cert, pa)
    N = res.correct
    assert f"theorem check_ok : check modelA 3 {N} = true := by decide +kernel" in text
    M = lean_models(text)["modelA"]
    assert count_correct(M, 3) == N == modadd_count(load_bilinear(pa))[0]


def test_lean_refuses_other_claims_and_deep_models(tmp_path, pair):
    pa, pb, pc = pair
    for strategy, other in (("equivalent", pc), ("distance", pb)):
        c, cert = _write_cert(tmp_path, prove_two(strategy)(pa, ProveRequest(inputs=[other])), f"{strategy}.json")
        with pytest.raises(ValueError, match="Lean"):
            render_lean(c, cert, pa)
    from test_bilinear_deep import rand_net
    from test_bilinear_deep import write as write_deep

    rng = np.random.default_rng(1)
    D = rand_net(rng, 2, [2, 2, 2], [2, 2], [False, False])
    pd = write_deep(tmp_path / "d.safetensors", D)
    res = prove_two("similarity")(pd, ProveRequest(inputs=[pd]))
    res.certificate["model"]["file"] = "d.safetensors"
    q = tmp_path / "deep.json"
    q.write_text(json.dumps(res.certificate))
    from pybridge.clikit import UsageError

    with pytest.raises(UsageError, match="layer"):
        render_lean(q, parse(res.certificate), pd)


def test_cli_export_lean(tmp_path, pair):
    from pybridge import families

    if families.get("bilinear").render_lean is None:
        pytest.skip("render_lean not registered in the bilinear Family yet")
    pa, pb, pc = pair
    c, _ = _write_cert(tmp_path, prove_two("similarity")(pa, ProveRequest(inputs=[pb])), "sim.json")
    r = run("export", c, "--lean", tmp_path / "lean", "--json")
    assert r.returncode == 0, r.stderr
    text = Path(json.loads(r.stdout)["lean"]).read_text()
    assert "theorem cert_correct : similarAtLeast modelA modelB" in text and "checkSim_sound modelA modelB" in text
    c, _ = _write_cert(tmp_path, prove_two("equivalent")(pa, ProveRequest(inputs=[pc])), "eq.json")
    r = run("export", c, "--lean", tmp_path / "lean")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Lean" in r.stderr
