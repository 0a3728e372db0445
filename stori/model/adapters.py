"""Low-rank adapters (LoRA, Hu et al. 2021) for the learned generator: a learned style is a small
set of matrices added to the attention and feed-forward layers of the shipped model, which stays
untouched. Training wraps each of those layers' ``Linear`` in :class:`LoRALinear` (the original
weight frozen, ``B @ A`` learned, ``B`` starting at zero so step 0 is the shipped model); at run time
the adapter is merged into a copy of the weights, so decoding is exactly as fast as without it."""
from __future__ import annotations

import copy
import math
import random
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from stori.errors import StoriError
from stori.model.generator import Generator, load_generator
from stori.model.transformer import Transformer

TARGETS = ("qkv", "proj", "ff.0", "ff.2")
"""The layers of each block that get an adapter: attention in and out, both feed-forward layers."""


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.scale = alpha / rank
        self.a = nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(base.in_features))
        self.b = nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale


def _layers(model: Transformer):
    for i, block in enumerate(model.blocks):
        for name in TARGETS:
            parent = block
            *path, last = name.split(".")
            for p in path:
                parent = getattr(parent, p)
            yield f"blocks.{i}.{name}", parent, last


def wrap(model: Transformer, rank: int, alpha: float) -> Transformer:
    """``model`` (changed in place) with every weight frozen and an adapter on each target layer."""
    for p in model.parameters():
        p.requires_grad_(False)
    for _, parent, last in _layers(model):
        base = getattr(parent, last)
        setattr(parent, last, LoRALinear(base, rank, alpha) if isinstance(base, nn.Linear) else base)
    return model


def adapter_state(model: Transformer) -> dict[str, torch.Tensor]:
    """The adapter of a wrapped model: ``<layer>.a``, ``<layer>.b`` and the scale of each layer."""
    out = {}
    for name, parent, last in _layers(model):
        m = getattr(parent, last)
        out[f"{name}.a"], out[f"{name}.b"] = m.a.detach().clone(), m.b.detach().clone()
        out[f"{name}.scale"] = torch.tensor(m.scale)
    return out


def merged(model: Transformer, state: dict[str, torch.Tensor]) -> Transformer:
    """A copy of the (unwrapped) ``model`` with the adapter ``state`` added into its weights."""
    out = copy.deepcopy(model)
    for name, parent, last in _layers(out):
        if f"{name}.a" not in state:
            raise StoriError("style", f"its adapter has no {name}", "an adapter written by python -m stori learn-style")
        lin = getattr(parent, last)
        delta = state[f"{name}.b"].float() @ state[f"{name}.a"].float() * float(state[f"{name}.scale"])
        if delta.shape != lin.weight.shape:
            raise StoriError("style", f"its adapter does not fit the model ({name})",
                             "learn the style again with this version of Stori")
        lin.weight.data = lin.weight.data + delta.to(lin.weight.dtype)
    return out.eval()


def fine_tune(seqs: list[np.ndarray], steps: int = 150, rank: int = 8, alpha: float = 16.0, lr: float = 3e-3,
              batch_tokens: int = 2048, p_drop: float = 0.3, seed: int = 0, log=None) -> tuple[dict, list[dict]]:
    """An adapter for the shipped generator learned from token streams ``seqs`` (prefix and body, as
    :func:`stori.model.dataset.encode_window` writes them); returns it and the loss every 25 steps.
    Attribute tokens are dropped to "any" with ``p_drop``, so the style plays whatever is asked."""
    from stori.model.dataset import Augmenter
    from stori.model.train import batches, collate, learned_mask, loss_of

    base = load_generator()
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = wrap(copy.deepcopy(base.model).float().cpu(), rank, alpha).train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    learn = learned_mask(base.tok)
    aug = Augmenter(base.tok, 0, p_drop)
    lengths = [len(s) for s in seqs]
    history, step, running = [], 0, None
    while step < steps:
        for b in batches(lengths, batch_tokens, rng):
            if step >= steps:
                break
            for g in opt.param_groups:  # cosine decay to a tenth
                g["lr"] = lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / steps)))
            x = collate([aug(seqs[i], "drums", 0.0, rng) for i in b], base.tok.pad, model.cfg.context)
            loss, n = loss_of(model, x, learn)
            loss = loss / max(1, n)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            running = loss.item() if running is None else 0.9 * running + 0.1 * loss.item()
            if step % 25 == 0 or step == steps:
                history.append({"step": step, "loss": round(running, 4)})
                if log:
                    log(f"adapter step {step}/{steps}: loss {running:.3f}")
    return adapter_state(model), history


@lru_cache(maxsize=4)
def adapted_generator(adapter: str) -> Generator:
    """The shipped generator with the adapter file ``adapter`` merged in (loaded with weights_only)."""
    path = Path(adapter)
    if not path.is_file():
        raise StoriError("style", f"its adapter {path.name} is missing", "learn the style again: python -m stori "
                         "learn-style NAME FOLDER")
    state = torch.load(path, map_location="cpu", weights_only=True)
    base = load_generator()
    return Generator(merged(base.model, state), base.tok, base.info)
