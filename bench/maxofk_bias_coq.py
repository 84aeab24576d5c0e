"""Issue 15: compact certificates (cubic, cubic-count, subcubic) of Max-of-k models WITH biases, re-checked in Coq
through coq/theories/TL/AugmentTL.v. For each model: add deterministic non-zero biases (normal * scale, rounded
to 2^-10; tests/test_coq_maxofk_bias.add_biases), prove, let the Python checker verify, export, compile with coqc.
Prints one JSON line per (model, strategy): the prover's claim, the Python checker's count, whether Coq accepts
that claim, and coqc CPU / wall seconds.

    python bench/maxofk_bias_coq.py certificates/maxofk-v5-n3-seed1.safetensors
    python bench/maxofk_bias_coq.py --tl ../shared/external/maxof2/MaxOfTwoNumbersSimpler.safetensors --bias-seed 3 --bias-scale 0.05
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_coq_maxofk_bias import add_biases  # noqa: E402

from pybridge.check import verify  # noqa: E402
from pybridge.export.coq import build_library, export_coq, run_coqc  # noqa: E402
from pybridge.families.maxofk.brute_force import prove_brute_force  # noqa: E402
from pybridge.families.maxofk.common import load_model, write_json_atomic  # noqa: E402
from pybridge.families.maxofk.cubic import prove_cubic  # noqa: E402
from pybridge.families.maxofk.cubic_count import prove_cubic_count  # noqa: E402
from pybridge.families.maxofk.subcubic import prove_subcubic  # noqa: E402

PROVERS = {"cubic": prove_cubic, "cubic-count": prove_cubic_count, "subcubic": prove_subcubic}


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", type=Path)
    ap.add_argument("--tl", action="store_true", help="MODEL is a TransformerLens state dict (import-tl first)")
    ap.add_argument("--bias-seed", type=int, default=1)
    ap.add_argument("--bias-scale", type=float, default=0.1)
    ap.add_argument("--strategies", default="cubic,cubic-count,subcubic")
    ap.add_argument("--no-bf", action="store_true", help="skip the Python brute force")
    a = ap.parse_args()
    build_library()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        src = a.model
        if a.tl:
            from pybridge.families.maxofk.transformerlens import import_tl_state_dict

            src = import_tl_state_dict(a.model, d / "imported.safetensors")
        model = add_biases(src, d / "biased.safetensors", seed=a.bias_seed, scale=a.bias_scale)
        m = load_model(model)
        base = {"model": a.model.name, "bias_seed": a.bias_seed, "bias_scale": a.bias_scale,
                "V": m.exact.d_vocab, "n": m.exact.n_ctx, "d": m.exact.d_model, "h": m.exact.d_head,
                "total": m.exact.d_vocab ** m.exact.n_ctx}
        if not a.no_bf:
            bf = prove_brute_force(m)
            print(json.dumps({**base, "strategy": "brute-force (Python)", "correct": bf.correct,
                              "incorrect": bf.incorrect}), flush=True)
        for name in a.strategies.split(","):
            res = PROVERS[name](m)
            cert = write_json_atomic(res.certificate, d / f"{name}.json")
            py = verify(cert, model).verified_correct
            v = export_coq(cert, model, d / name)
            c0, t0 = children_cpu(), time.perf_counter()
            ok, _, out = run_coqc(v)
            row = {**base, "strategy": name, "claim": res.correct, "python_checker": py, "coq_accepts_claim": ok,
                   "coqc_cpu_s": round(children_cpu() - c0, 1), "coqc_wall_s": round(time.perf_counter() - t0, 1)}
            if not ok:
                row["coq_error"] = out[-300:]
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
