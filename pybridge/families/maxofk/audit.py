"""Audit of Max-of-k certificates: the proof step by step, with what justifies each step (Python
checker function, Coq lemma, Lean theorem), the numbers used, and the slack (float64 explanations,
not part of the proof)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from pybridge.audit import make_step
from pybridge.check.certificate import read_certificate
from pybridge.check.maxofk.cubic import block_margin, direct_min, validate_blocks, value_min
from pybridge.check.maxofk.fixedpoint import scale_bounds
from pybridge.check.maxofk.tables import exact_tables, weight_enclosures
from pybridge.check.verify import verify
from pybridge.families.maxofk.common import float_tables, load_model

# (python checker, Coq lemma, Lean theorem) per step
JUSTIFY = {
    "bind_ln": ("check.maxofk.weights.load_maxofk (extended hash: biases, LayerNorm, eps)", "TL.SpecTL.tlmodel (data in the certificate file)",
                "TL.SpecTL.TLModel"),
    "bf_ln": ("check.maxofk.layernorm.count_bruteforce_ln", "TL.BruteForceTL.check_bf_tl_sound", "TL.BruteForceTL.check_bf_tl_sound"),
    "bind": ("check.maxofk.weights.load_maxofk + canonical_sha256", "Spec.model (data in the certificate file)", "Spec.Model"),
    "tables": ("check.maxofk.tables.exact_tables", "Checker.QK_spec / Checker.OV_spec / Checker.EU_spec", "Checker.compute_tables / Checker.EU_spec / Checker.OV_spec"),
    "scale": ("check.maxofk.fixedpoint.scale_bounds", "ExpBounds.scale_bounds", "Spec.IsInvSqrt / ExpBounds.rho_bounds"),
    "exp": ("check.maxofk.fixedpoint.exp_lo / exp_hi", "ExpBounds.EXPLO_le / ExpBounds.EXPHI_ge", "ExpBounds.EXPLO_le / ExpBounds.EXPHI_ge"),
    "weights": ("check.maxofk.tables.weight_enclosures", "ExpBounds.weight_bounds / Checker.W_spec", "Checker.weights_enclose / Checker.WLO_spec"),
    "margin": ("docs/CHECKING.md s.5: margin * normaliser = sum_i w_i D_i(j)", "Checker.margin_algebra / Checker.key_correct", "Tables.margin_pos / Checker.key_correct"),
    "bf": ("check.maxofk.bruteforce.count_bruteforce", "BruteForce.check_bf_sound", "BruteForce.check_bf_sound"),
    "pessimise": ("check.maxofk.cubic.direct_min / value_min", "Cubic.dE_le / Cubic.dO_le", "Cubic.dE_le / Cubic.dO_le"),
    "blocks": ("check.maxofk.cubic.block_margin / validate_blocks", "Cubic.block_correct / Cubic.lb_mono", "Cubic.block_correct / Cubic.lb_mono"),
    "count": ("check.maxofk.cubic.count_cubic", "Cubic.check_cubic_sound", "Cubic.check_cubic_sound"),
    "gap_hints": ("check.maxofk.subcubic.direct_bounds / value_split", "CubicCount.check_cubic_count_sound (via the cubic-count reading, CHECKING.md 6c.4)", "CubicCount.check_cubic_count_sound"),
    "gap_blocks": ("check.maxofk.subcubic.count_subcubic", "CubicCount.check_cubic_count_sound (via the cubic-count reading, CHECKING.md 6c.4)", "CubicCount.check_cubic_count_sound"),
}
# Biased LayerNorm-free models (issue 15): the statement is TL/SpecTL's; brute force is re-checked by the TL
# brute force, the compact strategies by the bias-free checkers run on the model one coordinate wider (AugmentTL).
_NO_LEAN_COMPACT = "(not exported: the Lean export covers brute force only for models with biases)"
JUSTIFY_BIAS = {
    "bind": ("check.maxofk.weights.load_maxofk + canonical_sha256", "TL.SpecTL.tlmodel / TL.AugmentTL.augment",
             "TL.SpecTL.TLModel"),
    "bf": ("check.maxofk.bruteforce.count_bruteforce", "TL.BruteForceTL.check_bf_tl_sound", "TL.BruteForceTL.check_bf_tl_sound"),
    "count": ("check.maxofk.cubic.count_cubic", "TL.AugmentTL.check_cubic_tl_sound", _NO_LEAN_COMPACT),
    "gap_blocks": ("check.maxofk.subcubic.count_subcubic", "TL.AugmentTL.check_cubic_count_tl_sound", _NO_LEAN_COMPACT),
}


def _step(key: str, title: str, numbers: dict[str, Any], gives_away: str | int) -> dict[str, Any]:
    return make_step(JUSTIFY[key], title, numbers, gives_away)


def _block_losses(m, n: int, passing: dict[tuple[int, int, int], int]) -> tuple[int, int, int]:
    """Float64 explanation of the slack: (correct inputs, of which in classes with no passing block,
    of which with a non-max token outside the block's K). Not rigorous; not part of the proof."""
    ft = float_tables(m)
    V = m.exact.d_vocab
    S = (ft.QK * ft.scale).double()
    L = n - 1
    grid = torch.cartesian_prod(*[torch.arange(V)] * L).reshape(-1, L) if L else torch.zeros((1, 0), dtype=torch.long)
    pos = torch.arange(n)
    correct = lost_class = lost_k = 0
    for q in range(V):
        toks = torch.cat([grid, torch.full((grid.shape[0], 1), q)], dim=1)
        a = torch.softmax(S[q][toks, pos], dim=1)
        logits = ft.EU[q][None, :] + torch.einsum("bi,bic->bc", a, ft.OV[toks, pos])
        mx = toks.max(dim=1).values
        right = logits.gather(1, mx[:, None])[:, 0]
        logits.scatter_(1, mx[:, None], -np.inf)
        ok = (right > logits.max(dim=1).values).numpy()
        nonmax = (toks[:, :L] != mx[:, None]).numpy()
        nm = (nonmax * (1 << np.arange(L))).sum(axis=1)
        inK = np.zeros((V, 1 << L, V), dtype=bool)  # [max, N, token]
        has = np.zeros((V, 1 << L), dtype=bool)
        for (qq, mm, nn), km in passing.items():
            if qq == q:
                has[mm, nn] = True
                inK[mm, nn] = [(km >> t) & 1 for t in range(V)]
        mxn = mx.numpy()
        covered = has[mxn, nm]
        tok_ok = np.ones(len(ok), dtype=bool)
        for j in range(L):
            tj = toks[:, j].numpy()
            tok_ok &= ~nonmax[:, j] | inK[mxn, nm, tj]
        correct += int(ok.sum())
        lost_class += int((ok & ~covered).sum())
        lost_k += int((ok & covered & ~tok_ok).sum())
    return correct, lost_class, lost_k


def audit(cert_path: str | Path, model_path: str | Path) -> dict[str, Any]:
    cert = read_certificate(cert_path)
    res = verify(cert_path, model_path)  # the proof itself; raises if invalid
    m = load_model(model_path)
    M = m.exact
    V, n, P, k = M.d_vocab, M.n_ctx, cert.fixed_bits, cert.exp_squarings
    if M.has_ln:  # issue 15: no tables; the interval brute force of check/maxofk/layernorm.py
        und = res.total - res.verified_correct - (res.verified_incorrect or 0)
        return {"certificate": str(cert_path), "model": str(model_path), "strategy": cert.strategy,
                "claim": {"correct_at_least": cert.correct_at_least, "total": cert.total,
                          "bound": cert.correct_at_least / cert.total},
                "steps": [
                    _step("bind_ln", "Bind the certificate to the weights, biases, LayerNorm type and eps",
                          {"model_sha256": M.sha256, "d_vocab": V, "n_ctx": n, "normalization": M.normalization,
                           "ln_eps": f"{M.ln_eps.numerator}/{M.ln_eps.denominator}"}, 0),
                    _step("bf_ln", "Enumerate all inputs with interval arithmetic on the grid 2^-(P+s) (LayerNorm)",
                          {"proven_correct": res.verified_correct, "proven_incorrect": res.verified_incorrect,
                           "undetermined": und, "claim_slack": res.verified_correct - cert.correct_at_least}, und)]}
    T = exact_tables(M)
    W = weight_enclosures(M, T, P, k)
    slo, shi = scale_bounds(M.d_head, P)
    widths = [
        (W.WHI[q][t][i] - W.WLO[q][t][i]) / W.WHI[q][t][i]
        for q in range(V) for t in range(V) for i in range(n) if W.WHI[q][t][i]
    ]
    steps = [
        _step("bind", "Bind the certificate to the weights", {"model_sha256": M.sha256, "d_vocab": V, "n_ctx": n,
              "d_model": M.d_model, "d_head": M.d_head, "weight_exponent_s": M.s}, 0),
        _step("tables", "Replay EU, OV, QK exactly (integers, units 2^-4s)", {"seconds": round(res.seconds["replay_tables"], 3),
              "max_bits": max(abs(x).bit_length() for r in T.EU for x in r)}, 0),
        _step("scale", "Enclose 1/sqrt(d_head)", {"SLO": slo, "SHI": shi, "P": P, "relative_width": float((shi - slo) / slo)}, 0),
        _step("exp", "Enclose exp (1 + x <= exp x; exp(x+y) = exp x exp y)", {"P": P, "k": k}, 0),
        _step("weights", "Enclose every attention weight exp(score - C[q])",
              {"count": len(widths), "max_relative_width": float(max(widths)), "mean_relative_width": float(np.mean(widths))}, 0),
        _step("margin", "Margin * softmax normaliser = sum_i w_i D_i(j) (weights sum to one)", {}, 0),
    ]
    report: dict[str, Any] = {"certificate": str(cert_path), "model": str(model_path), "strategy": cert.strategy,
                              "claim": {"correct_at_least": cert.correct_at_least, "total": cert.total,
                                        "bound": cert.correct_at_least / cert.total}}
    if cert.strategy == "brute-force":
        und = res.total - res.verified_correct - (res.verified_incorrect or 0)
        steps.append(_step("bf", "Enumerate all inputs; count proven correct / proven incorrect",
                           {"proven_correct": res.verified_correct, "proven_incorrect": res.verified_incorrect,
                            "undetermined": und, "claim_slack": res.verified_correct - cert.correct_at_least}, und))
    elif cert.strategy == "subcubic":
        steps += _subcubic_steps(cert, T, W, M, res)
    else:
        blocks = validate_blocks(cert.hints["blocks"], V, n)
        dE, dO = direct_min(T), value_min(T, n)
        passing: dict[tuple[int, int, int], int] = {}
        for q, mx, nm, km in blocks:
            ks = [t for t in range(mx) if km >> t & 1]
            mg = block_margin(q, mx, nm, ks, n, dE, dO, W)
            if mg is not None and mg > 0:
                passing[(q, mx, nm)] = km
        float_correct, lost_class, lost_k = _block_losses(m, n, passing)
        steps.append(_step("pessimise", "Pessimise the wrong logit j separately in direct and value paths",
                           {"dE_min": min(min(r) for r in dE) / 2 ** (4 * M.s)}, "(folded into the block losses below)"))
        steps.append(_step("blocks", "Check each block (q, max, non-max positions N, token set K)",
                           {"blocks_in_hint": len(blocks), "blocks_passing": len(passing),
                            "correct_inputs_in_classes_without_a_passing_block": lost_class,
                            "correct_inputs_with_a_token_outside_K": lost_k}, lost_class + lost_k))
        steps.append(_step("count", "Count |K|^|N| per passing block; blocks are disjoint",
                           {"verified": res.verified_correct, "claimed": cert.correct_at_least}, res.verified_correct - cert.correct_at_least))
        report["float64_accuracy_estimate"] = float_correct / cert.total
        report["total_slack_inputs"] = float_correct - cert.correct_at_least
    if M.has_bias:
        steps = [_rejustify(st, M) for st in steps]
    report["steps"] = steps
    return report


def _rejustify(step: dict[str, Any], M) -> dict[str, Any]:
    """A biased model's steps cite the TL statement and the lemmas that re-check it (JUSTIFY_BIAS)."""
    for key, (py, coq, lean) in JUSTIFY_BIAS.items():
        if step["python"] == JUSTIFY[key][0]:
            return {**step, "python": py, "coq": coq, "lean": lean}
    return step


def _subcubic_steps(cert, T, W, M, res) -> list[dict[str, Any]]:
    """Exact input counts (not float estimates) of what the gap partition leaves out."""
    from math import comb

    from pybridge.check.maxofk.subcubic import GapChecker, validate_gap_blocks

    V, n = M.d_vocab, M.n_ctx
    blocks = validate_gap_blocks(cert.hints["blocks"], V, n)
    G = GapChecker(T, W, n, M.d_head, M.s, cert.fixed_bits, cert.exp_squarings, cert.hints["direct"])
    passing = {(q, m, c): g for q, m, c, g, D in blocks if G.margin(q, m, c, g, D)[0] > 0}

    def size(q: int, m: int, c: int, g: int = 1) -> int:  # inputs of class (q, m, c) with non-max tokens <= m - g
        return comb(n - 1, c) * (m - g + 1) ** c if c else 1

    classes = [(q, m, c) for m in range(V) for q in range(m + 1) for c in range(n)
               if not (q < m and c == n - 1) and not (c > 0 and m == 0)]
    no_block = sum(size(*k) for k in classes if k not in passing)
    by_gap = sum(size(*k) - size(*k, g) for k, g in passing.items() if k[2] > 0)
    d = cert.hints["direct"]
    return [
        _step("gap_hints", "Verify the direct-path hint (spread of EU - u <= delta, or exact top-two) and each block's attention gap D",
              {"direct_mode": d["mode"], "blocks_in_hint": len(blocks)}, "(folded into the blocks below)"),
        _step("gap_blocks", "Check each gap block (q, max, c non-max positions, tokens <= max - g); count C(n-1,c)(m-g+1)^c",
              {"blocks_passing": len(passing), "inputs_in_classes_without_a_passing_block": no_block,
               "inputs_excluded_by_the_gaps": by_gap, "verified": res.verified_correct, "claimed": cert.correct_at_least},
              no_block + by_gap),
    ]
