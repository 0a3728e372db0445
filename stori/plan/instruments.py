"""Instrument words -> General MIDI programs and the band's roles, and the parts a prompt leaves out.

All 128 GM melodic programs are here under their GM names (lower case, without the "1"/"2" variants'
digits) and the words musicians use for it ("rhodes", "808", "pad", "brass", "pedal steel", ...).
Each instrument lists the roles it can take, most natural first; instruments are placed in the
order they are named, each in its first free role (a fifth, counter-melody track opens when the
four usual roles are taken). Parts can be left out ("no drums", "without bass"), or the whole
band can be a few named instruments ("solo piano", "just piano and voice", "a cappella") or a named
ensemble ("string quartet": two violins, viola and cello, each in its role).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

H, M, C, B, D, P, A = "harmony", "melody", "counter_melody", "bass", "drums", "pad", "arpeggio"
_KEYS, _LEAD, _STRINGS, _WIND = (H, M, C), (M, C), (H, C), (M, C)

# program -> (track name, roles, extra words); the GM name (lower case) is always a word too.
GM: dict[int, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    0: ("Acoustic Grand Piano", _KEYS, ("piano", "grand piano", "acoustic piano", "keyboard")),
    1: ("Bright Acoustic Piano", _KEYS, ("bright piano", "upright piano")),
    2: ("Electric Grand Piano", _KEYS, ("electric grand", "cp-70")),
    3: ("Honky-tonk Piano", _KEYS, ("honky tonk piano", "saloon piano", "barrelhouse piano")),
    4: ("Electric Piano", _KEYS, ("electric piano 1", "rhodes", "fender rhodes", "e-piano", "ep", "keys",
                                  "wurlitzer", "wurli")),
    5: ("Electric Piano 2", _KEYS, ("fm piano", "dx7 piano", "dx piano")),
    6: ("Harpsichord", _KEYS, ("cembalo",)),
    7: ("Clavinet", _KEYS, ("clav", "clavi")),
    8: ("Celesta", _LEAD, ("celeste",)),
    9: ("Glockenspiel", _LEAD, ("glock",)),
    10: ("Music Box", _LEAD, ()),
    11: ("Vibraphone", _LEAD, ("vibes",)),
    12: ("Marimba", _LEAD, ()),
    13: ("Xylophone", _LEAD, ()),
    14: ("Tubular Bells", _LEAD, ("bells", "chimes", "church bells")),
    15: ("Dulcimer", _LEAD, ("hammered dulcimer", "santur")),
    16: ("Drawbar Organ", (H, M), ("organ", "hammond", "hammond organ", "b3", "b-3")),
    17: ("Percussive Organ", (H, M), ()),
    18: ("Rock Organ", (H, M), ()),
    19: ("Church Organ", (H, M), ("pipe organ", "cathedral organ")),
    20: ("Reed Organ", (H, M), ("harmonium",)),
    21: ("Accordion", (H, M), ("accordeon",)),
    22: ("Harmonica", _LEAD, ("blues harp", "mouth organ")),
    23: ("Tango Accordion", (H, M), ("bandoneon",)),
    24: ("Nylon Guitar", (H, C, M), ("acoustic guitar (nylon)", "nylon guitar", "nylon-string guitar",
                                     "classical guitar", "spanish guitar", "ukulele", "uke")),
    25: ("Acoustic Guitar", (H, C, M), ("acoustic guitar (steel)", "steel-string guitar", "steel guitar",
                                        "folk guitar", "guitar", "mandolin", "12-string guitar", "fingerpicked guitar",
                                        "strummed guitar")),
    26: ("Jazz Guitar", (H, C, M), ("electric guitar (jazz)", "hollow-body guitar", "pedal steel",
                                    "pedal steel guitar", "lap steel", "hawaiian guitar")),
    27: ("Clean Guitar", (H, C, M), ("electric guitar (clean)", "clean electric guitar", "electric guitar",
                                     "funk guitar")),
    28: ("Muted Guitar", (H, C, M), ("electric guitar (muted)", "palm-muted guitar")),
    29: ("Overdriven Guitar", (H, C, M), ("overdrive guitar", "crunchy guitar", "crunch guitar", "rock guitar")),
    30: ("Distortion Guitar", (H, C, M), ("distorted guitar", "distorted guitars", "heavy guitar", "metal guitar",
                                          "power chords")),
    31: ("Guitar Harmonics", (C, M), ()),
    32: ("Acoustic Bass", (B,), ("upright bass", "double bass", "acoustic bass", "jazz bass", "standup bass",
                                 "warm bass")),
    33: ("Electric Bass", (B,), ("electric bass (finger)", "bass", "bass guitar", "fingered bass", "electric bass",
                                 "bassline")),
    34: ("Picked Bass", (B,), ("electric bass (pick)", "pick bass")),
    35: ("Fretless Bass", (B,), ("fretless",)),
    36: ("Slap Bass", (B,), ("slap bass 1", "slap")),
    37: ("Slap Bass 2", (B,), ()),
    38: ("Synth Bass", (B,), ("synth bass 1", "808", "808 bass", "sub bass", "sub-bass", "reese bass",
                              "moog bass")),
    39: ("Synth Bass 2", (B,), ("acid bass", "303", "tb-303")),
    40: ("Violin", _LEAD, ("violins",)),
    41: ("Viola", (C, M, H), ("violas",)),
    42: ("Cello", (C, B, M), ("cellos", "violoncello")),
    43: ("Contrabass", (B,), ("contrabasses", "orchestral bass")),
    44: ("Tremolo Strings", _STRINGS, ("tremolo",)),
    45: ("Pizzicato Strings", _STRINGS, ("pizzicato", "pizz")),
    46: ("Orchestral Harp", (H, C, M), ("harp",)),
    47: ("Timpani", (B, C), ("kettle drums", "kettledrums")),
    48: ("String Ensemble", _STRINGS, ("string ensemble 1", "strings", "string section", "string orchestra",
                                      "orchestra", "orchestral strings", "string quartet", "big strings",
                                      "lush strings")),
    49: ("Slow Strings", _STRINGS, ("string ensemble 2", "strings pad", "string pad", "slow strings")),
    50: ("Synth Strings", _STRINGS, ("synth strings 1", "synthstrings")),
    51: ("Synth Strings 2", _STRINGS, ()),
    52: ("Choir Aahs", (H, M), ("choir", "chorus voices", "choral", "voices", "vocal harmonies", "backing vocals",
                               "gospel choir")),
    53: ("Voice Oohs", (M, H), ("voice", "vocal", "vocals", "singer", "singing", "humming", "oohs")),
    54: ("Synth Voice", (M, H), ("vocal lead", "synth choir", "vocoder")),
    55: ("Orchestra Hit", (H,), ("orch hit", "orchestral hit")),
    56: ("Trumpet", _LEAD, ("trumpets",)),
    57: ("Trombone", (C, M, B), ("trombones", "bone")),
    58: ("Tuba", (B,), ("sousaphone",)),
    59: ("Muted Trumpet", _LEAD, ("harmon mute trumpet",)),
    60: ("French Horn", (C, M, H), ("horn", "french horns")),
    61: ("Brass Section", (H, C), ("brass", "horns", "horn section", "brass band", "big brass")),
    62: ("Synth Brass", (H, C), ("synth brass 1", "synth horns")),
    63: ("Synth Brass 2", (H, C), ()),
    64: ("Soprano Sax", _WIND, ("soprano saxophone",)),
    65: ("Alto Sax", _WIND, ("alto saxophone", "sax", "saxophone", "saxophones")),
    66: ("Tenor Sax", _WIND, ("tenor saxophone",)),
    67: ("Baritone Sax", (C, M, B), ("baritone saxophone", "bari sax")),
    68: ("Oboe", _WIND, ()),
    69: ("English Horn", _WIND, ("cor anglais",)),
    70: ("Bassoon", (C, B, M), ()),
    71: ("Clarinet", _WIND, ("clarinets",)),
    72: ("Piccolo", _WIND, ()),
    73: ("Flute", _WIND, ("flutes",)),
    74: ("Recorder", _WIND, ()),
    75: ("Pan Flute", _WIND, ("panpipes", "pan pipes", "pan-flute")),
    76: ("Blown Bottle", _WIND, ("bottle",)),
    77: ("Shakuhachi", _WIND, ()),
    78: ("Whistle", _WIND, ("tin whistle", "penny whistle")),
    79: ("Ocarina", _WIND, ()),
    80: ("Square Lead", _LEAD, ("lead 1 (square)", "square wave", "chiptune", "8-bit")),
    81: ("Saw Lead", _LEAD, ("lead 2 (sawtooth)", "synth", "synths", "synth lead", "lead synth", "sawtooth")),
    82: ("Calliope Lead", _LEAD, ("calliope",)),
    83: ("Chiff Lead", _LEAD, ()),
    84: ("Charang Lead", _LEAD, ("charang",)),
    85: ("Voice Lead", _LEAD, ()),
    86: ("Fifths Lead", _LEAD, ()),
    87: ("Bass and Lead", _LEAD, ()),
    88: ("New Age Pad", (H, P, C), ("pad 1 (new age)", "new age pad")),
    89: ("Warm Pad", (H, P, C), ("pad 2 (warm)", "pad", "pads", "synth pad", "synth pads", "warm pad", "dark pad")),
    90: ("Polysynth Pad", (H, P, C), ("polysynth", "poly synth")),
    91: ("Choir Pad", (H, P, C), ()),
    92: ("Bowed Pad", (H, P, C), ()),
    93: ("Metallic Pad", (H, P, C), ()),
    94: ("Halo Pad", (H, P, C), ()),
    95: ("Sweep Pad", (H, P, C), ()),
    96: ("Rain FX", (H, C), ()),
    97: ("Soundtrack FX", (H, C), ()),
    98: ("Crystal FX", (M, C), ()),
    99: ("Atmosphere FX", (H, C), ("atmosphere",)),
    100: ("Brightness FX", (H, C), ()),
    101: ("Goblins FX", (H, C), ()),
    102: ("Echoes FX", (M, C), ()),
    103: ("Sci-fi FX", (M, C), ()),
    104: ("Sitar", _LEAD, ()),
    105: ("Banjo", (H, C, M), ("banjos",)),
    106: ("Shamisen", _LEAD, ()),
    107: ("Koto", (H, M, C), ()),
    108: ("Kalimba", _LEAD, ("mbira", "thumb piano")),
    109: ("Bagpipe", _LEAD, ("bagpipes",)),
    110: ("Fiddle", _LEAD, ("fiddles",)),
    111: ("Shanai", _LEAD, ("shehnai",)),
    112: ("Tinkle Bell", _LEAD, ()),
    113: ("Agogo", _LEAD, ("agogo bells",)),
    114: ("Steel Drums", _LEAD, ("steel drum", "steel pan", "steelpan")),
    115: ("Woodblock", _LEAD, ("wood block",)),
    116: ("Taiko Drum", (C, M), ("taiko", "taiko drums")),
    117: ("Melodic Tom", (C, M), ("melodic toms",)),
    118: ("Synth Drum", (C, M), ("synth drums", "syndrum")),
    119: ("Reverse Cymbal", (C, M), ("reversed cymbal",)),
    120: ("Guitar Fret Noise", (C, M), ("fret noise",)),
    121: ("Breath Noise", (C, M), ()),
    122: ("Seashore", (C, H), ("ocean waves", "waves")),
    123: ("Bird Tweet", (C, M), ("birdsong", "birds")),
    124: ("Telephone Ring", (C, M), ()),
    125: ("Helicopter", (C, H), ()),
    126: ("Applause", (C, H), ()),
    127: ("Gunshot", (C, M), ()),
}
DRUM_WORDS = ("drums", "drum", "drum kit", "drum machine", "percussion", "beat", "beats", "808 drums", "tr-808",
              "909", "tr-909", "breakbeat", "congas", "bongos", "hand percussion", "drummer")
PART_WORDS = {"drums": D, "drum": D, "percussion": D, "beat": D, "beats": D, "drummer": D, "kit": D,
              "bass": B, "bassline": B, "bass line": B, "low end": B,
              "chords": H, "harmony": H, "accompaniment": H, "comping": H,
              "melody": M, "lead": M, "tune": M, "counter-melody": C, "countermelody": C, "counter melody": C}
"""Words for a part itself (not its instrument): what "no ..." and "without ..." silence."""
ENSEMBLES = {
    "string quartet": {M: ("Violin I", 40), C: ("Violin II", 40), H: ("Viola", 41), B: ("Cello", 42)},
    "string trio": {M: ("Violin", 40), H: ("Viola", 41), B: ("Cello", 42)},
    "piano trio": {M: ("Violin", 40), H: ("Piano", 0), B: ("Cello", 42)},
    "jazz trio": {D: ("Drums", -1), B: ("Upright Bass", 32), H: ("Piano", 0), M: ("Piano", 0)},
    "power trio": {D: ("Drums", -1), B: ("Electric Bass", 33), H: ("Overdriven Guitar", 29),
                   M: ("Overdriven Guitar", 29)},
    "brass quintet": {M: ("Trumpet I", 56), C: ("Trumpet II", 56), H: ("French Horn", 60), B: ("Tuba", 58)},
    "wind quintet": {M: ("Flute", 73), C: ("Oboe", 68), H: ("Clarinet", 71), B: ("Bassoon", 70)},
}
"""Named ensembles: the whole band, role by role (the two violins of a quartet as melody and
counter-melody, the viola as the inner harmony, the cello as the bass); every other part is silent."""
_ENSEMBLE_RE = re.compile(r"(?<![\w-])(" + "|".join(ENSEMBLES) + r")s?(?![\w-])", re.I)
ALTERNATES = {H: (25, 0, 48, 89), M: (73, 40, 81, 56), B: (33, 38, 32), C: (48, 71, 40)}
"""Programs a role falls back to, in order, when its instrument is refused ("no piano")."""
ORDER = (D, B, H, M, C, P, A)

WORDS: dict[str, int] = {}
for _program, (_name, _roles, _more) in GM.items():
    for _word in (_name.lower(), *_more):
        WORDS.setdefault(_word, _program)
for _word in DRUM_WORDS:
    WORDS[_word] = -1  # the drum kit (channel 10)


def family(program: int) -> str:
    """The GM family of a program (-1 is the drum kit): what instrument precision and recall count."""
    if program < 0:
        return "drums"
    return ("piano", "chromatic percussion", "organ", "guitar", "bass", "strings", "ensemble", "brass", "reed",
            "pipe", "synth lead", "synth pad", "synth effects", "ethnic", "percussive", "sound effects")[program // 8]


def roles_of(program: int) -> tuple[str, ...]:
    return (D,) if program < 0 else GM[program][1]


def name_of(program: int) -> str:
    return "Drums" if program < 0 else GM[program][0]


def _pattern(word: str) -> str:
    return r"(?<![\w-])" + re.escape(word).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?") + r"s?(?![\w-])"


def find_instruments(text: str) -> list[tuple[int, int, str, int]]:
    """(start, end, word, program) of each instrument word in ``text``, longest words first, no overlaps."""
    low, out = text.lower(), []
    for word in sorted(WORDS, key=len, reverse=True):
        for m in re.finditer(_pattern(word), low):
            if not any(a < m.end() and m.start() < b for a, b, _, _ in out):
                out.append((m.start(), m.end(), word, WORDS[word]))
    return sorted(out)


_NEG = r"(?:no|without(?:\s+(?:any|a|an|the))?|minus(?:\s+the)?|leave\s+out\s+the|drop\s+the|lose\s+the|skip\s+the)"
_NEG_RE = re.compile(rf"\b{_NEG}\s+((?:[\w#-]+\s+){{0,2}}?[\w#-]+)\b", re.I)
_LESS_RE = re.compile(r"\b(drum|beat|bass|percussion)(?:-?less|-free)\b", re.I)
_SOLO_RE = re.compile(r"\b(?:solo|unaccompanied|lone)\s+([a-z][\w -]{1,30})", re.I)
_ONLY_RE = re.compile(r"\b(?:only|just|nothing but|purely)\b", re.I)
_CAPPELLA_RE = re.compile(r"\ba[\s-]?cap+ell+a\b|\bvoices only\b|\bvocals only\b", re.I)
_ALONE_RE = re.compile(r"\b([a-z][\w -]{1,30}?)\s+(?:alone|only)\b", re.I)


@dataclass
class Band:
    """What the prompt says of the band: role -> (track name, program, the words) for named
    instruments, role -> the words for silenced parts, and refused GM families."""
    named: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    silent: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # GM family -> the words
    unplaced: list[str] = field(default_factory=list)  # instruments with no free role


def _negated(text: str) -> tuple[dict[str, str], dict[str, str], list[tuple[int, int]]]:
    """Parts (role -> words) and instrument families (family -> words) the text says "no" to, and
    the spans of those words (so they are not also read as instruments asked for)."""
    roles, families, spans = {}, {}, []
    for m in _NEG_RE.finditer(text):
        said = re.sub(r"^(?:real|live|loud|heavy)\s+", "", m.group(1).lower())
        part = next((w for w in sorted(PART_WORDS, key=len, reverse=True) if re.match(rf"{w}\b", said)), None)
        inst = find_instruments(said)
        if part:
            roles[PART_WORDS[part]] = m.group(0)
        elif inst and inst[0][0] == 0:
            families[family(inst[0][3])] = m.group(0)
        else:
            continue
        spans.append((m.start(1), m.end(1)))
    for m in _LESS_RE.finditer(text):
        roles[PART_WORDS[m.group(1).lower()]] = m.group(0)
        spans.append((m.start(), m.end()))
    return roles, families, spans


_ARP_RE = re.compile(r"\b(?:arp|arpeggio|arpeggiator|arpeggiated)s?\b", re.I)
ARP_PROGRAM = 81
"""The arpeggio part's instrument when the words name none ("an arp"): a saw synth."""


