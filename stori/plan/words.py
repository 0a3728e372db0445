"""Words a musician uses, mapped to the plan: how parts play, arc words that shape sections, form
words, and tempo, key, meter, chords and length written in the text. Emotion words live in
:mod:`stori.plan.thesaurus`, instruments in :mod:`stori.plan.instruments`."""
from __future__ import annotations

import re

from stori.plan.thesaurus import EMOTION_WORDS, emotion_from_text, find_emotion_words, point_of  # noqa: F401 (re-exported)

# How a part is described -> (role, behaviour) applied to every section (the arc may still lift a chorus).
PLAYING_WORDS: dict[str, tuple[str, str]] = {
    "subtle drums": ("drums", "sparse"), "soft drums": ("drums", "sparse"), "light drums": ("drums", "sparse"),
    "brushed drums": ("drums", "sparse"), "brushes": ("drums", "sparse"), "minimal drums": ("drums", "sparse"),
"driving drums": ("drums", "driving"), "pounding drums": ("drums", "driving"),
    "half-time": ("drums", "half_time"), "half time": ("drums", "half_time"),
    "walking bass": ("bass", "walking"), "driving bass": ("bass", "driving"), "pulsing bass": ("bass", "driving"),
    "sustained bass": ("bass", "sustained"), "drone": ("bass", "sustained"),
    "fingerpicked": ("harmony", "arpeggiated"), "arpeggiated": ("harmony", "arpeggiated"),
    "arpeggios": ("harmony", "arpeggiated"),
    "strummed": ("harmony", "rhythmic"), "choppy": ("harmony", "rhythmic"), "stabs": ("harmony", "rhythmic"),
    "pad": ("harmony", "sustained"), "sustained chords": ("harmony", "sustained"), "block chords": ("harmony", "block"),
    "lullaby": ("drums", "tacet"), "lullabies": ("drums", "tacet"),  # sung to a cradle: no drum kit
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
BUILD_WORDS = ("builds", "build", "building", "grows", "crescendo", "keeps building", "slow build", "swells", "rises",
               "climbs")

_TEMPO_RE = re.compile(r"(\d{2,3})\s*(?:bpm|beats per minute|beats a minute)\b"
                       r"|\b(?:tempo|bpm|metronome|q|♩)\s*(?:of|is|at|:|=)?\s*(?:about|around|roughly)?\s*(\d{2,3})\b",
                       re.I)
TEMPO_MARKINGS = {"grave": 40, "largo": 50, "lento": 50, "larghetto": 63, "adagio": 65, "adagietto": 68,
                  "andante": 80, "andantino": 85, "moderato": 100, "allegretto": 115, "allegro": 125,
                  "vivace": 150, "vivacissimo": 155, "presto": 185, "prestissimo": 220}
"""Italian markings -> BPM: the middle of the MidiCaps tempo bin each names (bins split at
40/60/70/90/110/140/160/210 BPM: Largo 40-60, Adagio 60-70, Andante 70-90, Moderato 90-110, Allegro
110-140, Vivace 140-160, Presto 160-210, Prestissimo above); Grave (below 40) sits at Stori's floor."""
TEMPO_WORDS = {"very slow": 50, "slow": 66, "slowly": 66, "lullaby": 64, "ballad": 72, "laid-back": 82,
               "laid back": 82, "moderate tempo": 100, "medium tempo": 100, "mid-tempo": 100, "midtempo": 100,
               "upbeat": 120, "brisk": 125, "fast": 150, "quick": 150, "very fast": 200, "breakneck": 220,
               "blazing": 220}
"""Everyday tempo words -> BPM, placed in the MidiCaps bins ("slow" Adagio, "fast" Vivace, "very fast"
Presto and up; a ballad Andante's slow end)."""
_NOTE = r"([A-G](?:\s?(?:#|♯|b|♭|-?sharp|-?flat|\s+sharp|\s+flat))?)"
_MODE = r"(major|minor|maj|min|dorian|mixolydian|lydian|phrygian|aeolian|ionian)"
_KEY_OF_RE = re.compile(rf"\bkey(?:\s+signature)?\s*(?:of|:|is|=)?\s*(?i:{_NOTE})(?![A-Za-z#])\s*(?i:{_MODE}|(m))?\b")
_KEY_MODE_RE = re.compile(rf"(?<![A-Za-z]){_NOTE}\s*(?i:{_MODE})\b|\b(?i:in)\s+(?i:{_NOTE})\s*(?i:{_MODE})\b")
_KEY_IN_RE = re.compile(rf"\b(?i:in)\s+{_NOTE}(m?)(?![A-Za-z#♯♭])(?!\s+(?i:cappella))")
_KEY_MINOR_RE = re.compile(r"(?<![A-Za-z/])([A-G][#b♯♭]?)(m)(?![A-Za-z0-9#])")
_MODE_ONLY_RE = re.compile(r"\b(major|minor)\s+(?:key|tonality|mode)\b|\bin\s+(?:a\s+)?(major|minor)\b", re.I)
_MODE_NAMES = {"maj": "major", "min": "minor", "m": "minor", "aeolian": "minor", "ionian": "major"}
_METER_RE = re.compile(r"\b(\d{1,2})\s*/\s*(\d{1,2})\b")
METER_WORDS = {"waltz": "3/4", "in three": "3/4", "three-four": "3/4", "three four": "3/4", "six-four": "6/4",
               "six-eight": "6/8", "six eight": "6/8", "twelve-eight": "12/8", "five-four": "5/4",
               "seven-eight": "7/8", "nine-eight": "9/8", "two-four": "2/4", "jig": "6/8", "polka": "2/4"}
"""Words that name a meter ("waltz" is a dance in 3/4)."""


def tempo_from_text(text: str, within: tuple[int, int] | None = None, genre_words: tuple[str, ...] = ()
                    ) -> float | None:
    """BPM as written ("128 bpm", "tempo 90"), else an Italian marking, else a tempo word (the first
    said). ``within``, the tempo range of a genre the text names, keeps a tempo word from pulling
    against its genre: a fast word is at least the range's top ("fast punk" is fast for punk, not
    Vivace's 150), a slow one at most its bottom, a moderate one inside it. ``genre_words``, the
    words that name that genre, set no tempo of their own ("jazz ballad" is a genre with its own
    range; "a rock ballad" is a slow rock song)."""
    for word in genre_words:
        text = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w])", " ", text, flags=re.I)
    m = _TEMPO_RE.search(text)
    if m and 40 <= int(m.group(1) or m.group(2)) <= 240:
        return float(m.group(1) or m.group(2))
    for table in (TEMPO_MARKINGS, TEMPO_WORDS):
        hits = _find(table, text)
        if hits:
            bpm = table[hits[0][2]]
            if within is None or table is TEMPO_MARKINGS:
                return float(bpm)
            middle = TEMPO_WORDS["moderate tempo"]
            return float(max(bpm, within[1]) if bpm > middle else min(bpm, within[0]) if bpm < middle
                         else min(max(bpm, within[0]), within[1]))
    return None


