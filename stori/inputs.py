"""The rules for every field a person or a client sends: one home for the CLI, the studio and REST.

Each rule returns the value as Stori uses it or raises a StoriError whose one line names the field
and what is allowed, so ``--seed 2**70`` on the command line, ``"seed": 2**70`` in a REST body and
a seed of 2**70 in the studio get the same answer. JSON text (spec files, the emotion field, REST
bodies) goes through :func:`stori.safe_json.load_json`, which bounds nesting and number size before anything else
reads it.
"""
from __future__ import annotations

from stori.errors import StoriError, check_range
from stori.spec.emotion import EmotionVector
from stori.spec.song_spec import MAX_SECTIONS, MAX_TOTAL_BARS, parse_time_signature
from stori.theory import normalize_key

MAX_SEED = 2**31 - 1
MAX_PROMPT_CHARS = 2000
MAX_KEY_CHARS = 40
MAX_STRUCTURE_CHARS = 400
TEMPO_RANGE = (40.0, 240.0)
KEY_EXAMPLE = "a key such as 'A minor' or 'Eb major'"


def seed(value, field: str = "seed") -> int:
    allowed = f"an integer 0..{MAX_SEED}"
    if isinstance(value, bool) or value is None:
        raise StoriError(field, f"{value!r} is not an integer", allowed)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 20:
        value = int(value)
    if not isinstance(value, int):
        raise StoriError(field, f"{str(value)[:40]!r} is not an integer", allowed)
    if not 0 <= value <= MAX_SEED:
        raise StoriError(field, f"{value if abs(value) < 10**20 else 'a huge number'} is out of range", allowed)
    return value


def text(value, field: str, max_chars: int, allowed: str) -> str:
    """A string of at most ``max_chars`` characters (any Unicode; NUL and other C0 controls but tab
    and newline are dropped)."""
    if not isinstance(value, str):
        raise StoriError(field, f"is a {type(value).__name__}, not text", allowed)
    if len(value) > max_chars:
        raise StoriError(field, f"has {len(value)} characters", allowed)
    return "".join(c for c in value if c >= " " or c in "\t\n")


def prompt(value) -> str:
    return text("" if value is None else value, "prompt", MAX_PROMPT_CHARS,
                f"a description up to {MAX_PROMPT_CHARS} characters")


def key(value) -> str | None:
    """None (the key comes from the words) or a key; an empty key is refused, not guessed."""
    if value is None:
        return None
    value = text(value, "key", MAX_KEY_CHARS, KEY_EXAMPLE).strip()
    if not value:
        raise StoriError("key", "is empty", f"{KEY_EXAMPLE}; leave it out to take the key from the words")
    try:
        return normalize_key(value)
    except StoriError as e:
        raise StoriError("key", e.problem, e.allowed) from None


def tempo(value) -> float | None:
    return None if value is None else check_range("tempo", value, *TEMPO_RANGE)


def time_signature(value) -> str | None:
    if value is None:
        return None
    num, den = parse_time_signature(text(value, "time_signature", 8, "a meter such as 4/4"))
    return f"{num}/{den}"


def structure(value) -> str | None:
    """None (the form comes from the genre) or ``type:bars`` pairs within the spec's section and bar limits."""
    from stori.plan.planner import parse_structure

    if value is None:
        return None
    value = text(value, "structure", MAX_STRUCTURE_CHARS, "type:bars pairs such as 'intro:4,verse:8,chorus:8'")
    form = parse_structure(value)
    if len(form) > MAX_SECTIONS or sum(bars for _, bars in form) > MAX_TOTAL_BARS:
        raise StoriError("structure", f"{len(form)} sections, {sum(b for _, b in form)} bars",
                         f"up to {MAX_SECTIONS} sections and {MAX_TOTAL_BARS} bars in all")
    return value


def engine(value, engines) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in engines:
        raise StoriError("engine", f"{str(value)[:40]!r} is not an engine", ", ".join(engines))
    return value


def emotion(value) -> dict | None:
    """None or an object of axis -> number, each in its axis' range."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise StoriError("emotion", f"is a {type(value).__name__}",
                         "an object such as {\"energy\": 0.7, \"valence\": -0.2}")
    try:
        EmotionVector.from_dict(value)
    except StoriError as e:
        raise StoriError(e.field if e.field == "emotion" else f"emotion.{e.field}", e.problem, e.allowed) from None
    return {a: float(v) for a, v in value.items() if v is not None} or None


def generate_args(*, prompt_text=None, emotion_values=None, tempo_bpm=None, key_name=None, form=None,
                  meter=None, engine_name=None, seed_value=0, engines=()) -> dict:
    """Every field of a generate request checked, as keyword arguments of ``studio.create_song``."""
    return dict(prompt=prompt(prompt_text), emotion=emotion(emotion_values), tempo=tempo(tempo_bpm), key=key(key_name),
                structure=structure(form), time_signature=time_signature(meter), engine=engine(engine_name, engines),
                seed=seed(seed_value))