def _arpeggio(text: str, asked: list) -> tuple[tuple[str, int, str] | None, list]:
    """The arpeggio part the text asks for ("a synth arpeggio", "arpeggiated harp", "an arp") as
    (track name, program, words), and the instruments asked for with the one it plays taken out."""
    m = _ARP_RE.search(text)
    if not m:
        return None, asked
    near = [x for x in asked if x[3] >= 0 and (0 <= m.start() - x[1] <= 2 or 0 <= x[0] - m.end() <= 2)]
    if not near:
        return ("Synth Arp", ARP_PROGRAM, m.group(0)), asked
    a, b, word, program = near[0]
    return (f"{name_of(program)} Arp", program, text[min(a, m.start()):max(b, m.end())]), [x for x in asked
                                                                                        if x is not near[0]]


def band_from_text(text: str) -> Band:
    """The band the text asks for (see the module docstring); the genre fills the roles left open."""
    band = Band()
    band.silent, band.refused, negated = _negated(text)
    asked = [(a, b, w, p) for a, b, w, p in find_instruments(text) if not any(x <= a < y for x, y in negated)]
    arp, asked = _arpeggio(text, asked)
    if arp and A not in band.silent:
        band.named[A] = arp
    twice = [(a, b, w, p) for a, b, w, p in asked if re.search(r"\b(?:two|twin|dual|interlocking|double)\s+$",
                                                                  text[max(0, a - 14):a].lower())]
    for _, _, word, program in sorted(asked + twice):
        if program >= 0 and family(program) in band.refused:
            continue
        free = [r for r in roles_of(program) if r not in band.named and r not in band.silent]
        if not free:
            if not any(band.named.get(r, ("", None))[1] == program for r in roles_of(program)):
                band.unplaced.append(word)
            continue
        band.named[free[0]] = (name_of(program), program, word)
    solo = _SOLO_RE.search(text)
    solo_inst = find_instruments(solo.group(1)) if solo else []
    ensemble = _ENSEMBLE_RE.search(text)
    if ensemble:
        words = ensemble.group(0)
        band.named = {r: (name, program, words) for r, (name, program) in ENSEMBLES[words.lower().rstrip("s")].items()
                      if r not in band.silent}
        band.silent.update({r: words for r in ORDER if r not in band.named and r not in band.silent})
    elif solo_inst and solo_inst[0][0] == 0 and solo_inst[0][3] >= 0:
        # "solo piano": that instrument is the band, playing both the accompaniment and the tune
        program, words = solo_inst[0][3], solo.group(0).strip()
        band.named = {r: (name_of(program), program, words) for r in (H, M) if r in roles_of(program) or r == H}
        band.silent.update({r: words for r in ORDER if r not in band.named})
    elif _CAPPELLA_RE.search(text):
        words = _CAPPELLA_RE.search(text).group(0)
        band.named = {H: ("Choir Aahs", 52, words), M: ("Voice Oohs", 53, words)}
        band.silent.update(dict.fromkeys((D, B, C), words))
    elif band.named and (_ONLY_RE.search(text) or _ALONE_RE.search(text)):
        # "just piano and voice": the parts nobody named are silent
        words = (_ONLY_RE.search(text) or _ALONE_RE.search(text)).group(0)
        band.silent.update({r: words for r in ORDER if r not in band.named})
    for role in band.silent:
        band.named.pop(role, None)
    return band


