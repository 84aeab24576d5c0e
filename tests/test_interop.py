"""Tests for pybridge.families.maxofk.transformerlens: round trips and one-line refusals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from pybridge.families.maxofk.transformerlens import export_tl_state_dict, import_tl_state_dict
from pybridge.families.maxofk.model import MaxOfKConfig, MaxOfKTransformer, ModelFormatError, load_torch, save_maxofk
from pybridge.families.maxofk.model import model_sha256

CFG = MaxOfKConfig(d_vocab=6, n_ctx=4, d_model=5, d_head=3)


def tl_state_dict(cfg: MaxOfKConfig = CFG, seed: int = 0) -> dict[str, torch.Tensor]:
    """A state dict shaped like TransformerLens' for a 1-layer, 1-head, attn-only, no-LN model."""
    m = MaxOfKTransformer(cfg, generator=torch.Generator().manual_seed(seed))
    sd = {k: v.detach().clone() for k, v in m.state_dict().items()}
    sd.update({k: torch.zeros(s) for k, s in cfg.bias_shapes().items()})
    sd["blocks.0.attn.mask"] = torch.ones(cfg.n_ctx, cfg.n_ctx, dtype=torch.bool).tril()
    sd["blocks.0.attn.IGNORE"] = torch.tensor(-1e5)
    return sd


def test_export_import_round_trip(tmp_path: Path) -> None:
    m = MaxOfKTransformer(CFG, generator=torch.Generator().manual_seed(1))
    src = save_maxofk(m, tmp_path / "m.safetensors")
    tl = export_tl_state_dict(src, tmp_path / "tl.safetensors")
    sd = load_file(str(tl))
    assert sd["blocks.0.attn.mask"].dtype == torch.bool and torch.equal(sd["blocks.0.attn.b_O"], torch.zeros(5))
    back = load_torch(import_tl_state_dict(tl, tmp_path / "back.safetensors"))
    assert back.cfg == CFG
    assert model_sha256(back.weights()) == model_sha256(m.weights())


@pytest.mark.parametrize("suffix", [".pt", ".pth", ".safetensors"])
@pytest.mark.parametrize("wrapped", [False, True])
def test_import_tl_files(tmp_path: Path, suffix: str, wrapped: bool) -> None:
    sd = tl_state_dict()
    src = tmp_path / f"tl{suffix}"
    if suffix == ".safetensors":
        if wrapped:
            pytest.skip("safetensors holds a flat mapping only")
        save_file(sd, str(src))
    else:
        torch.save({"state_dict": sd, "step": torch.tensor(3)} if wrapped else sd, src)
    m = load_torch(import_tl_state_dict(src, tmp_path / "out.safetensors"))
    for k, v in m.weights().items():
        assert torch.equal(v, sd[k])


def test_float64_source_stays_float64(tmp_path: Path) -> None:
    sd = {k: v.double() if v.is_floating_point() else v for k, v in tl_state_dict().items()}
    torch.save(sd, tmp_path / "tl.pt")
    m = load_torch(import_tl_state_dict(tmp_path / "tl.pt", tmp_path / "out.safetensors"))
    assert m.embed.W_E.dtype == torch.float64 and torch.equal(m.embed.W_E, sd["embed.W_E"])


def test_n_ctx_override_truncates_positions(tmp_path: Path) -> None:
    sd = tl_state_dict()
    torch.save(sd, tmp_path / "tl.pt")
    m = load_torch(import_tl_state_dict(tmp_path / "tl.pt", tmp_path / "o.safetensors", n_ctx_override=2))
    assert m.cfg.n_ctx == 2 and torch.equal(m.pos_embed.W_pos, sd["pos_embed.W_pos"][:2])
    for bad in (0, 5):
        with pytest.raises(ModelFormatError):
            import_tl_state_dict(tmp_path / "tl.pt", tmp_path / "x.safetensors", n_ctx_override=bad)
    assert not (tmp_path / "x.safetensors").exists()


def _set(key: str, value: Callable[[dict[str, torch.Tensor]], torch.Tensor]) -> Callable[[dict[str, torch.Tensor]], None]:
    return lambda sd: sd.__setitem__(key, value(sd))


