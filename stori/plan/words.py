"""Words a musician uses, mapped to the plan: instruments and their playing, arc words that shape
sections, and tempo, key, meter and length written in the text. Emotion words live in
:mod:`stori.plan.thesaurus`."""
from __future__ import annotations

import re

from stori.plan.thesaurus import EMOTION_WORDS, emotion_from_text, find_emotion_words, point_of  # noqa: F401 (re-exported)

# Instrument phrases -> (role, track name, GM program). Longer phrases are matched first.
INSTRUMENT_WORDS: dict[str, tuple[str, str, int]] = {
    "fingerpicked guitar": ("harmony", "Fingerpicked Guitar", 25),
    "acoustic guitar": ("harmony", "Acoustic Guitar", 25),
    "nylon guitar": ("harmony", "Nylon Guitar", 24), "electric guitar": ("harmony", "Electric Guitar", 27),
    "clean guitar": ("harmony", "Clean Guitar", 27), "distorted guitar": ("harmony", "Distorted Guitar", 30),
    "guitar": ("harmony", "Guitar", 25), "strings pad": ("harmony", "Strings Pad", 49),
    "strings": ("harmony", "Strings", 48),
    "string section": ("harmony", "Strings", 48), "grand piano": ("harmony", "Piano", 0),
    "piano": ("harmony", "Piano", 0),
    "electric piano": ("harmony", "Electric Piano", 4), "rhodes": ("harmony", "Rhodes", 4),
    "wurlitzer": ("harmony", "Wurlitzer", 4),
    "organ": ("harmony", "Organ", 16), "synth pad": ("harmony", "Synth Pad", 89), "pad": ("harmony", "Pad", 89),
    "harp": ("harmony", "Harp", 46), "ukulele": ("harmony", "Ukulele", 24), "banjo": ("harmony", "Banjo", 105),
    "warm bass": ("bass", "Warm Bass", 32), "upright bass": ("bass", "Upright Bass", 32),
    "double bass": ("bass", "Upright Bass", 32),
    "fretless bass": ("bass", "Fretless Bass", 35), "slap bass": ("bass", "Slap Bass", 36),
    "synth bass": ("bass", "Synth Bass", 38),
    "sub bass": ("bass", "Sub Bass", 38), "808": ("bass", "808 Bass", 38), "cello": ("bass", "Cello", 42),
    "bass": ("bass", "Bass", 33),
    "flute": ("melody", "Flute", 73), "violin": ("melody", "Violin", 40), "saxophone": ("melody", "Saxophone", 65),
    "sax": ("melody", "Saxophone", 65), "trumpet": ("melody", "Trumpet", 56), "clarinet": ("melody", "Clarinet", 71),
    "oboe": ("melody", "Oboe", 68), "whistle": ("melody", "Whistle", 78), "vocal": ("melody", "Vocal Lead", 54),
    "voice": ("melody", "Vocal Lead", 54), "lead synth": ("melody", "Synth Lead", 81),
    "synth lead": ("melody", "Synth Lead", 81),
    "bells": ("melody", "Bells", 14), "glockenspiel": ("melody", "Glockenspiel", 9),
    "harmonica": ("melody", "Harmonica", 22),
    "drums": ("drums", "Drums", 0), "drum kit": ("drums", "Drums", 0), "percussion": ("drums", "Percussion", 0),
    "beat": ("drums", "Drums", 0),
}

# Drum kit phrases -> GS kit (stori.data.drum_kit.DRUM_KITS).
KIT_WORDS: dict[str, str] = {
    "808": "TR-808", "808s": "TR-808", "tr-808": "TR-808", "tr808": "TR-808", "brushes": "Brush", "brush": "Brush",
    "brushed drums": "Brush", "drum machine": "Electronic", "electronic drums": "Electronic", "jazz drums": "Jazz",
    "jazz kit": "Jazz", "room drums": "Room", "roomy drums": "Room", "power drums": "Power", "big drums": "Power",
    "orchestral percussion": "Orchestra", "timpani": "Orchestra",
}

