"""String functions (issue 14): the string subset of the description language (never executed), exhaustive
agreement up to a length over an alphabet, counterexample strings, certificates re-checked exhaustively."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybridge.check import Rejected, verify
from pybridge.check.errors import InputError
from pybridge.check.function.strings import ERROR, evaluate, parse_string_function
from pybridge.families.function.strings_agree import TooLarge, agree_strings, certificate


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("src, word", [
    ("def f(s): return __import__('os').system('touch /tmp/pwned_s14')", "call"),
    ("def f(s): return s.__class__", "attribute"),
    ("def f(s): return s.format(1)", "format"),
    ("def f(s): return (lambda t: t)(s)", "call"),
    ("def f(s): return f'{s}'", "JoinedStr"),
    ("def f(s):\n    for c in s:\n        pass\n    return s", "For"),
    ("def f(s): return ''.join(c for c in s)", "join"),
    ("def f(s): return eval(s)", "eval"),
    ("def f(s): return getattr(s, 'upper')()", "call"),
    ("import os\ndef f(s): return s", "top-level"),
    ("def f(s): return s * len(s)", "repeated"),
    ("def f(s): return s.translate({97: 'b'})", "maketrans"),
    ("def f(s): return 'caf\u00e9'", "ascii"),
])
def test_outside_the_string_language_is_refused_in_one_line(src, word, tmp_path):
    with pytest.raises(InputError) as e:
        parse_string_function(src)
    assert "\n" not in str(e.value) and word.lower() in str(e.value).lower(), str(e.value)
    (tmp_path / "ok.py").write_text("def f(s): return s\n")
    (tmp_path / "bad.py").write_text(src)
    r = run("agree", str(tmp_path / "ok.py"), str(tmp_path / "bad.py"), "--strings", "--alphabet", "ab", "--max-len", "2")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not Path("/tmp/pwned_s14").exists()


# the reference: each description as a plain Python lambda written here by hand (slow, obviously right)
CASES = [
    ("def f(s):\n    s = s.translate(str.maketrans('abc', 'cab'))\n    s = s[-3:]\n    return s + s",
     lambda s: (s.translate(str.maketrans("abc", "cab"))[-3:]) * 2),  # the form `find generate` writes
    ("def f(s): return s[::-1]", lambda s: s[::-1]),
    ("def f(s): return s.upper() + '!'", lambda s: s.upper() + "!"),
    ("def f(s):\n    t = s.replace('ab', 'X')\n    return t.swapcase()", lambda s: s.replace("ab", "X").swapcase()),
    ("def f(s): return s[1:] + s[:1] if len(s) > 2 else s.capitalize()", lambda s: s[1:] + s[:1] if len(s) > 2 else s.capitalize()),
    ("def f(s): return s.translate(str.maketrans('abc', 'bca'))", lambda s: s.translate(str.maketrans("abc", "bca"))),
    ("def f(s): return s.translate(str.maketrans({'a': 'AA', 'c': None}))", lambda s: s.translate(str.maketrans({"a": "AA", "c": None}))),
    ("def f(s): return str(len(s) * 2 + s.count('a'))", lambda s: str(len(s) * 2 + s.count("a"))),
    ("def f(s): return s[0]", lambda s: s[0] if s else ERROR),
    ("def f(s): return 'a' in s and s.startswith('b')", lambda s: int("a" in s and s.startswith("b"))),
    ("def f(s):\n    if s.isupper():\n        return s.lower()\n    return s[len(s) // 2:] * 2", lambda s: s.lower() if s.isupper() else s[len(s) // 2:] * 2),
]


@settings(max_examples=60, deadline=None)
@given(i=st.integers(0, len(CASES) - 1), s=st.text(alphabet="abcAB!", max_size=7))
def test_interpreter_matches_python(i, s):
    src, ref = CASES[i]
    assert evaluate(parse_string_function(src)[2], s) == ref(s)


def test_agree_certifies_and_refutes(tmp_path):
    f = "def f(s): return s[::-1].upper()"
    g = "def g(s): return s.upper()[::-1]"
    r = agree_strings(f, g, "abA", 5)
    assert r.agree and r.strings == 1 + 3 + 9 + 27 + 81 + 243
    p = tmp_path / "c.json"
    p.write_text(json.dumps(certificate(f, g, r)))
    res = verify(p)
    assert res.total == r.strings and "364 strings" in res.statement
    # a description that misses one case: the shortest counterexample
    r = agree_strings("def f(s): return s.replace('ab', 'ba')", "def g(s): return s[::-1] if len(s) == 2 else s", "ab", 4)
    assert not r.agree and r.counterexample == {"s": "ba", "f": "ba", "g": "ab"}


def _mut(p: Path, tmp: Path, fn) -> Path:
    d = json.loads(p.read_text())
    fn(d)
    out = tmp / "t.json"
    out.write_text(json.dumps(d))
    return out


def test_tampered_string_certificates(tmp_path):
    from pybridge.check.function import sha256_text

    f, g = "def f(s): return s.swapcase().swapcase()", "def g(s): return s"
    r = agree_strings(f, g, "aB", 4)
    p = tmp_path / "c.json"
    p.write_text(json.dumps(certificate(f, g, r)))
    assert verify(p).total == 31

    def g_wrong(d):
        d["hints"]["g"] = "def g(s): return s.lower()"
        d["hints"]["g_sha256"] = sha256_text(d["hints"]["g"])

    for fn, exc in [(lambda d: d["claim"].__setitem__("strings", 32), Rejected),
                    (lambda d: d["params"].__setitem__("max_len", 5), Rejected),
                    (g_wrong, Rejected),
                    (lambda d: d["hints"].__setitem__("g", "def g(s): return s + ''"), Rejected),
                    (lambda d: d["params"].__setitem__("alphabet", "aa"), InputError),
                    (lambda d: d["params"].__setitem__("alphabet", "a\n"), InputError),
                    (lambda d: d["params"].__setitem__("max_len", 10**6), InputError),
                    (lambda d: d["hints"].__setitem__("x", 1), InputError)]:
        with pytest.raises(exc):
            verify(_mut(p, tmp_path, fn))


def test_work_bound_comes_first(tmp_path):
    with pytest.raises(TooLarge):
        agree_strings("def f(s): return s", "def g(s): return s", "abcdefghijklmnopqrstuvwxyz", 12)
    # a certificate claiming a huge space is refused by the checker's bound before any enumeration
    d = certificate("def f(s): return s", "def g(s): return s", agree_strings("def f(s): return s", "def g(s): return s", "ab", 1))
    d["params"] = {"alphabet": "abcdefghijklmnopqrstuvwxyz", "max_len": 40}
    p = tmp_path / "big.json"
    p.write_text(json.dumps(d))
    r = run("check", str(p))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    # exponential string growth through locals is bounded statically
    src = "def f(s):\n    a = s + s\n" + "".join("    a = a + a\n" for _ in range(14)) + "    return a\n"
    with pytest.raises((TooLarge, InputError)):
        agree_strings(src, src, "ab", 3)


def test_cli_strings(tmp_path):
    (tmp_path / "f.py").write_text("def f(s): return s[::-1]\n")
    (tmp_path / "g.py").write_text("def g(s): return s if len(s) < 2 else s[-1] + s[1:-1][::-1] + s[0]\n")
    (tmp_path / "h.py").write_text("def g(s): return s if len(s) < 3 else s[-1] + s[1:-1] + s[0]\n")
    c = tmp_path / "c.json"
    r = run("agree", str(tmp_path / "f.py"), str(tmp_path / "g.py"), "--strings", "--alphabet", "xyz", "--max-len", "5",
            "--out", str(c), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["strings"] == 364
    assert run("check", str(c)).returncode == 0
    r = run("audit", str(c), "--model", str(tmp_path / "f.py"))
    assert r.returncode == 0 and "strings" in r.stdout, r.stderr
    r = run("agree", str(tmp_path / "f.py"), str(tmp_path / "h.py"), "--strings", "--alphabet", "xyz", "--max-len", "5", "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 1 and out["counterexample"] == {"s": "xy", "f": "yx", "g": "xy"}
    r = run("export", str(c), "--coq", str(tmp_path / "coq"))
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1
