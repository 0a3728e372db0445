"""The emotion thesaurus: words and phrases a musician uses, as points on the five axes.

Coordinates are (energy 0..1, valence -1..1, tension 0..1, intimacy 0..1, motion 0..1), placed by
the usual readings of music-emotion research (arousal ~ energy and motion, valence ~ mode and
brightness, tension ~ dissonance and expectation, intimacy ~ closeness and sparseness). Blends
("bittersweet", "nostalgic") sit between their parents. Phrases are matched before single words.
"""
from __future__ import annotations

import re

from stori.spec.emotion import AXES, EmotionVector

Point = tuple[float, float, float, float, float]

EMOTION_WORDS: dict[str, Point] = {
    # joy and light
    "happy": (0.65, 0.75, 0.2, 0.4, 0.65), "joyful": (0.75, 0.85, 0.2, 0.35, 0.7),
    "cheerful": (0.65, 0.8, 0.15, 0.4, 0.7), "playful": (0.6, 0.7, 0.25, 0.45, 0.75),
    "carefree": (0.55, 0.7, 0.1, 0.45, 0.65), "euphoric": (0.95, 0.9, 0.35, 0.15, 0.9),
    "uplifting": (0.7, 0.75, 0.25, 0.35, 0.7), "hopeful": (0.55, 0.55, 0.3, 0.55, 0.55),
    "optimistic": (0.6, 0.65, 0.2, 0.45, 0.6), "bright": (0.6, 0.7, 0.15, 0.4, 0.6),
    "sunny": (0.6, 0.8, 0.1, 0.45, 0.6), "triumphant": (0.9, 0.7, 0.45, 0.15, 0.75),
    "victorious": (0.9, 0.75, 0.4, 0.15, 0.75), "proud": (0.7, 0.55, 0.3, 0.3, 0.55),
    "celebratory": (0.85, 0.85, 0.2, 0.2, 0.85), "festive": (0.8, 0.8, 0.15, 0.25, 0.8),
    "grateful": (0.4, 0.6, 0.1, 0.7, 0.4),
    # calm and close
    "calm": (0.15, 0.3, 0.1, 0.7, 0.2), "peaceful": (0.15, 0.45, 0.05, 0.7, 0.2),
    "serene": (0.15, 0.45, 0.05, 0.65, 0.2), "relaxed": (0.25, 0.4, 0.1, 0.6, 0.35),
    "chill": (0.3, 0.35, 0.15, 0.6, 0.4), "mellow": (0.25, 0.3, 0.1, 0.65, 0.3),
    "gentle": (0.2, 0.4, 0.1, 0.8, 0.3), "tender": (0.2, 0.4, 0.15, 0.9, 0.3),
    "warm": (0.35, 0.5, 0.1, 0.75, 0.4), "intimate": (0.2, 0.25, 0.2, 0.95, 0.3),
    "romantic": (0.35, 0.55, 0.25, 0.85, 0.4), "loving": (0.35, 0.6, 0.15, 0.85, 0.4),
    "dreamy": (0.25, 0.3, 0.25, 0.75, 0.3), "ethereal": (0.2, 0.25, 0.3, 0.6, 0.25),
    "floating": (0.2, 0.3, 0.2, 0.6, 0.25), "meditative": (0.1, 0.2, 0.1, 0.7, 0.15),
    "sleepy": (0.1, 0.2, 0.05, 0.75, 0.1), "lazy": (0.2, 0.3, 0.1, 0.6, 0.25),
    "innocent": (0.3, 0.55, 0.1, 0.75, 0.4), "wistful": (0.3, -0.1, 0.3, 0.75, 0.35),
    # sadness
    "sad": (0.25, -0.65, 0.35, 0.7, 0.3), "melancholic": (0.3, -0.5, 0.35, 0.75, 0.35),
    "melancholy": (0.3, -0.5, 0.35, 0.75, 0.35), "sorrowful": (0.2, -0.75, 0.4, 0.75, 0.25),
    "heartbroken": (0.3, -0.8, 0.5, 0.8, 0.3), "lonely": (0.2, -0.55, 0.35, 0.85, 0.25),
    "grieving": (0.2, -0.8, 0.45, 0.75, 0.2), "mournful": (0.2, -0.75, 0.4, 0.7, 0.2),
    "somber": (0.25, -0.55, 0.4, 0.6, 0.2), "gloomy": (0.3, -0.6, 0.45, 0.55, 0.25),
    "regretful": (0.3, -0.5, 0.45, 0.75, 0.3), "heavy": (0.55, -0.45, 0.55, 0.35, 0.35),
    "blue": (0.3, -0.45, 0.3, 0.7, 0.35), "empty": (0.15, -0.5, 0.3, 0.6, 0.15),
    # blends
    "bittersweet": (0.4, 0.0, 0.35, 0.7, 0.45), "nostalgic": (0.35, 0.1, 0.3, 0.75, 0.4),
    "yearning": (0.45, -0.15, 0.55, 0.75, 0.45), "longing": (0.4, -0.2, 0.5, 0.8, 0.4),
    "reflective": (0.25, 0.05, 0.25, 0.75, 0.3), "pensive": (0.25, -0.1, 0.3, 0.7, 0.3),
    "hopeful but sad": (0.4, 0.1, 0.35, 0.7, 0.4), "sad but hopeful": (0.4, 0.1, 0.35, 0.7, 0.4),
    "happy-sad": (0.45, 0.05, 0.3, 0.65, 0.5), "defiant": (0.8, -0.1, 0.6, 0.25, 0.7),
    "determined": (0.75, 0.3, 0.5, 0.3, 0.7), "brave": (0.75, 0.45, 0.45, 0.3, 0.65),
    "redemptive": (0.65, 0.5, 0.35, 0.45, 0.55), "cathartic": (0.85, 0.1, 0.6, 0.4, 0.7),
    "quiet strength": (0.35, 0.35, 0.3, 0.7, 0.4), "haunting": (0.3, -0.35, 0.6, 0.6, 0.3),
    "cold": (0.35, -0.3, 0.45, 0.2, 0.35),
    # tension and dark
    "anxious": (0.6, -0.45, 0.85, 0.3, 0.75), "nervous": (0.55, -0.35, 0.75, 0.35, 0.7),
    "tense": (0.6, -0.3, 0.85, 0.3, 0.6), "suspenseful": (0.5, -0.3, 0.85, 0.35, 0.55),
    "ominous": (0.45, -0.6, 0.8, 0.3, 0.35), "menacing": (0.7, -0.7, 0.85, 0.2, 0.5),
    "dark": (0.5, -0.6, 0.65, 0.4, 0.5), "eerie": (0.3, -0.45, 0.75, 0.45, 0.3),
    "mysterious": (0.35, -0.2, 0.6, 0.55, 0.4), "restless": (0.65, -0.2, 0.65, 0.3, 0.8),
    "urgent": (0.8, -0.2, 0.75, 0.2, 0.85), "frantic": (0.9, -0.3, 0.85, 0.1, 0.95),
    "desperate": (0.75, -0.6, 0.8, 0.45, 0.7),
    # force
    "angry": (0.9, -0.65, 0.85, 0.1, 0.8), "furious": (0.95, -0.75, 0.9, 0.05, 0.85),
    "aggressive": (0.9, -0.5, 0.8, 0.1, 0.85), "fierce": (0.9, -0.2, 0.7, 0.15, 0.8),
    "rebellious": (0.85, -0.15, 0.65, 0.2, 0.8), "energetic": (0.9, 0.5, 0.4, 0.2, 0.85),
    "epic": (0.9, 0.4, 0.6, 0.1, 0.7), "powerful": (0.9, 0.35, 0.55, 0.15, 0.7),
    "intense": (0.85, -0.1, 0.75, 0.2, 0.75), "driving": (0.75, 0.2, 0.45, 0.25, 0.9),
    "groovy": (0.65, 0.55, 0.25, 0.35, 0.85), "funky": (0.7, 0.55, 0.3, 0.3, 0.9),
    "sexy": (0.5, 0.45, 0.4, 0.8, 0.6), "sultry": (0.4, 0.3, 0.45, 0.85, 0.5),
    "swagger": (0.7, 0.35, 0.4, 0.3, 0.75), "confident": (0.7, 0.5, 0.3, 0.3, 0.65),
    "majestic": (0.75, 0.5, 0.45, 0.15, 0.5), "heroic": (0.85, 0.6, 0.5, 0.15, 0.7),
    "cinematic": (0.6, 0.1, 0.55, 0.3, 0.5), "hypnotic": (0.5, 0.1, 0.4, 0.5, 0.7),
    "quirky": (0.55, 0.5, 0.35, 0.45, 0.7),
    # song forms that carry a feeling
    "lullaby": (0.1, 0.45, 0.05, 0.9, 0.15), "ballad": (0.3, 0.1, 0.3, 0.75, 0.3),
    "serenade": (0.3, 0.5, 0.15, 0.85, 0.35), "lament": (0.2, -0.7, 0.4, 0.8, 0.2),
    "dirge": (0.15, -0.8, 0.45, 0.6, 0.1), "hymn": (0.35, 0.5, 0.2, 0.6, 0.3),
    "anthem": (0.85, 0.6, 0.35, 0.1, 0.7), "march": (0.7, 0.3, 0.4, 0.2, 0.8),
    "punk": (0.95, -0.1, 0.7, 0.1, 0.9),
}

