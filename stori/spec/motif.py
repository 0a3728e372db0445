"""Motifs and their eight transformations, as pure functions returning new motifs.

``intervals`` are semitone offsets of each note from the motif's anchor note (the first is usually 0);
``rhythm`` is each note's duration in beats (notes follow one another). The anchor sits on scale
degree ``anchor_degree`` (1..7) of the key, in the octave nearest ``register`` (a MIDI pitch).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from stori.errors import StoriError, check_range

TRANSFORMATIONS = ("transpose", "register_shift", "rhythmic_expand", "rhythmic_compress",
                   "invert", "retrograde", "intensify", "simplify")


@dataclass(frozen=True)
class Motif:
    id: str
    intervals: tuple[int, ...]
    rhythm: tuple[float, ...]
    register: int = 67
    emotional_role: str = "identity"
    anchor_degree: int = 1
    allowed_transformations: tuple[str, ...] = TRANSFORMATIONS
    name: str = ""
    duration_beats: float | None = None  # as the plan declares it; the rhythm is what sounds
    register_name: str = ""  # the plan's name for the register (``mid_high``), when it gave one
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "intervals", tuple(int(i) for i in self.intervals))
        object.__setattr__(self, "rhythm", tuple(float(r) for r in self.rhythm))
        object.__setattr__(self, "allowed_transformations", tuple(self.allowed_transformations))
        where = f"motifs[{self.id}]"
        if not self.intervals:
            raise StoriError(f"{where}.intervals", "is empty", "1..32 semitone offsets")
        if len(self.intervals) != len(self.rhythm):
            raise StoriError(f"{where}.rhythm", f"has {len(self.rhythm)} durations for {len(self.intervals)} notes",
                             "one duration in beats per interval")
        if any(r <= 0 for r in self.rhythm):
            raise StoriError(f"{where}.rhythm", "has a duration <= 0", "durations in beats > 0")
        check_range(f"{where}.register", self.register, 24, 108)
        check_range(f"{where}.anchor_degree", self.anchor_degree, 1, 7)
        bad = set(self.allowed_transformations) - set(TRANSFORMATIONS)
        if bad:
            raise StoriError(f"{where}.allowed_transformations", f"unknown {sorted(bad)[0]!r}",
                             ", ".join(TRANSFORMATIONS))

    @property
    def duration(self) -> float:
        """Length in beats."""
        return sum(self.rhythm)

    @property
    def onsets(self) -> tuple[float, ...]:
        out, t = [], 0.0
        for r in self.rhythm:
            out.append(t)
            t += r
        return tuple(out)


def transpose(m: Motif, semitones: int) -> Motif:
    return replace(m, intervals=tuple(i + semitones for i in m.intervals))


def register_shift(m: Motif, octaves: int) -> Motif:
    return replace(m, register=m.register + 12 * octaves)


def rhythmic_expand(m: Motif, factor: float = 2.0) -> Motif:
    return replace(m, rhythm=tuple(r * factor for r in m.rhythm))


def rhythmic_compress(m: Motif, factor: float = 2.0) -> Motif:
    return replace(m, rhythm=tuple(r / factor for r in m.rhythm))


def invert(m: Motif) -> Motif:
    """Mirror the contour around the anchor: every offset changes sign."""
    return replace(m, intervals=tuple(-i for i in m.intervals))


def retrograde(m: Motif) -> Motif:
    """The notes and their durations in reverse order (pitches unchanged)."""
    return replace(m, intervals=m.intervals[::-1], rhythm=m.rhythm[::-1])


def intensify(m: Motif) -> Motif:
    """Wider contour (offsets x1.5) and notes of a beat or more split into two repeated halves."""
    intervals, rhythm = [], []
    for i, r in zip(m.intervals, m.rhythm):
        wide = int(round(i * 1.5))
        if r >= 1.0:
            intervals += [wide, wide]
            rhythm += [r / 2, r / 2]
        else:
            intervals.append(wide)
            rhythm.append(r)
    return replace(m, intervals=tuple(intervals), rhythm=tuple(rhythm))


def simplify(m: Motif) -> Motif:
    """Merge each run of two short notes (< 1 beat) into one, keeping the first pitch."""
    intervals, rhythm = [], []
    k = 0
    while k < len(m.intervals):
        if k + 1 < len(m.intervals) and m.rhythm[k] < 1.0 and m.rhythm[k + 1] < 1.0:
            intervals.append(m.intervals[k])
            rhythm.append(m.rhythm[k] + m.rhythm[k + 1])
            k += 2
        else:
            intervals.append(m.intervals[k])
            rhythm.append(m.rhythm[k])
            k += 1
    return replace(m, intervals=tuple(intervals), rhythm=tuple(rhythm))


_FUNCS = {"transpose": transpose, "register_shift": register_shift, "rhythmic_expand": rhythmic_expand,
          "rhythmic_compress": rhythmic_compress, "invert": invert, "retrograde": retrograde,
          "intensify": intensify, "simplify": simplify}


def apply_transformation(m: Motif, spec: str | dict) -> Motif:
    """Apply one transformation given as a name ("invert") or ``{"type": "transpose", "amount": 2}``."""
    name, amount = (spec, None) if isinstance(spec, str) else (spec.get("type"), spec.get("amount"))
    if name not in _FUNCS:
        raise StoriError("motif_usage.transformations", f"unknown {name!r}", ", ".join(TRANSFORMATIONS))
    if name not in m.allowed_transformations:
        raise StoriError("motif_usage.transformations", f"{name!r} is not allowed for motif {m.id!r}",
                         ", ".join(m.allowed_transformations))
    if name in ("transpose", "register_shift"):
        return _FUNCS[name](m, int(amount if amount is not None else (2 if name == "transpose" else 1)))
    if name in ("rhythmic_expand", "rhythmic_compress") and amount is not None:
        return _FUNCS[name](m, float(amount))
    return _FUNCS[name](m)
