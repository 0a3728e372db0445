"""RMS v2 on the wire: pydantic models of the roadmap's forms, the one source of validation and of the JSON Schema.

``validate_rms(data)`` checks a parsed JSON document in any of the roadmap's forms (a whole song, one section,
one motif, a refinement, the short sections-only form an LLM returns) or in Stori's earlier dialect (``id``,
``type``, ``emotion``, ``track_behaviours``, chords as strings), and returns the song-form dictionary the
models accept, or raises a one-line StoriError naming the field as the file spells it. Free keys are kept
everywhere (``extra="allow"``). ``python -m stori.spec.rms`` writes ``rms_v2.schema.json`` from the models.
"""
import json
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from stori.errors import StoriError
from stori.spec.emotion import AXES
from stori.spec.motif import TRANSFORMATIONS
from stori.theory import NOTE_NAMES, is_major, normalize_key, parse_chord, scale_pitch_classes

SCHEMA_PATH = Path(__file__).with_name("rms_v2.schema.json")
SECTION_TYPES = ("intro", "verse", "pre_chorus", "chorus", "bridge", "break", "solo", "interlude", "outro", "other")
METERS = ((2, 4), (3, 4), (4, 4), (5, 4), (6, 4), (6, 8), (7, 8), (9, 8), (12, 8))
REGISTERS = {"low": 48, "mid_low": 55, "mid": 62, "mid_high": 67, "high": 74}  # the pitch each name centres on
NOTE_VALUES = {"whole": 4.0, "dotted_half": 3.0, "half": 2.0, "dotted_quarter": 1.5, "triplet_half": 4 / 3,
               "quarter": 1.0, "dotted_eighth": 0.75, "triplet_quarter": 2 / 3, "eighth": 0.5,
               "triplet_eighth": 1 / 3, "sixteenth": 0.25, "thirty_second": 0.125}
PARAMS = {"transpose": "semitones", "register_shift": "octave", "rhythmic_expand": "factor",
          "rhythmic_compress": "factor"}  # the params key that carries a transformation's amount
TRACK_ROLES = ("drums", "bass", "chords", "melody", "counter_melody", "pad", "arpeggio")
MAX_SECTIONS = 32
MAX_MOTIF_NOTES = 32


class Bad(ValueError):
    """A value a validator refuses: what is wrong and what is allowed (the path is added from pydantic's loc)."""

    def __init__(self, problem: str, allowed: str | None = None):
        super().__init__(problem)
        self.problem, self.allowed = problem, allowed


def _show(value) -> str:
    return repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"


def _number(lo: float, hi: float, integer: bool = False, description: str | None = None):
    """A number type checked by Stori (one-line errors) and described to the schema (minimum, maximum)."""
    kind = "an integer" if integer else "a number"

    def check(v):
        ok = isinstance(v, int) if integer else isinstance(v, (int, float))
        if isinstance(v, bool) or not ok:
            raise Bad(f"{_show(v)} is not {kind}", f"{kind} {lo:g}..{hi:g}")
        if not lo <= v <= hi:
            raise Bad(f"{_show(v)} is out of range", f"{lo:g}..{hi:g}")
        return v
    return Annotated[int if integer else float, BeforeValidator(check),
                     Field(ge=lo, le=hi, description=description or f"{kind} {lo:g}..{hi:g}")]


def _text(v):
    if not isinstance(v, str) or not v.strip():
        raise Bad(f"{_show(v)} is not text", "a non-empty string")
    return v


def _one_of(names, what: str):
    def check(v):
        if v not in names:
            raise Bad(f"{_show(v)} is not {what}", ", ".join(names))
        return v
    return Annotated[Literal[tuple(names)], BeforeValidator(check), Field(description=", ".join(names))]


def _chord(v):
    if not isinstance(v, str) or not v.split():
        raise Bad(f"{_show(v)} is not a chord symbol", "a chord such as 'Am7', or several splitting the bar evenly")
    for sym in v.split():
        try:
            parse_chord(sym)
        except StoriError as e:
            raise Bad(e.problem, e.allowed) from None
    return v


def _key(v):
    try:
        normalize_key(v)
    except StoriError as e:
        raise Bad(e.problem, e.allowed) from None
    return v


