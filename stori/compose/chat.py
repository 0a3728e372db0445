"""Chat commands -> :class:`RefinementCommand`: what to change (emotion delta, parts, tempo, key),
where (sections), or an action (regenerate, undo, redo, why, a drum style)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from stori.plan.words import SECTION_WORDS
from stori.spec.emotion import DELTAS
from stori.theory import normalize_key

# Ways of saying each named delta of the seed's table (matched as whole words, longest first).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "sadder": ("sadder", "more sad", "more melancholic", "more melancholy", "darker", "gloomier", "more somber",
               "bluer"),
    "more intense": ("more intense", "intense", "more intensity", "harder", "more powerful", "more energy",
                     "more energetic",
                     "bigger", "more epic", "heavier", "punchier"),
    "calmer": ("calmer", "calm", "more relaxed", "relax", "chill out", "more chill", "gentler", "more peaceful",
               "mellower"),
    "more intimate": ("more intimate", "intimate", "closer", "more personal", "more delicate", "warmer"),
    "more driving": ("more driving", "driving", "more drive", "more propulsive", "push harder", "more momentum",
                     "groovier"),
    "brighter": ("brighter", "happier", "more hopeful", "more cheerful", "lighter", "sunnier", "more uplifting",
                 "more joyful"),
    "more tension": ("more tension", "tenser", "more tense", "more suspense", "more suspenseful", "edgier",
                     "more anxious"),
    "resolve it": ("resolve it", "resolve", "resolved", "release the tension", "less tense", "more resolved",
                   "settle it"),
}
_INVERSE = {"less intense": "more intense", "less sad": "sadder", "less driving": "more driving",
            "less intimate": "more intimate",
            "less bright": "brighter", "less calm": "calmer", "less tension": "resolve it"}

# Part words -> the dimension they name.
PART_WORDS = {"melody": "melody", "lead": "melody", "tune": "melody", "vocal": "melody", "hook": "melody",
              "drums": "drums", "drum": "drums", "beat": "drums", "groove": "drums", "percussion": "drums",
              "bass": "bass", "bassline": "bass", "bass line": "bass",
              "chords": "harmony", "chord": "harmony", "harmony": "harmony", "guitar": "harmony", "piano": "harmony",
              "keys": "harmony", "pads": "harmony"}
# Part-aimed adjectives -> (emotion delta, behaviour for the part or None, extra meaning).
PART_CHANGES: dict[str, tuple[dict[str, float], str | None]] = {
    "soar": ({"energy": 0.15, "valence": 0.1}, "soaring"), "soars": ({"energy": 0.15, "valence": 0.1}, "soaring"),
    "higher": ({"energy": 0.1, "valence": 0.1}, "soaring"), "lower": ({"energy": -0.1, "intimacy": 0.15}, None),
    "busier": ({"motion": 0.25, "energy": 0.1}, None), "more active": ({"motion": 0.25, "energy": 0.1}, None),
    "sparser": ({"motion": -0.25, "energy": -0.1}, None), "less busy": ({"motion": -0.25, "energy": -0.1}, None),
    "simpler": ({"motion": -0.2, "tension": -0.2}, None), "richer": ({"tension": 0.2, "intimacy": 0.1}, None),
    "jazzier": ({"tension": 0.25, "intimacy": 0.1}, None), "louder": ({"energy": 0.2}, None),
    "quieter": ({"energy": -0.2, "intimacy": 0.1}, None), "softer": ({"energy": -0.2, "intimacy": 0.1}, None),
    "punchier": ({"energy": 0.15, "motion": 0.1}, "driving"), "steadier": ({"motion": -0.1}, "steady"),
    "arpeggiated": ({}, "arpeggiated"), "sustained": ({}, "sustained"), "walking": ({}, "walking"),
}
_SCALES = {"much": 1.5, "a lot": 1.5, "way": 1.5, "a bit": 0.5, "a little": 0.5, "slightly": 0.5, "a touch": 0.5}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1,
             "final": -1}


@dataclass
class RefinementCommand:
    """What a chat line asks for. ``sections`` are section *types or ids* as said (resolved against a
    spec by :func:`resolve_sections`); empty means the whole song."""
    text: str
    action: str = "adjust"  # adjust, regenerate, tempo, key, undo, redo, why, unknown
    sections: list[str] = field(default_factory=list)
    delta: dict[str, float] = field(default_factory=dict)
    named: list[str] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)  # roles: drums, bass, harmony, melody
    behaviours: dict[str, str] = field(default_factory=dict)
    simpler_chords: bool | None = None  # True: triads; False: richer (sevenths)
    tempo: float | None = None
    tempo_factor: float | None = None
    key: str | None = None
    transpose: int | None = None
    drum_style: str | None = None  # a drum style by name (built-in or learned): "drums in the style of anna"


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def sections_named(text: str) -> list[str]:
    """Section words in ``text`` ("the second chorus", "bridge"), as ``type`` or ``type#n``, each once, in
    the order said."""
    out = []
    words = sorted(SECTION_WORDS, key=len, reverse=True)
    pattern = (r"\b(?:(first|second|third|fourth|1st|2nd|3rd|4th|last|final)\s+)?("
               + "|".join(map(re.escape, words)) + r")(?:\s+(\d))?\b")
    for m in re.finditer(pattern, text):
        word = m.group(2)
        if word == "hook" and not re.search(r"\b(the|in|on)\s+(\w+\s+)?hook\b", text):
            continue
        if word in ("drop", "break") and re.search(rf"\b{word}\s+(the|it)\b", text):
            continue
        stype = SECTION_WORDS[word]
        if word == "pre chorus" or (word == "chorus" and text[max(0, m.start() - 4):m.start()].endswith("pre-")):
            continue
        n = _ORDINALS.get(m.group(1) or "", int(m.group(3)) if m.group(3) else 0)
        out.append(stype if not n else f"{stype}#{n}")
    return list(dict.fromkeys(out))


def drum_style_named(text: str) -> str | None:
    """The drum style after "in the style of" / "like" ("drums in the style of anna", "play the drums
    like J Dilla"): a style taught with learn-style or a built-in one; None when none is named."""
    from stori.perform.styles import get_style

    m = re.search(r"\b(?:in the style of|drums like|drum like|play(?:s|ed)? like|drummer like)\s+([\w' -]+)", text)
    if not m:
        return None
    words = m.group(1).split()
    for n in range(min(3, len(words)), 0, -1):
        try:
            return get_style(" ".join(words[:n])).name
        except ValueError:
            continue
    return None


def parse_command(text: str) -> RefinementCommand:
    low = " ".join(str(text).lower().replace("’", "'").split())
    cmd = RefinementCommand(text=text)
    if re.fullmatch(r"(undo|undo that|go back|revert( that)?|take that back)[.!]*", low):
        cmd.action = "undo"
        return cmd
    if re.fullmatch(r"(redo|redo that|put it back)[.!]*", low):
        cmd.action = "redo"
        return cmd
    cmd.sections = sections_named(low.replace("pre-chorus", "prechorus").replace("pre chorus", "prechorus"))
    if low.startswith(("why", "how come", "explain")) or low.endswith("?") and low.startswith(("why", "what", "how")):
        cmd.action = "why"
        return cmd
    if re.search(r"\b(regenerate|redo the|rewrite|reroll|try (the \w+ )?again|another take|new take|re-?do)\b", low):
        cmd.action = "regenerate"
    scale = next((v for k, v in _SCALES.items() if _has(low, k)), 1.0)

    m = re.search(r"(\d{2,3})\s*bpm|tempo (?:to |of |at )?(\d{2,3})", low)
    if m:
        cmd.action, cmd.tempo = "tempo", float(m.group(1) or m.group(2))
    elif re.search(r"\b(faster|speed (it )?up|quicker|up the tempo)\b", low):
        cmd.action, cmd.tempo_factor = "tempo", 1 + 0.1 * scale
    elif re.search(r"\b(slower|slow (it )?down|down the tempo)\b", low):
        cmd.action, cmd.tempo_factor = "tempo", 1 - 0.1 * scale
    m = re.search(r"\b(?:in|to|key "
                  r"of)\s+([a-g][#b]?)\s*(major|minor|dorian|mixolydian|lydian|phrygian)?\b(?!\s*(?:bpm|\d))", low)
    if m and (m.group(2) or re.search(r"\bkey\b", low)):
        cmd.action, cmd.key = "key", normalize_key(f"{m.group(1).upper()} {m.group(2) or 'major'}")
    m = re.search(r"\b(?:transpose|shift|move)\b.*?\b(up|down)\b(?:\s+(?:by\s+)?(\d+|a|one|two)\s*(semitones?|half[- "
                  r"]steps?|steps?|tones?|whole steps?))?", low)
    if m:
        n = {"a": 1, "one": 1, "two": 2}.get(m.group(2) or "", int(m.group(2)) if (m.group(2) or "").isdigit() else 2)
        unit = m.group(3) or "step"
        semis = n if unit.startswith(("semitone", "half")) else 2 * n
        cmd.action, cmd.transpose = "key", semis if m.group(1) == "up" else -semis

    style = drum_style_named(low)
    if style:
        cmd.action, cmd.drum_style, cmd.dimensions = "drum_style", style, ["drums"]
        return cmd

    for inv, name in _INVERSE.items():
        if _has(low, inv):
            for axis, d in DELTAS[name].items():
                cmd.delta[axis] = cmd.delta.get(axis, 0) - d * scale
            cmd.named.append(f"less {name.replace('more ', '')}")
            low = low.replace(inv, " ")
    taken: list[str] = []
    for name, phrases in SYNONYMS.items():
        for ph in sorted(phrases, key=len, reverse=True):
            if _has(low, ph) and not any(ph in t for t in taken):
                taken.append(ph)
                for axis, d in DELTAS[name].items():
                    cmd.delta[axis] = cmd.delta.get(axis, 0) + d * scale
                cmd.named.append(name)
                break

    dims = [PART_WORDS[w] for w in sorted(PART_WORDS, key=len, reverse=True)
            if _has(low, w) and not (w == "hook" and "hook" in str(cmd.sections))]
    cmd.dimensions = list(dict.fromkeys(dims))
    for word, (delta, behaviour) in sorted(PART_CHANGES.items(), key=lambda kv: -len(kv[0])):
        if not _has(low, word) or (word == "punchier" and "more intense" in cmd.named):
            continue
        for axis, d in delta.items():
            cmd.delta[axis] = cmd.delta.get(axis, 0) + d * scale
        if word in ("soar", "soars", "higher") and not cmd.dimensions:
            cmd.dimensions = ["melody"]
        if behaviour:
            for role in cmd.dimensions or (["melody"] if behaviour == "soaring" else []):
                if role in ("melody",) and behaviour in ("soaring",) or role != "melody" and behaviour != "soaring":
                    cmd.behaviours[role] = behaviour
        if word in ("simpler", "richer", "jazzier") and "harmony" in cmd.dimensions:
            cmd.simpler_chords = word == "simpler"
    cmd.delta = {a: round(v, 3) for a, v in cmd.delta.items() if abs(v) > 1e-9}
    if cmd.action == "adjust" and not (cmd.delta or cmd.behaviours or cmd.simpler_chords is not None):
        cmd.action = "regenerate" if cmd.dimensions and re.search(r"\b(change|different|new|vary)\b",
                                                                  low) else "unknown"
    return cmd


def resolve_sections(cmd: RefinementCommand, section_types: list[tuple[str, str]]) -> list[str]:
    """Section ids of the spec (``[(id, type), ...]``) that the command targets; all when it names none."""
    if not cmd.sections:
        return [sid for sid, _ in section_types]
    out = []
    for target in cmd.sections:
        stype, _, nth = target.partition("#")
        same = [sid for sid, t in section_types if t == stype]
        if not same:
            continue
        if nth:
            n = int(nth)
            pick = same[-1] if n == -1 else (same[n - 1] if n <= len(same) else None)
            out += [pick] if pick else []
        else:
            out += same
    return list(dict.fromkeys(out))
