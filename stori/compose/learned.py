"""The "learned" engine: the sections and parts it is asked for, played by the transformer in one
batch, in phrases. The emotion reaches the model only through ``emotion_to_constraints`` ->
attribute bins, register and velocity limits and the tension of the harmonic pull.

Drums take the same path as the Drums tab (:mod:`stori.perform.drums`): one learned phrase per
section in the song's producer style, repeated, shaped by the style and the planned behaviour,
turned around by fills. Pitched parts follow a phrase form (:mod:`stori.compose.phrases`): only
their new 2-bar units are generated; repeats and restatements are copied and fitted to the chords.
Every choice is recorded as a trace.
"""
from __future__ import annotations

import random
from dataclasses import replace

from stori.compose.articulation import (
    HORNS,
    PAD_VOICES,
    afterbeats,
    arpeggiate,
    held_chords,
    hold,
    on_downbeats,
    stab,
)
from stori.compose.ensemble import lay_figure
from stori.compose.phrases import UNIT_BARS, describe, phrase_form, refit
from stori.data.phrase_stats import melody_pace, role_stats
from stori.model.generator import Generator, Request, generator_for
from stori.model.sampling import Sampling
from stori.perform.drum_patterns import METERS as DRUM_METERS
from stori.perform.drum_patterns import learned_pattern, meter_name, phrase_request
from stori.perform.drums import BEHAVIOUR_DENSITY, behaved, drum_part, record_form, style_generator, turn_chance
from stori.perform.styles import song_style
from stori.plan.genres import GENRE_FAMILY, GENRES
from stori.plan.planner import STILL
from stori.spec.arrange import PAD_ABOVE, ROLE_RANGES, beat_ticks, realize_motif, roles_in, song_skeleton
from stori.spec.constraints import Constraints, emotion_to_constraints
from stori.spec.emotion import HUSHED, STRONG_VALENCE
from stori.spec.song import COMPOSED_AS, PPQ, Note, Song, bar_ticks, no_restrikes, pedal_marks, starting_in
from stori.spec.song_spec import SectionSpec, SongSpec
from stori.theory import is_major
from stori.trace import NULL_RECORDER, TraceRecorder, because

