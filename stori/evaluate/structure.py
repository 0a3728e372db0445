"""Structure metrics over notes in ticks: tonal focus, groove, motifs, section contrast.

How well a melody fits its chords is an attribute (:mod:`stori.data.attributes`), not repeated here.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np

from stori.spec.song import PPQ, Note


def pitch_class_entropy(notes: Sequence[Note]) -> float:
    """Shannon entropy, in bits, of the notes' pitch-class counts: 0 for one pitch class,
    log2(7) for a diatonic scale played once, log2(12) for all twelve equally."""
    counts = np.bincount([n.pitch % 12 for n in notes], minlength=12).astype(float)
    if counts.sum() == 0:
        return 0.0
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


def onset_grid(notes: Sequence[Note], ticks_per_bar: int, ppq: int = PPQ) -> np.ndarray:
    """Bars x 16th-note positions: True where some note starts (onsets rounded to the nearest 16th)."""
    step = ppq // 4
    per_bar = max(1, ticks_per_bar // step)
    if not notes:
        return np.zeros((0, per_bar), dtype=bool)
    slots = {int(round(n.start / step)) for n in notes}
    grid = np.zeros((max(slots) // per_bar + 1, per_bar), dtype=bool)
    for s in slots:
        grid[s // per_bar, s % per_bar] = True
    return grid


def groove_consistency(notes: Sequence[Note], ticks_per_bar: int, ppq: int = PPQ) -> float:
    """Wu & Yang's groove pattern similarity (The Jazz Transformer, 2020): one minus the mean,
    over all pairs of non-empty bars, of the share of 16th-note positions where exactly one of the
    two bars has an onset. A pattern repeated identically every bar scores 1; a song with fewer
    than two sounding bars scores 1 (nothing disagrees)."""
    grid = onset_grid(notes, ticks_per_bar, ppq)
    bars = grid[grid.any(axis=1)]
    if len(bars) < 2:
        return 1.0
    diffs = [np.logical_xor(a, b).mean() for a, b in combinations(bars, 2)]
    return float(1.0 - np.mean(diffs))


def skyline(notes: Sequence[Note]) -> list[Note]:
    """The top line: at each onset only the highest note, in onset order."""
    top: dict[int, Note] = {}
    for n in notes:
        if n.start not in top or n.pitch > top[n.start].pitch:
            top[n.start] = n
    return [top[t] for t in sorted(top)]


def motif_occurrences(notes: Sequence[Note], intervals: Sequence[int], onsets: Sequence[int],
                      tolerance: int = PPQ // 8) -> list[int]:
    """Start ticks where the top line plays ``intervals`` (semitones between successive notes) with
    ``onsets`` (ticks between successive onsets, same length), at any transposition; onset gaps
    may differ by ``tolerance`` ticks each."""
    if len(intervals) != len(onsets):
        raise ValueError("intervals and onsets must have the same length")
    line = skyline(notes)
    k = len(intervals)
    found = []
    for i in range(len(line) - k):
        window = line[i:i + k + 1]
        if all(window[j + 1].pitch - window[j].pitch == intervals[j]
               and abs(window[j + 1].start - window[j].start - onsets[j]) <= tolerance for j in range(k)):
            found.append(line[i].start)
    return found


def patterns(notes: Sequence[Note], length: int = 4, ppq: int = PPQ) -> set[tuple]:
    """Every run of ``length`` successive (interval, onset gap in 16ths) steps of the top line."""
    line = skyline(notes)
    step = ppq // 4
    steps = [(b.pitch - a.pitch, round((b.start - a.start) / step)) for a, b in zip(line, line[1:])]
    return {tuple(steps[i:i + length]) for i in range(len(steps) - length + 1)}


def motif_recurrence(sections: Sequence[Sequence[Note]], length: int = 4, ppq: int = PPQ) -> float:
    """How recognisable a song's main motif is, measured from notes alone: the share of its
    sections that contain the song's most widespread pattern of ``length`` interval+rhythm steps
    (any transposition). NaN for fewer than two sections with melody."""
    sets = [patterns(s, length, ppq) for s in sections]
    sets = [s for s in sets if s]
    if len(sets) < 2:
        return float("nan")
    spread: dict[tuple, int] = defaultdict(int)
    for s in sets:
        for p in s:
            spread[p] += 1
    return max(spread.values()) / len(sets)


def contrast(verse: Sequence[Mapping[str, float]], chorus: Sequence[Mapping[str, float]],
             keys: Sequence[str]) -> dict[str, float]:
    """Chorus minus verse: for each attribute in ``keys``, the mean over chorus sections minus the
    mean over verse sections (NaN where either side is missing)."""
    out = {}
    for k in keys:
        v = [a[k] for a in verse if np.isfinite(a.get(k, np.nan))]
        c = [a[k] for a in chorus if np.isfinite(a.get(k, np.nan))]
        out[k] = float(np.mean(c) - np.mean(v)) if v and c else float("nan")
    return out