_ENTER_RE = re.compile(
    r"\b([a-z][\w -]{1,30}?)\s+(?:enters?|comes?\s+in|joins?|kicks?\s+in)\s+(?:in|at|on|for)\s+the\s+"
    r"(?:(first|second|third|fourth|last|final)\s+)?(intro|verse|pre[\s-]?chorus|chorus|bridge|solo|break|outro)\b",
    re.I)
_NTH = {None: 1, "first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1, "final": -1}


def entrances(text: str) -> list[tuple[str, int, str, str]]:
    """Parts the text brings in late ("strings enter in the second chorus", "the drums kick in at the
    verse"): (a role, or a GM family as ``family:NAME``, which section of its type (1-based, -1 the
    last), the section type, the words)."""
    out = []
    for m in _ENTER_RE.finditer(text):
        said = m.group(1).lower()
        part = next((w for w in sorted(PART_WORDS, key=len, reverse=True) if re.search(rf"\b{w}s?$", said)), None)
        inst = find_instruments(said)
        if part:
            what = PART_WORDS[part]
        elif inst:
            what = D if inst[-1][3] < 0 else f"family:{family(inst[-1][3])}"
        else:
            continue
        stype = re.sub(r"pre[\s-]?chorus", "pre_chorus", m.group(3).lower())
        out.append((what, _NTH[m.group(2) and m.group(2).lower()], stype, m.group(0)))
    return out
