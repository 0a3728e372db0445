"""The whole flow as one call: plan -> compose -> perform. Everything the studio and CLI do starts here."""
from __future__ import annotations

import re

from stori.compose import DEFAULT_ENGINE, compose
from stori.perform.expression import perform as perform_song
from stori.plan import plan_song
from stori.spec.song import Song
from stori.spec.song_spec import SongSpec, plan_coverage
from stori.trace import NULL_RECORDER, TraceRecorder, because


def generate(prompt: str = "", *, emotion: dict | None = None, tempo: float | None = None, key: str | None = None,
             structure: str | None = None, time_signature: str | None = None, spec: SongSpec | None = None,
             engine: str = DEFAULT_ENGINE, seed: int = 0, trace: bool = True, perform: bool = True,
             on_stage=None) -> Song:
    """Plan (unless ``spec`` is given), compose and perform a song (``perform=False`` keeps the
    quantized score). Same arguments and seed give the same song. ``on_stage(stage, text, done)`` hears
    as each stage (``plan``, ``compose``, ``perform``) begins (``done`` 0) and, while composing, as each
    section is done ("composing: verse 2 done, 3 of 9 sections", ``done`` the share of sections done)."""
    stage = on_stage or (lambda name, text, done=0.0: None)
    tracer = TraceRecorder() if trace else NULL_RECORDER
    if spec is None:
        stage("plan", "planning the form, chords and feel")
        spec = plan_song(prompt, emotion=emotion, tempo=tempo, key=key, structure=structure,
                         time_signature=time_signature, seed=seed, tracer=tracer)
    else:
        spec = honour_plan(spec, tracer)
    n = len(spec.sections)
    stage("compose", f"composing {n} section{'s' * (n != 1)} ({sum(s.bars for s in spec.sections)} bars) with the "
                     f"{engine} engine")
    song = compose(spec, engine, seed=seed, tracer=tracer,
                   on_section=lambda k, n, sid: stage("compose", f"composing: {_spoken(sid)} done, {k} of {n} sections",
                                                      k / n))
    if not perform:
        return song
    stage("perform", "performing: dynamics, articulation, groove")
    return perform_song(song, seed=seed, trace=trace)


def _spoken(section_id: str) -> str:
    """A section id as said: "verse2" -> "verse 2", "pre_chorus" -> "pre chorus"."""
    return re.sub(r"(?<=[a-z])(\d+)$", r" \1", section_id.replace("_", " "))


def honour_plan(spec: SongSpec, tracer: TraceRecorder = NULL_RECORDER) -> SongSpec:
    """A given plan as it will play: its refinement applied (the target section's emotion moved by the delta),
    and one trace saying what of the plan is honoured and what is kept without being played."""
    if spec.refinement is not None:
        spec = spec.copy()
        r, spec.refinement = spec.refinement, None
        targets = [s for s in spec.sections if r["target_section"] in (s.id, s.type)]
        for s in targets:
            s.emotion = s.emotion.shifted(r.get("emotion_delta", {}))
        tracer.record("refinement", "song", {"target_section": r["target_section"],
                                             "sections": [s.id for s in targets],
                                             "emotion_delta": r.get("emotion_delta", {}),
                                             "regenerate_dimensions": r.get("regenerate_dimensions", [])},
                      [because("plan", "refinement", f"moves the emotion of {', '.join(s.id for s in targets)}"
                               if targets else "names no section of this song; nothing moved", 1.0)],
                      confidence=1.0 if targets else 0.0,
                      principle="a new song generates every dimension, so the refinement's delta is what changes")
    if tracer.enabled:
        done, kept = plan_coverage(spec)
        tracer.record("rms_v2", "song", {"form": spec.form, "honoured": done, "not_honoured": kept},
                      [because("plan", spec.form, f"{len(done)} choices honoured, {len(kept)} kept but not played",
                               1.0)],
                      confidence=1.0, principle="a plan from another tool is played as written where Stori can, "
                      "and kept whole (written back unchanged) where it cannot")
    return spec
