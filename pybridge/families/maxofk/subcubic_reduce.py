"""Re-check a `subcubic` certificate in Coq through `cubic-count` (docs/CHECKING.md section 6c.4).

Every term of the gap-block test is at most the matching term of the count-block test for the same
block with `K = {0..m-g}`, so the partition of a subcubic certificate is a valid `cubic-count`
certificate for the same claim (up to the rounding of two exp enclosures, which the Python check
below catches). Coq then proves the claim with `check_cubic_count_sound`; the subcubic combination
itself is checked by the Python checker only.
"""

from __future__ import annotations

import json
from pathlib import Path

from pybridge.check.certificate import read_certificate
from pybridge.check.maxofk.cubic_count import count_cubic_count
from pybridge.check.errors import Rejected
from pybridge.check.verify import verify


def as_cubic_count(cert_path: Path, model_path: Path, out_dir: Path) -> Path:
    """Write `<stem>.as-cubic-count.json` in `out_dir` and return its path; raise Rejected if the
    subcubic certificate is invalid or its partition does not carry the claim under section 6b."""
    cache: dict = {}
    verify(cert_path, model_path, cache=cache)  # also leaves the replayed model, tables and enclosures
    ((M, T, W),) = cache.values()
    cert = read_certificate(cert_path)
    doc = json.loads(Path(cert_path).read_text())
    blocks = [[q, m, c, ((1 << (m - g + 1)) - 1) if c else 0] for q, m, c, g, _ in cert.hints["blocks"]]
    count, _ = count_cubic_count(T, W, M.n_ctx, blocks)
    if count < cert.correct_at_least:
        raise Rejected(f"the cubic-count reading of this subcubic partition proves {count} < {cert.correct_at_least}")
    doc["strategy"] = "cubic-count"
    doc["hints"] = {"blocks": blocks}
    doc["prover"] = dict(doc.get("prover", {}), reduced_from="subcubic")
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / (Path(cert_path).stem + ".as-cubic-count.json")
    mfile = doc["model"].get("file")
    if mfile is not None:  # keep the model reference valid from the new location
        import os

        doc["model"]["file"] = os.path.relpath(Path(model_path).resolve(), out.resolve().parent)
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    return out


def reduce_if_subcubic(cert_path: Path, model_path: Path, out_dir: Path) -> Path:
    """The exporters' entry: a subcubic certificate becomes its cubic-count reading; others pass through."""
    try:
        strategy = json.loads(Path(cert_path).read_text()).get("strategy")
    except (OSError, ValueError, AttributeError):
        return cert_path  # the exporter's own reader reports unreadable files
    return as_cubic_count(cert_path, model_path, out_dir) if strategy == "subcubic" else cert_path
