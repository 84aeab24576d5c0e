"""Issue 15: the Lean mirror of the bias/LayerNorm Max-of-k brute force (Proofs/TL/, template
lean_maxofk_tl.lean.j2).

There is no Lean toolchain here: nothing is compiled. These tests check what can be checked without one:
- the exported file holds only integers and fixed identifiers, and those integers are the model's;
- the statement (`accuracy`, `check_ok`) is the fixed text of the template;
- a line-by-line Python transcription of `check_bf_tl` (Proofs/TL/BruteForceTL.lean, with the definitions it
  uses from Proofs/TL/IntervalTL.lean and Proofs/ExpBounds.lean; pybridge/families/maxofk/lean_tl.py), run on
  the integers parsed back from the exported file, accepts exactly the Python checker's N and rejects N + 1, on the tiny models of
  tests/test_coq_maxofk_tl.py, on random models (also against the exact reference count) and on the shipped
  LayerNorm certificate;
- the statement itself: a line-by-line Python transcription of SpecTL.lean's semantics (g = 1/sqrt), run on the
  exported integers, gives tests/reference.py's logits on every input, and detects a deliberately wrong variant;
- compact strategies of bias/LN models are refused in one line;
- the Lean files reference only names that exist (imports, `ExpField.*`, the template's `Pybridge.TL.*`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pybridge.check.certificate import read_certificate
from pybridge.check.maxofk.weights import load_maxofk
from pybridge.export.lean import export_lean
from pybridge.families.maxofk.brute_force import prove_brute_force
from pybridge.families.maxofk.common import load_model, write_json_atomic
from pybridge.families.maxofk.export import render_lean
from pybridge.families.maxofk.lean_tl import check_bf_tl
from reference import reference_counts, write_model

ROOT = Path(__file__).resolve().parents[1]
TL = ROOT / "Proofs" / "TL"
TEMPLATE = ROOT / "pybridge" / "export" / "templates" / "lean_maxofk_tl.lean.j2"
PARAMS = {"fixed_bits": 48, "exp_squarings": 24}


# ------------------------------------------------------------------ parsing the exported file

def _ints(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"\(?(-?\d+)\)?", text)]


def _rows(c: int, r: int, flat: list[int]) -> list[list[int]]:  # Pybridge.rows c r flat
    return [flat[i * c:(i + 1) * c] for i in range(r)]


def parse_export(src: str) -> tuple[dict, int, int, int]:
    """The TLModel, F, k and N of an exported file (read back from its text)."""
    flats = {m.group(1): _ints(m.group(2)) for m in re.finditer(r"^def (\w+)_flat : List Int := \[(.*)\]$", src, re.M)}
    head = re.search(r"\{ V := (\d+), n := (\d+), d := (\d+), h := (\d+), s := (\d+),", src)
    V, n, d, h, s = (int(x) for x in head.groups())
    M = {"V": V, "n": n, "d": d, "h": h, "s": s}
    for name, c, r in [("E", d, V), ("Pos", d, n), ("WQ", h, d), ("WK", h, d), ("WV", h, d), ("WO", d, h),
                       ("WU", V, d)]:
        m = re.search(rf"{name} := Pybridge\.rows (\d+) (\d+) {name}_flat", src)
        assert (int(m.group(1)), int(m.group(2))) == (c, r)
        M[name] = _rows(c, r, flats[name])
    for name in ["bQ", "bK", "bV", "bO", "bU", "ln1w", "ln1b", "lnfw", "lnfb"]:
        assert re.search(rf"\b{name} := {name}_flat\b", src)
        M[name] = flats[name]
    M["ln"] = re.search(r"ln := (true|false),", src).group(1) == "true"
    M["epsNum"], M["epsDen"] = (int(x) for x in re.search(r"epsNum := (\d+), epsDen := (\d+) \}", src).groups())
    F, k, N = (int(x) for x in re.search(r"check_bf_tl model (\d+) (\d+) (\d+) = true", src).groups())
    return M, F, k, N


def _cert(tmp_path: Path, model: Path, params=PARAMS) -> Path:
    res = prove_brute_force(load_model(model), params)
    return write_json_atomic(res.certificate, tmp_path / "c.json")


def _export(tmp_path: Path, model: Path, cert: Path) -> str:
    return export_lean(cert, model, tmp_path / "lean").read_text(encoding="utf-8")


def _tiny(tmp_path: Path, **kw) -> Path:
    from test_coq_maxofk_tl import tl_tiny
    return tl_tiny(tmp_path / "m.safetensors", **kw)


TINY = [(4, "LN", True), (4, "LNPre", True), (4, None, True), (5, "LN", True), (3, "LN", False)]


@pytest.mark.parametrize("V,ln,biases", TINY)
def test_transcription_accepts_n_rejects_n_plus_one_tiny(tmp_path: Path, V, ln, biases) -> None:
    """The models of tests/test_coq_maxofk_tl.py: the Lean checker (transcribed) counts exactly the Python N."""
    model = _tiny(tmp_path, V=V, ln=ln, biases=biases)
    cert = _cert(tmp_path, model)
    M, F, k, N = parse_export(_export(tmp_path, model, cert))
    assert N == read_certificate(cert).correct_at_least
    assert check_bf_tl(M, F, k, N) == (True, N)
    assert not check_bf_tl(M, F, k, N + 1)[0]


@pytest.mark.parametrize("seed,ln,biases", [(0, "LN", True), (1, "LNPre", False), (2, None, True), (3, "LN", False)])
def test_transcription_matches_python_and_reference_random(tmp_path: Path, seed, ln, biases) -> None:
    """Random V=5 models, neither all correct nor all wrong: same N as the Python checker, and N is the exact
    count of the real model (tests/reference.py, mpmath) here."""
    model = write_model(tmp_path / "m.safetensors", 5, 2, 3, 3, seed=seed, biases=biases, ln=ln)
    cert = _cert(tmp_path, model)
    M, F, k, N = parse_export(_export(tmp_path, model, cert))
    correct, incorrect, ambiguous = reference_counts(model)
    assert 0 < N < 25 and ambiguous == 0
    assert check_bf_tl(M, F, k, N) == (True, N)
    assert N <= correct
    assert not check_bf_tl(M, F, k, N + 1)[0]


def test_transcription_shipped_layernorm_certificate(tmp_path: Path) -> None:
    """The shipped LayerNorm certificate (V=5, n=3): the exported file's check accepts its claim, rejects +1."""
    cert, model = ROOT / "certificates" / "maxofk-ln-v5-n3-random4.brute-force.json", \
        ROOT / "certificates" / "maxofk-ln-v5-n3-random4.safetensors"
    M, F, k, N = parse_export(_export(tmp_path, model, cert))
    assert N == read_certificate(cert).correct_at_least == 83
    ok, count = check_bf_tl(M, F, k, N)
    assert ok and count == N
    assert not check_bf_tl(M, F, k, N + 1)[0]


