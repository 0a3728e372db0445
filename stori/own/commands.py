"""What the ``continue``, ``vary`` and ``accompany`` commands share: reading the input, writing a MIDI file whole."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from stori.errors import StoriError
from stori.render.midi import midi_bytes, midi_to_song
from stori.spec.song import Song


def read_input(path: str) -> Song:
    """The musician's file, read within the limits every upload has."""
    return midi_to_song(Path(path))


def write_midi(song: Song, out: str) -> Path:
    """``song`` to ``out`` through a temporary file beside it, so a failure leaves nothing half-written."""
    dest = Path(out)
    if dest.is_dir():
        raise StoriError("out", f"{str(dest)!r} is a folder", "a path for the new .mid file")
    dest.parent.mkdir(parents=True, exist_ok=True)
    data = midi_bytes(song)
    fd, tmp = tempfile.mkstemp(prefix=".stori-", suffix=".mid", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def summary(song: Song) -> str:
    parts = ", ".join(f"{t.name} ({t.role}, {len(t.notes)} notes)" for t in song.tracks)
    return f"{song.key}, {song.tempo:g} BPM, {song.time_signature[0]}/{song.time_signature[1]}; {parts}"
