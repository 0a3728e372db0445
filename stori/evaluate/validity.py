"""Is a generated song well-formed? Each check returns the problems it found (empty = valid)."""
from __future__ import annotations

from collections import Counter

from stori.data.drum_kit import KIT_PITCHES
from stori.data.samples import SectionSample
from stori.errors import StoriError
from stori.render.midi import midi_bytes, read_midi
from stori.spec.song import DRUM_CHANNEL, Song, Track
from stori.spec.song_spec import SongSpec

PLAUSIBLE_RANGES = {
    "bass": (24, 72),  # C1..C5: below a bass guitar's low E and above its 24th fret, with room
    "harmony": (21, 108),  # the piano's keys
    "melody": (48, 96),  # C3..C7: a singable-to-soaring lead
    "counter_melody": (36, 96),
    "pad": (21, 108),
    "arpeggio": (21, 108),
}
"""Generous pitch ranges per pitched role; a note outside one is an error, not a style choice (the
ranges engines compose in are the narrower :data:`stori.spec.arrange.ROLE_RANGES`)."""

MAX_NOTE_BARS = 8
"""A note held longer than this many bars counts as stuck."""

CHECKS = ("tracks", "sections", "range", "stuck", "zero_length", "drum_kit", "midi")


def check_tracks(song: Song, spec: SongSpec) -> list[str]:
    have = {t.role for t in song.tracks}
    problems = [f"track role {t.role!r} ({t.name}) is missing" for t in spec.tracks if t.role not in have]
    for t in song.tracks:
        if (t.role == "drums") != (t.channel == DRUM_CHANNEL):
            problems.append(f"track {t.name!r} ({t.role}) is on channel {t.channel}")
    return problems


def check_sections(song: Song, spec: SongSpec) -> list[str]:
    """The song has the spec's sections, in order, back to back, each ``bars`` long."""
    want = [(s.id, s.type, s.bars * spec.ticks_per_bar) for s in spec.sections]
    have = [(s.id, s.type, s.end - s.start) for s in song.sections]
    problems = [] if want == have else [f"sections {have} differ from the spec's {want}"]
    for a, b in zip(song.sections, song.sections[1:]):
        if a.end != b.start:
            problems.append(f"gap or overlap between {a.id} and {b.id}")
    return problems


def check_pitches(song: Song) -> list[str]:
    """Notes outside their role's PLAUSIBLE_RANGES or velocity 1..127."""
    problems = []
    for t in song.tracks:
        lo, hi = (0, 127) if t.is_drums else PLAUSIBLE_RANGES.get(t.role, (0, 127))
        bad = [n for n in t.notes if not lo <= n.pitch <= hi or not 1 <= n.velocity <= 127]
        if bad:
            problems.append(f"{len(bad)} notes of {t.name!r} out of pitch {lo}..{hi} or velocity 1..127")
    return problems


def check_stuck(song: Song) -> list[str]:
    """Notes that start before 0, end after the last section or last longer than MAX_NOTE_BARS."""
    end = song.sections[-1].end if song.sections else song.end_tick
    longest = MAX_NOTE_BARS * song.ticks_per_bar
    problems = []
    for t in song.tracks:
        bad = [n for n in t.notes if n.start < 0 or n.end > end or n.end - n.start > longest]
        if bad:
            problems.append(f"{len(bad)} stuck notes in {t.name!r}")
    return problems


def check_zero_length(song: Song) -> list[str]:
    return [f"{sum(n.end <= n.start for n in t.notes)} zero-length notes in {t.name!r}"
            for t in song.tracks if any(n.end <= n.start for n in t.notes)]


def check_drum_kit(song: Song) -> list[str]:
    kit = set(KIT_PITCHES)
    return [f"drum notes off the kit in {t.name!r}: {sorted({n.pitch for n in t.notes} - kit)}"
            for t in song.tracks if t.is_drums and any(n.pitch not in kit for n in t.notes)]


def check_midi(song: Song) -> list[str]:
    """Export to a Standard MIDI File, parse it back and count: one file track per song track
    (after the conductor), every note-on matched by a note-off on its channel and pitch, and as
    many note-ons as the song has notes."""
    try:
        mid = read_midi(midi_bytes(song))
    except (StoriError, ValueError, OSError) as e:
        return [f"MIDI export failed: {e}"]
    problems = []
    if mid.type != 1 or len(mid.tracks) != len(song.tracks) + 1:
        problems.append(f"MIDI type {mid.type} with {len(mid.tracks)} tracks for {len(song.tracks)} song tracks")
    balance: Counter = Counter()
    ons = 0
    for track in mid.tracks:
        for msg in track:
            if msg.type == "note_on" and msg.velocity > 0:
                balance[(msg.channel, msg.note)] += 1
                ons += 1
            elif msg.type in ("note_on", "note_off"):
                balance[(msg.channel, msg.note)] -= 1
    unmatched = sum(abs(v) for v in balance.values())
    if unmatched:
        problems.append(f"{unmatched} note-ons without note-offs (or the reverse) in the MIDI file")
    if ons != sum(len(t.notes) for t in song.tracks):
        problems.append(f"{ons} note-ons in the MIDI file for {sum(len(t.notes) for t in song.tracks)} notes")
    return problems


REAL_CHECKS = ("range", "zero_length", "drum_kit")
"""The checks that apply to a section of real music (it has no spec and is not exported)."""


def check_sample(sample: SectionSample) -> dict[str, list[str]]:
    """The REAL_CHECKS on one section sample, its roles taken as tracks."""
    tracks = [Track(role, role, channel=DRUM_CHANNEL if role == "drums" else 1, notes=list(notes))
              for role, notes in sample.notes.items()]
    song = Song(tracks=tracks, sections=[], tempo=sample.tempo, time_signature=sample.time_signature)
    return {"range": check_pitches(song), "zero_length": check_zero_length(song), "drum_kit": check_drum_kit(song)}


def check_song(song: Song, spec: SongSpec) -> dict[str, list[str]]:
    """Every check: name -> problems (empty when the song passes it)."""
    return {
        "midi": check_midi(song),
        "tracks": check_tracks(song, spec),
        "sections": check_sections(song, spec),
        "range": check_pitches(song),
        "stuck": check_stuck(song),
        "zero_length": check_zero_length(song),
        "drum_kit": check_drum_kit(song),
    }
