"""Exact vs float64 time of one tensor similarity (three Gram sums) at the grokking size, single-threaded CPU
time (the heatmap bench runs under BLAS threads on a shared machine, which distorts the float timing).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python bench/bilinear_timing.py A.safetensors B.safetensors
"""

from __future__ import annotations

import sys
import time


def main() -> None:
    from pybridge.check.bilinear.model import gram, load_bilinear
    from pybridge.families.bilinear.model import folded, load_tensors
    from pybridge.families.bilinear.similarity import Similarity, float_cosine

    a, b = sys.argv[1], sys.argv[2]
    A, B = load_bilinear(a), load_bilinear(b)
    fa, fb = folded(load_tensors(a)[0]), folded(load_tensors(b)[0])
    reps = 3
    t0 = time.process_time()
    for _ in range(reps):
        S = Similarity(A, B, gram(A, B), gram(A, A), gram(B, B), 0.0)
    te = (time.process_time() - t0) / reps
    t0 = time.process_time()
    for _ in range(100):
        c = float_cosine(*fa, *fb)
    tf = (time.process_time() - t0) / 100
    lo, hi = S.cosine_bracket()
    print(f"| d_in {A.d_in}, H {A.d_hidden}/{B.d_hidden}, outputs {A.n_out} | exact {te:.3f} s CPU | float64 "
          f"{tf * 1e3:.3f} ms CPU | {te / tf:.0f}x | cos exact in [{float(lo):.12f}, {float(hi):.12f}], float {c:.12f} |")


if __name__ == "__main__":
    main()
