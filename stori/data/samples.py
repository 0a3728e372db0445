"""The unit of training data: one track-section of a real song, in Stori's vocabulary."""
from __future__ import annotations

from dataclasses import dataclass, field

from stori.spec.song import Note


@dataclass
class SectionSample:
    """One section of one real piece, with notes per role in ticks (PPQ 480) relative to its start.

    ``chords`` are ``(tick, symbol)`` pairs at chord changes, symbols as :mod:`stori.theory` parses
    them ("Am", "F", "G7", "N" for no chord).
    """

    source: str  # e.g. "pop909:001" or "gmd:drummer1/session1/1_funk_80_beat_4-4"
    split: str  # train | valid | test
    style: str  # "pop" for POP909, the GMD style for drums
    section_type: str  # intro | verse | pre_chorus | chorus | bridge | outro | other | fill
    key: str  # "A minor"
    tempo: float
    time_signature: tuple[int, int]
    n_bars: int
    notes: dict[str, list[Note]] = field(default_factory=dict)  # role -> notes
    chords: list[tuple[int, str]] = field(default_factory=list)
