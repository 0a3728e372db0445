"""Limits on every MIDI file Stori reads (studio uploads, ``stori humanize``/``render``, song bundles).

One home for them all, checked as early as each can be: bytes, header and track chunks before
parsing; the event count right after; tempo, meter, markers and notes while the song is built; tracks
and duration once it is. A file past a limit is refused with one line (a StoriError on field
``midi``) naming what is too big and what is allowed, so nothing downstream (humanizing, rendering,
plotting) ever sees it.
"""
from __future__ import annotations

from stori.errors import StoriError

MAX_MIDI_BYTES = 2_000_000
MAX_TRACK_CHUNKS = 256  # MTrk chunks in the file
MAX_EVENTS = 500_000  # messages of all tracks together
MAX_NOTES = 50_000
MAX_TRACKS = 64  # tracks of the song read (one per MIDI track and channel with notes)
MAX_MARKERS = 256  # markers become sections
MAX_DURATION_S = 3600.0
MIN_BPM, MAX_BPM = 10.0, 1000.0
METER_NUMERATORS = range(1, 33)
METER_DENOMINATORS = (1, 2, 4, 8, 16, 32)


def refuse(problem: str, allowed: str) -> StoriError:
    return StoriError("midi", problem, allowed)


def check_bytes(data: bytes) -> None:
    """Size, header and track chunks, walked without parsing any event."""
    if len(data) > MAX_MIDI_BYTES:
        raise refuse(f"file is {len(data)} bytes", f"a MIDI file up to {MAX_MIDI_BYTES} bytes")
    if not data.startswith(b"MThd"):
        raise refuse("not a Standard MIDI File (no MThd header)", "a .mid file")
    if len(data) < 14 or int.from_bytes(data[4:8], "big") < 6:
        raise refuse("the MThd header is truncated", "a valid Standard MIDI File")
    fmt, division = int.from_bytes(data[8:10], "big"), int.from_bytes(data[12:14], "big")
    if fmt > 2:
        raise refuse(f"format {fmt}", "MIDI file format 0, 1 or 2")
    if division & 0x8000 or division == 0:
        raise refuse("SMPTE or zero time division", "ticks per beat 1..32767")
    chunks, pos = 0, 8 + int.from_bytes(data[4:8], "big")
    while pos + 8 <= len(data):
        if data[pos:pos + 4] == b"MTrk":
            chunks += 1
            if chunks > MAX_TRACK_CHUNKS:
                raise refuse(f"more than {MAX_TRACK_CHUNKS} track chunks", f"up to {MAX_TRACK_CHUNKS} tracks")
        pos += 8 + int.from_bytes(data[pos + 4:pos + 8], "big")


def check_events(count: int) -> None:
    if count > MAX_EVENTS:
        raise refuse(f"{count} events", f"up to {MAX_EVENTS} MIDI events")


def check_tempo(microseconds_per_beat: int) -> float:
    """The tempo in BPM, if it is one a person could play."""
    bpm = 60_000_000 / microseconds_per_beat if microseconds_per_beat > 0 else float("inf")
    if not MIN_BPM <= bpm <= MAX_BPM:
        raise refuse(f"tempo of {bpm:.6g} BPM", f"tempos of {MIN_BPM:g}..{MAX_BPM:g} BPM")
    return round(bpm, 3)


def check_meter(numerator: int, denominator: int) -> tuple[int, int]:
    if numerator not in METER_NUMERATORS or denominator not in METER_DENOMINATORS:
        raise refuse(f"time signature {numerator}/{denominator}",
                     f"numerators 1..32 over {', '.join(map(str, METER_DENOMINATORS))}")
    return numerator, denominator


def check_markers(count: int) -> None:
    if count > MAX_MARKERS:
        raise refuse(f"more than {MAX_MARKERS} markers", f"up to {MAX_MARKERS} markers")


def check_notes(count: int) -> None:
    if count > MAX_NOTES:
        raise refuse(f"more than {MAX_NOTES} notes", f"up to {MAX_NOTES} notes")


def check_song(tracks: int, duration_s: float) -> None:
    if tracks > MAX_TRACKS:
        raise refuse(f"{tracks} tracks with notes", f"up to {MAX_TRACKS} (one per MIDI track and channel)")
    if duration_s > MAX_DURATION_S:
        raise refuse(f"lasts {duration_s / 60:.1f} minutes", f"up to {MAX_DURATION_S / 60:g} minutes")