def _meter(v):
    allowed = ", ".join(f"{n}/{d}" for n, d in METERS)
    try:
        num, den = (int(x) for x in str(v).split("/"))
    except ValueError:
        raise Bad(f"{_show(v)} is not a meter", allowed) from None
    if (num, den) not in METERS:
        raise Bad(f"{_show(v)} is not supported", allowed)
    return v


def _register(v):
    if isinstance(v, str) and v in REGISTERS:
        return v
    if isinstance(v, int) and not isinstance(v, bool) and 24 <= v <= 108:
        return v
    raise Bad(f"{_show(v)} is not a register", "a MIDI pitch 24..108 or " + ", ".join(REGISTERS))


def _note_value(v):
    if isinstance(v, str) and v in NOTE_VALUES:
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 16:
        return v
    raise Bad(f"{_show(v)} is not a duration", "beats (0 < d <= 16) or " + ", ".join(NOTE_VALUES))


def _transformation(v):
    """A name, ``{"type": name, "amount": n}``, a list of those (applied in order), or null."""
    def one(t):
        name = t.get("type") if isinstance(t, dict) else t
        if name not in TRANSFORMATIONS:
            raise Bad(f"{_show(t)} is not a transformation", ", ".join(TRANSFORMATIONS))
        if isinstance(t, dict):
            a = t.get("amount", 0)
            if isinstance(a, bool) or not isinstance(a, (int, float)) or abs(a) > 8:
                raise Bad(f"amount {_show(a)} is out of range", "a number -8..8")
    for t in (v if isinstance(v, list) else [] if v is None else [v]):
        one(t)
    return v


def _params(v):
    if v is None:
        return v
    if not isinstance(v, dict) or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and abs(x) <= 24
                                          for x in v.values()):
        raise Bad(f"{_show(v)} is not a set of amounts", 'numbers -24..24 such as {"octave": 1} or {"semitones": 5}')
    return v


Unit = _number(0, 1, description="a number 0..1")
Text = Annotated[str, BeforeValidator(_text), Field(description="a non-empty string")]
Chord = Annotated[str, BeforeValidator(_chord),
                  Field(description="a chord symbol such as 'Am7'; several symbols split the bar evenly")]
Key = Annotated[str, BeforeValidator(_key), Field(description="a key such as 'C major', 'A minor', 'D dorian'")]
Meter = Annotated[str, BeforeValidator(_meter), Field(json_schema_extra={"enum": [f"{n}/{d}" for n, d in METERS]})]
Tempo = _number(40, 240, description="beats per minute 40..240")
Register = Annotated[int | str, BeforeValidator(_register),
                     Field(description="a MIDI pitch 24..108 or " + ", ".join(REGISTERS))]
Transformation = Annotated[Any, BeforeValidator(_transformation),
                           Field(description="null, a transformation name, {type, amount}, or a list of them")]
Params = Annotated[dict[str, float] | None, BeforeValidator(_params),
                   Field(description='amounts such as {"octave": 1} or {"semitones": 5}')]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class Emotion(BaseModel):
    """The five axes; any may be left out (the song's value is used)."""
    model_config = ConfigDict(extra="forbid", strict=True)
    energy: Unit | None = None
    valence: _number(-1, 1, description="a number -1..1") | None = None
    tension: Unit | None = None
    intimacy: Unit | None = None
    motion: Unit | None = None


class GlobalEmotion(Emotion):
    """The song's emotion: the five axes and free keys (``arc_description``, ``primary_valence``,
    ``energy_range``, ...); ``primary_valence`` and the middle of ``energy_range`` stand in for absent axes."""
    model_config = ConfigDict(extra="allow", strict=True)
    primary_valence: _number(-1, 1, description="a number -1..1") | None = None
    energy_range: Annotated[list[Unit], Field(min_length=2, max_length=2, description="[low, high], each 0..1")] \
        | None = None


class Motif(_Open):
    motif_id: Text
    name: str | None = None
    interval_pattern: Annotated[list[_number(-36, 36, integer=True)],
                                Field(min_length=1, max_length=MAX_MOTIF_NOTES,
                                      description=f"1..{MAX_MOTIF_NOTES} semitone offsets -36..36")]
    rhythm_pattern: Annotated[list[Annotated[float | str, BeforeValidator(_note_value)]],
                              Field(min_length=1, max_length=MAX_MOTIF_NOTES,
                                    description="one duration per interval: beats or a note value ("
                                                + ", ".join(NOTE_VALUES) + ")")]
    duration_beats: _number(0, 64) | None = None
    register_: Register | None = Field(None, alias="register")
    emotional_role: str | None = None
    anchor_scale_degree: _number(1, 7, integer=True, description="a scale degree 1..7") \
        | None = None
    allowed_transformations: list[_one_of(TRANSFORMATIONS, "a transformation")] | None = None

    @model_validator(mode="after")
    def _lengths(self):
        if len(self.rhythm_pattern) != len(self.interval_pattern):
            raise _Field("rhythm_pattern",
                         f"has {len(self.rhythm_pattern)} durations for {len(self.interval_pattern)} intervals",
                         "one duration per interval")
        return self


