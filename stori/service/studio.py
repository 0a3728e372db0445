"""What the studio does, as plain functions over a Workspace: generate, refine, drums, humanize.

The Gradio callbacks, the named API endpoints and the REST tasks all call these, so every door
into the studio runs the same code. CPU work goes through ``SLOTS`` so the UI queue and the REST
tasks together never run more songs at once than the machine has cores for.
"""
from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from statistics import median

from stori import inputs
from stori.compose import DEFAULT_ENGINE, ENGINES
from stori.errors import StoriError
from stori.perform import groove_model
from stori.perform.drums import make_drums as perform_drums
from stori.perform.groove_features import GMD_STYLES
from stori.perform.humanize import humanize_song
from stori.perform.styles import get_style
from stori.pipeline import generate
from stori.render.audio import AudioUnavailable, render_ogg
from stori.render.midi import midi_to_song
from stori.render.summary import metrics_markdown
from stori.service.workspace import PREVIEW_MAX_S, PREVIEW_RATE, Take, Workspace
from stori.spec.song import Song, excerpt
from stori.spec.song_spec import SongSpec

SLOTS = threading.BoundedSemaphore(max(1, min(2, os.cpu_count() or 1)))
MAX_CHAT_CHARS = 500
STAGES = {"plan": 0.02, "compose": 0.05, "perform": 0.5, "write": 0.53, "render": 0.55}
"""Where each stage of a new song starts, as a fraction of its time (measured: composing ~45%, rendering ~45%)."""


def _next_stage(name: str) -> float:
    """Where the stage after ``name`` starts (1 after the last)."""
    starts = sorted(STAGES.values())
    return next((x for x in starts if x > STAGES[name]), 1.0)


def create_song(ws: Workspace, prompt: str = "", *, emotion: dict | None = None, tempo: float | None = None,
                key: str | None = None, structure: str | None = None, time_signature: str | None = None,
                spec: SongSpec | None = None, engine: str | None = None, seed: int = 0, render: bool = True,
                on_step=None) -> Take:
    """Plan (unless ``spec``) and compose a song, save it as version 1 of a new id, open its chat.

    ``on_step(fraction, text)``, when given, hears of each stage (the UI's progress bar).
    """
    step = on_step or (lambda fraction, text: None)
    fields = inputs.generate_args(prompt_text=prompt, emotion_values=emotion, tempo_bpm=tempo, key_name=key,
                                  form=structure,
                                  meter=time_signature, engine_name=engine or DEFAULT_ENGINE, seed_value=seed,
                                  engines=ENGINES)
    prompt, emotion, tempo, key, structure, time_signature, engine, seed = (
        fields[k] for k in ("prompt", "emotion", "tempo", "key", "structure", "time_signature", "engine", "seed"))
    with SLOTS:
        song = generate(prompt or "", emotion=emotion or None, tempo=tempo or None, key=key or None,
                        structure=structure or None, time_signature=time_signature or None, spec=spec,
                        engine=engine, seed=int(seed), on_stage=lambda name, text, done=0.0: step(
                            STAGES[name] + done * (_next_stage(name) - STAGES[name]), text))
        step(STAGES["write"], "writing MIDI and stems")
        take = ws.save(song, render=False)
        if render:
            step(STAGES["render"], f"rendering the audio preview ({song.duration_s:.0f} s)")
            ws.render(take)
    take.message = f"Made **{song.spec.title}** with the {engine} engine."
    ws.open_chat(take, engine, int(seed))
    return take


def refine_song(ws: Workspace, song_id: str, text: str, token: str, render: bool = True) -> Take:
    """Say ``text`` to the song's chat session (``token``: the song's access token); a changed song is
    saved as its next version (undo and redo too: every file a client was given stays where it was).

    The returned take's ``message`` is the reply (the musical diff, or a "why?" answer).
    """
    ws.check_token(song_id, token)
    text = inputs.text("" if text is None else text, "message", 10 * MAX_CHAT_CHARS, "a command").strip()
    if not text or len(text) > MAX_CHAT_CHARS:
        raise StoriError("message", "is empty or too long",
                         f"a command of 1..{MAX_CHAT_CHARS} characters, e.g. 'make the bridge more intense'")
    return _answer(ws, song_id, token, lambda session: session.say(text), render)


