"""What a drummer and a bandleader notice first in a part, as numbers (issue 10, "Realness").

The definitions follow ``../shared/tools/groove_facts.py`` so the numbers agree with it:

- Notes are read the way a MIDI file sounds: at one tick note-offs come before note-ons, a note-on
  while the same pitch still sounds on that track is a *restrike* (and ends the sounding note), and a
  note-off ends the note of that pitch that is sounding.
- Patterns use *loud* notes only (velocity >= 50, so ghosts are left out), each onset rounded to the
  nearest 16th.
- Drums: **backbeat** = share of loud snare hits (37-40) on 16ths 4 and 12 of a 4/4 bar;
  **toms** = share of all hits on 41, 43, 45, 47, 48, 50; **bar repeats** = share of successive bars
  holding loud kick or snare hits whose (piece, 16th) sets are equal.
- Pitched: **2-bar repeats** = share of successive non-empty 2-bar windows whose loud onset sets (16ths
  within the window) equal the previous window's (when it is the window just before), over the
  non-empty windows less one; **bar repeats** the same over single bars; **median length** in beats
  (the upper median); **restrikes** as above.

**Downbeats** (any meter): the share of bars that hold notes in which a kick or a bass note starts
on beat 1 (within half a 16th): beat 1 heard low, as a listener finds the meter. Where the bass part
rests for a bar, the accompaniment's lowest line is the bass (a piano intro's left hand), as the
real scores' bass is the piano's lowest line.

One fact is Stori's own: **fills**. Bars count from the start of the piece; the bars closing a
4-bar phrase (bar 4, 8, 12, ...; 8-bar phrase ends are among them) are *phrase ends*. The piece's
last bar (its ending) counts as neither. A bar is a *fill bar* when it holds a loud tom hit or at
least two loud snare hits more than the piece's median bar. ``fills_phrase_end`` is the share of
phrase-end bars that are fill bars, ``fills_elsewhere`` the share of the other bars: a drummer fills
at phrase ends and grooves in between, so the first should be well above the second.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import mido

from stori.data.drum_kit import GHOST_BELOW, KICKS, SNARES, TOMS
from stori.spec.song import DRUM_CHANNEL, PPQ, Note, Song

LOUD = GHOST_BELOW
PHRASE_BARS = 4
INTERVAL_EDGES = (-7.5, -2.5, -0.5, 0.5, 2.5, 7.5)
"""Bands of a line's steps in semitones: big/small/step down, same, step/small/big up."""


@dataclass(frozen=True)
class Part:
    """One role of one piece as it sounds: notes (ticks at ``ppq``) and the restrikes met reading them."""

    notes: tuple[Note, ...]
    ppq: int = PPQ
    meter: tuple[int, int] = (4, 4)
    restrikes: int = 0

    @property
    def step(self) -> int:
        return self.ppq // 4

    @property
    def steps_per_bar(self) -> int:
        return self.meter[0] * 16 // self.meter[1]

    def steps(self, n: Note) -> int:
        return round(n.start / self.step)


def sounding(events: Iterable[tuple[int, bool, int, int, int]]) -> tuple[list[Note], int]:
    """Notes and restrike count of one track's ``(tick, is_on, channel, pitch, velocity)`` events, in file order."""
    on: dict[tuple[int, int], tuple[int, int]] = {}
    notes, restrikes = [], 0
    for tick, is_on, channel, pitch, velocity in events:
        key = (channel, pitch)
        if is_on:
            if key in on:
                restrikes += 1
                notes.append(Note(pitch, on[key][0], tick, on[key][1]))
            on[key] = (tick, velocity)
        elif key in on:
            start, vel = on.pop(key)
            notes.append(Note(pitch, start, tick, vel))
    return sorted(notes, key=lambda n: (n.start, n.pitch)), restrikes