def _key_name(note: str, mode: str | None) -> str:
    note = re.sub(r"\s+", "", note)
    note = note[0] + note[1:].lower().replace("-", "").replace("sharp", "#").replace("flat", "b")
    note = note.replace("♯", "#").replace("♭", "b")
    mode = (mode or "major").lower()
    return f"{note} {_MODE_NAMES.get(mode, mode)}"


def key_from_text(text: str) -> str | None:
    """The key as musicians write it: "in the key of A major", "Set in G minor", "F#m", "in Bb",
    "key: E flat"; a bare tonic is major."""
    m = _KEY_OF_RE.search(text)
    if m:
        return _key_name(m.group(1).upper() if len(m.group(1)) == 1 else m.group(1)[0].upper() + m.group(1)[1:],
                         m.group(2) or m.group(3))
    m = _KEY_MODE_RE.search(text)
    if m:
        note, mode = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return _key_name(note[0].upper() + note[1:], mode)
    m = _KEY_IN_RE.search(text) or _KEY_MINOR_RE.search(text)
    return _key_name(m.group(1), m.group(2) or None) if m else None


def mode_from_text(text: str) -> str | None:
    """"major" or "minor" when the text asks for a mode without naming the tonic ("a minor key")."""
    m = _MODE_ONLY_RE.search(text)
    return (m.group(1) or m.group(2)).lower() if m else None


