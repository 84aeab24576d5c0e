"""Prover side (untrusted) of `agree --strings`: f(s) = g(s) for every string s over an alphabet up to a
length, decided exhaustively with the checker's own interpreter (pybridge/check/function/strings.py); the
first string where they differ (shortest, then alphabet order) is the counterexample. The certificate
records the sources, the alphabet and the length; the trusted checker repeats the enumeration.

Why exhaustive only: it is sound by construction (every string of the claim is evaluated) and is the check
the trusted checker can repeat with a work bound computed before it starts. Beyond the bound the command
refuses (exit 2) instead of sampling; a per-character case split or z3's string theory is not built."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pybridge.check.function import sha256_text
from pybridge.check.function import strings as S

MAX_WORK = 2 * 10**8


class TooLarge(ValueError):
    pass


@dataclass
class StringsResult:
    agree: bool
    alphabet: str
    max_len: int
    strings: int
    counterexample: dict[str, Any] | None
    seconds: float


def agree_strings(f_src: str, g_src: str, alphabet: str, max_len: int, max_work: int = MAX_WORK) -> StringsResult:
    t0 = time.perf_counter()
    _, _, f = S.parse_string_function(f_src)
    _, _, g = S.parse_string_function(g_src)
    n = S.space_size(alphabet, max_len)
    longest = max(S.length_bound(f, max_len), S.length_bound(g, max_len))
    work = n * (S._size(f) + S._size(g)) * max(1, longest)
    if longest > S.MAX_STR_BOUND or work > max_work:
        raise TooLarge(f"{n} strings x {S._size(f) + S._size(g)} nodes x {longest} characters = {work:.3g} work units "
                       f"(limit {max_work:.3g}): lower --max-len or the alphabet (the check is exhaustive)")
    for s in S.all_strings(alphabet, max_len):
        a, b = S.evaluate(f, s), S.evaluate(g, s)
        if a != b or type(a) is not type(b):
            show = lambda v: "ERROR" if v == S.ERROR else v  # noqa: E731
            return StringsResult(False, alphabet, max_len, n, {"s": s, "f": show(a), "g": show(b)},
                                 time.perf_counter() - t0)
    return StringsResult(True, alphabet, max_len, n, None, time.perf_counter() - t0)


def certificate(f_src: str, g_src: str, r: StringsResult) -> dict[str, Any]:
    return {
        "format": "pybridge-certificate", "version": 1, "family": "function", "strategy": "agree-strings",
        "model_sha256": sha256_text(f_src), "model": {},
        "params": {"alphabet": r.alphabet, "max_len": r.max_len},
        "claim": {"agree": True, "strings": r.strings},
        "hints": {"f": f_src, "g": g_src, "g_sha256": sha256_text(g_src)},
        "prover": {"tool": "pybridge function agree --strings (exhaustive)", "seconds": round(r.seconds, 3)},
    }
