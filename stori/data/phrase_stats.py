"""How real parts repeat, measured on training data: the numbers the phrase former plays by.

POP909 train songs in 4/4, whole (:func:`stori.data.pop909.whole_song`: roles and the beat-grid
timeline from the first downbeat, so repeats across a song are counted the way the realness facts
count them, and averaged over songs as they average them). Per role, over consecutive 2-bar
windows holding loud notes (velocity >= 50): how often a window's onset rhythm (16th steps)
repeats the window before it, how often (when it does not) it restates the window two before (the
a of "a b a"), and the median note length in beats.
Writes ``stori/data/phrase_stats.json``; rebuild with ``python -m stori.data.phrase_stats``.
"""
from __future__ import annotations

import json
from pathlib import Path
from statistics import fmean, median

STATS_PATH = Path(__file__).with_name("phrase_stats.json")
LOUD = 50


def window_rhythms(notes: list[tuple[int, int, int, int]], step: int, per_window: int) -> dict[int, frozenset]:
    """window index -> its set of loud onset steps; ``notes`` are (pitch, start, end, velocity)."""
    out: dict[int, set] = {}
    for p, start, end, vel in notes:
        if vel >= LOUD:
            k = round(start / step)
            out.setdefault(k // per_window, set()).add(k % per_window)
    return {k: frozenset(v) for k, v in out.items()}


def repeat_counts(windows: dict[int, frozenset]) -> tuple[int, int, int, int]:
    """(pairs, repeats of the previous window, non-repeats with a window two before, restatements)."""
    pairs = prev = n2 = prev2 = 0
    for k in sorted(windows):
        if k - 1 not in windows:
            continue
        pairs += 1
        if windows[k] == windows[k - 1]:
            prev += 1
        elif k - 2 in windows:
            n2 += 1
            prev2 += windows[k] == windows[k - 2]
    return pairs, prev, n2, prev2


def measure() -> dict:
    from stori.data.pop909 import whole_song
    from stori.data.splits import pop909_ids
    from stori.spec.song import PPQ

    roles = ("melody", "counter_melody", "harmony", "bass")
    rates: dict[str, list[tuple[float, float]]] = {r: [] for r in roles}
    lengths: dict[str, list[float]] = {r: [] for r in roles}
    for sid in pop909_ids("train"):
        song = whole_song(sid)
        if song is None or song[1] != (4, 4):
            continue
        for role in roles:
            notes = [(n.pitch, n.start, n.end, n.velocity) for n in song[0].get(role, [])]
            pairs, prev, n2, prev2 = repeat_counts(window_rhythms(notes, PPQ // 4, 32))
            if pairs:
                rates[role].append((prev / pairs, prev2 / max(n2, 1)))
                lengths[role].append(median((e - s) / PPQ for _, s, e, _ in notes))
    out = {r: {"repeat_previous": fmean(a for a, _ in v), "restate_two_back": fmean(b for _, b in v),
               "median_beats": fmean(lengths[r]), "songs": len(v)} for r, v in rates.items()}
    return {"source": "POP909 train songs in 4/4, whole, beat grid, 2-bar windows of 16th onsets (velocity >= 50); means over songs", "roles": out}


if __name__ == "__main__":
    stats = measure()
    STATS_PATH.write_text(json.dumps(stats, indent=1) + "\n")
    print(json.dumps(stats, indent=1))
