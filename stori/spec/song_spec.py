"""SongSpec: the RMS v2 JSON plan of a song, loaded and dumped without loss.

Unknown keys are kept in ``extra`` and written back, so a spec edited by hand or by another tool
survives a round trip. Every validation error names the JSON path of the field.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from stori.errors import StoriError, check_range
from stori.safe_json import load_json
from stori.spec.emotion import EmotionVector
from stori.spec.motif import TRANSFORMATIONS, Motif
from stori.spec.song import DRUM_CHANNEL, ROLES, SectionSpan, bar_ticks
from stori.theory import normalize_key, parse_chord

RMS_VERSION = "2.0"
SECTION_TYPES = ("intro", "verse", "pre_chorus", "chorus", "bridge", "break", "solo", "interlude", "outro", "other")
BEHAVIOURS = {
    "drums": ("tacet", "sparse", "steady", "driving", "half_time", "build"),
    "bass": ("tacet", "roots", "roots_fifths", "walking", "sustained", "driving"),
    "harmony": ("tacet", "block", "arpeggiated", "sustained", "rhythmic"),
    "melody": ("tacet", "lead", "motif", "sparse", "soaring"),
    "counter_melody": ("tacet", "answer", "sustained", "lead"),
}
MAX_SECTIONS = 32
MAX_TOTAL_BARS = 640  # ten sections of 64 bars: the longest form a prompt can ask for
MAX_MOTIF_NOTES = 32
METERS = ((2, 4), (3, 4), (4, 4), (5, 4), (6, 4), (6, 8), (7, 8), (9, 8), (12, 8))


def parse_time_signature(value, where: str = "time_signature") -> tuple[int, int]:
    allowed = ", ".join(f"{n}/{d}" for n, d in METERS)
    try:
        num, den = (int(x) for x in str(value).split("/"))
    except ValueError:
        raise StoriError(where, f"{value!r} is not a meter", allowed) from None
    if (num, den) not in METERS:
        raise StoriError(where, f"{value!r} is not supported", allowed)
    return num, den


def _obj(data, where: str) -> dict:
    if not isinstance(data, dict):
        raise StoriError(where, f"expected an object, got {type(data).__name__}", "a JSON object")
    return data


def _motif(m, where: str, k: int, known: tuple[str, ...]) -> Motif:
    """A motif from JSON, every field checked for its type before the Motif checks its values."""
    _obj(m, where)
    intervals, rhythm = m.get("intervals", []), m.get("rhythm", [])
    if not isinstance(intervals, list) or not 1 <= len(intervals) <= MAX_MOTIF_NOTES or \
            not all(isinstance(i, int) and not isinstance(i, bool) and -36 <= i <= 36 for i in intervals):
        raise StoriError(f"{where}.intervals", f"{intervals!r:.60} is not a list of semitone offsets",
                         f"1..{MAX_MOTIF_NOTES} integers -36..36")
    if not isinstance(rhythm, list) or not all(isinstance(r, (int, float)) and not isinstance(r, bool) and 0 < r <= 16
                                               for r in rhythm):
        raise StoriError(f"{where}.rhythm", f"{rhythm!r:.60} is not a list of durations",
                         "one duration in beats (0 < d <= 16) per interval")
    transformations = m.get("allowed_transformations", TRANSFORMATIONS)
    if not isinstance(transformations, list | tuple) or not all(isinstance(t, str) for t in transformations):
        raise StoriError(f"{where}.allowed_transformations", "is not a list of names", ", ".join(TRANSFORMATIONS))
    for name in ("register", "anchor_degree"):
        if name in m and (isinstance(m[name], bool) or not isinstance(m[name], int)):
            raise StoriError(f"{where}.{name}", f"{str(m[name])[:40]!r} is not an integer",
                             "a MIDI pitch 24..108" if name == "register" else "a scale degree 1..7")
    for name in ("id", "name", "emotional_role"):
        if name in m and not isinstance(m[name], str):
            raise StoriError(f"{where}.{name}", "is not text", "a string")
    return Motif(id=m.get("id", f"m{k + 1}"), intervals=intervals, rhythm=rhythm, register=m.get("register", 67),
                 emotional_role=m.get("emotional_role", "identity"), anchor_degree=m.get("anchor_degree", 1),
                 allowed_transformations=transformations, name=m.get("name", ""),
                 extra={x: v for x, v in m.items() if x not in known})


def _num_out(x: float):
    return int(x) if float(x).is_integer() else x


@dataclass
class MotifUsage:
    motif: str
    bar: int = 1  # 1-based within the section
    beat: float = 1.0  # 1-based within the bar
    transformations: list = field(default_factory=list)
    track: str = "melody"
    extra: dict = field(default_factory=dict)

    KEYS = ("motif", "bar", "beat", "transformations", "track")

    @classmethod
    def from_dict(cls, d: dict, where: str) -> MotifUsage:
        _obj(d, where)
        if not isinstance(d.get("motif"), str):
            raise StoriError(f"{where}.motif", "is missing", "the id of a motif in motifs[]")
        transformations = d.get("transformations", [])
        if not isinstance(transformations, list) or not all(
                isinstance(t, str) or (isinstance(t, dict) and isinstance(t.get("type"), str)
                                       and isinstance(t.get("amount", 0), (int, float))
                                       and not isinstance(t.get("amount"), bool)
                                       and abs(t.get("amount", 0)) <= 8) for t in transformations):
            raise StoriError(f"{where}.transformations",
                             f"{str(transformations)[:60]} is not a list of transformations",
                             'names or {"type": name, "amount": a number -8..8}')
        if not isinstance(d.get("track", "melody"), str):
            raise StoriError(f"{where}.track", "is not text", "a track role such as 'melody'")
        return cls(motif=d["motif"], bar=int(check_range(f"{where}.bar", d.get("bar", 1), 1, 64)),
                   beat=check_range(f"{where}.beat", d.get("beat", 1), 1, 12.99),
                   transformations=list(d.get("transformations", [])), track=d.get("track", "melody"),
                   extra={k: v for k, v in d.items() if k not in cls.KEYS})

    def to_dict(self) -> dict:
        return {"motif": self.motif, "bar": self.bar, "beat": _num_out(self.beat),
                "transformations": self.transformations, "track": self.track, **self.extra}


@dataclass
class SectionSpec:
    id: str
    type: str
    bars: int
    emotion: EmotionVector
    chords: list[str]  # one entry per bar, looped; "Am F" splits the bar evenly
    motif_usage: list[MotifUsage] = field(default_factory=list)
    entry_state: dict = field(default_factory=dict)  # energy, register, chord
    exit_state: dict = field(default_factory=dict)
    track_behaviours: dict[str, str] = field(default_factory=dict)  # role -> behaviour
    extra: dict = field(default_factory=dict)

    KEYS = ("id", "type", "bars", "emotion", "chords", "motif_usage", "entry_state", "exit_state", "track_behaviours")

    @classmethod
    def from_dict(cls, d: dict, where: str, default_emotion: EmotionVector | None = None) -> SectionSpec:
        _obj(d, where)
        stype = d.get("type")
        if stype not in SECTION_TYPES:
            raise StoriError(f"{where}.type", f"{stype!r} is not a section type", ", ".join(SECTION_TYPES))
        bars = d.get("bars")
        if not isinstance(bars, int) or isinstance(bars, bool) or not 1 <= bars <= 64:
            raise StoriError(f"{where}.bars", f"{bars!r} is not a bar count", "an integer 1..64")
        try:
            emotion = EmotionVector.from_dict(d.get("emotion", {}), base=default_emotion)
        except StoriError as e:
            raise StoriError(f"{where}.emotion.{e.field}", e.problem, e.allowed) from None
        chords = d.get("chords", [])
        if not isinstance(chords, list) or not chords or not all(isinstance(c, str) and c.strip() for c in chords):
            raise StoriError(f"{where}.chords", f"{chords!r} is not a chord list",
                             'a non-empty list of bars such as ["Am", "F C"]')
        for i, bar in enumerate(chords):
            for sym in bar.split():
                try:
                    parse_chord(sym)
                except StoriError as e:
                    raise StoriError(f"{where}.chords[{i}]", e.problem, e.allowed) from None
        behaviours = _obj(d.get("track_behaviours", {}), f"{where}.track_behaviours")
        for role, b in behaviours.items():
            if role not in BEHAVIOURS:
                raise StoriError(f"{where}.track_behaviours", f"unknown role {role!r}", ", ".join(BEHAVIOURS))
            if b not in BEHAVIOURS[role]:
                raise StoriError(f"{where}.track_behaviours.{role}", f"{b!r} is not a behaviour",
                                 ", ".join(BEHAVIOURS[role]))
        usage = d.get("motif_usage", [])
        if not isinstance(usage, list):
            raise StoriError(f"{where}.motif_usage", "is not a list", "a list of {motif, bar, beat, transformations}")
        sid = d.get("id")
        if not isinstance(sid, str) or not sid:
            raise StoriError(f"{where}.id", f"{sid!r} is not an id", "a non-empty string")
        return cls(id=sid, type=stype, bars=bars, emotion=emotion, chords=list(chords),
                   motif_usage=[MotifUsage.from_dict(u, f"{where}.motif_usage[{k}]") for k, u in enumerate(usage)],
                   entry_state=dict(_obj(d.get("entry_state", {}), f"{where}.entry_state")),
                   exit_state=dict(_obj(d.get("exit_state", {}), f"{where}.exit_state")),
                   track_behaviours=dict(behaviours), extra={k: v for k, v in d.items() if k not in cls.KEYS})

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "bars": self.bars, "emotion": self.emotion.to_dict(),
                "chords": list(self.chords), "motif_usage": [u.to_dict() for u in self.motif_usage],
                "entry_state": dict(self.entry_state), "exit_state": dict(self.exit_state),
                "track_behaviours": dict(self.track_behaviours), **self.extra}

    def behaviour(self, role: str, default: str) -> str:
        return self.track_behaviours.get(role, default)

    def chord_timeline(self, ticks_per_bar: int) -> list[tuple[int, str]]:
        """``(tick, symbol)`` at each chord change over the section's bars (ticks from section start)."""
        out: list[tuple[int, str]] = []
        for bar in range(self.bars):
            symbols = self.chords[bar % len(self.chords)].split()
            step = ticks_per_bar // len(symbols)
            for k, sym in enumerate(symbols):
                if not out or out[-1][1] != sym:
                    out.append((bar * ticks_per_bar + k * step, sym))
        return out

    @property
    def first_chord(self) -> str:
        return self.chords[0].split()[0]

    @property
    def last_chord(self) -> str:
        return self.chords[(self.bars - 1) % len(self.chords)].split()[-1]


