"""The expression engine: a composed Song played with dynamics, articulation and controller curves.

Per note (same notes, same pitches, same order; only velocity, timing and length change):
- velocity = the note's own x the section's level x its envelope x a phrase swell x a cadence ramp
  plus accents. The level and envelope of each section type come from POP909 with its structure
  labels (:mod:`stori.perform.section_dynamics`: choruses ~4% above verses, verses rising to their
  end, outros fading); the section's energy is already in the score's velocities. Phrases (4 bars) swell to
  their middle; the last bar of a section climbs into a louder next section (a chorus) and relaxes
  into a calmer one or the end (a resolution). Accents: the downbeat; the drums' backbeat; the
  off-beats in off-beat genres (reggae, ska, reggaeton, house). Ghost drum hits stay ghosts and a
  played kick or snare is not shaped into one (``GHOST_BELOW``).
- register/density guard: at most two loud (> 90) notes above C5 at once outside the melody; an
  accompaniment note near or above the melody it sounds under stays below the melody's velocity.
- pedal: a note the score marks under the sustain pedal (CC64; broken chords) rings until the pedal
  lifts or its pitch is struck again; the marks are then spent, the ringing is in the lengths. Piano
  and electric-piano comping the score leaves unmarked is pedalled as POP909's pianists pedal
  (:func:`pedal_changes`), except an off-beat skank.
- hushed: below :data:`~stori.spec.emotion.HUSHED` energy the pitched parts play softer (:func:`softer`).
- articulation: legato (a monophonic line's short gaps closed) where the section is intimate
  (intimacy > 0.6), calm (energy below :data:`~stori.spec.emotion.CALM`) or the tempo slow (< 80 BPM),
  and in the bass everywhere; detached (80% length, not the bass) where it drives (motion > 0.6, or
  energy > 0.7 above 120 BPM).
- push/pull: the melody leans ahead in driving sections and behind in intimate ones (up to 8 ms).
- CC11 (expression) per beat on every pitched track following section energy, envelope and swell;
  CC1 (modulation) on melodic and harmony tracks following tension within the phrase.

:func:`perform` = :func:`express` then the groove humanizer (:func:`stori.perform.humanize.humanize_song`),
with the bass then locked onto the humanized kick it was written with.
"""
from __future__ import annotations

import bisect
import math
import re
import zlib
from dataclasses import replace

from stori.data.drum_kit import GHOST_BELOW, KICKS, SNARES, on_its_side
from stori.perform.section_dynamics import table as dynamics_table
from stori.spec.emotion import CALM, HUSHED
from stori.spec.song import (
    SUSTAIN,
    ControlChange,
    Note,
    SectionSpan,
    Song,
    Track,
    lift_restrikes,
    no_restrikes,
    pedal_marks,
    pedal_spans,
    pedalled,
)
from stori.trace import TraceRecorder, because

DEFAULT_ENERGY = {"intro": 0.4, "verse": 0.5, "pre_chorus": 0.6, "chorus": 0.8, "bridge": 0.55, "outro": 0.35,
                  "break": 0.3, "solo": 0.7, "interlude": 0.4}
OFFBEAT_GENRES = re.compile(r"reggae|ska|dembow|reggaeton|house|disco", re.I)
PHRASE_BARS = 4
MELODIC = ("melody", "counter_melody")
LOUD, HIGH = 90, 72
LIFTS = ("pre_chorus", "chorus", "solo")  # a section's last bar climbs into these ...
RESTS = ("intro", "verse", "break", "outro", "interlude")  # ... and relaxes into these or the end


class _Sections:
    """Per tick: the section span, its emotion (energy, tension, intimacy, motion) and its neighbours."""

    def __init__(self, song: Song):
        self.spans = sorted(song.sections,
                            key=lambda s: s.start) or [SectionSpan("all", "verse", 0, max(1, song.end_tick))]
        self.starts = [s.start for s in self.spans]
        spec = {s.id: s for s in song.spec.sections} if song.spec else {}
        self.emotion = []
        for s in self.spans:
            e = spec[s.id].emotion if s.id in spec else None
            self.emotion.append({"energy": e.energy if e else DEFAULT_ENERGY.get(s.type, 0.5),
                                 "tension": e.tension if e else 0.4, "intimacy": e.intimacy if e else 0.4,
                                 "motion": e.motion if e else 0.5})
        table = dynamics_table()
        gains = [table.get(s.type, table["other"])["gain"] for s in self.spans]
        weights = [max(1, s.end - s.start) for s in self.spans]
        # Levels come from the section types only: the score's velocities already follow each
        # section's energy (emotion_to_constraints), so the form's POP909 contrast is added once,
        # and refining one section's energy leaves every other section's level as it was.
        reference = sum(g * w for g, w in zip(gains, weights)) / sum(weights)
        self.level = [g / reference for g in gains]

    def index(self, tick: int) -> int:
        return max(0, bisect.bisect_right(self.starts, tick) - 1)