WINDOW_UNITS = 1  # new units per model stream: 2-bar streams keep decoding short (measured: 137 vs 263 steps a song)
VARY = ("harmony",)
"""Parts whose new units keep the first bar of the unit before them (its rhythm and voicing, fitted
to the chords) and play only their second bar new: an accompanist establishes a figure and varies
it rather than inventing a new one every two bars (POP909 accompaniment: onsets of a 2-bar window
overlap the previous window's by 0.62 (Jaccard), though only 5% repeat it exactly; ours 0.40)."""
PER_WINDOW = ("harmony", "melody")
"""Parts whose phrase form repeats as often per 2-bar window as POP909's (see :func:`phrase_form`):
the accompaniment's new units almost never repeat a rhythm by chance now that it may breathe, so
drawing per unit left it at 0.031-0.034 repeated windows against POP909's 0.050 (20 songs). The
melody too since its onsets follow POP909's (:mod:`stori.model.calibration`): per unit it came to
0.016 against 0.023, per window 0.022. The bass, whose few figures repeat by chance already
(0.21 against 0.17), draws per unit."""
CHANCE_REPEATS = {"melody": 0.002, "harmony": 0.021, "bass": 0.072}
"""Share of 2-bar windows that repeat the one before with no designed copy (the realness songs,
20, seed 0, phrase forms drawn with no repeats: ``scripts/chance_repeats.py``, measured again on
the merged code of the decoding priors and the emotion cues): the bass's few figures come back by
themselves, so its form repeats less by design (:func:`phrase_form` ``chance``); POP909's train
songs repeat 0.21 by design alone."""
PAD_OVER_TUNE = 3
"""Semitones over the melody's centre from which the learned pad plays (up to the top of the
accompaniment's range): high strings over the tune, a minor third and more (at the centre itself the
pad sat inside the tune's range and the span of an open, full section hardly grew)."""
REPEATS_HEARD = {"melody": 0.8}
"""Share of a part's designed repeats the finished song holds (the critic re-takes some sections'
melodies): asked for POP909's rate, the melody's 2-bar windows repeated 0.016-0.020 in the realness
songs (seeds 0-3; POP909 0.023, within 25% from 0.0173), so its forms ask for 1/0.8 as many (then
0.023, 0.020, 0.026, 0.019). ``scripts/chance_repeats.py`` measures the repeats that come by chance."""
FEWER_STROKES = 0.35
"""The share of its density the comping sheds at the top of ``fewer_strokes``
(:func:`~stori.spec.constraints.emotion_to_constraints`). At 0.35 the slider songs at energy 0.8 play
10.1 / 10.8 notes a second over 10 seeds (EMOPIA's excited clips 9.3; 10.6 / 11.2 at 0.25, 12.9 / 14.0
with none). The comping is pedalled (:mod:`stori.perform.expression`), so its fewer strokes ring
longer, as POP909's pedalled comping does (median 0.97 beats heard)."""
PAD_LEVEL = 0.3
"""How far from the band's softest velocity to its loudest the pad is asked to play (the accompaniment
0.6): held strings lie under the band (asked at the accompaniment's level, the pad's chords, struck on
the chord changes and accented there, averaged 96 against the piano's 86)."""
BROKEN_FROM = 0.95
"""The ``arpeggiation`` (motion) from which the harmony asks the model for POP909's more broken
polyphony (its bin at ``1 - arpeggiation`` of the way down): only at the top of the motion slider.
Asked at everyday motion too (all below 0.6), the realness songs' comping was easier to tell from
POP909's (classifier 0.75 against 0.73 unasked, repeated windows 0.036 against 0.042; POP909 0.050)."""
ACCOMPANIMENT_FROM = -4.0
"""Where the other parts read the melody's place from, beside the melody's centre: the centre rose 4
to POP909's melodies (:data:`stori.spec.constraints.FORMULAS`), while the accompaniment already sat
at or above POP909's (harmony 61.5 against 59.9, bass 44.0 against 44.6); following the melody up,
the harmony rose to 62.9 (realness songs, 20, seed 0)."""
SECTION_MAP = {"pre_chorus": "verse", "break": "other", "solo": "other", "interlude": "other"}
PATTERN_OF = {"intro": "intro", "verse": "verse", "pre_chorus": "verse", "chorus": "chorus", "bridge": "bridge",
              "outro": "outro", "break": "break", "solo": "chorus", "interlude": "verse"}


PACED_BAND = ("standards",)
"""Styles whose band follows the paced melody: their data are lead sheets (OpenEWLD), no played
accompaniment to keep; at the unpaced density a 4/4 jazz tune's comping was the easier to tell from
POP909's (realness harmony classifier 0.76 / 0.74 / 0.77 over seeds 0-2, paced 0.75 / 0.74 / 0.75)."""


def _targets(gen: Generator, role: str, c: Constraints, meter: tuple[int, int] = (4, 4),
             style: str = "pop") -> dict[str, float]:
    """What the model is asked for. The emotion's ``note_density`` counts notes in a 4/4 bar of
    POP909's pace: a bar of another meter asks for as many per quarter note (a 2/4 bar half as many,
    a 9/8 bar 9/8 as many); the melody at the pace its style plays in that meter (:func:`melody_pace`:
    an art song's in 9/8 moves at 0.55 of a pop song's notes per quarter note). The other parts ask
    for the density the unpaced melody's place implies (slowed with it, an art song's bass held 1.5
    beats against the Lieder's 0.92), except in a style of :data:`PACED_BAND`."""
    bins = gen.tok.bins
    pace = melody_pace(style, meter)
    per_bar = c.note_density * meter[0] / meter[1]  # the melody's notes in a bar of the meter at POP909's pace
    # the lead sits above the band (Constraints.lead_velocity), the accompaniment 0.6 of the way up it
    targets = {"velocity": c.lead_velocity if role == "melody"
               else c.velocity_floor + 0.6 * (c.velocity_ceiling - c.velocity_floor)}
    if role in ("melody", "harmony"):  # tension pushes the tune and the comping off the beat
        targets["syncopation"] = c.syncopation
    if role == "harmony" and c.arpeggiation >= BROKEN_FROM:  # the most motion asks for POP909's most broken comping
        top = len(bins.edges[role]["polyphony"])
        targets["polyphony"] = bins.centre(role, "polyphony", round((1.0 - c.arpeggiation) * top))
    if role == "melody":
        targets.update(density=per_bar * pace, pitch=c.register_center)
    else:  # the other parts follow the melody's place among real songs
        melody_bin = bins.bin("melody", "density", per_bar * (pace if style in PACED_BAND else 1.0))
        register_bin = bins.bin("melody", "pitch", c.register_center + ACCOMPANIMENT_FROM)
        pitch = bins.centre(role, "pitch", register_bin)
        targets.update(density=bins.centre(role, "density", melody_bin) * c.accompaniment,
                       pitch=pitch + c.closeness * (c.register_center - pitch))
    return targets