# Words that soften or strengthen the word after them ("very sad", "slightly tense").
_INTENSIFIERS = {"very": 1.3, "really": 1.25, "deeply": 1.3, "extremely": 1.4, "slightly": 0.6, "a bit": 0.6,
                 "a little": 0.6, "somewhat": 0.7, "kind of": 0.7}
_NEUTRAL: Point = (0.5, 0.0, 0.3, 0.5, 0.5)


def _pattern(phrase: str) -> str:
    return r"\b" + re.escape(phrase).replace(r"\-", "[- ]").replace(r"\ ", r"\s+") + r"\b"


def find_emotion_words(text: str) -> list[tuple[str, float]]:
    """The thesaurus entries in ``text`` (longest phrases first, no overlaps) with their intensifier."""
    low = text.lower()
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, str, float]] = []
    for phrase in sorted(EMOTION_WORDS, key=len, reverse=True):
        for m in re.finditer(_pattern(phrase), low):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            before = low[max(0, m.start() - 12):m.start()]
            scale = next((v for k, v in _INTENSIFIERS.items() if before.rstrip().endswith(k)), 1.0)
            negated = bool(re.search(r"\b(not|never|no longer)\s+$", before))
            found.append((m.start(), phrase, -0.5 if negated else scale))
    return [(p, s) for _, p, s in sorted(found)]


def point_of(phrase: str, scale: float = 1.0) -> dict[str, float]:
    """A word's coordinates, pushed away from (or, scale < 1, pulled toward) the neutral point."""
    return {a: n + scale * (v - n) for a, v, n in zip(AXES, EMOTION_WORDS[phrase], _NEUTRAL)}


def emotion_from_text(text: str, base: EmotionVector) -> tuple[EmotionVector, list[str]]:
    """The mean of the emotion words found, blended 3:1 with ``base``, and the words used."""
    found = find_emotion_words(text)
    if not found:
        return base, []
    points = [point_of(p, s) for p, s in found]
    mean = {a: sum(p[a] for p in points) / len(points) for a in AXES}
    blended = {a: 0.75 * mean[a] + 0.25 * getattr(base, a) for a in AXES}
    return EmotionVector.from_dict({a: max(-1.0 if a == "valence" else 0.0, min(1.0, v)) for a,
                                    v in blended.items()}), \
        [p for p, _ in found]
