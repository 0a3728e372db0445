"""The data model: emotions, constraints, motifs, the RMS v2 round trip and transitions."""
import json

import jsonschema
import pytest

from stori.errors import StoriError
from stori.spec.constraints import FORMULAS, emotion_to_constraints
from stori.spec.emotion import DELTAS, EmotionVector
from stori.spec.motif import (
    Motif,
    apply_transformation,
    intensify,
    invert,
    register_shift,
    retrograde,
    rhythmic_compress,
    rhythmic_expand,
    simplify,
    transpose,
)
from stori.spec.song_spec import SongSpec
from stori.spec.transitions import check_transition, check_transitions
from tests.conftest import ROOT

M = Motif("m1", [0, -2, -1, -3], [1, 0.5, 0.5, 2])


# --- emotion -------------------------------------------------------------------------------
def test_emotion_validates_and_names_the_field():
    with pytest.raises(StoriError, match=r"^valence: 3 is out of range; allowed: -1..1$"):
        EmotionVector(valence=3)
    with pytest.raises(StoriError, match="energy"):
        EmotionVector.from_dict({"energy": "loud"})
    with pytest.raises(StoriError, match="unknown axis 'joy'"):
        EmotionVector.from_dict({"joy": 1})


@pytest.mark.parametrize("name,delta", [
    ("sadder", {"valence": -0.3}), ("more intense", {"energy": 0.2, "tension": 0.2}),
    ("calmer", {"energy": -0.3, "tension": -0.2, "motion": -0.2}), ("more intimate", {"intimacy": 0.3, "energy": -0.1}),
    ("more driving", {"motion": 0.3, "energy": 0.1}), ("brighter", {"valence": 0.3}),
    ("more tension", {"tension": 0.3}),
    ("resolve it", {"tension": -0.4, "valence": 0.1})])
def test_refinement_deltas_follow_the_table(name, delta):
    assert DELTAS[name] == delta
    ev = EmotionVector(energy=0.5, valence=0.0, tension=0.5, intimacy=0.5, motion=0.5)
    moved = ev.apply_named(name)
    for axis, d in delta.items():
        assert getattr(moved, axis) == pytest.approx(getattr(ev, axis) + d)


def test_deltas_clamp_at_the_range_ends():
    ev = EmotionVector(energy=0.95, tension=0.9, valence=-0.9)
    assert ev.apply_named("more intense").energy == 1.0
    assert ev.apply_named("more intense").tension == 1.0
    assert ev.apply_named("sadder").valence == -1.0
    assert EmotionVector(tension=0.1).apply_named("resolve it").tension == 0.0


# --- constraints ---------------------------------------------------------------------------
def test_every_constraint_names_its_axes_and_moves_with_them():
    low = emotion_to_constraints(EmotionVector(energy=0.1, motion=0.1, tension=0.1, intimacy=0.5), "verse")
    high = emotion_to_constraints(EmotionVector(energy=0.9, motion=0.9, tension=0.9, intimacy=0.5), "verse")
    for name in FORMULAS:
        assert low.axes(name), name
        assert all(entry["factor"] in ("energy", "valence", "tension", "intimacy",
                                       "motion") for entry in low.because(name))
    assert high.drum_density > low.drum_density
    assert high.note_density > low.note_density
    assert high.velocity_ceiling > low.velocity_ceiling
    assert (low.subdivision, high.subdivision) == (8, 16)
    assert high.leap_probability > low.leap_probability


def test_chorus_sits_higher_than_verse_with_the_same_emotion():
    ev = EmotionVector()
    assert emotion_to_constraints(ev, "chorus").register_center > emotion_to_constraints(ev, "verse").register_center
    assert any(b["factor"] == "section_type" for b in emotion_to_constraints(ev, "chorus").because("register_center"))


# --- motifs --------------------------------------------------------------------------------
def test_invert_negates_intervals():
    assert invert(M).intervals == (0, 2, 1, 3)


def test_retrograde_reverses_notes_and_rhythm():
    r = retrograde(M)
    assert r.intervals == (-3, -1, -2, 0)
    assert r.rhythm == (2.0, 0.5, 0.5, 1.0)
    assert retrograde(r) == M