LULLABY_MELODY = 0.45
"""The melody density a hushed song (its whole energy below :data:`~stori.spec.emotion.HUSHED`: a
lullaby) asks of every section, its lifted choruses too, beside what their own emotion asks: fewer,
longer notes (EMOPIA's calm clips: median note 1.07 s). Its broken chords are pedalled across each
chord (:func:`~stori.compose.articulation.arpeggiate`). Songs from HUSHED up, every realness song
among them, are played as before."""
STRONG_CONTOUR = 1.6
"""How many times harder the melody's contour is drawn past :data:`~stori.spec.emotion.STRONG_VALENCE`
(the ``rising`` chance is clipped at 0.8 there: the happiest sweep level rose in 0.64 of its moves, the
moderately happy 0.62; drawn harder, 0.71 over 10 seeds)."""


def contour(c: Constraints, valence: float) -> float:
    """The melody's contour tilt (``rising`` less 0.5), :data:`STRONG_CONTOUR` times past a strong valence."""
    return (c.rising - 0.5) * (STRONG_CONTOUR if abs(valence) > STRONG_VALENCE else 1.0)


def measured_targets(s: SectionSpec, role: str) -> dict[str, float]:
    """The targets a section's plan measured from a musician's own notes (``extra["targets"]``: role ->
    density, pitch, velocity), which win over those the emotion implies: a continuation or a
    variation goes on at the register, density and loudness the music had (:mod:`stori.own`)."""
    given = s.extra.get("targets", {}).get(role, {}) if isinstance(s.extra.get("targets"), dict) else {}
    return {k: float(v) for k, v in given.items() if k in ("density", "pitch", "velocity")
            and isinstance(v, (int, float)) and not isinstance(v, bool)}


def _from(chords: list[tuple[int, str]], lo: int) -> list[tuple[int, str]]:
    before = [c for c in chords if c[0] <= lo]
    return ([(lo, before[-1][1])] if before else []) + [c for c in chords if c[0] > lo]


def _unit_chords(chords: list[tuple[int, str]], unit: int, at: int, bar: int) -> list[tuple[int, str]]:
    """The chords under section unit ``unit`` (bars of ``bar`` ticks), as ticks from ``at`` (its place in a stream)."""
    lo, hi = unit * UNIT_BARS * bar, (unit + 1) * UNIT_BARS * bar
    return [(t - lo + at, sym) for t, sym in _from(chords, lo) if t < hi]


