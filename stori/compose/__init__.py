"""COMPOSE: SongSpec -> Song, through a named engine."""
from __future__ import annotations

import importlib

from stori.errors import StoriError
from stori.spec.song import Song
from stori.spec.song_spec import SongSpec
from stori.trace import NULL_RECORDER, TraceRecorder

# name -> "module:function"; an engine takes (spec, seed, tracer) and returns a Song.
ENGINES = {
    "baseline": "stori.compose.baseline:compose_baseline",
}
DEFAULT_ENGINE = "baseline"


def engine(name: str):
    if name not in ENGINES:
        raise StoriError("engine", f"{name!r} is not an engine", ", ".join(ENGINES))
    module, func = ENGINES[name].split(":")
    return getattr(importlib.import_module(module), func)


def compose(spec: SongSpec, engine_name: str = DEFAULT_ENGINE, seed: int = 0, tracer: TraceRecorder = NULL_RECORDER) -> Song:
    song = engine(engine_name)(spec, seed=seed, tracer=tracer)
    song.traces = tracer.traces
    return song