@dataclass
class TrackSpec:
    name: str
    role: str
    program: int = 0
    channel: int = 1
    instrument: str = ""
    extra: dict = field(default_factory=dict)

    KEYS = ("name", "role", "program", "channel", "instrument")

    @classmethod
    def from_dict(cls, d: dict, where: str) -> TrackSpec:
        _obj(d, where)
        role = d.get("role")
        if role not in ROLES:
            raise StoriError(f"{where}.role", f"{role!r} is not a role", ", ".join(ROLES))
        name = d.get("name") or role
        channel = int(check_range(f"{where}.channel", d.get("channel", DRUM_CHANNEL if role == "drums" else 1), 1, 16))
        if (role == "drums") != (channel == DRUM_CHANNEL):
            raise StoriError(f"{where}.channel", f"{channel} for role {role!r}", "10 for drums and only for drums")
        return cls(name=str(name), role=role, program=int(check_range(f"{where}.program", d.get("program", 0), 0, 127)),
                   channel=channel, instrument=str(d.get("instrument", "")),
                   extra={k: v for k, v in d.items() if k not in cls.KEYS})

    def to_dict(self) -> dict:
        return {"name": self.name, "role": self.role, "program": self.program, "channel": self.channel,
                "instrument": self.instrument, **self.extra}


