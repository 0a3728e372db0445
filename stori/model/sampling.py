"""Batch decoding: all streams of a request step together through one KV cache, each under its own
grammar state; temperature, top-k and top-p sampling from a seeded generator."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from stori.model.grammar import Grammar, StreamPlan, StreamState
from stori.model.transformer import Transformer

SHRINK = 0.8  # the batch is compacted when this share of its rows or fewer still decode


@dataclass(frozen=True)
class Sampling:
    temperature: float = 1.0
    top_k: int = 0  # 0 = off
    top_p: float = 0.95  # 1 = off
    steer: bool = True  # density budget per bar (see Grammar.density_bias)


def _sum(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    """Two optional bias vectors added (None when both are)."""
    return b if a is None else a if b is None else a + b


def _filter(logits: torch.Tensor, s: Sampling) -> torch.Tensor:
    if s.top_k:
        kth = torch.topk(logits, min(s.top_k, logits.shape[-1]), dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, -torch.inf)
    if s.top_p < 1.0:
        sorted_l, order = torch.sort(logits, descending=True, dim=-1)
        cum = torch.softmax(sorted_l, dim=-1).cumsum(-1)
        drop = cum - torch.softmax(sorted_l, dim=-1) > s.top_p  # keep the smallest set reaching top_p
        logits = logits.masked_fill(drop.scatter(1, order, drop), -torch.inf)
    return logits


@torch.no_grad()
def generate(model: Transformer, grammar: Grammar, prefixes: list[list[int]], plans: list[StreamPlan],
             seed: int = 0, sampling: Sampling = Sampling(), biases: list[np.ndarray] | None = None,
             chord_bias: list[float] | None = None, use_cache: bool = True,
             on_done=None) -> tuple[list[list[int]], int]:
    """Decode one stream per prefix (all prefixes of equal length). ``biases`` are added to the
    logits of each stream; ``chord_bias[b]`` is added to the pitches of the chord sounding at each
    step; ``on_done(b)`` hears as stream ``b`` ends. Returns the generated tokens of each stream and
    the number of decoding steps."""
    tok = grammar.tok
    B, P = len(prefixes), len(prefixes[0])
    context = model.cfg.context
    device = model.tok.weight.device
    draws = [np.random.default_rng([seed, b]) for b in range(B)]  # each stream its own: no stream's notes
    # change when another stream of the batch decodes differently or ends sooner
    states = [StreamState(grammar, plan) for plan in plans]
    static = torch.as_tensor(np.stack(biases), dtype=torch.float32) if biases is not None else torch.zeros(B, len(tok))
    seq = torch.as_tensor(prefixes, dtype=torch.long, device=device)
    cache = model.new_cache(B, context) if use_cache else None
    logits = model(seq, cache)[:, -1]
    out: list[list[int]] = [[] for _ in range(B)]
    rows = list(range(B))  # the stream of each batch row; finished streams leave the batch
    steps = 0
    for step in range(context - P):
        room = context - P - step
        live = [states[i] for i in rows]
        mask = torch.from_numpy(np.stack([s.allowed(room) for s in live]))
        bias = static[rows]
        if chord_bias is not None:
            # Strong beats (1 and 3) pull twice as hard towards the chord, and a bass there to its root
            # as well: between them a bass may pass, moving on beat 2 (POP909), but it lands on the root.
            pull = [chord_bias[i] * (2.0 * (grammar.chord_tones(s.chord) + (s.plan.role == "bass")
                                            * grammar.chord_tones(s.chord, True)) if s.position % s.strong == 0
                                     else grammar.chord_tones(s.chord)) for s, i in zip(live, rows)]
            bias = bias + torch.from_numpy(np.stack(pull))
        steer = [grammar.density_bias(s) for s in live] if sampling.steer else []
        if any(x is not None for x in steer):
            bias = bias + torch.from_numpy(np.stack([np.zeros(len(tok),
                                                              np.float32) if x is None else x for x in steer]))
        shaped = [_sum(grammar.interval_bias(s), grammar.onset_bias(s)) for s in live]
        if any(x is not None for x in shaped):
            bias = bias + torch.from_numpy(np.stack([np.zeros(len(tok),
                                                              np.float32) if x is None else x for x in shaped]))
        scores = logits.float().cpu() / max(sampling.temperature, 1e-4) + bias
        scores = _filter(scores.masked_fill(~mask, -torch.inf), sampling)
        cum = torch.softmax(scores.double(), dim=-1).cumsum(-1)
        u = torch.tensor([draws[i].random() for i in rows], dtype=torch.float64)[:, None] * cum[:, -1:]
        nxt = torch.searchsorted(cum, u, right=True)[:, 0].clamp(max=len(tok) - 1)
        steps += 1
        for t, s, i in zip(nxt.tolist(), live, rows):
            if not s.done:
                s.advance(t)
                out[i].append(tok.eos if s.done and t == tok.bar else t)  # a Bar past the last bar ends it
                if s.done and on_done is not None:
                    on_done(i)
            else:
                s.advance(t)
        going = [r for r, s in enumerate(live) if not s.done]
        if not going:
            break
        if len(going) <= SHRINK * len(rows):  # drop finished streams: most end long before the longest
            kept = torch.tensor(going)
            rows, nxt = [rows[r] for r in going], nxt[kept]
            if use_cache:
                cache.keep(kept.to(device))
            else:
                seq = seq[kept.to(device)]
        if use_cache:
            logits = model(nxt[:, None].to(device), cache)[:, -1]
        else:
            seq = torch.cat([seq, nxt[:, None].to(device)], dim=1)
            logits = model(seq)[:, -1]
    return out, steps
