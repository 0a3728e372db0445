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


def test_the_comping_sheds_strokes_only_toward_the_loud_end():
    """Everyday energies (every realness song's verse at 0.5) keep their comping; the loudest sheds the most."""
    shed = [emotion_to_constraints(EmotionVector(energy=e), "verse").fewer_strokes for e in (0.3, 0.5, 0.75, 0.9, 1.0)]
    assert shed[:2] == [0.0, 0.0] and shed[2] < shed[3] < shed[4] == 1.0


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
RMS_DIR = ROOT.parent / "shared" / "rms-v2"
ROADMAP_FILES = sorted(RMS_DIR.glob("*.json"))


def _holds(big, small) -> bool:
    """Every key and value of ``small`` is in ``big`` (lists item by item)."""
    if isinstance(small, dict):
        return isinstance(big, dict) and all(k in big and _holds(big[k], v) for k, v in small.items())
    if isinstance(small, list):
        return isinstance(big, list) and len(big) == len(small) and all(map(_holds, big, small))
    return big == small


def test_the_six_roadmap_files_are_there():
    assert [p.name for p in ROADMAP_FILES] == [
        "complete-example.json", "llm-sections-example.json", "motif-example.json",
        "motif-usage-occurrences-example.json", "refinement-example.json", "section-example.json"]


@pytest.mark.parametrize("path", ROADMAP_FILES, ids=lambda p: p.stem)
def test_roadmap_files_load_and_round_trip(path):
    spec = SongSpec.load(path)
    again = SongSpec.from_dict(json.loads(spec.dumps()))
    assert again == spec
    assert again.to_dict() == spec.to_dict()


def test_the_complete_example_is_written_back_whole():
    original = json.loads((RMS_DIR / "complete-example.json").read_text())
    spec = SongSpec.from_dict(original)
    assert _holds(spec.to_dict(), original)  # every field and free key as the file has it
    assert spec.emotion_extra["arc_description"].startswith("bittersweet")
    assert (spec.global_emotion.valence, spec.global_emotion.energy) == (-0.1, 0.525)  # primary_valence, energy_range
    verse, chorus = spec.section("verse_1"), spec.section("chorus")
    assert verse.chords == ["Am", "Am", "F", "F", "C", "C", "G", "G"]
    assert verse.track_behaviours == {"drums": "tacet", "bass": "roots", "harmony": "arpeggiated", "melody": "motif"}
    assert chorus.track_behaviours == {"drums": "driving", "bass": "driving", "harmony": "rhythmic",
                                       "melody": "soaring"}
    lift, answer = chorus.motif_usage
    assert (lift.bar, lift.beat, lift.transformations) == (1, 1, [{"type": "register_shift", "amount": 1}])
    assert (answer.motif, answer.bar, answer.beat) == ("answer_phrase", 4, 1)  # beat 12 of 4/4
    theme = spec.motif("main_theme")
    assert theme.rhythm == (1.0, 0.5, 0.5, 2.0) and theme.register == 62 and theme.anchor_degree == 5
    guitar = next(t for t in spec.tracks if t.id == "guitar")
    assert (guitar.role, guitar.program) == ("harmony", 25)  # acoustic_guitar_steel
    assert next(t for t in spec.tracks if t.role == "drums").channel == 10


def test_fragments_become_songs():
    section = SongSpec.load(RMS_DIR / "section-example.json")
    assert (section.form, section.tempo, section.key, [s.id for s in section.sections]) == (
        "section", 108, "C major", ["verse_1"])
    assert section.sections[0].chords == ["Am7", "Am7", "F", "F", "C", "C", "G", "G"]
    assert section.sections[0].unplayed_usage == [{"motif_id": "main_theme", "beat": 0, "transformation": None}]
    usage = SongSpec.load(RMS_DIR / "motif-usage-occurrences-example.json")
    assert [s.id for s in usage.sections] == ["chorus"] and usage.sections[0].type == "chorus"
    assert [(u["motif_id"], u["beat"]) for u in usage.sections[0].unplayed_usage] == [
        ("main_theme", 0), ("main_theme", 8), ("answer_phrase", 4)]
    motif = SongSpec.load(RMS_DIR / "motif-example.json")
    assert [m.id for m in motif.motifs] == ["main_theme"]
    assert {s.type for s in motif.sections if s.motif_usage} == {"verse", "chorus"}
    llm = SongSpec.load(RMS_DIR / "llm-sections-example.json")
    assert [(s.id, s.type, s.emotion.energy) for s in llm.sections] == [("verse_1", "verse", 0.3),
                                                                         ("chorus", "chorus", 0.8)]
    assert [t.role for t in llm.tracks] == ["drums", "bass", "harmony", "melody"]
    refinement = SongSpec.load(RMS_DIR / "refinement-example.json")
    assert refinement.refinement["target_section"] == "bridge" and "bridge" in [s.id for s in refinement.sections]


