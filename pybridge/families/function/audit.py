"""Audit of function-family certificates (`pybridge audit CERT`): the steps of the proof that
|f(x) - g(x)| <= eps on every x of the domain, what justifies each (Python checker, Coq, Lean), and the
numbers. The margin figures (eps minus the largest enclosure of |f - g| over the boxes) explain how much
room the proof left; they are recomputed with the checker's own enclosures, after the checker accepted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pybridge.audit import make_step
from pybridge.check.certificate import read_certificate
from pybridge.check.verify import verify

JUSTIFY = {
    "fbind": ("check.function.verify (SHA-256 of both embedded sources)",
              "Functions.Spec.agree_on_domain (f and g written into the exported file from the same IR)",
              "(Lean: none; numeric claims need reals, re-checked by Coq)"),
    "fparse": ("check.function.lang.parse_function",
               "Functions.Spec.agree_on_domain (statement over Coq's reals: Rabs, sin, exp, ln, sqrt, PI)",
               "(Lean: none; numeric claims need reals, re-checked by Coq)"),
    "fpartition": ("check.function._boxes", "Functions.Spec.chain_sound", "(Lean: none; numeric claims need reals, re-checked by Coq)"),
    "fstrings": ("check.function.strings.evaluate",
                 "(no Coq: string agreement is checked exhaustively by the Python checker only)",
                 "Functions.Check.check_sound (the Lean string subset only; never compiled)"),
    "fenclose": ("check.function.enclose.diff_enclosure",
                 "Functions.Spec.all_pieces_sound (each closed box by the Interval tactic in the exported file)",
                 "(Lean: none; numeric claims need reals, re-checked by Coq)"),
}


def _step(key: str, title: str, numbers: dict[str, Any], gives_away: str | int) -> dict[str, Any]:
    return make_step(JUSTIFY[key], title, numbers, gives_away)


def audit(cert_path: str | Path, model_path: str | Path | None) -> dict[str, Any]:
    """The steps of a function certificate (runs the trusted checker first; raises if it is invalid)."""
    from pybridge.check.function import _boxes, fmt
    from pybridge.check.function import enclose as E
    from pybridge.check.function.lang import kinds, parse_function, size

    cert = read_certificate(cert_path)
    res = verify(cert_path, model_path if model_path and Path(model_path).is_file() else None)
    h = cert.hints
    if cert.strategy == "agree-strings":
        from pybridge.check.function.strings import _size, parse_string_function

        (_, tf, f), (_, tg, g) = parse_string_function(h["f"]), parse_string_function(h["g"])
        steps = [
            _step("fbind", "Bind the certificate to f and g: both sources are embedded and their SHA-256 match",
                  {"f_sha256": cert.model_sha256, "g_sha256": h["g_sha256"]}, 0),
            _step("fstrings", "Parse both string functions (ast only, never executed) and compare them on every "
                  "string of the space (exhaustive)", {"alphabet": h["alphabet"], "max_len": h["max_len"],
                                                       "strings": res.total, "f_nodes": _size(f), "g_nodes": _size(g),
                                                       "result_types": f"{tf}/{tg}"}, 0)]
        return {"certificate": str(cert_path), "model": str(model_path or ""), "strategy": cert.strategy,
                "family": "function", "statement": res.statement,
                "claim": {"correct_at_least": res.total, "total": res.total, "bound": 1.0}, "steps": steps}
    (fname, f), (gname, g) = parse_function(h["f"]), parse_function(h["g"])
    boxes = _boxes(h["domain"], h["breakpoints"])
    worst, worst_at = None, None
    for lo, hi, point in boxes:  # the checker's own enclosures again, for the margin figure only
        d = E.diff_enclosure(f, g, E.Box(lo, hi, point))
        m = max(-d[0], d[1])
        if worst is None or m > worst:
            worst, worst_at = m, (fmt(lo) if point else f"({fmt(lo)}, {fmt(hi)})")
    eps = h["eps"]
    npoints = sum(1 for b in boxes if b[2])
    ops = sorted(k for k in kinds(f) | kinds(g) if k not in ("c", "x", "true", "false"))
    steps = [
        _step("fbind", "Bind the certificate to f and g: both sources are embedded and their SHA-256 match",
              {"f_sha256": cert.model_sha256, "g_sha256": h["g_sha256"], "f_bytes": len(h["f"]), "g_bytes": len(h["g"])}, 0),
        _step("fparse", "Parse f and g into the expression IR (ast only, never executed; constants folded exactly)",
              {"f_name": fname, "g_name": gname, "f_nodes": size(f), "g_nodes": size(g), "operations": ", ".join(ops)}, 0),
        _step("fpartition", "The breakpoints split every domain interval into points and open intervals (a partition)",
              {"domain": ", ".join(f"[{fmt(a)}, {fmt(b)}]" for a, b in h["domain"]), "points": npoints,
               "open_intervals": len(boxes) - npoints}, 0),
        _step("fenclose", "Enclose f - g on every piece with exact rationals (outward-rounded 96-bit dyadics; "
              "mean-value form on open intervals) and compare with eps",
              {"eps": fmt(eps), "largest_enclosure_of_|f-g|": float(worst), "at": worst_at,
               "margin_eps_minus_largest": float(eps - worst)},
              f"{float(eps - worst):.6g} of eps unused on the tightest piece"),
    ]
    prover = {}
    try:
        import json

        prover = json.loads(Path(cert_path).read_text()).get("prover", {}) or {}
    except (OSError, ValueError):
        pass
    return {"certificate": str(cert_path), "model": str(model_path or ""), "strategy": cert.strategy, "family": "function",
            "statement": res.statement, "claim": {"correct_at_least": res.total, "total": res.total, "bound": 1.0},
            "semantics": "about the real-valued functions f and g (docs/FUNCTIONS.md).",
            "prover_notes_untrusted": {k: prover[k] for k in ("tool", "z3") if isinstance(prover, dict) and k in prover},
            "steps": steps}
