"""Model families (prover side, untrusted): one package per family, one line each in `REGISTRY`.

A family is a kind of model (or function) with its own semantics. Its package
`pybridge/families/<name>/` exposes `FAMILY`, a `Family` that declares everything the CLI, the Python
API, the exporters and the audit dispatch on: the model-file loader, training, strategies, the Coq and
Lean exporters and library folders, and the audit. Its trusted checker lives beside it in
`pybridge/check/<name>/` (registered in `pybridge/check/registry.py`). docs/ARCHITECTURE.md has the
recipe for adding one.
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# family name (the model file's `pybridge_family` tag and the certificate's `family`) -> package
REGISTRY: dict[str, str] = {
    "maxofk": "pybridge.families.maxofk",
    "groupop": "pybridge.families.groupop",
    "bilinear": "pybridge.families.bilinear",
    "tprog": "pybridge.families.tprog",
    "function": "pybridge.families.function",
}

ProgressFactory = Callable[[str, int], Callable[[int], None]]


class UnknownFamily(ValueError):
    """A model file or certificate names no family pybridge knows."""


class NoProof(Exception):
    """The strategy's explanation does not fit this model (one-line reason); no certificate is written."""


@dataclass
class ProveRequest:
    """What a strategy gets besides the model file: family parameters (`--param K=V`, and the
    Max-of-k `--fixed-bits/--exp-squarings`), a variant, extra input files (`--with`), a progress factory."""

    params: dict[str, Any] = field(default_factory=dict)
    variant: str | None = None
    inputs: list[Path] = field(default_factory=list)
    progress: ProgressFactory | None = None


@dataclass(frozen=True)
class Strategy:
    """A proof strategy: `prove(model, request) -> ProofResult` (a certificate dict and its claim)."""

    name: str
    description: str
    prove: Callable[[Any, ProveRequest], Any]
    variants: Callable[[], list[str]] | None = None


@dataclass(frozen=True)
class Family:
    """Everything pybridge knows about one family (see the module docstring)."""

    name: str
    description: str
    strategies: tuple[Strategy, ...]
    load: Callable[[Path], Any]
    """Read a model file of this family (prover side)."""
    add_train_parser: Callable[[Any], None] | None = None
    """Register `pybridge train <name> ...` on the `train` subparsers."""
    add_commands: Callable[[Any], None] | None = None
    """Register the family's own top-level commands (e.g. `pybridge similarity`) on the CLI's subparsers."""
    render_coq: Callable[..., str] | None = None
    """`render_coq(cert_path, cert, model_path, print_assumptions=True) -> .v text` (data only + fixed statement)."""
    render_lean: Callable[..., tuple[str, str]] | None = None
    """`render_lean(cert_path, cert, model_path) -> (module base name, .lean text)`."""
    prepare_export: Callable[[Path, Path, Path], Path] | None = None
    """Optional: rewrite a certificate before export (e.g. subcubic -> its cubic-count reading)."""
    coq_library: str | None = None
    """Folder of the family's Coq library (relative to the repository root)."""
    lean_library: str | None = None
    """Folder or files of the family's Lean mirror (relative to the repository root)."""
    audit: Callable[[Path, Path], dict[str, Any]] | None = None
    """`audit(cert_path, model_path) -> report` (steps with what justifies each)."""
    justify: Callable[[], dict[str, tuple[str, str, str]]] | None = None
    """The audit table: step key -> (Python checker function, Coq lemma, Lean theorem)."""
    from_state_dict: Callable[[Any, Path], Path] | None = None
    """Optional: write a model file of this family from an in-memory state dict (Python API)."""
    coq_expected: Callable[[Any], str] | None = None
    """Optional (issue 10): `coq_expected(cert) -> str`, the exact output of `Check PybridgeCert.Cert.cert_correct.`
    under `Set Printing All` when the exported file is compiled as module `PybridgeCert.Cert` (e.g.
    "Cert.cert_correct\n     : Spec.accuracy_at_least Cert.cert_model Cert.cert_N\n"; see
    `pybridge.export.coq.statement_text`). `pybridge verify --coq` rejects any other statement. Without it,
    only the theorem name and `Print Assumptions` are checked."""
    coq_expected_model: Callable[[Any, Path], str] | None = None
    """Optional (issue 15): as `coq_expected`, when the statement depends on the model file too
    (`coq_expected_model(cert, model_path)`); `pybridge verify --coq` prefers it when set."""

    def strategy(self, name: str) -> Strategy:
        for s in self.strategies:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.strategies)
        raise UnknownFamily(f"strategy '{name}' is not available for {self.name} models (known: {known})")

    def prove(self, strategy: str, model: Any, *, params: dict[str, Any] | None = None, variant: str | None = None,
              inputs: list[Path] | None = None, progress: ProgressFactory | None = None) -> Any:
        """Run the named strategy on `model` (a model-file path or a loaded model): the one place the CLI
        and the Python API build a ProveRequest. Raises UnknownFamily for an unknown strategy, NoProof when
        the strategy's explanation does not fit; returns its ProofResult (nothing is written)."""
        req = ProveRequest(params=dict(params or {}), variant=variant, inputs=list(inputs or []), progress=progress)
        return self.strategy(strategy).prove(model, req)


def names() -> list[str]:
    return list(REGISTRY)


def get(name: str) -> Family:
    """The family called `name` (its package is imported on first use)."""
    if name not in REGISTRY:
        raise UnknownFamily(f"unknown model family {name!r} (known: {', '.join(REGISTRY)})")
    return importlib.import_module(REGISTRY[name]).FAMILY


def all_families() -> list[Family]:
    return [get(n) for n in REGISTRY]


def family_of_model(path: str | Path) -> str:
    """The family tag of a model file: the `pybridge_family` metadata of a safetensors file, or the
    `pybridge_family` key of a JSON model file. UnknownFamily if there is none; OSError if unreadable."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(1)
    if head == b"{":
        if path.stat().st_size > 64 << 20:
            raise UnknownFamily(f"model file {path} is larger than 64 MiB")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise UnknownFamily(f"model file {path} is not valid JSON ({type(e).__name__})") from None
        tag = doc.get("pybridge_family") if isinstance(doc, dict) else None
    else:
        try:
            from safetensors import safe_open

            with safe_open(str(path), framework="numpy") as f:
                tag = (f.metadata() or {}).get("pybridge_family")
        except Exception as e:  # the safetensors parser raises its own types on corrupt files
            raise UnknownFamily(f"model file {path} is not a readable safetensors file: "
                                f"{(str(e).splitlines() or [type(e).__name__])[0]}") from None
    if tag is None:
        raise UnknownFamily(f"model file {path} has no pybridge_family tag (is it a pybridge model?)")
    if tag not in REGISTRY:
        raise UnknownFamily(f"model file {path}: unknown model family {tag!r} (known: {', '.join(REGISTRY)})")
    return tag


def add_train_parsers(tsub: argparse._SubParsersAction) -> None:
    for fam in all_families():
        if fam.add_train_parser is not None:
            fam.add_train_parser(tsub)


def add_family_commands(sub: argparse._SubParsersAction) -> None:
    """Every family's own top-level commands (Family.add_commands)."""
    for fam in all_families():
        if fam.add_commands is not None:
            fam.add_commands(sub)
