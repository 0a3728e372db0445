"""POP909's songs measured as ``scripts/emotion_corners.py`` measures Stori's slider songs: every
note of the performed MIDI file in seconds (median note length, notes per second, mean velocity),
for all songs and for those at an excited corner's tempo. The real-pop side of issue 11's corners,
beside EMOPIA's piano clips.

    .venv/bin/python scripts/pop909_seconds.py
"""
from statistics import fmean, median

import mido

from stori.data.paths import data_dir


def facts(path) -> tuple[float, float, float, float] | None:
    """(tempo, median note length in seconds, notes per second, mean velocity) of one song."""
    notes, sounding, t, tempo = [], {}, 0.0, None
    for msg in mido.MidiFile(path):  # merged tracks, times in seconds
        t += msg.time
        if msg.type == "set_tempo" and tempo is None:
            tempo = mido.tempo2bpm(msg.tempo)
        elif msg.type == "note_on" and msg.velocity > 0:
            sounding[msg.channel, msg.note] = (t, msg.velocity)
        elif msg.type in ("note_on", "note_off") and (msg.channel, msg.note) in sounding:
            start, velocity = sounding.pop((msg.channel, msg.note))
            notes.append((start, t, velocity))
    if len(notes) < 50 or tempo is None:
        return None
    span = max(e for _, e, _ in notes) - min(s for s, _, _ in notes)
    return tempo, median(e - s for s, e, _ in notes), len(notes) / span, fmean(v for *_, v in notes)


songs = sorted(f for p in sorted((data_dir() / "pop909").glob("[0-9]*/[0-9]*.mid")) if (f := facts(p)))
print(f"{'POP909 songs':<24}{'songs':>6}{'tempo':>8}{'median s':>10}{'notes/s':>9}{'velocity':>10}")
for name, rows in (("all", songs), ("tempo 115-140 BPM", [r for r in songs if 115 <= r[0] <= 140])):
    print(f"{name:<24}{len(rows):>6}{median(r[0] for r in rows):>8.0f}{fmean(r[1] for r in rows):>10.2f}"
          f"{fmean(r[2] for r in rows):>9.2f}{fmean(r[3] for r in rows):>10.1f}")
