"""Lean export of bilinear certificates (issue 13): brute-force, similarity, equivalent and distance (Frobenius
form) rendered from the template lean_bilinear.lean.j2 (data only: integers and fixed identifiers); spectral,
low-rank and deep models refused with one line. No Lean toolchain exists here: the Lean checker's definitions (Proofs/Bilinear/Spec.lean,
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

from pybridge.check import verify
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


def expo(m):
    return 4 * m["s"] if m["head"] else 3 * m["s"]


def checkEq(A, B, p, q):
    """Check.lean `checkEq`: shapes, signs, and q 2^(e_A) S_B = p 2^(e_B) S_A at every entry (materialised)."""
    if not (A["dIn"] == B["dIn"] and A["nOut"] == B["nOut"] and 0 < p and 0 < q):
        return False
    return all(q * 2 ** expo(A) * symZ(B, o, i, j) == p * 2 ** expo(B) * symZ(A, o, i, j)
               for o in range(A["nOut"]) for i in range(A["dIn"]) for j in range(A["dIn"]))


def frobZ(A, B, o):
    def diffZ(i, j):
        return 2 ** expo(B) * symZ(A, o, i, j) - 2 ** expo(A) * symZ(B, o, i, j)
    return sum(diffZ(i, j) * diffZ(i, j) for i in range(A["dIn"]) for j in range(A["dIn"]))


def checkDist(A, B, p, q):
    """Check.lean `checkDist`: shapes, signs, and q^2 ||N_o||^2 <= p^2 2^(2 (e_A + e_B + 1)) at every output."""
    if not (A["dIn"] == B["dIn"] and A["nOut"] == B["nOut"] and 0 <= p and 0 < q):
        return False
    return all(q * q * frobZ(A, B, o) <= p * p * 2 ** (2 * (expo(A) + expo(B) + 1)) for o in range(A["nOut"]))


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


def test_lean_equivalent_export_is_accepted_by_the_transcribed_checker(tmp_path, pair):
    pa, _, pc = pair
    c, cert = _write_cert(tmp_path, prove_two("equivalent")(pa, ProveRequest(inputs=[pc])), "eq.json")
    verify(c)
    ns, text = render_lean(c, cert, pa)
    assert re.fullmatch(r"Cert_[0-9a-f]{12}_bilinear_equivalent", ns)
    v = cert.hints["value"]
    p, q = v.numerator, v.denominator
    assert (p, q) == (2, 1)  # transform(A, rng, 1): the same function times 2
    assert f"theorem check_ok : checkEq modelA modelB {p} {q} = true := by decide +kernel" in text
    assert f"theorem cert_correct : equivalentTo modelA modelB {p} {q} :=" in text
    assert f"equivalent_form modelA modelB {p} {q} cert_correct x o ho" in text
    assert "eq.json" not in text and "safetensors" not in text
    M = lean_models(text)
    A, B = M["modelA"], M["modelB"]
    assert checkEq(A, B, p, q)
    for pp, qq in ((p + 1, q), (p, q + 1), (2 * p + 1, 2 * q), (-p, -q), (0, q)):
        assert not checkEq(A, B, pp, qq), (pp, qq)
    # the Lean statement's consequence, checked on random integer inputs: q 2^eA formZ_B = p 2^eB formZ_A, and
    # formZ = 2^(e+1) f(x) (the real function, evaluated exactly from the float weights)
    rng = np.random.default_rng(4)
    from fractions import Fraction

    from test_bilinear import evaluate

    from safetensors.numpy import load_file

    arrays_a = load_file(pa)
    for _ in range(3):
        x = [int(t) for t in rng.integers(-5, 6, size=A["dIn"])]
        fa = evaluate(arrays_a, [Fraction(t) for t in x])
        for o in range(A["nOut"]):
            fz = {n: sum(symZ(m, o, i, j) * x[i] * x[j] for i in range(m["dIn"]) for j in range(m["dIn"]))
                  for n, m in M.items()}
            assert q * 2 ** expo(A) * fz["modelB"] == p * 2 ** expo(B) * fz["modelA"]
            assert Fraction(fz["modelA"], 2 ** (expo(A) + 1)) == fa[o]
    # one weight of B changed by one integer unit: the exported data no longer pass
    B2 = json.loads(json.dumps(B))
    B2["ZL"][0][0] += 1
    assert not checkEq(A, B2, p, q)


def test_lean_distance_export_is_accepted_by_the_transcribed_checker(tmp_path, pair):
    pa, pb, _ = pair
    c, cert = _write_cert(tmp_path, prove_two("distance")(pa, ProveRequest(inputs=[pb])), "dist.json")
    r = verify(c)
    ns, text = render_lean(c, cert, pa)
    v = cert.hints["value"]
    p, q = v.numerator, v.denominator
    assert f"theorem check_ok : checkDist modelA modelB {p} {q} = true := by decide +kernel" in text
    assert f"theorem cert_correct : frobeniusWithin modelA modelB {p} {q} :=" in text
    assert "dist.json" not in text and "safetensors" not in text
    M = lean_models(text)
    A, B = M["modelA"], M["modelB"]
    from fractions import Fraction

    # the Lean integers are the checker's figures: max_o ||N_o||^2 / 4^(eA+eB+1) = its largest squared Frobenius distance
    worst = max(Fraction(frobZ(A, B, o), 4 ** (expo(A) + expo(B) + 1)) for o in range(A["nOut"]))
    assert worst == Fraction(r.details["max_frobenius_sq"].split("/")[0]) / int(r.details["max_frobenius_sq"].split("/")[1])
    assert worst <= v * v
    assert checkDist(A, B, p, q)
    assert not checkDist(A, B, p - 1, q)  # claim - 1 ulp of the prover's bracket
    assert not checkDist(A, B, -p, q) and not checkDist(A, B, p, 0)
    assert checkDist(A, A, 0, 1)  # a model is at distance 0 from itself


def test_lean_refuses_other_claims_and_deep_models(tmp_path, pair):
    pa, pb, _ = pair
    c, cert = _write_cert(tmp_path, prove_two("spectral")(pa, ProveRequest(inputs=[pb])), "spectral.json")
    with pytest.raises(ValueError, match="Lean"):
        render_lean(c, cert, pa)
    from test_bilinear_deep import rand_net
    from test_bilinear_deep import write as write_deep

    rng = np.random.default_rng(1)
    D = rand_net(rng, 2, [2, 2, 2], [2, 2], [False, False])
    pd = write_deep(tmp_path / "d.safetensors", D)
    for strategy in ("similarity", "equivalent", "distance"):
        res = prove_two(strategy)(pd, ProveRequest(inputs=[pd]))
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
    for strategy, other, thm in (("equivalent", pc, "equivalentTo"), ("distance", pb, "frobeniusWithin")):
        c, _ = _write_cert(tmp_path, prove_two(strategy)(pa, ProveRequest(inputs=[other])), f"{strategy}.json")
        r = run("export", c, "--lean", tmp_path / strategy, "--json")
        assert r.returncode == 0, r.stderr
        assert f"theorem cert_correct : {thm} modelA modelB" in Path(json.loads(r.stdout)["lean"]).read_text()
    c, _ = _write_cert(tmp_path, prove_two("spectral")(pa, ProveRequest(inputs=[pb])), "spectral.json")
    r = run("export", c, "--lean", tmp_path / "lean")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Lean" in r.stderr


def test_generated_names_are_defined_in_the_library(tmp_path, pair):
    """Every library name an exported bilinear certificate uses is declared in Proofs/Bilinear/*.lean (textual check:
    no toolchain here), and the library declares each soundness theorem the template instantiates."""
    lib = "\n".join(f.read_text() for f in (Path(__file__).resolve().parents[1] / "Proofs" / "Bilinear").glob("*.lean"))
    declared = set(re.findall(r"^(?:def|theorem|structure)\s+(\w+)", lib, re.M))
    pa, pb, pc = pair
    texts = []
    for strategy, other in (("similarity", pb), ("equivalent", pc), ("distance", pb)):
        c, cert = _write_cert(tmp_path, prove_two(strategy)(pa, ProveRequest(inputs=[other])), f"{strategy}.json")
        texts.append(render_lean(c, cert, pa)[1])
    c, cert = _write_cert(tmp_path, prove_brute_force(pa, ProveRequest()), "bf.json")
    texts.append(render_lean(c, cert, pa)[1])
    for text in texts:
        local = set(re.findall(r"^(?:def|theorem)\s+(\w+)", text, re.M))
        body = re.sub(r"/-.*?-/", "", text, flags=re.S)
        used = set(re.findall(r"\b(check\w*|equivalent\w*|similar\w*|frobenius\w*|accuracy\w*|expo|formZ|Model)\b", body))
        assert used - local <= declared, sorted(used - local - declared)
    for name in ("checkEq_sound", "checkDist_sound", "equivalent_form", "allB_seqN", "sumTo_mul", "sumTo_congr"):
        assert name in declared, name
