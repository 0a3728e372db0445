"""Attribute bins: the control knobs of the model, measured from the notes of a window.

Bin edges are quantiles of the training data, per role, so that every bin is equally common and
the model sees each requested value often enough to learn to obey it.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from stori.spec.song import PPQ, Note

ATTRIBUTES = ("density", "velocity", "pitch", "polyphony", "syncopation")
N_BINS = 8
ANY = "any"  # the bin token used when an attribute is not requested (and for drum pitch)


def measure(notes: Sequence[Note], n_bars: int, ppq: int = PPQ, beats_per_bar: int = 4) -> dict[str, float]:
    """Mean per-bar values over a window: notes per bar, mean velocity, mean pitch, notes per onset,
    and the share of onsets off the quarter-note grid."""
    if not notes:
        return {"density": 0.0, "velocity": 0.0, "pitch": 0.0, "polyphony": 0.0, "syncopation": 0.0}
    onsets = {n.start for n in notes}
    return {
        "density": len(notes) / max(1, n_bars),
        "velocity": float(np.mean([n.velocity for n in notes])),
        "pitch": float(np.mean([n.pitch for n in notes])),
        "polyphony": len(notes) / len(onsets),
        "syncopation": sum(1 for t in onsets if t % ppq) / len(onsets),
    }


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
