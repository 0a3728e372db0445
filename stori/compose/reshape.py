"""Edits a chat command makes to the notes a song already has, where a musician means the same music
played differently: dynamics, fewer or more notes, a drum feel, a part left out, reverb, a change of mode.

Each takes a Song and the ids of the sections (and the roles) to touch, and returns a new Song; every
other note and controller is kept as it was.
"""
from __future__ import annotations

from dataclasses import replace

from stori.data.drum_kit import FAMILIES, KIT
from stori.errors import StoriError
from stori.spec.song import PPQ, ControlChange, Note, Song, Track
from stori.theory import MODES, parse_key

REVERB = 91  # GM reverb send
REVERB_DEFAULT = 40  # what a GM synth sends when no CC91 is given
KICK, SNARE, CLOSED_HAT = KIT["kick"], KIT["snare"], KIT["closed_hat"]
FEELS = ("four_on_the_floor", "half_time", "double_time")


def copied(song: Song) -> Song:
    tracks = [Track(t.name, t.role, t.program, t.channel, list(t.notes), list(t.controls)) for t in song.tracks]
    return Song(tracks, list(song.sections), song.tempo, song.time_signature, song.key, song.ppq, song.spec,
                list(song.traces), song.title)


def _touched(song: Song, sections: set[str], roles):
    """(track, section span) for each touched part (``roles``; all when empty) in each of ``sections``."""
    for t in song.tracks:
        if not roles or t.role in roles:
            yield from ((t, span) for span in song.sections if span.id in sections)


def _edit(song: Song, sections: set[str], roles, fn) -> Song:
    """``song`` with ``fn(track, notes, span) -> notes`` applied to the notes each touched part starts in
    each touched section."""
    out = copied(song)
    for t, span in _touched(out, sections, roles):
        inside = [n for n in t.notes if span.start <= n.start < span.end]
        keep = [n for n in t.notes if not span.start <= n.start < span.end]
        t.notes = sorted(keep + fn(t, inside, span), key=lambda n: (n.start, n.pitch))
    return out


def scale_velocity(song: Song, sections: set[str], roles, factor: float) -> Song:
    """Every touched note's velocity times ``factor`` (1..127): louder or softer, nothing else moves."""
    def scaled(n: Note) -> Note:
        v = max(1, min(127, round(n.velocity * factor)))
        if v == n.velocity:  # the smallest audible step, so an ask is never a no-op
            v = max(1, min(127, v + (1 if factor > 1 else -1)))
        return replace(n, velocity=v)

    return _edit(song, sections, roles, lambda t, notes, span: [scaled(n) for n in notes])


