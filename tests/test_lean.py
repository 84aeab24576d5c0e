"""Tests of the Lean export (pybridge/export/lean.py) and of the Lean sources in Proofs/.

No Lean toolchain is installed on the development machine: the `lake build` test skips there.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pybridge.check.maxofk.weights import canonical_sha256, load_maxofk
from pybridge.export.lean import LIBRARY_NAMES, export_lean

ROOT = Path(__file__).resolve().parents[1]
PROOFS = ROOT / "Proofs"


def _tiny_model(path: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import save_file

    V, n, d, h = 3, 2, 2, 1
    arrays = {
        "embed.W_E": np.array([[1.0, -0.5], [0.25, 2.0], [-1.5, 0.75]], dtype=np.float32),
        "pos_embed.W_pos": np.array([[0.5, 0.0], [-0.25, 1.0]], dtype=np.float32),
        "blocks.0.attn.W_Q": np.array([[[1.0], [0.5]]], dtype=np.float32),
        "blocks.0.attn.W_K": np.array([[[-0.5], [1.0]]], dtype=np.float32),
        "blocks.0.attn.W_V": np.array([[[0.125], [-1.0]]], dtype=np.float32),
        "blocks.0.attn.W_O": np.array([[[2.0, -0.375]]], dtype=np.float32),
        "unembed.W_U": np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.625]], dtype=np.float32),
    }
    meta = {"pybridge_family": "maxofk", "d_vocab": str(V), "n_ctx": str(n), "d_model": str(d), "d_head": str(h)}
    save_file(arrays, str(path), metadata=meta)
    return arrays


def _cert(path: Path, sha: str, strategy: str, hints: dict) -> None:
    cert = {
        "format": "pybridge-certificate",
        "version": 1,
        "family": "maxofk",
        "strategy": strategy,
        "model_sha256": sha,
        "model": {"d_vocab": 3, "n_ctx": 2, "d_model": 2, "d_head": 1},
        "params": {"fixed_bits": 32, "exp_squarings": 8},
        "claim": {"correct_at_least": 0, "total": 9},
        "hints": hints,
        "prover": {"note": "hand-written test certificate"},
    }
    path.write_text(json.dumps(cert))


def _lean_lists(src: str) -> dict[str, list[int]]:
    out = {}
    for name, body in re.findall(r"def (\w+_flat) : List Int := \[([^\]]*)\]", src):
        nums = [int(x.strip().strip("()")) for x in body.split(",") if x.strip()]
        out[name] = nums
    return out


@pytest.fixture()
def tiny(tmp_path: Path):
    model = tmp_path / "tiny.safetensors"
    arrays = _tiny_model(model)
    sha = canonical_sha256(arrays)
    return model, sha


def test_export_bruteforce_numbers_roundtrip(tiny, tmp_path: Path) -> None:
    model, sha = tiny
    cert = tmp_path / "cert.json"
    _cert(cert, sha, "brute-force", {})
    out = export_lean(cert, model, tmp_path / "out")
    src = out.read_text()
    M = load_maxofk(model)
    lists = _lean_lists(src)
    expect = {"E_flat": M.E, "Pos_flat": M.P, "WQ_flat": M.WQ, "WK_flat": M.WK, "WV_flat": M.WV,
              "WO_flat": M.WO, "WU_flat": M.WU}
    assert set(lists) == set(expect)
    for name, rows in expect.items():
        assert lists[name] == [z for row in rows for z in row], name
    assert f"s := {M.s}," in src
    assert "V := 3, n := 2, d := 2, h := 1" in src
    assert "check_bf model 32 8 0 = true := by decide +kernel" in src
    assert "AccuracyAtLeast K r model 0" in src
    assert "check_bf_sound model 32 8 0 r hr check_ok" in src
    assert out.name.startswith("Cert_") and out.suffix == ".lean"
    assert "sorry" not in src and "native_decide" not in src


def _lean_blocks(src: str) -> list[tuple[int, ...]]:
    body = re.search(r"def blocks : List block := \[([^\]]*)\]", src).group(1)
    return [tuple(int(x) for x in t.split(",")) for t in re.findall(r"\(([^)]*)\)", body)]


def test_export_cubic_blocks_sorted(tiny, tmp_path: Path) -> None:
    model, sha = tiny
    cert = tmp_path / "cert.json"
    _cert(cert, sha, "cubic", {"blocks": [[1, 2, 0, 0], [2, 2, 1, 3], [0, 1, 0, 0]]})
    src = export_lean(cert, model, tmp_path / "out").read_text()
    assert _lean_blocks(src) == [(0, 1, 0, 0), (1, 2, 0, 0), (2, 2, 1, 3)]
    assert "check_cubic model 32 8 blocks 0 = true := by decide +kernel" in src
    # the accuracy theorem is stated and proven from `check_cubic_sound` (CHECKING.md revision 3)
    assert "AccuracyAtLeast K r model 0" in src
    assert "check_cubic_sound model 32 8 blocks 0 r hr check_ok" in src
    M = load_maxofk(model)
    lists = _lean_lists(src)
    for name, rows in {"E_flat": M.E, "WU_flat": M.WU, "WQ_flat": M.WQ}.items():
        assert lists[name] == [z for row in rows for z in row], name
    assert "sorry" not in src and "native_decide" not in src


def test_export_cubic_rejects_what_the_python_checker_rejects(tiny, tmp_path: Path) -> None:
    from pybridge.check.errors import Rejected

    model, sha = tiny
    bad = {
        "duplicate key": [[0, 1, 0, 0], [0, 1, 0, 1]],
        "max must occur (q < m, N full)": [[0, 2, 1, 3]],
        "K not below m": [[1, 1, 0, 2]],
        "q > m": [[2, 1, 0, 0]],
    }
    for what, blocks in bad.items():
        cert = tmp_path / "bad.json"
        _cert(cert, sha, "cubic", {"blocks": blocks})
        with pytest.raises(Rejected):
            export_lean(cert, model, tmp_path / "out")
            raise AssertionError(what)


def test_export_cubic_matches_python_checker(tmp_path: Path) -> None:
    """A prover-made cubic certificate: the Lean file carries exactly the checker's data (P, k, N,
    the validated blocks in key order), and the Python checker accepts that claim."""
    from reference import write_model

    from pybridge.check.maxofk.cubic import count_cubic, validate_blocks
    from pybridge.check.maxofk.tables import exact_tables, weight_enclosures
    from pybridge.check.verify import verify
    from pybridge.families.maxofk.common import load_model, write_json_atomic
    from pybridge.families.maxofk.cubic import prove_cubic

    path = write_model(tmp_path / "m.safetensors", 5, 3, 4, 4, seed=7)
    res = prove_cubic(load_model(path))
    cert = write_json_atomic(res.certificate, tmp_path / "cubic.json")
    src = export_lean(cert, path, tmp_path / "out").read_text()
    c = json.loads(Path(cert).read_text())
    P, k, N = c["params"]["fixed_bits"], c["params"]["exp_squarings"], c["claim"]["correct_at_least"]
    assert f"check_cubic model {P} {k} blocks {N} = true := by decide +kernel" in src
    assert f"check_cubic_sound model {P} {k} blocks {N} r hr check_ok" in src
    M = load_maxofk(path)
    blocks = _lean_blocks(src)
    assert blocks == sorted(validate_blocks(c["hints"]["blocks"], M.d_vocab, M.n_ctx), key=lambda b: b[:3])
    keys = [b[:3] for b in blocks]
    assert keys == sorted(set(keys))  # strictly increasing, as `sorted_keys` requires
    T = exact_tables(M)
    W = weight_enclosures(M, T, P, k)
    count, _ = count_cubic(T, W, M.n_ctx, [list(b) for b in blocks])
    assert count >= N
    assert verify(cert, path).verified_correct >= N
    lists = _lean_lists(src)
    for name, attr in (("E_flat", "E"), ("Pos_flat", "P"), ("WO_flat", "WO")):
        assert lists[name] == [z for row in getattr(M, attr) for z in row], name


def _count_model(tmp_path: Path, n: int = 4) -> Path:
    """A small random model (V=5, d=h=4) with a context long enough for count blocks with c > 0."""
    from reference import write_model

    return write_model(tmp_path / "cc.safetensors", 5, n, 4, 4, seed=3)


def test_export_cubic_count_matches_python_checker(tmp_path: Path) -> None:
    """A prover-made cubic-count certificate: the Lean file carries exactly the checker's data (P, k,
    N, the validated count blocks in key order), the accuracy theorem is proven from
    `check_cubic_count_sound` and `decide +kernel`, and the Python checker accepts that claim."""
    from pybridge.check.maxofk.cubic_count import count_cubic_count, validate_count_blocks
    from pybridge.check.maxofk.tables import exact_tables, weight_enclosures
    from pybridge.check.verify import verify
    from pybridge.families.maxofk.common import load_model, write_json_atomic
    from pybridge.families.maxofk.cubic_count import prove_cubic_count

    path = _count_model(tmp_path)
    res = prove_cubic_count(load_model(path))
    cert = write_json_atomic(res.certificate, tmp_path / "cubic_count.json")
    out = export_lean(cert, path, tmp_path / "out")
    src = out.read_text()
    c = json.loads(Path(cert).read_text())
    assert c["strategy"] == "cubic-count"
    P, k, N = c["params"]["fixed_bits"], c["params"]["exp_squarings"], c["claim"]["correct_at_least"]
    assert "import Proofs.CubicCount" in src
    assert out.name.endswith("_cubiccount.lean")
    assert f"check_cubic_count model {P} {k} blocks {N} = true := by decide +kernel" in src
    assert f"AccuracyAtLeast K r model {N}" in src
    assert f"check_cubic_count_sound model {P} {k} blocks {N} r hr check_ok" in src
    M = load_maxofk(path)
    blocks = _lean_blocks(src)
    assert blocks == sorted(validate_count_blocks(c["hints"]["blocks"], M.d_vocab, M.n_ctx), key=lambda b: b[:3])
    assert any(b[2] > 0 for b in blocks)  # some block counts non-max positions
    keys = [b[:3] for b in blocks]
    assert keys == sorted(set(keys))  # strictly increasing, as `sorted_keys` requires
    T = exact_tables(M)
    W = weight_enclosures(M, T, P, k)
    count, _ = count_cubic_count(T, W, M.n_ctx, [list(b) for b in blocks])
    assert count >= N > 0
    assert verify(cert, path).verified_correct >= N
    lists = _lean_lists(src)
    expect = {"E_flat": M.E, "Pos_flat": M.P, "WQ_flat": M.WQ, "WK_flat": M.WK, "WV_flat": M.WV,
              "WO_flat": M.WO, "WU_flat": M.WU}
    assert set(lists) == set(expect)
    for name, rows in expect.items():
        assert lists[name] == [z for row in rows for z in row], name
    assert f"V := {M.d_vocab}, n := {M.n_ctx}, d := {M.d_model}, h := {M.d_head}, s := {M.s}," in src
    assert "sorry" not in src and "native_decide" not in src
    # every library identifier the file uses is defined in Proofs/
    defined = _defined_names()
    local = set(re.findall(r"^def (\w+)", src, re.M)) | set(re.findall(r"^theorem (\w+)", src, re.M))
    used = set(re.findall(r"\b(check_cubic_count_sound|check_cubic_count|rows|Model|AccuracyAtLeast|"
                          r"IsInvSqrt|ExpField|block)\b", src))
    assert {"check_cubic_count", "check_cubic_count_sound", "block"} <= used
    for name in used - local:
        assert name in defined, name
    assert (PROOFS / "CubicCount.lean").exists()


def test_export_cubic_count_rejects_what_the_python_checker_rejects(tiny, tmp_path: Path) -> None:
    from pybridge.check.errors import Rejected

    model, sha = tiny
    bad = {
        "duplicate key": [[0, 1, 1, 1], [0, 1, 1, 0]],
        "max must occur (q < m, c = n-1)": [[0, 2, 1, 3]],
        "c > n-1": [[2, 2, 2, 3]],
        "K not below m": [[1, 1, 0, 2]],
        "q > m": [[2, 1, 0, 0]],
    }
    for what, blocks in bad.items():
        cert = tmp_path / "bad.json"
        _cert(cert, sha, "cubic-count", {"blocks": blocks})
        with pytest.raises(Rejected):
            export_lean(cert, model, tmp_path / "out")
            raise AssertionError(what)
    cert = tmp_path / "ok.json"
    _cert(cert, sha, "cubic-count", {"blocks": [[2, 2, 1, 3], [0, 1, 0, 0], [1, 2, 0, 0]]})
    src = export_lean(cert, model, tmp_path / "out").read_text()
    assert _lean_blocks(src) == [(0, 1, 0, 0), (1, 2, 0, 0), (2, 2, 1, 3)]


def _defined_names() -> set[str]:
    names = set()
    pat = re.compile(r"^\s*(?:@\[[^\]]*\]\s*)?(?:protected\s+|private\s+|noncomputable\s+)*"
                     r"(?:def|theorem|abbrev|structure|class|inductive|lemma)\s+([\w.']+)", re.M)
    for f in PROOFS.rglob("*.lean"):
        if "Certificates" in f.parts:
            continue
        for name in pat.findall(f.read_text()):
            names.add(name.split(".")[-1])
            names.add(name)
    return names


def test_generated_identifiers_exist(tiny, tmp_path: Path) -> None:
    model, sha = tiny
    defined = _defined_names()
    for name in LIBRARY_NAMES:
        assert name in defined, name
    for strategy, hints in (("brute-force", {}), ("cubic", {"blocks": [[0, 1, 0, 0]]}),
                            ("cubic-count", {"blocks": [[0, 1, 0, 0], [2, 2, 1, 3]]})):
        cert = tmp_path / f"{strategy}.json"
        _cert(cert, sha, strategy, hints)
        src = export_lean(cert, model, tmp_path / strategy).read_text()
        local = set(re.findall(r"^def (\w+)", src, re.M)) | set(re.findall(r"^theorem (\w+)", src, re.M))
        used = set(re.findall(
            r"\b(check_bf_sound|check_bf|check_cubic_count_sound|check_cubic_count|check_cubic_sound|check_cubic|"
            r"rows|Model|AccuracyAtLeast|IsInvSqrt|ExpField|block)\b",
            src))
        for name in used - local:
            assert name in defined, name


def test_library_references_resolve() -> None:
    """Textual cross-reference checks (no toolchain here): every `import Proofs.X` names a file, the
    library's imports are acyclic, and every `ExpField.name` is a field of the class (Spec.lean) or
    a lemma of Field.lean."""
    files = {f.stem: f.read_text() for f in PROOFS.glob("*.lean")}
    imports = {name: re.findall(r"^import Proofs\.(\w+)", text, re.M) for name, text in files.items()}
    for name, deps in imports.items():
        for dep in deps:
            assert dep in files, (name, dep)
    done: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        assert name not in stack, stack + (name,)
        if name not in done:
            for dep in imports[name]:
                visit(dep, stack + (name,))
            done.add(name)

    for name in files:
        visit(name, ())
    template = (ROOT / "pybridge" / "export" / "templates" / "lean_certificate.lean.j2").read_text()
    assert "import Proofs.{{ import_module }}" in template
    cls = re.search(r"class ExpField.*?\n\n", files["Spec"], re.S).group(0)
    known = set(re.findall(r"^  (\w+) :", cls, re.M)) | set(re.findall(r"^theorem (\w+)", files["Field"], re.M))
    for name, text in files.items():
        for used in set(re.findall(r"ExpField\.(\w+)", text)):
            assert used in known, (name, used)


def test_library_has_no_escape_hatches() -> None:
    for f in PROOFS.rglob("*.lean"):
        text = re.sub(r"--.*", "", f.read_text())
        text = re.sub(r"/-.*?-/", "", text, flags=re.S)
        for bad in ("sorry", "native_decide", "admit"):
            assert not re.search(rf"\b{bad}\b", text), (f, bad)
        assert not re.search(r"^\s*axiom\b", text, re.M), f


def test_lake_build() -> None:
    if shutil.which("lake") is None:
        pytest.skip("lake not installed: Lean 4 toolchain unavailable on this machine")
    res = subprocess.run(["lake", "build"], cwd=ROOT, capture_output=True, text=True, timeout=3600)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


# ---------------------------------------------------------------- groupop (Proofs/Group*.lean)
GROUP_CERT = ROOT / "certificates" / "groupop-c6-e8-h16-seed0.brute-force.json"
GROUP_MODEL = ROOT / "certificates" / "groupop-c6-e8-h16-seed0.safetensors"


def test_export_groupop_numbers_roundtrip_and_names(tmp_path: Path) -> None:
    from pybridge.check.groupop.bruteforce import load_groupop
    from pybridge.export.lean import GROUP_LIBRARY_NAMES

    out = export_lean(GROUP_CERT, GROUP_MODEL, tmp_path / "out")
    src = out.read_text()
    M, _ = load_groupop(GROUP_MODEL)
    lists = {}
    for name, body in re.findall(r"def (\w+) : List Int := \[([^\]]*)\]", src):
        lists[name] = [int(x.strip().strip("()")) for x in body.split(",") if x.strip()]
    expect = {"EL_flat": M.EL, "ER_flat": M.ER, "WL_flat": M.WL, "WR_flat": M.WR, "WU_flat": M.WU}
    for name, rows in expect.items():
        assert lists[name] == [z for row in rows for z in row], name
    assert lists["bU_list"] == M.bU
    N = json.loads(GROUP_CERT.read_text())["claim"]["correct_at_least"]
    assert f"grp := .Cyc 6, d_embed := {M.d_embed}, d_hidden := {M.d_hidden}, s := {M.s}," in src
    assert f"EL := rows {M.d_embed} {M.order} EL_flat" in src and f"WU := rows {M.order} {M.d_hidden} WU_flat" in src
    assert f"check_group_bf model {N} = true := by decide +kernel" in src
    assert f"check_group_bf_sound model {N} check_ok" in src and f"GAccuracyAtLeast K model {N}" in src
    assert "import Proofs.GroupBruteForce" in src and out.name.endswith("_groupbf.lean")
    assert "sorry" not in src and "native_decide" not in src
    defined = _defined_names()
    for name in GROUP_LIBRARY_NAMES:
        assert name in defined, name
    local = set(re.findall(r"^def (\w+)", src, re.M)) | set(re.findall(r"^theorem (\w+)", src, re.M))
    used = set(re.findall(r"\b(check_group_bf_sound|check_group_bf|GAccuracyAtLeast|GModel|rows|ExpField)\b", src))
    assert {"check_group_bf", "check_group_bf_sound", "GModel", "GAccuracyAtLeast"} <= used
    for name in used - local:
        assert name in defined, name
    # every constructor named by the exporter exists in GroupSpec.lean
    spec = (PROOFS / "GroupSpec.lean").read_text()
    for ctor in ("Sym", "Alt", "Cyc", "Dih"):
        assert re.search(rf"^  \| {ctor} \(n : Nat\)", spec, re.M), ctor


def test_export_groupop_refuses_other_strategies(tmp_path: Path) -> None:
    from pybridge.families.groupop.export import render_lean as lean_source_groupop

    class Fake:
        strategy = "cubic"

    with pytest.raises(ValueError):
        lean_source_groupop(GROUP_CERT, Fake(), GROUP_MODEL)


def test_export_grouprho_names(tmp_path: Path) -> None:
    """A rho-set certificate of the synthetic C5 model (test_groupop_rho) exports to Lean with the hint
    record of grouprho_data and names defined in Proofs/GroupRho.lean."""
    from test_groupop_rho import write_rho_cert, write_synth

    from pybridge.check.certificate import read_certificate
    from pybridge.families.groupop.coq_data import load_coq_data
    from pybridge.export.lean import GROUP_RHO_LIBRARY_NAMES

    model = write_synth(tmp_path / "c5.safetensors", "C5", 2, 0.15, 0)
    cert = write_rho_cert(model, tmp_path / "c5.rho.json", max_rank_cost=10.0)
    out = export_lean(cert, model, tmp_path / "out")
    src = out.read_text()
    N = read_certificate(cert).correct_at_least
    assert out.name.endswith("_grouprho.lean") and "import Proofs.GroupRho" in src
    assert f"check_group_rho model {N} hints = true := by decide +kernel" in src
    assert f"check_group_rho_sound model {N} hints check_ok" in src
    D = load_coq_data(read_certificate(cert), model)[1]
    assert f"d1 := {D.d1}, d3 := {D.d3}," in src
    assert "rmax := [" + ", ".join(str(v) if v >= 0 else f"({v})" for v in D.rmax) + "]" in src
    defined = _defined_names()
    for name in GROUP_RHO_LIBRARY_NAMES:
        assert name in defined, name
    assert "sorry" not in src and "native_decide" not in src