def meter_from_text(text: str) -> str | None:
    """A written meter ("6/8", "12/8") or a word that names one ("waltz" -> 3/4)."""
    for m in _METER_RE.finditer(text):
        if int(m.group(2)) in (2, 4, 8, 16) and 1 <= int(m.group(1)) <= 16:
            return f"{int(m.group(1))}/{int(m.group(2))}"
    hits = _find(METER_WORDS, text)
    return METER_WORDS[hits[0][2]] if hits else None


_PROGRESSION_RE = re.compile(r"\b(?:chords?|chord progression|progression|chord sequence|changes)\b\s*"
                             r"(?:is|are|of|:|like|goes|go|such as)?\s*(?:the\s+)?", re.I)
_ROMAN_SEQ_RE = re.compile(r"(?<![\w-])((?:[b#]?(?:VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(?:7|maj7|m7|o|dim)?)"
                           r"(?:\s*[-–—]\s*[b#]?(?:VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(?:7|maj7|m7|o|dim)?){2,})"
                           r"(?![\w-])")
_CHORD_TOKEN_RE = re.compile(r"[A-G][#b]?[a-z0-9+#]*(?:/[A-G][#b]?)?")
_JOINERS = re.compile(r"^(?:,|;|-|–|—|→|->|\||and|then|to|,?\s*and)$", re.I)


def chords_from_text(text: str) -> tuple[str, list[str]] | None:
    """A progression written in the text: ("symbols", ["A", "E7", "A7", "D"]) after "chords" /
    "progression", or ("numerals", ["I", "V", "vi", "IV"]) for "a I-V-vi-IV progression"."""
    from stori.theory import parse_chord

    for m in _PROGRESSION_RE.finditer(text):
        out: list[str] = []
        for tok in re.findall(r"[A-G][#b]?[a-z0-9+#]*(?:/[A-G][#b]?)?|->|[,;|→–—-]|\S+", text[m.end():]):
            if _JOINERS.match(tok):
                continue
            if not _CHORD_TOKEN_RE.fullmatch(tok):
                break
            try:
                parse_chord(tok)
            except Exception:  # noqa: BLE001 - a word that is not a chord ends the list
                break
            out.append(tok)
        if len(out) >= 2:
            return "symbols", out[:16]
    m = _ROMAN_SEQ_RE.search(text)
    if m:
        return "numerals", [n.strip() for n in re.split(r"[-–—]", m.group(1))][:16]
    return None


_LENGTH_RE = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:-\s*)?(minutes?|mins?|seconds?|secs?|bars?)\b(?!\s+blues)"
                        r"|\b(\d):([0-5]\d)\b", re.I)


_NO_SECTION_RE = re.compile(r"\b(?:no|without(?: an?| the)?|skip(?: the)?|drop(?: the)?|leave out the)\s+"
                            r"(intro|verses?|pre-?chorus|choruse?s?|bridge|middle eight|solo|breakdown|break|outro)\b",
                            re.I)
_SIZE_RE = re.compile(r"\b(long|longer|extended|short|shorter|brief|quick)\s+"
                      r"(intro|verses?|pre-?chorus|choruse?s?|bridge|solo|breakdown|break|outro|ending)\b", re.I)