def _level(sections: _Sections, i: int) -> float:
    """A section's loudness factor: its type's POP909 gain over the song's
    length-weighted mean (the form reshapes the dynamics; the song's overall loudness stays)."""
    return sections.level[i]


def _envelope(sections: _Sections, i: int, frac: float) -> float:
    env = dynamics_table().get(sections.spans[i].type, dynamics_table()["other"])["envelope"]
    x = min(len(env) - 1.0, max(0.0, frac * len(env) - 0.5))
    k = int(x)
    return env[k] + (env[min(k + 1, len(env) - 1)] - env[k]) * (x - k)


def _shape(song: Song, sections: _Sections, tick: int) -> tuple[int, float]:
    """(section index, combined level x envelope x phrase swell x cadence ramp) at ``tick``."""
    i = sections.index(tick)
    span = sections.spans[i]
    length = max(1, span.end - span.start)
    pos = tick - span.start
    bar = song.ticks_per_bar
    swell = 1.0 + 0.05 * math.sin(math.pi * (pos % (PHRASE_BARS * bar)) / (PHRASE_BARS * bar))
    cadence = 1.0
    if pos >= length - bar:  # the last bar leans towards what follows: up into a lift, down into a rest
        ramp = (pos - (length - bar)) / bar
        nxt = sections.spans[i + 1].type if i + 1 < len(sections.spans) else None
        cadence = 1.0 + 0.08 * ramp * (1 if nxt in LIFTS else -1 if nxt in RESTS + (None,) else 0)
    return i, _level(sections, i) * _envelope(sections, i, pos / length) * swell * cadence