def test_transcription_rejects_tampered_integers(tmp_path: Path) -> None:
    """The check depends on the exported integers: zeroing W_U (every logit ties) or flipping it proves nothing."""
    model = _tiny(tmp_path, V=4, ln="LN", biases=True)
    M, F, k, N = parse_export(_export(tmp_path, model, _cert(tmp_path, model)))
    assert N == 16
    zero = dict(M, WU=[[0] * M["V"] for _ in range(M["d"])], bU=[0] * M["V"])
    assert check_bf_tl(zero, F, k, N) == (False, 0)
    flipped = dict(M, WU=[[-z for z in row] for row in M["WU"]])
    assert not check_bf_tl(flipped, F, k, N)[0]


def test_exported_integers_are_the_models(tmp_path: Path) -> None:
    model = _tiny(tmp_path, V=4, ln="LN", biases=True)
    cert = _cert(tmp_path, model)
    M, F, k, N = parse_export(_export(tmp_path, model, cert))
    X = load_maxofk(model)
    c = read_certificate(cert)
    assert (M["V"], M["n"], M["d"], M["h"], M["s"]) == (X.d_vocab, X.n_ctx, X.d_model, X.d_head, X.s)
    for name, attr in [("E", "E"), ("Pos", "P"), ("WQ", "WQ"), ("WK", "WK"), ("WV", "WV"), ("WO", "WO"), ("WU", "WU")]:
        assert M[name] == [[int(z) for z in row] for row in getattr(X, attr)], name
    for name, attr in [("bQ", "bQ"), ("bK", "bK"), ("bV", "bV"), ("bO", "bO"), ("bU", "bU"), ("ln1w", "ln1_w"),
                       ("ln1b", "ln1_b"), ("lnfw", "lnf_w"), ("lnfb", "lnf_b")]:
        assert M[name] == [int(z) for z in getattr(X, attr)], name
    assert M["ln"] and (M["epsNum"], M["epsDen"]) == (X.ln_eps.numerator, X.ln_eps.denominator)
    assert (F, k, N) == (max(c.fixed_bits, X.s), c.exp_squarings, c.correct_at_least)


