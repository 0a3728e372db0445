"""The rule-based baseline engine: the yardstick the learned engine must beat, kept deliberately small.

Drums play one groove per style, bass plays roots and fifths, harmony plays block (or broken) chords,
the melody walks the scale toward chord tones and states the spec's motifs where they are declared.
"""
from __future__ import annotations

from stori.compose.articulation import HORNS, Broken, afterbeats, arpeggiate, evenly, stab
from stori.data.drum_kit import KIT
from stori.spec.arrange import PAD_ABOVE, ROLE_RANGES, beat_ticks, realize_motif, rng_for, roles_in, song_skeleton
from stori.spec.constraints import Constraints, emotion_to_constraints
from stori.spec.song import PPQ, Note, SectionSpan, Song, pedal_marks
from stori.spec.song_spec import SectionSpec, SongSpec
from stori.theory import chord_at, is_major, mode_tones, parse_chord, scale_pitch_classes
from stori.trace import NULL_RECORDER, TraceRecorder, because

KICK, SNARE, SIDE_STICK, CLOSED_HAT, RIDE, CRASH = (KIT[p] for p in ("kick", "snare", "side_stick", "closed_hat",
                                                                     "ride", "crash"))


def _velocity(c: Constraints, strength: float, rng) -> int:
    """A velocity between the constraint's floor and ceiling; strong positions sit higher."""
    v = c.velocity_floor + (c.velocity_ceiling - c.velocity_floor) * (0.35 + 0.55 * strength) + rng.uniform(-4, 4)
    return int(max(1, min(127, round(v))))