def part_of(tracks: Sequence[Sequence[Note]], ppq: int = PPQ, meter: tuple[int, int] = (4, 4)) -> Part:
    """The part of some tracks (each its own channel) written as MIDI: at one tick offs before ons."""
    notes, restrikes = [], 0
    for track in tracks:
        events = sorted([(n.end, False, 0, n.pitch, n.velocity) for n in track] + [(n.start, True, 0, n.pitch,
                                                                                    n.velocity) for n in track],
                        key=lambda e: (e[0], e[1]))
        got, r = sounding(events)
        notes += got
        restrikes += r
    return Part(tuple(sorted(notes, key=lambda n: (n.start, n.pitch))), ppq, meter, restrikes)


def song_parts(song: Song) -> dict[str, Part]:
    """Role -> Part of a Song (tracks of one role together)."""
    by_role: dict[str, list[list[Note]]] = defaultdict(list)
    for t in song.tracks:
        by_role["drums" if t.is_drums else t.role].append(t.notes)
    return {role: part_of(tracks, song.ppq, song.time_signature) for role, tracks in by_role.items()}


def midi_parts(path: str | Path, meter: tuple[int, int] | None = None) -> tuple[Part | None, dict[str, Part]]:
    """(drum part, {track name: pitched part}) of a MIDI file; the last channel-10 track is the drums.
    Bars are those of ``meter``, else of the file's first time signature (4/4 if it has none)."""
    mid = mido.MidiFile(path)
    meter = meter or next(((m.numerator, m.denominator) for tr in mid.tracks for m in tr if m.type == "time_signature"),
                          (4, 4))
    drums, pitched = None, {}
    for k, tr in enumerate(mid.tracks):
        now, events, channel = 0, [], None
        for m in tr:
            now += m.time
            if m.type in ("note_on", "note_off"):
                is_on = m.type == "note_on" and m.velocity > 0
                channel = m.channel if is_on else channel
                events.append((now, is_on, m.channel, m.note, m.velocity))
        notes, restrikes = sounding(events)
        if not notes:
            continue
        part = Part(tuple(notes), mid.ticks_per_beat, meter, restrikes)
        if channel == DRUM_CHANNEL - 1:
            drums = part
        else:
            pitched[tr.name or f"track {k}"] = part
    return drums, pitched


def _loud(part: Part) -> list[Note]:
    return [n for n in part.notes if n.velocity >= LOUD]


def _repeat_share(groups: dict[int, frozenset], adjacent_only: bool) -> float:
    keys = sorted(groups)
    same = sum(groups[a] == groups[b] for a, b in zip(keys, keys[1:]) if not adjacent_only or b == a + 1)
    return same / max(len(keys) - 1, 1)