class _Part:
    """One pitched part of one section: its form, the streams asked of the model, the notes."""

    def __init__(self, gen: Generator, spec: SongSpec, s: SectionSpec, role: str, c: Constraints,
                 figures: list[list[Note]], rng: random.Random, style: str = "pop"):
        self.s, self.role, self.key, self.figures, self.sustain = s, role, spec.key_of(s), figures, c.sustain
        self.slow = c.slow_breaks  # a close, intimate section breaks its chords a beat at a time
        self.bar, self.beat, meter = bar_ticks(spec.time_signature), beat_ticks(spec), tuple(spec.time_signature)
        self.plays = COMPOSED_AS.get(role, role)  # the part the model is asked for
        self.program = next((t.program for t in spec.tracks if t.role == role), 0)
        motif_notes = [n for f in figures for n in f]
        self.form = phrase_form(self.plays, s.bars, rng, per_window=self.plays in PER_WINDOW,
                                chance=CHANCE_REPEATS.get(self.plays, 0.0), heard=REPEATS_HEARD.get(self.plays, 1.0))
        self.chords = s.chord_timeline(self.bar)
        targets = _targets(gen, self.plays, c, meter, style)
        self.lullaby = spec.global_emotion.energy < HUSHED  # a hushed song is played as one, its lifts too
        self.pedal: list[tuple[int, int]] = []  # where the part's broken chords ring (section ticks)
        if s.behaviour(role, "") in ("sparse", "sustained") or role == "pad":
            targets["density"] *= 0.5
        if role == "pad":  # strings over the tune, under the band's loudness
            targets["pitch"] += PAD_ABOVE
            targets["velocity"] = c.velocity_floor + PAD_LEVEL * (c.velocity_ceiling - c.velocity_floor)
        if role == "harmony":  # toward the loud end the drums drive and the chords ring: fewer strokes
            targets["density"] *= 1.0 - FEWER_STROKES * c.fewer_strokes
        if self.lullaby and self.plays == "melody":
            targets["density"] *= LULLABY_MELODY
        heard = measured_targets(s, role)
        targets.update(heard)
        register = None
        if role == "melody" and "pitch" not in heard:
            register = (int(c.register_center - c.register_spread - 2), int(c.register_center + c.register_spread + 2))
        if role == "pad" and "pitch" not in heard:  # high strings over the tune
            register = (int(c.register_center) + PAD_OVER_TUNE, ROLE_RANGES[self.plays][1])
        # valence makes the mode plain: a happy major song and a sad minor one dwell on the key's mode tones
        mode_pull = c.mode_pull(is_major(self.key)) if self.plays in ("melody", "harmony") else 0.0
        new = [u.index for u in self.form if u.kind == "new"]
        self.streams: list[list[int]] = [new[i:i + WINDOW_UNITS] for i in range(0, len(new), WINDOW_UNITS)]
        self.requests = []
        for units in self.streams:
            chords, forced = [], []
            for j, u in enumerate(units):
                at, lo = j * UNIT_BARS * self.bar, u * UNIT_BARS * self.bar
                chords += _unit_chords(self.chords, u, at, self.bar)
                forced += [Note(x.pitch, x.start - lo + at, x.end - lo + at, x.velocity or int(targets["velocity"]))
                           for x in motif_notes if lo <= x.start < lo + UNIT_BARS * self.bar]
            bars = min(len(units) * UNIT_BARS, s.bars - units[0] * UNIT_BARS)
            self.requests.append(Request(self.plays, bars, targets, key=self.key, tempo=s.tempo or spec.tempo,
                                         style=style, section=SECTION_MAP.get(s.type, s.type), chords=chords,
                                         register=register, tension=s.emotion.tension, forced_notes=forced,
                                         mode_pull=mode_pull, contour=contour(c, s.emotion.valence), meter=meter))

    def notes(self, generated: list[list[Note]]) -> list[Note]:
        """Section-relative notes: generated units in place, then repeats and restatements copied."""
        unit_ticks = UNIT_BARS * self.bar
        lo_p, hi_p = ROLE_RANGES[self.role]
        by_unit: dict[int, list[Note]] = {}
        for units, ns in zip(self.streams, generated):
            for j, u in enumerate(units):
                a = j * unit_ticks
                by_unit[u] = self._clear_figures([
                    Note(n.pitch, n.start - a + u * unit_ticks, min(n.end, a + unit_ticks) - a + u * unit_ticks,
                         n.velocity) for n in starting_in(ns, a, a + unit_ticks) if lo_p <= n.pitch <= hi_p])
        self.varied = []
        for u in self.form:  # in order: a varied unit keeps the pattern of the unit before it as played
            if u.kind != "new":
                by_unit[u.index] = refit(by_unit.get(u.source, []), (u.index - u.source) * unit_ticks, self.chords,
                                         self.plays, self.key, (lo_p, hi_p))
            elif self.plays in VARY and u.index > 0 and (u.index + 1) * UNIT_BARS <= self.s.bars:
                start, bar = u.index * unit_ticks, self.bar
                kept = [Note(n.pitch, n.start, min(n.end, start - unit_ticks + bar), n.velocity)
                        for n in by_unit.get(u.index - 1, []) if n.start < start - unit_ticks + bar]
                by_unit[u.index] = (refit(kept, unit_ticks, self.chords, self.plays, self.key, (lo_p, hi_p))
                                    + [n for n in by_unit[u.index] if n.start >= start + bar])
                self.varied.append(u.index)
        end = self.s.bars * self.bar
        changes = [t for t, _ in self.chords]
        notes = hold([n for u in sorted(by_unit) for n in by_unit[u] if n.start < end], self.plays, self.sustain,
                     changes)
        if self.role == "pad":  # a pad changes with the chords, one stroke each, as strings hold them
            notes = held_chords(notes, changes, PAD_VOICES, restrike=False)
        ev = self.s.emotion  # the calmest or stillest sections hold their chords as struck pads
        if self.role == "harmony" and self.s.behaviour("harmony", "") == "sustained" and (
                ev.energy < HUSHED or ev.motion < STILL):
            notes = held_chords(notes, changes)
        if self.role == "harmony" and self.program in HORNS:  # horns punch or pad; they do not arpeggiate
            notes = stab(notes, self.program, self.s.behaviour("harmony", ""))
        elif self.role == "arpeggio" or self.role == "harmony" and self.s.behaviour("harmony", "") == "arpeggiated":
            step = self.beat if self.slow else PPQ // 2  # a close voice's chords break a beat at a time
            notes, self.pedal = arpeggiate(notes, step, halve_short=self.role == "arpeggio",
                                           pedal=changes if self.lullaby else None)
        elif self.role == "harmony" and self.s.behaviour("harmony", "") == "afterbeats":
            notes = afterbeats(notes, self.bar, self.beat)
        if self.role == "bass" and self.s.behaviour("harmony", "") == "afterbeats":
            notes = on_downbeats(notes, self.bar)
        # an arpeggio breaks a chord held past the section's end: only what starts inside it is played
        self.pedal = [(a, min(b, end)) for a, b in self.pedal if a < end]
        return no_restrikes([Note(n.pitch, n.start, min(n.end, end), n.velocity) for n in notes if n.start < end])

    def _clear_figures(self, notes: list[Note]) -> list[Note]:
        """A unit with the plan's motif figures standing clear (the notes the model added under a
        figure give way to it), before any copy is made of it, so repeats carry the theme intact."""
        for fig in self.figures:
            a, b = fig[0].start, max(n.end for n in fig)
            under = [n.velocity for n in starting_in(notes, a, b)]
            if under:
                notes = lay_figure(notes, fig, max(under))
        return sorted(notes, key=lambda n: (n.start, n.pitch))


