"""The generated result: tracks of notes in ticks at a fixed PPQ, with sections, spec and traces."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stori.spec.song_spec import SongSpec

PPQ = 480
"""Ticks per quarter note, fixed across Stori."""

DRUM_CHANNEL = 10
"""MIDI channel of drums, counted 1..16 as musicians do (9 on the wire)."""

ROLES = ("drums", "bass", "harmony", "melody", "counter_melody", "pad", "arpeggio")
"""The parts a song can have, in the order they are composed (each hears the ones before it)."""

COMPOSED_AS = {"pad": "harmony", "arpeggio": "harmony"}
"""Parts the model plays as the nearest part it learned (a pad is chords held, an arpeggio chords
broken: :mod:`stori.compose.articulation`); every other role is its own."""

PITCHED_ROLES = ("melody", "counter_melody", "harmony", "bass")
"""The pitched parts, top voice down (the order reports list them in)."""


def bar_ticks(time_signature: tuple[int, int], ppq: int = PPQ) -> int:
    """Ticks of one bar of ``(numerator, denominator)``."""
    num, den = time_signature
    return ppq * 4 * num // den


@dataclass(frozen=True, slots=True)
class Note:
    pitch: int
    start: int  # ticks
    end: int  # ticks, > start
    velocity: int = 80


@dataclass(frozen=True, slots=True)
class ControlChange:
    tick: int
    control: int  # 11 expression, 1 modulation, 64 sustain
    value: int


@dataclass
class Track:
    name: str
    role: str
    program: int = 0  # General MIDI program 0..127
    channel: int = 1  # 1..16; drums on 10
    notes: list[Note] = field(default_factory=list)
    controls: list[ControlChange] = field(default_factory=list)

    @property
    def is_drums(self) -> bool:
        return self.channel == DRUM_CHANNEL


@dataclass(frozen=True, slots=True)
class SectionSpan:
    """Where a planned section lies in the song, in ticks."""

    id: str
    type: str
    start: int
    end: int


@dataclass
class Song:
    tracks: list[Track]
    sections: list[SectionSpan]
    tempo: float
    time_signature: tuple[int, int] = (4, 4)
    key: str = "C major"
    ppq: int = PPQ
    spec: SongSpec | None = None
    traces: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""  # a read MIDI file's own title (a planned song's is its spec's)
    tempo_changes: list[tuple[int, float]] = field(default_factory=list)  # (tick, BPM) after the start
    key_changes: list[tuple[int, str]] = field(default_factory=list)  # (tick, key) after the start

    @property
    def end_tick(self) -> int:
        ends = [s.end for s in self.sections] + [n.end for t in self.tracks for n in t.notes]
        return max(ends, default=0)

    @property
    def ticks_per_bar(self) -> int:
        return bar_ticks(self.time_signature, self.ppq)

    def seconds(self, tick: int) -> float:
        """When ``tick`` sounds, through the song's tempo changes."""
        out, at, bpm = 0.0, 0, self.tempo
        for t, new in sorted(self.tempo_changes):
            if t >= tick:
                break
            out, at, bpm = out + (t - at) / self.ppq * 60.0 / bpm, t, new
        return out + (tick - at) / self.ppq * 60.0 / bpm

    @property
    def duration_s(self) -> float:
        return self.seconds(self.end_tick)

    def track(self, role: str) -> Track | None:
        return next((t for t in self.tracks if t.role == role), None)

    def section(self, section_id: str) -> SectionSpan:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def notes_in(self, track: Track, span: SectionSpan) -> list[Note]:
        return starting_in(track.notes, span.start, span.end)


def starting_in(notes: list[Note], start: int, end: int) -> list[Note]:
    """The notes that start in ``[start, end)``, in their order."""
    return [n for n in notes if start <= n.start < end]


def starting_outside(notes: list[Note], start: int, end: int) -> list[Note]:
    """The notes that start before ``start`` or at ``end`` or later, in their order."""
    return [n for n in notes if not start <= n.start < end]


