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
             engine: str = DEFAULT_ENGINE, seed: int = 0, trace: bool = True, perform: bool = True,
             on_stage=None) -> Song:
    """Plan (unless ``spec`` is given), compose and perform a song (``perform=False`` keeps the
    quantized score). Same arguments and seed give the same song. ``on_stage(stage, text)`` hears
    as each stage (``plan``, ``compose``, ``perform``) begins."""
    stage = on_stage or (lambda name, text: None)
    tracer = TraceRecorder() if trace else NULL_RECORDER
    if spec is None:
        stage("plan", "planning the form, chords and feel")
        spec = plan_song(prompt, emotion=emotion, tempo=tempo, key=key, structure=structure,
                         time_signature=time_signature, seed=seed, tracer=tracer)
    n = len(spec.sections)
    stage("compose", f"composing {n} section{'s' * (n != 1)} ({sum(s.bars for s in spec.sections)} bars) with the "
                     f"{engine} engine")
    song = compose(spec, engine, seed=seed, tracer=tracer)
    if not perform:
        return song
    stage("perform", "performing: dynamics, articulation, groove")
    return perform_song(song, seed=seed, trace=trace)
