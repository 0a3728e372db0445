"""Pitch names, keys, scales and chord symbols: the music theory every stage shares."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache

from stori.errors import StoriError

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

MODES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
}

# Chord qualities: suffix -> intervals above the root.
QUALITIES = {
    "": (0, 4, 7), "maj": (0, 4, 7), "m": (0, 3, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8),
    "+": (0, 4, 8), "sus2": (0, 2, 7), "sus4": (0, 5, 7), "sus": (0, 5, 7), "5": (0, 7),
    "6": (0, 4, 7, 9), "m6": (0, 3, 7, 9), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "M7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10), "min7": (0, 3, 7, 10), "mmaj7": (0, 3, 7, 11), "dim7": (0, 3, 6, 9),
    "m7b5": (0, 3, 6, 10), "hdim7": (0, 3, 6, 10), "7sus4": (0, 5, 7, 10), "9": (0, 4, 7, 10, 14),
    "maj9": (0, 4, 7, 11, 14), "m9": (0, 3, 7, 10, 14), "add9": (0, 4, 7, 14), "madd9": (0, 3, 7, 14),
    "11": (0, 4, 7, 10, 14, 17), "m11": (0, 3, 7, 10, 14, 17), "13": (0, 4, 7, 10, 14, 21),
}
_PITCH_RE = re.compile(r"^([A-Ga-g])([#b♯♭]*)$")
_CHORD_RE = re.compile(r"^([A-G])([#b]?)([^/]*)(?:/([A-G][#b]?))?$")


def pitch_class(name: str) -> int:
    """Pitch class of a note name such as "C#", "Bb" or "e"."""
    m = _PITCH_RE.match(name.strip())
    if not m:
        raise StoriError("note", f"{name!r} is not a note name", "A-G with optional # or b, e.g. 'F#'")
    pc = _LETTER_PC[m.group(1).upper()]
    pc += m.group(2).count("#") + m.group(2).count("♯") - m.group(2).count("b") - m.group(2).count("♭")
    return pc % 12


def parse_key(key: str) -> tuple[int, str]:
    """``"A minor"`` -> ``(9, "minor")``. Also accepts "Am", "F# major", "D dorian"."""
    text = str(key).strip()
    allowed = "a note A-G with optional #/b and a mode (" + ", ".join(MODES) + "), e.g. 'A minor'"
    parts = text.split()
    if len(parts) == 1 and len(text) >= 2 and text.endswith("m") and _PITCH_RE.match(text[:-1]):
        parts = [text[:-1], "minor"]
    if len(parts) == 1:
        parts.append("major")
    if len(parts) != 2 or not _PITCH_RE.match(parts[0]) or parts[1].lower() not in MODES:
        raise StoriError("key", f"{key!r} is not a key", allowed)
    return pitch_class(parts[0]), parts[1].lower()


KK_PROFILES = {"major": (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
               "minor": (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)}
"""Krumhansl-Kessler key profiles (probe-tone ratings, tonic first)."""


def key_correlations(weights: Sequence[float]) -> dict[tuple[int, str], float]:
    """(tonic pc, mode) -> Pearson correlation of 12 pitch-class weights with that key's profile, for
    the 24 major and minor keys (empty when the weights are flat: no key is heard)."""
    mean = sum(weights) / 12
    dev = [w - mean for w in weights]
    norm = sum(d * d for d in dev)
    if norm == 0:
        return {}
    out = {}
    for mode, profile in KK_PROFILES.items():
        pm = sum(profile) / 12
        pdev = [x - pm for x in profile]
        pnorm = sum(x * x for x in pdev)
        for tonic in range(12):
            out[(tonic, mode)] = sum(dev[(tonic + k) % 12] * pdev[k] for k in range(12)) / (norm * pnorm) ** 0.5
    return out


def major_lean(weights: Sequence[float]) -> float | None:
    """How major 12 pitch-class weights sound: the best major key's profile correlation minus the best
    minor key's (> 0 major, < 0 minor, the size how clearly); None when no key is heard."""
    r = key_correlations(weights)
    if not r:
        return None
    return max(v for (_, m), v in r.items() if m == "major") - max(v for (_, m), v in r.items() if m == "minor")


def key_name(tonic: int, mode: str) -> str:
    return f"{NOTE_NAMES[tonic % 12]} {mode}"


_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_MODE_FROM_MAJOR = {"major": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7, "minor": 9}


def uses_sharps(key: str) -> bool:
    """Whether ``key``'s signature has sharps (the spelling with fewer accidentals; six: sharps)."""
    tonic, mode = parse_key(key)
    fifths = (tonic - _MODE_FROM_MAJOR[mode]) * 7 % 12  # sharps of the parent major key
    return 0 < fifths <= 6


def spelled_key(tonic: int, mode: str) -> str:
    """The key's name as its signature spells it: "G# minor" (5 sharps), not "Ab minor" (7 flats);
    "Db major", not "C# major"."""
    probe = key_name(tonic, mode)
    return f"{(_SHARP_NAMES if uses_sharps(probe) else _FLAT_NAMES)[tonic % 12]} {mode}"


def pitch_name(pc: int, key: str) -> str:
    """A pitch class named in ``key``'s spelling (sharps in sharp keys, flats in flat keys)."""
    return (_SHARP_NAMES if uses_sharps(key) else _FLAT_NAMES)[pc % 12]


