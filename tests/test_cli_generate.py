"""The generate and render commands as a user runs them: bundles, audio, determinism, bad input."""
import json
import subprocess
import sys
import wave

import numpy as np
import pytest
import soundfile

from stori.cli import main
from stori.render.audio import AudioUnavailable, find_soundfont
from stori.render.bundle import read_bundle
from stori.render.midi import midi_to_song
from stori.spec.song_spec import SongSpec
from tests.conftest import ROOT

PROMPT = "bittersweet indie folk song about leaving home"


def audio_available():
    try:
        find_soundfont()
        import fluidsynth  # noqa: F401
        return True
    except (AudioUnavailable, ImportError, OSError):
        return False


def test_generate_writes_a_bundle_with_four_roles_in_planned_sections(tmp_path, capsys):
    out = tmp_path / "song"
    assert main(["generate", "--prompt", PROMPT, "--out", str(out), "--seed", "1", "--engine", "baseline"]) == 0
    assert {p.name for p in out.iterdir()} == {"song.mid", "spec.json", "traces.json", "stems"}
    song = read_bundle(out)
    assert [t.role for t in song.tracks] == ["drums", "bass", "harmony", "melody"]
    assert all(t.notes for t in song.tracks)
    assert len(list((out / "stems").glob("*.mid"))) == 4
    assert [(s.id, s.type) for s in song.sections][:3] == [("intro", "intro"), ("verse1", "verse"),
                                                           ("pre_chorus", "pre_chorus")]
    for span, s in zip(song.sections, song.spec.sections):  # every section has music in it
        assert any(song.notes_in(t, span) for t in song.tracks), s.id
    assert "wrote" in capsys.readouterr().out


def test_same_seed_gives_a_byte_identical_song(tmp_path):
    for name in ("a", "b"):
        assert main(["generate", "--prompt", PROMPT, "--out", str(tmp_path / name), "--seed", "7", "--engine",
                     "baseline"]) == 0
    assert (tmp_path / "a" / "song.mid").read_bytes() == (tmp_path / "b" / "song.mid").read_bytes()
    main(["generate", "--prompt", PROMPT, "--out", str(tmp_path / "c"), "--seed", "8", "--engine", "baseline"])
    assert (tmp_path / "a" / "song.mid").read_bytes() != (tmp_path / "c" / "song.mid").read_bytes()


@pytest.mark.skipif(not audio_available(), reason="FluidSynth or a GM soundfont is not installed")
def test_render_makes_a_preview_that_is_not_silent_and_as_long_as_the_midi(tmp_path):
    out = tmp_path / "song"
    assert main(["generate", "--prompt", PROMPT, "--out", str(out), "--seed", "1", "--engine", "baseline",
                 "--structure", "verse:4,chorus:4", "--render", "wav"]) == 0
    with wave.open(str(out / "preview.wav")) as w:
        seconds = w.getnframes() / w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert abs(seconds - midi_to_song(out / "song.mid").duration_s) < 1.0
    assert np.abs(samples).max() > 1000
    light = tmp_path / "light"  # the default preview: Ogg Vorbis, as long, a fraction of the bytes
    assert main(["generate", "--prompt", PROMPT, "--out", str(light), "--seed", "1", "--engine", "baseline",
                 "--structure", "verse:4,chorus:4", "--render"]) == 0
    ogg, info = light / "preview.ogg", soundfile.info(str(light / "preview.ogg"))
    assert info.format == "OGG" and info.subtype == "VORBIS" and abs(info.duration - seconds) < 0.1
    assert ogg.stat().st_size * 5 < (out / "preview.wav").stat().st_size and not (light / "preview.wav").exists()
    assert main(["render", str(out / "stems" / "02_bass.mid"), "--out", str(tmp_path / "bass.wav")]) == 0
    assert (tmp_path / "bass.wav").stat().st_size > 1000


@pytest.mark.parametrize("args,field", [
    (["--valence", "3"], "emotion.valence"),
    (["--structure", "intro:4,verse:0"], "structure"),
    (["--key", "H major"], "key"),
    (["--tempo", "10"], "tempo"),
    (["--engine", "magic"], "engine"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, args, field):
    out = tmp_path / "never"
    proc = subprocess.run([sys.executable, "-m", "stori", "generate", "--prompt", "x", "--out", str(out), *args],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"error: {field}:" in lines[0] and "allowed" in lines[0]
    assert "Traceback" not in proc.stderr and not out.exists()


def test_malformed_spec_and_unreadable_midi(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    proc = subprocess.run([sys.executable, "-m", "stori", "generate", "--spec", str(bad), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "spec:" in proc.stderr
    junk = tmp_path / "junk.mid"
    junk.write_bytes(b"MThd\x00\x00\x00\x06garbage")
    proc = subprocess.run([sys.executable, "-m", "stori", "render", str(junk), "--out", str(tmp_path / "o.wav")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "midi:" in proc.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path / "o.wav").exists()


def test_missing_soundfont_gives_one_clear_message_and_the_rest_is_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STORI_SOUNDFONT", str(tmp_path / "nowhere.sf2"))
    out = tmp_path / "song"
    assert main(["generate", "--prompt", PROMPT, "--out", str(out), "--engine", "baseline", "--structure", "verse:2",
                 "--render"]) == 0
    err = capsys.readouterr().err
    assert "no preview.ogg" in err and "STORI_SOUNDFONT" in err
    assert (out / "song.mid").is_file() and not (out / "preview.ogg").exists()
    with pytest.raises(AudioUnavailable, match="apt-get install fluidsynth fluid-soundfont-gm"):
        monkeypatch.delenv("STORI_SOUNDFONT")
        monkeypatch.setattr("stori.render.audio.SOUNDFONT_PLACES", ())
        find_soundfont()


RMS_FILES = sorted((ROOT.parent / "shared" / "rms-v2").glob("*.json"))


@pytest.mark.parametrize("path", RMS_FILES, ids=lambda p: p.stem)
def test_generate_from_each_roadmap_file(tmp_path, path):
    out = tmp_path / "song"
    assert main(["generate", "--spec", str(path), "--out", str(out), "--engine", "baseline"]) == 0
    song = read_bundle(out)
    spec = SongSpec.load(path)
    assert [s.id for s in song.sections] == [s.id for s in spec.sections]
    assert song.tempo == spec.tempo and song.spec.key == spec.key
    assert sum(len(t.notes) for t in song.tracks) > 0
    written = json.loads((out / "spec.json").read_text())
    assert "section_id" in written["sections"][0] and "motif_id" not in json.dumps(written["tracks"])
    report = next(t for t in json.loads((out / "traces.json").read_text()) if t["decision_type"] == "rms_v2")
    assert report["decision"]["form"] == spec.form


def test_the_complete_example_plays_what_it_says(tmp_path):
    path = ROOT.parent / "shared" / "rms-v2" / "complete-example.json"
    assert main(["generate", "--spec", str(path), "--out", str(tmp_path / "s"), "--engine", "baseline"]) == 0
    song = read_bundle(tmp_path / "s")
    intro = song.section("intro")
    for role in ("drums", "bass", "melody"):  # "active": false in the intro
        assert not song.notes_in(song.track(role), intro), role
    assert song.notes_in(song.track("harmony"), intro)
    assert {t.role: t.program for t in song.tracks}["bass"] == 32  # acoustic_bass
