"""Tests for pybridge.families.maxofk.model: forward semantics, file format, loader refusals, atomic writes."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from pybridge.families.maxofk.model import (
    MaxOfKConfig,
    MaxOfKTransformer,
    ModelFormatError,
    load_torch,
    reference_logits,
    save_maxofk,
)
from pybridge.families.maxofk.model import WEIGHT_NAMES, correct_mask, load_state, model_sha256
from pybridge.families.stio import atomic_write_bytes, serialize_safetensors

def numpy_logits(w: dict[str, np.ndarray], tokens: np.ndarray, d_head: int) -> np.ndarray:
    """Independent float64 re-implementation: causal attention, logits at every position [B,L,V]."""
    E, P, WU = w["embed.W_E"], w["pos_embed.W_pos"], w["unembed.W_U"]
    WQ, WK, WV, WO = (w[f"blocks.0.attn.W_{c}"][0] for c in "QKVO")
    B, L = tokens.shape
    out = np.zeros((B, L, E.shape[0]))
    for b in range(B):
        x = np.stack([E[tokens[b, i]] + P[i] for i in range(L)])
        for qpos in range(L):
            s = np.array([(x[qpos] @ WQ) @ (x[i] @ WK) for i in range(qpos + 1)]) / np.sqrt(d_head)
            a = np.exp(s - s.max())
            a /= a.sum()
            attn = sum(a[i] * (x[i] @ WV) for i in range(qpos + 1)) @ WO
            out[b, qpos] = (x[qpos] + attn) @ WU
    return out


def random_model(cfg: MaxOfKConfig, seed: int, dtype: torch.dtype = torch.float64, scale: float = 1.0) -> MaxOfKTransformer:
    m = MaxOfKTransformer(cfg, generator=torch.Generator().manual_seed(seed), dtype=dtype)
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(scale)
    return m


configs = st.builds(
    MaxOfKConfig,
    d_vocab=st.integers(2, 9),
    n_ctx=st.integers(1, 4),
    d_model=st.integers(1, 6),
    d_head=st.integers(1, 6),
)


@settings(max_examples=40, deadline=None)
@given(cfg=configs, seed=st.integers(0, 2**31), scale=st.sampled_from([0.1, 1.0, 4.0]))
def test_forward_matches_numpy(cfg: MaxOfKConfig, seed: int, scale: float) -> None:
    m = random_model(cfg, seed, scale=scale)
    g = torch.Generator().manual_seed(seed + 1)
    L = int(torch.randint(1, cfg.n_ctx + 1, (1,), generator=g))
    tokens = torch.randint(0, cfg.d_vocab, (5, L), generator=g)
    w = {k: v.detach().numpy() for k, v in m.weights().items()}
    expect = numpy_logits(w, tokens.numpy(), cfg.d_head)
    got = m(tokens).detach().numpy()
    tol = 1e-9 * (1 + np.abs(expect).max())
    assert np.abs(got - expect).max() <= tol
    ref = reference_logits(m, tokens).numpy()
    assert np.abs(ref - expect[:, -1]).max() <= tol


def test_float32_forward_close_to_float64_reference() -> None:
    cfg = MaxOfKConfig()
    m = random_model(cfg, 0, dtype=torch.float32)
    tokens = torch.randint(0, 64, (64, 4), generator=torch.Generator().manual_seed(1))
    ref = reference_logits(m, tokens)
    assert ref.dtype == torch.float64
    assert (m.last_logits(tokens).double() - ref).abs().max() < 1e-4


def test_parameter_names_and_shapes_follow_transformerlens() -> None:
    cfg = MaxOfKConfig(d_vocab=7, n_ctx=3, d_model=5, d_head=4)
    sd = MaxOfKTransformer(cfg).state_dict()
    assert list(sd) == list(WEIGHT_NAMES)
    assert {k: tuple(v.shape) for k, v in sd.items()} == cfg.weight_shapes()


def test_correct_mask_counts_ties_as_failures() -> None:
    tokens = torch.tensor([[0, 2], [1, 0], [2, 2]])
    logits = torch.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [5.0, 0.0, 1.0]])
    assert correct_mask(logits, tokens).tolist() == [True, False, False]


def test_save_load_round_trip(tmp_path: Path) -> None:
    cfg = MaxOfKConfig(d_vocab=6, n_ctx=3, d_model=4, d_head=2)
    m = random_model(cfg, 3, dtype=torch.float32)
    path = save_maxofk(m, tmp_path / "m.safetensors", {"seed": 7, "training": {"lr": 1e-3}})
    back = load_torch(path)
    assert back.cfg == cfg
    for k, v in m.weights().items():
        assert torch.equal(back.weights()[k], v)
    meta = back.file_metadata
    assert meta["pybridge_family"] == "maxofk" and meta["d_vocab"] == "6" and meta["n_ctx"] == "3"
    assert meta["d_model"] == "4" and meta["d_head"] == "2" and meta["seed"] == "7"
    assert json.loads(meta["training"]) == {"lr": 1e-3}
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        assert set(f.keys()) == set(WEIGHT_NAMES)
        assert all(f.get_tensor(k).dtype == torch.float32 for k in f.keys())


def test_float64_weights_saved_as_float32_by_default_and_float64_on_request(tmp_path: Path) -> None:
    m = random_model(MaxOfKConfig(4, 2, 3, 3), 5, dtype=torch.float64)
    a = load_torch(save_maxofk(m, tmp_path / "a.safetensors"))
    b = load_torch(save_maxofk(m, tmp_path / "b.safetensors", dtype=torch.float64))
    assert a.embed.W_E.dtype == torch.float32
    assert b.embed.W_E.dtype == torch.float64 and torch.equal(b.embed.W_E, m.embed.W_E)


def test_sha_agrees_with_trusted_checker(tmp_path: Path) -> None:
    weights_mod = pytest.importorskip("pybridge.check.maxofk.weights")
    m = random_model(MaxOfKConfig(5, 3, 4, 4), 11, dtype=torch.float32)
    path = save_maxofk(m, tmp_path / "m.safetensors")
    assert weights_mod.load_maxofk(path).sha256 == model_sha256(m.weights())


def test_bytes_do_not_depend_on_insertion_order(tmp_path: Path) -> None:
    m = random_model(MaxOfKConfig(5, 3, 4, 4), 2, dtype=torch.float32)
    w = m.weights()
    meta1 = {"seed": 2, "training": {"b": 1, "a": [1, 2]}, "zz": "x", "aa": "y"}
    meta2 = {"aa": "y", "training": {"a": [1, 2], "b": 1}, "zz": "x", "seed": 2}
    a = save_maxofk(w, tmp_path / "a", meta1)
    b = save_maxofk(dict(reversed(list(w.items()))), tmp_path / "b", meta2)
    assert a.read_bytes() == b.read_bytes()


def _write_raw(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, str]) -> Path:
    path.write_bytes(serialize_safetensors(tensors, meta))
    return path


def _good(cfg: MaxOfKConfig) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    m = random_model(cfg, 1, dtype=torch.float32)
    meta = {"pybridge_family": "maxofk", "d_vocab": str(cfg.d_vocab), "n_ctx": str(cfg.n_ctx),
            "d_model": str(cfg.d_model), "d_head": str(cfg.d_head)}
    return {k: v.detach().clone() for k, v in m.weights().items()}, meta


def _nan(t: dict[str, torch.Tensor], m: dict[str, str]) -> None:
    t["blocks.0.attn.W_V"][0, 0, 0] = float("nan")


def _inf(t: dict[str, torch.Tensor], m: dict[str, str]) -> None:
    t["unembed.W_U"][1, 1] = float("-inf")


BAD_FILES = {
    "missing": lambda t, m: t.pop("blocks.0.attn.W_O"),
    "shape": lambda t, m: t.__setitem__("unembed.W_U", torch.zeros(4, 6)),
    "nan": _nan,
    "inf": _inf,
    "bias": lambda t, m: t.__setitem__("unembed.b_U", torch.ones(5)),
    "bias_shape": lambda t, m: t.__setitem__("blocks.0.attn.b_O", torch.zeros(3)),
    "unknown": lambda t, m: t.__setitem__("blocks.1.attn.W_Q", torch.zeros(1, 4, 4)),
    "family": lambda t, m: m.__setitem__("pybridge_family", "groupop"),
    "meta_int": lambda t, m: m.__setitem__("d_vocab", "five"),
    "meta_mismatch": lambda t, m: m.__setitem__("n_ctx", "4"),
    "dtype": lambda t, m: t.__setitem__("embed.W_E", t["embed.W_E"].half()),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_loader_refuses_with_one_line_message(tmp_path: Path, case: str) -> None:
    tensors, meta = _good(MaxOfKConfig(5, 3, 4, 4))
    BAD_FILES[case](tensors, meta)
    path = _write_raw(tmp_path / "bad.safetensors", tensors, meta)
    with pytest.raises(ModelFormatError) as e:
        load_torch(path)
    assert "\n" not in str(e.value) and str(e.value)


def test_loader_accepts_zero_biases(tmp_path: Path) -> None:
    cfg = MaxOfKConfig(5, 3, 4, 4)
    tensors, meta = _good(cfg)
    tensors.update({k: torch.zeros(s) for k, s in cfg.bias_shapes().items()})
    weights, _, got = load_state(_write_raw(tmp_path / "ok.safetensors", tensors, meta))
    assert got == cfg and set(weights) == set(WEIGHT_NAMES)


@pytest.mark.parametrize("content", [b"", b"\x08\x00\x00\x00\x00\x00\x00\x00{}", b"not a file at all"])
def test_loader_refuses_corrupt_files(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "c.safetensors"
    p.write_bytes(content)
    with pytest.raises(ModelFormatError) as e:
        load_torch(p)
    assert "\n" not in str(e.value)


def test_loader_refuses_truncated_file(tmp_path: Path) -> None:
    p = save_maxofk(random_model(MaxOfKConfig(5, 3, 4, 4), 0), tmp_path / "t.safetensors")
    p.write_bytes(p.read_bytes()[:-10])
    with pytest.raises(ModelFormatError):
        load_torch(p)
    with pytest.raises(ModelFormatError):
        load_torch(tmp_path / "does-not-exist.safetensors")


def test_save_refuses_invalid_weights_and_writes_nothing(tmp_path: Path) -> None:
    tensors, _ = _good(MaxOfKConfig(5, 3, 4, 4))
    tensors["embed.W_E"][0, 0] = float("nan")
    with pytest.raises(ModelFormatError) as e:
        save_maxofk(tensors, tmp_path / "x.safetensors")
    assert "\n" not in str(e.value)
    assert list(tmp_path.iterdir()) == []
    huge = {k: v.double() for k, v in _good(MaxOfKConfig(5, 3, 4, 4))[0].items()}
    huge["embed.W_E"][0, 0] = 1e300  # finite in float64, overflows float32
    with pytest.raises(ModelFormatError):
        save_maxofk(huge, tmp_path / "y.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_contradicting_metadata(tmp_path: Path) -> None:
    m = random_model(MaxOfKConfig(5, 3, 4, 4), 0)
    with pytest.raises(ModelFormatError):
        save_maxofk(m, tmp_path / "x.safetensors", {"d_vocab": 6})
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_leaves_old_file_and_no_temp_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "m.safetensors"
    target.write_bytes(b"old")

    def boom(src: str, dst: str) -> None:
        raise OSError("simulated failure")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        save_maxofk(random_model(MaxOfKConfig(5, 3, 4, 4), 0), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]
    monkeypatch.undo()
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_serialized_header_is_aligned_and_sorted() -> None:
    data = serialize_safetensors({"b": torch.zeros(2), "a": torch.ones(1, 3)}, {"z": "1", "a": "2"})
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0
    header = json.loads(data[8 : 8 + n])
    assert list(header) == ["__metadata__", "a", "b"] and list(header["__metadata__"]) == ["a", "z"]
    assert len(data) == 8 + n + 4 * 5
