from pathlib import Path

import numpy as np
import pytest

from stori.data.paths import DEFAULT_DATA_DIR
from stori.data.pop909 import (
    BASS_SPLIT,
    chord_symbol,
    key_label,
    parse_chord_line,
    parse_phrases,
    quantize,
    split_bass,
    time_to_steps,
)
from stori.data.splits import SPLITS, pop909_ids, shuffled_pop909_split
from stori.errors import StoriError
from stori.theory import parse_chord

HAVE_DATA = (Path(DEFAULT_DATA_DIR) / "pop909-structure" / "POP909" / "001").is_dir()


def test_parse_phrases():
    phrases = parse_phrases("i4A4B8A4b4B8o3\n")
    assert [p.letter for p in phrases] == list("iABAbBo")
    assert [p.n_bars for p in phrases] == [4, 4, 8, 4, 4, 8, 3]
    assert [p.section_type for p in phrases] == ["intro", "verse", "chorus", "verse", "bridge", "chorus", "outro"]
    assert [p.section_type for p in parse_phrases("X2x10C8D4")] == ["other", "other", "bridge", "other"]
    with pytest.raises(StoriError):
        parse_phrases("i4A")


@pytest.mark.parametrize("line, expected", [
    ("B:maj [3, 6, 11] 11 2 ", ("B", 2)),
    ("Bb:min [1, 5, 10] 10 2", ("Bbm", 2)),
    ("B:maj7 [3, 6, 9, 11] 11 1", ("Bmaj7", 1)),
    ("Gb:maj [1, 6, 10] 6 4", ("F#", 4)),
    ("C#:min/b3 [1, 4, 8] 4 3", ("C#m", 3)),
    ("F:sus4(b7, 9) [0, 3, 5, 7, 10] 5 2", ("F7sus4", 2)),
    ("E:hdim7 [2, 4, 7, 10] 4 1", ("Em7b5", 1)),
    ("A:maj(9) [1, 4, 9, 11] 9 2", ("Aadd9", 2)),
    ("N []  7 ", ("N", 7)),
    ("N [10] 18 2", ("N", 2)),
])
def test_parse_chord_line(line, expected):
    assert parse_chord_line(line) == expected
    parse_chord(expected[0])  # Stori's theory accepts every emitted symbol


def test_chord_symbol_falls_back_by_family():
    assert chord_symbol("D:min7(13)") == "Dm7"
    assert chord_symbol("D:minweird") == "Dm"
    assert parse_chord_line("") is None


def test_key_label():
    assert key_label("Gb:maj") == "F# major"
    assert key_label("A:min") == "A minor"


def test_time_to_steps_interpolates_and_extrapolates():
    beats = np.array([1.0, 1.5, 2.0, 3.0])  # tempo changes after beat 2
    steps = time_to_steps(np.array([1.0, 1.25, 2.5, 3.5, 0.75]), beats)
    assert np.allclose(steps, [0, 2, 10, 14, -2])


def test_quantize_snaps_to_sixteenths_and_cleans_duplicates():
    beats = np.arange(0, 10, 0.5)  # 120 bpm: a 16th is 0.125 s
    notes = {"time": np.array([0.01, 0.26, 0.26, 0.5]), "duration": np.array([0.24, 0.5, 0.1, 0.01]),
             "pitch": np.array([60, 62, 62, 60]), "velocity": np.array([90, 80, 70, 60])}
    rows = quantize(notes, beats)
    assert rows.tolist() == [[0, 2, 60, 90], [2, 6, 62, 80], [4, 5, 60, 60]]


def test_bass_rule_takes_lowest_unheld_note_below_split_and_is_monophonic():
    piano = np.array([
        [0, 16, 36, 80],   # C2 held for the bar: bass
        [0, 4, 60, 70],    # C4 at the same onset: harmony
        [4, 8, 43, 70],    # G2 over the held C2: harmony (a lower note is still sounding)
        [16, 32, 41, 80],  # F2 next bar: bass
        [24, 32, 38, 80],  # D2 below the held F2: bass, and cuts the F2
        [28, 32, 57, 60],  # A3 above the split: harmony
    ])
    bass, harmony = split_bass(piano)
    assert bass[:, 2].tolist() == [36, 41, 38]
    assert bass[:, 1].tolist() == [16, 24, 32]
    assert sorted(harmony[:, 2].tolist()) == [43, 57, 60]
    assert (bass[:, 2] < BASS_SPLIT).all()