class Occurrence(_Open):
    beat: _number(0, 64 * 12, description="beats of the meter from the section start, 0..")
    transformation: Transformation = None
    params: Params = None
    track: str | None = None


class MotifUse(Occurrence):
    """One statement of a motif (the flat form)."""
    motif_id: Text


class MotifUses(_Open):
    """Every statement of one motif in a section (the ``occurrences`` form)."""
    motif_id: Text
    occurrences: Annotated[list[Occurrence], Field(min_length=1, max_length=64)]


class ChordAt(_Open):
    bar: _number(0, 63, integer=True, description="the bar the chord starts on, from 0")
    chord: Chord


class Behavior(_Open):
    """How a track plays in a section; Stori reads its behaviour from ``pattern``, ``priority``, ``density``
    or ``style``."""
    active: bool = True
    enter_bar: _number(0, 63, integer=True) | None = None
    density: str | None = None
    pattern: str | None = None
    style: str | None = None
    priority: str | None = None


class State(_Open):
    energy: Unit | None = None
    last_chord: Chord | None = None
    first_chord: Chord | None = None
    melodic_register: Register | None = None
    drum_active: bool | None = None


class Targets(BaseModel):
    """Levels measured from a musician's own notes (:mod:`stori.own`) that the learned engine asks for,
    winning over the ones the section's emotion implies."""
    model_config = ConfigDict(extra="forbid", strict=True)
    density: _number(0, 64, description="notes per bar, 0..64") | None = None
    pitch: _number(0, 127, description="mean MIDI pitch, 0..127") | None = None
    velocity: _number(0, 127, description="mean velocity, 0..127") | None = None


class Section(_Open):
    section_id: Text
    section_type: _one_of(SECTION_TYPES, "a section type")
    bars: _number(1, 64, integer=True, description="an integer 1..64")
    tempo: Tempo | None = None
    key: Key | None = None
    time_signature: Meter | None = None
    emotion_vector: Emotion = Emotion()
    chords: Annotated[list[ChordAt], Field(min_length=1, max_length=256)]
    motif_usage: list[MotifUse | MotifUses] = []
    entry_state: State = State()
    exit_state: State = State()
    track_behaviors: dict[str, Behavior] = {}
    targets: dict[str, Targets] | None = Field(None, description="role -> levels measured from a musician's "
                                               "own notes (a continuation, a variation)")

    @model_validator(mode="before")
    @classmethod
    def _usage_forms(cls, d):
        """Pick the form of each ``motif_usage`` entry by its keys, so errors name the form's own fields."""
        if isinstance(d, dict) and isinstance(d.get("motif_usage"), list):
            for k, u in enumerate(d["motif_usage"]):
                model = MotifUses if isinstance(u, dict) and "occurrences" in u else MotifUse
                try:
                    model.model_validate(u)
                except ValidationError as e:
                    raise _Located(("motif_usage", k), e) from None
        return d


class Track(_Open):
    track_id: Text
    name: str | None = None
    role: _one_of(TRACK_ROLES, "a role")
    instrument: str | None = None
    register_: Register | None = Field(None, alias="register")
    program: _number(0, 127, integer=True, description="a GM program 0..127") | None = None
    channel: _number(1, 16, integer=True, description="a MIDI channel 1..16; 10 is drums") \
        | None = None

    @model_validator(mode="after")
    def _drum_channel(self):
        if self.channel is not None and (self.role == "drums") != (self.channel == 10):
            raise _Field("channel", f"{self.channel} for role {self.role!r}", "10 for drums and only for drums")
        return self


class Refinement(_Open):
    target_section: Text
    emotion_delta: dict[_one_of(AXES, "an emotion axis"),
                        _number(-2, 2)] = {}
    regenerate_dimensions: list[str] = []


