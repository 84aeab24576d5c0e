"""Bench (issue 15): the Lean checker of Proofs/TL/BruteForceTL.lean on the authors' LayerNorm + biases Max-of-2
model (../shared/external/maxof2/MaxOfTwoNumbers.safetensors, V=64, n=2, d=32), through its line-by-line Python
transcription (pybridge/families/maxofk/lean_tl.py). No Lean toolchain exists here, so Lean itself is not run.
For each fixed_bits: import-tl, prove brute force (Python checker's N), then count the inputs the Lean checker
proves on the integers `pybridge export --lean` writes, and whether the export accepts the certificate.
Prints one JSON line per fixed_bits. Run: `python bench/maxofk_external_lean.py [--fixed-bits 48 52]`.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from pybridge.check.certificate import read_certificate
from pybridge.check.maxofk.weights import load_maxofk
from pybridge.families.maxofk.brute_force import prove_brute_force
from pybridge.families.maxofk.common import load_model, write_json_atomic
from pybridge.families.maxofk.export import lean_tl_data, render_lean
from pybridge.families.maxofk.lean_tl import check_bf_tl
from pybridge.families.maxofk.transformerlens import import_tl_state_dict

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT.parent / "shared" / "external" / "maxof2" / "MaxOfTwoNumbers.safetensors"


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixed-bits", type=int, nargs="+", default=[48, 52])
    args = ap.parse_args(argv)
    if not SRC.is_file():
        print(f"skip: {SRC} not present")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        model = import_tl_state_dict(SRC, Path(tmp) / "m2.safetensors")
        M = load_maxofk(model)
        tl, _, _ = lean_tl_data(M)
        for fb in args.fixed_bits:
            params = {"fixed_bits": fb, "exp_squarings": 40}
            res = prove_brute_force(load_model(model), params)
            cert = write_json_atomic(res.certificate, Path(tmp) / f"c{fb}.json")
            c = read_certificate(cert)
            t0 = time.process_time()
            ok, count = check_bf_tl(tl, max(fb, M.s), 40, c.correct_at_least)
            cpu = time.process_time() - t0
            try:
                render_lean(cert, c, model)
                export = "written"
            except ValueError as e:
                export = f"refused: {e}"
            print(json.dumps({"fixed_bits": fb, "exp_squarings": 40, "python_N": c.correct_at_least,
                              "lean_checker_count": count, "lean_accepts_N": ok,
                              "transcription_cpu_s": round(cpu, 1), "export": export}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
