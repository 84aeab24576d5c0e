"""Deterministic training of group-operation MLPs with the anchor recipe (Wu et al. 2024).

Recipe: Adam, lr 0.01, betas (0.9, 0.98), L2 weight decay 2e-4 (added to the gradient, torch's
`Adam(weight_decay=...)`) on the weights only (embeddings, W_left, W_right, W_U; not b_U); full
batch; a fixed 40% of the |G|^2 pairs for training (chosen by a seeded permutation), the other 60%
held out; cross-entropy loss; torch's default initialisation (see `GroupOpMLP`).

Determinism: as `pybridge.families.maxofk.train`: local generators seeded from `seed` by SHA-256,
`torch.use_deterministic_algorithms(True)`, one intra-op thread; same seed and options, same bytes.
"""

from __future__ import annotations

import hashlib
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from pybridge.families.groupop.model import GroupOpConfig, GroupOpMLP, model_sha256, save_groupop
from pybridge.families.maxofk.train import deterministic_torch

RECIPE = "anchor-groupop-v1"
LR = 0.01
BETAS = (0.9, 0.98)
WEIGHT_DECAY = 2e-4
TRAIN_FRACTION = 0.4
DEFAULT_EPOCHS = 2000  # S5: every seed we measured reached 100% test accuracy by epoch 1000-1500


def default_epochs(group_name: str) -> int:
    """The recipe's epoch count: 2000 for groups of order >= 60 (S5, A5), 5000 for smaller ones
    (their 40% training sets are small and they generalise later, when they do)."""
    from pybridge.families.groupop.perm import group

    return DEFAULT_EPOCHS if group(group_name).order >= 60 else 5000


@dataclass(frozen=True)
class GroupOpTrainSummary:
    path: Path
    file_sha256: str
    model_sha256: str
    group: str
    seed: int
    epochs: int
    final_loss: float
    train_accuracy: float
    test_accuracy: float  # on the held-out 60% (strict argmax, ties wrong), float model
    accuracy: float  # on all pairs
    seconds: float


def derive_seed(seed: int, label: str) -> int:
    digest = hashlib.sha256(f"pybridge/{RECIPE}/{seed}/{label}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def split_pairs(order: int, seed: int, fraction: float = TRAIN_FRACTION) -> tuple[torch.Tensor, torch.Tensor]:
    """(train, test) flat pair indices `x * |G| + y`; the first `floor(fraction |G|^2)` of a seeded permutation."""
    n = order * order
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(derive_seed(seed, "split")))
    k = int(math.floor(fraction * n))
    return perm[:k], perm[k:]


@torch.no_grad()
def correct_pairs(model: GroupOpMLP, table: torch.Tensor) -> torch.Tensor:
    """Boolean [|G|, |G|]: is logit[x*y] strictly above every other logit (float64 evaluation)?"""
    L = model.all_logits()
    target = L.gather(2, table[:, :, None])[..., 0]
    others = L.scatter(2, table[:, :, None], float("-inf")).amax(dim=2)
    return target > others


def recipe(cfg: GroupOpConfig, *, seed: int, epochs: int, train_fraction: float = TRAIN_FRACTION) -> dict[str, object]:
    return {
        "recipe": RECIPE,
        "anchor": "Wu, Jaburi, Drori, Gross 2024 (arXiv 2410.07476): S5 MLPs",
        "seed": seed,
        "epochs": epochs,
        "optimizer": {"name": "Adam", "lr": LR, "betas": list(BETAS), "weight_decay": WEIGHT_DECAY,
                      "weight_decay_on": "embed_left, embed_right, W_left, W_right, W_U (not b_U)"},
        "batch": "full (all training pairs)",
        "train_fraction": train_fraction,
        "config": asdict(cfg),
        "torch": torch.__version__,
        "threads": 1,
    }


def train_groupop(cfg: GroupOpConfig, *, seed: int, epochs: int | None = None, out: Path,
                  quiet: bool = False, train_fraction: float = TRAIN_FRACTION) -> GroupOpTrainSummary:
    """Train one model and write it atomically to `out`; bytes depend only on (cfg, seed, epochs,
    train_fraction, torch build). `train_fraction` (the anchor recipe: 0.4) is the share of the |G|^2
    pairs trained on; the rest is the held-out test set."""
    from pybridge.families.groupop.perm import group

    if epochs is None:
        epochs = default_epochs(cfg.group)
    if epochs < 1:
        raise ValueError("epochs must be >= 1")
    if not 0.0 < train_fraction < 1.0:
        raise ValueError("train_fraction must be strictly between 0 and 1")
    G = group(cfg.group)
    table = torch.tensor(G.table, dtype=torch.long)
    out = Path(out)
    with deterministic_torch():
        model = GroupOpMLP(cfg, generator=torch.Generator().manual_seed(derive_seed(seed, "init")))
        train_idx, test_idx = split_pairs(G.order, seed, train_fraction)
        xs, ys = train_idx // G.order, train_idx % G.order
        target = table[xs, ys]
        decay = [model.embed_left, model.embed_right, model.W_left, model.W_right, model.W_U]
        opt = torch.optim.Adam(
            [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": [model.b_U], "weight_decay": 0.0}],
            lr=LR, betas=BETAS,
        )
        show = not quiet and sys.stderr.isatty()
        loss_v = float("nan")
        t0 = time.perf_counter()
        with tqdm(range(epochs), desc=f"train groupop {cfg.group} seed={seed}", file=sys.stderr, disable=not show) as bar:
            for ep in bar:
                loss = F.cross_entropy(model(xs, ys), target)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                if show and (ep % 100 == 0 or ep == epochs - 1):
                    loss_v = loss.item()
                    bar.set_postfix(loss=f"{loss_v:.3g}")
        loss_v = loss.item()
        seconds = time.perf_counter() - t0
        ok = correct_pairs(model, table).flatten()
    save_groupop(model, out, {"seed": seed, "training": recipe(cfg, seed=seed, epochs=epochs, train_fraction=train_fraction)})
    return GroupOpTrainSummary(
        path=out,
        file_sha256=hashlib.sha256(out.read_bytes()).hexdigest(),
        model_sha256=model_sha256(model.weights()),
        group=cfg.group,
        seed=seed,
        epochs=epochs,
        final_loss=loss_v,
        train_accuracy=float(ok[train_idx].double().mean()),
        test_accuracy=float(ok[test_idx].double().mean()) if len(test_idx) else float("nan"),
        accuracy=float(ok.double().mean()),
        seconds=seconds,
    )
