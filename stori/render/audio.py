"""Audio previews through FluidSynth with a General MIDI soundfont: Ogg Vorbis (about a tenth of
the bytes, what the studio and ``--render`` write) or WAV on request.

Audio is optional: when FluidSynth or a soundfont is missing, :class:`AudioUnavailable` says how
to install them and every other output still works.
"""
from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np

from stori.data.paths import PROJECT_ROOT
from stori.render.midi import NOTE_OFF, NOTE_ON, PROGRAM, track_events
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
BLOCK_S = 10  # seconds rendered and written at a time


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
        raise AudioUnavailable(f"the FluidSynth library is not available ({e.__class__.__name__}); "
                               f"{INSTALL_HINT}") from None
    return fluidsynth


def _render(song: Song, sample_rate: int, max_seconds: float | None):
    """The rendering as a generator of int16 stereo blocks of at most BLOCK_S seconds, stopping at
    ``max_seconds``; FluidSynth and the soundfont are found first, so AudioUnavailable comes before any block."""
    fluidsynth, sf_path = _synth(), find_soundfont()
    return _blocks(fluidsynth, sf_path, song, sample_rate, max_seconds)


def _blocks(fluidsynth, sf_path: Path, song: Song, sample_rate: int, max_seconds: float | None):
    limit = None if max_seconds is None else int(max_seconds * sample_rate)
    synth = fluidsynth.Synth(samplerate=float(sample_rate), gain=0.5)
    try:
        sfid = synth.sfload(str(sf_path))
        if sfid < 0:
            raise AudioUnavailable(f"FluidSynth could not load the soundfont {sf_path}")
        events = []  # (tick, kind, channel, a, b)
        for t in song.tracks:
            ch = t.channel - 1
            if t.channel == DRUM_CHANNEL:  # the program is the kit; the Standard kit when the soundfont lacks it
                synth.program_select(ch, sfid, 128, t.program if synth.sfpreset_name(sfid, 128, t.program) else 0)
            else:
                synth.program_select(ch, sfid, 0, t.program)
            events += [(tick, kind, ch, a, b) for tick, kind, a, b in track_events(t) if kind != PROGRAM]
        events.sort()
        done = 0

        def advance(frame):
            nonlocal done
            frame = frame if limit is None else min(frame, limit)
            while done < frame:
                n = min(frame - done, BLOCK_S * sample_rate)
                yield np.asarray(synth.get_samples(n), dtype=np.int16).reshape(-1, 2)
                done += n

        for tick, kind, ch, a, b in events:
            yield from advance(int(round(song.seconds(tick) * sample_rate)))
            if limit is not None and done >= limit:
                return
            if kind == NOTE_ON:
                synth.noteon(ch, a, b)
            elif kind == NOTE_OFF:
                synth.noteoff(ch, a)
            else:
                synth.cc(ch, a, b)
        end = int(round(song.seconds(song.end_tick) * sample_rate))
        yield from advance(max(end, done) + int(TAIL_S * sample_rate))
    finally:
        synth.delete()


def render_audio(song: Song, sample_rate: int = SAMPLE_RATE, max_seconds: float | None = None) -> np.ndarray:
    """Render ``song`` (its first ``max_seconds`` when given) to a stereo int16 array of shape (frames, 2)."""
    blocks = list(_render(song, sample_rate, max_seconds))
    return np.concatenate(blocks) if blocks else np.zeros((0, 2), np.int16)


def write_wav(audio: np.ndarray, path: str | Path, sample_rate: int = SAMPLE_RATE) -> Path:
    return _write(path, [audio], sample_rate)


def _write(path: str | Path, blocks, sample_rate: int) -> Path:
    path = Path(path)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        for block in blocks:
            w.writeframes(np.ascontiguousarray(block, dtype="<i2").tobytes())
    return path


def render_wav(song: Song, path: str | Path, sample_rate: int = SAMPLE_RATE, max_seconds: float | None = None) -> Path:
    """Render to a WAV file block by block (memory stays at one block however long the song)."""
    return _write(path, _render(song, sample_rate, max_seconds), sample_rate)


OGG_CHUNK = 8192  # frames per write: libsndfile's Vorbis encoder crashes on one very large write


def render_ogg(song: Song, path: str | Path, sample_rate: int = SAMPLE_RATE, max_seconds: float | None = None) -> Path:
    """Render to an Ogg Vorbis file (libsndfile, shipped inside the ``soundfile`` wheel), block by block."""
    import soundfile

    blocks = _render(song, sample_rate, max_seconds)  # AudioUnavailable before the file is opened
    path = Path(path)
    with soundfile.SoundFile(str(path), "w", samplerate=sample_rate, channels=2, format="OGG", subtype="VORBIS") as out:
        for block in blocks:
            for i in range(0, len(block), OGG_CHUNK):
                out.write(block[i:i + OGG_CHUNK])
    return path


AUDIO_FORMATS = {"ogg": render_ogg, "wav": render_wav}


def render_preview(song: Song, path: str | Path, sample_rate: int = SAMPLE_RATE,
                   max_seconds: float | None = None) -> Path:
    """Render to ``path`` in the format its suffix names (.ogg or .wav)."""
    return AUDIO_FORMATS[Path(path).suffix.lower().lstrip(".")](song, path, sample_rate, max_seconds)
