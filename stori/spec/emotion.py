"""The five emotion axes and the named deltas the refinement table uses."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from stori.errors import StoriError, check_range

AXES = ("energy", "valence", "tension", "intimacy", "motion")
RANGES = {"energy": (0.0, 1.0), "valence": (-1.0, 1.0), "tension": (0.0, 1.0),
          "intimacy": (0.0, 1.0), "motion": (0.0, 1.0)}
CALM = 0.35
"""Energy below which a section is calm: its harmony sustains or breaks and pedals its chords
(:func:`stori.plan.planner.section_behaviours`) and its melody is played legato
(:mod:`stori.perform.expression`)."""
STRONG_VALENCE = 0.7
"""Valence beyond which (either way) a feeling is strong and is played harder than the weighted sums
of :mod:`stori.spec.constraints` alone play it: the chord model's mood tilts faster
(:func:`stori.plan.chords.mood_tilt`, :func:`stori.plan.chords.whole_cadence`) and the learned melody's
contour is drawn harder (:data:`stori.compose.learned.STRONG_CONTOUR`). Below it (every realness
song's sections) nothing changes: the sweep's happiest songs had been heard no more major than
moderately happy ones, its saddest no more minor."""
HUSHED = 0.25
"""Energy below which a section is hushed: it plays without drums (arrangement size follows energy: a
near-silent passage is keys and a voice; :func:`stori.plan.planner.section_behaviours`), its harmony
holds its chords and its pitched parts play softer (:func:`stori.perform.expression.softer`)."""

# Named refinement deltas (the seed's table).
DELTAS: dict[str, dict[str, float]] = {
    "sadder": {"valence": -0.3},
    "more intense": {"energy": 0.2, "tension": 0.2},
    "calmer": {"energy": -0.3, "tension": -0.2, "motion": -0.2},
    "more intimate": {"intimacy": 0.3, "energy": -0.1},
    "more driving": {"motion": 0.3, "energy": 0.1},
    "brighter": {"valence": 0.3},
    "more tension": {"tension": 0.3},
    "resolve it": {"tension": -0.4, "valence": 0.1},
}


@dataclass(frozen=True)
class EmotionVector:
    energy: float = 0.5
    valence: float = 0.0
    tension: float = 0.3
    intimacy: float = 0.5
    motion: float = 0.5

    def __post_init__(self):
        for axis in AXES:
            lo, hi = RANGES[axis]
            object.__setattr__(self, axis, round(check_range(axis, getattr(self, axis), lo, hi), 4))

    @classmethod
    def from_dict(cls, data: dict, base: EmotionVector | None = None) -> EmotionVector:
        if not isinstance(data, dict):
            raise StoriError("emotion", f"{data!r} is not an object", "an object with " + ", ".join(AXES))
        unknown = set(data) - set(AXES)
        if unknown:
            raise StoriError("emotion", f"unknown axis {sorted(unknown)[0]!r}", ", ".join(AXES))
        values = asdict(base) if base else {}
        values.update({k: v for k, v in data.items() if v is not None})
        return cls(**values)

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    def shifted(self, delta: dict[str, float]) -> EmotionVector:
        """Apply a delta, clamping each axis into its range."""
        values = self.to_dict()
        for axis, d in delta.items():
            if axis not in RANGES:
                raise StoriError("emotion", f"unknown axis {axis!r}", ", ".join(AXES))
            lo, hi = RANGES[axis]
            values[axis] = min(hi, max(lo, values[axis] + d))
        return EmotionVector(**values)

    def apply_named(self, name: str) -> EmotionVector:
        if name not in DELTAS:
            raise StoriError("refinement", f"{name!r} is not a named delta", ", ".join(DELTAS))
        return self.shifted(DELTAS[name])

    def distance(self, other: EmotionVector) -> float:
        return max(abs(getattr(self, a) - getattr(other, a)) for a in AXES)
