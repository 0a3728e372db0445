"""What a section of a generated song measures: the features the emotion axes are meant to move."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from stori.evaluate.structure import chord_at
from stori.model.conditioning import measure
from stori.data.samples import SectionSample
from stori.spec.song import PPQ, Note
from stori.theory import parse_chord

# Krumhansl & Kessler (1982) probe-tone key profiles, tonic first.
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def estimated_key(notes: Sequence[Note]) -> tuple[int, str] | None:
    """Krumhansl-Schmuckler key finding on duration-weighted pitch classes: (tonic pc, mode)."""
    weights = np.zeros(12)
    for n in notes:
        weights[n.pitch % 12] += n.end - n.start
    if not weights.any():
        return None
    best, best_r = None, -2.0
    for tonic in range(12):
        for mode, profile in (("major", _MAJOR_PROFILE), ("minor", _MINOR_PROFILE)):
            r = np.corrcoef(weights, np.roll(profile, tonic))[0, 1]
            if r > best_r:
                best, best_r = (tonic, mode), r
    return best


def non_chord_tone_rate(melody: Sequence[Note], chords: Sequence[tuple[int, str]]) -> float:
    """Share of melody notes whose pitch class is not in the chord sounding at their onset."""
    counted = [(n, parse_chord(s)[1]) for n in melody if (s := chord_at(chords, n.start))]
    counted = [(n, pcs) for n, pcs in counted if pcs]
    if not counted:
        return float("nan")
    return sum(n.pitch % 12 not in pcs for n, pcs in counted) / len(counted)


def section_measures(sample: SectionSample) -> dict[str, float]:
    """Measured features of one section over all its roles: note density, velocity and
    syncopation as the model's attributes define them, melody register, estimated mode,
    non-chord-tone rate of the melody against the section's chords, onsets per beat, mean pitched
    note length in beats, active roles and dynamic range (velocity 90th minus 10th percentile)."""
    num, den = sample.time_signature
    n_bars = max(1, sample.n_bars)
    every = [n for notes in sample.notes.values() for n in notes]
    pitched = [n for role, notes in sample.notes.items() if role != "drums" for n in notes]
    melody = sample.notes.get("melody", [])
    attrs = measure(every, n_bars, PPQ, num)
    key = estimated_key(pitched)
    velocities = [n.velocity for n in every]
    beat = PPQ * 4 // den
    nan = float("nan")
    return {
        "note_density": attrs["density"],
        "velocity": attrs["velocity"] if every else nan,
        "syncopation": attrs["syncopation"] if every else nan,
        "register": float(np.mean([n.pitch for n in melody])) if melody else nan,
        "major": float(key[1] == "major") if key else nan,
        "non_chord_tone_rate": non_chord_tone_rate(melody, sample.chords),
        "onset_rate": len({n.start for n in every}) / (n_bars * num),
        "note_length": float(np.mean([(n.end - n.start) / beat for n in pitched])) if pitched else nan,
        "active_tracks": float(sum(1 for notes in sample.notes.values() if notes)),
        "dynamic_range": float(np.percentile(velocities, 90) - np.percentile(velocities, 10)) if velocities else nan,
    }
