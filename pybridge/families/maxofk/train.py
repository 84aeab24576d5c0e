"""Deterministic Max-of-k training with the anchor recipe (Gross et al. 2024, gbmi MAX_OF_4_CONFIG).

Recipe: TransformerLens "gpt2" initialisation (every weight N(0, (0.8/sqrt(d_model))^2)); AdamW with
lr 1e-3, betas (0.9, 0.999), eps 1e-8 and torch's default weight_decay 0.01 (the anchor passes only
lr and betas to torch.optim.AdamW); batch 128; 3000 steps; each batch i.i.d. uniform sequences over
{0..V-1}^n; loss = cross-entropy of the last position's logits against max(t), with the log-softmax
evaluated through log1p as the anchor does (`use_log1p=True`), which keeps the loss accurate when the
correct class has probability close to 1.

Determinism: all randomness comes from two local torch.Generators (initialisation and data) whose
seeds are derived from `seed` by SHA-256; the global RNG is never used. Training runs with
`torch.use_deterministic_algorithms(True)` and one intra-op thread (restored afterwards), so the same
seed and options give byte-identical model files on the same torch build.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from pybridge.families.maxofk.model import (
    MaxOfKConfig,
    MaxOfKTransformer,
    correct_mask,
    model_sha256,
    save_maxofk,
)

RECIPE = "anchor-maxofk-v1"
BETAS = (0.9, 0.999)
EPS = 1e-8
WEIGHT_DECAY = 0.01  # torch.optim.AdamW default; the anchor does not override it
TRAIN_THREADS = 1
EVAL_SAMPLES = 1 << 14
EXACT_EVAL_LIMIT = 1 << 20


@dataclass(frozen=True)
class TrainSummary:
    """What a training run produced: file, hashes, loss, accuracy estimates, wall time."""

    path: Path
    file_sha256: str
    model_sha256: str
    seed: int
    steps: int
    final_loss: float  # mean training loss over the last min(100, steps) steps
    last_loss: float  # training loss of the final step
    sampled_accuracy: float  # fraction correct (strict argmax) on EVAL_SAMPLES fresh random inputs
    eval_samples: int
    exact_accuracy: float | None  # over all V^n inputs, when V^n <= EXACT_EVAL_LIMIT
    seconds: float  # wall time of the optimisation loop


def derive_seed(seed: int, label: str) -> int:
    """A 63-bit seed for one purpose (`label`), a fixed function of `seed`."""
    digest = hashlib.sha256(f"pybridge/{RECIPE}/{seed}/{label}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


@contextmanager
def deterministic_torch(threads: int = TRAIN_THREADS) -> Iterator[None]:
    """Run the body with deterministic algorithms and a fixed thread count; restore both after."""
    prev_det = torch.are_deterministic_algorithms_enabled()
    prev_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    prev_threads = torch.get_num_threads()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(prev_threads)
        torch.use_deterministic_algorithms(prev_det, warn_only=prev_warn)


def max_log1p_cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean of -log softmax(logits)[target], with the normaliser computed as log1p(sum of the rest).

    Centering at the largest logit makes its exponential exactly 1; summing the others and taking
    log1p avoids the ~1e-7 floor of log(1 + tiny) in float32 when the model is confident.
    """
    top = logits.argmax(dim=-1, keepdim=True)
    centered = logits - logits.gather(-1, top)
    rest = centered.exp().scatter(-1, top, 0.0).sum(dim=-1)
    logp = centered.gather(-1, target[:, None])[:, 0] - torch.log1p(rest)
    return -logp.mean()


def sample_tokens(cfg: MaxOfKConfig, batch: int, generator: torch.Generator) -> torch.Tensor:
    """`batch` i.i.d. uniform sequences over {0..V-1}^n."""
    return torch.randint(0, cfg.d_vocab, (batch, cfg.n_ctx), generator=generator)


@torch.no_grad()
def sampled_accuracy(model: MaxOfKTransformer, samples: int, generator: torch.Generator) -> float:
    """Fraction of `samples` random inputs on which the model is correct (ties count as wrong)."""
    hits = 0
    for start in range(0, samples, 4096):
        t = sample_tokens(model.cfg, min(4096, samples - start), generator)
        hits += int(correct_mask(model.last_logits(t), t).sum())
    return hits / samples


