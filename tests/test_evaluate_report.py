"""The evaluation harness end to end (quick mode), the validity checks and the section measures."""
import dataclasses
import json

import pytest

from stori.cli import main
from stori.compose import compose
from stori.data.samples import SectionSample
from stori.evaluate.measures import estimated_key, mode_strength, section_measures
from stori.evaluate.report import HEADINGS
from stori.evaluate.validity import check_sample, check_song
from stori.plan import plan_song
from stori.spec.song import PPQ, Note

BAR = 4 * PPQ


def test_quick_evaluation_writes_every_section(tmp_path):
    assert main(["evaluate", "--quick", "--engine", "baseline", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "EVALUATION.md").read_text()
    for heading in HEADINGS:
        assert f"\n## {heading}\n" in text
    assert "python -m stori evaluate" in text
    data = json.loads((tmp_path / "evaluation.json").read_text())
    for key in ("validity", "control_fidelity", "similarity", "structure", "speed"):
        assert key in data
    assert data["validity"]["baseline"]["n"] > 0
    for png in ("validity", "control_fidelity", "structure", "speed"):
        assert (tmp_path / f"{png}.png").stat().st_size > 1000


def test_quick_evaluation_without_the_datasets_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("STORI_DATA_DIR", str(tmp_path / "no-data"))
    assert main(["evaluate", "--quick", "--engine", "baseline", "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "EVALUATION.md").read_text()
    assert "Real data: not available" in text and "no comparison was made" in text
    for heading in HEADINGS:
        assert f"\n## {heading}\n" in text


def test_unknown_engine_is_a_one_line_error(tmp_path, capsys):
    assert main(["evaluate", "--quick", "--engine", "nope", "--out", str(tmp_path)]) == 2
    assert "engine" in capsys.readouterr().err
    assert not (tmp_path / "EVALUATION.md").exists()


@pytest.fixture(scope="module")
def song_and_spec():
    spec = plan_song("a pop song", structure="verse:2,chorus:2", seed=3)
    return compose(spec, "baseline", seed=3), spec


def test_a_baseline_song_passes_every_check(song_and_spec):
    song, spec = song_and_spec
    assert check_song(song, spec) == {c: [] for c in check_song(song, spec)}


def test_checks_catch_broken_songs(song_and_spec):
    song, spec = song_and_spec
    tracks = []
    for t in song.tracks:
        extra = {"drums": [Note(35, 0, 60)], "melody": [Note(20, 0, 240)],
                 "harmony": [Note(60, 480, 480)]}.get(t.role, [])
        if t.role != "bass":
            tracks.append(dataclasses.replace(t, notes=t.notes + extra))
    broken = dataclasses.replace(song, tracks=tracks, sections=song.sections[:1])
    problems = check_song(broken, spec)
    assert problems["drum_kit"] and problems["range"] and problems["zero_length"]
    assert problems["tracks"] and problems["sections"]
    assert problems["stuck"]  # notes of the dropped chorus now lie after the last section
    assert not problems["midi"]


def test_estimated_key():
    scale = [Note(p, i * PPQ, (i + 1) * PPQ) for i, p in enumerate([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60])]
    assert estimated_key(scale) == (0, "major")
    a_minor = [Note(p, i * PPQ, (i + 1) * PPQ) for i, p in enumerate([57, 60, 64, 69, 64, 60, 57, 59, 60, 62, 64, 57])]
    assert estimated_key(a_minor) == (9, "minor")
    assert mode_strength(scale) > 0 > mode_strength(a_minor)
    assert mode_strength(scale + [Note(63, 0, 2 * PPQ)]) < mode_strength(scale)  # a minor third clouds the major


def test_parts_heard_per_bar_and_each_parts_own_syncopation():
    anticipating = [Note(60, 0, PPQ), Note(62, PPQ + PPQ // 2, 3 * PPQ), Note(64, 3 * PPQ, 4 * PPQ)]  # & of 2 over 3
    on_beats = [Note(36, b * PPQ, (b + 1) * PPQ) for b in range(8)]
    sample = SectionSample(source="t#0", split="test", style="pop", section_type="verse", key="C major", tempo=100,
                           time_signature=(4, 4), n_bars=2, notes={"melody": anticipating, "bass": on_beats},
                           chords=[(0, "C")])
    m = section_measures(sample)
    assert m["active_tracks"] == 1.5  # the melody rests in the second bar
    assert m["syncopation"] == pytest.approx(1 / 11)  # the melody's anticipation, though the bass plays beat 3
    # outer parts' span per bar: melody (62) over bass (36) in bar 1; the bass alone in bar 2
    assert m["register_spread"] == pytest.approx((62 - 36 + 0) / 2)


def test_section_measures_on_a_hand_made_section():
    melody = [Note(64, 0, PPQ), Note(66, PPQ, 2 * PPQ), Note(67, 2 * PPQ + PPQ // 2, BAR)]
    sample = SectionSample(source="t#0", split="test", style="pop", section_type="verse", key="C major", tempo=100,
                           time_signature=(4, 4), n_bars=1, notes={"melody": melody, "drums": [Note(36, 0, 60, 100)]},
                           chords=[(0, "C")])
    m = section_measures(sample)
    assert m["non_chord_tone_rate"] == pytest.approx(1 / 3)  # F# over C
    assert m["note_density"] == 3  # pitched tracks only
    assert m["onset_rate"] == pytest.approx(3 / 4)
    assert m["syncopation"] == pytest.approx(1 / 3)  # the "and" of 3 tied over an empty beat 4
    assert m["active_tracks"] == 2
    assert m["register"] == pytest.approx((64 + 66 + 67) / 3)
    assert m["note_length"] == pytest.approx((1 + 1 + 1.5) / 3)


def test_unresolved_counts_the_closing_cues_away_from_home():
    def ending(chord, bass, top):
        sample = SectionSample(source="t#0", split="test", style="pop", section_type="verse", key="C major",
                               tempo=100, time_signature=(4, 4), n_bars=2,
                               notes={"melody": [Note(62, 0, PPQ), Note(top, BAR, 2 * BAR)],
                                      "bass": [Note(43, 0, PPQ), Note(bass, BAR, 2 * BAR)]},
                               chords=[(0, "G"), (BAR, chord)])
        return section_measures(sample)["unresolved"]
    assert ending("C", 36, 72) == 0  # a perfect close: the tonic in chord, bass and tune
    assert ending("C", 36, 64) == pytest.approx(1 / 3)  # the tune on the third: an imperfect close
    assert ending("G", 43, 62) == 1  # a half cadence


def test_checks_on_a_real_section():
    sample = SectionSample(source="t#0", split="test", style="pop", section_type="verse", key="C major", tempo=100,
                           time_signature=(4, 4), n_bars=1,
                           notes={"melody": [Note(30, 0, PPQ), Note(60, PPQ, PPQ)],
                                  "drums": [Note(45, 0, 60), Note(36, 0, 60)]})
    problems = check_sample(sample)
    assert problems["range"] and problems["zero_length"] and problems["drum_kit"] == ["drum notes off the kit in "
                                                                                      "'drums': [45]"]
