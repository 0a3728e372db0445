"""The song bundle on disk: song.mid, spec.json, traces.json, stems/<track>.mid, optional preview.ogg
(or preview.wav on request).

A bundle is built in a temporary folder beside its destination and moved into place, so an error
half-way never leaves a half-written bundle.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from stori.errors import StoriError
from stori.render.audio import AUDIO_FORMATS, render_preview
from stori.render.midi import midi_to_song, song_and_stems, stem_name
from stori.spec.song import Song, Track
from stori.spec.song_spec import SongSpec

BUNDLE_FILES = ("song.mid", "spec.json", "traces.json")


def write_bundle(song: Song, out_dir: str | Path, render: bool | str = False) -> dict[str, Path]:
    """Write ``song`` as a bundle in ``out_dir``; returns the written paths by name.

    With ``render`` a FluidSynth preview is written too: ``preview.ogg`` (``True`` or ``"ogg"``) or
    ``preview.wav`` (``"wav"``); if audio is unavailable this raises
    :class:`~stori.render.audio.AudioUnavailable` before anything is moved into ``out_dir``.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise StoriError("out", f"{str(out)!r} exists and is not a folder", "a new or existing folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".stori-", dir=out.parent))
    try:
        whole, stems = song_and_stems(song)
        (tmp / "song.mid").write_bytes(whole)
        (tmp / "spec.json").write_text(song.spec.dumps() if song.spec else "{}\n", encoding="utf-8")
        (tmp / "traces.json").write_text(json.dumps(song.traces, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp / "stems").mkdir()
        for i, (track, stem) in enumerate(zip(song.tracks, stems)):
            (tmp / "stems" / f"{stem_name(track, i)}.mid").write_bytes(stem)
        if render:
            audio = "ogg" if render is True else render
            if audio not in AUDIO_FORMATS:
                raise StoriError("render", f"{str(audio)[:20]!r} is not an audio format", ", ".join(AUDIO_FORMATS))
            render_preview(song, tmp / f"preview.{audio}")
        out.mkdir(exist_ok=True)
        if (out / "stems").is_dir():
            shutil.rmtree(out / "stems")
        written = {}
        for item in sorted(tmp.iterdir()):
            dest = out / item.name
            item.replace(dest)
            written[item.name] = dest
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_bundle(path: str | Path) -> Song:
    """Load a bundle written by :func:`write_bundle` (the notes from song.mid, plan and traces from JSON)."""
    root = Path(path)
    missing = [f for f in BUNDLE_FILES if not (root / f).is_file()]
    if missing:
        raise StoriError("bundle", f"{str(root)!r} lacks {', '.join(missing)}", "a folder written by 'stori generate'")
    song = midi_to_song(root / "song.mid")
    song.spec = SongSpec.load(root / "spec.json")
    try:
        song.traces = json.loads((root / "traces.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        raise StoriError("bundle", "traces.json is not valid JSON", "a folder written by 'stori generate'") from None
    by_name = {(t.name, t.channel): t for t in song.tracks}
    ordered = []
    for ts in song.spec.tracks:  # restore roles from the spec; a part silent all song is an empty track
        t = by_name.get((ts.name, ts.channel)) or Track(name=ts.name, role=ts.role, program=ts.program,
                                                        channel=ts.channel)
        t.role = ts.role
        ordered.append(t)
    song.tracks = ordered if any(t.notes for t in ordered) else song.tracks
    song.key, song.tempo, song.time_signature = song.spec.key, song.spec.tempo, song.spec.time_signature
    song.sections = song.spec.spans()
    return song
