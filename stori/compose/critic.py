"""The critic: five scores in 0..1 per section, each measured from the notes against the section's
constraints (:func:`~stori.spec.constraints.emotion_to_constraints`).

* **rhythm** = ``1 - |d - c.drum_density| / max(c.drum_density, 1 - c.drum_density)`` where ``d`` is
  the share of grid slots (16ths when ``c.subdivision`` is 16, else 8ths) holding a drum onset;
  1 when the drums are tacet by plan.
* **melody** = ``in_key * range_fit * (1 - |leaps - c.leap_probability|)``: the share of melody
  notes in the key, the share within ``c.register_center ± (c.register_spread + 5)``, and the share
  of melodic steps larger than 2 semitones against the planned leap probability.
* **harmony** = the share of harmony and bass onsets whose pitch class belongs to the chord
  sounding at that moment (bass passing tones on weak 8ths excused).
* **expression** = ``in_band * (1 - |mean_v - target| / 64)``: the share of velocities inside
  ``[c.velocity_floor - 8, c.velocity_ceiling + 8]`` and the mean velocity's distance from
  ``(floor + ceiling) / 2``.
* **density** = ``1 - min(1, |n - c.note_density| / c.note_density)`` with ``n`` the melody notes
  per bar (behaviour "sparse" halves the target).

Each dimension is owned by the part that can fix it: rhythm -> drums, melody and density -> melody,
harmony -> harmony, expression -> velocities of every part.
"""
from __future__ import annotations

from statistics import fmean

from stori.spec.arrange import beat_ticks
from stori.spec.constraints import Constraints, emotion_to_constraints
from stori.spec.song import PPQ, SectionSpan, Song
from stori.spec.song_spec import SectionSpec
from stori.theory import chord_at, parse_chord, scale_pitch_classes

DIMENSIONS = ("rhythm", "melody", "harmony", "expression", "density")
OWNER = {"rhythm": ("drums",), "melody": ("melody",), "density": ("melody",), "harmony": ("harmony",), "expression": ()}


def score_section(song: Song, s: SectionSpec, span: SectionSpan, c: Constraints | None = None) -> dict[str, float]:
    c = c or emotion_to_constraints(s.emotion, s)
    spec = song.spec
    bars = s.bars
    parts = {t.role: song.notes_in(t, span) for t in song.tracks}
    out: dict[str, float] = {}

    drums = parts.get("drums", [])
    if s.behaviour("drums", "steady") == "tacet":
        out["rhythm"] = 1.0 if not drums else 0.5
    else:
        step = PPQ // 4 if c.subdivision == 16 else PPQ // 2
        slots = bars * spec.ticks_per_bar // step
        filled = len({(n.start - span.start) // step for n in drums})
        d = filled / max(1, slots)
        out["rhythm"] = round(max(0.0, 1 - abs(d - c.drum_density) / max(c.drum_density, 1 - c.drum_density)), 3)

    mel = sorted(parts.get("melody", []), key=lambda n: n.start)
    if mel:
        scale = set(scale_pitch_classes(spec.key_of(s)))
        in_key = fmean(n.pitch % 12 in scale for n in mel)
        spread = c.register_spread + 5 + (3 if s.behaviour("melody", "lead") == "soaring" else 0)
        centre = c.register_center + (3 if s.behaviour("melody", "lead") == "soaring" else 0)
        in_range = fmean(abs(n.pitch - centre) <= spread for n in mel)
        steps = [abs(b.pitch - a.pitch) for a, b in zip(mel, mel[1:])]
        leaps = fmean(x > 2 for x in steps) if steps else c.leap_probability
        out["melody"] = round(in_key * in_range * (1 - abs(leaps - c.leap_probability)), 3)
        target = c.note_density * (0.5 if s.behaviour("melody", "lead") == "sparse" else 1.0)
        per_bar = len(mel) / bars
        out["density"] = round(1 - min(1.0, abs(per_bar - target) / target), 3)
    else:
        tacet = s.behaviour("melody", "lead") == "tacet"
        out["melody"] = out["density"] = 1.0 if tacet else 0.0

    beat = beat_ticks(spec)
    timeline = s.chord_timeline(spec.ticks_per_bar)
    checked = ok = 0
    for role in ("harmony", "bass"):
        for n in parts.get(role, []):
            rel = n.start - span.start
            if role == "bass" and rel % beat:
                continue
            pcs = parse_chord(chord_at(timeline, rel))[1]
            if pcs:
                checked += 1
                ok += n.pitch % 12 in pcs
    out["harmony"] = round(ok / checked, 3) if checked else 1.0

    # the band's loudness: a pad the arrangement adds is left out, so the takes the critic keeps of the
    # parts it can ask again are the ones it keeps without the pad
    vels = [n.velocity for role, notes in parts.items() if role != "pad" for n in notes]
    if vels:
        lo, hi = c.velocity_floor - 8, c.velocity_ceiling + 8
        in_band = fmean(lo <= v <= hi for v in vels)
        target = (c.velocity_floor + c.velocity_ceiling) / 2
        out["expression"] = round(in_band * max(0.0, 1 - abs(fmean(vels) - target) / 64), 3)
    else:
        out["expression"] = 0.0
    return {d: out[d] for d in DIMENSIONS}


def score_song(song: Song) -> dict[str, dict[str, float]]:
    return {span.id: score_section(song, s, span) for span, s in zip(song.sections, song.spec.sections)}


def weakest(scores: dict[str, float]) -> str:
    return min(DIMENSIONS, key=lambda d: (scores[d], DIMENSIONS.index(d)))
