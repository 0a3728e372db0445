"""How long a written note is held, by role, as players hold them: chords ring until the next
chord stroke (at most two beats, the way a pianist's hand moves on); bass lines and melodies keep
the model's lengths (held to the next onset, the bass lost its short notes: 12% of them half a beat
or less against POP909's 31%, and its rests); the performer's articulation then shortens what a
driving section plays short. Measured against POP909's median note length per role
(``stori/data/phrase_stats.json``)."""
from __future__ import annotations

from typing import NamedTuple

from stori.spec.song import PPQ, Note, no_restrikes

HOLD = {"harmony": (2 * PPQ, 0)}  # role -> (longest hold, breath before the next onset)


def hold(notes: list[Note], role: str, sustain: float = 0.0, changes: list[int] = ()) -> list[Note]:
    """``notes`` of one part with their ends moved to how the role holds them (never shortened).
    With ``sustain`` (:func:`~stori.spec.constraints.emotion_to_constraints`) at 0.5 or more, calm
    music rings: chords are held through later strokes until the chord ``changes`` (a pianist's
    pedal, at most a bar) and a melody note until the next one (at most two beats)."""
    pedal = sustain >= 0.5
    if role not in HOLD and not (pedal and role in ("melody", "counter_melody")):
        return notes
    longest, breath = HOLD.get(role, (2 * PPQ, 0))
    onsets = sorted({n.start for n in notes})
    out = []
    for n in notes:
        k = next((t for t in onsets if t > n.start), None)
        if pedal and role == "harmony":
            k, longest = next((t for t in changes if t > n.start), None), 4 * PPQ
        until = n.start + longest if k is None else min(n.start + longest, k - breath)
        out.append(Note(n.pitch, n.start, max(n.end, until), n.velocity))
    return out


HELD_VOICES = 5
"""At most this many pitches in a held chord (the first struck)."""
PAD_VOICES = 3
"""At most this many pitches in a pad's chord: strings holding a triad over the band."""


def held_chords(notes: list[Note], changes: list[int], voices: int = HELD_VOICES, restrike: bool = True) -> list[Note]:
    """A chord part as the plan's ``sustained`` behaviour plays it, a pad under calm music: struck
    as chords and held. Between two chord changes the pitches of the first beat, and any single
    note the part adds later, are struck together on the change; a later stroke of two or more
    notes is a chord the part restrikes and stays where it is. All ring to the next change (at most
    a bar from it; a restruck pitch ends where it is struck again). At most ``voices`` pitches sound
    from one stroke. Without ``restrike`` (a pad) every pitch between two changes joins the one stroke
    on the change, which rings until the next change however far."""
    spans: dict[int, list[Note]] = {}
    for n in sorted(notes, key=lambda n: (n.start, n.pitch)):
        spans.setdefault(max((t for t in changes if t <= n.start), default=0), []).append(n)
    out = []
    for at, group in spans.items():
        later = [t for t in changes if t > at]
        until = min(later + [at + 4 * PPQ]) if restrike else min(later, default=max(n.end for n in group))
        size = {t: sum(1 for n in group if n.start == t) for t in {n.start for n in group}}
        strokes: dict[int, list[int]] = {}
        for n in group:
            t = n.start if restrike and n.start >= at + PPQ and size[n.start] > 1 else at
            if n.pitch not in strokes.setdefault(t, []) and len(strokes[t]) < voices:
                strokes[t].append(n.pitch)
        out += [Note(p, t, max(until, t + 1), next(n.velocity for n in group if n.pitch == p))
                for t, pitches in strokes.items() for p in pitches]
    return no_restrikes(sorted(out, key=lambda n: (n.start, n.pitch)))


def evenly(k: int, share: float) -> bool:
    """Whether the ``k``-th of a run of events is among a ``share`` of them spread evenly (0.5: every other)."""
    return int((k + 1) * share + 1e-9) > int(k * share + 1e-9)


class Broken(NamedTuple):
    """A chord part played broken: its notes as written, each for its step, and the sustain pedal
    that rings them (``(down, up)`` spans, one per broken stroke), which the performer plays."""
    notes: list[Note]
    pedal: list[tuple[int, int]]


