"""Does S4 generalise at the recipe's 40% of pairs with more epochs, or does it need more data?

    nice -n 5 python bench/groupop_s4_probe.py      # about 5 min on one core

Trains the seeds that failed at the recipe's 5000 epochs (test accuracy < 0.9 in groupop_zoo_S4.json)
plus seed 0, with 20000 epochs at 40% of the pairs and with 5000 epochs at 60%, and writes
bench/results/groupop_s4_probe.json (float test accuracy on the held-out pairs; training is deterministic).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

RES = Path(__file__).parent / "results"


def main() -> None:
    from pybridge.families.groupop.model import GroupOpConfig
    from pybridge.families.groupop.train import train_groupop

    zoo = {r["seed"]: r for r in json.loads((RES / "groupop_zoo_S4.json").read_text())}
    seeds = [0] + sorted(s for s, r in zoo.items() if r["float_test_accuracy"] < 0.9)
    out = []
    with tempfile.TemporaryDirectory() as d:
        for s in seeds:
            rec = {"seed": s, "epochs5000_frac40": zoo[s]["float_test_accuracy"]}
            for key, epochs, frac in (("epochs20000_frac40", 20000, 0.4), ("epochs5000_frac60", 5000, 0.6)):
                tr = train_groupop(GroupOpConfig("S4"), seed=s, epochs=epochs, train_fraction=frac,
                                   out=Path(d) / "m.safetensors", quiet=True)
                rec[key] = tr.test_accuracy
            out.append(rec)
            print(rec, flush=True)
    (RES / "groupop_s4_probe.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
