"""Tests for pybridge.families.maxofk.train: byte-level determinism, recipe metadata, learning a tiny task."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from pybridge.families.maxofk.model import MaxOfKConfig, load_torch
from pybridge.families.maxofk.train import train_maxofk
from pybridge.families.maxofk.train import derive_seed, max_log1p_cross_entropy

TINY = MaxOfKConfig(d_vocab=5, n_ctx=3, d_model=8, d_head=8)


def test_same_seed_same_bytes_different_seed_different_bytes(tmp_path: Path) -> None:
    a = train_maxofk(TINY, seed=3, steps=25, batch_size=32, out=tmp_path / "a.safetensors", quiet=True)
    b = train_maxofk(TINY, seed=3, steps=25, batch_size=32, out=tmp_path / "b.safetensors", quiet=True)
    c = train_maxofk(TINY, seed=4, steps=25, batch_size=32, out=tmp_path / "c.safetensors", quiet=True)
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.file_sha256 == b.file_sha256 and a.model_sha256 == b.model_sha256
    assert c.file_sha256 != a.file_sha256 and c.model_sha256 != a.model_sha256


def test_training_restores_global_torch_state(tmp_path: Path) -> None:
    det, threads = torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()
    rng = torch.get_rng_state()
    train_maxofk(TINY, seed=0, steps=3, batch_size=8, out=tmp_path / "m.safetensors", quiet=True)
    assert torch.are_deterministic_algorithms_enabled() == det
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.get_rng_state(), rng)  # the global RNG is never used


def test_metadata_records_recipe(tmp_path: Path) -> None:
    s = train_maxofk(TINY, seed=9, steps=4, batch_size=16, lr=2e-3, out=tmp_path / "m.safetensors", quiet=True)
    meta = load_torch(s.path).file_metadata
    assert meta["seed"] == "9"
    rec = json.loads(meta["training"])
    assert rec["steps"] == 4 and rec["batch_size"] == 16 and rec["seed"] == 9
    assert rec["optimizer"] == {"name": "AdamW", "lr": 2e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01}
    assert rec["config"] == {"d_vocab": 5, "n_ctx": 3, "d_model": 8, "d_head": 8}


def test_tiny_task_is_learned(tmp_path: Path) -> None:
    cfg = MaxOfKConfig(d_vocab=8, n_ctx=2, d_model=16, d_head=16)
    s = train_maxofk(cfg, seed=0, steps=400, out=tmp_path / "m.safetensors", quiet=True)
    assert s.exact_accuracy is not None and s.exact_accuracy >= 0.98
    assert s.sampled_accuracy >= 0.95 and s.final_loss < 0.5 and s.seconds > 0


def test_quiet_training_writes_nothing_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train_maxofk(TINY, seed=0, steps=3, batch_size=8, out=tmp_path / "m.safetensors", quiet=False)
    assert capsys.readouterr().err == ""  # stderr is not a TTY under pytest


def test_log1p_cross_entropy_matches_float64_reference() -> None:
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(64, 10, generator=g, dtype=torch.float64) * 5
    target = torch.randint(0, 10, (64,), generator=g)
    assert torch.allclose(max_log1p_cross_entropy(logits, target), F.cross_entropy(logits, target), rtol=1e-12)


def test_log1p_cross_entropy_resolves_tiny_losses_in_float32() -> None:
    logits = torch.tensor([[30.0, 0.0, 0.0]])
    loss = max_log1p_cross_entropy(logits, torch.tensor([0]))
    assert float(loss) == pytest.approx(2 * torch.exp(torch.tensor(-30.0, dtype=torch.float64)).item(), rel=1e-5)


def test_invalid_options_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        train_maxofk(TINY, seed=0, steps=0, out=tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()


def test_derived_seeds_differ_by_label_and_seed() -> None:
    assert len({derive_seed(s, l) for s in (0, 1) for l in ("init", "data", "eval")}) == 6


def test_progress_bar_shown_on_a_tty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    class FakeTTY(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = FakeTTY()
    monkeypatch.setattr(sys, "stderr", err)
    train_maxofk(TINY, seed=0, steps=5, batch_size=8, out=tmp_path / "a.safetensors")
    assert "train maxofk seed=0" in err.getvalue() and "5/5" in err.getvalue()
    quiet = FakeTTY()
    monkeypatch.setattr(sys, "stderr", quiet)
    train_maxofk(TINY, seed=0, steps=5, batch_size=8, out=tmp_path / "b.safetensors", quiet=True)
    assert quiet.getvalue() == ""
