"""Transition checks between neighbouring sections: each failure comes with its reason."""
from __future__ import annotations

from dataclasses import dataclass, field

from stori.spec.constraints import emotion_to_constraints
from stori.spec.song_spec import SectionSpec, SongSpec, register_pitch
from stori.theory import parse_chord

MAX_ENERGY_JUMP = 0.3
MAX_REGISTER_JUMP = 12
FREE_ENERGY_TYPES = ("break", "intro", "outro")  # sections allowed to change energy abruptly


@dataclass
class Transition:
    source: str
    target: str
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons


def _state(s: SectionSpec, declared: dict, chord: str) -> dict:
    register = emotion_to_constraints(s.emotion, s).register_center
    out = {"energy": s.emotion.energy, "chord": chord, **{k: v for k, v in declared.items() if v is not None}}
    out["register"] = register_pitch(declared.get("register"), register)
    return out


def exit_state(s: SectionSpec) -> dict:
    """The declared exit state, with the section's own music filling what is not declared."""
    return _state(s, s.exit_state, s.last_chord)


def entry_state(s: SectionSpec) -> dict:
    return _state(s, s.entry_state, s.first_chord)


def chords_connect(a: str, b: str) -> bool:
    """True when chord ``a`` can lead to ``b``: same root, a shared tone, or root motion by fifth or step."""
    ra, pa, _ = parse_chord(a)
    rb, pb, _ = parse_chord(b)
    if ra < 0 or rb < 0:
        return True
    return ra == rb or bool(set(pa) & set(pb)) or (rb - ra) % 12 in (1, 2, 5, 7, 10, 11)


def check_transition(a: SectionSpec, b: SectionSpec) -> Transition:
    t = Transition(a.id, b.id)
    out, into = exit_state(a), entry_state(b)
    jump = abs(float(into["energy"]) - float(out["energy"]))
    if jump > MAX_ENERGY_JUMP and a.type not in FREE_ENERGY_TYPES and b.type not in FREE_ENERGY_TYPES:
        t.reasons.append(f"energy jumps by {jump:.2f} (> {MAX_ENERGY_JUMP}) from {a.id} to {b.id} outside a break, "
                         "intro or outro")
    if not chords_connect(out["chord"], into["chord"]):
        t.reasons.append(f"exit chord {out['chord']} of {a.id} does not lead to entry chord {into['chord']} of {b.id} "
                         "(no shared tone, no fifth or step root motion)")
    distance = abs(float(into["register"]) - float(out["register"]))
    if distance > MAX_REGISTER_JUMP:
        t.reasons.append(f"register moves {distance:g} semitones (> {MAX_REGISTER_JUMP}) from {a.id} to {b.id}")
    return t


def check_transitions(spec: SongSpec) -> list[Transition]:
    return [check_transition(a, b) for a, b in zip(spec.sections, spec.sections[1:])]
