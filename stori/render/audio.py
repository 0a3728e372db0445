"""WAV preview through FluidSynth with a General MIDI soundfont.

Audio is optional: when FluidSynth or a soundfont is missing, :class:`AudioUnavailable` says how
to install them and every other output still works.
"""
from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np

from stori.data.paths import PROJECT_ROOT
from stori.spec.song import DRUM_CHANNEL, Song

INSTALL_HINT = "install it with: sudo apt-get install fluidsynth fluid-soundfont-gm"
SOUNDFONT_PLACES = (
    PROJECT_ROOT / "soundfonts",
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/soundfonts/FluidR3_GM.sf2"),
    Path("/usr/share/soundfonts/default.sf2"),
)
SAMPLE_RATE = 44100
TAIL_S = 0.5


class AudioUnavailable(RuntimeError):
    """FluidSynth or a GM soundfont is missing; the message names the install command."""


def find_soundfont() -> Path:
    """``$STORI_SOUNDFONT``, else the first .sf2 in ``soundfonts/``, else the system GM soundfont."""
    env = os.environ.get("STORI_SOUNDFONT")
    if env:
        if Path(env).is_file():
            return Path(env)
        raise AudioUnavailable(f"STORI_SOUNDFONT={env} is not a file")
    for place in SOUNDFONT_PLACES:
        if place.is_dir():
            found = sorted(place.glob("*.sf2"))
            if found:
                return found[0]
        elif place.is_file():
            return place
    raise AudioUnavailable(f"no General MIDI soundfont found (looked in soundfonts/ and /usr/share); {INSTALL_HINT}")


def _synth():
    try:
        import fluidsynth  # pyfluidsynth; loads libfluidsynth at import
    except (ImportError, OSError) as e:
        raise AudioUnavailable(f"the FluidSynth library is not available ({e.__class__.__name__}); {INSTALL_HINT}") from None
    return fluidsynth


def render_audio(song: Song, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Render ``song`` to a stereo int16 array of shape (frames, 2)."""
    fluidsynth = _synth()
    sf_path = find_soundfont()
    synth = fluidsynth.Synth(samplerate=float(sample_rate), gain=0.5)
    try:
        sfid = synth.sfload(str(sf_path))
        if sfid < 0:
            raise AudioUnavailable(f"FluidSynth could not load the soundfont {sf_path}")
        events = []  # (tick, order, kind, channel, a, b)
        for t in song.tracks:
            ch = t.channel - 1
            if t.channel == DRUM_CHANNEL:
                synth.program_select(ch, sfid, 128, 0)
            else:
                synth.program_select(ch, sfid, 0, t.program)
            events += [(c.tick, 0, "cc", ch, c.control, c.value) for c in t.controls]
            for n in t.notes:
                events.append((n.end, 1, "off", ch, n.pitch, 0))
                events.append((n.start, 2, "on", ch, n.pitch, n.velocity))
        events.sort()
        chunks, done = [], 0
        for tick, _, kind, ch, a, b in events:
            frame = int(round(song.seconds(tick) * sample_rate))
            if frame > done:
                chunks.append(synth.get_samples(frame - done))
                done = frame
            if kind == "on":
                synth.noteon(ch, a, b)
            elif kind == "off":
                synth.noteoff(ch, a)
            else:
                synth.cc(ch, a, b)
        end = int(round(song.seconds(song.end_tick) * sample_rate))
        chunks.append(synth.get_samples(max(0, end - done) + int(TAIL_S * sample_rate)))
    finally:
        synth.delete()
    audio = np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)
    return audio.reshape(-1, 2)


def write_wav(audio: np.ndarray, path: str | Path, sample_rate: int = SAMPLE_RATE) -> Path:
    path = Path(path)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(np.ascontiguousarray(audio, dtype="<i2").tobytes())
    return path


def render_wav(song: Song, path: str | Path, sample_rate: int = SAMPLE_RATE) -> Path:
    return write_wav(render_audio(song, sample_rate), path, sample_rate)