def dedupe(notes: list[Note]) -> list[Note]:
    """One note per (onset, pitch): the longer one stays."""
    best: dict[tuple[int, int], Note] = {}
    for n in notes:
        k = (n.start, n.pitch)
        if k not in best or n.end > best[k].end:
            best[k] = n
    return sorted(best.values(), key=lambda n: (n.start, n.pitch))


def no_restrikes(notes: list[Note]) -> list[Note]:
    """Each note ends before the same pitch starts again (a player lifts the key to strike it)."""
    notes = dedupe(notes)
    nxt: dict[int, int] = {}
    out = []
    for n in reversed(notes):
        end = min(n.end, nxt.get(n.pitch, n.end))
        out.append(Note(n.pitch, n.start, max(n.start + 1, end), n.velocity))
        nxt[n.pitch] = n.start
    return out[::-1]


SUSTAIN = 64
"""The sustain pedal's controller."""


def pedal_marks(spans: list[tuple[int, int]], offset: int = 0) -> list[ControlChange]:
    """The sustain pedal as a score marks it: down at each span's start, up at its end (``offset``
    ticks on); where one span ends as the next begins, the pedal is lifted and pressed on that tick."""
    out = []
    for down, up in spans:
        out += [ControlChange(down + offset, SUSTAIN, 127), ControlChange(up + offset, SUSTAIN, 0)]
    return sorted(out, key=lambda c: (c.tick, c.value))


def pedal_spans(controls: list[ControlChange]) -> list[tuple[int, int]]:
    """The ``(down, up)`` spans the sustain pedal is held in ``controls``."""
    spans, down = [], None
    for c in sorted((c for c in controls if c.control == SUSTAIN), key=lambda c: (c.tick, c.value)):
        if c.value >= 64 and down is None:
            down = c.tick
        elif c.value < 64 and down is not None:
            spans.append((down, c.tick))
            down = None
    return spans


def pedalled(notes: list[Note], spans: list[tuple[int, int]]) -> list[Note]:
    """``notes`` as the pedal plays them: a note whose key is let go while the pedal is down rings
    until it lifts (never shorter than written; a restruck pitch is lifted by :func:`no_restrikes`).
    So a chord struck just before the pedal goes down, as a pianist changes it, rings too."""
    if not spans:
        return notes
    starts = [a for a, _ in spans]
    out = []
    for n in notes:
        k = bisect.bisect_left(starts, n.end) - 1  # let go as it goes down: not held
        up = spans[k][1] if k >= 0 and n.end < spans[k][1] else n.end
        out.append(Note(n.pitch, n.start, up, n.velocity) if up > n.end else n)
    return out


def lift_restrikes(song: Song, sections: set[str] | None = None) -> None:
    """:func:`no_restrikes` on every pitched track, for the notes starting in ``sections`` (all when None)."""
    spans = [sp for sp in song.sections if sections is None or sp.id in sections]
    for t in song.tracks:
        if t.is_drums:
            continue
        inside = {id(n) for n in t.notes if any(sp.start <= n.start < sp.end for sp in spans)}
        kept = [n for n in t.notes if id(n) not in inside]
        t.notes = sorted(kept + no_restrikes([n for n in t.notes if id(n) in inside]), key=lambda n: (n.start, n.pitch))


def excerpt(song: Song, roles: list[str] | None = None, section: str | None = None) -> Song:
    """``song`` with only the tracks of ``roles`` (all when None), and only ``section`` when given:
    its notes and controller curves moved to start at 0, each controller at the value it had there."""
    tracks = [t for t in song.tracks if roles is None or t.role in roles]
    if section is None:
        return replace(song, tracks=[replace(t) for t in tracks])
    span = song.section(section)
    cut = []
    for t in tracks:
        held = {c.control: c for c in t.controls if c.tick < span.start}  # the state the section starts in
        controls = [ControlChange(0, c.control, c.value) for c in held.values()]
        controls += [replace(c, tick=c.tick - span.start) for c in t.controls if span.start <= c.tick < span.end]
        notes = [replace(n, start=n.start - span.start, end=n.end - span.start)
                 for n in starting_in(t.notes, span.start, span.end)]
        cut.append(replace(t, notes=notes, controls=controls))
    return replace(song, tracks=cut, sections=[replace(span, start=0, end=span.end - span.start)])
