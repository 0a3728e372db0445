"""How a part hears the parts made before it, applied to one section after its engine has played:
bass locks to the kick, harmony keeps clear of the bass, melody carries the declared motifs.
Also the motif matcher the critic, the diff and the tests use."""
from __future__ import annotations

import zlib

from stori.data.drum_kit import KICKS
from stori.spec.arrange import realize_motif
from stori.spec.song import PPQ, Note, SectionSpan, Song, starting_in
from stori.spec.song_spec import SectionSpec, SongSpec
from stori.theory import parse_chord

LOCK_WINDOW = PPQ // 4  # a bass onset within a 16th of a kick moves onto it
CLEAR_OF_BASS = 7  # semitones: a harmony note closer than a fifth above the bass it sounds over is lifted
"""POP909: of the accompaniment notes sounding over a bass note, 1.4% lie within a fifth above it, but
37% within a 9th (10ths, octaves and 9ths are the left hand's everyday spacings, not mud)."""


def lock_bass_to_kick(bass: list[Note], drums: list[Note], bar: int, origin: int = 0) -> tuple[list[Note], int]:
    """Move each bass onset that sits within a 16th of a kick onto the kick (the end stays), except
    on a downbeat (bars of ``bar`` ticks from ``origin``): a kick pushed ahead of the bar is the
    drummer's, and the bass leaving beat 1 for it left a 6/8 jazz tune's beat 1 unheard in 1 bar of 4."""
    kicks = sorted({n.start for n in drums if n.pitch in KICKS})
    out, moved = [], 0
    for n in bass:
        near = min(kicks, key=lambda k: abs(k - n.start), default=None)
        if (near is not None and 0 < abs(near - n.start) <= LOCK_WINDOW and near < n.end - PPQ // 8
                and (n.start - origin) % bar):
            out.append(Note(n.pitch, near, n.end, n.velocity))
            moved += 1
        else:
            out.append(n)
    return out, moved


def state_thirds(harmony: list[Note], chords: list[tuple[int, str]], end: int) -> tuple[list[Note], int]:
    """Over each chord of the ``(tick, symbol)`` timeline (section ticks, up to ``end``), a harmony
    part of two or more notes that never sounds the chord's third gets it: every second note of its
    most doubled root or fifth (the fifth when nothing doubles) moves to the nearest third. The third
    names the chord major or minor; voicings of roots and fifths alone leave a minor song sounding
    like its relative major (measured from the notes: ``scripts/emotion_corners.py``)."""
    out, moved = list(harmony), 0
    bounds = [t for t, _ in chords] + [end]
    for (start, symbol), stop in zip(chords, bounds[1:]):
        root, pcs, _ = parse_chord(symbol)
        if len(pcs) < 3 or (pcs[1] - root) % 12 not in (3, 4):
            continue
        third = pcs[1]
        idx = [i for i, n in enumerate(out) if start <= n.start < stop]
        if len(idx) < 2 or any(out[i].pitch % 12 == third for i in idx):
            continue
        by_pc = {pc: [i for i in idx if out[i].pitch % 12 == pc] for pc in (root, pcs[2])}
        doubled = max(by_pc.values(), key=len)
        chosen = doubled[1::2] if len(doubled) >= 2 else by_pc[pcs[2]][:1]
        for i in chosen:
            n = out[i]
            target = min((n.pitch + d for d in range(-4, 5) if (n.pitch + d) % 12 == third),
                         key=lambda p, at=n.pitch: abs(p - at))
            if any(m.pitch == target and m.start < n.end and n.start < m.end for m in out):
                continue  # the third already sounds there: no restrike
            out[i] = Note(target, n.start, n.end, n.velocity)
            moved += 1
    return out, moved


def clear_of_bass(harmony: list[Note], bass: list[Note]) -> tuple[list[Note], int]:
    """Raise by an octave any harmony note that sounds less than a fifth above (or below) a bass
    note it overlaps (:data:`CLEAR_OF_BASS`): close low intervals against the bass turn to mud."""
    out, raised = [], 0
    for n in harmony:
        under = [b for b in bass if b.start < n.end and n.start < b.end]
        if any(n.pitch - b.pitch < CLEAR_OF_BASS for b in under) and n.pitch + 12 <= 84:
            out.append(Note(n.pitch + 12, n.start, n.end, n.velocity))
            raised += 1
        else:
            out.append(n)
    return out, raised


PUSHED = ("harmony", "melody")
"""The parts that anticipate a pushed change. Not the bass: in POP909's and the Lieder's train
sections it is held over a bar line from an 8th before it, beat 1 unstruck, at 1.7% and 1.0% of bar
starts (``scripts/bass_anticipations.py``); pushed with the band, the bass left beat 1 unheard in a fifth of
an art song's bars (0.78 against the Lieder's 0.92)."""
PUSH = PPQ // 2  # an 8th early: the "and" of the last beat


