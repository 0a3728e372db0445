"""Section dynamics measured on POP909 with its human structure labels: how loud each section type
plays relative to its song (``gain``) and how loudness moves through a section (``envelope``: mean
velocity of each eighth of the section over the section's mean).

The table ships as ``section_dynamics.json`` beside this module; rebuild it with
``python -m stori.perform.section_dynamics [--split train]``.
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np

from stori.spec.song import bar_ticks

TABLE_PATH = Path(__file__).with_name("section_dynamics.json")
N_PARTS = 8


def measure(samples) -> dict:
    """``{section_type: {"gain", "envelope", "sections"}}`` from SectionSamples of whole songs."""
    by_song: dict[str, list] = defaultdict(list)
    for s in samples:
        by_song[s.source.split("#")[0]].append(s)  # "pop909:025#3" -> song "pop909:025"
    gains: dict[str, list[float]] = defaultdict(list)
    envelopes: dict[str, list[np.ndarray]] = defaultdict(list)
    for sections in by_song.values():
        song_vel = [n.velocity for s in sections for ns in s.notes.values() for n in ns]
        if not song_vel:
            continue
        song_mean = float(np.mean(song_vel))
        for s in sections:
            notes = [n for ns in s.notes.values() for n in ns]
            if len(notes) < N_PARTS * 2:
                continue
            vel = np.array([n.velocity for n in notes], dtype=float)
            length = s.n_bars * bar_ticks(s.time_signature)
            part = np.minimum((np.array([n.start for n in notes]) * N_PARTS) // max(1, length), N_PARTS - 1)
            means = [vel[part == k].mean() if (part == k).any() else np.nan for k in range(N_PARTS)]
            gains[s.section_type].append(vel.mean() / song_mean)
            envelopes[s.section_type].append(np.array(means) / vel.mean())
    return {t: {"gain": round(float(np.median(gains[t])), 4),
                "envelope": [round(float(x), 4) for x in np.nanmedian(np.stack(envelopes[t]), axis=0)],
                "sections": len(gains[t])}
            for t in sorted(gains)}


@lru_cache(maxsize=1)
def table() -> dict:
    """The shipped table (section type -> gain, envelope, number of sections measured)."""
    return json.loads(TABLE_PATH.read_text())["sections"]


def main(argv: list[str] | None = None) -> int:
    from stori.data.pop909 import load_pop909_sections

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", default="train", choices=("train", "valid", "test"))
    p.add_argument("--out", default=str(TABLE_PATH))
    args = p.parse_args(argv)
    result = measure(load_pop909_sections(args.split))
    Path(args.out).write_text(json.dumps({
        "source": f"POP909 {args.split} split with pop909-structure human labels",
        "command": "python -m stori.perform.section_dynamics --split " + args.split,
        "sections": result}, indent=1) + "\n")
    for t, row in result.items():
        print(f"{t:12s} gain {row['gain']:.3f}  n={row['sections']}  envelope {row['envelope']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
