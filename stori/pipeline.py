"""The whole flow as one call: plan -> compose -> perform. Everything the studio and CLI do starts here."""
from __future__ import annotations

from stori.compose import DEFAULT_ENGINE, compose
from stori.perform.expression import perform as perform_song
from stori.plan import plan_song
from stori.spec.song import Song
from stori.spec.song_spec import SongSpec
from stori.trace import NULL_RECORDER, TraceRecorder


def generate(prompt: str = "", *, emotion: dict | None = None, tempo: float | None = None, key: str | None = None,
             structure: str | None = None, time_signature: str | None = None, spec: SongSpec | None = None,
             engine: str = DEFAULT_ENGINE, seed: int = 0, trace: bool = True, perform: bool = True) -> Song:
    """Plan (unless ``spec`` is given), compose and perform a song (``perform=False`` keeps the
    quantized score). Same arguments and seed give the same song."""
    tracer = TraceRecorder() if trace else NULL_RECORDER
    if spec is None:
        spec = plan_song(prompt, emotion=emotion, tempo=tempo, key=key, structure=structure,
                         time_signature=time_signature, seed=seed, tracer=tracer)
    song = compose(spec, engine, seed=seed, tracer=tracer)
    return perform_song(song, seed=seed, trace=trace) if perform else song
