"""Realness facts, their agreement with ../shared/tools/groove_facts.py, and the two-sample test."""
import importlib.util
import json
import random

import pytest
from conftest import DATA_DIR, ROOT

from stori.cli import main
from stori.data.part_facts import LOUD, Part, downbeat_share, midi_facts, part_of, song_facts
from stori.evaluate.two_sample import balanced_accuracy, halves, windows_of
from stori.render.midi import song_to_midi
from stori.spec.song import PPQ, Note, SectionSpan, Song, Track

S = PPQ // 4  # one 16th
BAR = 16 * S
GROOVE_FACTS = ROOT.parent / "shared" / "tools" / "groove_facts.py"


def _beat(bars: int, snare_steps=lambda b: (4, 12), extra=lambda b: ()) -> list[Note]:
    notes = []
    for b in range(bars):
        notes += [Note(36, b * BAR + k * S, b * BAR + k * S + S, 100) for k in (0, 8)]
        notes += [Note(38, b * BAR + k * S, b * BAR + k * S + S, 100) for k in snare_steps(b)]
        notes += [Note(42, b * BAR + k * S, b * BAR + k * S + S, 70) for k in range(0, 16, 2)]
        notes += [Note(p, b * BAR + k * S, b * BAR + k * S + S, 100) for p, k in extra(b)]
    return sorted(notes, key=lambda n: (n.start, n.pitch))


def _song(drums: list[Note], pitched: list[Note] = ()) -> Song:
    tracks = [Track("Drums", "drums", 0, 10, drums)]
    if pitched:
        tracks.append(Track("Keys", "harmony", 0, 1, list(pitched)))
    end = max(n.end for t in tracks for n in t.notes)
    return Song(tracks, [SectionSpan("s1", "verse", 0, end)], 120.0)


def test_a_rock_beat_has_its_backbeat_and_repeats_every_bar():
    f = song_facts(_song(_beat(8)))["drums"]
    assert f["backbeat"] == 1.0 and f["bar_repeats"] == 1.0 and f["toms"] == 0.0
    assert f["fills_phrase_end"] == 0.0 and f["fills_elsewhere"] == 0.0


def test_beat_one_is_heard_where_a_kick_or_the_bass_starts_on_it():
    bar = 3 * PPQ  # 3/4
    kicks = [Note(36, b * bar + (5 if b % 2 else 0), b * bar + 60, 90) for b in range(4)]  # a little late: still on 1
    bass = [Note(40, 4 * bar + PPQ, 5 * bar, 80), Note(40, 6 * bar - 10, 6 * bar + PPQ, 80)]  # beat 2; just before 7
    melody = [Note(70, b * bar + PPQ, b * bar + 2 * PPQ, 80) for b in range(8)]
    parts = {"drums": part_of([kicks], meter=(3, 4)), "bass": part_of([bass], meter=(3, 4)),
             "melody": part_of([melody], meter=(3, 4))}
    assert downbeat_share(parts) == 5 / 8  # bars 1-4 by the kick, bar 7 by the bass; not bar 5 (beat 2), 6, 8
    assert downbeat_share({"melody": parts["melody"]}) == 0.0
    # where the bass rests, the accompaniment's lowest line is the bass: chords on 1 of bars 6 and 8
    # count; the chord on 1 of bar 5, where the bass plays (on beat 2), does not
    chords = [Note(p, b * bar, b * bar + PPQ, 70) for b in (4, 5, 7) for p in (55, 60, 64)]
    assert downbeat_share({**parts, "harmony": part_of([chords], meter=(3, 4))}) == 7 / 8


def test_random_snares_score_low():
    rng = random.Random(3)
    f = song_facts(_song(_beat(16, snare_steps=lambda b: rng.sample(range(16), 3))))["drums"]
    assert f["backbeat"] < 0.35 and f["bar_repeats"] < 0.2


def test_tom_fills_at_phrase_ends_are_counted_there():
    fill = lambda b: [(47, 12), (43, 14)] if b % 4 == 3 else ()  # noqa: E731
    f = song_facts(_song(_beat(9, extra=fill)))["drums"]
    assert f["fills_phrase_end"] == 1.0 and f["fills_elsewhere"] == 0.0
    assert f["toms"] == pytest.approx(4 / (9 * 12 + 4))


