"""Every core Lean identifier the Lean mirror uses must be in the checked table.

The Lean library (Proofs/**/*.lean) and the Lean certificate templates
(pybridge/export/templates/lean_*.j2) have never been compiled here: no Lean toolchain can be
installed on this machine.  Each core name they use (Int.*, Nat.*, List.*, if_pos, ...) was checked
by reading the Lean sources of the pinned toolchain era (docs/LEAN.md); the result is the table
Proofs/core_identifiers.txt.  This test extracts the core identifiers from every Lean file, including
future subfolders (Proofs/Bilinear/, Proofs/TransformerPrograms/, Proofs/Functions/, ...), and fails
when one is not in the table, so that no unchecked name is added silently.  To add one: check it at
the pinned version as docs/LEAN.md says, then add a line to the table.

Select with: pytest -k "lean and ident"
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "Proofs" / "core_identifiers.txt"

# First components of qualified names that belong to core Lean (Init/Std/Lean).  A qualified name
# starting with one of these is a core identifier.  The project's own namespaces (Pybridge,
# ExpField, ND, ...) are not in the list.
CORE_NAMESPACES = frozenset(
    """Int Nat List Bool Decidable Option Prod PProd MProd Classical Eq Ne HEq Iff And Or Not False
    True Function Fin Ordering Exists Subtype Sum PSum Sigma PSigma String Char Array Std Lean Id
    Unit PUnit Empty Quot Quotient Setoid Nonempty Inhabited HAdd HMul HSub HDiv HMod HPow Add Mul
    Sub Neg Div Mod Pow LE LT Max Min OfNat BEq DecidableEq Subsingleton UInt8 UInt16 UInt32 UInt64
    USize Float Thunk Task IO Except WellFounded Acc InvImage SizeOf Vector ByteArray BitVec
    Subarray Substring Char Membership Trans Antisymm Irrefl Function Nonempty Exists""".split()
)

# Core names that may appear unqualified (Init/Prelude.lean, Init/Core.lean, ...).  A bare word in
# this list is a core identifier.  Bare words with an underscore that the project does not declare
# are also treated as core identifiers (e.g. `if_pos`, `of_decide_eq_true`).
BARE_CORE = frozenset(
    """absurd congrArg congrFun congr funext propext rfl id cond ite dite trivial max min nomatch
    nofun inferInstance inferInstanceAs decide Decidable show_term default panic Nat.rec
    Eq.refl HEq.refl""".split()
)

# Keywords, commands and tactics spelled with an underscore (not identifiers).
KEYWORDS = frozenset(
    """by_cases set_option termination_by decreasing_by native_decide with_reducible
    with_unfolding_all all_goals any_goals first_order simp_all simp_arith fail_if_success
    exact_mod_cast norm_cast by_contra rename_i next_goal focus_goal apply_rfl show_term
    with_annotate_state""".split()
)

# Suffixes of qualified names that are fields of the statement's type (Iff.mp, Eq.symm, ...):
# `List.mem_cons.mp` uses `List.mem_cons` (and `Iff.mp`, listed under `.mp`).
FIELD_SUFFIXES = frozenset("mp mpr symm trans elim resolve_left resolve_right imp 1 2".split())

# Names the jinja2 templates generate (`def {{ name }}_flat`).
TEMPLATE_GENERATED = re.compile(r"^\w+_flat$")

ID = r"[A-Za-z_][\w']*"
QUALIFIED = re.compile(r"(?<![\w'.])(" + ID + r"(?:\." + ID + r")*)")
FIELD = re.compile(r"(?<=[\w')\]⟩])\.(" + ID + r")")
OPEN = re.compile(r"^\s*open\s+([^\n]*)$", re.M)
SET_OPTION = re.compile(r"\bset_option\s+(" + ID + r"(?:\." + ID + r")*)")


def lean_files() -> list[Path]:
    """Every Lean source of the mirror: Proofs/ (recursively) and the Lean templates."""
    files = sorted((ROOT / "Proofs").rglob("*.lean"))
    files += sorted((ROOT / "pybridge" / "export" / "templates").glob("lean_*.j2"))
    return files


def strip_comments(src: str) -> str:
    """Remove `--` comments, (nested) `/- -/` comments and docstrings, and string literals."""
    out: list[str] = []
    i, depth, n = 0, 0, len(src)
    while i < n:
        if src.startswith("/-", i):
            depth += 1
            i += 2
            continue
        if depth and src.startswith("-/", i):
            depth -= 1
            i += 2
            continue
        if depth:
            if src[i] == "\n":
                out.append("\n")
            i += 1
            continue
        if src.startswith("--", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src[i] == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            out.append('""')
            i = j + 1
            continue
        out.append(src[i])
        i += 1
    return "".join(out)


def strip_jinja(src: str) -> str:
    """Remove jinja2 expressions and statements, and `import` lines (module names)."""
    src = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", src, flags=re.S)
    return re.sub(r"^\s*import\s[^\n]*$", "", src, flags=re.M)


def declared_names(sources: list[str]) -> set[str]:
    """Names the project itself declares (definitions, theorems, structure fields, binders at the
    start of a line, constructors, `let`/`have` names): never core identifiers."""
    names: set[str] = set()
    for s in sources:
        for d in re.findall(r"\b(?:def|theorem|lemma|abbrev|structure|class|inductive|instance"
                            r"|opaque|axiom|namespace|section|end)\s+(" + ID + r"(?:\." + ID + r")*)", s):
            names |= set(d.split("."))
        names |= set(re.findall(r"^\s+(" + ID + r")\s*:", s, re.M))
        names |= set(re.findall(r"^\s*\|\s*(" + ID + r")\b", s, re.M))
        names |= set(re.findall(r"\b(?:let|have|fun|intro|obtain|cases|induction)\s+(" + ID + ")", s))
        names |= set(re.findall(r"\((" + ID + r")\s*:", s))
        names |= set(re.findall(r"\{(" + ID + r")\s*:", s))
        names |= set(re.findall(r"where\s+(" + ID + r")\s*::", s))
    return names


def normalize(name: str) -> str:
    parts = name.split(".")
    while len(parts) > 2 and parts[-1] in FIELD_SUFFIXES:
        parts.pop()
    return ".".join(parts)


def extract(sources: dict[str, str]) -> dict[str, set[str]]:
    """Core identifiers used by the given Lean sources: {identifier: {file, ...}}.

    Returns qualified core names (`Int.mul_comm`), bare core names (`if_pos`), field-notation
    suffixes applied to terms (`.length`, `.symm`, as `.length`), options (`set_option maxRecDepth`
    as `option maxRecDepth`) and opened core namespaces (as `open Nat`)."""
    cleaned = {f: strip_jinja(strip_comments(s)) for f, s in sources.items()}
    declared = declared_names(list(cleaned.values()))
    used: dict[str, set[str]] = {}

    def add(name: str, f: str) -> None:
        used.setdefault(name, set()).add(f)

    for f, s in cleaned.items():
        for m in QUALIFIED.finditer(s):
            tok = m.group(1)
            head = tok.split(".")[0]
            if "." in tok and head in CORE_NAMESPACES:
                add(normalize(tok), f)
            elif "." not in tok:
                if tok in BARE_CORE:
                    add(tok, f)
                elif ("_" in tok and tok not in declared and tok not in KEYWORDS
                      and not TEMPLATE_GENERATED.match(tok) and not tok.startswith("_")):
                    add(tok, f)
            elif head not in declared and head[0].islower() and head not in KEYWORDS:
                # `h.symm` on a local: the suffixes are fields, handled below.
                pass
            if "." in tok:
                for suffix in tok.split(".")[1:]:
                    if head not in CORE_NAMESPACES and suffix in FIELD_SUFFIXES | {"length", "map"}:
                        add("." + suffix, f)
        for m in FIELD.finditer(s):
            suffix = m.group(1)
            start = m.start()
            # skip the components of a qualified name (handled above)
            before = re.search(r"[\w'.]*$", s[max(0, start - 80):start]).group(0)
            if before and before[0].isupper() and "." not in before.rstrip(".")[-1:]:
                if before.split(".")[0] in CORE_NAMESPACES or before.split(".")[0] in declared:
                    continue
            if suffix in declared or suffix.isdigit():
                continue
            add("." + suffix, f)
        for m in SET_OPTION.finditer(s):
            add("option " + m.group(1), f)
        for m in OPEN.finditer(s):
            for ns in re.findall(ID + r"(?:\." + ID + r")*", m.group(1)):
                if ns.split(".")[0] in CORE_NAMESPACES:
                    add("open " + ns, f)
    return used


def load_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, rest = line.partition("\t")
        table[name.strip()] = rest.strip()
    return table


def used_identifiers() -> dict[str, set[str]]:
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in lean_files()}
    return extract(sources)


def test_lean_core_identifiers():
    """Every core identifier used by the Lean mirror is in Proofs/core_identifiers.txt."""
    table = load_table()
    used = used_identifiers()
    missing = {k: sorted(v) for k, v in used.items() if k not in table}
    assert not missing, (
        "core Lean identifiers not in Proofs/core_identifiers.txt (check each at the pinned "
        "toolchain as docs/LEAN.md says, then add it):\n"
        + "\n".join(f"  {k}   used in {', '.join(v)}" for k, v in sorted(missing.items()))
    )


def test_lean_core_identifiers_table_well_formed():
    """Each table line names where the identifier is defined (a leanprover/lean4 path)."""
    table = load_table()
    assert table, "empty table"
    bad = [k for k, v in table.items() if not v.split("\t")[0].startswith(("src/", "n/a"))]
    assert not bad, f"table entries without a defining file: {bad}"


def test_lean_core_identifiers_no_stale_entries():
    """Warn (do not fail) about table entries that no Lean file uses any more."""
    table = load_table()
    used = used_identifiers()
    stale = sorted(k for k in table if k not in used)
    if stale:
        warnings.warn("Proofs/core_identifiers.txt entries no Lean file uses: " + ", ".join(stale))


def test_lean_ident_extractor_detects_new_names():
    """Self-test: the extractor sees a new core name in any spelling the rules cover, in a new
    subfolder and in a template, and ignores comments, docstrings and project names."""
    table = load_table()
    fake = {
        "Proofs/Functions/New.lean": (
            "/-- uses Int.fake_in_docstring -/\n"
            "-- Nat.fake_in_comment\n"
            "theorem my_lemma (h_ab : 1 = 1) : True := by\n"
            "  have e := Int.fake_new_lemma 2 3\n"
            "  exact (List.fake_iff.mp h_ab)\n"
            "  rw [fake_bare_lemma]\n"
            "  exact my_lemma h_ab\n"
        ),
        "pybridge/export/templates/lean_fake.lean.j2": (
            "set_option fakeOption 1 in\ntheorem t : {{ N }} = {{ N }} := Nat.fake_template_name\n"
        ),
    }
    used = extract(fake)
    for name in ["Int.fake_new_lemma", "List.fake_iff", "fake_bare_lemma", "Nat.fake_template_name",
                 "option fakeOption"]:
        assert name in used, f"extractor missed {name}"
        assert name not in table
    for name in ["Int.fake_in_docstring", "Nat.fake_in_comment", "my_lemma", "h_ab"]:
        assert name not in used, f"extractor wrongly reported {name}"
    assert extract({"x.lean": "open Nat\n"}).keys() == {"open Nat"}
