"""Bench (issue 15): Coq re-check of the brute-force certificate of the authors' LayerNorm + biases Max-of-2
model (../shared/external/maxof2/MaxOfTwoNumbers.safetensors, V=64, n=2, d=32): import-tl, prove brute force,
then (with fixed_bits 48, or --fixed-bits F) `pybridge verify --coq`'s strict path (statement SpecTL.accuracy_at_least, standard axioms only).
Prints one JSON line (result, coqc wall seconds, coqc child CPU seconds). Run: `python bench/maxofk_external_coq.py [--fixed-bits 52]`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from pybridge import families
from pybridge.check.certificate import read_certificate
from pybridge.export.coq import build_library, verify_coq_strict
from pybridge.families.maxofk.brute_force import prove_brute_force
from pybridge.families.maxofk.common import load_model, write_json_atomic
from pybridge.families.maxofk.transformerlens import import_tl_state_dict

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT.parent / "shared" / "external" / "maxof2" / "MaxOfTwoNumbers.safetensors"


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixed-bits", type=int, default=48,
                    help="brute-force grid bits (48: claim 4075; 52 and above: the exact 4077 in Python)")
    fixed_bits = ap.parse_args(argv).fixed_bits
    if not SRC.is_file():
        print(f"skip: {SRC} not present")
        return 0
    build_library()
    with tempfile.TemporaryDirectory() as tmp:
        model = import_tl_state_dict(SRC, Path(tmp) / "m2.safetensors")
        # fixed_bits 48: the Coq grid is max(fixed_bits, s) = 48 bits for this model (s = 38); at the default 80
        # the Coq run costs about 2.7x more (bench/results/maxofk_external.md, section "Coq")
        res = prove_brute_force(load_model(model), {"fixed_bits": fixed_bits, "exp_squarings": 40})
        cert = write_json_atomic(res.certificate, Path(tmp) / "bf.json")
        expected = families.get("maxofk").coq_expected_model(read_certificate(cert), model)
        c0, w0 = os.times(), time.perf_counter()
        ok, secs, why, _ = verify_coq_strict(cert, model, Path(tmp) / "coq", expected, timeout=7200)
        c1, w1 = os.times(), time.perf_counter()
        row = {"model": "MaxOfTwoNumbers", "strategy": "brute-force", "claim": res.correct, "total": 4096,
               "fixed_bits": res.certificate["params"]["fixed_bits"],
               "exp_squarings": res.certificate["params"]["exp_squarings"],
               "coq_accepted": ok, "reason": why, "coqc_wall_s": round(w1 - w0, 1),
               "coqc_cpu_s": round((c1.children_user + c1.children_system) - (c0.children_user + c0.children_system), 1)}
        print(json.dumps(row), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