class Song(_Open):
    """A whole song plan (RMS v2, the roadmap's complete form)."""
    rms_version: Annotated[str, Field(pattern=r"^2(\.\d+)*$", description="2.x")] = "2.0"
    title: str | None = None
    genre: str | None = None
    tempo: Tempo | None = None
    key: Key | None = None
    time_signature: Meter | None = None
    global_emotion: GlobalEmotion = GlobalEmotion()
    motifs: Annotated[list[Motif], Field(max_length=MAX_SECTIONS)] = []
    sections: Annotated[list[Section], Field(min_length=1, max_length=MAX_SECTIONS,
                                             description=f"a list of 1..{MAX_SECTIONS} sections")]
    tracks: Annotated[list[Track], Field(max_length=16)] = []
    refinement: Refinement | None = None


class _Located(ValueError):
    """A validation error found inside a nested value, with where that value sits."""

    def __init__(self, loc: tuple, error: ValidationError):
        super().__init__(str(error))
        self.loc, self.error = loc, error


class _Field(Bad):
    def __init__(self, field: str, problem: str, allowed: str | None = None):
        super().__init__(problem, allowed)
        self.field = field


def schema() -> dict:
    """The JSON Schema of RMS v2, generated from the models (what ``rms_v2.schema.json`` holds)."""
    out = Song.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "stori/rms_v2.schema.json", **out}


# --- errors ------------------------------------------------------------------------------------
def _path(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _description(loc) -> str | None:
    """The ``description`` of the field at ``loc`` in the models (what the schema says is allowed)."""
    model, desc = Song, None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part)
        if info is None:
            return desc
        desc = info.description or next((m.description for m in info.metadata
                                         if getattr(m, "description", None)), None)
        model = next((t for t in _types(info.annotation) if isinstance(t, type) and issubclass(t, BaseModel)), None)
    return desc


def _types(annotation):
    stack, seen = [annotation], []
    while stack:
        t = stack.pop()
        seen.append(t)
        stack += list(typing.get_args(t))
    return seen


def to_stori_error(e: ValidationError, prefix: tuple = (), strip: tuple = ()) -> StoriError:
    """The first error of ``e`` as one StoriError line; ``prefix`` is where the validated value sits and
    ``strip`` the wrapping added around a fragment (removed so the path is the file's own)."""
    err = e.errors(include_url=False)[0]
    cause = (err.get("ctx") or {}).get("error")
    loc = prefix + tuple(err["loc"])
    if isinstance(cause, _Located):
        return to_stori_error(cause.error, loc + cause.loc, strip)
    if isinstance(cause, _Field):
        loc += (cause.field,)
    if strip and loc[:len(strip)] == strip:
        loc = loc[len(strip):]
    where = _path(loc) or "spec"
    if isinstance(cause, Bad):
        return StoriError(where, cause.problem, cause.allowed)
    allowed = _description(loc)
    if err["type"] == "missing":
        return StoriError(where, "is missing", allowed)
    if err["type"] == "extra_forbidden":
        return StoriError(_path(loc[:-1]) or "spec", f"unknown key {loc[-1]!r}", ", ".join(AXES))
    return StoriError(where, f"{_show(err.get('input'))}: {err['msg'][0].lower()}{err['msg'][1:]}", allowed)


# --- forms -------------------------------------------------------------------------------------
def _obj(d, where: str) -> dict:
    if not isinstance(d, dict):
        raise StoriError(where, f"expected an object, got {type(d).__name__}", "a JSON object")
    return d


def form_of(d: dict) -> str:
    """Which of the roadmap's forms a document is: song, section, motif, motif_usage or refinement."""
    if "sections" in d or "tracks" in d or "rms_version" in d:
        return "song"
    if "refinement" in d:
        return "refinement"
    if "motif_id" in d or "interval_pattern" in d or "intervals" in d:
        return "motif"
    if "section_id" in d or "section_type" in d or "bars" in d:
        return "section"
    if "motif_usage" in d and "section" in d:
        return "motif_usage"
    return "song"


def _section_type(name: str) -> str:
    base = str(name).lower().rstrip("0123456789").rstrip("_- ").replace("-", "_").replace(" ", "_")
    return base if base in SECTION_TYPES else "pre_chorus" if base == "prechorus" else "other"