def test_splits_are_fixed_disjoint_and_cover_all_songs():
    ids = {s: set(pop909_ids(s)) for s in SPLITS}
    assert [len(ids[s]) for s in SPLITS] == [727, 91, 91]
    assert not (ids["train"] & ids["valid"]) and not (ids["train"] & ids["test"]) and not (ids["valid"] & ids["test"])
    assert set.union(*ids.values()) == {f"{i:03d}" for i in range(1, 910)}
    assert {k: set(v) for k, v in shuffled_pop909_split().items()} == ids


@pytest.mark.skipif(not HAVE_DATA, reason="POP909 data not available")
def test_real_song_001():
    from stori.data.pop909 import load_song

    sections = load_song("001")
    assert [s.section_type for s in sections[:3]] == ["intro", "verse", "chorus"]
    assert sum(s.n_bars for s in sections) == 71
    verse = sections[1]
    assert verse.key == "F# major" and verse.time_signature == (4, 4) and abs(verse.tempo - 90) < 1
    assert verse.chords[:3] == [(0, "B"), (480, "Bmaj7"), (960, "C#")]
    # bars line up with the corrected downbeats: the verse melody starts on its first beat ...
    assert verse.notes["melody"][0].start == 0
    # ... and the derived bass plays the chord roots on the chord changes
    roots = {t: parse_chord(c)[0] for t, c in verse.chords}
    on_changes = [n for n in verse.notes["bass"] if n.start in roots]
    assert len(on_changes) >= 3 and all(n.pitch % 12 == roots[n.start] for n in on_changes)
    for s in sections:
        for role, notes in s.notes.items():
            assert all(0 <= n.start < n.end <= s.n_bars * 1920 and n.start % 120 == 0 for n in notes), role


def test_report_chorus_minus_verse_on_synthetic_sections():
    from stori.data.attributes import section_attributes
    from stori.data.report import verse_vs_chorus
    from stori.data.samples import SectionSample
    from stori.spec.song import Note

    def section(song, kind, velocity, pitch, n_notes):
        notes = [Note(pitch, i * 240, i * 240 + 240, velocity) for i in range(n_notes)]
        return SectionSample(f"pop909:{song}#0", "train", "pop", kind, "C major", 100.0, (4, 4), 1,
                             {"melody": notes}, [(0, "C")])

    every = [section("001", "verse", 80, 60, 4), section("001", "chorus", 100, 64, 8),
             section("002", "verse", 90, 62, 4), section("002", "verse", 70, 62, 4),
             section("002", "chorus", 90, 67, 4),
             section("003", "chorus", 127, 80, 8)]  # no verse: not counted
    attrs = {"melody": [section_attributes(s.notes["melody"], 1, 1920, s.chords) for s in every]}
    attrs["all"] = attrs["melody"]
    out = verse_vs_chorus(every, attrs)["melody"]
    assert out["mean_velocity"]["songs"] == 2
    assert out["mean_velocity"]["mean_diff"] == (20 + 10) / 2
    assert out["mean_pitch"]["mean_diff"] == (4 + 5) / 2
    assert out["note_density"]["mean_diff"] == (4 + 0) / 2
    assert out["note_density"]["share_songs_chorus_higher"] == 0.5


def test_bass_rule_keeps_high_arpeggio_notes_in_harmony():
    # C2 short, then E3 two beats later: more than an octave above the nearby low note -> harmony
    bass, harmony = split_bass(np.array([[0, 2, 36, 80], [4, 6, 52, 70]]))
    assert bass[:, 2].tolist() == [36] and harmony[:, 2].tolist() == [52]
    # G2 instead: within the octave -> a bass note
    bass, _ = split_bass(np.array([[0, 2, 36, 80], [4, 6, 43, 70]]))
    assert bass[:, 2].tolist() == [36, 43]
