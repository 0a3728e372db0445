"""The songs the evaluation asks for: random specs for validity, one-axis sweeps for control fidelity.

Specs come from the planner (so genre templates, chords and motifs are real), with tempo, meter,
form and emotions drawn from a seeded random generator.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from stori.spec.emotion import AXES, RANGES, EmotionVector
from stori.spec.song import Song
from stori.spec.song_spec import METERS, SongSpec

PROMPTS = ("a pop song", "an indie folk song", "a rock song", "a hip-hop beat", "a jazz tune",
           "an ambient cinematic piece", "a funk groove", "a lo-fi beat", "a house track", "an r&b ballad")
NEUTRAL = EmotionVector(energy=0.5, valence=0.0, tension=0.3, intimacy=0.5, motion=0.5)
SWEEP_PROMPT = "a pop song"
SWEEP_FORM = "verse:4,chorus:4"


@dataclass
class Generated:
    spec: SongSpec
    song: Song
    seconds: float  # wall time of compose()


def planned_spec(k: int) -> SongSpec:
    """Song ``k`` as a musician would get it: the planner's own plan for prompt ``k`` (cycling
    through PROMPTS) with seed ``k``, nothing overridden."""
    from stori.plan import plan_song

    return plan_song(PROMPTS[k % len(PROMPTS)], seed=k)


def random_spec(seed: int) -> SongSpec:
    """A planned spec for a random prompt with random tempo (60..180), meter, 2..6 sections of 2, 4
    or 8 bars and global emotion; then each section gets its own random emotion."""
    from stori.plan import plan_song

    rng = np.random.default_rng(seed)
    num, den = METERS[rng.integers(len(METERS))]
    types = ("intro", "verse", "pre_chorus", "chorus", "bridge", "outro")
    form = ",".join(f"{types[rng.integers(len(types))]}:{rng.choice([2, 4, 8])}" for _ in range(rng.integers(2, 7)))
    spec = plan_song(PROMPTS[rng.integers(len(PROMPTS))], emotion=_random_emotion(rng),
                     tempo=int(rng.integers(60, 181)),
                     structure=form, time_signature=f"{num}/{den}", seed=seed)
    d = spec.to_dict()
    for s in d["sections"]:
        s["emotion_vector"] = _random_emotion(rng)
    return SongSpec.from_dict(d)


def _random_emotion(rng: np.random.Generator) -> dict[str, float]:
    return {a: round(float(rng.uniform(*RANGES[a])), 2) for a in AXES}


def sweep_spec(axis: str, value: float, seed: int) -> SongSpec:
    """The sweep song: a 4-bar verse and chorus planned with the neutral emotion but ``axis`` at
    ``value`` (the planner's verse/chorus shape applies on top, the same at every level)."""
    from stori.plan import plan_song

    emotion = NEUTRAL.shifted({axis: value - getattr(NEUTRAL, axis)})
    return plan_song(SWEEP_PROMPT, emotion=emotion.to_dict(), structure=SWEEP_FORM, seed=seed)


def sweep_levels(axis: str, n: int) -> list[float]:
    lo, hi = RANGES[axis]
    return [round(float(x), 3) for x in np.linspace(lo, hi, n)]


def generate(spec: SongSpec, engine: str, seed: int) -> Generated:
    from stori.compose import compose

    t0 = time.perf_counter()
    song = compose(spec, engine, seed=seed)
    return Generated(spec, song, time.perf_counter() - t0)
