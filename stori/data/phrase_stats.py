"""How real parts repeat, measured on training data: the numbers the phrase former plays by.

POP909 train songs, read whole from their MIDI (onsets rounded to 16ths, bars of the file's own time signature, as
``../shared/tools/groove_facts.py`` reads them, so repeats across a song are counted the way the
realness facts count them). Per role (melody = MELODY, counter_melody = BRIDGE, bass = the lowest
PIANO note of an onset below G3, harmony = the other PIANO notes), over consecutive 2-bar windows
holding loud notes (velocity >= 50): how often a window's onset rhythm repeats the window before
it, how often (when it does not) it restates the window two before (the a of "a b a"), and the
median note length in beats. Writes ``stori/data/phrase_stats.json``; rebuild with
``python -m stori.data.phrase_stats``.
"""
from __future__ import annotations

import json
from pathlib import Path
from statistics import median

STATS_PATH = Path(__file__).with_name("phrase_stats.json")
LOUD = 50
BASS_SPLIT = 55


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


def split_piano(notes: list[tuple[int, int, int, int]]) -> tuple[list, list]:
    """(bass, harmony): the lowest note of each onset below :data:`BASS_SPLIT` is bass."""
    lowest: dict[int, tuple] = {}
    for n in notes:
        if n[0] < BASS_SPLIT and (n[1] not in lowest or n[0] < lowest[n[1]][0]):
            lowest[n[1]] = n
    bass = set(lowest.values())
    return [n for n in notes if n in bass], [n for n in notes if n not in bass]


def measure() -> dict:
    import symusic

    from stori.data.paths import data_dir
    from stori.data.splits import pop909_ids

    root = data_dir() / "pop909"
    counts = {r: [0, 0, 0, 0] for r in ("melody", "counter_melody", "harmony", "bass")}
    lengths: dict[str, list[float]] = {r: [] for r in counts}
    for sid in pop909_ids("train"):
        score = symusic.Score(str(root / sid / f"{sid}.mid"))
        tpq = score.ticks_per_quarter
        ts = score.time_signatures[0] if len(score.time_signatures) else None
        per_window = 2 * (ts.numerator * 16 // ts.denominator if ts else 16)  # two bars of the file's own meter
        parts = {}
        for t in score.tracks:
            notes = [(n.pitch, n.time, n.time + n.duration, n.velocity) for n in t.notes]
            if t.name == "MELODY":
                parts["melody"] = notes
            elif t.name == "BRIDGE":
                parts["counter_melody"] = notes
            elif t.name == "PIANO":
                parts["bass"], parts["harmony"] = split_piano(notes)
        for role, notes in parts.items():
            c = repeat_counts(window_rhythms(notes, tpq // 4, per_window))
            counts[role] = [a + b for a, b in zip(counts[role], c)]
            lengths[role] += [(e - s) / tpq for _, s, e, _ in notes]
    roles = {r: {"repeat_previous": c[1] / max(c[0], 1), "restate_two_back": c[3] / max(c[2], 1),
                 "median_beats": median(lengths[r]), "window_pairs": c[0]} for r, c in counts.items()}
    return {"source": "POP909 train songs, whole MIDI files, 2-bar windows of 16th onsets (velocity >= 50)", "roles": roles}


if __name__ == "__main__":
    stats = measure()
    STATS_PATH.write_text(json.dumps(stats, indent=1) + "\n")
    print(json.dumps(stats, indent=1))