def _upgrade_section(s, meter_beats: float) -> Any:
    """A section in Stori's earlier dialect (or the LLM's short form) in the roadmap's spelling."""
    if not isinstance(s, dict):
        return s
    s = dict(s)
    for old, new in (("id", "section_id"), ("type", "section_type"), ("emotion", "emotion_vector")):
        if old in s and new not in s:
            s[new] = s.pop(old)
    if "section_id" not in s and isinstance(s.get("name"), str):
        s["section_id"] = s.pop("name")
    if "section_type" not in s and isinstance(s.get("section_id"), str):
        s["section_type"] = _section_type(s["section_id"])
    chords, bars = s.get("chords"), s.get("bars")
    if isinstance(chords, list) and chords and all(isinstance(c, str) for c in chords):
        n = bars if isinstance(bars, int) and not isinstance(bars, bool) and 1 <= bars <= 64 else len(chords)
        per_bar = [chords[b % len(chords)] for b in range(max(n, len(chords)))]
        s["chords"] = [{"bar": b, "chord": c} for b, c in enumerate(per_bar) if b == 0 or c != per_bar[b - 1]]
    if isinstance(s.get("track_behaviours"), dict) and "track_behaviors" not in s:
        s["track_behaviors"] = {role: ({"active": False} if b == "tacet" else {"active": True, "pattern": b})
                                for role, b in s.pop("track_behaviours").items()}
    if isinstance(s.get("motif_usage"), list):
        s["motif_usage"] = [_upgrade_usage(u, meter_beats) for u in s["motif_usage"]]
    for name, chord_key in (("entry_state", "first_chord"), ("exit_state", "last_chord")):
        st = s.get(name)
        if isinstance(st, dict) and ("chord" in st or "register" in st):
            st = dict(st)
            if "chord" in st:
                st[chord_key] = st.pop("chord")
            if "register" in st:
                st["melodic_register"] = st.pop("register")
            s[name] = st
    return s


def wire_transformation(transformations: list) -> dict:
    """Stori's list of transformations in the roadmap's ``transformation`` (+ ``params``) spelling."""
    if not transformations:
        return {"transformation": None}
    if len(transformations) == 1:
        t = transformations[0]
        if isinstance(t, str):
            return {"transformation": t}
        if set(t) <= {"type", "amount"} and t["type"] in PARAMS and "amount" in t:
            return {"transformation": t["type"], "params": {PARAMS[t["type"]]: t["amount"]}}
    return {"transformation": list(transformations)}


def _upgrade_usage(u, meter_beats: float):
    if not isinstance(u, dict) or "motif" not in u or "motif_id" in u:
        return u
    u = dict(u)
    out = {"motif_id": u.pop("motif")}
    bar, beat = u.pop("bar", 1), u.pop("beat", 1)
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (bar, beat))
    out["beat"] = (bar - 1) * meter_beats + (beat - 1) if numbers and bar >= 1 and beat >= 1 else beat
    trans = u.pop("transformations", [])
    out.update(wire_transformation(trans) if isinstance(trans, list) else {"transformation": trans})
    return {**out, **u}


def _upgrade_motif(m):
    if not isinstance(m, dict):
        return m
    m = dict(m)
    for old, new in (("id", "motif_id"), ("intervals", "interval_pattern"), ("rhythm", "rhythm_pattern"),
                     ("anchor_degree", "anchor_scale_degree")):
        if old in m and new not in m:
            m[new] = m.pop(old)
    return m


def _upgrade_track(t):
    if not isinstance(t, dict):
        return t
    t = dict(t)
    if t.get("role") == "harmony":
        t["role"] = "chords"
    if "track_id" not in t and isinstance(t.get("role"), str):
        t["track_id"] = "harmony" if t["role"] == "chords" else t["role"]
    return t


def _meter_beats(value) -> float:
    try:
        num, den = (int(x) for x in str(value).split("/"))
        return float(num) if (num, den) in METERS else 4.0
    except ValueError:
        return 4.0


