"""Small synthetic SectionSamples (scales, arpeggios, a rock beat) for tests and the tiny config."""
from __future__ import annotations

import random

from stori.data.drum_kit import KIT
from stori.data.samples import SectionSample
from stori.model.tokens import TICKS_PER_BAR
from stori.spec.song import PPQ, Note

_CHORDS = (("C", (0, 4, 7)), ("Am", (9, 0, 4)), ("F", (5, 9, 0)), ("G", (7, 11, 2)))


def synthetic_samples(n: int, seed: int = 0, split: str = "train", n_bars: int = 4) -> list[SectionSample]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        step = rng.choice((PPQ, PPQ // 2))  # quarter or eighth notes
        vel = rng.randrange(40, 120)
        base = rng.choice((60, 64, 67, 72))
        notes: dict[str, list[Note]] = {"melody": [], "bass": [], "harmony": [], "drums": []}
        chords = []
        for bar in range(n_bars):
            name, pcs = _CHORDS[(bar + i) % 4]
            t0 = bar * TICKS_PER_BAR
            chords.append((t0, name))
            for k, t in enumerate(range(t0, t0 + TICKS_PER_BAR, step)):
                notes["melody"].append(Note(base + (pcs[k % 3] - pcs[0]) % 12, t, t + step, vel))
            notes["bass"].append(Note(36 + pcs[0], t0, t0 + TICKS_PER_BAR // 2, vel))
            notes["harmony"] += [Note(48 + 12 + p, t0, t0 + TICKS_PER_BAR, vel - 10) for p in pcs]
            for b in range(4):
                notes["drums"].append(Note(KIT["kick"] if b % 2 == 0 else KIT["snare"], t0 + b * PPQ,
                                           t0 + b * PPQ + 120, vel))
                notes["drums"].append(Note(KIT["closed_hat"], t0 + b * PPQ + PPQ // 2, t0 + b * PPQ + PPQ // 2 + 120,
                                           vel // 2))
        out.append(SectionSample(f"synthetic:{i}", split, "pop", rng.choice(("verse", "chorus")), "C major",
                                 rng.choice((90.0, 120.0)), (4, 4), n_bars, notes, chords))
    return out
