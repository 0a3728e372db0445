"""Chat refinement end to end: only the target changes, versions are kept, diffs and why-answers are measured."""
import pytest

from stori.compose.diff import section_stats, sections_identical
from stori.compose.refine import SongSession
from stori.pipeline import generate
from tests.conftest import SEED_PROMPT

PROMPT = SEED_PROMPT


@pytest.fixture(scope="module")
def song():
    return generate(PROMPT, seed=0)


def test_make_the_bridge_more_intense_changes_only_the_bridge(song):
    session = SongSession(song, seed=0)
    reply = session.say("make the bridge more intense")
    new = reply.song
    assert reply.changed_sections == ["bridge"]
    for s in song.spec.sections:
        if s.id != "bridge":
            assert sections_identical(song, new, s.id), s.id
    old_b, new_b = song.spec.section("bridge"), new.spec.section("bridge")
    assert new_b.emotion.energy > old_b.emotion.energy and new_b.emotion.tension > old_b.emotion.tension
    before, after = section_stats(song, song.section("bridge"))["all"], section_stats(new, new.section("bridge"))["all"]
    assert after["notes_per_bar"] > before["notes_per_bar"] and after["mean_velocity"] > before["mean_velocity"]
    assert "density (notes/bar, all parts) up" in reply.markdown and "mean velocity up" in reply.markdown
    assert "energy 0.38 → 0.58" in reply.markdown or "energy" in reply.markdown.split("#### bridge")[1]
    assert any(t["decision_type"] == "refinement" for t in new.traces)


def test_versions_undo_redo_and_targeted_parts(song):
    session = SongSession(song, seed=0)
    drums_before = list(song.track("drums").notes)
    r = session.say("simpler chords in the chorus")
    assert set(r.changed_sections) == {"chorus1", "chorus2", "chorus3"}
    assert all(" " not in c and not c.endswith(("7", "9")) for c in r.song.spec.section("chorus1").chords)
    assert r.song.track("drums").notes == drums_before  # chords changed, drums untouched
    r2 = session.say("slower")
    assert r2.song.tempo < r.song.tempo and r2.changed_sections == []
    assert len(session.versions) == 3
    assert session.undo().song is session.versions[1]
    assert session.redo().song is session.versions[2]
    assert session.say("undo").song.tempo == r.song.tempo
    session.say("brighter in the intro")  # a new branch drops the redo tail
    assert len(session.versions) == 3 and session.index == 2


def test_regenerate_and_key_change(song):
    session = SongSession(song, seed=0)
    r = session.say("regenerate the second verse")
    assert r.changed_sections == ["verse2"]
    t = session.say("transpose up 2 semitones")
    assert t.song.key == "C major" and session.versions[1].key == "Bb major"
    pitched = [(a.pitch, b.pitch) for a,
               b in zip(session.versions[1].track("melody").notes, t.song.track("melody").notes)]
    assert all(b - a == 2 for a, b in pitched)


def test_why_answers_from_traces(song):
    text = SongSession(song).say("why is the chorus higher?").markdown
    assert "chorus1" in text and "verse1" in text and "Principle" in text and "register" in text.lower()


def test_unknown_command_changes_nothing(song):
    session = SongSession(song)
    assert session.say("blah").song is song and len(session.versions) == 1


def test_cli_refine(tmp_path, song):
    from stori.cli import main
    from stori.render.bundle import read_bundle, write_bundle

    write_bundle(song, tmp_path / "a")
    assert main(["refine", str(tmp_path / "a"), "--say", "make the bridge more intense", "--out",
                 str(tmp_path / "b")]) == 0
    b = read_bundle(tmp_path / "b")
    assert b.spec.section("bridge").emotion.energy > song.spec.section("bridge").emotion.energy


@pytest.mark.parametrize("valence", [0.3, -0.3])
def test_a_brighter_or_sadder_section_never_gets_chords_of_the_other_colour(valence):
    """Each of the colour's measures (major chords, the chords' fit to a major key) moves the asked way
    or stays: the refinement picks among its redrawn progressions, or keeps the chords."""
    from stori.compose.refine import colour, replanned
    from stori.trace import NULL_RECORDER

    kept = moved = 0
    for seed in range(4):
        spec = generate("a pop song", structure="verse:4,chorus:4", seed=seed, trace=False, engine="baseline").spec
        verse = spec.sections[0]
        verse.emotion = verse.emotion.shifted({"valence": valence})
        chords = replanned(spec.key, verse, valence, f"{seed}:test", NULL_RECORDER)
        if chords is None:
            kept += 1
            continue
        was, now = colour(verse.chords), colour(chords)
        assert all(valence * (b - a) >= 0 for a, b in zip(was, now)), (seed, was, now)
        moved += now != was
    assert moved and kept + moved == 4
