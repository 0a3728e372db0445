"""Words a musician uses, mapped to the plan: emotions, instruments, tempo, key and meter in text."""
from __future__ import annotations

import re

from stori.spec.emotion import EmotionVector

# Emotion words -> coordinates on the five axes (energy, valence, tension, intimacy, motion).
EMOTION_WORDS: dict[str, tuple[float, float, float, float, float]] = {
    "bittersweet": (0.4, 0.0, 0.35, 0.7, 0.45),
    "happy": (0.65, 0.75, 0.2, 0.4, 0.65),
    "joyful": (0.75, 0.85, 0.2, 0.35, 0.7),
    "sad": (0.25, -0.65, 0.35, 0.7, 0.3),
    "melancholic": (0.3, -0.5, 0.35, 0.75, 0.35),
    "nostalgic": (0.35, 0.1, 0.3, 0.75, 0.4),
    "triumphant": (0.9, 0.7, 0.45, 0.15, 0.75),
    "anxious": (0.6, -0.45, 0.85, 0.3, 0.75),
    "tender": (0.2, 0.4, 0.15, 0.9, 0.3),
    "angry": (0.9, -0.65, 0.85, 0.1, 0.8),
    "calm": (0.15, 0.3, 0.1, 0.7, 0.2),
    "dreamy": (0.25, 0.3, 0.25, 0.75, 0.3),
    "dark": (0.5, -0.6, 0.65, 0.4, 0.5),
    "hopeful": (0.55, 0.55, 0.3, 0.55, 0.55),
    "energetic": (0.9, 0.5, 0.4, 0.2, 0.85),
    "epic": (0.9, 0.4, 0.6, 0.1, 0.7),
    "romantic": (0.35, 0.55, 0.25, 0.85, 0.4),
    "mysterious": (0.35, -0.2, 0.6, 0.55, 0.4),
    "chill": (0.3, 0.35, 0.15, 0.6, 0.4),
    "uplifting": (0.7, 0.75, 0.25, 0.35, 0.7),
}

_TEMPO_RE = re.compile(r"(\d{2,3})\s*(?:bpm|beats per minute)", re.I)
_KEY_RE = re.compile(r"\bin ([A-G][#b]?)\s*(major|minor|dorian|mixolydian|lydian|phrygian)\b", re.I)
_METER_RE = re.compile(r"\b(2/4|3/4|4/4|5/4|6/8|7/8|9/8|12/8)\b")


def emotion_from_text(text: str, base: EmotionVector) -> tuple[EmotionVector, list[str]]:
    """The mean of the emotion words found (blended with ``base``), and the words used."""
    low = text.lower()
    found = [w for w in EMOTION_WORDS if re.search(rf"\b{re.escape(w)}\b", low)]
    if not found:
        return base, []
    mean = [sum(EMOTION_WORDS[w][i] for w in found) / len(found) for i in range(5)]
    axes = ("energy", "valence", "tension", "intimacy", "motion")
    blended = {a: 0.75 * m + 0.25 * getattr(base, a) for a, m in zip(axes, mean)}
    return EmotionVector(**blended), found


def tempo_from_text(text: str) -> float | None:
    m = _TEMPO_RE.search(text)
    return float(m.group(1)) if m else None


def key_from_text(text: str) -> str | None:
    m = _KEY_RE.search(text)
    return f"{m.group(1)[0].upper()}{m.group(1)[1:]} {m.group(2).lower()}" if m else None


def meter_from_text(text: str) -> str | None:
    m = _METER_RE.search(text)
    if m:
        return m.group(1)
    return "3/4" if "waltz" in text.lower() else None

# Instrument phrases -> (role, track name, GM program). Longer phrases are matched first.
INSTRUMENT_WORDS: dict[str, tuple[str, str, int]] = {
    "fingerpicked guitar": ("harmony", "Fingerpicked Guitar", 25),
    "acoustic guitar": ("harmony", "Acoustic Guitar", 25),
    "electric guitar": ("harmony", "Electric Guitar", 27),
    "strings pad": ("harmony", "Strings Pad", 49),
    "strings": ("harmony", "Strings", 48),
    "piano": ("harmony", "Piano", 0),
    "rhodes": ("harmony", "Rhodes", 4),
    "organ": ("harmony", "Organ", 16),
    "synth pad": ("harmony", "Synth Pad", 89),
    "warm bass": ("bass", "Warm Bass", 32),
    "upright bass": ("bass", "Upright Bass", 32),
    "synth bass": ("bass", "Synth Bass", 38),
    "808": ("bass", "808 Bass", 38),
    "bass": ("bass", "Bass", 33),
    "flute": ("melody", "Flute", 73),
    "violin": ("melody", "Violin", 40),
    "saxophone": ("melody", "Saxophone", 65),
    "sax": ("melody", "Saxophone", 65),
    "trumpet": ("melody", "Trumpet", 56),
    "whistle": ("melody", "Whistle", 78),
    "vocal": ("melody", "Vocal Lead", 54),
    "lead synth": ("melody", "Synth Lead", 81),
}


def instruments_from_text(text: str) -> dict[str, tuple[str, int]]:
    """role -> (track name, program) for each instrument phrase in ``text`` (first phrase per role wins)."""
    low = text.lower()
    out: dict[str, tuple[str, int]] = {}
    taken: list[tuple[int, int]] = []
    for phrase in sorted(INSTRUMENT_WORDS, key=len, reverse=True):
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", low):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            role, name, program = INSTRUMENT_WORDS[phrase]
            out.setdefault(role, (name, program))
    return out