def edit_song(ws: Workspace, song_id: str, token: str, spec: SongSpec, regenerate: tuple[str, ...] = (),
              render: bool = True) -> Take:
    """The song's next version from its edited plan (the section table, "Regenerate section"): only the
    sections whose plan changed, and ``regenerate``, are composed again (:meth:`SongSession.edit`);
    undo goes back as after a chat command."""
    ws.check_token(song_id, token)
    if not isinstance(spec, SongSpec):
        raise StoriError("spec", "is not a song plan", "the song's spec with edited sections")
    return _answer(ws, song_id, token, lambda session: session.edit(spec, set(regenerate)), render)


def _answer(ws: Workspace, song_id: str, token: str, speak, render: bool) -> Take:
    """``speak(session)`` on the song's chat session; a changed song is saved as its next version (undo
    and redo move between versions: every file a client was given stays where it was)."""
    with ws.song_lock(song_id), SLOTS:
        chat = ws.chat(song_id, token)  # after a restart, rebuilt from the version folders
        try:
            reply = speak(chat.session)  # commands, "why?" questions, edits, undo and redo alike
            song = reply.song
            if song is chat.take.song:
                take = Take(chat.take.song_id, chat.take.version, song, chat.take.folder, chat.take.audio_note)
            else:
                moved = reply.command.action in ("undo", "redo")  # to a version saved before: its preview is kept
                earlier = chat.row["versions"][chat.session.index] if moved else None
                take = ws.save(song, song_id, render=render, same_as=earlier)
                ws.commit_chat(chat, take, new_version=not moved)
                reply.version = take.version  # the chat counts versions as the song's folders do
                if moved:
                    reply.heading = f"**Version {{v}}** — the song of version {earlier} again ({reply.command.action})"
        except BaseException:
            ws.forget(song_id)  # the session in memory may be ahead of what was saved
            raise
    take.token = token
    take.message = reply.markdown
    take.extra["changed_sections"] = list(reply.changed_sections)
    return take


def hear_parts(ws: Workspace, song_id: str, token: str, roles, section: str | None, path: str | Path) -> Path:
    """The song's current version with only the parts ``roles`` (the others muted), and only
    ``section`` when given, rendered to ``path`` (Ogg): the studio's mute/solo and section loop."""
    ws.check_token(song_id, token)
    song = ws.chat(song_id, token).take.song
    have = [t.role for t in song.tracks]
    roles = list(roles or [])
    if not roles or any(r not in have for r in roles):
        raise StoriError("parts", f"{', '.join(map(str, roles))[:80] or 'none'} chosen",
                         "one or more of " + ", ".join(have))
    if section is not None and section not in [s.id for s in song.sections]:
        raise StoriError("section", f"{str(section)[:40]!r} is not in this song",
                         ", ".join(s.id for s in song.sections))
    with SLOTS:
        try:
            return render_ogg(excerpt(song, roles, section), path, sample_rate=PREVIEW_RATE, max_seconds=PREVIEW_MAX_S)
        except AudioUnavailable as e:
            raise StoriError("audio", str(e)) from None


def make_drums(ws: Workspace, style: str = "boom_bap", bars: int = 4, time_signature: str = "4/4", tempo: float = 90,
               humanize: bool = True, pattern_type: str = "verse", seed: int = 0, render: bool = True) -> Take:
    """A producer-style drum part (:func:`stori.perform.drums.make_drums`) as a one-track take."""
    with SLOTS:
        song = perform_drums(style, bars, tempo, time_signature, humanize=bool(humanize), pattern_type=pattern_type,
                             seed=int(seed))
        take = ws.save(song, render=render)
    take.message = (f"**{get_style(style).title}** {pattern_type}: {len(song.tracks[0].notes)} hits over {int(bars)} "
                    f"bars of {time_signature} at {float(tempo):g} BPM{', humanized' if humanize else ''}.")
    return take