# How a part is described -> (role, behaviour) applied to every section (the arc may still lift a chorus).
PLAYING_WORDS: dict[str, tuple[str, str]] = {
    "subtle drums": ("drums", "sparse"), "soft drums": ("drums", "sparse"), "light drums": ("drums", "sparse"),
    "brushed drums": ("drums", "sparse"), "brushes": ("drums", "sparse"), "minimal drums": ("drums", "sparse"),
    "no drums": ("drums", "tacet"), "driving drums": ("drums", "driving"), "pounding drums": ("drums", "driving"),
    "half-time": ("drums", "half_time"), "half time": ("drums", "half_time"),
    "walking bass": ("bass", "walking"), "driving bass": ("bass", "driving"), "pulsing bass": ("bass", "driving"),
    "sustained bass": ("bass", "sustained"), "drone": ("bass", "sustained"),
    "fingerpicked": ("harmony", "arpeggiated"), "arpeggiated": ("harmony", "arpeggiated"),
    "arpeggios": ("harmony", "arpeggiated"),
    "strummed": ("harmony", "rhythmic"), "choppy": ("harmony", "rhythmic"), "stabs": ("harmony", "rhythmic"),
    "pad": ("harmony", "sustained"), "sustained chords": ("harmony", "sustained"), "block chords": ("harmony", "block"),
}
# Parts that keep their word's behaviour in the chorus only when it is not lighter than this.
_CHORUS_LIFT = {"sparse": "steady"}

SECTION_WORDS = {"intro": "intro", "verse": "verse", "verses": "verse", "pre-chorus": "pre_chorus",
                 "prechorus": "pre_chorus",
                 "pre chorus": "pre_chorus", "chorus": "chorus", "choruses": "chorus", "hook": "chorus",
                 "drop": "chorus",
                 "refrain": "chorus", "bridge": "bridge", "middle eight": "bridge", "breakdown": "break",
                 "break": "break",
                 "solo": "solo", "outro": "outro", "ending": "outro", "coda": "outro"}

# Arc words: an emotion delta for the section they are said about (or the whole song).
ARC_WORDS: dict[str, dict[str, float]] = {
    "soars": {"energy": 0.15, "valence": 0.1, "intimacy": -0.1},
    "soar": {"energy": 0.15, "valence": 0.1, "intimacy": -0.1},
    "soaring": {"energy": 0.15, "valence": 0.1, "intimacy": -0.1}, "lifts": {"energy": 0.15, "valence": 0.05},
    "explodes": {"energy": 0.3, "motion": 0.2, "intimacy": -0.2}, "big": {"energy": 0.2, "intimacy": -0.1},
    "huge": {"energy": 0.3, "intimacy": -0.2}, "anthemic": {"energy": 0.25, "valence": 0.15, "intimacy": -0.2},
    "sparse": {"energy": -0.15, "motion": -0.15, "intimacy": 0.1}, "quiet": {"energy": -0.2, "intimacy": 0.1},
    "stripped": {"energy": -0.2, "motion": -0.1, "intimacy": 0.2},
    "stripped-back": {"energy": -0.2, "motion": -0.1, "intimacy": 0.2},
    "intimate": {"intimacy": 0.2, "energy": -0.1}, "busy": {"motion": 0.2, "energy": 0.1},
    "darker": {"valence": -0.25, "tension": 0.1}, "brighter": {"valence": 0.25}, "tense": {"tension": 0.2},
    "drops": {"energy": -0.25, "motion": -0.15}, "breaks down": {"energy": -0.3, "motion": -0.2},
    "fades": {"energy": -0.2, "motion": -0.1}, "fades out": {"energy": -0.25, "motion": -0.15},
    "resolves": {"tension": -0.25, "valence": 0.1}, "builds": {"energy": 0.1, "tension": 0.1},
}
# Whole-song shapes: the energy added to each successive section, from the first to the last.
BUILD_WORDS = ("builds", "grows", "crescendo", "keeps building", "slow build", "swells")

_TEMPO_RE = re.compile(r"(\d{2,3})\s*(?:bpm|beats per minute)", re.I)
_TEMPO_WORDS = {"very slow": 62, "slow": 72, "laid-back": 82, "mid-tempo": 100, "upbeat": 118, "fast": 140,
                "very fast": 165}
_KEY_RE = re.compile(r"\bin ([A-Ga-g][#b]?)\s*(major|minor|dorian|mixolydian|lydian|phrygian)\b", re.I)
_METER_RE = re.compile(r"\b(2/4|3/4|4/4|5/4|6/8|7/8|9/8|12/8)\b")
_LENGTH_RE = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:-\s*)?(minutes?|mins?|seconds?|secs?|bars?)\b|\b(\d):([0-5]\d)\b",
                        re.I)