def test_a_refinement_moves_its_section_and_the_trace_says_what_was_honoured():
    from stori.pipeline import honour_plan
    from stori.trace import TraceRecorder

    spec = SongSpec.load(RMS_DIR / "refinement-example.json")
    tracer = TraceRecorder()
    played = honour_plan(spec, tracer)
    before, after = spec.section("bridge").emotion, played.section("bridge").emotion
    assert (after.energy, after.tension) == (round(before.energy + 0.2, 4), round(before.tension + 0.3, 4))
    assert played.refinement is None and spec.refinement is not None
    section = SongSpec.load(RMS_DIR / "section-example.json")
    honour_plan(section, tracer)
    report = tracer.traces[-1]["decision"]
    assert any("enter_bar 4" in x for x in report["honoured"])
    assert any("'main_theme': the plan defines no such motif" in x for x in report["not_honoured"])
    assert "verse_1.tempo 108: the song's own" in report["honoured"]


@pytest.mark.parametrize("engine", ["baseline", "learned"])
def test_a_section_that_changes_tempo_and_key_plays_them_and_the_midi_says_so(example_dict, engine):
    import mido

    from stori.compose import compose
    from stori.render.midi import midi_bytes, midi_to_song
    from stori.spec.song_spec import plan_coverage
    from stori.theory import scale_pitch_classes

    sec = example_dict["sections"][1]
    sec.update(tempo=140, key="Bb major", time_signature="3/4",  # its chords in its key
               chords=[{"bar": b, "chord": c} for b, c in zip(range(0, sec["bars"], 2), ["Bb", "Eb", "F", "Bb"] * 4)])
    spec = SongSpec.from_dict(example_dict)
    assert spec.sections[1].tempo == 140 and spec.to_dict()["sections"][1]["tempo"] == 140
    done, kept = plan_coverage(spec)
    assert any("tempo 140: the section changes tempo" in x for x in done)
    assert any("key Bb major: the section changes key" in x for x in done)
    assert any("time_signature 3/4: kept in the plan; the song plays 4/4" in x for x in kept)  # meters: not yet
    song = compose(spec, engine, seed=0)
    start, after = song.sections[1].start, song.sections[2].start
    assert song.tempo_changes == [(start, 140), (after, spec.tempo)]
    assert song.key_changes == [(start, "Bb major"), (after, spec.key)]
    meta, now = [], 0
    for msg in mido.MidiFile(file=__import__("io").BytesIO(midi_bytes(song))).tracks[0]:
        now += msg.time
        if msg.type in ("set_tempo", "key_signature"):
            meta.append((now, msg.type, round(mido.tempo2bpm(msg.tempo)) if msg.type == "set_tempo" else msg.key))
    assert (start, "set_tempo", 140) in meta and (start, "key_signature", "Bb") in meta
    assert (after, "set_tempo", round(spec.tempo)) in meta and (after, "key_signature", "G") in meta
    back = midi_to_song(midi_bytes(song))
    assert back.tempo_changes == song.tempo_changes and back.key_changes == song.key_changes
    assert song.seconds(after) < start / 480 * 60 / spec.tempo + (after - start) / 480 * 60 / spec.tempo
    bb = scale_pitch_classes("Bb major")
    for role in ("melody", "bass"):  # the section's notes are in its own key: Bb and Eb, never B or E
        inside = [n.pitch % 12 for n in song.track(role).notes if start <= n.start < after]
        assert inside and sum(p in bb for p in inside) / len(inside) > 0.9, role
        assert 10 in inside or 3 in inside


def test_the_earlier_stori_dialect_still_loads():
    old = json.loads((ROOT / "tests" / "data" / "leaving_home.stori_dialect.json").read_text())
    spec = SongSpec.from_dict(old)
    assert spec == SongSpec.load(ROOT / "assets" / "examples" / "leaving_home.rms.json")
    verse = spec.section("verse1")
    assert verse.chords == old["sections"][1]["chords"] and verse.track_behaviours == old["sections"][1][
        "track_behaviours"]
    assert [(u.motif, u.bar, u.beat) for u in verse.motif_usage] == [("m1", 1, 1), ("m2", 5, 1)]
    assert spec.section("intro").entry_state == old["sections"][0]["entry_state"]  # energy and chord, as written
    written = spec.to_dict()
    assert "section_id" in written["sections"][0] and "id" not in written["sections"][0]
    assert written["motifs"][0]["motif_id"] == "m1" and written["tracks"][2]["role"] == "chords"