def normalize_key(key: str) -> str:
    return key_name(*parse_key(key))


def scale_pitch_classes(key: str) -> tuple[int, ...]:
    tonic, mode = parse_key(key)
    return tuple((tonic + i) % 12 for i in MODES[mode])


def is_major(key: str) -> bool:
    return MODES[parse_key(key)[1]][2] == 4


def mode_tones(key: str) -> tuple[int, ...]:
    """The pitch classes a line dwells on to make its key's mode plain, as measured from the notes
    (Krumhansl-Schmuckler against every key): a major key's tonic and third (its sixth is the relative
    minor's tonic: drawn to it, happy songs were heard less major), a minor key's third and sixth."""
    scale = scale_pitch_classes(key)
    if len(scale) != 7:
        return ()
    return (scale[0], scale[2]) if is_major(key) else (scale[2], scale[5])


@lru_cache(maxsize=4096)
def parse_chord(symbol: str) -> tuple[int, tuple[int, ...], int]:
    """``"Am7"`` -> ``(9, (9, 0, 4, 7), 9)``: root pc, chord pitch classes (root first), bass pc.

    "N" (no chord) gives ``(-1, (), -1)``.
    """
    s = symbol.strip()
    if s in ("N", "NC", "N.C."):
        return -1, (), -1
    m = _CHORD_RE.match(s)
    if not m or m.group(3) not in QUALITIES:
        raise StoriError("chord", f"{symbol!r} is not a chord symbol",
                         "root A-G, optional #/b, a quality such as m, 7, maj7, m7, dim, sus4, add9, optional /bass; "
                         "e.g. 'Am7'")
    root = pitch_class(m.group(1) + m.group(2))
    pcs = tuple(dict.fromkeys((root + i) % 12 for i in QUALITIES[m.group(3)]))
    bass = pitch_class(m.group(4)) if m.group(4) else root
    return root, pcs, bass


class ChordTimeline:
    """The chord sounding at each tick, from ``(tick, symbol)`` chord changes, each symbol mapped once
    by ``value`` (to pitch classes, a token id, ...; the symbol itself by default)."""

    def __init__(self, changes: Sequence[tuple[int, str]], value: Callable[[str], object] = str):
        ordered = sorted(changes, key=lambda c: c[0])
        self.ticks = [t for t, _ in ordered]
        self.values = [value(s) for _, s in ordered]

    def at(self, tick: int):
        """The value of the chord sounding at ``tick``; None before the first change."""
        i = bisect_right(self.ticks, tick) - 1
        return self.values[i] if i >= 0 else None


def chord_at(timeline: Sequence[tuple[int, str]], tick: int) -> str:
    """The chord symbol sounding at ``tick`` of a ``(tick, symbol)`` timeline of chord changes (the
    first chord before its change, "N" when the timeline is empty)."""
    if not timeline:
        return "N"
    found = ChordTimeline(timeline).at(tick)
    return timeline[0][1] if found is None else found


def chord_name(root: int, quality: str = "") -> str:
    return NOTE_NAMES[root % 12] + quality


_NAMED_QUALITIES = ("", "m", "dim", "aug", "sus2", "sus4", "7", "maj7", "m7", "m7b5", "dim7", "6", "m6")


def chord_from_pitch_classes(root: int, pitch_classes) -> str:
    """The symbol of a chord given its root and pitch classes: the quality (triads, sixths,
    sevenths, sus) sharing the most tones with it and adding the fewest; ``"C"`` for ``(0, {0, 4, 7, 2})``."""
    intervals = {(p - root) % 12 for p in pitch_classes}
    best = max(_NAMED_QUALITIES, key=lambda q: (len(intervals & set(QUALITIES[q])) - len(set(QUALITIES[q]) - intervals),
                                                -len(QUALITIES[q])))
    return chord_name(root, best)


# Roman numerals (relative to the key's tonic) <-> chord symbols, used by planners.
_ROMAN = {"I": 0, "II": 2, "III": 4, "IV": 5, "V": 7, "VI": 9, "VII": 11}
_ROMAN_RE = re.compile(r"^([b#]?)(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(.*)$")


def roman_to_chord(numeral: str, key: str) -> str:
    """``roman_to_chord("vi", "C major")`` -> ``"Am"``; ``"bVII"`` -> ``"Bb"``; ``"V7"`` -> ``"G7"``; ``"ii9"``
    -> ``"Dm9"`` (a lowercase numeral's seventh and ninth are minor chords')."""
    m = _ROMAN_RE.match(numeral.strip())
    if not m:
        raise StoriError("chord", f"{numeral!r} is not a Roman numeral", "I..VII / i..vii with optional b/# and suffix")
    tonic, _ = parse_key(key)
    shift = {"b": -1, "#": 1}.get(m.group(1), 0)
    root = (tonic + _ROMAN[m.group(2).upper()] + shift) % 12
    suffix = m.group(3)
    quality = suffix if suffix not in ("", "7", "9") or m.group(2).isupper() else ("m" + suffix)
    if m.group(2).islower() and suffix in ("o", "dim"):
        quality = "dim"
    return chord_name(root, quality)


def midi_name(pitch: int) -> str:
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"
