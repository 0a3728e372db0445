"""POP909's songs measured as ``scripts/emotion_corners.py`` measures Stori's slider songs: every
note of the MIDI file in seconds (median note length, notes per second, mean velocity), for all
songs and for those at an excited corner's tempo. The real-pop side of issue 11's corners, beside
EMOPIA's piano clips.

Lengths two ways: as the keys are held, and as heard, each track's sustain pedal (CC64) played into
them by the rule Stori's performer uses (:func:`stori.spec.song.pedalled`); Stori's performed songs
carry their pedal in their lengths, so "heard" is the like-for-like column.

    .venv/bin/python scripts/pop909_seconds.py
"""
from statistics import fmean, median

import symusic

from stori.data.paths import data_dir
from stori.spec.song import Note, no_restrikes, pedalled

MS = 1000


def facts(path) -> tuple[float, float, float, float, float] | None:
    """(tempo, median length held, median length heard, notes per second, mean velocity) of one song."""
    score = symusic.Score(str(path)).to("second")
    held, heard = [], []
    for t in score.tracks:
        notes = [Note(n.pitch, round(n.time * MS), round(n.end * MS), n.velocity) for n in t.notes]
        spans = sorted((round(p.time * MS), round((p.time + p.duration) * MS)) for p in t.pedals)
        held += notes
        heard += no_restrikes(pedalled(notes, spans)) if spans else notes
    if len(held) < 50 or not score.tempos:
        return None
    span = (max(n.end for n in held) - min(n.start for n in held)) / MS
    return (score.tempos[0].qpm, median(n.end - n.start for n in held) / MS,
            median(n.end - n.start for n in heard) / MS, len(held) / span, fmean(n.velocity for n in held))


songs = sorted(f for p in sorted((data_dir() / "pop909").glob("[0-9]*/[0-9]*.mid")) if (f := facts(p)))
print(f"{'POP909 songs':<24}{'songs':>6}{'tempo':>8}{'median s held':>15}{'heard':>7}{'notes/s':>9}{'velocity':>10}")
for name, rows in (("all", songs), ("tempo 115-140 BPM", [r for r in songs if 115 <= r[0] <= 140])):
    print(f"{name:<24}{len(rows):>6}{median(r[0] for r in rows):>8.0f}{fmean(r[1] for r in rows):>15.2f}"
          f"{fmean(r[2] for r in rows):>7.2f}{fmean(r[3] for r in rows):>9.2f}{fmean(r[4] for r in rows):>10.1f}")
