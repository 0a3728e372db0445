"""Chat commands -> :class:`RefinementCommand`: what to change (emotion delta, parts, tempo, key),
where (sections), or an action (regenerate, undo, redo, why)."""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from stori.plan.instruments import find_instruments
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
    "simpler": ({"motion": -0.2, "tension": -0.2}, None), "richer": ({"tension": 0.2, "intimacy": 0.1}, None),
    "jazzier": ({"tension": 0.25, "intimacy": 0.1}, None),
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
    action: str = "adjust"  # one of ACTIONS
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
    reharmonise: bool = False  # a change of key that plans new chords instead of moving the notes
    part_words: list[str] = field(default_factory=list)  # parts as said ("piano", "bass"): resolved on a song
    level: float | None = None  # velocity factor (louder > 1, softer < 1)
    density: int = 0  # +1 more notes, -1 fewer
    feel: str | None = None  # a drum feel of reshape.FEELS
    program: int | None = None  # the GM program asked for (swap, add a part)
    reverb: int = 0  # change of the reverb send
    form: str | None = None  # add, remove, resize (a section)
    new_type: str | None = None  # the type of an added section
    place: tuple[str, str] | None = None  # ("after" | "before", section as said) for an added section
    bars: int | None = None  # an added or resized section's bars
    bars_factor: float | None = None  # a resized section's bars times this


ACTIONS = ("adjust", "regenerate", "tempo", "key", "level", "density", "feel", "swap", "drop", "add_part", "mix",
           "form", "undo", "redo", "why", "unknown")


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def sections_named(text: str) -> list[str]:
    """Section words in ``text`` ("the second chorus", "bridge"), as ``type`` or ``type#n``, each once, in
    the order said."""
    out = []
    words = sorted(SECTION_WORDS, key=len, reverse=True)
    pattern = (r"\b(?:(first|second|third|fourth|1st|2nd|3rd|4th|last|final)\s+)?("
               + "|".join(map(re.escape, words)) + r")(?:\s+(\d)(?![\d-]|\s+bars?\b))?\b")
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

_SECTION_ALT = "|".join(map(re.escape, sorted(SECTION_WORDS, key=len, reverse=True)))
_ORDINAL_ALT = r"(?:first|second|third|fourth|1st|2nd|3rd|4th|last|final)\s+"
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "eight": 8, "twelve": 12, "sixteen": 16}
_NUM = r"(\d{1,2}|one|two|three|four|six|eight|twelve|sixteen)"
_ADD_SECTION = re.compile(rf"\b(?:add|insert|put in|throw in|tack on|append)\s+(?:a|an|another|one more)?\s*"
                          rf"(?:{_NUM}[- ]bars?\s+)?(?:([\w-]+)\s+)?({_SECTION_ALT})\b(.*)$")
_REMOVE_SECTION = re.compile(rf"\b(?:cut|remove|delete|drop|lose|skip|get rid of|take out|kill|scrap|ditch)\s+"
                             rf"(?:the\s+)?(?:{_ORDINAL_ALT})?(?:{_SECTION_ALT})(?:\s+\d)?\b(?!\s+(?:drums|bass))")
_RESIZE = re.compile(rf"\b(?:longer|shorter|extend|lengthen|shorten|stretch|trim|double the length|twice as long|"
                     rf"half as long|halve)\b|\b{_NUM}[- ](?:more\s+)?bars?\b")
_FEELS = (("four_on_the_floor", r"\b(?:four|4)[- ]on[- ]the[- ]floor\b|\bkick on every beat\b|\bdisco (?:beat|kick)\b"),
          ("half_time", r"\bhalf[- ]?time\b"), ("double_time", r"\bdouble[- ]?time\b"))
_LEVEL = ((1.2, r"\b(?:louder|turn (?:it |the \w+ )?up|bring (?:it |the \w+ )?up|more volume|volume up|up the volume|"
                r"boost(?: the \w+)?|crank(?: it| the \w+)? up|pump (?:it |the \w+ )?up|more forte)\b"),
          (0.8, r"\b(?:quieter|softer|turn (?:it |the \w+ )?down|bring (?:it |the \w+ )?down|less volume|"
                r"volume down|lower the volume|pull (?:it |the \w+ )?back|back off|tone (?:it |the \w+ )?down|"
                r"lower the \w+ volume|less loud|not so loud|too loud)\b"))
