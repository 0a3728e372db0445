"""``emotion_to_constraints``: the explainable bridge from the five axes to musical parameters.

Every field is ``base + sum(weight * axis)`` (plus a small offset for the section type), clipped to
its range and, for discrete fields, snapped to the allowed values. The weights are data, so a trace
can cite exactly which axes moved a field and by how much.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from stori.spec.emotion import EmotionVector

# field: (base, {axis: weight}, (lo, hi), implication)
FORMULAS: dict[str, tuple[float, dict[str, float], tuple[float, float], str]] = {
    "drum_density": (0.15, {"energy": 0.55, "motion": 0.3, "intimacy": -0.15}, (0.05, 1.0),
                     "share of grid slots the drums fill"),
    "subdivision": (0.1, {"motion": 0.6, "energy": 0.35}, (0.0, 1.0),
                    "finest rhythmic grid: 8ths when low, 16ths when high"),
    "syncopation": (0.02, {"tension": 0.3, "motion": 0.08}, (0.0, 0.4),
                    "share of a part's onsets off the beat and held over it (the model's syncopation bin)"),
    "push": (-0.22, {"tension": 1.1}, (0.0, 0.8),
             "chance the chords and the tune anticipate a chord change by an 8th, held over the bar line (the "
             "commonest syncopation in pop and rock; the bass keeps beat 1)"),
    "swing": (0.5, {"intimacy": 0.06, "motion": -0.05, "tension": -0.02}, (0.5, 0.66),
              "8th-note swing phase (0.5 straight, 0.66 triplet)"),
    "register_center": (66.0, {"energy": 5.0, "valence": 5.0, "intimacy": -3.0}, (52.0, 80.0),
                        "melody's centre pitch (MIDI; POP909's melodies average 72, C5)"),
    "register_spread": (6.0, {"energy": 6.0, "tension": 3.0, "intimacy": -2.0}, (4.0, 16.0),
                        "how far the melody ranges around its centre (semitones)"),
    "arrangement": (0.0, {"energy": 1.0, "intimacy": -1.0}, (-1.0, 1.0),
                    "how open and full the section is, energy over intimacy: a pad joins the band from "
                    "PAD_FROM (stori.plan.planner), toward the loud, open end of the sliders"),
    "closeness": (-0.2, {"intimacy": 0.4}, (0.0, 0.3),
                  "share of the way the other parts' registers move toward the melody's (a close, intimate voicing)"),
    "note_density": (1.5, {"energy": 4.0, "motion": 5.0, "intimacy": -1.5}, (1.0, 12.0),
                     "melody notes per bar"),
    "accompaniment": (1.3, {"intimacy": -0.6}, (0.6, 1.2),
                      "the accompaniment's notes beside the melody's (x what the model's data pair with it): an "
                      "intimate song's band plays less under the voice"),
    "rest_density": (0.25, {"intimacy": 0.25, "energy": -0.25, "motion": -0.1}, (0.0, 0.6),
                     "share of the melody's time left silent"),
    "rising": (0.5, {"valence": 0.3}, (0.2, 0.8),
               "chance the melody's next step goes up (contour: happy music rises, sad music falls)"),
    "leap_probability": (0.1, {"tension": 0.3, "energy": 0.2, "intimacy": -0.1}, (0.02, 0.6),
                         "chance a melodic step is a leap (> 2 semitones)"),
    "dissonance": (0.05, {"tension": 0.45}, (0.0, 0.6),
                   "chance a melody note leans off its chord: a non-chord tone on a strong beat, a chromatic "
                   "neighbour off it"),
    "mode_colour": (0.0, {"valence": 1.6}, (-1.6, 1.6),
                    "pull toward the tones that make the key's mode plain (model logits; the baseline's chance "
                    "is half of it), signed by its mode: a happy major song and a sad minor one make their "
                    "mode plain"),
    "chord_extensions": (0.0, {"tension": 1.2, "intimacy": 0.8, "energy": -0.3}, (0.0, 2.0),
                         "0 triads, 1 sevenths, 2 ninths"),
    "borrowed_chord_probability": (-0.025, {"valence": -0.2, "tension": 0.5}, (0.0, 0.6),
                                   "chance a major key's IV, vi or iii is borrowed from the parallel minor"),
    "harmonic_rhythm": (0.2, {"motion": 0.6, "tension": 0.3, "intimacy": -0.2}, (0.0, 1.0),
                        "chord changes per bar: 0.5, 1 or 2"),
    "velocity_floor": (36.0, {"energy": 40.0, "intimacy": -30.0}, (20.0, 90.0),
                       "softest velocity a part should play"),
    "velocity_ceiling": (71.0, {"energy": 46.0, "tension": 8.0, "intimacy": -36.0}, (50.0, 127.0),
                         "loudest velocity a part should play (EMOPIA: calm clips average 54, excited 78)"),
    "arpeggiation": (-0.1, {"motion": 1.1}, (0.0, 1.0),
                     "how broken the harmony plays: the share of each bar's beats whose chords are broken note by "
                     "note (the baseline), how far down POP909's polyphony the model is asked to go (the learned "
                     "engine; its median at 0.5); all of them where the section asks for arpeggios"),
    "sustain": (0.95, {"energy": -0.7, "motion": -0.4, "intimacy": 0.3}, (0.0, 1.0),
                "how long notes ring: 0 detached, 1 held until the chord changes"),
    "fewer_strokes": (-1.3, {"energy": 2.4}, (0.0, 1.0),
                      "how much less the comping strikes toward the loud end (0 below energy 0.55, 1 from 0.96): the "
                      "drums carry the drive and the chords ring (EMOPIA's excited clips: 9.3 notes/s, a median "
                      "0.53 s note); the learned harmony asks for FEWER_STROKES of it less density"),
    "dynamic_range": (0.45, {"tension": 0.25, "energy": 0.1, "intimacy": -0.25}, (0.1, 1.0),
                      "how much velocities swell across a phrase (0..1)"),
}

THIN_BELOW = 0.9
"""The ``accompaniment`` below which an intimate section's band plays half as often (:attr:`Constraints.thin`)."""

