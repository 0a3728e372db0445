"""Keys and chords folded onto the model's compact vocabulary: major/minor keys and eleven chord
qualities (extensions fold onto their seventh or triad)."""
from __future__ import annotations

from functools import lru_cache

from stori import theory

QUALITIES: dict[str, frozenset[int]] = {
    name: frozenset(iv) for name, iv in {
        "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8), "sus2": (0, 2, 7),
        "sus4": (0, 5, 7), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10),
        "hdim7": (0, 3, 6, 10), "dim7": (0, 3, 6, 9)}.items()
}


def key_mode(key: str) -> tuple[int, str]:
    """``"A dorian"`` -> ``(9, "minor")``: the tonic and the major/minor mode its third implies."""
    tonic, mode = theory.parse_key(key)
    return tonic, "minor" if 3 in theory.MODES[mode] else "major"


@lru_cache(maxsize=512)
def model_chord(symbol: str) -> tuple[int, str] | None:
    """``"Am9"`` -> ``(9, "min7")``; "N" -> None. The quality sharing most intervals wins."""
    root, pcs, _ = theory.parse_chord(symbol)
    if root < 0:
        return None
    intervals = frozenset((p - root) % 12 for p in pcs)
    best = max(QUALITIES,
               key=lambda q: (len(QUALITIES[q] & intervals) - len(QUALITIES[q] - intervals), -len(QUALITIES[q])))
    return root, best