_DENSITY = ((-1, r"\b(?:sparser|more sparse|sparse|less busy|fewer|less notes|thinner|thin (?:it |the \w+ )?out|"
                 r"strip (?:it |the \w+ )?(?:back|down)|stripped[- ](?:back|down)|less cluttered|less going on|"
                 r"declutter|simpler|simplify|less complex|more minimal|minimal|not so busy|too busy|lay off|"
                 r"less (?:of (?:the )?)?(?:drums?|bass|piano|guitar|keys|melody|percussion|hats|hi-hats))\b"),
            (1, r"\b(?:busier|more busy|denser|more notes|more active|more complex|more going on|"
                r"fill (?:it |the \w+ )?(?:out|up)|fuller|more hits|more fills|thicker|livelier|"
                r"more (?:drums|bass|piano|guitar|keys|percussion|hats|hi-hats))\b"))
_REVERB = ((30, r"\b(?:more reverb|wetter|more (?:room|ambience|echo)|drench(?:ed)? in reverb|add reverb|"
                r"reverb up|bigger room|more hall)\b"),
           (-30, r"\b(?:less reverb|drier|dry (?:it|the \w+) (?:up|out)|less (?:room|ambience|echo)|reverb down|"
                 r"no reverb|smaller room)\b"))
_DROP_VERB = (r"(?:drop|remove|mute|cut|lose|kill|silence|take out|leave out|get rid of|no|without|strip out|"
              r"pull out|ditch)")
_ADD_VERB = r"(?:add|bring in|layer(?: in)?|include|put in|throw in|introduce)"


def _part_at(text: str) -> tuple[str, int | None] | None:
    """The part named at the start of ``text``: (word, its GM program, -1 for drums, None for a role word
    such as "melody")."""
    text = re.sub(r"^(?:the|a|an|some|all the|any|more|my)\s+", "", text.strip())
    found = find_instruments(text)
    said = found[0] if found and found[0][0] == 0 else None
    for w in sorted(PART_WORDS, key=len, reverse=True):
        if re.match(rf"{re.escape(w)}s?\b", text) and not (said and said[1] > len(w)):
            return w, said[3] if said else None
    return (said[2], said[3]) if said else None


def _number(word: str) -> int:
    return _NUMBERS.get(word, int(word) if word.isdigit() else 0)


def _form(low: str, cmd: RefinementCommand) -> bool:
    """Adding, cutting or resizing a section."""
    m = _ADD_SECTION.search(low)
    if m and not (m.group(2) or "").isdigit():
        cmd.action, cmd.form, cmd.new_type = "form", "add", SECTION_WORDS[m.group(3)]
        cmd.bars = _number(m.group(1)) if m.group(1) else None
        cmd.part_words = [m.group(2)] if m.group(2) and _part_at(m.group(2)) else []
        place = re.search(r"\b(before|after)\s+(.+)$", m.group(4))
        anchor = sections_named(place.group(2)) if place else []
        if anchor:
            cmd.place = (place.group(1), anchor[0])
        elif re.search(r"\b(?:at the (?:start|beginning)|first)\b", m.group(4)):
            cmd.place = ("before", "*first")
        elif re.search(r"\b(?:at|to) the end\b", m.group(4)):
            cmd.place = ("after", "*last")
        cmd.sections = [cmd.place[1]] if cmd.place and not cmd.place[1].startswith("*") else []
        return True
    if _REMOVE_SECTION.search(low) and cmd.sections:
        cmd.action, cmd.form = "form", "remove"
        return True
    m = _RESIZE.search(low)
    if m and cmd.sections and not re.search(r"\b(?:notes?|chords?|fills?)\b", low):
        cmd.action, cmd.form = "form", "resize"
        shorter = re.search(r"\b(?:shorter|shorten|trim|half as long|halve)\b", low) is not None
        n = re.search(rf"\b{_NUM}[- ](?:more\s+)?bars?\b", low)
        if n and re.search(r"\bby\s+\S+\s+(?:more\s+)?bars?\b|\bbars? (?:longer|shorter)\b|\bmore bars?\b", low):
            cmd.form, cmd.bars = "extend", -_number(n.group(1)) if shorter else _number(n.group(1))
        elif n:
            cmd.bars = _number(n.group(1))
        else:
            cmd.bars_factor = 0.5 if shorter else 2.0
        return True
    return False


