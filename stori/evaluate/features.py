"""Per-sample features in the manner of mgeval (Yang & Lerch 2018), over lists of notes in ticks.

Each function takes the notes of one sample (a track of one section) and returns a number or a
fixed-length vector, so that samples can be compared by Euclidean distance.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from stori.spec.song import PPQ, Note


def note_length_classes(ppq: int = PPQ) -> np.ndarray:
    """The twelve rhythm classes of mgeval, in ticks: whole, half, quarter, 8th, 16th; the dotted
    half, quarter, 8th and 16th; the half, quarter and 8th triplets."""
    q = ppq
    return np.array([4 * q, 2 * q, q, q / 2, q / 4, 3 * q, 1.5 * q, 0.75 * q, 0.375 * q, 4 * q / 3, 2 * q / 3, q / 3])


def _rhythm_histogram(lengths: Sequence[float], ppq: int) -> np.ndarray:
    """Share of ``lengths`` nearest (on a log scale) to each rhythm class."""
    hist = np.zeros(12)
    lengths = np.asarray([x for x in lengths if x > 0], dtype=float)
    if lengths.size == 0:
        return hist
    classes = np.log(note_length_classes(ppq))
    nearest = np.abs(np.log(lengths)[:, None] - classes[None, :]).argmin(axis=1)
    np.add.at(hist, nearest, 1.0)
    return hist / hist.sum()


def _ordered(notes: Sequence[Note]) -> list[Note]:
    return sorted(notes, key=lambda n: (n.start, n.pitch))


def pitch_class_histogram(notes: Sequence[Note]) -> np.ndarray:
    """Share of notes in each of the 12 pitch classes (C = 0); all zeros for no notes."""
    hist = np.bincount([n.pitch % 12 for n in notes], minlength=12).astype(float)
    return hist / hist.sum() if hist.sum() else hist


def pitch_range(notes: Sequence[Note]) -> float:
    """Highest minus lowest pitch, in semitones (0 for fewer than two notes)."""
    if not notes:
        return 0.0
    pitches = [n.pitch for n in notes]
    return float(max(pitches) - min(pitches))


def pitch_class_transition_matrix(notes: Sequence[Note]) -> np.ndarray:
    """12 x 12 shares of transitions from each note's pitch class to the next note's, in onset
    order (chords read bottom-up); flattened to 144 values."""
    ordered = _ordered(notes)
    mat = np.zeros((12, 12))
    for a, b in zip(ordered, ordered[1:]):
        mat[a.pitch % 12, b.pitch % 12] += 1
    total = mat.sum()
    return (mat / total if total else mat).ravel()


def inter_onset_interval_histogram(notes: Sequence[Note], ppq: int = PPQ) -> np.ndarray:
    """Share of gaps between successive distinct onsets in each of the 12 rhythm classes."""
    onsets = np.unique([n.start for n in notes])
    return _rhythm_histogram(np.diff(onsets), ppq)


def note_length_histogram(notes: Sequence[Note], ppq: int = PPQ) -> np.ndarray:
    """Share of note durations in each of the 12 rhythm classes."""
    return _rhythm_histogram([n.end - n.start for n in notes], ppq)


FEATURES = {
    "pitch_class_histogram": pitch_class_histogram,
    "pitch_range": pitch_range,
    "pitch_class_transition_matrix": pitch_class_transition_matrix,
    "inter_onset_interval_histogram": inter_onset_interval_histogram,
    "note_length_histogram": note_length_histogram,
}
"""Feature name -> function(notes) -> number or vector."""