def test_rhythmic_expand_doubles_and_compress_halves():
    assert rhythmic_expand(M).rhythm == (2.0, 1.0, 1.0, 4.0)
    assert rhythmic_compress(M).rhythm == (0.5, 0.25, 0.25, 1.0)
    assert rhythmic_compress(rhythmic_expand(M)) == M


def test_transpose_and_register_shift():
    assert transpose(M, 5).intervals == (5, 3, 4, 2)
    assert register_shift(M, 1).register == M.register + 12
    assert register_shift(M, 1).intervals == M.intervals


def test_intensify_widens_and_splits_long_notes_and_simplify_merges_short_ones():
    i = intensify(M)
    assert max(abs(x) for x in i.intervals) > max(abs(x) for x in M.intervals)
    assert len(i.intervals) == len(M.intervals) + 2  # the 1-beat and 2-beat notes split in two
    assert i.duration == M.duration
    s = simplify(M)
    assert s.intervals == (0, -2, -3) and s.rhythm == (1.0, 1.0, 2.0)
    assert s.duration == M.duration


def test_transformations_respect_the_allowed_list():
    m = Motif("m2", [0, 2], [1, 1], allowed_transformations=["transpose"])
    assert apply_transformation(m, {"type": "transpose", "amount": 3}).intervals == (3, 5)
    with pytest.raises(StoriError, match="not allowed"):
        apply_transformation(m, "invert")


# --- RMS v2 --------------------------------------------------------------------------------
def test_rms_round_trip_on_the_full_example_is_lossless(example_dict):
    spec = SongSpec.from_dict(example_dict)
    assert spec.to_dict() == example_dict
    assert json.loads(spec.dumps()) == example_dict
    assert spec.extra["prompt"].startswith("a bittersweet")  # unknown keys survive


def test_example_validates_against_the_json_schema(example_dict):
    schema = json.loads((ROOT / "stori" / "spec" / "rms_v2.schema.json").read_text())
    jsonschema.validate(example_dict, schema)
    jsonschema.validate(SongSpec.from_dict(example_dict).to_dict(), schema)


@pytest.mark.parametrize("path,value,message", [
    (("sections", 0, "bars"), 0, "sections[0].bars: 0 is not a bar count; allowed: an integer 1..64"),
    (("key",), "H major", "key: 'H major' is not a key"),
    (("tempo",), 500, "tempo: 500 is out of range; allowed: 40..240"),
    (("sections", 1, "type"), "hook", "sections[1].type: 'hook' is not a section type"),
    (("sections", 2, "chords"), ["C", "Xm"], "sections[2].chords[1]: 'Xm' is not a chord symbol"),
    (("sections", 0, "emotion", "valence"), 3, "sections[0].emotion.valence: 3 is out of range"),
    (("tracks", 0, "channel"), 1, "tracks[0].channel: 1 for role 'drums'"),
    (("time_signature",), "11/4", "time_signature: '11/4' is not supported"),
])
def test_bad_specs_name_the_field(example_dict, path, value, message):
    node = example_dict
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    with pytest.raises(StoriError) as err:
        SongSpec.from_dict(example_dict)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_chord_timeline_loops_and_splits_bars(example_spec):
    s = example_spec.sections[0]
    s.chords = ["C", "Am F"]
    s.bars = 3
    assert s.chord_timeline(1920) == [(0, "C"), (1920, "Am"), (2880, "F"), (3840, "C")]


# --- transitions ---------------------------------------------------------------------------
def test_example_transitions_pass(example_spec):
    assert all(t.ok for t in check_transitions(example_spec))


def test_transition_reasons(example_spec):
    verse, pre = example_spec.section("verse1"), example_spec.section("pre1")
    verse.exit_state = {"energy": 0.1, "chord": "F#", "register": 50}
    pre.entry_state = {"energy": 0.9, "chord": "C", "register": 70}
    reasons = check_transition(verse, pre).reasons
    assert len(reasons) == 3
    assert "energy jumps by 0.80" in reasons[0]
    assert "exit chord F# of verse1 does not lead to entry chord C" in reasons[1]
    assert "register moves 20 semitones" in reasons[2]
    intro = example_spec.section("intro")
    intro.exit_state = {"energy": 0.0}
    assert not any("energy" in r for r in check_transition(intro, verse).reasons)  # intros may jump
