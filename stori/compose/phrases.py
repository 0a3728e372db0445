"""Phrases, not streams: which 2-bar units of a part repeat, restate or are new, and how a repeated
unit is fitted to the chords under its new place.

A part's form is decided before any note is generated: the first unit of a section is new; each
later unit repeats the one before it, restates the one two before (the a of "a b a"), or is new,
with the chances real players take (``stori/data/phrase_stats.json``, measured on POP909 by
:mod:`stori.data.phrase_stats`). Only new units are asked of the model, so a part that repeats
itself also costs fewer tokens. A repeated unit keeps its rhythm exactly; its pitches follow the
chords: unchanged under the same chord, otherwise moved to the nearest tone of the new chord
(harmony, bass) or carried along the scale by the change of root (melodies).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from stori.data.phrase_stats import role_stats
from stori.spec.song import Note, dedupe
from stori.theory import chord_at, parse_chord, scale_pitch_classes

UNIT_BARS = 2


@dataclass(frozen=True)
class Unit:
    index: int  # 0-based unit of the section
    kind: str  # new | repeat | restate
    source: int | None = None  # the unit it copies


def phrase_form(role: str, bars: int, rng: random.Random, per_window: bool = False, chance: float = 0.0,
                heard: float = 1.0) -> list[Unit]:
    """The section's units for ``role``, drawn with the measured chances of repeating. With
    ``per_window`` the chance of repeating the unit before is raised so that the section's units
    repeat as often as real windows do (the first unit, and a short last one, cannot repeat).
    ``chance`` is how often a new unit repeats the one before by itself (the generator's own
    figures): designed repeats and chance ones together come to the measured rate. ``heard`` is the
    share of designed repeats the finished song still holds (the rest are re-taken by the critic or
    reshaped later), so the form asks for 1/``heard`` as many."""
    stats = role_stats(role)
    n = max(1, -(-bars // UNIT_BARS))
    eligible = sum(1 for k in range(1, n) if k * UNIT_BARS + UNIT_BARS <= bars)
    scale = n / eligible if per_window and eligible else 1.0
    repeat = min(1.0, max(0.0, (stats["repeat_previous"] * scale / heard - chance) / (1.0 - chance)))
    form = [Unit(0, "new")]
    for k in range(1, n):
        if k * UNIT_BARS + UNIT_BARS > bars:  # a short last unit cannot hold a copy
            form.append(Unit(k, "new"))
        elif rng.random() < repeat:
            form.append(Unit(k, "repeat", form[k - 1].source if form[k - 1].kind != "new" else k - 1))
        elif k >= 2 and rng.random() < stats["restate_two_back"]:
            form.append(Unit(k, "restate", form[k - 2].source if form[k - 2].kind != "new" else k - 2))
        else:
            form.append(Unit(k, "new"))
    return form


def describe(form: list[Unit]) -> list[str]:
    """Trace lines: which bars repeat or restate which."""
    def bars(k: int) -> str:
        return f"bars {k * UNIT_BARS + 1}-{k * UNIT_BARS + UNIT_BARS}"
    return [f"{bars(u.index)} {u.kind} {bars(u.source)}" for u in form if u.kind != "new"]


def _nearest_with_pc(pitch: int, pcs, lo: int, hi: int) -> int:
    best = min((p for p in range(max(lo, pitch - 7), min(hi, pitch + 7) + 1) if p % 12 in pcs),
               key=lambda p: (abs(p - pitch), p), default=pitch)
    return best


def refit(notes: list[Note], shift: int, timeline: list[tuple[int, str]], role: str, key: str,
          pitch_range: tuple[int, int]) -> list[Note]:
    """``notes`` (ticks from the section start) moved ``shift`` ticks later, their pitches fitted to
    the chords of ``timeline`` at the new place."""
    scale = set(scale_pitch_classes(key))
    lo, hi = pitch_range
    out = []
    for n in notes:
        old, new = chord_at(timeline, n.start), chord_at(timeline, n.start + shift)
        pitch = n.pitch
        if old != new:
            r_old, pcs_old, _ = parse_chord(old)
            r_new, pcs_new, bass_new = parse_chord(new)
            if r_old >= 0 and r_new >= 0:
                if role == "bass" and n.pitch % 12 == r_old:
                    pitch = _nearest_with_pc(n.pitch, {bass_new}, lo, hi)
                elif role in ("melody", "counter_melody"):
                    step = (r_new - r_old) % 12
                    step = step - 12 if step > 6 else step
                    pitch = n.pitch + step
                    if pitch % 12 not in scale:
                        pitch -= 1 if (pitch - 1) % 12 in scale else -1
                    if n.pitch % 12 in pcs_old and pitch % 12 not in pcs_new:
                        pitch = _nearest_with_pc(pitch, set(pcs_new), lo, hi)
                else:
                    pitch = _nearest_with_pc(n.pitch, set(pcs_new), lo, hi)
        pitch = min(hi, max(lo, pitch))
        out.append(Note(pitch, n.start + shift, n.end + shift, n.velocity))
    return dedupe(out)