def arpeggiate(notes: list[Note], step: int = PPQ // 2, halve_short: bool = False, share: float = 1.0,
               bar: int = 4 * PPQ, pedal: list[int] | None = None) -> Broken:
    """A chord part played broken, as a fingerpicker or a pianist's arpeggio plays the plan's
    ``arpeggiated`` behaviour: each struck chord of two or more notes is spread from its lowest note
    up and back down in ``step``s for as long as it was written (its longest note, at most until the
    next stroke). The notes are written as a score writes them, one step each, with the pedal down
    for the stroke, so they ring to its end when played; a chord held less than two steps stays
    struck, or with ``halve_short`` (an arpeggio instrument, which breaks every chord) is broken in
    half steps when it can be.
    With ``share`` below 1 only the chords struck in that share of the quarter notes of each ``bar``
    ticks are broken, the same quarters in every bar (:func:`evenly`), the rest struck (motion's
    ``arpeggiation``: a comping part that moves more breaks more of its chords; a figure that repeats
    still repeats). With the ``pedal`` down (the chord changes of a hushed song) the part's pitches
    between two changes (at most :data:`HELD_VOICES`) are one chord, broken from the change to the next
    (at most a 4/4 bar on), the pedal held there."""
    groups: dict[int, list[Note]] = {}
    for n in notes:
        at = n.start if pedal is None else max((c for c in pedal if c <= n.start), default=n.start)
        groups.setdefault(at, []).append(n)
    onsets = sorted(groups)
    quarters = max(1, bar // PPQ)
    broken = round(share * quarters) / quarters
    out, held = [], []
    for k, t in enumerate(onsets):
        chord = sorted(groups[t], key=lambda n: n.pitch)
        stop = max(n.end for n in chord)
        if pedal is not None:
            chord = sorted({n.pitch: n for n in chord}.values(), key=lambda n: n.pitch)[:HELD_VOICES]
            stop = min(next((c for c in pedal if c > t), stop), t + 4 * PPQ)
        if k + 1 < len(onsets):
            stop = min(stop, onsets[k + 1])
        each = step if stop - t >= 2 * step or not halve_short else step // 2
        steps = (stop - t + each // 4) // each  # a chord let go just before its last step still fills it
        if broken < 1 and not evenly((t % bar) // PPQ, broken):
            steps = 0
        if len(chord) < 2 or steps < 2:
            out += chord
            continue
        order = list(range(len(chord))) + list(range(len(chord) - 2, 0, -1))  # up, then down without repeating the ends
        for i in range(steps):
            n = chord[order[i % len(order)]]
            out.append(Note(n.pitch, t + i * each, stop if i + 1 == steps else t + (i + 1) * each,
                            n.velocity if i == 0 else max(1, n.velocity - 6)))
        held.append((t, stop))
    out.sort(key=lambda n: (n.start, n.pitch))
    return Broken(out if pedal is None else no_restrikes(out), held)


AFTERBEAT_HOLD = 0.75
"""Share of its beat an afterbeat chord rings: a short "pah", clear of the next."""


def afterbeats(notes: list[Note], bar: int, beat: int, origin: int = 0) -> list[Note]:
    """A chord part as a waltz or a march comps it (the plan's ``afterbeats`` behaviour): nothing on
    the bar's first beat (bars of ``bar`` ticks from ``origin``), which is the bass's; on every other
    beat the chord sounding there (the notes written over that beat, or else the last ones struck
    before it in the bar) is struck and held :data:`AFTERBEAT_HOLD` of the beat: oom-pah-pah in 3/4,
    oom-pah in 2/4."""
    if not notes:
        return notes
    out = []
    for at in range(origin, max(n.end for n in notes), bar):
        for t in range(at + beat, at + bar, beat):
            chord = [n for n in notes if n.start <= t < n.end]
            if not chord:
                struck = [n.start for n in notes if at <= n.start < t]
                chord = [n for n in notes if struck and n.start == max(struck)]
            out += [Note(p, t, t + int(beat * AFTERBEAT_HOLD), max(n.velocity for n in chord if n.pitch == p))
                    for p in sorted({n.pitch for n in chord})]
    return out


def on_downbeats(notes: list[Note], bar: int) -> list[Note]:
    """A bass under afterbeat comping: a note held over a barline is struck again on it, so every
    bar it sounds in has its "oom" on beat 1."""
    out = []
    for n in notes:
        cuts = [n.start] + list(range((n.start // bar + 1) * bar, n.end, bar))
        out += [Note(n.pitch, a, b, n.velocity) for a, b in zip(cuts, cuts[1:] + [n.end])]
    return out


HORNS = range(56, 72)
"""GM brass (56-63) and reeds (64-71): a horn section in the harmony part plays stabs, not held chords."""
STAB = PPQ // 2


def stab(notes: list[Note], program: int, behaviour: str) -> list[Note]:
    """A horn section's chords as players punch them: each note of a brass or reed harmony part cut to
    an 8th (:data:`STAB`, less a breath) unless the section asks it to sustain (then the horns pad);
    any other instrument, or a sustained section, is left as it is."""
    if program not in HORNS or behaviour == "sustained":
        return notes
    return [Note(n.pitch, n.start, min(n.end, n.start + STAB - PPQ // 16), n.velocity) for n in notes]