def _accent(n: Note, track: Track, song: Song, offbeat: bool) -> float:
    ppq, bar = song.ppq, song.ticks_per_bar
    pos = n.start % bar
    beats = bar // ppq
    if track.is_drums:
        backbeat = pos % ppq == 0 and (pos // ppq) % 2 == 1 and beats % 2 == 0
        return 6.0 if backbeat and n.pitch in SNARES else 3.0 if pos == 0 else 0.0
    if offbeat and track.role in ("harmony", "counter_melody") and pos % ppq == ppq // 2:
        return 5.0
    return 4.0 if pos == 0 else 0.0


def express(song: Song, seed: int = 0, sections: set[str] | None = None, trace: bool = True,
            roles: tuple[str, ...] | None = None) -> Song:
    """A copy of ``song`` with expression (rules in the module docstring); deterministic, no
    randomness needed (``seed`` is accepted for a uniform signature). With ``sections`` only notes
    starting in those sections change; every rule is local to a section, so expressing a whole
    song or only some of its sections gives those sections the same result. ``roles`` likewise
    limits it to some tracks."""
    spans = _Sections(song)
    offbeat = bool(song.spec and OFFBEAT_GENRES.search(song.spec.genre or ""))
    melody = song.track("melody")
    in_sections = _chosen(song, sections)
    tracks = []
    for t in song.tracks:
        chosen = in_sections if roles is None or t.role in roles else (lambda tick: False)
        notes = []
        for n in t.notes:
            if not chosen(n.start):
                notes.append(n)
                continue
            i, shape = _shape(song, spans, n.start)
            ghost = t.is_drums and n.velocity < GHOST_BELOW
            soft = 1.0 if t.is_drums else softer(spans.emotion[i]["energy"])
            v = n.velocity if ghost else int(max(1, min(127, round(n.velocity * shape * soft
                                                                  + _accent(n, t, song, offbeat)))))
            notes.append(replace(n, velocity=on_its_side(n.pitch, n.velocity, v) if t.is_drums else v))
        if not t.is_drums:
            notes = _articulate(notes, t, song, spans, chosen)
        t = replace(t, notes=notes, controls=list(t.controls))
        if _pedals(t, offbeat):
            t = _pianist_pedal(t, song, chosen)
        tracks.append(_pedal(t, chosen))
    _guard(tracks, melody.name if melody else None, song.ppq // 2,
           lambda t, tick: (roles is None or t.role in roles) and in_sections(tick))
    for t in tracks:
        chosen = in_sections if roles is None or t.role in roles else (lambda tick: False)
        if not t.is_drums:
            t.controls = [c for c in t.controls if c.control not in (1, 11) or not chosen(c.tick)] + \
                         [c for c in _curves(t, song, spans) if chosen(c.tick)]
            t.controls.sort(key=lambda c: (c.tick, c.control))
    return replace(song, tracks=tracks, sections=list(song.sections),
                   traces=_traced(song, spans, offbeat) if trace else list(song.traces))


def _pedal(t: Track, chosen) -> Track:
    """The track with the sustain pedal the score marks played into its notes' lengths (each note
    struck under it rings until it lifts, a restruck pitch lifted first), so every synth and DAW hears
    the ringing the same way; the marks themselves are then spent."""
    spans = pedal_spans(t.controls)
    played = [(a, b) for a, b in spans if chosen(a)]
    if t.is_drums or not played:
        return t
    mine = [n for n in t.notes if chosen(n.start)]
    notes = [n for n in t.notes if not chosen(n.start)] + no_restrikes(pedalled(mine, played))
    kept = [c for c in t.controls if c.control != SUSTAIN] + pedal_marks([s for s in spans if not chosen(s[0])])
    return replace(t, notes=sorted(notes, key=lambda n: (n.start, n.pitch)), controls=kept)


PEDAL_PROGRAMS = range(0, 6)
"""General MIDI pianos and electric pianos: the comping instruments a player pedals."""


def _pedals(t: Track, offbeat: bool) -> bool:
    """Does a pianist pedal this track? Keyboard comping does, except an off-beat skank, which is clipped."""
    return t.role == "harmony" and t.program in PEDAL_PROGRAMS and not offbeat


def pedal_changes(song: Song, span: SectionSpan) -> list[int]:
    """Where a pianist changes the pedal in a section: at each chord change and each half bar of an
    even meter (each bar otherwise). POP909's pianists hold it a median 1.79 beats, lift it for a
    16th or so (median gap 0.26 beats) and keep it down 83% of the time."""
    bar = song.ticks_per_bar
    beats = song.time_signature[0]
    step = bar // 2 if beats % 2 == 0 and beats >= 4 else bar
    points = set(range(span.start, span.end, step))
    planned = next((s for s in song.spec.sections if s.id == span.id), None) if song.spec else None
    if planned:
        points |= {span.start + t for t, _ in planned.chord_timeline(bar) if t < span.end - span.start}
    return sorted(points) + [span.end]


def _pianist_pedal(t: Track, song: Song, chosen) -> Track:
    """The track with a pianist's sustain pedal marked in each chosen section it plays where the score
    marks none (broken chords bring their own): down a 16th after each change of
    :func:`pedal_changes`, up at the next, so the chord struck on the change rings through it."""
    marked = pedal_spans(t.controls)
    late = song.ppq // 4
    spans = []
    for span in song.sections:
        if not chosen(span.start) or any(span.start <= a < span.end for a, _ in marked) \
                or not song.notes_in(t, span):
            continue
        points = pedal_changes(song, span)
        spans += [(a + late, b) for a, b in zip(points, points[1:]) if b - a > late]
    if not spans:
        return t
    return replace(t, controls=list(t.controls) + pedal_marks(spans))


def softer(energy: float) -> float:
    """The factor a pitched note's velocity is played at in a section of ``energy`` (1 from
    :data:`~stori.spec.emotion.HUSHED` up)."""
    return max(SOFTEST, 1.0 - SOFTER_PER_UNIT * max(0.0, HUSHED - energy))


def _chosen(song: Song, sections: set[str] | None):
    """A test ``tick -> bool``: does the tick lie in one of ``sections`` (all when None)?"""
    if sections is None:
        return lambda tick: True
    ranges = [(s.start, s.end) for s in song.sections if s.id in sections]
    return lambda tick: any(a <= tick < b for a, b in ranges)


SOFTER_PER_UNIT = 3.0
"""How much softer than the score the pitched parts of a hushed section play (energy below
:data:`~stori.spec.emotion.HUSHED`): this share of their velocity per unit of energy under it
(EMOPIA's calm clips average velocity 54; asked for it, the model's notes still sat near 69).
Pitched velocities only: the drums keep their kit's levels."""
SOFTEST = 0.7
"""The least factor :func:`softer` plays at (a near-silent intro still sounds)."""
DETACHED = 0.8
"""Share of its written length a note keeps where a section drives: detached, not clipped (EMOPIA's
excited piano clips still hold a median 0.53 s note)."""


def _articulate(notes: list[Note], t: Track, song: Song, sections: _Sections, chosen) -> list[Note]:
    ms_per_tick = 60000.0 / (song.tempo * song.ppq)
    out = []
    for k, n in enumerate(notes):
        if not chosen(n.start):
            out.append(n)
            continue
        i = sections.index(n.start)
        e = sections.emotion[i]
        start, end = n.start, n.end
        if t.role in MELODIC:  # push when driving, pull when intimate; a note never leaves its section
            start = max(min(sections.starts[i], n.start),
                        start + round((8.0 * e["intimacy"] - 8.0 * e["motion"]) * 0.5 / ms_per_tick))
            end = start + (n.end - n.start)
        driving = e["motion"] > 0.6 or (e["energy"] > 0.7 and song.tempo > 120)
        legato = e["intimacy"] > 0.6 or e["energy"] < CALM or song.tempo < 80
        if driving and not legato and t.role != "bass":  # the bass holds its line (POP909: median 1.56 beats)
            end = start + max(song.ppq // 8, int((n.end - n.start) * DETACHED))
        elif (legato and t.role in MELODIC or t.role == "bass") and k + 1 < len(notes):
            # a bassist ties over a rest shorter than an 8th (the model's own lengths: median 1.16 beats, POP909 1.59)
            gap = notes[k + 1].start - n.end
            if 0 < gap <= song.ppq // 2:
                end = notes[k + 1].start
        out.append(replace(n, start=start, end=max(start + 1, end)))
    return out


def _guard(tracks: list[Track], melody_name: str | None, window: int, chosen) -> None:
    """``chosen(track, tick)`` says which notes may change."""
    """No pile of loud high notes (more than two within ``window`` ticks) outside the melody;
    room under the melody's loudness."""
    melody = next((t for t in tracks if t.name == melody_name), None)
    lead = sorted(melody.notes, key=lambda n: n.start) if melody else []
    lead_starts = [n.start for n in lead]
    loud_high: dict[int, int] = {}
    for t in tracks:
        if t.is_drums or t is melody:
            continue
        out = []
        for n in t.notes:
            if not chosen(t, n.start):
                out.append(n)
                continue
            v = n.velocity
            j = bisect.bisect_right(lead_starts, n.start) - 1
            if j >= 0 and lead[j].end > n.start and n.pitch >= lead[j].pitch - 2:
                v = min(v, lead[j].velocity - 8)
            if n.pitch > HIGH and v > LOUD:
                slot = n.start // window
                loud_high[slot] = loud_high.get(slot, 0) + 1
                if loud_high[slot] > 2:
                    v = LOUD - 10
            out.append(replace(n, velocity=max(1, v)))
        t.notes = out


def _curves(t: Track, song: Song, sections: _Sections) -> list[ControlChange]:
    if not t.notes:
        return []
    out = []
    end = max(n.end for n in t.notes)
    mod = t.role in MELODIC + ("harmony",)
    last11 = last1 = None
    for tick in range(0, end, song.ppq):
        i, shape = _shape(song, sections, tick)
        v11 = int(max(0, min(127, round(96 * shape * (0.75 + 0.35 * sections.emotion[i]["energy"])))))
        if v11 != last11:
            out.append(ControlChange(tick, 11, v11))
            last11 = v11
        if mod:
            span = sections.spans[i]
            phrase = ((tick - span.start) % (PHRASE_BARS * song.ticks_per_bar)) / (PHRASE_BARS * song.ticks_per_bar)
            v1 = int(round(10 + 60 * sections.emotion[i]["tension"] * math.sin(math.pi * phrase)))
            if v1 != last1:
                out.append(ControlChange(tick, 1, v1))
                last1 = v1
    return out


def _traced(song: Song, sections: _Sections, offbeat: bool) -> list[dict]:
    """``song``'s traces with this performance's expression decision added."""
    rec = TraceRecorder(song.traces)
    rec.record("expression", "song", {s.id: round(_level(sections, i), 3) for i, s in enumerate(sections.spans)},
               [because("section_dynamics", "POP909 gain and envelope per section type",
                        "choruses play louder than verses; verses rise into them; outros fade", 0.6),
                because("energy", [round(e["energy"], 2) for e in sections.emotion],
                        "already in the score's velocities; CC11 and articulation follow it", 0.4),
                because("offbeat_accents", offbeat, "off-beat chords accented", 0.2),
                because("pedal", [t.name for t in song.tracks if _pedals(t, offbeat)],
                        "keyboard comping pedalled as POP909's pianists pedal: down a 16th after each chord "
                        "change and half bar, up at the next", 0.2)],
               confidence=0.7, principle="dynamics follow form: build into the chorus, relax on resolutions")
    return rec.traces


def groove_style(song: Song) -> str | None:
    """The GMD style the humanizer plays ``song`` in: a learned drum style's, a drum style named in its
    genre, else a GMD style word in it, else none."""
    from stori.perform.groove_features import GMD_STYLES
    from stori.perform.styles import get_style

    genre = (song.spec.genre if song.spec else "") or ""
    words = [genre] + genre.split()
    if learned_groove(song):  # the learned style's own GMD style comes first
        words.insert(0, song.spec.extra["drum_style"])
    for word in words:
        try:
            return get_style(word).gmd_style
        except ValueError:
            pass
    key = re.sub(r"[^a-z]", "", genre.lower())
    return next((s for s in GMD_STYLES if s in key), None)


def learned_groove(song: Song) -> str | None:
    """The groove model of a learned drum style the song is planned in (its drummer's feel), or None."""
    from stori.perform.styles import learned_style

    name = song.spec.extra.get("drum_style") if song.spec else None
    st = learned_style(name) if isinstance(name, str) else None
    return st.groove if st else None


def perform(song: Song, seed: int = 0, amount: float = 0.7, sections: set[str] | None = None, trace: bool = True,
            roles: tuple[str, ...] | None = None) -> Song:
    """``song`` performed: expression, then the groove humanizer (pitched parts at ``amount``, the
    drums at full amount: the groove model is the drummer); the bass keeps its kick.

    Section by section: each section is humanized with its own seed and its notes stay inside it,
    so performing only ``sections`` (and ``roles``, after a refinement) plays them exactly as
    performing the whole song would, and leaves every other note as it is."""
    from stori.perform.humanize import humanize_song

    expressed = express(song, seed, sections, trace, roles)
    style, groove = groove_style(song), learned_groove(song)
    played = replace(expressed, tracks=[replace(t, notes=list(t.notes)) for t in expressed.tracks])
    for span in song.sections:
        if sections is not None and span.id not in sections:
            continue
        index = {t.name: [k for k, n in enumerate(t.notes) if span.start <= n.start < span.end]
                 for t in expressed.tracks}
        part = replace(expressed, tracks=[replace(t, notes=[t.notes[k] for k in index[t.name]])
                                          for t in expressed.tracks])
        local = humanize_song(part, style, amount, zlib.crc32(f"{seed}:{span.id}".encode()), drum_amount=1.0,
                              groove=groove)
        for t, done in zip(played.tracks, local.tracks):
            if roles is not None and t.role not in roles:
                continue
            for k, n in zip(index[t.name], done.notes):  # a note never leaves its section
                start = min(max(n.start, span.start), span.end - 1)
                t.notes[k] = replace(n, start=start, end=max(start + 1, n.end))
    _lock_bass(expressed, played)
    lift_restrikes(played, sections)  # humanized timing must not restrike a still-sounding pitch
    return played


def _lock_bass(before: Song, after: Song) -> None:
    """Bass notes written on a kick move with that kick's humanized onset (humanizing keeps every
    note's list position, so before/after pair up by index)."""
    drums = [(b, a) for b, a in zip(before.tracks, after.tracks) if b.is_drums]
    bass = [(b, a) for b, a in zip(before.tracks, after.tracks) if b.role == "bass"]
    if not drums or not bass:
        return
    kick = {bn.start: an.start for bn, an in zip(drums[0][0].notes, drums[0][1].notes) if bn.pitch in KICKS}
    for b, a in bass:
        a.notes = [replace(an, start=kick[bn.start], end=kick[bn.start] + (an.end - an.start))
                   if bn.start in kick else an for bn, an in zip(b.notes, a.notes)]
