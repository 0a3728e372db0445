"""Attribute bins: the control knobs of the model, measured from the notes of a window.

Bin edges are quantiles of the training data, per role, so that every bin is equally common and
the model sees each requested value often enough to learn to obey it.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from stori.data.attributes import section_attributes
from stori.spec.song import Note, bar_ticks

ATTRIBUTES = ("density", "velocity", "pitch", "polyphony", "syncopation")
N_BINS = 8
ANY = "any"
_SOURCE = {"density": "note_density", "velocity": "mean_velocity", "pitch": "mean_pitch",
           "polyphony": "polyphony",
           "syncopation": "syncopation"}  # the bin token used when an attribute is not requested (and for drum pitch)


def measure(notes: Sequence[Note], n_bars: int, chords=None, meter: tuple[int, int] = (4, 4)) -> dict[str, float]:
    """The conditioned attributes of a window in ``meter``, as :mod:`stori.data.attributes` defines
    them (notes per bar, mean velocity, mean pitch, notes per onset, syncopation); 0 where undefined."""
    a = section_attributes(notes, n_bars, bar_ticks(tuple(meter)), chords).as_dict()
    values = {k: a[_SOURCE[k]] for k in ATTRIBUTES}
    return {k: 0.0 if math.isnan(v) else float(v) for k, v in values.items()}


class AttributeBins:
    """Per-role quantile edges: ``edges[role][attribute]`` holds ``N_BINS - 1`` ascending cut points."""

    def __init__(self, edges: dict[str, dict[str, list[float]]]):
        self.edges = edges

    @classmethod
    def fit(cls, values: dict[str, list[dict[str, float]]]) -> AttributeBins:
        """``values[role]`` is a list of :func:`measure` results from the training windows."""
        qs = np.linspace(0, 1, N_BINS + 1)[1:-1]
        edges = {role: {a: [float(x) for x in np.quantile([v[a] for v in vals], qs)] for a in ATTRIBUTES}
                 for role, vals in values.items() if vals}
        return cls(edges)

    def bin(self, role: str, attribute: str, value: float) -> int:
        return int(np.searchsorted(self.edges[role][attribute], value, side="right"))

    def bins(self, role: str, measured: dict[str, float]) -> dict[str, int]:
        return {a: self.bin(role, a, measured[a]) for a in ATTRIBUTES}

    def centre(self, role: str, attribute: str, b: int) -> float:
        """A representative value of bin ``b`` (midpoint of its edges; outer bins extend by one step)."""
        e = self.edges[role][attribute]
        lo = e[b - 1] if b > 0 else e[0] - (e[1] - e[0])
        hi = e[b] if b < len(e) else e[-1] + (e[-1] - e[-2])
        return (lo + hi) / 2

    def to_dict(self) -> dict:
        return self.edges