def kick_snare_bars(part: Part) -> dict[int, frozenset]:
    """Bar -> set of (is snare, 16th in bar) of its loud kick and snare hits."""
    bars: dict[int, set] = defaultdict(set)
    for n in _loud(part):
        if n.pitch in SNARES | KICKS:
            k = part.steps(n)
            bars[k // part.steps_per_bar].add((n.pitch in SNARES, k % part.steps_per_bar))
    return {b: frozenset(s) for b, s in bars.items()}


def onset_windows(part: Part, bars: int) -> dict[int, frozenset]:
    """Window of ``bars`` bars -> set of 16ths (within it) where a loud note starts."""
    size = bars * part.steps_per_bar
    win: dict[int, set] = defaultdict(set)
    for n in _loud(part):
        k = part.steps(n)
        win[k // size].add(k % size)
    return {w: frozenset(s) for w, s in win.items()}


def fill_bars(part: Part) -> tuple[list[bool], list[bool]]:
    """(is fill bar, is phrase end) for each bar but the last (rules in the module docstring)."""
    if not part.notes:
        return [], []
    n_bars = max(part.steps(n) for n in part.notes) // part.steps_per_bar + 1
    toms, snares = [0] * n_bars, [0] * n_bars
    for n in _loud(part):
        b = part.steps(n) // part.steps_per_bar
        if 0 <= b < n_bars:
            toms[b] += n.pitch in TOMS
            snares[b] += n.pitch in SNARES
    usual = median(snares)
    bars = range(n_bars - 1)
    return [toms[b] > 0 or snares[b] >= usual + 2 for b in bars], [(b + 1) % PHRASE_BARS == 0 for b in bars]


def drum_facts(part: Part) -> dict[str, float]:
    """backbeat, toms, bar_repeats, fills_phrase_end, fills_elsewhere, hits (see the module docstring)."""
    snares = [n for n in _loud(part) if n.pitch in SNARES]
    four_four = part.meter == (4, 4)
    fill, end = fill_bars(part)
    at_ends = [f for f, e in zip(fill, end) if e]
    between = [f for f, e in zip(fill, end) if not e]
    return {
        "backbeat": (sum(part.steps(n) % 16 in (4, 12) for n in snares) / len(snares)
                     if snares and four_four else math.nan),
        "toms": sum(n.pitch in TOMS for n in part.notes) / len(part.notes) if part.notes else math.nan,
        "bar_repeats": _repeat_share(kick_snare_bars(part), adjacent_only=False),
        "fills_phrase_end": sum(at_ends) / len(at_ends) if at_ends else math.nan,
        "fills_elsewhere": sum(between) / len(between) if between else math.nan,
        "hits": len(part.notes),
    }


def pitched_facts(part: Part) -> dict[str, float]:
    """repeats_2bar, bar_repeats, median_beats, restrikes, notes (see the module docstring)."""
    lengths = sorted((n.end - n.start) / part.ppq for n in part.notes)
    return {
        "repeats_2bar": _repeat_share(onset_windows(part, 2), adjacent_only=True),
        "bar_repeats": _repeat_share(onset_windows(part, 1), adjacent_only=True),
        "median_beats": lengths[len(lengths) // 2] if lengths else math.nan,
        "restrikes": part.restrikes,
        "notes": len(part.notes),
    }


def downbeat_share(parts: dict[str, Part]) -> float:
    """Share of the bars with notes whose beat 1 has a kick or bass onset (module docstring; NaN without bars)."""
    anyone = next(iter(parts.values()), None)
    if anyone is None:
        return math.nan
    bar = anyone.steps_per_bar * anyone.step
    heard = {n.start // bar for p in parts.values() for n in p.notes}
    half = anyone.step // 2
    bass_bars = {(n.start + half) // bar for n in parts["bass"].notes} if "bass" in parts else set()
    low = [n for role, p in parts.items() if role in ("drums", "bass", "harmony") for n in p.notes
           if role == "bass" or (role == "drums" and n.pitch in KICKS)
           or (role == "harmony" and (n.start + half) // bar not in bass_bars)]
    on_one = {(n.start + half) // bar for n in low if (n.start + half) % bar <= 2 * half}
    return len(on_one & heard) / len(heard) if heard else math.nan


def parts_facts(parts: dict[str, Part]) -> dict[str, dict[str, float]]:
    """Role -> facts (drums by :func:`drum_facts`, the others by :func:`pitched_facts`)."""
    return {role: drum_facts(p) if role == "drums" else pitched_facts(p) for role, p in parts.items()}


def song_facts(song: Song) -> dict[str, dict[str, float]]:
    """Role -> facts of a Song's parts."""
    return parts_facts(song_parts(song))


def midi_facts(path: str | Path, meter: tuple[int, int] | None = None) -> dict:
    """``{"drums": facts or None, "pitched": {track name: facts}}`` of a MIDI file (``meter`` as in
    :func:`midi_parts`)."""
    drums, pitched = midi_parts(path, meter)
    return {"drums": drum_facts(drums) if drums else None, "pitched": {k: pitched_facts(p) for k, p in pitched.items()}}


def mean_facts(rows: Iterable[dict[str, float]]) -> dict[str, float]:
    """Per fact, the mean over pieces of the defined values (NaN where none is), and ``pieces``."""
    rows = list(rows)
    keys = list(rows[0]) if rows else []
    out = {}
    for k in keys:
        vals = [r[k] for r in rows if not (isinstance(r[k], float) and math.isnan(r[k]))]
        out[k] = sum(vals) / len(vals) if vals else math.nan
    return {**out, "pieces": len(rows)}
