"""Per-style feel of drum performances, measured the same way on GMD and on what the groove model
plays; ``python -m stori groove-feel`` prints the markdown table.

Measures (4/4 beats; offsets are ms from the hit's grid place on the swing-aware 16th grid):
- swing: median phase of the offbeat 8th in beats where hats/ride (42, 46, 51, 53) play only the
  beat and one offbeat (a beat of 16ths says nothing about swing); 50 % is straight, 67 % triplet.
- snare offset: median offset of all snare hits (kit 38: TD-11 head and rim).
- backbeat jitter: robust SD (1.4826 x MAD) of the offsets of snares on beats 2 and 4 with
  velocity >= 40, each performance centred on its own median (jitter around the pocket).
- pocket spread: robust SD, over a style's beats, of each beat's mean offset of all its hits (how far
  one performance leans ahead or behind as a whole, beside the others of its style).
- ghost share: snares with velocity < 40 among all snares. GMD's README counts the TD-11 head
  only (no rim shots); that column is given for the real data too.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from stori.data.drum_kit import KIT, kit
from stori.data.gmd import load_performances, quantize_ticks
from stori.perform.humanize import groove_drums
from stori.spec.song import PPQ, Note

TIME_KEEPING = kit("closed_hat", "open_hat", "ride", "ride_bell")
SNARE = KIT["snare"]
README = {  # measured values listed in ../shared/data/README.md
    "all": {"backbeat_jitter_ms": 16, "snare_offset_ms": -9.5},
    "soul": {"backbeat_jitter_ms": 13, "ghost_head": 48},
    "funk": {"backbeat_jitter_ms": 14, "ghost_head": 51, "swing": "48-53"},
    "rock": {"backbeat_jitter_ms": 17, "ghost_head": 35, "swing": "48-53"},
    "hiphop": {"ghost_head": 41, "swing": "48-53"},
    "neworleans": {"backbeat_jitter_ms": 24},
    "jazz": {"swing": 61},
}


@dataclass
class Played:
    """One drum part as played: kit pitches, grid places and played onsets (ticks), velocities."""

    style: str
    pitch: np.ndarray
    grid: np.ndarray
    tick: np.ndarray
    velocity: np.ndarray
    ms_per_tick: float
    head: np.ndarray | None = None  # True where a snare came from the TD-11 head (real GMD only)


def _offbeat_phases(p: Played) -> list[float]:
    m = np.isin(p.pitch, TIME_KEEPING)
    t = p.tick[m]
    beat = np.floor((t + 0.15 * PPQ) / PPQ)
    phase = (t - beat * PPQ) / PPQ
    out = []
    for b in np.unique(beat):
        ph = phase[beat == b]
        off = ph[(ph >= 0.3) & (ph < 0.85)]
        if len(off) == 1 and not np.any((ph >= 0.15) & (ph < 0.3)):
            out.append(float(off[0]))
    return out


def _robust_sd(x: np.ndarray) -> float:
    return float(1.4826 * np.median(np.abs(x - np.median(x)))) if len(x) else float("nan")


def feel_stats(parts: list[Played]) -> dict:
    swing, sn_off, bb, ghost, ghost_head, lean = [], [], [], [], [], []
    for p in parts:
        swing += _offbeat_phases(p)
        off = (p.tick - p.grid) * p.ms_per_tick
        lean.append(float(off.mean()))
        sn = p.pitch == SNARE
        sn_off.append(off[sn])
        ghost.append(p.velocity[sn] < 40)
        if p.head is not None:
            ghost_head.append(p.velocity[sn & p.head] < 40)
        back = sn & np.isin(p.grid % (4 * PPQ), (PPQ, 3 * PPQ)) & (p.velocity >= 40)
        if back.sum() >= 4:
            bb.append(off[back] - np.median(off[back]))
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0)  # noqa: E731
    sn_all, g, gh = cat(sn_off), cat(ghost), cat(ghost_head)
    return {
        "n": len(parts),
        "swing": 100 * float(np.median(swing)) if swing else float("nan"),
        "snare_offset_ms": float(np.median(sn_all)) if len(sn_all) else float("nan"),
        "backbeat_jitter_ms": _robust_sd(cat(bb)),
        "pocket_ms": _robust_sd(np.array(lean)),
        "ghost": 100 * float(g.mean()) if len(g) else float("nan"),
        "ghost_head": 100 * float(gh.mean()) if len(gh) else float("nan"),
    }


def real_parts(split: str | None, data_dir=None) -> list[Played]:
    out = []
    for p in load_performances(split, data_dir, beat_type="beat"):
        if p.time_signature != (4, 4) or not p.hits:
            continue
        tick = np.array([h.tick for h in p.hits])
        out.append(Played(p.style, np.array([h.pitch for h in p.hits]),
                          np.array(quantize_ticks(tick.tolist(), "swing")),
                          tick, np.array([h.velocity for h in p.hits]), p.ms_per_tick(),
                          np.array([h.raw_pitch == SNARE for h in p.hits])))
    return out


def generated_parts(real: list[Played], seed: int = 0) -> list[Played]:
    """The same parts quantized, one flat velocity, played by the groove model (as humanize does)."""
    out = []
    for k, p in enumerate(real):
        notes = [Note(int(pi), int(g), int(g) + PPQ // 4, 100) for pi, g in zip(p.pitch, p.grid)]
        played = groove_drums(notes, 60000.0 / (p.ms_per_tick * PPQ), 4 * PPQ, p.style, 1.0, seed + k)
        out.append(Played(p.style, p.pitch, p.grid, np.array([n.start for n in played]),
                          np.array([n.velocity for n in played]), p.ms_per_tick))
    return out


def feel_table(data_dir=None, split: str = "test", seed: int = 0, min_parts: int = 3) -> str:
    """Markdown: per style, GMD (all beats) / GMD ``split`` / the model playing ``split`` quantized."""
    every = real_parts(None, data_dir)
    held = real_parts(split, data_dir)
    gen = generated_parts(held, seed)
    groups = defaultdict(lambda: ([], [], []))
    for i, parts in enumerate((every, held, gen)):
        for p in parts:
            groups[p.style][i].append(p)
            groups["all"][i].append(p)
    lines = [
        f"Feel per style: GMD all beats / GMD {split} beats / groove model playing the {split} beats quantized "
        f"(sampled, seed {seed}). README = value listed in ../shared/data/README.md.", "",
        f"| style | beats (all/{split}) | swing % | snare offset ms | backbeat jitter ms | pocket spread ms "
        "| ghost % (kit snare) | ghost % real, TD-11 head | README |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    order = ["all"] + sorted((s for s in groups if s != "all"), key=lambda s: -len(groups[s][0]))
    for style in order:
        a, h, g = groups[style]
        if len(h) < min_parts and style != "all":
            continue
        sa, sh, sg = feel_stats(a), feel_stats(h), feel_stats(g)
        cell = lambda k: f"{sa[k]:.1f} / {sh[k]:.1f} / {sg[k]:.1f}"  # noqa: E731
        ref = ", ".join(f"{k}: {v}" for k, v in README.get(style, {}).items())
        lines.append(f"| {style} | {len(a)}/{len(h)} | {cell('swing')} | {cell('snare_offset_ms')} | "
                     f"{cell('backbeat_jitter_ms')} | {cell('pocket_ms')} | {cell('ghost')} | {sa['ghost_head']:.1f} / "
                     f"{sh['ghost_head']:.1f} | {ref} |")
    return "\n".join(lines)


def add_arguments(parser) -> None:
    parser.add_argument("--data-dir", help="dataset root (default ../shared/data)")
    parser.add_argument("--split", default="test", choices=["train", "valid", "test"])
    parser.add_argument("--seed", type=int, default=0)


def run(args) -> int:
    print(feel_table(args.data_dir, args.split, args.seed))
    return 0