def test_lnpre_exports_unit_weights(tmp_path: Path) -> None:
    model = _tiny(tmp_path, V=4, ln="LNPre", biases=True)
    M, *_ = parse_export(_export(tmp_path, model, _cert(tmp_path, model)))
    d, one = M["d"], 1 << M["s"]
    assert M["ln"] and M["ln1w"] == M["lnfw"] == [one] * d and M["ln1b"] == M["lnfb"] == [0] * d


def test_statement_fixed_and_file_is_integers_only(tmp_path: Path) -> None:
    """Outside the header comment the file is the template's fixed text plus integers: no input text."""
    model = _tiny(tmp_path, V=4, ln="LN", biases=True)
    src = _export(tmp_path, model, _cert(tmp_path, model))
    body = re.sub(r"/-.*?-/", "", src, flags=re.S)
    assert "sorry" not in body and "native_decide" not in body and "admit" not in body
    assert re.search(r"^theorem accuracy \{K : Type\} \[ExpField K\] \(g : K → K\) "
                     r"\(hg : Pybridge\.TL\.IsInvSqrtFn g\) :\n    Pybridge\.TL\.AccuracyAtLeast K g model 16 :=\n"
                     r"  Pybridge\.TL\.check_bf_tl_sound g hg model 48 24 16 check_ok$", body, re.M)
    assert re.search(r"^theorem check_ok : Pybridge\.TL\.check_bf_tl model 48 24 16 = true := by decide \+kernel$",
                     body, re.M)
    ns = re.search(r"^namespace Pybridge\.Certificates\.(Cert_[0-9a-f]{12}_tlbf)$", body, re.M).group(1)
    allowed = [r"import Proofs\.TL\.BruteForceTL", rf"namespace Pybridge\.Certificates\.{ns}",
               rf"end Pybridge\.Certificates\.{ns}", r"def \w+_flat : List Int := \[(\(?-?\d+\)?(, )?)*\]",
               r"def model : Pybridge\.TL\.TLModel :=", r"  \{ V := \d+, n := \d+, d := \d+, h := \d+, s := \d+,",
               r"    \w+ := Pybridge\.rows \d+ \d+ \w+_flat,",
               r"    bQ := bQ_flat, bK := bK_flat, bV := bV_flat, bO := bO_flat, bU := bU_flat,",
               r"    ln := (true|false),", r"    ln1w := ln1w_flat, ln1b := ln1b_flat, lnfw := lnfw_flat, lnfb := lnfb_flat,",
               r"    epsNum := \d+, epsDen := \d+ \}", r"set_option maxRecDepth 100000 in", r"set_option maxHeartbeats 0 in",
               r"theorem check_ok : .*", r"theorem accuracy .*", r"    Pybridge\.TL\.AccuracyAtLeast .*",
               r"  Pybridge\.TL\.check_bf_tl_sound .*"]
    for line in body.splitlines():
        if line.strip():
            assert any(re.fullmatch(a, line) for a in allowed), line


