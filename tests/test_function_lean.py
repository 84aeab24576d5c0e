"""Lean export of function-family certificates (issue 14): `agree-strings` certificates rendered from the template
lean_function.lean.j2 into the string language of Proofs/Functions/Spec.lean; numeric `agree` certificates and
string constructs outside the Lean subset are refused with one line. No Lean toolchain exists here, so nothing is
compiled: the Lean definitions (Spec.lean `eval`, Check.lean `words`/`check`) are transcribed to Python below,
checked against the trusted checker's interpreter (pybridge/check/function/strings.py) on random functions of the
subset, and run on the data read back from exported files: they accept the exported claim and reject changed ones."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybridge.check.function import strings as S
from pybridge.families.function.export import LeanRefused, lean_sexpr, render_lean
from pybridge.families.function.strings_agree import agree_strings, certificate

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "Proofs" / "Functions"
SHIPPED = ROOT / "certificates" / "function-rot.agree-strings.json"

FIXED_WORDS = {
    "import", "Proofs.Functions.Check", "namespace", "Pybridge.Certificates", "open", "Pybridge.Functions", "def",
    "alphabet", "List", "Nat", "maxLen", "f", "g", "SExpr", "set_option", "maxRecDepth", "maxHeartbeats", "in",
    "theorem", "check_ok", "check", "by", "decide", "kernel", "cert_correct", "AgreeUpTo", "check_sound", "end",
    "some", "none", "SExpr.inp", "SExpr.lit", "SExpr.cat", "SExpr.rep", "SExpr.upper", "SExpr.lower",
    "SExpr.swapcase", "SExpr.capitalize", "SExpr.slice", "SExpr.rev", "SExpr.replace", "SExpr.translate",
    "true",
}


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pybridge.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


# ---------------------------------------------------------------- Python transcription of Spec.lean / Check.lean
def isLowerC(c):
    return 97 <= c <= 122


def isUpperC(c):
    return 65 <= c <= 90


def upC(c):
    return c - 32 if isLowerC(c) else c


def lowC(c):
    return c + 32 if isUpperC(c) else c


def swapC(c):
    return c - 32 if isLowerC(c) else (c + 32 if isUpperC(c) else c)


def capitalizeL(lst):
    return [] if not lst else [upC(lst[0])] + [lowC(c) for c in lst[1:]]


def repL(lst, n):
    return [] if n == 0 else lst + repL(lst, n - 1)


def everyK(k, lst, i):
    out = []
    for c in lst:  # the recursion of everyK, unrolled: position i, i + 1, ...
        if i % k == 0:
            out.append(c)
        i += 1
    return out


def to_nat(z):
    return z if z > 0 else 0


def normIdx(n, a):
    return to_nat(n + a) if a < 0 else min(to_nat(a), n)


def sliceL(lst, i, j, k):
    start = 0 if i is None else normIdx(len(lst), i)
    stop = len(lst) if j is None else normIdx(len(lst), j)
    return everyK(k, lst[start:][:max(0, stop - start)], 0)


def isPre(p, lst):
    if not p:
        return True
    if not lst:
        return False
    return p[0] == lst[0] and isPre(p[1:], lst[1:])


def replAux(p, r, fuel, lst):
    if fuel == 0:
        return lst
    if not lst:
        return []
    if isPre(p, lst):
        return r + replAux(p, r, fuel - 1, lst[len(p):])
    return [lst[0]] + replAux(p, r, fuel - 1, lst[1:])


def lookupT(c, tab):
    for d, v in tab:
        if c == d:
            return ("some", v)
    return None


def translateL(tab, lst):
    out = []
    for c in lst:
        e = lookupT(c, tab)
        out += [c] if e is None else ([] if e[1] is None else e[1])
    return out


def ev(s, e):
    k = e[0]
    if k == "inp":
        return s
    if k == "lit":
        return list(e[1])
    if k == "cat":
        return ev(s, e[1]) + ev(s, e[2])
    if k == "rep":
        return repL(ev(s, e[1]), e[2])
    if k == "upper":
        return [upC(c) for c in ev(s, e[1])]
    if k == "lower":
        return [lowC(c) for c in ev(s, e[1])]
    if k == "swapcase":
        return [swapC(c) for c in ev(s, e[1])]
    if k == "capitalize":
        return capitalizeL(ev(s, e[1]))
    if k == "slice":
        return sliceL(ev(s, e[1]), e[2], e[3], e[4])
    if k == "rev":
        return ev(s, e[1])[::-1]
    if k == "replace":
        v = ev(s, e[1])
        return replAux(e[2], e[3], len(v), v)
    if k == "translate":
        return translateL(e[2], ev(s, e[1]))
    raise AssertionError(k)


def words(A, n):
    """Check.lean `words`: words A 0 = [[]], words A (n+1) = extendAll (words A n) A."""
    if n == 0:
        return [[]]
    ws = words(A, n - 1)
    return [[c] + w for c in A for w in ws]


def lean_check(A, L, f, g):
    """Check.lean `check A L f g` = checkUpTo: every word of every length 0..L."""
    return all(ev(w, f) == ev(w, g) for n in range(L + 1) for w in words(A, n))


# ---------------------------------------------------------------- reading an exported file back
TOKEN = re.compile(r"\s*(\(|\)|\[|\]|,|-?\d+|[A-Za-z_][\w.]*)")


def tokens(text: str) -> list[str]:
    out, i = [], 0
    text = text.strip()
    while i < len(text):
        m = TOKEN.match(text, i)
        assert m, f"unexpected text at {text[i:i + 20]!r}"
        out.append(m.group(1))
        i = m.end()
    return out


class Reader:
    def __init__(self, toks):
        self.t, self.i = toks, 0

    def take(self, want=None):
        tok = self.t[self.i]
        self.i += 1
        assert want is None or tok == want, (tok, want)
        return tok

    def peek(self):
        return self.t[self.i]

    def nat(self):
        tok = self.take()
        assert tok.isdigit(), tok
        return int(tok)

    def int_(self):
        if self.peek() == "(":
            self.take("(")
            v = int(self.take())
            self.take(")")
            return v
        return self.nat()

    def nats(self):
        self.take("[")
        out = []
        while self.peek() != "]":
            out.append(self.nat())
            if self.peek() == ",":
                self.take(",")
        self.take("]")
        return out

    def opt(self):
        if self.peek() == "none":
            self.take()
            return None
        self.take("(")
        self.take("some")
        v = self.int_()
        self.take(")")
        return v

    def table(self):
        self.take("[")
        out = []
        while self.peek() != "]":
            self.take("(")
            c = self.nat()
            self.take(",")
            if self.peek() == "none":
                self.take()
                v = None
            else:
                self.take("some")
                v = self.nats()
            self.take(")")
            out.append((c, v))
            if self.peek() == ",":
                self.take(",")
        self.take("]")
        return out

    def term(self):
        if self.peek() == "SExpr.inp":
            self.take()
            return ("inp",)
        self.take("(")
        c = self.take()[len("SExpr."):]
        if c == "lit":
            out = ("lit", self.nats())
        elif c == "cat":
            out = ("cat", self.term(), self.term())
        elif c == "rep":
            out = ("rep", self.term(), self.nat())
        elif c in ("upper", "lower", "swapcase", "capitalize", "rev"):
            out = (c, self.term())
        elif c == "slice":
            out = ("slice", self.term(), self.opt(), self.opt(), self.nat())
        elif c == "replace":
            out = ("replace", self.term(), self.nats(), self.nats())
        elif c == "translate":
            out = ("translate", self.term(), self.table())
        else:
            raise AssertionError(c)
        self.take(")")
        return out


def read_term(text: str):
    r = Reader(tokens(text))
    out = r.term()
    assert r.i == len(r.t)
    return out


def read_export(text: str) -> dict:
    out = {}
    out["A"] = Reader(tokens(re.search(r"def alphabet : List Nat := (.*)\n", text).group(1))).nats()
    out["L"] = int(re.search(r"def maxLen : Nat := (\d+)\n", text).group(1))
    out["f"] = read_term(re.search(r"def f : SExpr := (.*)\n", text).group(1))
    out["g"] = read_term(re.search(r"def g : SExpr := (.*)\n", text).group(1))
    return out


def body(text: str) -> str:
    assert text.startswith("/-\nGenerated by pybridge.export.lean")
    return text[text.index("-/\n") + 3:]


def export_pair(tmp_path: Path, f_src: str, g_src: str, alphabet: str, L: int, name: str = "c") -> tuple[Path, str]:
    r = agree_strings(f_src, g_src, alphabet, L)
    assert r.agree, r.counterexample
    cert = certificate(f_src, g_src, r)
    p = tmp_path / f"{name}.json"
    p.write_text(json.dumps(cert))
    from pybridge.check.certificate import read_certificate

    return p, render_lean(p, read_certificate(p), None)[1]


# ---------------------------------------------------------------- tests
def test_shipped_certificate_exports_and_the_transcribed_checker_accepts_it(tmp_path):
    r = run("export", SHIPPED, "--lean", tmp_path)
    assert r.returncode == 0, r.stderr
    (out,) = tmp_path.glob("*.lean")
    text = out.read_text()
    d = read_export(text)
    cert = json.loads(SHIPPED.read_text())
    assert d["A"] == [ord(c) for c in cert["params"]["alphabet"]] and d["L"] == cert["params"]["max_len"]
    assert lean_check(d["A"], d["L"], d["f"], d["g"])
    # the terms mean what the checker's interpreter computes, on every string of the claim
    _, _, f = S.parse_string_function(cert["hints"]["f"])
    for s in S.all_strings(cert["params"]["alphabet"], d["L"]):
        assert ev([ord(c) for c in s], d["f"]) == [ord(c) for c in S.evaluate(f, s)]
    # a changed g is rejected
    assert not lean_check(d["A"], d["L"], d["f"], ("upper", ("inp",)))


def test_exported_file_holds_only_numbers_fixed_words_and_the_fixed_statement(tmp_path):
    f_src = "def f(s):\n    s = s.replace('ab', '-/\"x')\n    return s[1:-1:2] + 'z' * 2\n"
    g_src = "def g(s):\n    t = s.replace('ab', '-/\"x')\n    return t[1:-1][::2] + 'zz'\n"
    _, text = export_pair(tmp_path, f_src, g_src, "ab", 5)
    b = body(text)
    ns = re.search(r"namespace Pybridge\.Certificates\.(\w+)\n", b).group(1)
    assert re.fullmatch(r"Cert_[0-9a-f]{12}_function_agree_strings", ns)
    doc = "/-- f s = g s for every string s over the alphabet with length s <= maxLen. -/\n"
    assert b.count(doc) == 1 and b.count("/-") == 1  # the one fixed docstring, no other comment
    words_used = set(re.findall(r"[A-Za-z_][\w.]*", b.replace(doc, "").replace("." + ns, "")))
    assert words_used <= FIXED_WORDS, words_used - FIXED_WORDS
    assert '"' not in b and "'" not in b  # the literal's quote and comment characters appear as code points only
    assert "theorem check_ok : check alphabet maxLen f g = true := by decide +kernel\n" in b
    assert "theorem cert_correct : AgreeUpTo alphabet maxLen f g :=\n  check_sound alphabet maxLen f g check_ok\n" in b
    d = read_export(text)
    assert [45, 47, 34, 120] in [e[3] for e in _walk(d["f"]) if e[0] == "replace"]
    assert lean_check(d["A"], d["L"], d["f"], d["g"])


def _walk(e):
    yield e
    for c in e[1:]:
        if isinstance(c, tuple) and c and isinstance(c[0], str):
            yield from _walk(c)


def test_claim_plus_one_and_changed_data_are_rejected(tmp_path):
    """f = s[:3] and g = s agree up to length 3 only: the exported claim (L = 3) is accepted by the transcribed
    Lean checker, L = 4, a changed alphabet or a changed literal are rejected."""
    _, text = export_pair(tmp_path, "def f(s): return s[:3] + 'q'\n", "def g(s): return s + 'q'\n", "xy", 3)
    d = read_export(text)
    assert d["L"] == 3 and lean_check(d["A"], 3, d["f"], d["g"])
    assert not lean_check(d["A"], 4, d["f"], d["g"])
    assert not lean_check(d["A"] + [ord("z")], 5, d["f"], d["g"])
    g2 = ("cat", ("inp",), ("lit", [ord("r")]))
    assert not lean_check(d["A"], 3, d["f"], g2)


def test_numeric_certificate_refused_in_one_line(tmp_path):
    r = run("export", ROOT / "certificates" / "function-sin.agree.json", "--lean", tmp_path)
    assert r.returncode == 2
    err = r.stderr.strip()
    assert "\n" not in err and "re-checked by Coq" in err and "reals" in err
    assert not list(tmp_path.glob("*.lean"))


@pytest.mark.parametrize("src,word", [
    ("def f(s): return s[0] if len(s) > 0 else ''", "conditional"),
    ("def f(s): return s.title()", "title"),
    ("def f(s): return s[::-2]", "negative slice step"),
    ("def f(s): return s.replace(s[:1], 'a')", "not literals"),
    ("def f(s): return s.replace('', 'a')", "empty pattern"),
    ("def f(s): return str(len(s))", "str()"),
    ("def f(s): return s[len(s) - 2:]", "slice bound"),
])
def test_outside_the_lean_subset_refused_in_one_line(src, word, tmp_path):
    r = agree_strings(src, src, "ab", 3)
    p = tmp_path / "c.json"
    (tmp_path / "f.py").write_text(src)
    doc = certificate(src, src, r)
    doc["model"]["file"] = "f.py"
    p.write_text(json.dumps(doc))
    out = run("export", p, "--lean", tmp_path / "out")
    assert out.returncode == 2, out.stdout
    err = out.stderr.strip()
    assert "\n" not in err and word in err and "Python checker only" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.lean"))


def test_large_space_refused_before_any_work(tmp_path):
    src = "def f(s): return s\n"
    r = agree_strings(src, src, "ab", 1)
    doc = certificate(src, src, r)
    alpha = "".join(chr(c) for c in range(33, 93))
    doc["params"] = {"alphabet": alpha, "max_len": 4}
    doc["claim"]["strings"] = S.space_size(alpha, 4)
    p = tmp_path / "big.json"
    p.write_text(json.dumps(doc))
    from pybridge.check.certificate import read_certificate

    with pytest.raises(LeanRefused, match="limited to"):
        render_lean(p, read_certificate(p), None)


def test_tampered_certificate_not_exported(tmp_path):
    p, _ = export_pair(tmp_path, "def f(s): return s.upper()\n", "def g(s): return s.swapcase().upper()\n", "aB", 3)
    doc = json.loads(p.read_text())
    (tmp_path / "f.py").write_text(doc["hints"]["f"])
    doc["model"]["file"] = "f.py"
    doc["claim"]["strings"] += 1
    p.write_text(json.dumps(doc))
    r = run("export", p, "--lean", tmp_path / "out")
    assert r.returncode != 0
    assert not list((tmp_path / "out").glob("*.lean"))


def test_library_defines_every_name_the_template_uses():
    spec = (LIB / "Spec.lean").read_text()
    chk = (LIB / "Check.lean").read_text()
    for name in ("SExpr", "AgreeUpTo", "eval"):
        assert re.search(rf"\b(def|inductive) {name}\b", spec), name
    for name in ("check", "words", "allW", "checkUpTo"):
        assert re.search(rf"\bdef {name}\b", chk), name
    assert "theorem check_sound (A : List Nat) (L : Nat) (f g : SExpr) (h : check A L f g = true) : AgreeUpTo A L f g" in chk
    block = spec[spec.index("inductive SExpr where"):spec.index("/-- ASCII case changes")]
    ctors = set(re.findall(r"^\s*\| (\w+) :", block, re.M))
    assert ctors == {"inp", "lit", "cat", "rep", "upper", "lower", "swapcase", "capitalize", "slice", "rev", "replace",
                     "translate"}
    for src in (spec, chk):
        for bad in ("sorry", "admit", "native_decide", "axiom", "simp"):
            assert not re.search(rf"\b{bad}\b", src), bad


# ---- the transcription of Spec.lean's eval agrees with the trusted checker's interpreter on the Lean subset
_LOW = "abAB-"


def _gen_source(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(["reverse", "upper", "lower", "swapcase", "capitalize", "replace", "slice", "append", "prepend",
                         "double", "translate", "repeat", "step"])
        lit = "".join(rng.choice(_LOW) for _ in range(rng.randint(1, 2)))
        lit2 = "".join(rng.choice(_LOW) for _ in range(rng.randint(0, 2)))
        if op == "reverse":
            lines.append("s = s[::-1]")
        elif op in ("upper", "lower", "swapcase", "capitalize"):
            lines.append(f"s = s.{op}()")
        elif op == "replace":
            lines.append(f"s = s.replace({lit!r}, {lit2!r})")
        elif op == "slice":
            a = rng.choice(["", str(rng.randint(-4, 4))])
            b = rng.choice(["", str(rng.randint(-4, 4))])
            lines.append(f"s = s[{a}:{b}]")
        elif op == "step":
            lines.append(f"s = s[{rng.choice(['', '1', '-2'])}::{rng.randint(1, 3)}]")
        elif op == "append":
            lines.append(f"s = s + {lit!r}")
        elif op == "prepend":
            lines.append(f"s = {lit!r} + s")
        elif op == "double":
            lines.append("s = s + s")
        elif op == "repeat":
            lines.append(f"s = s * {rng.randint(0, 2)}")
        else:
            frm = "".join(rng.sample("abAB", rng.randint(1, 3)))
            to = "".join(rng.choice(_LOW) for _ in frm)
            dele = rng.choice(["", ", '-'", ", 'b'"])
            lines.append(f"s = s.translate(str.maketrans({frm!r}, {to!r}{dele}))")
    return "def f(s):\n" + "".join(f"    {ln}\n" for ln in lines) + "    return s\n"


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_lean_eval_transcription_matches_the_checker_interpreter(seed):
    src = _gen_source(random.Random(seed))
    _, ty, ir = S.parse_string_function(src)
    term = read_term(lean_sexpr(ir))
    for s in S.all_strings("aB-", 4):
        want = S.evaluate(ir, s)
        assert want != S.ERROR
        assert ev([ord(c) for c in s], term) == [ord(c) for c in want], (src, s)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_lean_check_transcription_agrees_with_the_python_check(seed):
    """The transcribed Lean checker and the trusted Python check give the same answer on random pairs."""
    rng = random.Random(seed)
    f_src, g_src = _gen_source(rng), _gen_source(rng).replace("def f", "def g")
    L = rng.randint(0, 3)
    r = agree_strings(f_src, g_src, "aB", L)
    f = read_term(lean_sexpr(S.parse_string_function(f_src)[2]))
    g = read_term(lean_sexpr(S.parse_string_function(g_src)[2]))
    assert lean_check([97, 66], L, f, g) == r.agree
    assert lean_check([97, 66], L, f, f)
