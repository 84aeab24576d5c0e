"""Audit of group-operation certificates (brute force, CHECKING.md section 8.4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pybridge.audit import make_step
from pybridge.check.certificate import read_certificate
from pybridge.check.verify import verify

# (python checker, Coq lemma, Lean theorem) per step
JUSTIFY = {
    "gbind": ("check.groupop.bruteforce.load_groupop + canonical_sha256", "GroupSpec.model (data in the certificate file)", "GroupSpec.GModel"),
    "ggroup": ("check.groupop.bruteforce.group_table", "GroupSpec.elements / GroupSpec.gmul", "GroupSpec.elements / GroupSpec.gmul"),
    "gtables": ("check.groupop.bruteforce.pre_activations", "GroupBruteForce.matmul_entry / GroupBruteForce.pre_bridge", "GroupBruteForce.matmul_entry / GroupBruteForce.pre_bridge"),
    "glogits": ("check.groupop.bruteforce.exact_logits", "GroupBruteForce.logit_bridge / GroupBruteForce.relu_scale", "GroupBruteForce.logit_bridge / GroupBruteForce.relu_scale"),
    "gbf": ("check.groupop.bruteforce.count_bruteforce", "GroupBruteForce.check_group_bf_sound", "GroupBruteForce.check_group_bf_sound"),
}


def _step(key: str, title: str, numbers: dict[str, Any], gives_away: str | int) -> dict[str, Any]:
    return make_step(JUSTIFY[key], title, numbers, gives_away)


def audit(cert_path: str | Path, model_path: str | Path) -> dict[str, Any]:
    """The steps of a groupop brute-force certificate (CHECKING.md section 8.4)."""
    cert = read_certificate(cert_path)
    from pybridge.check.groupop.bruteforce import count_bruteforce, group_table, load_groupop, pre_activations

    if cert.strategy != "brute-force":
        raise ValueError(f"audit covers groupop brute-force certificates only, not {cert.strategy!r}")
    res = verify(cert_path, model_path)  # the proof itself; raises if invalid
    M, table = load_groupop(model_path)
    A, B = pre_activations(M)
    good, bad, exact = count_bruteforce(M, table, None, None, (A, B))
    und = cert.total - good - bad
    bits = max((abs(v).bit_length() for r in A + B for v in r), default=0)
    steps = [
        _step("gbind", "Bind the certificate to the weights", {"model_sha256": M.sha256, "group": M.group, "order": M.order,
              "d_embed": M.d_embed, "d_hidden": M.d_hidden, "weight_exponent_s": M.s}, 0),
        _step("ggroup", "Generate the group from its name (permutations, lexicographic order, composition)",
              {"elements": len(group_table(M.group))}, 0),
        _step("gtables", "Pre-activations A = Z_EL Z_WL, B = Z_ER Z_WR exactly (unit 2^-2s)",
              {"seconds": round(res.seconds.get("replay_tables", 0.0), 3), "max_bits": bits}, 0),
        _step("glogits", "Exact logits L_c = sum_k max(A[x][k] + B[y][k], 0) Z_WU[k][c] + Z_bU[c] 2^2s (unit 2^-3s)",
              {"pairs_decided_by_int64_fast_path": cert.total - exact, "pairs_decided_exactly": exact}, 0),
        _step("gbf", "Enumerate all |G|^2 pairs; count correct (logit of x*y strictly largest) / incorrect",
              {"proven_correct": good, "proven_incorrect": bad, "undetermined": und,
               "claim_slack": good - cert.correct_at_least}, und + good - cert.correct_at_least),
    ]
    return {"certificate": str(cert_path), "model": str(model_path), "strategy": cert.strategy, "family": "groupop",
            "semantics": "about the exact rational model (ReLU MLP on dyadic weights; group recomputed from its name).",
            "claim": {"correct_at_least": cert.correct_at_least, "total": cert.total,
                      "bound": cert.correct_at_least / cert.total},
            "steps": steps}
