"""COMPOSE: SongSpec -> Song, through a named engine."""
from __future__ import annotations

import importlib

from stori.errors import StoriError
from stori.spec.song import Song
from stori.spec.song_spec import SongSpec
from stori.trace import NULL_RECORDER, TraceRecorder

# name -> "module:function"; an engine takes (spec, seed=, tracer=, sections=, roles=) and returns a Song
# holding only those sections and parts (compose.sequence.splice keeps the rest).
ENGINES = {
    "learned": "stori.compose.learned:compose_learned",
    "baseline": "stori.compose.baseline:compose_baseline",
}
DEFAULT_ENGINE = "learned"


def engine(name: str):
    if name not in ENGINES:
        raise StoriError("engine", f"{name!r} is not an engine", ", ".join(ENGINES))
    module, func = ENGINES[name].split(":")
    return getattr(importlib.import_module(module), func)


def compose(spec: SongSpec, engine_name: str = DEFAULT_ENGINE, seed: int = 0, tracer: TraceRecorder = NULL_RECORDER,
            sections: set[str] | None = None, base: Song | None = None, roles: tuple[str, ...] | None = None,
            passes: int | None = None, on_section=None) -> Song:
    """Compose ``spec`` section by section over the named engine (see :mod:`stori.compose.sequence`).

    With ``sections`` and ``base`` only those sections change (only ``roles`` of them when given);
    ``on_section(k, n, section_id)`` hears of each section in turn."""
    from stori.compose.sequence import compose_sections

    song = compose_sections(spec, engine(engine_name), seed=seed, tracer=tracer, sections=sections, base=base,
                            roles=roles, on_section=on_section, **({} if passes is None else {"passes": passes}))
    song.traces = list(base.traces) + tracer.traces if base is not None else tracer.traces
    return song