def test_stori_writes_the_roadmap_form(example_spec):
    d = example_spec.to_dict()
    s = d["sections"][0]
    assert {"section_id", "section_type", "bars", "emotion_vector", "chords", "motif_usage", "entry_state",
            "exit_state", "track_behaviors"} <= set(s)
    assert s["chords"][0] == {"bar": 0, "chord": "G"}
    assert s["track_behaviors"]["drums"] == {"active": False}
    assert s["exit_state"]["last_chord"] == "D" and s["entry_state"]["first_chord"] == "G"
    assert {"motif_id", "interval_pattern", "rhythm_pattern", "duration_beats", "anchor_scale_degree"} <= set(
        d["motifs"][0])
    assert {"track_id", "name", "role", "instrument", "program", "channel"} <= set(d["tracks"][0])


def test_the_committed_schema_is_the_generated_one():
    from stori.spec.rms import SCHEMA_PATH, schema

    assert json.loads(SCHEMA_PATH.read_text()) == schema(), "run python -m stori.spec.rms"


def test_roadmap_files_and_stori_output_validate_against_the_schema(example_dict):
    schema = json.loads((ROOT / "stori" / "spec" / "rms_v2.schema.json").read_text())
    complete = json.loads((RMS_DIR / "complete-example.json").read_text())
    for d in (example_dict, complete, SongSpec.from_dict(complete).to_dict()):
        jsonschema.validate(d, schema)
    for path in ROADMAP_FILES:
        jsonschema.validate(SongSpec.load(path).to_dict(), schema)


@pytest.mark.parametrize("path,value,message", [
    (("sections", 0, "bars"), 0, "sections[0].bars: 0 is out of range; allowed: 1..64"),
    (("sections", 0, "bars"), "8", "sections[0].bars: '8' is not an integer; allowed: an integer 1..64"),
    (("key",), "H major", "key: 'H major' is not a key"),
    (("tempo",), 500, "tempo: 500 is out of range; allowed: 40..240"),
    (("sections", 1, "section_type"), "hook", "sections[1].section_type: 'hook' is not a section type"),
    (("sections", 2, "chords", 1, "chord"), "Xm", "sections[2].chords[1].chord: 'Xm' is not a chord symbol"),
    (("sections", 0, "emotion_vector", "valence"), 3, "sections[0].emotion_vector.valence: 3 is out of range"),
    (("sections", 0, "emotion_vector", "joy"), 1, "sections[0].emotion_vector: unknown key 'joy'"),
    (("tracks", 0, "channel"), 1, "tracks[0].channel: 1 for role 'drums'"),
    (("tracks", 0, "role"), "kazoo", "tracks[0].role: 'kazoo' is not a role"),
    (("time_signature",), "11/4", "time_signature: '11/4' is not supported"),
    (("motifs", 0, "rhythm_pattern"), ["quarter"], "motifs[0].rhythm_pattern: has 1 durations for 6 intervals"),
    (("motifs", 0, "register"), "very high", "motifs[0].register: 'very high' is not a register"),
    (("sections", 1, "motif_usage", 0, "transformation"), "explode",
     "sections[1].motif_usage[0].transformation: 'explode' is not a transformation"),
    (("sections", 1, "motif_usage", 0, "motif_id"), "m9", "sections[1].motif_usage: motif 'm9' is not defined"),
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


def test_a_fragment_error_names_the_field_as_the_file_spells_it():
    section = json.loads((RMS_DIR / "section-example.json").read_text())
    section["bars"] = 99
    with pytest.raises(StoriError, match=r"^bars: 99 is out of range; allowed: 1\.\.64$"):
        SongSpec.from_dict(section)
    usage = json.loads((RMS_DIR / "motif-usage-occurrences-example.json").read_text())
    usage["motif_usage"][0]["occurrences"][1]["beat"] = -1
    with pytest.raises(StoriError, match=r"^motif_usage\[0\]\.occurrences\[1\]\.beat: -1 is out of range"):
        SongSpec.from_dict(usage)
    with pytest.raises(StoriError, match=r"^rms_version: '3\.0' is not supported; allowed: 2\.x$"):
        SongSpec.from_dict({"rms_version": "3.0", "sections": []})


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


def test_a_part_that_enters_late_is_silent_before_its_bar():
    from stori.compose import compose
    from stori.pipeline import honour_plan
    from stori.trace import TraceRecorder

    spec = honour_plan(SongSpec.load(RMS_DIR / "section-example.json"))
    drums = next(t for t in spec.tracks if t.role == "drums")
    assert spec.sections[0].behaviour_details[drums.id]["enter_bar"] == 4
    song = compose(spec, "baseline", seed=0, tracer=TraceRecorder())
    span, bar = song.sections[0], song.ticks_per_bar
    hits = [n.start for n in song.track("drums").notes if span.start <= n.start < span.end]
    assert hits and min(hits) >= span.start + 4 * bar  # from bar 4 (counted from 0) on, as the chords count
    assert any(n.start < span.start + 4 * bar for n in song.track("bass").notes)  # the others play from the start
    assert any(t["decision_type"] == "enter" for t in song.traces)