def test_restrikes_are_notes_started_while_the_same_pitch_sounds():
    notes = [Note(60, 0, 2 * PPQ, 90), Note(60, PPQ, PPQ + 100, 90),  # restruck while sounding
             Note(64, 0, PPQ, 90), Note(64, PPQ, 2 * PPQ, 90),  # touching: not a restrike
             Note(67, 0, PPQ, 90), Note(67, 0, PPQ, 90)]  # doubled: a restrike
    part = part_of([notes])
    assert part.restrikes == 2
    assert song_facts(_song(_beat(1), notes))["harmony"]["restrikes"] == 2


def test_a_repeated_two_bar_rhythm_repeats():
    riff = [0, 3, 6, 10, 16, 20, 24, 28]
    notes = [Note(60 + k % 5, w * 2 * BAR + k * S, w * 2 * BAR + k * S + S, 90) for w in range(6) for k in riff]
    f = song_facts(_song(_beat(12), notes))["harmony"]
    assert f["repeats_2bar"] == 1.0 and f["bar_repeats"] == 0.0 and f["median_beats"] == 0.25


@pytest.mark.skipif(not GROOVE_FACTS.is_file(), reason="../shared/tools/groove_facts.py is not here")
def test_facts_agree_with_groove_facts_on_a_written_file(tmp_path):
    spec = importlib.util.spec_from_file_location("groove_facts", GROOVE_FACTS)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    rng = random.Random(1)
    drums = _beat(12, snare_steps=lambda b: (4, 12) if b % 3 else (4, 7, 12),
                  extra=lambda b: [(45, 14)] if b % 4 == 3 else ())
    drums = [Note(n.pitch, n.start + rng.randint(-40, 40) if n.start else 0, n.end + 40,
                  rng.choice([30, 60, 100])) for n in drums]
    keys = [Note(rng.choice([60, 62, 64]), k * S + rng.randint(0, 30), k * S + rng.choice([S, 3 * S, 6 * S]),
                 rng.choice([40, 90]))
            for k in range(0, 12 * 16, 2)]
    song = _song(drums, keys)
    path = tmp_path / "song.mid"
    song_to_midi(song).save(path)
    want, got, ours = tool.facts(str(path)), midi_facts(path), song_facts(song)
    for k in ("backbeat", "toms", "bar_repeats"):
        assert got["drums"][k] == want["drums"][k] == ours["drums"][k]
    p = want["pitched"]["Keys"]
    assert p["overlaps"] > 0
    for theirs, mine in (("repeats", "repeats_2bar"), ("median_beats", "median_beats"), ("overlaps", "restrikes")):
        assert got["pitched"]["Keys"][mine] == p[theirs] == ours["harmony"][mine]


def _piece(rng: random.Random, scrambled: bool) -> Part:
    pattern = rng.choice([(0, 8), (0, 6, 8), (0, 10)])
    notes = []
    for b in range(16):
        hits = [(36, k) for k in pattern] + [(38, 4), (38, 12)] + [(42, k) for k in range(0, 16, 2)]
        hits += [(38, rng.choice([7, 9, 15]))] * (rng.random() < 0.3)
        for p, k in hits:
            k = rng.randrange(16) if scrambled else k
            notes.append(Note(p, b * BAR + k * S, b * BAR + k * S + S, rng.randint(60, 110)))
    return part_of([notes])


def test_classifier_separates_scrambled_beats_and_not_real_halves():
    rng = random.Random(0)
    real = windows_of([(f"r{i}", _piece(rng, False)) for i in range(40)], drums=True)
    scrambled = windows_of([(f"s{i}", _piece(rng, True)) for i in range(20)], drums=True)
    assert balanced_accuracy(real, scrambled, seed=0) > 0.8
    assert 0.3 < balanced_accuracy(*halves(real, seed=0), seed=0) < 0.7
    assert balanced_accuracy(real, scrambled, seed=0) == balanced_accuracy(real, scrambled, seed=0)


@pytest.mark.skipif(not (DATA_DIR / "groove").is_dir() or not (DATA_DIR / "pop909").is_dir(),
                    reason="datasets not here")