def test_no_model_metadata_reaches_the_file(tmp_path: Path) -> None:
    """Model metadata is never rendered (a hostile string in it does not appear in the Lean file)."""
    import numpy as np
    from safetensors.numpy import load_file, save_file
    from safetensors import safe_open

    model = _tiny(tmp_path, V=4, ln="LN", biases=True)
    with safe_open(str(model), framework="numpy") as f:
        meta = dict(f.metadata())
    evil = "x -/ theorem evil : False := sorry /-"
    meta["name"] = evil
    hostile = tmp_path / "hostile.safetensors"
    save_file({k: np.asarray(v) for k, v in load_file(str(model)).items()}, str(hostile), metadata=meta)
    (tmp_path / "h").mkdir()
    src = _export(tmp_path / "h", hostile, _cert(tmp_path / "h", hostile))
    assert evil not in src and "evil" not in src


def test_compact_strategy_of_bias_model_refused(tmp_path: Path) -> None:
    from pybridge.families.maxofk.cubic import prove_cubic

    model = _tiny(tmp_path, V=4, ln=None, biases=True)
    res = prove_cubic(load_model(model))
    cert = write_json_atomic(res.certificate, tmp_path / "cubic.json")
    with pytest.raises(ValueError, match=r"^Lean export of strategy 'cubic' for models with biases or LayerNorm "
                                         r"is not implemented"):
        render_lean(cert, read_certificate(cert), model)


def test_export_refuses_a_claim_the_lean_checker_does_not_prove(tmp_path: Path) -> None:
    """A claim above what the Lean checker proves (here N + 1 written into the certificate) is refused in one line."""
    import json

    model = _tiny(tmp_path, V=3, ln="LN", biases=False)
    cert = _cert(tmp_path, model)
    data = json.loads(cert.read_text())
    data["claim"]["correct_at_least"] += 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"^the Lean checker \(Proofs/TL/BruteForceTL\.lean\) proves 7 of the 8 "):
        render_lean(bad, read_certificate(bad), model)


def test_cli_export_lean(tmp_path: Path) -> None:
    """`pybridge export CERT --lean DIR` writes the TL file for a brute-force certificate of a LayerNorm model."""
    from pybridge.cli import main

    model = _tiny(tmp_path, V=4, ln="LN", biases=True)
    cert = _cert(tmp_path, model)
    rc = main(["export", str(cert), "--model", str(model), "--lean", str(tmp_path / "L")])
    files = list((tmp_path / "L").glob("Cert_*_tlbf.lean"))
    assert rc == 0 and len(files) == 1
    assert "Pybridge.TL.check_bf_tl_sound" in files[0].read_text()


# ------------------------------------------------------------------ the Lean sources (text checks, no toolchain)

def _lean(path: Path) -> str:
    text = re.sub(r"--.*", "", path.read_text(encoding="utf-8"))
    return re.sub(r"/-.*?-/", "", text, flags=re.S)


def test_tl_library_references_resolve() -> None:
    """Imports of Proofs/TL resolve and are acyclic; every `ExpField.x` is a class field or a Field.lean lemma;
    every `Pybridge.TL.x` the template uses is declared in Proofs/TL; no escape hatches."""
    files = {p.stem: _lean(p) for p in sorted(TL.glob("*.lean"))}
    # the brute-force library; another file (e.g. an Augment.lean for compact strategies) may sit beside it and
    # gets the same escape-hatch and import checks
    assert {"SpecTL", "InvSqrtTL", "IntervalTL", "EncTL", "BruteForceTL"} <= set(files)
    for name, text in files.items():
        for dep in re.findall(r"^import Proofs\.(\S+)", text, re.M):
            assert (ROOT / "Proofs" / (dep.replace(".", "/") + ".lean")).exists(), (name, dep)
        for bad in ("sorry", "admit", "native_decide", "unsafe", "implemented_by", "extern", "partial"):
            assert not re.search(rf"\b{bad}\b", text), (name, bad)
        assert not re.search(r"^\s*axiom\b", text, re.M), name
    order = ["SpecTL", "InvSqrtTL", "IntervalTL", "EncTL", "BruteForceTL"]
    order += sorted(set(files) - set(order))
    for i, name in enumerate(order):
        for dep in re.findall(r"^import Proofs\.TL\.(\w+)", files[name], re.M):
            assert dep in files and (order.index(dep) < i or name not in order[:5]), (name, dep)
    spec = (ROOT / "Proofs" / "Spec.lean").read_text(encoding="utf-8")
    field = (ROOT / "Proofs" / "Field.lean").read_text(encoding="utf-8")
    cls = re.search(r"class ExpField.*?\n\n", spec, re.S).group(0)
    known = set(re.findall(r"^  (\w+) :", cls, re.M)) | set(re.findall(r"^theorem (\w+)", field, re.M))
    for name, text in files.items():
        for used in set(re.findall(r"ExpField\.(\w+)", text)):
            assert used in known, (name, used)
    declared = set()
    for text in files.values():
        declared |= set(re.findall(r"^(?:def|theorem|structure|abbrev) (\w+)", text, re.M))
    for used in set(re.findall(r"Pybridge\.TL\.(\w+)", TEMPLATE.read_text(encoding="utf-8"))):
        assert used in declared, used
    assert "theorem check_bf_tl_sound (g : K → K) (hg : IsInvSqrtFn g) (M : TLModel) (F kk N : Nat)" in \
        files["BruteForceTL"]
    assert "def AccuracyAtLeast (K : Type) [ExpField K] (g : K → K) (M : TLModel) (N : Nat) : Prop" in files["SpecTL"]


