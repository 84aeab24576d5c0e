"""Regenerate the example certificates shipped in certificates/ (deterministic).

    python scripts/make_examples.py

Writes models, certificates and `certificates/index.json`, which lists for each certificate whether
CI re-checks it with Coq (all of them are re-checked by the Python checker).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pybridge.families.maxofk.model import MaxOfKConfig
from pybridge.families.maxofk.common import load_model, relative_model_file, write_json_atomic
from pybridge.api import prove as _api_prove


def prove(m, strategy):
    return _api_prove(m, strategy).result
from pybridge.families.maxofk.train import train_maxofk

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "certificates"
SHIPPED = ROOT / "pybridge" / "data" / "maxofk-v64-n4-seed0.safetensors"

# (model stem, config or None for the shipped V=64 model, seed, steps, [(strategy, coq?)]);
# subcubic is re-checked in Coq through its cubic-count reading by tests/test_subcubic.py, so coq=False here
EXAMPLES = [
    ("maxofk-v5-n3-seed1", MaxOfKConfig(5, 3, 8, 8), 1, 600, [("brute-force", True), ("cubic", True), ("cubic-count", True), ("subcubic", False)]),
    ("maxofk-v64-n4-seed0", None, 0, 3000, [("brute-force", False), ("cubic", True), ("cubic-count", True), ("subcubic", False)]),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    index = []
    for stem, cfg, seed, steps, strategies in EXAMPLES:
        model = OUT / f"{stem}.safetensors"
        if cfg is None:
            shutil.copyfile(SHIPPED, model)
        else:
            train_maxofk(cfg, seed=seed, steps=steps, out=model, quiet=True)
        m = load_model(model)
        for strategy, coq in strategies:
            cert = OUT / f"{stem}.{strategy}.json"
            res = prove(m, strategy)
            res.certificate["model"]["file"] = relative_model_file(model, cert)
            write_json_atomic(res.certificate, cert)
            index.append({"certificate": cert.name, "model": model.name, "strategy": strategy,
                          "correct_at_least": res.correct, "total": res.total, "coq": coq})
            print(f"{cert.name}: {res.correct}/{res.total}")
    # keep the entries this script does not make (e.g. the groupop certificates)
    mine = {e["certificate"] for e in index}
    old = json.loads((OUT / "index.json").read_text()) if (OUT / "index.json").exists() else []
    index += [e for e in old if e["certificate"] not in mine and not e["certificate"].startswith(tuple(x[0] for x in EXAMPLES))]
    (OUT / "index.json").write_text(json.dumps(index, indent=1) + "\n")


if __name__ == "__main__":
    main()