def _drums(spec: SongSpec, k: int, s: SectionSpec, c: Constraints, seed: int):
    """(request, how to turn its notes into the section's drums and their form) for one section, or
    None when the drums are tacet. A learned style's request is played by its own generator
    (``generator`` of the finisher)."""
    behaviour = s.behaviour("drums", "steady")
    if behaviour == "tacet":
        return None
    meter = meter_name(spec.time_signature)
    st = behaved(song_style(spec.extra.get("drum_style") or spec.genre), behaviour, s.emotion.motion)
    if spec.genre in GENRE_FAMILY:  # a pop song on the rock kit plays toms and turns phrases as pop drummers do
        st = replace(st, family=GENRE_FAMILY[spec.genre])
    if isinstance(spec.extra.get("swing"), (int, float)):  # the genre's swing (a blues shuffle) over the style's
        st = replace(st, swing=float(min(75.0, max(50.0, spec.extra["swing"]))))
    pattern = PATTERN_OF.get(s.type, "verse")
    density = measured_targets(s, "drums").get("density") or (
        st.target_density * BEHAVIOUR_DENSITY.get(behaviour, 1.0) * min(1.4, max(0.6, c.drum_density / 0.4)))
    req = phrase_request(st, spec.tempo, pattern, s.bars, density)
    nxt = spec.sections[k + 1] if k + 1 < len(spec.sections) else None
    turn = nxt is not None and nxt.type != s.type and pattern not in ("intro", "outro", "break")
    fill_end = turn_chance(st, nxt.type) if turn else 0.0
    # drummers keep their backbeat above a whisper: the kit follows the band more gently than the parts do
    velocity_scale = min(1.25, max(0.6, (c.velocity_ceiling + 20) / (st.velocity[2] + 20)))

    def finish(notes: list[Note]) -> tuple[list[Note], dict]:
        rng = random.Random(f"{seed}:{s.id}:drums")
        grid = learned_pattern(st, meter, s.bars, notes, rng)
        part, form = drum_part(st, meter, grid, spec.tempo, pattern, rng, fill_end=fill_end,
                               build=behaviour == "build", velocity_scale=velocity_scale)
        return part, {**form, "style": st.name, "behaviour": behaviour, "pattern": pattern}
    finish.generator = style_generator(st) if st.adapter else None
    return req, finish