def push_changes(parts: dict[str, list[Note]], changes: list[int], chance: float, key: str,
                 phrase: int = 0) -> tuple[dict, int]:
    """``parts`` (role -> one section's notes) with some chord ``changes`` (ticks inside the section,
    on bar starts) anticipated: each part's notes starting on the change move an 8th earlier unless
    that part already starts a note there (a note held a beat or more is held over the change, a
    shorter one, a stab, moves whole), and its notes still sounding at the new onset end there (no
    restrike). Each change is pushed with ``chance`` (the section's ``push``,
    :func:`~stori.spec.constraints.emotion_to_constraints`: none below tension 0.2, 0.8 at full
    tension). Which changes are pushed is drawn from ``key`` and the change's place in a ``phrase``
    (ticks, counted from the first change; 0: the change itself), so the same section is pushed the same
    way every time, a repeating phrase pushes the same changes and a tenser take pushes at least the
    changes a calmer one pushed."""
    pushed = 0
    out = {role: list(notes) for role, notes in parts.items()}
    for t in changes:
        place = (t - changes[0]) % phrase if phrase else t
        if chance == 0 or zlib.crc32(f"{key}:{place}".encode()) / 2**32 >= chance:
            continue
        early = t - PUSH
        for role in PUSHED:
            notes = out.get(role, [])
            if not any(n.start == t for n in notes) or any(early <= n.start < t for n in notes):
                continue
            out[role] = [Note(n.pitch, early, n.end if n.end - n.start >= PPQ else n.end - PUSH, n.velocity)
                         if n.start == t else
                         Note(n.pitch, n.start, early, n.velocity) if n.start < early < n.end else n for n in notes]
            pushed += 1
    return out, pushed


def motif_matches(melody: list[Note], expected: list[Note], tolerance: int = PPQ // 8) -> bool:
    """True when the melody holds the expected figure: a note at each expected onset (within
    ``tolerance``) whose successive intervals equal the figure's (any octave transposition of the
    whole) and whose onset gaps equal the figure's (the rhythm)."""
    found = []
    for e in expected:
        cands = [n for n in melody if abs(n.start - e.start) <= tolerance]
        if not cands:
            return False
        found.append(min(cands, key=lambda n: (abs(n.start - e.start), abs(n.pitch - e.pitch) % 12)))
    ints = [b.pitch - a.pitch for a, b in zip(found, found[1:])]
    want = [b.pitch - a.pitch for a, b in zip(expected, expected[1:])]
    gaps = [b.start - a.start for a, b in zip(found, found[1:])]
    want_gaps = [b.start - a.start for a, b in zip(expected, expected[1:])]
    return ints == want and all(abs(g - w) <= tolerance for g, w in zip(gaps, want_gaps))


def motif_places(spec: SongSpec, song: Song, section_ids: set[str] | None = None) -> list[tuple[str, str, int, bool]]:
    """(section id, motif id, bar, recognised) for every declared melody motif usage."""
    melody = song.track("melody")
    out = []
    for span, s in zip(song.sections, spec.sections):
        if section_ids is not None and s.id not in section_ids:
            continue
        notes = song.notes_in(melody, span) if melody else []
        for u in s.motif_usage:
            if u.track != "melody":
                continue
            _, expected = realize_motif(spec, u, span.start, spec.key_of(s))
            expected = [n for n in expected if n.end <= span.end]
            out.append((s.id, u.motif, u.bar, bool(expected) and motif_matches(notes, expected)))
    return out


def lay_figure(notes: list[Note], figure: list[Note], velocity: int) -> list[Note]:
    """``notes`` with ``figure`` written in: the notes starting under it give way (and those sounding
    into it), its own notes keep their velocity or take ``velocity``."""
    a, b = figure[0].start, max(n.end for n in figure)
    return [n for n in notes if n.end <= a or n.start >= b] + [Note(n.pitch, n.start, n.end,
                                                                    n.velocity or velocity) for n in figure]


def force_motifs(spec: SongSpec, s: SectionSpec, span: SectionSpan, melody: list[Note],
                 velocity: int) -> tuple[list[Note], int]:
    """Write each declared motif into the melody where it is missing or cluttered (other onsets
    inside the figure blur it): the notes under the figure give way to it. Returns the melody and
    how many figures had to be forced."""
    forced = 0
    for u in s.motif_usage:
        if u.track != "melody":
            continue
        _, expected = realize_motif(spec, u, span.start, spec.key_of(s))
        expected = [n for n in expected if n.end <= span.end]
        if not expected:
            continue
        a, b = expected[0].start, max(n.end for n in expected)
        inside = starting_in(melody, a, b)
        if motif_matches(melody, expected) and len(inside) == len(expected):
            continue
        melody = lay_figure(melody, expected, velocity)
        forced += 1
    return sorted(melody, key=lambda n: (n.start, n.pitch)), forced