def _parts(low: str, cmd: RefinementCommand) -> bool:
    """Swapping an instrument, leaving a part out, adding one."""
    for pattern, old_first in ((r"\buse (?:a |an |some )?(.+?) instead of (.+)$", False),
                               (r"\b(?:swap|switch|trade|exchange) (?:out )?(.+?) (?:for|with|to) (.+)$", True),
                               (r"\breplace (.+?) with (.+)$", True),
                               (r"\b(?:change|turn) (.+?) (?:in)?to (.+)$", True),
                               (r"\bplay (.+?) on (.+)$", True),
                               (r"\bmake (.+?) (?:a|an) (.+)$", True),
                               (r"^(?:try |have )?(?:a |an |some )?(.+?) instead of (.+)$", False)):
        m = re.search(pattern, low)
        if not m:
            continue
        old, new = (m.group(1), m.group(2)) if old_first else (m.group(2), m.group(1))
        was, now = _part_at(old), _part_at(re.sub(r"^(?:a|an|some|the)\s+", "", new))
        if was and now and now[1] is not None and now[1] >= 0:
            cmd.action, cmd.part_words, cmd.program = "swap", [was[0]], now[1]
            return True
    m = re.search(rf"\b{_DROP_VERB}\s+(.+)$", low) or re.search(r"\b(?:take|leave|keep|pull) (.+?) out\b", low)
    said = _part_at(m.group(1)) if m else None
    if not said:
        m = re.search(r"(?:^|\bthe )(.+?)\s+(?:out|tacet|drops? out|sits? out|should rest|rests?)\b", low)
        said = _part_at(m.group(1)) if m else None
    if said:
        cmd.action, cmd.part_words = "drop", [said[0]]
        return True
    m = re.search(rf"\b{_ADD_VERB}\s+(.+)$", low)
    said = _part_at(m.group(1)) if m else None
    if said:
        cmd.action, cmd.part_words, cmd.program = "add_part", [said[0]], said[1]
        return True
    return False


def _arrangement(low: str, cmd: RefinementCommand, scale: float) -> bool:
    """Commands about how the music is played and laid out (not how it feels): the form, the parts, the
    drum feel, dynamics, density and reverb. True when ``low`` is one."""
    if _form(low, cmd) or _parts(low, cmd):
        return True
    for feel, pattern in _FEELS:
        if re.search(pattern, low):
            cmd.action, cmd.feel = "feel", feel
            return True
    for factor, pattern in _LEVEL:
        if re.search(pattern, low):
            cmd.action, cmd.level = "level", round(1 + (factor - 1) * scale, 3)
            break
    else:
        for step, pattern in _DENSITY:
            if re.search(pattern, low) and not (step < 0 and re.search(r"\b(?:chords?|harmony)\b", low)):
                cmd.action, cmd.density = "density", step
                break
        else:
            for change, pattern in _REVERB:
                if re.search(pattern, low):
                    cmd.action, cmd.reverb = "mix", round(change * scale)
                    break
            else:
                return False
    cmd.part_words = _words_of_parts(low)
    return True


