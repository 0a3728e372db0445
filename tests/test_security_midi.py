"""Every MIDI that enters is held to the limits of stori.render.midi_limits, refused in one line with
nothing written; Unicode text survives the round trip; plotting and rendering stay bounded."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stori.errors import StoriError
from stori.render.midi import midi_bytes, midi_to_song
from stori.render.midi_limits import MAX_MIDI_BYTES
from tests.smf import END, meter, note, simple, smf, tempo, text, track

ROOT = Path(__file__).resolve().parents[1]
UNICODE = ["it’s", "home — away", "🎵🔥", "שלום עולם", "zero\u200bwidth", "naïve café", "日本語の歌"]

# (what the issue found, the file, the words the one-line refusal must hold)
HOSTILE = [
    ("65-byte file, delta 0x0FFFFFFF", smf(track(note(delta=0x0FFFFFFF) + END)), "minutes; allowed: up to 60 minutes"),
    ("note held for 0x0FFFFFFF ticks", smf(track(note(length=0x0FFFFFFF) + END)), "minutes"),
    ("tempo 0", simple(tempo(0)), "tempo of inf BPM"),
    ("tempo of 3.6 BPM", simple(tempo(0xFFFFFF)), "BPM; allowed: tempos of 10..1000 BPM"),
    ("meter 0/4", simple(meter(0, 2)), "time signature 0/4"),
    ("meter 4/2^20", simple(meter(4, 20)), "time signature 4/1048576"),
    ("10,000 markers", simple(*[text(6, b"m%d" % i, delta=1) for i in range(10_000)]), "more than 256 markers"),
    ("20,000 tracks", smf(*[track(note() + END) for _ in range(20_000)]), "more than 256 track chunks"),
    ("60,000 notes", smf(track(b"".join(note(40 + i % 40) for i in range(60_000)) + END)), "more than 50000 notes"),
    ("80 tracks of notes", smf(*[track(note(channel=c) + END) for c in range(16)] * 5), "80 tracks with notes"),
    ("SMPTE division", smf(track(note() + END), division=0xE728), "SMPTE"),
    ("format 7", smf(track(note() + END), fmt=7), "format 7"),
    ("not MIDI", b"RIFF....WAVEfmt ", "no MThd header"),
    ("truncated header", b"MThd\x00\x00\x00\x06\x00", "truncated"),
    ("oversized", b"MThd" + bytes(MAX_MIDI_BYTES), f"up to {MAX_MIDI_BYTES} bytes"),
]


@pytest.mark.parametrize("name,data,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_are_refused_in_one_line(name, data, words):
    with pytest.raises(StoriError) as err:
        midi_to_song(data)
    message = str(err.value)
    assert message.startswith("midi: ") and words in message and "\n" not in message


@pytest.mark.parametrize("command", ["humanize", "render", "continue", "accompany"])
def test_cli_refuses_a_hostile_file_with_exit_2_and_writes_nothing(tmp_path, command):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(HOSTILE[0][1])
    out = tmp_path / ("out.mid" if command == "humanize" else "out.wav")
    r = subprocess.run([sys.executable, "-m", "stori", command, str(bad), "--out", str(out)], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "midi: lasts" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mid"]


def test_sane_files_still_read_with_their_tempo_and_meter():
    song = midi_to_song(simple(tempo(400_000), meter(6, 3)))
    assert song.tempo == 150 and song.time_signature == (6, 8)


def test_unicode_titles_track_names_and_markers_round_trip_as_utf8():
    from stori.pipeline import generate

    for words in UNICODE:
        song = generate(f"a song about {words}", structure="verse:1,chorus:1", engine="baseline", trace=False)
        song.tracks[0].name = words
        song.sections[0] = type(song.sections[0])(words, "verse", song.sections[0].start, song.sections[0].end)
        data = midi_bytes(song)
        back = midi_to_song(data)
        assert words.encode("utf-8") in data
        assert back.tracks[0].name == words and back.sections[0].id == words
    latin1 = midi_to_song(simple(text(3, "Caf\xe9".encode("latin-1"))))  # files from elsewhere keep their Latin-1
    assert latin1.tracks[0].name == "Café"


def test_cli_generate_with_unicode_prompts_and_paths(tmp_path):
    out = tmp_path / "песня ’🎵"
    r = subprocess.run([sys.executable, "-m", "stori", "generate", "--prompt", "a ‘tender’ song — 🎵 שלום \u200b",
                        "--structure", "verse:1", "--engine", "baseline", "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "‘tender’ song — 🎵 שלום".encode() in (out / "song.mid").read_bytes()  # the title, as UTF-8
    assert "שלום" in (out / "spec.json").read_text(encoding="utf-8")


def test_piano_roll_is_bounded_for_the_largest_file_allowed():
    from stori.render.figures import MAX_ROLL_NOTES, MAX_ROLL_SECTIONS, piano_roll

    markers = [text(6, b"m%d" % i, delta=480) for i in range(256)]
    song = midi_to_song(smf(track(b"".join(markers) + b"".join(note(40 + i % 40,
                                                                    length=30) for i in range(50_000)) + END)))
    fig = piano_roll(song)
    assert sum(len(tr.y) for tr in fig.data) <= MAX_ROLL_NOTES and len(fig.layout.shapes) == MAX_ROLL_SECTIONS
    assert "first 20000 of 50000 notes" in fig.layout.title.text


def test_preview_rendering_is_capped(tmp_path):
    import wave

    from stori.render.audio import AudioUnavailable, render_wav

    song = midi_to_song(smf(track(note() + note(delta=480 * 2 * 60 * 20) + END)))  # 20 minutes at 120 BPM
    assert song.duration_s > 1200
    try:
        render_wav(song, tmp_path / "p.wav", sample_rate=8000, max_seconds=5)
    except AudioUnavailable:
        pytest.skip("FluidSynth is not installed")
    with wave.open(str(tmp_path / "p.wav")) as w:
        assert w.getnframes() == 5 * 8000