def _poke(key: str, value: float) -> Callable[[dict[str, torch.Tensor]], None]:
    def f(sd: dict[str, torch.Tensor]) -> None:
        sd[key].view(-1)[0] = value

    return f


def _two_heads(sd: dict[str, torch.Tensor]) -> None:
    for c in "QKVO":
        sd[f"blocks.0.attn.W_{c}"] = torch.cat([sd[f"blocks.0.attn.W_{c}"]] * 2)
    for c in "QKV":
        sd[f"blocks.0.attn.b_{c}"] = torch.zeros(2, 3)


REFUSALS: dict[str, tuple[Callable[[dict[str, torch.Tensor]], None], str]] = {
    "second_layer": (_set("blocks.1.attn.W_Q", lambda sd: sd["blocks.0.attn.W_Q"].clone()), "more than one layer"),
    "two_heads": (_two_heads, "more than one head"),
    "ln_final": (_set("ln_final.w", lambda sd: torch.ones(5)), "LayerNorm"),
    "ln1": (_set("blocks.0.ln1.w", lambda sd: torch.ones(5)), "LayerNorm"),
    "ln2": (_set("blocks.0.ln2.w", lambda sd: torch.ones(5)), "LayerNorm"),
    "mlp": (_set("blocks.0.mlp.W_in", lambda sd: torch.zeros(5, 20)), "MLP"),
    "nan": (_poke("blocks.0.attn.W_K", float("nan")), "NaN"),
    "inf": (_poke("embed.W_E", float("inf")), "infinite"),
    "nan_bias": (_poke("unembed.b_U", float("nan")), "NaN"),
    "unembed_shape": (_set("unembed.W_U", lambda sd: torch.zeros(5, 7)), "shape"),
    "pos_width": (_set("pos_embed.W_pos", lambda sd: torch.zeros(4, 6)), "shape"),
    "head_width": (_set("blocks.0.attn.W_O", lambda sd: torch.zeros(1, 4, 5)), "shape"),
    "bias_shape": (_set("blocks.0.attn.b_O", lambda sd: torch.zeros(4)), "shape"),
    "missing": (lambda sd: sd.pop("unembed.W_U"), "missing"),
    "unknown": (_set("blocks.0.attn.W_extra", lambda sd: torch.zeros(2)), "unsupported"),
    "int_weights": (_set("embed.W_E", lambda sd: torch.zeros(6, 5, dtype=torch.int64)), "dtype"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_import_refusals(tmp_path: Path, case: str, suffix: str) -> None:
    sd = tl_state_dict()
    mutate, phrase = REFUSALS[case]
    mutate(sd)
    src = tmp_path / f"tl{suffix}"
    if suffix == ".pt":
        torch.save(sd, src)
    else:
        save_file(sd, str(src))
    out = tmp_path / "out.safetensors"
    with pytest.raises(ModelFormatError) as e:
        import_tl_state_dict(src, out)
    msg = str(e.value)
    assert "\n" not in msg and phrase in msg
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [src.name]


class NotATensor:
    """A custom class: unpickling it would need code execution, which weights_only refuses."""


@pytest.mark.parametrize(
    "payload",
    [[torch.zeros(2)], {"a": 1}, NotATensor()],
    ids=["list", "non-tensor", "custom-class"],
)
def test_import_refuses_non_state_dicts(tmp_path: Path, payload: object) -> None:
    torch.save(payload, tmp_path / "x.pt")
    with pytest.raises(ModelFormatError) as e:
        import_tl_state_dict(tmp_path / "x.pt", tmp_path / "o.safetensors")
    assert "\n" not in str(e.value) and not (tmp_path / "o.safetensors").exists()


def test_import_refuses_unknown_extension_and_garbage(tmp_path: Path) -> None:
    (tmp_path / "x.npz").write_bytes(b"zz")
    (tmp_path / "y.pt").write_bytes(b"garbage")
    for name in ("x.npz", "y.pt", "missing.pt"):
        with pytest.raises(ModelFormatError) as e:
            import_tl_state_dict(tmp_path / name, tmp_path / "o.safetensors")
        assert "\n" not in str(e.value)


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_import_keeps_nonzero_biases(tmp_path: Path, suffix: str) -> None:
    """Non-zero biases (issue 15) are imported value for value and bound by the model hash."""
    from pybridge.check.maxofk.weights import load_maxofk

    sd = tl_state_dict()
    for key, value in (("blocks.0.attn.b_Q", 0.5), ("blocks.0.attn.b_K", -1e-30), ("blocks.0.attn.b_V", 1.0),
                       ("blocks.0.attn.b_O", 2.0), ("unembed.b_U", 3.0)):
        _poke(key, value)(sd)
    src = tmp_path / f"tl{suffix}"
    torch.save(sd, src) if suffix == ".pt" else save_file(sd, str(src))
    M = load_maxofk(import_tl_state_dict(src, tmp_path / "out.safetensors"))
    assert M.has_bias and not M.has_ln
    from fractions import Fraction

    assert M.bQ[0] == 1 << (M.s - 1) and M.bU[0] == 3 << M.s
    assert Fraction(M.bK[0], 1 << M.s) == Fraction(float(torch.tensor(-1e-30, dtype=torch.float32)))
    zero = tl_state_dict()
    save_file(zero, str(tmp_path / "z.safetensors"))
    assert load_maxofk(import_tl_state_dict(tmp_path / "z.safetensors", tmp_path / "z_out.safetensors")).sha256 != M.sha256


def _ln_state_dict() -> dict[str, torch.Tensor]:
    sd = tl_state_dict()
    d = sd["embed.W_E"].shape[1]
    g = torch.Generator().manual_seed(3)
    sd.update({"blocks.0.ln1.w": 1 + 0.1 * torch.randn(d, generator=g), "blocks.0.ln1.b": 0.1 * torch.randn(d, generator=g),
               "ln_final.w": 1 + 0.1 * torch.randn(d, generator=g), "ln_final.b": 0.1 * torch.randn(d, generator=g)})
    return sd


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_import_layernorm(tmp_path: Path, suffix: str) -> None:
    """LN tensors give normalization_type LN (eps 1e-5 unless told); LNPre and eps come from the arguments
    (the CLI flags --normalization-type/--eps) or the source metadata; contradictions are refused."""
    from fractions import Fraction

    from pybridge.check.maxofk.weights import load_maxofk

    src = tmp_path / f"tl{suffix}"
    sd = _ln_state_dict()
    torch.save(sd, src) if suffix == ".pt" else save_file(sd, str(src))
    M = load_maxofk(import_tl_state_dict(src, tmp_path / "a.safetensors"))
    assert M.normalization == "LN" and M.ln_eps == Fraction(1, 100000) and any(M.ln1_b)
    M2 = load_maxofk(import_tl_state_dict(src, tmp_path / "b.safetensors", eps="1e-6"))
    assert M2.ln_eps == Fraction(1, 10**6) and M2.sha256 != M.sha256
    with pytest.raises(ModelFormatError):
        import_tl_state_dict(src, tmp_path / "c.safetensors", normalization_type="None")
    plain = tmp_path / f"plain{suffix}"
    torch.save(tl_state_dict(), plain) if suffix == ".pt" else save_file(tl_state_dict(), str(plain))
    M3 = load_maxofk(import_tl_state_dict(plain, tmp_path / "d.safetensors", normalization_type="LNPre"))
    assert M3.normalization == "LNPre" and M3.has_ln
    with pytest.raises(ModelFormatError):
        import_tl_state_dict(plain, tmp_path / "e.safetensors", normalization_type="LN")
    with pytest.raises(ModelFormatError):
        import_tl_state_dict(src, tmp_path / "f.safetensors", eps="1e-5; rm")


def test_layernorm_export_import_round_trip(tmp_path: Path) -> None:
    from pybridge.check.maxofk.weights import load_maxofk
    from pybridge.families.maxofk.transformerlens import export_tl_state_dict

    save_file(_ln_state_dict(), str(tmp_path / "src.safetensors"))
    a = import_tl_state_dict(tmp_path / "src.safetensors", tmp_path / "a.safetensors", eps="1e-6")
    back = import_tl_state_dict(export_tl_state_dict(a, tmp_path / "tl.safetensors"), tmp_path / "b.safetensors")
    assert load_maxofk(a).sha256 == load_maxofk(back).sha256