SIZE_WORDS = {"long": 2.0, "longer": 2.0, "extended": 2.0, "short": 0.5, "shorter": 0.5, "brief": 0.5, "quick": 0.5}
"""Bars of a section times this factor ("a long intro" doubles it)."""


def form_from_text(text: str) -> tuple[set[str], dict[str, float]]:
    """Section types the text leaves out ("no bridge") and bar factors it asks for ("long intro")."""
    drops = {SECTION_WORDS[m.group(1).lower().replace("choruses", "chorus")] for m in _NO_SECTION_RE.finditer(text)
             if m.group(1).lower().replace("choruses", "chorus") in SECTION_WORDS}
    sizes = {SECTION_WORDS[m.group(2).lower().replace("choruses", "chorus")]: SIZE_WORDS[m.group(1).lower()]
             for m in _SIZE_RE.finditer(text) if m.group(2).lower().replace("choruses", "chorus") in SECTION_WORDS}
    return drops, sizes


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


# Drum kit phrases -> GS kit (stori.data.drum_kit.DRUM_KITS).
KIT_WORDS: dict[str, str] = {
    "808": "TR-808", "808s": "TR-808", "tr-808": "TR-808", "tr808": "TR-808", "brushes": "Brush", "brush": "Brush",
    "brushed drums": "Brush", "drum machine": "Electronic", "electronic drums": "Electronic", "jazz drums": "Jazz",
    "jazz kit": "Jazz", "room drums": "Room", "roomy drums": "Room", "power drums": "Power", "big drums": "Power",
    "orchestral percussion": "Orchestra", "timpani": "Orchestra",
}


def kit_from_text(text: str) -> tuple[str, str] | None:
    """(GS kit, the words that asked for it) for the first kit phrase in ``text``."""
    found = _find(KIT_WORDS, text)
    return (KIT_WORDS[found[0][2]], found[0][2]) if found else None


def playing_from_text(text: str) -> dict[str, tuple[str, str]]:
    """role -> (behaviour, the words that asked for it); a word that silences a part ("lullaby": no
    drum kit) gives way to one that asks it to play ("a lullaby with brushes")."""
    out: dict[str, tuple[str, str]] = {}
    for _, _, phrase in _find(PLAYING_WORDS, text):
        role, behaviour = PLAYING_WORDS[phrase]
        if role not in out or out[role][0] == "tacet":  # the first word that asks a part to play wins
            out[role] = (behaviour, phrase)
    return out


def clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r",|;|\.|\band\b|\bwith\b|\bthen\b|\bbut\b", text.lower()) if c.strip()]


def arcs_from_text(text: str) -> list[tuple[str, dict[str, float], str]]:
    """(section type, emotion delta, words) for each clause that says something about a section:
    arc words ("soars in the chorus", "sparse verse") and emotion words ("a sad verse") alike. A
    section said to be the final one ("a huge final chorus") is ``"last:chorus"``: only the last of
    its type."""
    out = []
    for clause in clauses(text):
        sections = [("last:" if re.search(rf"\b(?:final|last|closing)\s+{re.escape(p)}\b", clause) else "")
                    + SECTION_WORDS[p] for _, _, p in _find(SECTION_WORDS, clause)]
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
    """The build word when the text asks the whole song to grow: a clause that names no section,
    or one that builds toward a section ("builds to a huge final chorus")."""
    for clause in clauses(text):
        if _find(SECTION_WORDS, clause) and not re.search(r"\b(?:builds?|building|grows?|rises?|climbs?)\s+"
                                                           r"(?:up\s+)?(?:to|toward|towards|into)\b", clause):
            continue
        hit = _find(BUILD_WORDS, clause)
        if hit:
            return hit[0][2]
    return None


def song_emotion_text(text: str) -> str:
    """The text without the clauses that talk about one section (their emotion words are the arc's)."""
    return ", ".join(c for c in clauses(text) if not _find(SECTION_WORDS, c))