# ------------------------------------------------------------------ the statement, executed (second review)
#
# A line-by-line Python transcription of the *semantics* of Proofs/TL/SpecTL.lean (not of the checker), at
# K = mpmath reals, g = 1/sqrt, exp = mpmath.exp, evaluated on the TLModel integers read back from the exported
# Lean file (so the template's `Pybridge.rows c r` orientation is part of what is tested). It must give the
# logits of the independent TransformerLens-semantics reference of tests/reference.py on every input: a
# transposed matrix, a wrong query position, a missing bias, eps inside the square root's wrong side or a sum
# over the wrong bound in SpecTL.lean would show up as a mismatch. `_spec_logits(..., mutate=...)` applies one
# such mistake on purpose, to show that the comparison can fail.

def _spec_logits(M: dict, t: list[int], mutate: str | None = None) -> list:
    """`[logit M g t j for j < V]` of SpecTL.lean, definition by definition (each cached on its integer
    arguments: same values, without the exponential re-evaluation of the nested definitions)."""
    from functools import lru_cache

    import mpmath

    def nth(i, lst, d):
        return lst[i] if i < len(lst) else d

    def Rsum(m, f):  # Rsum (m + 1) f = Rsum m f + f m
        acc = mpmath.mpf(0)
        for k in range(m):
            acc = acc + f(k)
        return acc

    V, n, d, h, s = M["V"], M["n"], M["d"], M["h"], M["s"]

    def g(u):  # IsInvSqrtFn g at K = R: g u = 1 / sqrt u (applied only to h >= 1 and var + eps, eps > 0)
        return 1 / mpmath.sqrt(u)

    def wt(z):
        return mpmath.mpf(z) * (1 / mpmath.mpf(2 ** s))

    def ent(A, a, b):
        return wt(nth(b, nth(a, A, []), 0)) if mutate != "transpose" else wt(nth(a, nth(b, A, []), 0))

    def vent(v, a):
        return wt(nth(a, v, 0))

    def vecmat(m, u, A, j):
        return Rsum(m, lambda k: u(k) * ent(A, k, j))

    eps = mpmath.mpf(M["epsNum"]) * (1 / mpmath.mpf(M["epsDen"]))

    def layernorm(u, w, b, k):
        mu = Rsum(d, u) * (1 / mpmath.mpf(d))
        var = Rsum(d, lambda l: (u(l) + -mu) * (u(l) + -mu)) * (1 / mpmath.mpf(d))
        return (u(k) + -mu) * g(var + eps) * vent(w, k) + vent(b, k)

    @lru_cache(maxsize=None)
    def x(i, k):
        return ent(M["E"], nth(i, t, 0), k) + ent(M["Pos"], i, k)

    @lru_cache(maxsize=None)
    def y_(i, k):
        return layernorm(lambda l: x(i, l), M["ln1w"], M["ln1b"], k) if M["ln"] else x(i, k)

    def y(i):
        return lambda k: y_(i, k)

    q_pos = 0 if mutate == "query0" else n - 1

    @lru_cache(maxsize=None)
    def qv(j):
        return vecmat(d, y(q_pos), M["WQ"], j) + vent(M["bQ"], j)

    @lru_cache(maxsize=None)
    def kv(i, j):
        return vecmat(d, y(i), M["WK"], j) + vent(M["bK"], j)

    @lru_cache(maxsize=None)
    def vv(i, j):
        return vecmat(d, y(i), M["WV"], j) + (0 if mutate == "no_bV" else vent(M["bV"], j))

    @lru_cache(maxsize=None)
    def score(i):
        return Rsum(h, lambda j: qv(j) * kv(i, j)) * g(mpmath.mpf(h))

    @lru_cache(maxsize=None)
    def attn(i):
        return mpmath.exp(score(i)) * (1 / Rsum(n, lambda l: mpmath.exp(score(l))))

    @lru_cache(maxsize=None)
    def zh(j):
        return Rsum(n, lambda i: attn(i) * vv(i, j))

    @lru_cache(maxsize=None)
    def resid(k):
        return x(n - 1, k) + vecmat(h, zh, M["WO"], k) + vent(M["bO"], k)

    @lru_cache(maxsize=None)
    def fin(k):
        return layernorm(resid, M["lnfw"], M["lnfb"], k) if M["ln"] else resid(k)

    return [vecmat(d, fin, M["WU"], j) + vent(M["bU"], j) for j in range(V)]


