"""Issue 15: the per-query weight shift C before and after it ranged over possible keys only, on random biased
Max-of-k models (the ranges of tests/model_strategies.py with n >= 2), brute-force lower bounds against the exact
count of tests/reference.py.

For each model: the brute-force lower bound with the tables before the fix (pybridge/check/maxofk/tables.py at
commit c579f0c, read with `git show`), with the current tables, and with the current tables and the alignment
clamp lifted (align_bits -> 2^20); a bound is "loose" when below exact - ambiguous - total // 1000 (the test's
tightness criterion). Reference counts are computed only for models where some real key's enclosure is 0.

    python bench/maxofk_shift_c.py --models 2000 --seed 7
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from reference import reference_counts, write_model  # noqa: E402

from pybridge.check.maxofk import tables  # noqa: E402
from pybridge.check.maxofk.bruteforce import classify_exact  # noqa: E402
from pybridge.check.maxofk.weights import load_maxofk  # noqa: E402

BEFORE = "c579f0c"  # the last commit with C = max over every (token, position)


def old_tables(tmp: Path):
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{BEFORE}:pybridge/check/maxofk/tables.py"],
                         check=True, capture_output=True, text=True).stdout
    path = tmp / "tables_before.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("tables_before", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["tables_before"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fixed-bits", type=int, default=80)
    ap.add_argument("--exp-squarings", type=int, default=40)
    a = ap.parse_args()
    P, K = a.fixed_bits, a.exp_squarings
    rng = random.Random(a.seed)
    cfgs = [(rng.randint(2, 6), rng.randint(2, 3), rng.randint(1, 4), rng.randint(1, 4), rng.choice([0.1, 1.0, 3.0]),
             rng.randint(0, 10000)) for _ in range(a.models)]
    stats: Counter = Counter()
    clamp = tables.align_bits
    with tempfile.TemporaryDirectory() as tmp:
        before = old_tables(Path(tmp))
        for V, n, d, h, scale, seed in cfgs:
            path = write_model(Path(tmp) / "m.safetensors", V, n, d, h, seed=seed, scale=scale, biases=True)
            M = load_maxofk(path)
            T = tables.exact_tables(M)
            real = [(q, t, i) for q in range(V) for t in range(V) for i in range(n) if i < n - 1 or t == q]
            res = {}
            for name, mod, bits in (("before", before, None), ("after", tables, None), ("after_no_clamp", tables, 1 << 20)):
                tables.align_bits = (lambda _P, b=bits: b) if bits else clamp
                W = mod.weight_enclosures(M, T, P, K)
                tables.align_bits = clamp
                under = sum(W.WLO[q][t][i] == 0 for q, t, i in real)
                bf = sum(classify_exact(t, T, W) == 1 for t in itertools.product(range(V), repeat=n))
                res[name] = (under, bf)
            if not (res["before"][0] or res["after"][0]):
                continue
            good, bad, amb = reference_counts(path)
            floor = good - amb - V**n // 1000
            for name, (under, bf) in res.items():
                stats[f"{name}: models with a real key's enclosure 0"] += under > 0
                stats[f"{name}: loose brute-force bounds"] += bf < floor
                stats[f"{name}: inputs proven (on these models)"] += bf
            if res["before"][1] != res["after"][1]:
                print(f"V={V} n={n} d={d} h={h} scale={scale} seed={seed}: brute force before {res['before'][1]}, "
                      f"after {res['after'][1]}, without the clamp {res['after_no_clamp'][1]}; exact {good} (+{amb} ambiguous)",
                      flush=True)
    print(f"{a.models} random biased models (fixed_bits {P}, exp_squarings {K}):")
    for key in sorted(stats):
        print(f"  {key}: {stats[key]}")


if __name__ == "__main__":
    main()