def test_realness_command_prints_facts_beside_real_ones(capsys):
    assert main(["realness", "--engine", "baseline", "--songs", "1", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["real"]["gmd"]["all"]["pieces"] > 50 and 0.5 < res["real"]["gmd"]["all"]["backbeat"] < 0.75
    eng = res["engines"]["baseline"]
    assert {c["fact"] for c in eng["checks"]} >= {"backbeat", "toms", "bar_repeats", "repeats_2bar", "median_beats"}
    assert 0.0 <= eng["classifier"]["drums"]["balanced_accuracy"] <= 1.0


def _cached_scores(meter) -> list:
    from stori.evaluate.real_parts import score_pieces

    return [p for p in score_pieces("test") if p.meter == meter] if (DATA_DIR / "lieder").is_dir() else []


@pytest.mark.skipif(not _cached_scores((3, 4)), reason="no cached held-out Lieder/OpenEWLD stretches in 3/4")
def test_per_meter_songs_stand_beside_real_pieces_of_their_meter(capsys):
    from stori.data.part_facts import downbeat_share
    from stori.evaluate.realness import NO_REFERENCE, measure_meters, print_groups

    res = {"meters": measure_meters(["baseline"], ("3/4", "5/4"), 1)}
    waltz = res["meters"]["3/4"]
    real = _cached_scores((3, 4))
    assert all(p.meter == (3, 4) for p in real)  # not the 4/4 pieces
    assert min(n.velocity for p in real for part in p.parts.values() for n in part.notes) >= LOUD  # pp is no ghost
    assert waltz["real_pieces"]["test"] == len(real) > 10
    assert waltz["real"]["song"]["downbeat_share"] == pytest.approx(
        sum(downbeat_share(p.parts) for p in real) / len(real))
    assert waltz["real"]["melody"]["pieces"] == sum("melody" in p.parts for p in real)
    assert [r["time_signature"] for r in waltz["requests"]] == ["3/4"]
    assert 0.0 <= waltz["engines"]["baseline"]["classifier"]["melody"]["balanced_accuracy"] <= 1.0
    assert res["meters"]["5/4"]["reference"] == NO_REFERENCE and not res["meters"]["5/4"]["real"]
    assert res["meters"]["5/4"]["engines"]["baseline"]["facts"]["melody"]["pieces"] == 1

    print_groups(res)
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("5/4")]
    assert rows and all(NO_REFERENCE in line for line in rows)


def test_a_meter_not_measured_apart_is_a_one_line_error(capsys):
    assert main(["realness", "--meters", "4/4,3/4"]) == 2
    err = capsys.readouterr().err
    assert "meters" in err and "'4/4'" in err and "3/4" in err


def test_the_learned_engine_beats_the_baseline_when_closer_in_most_facts_and_harder_to_tell_apart():
    from stori.evaluate.realness import NO_REFERENCE, verdict

    def group(learned: float, baseline: float, acc: tuple[float, float], pieces: int = 30):
        def engine(x: float, a: float) -> dict:
            return {"facts": {"melody": {"repeats_2bar": x, "median_beats": 0.8}, "song": {"downbeat_share": x}},
                    "classifier": {"melody": {"balanced_accuracy": a}, "bass": {"too_few": "2 real pieces"}}}
        return {"reference": "Lieder" if pieces else NO_REFERENCE, "real_pieces": {"test": pieces, "valid": pieces},
                "real": {"melody": {"repeats_2bar": 0.1, "median_beats": 0.8}, "song": {"downbeat_share": 0.1}},
                "engines": {"learned": engine(learned, acc[0]), "baseline": engine(baseline, acc[1])}}

    assert verdict(group(0.12, 0.5, (0.6, 0.8))) == {"facts_closer": 2, "facts": 3, "classifier_lower": 1,
                                                     "classifiers": 1, "beats": True}  # the median tie is not closer
    assert not verdict(group(0.12, 0.5, (0.8, 0.6)))["beats"]  # closer, but easier to tell from real
    assert not verdict(group(0.5, 0.12, (0.6, 0.8)))["beats"]
    assert verdict(group(0.12, 0.5, (0.6, 0.8), pieces=0)) is None
    few = group(0.12, 0.5, (0.6, 0.8), pieces=2)  # two test pieces: judged with the validation ones beside them
    few["real_pooled"] = {"melody": {"repeats_2bar": 0.45, "median_beats": 0.8}, "song": {"downbeat_share": 0.45}}
    assert verdict(few)["facts_closer"] == 0 and not verdict(few)["beats"]