def _spec_correct(M: dict, t: list[int]) -> bool:  # SpecTL.correct: strict win of list_max t
    lg, m = _spec_logits(M, t), max(t)
    return all(lg[j] < lg[m] for j in range(M["V"]) if j != m)


SPEC_MODELS = [("tiny", 4, "LN", True), ("tiny", 4, "LNPre", True), ("tiny", 4, None, True),
               ("random", 0, "LN", True), ("random", 1, "LNPre", False), ("random", 2, None, True)]


@pytest.mark.parametrize("kind,arg,ln,biases", SPEC_MODELS)
def test_spec_transcription_is_the_reference_semantics(tmp_path: Path, kind, arg, ln, biases) -> None:
    """SpecTL.lean's semantics on the exported integers = tests/reference.py's logits (80 digits) on every input,
    so the exported claim `AccuracyAtLeast K g model N` is about the model the certificate names; its count of
    correct inputs is the reference's, and the certified N is at most that count."""
    import itertools

    import mpmath

    from reference import reference_logits

    if kind == "tiny":
        model = _tiny(tmp_path, V=arg, ln=ln, biases=biases)
    else:  # n = 3, so that "query = last position" differs from positions 0 and 1
        model = write_model(tmp_path / "m.safetensors", 4, 3, 3, 2, seed=arg, biases=biases, ln=ln)
    M, F, k, N = parse_export(_export(tmp_path, model, _cert(tmp_path, model)))
    inputs = [list(t) for t in itertools.product(range(M["V"]), repeat=M["n"])]
    mpmath.mp.dps = 80
    worst = max(abs(a - b) for t in inputs for a, b in zip(_spec_logits(M, t), reference_logits(model, t)))
    assert worst < mpmath.mpf(10) ** -60
    correct, _, ambiguous = reference_counts(model)
    assert ambiguous == 0 and sum(_spec_correct(M, t) for t in inputs) == correct >= N


@pytest.mark.parametrize("mutate", ["transpose", "query0", "no_bV"])
def test_spec_transcription_comparison_can_fail(tmp_path: Path, mutate) -> None:
    """The comparison above detects a transposed matrix, the query at position 0 instead of n - 1, and a dropped
    value bias (each applied on purpose to the transcription)."""
    import itertools

    import mpmath

    from reference import reference_logits

    model = write_model(tmp_path / "m.safetensors", 4, 3, 3, 3, seed=0, biases=True, ln="LN")
    M, *_ = parse_export(_export(tmp_path, model, _cert(tmp_path, model)))
    mpmath.mp.dps = 80
    worst = max(abs(a - b) for t in itertools.product(range(4), repeat=3)
                for a, b in zip(_spec_logits(M, list(t), mutate), reference_logits(model, list(t))))
    assert worst > mpmath.mpf(10) ** -6
