"""GMD performances as groove-model examples: the part quantized on the swing-aware 16th grid
(:func:`stori.data.gmd.quantize_ticks`, ``grid="swing"``) as input, the real offsets (ms from the
grid place) and velocities as targets. Beats in 4/4 only (13 of GMD's 13.6 hours);
fills are too short to carry a groove."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from stori.data.gmd import Performance, load_performances, quantize_ticks
from stori.perform.groove_features import HitFeatures, hit_features


@dataclass
class Part:
    perf: Performance
    feat: HitFeatures
    grid: np.ndarray  # quantized ticks
    offset_ms: np.ndarray  # performed - grid
    velocity: np.ndarray


def gmd_parts(split: str, data_dir: str | Path | None = None) -> list[Part]:
    return performance_parts(load_performances(split, data_dir, beat_type="beat"))


def performance_parts(perfs: list[Performance], style: str | None = None) -> list[Part]:
    """The 4/4 performances with hits as examples, each conditioned on its own GMD style (or ``style``)."""
    parts = []
    for p in perfs:
        if p.time_signature != (4, 4) or not p.hits:
            continue
        ticks = np.array([h.tick for h in p.hits])
        grid = np.array(quantize_ticks(ticks.tolist(), "swing"))
        feat = hit_features([h.pitch for h in p.hits], grid, p.ticks_per_bar, p.bpm, style or p.style)
        parts.append(Part(p, feat, grid, ((ticks - grid) * p.ms_per_tick()).astype(np.float32),
                          np.array([h.velocity for h in p.hits], dtype=np.float32)))
    return parts


def targets(items: list[tuple[Part, np.ndarray]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded offset (ms) and velocity targets for windows ``(part, hit indices)``."""
    n = max(len(idx) for _, idx in items)
    off = torch.zeros(len(items), n)
    vel = torch.zeros(len(items), n)
    for i, (part, idx) in enumerate(items):
        off[i, :len(idx)] = torch.from_numpy(part.offset_ms[idx])
        vel[i, :len(idx)] = torch.from_numpy(part.velocity[idx])
    return off, vel