def _words_of_parts(low: str) -> list[str]:
    """Part and instrument words in ``low``, in the order said."""
    found = [(a, w) for a, _, w, _ in find_instruments(low)]
    found += [(m.start(), w) for w in PART_WORDS for m in re.finditer(rf"(?<![\w-]){re.escape(w)}s?(?![\w-])", low)
              if not any(a <= m.start() < a + len(x) for a, x in found)]
    return list(dict.fromkeys(w for _, w in sorted(found)))



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
    scale = next((v for k, v in _SCALES.items() if _has(low, k)), 1.0)
    if not re.search(r"\b(?:tempo|bpm|key|transpose)\b", low) and _arrangement(low, cmd, scale):
        return cmd
    if re.search(r"\b(regenerate|redo the|rewrite|reroll|try (the \w+ )?again|another take|new take|re-?do)\b", low):
        cmd.action = "regenerate"

    m = re.search(r"(\d{2,3})\s*bpm|tempo (?:to |of |at )?(\d{2,3})", low)
    if m:
        cmd.action, cmd.tempo = "tempo", float(m.group(1) or m.group(2))
    elif re.search(r"\b(?:double the (?:tempo|speed)|twice as fast|double speed)\b", low):
        cmd.action, cmd.tempo_factor = "tempo", 2.0
    elif re.search(r"\b(?:halve the (?:tempo|speed)|half the (?:tempo|speed)|half speed|half as fast)\b", low):
        cmd.action, cmd.tempo_factor = "tempo", 0.5
    elif re.search(r"\b(faster|speed (it )?up|quicker|up the tempo|more tempo|pick up the (?:tempo|pace))\b", low):
        cmd.action, cmd.tempo_factor = "tempo", 1 + 0.1 * scale
    elif re.search(r"\b(slower|slow (it )?down|down the tempo|lower the tempo|less tempo|ease off the tempo)\b", low):
        cmd.action, cmd.tempo_factor = "tempo", 1 - 0.1 * scale
    m = re.search(r"\b(?:in|to|into|key of|key|make it)\s+([a-g](?:#|b|-?sharp|-?flat| sharp| flat)?)\s*"
                  r"(m\b|major|minor|dorian|mixolydian|lydian|phrygian)?(?![\w#])(?!\s*(?:bpm|\d))", low)
    if m and (m.group(2) or re.search(r"\b(?:key|modulate|reharmoni[sz]e)\b", low)):
        note = m.group(1).replace("-", "").replace(" ", "").replace("sharp", "#").replace("flat", "b")
        mode = {"m": "minor", None: None}.get(m.group(2), m.group(2))
        cmd.action = "key"
        cmd.key = normalize_key(f"{note[0].upper()}{note[1:]} {mode or 'major'}") if mode else note
        cmd.reharmonise = re.search(r"\b(?:re-?harmoni[sz]e|new chords|new harmony|re-?plan the chords)\b",
                                    low) is not None
    unit = r"(semitones?|half[- ]?steps?|steps?|tones?|whole[- ]?steps?|fourth|fifth|octave)"
    m = (re.search(r"\b(?:transpose|shift|move|take|bring|put|pitch|key)\b.*?\b(up|down)\b(?:\s+(?:by\s+)?"
                   rf"(\d+|an|a|one|two|three)\b\s*{unit}?)?", low)
         or re.search(rf"\b(raise|lower)\b.*?\b(?:by\s+)?(\d+|an|a|one|two|three)\b\s*{unit}\b", low))
    if m:
        n = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}.get(m.group(2) or "", int(m.group(2)) if (m.group(2) or
                                                                                                  "").isdigit() else 0)
        unit = m.group(3) or ("semitone" if n else "step")
        n = n or 1
        semis = {"fourth": 5, "fifth": 7, "octave": 12}.get(unit, n if unit.startswith(("semitone", "half")) else 2 * n)
        cmd.action, cmd.transpose = "key", semis if m.group(1) in ("up", "raise") else -semis

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


@cache
def phrasings() -> tuple[str, ...]:
    """What musicians say that the chat understands (``chat_phrasings.json``; its test checks each one)."""
    rows = json.loads((Path(__file__).with_name("chat_phrasings.json")).read_text())["rows"]
    return tuple(r["say"] for r in rows)


_FILLER = {"the", "a", "an", "in", "to", "of", "it", "is", "and", "can", "please", "pls", "make", "some", "on", "be",
           "i", "you", "me", "my", "this", "that", "could", "would", "should", "like", "feel"}


def closest_commands(text: str, n: int = 3) -> list[str]:
    """The ``n`` known phrasings nearest to ``text``: the words they share (misspellings count), then
    spelling overall (difflib)."""
    low = " ".join(str(text).lower().split())
    words = set(re.findall(r"[a-z0-9#]+", low)) - _FILLER

    def score(say: str) -> float:
        theirs = set(re.findall(r"[a-z0-9#]+", say)) - _FILLER
        shared = sum(any(difflib.SequenceMatcher(None, w, x).ratio() >= 0.8 for x in theirs) for w in words)
        return shared / max(1, len(words | theirs)) + 0.3 * difflib.SequenceMatcher(None, low, say).ratio()

    return sorted(phrasings(), key=lambda say: (-score(say), say))[:n]