def _drums(spec: SongSpec, s: SectionSpec, span: SectionSpan, c: Constraints, seed: int) -> list[Note]:
    behaviour = s.behaviour("drums", "steady")
    if behaviour == "tacet":
        return []
    rng = rng_for(seed, s, "drums")
    num, den = spec.time_signature
    bar, beat = spec.ticks_per_bar, beat_ticks(spec)
    step = PPQ // 4 if c.subdivision == 16 else PPQ // 2
    notes = []
    for b in range(s.bars):
        t0 = span.start + b * bar
        density = c.drum_density * ((0.6 + 0.8 * b / max(1, s.bars - 1)) if behaviour == "build" else 1.0)
        for k in range(bar // step):
            t = t0 + k * step
            on_beat = (k * step) % beat == 0
            beat_no = (k * step) // beat
            if behaviour != "sparse" and (on_beat or rng.random() < density):
                notes.append(Note(RIDE if spec.genre == "jazz" else CLOSED_HAT, t, t + step // 2,
                                  _velocity(c, 0.6 if on_beat else 0.3, rng)))
            if not on_beat:
                continue
            backbeat = (beat_no % 2 == 1) if den == 4 and num in (2, 4) else beat_no == num // 2
            if behaviour == "half_time":
                backbeat = beat_no == num // 2
            if beat_no == 0 or (not backbeat and (behaviour == "driving" or rng.random() < density * 0.3)):
                notes.append(Note(KICK, t, t + PPQ // 4, _velocity(c, 1.0 if beat_no == 0 else 0.7, rng)))
            if backbeat:
                notes.append(Note(SIDE_STICK if behaviour == "sparse" else SNARE, t, t + PPQ // 4,
                                  _velocity(c, 0.9, rng)))
        if b == 0 and s.type in ("chorus", "bridge") and behaviour != "sparse":
            notes.append(Note(CRASH, t0, t0 + PPQ, _velocity(c, 1.0, rng)))
    return sorted(notes, key=lambda n: (n.start, n.pitch))


def _bass(spec, s, span, c, seed) -> list[Note]:
    behaviour = s.behaviour("bass", "roots")
    if behaviour == "tacet":
        return []
    rng = rng_for(seed, s, "bass")
    lo, hi = ROLE_RANGES["bass"]
    timeline = s.chord_timeline(spec.ticks_per_bar) + [(s.bars * spec.ticks_per_bar, "")]
    beat = beat_ticks(spec)
    notes = []
    for (t, sym), (t_next, _) in zip(timeline, timeline[1:]):
        root, pcs, bass_pc = parse_chord(sym)
        if root < 0:
            continue
        low = 36 + round(c.closeness * 24)  # E2..B2 region: low but clear; an intimate one closer to the tune
        base = low + (bass_pc - low) % 12
        fifth = base + 7 if base + 7 <= hi else base - 5
        if behaviour == "sustained":
            hits = [(t, t_next, base)]
        else:
            step = beat if behaviour != "driving" else beat // 2
            hits = []
            for k, tt in enumerate(range(t, t_next, step)):
                pitch = fifth if behaviour in ("roots_fifths", "walking") and k % 2 == 1 else base
                hits.append((tt, min(tt + step, t_next), pitch))
            if s.behaviour("harmony", "") == "afterbeats":  # the oom under the piano's pah-pah: beat 1 of each bar
                hits = [(a, b, base) for a, b, _ in hits if a % spec.ticks_per_bar == 0]
            elif behaviour == "roots":
                hits = hits[::2]
        notes += [Note(p, span.start + a, span.start + b - PPQ // 16, _velocity(c, 0.8 if a == t else 0.5, rng)) for a,
                  b, p in hits]
    return notes


ACCOMPANIMENT_FULL = 1.2
"""The ``accompaniment`` at which the harmony strikes every beat it is given; below it, that share of them."""


def _voicing(pcs: tuple[int, ...], centre: int = 62) -> list[int]:
    """Close position around ``centre``: each pitch class in the octave nearest it."""
    return sorted(centre - 6 + (pc - (centre - 6)) % 12 for pc in pcs)


def _harmony(spec, s, span, c, seed, role: str = "harmony") -> Broken:
    """Chords as the section's behaviour plays them, and the pedal its broken chords ring in; a pad
    holds each chord, an arpeggio breaks it."""
    behaviour = {"pad": "sustained", "arpeggio": "arpeggiated"}.get(role, s.behaviour("harmony", "block"))
    if s.behaviour(role, behaviour) == "tacet":
        return Broken([], [])
    rng = rng_for(seed, s, role)
    timeline = s.chord_timeline(spec.ticks_per_bar) + [(s.bars * spec.ticks_per_bar, "")]
    beat = beat_ticks(spec)
    notes = []
    for (t, sym), (t_next, _) in zip(timeline, timeline[1:]):
        _, pcs, _ = parse_chord(sym)
        if not pcs:
            continue
        centre = 69 if role == "arpeggio" else 62 + (PAD_ABOVE if role == "pad" else 0)
        voicing = _voicing(pcs[: 3 + int(c.chord_extensions >= 1)],
                           round(centre + c.closeness * (c.register_center - centre)))
        thin = c.thin  # an intimate section's band plays half as often under the voice
        if behaviour == "arpeggiated":
            # broken in the section's finest grid: 16ths where it drives (``subdivision``), a beat under a close voice
            order, pace = voicing + voicing[1:-1][::-1], beat if thin else beat * 8 // c.subdivision // 2
            for k, tt in enumerate(range(t, t_next, pace)):
                notes.append(Note(order[k % len(order)], span.start + tt, span.start + tt + pace,
                                  _velocity(c, 0.5, rng)))
        else:
            step = (2 * beat if thin else beat) if behaviour == "rhythmic" else t_next - t
            for k, tt in enumerate(range(t, t_next, step)):
                if k and not evenly(k - 1, c.accompaniment / ACCOMPANIMENT_FULL):
                    continue  # the band plays fewer strokes under a closer voice
                v = _velocity(c, 0.6 if tt == t else 0.4, rng)
                notes += [Note(p, span.start + tt, span.start + min(tt + step, t_next) - PPQ // 16, v) for p in voicing]
    pedal = []
    if behaviour not in ("sustained", "afterbeats") and role == "harmony":  # motion breaks some of the chords
        notes, pedal = arpeggiate(notes, share=1.0 if behaviour == "arpeggiated" else c.arpeggiation,
                                  bar=spec.ticks_per_bar)
    if behaviour == "afterbeats":
        notes = afterbeats(notes, spec.ticks_per_bar, beat, span.start)
    return Broken(notes, pedal)


def _melody(spec, s, span, c, seed, tracer) -> list[Note]:
    behaviour = s.behaviour("melody", "lead")
    if behaviour == "tacet":
        return []
    rng = rng_for(seed, s, "melody")
    lo, hi = ROLE_RANGES["melody"]
    centre = c.register_center + (3 if behaviour == "soaring" else 0)
    scale = scale_pitch_classes(spec.key_of(s))
    pool = [p for p in range(lo, hi + 1) if p % 12 in scale and abs(p - centre) <= c.register_spread]
    timeline = s.chord_timeline(spec.ticks_per_bar)
    locked: list[Note] = []
    for u in (u for u in s.motif_usage if u.track == "melody"):
        motif, mnotes = realize_motif(spec, u, span.start, spec.key_of(s))
        locked += [n for n in mnotes if n.end <= span.end]
        tracer.record("motif_placement", f"section:{s.id}/melody",
                      {"motif": u.motif, "bar": u.bar, "transformations": u.transformations},
                      [because("motif_usage", u.motif, "declared in the plan for this section", 1.0)], confidence=1.0,
                      principle="a recurring theme makes the form recognisable")
    density = c.note_density * (0.6 if behaviour == "sparse" else 1.0)
    step = PPQ // 2 if density > 4 else PPQ
    colour, mode_pull = mode_tones(spec.key_of(s)), c.mode_pull(is_major(spec.key_of(s)))
    notes, prev = [], int(centre)
    for tick in range(span.start, span.end, step):
        if any(n.start <= tick < n.end for n in locked):
            continue
        if notes and notes[-1].start == tick - PPQ // 2 and (tick - span.start) % PPQ == 0:
            # an 8th off the beat is answered on the beat, or (c.syncopation) held over it
            if rng.random() < 2 * c.syncopation:
                notes[-1] = Note(notes[-1].pitch, notes[-1].start, max(notes[-1].end, tick + PPQ // 2),
                                 notes[-1].velocity)
                continue
        elif rng.random() < c.rest_density or rng.random() > density * step / spec.ticks_per_bar:
            continue
        _, chord_pcs, _ = parse_chord(chord_at(timeline, tick - span.start))
        strong = (tick - span.start) % beat_ticks(spec) == 0
        # tension: a non-chord tone on the beat, passing tones and chromatic steps off it
        lean, passing = rng.random() < c.dissonance, rng.random() < 0.15 + 2 * c.dissonance
        candidates = [p for p in pool if (p % 12 in chord_pcs) != (strong and lean) or not strong and passing] or pool
        if strong and rng.random() < mode_pull / 2:  # valence: the beat on a tone that makes the mode plain
            candidates = [p for p in candidates if p % 12 in colour] or candidates
        # contour: up with the chance c.rising, drawn back toward the centre; a rising line climbs by steps and
        # falls back by leaps (a falling one the reverse), so it keeps its register
        r, leap = c.rising, rng.random() < c.leap_probability
        up = rng.random() < min(0.95, max(0.05, r - 0.5 * (prev - centre) / c.register_spread))
        size = (5 if leap else 2) * max(1.0, ((1 - r) / r) if up else (r / (1 - r)))
        pitch = min(candidates, key=lambda p: ((p < prev) == up, abs(abs(p - prev) - size), rng.random()))
        if not strong and lo < prev < hi and rng.random() < 2 * (c.dissonance - 0.19):  # above tension 0.3
            pitch = next((p for p in (prev + 1, prev - 1) if p % 12 not in scale), pitch)
        length = step * rng.choice([1, 1, 2])
        end = min(tick + length, span.end, *[n.start for n in locked if n.start > tick] or [span.end])
        start = tick  # a note due on a beat comes in an 8th early, held over it (c.syncopation)
        if (tick > span.start and (tick - span.start) % PPQ == 0 and rng.random() < c.syncopation
                and not any(n.end > tick - PPQ // 2 for n in notes[-1:])
                and not any(n.start <= tick - PPQ // 2 < n.end for n in locked)):
            start = tick - PPQ // 2
        notes.append(Note(pitch, start, end - PPQ // 16, _velocity(c, 0.7 if strong else 0.5, rng)))
        prev = pitch
    velocity = _velocity(c, 0.8, rng)
    notes += [Note(n.pitch, n.start, n.end, velocity) for n in locked]
    return sorted(notes, key=lambda n: n.start)


def _counter(spec, s, span, c, seed) -> list[Note]:
    """Long thirds above the chord root, one per chord."""
    if s.behaviour("counter_melody", "answer") == "tacet":
        return []
    rng = rng_for(seed, s, "counter_melody")
    timeline = s.chord_timeline(spec.ticks_per_bar) + [(s.bars * spec.ticks_per_bar, "")]
    out = []
    for (t, sym), (t_next, _) in zip(timeline, timeline[1:]):
        _, pcs, _ = parse_chord(sym)
        if len(pcs) > 1:
            out.append(Note(64 + (pcs[1] - 64) % 12, span.start + t, span.start + t_next - PPQ // 8,
                            _velocity(c, 0.3, rng)))
    return out


def compose_baseline(spec: SongSpec, seed: int = 0, tracer: TraceRecorder = NULL_RECORDER,
                     sections: set[str] | None = None,
                     roles=None, on_section=None) -> Song:
    """Compose every section (or only ``sections``); with ``roles`` (see
    :func:`~stori.spec.arrange.roles_in`) only those parts are played, the others stay empty.
    ``on_section(k, n, id)`` hears as the k-th of the n sections is done."""
    song = song_skeleton(spec)
    asked = [s.id for s in spec.sections if sections is None or s.id in sections]
    for span, s in zip(song.sections, spec.sections):
        if sections is not None and s.id not in sections:
            continue
        if on_section is not None and asked.index(s.id):
            on_section(asked.index(s.id), len(asked), asked[asked.index(s.id) - 1])
        c = emotion_to_constraints(s.emotion, s)
        playing = roles_in(roles, s.id)
        for track in song.tracks:
            if playing is not None and track.role not in playing:
                continue
            if track.role == "drums":
                notes = _drums(spec, s, span, c, seed)
            elif track.role == "bass":
                notes = _bass(spec, s, span, c, seed)
            elif track.role in ("harmony", "pad", "arpeggio"):
                notes, pedal = _harmony(spec, s, span, c, seed, track.role)
                if track.role == "harmony" and track.program in HORNS:  # horns punch; they have no pedal
                    notes, pedal = stab(notes, track.program, s.behaviour("harmony", "block")), []
                track.controls += pedal_marks(pedal)
            elif track.role == "melody":
                notes = _melody(spec, s, span, c, seed, tracer)
            else:
                notes = _counter(spec, s, span, c, seed)
            track.notes += notes
            if tracer.enabled:
                tracer.record("pattern", f"section:{s.id}/{track.role}",
                              {"behaviour": s.behaviour(track.role, "default"), "notes": len(notes)},
                              c.because({"drums": "drum_density", "melody": "note_density"}.get(track.role,
                                                                                               "velocity_ceiling")),
                              confidence=0.6,
                              principle="the section's emotion sets how busy and how loud each part plays")
    if on_section is not None and asked:
        on_section(len(asked), len(asked), asked[-1])
    return song
