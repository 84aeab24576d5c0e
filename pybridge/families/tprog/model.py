"""Untrusted: the constrained transformer of Transformer Programs (Friedman et al. 2023), in torch, its
Gumbel-softmax training and its file format (read back exactly by pybridge/check/tprog/model.py).

Residual stream: one-hot categorical variables of cardinality k (tokens, positions, one per categorical
head and MLP) and numerical variables (ones, one per numerical head). Every discrete choice (which variable
a module reads, each predicate row, each categorical MLP output) is a Gumbel-softmax over logits with the
temperature annealed geometrically from 3.0 to 0.01 per step. Two training recipes (the exported discrete
model and file format are the same for both; the argmax of the parameters is the program):

- `paper` (default; the authors' `src/models/programs.py` + `src/run.py`, re-implemented, see
  bench/results/tprog_tasks_paper.md): categorical attention is itself a Gumbel-softmax, over the keys, of
  `(log(match + 1e-20) - R[i, j] / (2N)) / sqrt(k)` at temperature tau, where `match` is the soft predicate
  match (keys j >= 1), `<s>` (j = 0) scores `relu(1 - s / (s + 1e-10))` with `s` the total match (1 when nothing
  matches), R the `nearest` rank of pybridge/check/tprog/program.py; the fixed one-hot token embedding is a
  Gumbel-softmax of `20 onehot - 10`; initialisation N(0, 1/n) of the authors; all lengths mixed in one
  shuffled, padded batch stream; the loss is the per-sequence mean over content positions, averaged.
- `v1` (this project's first recipe, kept to reproduce earlier models): attention logits
  `(match + 0.5 [j = 0] - 0.005 R[i, j]) / (0.1 tau)` without noise, small initialisation, batches of one
  length, the loss pooled over tokens.

At temperature -> 0 with hard choices both attentions pick the nearest matching key (the earlier one at equal
distance, the query itself last), `<s>` when nothing matches: the `nearest` rule of the checker.
Numerical attention: the sum of the value over the matching keys j >= 1.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from pybridge.check.tprog.program import rank_matrix
from pybridge.check.tprog.tasks import TASKS, Task, enumerate_inputs, targets, token_ids

TAU_START, TAU_END = 3.0, 0.01
RECIPES = ("paper", "v1")
CLS_GRID = 12  # classifier weights are rounded to multiples of 2^-12 before saving (keeps exact logits small)


@dataclass(frozen=True)
class TProgConfig:
    task: str
    layers: int = 2
    cat_heads: int = 2
    num_heads: int = 1
    mlps: int = 1
    hidden: int = 64
    k: int | None = None
    num_mlps: int = 0
    recipe: str = "paper"

    @property
    def t(self) -> Task:
        return TASKS[self.task]

    @property
    def kk(self) -> int:
        return self.k or self.t.k


def _gs(logits: torch.Tensor, tau: float, gen: torch.Generator | None) -> torch.Tensor:
    if gen is None:  # evaluation: the hard argmax
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).to(logits.dtype)
    u = torch.rand(logits.shape, generator=gen).clamp_(1e-10, 1 - 1e-10)
    return torch.softmax((logits - torch.log(-torch.log(u))) / tau, dim=-1)


class TProgNet(torch.nn.Module):
    def __init__(self, cfg: TProgConfig, gen: torch.Generator):
        super().__init__()
        self.cfg = cfg
        k, C = cfg.kk, len(cfg.t.classes)
        self.p = torch.nn.ParameterDict()

        if cfg.recipe not in RECIPES:
            raise ValueError(f"unknown training recipe {cfg.recipe!r} (known: {', '.join(RECIPES)})")
        paper = cfg.recipe == "paper"

        def par(name: str, *shape: int, scale: float = 0.1, paper_scale: float | None = None) -> None:
            """v1: N(0, scale^2); paper: the authors' N(0, 1/n) (n: the distribution's size; the MLPs' and the
            classifier's fan as in their code), zero where scale is 0 (biases)."""
            if paper and scale != 0.0:
                scale = paper_scale if paper_scale is not None else shape[-1] ** -0.5
            self.p[name.replace(".", "_")] = torch.nn.Parameter(torch.randn(*shape, generator=gen) * scale)

        ncat, nnum = 2, 1
        for L in range(cfg.layers):
            for h in range(cfg.cat_heads):
                for s in ("sel_q", "sel_k", "sel_v"):
                    par(f"l{L}.c{h}.{s}", ncat)
                par(f"l{L}.c{h}.pred", k, k)
            for h in range(cfg.num_heads):
                par(f"l{L}.n{h}.sel_q", ncat)
                par(f"l{L}.n{h}.sel_k", ncat)
                par(f"l{L}.n{h}.sel_v", nnum)
                par(f"l{L}.n{h}.pred", k, k)
            ncat2 = ncat + cfg.cat_heads
            for m in range(cfg.mlps):
                par(f"l{L}.m{m}.sel_a", ncat2)
                par(f"l{L}.m{m}.sel_b", ncat2)
                par(f"l{L}.m{m}.W1", cfg.hidden, 2 * k, scale=(1 / (2 * k)) ** 0.5, paper_scale=cfg.hidden ** -0.5)
                par(f"l{L}.m{m}.b1", cfg.hidden, scale=0.0)
                par(f"l{L}.m{m}.W2", k, cfg.hidden, scale=(1 / cfg.hidden) ** 0.5, paper_scale=k ** -0.5)
                par(f"l{L}.m{m}.b2", k, scale=0.0)
            for m in range(cfg.num_mlps):
                par(f"l{L}.u{m}.sel_a", nnum + cfg.num_heads)
                par(f"l{L}.u{m}.sel_b", nnum + cfg.num_heads)
                par(f"l{L}.u{m}.W1", cfg.hidden, 2, scale=0.5, paper_scale=cfg.hidden ** -0.5)
                par(f"l{L}.u{m}.b1", cfg.hidden, scale=0.5 if not paper else 0.0)
                par(f"l{L}.u{m}.W2", k, cfg.hidden, scale=(1 / cfg.hidden) ** 0.5, paper_scale=k ** -0.5)
                par(f"l{L}.u{m}.b2", k, scale=0.0)
            ncat, nnum = ncat2 + cfg.mlps + cfg.num_mlps, nnum + cfg.num_heads
        par("cls.W_cat", C, ncat * k, paper_scale=C ** -0.5)
        par("cls.W_num", C, nnum, scale=0.01, paper_scale=C ** -0.5)
        par("cls.b", C, scale=0.0)

    def w(self, name: str) -> torch.Tensor:
        return self.p[name.replace(".", "_")]

    def forward(self, tok: torch.Tensor, tau: float, gen: torch.Generator | None,
                valid: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (B, N, C). gen None: every choice (and attention) hard, the discrete model at any tau.
        valid (B, N) bool: the real positions of padded rows (paper recipe; default all)."""
        if self.cfg.recipe == "paper":
            return self._forward_paper(tok, tau, gen, valid)
        if valid is not None and not bool(valid.all()):
            raise ValueError("the v1 recipe trains on batches of one length (no padding)")
        return self._forward_v1(tok, tau, gen)

    def _num_mlps(self, L: int, nstack: torch.Tensor, tau: float, gen: torch.Generator | None) -> list[torch.Tensor]:
        """Layer L's numerical MLPs (the same in both recipes): each reads two numerical variables chosen by a
        Gumbel-softmax and writes a Gumbel one-hot categorical variable."""
        out = []
        for m in range(self.cfg.num_mlps):
            pre = f"l{L}.u{m}."
            x = torch.stack([torch.einsum("bnu,u->bn", nstack, _gs(self.w(pre + s), tau, gen))
                             for s in ("sel_a", "sel_b")], dim=-1)
            o = F.linear(F.relu(F.linear(x, self.w(pre + "W1"), self.w(pre + "b1"))), self.w(pre + "W2"),
                         self.w(pre + "b2"))
            out.append(_gs(o, tau, gen))
        return out

    def _forward_v1(self, tok: torch.Tensor, tau: float, gen: torch.Generator | None) -> torch.Tensor:
        cfg, t, k = self.cfg, self.cfg.t, self.cfg.kk
        B, N = tok.shape
        cat = [F.one_hot(tok, k).float(), F.one_hot(torch.arange(N), k).float().expand(B, N, k)]
        num = [torch.ones(B, N)]
        allowed = torch.ones(N, N, dtype=torch.bool)
        allowed[:, 0] = False
        if t.causal:
            allowed &= torch.tril(torch.ones(N, N, dtype=torch.bool))
        R = torch.tensor(rank_matrix(N, "nearest"), dtype=torch.float32)
        bos = torch.zeros(N, N)
        bos[:, 0] = 0.5
        keymask = allowed.clone()
        keymask[:, 0] = True
        scale = 1.0 / (0.1 * tau)

        def read(stack: torch.Tensor, name: str) -> torch.Tensor:
            return torch.einsum("bnvk,v->bnk", stack, _gs(self.w(name), tau, gen))

        for L in range(cfg.layers):
            stack = torch.stack(cat, dim=2)
            nstack = torch.stack(num, dim=2)
            new_cat, new_num = [], []
            for kind, nh in (("c", cfg.cat_heads), ("n", cfg.num_heads)):
                for h in range(nh):
                    pre = f"l{L}.{kind}{h}."
                    q, kk = read(stack, pre + "sel_q"), read(stack, pre + "sel_k")
                    P = _gs(self.w(pre + "pred"), tau, gen)
                    match = torch.einsum("bik,kl,bjl->bij", q, P, kk) * allowed
                    if kind == "n":
                        v = torch.einsum("bnu,u->bn", nstack, _gs(self.w(pre + "sel_v"), tau, gen))
                        new_num.append(torch.einsum("bij,bj->bi", match, v))
                        continue
                    z = (match + bos - 0.005 * R) * scale
                    z = z.masked_fill(~keymask, float("-inf"))
                    new_cat.append(torch.einsum("bij,bjk->bik", torch.softmax(z, dim=-1), read(stack, pre + "sel_v")))
            cat += new_cat
            num += new_num
            stack = torch.stack(cat, dim=2)
            for m in range(cfg.mlps):
                pre = f"l{L}.m{m}."
                x = torch.cat([read(stack, pre + "sel_a"), read(stack, pre + "sel_b")], dim=-1)
                o = F.linear(F.relu(F.linear(x, self.w(pre + "W1"), self.w(pre + "b1"))), self.w(pre + "W2"), self.w(pre + "b2"))
                cat.append(_gs(o, tau, gen))
            cat += self._num_mlps(L, torch.stack(num, dim=2), tau, gen)
        feats = torch.cat(cat, dim=-1)
        return F.linear(feats, self.w("cls.W_cat"), self.w("cls.b")) + F.linear(torch.stack(num, -1), self.w("cls.W_num"))


    def _forward_paper(self, tok: torch.Tensor, tau: float, gen: torch.Generator | None,
                       valid: torch.Tensor | None) -> torch.Tensor:
        cfg, t, k = self.cfg, self.cfg.t, self.cfg.kk
        B, N = tok.shape
        if valid is None:
            valid = torch.ones(B, N, dtype=torch.bool)
        tok_oh = F.one_hot(tok, k).float()
        if gen is not None:  # the authors' fixed one-hot embedding (logits +-10) goes through the Gumbel-softmax too
            tok_oh = _gs(20.0 * torch.eye(k) - 10.0, tau, gen)[tok]
        cat = [tok_oh, F.one_hot(torch.arange(N), k).float().expand(B, N, k)]
        num = [torch.ones(B, N)]
        pos = torch.ones(N, N, dtype=torch.bool)
        pos[:, 0] = False
        if t.causal:
            pos &= torch.tril(torch.ones(N, N, dtype=torch.bool))
        match_ok = (pos[None] & valid[:, None, :])[:, None]  # (B, 1, N, N): keys j >= 1 that a query may match
        key_ok = match_ok.clone()
        key_ok[..., 0] = True  # <s>: the default
        bias = -torch.tensor(rank_matrix(N, "nearest"), dtype=torch.float32) / (2 * N)
        inv_sqrt_k = 1.0 / k ** 0.5

        def read(stack: torch.Tensor, names: list[str]) -> torch.Tensor:
            """(B, N, k, len(names)): the variable each name's distribution reads (one matmul for all)."""
            w = torch.stack([_gs(self.w(n), tau, gen) for n in names], dim=1)  # (V, M)
            return torch.matmul(stack.transpose(2, 3), w)

        for L in range(cfg.layers):
            stack = torch.stack(cat, dim=2)  # (B, N, V, k)
            nstack = torch.stack(num, dim=2)  # (B, N, U)
            new_cat, new_num = [], []
            for kind, nh in (("c", cfg.cat_heads), ("n", cfg.num_heads)):
                if not nh:
                    continue
                pre = [f"l{L}.{kind}{h}." for h in range(nh)]
                qk = read(stack, [p + "sel_q" for p in pre] + [p + "sel_k" for p in pre]).permute(0, 3, 1, 2)
                q, kk = qk[:, :nh], qk[:, nh:]  # (B, H, N, k)
                P = torch.stack([_gs(self.w(p + "pred"), tau, gen) for p in pre])  # (H, k, k)
                match = torch.matmul(torch.matmul(q, P), kk.transpose(-1, -2)) * match_ok  # (B, H, N, N)
                if kind == "n":
                    w = torch.stack([_gs(self.w(p + "sel_v"), tau, gen) for p in pre], dim=1)  # (U, H)
                    v = torch.matmul(nstack, w).transpose(1, 2).unsqueeze(-1)  # (B, H, N, 1)
                    new_num += list(torch.matmul(match, v).squeeze(-1).unbind(1))
                    continue
                tot = match.sum(-1)
                score = match.clone()
                score[..., 0] = F.relu(1.0 - tot / (tot + 1e-10))
                z = (torch.log(score + 1e-20) + bias) * inv_sqrt_k
                z = z.masked_fill(~key_ok, -1e30)
                attn = _gs(z, tau, gen)
                v = read(stack, [p + "sel_v" for p in pre]).permute(0, 3, 1, 2)
                new_cat += list(torch.matmul(attn, v).unbind(1))
            cat += new_cat
            num += new_num
            if cfg.mlps:
                stack = torch.stack(cat, dim=2)
                pre = [f"l{L}.m{m}." for m in range(cfg.mlps)]
                ab = read(stack, [p + "sel_a" for p in pre] + [p + "sel_b" for p in pre])  # (B, N, k, 2M)
                for m, p in enumerate(pre):
                    x = torch.cat([ab[..., m], ab[..., cfg.mlps + m]], dim=-1)
                    o = F.linear(F.relu(F.linear(x, self.w(p + "W1"), self.w(p + "b1"))), self.w(p + "W2"),
                                 self.w(p + "b2"))
                    cat.append(_gs(o, tau, gen))
            cat += self._num_mlps(L, torch.stack(num, dim=2), tau, gen)
        feats = torch.cat(cat, dim=-1)
        return F.linear(feats, self.w("cls.W_cat"), self.w("cls.b")) + F.linear(torch.stack(num, -1), self.w("cls.W_num"))


def sample_split(t: Task, seed: int, total: int = 20000) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Uniform length, uniform tokens, deduplicated; 80/10/10 train/validation/test (16k/2k/2k when the
    space is large; the whole space split when it is smaller than `total`). Per split: rows grouped by length."""
    rng = np.random.default_rng(seed)
    size = t.size()
    want = min(total, size)
    seen: dict[int, set] = {n: set() for n in t.lengths}
    got = 0
    if want == size:
        rows = [(n, i) for n in t.lengths for i in range(t.size(n))]
        order = rng.permutation(len(rows))
        rows = [rows[i] for i in order]
    else:
        rows = []
        while got < want:
            n = int(rng.choice(t.lengths))
            i = int(rng.integers(0, t.size(n)))
            if i not in seen[n]:
                seen[n].add(i)
                rows.append((n, i))
                got += 1
    a, b = int(0.8 * want), int(0.9 * want)

    def group(part):
        out = []
        for n in t.lengths:
            idx = [i for m, i in part if m == n]
            if idx:
                out.append(np.concatenate([enumerate_inputs(t, n, i, i + 1) for i in idx]))
        return out

    return group(rows[:a]), group(rows[a:b]), group(rows[b:])


@dataclass
class TrainSummary:
    path: Path
    model_sha256: str
    task: str
    seed: int
    epochs: int
    final_loss: float
    val_accuracy: float
    test_accuracy: float
    seconds: float
    test_token_accuracy: float = float("nan")


def to_tensors(net: TProgNet) -> dict[str, torch.Tensor]:
    out = {}
    for key, v in net.p.items():
        name = key.replace("_", ".", 2) if not key.startswith("cls_") else "cls." + key[4:]
        out[name] = v.detach().clone().float()
    for name in ("cls.W_cat", "cls.W_num", "cls.b"):
        out[name] = torch.round(out[name] * 2**CLS_GRID) / 2**CLS_GRID
    return out


def save_model(net: TProgNet, path: Path) -> Path:
    from pybridge.families.stio import atomic_write_bytes, serialize_safetensors

    cfg = net.cfg
    meta = {"pybridge_family": "tprog", "task": cfg.task, "k": str(cfg.kk), "layers": str(cfg.layers),
            "cat_heads": str(cfg.cat_heads), "num_heads": str(cfg.num_heads), "mlps": str(cfg.mlps),
            "hidden": str(cfg.hidden)}
    if cfg.num_mlps:
        meta["num_mlps"] = str(cfg.num_mlps)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(path, serialize_safetensors(to_tensors(net), meta))


def sequence_accuracy(prog, t: Task, parts: list[np.ndarray]) -> float:
    return accuracies(prog, t, parts)[0]


def accuracies(prog, t: Task, parts: list[np.ndarray]) -> tuple[float, float]:
    """(per-sequence, per-token) accuracy of the discrete program on sampled inputs; per-token pools the content
    positions of every sequence (the paper's metric)."""
    from pybridge.check.tprog.program import run

    ok = tot = tok = ntok = 0
    for X in parts:
        right = run(prog, X) == targets(t, X)
        ok += int(np.all(right, axis=1).sum())
        tot += len(X)
        tok += int(right.sum())
        ntok += right.size
    return ok / max(tot, 1), tok / max(ntok, 1)


def padded(t: Task, parts: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """All rows of `parts` (grouped by length) as one padded batch: token ids (pad 0), the real positions, and the
    targets at positions 1..N-1 (-100 where ignored: padding and `</s>`)."""
    N = t.seq_len(max(t.lengths))
    toks, vals, ys = [], [], []
    for X in parts:
        ids = token_ids(t, X)
        B, n = X.shape
        tok = np.zeros((B, N), np.int64)
        tok[:, :ids.shape[1]] = ids
        y = np.full((B, N - 1), -100, np.int64)
        y[:, :n] = targets(t, X)
        toks.append(tok)
        vals.append(np.broadcast_to(np.arange(N) < ids.shape[1], (B, N)))
        ys.append(y)
    return (torch.tensor(np.concatenate(toks)), torch.tensor(np.concatenate(vals)), torch.tensor(np.concatenate(ys)))


def refusal(cfg: TProgConfig) -> str | None:
    """Why the checker would refuse a model of this configuration (its numerical MLP tables are computed over every
    reachable count pair, at most MAX_NUM_PAIRS: check/tprog/model.py), or None; checked before training."""
    from pybridge.check.tprog.model import MAX_NUM_PAIRS

    N = cfg.t.seq_len(max(cfg.t.lengths))
    bound = [1]
    for _ in range(cfg.layers):
        bound += [(N - 1) * max(bound)] * cfg.num_heads
        if cfg.num_mlps and (max(bound) + 1) ** 2 > MAX_NUM_PAIRS:
            return (f"numerical MLPs after {len(bound) - 1} numerical heads would need tables over more than "
                    f"{MAX_NUM_PAIRS} count pairs (the checker refuses them): use fewer layers with numerical heads")
    return None


def train(cfg: TProgConfig, *, seed: int, out: Path, epochs: int = 40, batch: int = 512, lr: float = 0.05,
          tau_start: float = TAU_START, tau_end: float = TAU_END, quiet: bool = True,
          progress=None) -> TrainSummary:
    """Train with Gumbel-softmax (temperature tau_start -> tau_end geometrically per step), Adam; save the model.
    Deterministic: the same arguments give the same bytes (one thread, seeded generators)."""
    from pybridge.check.tprog.model import load_model
    from pybridge.families.maxofk.train import deterministic_torch

    why = refusal(cfg)
    if why:
        raise ValueError(why)
    t0 = time.perf_counter()
    t = cfg.t
    dseed = int.from_bytes(hashlib.sha256(f"pybridge/tprog/{cfg.task}/{seed}".encode()).digest()[:8], "little")
    train_p, val_p, test_p = sample_split(t, dseed % 2**32)
    with deterministic_torch(1):
        gen = torch.Generator().manual_seed(dseed % 2**63)
        net = TProgNet(cfg, gen)
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        order_gen = np.random.default_rng(dseed % 2**32 + 1)
        if cfg.recipe == "paper":  # one stream of all lengths, reshuffled every epoch, padded
            tok_all, val_all, y_all = padded(t, train_p)
            per_epoch = -(-len(tok_all) // batch)
        else:
            data = [(torch.tensor(token_ids(t, X)), torch.tensor(targets(t, X))) for X in train_p]
            batches = [(n, s) for n, (tok, _) in enumerate(data) for s in range(0, len(tok), batch)]
            per_epoch = len(batches)
        steps = max(1, epochs * per_epoch)
        step, loss_v, tau = 0, float("nan"), tau_start
        for ep in range(epochs):
            if cfg.recipe == "paper":
                order = torch.tensor(order_gen.permutation(len(tok_all)))
                chunks = [order[s:s + batch] for s in range(0, len(order), batch)]
            else:
                chunks = order_gen.permutation(len(batches))
            for c in chunks:
                tau = tau_start * (tau_end / tau_start) ** (step / max(1, steps - 1))
                if cfg.recipe == "paper":
                    y = y_all[c]
                    logits = net(tok_all[c], tau, gen, val_all[c])[:, 1:]
                    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="none",
                                         ignore_index=-100).view(y.shape)
                    loss = (ce.sum(1) / (y != -100).sum(1).clamp(min=1)).mean()  # per sequence, then the batch
                else:
                    n, s = batches[c]
                    tok, y = data[n][0][s:s + batch], data[n][1][s:s + batch]
                    logits = net(tok, tau, gen)[:, 1:y.shape[1] + 1]
                    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
                opt.zero_grad()
                loss.backward()
                opt.step()
                step += 1
                loss_v = float(loss.detach())
            if progress is not None:
                progress(ep + 1, epochs)
            if not quiet:
                print(f"epoch {ep + 1}/{epochs} loss {loss_v:.4f} tau {tau:.3f}", flush=True)
    path = save_model(net, Path(out))
    prog, sha, _ = load_model(path)
    test_seq, test_tok = accuracies(prog, t, test_p)
    return TrainSummary(path, sha, cfg.task, seed, epochs, loss_v, sequence_accuracy(prog, t, val_p),
                        test_seq, time.perf_counter() - t0, test_tok)