def _section_progress(jobs, on_section):
    """A request-ended listener that calls ``on_section(k, n, id)`` as each section's last request ends."""
    if on_section is None:
        return None
    owner, left = [], {}
    for span, _, _, n in jobs:
        owner += [span.id] * n
        left[span.id] = left.get(span.id, 0) + n
    total, done = len(left), []

    def ended(i: int) -> None:
        left[owner[i]] -= 1
        if left[owner[i]] == 0:
            done.append(owner[i])
            on_section(len(done), total, owner[i])

    return ended


def wanted_style(spec: SongSpec) -> str:
    """The pitched style the song's genre asks the model for (pop where the genre names none)."""
    genre = GENRES.get(spec.genre)
    return genre.model_style if genre else "pop"


def pitched_style(spec: SongSpec, gen: Generator) -> tuple[str, str]:
    """The style the pitched parts are asked in, and why: the genre's ``model_style`` where the
    model's vocabulary knows it (a v2 model), else pop."""
    want = wanted_style(spec)
    meter = tuple(spec.time_signature)
    if want == "pop" and meter != (4, 4) and "artsong" in gen.tok.styles:
        return "artsong", (f"POP909, the pop style's songs, are all in 4/4: in {meter[0]}/{meter[1]} the model "
                           "plays the art songs' lines (OpenScore Lieder), its songs in that meter")
    if want in gen.tok.styles:
        return want, f"the {spec.genre} genre's pitched style"
    return "pop", f"the {spec.genre} genre asks for {want}, which this model does not know: pop"