def validate_rms(data) -> tuple[dict, str]:
    """``(song, form)``: the document as a checked song-form dictionary (free keys kept, what it leaves out
    filled in) and the form it came in."""
    d = dict(_obj(data, "spec"))
    form = form_of(d)
    strip: tuple = ()
    if form == "motif":
        d, strip = {"motifs": [d], "sections": []}, ("motifs", 0)
    elif form == "refinement":
        d = {"sections": [], **d}
    elif form in ("section", "motif_usage"):
        if form == "motif_usage":
            d["section_id"] = d.pop("section")
        section = d
        d = {k: section[k] for k in ("tempo", "key", "time_signature") if k in section}
        d["sections"], strip = [section], ("sections", 0)
    beats = _meter_beats(d.get("time_signature", "4/4"))
    for key, upgrade in (("motifs", _upgrade_motif), ("tracks", _upgrade_track)):
        if isinstance(d.get(key), list):
            d[key] = [upgrade(x) for x in d[key]]
    if isinstance(d.get("sections"), list):
        d["sections"] = [_upgrade_section(s, beats) for s in d["sections"]]
    version = d.get("rms_version", "2.0")
    if not isinstance(version, str) or version.split(".")[0] != "2":
        raise StoriError("rms_version", f"{_show(version)} is not supported", "2.x")
    _fill(d)
    try:
        Song.model_validate(d)
    except ValidationError as e:
        raise to_stori_error(e, strip=strip) from None
    return d, form


DEFAULT_FORM = (("intro", 4), ("verse", 8), ("chorus", 8), ("bridge", 8), ("chorus", 8), ("outro", 4))
DEFAULT_PROGRAMS = {"drums": 0, "bass": 33, "chords": 0, "melody": 73, "counter_melody": 71, "pad": 89, "arpeggio": 81}


def _fill(d: dict) -> None:
    """What a plan leaves out: a default form that states the motifs when it has no sections (a motif or a
    refinement alone), 8 bars and I-V-vi-IV where a section names none, and a band (the tracks its
    sections' behaviours name, or drums, bass, chords and melody) when it has no tracks."""
    sections = d.get("sections")
    if not isinstance(sections, list):
        return
    if not sections:
        ids = [m.get("motif_id") for m in d.get("motifs", []) if isinstance(m, dict)]
        for stype, bars in DEFAULT_FORM:
            sid = stype if stype not in [x["section_id"] for x in sections] else f"{stype}_2"
            uses = [{"motif_id": i, "beat": 0} for i in ids if isinstance(i, str)]
            sections.append({"section_id": sid, "section_type": stype, "bars": bars,
                             "motif_usage": uses if stype in ("verse", "chorus") else []})
    for k, s in enumerate(sections):
        if isinstance(s, dict) and ("bars" not in s or "chords" not in s):
            key = s.get("key", d.get("key", "C major"))
            sections[k] = s = {"bars": 8, **s}
            if "chords" not in s:
                s["chords"] = default_chords(key if isinstance(key, str) else "C major")
    if "tracks" not in d:
        ids = [tid for s in sections if isinstance(s, dict) and isinstance(s.get("track_behaviors"), dict)
               for tid in s["track_behaviors"]]
        ids = list(dict.fromkeys(ids)) or ["drums", "bass", "chords", "melody"]
        d["tracks"] = [{"track_id": tid, "role": guess_role(tid)} for tid in ids[:16]]


def guess_role(track_id: str) -> str:
    """The role a track id suggests: drums, bass, melody (lead, vocal, melody), counter_melody, arpeggio, pad,
    else chords."""
    from stori.spec.gm import is_drum_kit

    words = str(track_id).lower()
    if is_drum_kit(words) or "drum" in words or "perc" in words:
        return "drums"
    if "counter" in words:
        return "counter_melody"
    if "arp" in words:
        return "arpeggio"
    if "pad" in words:
        return "pad"
    if "bass" in words:
        return "bass"
    if any(w in words for w in ("melody", "lead", "vocal", "voice", "solo", "tune")):
        return "melody"
    return "chords"


def default_chords(key: str) -> list[dict]:
    """I-V-vi-IV (major) or i-VI-III-VII (minor) in ``key``, two bars each: the chords of a section that
    names none."""
    try:
        key = normalize_key(key)
    except StoriError:
        key = "C major"
    pcs = scale_pitch_classes(key)
    out = []
    for k, deg in enumerate((1, 5, 6, 4) if is_major(key) else (1, 6, 3, 7)):
        root = pcs[deg - 1]
        minor = (pcs[(deg + 1) % 7] - root) % 12 == 3
        out.append({"bar": 2 * k, "chord": NOTE_NAMES[root] + ("m" if minor else "")})
    return out


if __name__ == "__main__":
    SCHEMA_PATH.write_text(json.dumps(schema(), indent=2) + "\n")
    print(f"wrote {SCHEMA_PATH}")
