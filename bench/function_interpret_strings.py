"""Bench (issue 14, string part): the generated string functions (`pybridge find generate`) in the string
language (pybridge/check/function/strings.py, the partner's `agree --strings`), and what a FIND-style unit test
(10 random input strings) misses compared with the exhaustive check over every string up to a length.

For each of the first K generated string functions F:
- F parses in the string language and `agree_strings(F, F)` certifies over its alphabet up to length L;
- deliberately wrong descriptions G (the last operation dropped, a replaced letter changed, two operations
  swapped) are scored like FIND's unit tests (outputs equal on 10 random words of length 1-8) and decided
  exhaustively (every string over the alphabet up to length L: certified, or the shortest counterexample).
The alphabet is the letters F's operations name plus 'a', 'B' (at most 6 letters). No interpreter is built for
strings (no fitting): this bench covers the check, not the interpretation.

    nice python bench/function_interpret_strings.py [--seed 0] [--k 100] [--max-len 4]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from pybridge.check.function import strings as S
from pybridge.families.function.strings_agree import agree_strings
from pybridge.families.function.suite import string_suite


def src_of(lines: list[str]) -> str:
    return "def g(s):\n" + "".join(f"    {ln}\n" for ln in lines) + "    return s\n"


def lines_of(src: str) -> list[str]:
    return [ln.strip() for ln in src.splitlines()[1:-1]]


def wrongs(rec: dict) -> list[tuple[str, str]]:
    ls = lines_of(rec["source"])
    out = []
    if len(ls) >= 2:
        out.append(("last operation dropped", src_of(ls[:-1])))
        if ls[-1] != ls[-2]:
            out.append(("last two operations swapped", src_of(ls[:-2] + [ls[-1], ls[-2]])))
    for i, op in enumerate(rec["params"]["ops"]):
        if op[0] == "replace":
            b = "z" if op[2] != "z" else "y"
            out.append(("replacement letter changed", src_of(ls[:i] + [f"s = s.replace({op[1]!r}, {b!r})"] + ls[i + 1:])))
            break
    return out


def alphabet_of(rec: dict) -> str:
    letters = []
    for op in rec["params"]["ops"]:
        for v in op[1:]:
            if isinstance(v, str):
                letters += [c for c in v if c not in letters]
    out = "".join(dict.fromkeys(["a", "B"] + letters))
    return out[:6]


def unit_test(f_ir: tuple, g_ir: tuple, rng: random.Random) -> bool:
    pool = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for _ in range(10):
        w = "".join(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        if S.evaluate(f_ir, w) != S.evaluate(g_ir, w):
            return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--max-len", type=int, default=4)
    ap.add_argument("--out", default="bench/results/function_interpret_strings")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t_all = time.perf_counter()
    rows, selfs = [], []
    for rec in string_suite(args.seed, args.k):
        alpha = alphabet_of(rec)
        _, _, f = S.parse_string_function(rec["source"])
        r = agree_strings(rec["source"], rec["source"].replace("def f", "def g"), alpha, args.max_len)
        selfs.append({"id": rec["id"], "agree": r.agree, "strings": r.strings, "seconds": round(r.seconds, 3)})
        for name, g in wrongs(rec):
            _, _, gi = S.parse_string_function(g)
            passed = unit_test(f, gi, rng)
            w = agree_strings(rec["source"], g, alpha, args.max_len)
            rows.append({"id": rec["id"], "wrong": name, "alphabet": alpha, "unit_test_pass": passed,
                         "exhaustive": "certified" if w.agree else "refuted",
                         "counterexample": None if w.agree else w.counterexample, "strings": w.strings,
                         "seconds": round(w.seconds, 3), "f": rec["source"], "g": g})
    total = time.perf_counter() - t_all
    Path(args.out + ".json").write_text(json.dumps({"args": vars(args), "self": selfs, "wrong": rows}, indent=1) + "\n")
    md = ["# String functions: FIND-style unit tests vs the exhaustive check (bench/function_interpret_strings.py)", "",
          f"Command: `nice python bench/function_interpret_strings.py --seed {args.seed} --k {args.k} --max-len "
          f"{args.max_len}` ({total:.0f} s wall, shared machine). The first {args.k} string functions of "
          f"`pybridge find generate --seed {args.seed}`; alphabet = the letters the operations name + 'a', 'B' "
          f"(at most 6); every string up to length {args.max_len}. No string interpreter (fitting) is built: this "
          "is the check only.", "",
          f"- every source parses in the string language and agree(F, F) certifies: "
          f"{sum(s['agree'] for s in selfs)}/{len(selfs)} (mean {sum(s['strings'] for s in selfs) / max(1, len(selfs)):.0f} "
          f"strings, mean {sum(s['seconds'] for s in selfs) / max(1, len(selfs)):.3f} s)", "",
          "| wrong description | n | pass 10-word unit test | of those refuted exhaustively | certified (same function on the alphabet) |",
          "| --- | ---: | ---: | ---: | ---: |"]
    for name in sorted({r["wrong"] for r in rows}):
        rs = [r for r in rows if r["wrong"] == name]
        p = [r for r in rs if r["unit_test_pass"]]
        md.append(f"| {name} | {len(rs)} | {len(p)} | {sum(r['exhaustive'] == 'refuted' for r in p)} | "
                  f"{sum(r['exhaustive'] == 'certified' for r in rs)} |")
    ex = [r for r in rows if r["unit_test_pass"] and r["exhaustive"] == "refuted"][:5]
    if ex:
        md += ["", "Examples (passes the unit test, refuted with the shortest counterexample):", ""]
        for r in ex:
            md.append(f"- {r['id']} ({r['wrong']}): counterexample {json.dumps(r['counterexample'])}")
    Path(args.out + ".md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
