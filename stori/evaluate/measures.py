"""What a section of a generated song measures: the features the emotion axes are meant to move."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from stori.data.attributes import NAN, section_attributes
from stori.data.samples import SectionSample
from stori.spec.song import PPQ, Note, bar_ticks

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


def section_measures(sample: SectionSample) -> dict[str, float]:
    """Measured features of one section's pitched tracks (POP909, the reference, has no drums; with
    drums on every beat no pitched anticipation would count as syncopated): note density, mean
    velocity and syncopation, the melody's mean pitch and non-chord-tone rate (all as
    :mod:`stori.data.attributes` defines them), the estimated mode, onsets per quarter note, mean
    note length in quarter notes, dynamic range (velocity p90 minus p10); and the active roles,
    drums included."""
    tpb = bar_ticks(sample.time_signature)
    n_bars = max(1, sample.n_bars)
    pitched = [n for role, notes in sample.notes.items() if role != "drums" for n in notes]
    melody = sample.notes.get("melody", [])
    whole = section_attributes(pitched, n_bars, tpb)
    lead = section_attributes(melody, n_bars, tpb, sample.chords or None)
    velocities = [n.velocity for n in pitched]
    return {
        "note_density": whole.note_density,
        "velocity": whole.mean_velocity,
        "syncopation": whole.syncopation,
        "register": lead.mean_pitch,
        "major": float(key[1] == "major") if (key := estimated_key(pitched)) else NAN,
        "non_chord_tone_rate": 1.0 - lead.chord_tone_ratio,
        "onset_rate": len({n.start for n in pitched}) / (n_bars * tpb / PPQ),
        "note_length": whole.mean_duration,
        "active_tracks": float(sum(1 for notes in sample.notes.values() if notes)),
        "dynamic_range": float(np.percentile(velocities, 90) - np.percentile(velocities, 10)) if velocities else NAN,
    }