SLOW_BREAKS_BELOW = 0.85
"""The ``accompaniment`` below which the learned engine's broken chords move in quarter notes
(:attr:`Constraints.slow_breaks`): a close voice, as the baseline's thin band; a folk song's verse
(intimacy 0.75) is still fingerpicked in 8ths."""

LEAD_ABOVE = 6.0
"""Velocity the lead (the melody) plays above the band's ceiling: POP909's melodies sit 13 above
their accompaniment (94 against 81-83); asked for the ceiling, ours sat 9 above."""

# Small per-section-type offsets: the section's role in the form, beside its emotion.
SECTION_OFFSETS: dict[str, dict[str, float]] = {
    "intro": {"drum_density": -0.15, "note_density": -1.0},
    "outro": {"drum_density": -0.15, "note_density": -1.0},
    "break": {"drum_density": -0.4},
    "pre_chorus": {"register_center": 1.0},
    "chorus": {"register_center": 2.0, "drum_density": 0.05},
    "bridge": {"borrowed_chord_probability": 0.1},
}


def _snap(name: str, v: float) -> float:
    if name == "subdivision":
        return 16 if v >= 0.5 else 8
    if name == "harmonic_rhythm":
        return 0.5 if v < 0.25 else (2.0 if v > 0.75 else 1.0)
    if name == "chord_extensions":
        return float(round(v))
    if name in ("register_center", "velocity_floor", "velocity_ceiling"):
        return float(round(v))
    return round(v, 3)


@dataclass(frozen=True)
class Constraints:
    drum_density: float
    subdivision: int
    syncopation: float
    push: float
    swing: float
    register_center: float
    register_spread: float
    arrangement: float
    closeness: float
    note_density: float
    accompaniment: float
    rest_density: float
    rising: float
    leap_probability: float
    dissonance: float
    mode_colour: float
    chord_extensions: float
    borrowed_chord_probability: float
    harmonic_rhythm: float
    velocity_floor: float
    velocity_ceiling: float
    dynamic_range: float
    arpeggiation: float
    sustain: float
    fewer_strokes: float
    emotion: EmotionVector = field(repr=False, compare=False, default=None)
    section_type: str = "verse"

    @property
    def thin(self) -> bool:
        """Whether the band plays half as often under the voice (``accompaniment`` below
        :data:`THIN_BELOW`: an intimate section): its chords struck and broken in longer steps."""
        return self.accompaniment < THIN_BELOW

    @property
    def slow_breaks(self) -> bool:
        """Whether the learned engine's broken chords move a beat at a time (``accompaniment`` below
        :data:`SLOW_BREAKS_BELOW`: intimacy over 0.75, the close voice the planner breaks chords for)."""
        return self.accompaniment < SLOW_BREAKS_BELOW

    @property
    def lead_velocity(self) -> float:
        """The melody's velocity: :data:`LEAD_ABOVE` over the ceiling."""
        return min(127.0, self.velocity_ceiling + LEAD_ABOVE)

    def mode_pull(self, major: bool) -> float:
        """How strongly a line is drawn to its key's :func:`~stori.theory.mode_tones`: the mode colour
        where the feeling and the mode agree (a happy major song, a sad minor one), else 0 (a sad song
        in a major key keeps its notes' balance)."""
        return max(0.0, self.mode_colour * (1 if major else -1))

    @staticmethod
    def axes(name: str) -> tuple[str, ...]:
        """The emotion axes that produced field ``name``."""
        return tuple(FORMULAS[name][1])

    def because(self, name: str) -> list[dict]:
        """Trace ``because`` entries for field ``name``: each axis, its value and its pull on the field."""
        _, weights, _, implication = FORMULAS[name]
        out = [{"factor": axis, "value": getattr(self.emotion, axis),
                "implication": f"{'raises' if w > 0 else 'lowers'} {name} ({implication})",
                "weight": round(abs(w) / sum(abs(x) for x in weights.values()), 3)}
               for axis, w in weights.items()]
        offset = SECTION_OFFSETS.get(self.section_type, {}).get(name)
        if offset:
            out.append({"factor": "section_type", "value": self.section_type,
                        "implication": f"{'raises' if offset > 0 else 'lowers'} {name} by {abs(offset):g}",
                        "weight": 0.2})
        return out

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in FORMULAS}


def emotion_to_constraints(ev: EmotionVector, section=None) -> Constraints:
    """Musical constraints for a section with emotion ``ev``; ``section`` is a SectionSpec or a type name."""
    section_type = getattr(section, "type", section) or "verse"
    offsets = SECTION_OFFSETS.get(section_type, {})
    values = {}
    for name, (base, weights, (lo, hi), _) in FORMULAS.items():
        v = base + sum(w * getattr(ev, axis) for axis, w in weights.items()) + offsets.get(name, 0.0)
        values[name] = _snap(name, min(hi, max(lo, v)))
    values["subdivision"] = int(values["subdivision"])
    if values["velocity_ceiling"] < values["velocity_floor"] + 12:
        values["velocity_ceiling"] = min(127.0, values["velocity_floor"] + 12)
    return Constraints(**values, emotion=ev, section_type=section_type)
