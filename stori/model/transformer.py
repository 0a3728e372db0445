"""A small decoder-only transformer (pre-norm, learned positions, SDPA) with a preallocated KV cache."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    vocab_size: int
    d_model: int = 256
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int = 1024
    context: int = 1024
    dropout: float = 0.1

    def to_dict(self) -> dict:
        return asdict(self)


class KVCache:
    """Keys and values of every layer for a batch, filled one step at a time (uninitialised: only the
    first ``length`` positions are ever read)."""

    def __init__(self, cfg: ModelConfig, batch: int, length: int, device, dtype):
        shape = (cfg.n_layers, batch, cfg.n_heads, length, cfg.d_model // cfg.n_heads)
        self.k = torch.empty(shape, device=device, dtype=dtype)
        self.v = torch.empty(shape, device=device, dtype=dtype)
        self.length = 0

    def keep(self, rows: torch.Tensor) -> None:
        """Keep only the batch rows ``rows`` (copying just the filled positions)."""
        for name in ("k", "v"):
            old = getattr(self, name)
            new = old.new_empty((old.shape[0], len(rows), *old.shape[2:]))
            new[:, :, :, :self.length] = old[:, rows, :, :self.length]
            setattr(self, name, new)


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.n_heads, self.dropout = cfg.n_heads, cfg.dropout
        self.ln1, self.ln2 = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.ff = nn.Sequential(nn.Linear(cfg.d_model, cfg.d_ff), nn.GELU(), nn.Linear(cfg.d_ff, cfg.d_model))
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None, layer: int = 0) -> torch.Tensor:
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.n_heads, D // self.n_heads).permute(2, 0, 3, 1, 4)
        if cache is None:
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                               dropout_p=self.dropout if self.training else 0.0)
        else:
            t0 = cache.length
            cache.k[layer, :, :, t0:t0 + T] = k
            cache.v[layer, :, :, t0:t0 + T] = v
            k, v = cache.k[layer, :, :, :t0 + T], cache.v[layer, :, :, :t0 + T]
            a = F.scaled_dot_product_attention(q, k, v, is_causal=T > 1 and t0 == 0)
        x = x + self.drop(self.proj(a.transpose(1, 2).reshape(B, T, D)))
        return x + self.drop(self.ff(self.ln2(x)))


class Transformer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos = nn.Embedding(cfg.context, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.ln = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.head.weight = self.tok.weight  # tied embeddings: fewer parameters, smaller checkpoint
        self.apply(self._init)
        for b in self.blocks:  # each residual branch's output scaled down, so the sum of 2 * n_layers stays ~unit
            for out in (b.proj, b.ff[2]):
                nn.init.normal_(out.weight, std=0.02 / math.sqrt(2 * cfg.n_layers))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)

    def param_groups(self, weight_decay: float) -> list[dict]:
        """AdamW groups: weight decay on the Linear weight matrices only, not on biases, LayerNorms or
        the (tied) embeddings."""
        embeddings = {id(m.weight) for m in self.modules() if isinstance(m, nn.Embedding)}
        matrices = {id(m.weight) for m in self.modules() if isinstance(m, nn.Linear)} - embeddings
        params = list(self.parameters())  # a tied weight once
        return [{"params": [p for p in params if id(p) in matrices], "weight_decay": weight_decay},
                {"params": [p for p in params if id(p) not in matrices], "weight_decay": 0.0}]

    def forward(self, ids: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        """Logits for every position of ``ids`` [B, T]; with a cache, ``ids`` continue it."""
        t0 = cache.length if cache is not None else 0
        pos = torch.arange(t0, t0 + ids.shape[1], device=ids.device)
        x = self.tok(ids) + self.pos(pos)
        for i, block in enumerate(self.blocks):
            x = block(x, cache, i)
        if cache is not None:
            cache.length += ids.shape[1]
        return self.head(self.ln(x))

    def new_cache(self, batch: int, length: int | None = None) -> KVCache:
        p = self.tok.weight
        return KVCache(self.cfg, batch, min(length or self.cfg.context, self.cfg.context), p.device, p.dtype)

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def pick_device(name: str = "auto") -> torch.device:
    """``name`` as a device, or for "auto" the best there is: CUDA, then Apple's MPS, then the CPU."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
