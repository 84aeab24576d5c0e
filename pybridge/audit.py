"""`pybridge audit`: the proof of a certificate as a reader would check it.

Each step names what justifies it (the Python checker function, the Coq lemma, the Lean theorem),
the numbers it relies on, and how much of the bound it gives away. The slack figures are
*explanations*, computed in float64 and not part of the proof; the proof is the checker's
re-derivation (and Coq's). `tests/test_audit.py` checks that every lemma named here exists in
`coq/theories` and `Proofs/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any




def make_step(justify: tuple[str, str, str], title: str, numbers: dict[str, Any], gives_away: str | int) -> dict[str, Any]:
    py, coq, lean = justify
    return {"step": title, "python": py, "coq": coq, "lean": lean, "numbers": numbers, "gives_away": gives_away}


def justifications() -> dict[str, tuple[str, str, str]]:
    """Every family's audit steps: key -> (Python checker, Coq lemma, Lean theorem)."""
    from pybridge import families

    out: dict[str, tuple[str, str, str]] = {}
    for fam in families.all_families():
        out.update(fam.justify() if fam.justify else {})
    return out


def audit(cert_path: str | Path, model_path: str | Path) -> dict[str, Any]:
    """The audit report of a certificate, by its family (raises the checker's errors if it is invalid)."""
    from pybridge import families
    from pybridge.check.certificate import read_certificate

    fam = families.get(read_certificate(cert_path).family)
    if fam.audit is None:
        raise ValueError(f"no audit for the family {fam.name!r}")
    return fam.audit(Path(cert_path), Path(model_path))


def render_markdown(r: dict[str, Any]) -> str:
    c = r["claim"]
    out = [f"# Audit: {r['strategy']} certificate", "",
           f"Claim: {r['statement']}" if "statement" in r else  # claims that are not counts
           f"Claim: at least **{c['correct_at_least']} / {c['total']}** inputs correct (accuracy >= {c['bound']:.6f}), "
           + r.get("semantics", "about the real-valued model (softmax with real exp, exact 1/sqrt(d_head))."), ""]
    if "float64_accuracy_estimate" in r:
        out += [f"Float64 accuracy estimate (not rigorous, for the slack columns): {r['float64_accuracy_estimate']:.6f}; "
                f"the proof gives away {r['total_slack_inputs']} inputs in all.", ""]
    out += ["| # | step | Python checker | Coq | Lean | gives away (inputs) |", "| --- | --- | --- | --- | --- | --- |"]
    for i, s in enumerate(r["steps"], 1):
        out.append(f"| {i} | {s['step']} | `{s['python']}` | `{s['coq']}` | `{s['lean']}` | {s['gives_away']} |")
    out.append("")
    for i, s in enumerate(r["steps"], 1):
        if s["numbers"]:
            nums = ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in s["numbers"].items())
            out.append(f"{i}. {s['step']}: {nums}")
    return "\n".join(out) + "\n"
