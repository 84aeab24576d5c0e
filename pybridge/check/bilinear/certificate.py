"""Trusted: the bilinear part of a certificate (strict schema).

Strategies and their claims (`claim` object):
- `brute-force`: `correct_at_least`, `total` (= P^2)[, `incorrect_at_least`]; no hints.
- `equivalent`:  `lambda` ("p/q", > 0): `Bs_B = lambda Bs_A`, hence `f_B(x) = lambda f_A(x)` for every x.
- `similarity`:  `cosine_at_least` ("p/q" in [0, 1]): `<A,B> >= 0` and `<A,B>^2 >= c^2 <A,A><B,B>`.
- `distance`:    `delta` ("p/q" >= 0): `|f_A(x)_o - f_B(x)_o| <= delta |x|^2` for every real x and output o
                 (from the per-output Frobenius norm; no hints).
- `spectral`:    the same claim from exact LDL^T certificates (`hints.ldl`, check/bilinear/spectral.py).
`model.layers` (optional, default 1) is the number of bilinear layers (deep.py: several layers and
residual blocks; the claims then concern the per-layer symmetrised tensors T, docs/CHECKING.md section 11).
Two-model claims name the second model by hash (`hints.model_b_sha256`) and file (`model.model_b_file`).
"""

from __future__ import annotations

import re
from fractions import Fraction

from pybridge.check.bilinear.deep import MAX_LAYERS
from pybridge.check.certificate import Certificate, int_field, sha256_field
from pybridge.check.errors import InputError

STRATEGIES = ("brute-force", "equivalent", "similarity", "distance", "spectral")
TWO_MODEL = {"equivalent": "lambda", "similarity": "cosine_at_least", "distance": "delta", "spectral": "delta"}
SHAPE_KEYS = ("d_in", "d_hidden", "n_out")
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,254}", re.ASCII)
_RAT = re.compile(r"(-?)([0-9]{1,400})/([0-9]{1,400})", re.ASCII)


def rational(v: object, where: str) -> Fraction:
    """A `"p/q"` string (ASCII decimal, q >= 1) as an exact Fraction."""
    m = _RAT.fullmatch(v) if isinstance(v, str) else None
    if m is None or int(m.group(3)) == 0:
        raise InputError(f"certificate field {where} must be a string 'p/q' (decimal integers, q >= 1)")
    return Fraction(int(m.group(1) + m.group(2)), int(m.group(3)))


def fmt(q: Fraction) -> str:
    return f"{q.numerator}/{q.denominator}"


def parse(doc: dict) -> Certificate:
    strategy = doc.get("strategy")
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r} for family bilinear (known: {', '.join(STRATEGIES)})")
    sha = sha256_field(doc)
    model = doc.get("model")
    allowed = set(SHAPE_KEYS) | {"file", "layers"} | ({"model_b_file"} if strategy in TWO_MODEL else set())
    if not isinstance(model, dict) or not set(model) <= allowed or not set(SHAPE_KEYS) <= set(model):
        raise InputError(f"certificate field model must hold {', '.join(SHAPE_KEYS)}[, layers, file"
                         + (", model_b_file]" if strategy in TWO_MODEL else "]"))
    shape = {k: int_field(model, k, "model", 1, 1 << 24) for k in SHAPE_KEYS}
    if "layers" in model and int_field(model, "layers", "model", 1, MAX_LAYERS) > 1:
        shape["layers"] = model["layers"]  # depth >= 2 (absent or 1: one layer)
    mfile = model.get("file")
    if mfile is not None and not isinstance(mfile, str):
        raise InputError("certificate field model.file must be a string")
    if doc.get("params", {}) != {}:
        raise InputError("certificate field params must be empty for bilinear certificates")
    claim = doc.get("claim")
    hints = doc.get("hints", {})
    if not isinstance(hints, dict):
        raise InputError("certificate field hints must be an object")
    if strategy == "brute-force":
        if not isinstance(claim, dict) or not set(claim) <= {"correct_at_least", "total", "incorrect_at_least"}:
            raise InputError("certificate field claim must hold correct_at_least, total[, incorrect_at_least]")
        total = int_field(claim, "total", "claim", 1)
        N = int_field(claim, "correct_at_least", "claim", 0)
        inc = int_field(claim, "incorrect_at_least", "claim", 0) if "incorrect_at_least" in claim else None
        if hints != {}:
            raise InputError("brute-force certificates take no hints")
        return Certificate("brute-force", sha, shape, mfile, 0, 0, N, total, inc, {}, "bilinear")
    key = TWO_MODEL[strategy]
    if not isinstance(claim, dict) or set(claim) != {key}:
        raise InputError(f"certificate field claim must hold exactly {key} ('p/q')")
    value = rational(claim[key], f"claim.{key}")
    if strategy == "equivalent" and value <= 0:
        raise InputError("claim.lambda must be positive")
    if strategy == "similarity" and not 0 <= value <= 1:
        raise InputError("claim.cosine_at_least must be in [0, 1]")
    if strategy in ("distance", "spectral") and value < 0:
        raise InputError("claim.delta must be non-negative")
    want = {"model_b_sha256", "ldl"} if strategy == "spectral" else {"model_b_sha256"}
    if set(hints) != want:
        raise InputError(f"certificate field hints must hold exactly {', '.join(sorted(want))}")
    b_sha = sha256_field({"model_sha256": hints["model_b_sha256"]})
    bfile = model.get("model_b_file")
    if not isinstance(bfile, str) or not _PLAIN.fullmatch(bfile) or ".." in bfile:
        raise InputError("certificate field model.model_b_file must be a plain file name in the certificate's folder")
    return Certificate(strategy, sha, shape, mfile, 0, 0, 1, 1, None,
                       {"value": value, "model_b_sha256": b_sha, "model_b_file": bfile, "ldl": hints.get("ldl")},
                       "bilinear")
