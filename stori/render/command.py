"""``stori render IN.mid --out OUT.ogg`` (or ``OUT.wav``): any MIDI file to a FluidSynth preview."""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from stori.errors import StoriError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("midi", help="a .mid file")
    p.add_argument("--out", required=True, help="the .ogg (Ogg Vorbis) or .wav file to write")


def run(args) -> int:
    from stori.render.audio import AUDIO_FORMATS, AudioUnavailable, render_preview
    from stori.render.midi import midi_to_song

    out = Path(args.out)
    if out.suffix.lower().lstrip(".") not in AUDIO_FORMATS:
        raise StoriError("out", "does not end in .ogg or .wav", "a path ending in .ogg or .wav")
    song = midi_to_song(args.midi)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=out.suffix.lower(), dir=out.parent)
    os.close(fd)
    try:
        render_preview(song, tmp)
        os.replace(tmp, out)
    except AudioUnavailable as e:
        raise StoriError("audio", str(e)) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"wrote {out} ({song.duration_s:.1f} s)")
    return 0
