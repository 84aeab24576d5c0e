"""Untrusted: Coq export of tprog task-accuracy certificates (integers, booleans and fixed identifiers only;
the statement is fixed by templates/coq_tprog.v.j2). program-equivalence is not exported (see docs)."""

from __future__ import annotations

from pathlib import Path

from pybridge.check.tprog.tasks import BASE

COQ_TARGETS = {"hist": "hist_target", "reverse": "reverse_target", "sort": "sort_target", "dyck1": "dyck1_target"}
COQ_TIE = {"nearest": "Nearest", "self-first": "SelfFirst", "earliest": "Earliest"}


def _nat(x: list) -> str:
    return "[" + ";".join(f"{int(v)}" for v in x) + "]"


def _z(x: list) -> str:
    return "[" + ";".join(f"({int(v)})%Z" for v in x) + "]"


def _bool(x: list) -> str:
    return "[" + ";".join("true" if v else "false" for v in x) + "]"


def render_coq(cert_path: Path, cert, model_path: Path, print_assumptions: bool = True) -> str:
    from pybridge.check.tprog import load_any
    from pybridge.export import template_env

    if cert.strategy != "task-accuracy":
        raise ValueError("the Coq export covers tprog task-accuracy certificates only")
    prog, sha, _ = load_any(Path(model_path), cert.hints["kind"])
    if sha != cert.model_sha256:
        raise ValueError("the model file's hash is not the certificate's model_sha256")
    t = prog.task
    if prog.tie_rule not in COQ_TIE:
        raise ValueError(f"the Coq Spec has no tie rule {prog.tie_rule} (nearest, self-first, earliest only)")
    target = COQ_TARGETS.get(BASE.get(t.name, t.name))
    if target is None:
        raise ValueError(f"the Coq Spec has no target for task {t.name} (hist, reverse, sort, dyck1 only)")

    def head(h) -> str:
        return (f"{{| h_q := {h.q}; h_k := {h.k}; h_v := {h.v}; h_pred := ["
                + ";".join(_bool(r) for r in h.pred.tolist()) + "] |}")

    layers = [{"cat": [head(h) for h in L.cat_heads], "num": [head(h) for h in L.num_heads],
               "mlp": [f"{{| m_a := {m.a}; m_b := {m.b}; m_table := [" + ";".join(_nat(r) for r in m.table.tolist())
                       + "] |}" for m in L.mlps]} for L in prog.layers]
    return template_env(keep_trailing_newline=True).get_template("coq_tprog.v.j2").render(
        causal="true" if t.causal else "false", tie=COQ_TIE[prog.tie_rule], layers=layers,
        wcat="[" + ";\n    ".join("[" + ";".join(_z(r) for r in w) + "]" for w in prog.w_cat) + "]",
        wnum="[" + ";".join(_z(w) for w in prog.w_num) + "]", bias=_z(prog.bias), classes=len(t.classes),
        m=len(t.content), lengths=_nat(t.lengths), eos="true" if t.eos else "false", target=target,
        N=int(cert.correct_at_least), print_assumptions=print_assumptions)
