"""Prover-side certificate I/O (untrusted): the result of a proof, and atomic writing of the
certificate file (never a partial file). Reading is the trusted checker's (`check/certificate.py`)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ProofResult:
    strategy: str
    correct: int
    total: int
    incorrect: int | None
    flops: int
    seconds: float
    certificate: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def bound(self) -> float:
        return self.correct / self.total

    def summary(self) -> dict[str, Any]:
        out = {
            "strategy": self.strategy,
            "correct_at_least": self.correct,
            "total": self.total,
            "bound": self.bound,
            "flops": self.flops,
            "seconds": round(self.seconds, 3),
        }
        if self.incorrect is not None:
            out["incorrect_at_least"] = self.incorrect
            out["accuracy_at_most"] = 1 - self.incorrect / self.total
        out.update(self.extra)
        return out


def write_json_atomic(obj: dict[str, Any], out: str | Path) -> Path:
    """Write JSON to a temporary file in the target directory, then rename: never a partial file."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=out.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, separators=(",", ":"))
            f.write("\n")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out


def relative_model_file(model_path: Path, cert_out: Path) -> str | None:
    """The certificate's `model.file`: the model's plain file name when it sits in the certificate's folder,
    else None (the checker accepts only plain names in its own folder; such certificates need --model)."""
    model_path, folder = Path(model_path).resolve(), Path(cert_out).resolve().parent
    return model_path.name if model_path.parent == folder else None


def set_model_file(cert: dict, model_path: Path, cert_out: Path) -> None:
    """Record the model file in `cert["model"]` (a plain name in the certificate's folder) or omit it."""
    name = relative_model_file(model_path, cert_out)
    if name is None:
        cert["model"].pop("file", None)
    else:
        cert["model"]["file"] = name
