"""SongSpec: the plan of a song in memory, loaded from and dumped to RMS v2 (:mod:`stori.spec.rms`) without loss.

``from_dict`` takes any form the roadmap defines (a whole song, one section, one motif, a refinement, the
LLM's sections-only form) or Stori's earlier dialect; ``to_dict`` writes the roadmap's complete form. Free
keys are kept in ``extra`` and written back. Every validation error names the field as the file spells it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from stori.errors import StoriError
from stori.safe_json import load_json
from stori.spec import rms
from stori.spec.emotion import AXES, EmotionVector
from stori.spec.gm import instrument_name, is_drum_kit, program_for
from stori.spec.motif import Motif
from stori.spec.rms import (  # noqa: F401  (MAX_SECTIONS, SECTION_TYPES: the plan's limits, read from here)
    MAX_SECTIONS,
    METERS,
    NOTE_VALUES,
    REGISTERS,
    SECTION_TYPES,
    wire_transformation,
)
from stori.spec.song import DRUM_CHANNEL, SectionSpan, bar_ticks

RMS_VERSION = "2.0"
BEHAVIOURS = {
    "drums": ("tacet", "sparse", "steady", "driving", "half_time", "build"),
    "bass": ("tacet", "roots", "roots_fifths", "walking", "sustained", "driving"),
    "harmony": ("tacet", "block", "arpeggiated", "sustained", "rhythmic", "afterbeats"),
    "melody": ("tacet", "lead", "motif", "sparse", "soaring"),
    "counter_melody": ("tacet", "answer", "sustained", "lead"),
    "pad": ("tacet", "sustained"),
    "arpeggio": ("tacet", "arpeggiated"),
}
BEHAVIOUR_WORDS = {  # the roadmap's words for how a part plays -> Stori's behaviour of that role
    "drums": {"full_kit": "steady", "four_on_the_floor": "driving", "halftime": "half_time", "building": "build",
              "minimal": "sparse", "full": "driving"},
    "bass": {"sparse": "roots", "full": "driving", "root_notes": "roots", "walking_bass": "walking",
             "pedal": "sustained", "held": "sustained"},
    "harmony": {"strummed": "rhythmic", "fingerpicked": "arpeggiated", "fingerpicked_arpeggios": "arpeggiated",
                "sparse_fingerpick": "arpeggiated", "arpeggios": "arpeggiated", "pad": "sustained",
                "comping": "rhythmic", "stabs": "rhythmic", "chords": "block", "sparse": "sustained",
                "full": "rhythmic", "oom_pah": "afterbeats"},
    "melody": {"motif_statement": "motif", "soar": "soaring", "lead_line": "lead", "full": "lead"},
    "counter_melody": {"response": "answer", "sparse": "sustained"},
    "pad": {"pad": "sustained", "held": "sustained", "swell": "sustained"},
    "arpeggio": {"arpeggios": "arpeggiated", "arp": "arpeggiated"},
}
WIRE_ROLES = {"harmony": "chords"}  # Stori's role -> the roadmap's name for it, where they differ
MAX_TOTAL_BARS = 640  # ten sections of 64 bars: the longest form a prompt can ask for


AS_GIVEN = "chords_as_given"
"""A plan whose chords are the musician's (written in the prompt, heard in their MIDI) sets this free
key true: its chords are played as given, no cadence rewrites them."""


def parse_time_signature(value, where: str = "time_signature") -> tuple[int, int]:
    allowed = ", ".join(f"{n}/{d}" for n, d in METERS)
    try:
        num, den = (int(x) for x in str(value).split("/"))
    except ValueError:
        raise StoriError(where, f"{value!r} is not a meter", allowed) from None
    if (num, den) not in METERS:
        raise StoriError(where, f"{value!r} is not supported", allowed)
    return num, den


def register_pitch(value, default: float) -> float:
    """A register as a MIDI pitch: a number, or the centre of a name such as ``mid_high``."""
    if value is None:
        return default
    return float(REGISTERS.get(value, value)) if not isinstance(value, bool) else default


def _num_out(x: float):
    return int(x) if float(x).is_integer() else x


def _beats(value) -> float:
    return NOTE_VALUES[value] if isinstance(value, str) else float(value)


def _note_value(beats: float):
    return next((name for name, v in NOTE_VALUES.items() if v == beats), _num_out(beats))


def _behaviour(obj: dict, role: str) -> str | None:
    """Stori's behaviour for a roadmap ``track_behaviors`` entry: tacet when inactive, else the first of
    ``pattern``, ``priority``, ``density``, ``style`` that names one (None: the role's default)."""
    if obj.get("active") is False:
        return "tacet"
    for key in ("pattern", "priority", "density", "style"):
        word = obj.get(key)
        if word in BEHAVIOURS.get(role, ()):
            return word
        if word in BEHAVIOUR_WORDS.get(role, {}):
            return BEHAVIOUR_WORDS[role][word]
    return None


def _state_in(st: dict, chord_key: str) -> dict:
    """A roadmap entry/exit state in Stori's keys (``chord``, ``register``); other keys as they are."""
    names = {chord_key: "chord", "melodic_register": "register"}
    return {names.get(k, k): v for k, v in st.items()}


def _state_out(st: dict, chord_key: str) -> dict:
    names = {"chord": chord_key, "register": "melodic_register"}
    return {names.get(k, k): v for k, v in st.items()}


@dataclass
class MotifUsage:
    motif: str
    bar: int = 1  # 1-based within the section
    beat: float = 1.0  # 1-based within the bar, in beats of the meter
    transformations: list = field(default_factory=list)
    track: str = "melody"
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_wire(cls, u: dict, beats_per_bar: int) -> MotifUsage:
        where = float(u["beat"])
        bar = int(where // beats_per_bar) + 1
        t, params = u.get("transformation"), u.get("params") or {}
        transformations = list(t) if isinstance(t, list) else [] if t is None else [t]
        if isinstance(t, str) and t in rms.PARAMS and rms.PARAMS[t] in params:
            transformations = [{"type": t, "amount": params[rms.PARAMS[t]]}]
        extra = {k: v for k, v in u.items() if k not in ("motif_id", "beat", "transformation", "params", "track")}
        if params and transformations and not isinstance(transformations[0], dict):
            extra["params"] = params  # amounts Stori does not read are kept
        return cls(motif=u["motif_id"], bar=bar, beat=_num_out(where - (bar - 1) * beats_per_bar + 1),
                   transformations=transformations, track=u.get("track") or "melody", extra=extra)

    def to_wire(self, beats_per_bar: int) -> dict:
        return {"motif_id": self.motif, "beat": _num_out((self.bar - 1) * beats_per_bar + self.beat - 1),
                **wire_transformation(self.transformations), "track": self.track, **self.extra}


@dataclass
class SectionSpec:
    id: str
    type: str
    bars: int
    emotion: EmotionVector
    chords: list[str]  # one entry per bar, looped; "Am F" splits the bar evenly
    motif_usage: list[MotifUsage] = field(default_factory=list)
    entry_state: dict = field(default_factory=dict)  # energy, register, chord (the first), and the roadmap's keys
    exit_state: dict = field(default_factory=dict)  # energy, register, chord (the last), ...
    track_behaviours: dict[str, str] = field(default_factory=dict)  # role -> behaviour
    extra: dict = field(default_factory=dict)
    tempo: float | None = None  # a section's own tempo, key and meter: kept, played only where the song's agree
    key: str | None = None
    time_signature: str | None = None
    behaviour_details: dict[str, dict] = field(default_factory=dict)  # track id -> the roadmap's behaviour object
    unplayed_usage: list[dict] = field(default_factory=list)  # motif_usage naming motifs the plan does not define

    KEYS = ("section_id", "section_type", "bars", "tempo", "key", "time_signature", "emotion_vector", "chords",
            "motif_usage", "entry_state", "exit_state", "track_behaviors")

    @classmethod
    def from_wire(cls, d: dict, base: EmotionVector, tracks: list[TrackSpec], motif_ids: set[str],
                  beats_per_bar: int) -> SectionSpec:
        bars = d["bars"]
        changes = sorted(d["chords"], key=lambda c: c["bar"])
        per_bar = [next((c["chord"] for c in reversed(changes) if c["bar"] <= b), changes[0]["chord"])
                   for b in range(bars)]
        period = next(p for p in range(1, bars + 1)  # the shortest loop that fills the section whole
                      if bars % p == 0 and all(per_bar[b] == per_bar[b % p] for b in range(bars)))
        role_of = {t.id: t.role for t in tracks}
        details = {tid: dict(b) for tid, b in d.get("track_behaviors", {}).items()}
        behaviours: dict[str, str] = {}
        for tid, obj in details.items():
            role = role_of.get(tid)
            found = _behaviour(obj, role) if role else None
            if found and role not in behaviours:
                behaviours[role] = found
        usage, unplayed = [], []
        for u in d.get("motif_usage", []):
            flat = [{"motif_id": u["motif_id"], **o} for o in u["occurrences"]] if "occurrences" in u else [u]
            for f in flat:
                (usage.append(MotifUsage.from_wire(f, beats_per_bar)) if f["motif_id"] in motif_ids
                 else unplayed.append(f))
        return cls(id=d["section_id"], type=d["section_type"], bars=bars,
                   emotion=EmotionVector.from_dict(d.get("emotion_vector", {}), base=base),
                   chords=per_bar[:period], motif_usage=usage,
                   entry_state=_state_in(d.get("entry_state", {}), "first_chord"),
                   exit_state=_state_in(d.get("exit_state", {}), "last_chord"),
                   track_behaviours=behaviours, extra={k: v for k, v in d.items() if k not in cls.KEYS},
                   tempo=d.get("tempo"), key=d.get("key"), time_signature=d.get("time_signature"),
                   behaviour_details=details, unplayed_usage=unplayed)

    def to_wire(self, tracks: list[TrackSpec], beats_per_bar: int) -> dict:
        per_bar = [self.chords[b % len(self.chords)] for b in range(self.bars)]
        out: dict = {"section_id": self.id, "section_type": self.type, "bars": self.bars}
        for name in ("tempo", "key", "time_signature"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        behaviors = {tid: dict(obj) for tid, obj in self.behaviour_details.items()}
        for t in tracks:
            now = self.track_behaviours.get(t.role)
            obj = behaviors.get(t.id)
            if obj is None and now is None:
                continue
            if obj is None or _behaviour(obj, t.role) != now:
                obj = {**(obj or {}), "active": now != "tacet"}
                if now not in (None, "tacet"):
                    obj["pattern"] = now
            behaviors[t.id] = obj
        return {**out, "emotion_vector": self.emotion.to_dict(),
                "chords": [{"bar": b, "chord": c} for b, c in enumerate(per_bar) if b == 0 or c != per_bar[b - 1]],
                "motif_usage": [u.to_wire(beats_per_bar) for u in self.motif_usage] + list(self.unplayed_usage),
                "entry_state": _state_out(self.entry_state, "first_chord"),
                "exit_state": _state_out(self.exit_state, "last_chord"),
                "track_behaviors": behaviors, **self.extra}

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
    id: str = ""  # the track's id in the plan (its role when not given)

    KEYS = ("track_id", "name", "role", "instrument", "program", "channel")

    def __post_init__(self):
        self.id = self.id or self.role

    @classmethod
    def from_wire(cls, d: dict, channel: int) -> TrackSpec:
        role = "harmony" if d["role"] == "chords" else d["role"]
        instrument = d.get("instrument") or ""
        program = d.get("program")
        if program is None:
            found = program_for(instrument) if instrument and not is_drum_kit(instrument) else None
            program = found if found is not None else rms.DEFAULT_PROGRAMS[d["role"]]
        instrument = instrument or ("drum_kit" if role == "drums" else instrument_name(program))
        return cls(name=d.get("name") or d["track_id"], role=role, program=program,
                   channel=d.get("channel") or channel, instrument=instrument,
                   extra={k: v for k, v in d.items() if k not in cls.KEYS}, id=d["track_id"])

    def to_wire(self) -> dict:
        return {"track_id": self.id, "name": self.name, "role": WIRE_ROLES.get(self.role, self.role),
                "instrument": self.instrument, "program": self.program, "channel": self.channel, **self.extra}


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
    emotion_extra: dict = field(default_factory=dict)  # global_emotion's free keys (arc_description, ...)
    refinement: dict | None = None  # a roadmap refinement still to apply (pipeline.generate applies it)
    form: str = field(default="song", compare=False)  # the roadmap form it was loaded from

    KEYS = ("rms_version", "title", "genre", "tempo", "key", "time_signature", "global_emotion", "motifs", "sections",
            "tracks", "refinement")

    @classmethod
    def from_dict(cls, data) -> SongSpec:
        d, form = rms.validate_rms(data)
        first = d["sections"][0]
        ts = parse_time_signature(d.get("time_signature") or first.get("time_signature") or "4/4")
        ge = d.get("global_emotion", {})
        axes = {a: ge[a] for a in AXES if ge.get(a) is not None}
        if "valence" not in axes and ge.get("primary_valence") is not None:
            axes["valence"] = ge["primary_valence"]
        if "energy" not in axes and ge.get("energy_range"):
            axes["energy"] = round(sum(ge["energy_range"]) / 2, 4)
        emotion = EmotionVector.from_dict(axes)
        motifs = [_motif_in(m) for m in d.get("motifs", [])]
        channels = iter(c for c in range(1, 17) if c != DRUM_CHANNEL)
        tracks = [TrackSpec.from_wire(t, DRUM_CHANNEL if t["role"] == "drums" else next(channels, 16))
                  for t in d["tracks"]]
        if not tracks:
            raise StoriError("tracks", "is empty", "a list of tracks with roles " + ", ".join(rms.TRACK_ROLES))
        ids = {m.id for m in motifs}
        sections = [SectionSpec.from_wire(s, emotion, tracks, ids, ts[0]) for s in d["sections"]]
        if sum(s.bars for s in sections) > MAX_TOTAL_BARS:
            raise StoriError("sections", f"{sum(s.bars for s in sections)} bars in all", f"up to {MAX_TOTAL_BARS} bars")
        if len({s.id for s in sections}) != len(sections):
            raise StoriError("sections", "section ids repeat", "unique section_id values")
        if len({t.id for t in tracks}) != len(tracks):
            raise StoriError("tracks", "track ids repeat", "unique track_id values")
        if motifs and any(s.unplayed_usage for s in sections):
            k, s = next((k, s) for k, s in enumerate(d["sections"]) if sections[k].unplayed_usage)
            missing = sections[k].unplayed_usage[0]["motif_id"]
            raise StoriError(f"sections[{k}].motif_usage", f"motif {missing!r} is not defined",
                             ", ".join(sorted(ids)))
        return cls(title=str(d.get("title") or "Untitled"), genre=str(d.get("genre") or "pop"),
                   tempo=d.get("tempo") or first.get("tempo") or 100,
                   key=rms.normalize_key(d.get("key") or first.get("key") or "C major"), time_signature=ts,
                   global_emotion=emotion, motifs=motifs, sections=sections, tracks=tracks,
                   rms_version=d.get("rms_version", RMS_VERSION),
                   extra={k: v for k, v in d.items() if k not in cls.KEYS},
                   emotion_extra={k: v for k, v in ge.items() if k not in AXES}, refinement=d.get("refinement"),
                   form=form)

    def to_dict(self) -> dict:
        """The roadmap's complete form."""
        out = {"rms_version": self.rms_version, "title": self.title, "genre": self.genre,
               "tempo": _num_out(self.tempo), "key": self.key,
               "time_signature": f"{self.time_signature[0]}/{self.time_signature[1]}",
               "global_emotion": {**self.global_emotion.to_dict(), **self.emotion_extra},
               "motifs": [_motif_out(m) for m in self.motifs],
               "sections": [s.to_wire(self.tracks, self.time_signature[0]) for s in self.sections],
               "tracks": [t.to_wire() for t in self.tracks]}
        if self.refinement is not None:
            out["refinement"] = self.refinement
        return {**out, **self.extra}

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
        out = SongSpec.from_dict(json.loads(self.dumps()))
        out.form = self.form
        return out

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

    def key_of(self, s: SectionSpec) -> str:
        """The key a section plays in: its own when the plan changes key there, else the song's."""
        return rms.normalize_key(s.key) if s.key else self.key

    def changes(self) -> tuple[list[tuple[int, float]], list[tuple[int, str]]]:
        """(tick, tempo) and (tick, key) where a section's own tempo or key differs from the one before it
        (a section without its own plays the song's); the song's own, at tick 0, are not listed."""
        tempos, keys, bpm, key = [], [], self.tempo, self.key
        for s, span in zip(self.sections, self.spans()):
            if (s.tempo or self.tempo) != bpm:
                bpm = s.tempo or self.tempo
                tempos.append((span.start, bpm))
            if self.key_of(s) != key:
                key = self.key_of(s)
                keys.append((span.start, key))
        return tempos, keys

    def section(self, section_id: str) -> SectionSpec:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise StoriError("section", f"{section_id!r} is not in the song", ", ".join(s.id for s in self.sections))

    def motif(self, motif_id: str) -> Motif:
        return next(m for m in self.motifs if m.id == motif_id)


def _motif_in(m: dict) -> Motif:
    known = ("motif_id", "name", "interval_pattern", "rhythm_pattern", "duration_beats", "register", "emotional_role",
             "anchor_scale_degree", "allowed_transformations")
    register = m.get("register")
    return Motif(id=m["motif_id"], intervals=m["interval_pattern"], rhythm=[_beats(r) for r in m["rhythm_pattern"]],
                 register=REGISTERS.get(register, register) if register is not None else 67,
                 emotional_role=m.get("emotional_role") or "identity", anchor_degree=m.get("anchor_scale_degree", 1),
                 allowed_transformations=m.get("allowed_transformations", rms.TRANSFORMATIONS),
                 name=m.get("name") or "",
                 duration_beats=m.get("duration_beats", sum(_beats(r) for r in m["rhythm_pattern"])),
                 register_name=register if isinstance(register, str) else "",
                 extra={k: v for k, v in m.items() if k not in known})


def _motif_out(m: Motif) -> dict:
    out = {"motif_id": m.id}
    if m.name:
        out["name"] = m.name
    register = m.register_name if REGISTERS.get(m.register_name) == m.register else m.register
    return {**out, "interval_pattern": list(m.intervals), "rhythm_pattern": [_note_value(r) for r in m.rhythm],
            "duration_beats": _num_out(m.duration_beats),
            "register": register, "emotional_role": m.emotional_role, "anchor_scale_degree": m.anchor_degree,
            "allowed_transformations": list(m.allowed_transformations), **m.extra}


def plan_coverage(spec: SongSpec) -> tuple[list[str], list[str]]:
    """What of a loaded plan Stori plays (honoured) and what it keeps without playing (not honoured)."""
    done, kept = [], []
    if "primary_valence" in spec.emotion_extra or "energy_range" in spec.emotion_extra:
        done.append(f"global_emotion: primary_valence / energy_range give valence {spec.global_emotion.valence:g}, "
                    f"energy {spec.global_emotion.energy:g} where the five axes are not given")
    song = {"tempo": spec.tempo, "key": spec.key, "time_signature": "{}/{}".format(*spec.time_signature)}
    for s in spec.sections:
        for name, value in song.items():
            own = getattr(s, name)
            if own is not None:
                same = (rms.normalize_key(own) if name == "key" else own) == value
                if same:
                    done.append(f"{s.id}.{name} {own}: the song's own")
                elif name == "time_signature":
                    kept.append(f"{s.id}.{name} {own}: kept in the plan; the song plays {value} throughout")
                else:
                    done.append(f"{s.id}.{name} {own}: the section changes {name} (the MIDI file says so at its "
                                "first bar)")
        roles = {t.id: t.role for t in spec.tracks}
        for tid, obj in s.behaviour_details.items():
            role = roles.get(tid)
            if role is None:
                kept.append(f"{s.id}.track_behaviors.{tid}: no track with this id")
                continue
            got = _behaviour(obj, role)
            words = {k: obj[k] for k in ("pattern", "priority", "density", "style") if obj.get(k) is not None}
            if words and got is None:
                kept.append(f"{s.id}.track_behaviors.{tid} {words}: no {role} behaviour of that name; "
                            f"the {role} part plays as the section's emotion asks")
            elif got is not None:
                done.append(f"{s.id}.track_behaviors.{tid}: {role} plays '{got}'")
            if obj.get("enter_bar"):
                done.append(f"{s.id}.track_behaviors.{tid}.enter_bar {obj['enter_bar']}: the {role} part enters "
                            f"at bar {obj['enter_bar']} (from 0) of the section")
        for u in s.unplayed_usage:
            kept.append(f"{s.id}.motif_usage {u['motif_id']!r}: the plan defines no such motif")
    for m in spec.motifs:
        if m.duration_beats is not None and abs(m.duration_beats - m.duration) > 1e-6:
            kept.append(f"motif {m.id}.duration_beats {m.duration_beats:g}: its rhythm_pattern lasts "
                        f"{m.duration:g} beats, and that is what plays")
    return done, kept