def humanize_midi(ws: Workspace, source: str | Path | bytes, style: str = "", amount: float = 0.7, seed: int = 0,
                  render: bool = True) -> tuple[Song, Take]:
    """Parse an untrusted MIDI upload, humanize it; returns (the song as uploaded, the humanized take)."""
    before = midi_to_song(source)  # within the limits of stori.render.midi_limits, one-line StoriError
    with SLOTS:
        after = humanize_song(before, style=style or None, amount=float(amount), seed=int(seed))
        take = ws.save(after, render=render)
    pairs = [(b, a) for tb, ta in zip(before.tracks, after.tracks) for b, a in zip(tb.notes, ta.notes)]
    ms = [abs(a.start - b.start) * 60000.0 / (before.tempo * before.ppq) for b, a in pairs]
    vel = [abs(a.velocity - b.velocity) for b, a in pairs]
    take.message = (f"Humanized {len(pairs)} notes on {len(after.tracks)} tracks (amount {float(amount):g}): same "
                    f"notes; timing moved a median {median(ms or [0]):.1f} ms (at most {max(ms or [0]):.0f} ms), "
                    f"velocity a median {median(vel or [0]):g} (at most {max(vel or [0])}).")
    return before, take


OWN_ACTIONS = ("continue", "accompany", "vary")
MAX_OWN_FIELD_CHARS = 400


def own_midi(ws: Workspace, source: str | Path | bytes, action: str = "continue", bars: int = 8, bar_range: str = "",
             tracks: str = "", chords: str = "", prompt: str = "", seed: int = 0, retrieve: bool = False,
             render: bool = True) -> tuple[Song, Take]:
    """A musician's MIDI upload continued by ``bars`` (grounded in a real song with ``retrieve``),
    accompanied (``chords`` or the ones heard, ``prompt`` for the band), or varied (``bar_range`` such
    as "5-6" of ``tracks`` such as "bass,2"); returns (the song as uploaded, the new take). Their notes
    stay as they were."""
    from stori.own.accompany import accompany
    from stori.own.extend import continue_song, vary_song
    from stori.own.listen import check_chords

    if action not in OWN_ACTIONS:
        raise StoriError("action", f"{str(action)[:40]!r} is not an action", ", ".join(OWN_ACTIONS))
    seed = inputs.seed(seed)
    text = {name: inputs.text(value or "", name, MAX_OWN_FIELD_CHARS, allowed).strip() for name, value, allowed in (
        ("bars", bar_range, "a bar range such as '5-6'"), ("tracks", tracks, "roles or track numbers such as 'bass,2'"),
        ("chords", chords, "chords such as 'C G Am F'"))}
    before = midi_to_song(source)  # within the limits of stori.render.midi_limits, one-line StoriError
    with SLOTS:
        if action == "continue":
            song = continue_song(before, bars, seed=seed, retrieve=bool(retrieve))
            what = f"Continued by {int(bars)} bars"
        elif action == "vary":
            song = vary_song(before, text["bars"], text["tracks"].split(","), seed=seed)
            what = f"Bars {text['bars']} of {text['tracks']} composed anew"
        else:
            song = accompany(before, check_chords(text["chords"]) if text["chords"] else None,
                             prompt=inputs.prompt(prompt), seed=seed)
            what = "Drums, bass and harmony composed around the melody"
        take = ws.save(song, render=render)
    chord_list = " | ".join(song.spec.sections[-1].chords[:8])
    take.message = (f"{what}: {song.key}, {song.tempo:g} BPM, {song.time_signature[0]}/{song.time_signature[1]}; "
                    f"chords {chord_list}. Your notes are as you played them.")
    if song.spec.extra.get("retrieved"):
        from stori.own.retrieval import table_markdown

        take.message += "\n\nGrounded in the real song that best continues yours:\n\n" + table_markdown(
            song.spec.extra["retrieved"])
    return before, take


def humanize_styles() -> tuple[str, ...]:
    """The feels the groove model knows (Groove MIDI Dataset styles)."""
    return tuple(GMD_STYLES)


def warm_up() -> None:
    """Compose one bar with every engine (loading any model) and load the groove model, once, before serving."""
    for name in ENGINES:
        generate("", structure="verse:1", engine=name, trace=False)
    # Without its checkpoint the studio still composes; Humanize then says what is missing.
    with contextlib.suppress(StoriError):
        groove_model.load()


def describe(take: Take) -> dict:
    """A take as JSON: what API clients and REST tasks get."""
    spec = take.song.spec
    return {"song_id": take.song_id, "token": take.token, "version": take.version, "title": spec.title if spec else "",
            "message": take.message, "summary": metrics_markdown(take.song), "audio_note": take.audio_note,
            "sections": [s.id for s in spec.sections] if spec else [],
            "changed_sections": take.extra.get("changed_sections", []), "files": take.links()}
