"""The family registry: `pybridge families`, `prove --list`, dispatch by the model file's family, the
Python API (path, loaded model, in-memory state dict), the quiet broken pipe, and the architecture
rules (the checker imports no prover code; no import cycles)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import pybridge
from pybridge import families
from reference import write_model

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "pybridge"


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *args], capture_output=True, text=True, timeout=300, **kw)


def test_families_command_lists_every_registered_family():
    r = run("families")
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert [row[0] for row in rows] == list(families.REGISTRY)
    assert all(len(row) == 2 and row[1].strip() for row in rows)
    j = json.loads(run("families", "--json").stdout)
    assert {f["family"] for f in j} == set(families.REGISTRY)


def test_prove_list_has_every_strategy_of_every_family():
    r = run("prove", "--list")
    assert r.returncode == 0, r.stderr
    listed = {(a, b) for a, b, _ in (line.split("\t") for line in r.stdout.splitlines())}
    expected = {(f.name, s.name) for f in families.all_families() for s in f.strategies}
    assert listed == expected
    assert ("groupop", "rho-set") in listed
    only = run("prove", "--list", "--family", "groupop").stdout.splitlines()
    assert only and all(line.startswith("groupop\t") for line in only)
    bad = run("prove", "--list", "--family", "nosuch")
    assert bad.returncode == 2 and "unknown model family" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_broken_pipe_is_quiet():
    p = subprocess.run(f"{sys.executable} -m pybridge.cli prove --list-variants | head -1", shell=True,
                       capture_output=True, text=True, timeout=120)
    assert p.stdout.count("\n") == 1
    assert "BrokenPipeError" not in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_prove_dispatches_on_the_model_family(tmp_path):
    m = write_model(tmp_path / "m.safetensors", 4, 2, 3, 3, seed=3)
    r = run("prove", str(m), "--strategy", "rho-set", "--out", str(tmp_path / "c.json"))
    assert r.returncode == 2 and "not available for maxofk" in r.stderr
    assert not (tmp_path / "c.json").exists()
    r = run("prove", str(m), "--strategy", "cubic", "--out", str(tmp_path / "c.json"), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["strategy"] == "cubic"
    notmodel = tmp_path / "x.json"
    notmodel.write_text('{"a": 1}')
    r = run("prove", str(notmodel), "--strategy", "cubic", "--out", str(tmp_path / "d.json"))
    assert r.returncode == 2 and "pybridge_family" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_api_on_a_path_matches_the_checker(tmp_path):
    m = write_model(tmp_path / "m.safetensors", 4, 3, 4, 4, seed=5)
    r = pybridge.prove(m, "brute-force")
    assert r.total == 4**3 and 0 <= r.correct_at_least <= r.total
    assert r.bound == r.correct_at_least / r.total
    assert r.certificate["family"] == "maxofk"
    cert = r.write(tmp_path / "out" / "bf.json")
    c = pybridge.check(cert)
    assert c.valid and c.correct_at_least == r.correct_at_least and c.total == r.total
    # the same certificate as a dict, with the model given explicitly
    d = json.loads(cert.read_text())
    assert pybridge.check(d, model=m).valid
    # a claim one above what the proof shows is rejected with a reason, or raises with strict=True
    d["claim"]["correct_at_least"] = r.correct_at_least + 1
    bad = pybridge.check(d, model=m)
    assert not bad.valid and "verified" in bad.reason
    with pytest.raises(pybridge.Rejected):
        pybridge.check(d, model=m, strict=True)
    with pytest.raises(pybridge.InputError):
        pybridge.check(tmp_path / "missing.json")


def test_api_on_a_loaded_model_and_on_a_state_dict(tmp_path):
    from safetensors.torch import load_file

    from pybridge.families.maxofk.common import load_model

    m = write_model(tmp_path / "m.safetensors", 5, 2, 4, 4, seed=9)
    loaded = load_model(m)
    r1 = pybridge.prove(loaded, "cubic")
    sd = {k: v.clone() for k, v in load_file(str(m)).items()}
    r2 = pybridge.prove(sd, "cubic")
    assert (r1.correct_at_least, r1.total) == (r2.correct_at_least, r2.total)
    assert r1.certificate["model_sha256"] == r2.certificate["model_sha256"]
    cert = r2.write(tmp_path / "sd" / "cubic.json")
    assert (tmp_path / "sd" / "cubic.model.safetensors").is_file()
    c = pybridge.check(cert)
    assert c.valid and c.correct_at_least == r2.correct_at_least
    with pytest.raises(pybridge.InputError):
        pybridge.prove({"embed.W_E": torch.zeros(2, 2)}, "cubic")
    with pytest.raises(pybridge.InputError):
        pybridge.prove(m, "no-such-strategy")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at module level?) for every import in a file."""
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            out.append((node.module, id(node) in top))
    return out


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_checker_imports_no_prover_code():
    allowed_third_party = {"numpy", "safetensors"}
    for f in (PKG / "check").rglob("*.py"):
        for mod, _ in _imports(f):
            root = mod.split(".")[0]
            if root == "pybridge":
                assert mod == "pybridge.check" or mod.startswith("pybridge.check."), f"{f} imports {mod}"
            else:
                assert root in allowed_third_party or root in sys.stdlib_module_names, f"{f} imports {mod}"


def test_no_import_cycles_at_module_level():
    graph: dict[str, set[str]] = {}
    mods = {_module(f): f for f in PKG.rglob("*.py")}
    for name, f in mods.items():
        deps = set()
        for mod, top in _imports(f):
            if top and mod in mods and mod != name:
                deps.add(mod)
        graph[name] = deps
    state: dict[str, int] = {}

    def visit(n: str, stack: list[str]) -> None:
        state[n] = 1
        for d in graph[n]:
            if state.get(d) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(d):] + [d]) if d in stack else d)
            if d not in state:
                visit(d, stack + [d])
        state[n] = 2

    for n in graph:
        if n not in state:
            visit(n, [n])


def test_check_registry_matches_family_registry():
    from pybridge.check.registry import CHECKERS, checker

    assert set(CHECKERS) == set(families.REGISTRY)
    for name in CHECKERS:
        mod = checker(name)
        assert callable(mod.parse) and callable(mod.verify) and mod.DESCRIPTION


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    """The README's Python API example runs as written and prints what its comments say."""
    import re

    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Python API\n\n```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.chdir(ROOT)
    exec(compile(block.replace("/tmp/pybridge-example", str(tmp_path)), "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    expected = [c.strip() for c in re.findall(r"print\(.*\)\s+#\s*(.*)", block)]
    assert out == expected