@torch.no_grad()
def exact_accuracy(model: MaxOfKTransformer, chunk: int = 1 << 16) -> float:
    """Fraction of all V^n inputs on which the float model is correct (ties count as wrong)."""
    V, n = model.cfg.d_vocab, model.cfg.n_ctx
    total = V**n
    hits = 0
    for start in range(0, total, chunk):
        idx = torch.arange(start, min(total, start + chunk))
        digits = [(idx // V**(n - 1 - i)) % V for i in range(n)]
        t = torch.stack(digits, dim=1)
        hits += int(correct_mask(model.last_logits(t), t).sum())
    return hits / total


def recipe(cfg: MaxOfKConfig, *, seed: int, steps: int, batch_size: int, lr: float) -> dict[str, object]:
    """The training recipe as stored (JSON) in the model file's `training` metadata."""
    return {
        "recipe": RECIPE,
        "anchor": "JasonGross/guarantees-based-mechanistic-interpretability gbmi/exp_max_of_n MAX_OF_4_CONFIG",
        "seed": seed,
        "steps": steps,
        "batch_size": batch_size,
        "optimizer": {"name": "AdamW", "lr": lr, "betas": list(BETAS), "eps": EPS, "weight_decay": WEIGHT_DECAY},
        "init": "normal(0, 0.8/sqrt(d_model)) for every weight, in file order",
        "data": "iid uniform tokens, fresh batch each step",
        "loss": "cross-entropy at last position vs max(t), log1p log-softmax",
        "config": asdict(cfg),
        "torch": torch.__version__,
        "threads": TRAIN_THREADS,
    }


def train_maxofk(
    cfg: MaxOfKConfig,
    *,
    seed: int,
    steps: int = 3000,
    batch_size: int = 128,
    lr: float = 1e-3,
    out: Path,
    quiet: bool = False,
) -> TrainSummary:
    """Train a Max-of-k model with the anchor recipe and write it to `out` (atomically).

    Establishes: the file at `out` is a valid pybridge model file whose bytes depend only on
    (cfg, seed, steps, batch_size, lr) and the torch build; its `training` metadata records the
    recipe. Returns losses, accuracy estimates and the wall time of the training loop.
    """
    if steps < 1 or batch_size < 1 or not (lr > 0 and math.isfinite(lr)):
        raise ValueError("steps and batch_size must be >= 1 and lr a positive finite number")
    out = Path(out)
    with deterministic_torch():
        init_gen = torch.Generator().manual_seed(derive_seed(seed, "init"))
        data_gen = torch.Generator().manual_seed(derive_seed(seed, "data"))
        model = MaxOfKTransformer(cfg, generator=init_gen)
        opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY)
        show = not quiet and sys.stderr.isatty()
        losses: list[float] = []
        t0 = time.perf_counter()
        with tqdm(range(steps), desc=f"train maxofk seed={seed}", file=sys.stderr, disable=not show) as bar:
            for step in bar:
                tokens = sample_tokens(cfg, batch_size, data_gen)
                loss = max_log1p_cross_entropy(model.last_logits(tokens), tokens.max(dim=1).values)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                losses.append(loss.item())
                if show and (step % 50 == 0 or step == steps - 1):
                    bar.set_postfix(loss=f"{losses[-1]:.4f}")
        seconds = time.perf_counter() - t0
        model.eval()
        acc = sampled_accuracy(model, EVAL_SAMPLES, torch.Generator().manual_seed(derive_seed(seed, "eval")))
        exact = exact_accuracy(model) if cfg.d_vocab**cfg.n_ctx <= EXACT_EVAL_LIMIT else None
    meta = {"seed": seed, "training": recipe(cfg, seed=seed, steps=steps, batch_size=batch_size, lr=lr)}
    save_maxofk(model, out, meta)
    tail = losses[-min(100, len(losses)):]
    return TrainSummary(
        path=out,
        file_sha256=hashlib.sha256(out.read_bytes()).hexdigest(),
        model_sha256=model_sha256(model.weights()),
        seed=seed,
        steps=steps,
        final_loss=sum(tail) / len(tail),
        last_loss=losses[-1],
        sampled_accuracy=acc,
        eval_samples=EVAL_SAMPLES,
        exact_accuracy=exact,
        seconds=seconds,
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m pybridge.families.maxofk.train --out FILE [--seed S ...]`: train one model, print a summary."""
    p = argparse.ArgumentParser(description="Train a Max-of-k model with the anchor recipe.")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--d-vocab", type=int, default=64)
    p.add_argument("--n-ctx", type=int, default=4)
    p.add_argument("--d-model", type=int, default=32)
    p.add_argument("--d-head", type=int, default=32)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    cfg = MaxOfKConfig(a.d_vocab, a.n_ctx, a.d_model, a.d_head)
    s = train_maxofk(cfg, seed=a.seed, steps=a.steps, batch_size=a.batch_size, lr=a.lr, out=a.out, quiet=a.quiet)
    for k, v in asdict(s).items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
