"""Cadences: choruses and the song come home to the tonic, and the key heard is measured from the notes."""
import copy

import pytest

from stori.compose import compose
from stori.compose.cadence import tonic_chord, with_cadences
from stori.evaluate.keys import KeyResult, family_key, heard_keys, relation, summary
from stori.spec.song import PITCHED_ROLES, Note
from stori.theory import parse_chord, parse_key
from stori.trace import TraceRecorder


@pytest.fixture(scope="module")
def song():
    from stori.spec.song_spec import SongSpec
    from tests.conftest import EXAMPLE_SPEC

    spec = SongSpec.load(EXAMPLE_SPEC)
    spec.sections[-1].chords = ["C", "D"]  # the outro would end on the dominant of G major
    return compose(spec, "baseline", seed=3, tracer=TraceRecorder())


def test_tonic_chords():
    assert [tonic_chord(k) for k in ("D major", "A minor", "D dorian", "G mixolydian")] == ["D", "Am", "Dm", "G"]


def test_choruses_and_the_last_section_end_on_the_tonic(song):
    spec = song.spec
    outro = spec.sections[-1]
    assert outro.chords == ["C", "D"] * ((outro.bars - 1) // 2) + ["C"] * ((outro.bars - 1) % 2) + ["G"]
    for s in spec.sections:
        if s.type == "chorus":
            assert s.last_chord == "G", s.id
    cadences = [t for t in song.traces if t["decision_type"] == "cadence"]
    assert any(t["target"] == "section:outro" and t["decision"]["was"] == "D" for t in cadences)
    assert with_cadences(spec, {s.id for s in spec.sections}, TraceRecorder()) is spec  # already home


def test_choruses_and_the_song_end_with_the_tonic_in_the_bass_and_a_tonic_chord_tone_on_top(song):
    tonic = parse_key(song.spec.key)[0]
    start = song.sections[-1].end - song.ticks_per_bar
    bass = [n for n in song.track("bass").notes if n.start >= start]
    assert bass and all(n.pitch % 12 == tonic for n in bass)
    last = max(song.track("melody").notes, key=lambda n: n.start)
    assert last.pitch % 12 in parse_chord(tonic_chord(song.spec.key))[1]
    for s in song.spec.sections:  # every chorus ends with the tonic in the bass
        if s.type == "chorus":
            span = song.section(s.id)
            bass = [n for n in song.notes_in(song.track("bass"), span) if n.start >= span.end - song.ticks_per_bar]
            assert all(n.pitch % 12 == tonic for n in bass), s.id


def test_key_relations_and_families():
    assert family_key("D dorian") == "D minor" and family_key("F lydian") == "F major"
    assert [relation("D major", k) for k in ("D major", "A major", "G major", "B minor", "D minor", "E major",
                                             None)] == ["same", "dominant", "subdominant", "relative", "parallel",
                                                        "other", "none"]
    assert relation("A minor", "C major") == "relative"


def test_the_heard_key_is_estimated_from_the_pitched_notes(song):
    assert heard_keys(song)[0] == "G major"
    song = copy.deepcopy(song)
    for t in song.tracks:  # a song of nothing but an A major scale is heard in A major
        t.notes = [Note(p, 480 * k, 480 * k + 400, 80) for k, p in
                   enumerate([57, 59, 61, 62, 64, 66, 68, 69, 64, 61, 57])] if t.role in PITCHED_ROLES else t.notes
    assert heard_keys(song)[0] == "A major"


def test_the_summary_counts_matches_by_kind_of_request():
    rows = [KeyResult("sliders energy 0.5", "D major", "D major", "D major"),
            KeyResult("sliders energy 0.9", "D major", "A major", "D major"),
            KeyResult("a funk groove", "G major", "G major", "E minor")]
    res = summary(rows)
    assert (res["match"], res["match_end"], res["match_sliders"], res["match_prompts"]) == (0.667, 0.667, 0.5, 1.0)
    assert res["misses"] == {"dominant": 1}


def test_a_calm_section_comes_home_and_a_tense_verse_stays_open():
    from stori.spec.song_spec import SongSpec
    from tests.conftest import EXAMPLE_SPEC

    spec = SongSpec.load(EXAMPLE_SPEC)
    verse = next(s for s in spec.sections if s.type == "verse")
    verse.chords = ["C", "D"]
    home = tonic_chord(spec.key)
    for tension, resolves in ((0.1, True), (0.8, False)):
        verse.emotion = verse.emotion.shifted({"tension": tension - verse.emotion.tension})
        out = with_cadences(spec, {verse.id}, TraceRecorder())
        assert (out.section(verse.id).last_chord == home) is resolves, tension


def test_tense_plans_suspend_some_dominants_and_calm_plans_draw_nothing():
    import random

    from stori.plan.planner import suspend_dominants

    chords, numerals = ["G7 C", "Am D7"], ["V7 I", "vi V7/V"]
    rng = random.Random(1)
    assert suspend_dominants(chords, numerals, 0.3, rng) == (chords, 0) and rng.random() == random.Random(1).random()
    held = [suspend_dominants(["G7"], ["V7"], 1.0, random.Random(k)) for k in range(50)]
    assert {c for (c,), n in held if n} == {"G7sus4"} and 20 < sum(n for _, n in held) < 40
    assert suspend_dominants(["G"], ["V"], 1.0, random.Random(0))[0][0] in ("G", "Gsus4")


def test_a_minor_verse_comes_home_through_the_major_dominant_and_a_pre_chorus_stays_open():
    from stori.spec.song_spec import SongSpec
    from tests.conftest import EXAMPLE_SPEC

    spec = SongSpec.load(EXAMPLE_SPEC)
    spec.key = "A minor"
    verse = next(s for s in spec.sections if s.type == "verse")
    verse.chords, verse.bars = ["Am", "F", "C G"], 4
    verse.emotion = verse.emotion.shifted({"tension": 0.8 - verse.emotion.tension})  # tense: a major verse stays open
    out = with_cadences(spec, {s.id for s in spec.sections}, TraceRecorder())
    assert out.section(verse.id).chords == ["Am", "F", "C E", "Am"]  # V-i: the raised leading tone G#
    pre = next((s for s in out.sections if s.type == "pre_chorus"), None)
    assert pre is None or pre.last_chord == spec.section(pre.id).last_chord


def test_a_minor_song_ends_with_the_tonic_in_the_bass_and_the_tonic_or_fifth_on_top():
    from stori.spec.song_spec import SongSpec
    from tests.conftest import EXAMPLE_SPEC

    spec = SongSpec.load(EXAMPLE_SPEC)
    spec.key = "E minor"  # the same chords, now heard from their relative minor
    song = compose(spec, "baseline", seed=3, tracer=TraceRecorder())
    for s in song.spec.sections:
        if s.type in ("verse", "chorus") or s is song.spec.sections[-1]:
            span = song.section(s.id)
            assert s.last_chord == "Em" and parse_chord(s.chords[(s.bars - 2) % len(s.chords)].split()[-1])[0] == 11
            bass = [n for n in song.notes_in(song.track("bass"), span) if n.start >= span.end - song.ticks_per_bar]
            assert bass and all(n.pitch % 12 == 4 for n in bass), s.id
    last = max(song.track("melody").notes, key=lambda n: n.start)
    assert last.pitch % 12 in (4, 11)  # E or B, never G (the relative major's tonic)


def test_a_calm_close_ends_on_the_tonic_and_a_tense_one_on_another_tone():
    from stori.compose.cadence import IMPERFECT_FROM
    from stori.spec.song_spec import SongSpec
    from tests.conftest import EXAMPLE_SPEC

    for tension in (0.1, IMPERFECT_FROM):
        spec = SongSpec.load(EXAMPLE_SPEC)
        for s in spec.sections:
            s.emotion = s.emotion.shifted({"tension": tension - s.emotion.tension})
        song = compose(spec, "baseline", seed=3)
        tonic, checked = parse_key(spec.key)[0], 0
        for s in song.spec.sections:
            span = song.section(s.id)
            melody, bass = (song.notes_in(song.track(r), span) for r in ("melody", "bass"))
            top, low = (max(p, key=lambda n: (n.start, n.pitch)) for p in (melody, bass))
            if top.start < span.end - 2 * song.ticks_per_bar:
                continue  # a melody resting through the last two bars is left as it is
            home, checked = s.last_chord == tonic_chord(spec.key), checked + 1
            assert home or tension >= IMPERFECT_FROM, s.id  # a calm section comes home
            assert (top.pitch % 12 == tonic) is (tension < IMPERFECT_FROM), (tension, s.id)
            if not home and low.start >= span.end - song.ticks_per_bar:
                assert low.pitch % 12 != tonic, s.id  # an open ending keeps the bass off home too
        assert checked >= 5, tension
