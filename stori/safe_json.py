"""JSON from untrusted text (spec files, the emotion field, REST bodies), bounded before anything reads it."""
from __future__ import annotations

import json
import math

from stori.errors import StoriError

MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 40  # digits (and sign, point, exponent) of one JSON number


def load_json(data: str | bytes, field: str, allowed: str):
    """Parse untrusted JSON: nesting up to MAX_JSON_DEPTH, numbers of up to MAX_NUMBER_CHARS characters
    and finite, no NaN/Infinity; anything else is one StoriError on ``field``."""
    def number(kind):
        def parse(s: str):
            if len(s) > MAX_NUMBER_CHARS:
                raise StoriError(field, f"has a number of {len(s)} characters",
                                 f"numbers of up to {MAX_NUMBER_CHARS} characters")
            v = kind(s)
            if isinstance(v, float) and not math.isfinite(v):
                raise StoriError(field, f"has the number {s[:20]} out of range", "finite numbers")
            return v
        return parse

    def constant(name):
        raise StoriError(field, f"has {name}", "finite numbers")

    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise StoriError(field, "is not UTF-8 text", allowed) from None
    deep = StoriError(field, f"nests deeper than {MAX_JSON_DEPTH} levels", allowed)
    try:
        value = json.loads(data, parse_int=number(int), parse_float=number(float), parse_constant=constant)
    except json.JSONDecodeError as e:
        raise StoriError(field, f"is not valid JSON ({e.msg} at {e.lineno}:{e.colno})", allowed) from None
    except RecursionError:
        raise deep from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise deep
    return value


def _depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iterative, no recursion)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            deepest = max(deepest, d + 1)
            stack += [(x, d + 1) for x in (v.values() if isinstance(v, dict) else v)]
    return deepest
