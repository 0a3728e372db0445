"""Bring your own MIDI: continue, vary and accompany keep the musician's notes and carry their music on."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from stori.data.paths import DEFAULT_DATA_DIR
from stori.errors import StoriError
from stori.own.accompany import accompany
from stori.own.extend import continue_song, vary_song
from stori.own.listen import hear, infer_key, key_fit, next_chords, recognise_chords
from stori.own.melody_chords import melody_chords
from stori.render.midi import midi_bytes, midi_to_song
from stori.spec.song import PPQ, Note, SectionSpan, Song, Track
from stori.theory import parse_chord
from tests.own_band import BAR, PROGRESSION
from tests.own_band import band as _band

ROOT = Path(__file__).resolve().parents[1]
HAVE_POP909 = (Path(DEFAULT_DATA_DIR) / "pop909" / "004").is_dir()


@pytest.fixture(scope="module")
def band() -> Song:
    return _band()


@pytest.fixture(scope="module")
def continued(band) -> Song:
    return midi_to_song(midi_bytes(continue_song(band, 4, seed=3)))


def test_hears_key_roles_chords_and_the_progression_going_on(band):
    heard = hear(band)
    assert heard.key == "C major" and heard.bars == 8 and heard.tempo == 96.0 and heard.meter == (4, 4)
    assert heard.roles == ["drums", "bass", "harmony", "melody"]
    assert heard.chords == list(PROGRESSION) * 2
    assert next_chords(heard.chords, 6) == ["C", "Am", "F", "G", "C", "Am"]
    assert next_chords(["C", "F", "G", "Am", "Dm"], 3) == ["F", "G", "Am"]  # no loop yet: the last 4 bars go on


def test_chords_are_heard_per_half_bar_and_key_from_profiles():
    notes = [Note(p, 0, 2 * PPQ) for p in (57, 60, 64)] + [Note(p, 2 * PPQ, BAR) for p in (53, 57, 60)]
    assert recognise_chords(notes, 1, BAR, "C major") == ["Am F"]
    a_minor = [Note(p, k * PPQ, (k + 1) * PPQ) for k, p in enumerate((69, 71, 72, 74, 76, 72, 69, 68, 69, 64, 69))]
    assert infer_key(a_minor) == "A minor"
    assert key_fit(a_minor, "A minor") > 0.8 > key_fit(a_minor, "Eb minor") and math.isnan(key_fit([], "C major"))


def test_the_learned_melody_model_hears_an_arpeggiated_progression():
    melody = []
    for b, symbol in enumerate(("C", "F", "G", "C", "Am", "F", "G", "C")):
        root, pcs, _ = parse_chord(symbol)
        tones = sorted(60 + (pc - 0) % 12 for pc in pcs)
        melody += [Note(tones[k % 3], b * BAR + k * PPQ, b * BAR + (k + 1) * PPQ) for k in range(4)]
    heard = melody_chords(melody, 8, BAR, "C major")
    roots = [parse_chord(bar.split()[0])[0] for bar in heard]
    assert sum(r == parse_chord(s)[0] for r, s in zip(roots, ("C", "F", "G", "C", "Am", "F", "G", "C"))) >= 6


def test_continue_keeps_every_input_note_tempo_meter_and_tracks(band, continued):
    assert [t.name for t in continued.tracks] == [t.name for t in band.tracks]
    cut = 8 * BAR
    for before, after in zip(band.tracks, continued.tracks):
        assert [n for n in after.notes if n.start < cut] == before.notes
        assert after.program == before.program and after.channel == before.channel
        assert any(n.start >= cut for n in after.notes), after.name  # every part goes on
    assert continued.tempo == band.tempo and continued.time_signature == band.time_signature
    assert continued.key == "C major"
    assert max(n.start for t in continued.tracks for n in t.notes) < 12 * BAR


def test_the_seam_keeps_register_chords_and_groove(band, continued):
    cut = 8 * BAR
    lead = continued.tracks[3].notes
    before = [n.pitch for n in lead if cut - 2 * BAR <= n.start < cut]
    after = [n.pitch for n in lead if cut <= n.start < cut + 2 * BAR]
    assert abs(sum(after) / len(after) - sum(before) / len(before)) <= 7
    new_bass = [n for n in continued.tracks[1].notes if n.start >= cut]
    on_root = sum(n.pitch % 12 == parse_chord(PROGRESSION[(n.start // BAR) % 4])[0] for n in new_bass)
    assert on_root / len(new_bass) >= 0.5  # the bass follows C Am F G on
    kicks_before = sum(n.pitch == 36 for n in band.tracks[0].notes if n.start >= cut - 4 * BAR) / 4
    kicks_after = sum(n.pitch in (35, 36) for n in continued.tracks[0].notes if n.start >= cut) / 4
    assert kicks_after >= 1 and abs(sum(1 for n in continued.tracks[0].notes if n.start >= cut) / 4
                                    - len([n for n in band.tracks[0].notes if n.start >= cut - 4 * BAR]) / 4) <= 12
    assert kicks_before == 2


def test_continue_is_the_same_for_the_same_seed_and_differs_for_another(band, continued):
    assert midi_bytes(midi_to_song(midi_bytes(continue_song(band, 4, seed=3)))) == midi_bytes(continued)
    assert midi_bytes(continue_song(band, 4, seed=4)) != midi_bytes(continue_song(band, 4, seed=3))


def test_vary_changes_only_the_chosen_bars_of_the_chosen_track(band):
    varied = midi_to_song(midi_bytes(vary_song(band, "3-4", ["bass"], seed=1)))
    lo, hi = 2 * BAR, 4 * BAR
    for before, after in zip(band.tracks, varied.tracks):
        if before.name != "Bass":
            assert after.notes == before.notes
            continue
        assert [n for n in after.notes if not lo <= n.start < hi] == [n for n in before.notes if not lo <= n.start < hi]
        inside = [n for n in after.notes if lo <= n.start < hi]
        assert inside and inside != [n for n in before.notes if lo <= n.start < hi]
        assert all(28 <= n.pitch <= 55 for n in inside)
    by_number = vary_song(band, "2", ["1"], seed=1)
    assert by_number.tracks[1].notes == band.tracks[1].notes


def test_accompany_keeps_the_melody_and_adds_drums_bass_and_harmony(band):
    tune = Song([band.tracks[3]], [], band.tempo, band.time_signature)
    tune = midi_to_song(midi_bytes(tune))
    song = accompany(tune, seed=2)
    back = midi_to_song(midi_bytes(song))
    lead = [t for t in back.tracks if t.name == "Lead"]
    assert len(lead) == 1 and lead[0].notes == tune.tracks[0].notes
    assert {t.role for t in song.tracks if t.notes} >= {"drums", "bass", "harmony", "melody"}
    assert len({t.channel for t in song.tracks}) == len(song.tracks)  # the tune keeps a channel of its own
    given = accompany(tune, ["Dm G", "C"], seed=2)
    first = given.spec.sections[0]
    assert [first.chords[b % len(first.chords)] for b in range(3)] == ["Dm G", "C", "Dm G"]  # the loop, per bar
    harmony = next(t for t in given.tracks if t.role == "harmony")
    assert sum(n.pitch for n in harmony.notes) / len(harmony.notes) < sum(n.pitch for n in tune.tracks[0].notes) / len(
        tune.tracks[0].notes)


def test_cli_continue_vary_and_accompany_write_their_files(tmp_path):
    src = tmp_path / "in.mid"
    src.write_bytes(midi_bytes(_band(4)))
    runs = [["continue", str(src), "--bars", "2", "--out", str(tmp_path / "more.mid")],
            ["vary", str(src), "--bars", "2-3", "--tracks", "drums,4", "--out", str(tmp_path / "varied.mid")],
            ["accompany", str(src), "--chords", "C | Am | F | G", "--out", str(tmp_path / "band")]]
    for args in runs:
        r = subprocess.run([sys.executable, "-m", "stori", *args], cwd=ROOT, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stderr
    assert midi_to_song(tmp_path / "more.mid").end_tick > 4 * BAR
    assert midi_to_song(tmp_path / "varied.mid").tracks[1].notes == midi_to_song(src).tracks[1].notes
    assert {"song.mid", "spec.json", "traces.json", "stems"} <= {p.name for p in (tmp_path / "band").iterdir()}


@pytest.mark.parametrize("args,field", [
    (["continue", "{src}", "--bars", "0", "--out", "{out}"], "bars: "),
    (["vary", "{src}", "--bars", "3-9", "--tracks", "bass", "--out", "{out}"], "bars: "),
    (["vary", "{src}", "--bars", "2", "--tracks", "tuba", "--out", "{out}"], "tracks: "),
    (["accompany", "{src}", "--chords", "C | H7", "--out", "{out}"], "chords: "),
    (["continue", "{bad}", "--out", "{out}"], "midi: "),
    (["continue", "{empty}", "--out", "{out}"], "midi: "),
    (["continue", "{silent}", "--out", "{out}"], "midi: the file has no notes"),
])
def test_bad_requests_and_files_get_one_line_naming_the_field_and_write_nothing(tmp_path, args, field):
    src, bad, empty, silent = (tmp_path / f"{n}.mid" for n in ("src", "bad", "empty", "silent"))
    src.write_bytes(midi_bytes(_band(4)))
    bad.write_bytes(b"not a midi file at all")
    empty.write_bytes(b"")
    silent_song = Song([Track("x", "melody", 0, 1, [])], [SectionSpan("s", "other", 0, BAR)], 100.0)
    silent.write_bytes(midi_bytes(silent_song))
    names = {"src": src, "bad": bad, "empty": empty, "silent": silent, "out": tmp_path / "out.mid"}
    r = subprocess.run([sys.executable, "-m", "stori", *[a.format(**names) for a in args]], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and field in r.stderr, r.stderr
    assert not (tmp_path / "out.mid").exists()


def test_meters_stori_cannot_compose_in_are_refused(band):
    odd = Song(band.tracks, band.sections, band.tempo, (5, 8))
    with pytest.raises(StoriError, match="time_signature"):
        continue_song(odd, 2)


@pytest.mark.skipif(not HAVE_POP909, reason="POP909 not present at ../shared/data")
def test_evaluation_on_a_held_out_song_keeps_every_note():
    from stori.own.evaluation import evaluate

    summary = evaluate(songs=1)["summary"]
    kept, total = summary["input_notes_kept"].split("/")
    assert kept == total and int(total) > 50
    assert summary["tempo_kept"] == summary["meter_kept"] == summary["key_kept"] == 1
    assert summary["accompaniment_full_band"] == summary["accompaniment_melody_kept"] == 1
    assert summary["chord_accuracy"]["texture"]["root"] > 0.6


def _roles(song: Song, shift: int = 0) -> dict:
    return {t.role: [Note(n.pitch + (0 if t.is_drums else shift), n.start, n.end, n.velocity) for n in t.notes]
            for t in song.tracks}


def test_retrieval_finds_the_place_that_continues_the_input_and_conditions_on_it(band, monkeypatch):
    from stori.own import retrieval

    other = Song([Track("Lead", "melody", 0, 1, [Note(60 + (k * 5) % 12, k * 3 * PPQ, k * 3 * PPQ + 2 * PPQ)
                                                  for k in range(40)])], [], 100.0)
    ix = retrieval.index_songs([("same tune in D", _roles(band, 2)), ("other", _roles(other))])
    monkeypatch.setattr(retrieval, "index", lambda: ix)
    found = retrieval.retrieve(band, hear(band), k=3)
    assert [c["rank"] for c in found] == [1, 2, 3]
    assert found[0]["source"] == "same tune in D, bar 5" and found[0]["relevance"] > 0.95 > found[-1]["relevance"]
    assert found[0]["chords"] == ["C", "Am", "F", "G"]  # the D-major song's next chords, moved into C
    assert "| 1 | same tune in D, bar 5 |" in retrieval.table_markdown(found)
    song = continue_song(band, 4, seed=1, retrieve=True)
    assert song.spec.sections[-1].chords == ["C", "Am", "F", "G"]
    assert song.spec.extra["retrieved"][0]["source"] == "same tune in D, bar 5"
    assert any(t["decision_type"] == "retrieval" for t in song.traces)
    assert [[n for n in t.notes if n.start < 8 * BAR] for t in song.tracks] == [t.notes for t in band.tracks]


def test_a_part_varied_where_it_rested_still_plays(band):
    quiet = Song([Track(t.name, t.role, t.program, t.channel,
                        [n for n in t.notes if t.name != "Lead" or not BAR <= n.start < 6 * BAR]) for t in band.tracks],
                 band.sections, band.tempo, band.time_signature)
    varied = vary_song(quiet, "3-4", ["melody"], seed=2)
    assert [n for n in varied.tracks[3].notes if 2 * BAR <= n.start < 4 * BAR]
    continued = continue_song(Song([Track(t.name, t.role, t.program, t.channel,
                                          [n for n in t.notes if t.name != "Lead" or n.start < 2 * BAR])
                                    for t in band.tracks], band.sections, band.tempo, band.time_signature), 2, seed=2)
    assert not [n for n in continued.tracks[3].notes if n.start >= 8 * BAR]  # the tune had stopped: it stays out
