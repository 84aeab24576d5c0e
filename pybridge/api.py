"""The Python API for notebooks: `pybridge.prove` and `pybridge.check`.

    import pybridge
    r = pybridge.prove("model.safetensors", "cubic")     # a path, a loaded model, or a state dict
    r.correct_at_least, r.total, r.bound, r.certificate   # the claim and the JSON-ready certificate
    r.write("model.cubic.json")
    c = pybridge.check("model.cubic.json")                # or the certificate dict
    c.valid, c.correct_at_least, c.reason

`prove` is the untrusted prover; `check` is the trusted checker (pybridge.check), which re-derives
the claim from the model file alone. Unreadable input raises `pybridge.InputError`; an invalid
certificate gives `valid=False` and the first failing step in `reason` (or raises `pybridge.Rejected`
with `strict=True`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pybridge.check.errors import InputError, Rejected


@dataclass
class Proof:
    """A proof found by the prover: its claim and certificate (not yet checked)."""

    result: Any
    model_path: Path
    _tmp_model: bool = False

    @property
    def strategy(self) -> str:
        return self.result.strategy

    @property
    def correct_at_least(self) -> int:
        return self.result.correct

    @property
    def total(self) -> int:
        return self.result.total

    @property
    def bound(self) -> float:
        return self.result.bound

    @property
    def certificate(self) -> dict[str, Any]:
        return self.result.certificate

    def summary(self) -> dict[str, Any]:
        return self.result.summary()

    def write(self, path: str | Path) -> Path:
        """Write the certificate (atomically) naming its model file, a plain name in the same folder (the
        checker reads no other). A model from memory, or from another folder, is first copied beside the
        certificate as `<stem>.model.safetensors`."""
        from pybridge.certio import set_model_file, write_json_atomic

        path = Path(path)
        model = self.model_path
        if self._tmp_model or Path(model).resolve().parent != path.resolve().parent:
            dst = path.with_name(path.stem + ".model" + model.suffix)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(model, dst)
            model = dst
        cert = json.loads(json.dumps(self.certificate))
        set_model_file(cert, model, path)
        return write_json_atomic(cert, path)


@dataclass
class Check:
    """The checker's verdict on a certificate."""

    valid: bool
    reason: str | None = None
    correct_at_least: int | None = None
    total: int | None = None
    statement: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def bound(self) -> float | None:
        return self.correct_at_least / self.total if self.valid and self.total else None


def _model_path(model: Any, family: str | None) -> tuple[Path, str, bool]:
    """(model file, family, whether the file is a temporary one written from memory)."""
    from pybridge import families

    if isinstance(model, (str, os.PathLike)):
        p = Path(model)
        if not p.is_file():
            raise InputError(f"model file {p} does not exist")
        try:
            return p, families.family_of_model(p), False
        except families.UnknownFamily as e:
            raise InputError(str(e)) from None
    path = getattr(model, "path", None)
    if path is not None and Path(path).is_file():  # a loaded pybridge model remembers its file
        return _model_path(path, family)
    if isinstance(model, Mapping):
        fam = families.get(family or "maxofk")
        if fam.from_state_dict is None:
            raise InputError(f"the {fam.name} family cannot read an in-memory state dict")
        tmp = Path(tempfile.mkdtemp(prefix="pybridge-model-")) / "model.safetensors"
        from pybridge.families.errors import ModelFormatError

        try:
            fam.from_state_dict(model, tmp)
        except ModelFormatError as e:
            shutil.rmtree(tmp.parent, ignore_errors=True)
            raise InputError(f"state dict: {e}") from None
        return tmp, fam.name, True
    raise InputError(f"cannot read a model from a {type(model).__name__} (pass a path, a loaded model or a state dict)")


def prove(model: Any, strategy: str, *, variant: str | None = None, params: dict[str, Any] | None = None,
          inputs: list[str | Path] | None = None, family: str | None = None, progress: bool = False) -> Proof:
    """Run `strategy` on `model` (a model-file path, a loaded pybridge model, or a TransformerLens-style
    state dict of the family `family`, default maxofk). Raises InputError for unreadable input,
    `pybridge.families.NoProof` when the strategy's explanation does not fit the model."""
    from pybridge import families
    from pybridge.clikit import UsageError, progress_factory
    from pybridge.families.errors import ModelFormatError

    path, fam_name, tmp = _model_path(model, family)
    fam = families.get(fam_name)
    loaded = model if getattr(model, "path", None) is not None and not isinstance(model, (str, os.PathLike, Mapping)) else path
    try:
        fam.strategy(strategy)
    except families.UnknownFamily as e:
        raise InputError(str(e)) from None
    try:
        res = fam.prove(strategy, loaded, params=params, variant=variant, inputs=[Path(p) for p in inputs or []],
                        progress=progress_factory(progress))
    except (UsageError, ModelFormatError) as e:
        raise InputError(str(e)) from None
    return Proof(res, path, tmp)


def check(cert: str | Path | Mapping[str, Any], model: str | Path | None = None, *, strict: bool = False) -> Check:
    """Check a certificate (a path, or the certificate dict) with the trusted checker. The model is
    `model`, else the certificate's `model.file` (relative to the certificate; to the current
    directory for a dict)."""
    from pybridge.check import verify

    tmpdir = None
    try:
        if isinstance(cert, Mapping):
            tmpdir = Path(tempfile.mkdtemp(prefix="pybridge-cert-"))
            path = tmpdir / "certificate.json"
            path.write_text(json.dumps(cert))
            if model is None and isinstance(cert.get("model"), Mapping) and isinstance(cert["model"].get("file"), str):
                model = Path.cwd() / cert["model"]["file"]
        else:
            path = Path(cert)
        try:
            r = verify(path, model)
        except Rejected as e:
            if strict:
                raise
            return Check(False, str(e))
        return Check(True, None, r.correct_at_least, r.total, r.describe(), dict(r.details))
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