@dataclass
class SongSpec:
    title: str
    genre: str
    tempo: float
    key: str
    time_signature: tuple[int, int]
    global_emotion: EmotionVector
    motifs: list[Motif]
    sections: list[SectionSpec]
    tracks: list[TrackSpec]
    rms_version: str = RMS_VERSION
    extra: dict = field(default_factory=dict)

    KEYS = ("rms_version", "title", "genre", "tempo", "key", "time_signature", "global_emotion", "motifs", "sections",
            "tracks")
    MOTIF_KEYS = ("id", "name", "intervals", "rhythm", "register", "emotional_role", "anchor_degree",
                  "allowed_transformations")

    @classmethod
    def from_dict(cls, d: dict) -> SongSpec:
        _obj(d, "spec")
        version = str(d.get("rms_version", RMS_VERSION))
        if version.split(".")[0] != "2":
            raise StoriError("rms_version", f"{version!r} is not supported", "2.x")
        tempo = check_range("tempo", d.get("tempo", 100), 40, 240)
        try:
            key = normalize_key(d.get("key", "C major"))
        except StoriError as e:
            raise StoriError("key", e.problem, e.allowed) from None
        ts = parse_time_signature(d.get("time_signature", "4/4"))
        try:
            emotion = EmotionVector.from_dict(d.get("global_emotion", {}))
        except StoriError as e:
            raise StoriError(f"global_emotion.{e.field}", e.problem, e.allowed) from None
        raw_motifs = d.get("motifs", [])
        if not isinstance(raw_motifs, list) or len(raw_motifs) > MAX_SECTIONS:
            raise StoriError("motifs", "is not a list of up to 32 motifs", "a list of motif objects")
        motifs = [_motif(m, f"motifs[{k}]", k, cls.MOTIF_KEYS) for k, m in enumerate(raw_motifs)]
        raw_sections = d.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            raise StoriError("sections", "is missing or empty", f"a list of 1..{MAX_SECTIONS} sections")
        if len(raw_sections) > MAX_SECTIONS:
            raise StoriError("sections", f"{len(raw_sections)} sections", f"1..{MAX_SECTIONS} sections")
        sections = [SectionSpec.from_dict(s, f"sections[{k}]", emotion) for k, s in enumerate(raw_sections)]
        if sum(s.bars for s in sections) > MAX_TOTAL_BARS:
            raise StoriError("sections", f"{sum(s.bars for s in sections)} bars in all", f"up to {MAX_TOTAL_BARS} bars")
        ids = [s.id for s in sections]
        if len(set(ids)) != len(ids):
            raise StoriError("sections", "section ids repeat", "unique ids")
        motif_ids = {m.id for m in motifs}
        for k, s in enumerate(sections):
            for j, u in enumerate(s.motif_usage):
                if u.motif not in motif_ids:
                    raise StoriError(f"sections[{k}].motif_usage[{j}].motif", f"{u.motif!r} is not defined",
                                     ", ".join(sorted(motif_ids)) or "no motifs defined")
        raw_tracks = d.get("tracks", [])
        if not isinstance(raw_tracks, list) or len(raw_tracks) > 16:
            raise StoriError("tracks", "is not a list of up to 16 tracks",
                             "a list of tracks with roles " + ", ".join(ROLES))
        tracks = [TrackSpec.from_dict(t, f"tracks[{k}]") for k, t in enumerate(raw_tracks)]
        if not tracks:
            raise StoriError("tracks", "is missing or empty", "a list of tracks with roles " + ", ".join(ROLES))
        return cls(title=str(d.get("title", "Untitled")), genre=str(d.get("genre", "pop")), tempo=tempo, key=key,
                   time_signature=ts, global_emotion=emotion, motifs=motifs, sections=sections, tracks=tracks,
                   rms_version=version, extra={k: v for k, v in d.items() if k not in cls.KEYS})

    def to_dict(self) -> dict:
        motifs = [{"id": m.id, "name": m.name, "intervals": list(m.intervals),
                   "rhythm": [_num_out(r) for r in m.rhythm],
                   "register": m.register, "emotional_role": m.emotional_role, "anchor_degree": m.anchor_degree,
                   "allowed_transformations": list(m.allowed_transformations), **m.extra} for m in self.motifs]
        return {"rms_version": self.rms_version, "title": self.title, "genre": self.genre,
                "tempo": _num_out(self.tempo),
                "key": self.key, "time_signature": f"{self.time_signature[0]}/{self.time_signature[1]}",
                "global_emotion": self.global_emotion.to_dict(), "motifs": motifs,
                "sections": [s.to_dict() for s in self.sections], "tracks": [t.to_dict() for t in self.tracks],
                **self.extra}

    # --- files -------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> SongSpec:
        path = Path(path)
        if not path.is_file():
            raise StoriError("spec", f"{str(path)!r} is not a file", "a path to an RMS v2 JSON file")
        if path.stat().st_size > 2_000_000:
            raise StoriError("spec", "file is larger than 2 MB", "an RMS v2 JSON file up to 2 MB")
        return cls.from_dict(load_json(path.read_bytes(), "spec", "an RMS v2 JSON file"))

    def dumps(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def copy(self) -> SongSpec:
        return SongSpec.from_dict(json.loads(self.dumps()))

    # --- derived ----------------------------------------------------------------------------
    @property
    def ticks_per_bar(self) -> int:
        return bar_ticks(self.time_signature)

    def spans(self) -> list[SectionSpan]:
        """Where each section lies, in ticks from the start of the song."""
        spans, tick = [], 0
        for s in self.sections:
            spans.append(SectionSpan(s.id, s.type, tick, tick + s.bars * self.ticks_per_bar))
            tick += s.bars * self.ticks_per_bar
        return spans

    @property
    def total_bars(self) -> int:
        return sum(s.bars for s in self.sections)

    def section(self, section_id: str) -> SectionSpec:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise StoriError("section", f"{section_id!r} is not in the song", ", ".join(s.id for s in self.sections))

    def motif(self, motif_id: str) -> Motif:
        return next(m for m in self.motifs if m.id == motif_id)