def compose_learned(spec: SongSpec, seed: int = 0, tracer: TraceRecorder = NULL_RECORDER,
                    sections: set[str] | None = None, roles=None, sampling: Sampling = Sampling(),
                    generator: Generator | None = None, on_section=None) -> Song:
    """The ``sections`` (all when None) and parts (``roles``, see :func:`~stori.spec.arrange.roles_in`)
    asked for; everything else stays empty. Every section is decoded at once; ``on_section(k, n, id)``
    hears as the k-th of the n sections has all its parts."""
    meter = tuple(spec.time_signature)
    gen = generator
    if gen is None:
        gen, why = generator_for(meter, wanted_style(spec))
        tracer.record("model", "song", f"v{gen.tok.version}", [because("time_signature", list(meter), why, 1.0)],
                      confidence=1.0, principle="each song goes to the shipped model trained on its meter and style")
    if meter not in gen.tok.meters or meter_name(meter) not in DRUM_METERS:
        from stori.compose.baseline import compose_baseline
        known = ", ".join(m for m in map(meter_name, gen.tok.meters) if m in DRUM_METERS)
        tracer.record("engine", "song", "baseline", [because("time_signature", list(meter),
                      f"the learned model plays {known} only", 1.0)],
                      confidence=1.0, principle="use a model only inside what it was trained on")
        return compose_baseline(spec, seed, tracer, sections, roles, on_section)
    if meter != (4, 4):
        tracer.record("drum_meter", "song", meter_name(meter), [because(
            "time_signature", list(meter), "the drums' phrases are learned in 4/4 (GMD has a dozen beats in other "
            "meters): each beat of the meter borrows a 4/4 beat's kick, snare and hats", 1.0)],
            confidence=0.6, principle="adapt the material there is where the data is absent, and say so")
    style, why = pitched_style(spec, gen)
    tracer.record("model_style", "song", style, [because("genre", spec.genre, why, 1.0)], confidence=1.0,
                  principle="a request's genre reaches every part the model knows it for")
    song = song_skeleton(spec)
    present = {t.role for t in song.tracks}
    jobs, pads = [], []  # (span, role, part or drum finisher, number of requests)
    requests: list[Request] = []
    styled: list[tuple[Generator, Request]] = []  # drums of a learned style, decoded by its own generator
    for k, (span, s) in enumerate(zip(song.sections, spec.sections)):
        if sections is not None and s.id not in sections:
            continue
        c = emotion_to_constraints(s.emotion, s)
        figures: dict[str, list[list[Note]]] = {}
        for usage in s.motif_usage:
            _, notes = realize_motif(spec, usage, 0, spec.key_of(s))
            if notes:
                figures.setdefault(usage.track, []).append(notes)
        for role in sorted(present & set(roles_in(roles, s.id) or ROLE_RANGES)):
            if role == "drums":
                drums = _drums(spec, k, s, c, seed)
                if drums is not None and drums[1].generator is not None:
                    jobs.append((span, role, drums[1], 0))
                    styled.append((drums[1].generator, drums[0]))
                elif drums is not None:
                    jobs.append((span, role, drums[1], 1))
                    requests.append(drums[0])
                continue
            if s.behaviour(role, "") == "tacet":
                continue
            part = _Part(gen, spec, s, role, c, figures.get(role, []), random.Random(f"{seed}:{s.id}:{role}:form"),
                         style)
            if role == "pad":
                pads.append((span, role, part, len(part.requests)))
                continue
            jobs.append((span, role, part, len(part.requests)))
            requests += part.requests
        if tracer.enabled:
            tracer.record("conditioning", f"section:{s.id}",
                          {"note_density": c.note_density, "drum_density": c.drum_density,
                          "register_center": c.register_center, "velocity": [c.velocity_floor, c.velocity_ceiling],
                          "tension": s.emotion.tension},
                          c.because("note_density") + c.because("register_center") + c.because("velocity_ceiling"),
                          confidence=0.7,
                          principle="the model is asked for the density, register and loudness the emotion implies")
    ended = _section_progress(jobs + pads, on_section)
    generated, _ = gen.generate(requests, seed=seed, sampling=sampling, on_done=ended)
    if pads:  # a batch of its own: the parts beside a pad play the very notes they play without it
        later, first = [r for job in pads for r in job[2].requests], len(requests)
        generated += gen.generate(later, seed=seed + 1, sampling=sampling,
                                  on_done=ended and (lambda i: ended(first + i)))[0]
        jobs += pads
    own = iter(styled[0][0].generate([r for _, r in styled], seed=seed, sampling=sampling)[0] if styled else [])
    by_role = {t.role: t for t in song.tracks}
    at = 0
    for span, role, job, n in jobs:
        mine, at = generated[at:at + n], at + n
        if role == "drums":
            notes, form = job(mine[0] if n else next(own))
            record_form(tracer, f"section:{span.id}/drums", form)
        else:
            notes = job.notes(mine)
            if tracer.enabled:
                tracer.record("phrase_form", f"section:{span.id}/{role}",
                              {"units": [u.kind for u in job.form], "copies": describe(job.form),
                               "varied": [f"bar {k * UNIT_BARS + 1} keeps bar {k * UNIT_BARS - 1}, "
                                          f"bar {k * UNIT_BARS + 2} new" for k in job.varied]},
                              [because("repeat_previous", round(role_stats(role)["repeat_previous"], 3),
                                       "how often real players of this part repeat the 2 bars before (POP909)", 0.6),
                               because("restate_two_back", round(role_stats(role)["restate_two_back"], 3),
                                       "how often they come back to the 2 bars before those", 0.4)],
                              confidence=0.7, principle="a part states a phrase, repeats or answers it, and varies it")
        by_role[role].notes += [Note(x.pitch, x.start + span.start, x.end + span.start, x.velocity) for x in notes]
        if role != "drums":
            by_role[role].controls += pedal_marks(job.pedal, span.start)
    for t in song.tracks:
        t.notes.sort(key=lambda n: (n.start, n.pitch))
    return song