def _at(tick: int) -> int:
    """The sixteenth nearest ``tick``: where a played (humanized) note sits on the grid."""
    return round(tick / (PPQ // 4)) * (PPQ // 4)


def _strength(tick: int, bar: int, beat: int) -> int:
    """How strong the grid position of ``tick`` is: 3 downbeat, 2 half bar, 1 beat, 0 off the beat."""
    pos = _at(tick) % bar
    return 3 if pos == 0 else 2 if pos == bar // 2 else 1 if pos % beat == 0 else 0


def thin(song: Song, sections: set[str], roles) -> Song:
    """Fewer notes: drums keep kicks and snares and the hats on the beat (fills and ghost notes go);
    pitched parts keep the notes on the strongest positions, each held until the next one kept."""
    bar, beat = song.ticks_per_bar, PPQ * 4 // song.time_signature[1]

    def fewer(t: Track, notes: list[Note], span) -> list[Note]:
        if not notes:
            return notes
        if t.is_drums:
            kept = [n for n in notes if n.pitch in FAMILIES["kick"] | FAMILIES["snare"] and
                    _strength(n.start, bar, beat) >= 1 or n.pitch in FAMILIES["cymbals"] and _at(n.start) % bar == 0
                    or n.pitch in FAMILIES["hats"] and (_at(n.start) - span.start) % (2 * beat) == 0]
            return kept if len(kept) < len(notes) else kept[::2]
        onsets = sorted({n.start for n in notes})
        level = max(_strength(o, bar, beat) for o in onsets)
        keep_on = [o for o in onsets if _strength(o, bar, beat) >= min(level, 1)]
        if len(keep_on) >= len(onsets):  # every onset is on a beat: keep every other one
            keep_on = keep_on[::2]
        ends = dict(zip(keep_on, [*keep_on[1:], span.end]))
        return [replace(n, end=max(n.end, min(ends[n.start], n.start + 2 * beat)))
                for n in notes if n.start in ends]

    return _edit(song, sections, roles, fewer)


def fill_in(song: Song, sections: set[str], roles) -> Song:
    """More notes: drums add closed hats on every eighth (sixteenths where eighths are there already);
    pitched parts re-strike each note held a beat or longer on every half beat."""
    beat = PPQ * 4 // song.time_signature[1]

    def more(t: Track, notes: list[Note], span) -> list[Note]:
        if t.is_drums:
            hats = {_at(n.start) for n in notes if n.pitch in FAMILIES["hats"]}
            step = PPQ // 2 if len(hats) < (span.end - span.start) // (PPQ // 2) else PPQ // 4
            soft = max(1, min(127, round(sum(n.velocity for n in notes) / len(notes) * 0.7))) if notes else 60
            return notes + [Note(CLOSED_HAT, k, k + step // 2, soft) for k in range(span.start, span.end, step)
                            if k not in hats]
        out = []
        for n in notes:
            if n.end - n.start < beat:
                out.append(n)
                continue
            half = beat // 2
            starts = list(range(n.start, n.end - half // 2, half))
            out += [Note(n.pitch, s, min(n.end, s + half), n.velocity if s == n.start else max(1, n.velocity - 8))
                    for s in starts]
        if len(out) == len(notes) and notes:  # every note already short: add a passing re-strike after each
            out = notes + [Note(n.pitch, n.end, min(n.end + (n.end - n.start), span.end), max(1, n.velocity - 10))
                           for n in notes if n.end + 30 < span.end and not any(m.start == n.end for m in notes)]
        return out

    return _edit(song, sections, roles, more)


def drum_feel(song: Song, sections: set[str], feel: str) -> Song:
    """The drums of ``sections`` in a feel, their other pieces kept: four on the floor (a kick on every
    beat), half time (the backbeat only on the middle of the bar) or double time (kick on every beat, snare
    on every off-beat eighth, hats in sixteenths)."""
    if feel not in FEELS:
        raise StoriError("feel", f"{str(feel)[:40]!r} is not a drum feel", ", ".join(FEELS))
    bar, beat = song.ticks_per_bar, PPQ * 4 // song.time_signature[1]

    def played(t: Track, notes: list[Note], span) -> list[Note]:
        if not t.is_drums or not notes:
            return notes
        kicks = [n for n in notes if n.pitch in FAMILIES["kick"]]
        snares = [n for n in notes if n.pitch in FAMILIES["snare"]]
        kv = round(sum(n.velocity for n in kicks) / len(kicks)) if kicks else 100
        sv = round(sum(n.velocity for n in snares) / len(snares)) if snares else 95
        beats = range(span.start, span.end, beat)
        if feel == "four_on_the_floor":
            have = {_at(n.start) for n in kicks}
            return notes + [Note(KICK, b, b + PPQ // 4, kv) for b in beats if b not in have]
        if feel == "half_time":
            middle = {b + bar // 2 for b in range(span.start, span.end, bar)}
            rest = [n for n in notes if n.pitch not in FAMILIES["snare"] and
                    not (n.pitch in FAMILIES["kick"] and _at(n.start) in middle)]
            hats = [n for n in rest if n.pitch in FAMILIES["hats"]]
            rest = [n for n in rest if n not in hats or (_at(n.start) - span.start) % beat == 0]
            return rest + [Note(SNARE, m, m + PPQ // 4, sv) for m in sorted(middle)]
        rest = [n for n in notes if n.pitch not in FAMILIES["snare"] | FAMILIES["kick"] | FAMILIES["hats"]]
        hv = max(1, round(sv * 0.6))  # double time
        return (rest + [Note(KICK, b, b + PPQ // 4, kv) for b in beats]
                + [Note(SNARE, b + beat // 2, b + beat // 2 + PPQ // 4, sv) for b in beats]
                + [Note(CLOSED_HAT, k, k + PPQ // 8, hv) for k in range(span.start, span.end, PPQ // 4)])

    return _edit(song, sections, ("drums",), played)


def silence(song: Song, sections: set[str], roles) -> Song:
    """The ``roles`` left out of ``sections`` (their notes gone; the other parts as they were)."""
    return _edit(song, sections, roles, lambda t, notes, span: [])


def set_reverb(song: Song, sections: set[str], roles, change: int) -> Song:
    """Reverb send (CC91) moved by ``change`` on the touched parts through each touched section (the
    value before comes back on its last tick, so the next section is as it was)."""
    out = copied(song)
    for t, span in _touched(out, sections, roles):
        before = [c for c in t.controls if c.control == REVERB and c.tick <= span.start]
        was = before[-1].value if before else REVERB_DEFAULT
        t.controls = [c for c in t.controls if not (c.control == REVERB and span.start <= c.tick < span.end)]
        t.controls += [ControlChange(span.start, REVERB, max(0, min(127, was + change))),
                       ControlChange(span.end - 1, REVERB, was)]
        t.controls.sort(key=lambda c: (c.tick, c.control))
    return out


def mode_map(old_key: str, new_key: str):
    """A pitch map from ``old_key`` to ``new_key``: each scale degree to the same degree of the new key
    (a note off the scale keeps its distance from the degree below it)."""
    (t0, m0), (t1, m1) = parse_key(old_key), parse_key(new_key)
    old, new = MODES[m0], MODES[m1]
    shift = (t1 - t0 + 6) % 12 - 6

    def move(pitch: int) -> int:
        rel = (pitch - t0) % 12
        degree = max(i for i, d in enumerate(old) if d <= rel)
        return pitch - rel + new[degree] + (rel - old[degree]) + shift

    return move