def tempo_from_text(text: str) -> float | None:
    m = _TEMPO_RE.search(text)
    if m:
        return float(m.group(1))
    low = text.lower()
    hits = [(low.find(w), -len(w), bpm) for w, bpm in _TEMPO_WORDS.items() if re.search(rf"\b{re.escape(w)}\b", low)]
    return float(min(hits)[2]) if hits else None


def key_from_text(text: str) -> str | None:
    m = _KEY_RE.search(text)
    return f"{m.group(1)[0].upper()}{m.group(1)[1:]} {m.group(2).lower()}" if m else None


def meter_from_text(text: str) -> str | None:
    m = _METER_RE.search(text)
    if m:
        return m.group(1)
    return "3/4" if "waltz" in text.lower() else None


def length_from_text(text: str) -> tuple[str, float] | None:
    """("seconds", 180.0) for "3 minutes" or "3:00"; ("bars", 32.0) for "32 bars"; None when not said."""
    m = _LENGTH_RE.search(text)
    if not m:
        return None
    if m.group(3):
        return "seconds", 60.0 * int(m.group(3)) + int(m.group(4))
    value, unit = min(float(m.group(1)), 1e6), m.group(2).lower()  # "999...9 bars" is long, not infinite
    if unit.startswith("bar"):
        return "bars", value
    return "seconds", value * (60.0 if unit.startswith("min") else 1.0)


def _find(phrases, text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, phrase) matches in ``text``, longest phrases first."""
    low, out = text.lower(), []
    for phrase in sorted(phrases, key=len, reverse=True):
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", low):
            if not any(a < m.end() and m.start() < b for a, b, _ in out):
                out.append((m.start(), m.end(), phrase))
    return sorted(out)


def instruments_from_text(text: str) -> dict[str, tuple[str, int]]:
    """role -> (track name, program) for each instrument phrase in ``text`` (first phrase per role wins)."""
    out: dict[str, tuple[str, int]] = {}
    for _, _, phrase in _find(INSTRUMENT_WORDS, text):
        role, name, program = INSTRUMENT_WORDS[phrase]
        out.setdefault(role, (name, program))
    return out


def kit_from_text(text: str) -> tuple[str, str] | None:
    """(GS kit, the words that asked for it) for the first kit phrase in ``text``."""
    found = _find(KIT_WORDS, text)
    return (KIT_WORDS[found[0][2]], found[0][2]) if found else None


def playing_from_text(text: str) -> dict[str, tuple[str, str]]:
    """role -> (behaviour, the words that asked for it)."""
    out: dict[str, tuple[str, str]] = {}
    for _, _, phrase in _find(PLAYING_WORDS, text):
        role, behaviour = PLAYING_WORDS[phrase]
        out.setdefault(role, (behaviour, phrase))
    return out


def clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r",|;|\.|\band\b|\bwith\b|\bthen\b|\bbut\b", text.lower()) if c.strip()]


def arcs_from_text(text: str) -> list[tuple[str, dict[str, float], str]]:
    """(section type, emotion delta, words) for each clause that says something about a section:
    arc words ("soars in the chorus", "sparse verse") and emotion words ("a sad verse") alike."""
    out = []
    for clause in clauses(text):
        sections = [SECTION_WORDS[p] for _, _, p in _find(SECTION_WORDS, clause)]
        if not sections:
            continue
        for stype in dict.fromkeys(sections):
            for _, _, word in _find(ARC_WORDS, clause):
                out.append((stype, dict(ARC_WORDS[word]), word))
            for word, scale in find_emotion_words(clause):
                point = point_of(word, scale)
                out.append((stype, {"__toward__": 1.0, **point}, word))
    return out


def builds(text: str) -> str | None:
    """The build word when the text asks the whole song to grow (and names no section with it)."""
    for clause in clauses(text):
        if _find(SECTION_WORDS, clause):
            continue
        hit = _find(BUILD_WORDS, clause)
        if hit:
            return hit[0][2]
    return None


def song_emotion_text(text: str) -> str:
    """The text without the clauses that talk about one section (their emotion words are the arc's)."""
    return ", ".join(c for c in clauses(text) if not _find(SECTION_WORDS, c))
