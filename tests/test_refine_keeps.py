"""Nothing is lost on refine: every section a chat command does not target keeps its notes, its
controller curves (CC11 expression, CC1) and its velocities bit for bit, for every kind of command.

A tempo or key command changes the whole song by design: a tempo change keeps every note and
controller exactly (only the clock moves), a transposition keeps every controller and every drum
note and moves each pitched note by the same interval.
"""
import pytest

from stori.compose.chat import parse_command, resolve_sections
from stori.compose.refine import SongSession
from stori.pipeline import generate
from stori.render.bundle import read_bundle, write_bundle
from stori.spec.song_spec import SongSpec
from tests.conftest import SEED_PROMPT

# One line per kind of command the chat understands (stori.compose.chat): each emotion word,
# a part alone, a behaviour, chords simpler and richer, regenerate, ordinal sections, dynamics,
# density, drum feel, a part left out or added, reverb.
SECTION_COMMANDS = [
    "make the bridge more intense", "sadder chorus", "calmer intro", "the verse more intimate",
    "more driving drums in the chorus", "brighter outro", "more tension in the bridge", "resolve it in the outro",
    "less intense second chorus", "busier drums in the second verse", "sparser bass in the verse",
    "simpler chords in the chorus", "jazzier chords in the bridge", "the melody should soar in the chorus",
    "walking bass in the bridge", "arpeggiated guitar in the verse", "louder first chorus", "quieter outro",
    "regenerate the bridge", "change the drums in the verse", "a bit punchier pre-chorus",
    "four on the floor in the chorus", "no drums in the bridge", "more reverb in the chorus",
    "add strings in the bridge", "half-time drums in the bridge",
]


@pytest.fixture(scope="module")
def song():
    return generate(SEED_PROMPT, seed=0)


def _section(song, sid):
    span = song.section(sid)
    return [(t.name, t.program, t.channel,
             [n for n in t.notes if span.start <= n.start < span.end],
             [c for c in t.controls if span.start <= c.tick < span.end]) for t in song.tracks]


def _assert_untouched_kept(before, after, text):
    cmd = parse_command(text)
    targets = set(resolve_sections(cmd, [(s.id, s.type) for s in before.spec.sections]))
    assert targets and targets != {s.id for s in before.spec.sections}, text  # a command that names sections
    kept = [s.id for s in before.spec.sections if s.id not in targets]
    for sid in kept:
        now = _section(after, sid)  # a part added by the command is silent where it was not asked for
        assert _section(before, sid) == now[:len(before.tracks)], f"{text!r} changed untouched {sid}"
        assert all(not notes and not curves for *_, notes, curves in now[len(before.tracks):]), text
    return kept


def test_every_section_command_keeps_untouched_sections_bit_for_bit(song):
    assert sum(len(t.controls) for t in song.tracks) > 100  # the song has curves to lose
    for text in SECTION_COMMANDS:
        session = SongSession(song, seed=0)
        reply = session.say(text)
        assert reply.command.action in ("adjust", "regenerate", "level", "density", "feel", "drop", "mix",
                                        "add_part"), text
        assert reply.song is not song, text
        _assert_untouched_kept(song, reply.song, text)


def test_a_chain_of_edits_and_undo_keep_everything_else(song):
    session = SongSession(song, seed=0)
    first = session.say("make the bridge more intense").song
    second = session.say("sadder chorus").song
    _assert_untouched_kept(first, second, "sadder chorus")
    for sid in ("intro", "verse1", "verse2", "outro"):
        assert _section(song, sid) == _section(second, sid)
    assert session.say("undo").song is first and session.say("undo").song is song


def test_tempo_and_key_keep_every_curve(song):
    slower = SongSession(song, seed=0).say("slower").song
    assert slower.tempo < song.tempo
    assert [(t.notes, t.controls) for t in slower.tracks] == [(t.notes, t.controls) for t in song.tracks]
    up = SongSession(song, seed=0).say("transpose up 2 semitones").song
    for old, new in zip(song.tracks, up.tracks):
        assert new.controls == old.controls
        shift = 0 if old.is_drums else 2
        assert [(n.pitch + shift, n.start, n.end, n.velocity) for n in old.notes] == \
               [(n.pitch, n.start, n.end, n.velocity) for n in new.notes]


def test_why_and_unknown_change_nothing(song):
    session = SongSession(song, seed=0)
    assert session.say("why is the chorus higher?").song is song
    assert session.say("blorp the flux").song is song


def test_a_song_read_back_from_its_bundle_refines_the_same(song, tmp_path):
    """What a restarted studio does: the session is rebuilt from the bundle on disk."""
    write_bundle(song, tmp_path / "v1")
    back = read_bundle(tmp_path / "v1")
    assert [(t.notes, t.controls) for t in back.tracks] == [(t.notes, t.controls) for t in song.tracks]
    here = SongSession(song, seed=0).say("make the bridge more intense").song
    there = SongSession(back, seed=0).say("make the bridge more intense").song
    assert [(t.notes, t.controls) for t in there.tracks] == [(t.notes, t.controls) for t in here.tracks]


def _moved(song, sid):
    """A section's tracks, notes and curves measured from its own start (sections may move in an edit)."""
    span = song.section(sid)
    return [(t.name, t.program, [(n.pitch, n.start - span.start, n.end - span.start, n.velocity)
                                 for n in t.notes if span.start <= n.start < span.end],
             [(c.tick - span.start, c.control, c.value) for c in t.controls if span.start <= c.tick < span.end])
            for t in song.tracks]


def _edited(song, **changes):
    """The song's spec with section ``id`` given new fields (``verse2={"bars": 4}``)."""
    spec = song.spec.copy()
    for s in spec.sections:
        for name, value in changes.get(s.id, {}).items():
            setattr(s, name, value)
    return spec


def test_a_table_edit_recomposes_only_the_sections_it_changes(song):
    session = SongSession(song, seed=0)
    reply = session.edit(_edited(song, verse2={"bars": 4}))
    assert reply.changed_sections == ["verse2"] and "verse2 8 → 4 bars" in reply.markdown
    assert reply.song.section("verse2").end - reply.song.section("verse2").start == 4 * song.ticks_per_bar
    later = [s.id for s in song.sections if s.start > song.section("verse2").start]
    assert reply.song.section(later[0]).start < song.section(later[0]).start  # the later sections moved ...
    for s in song.sections:
        if s.id != "verse2":  # ... and every section but verse2 kept its notes and performance
            assert _moved(reply.song, s.id) == _moved(song, s.id), s.id
    assert session.say("undo").song is song


def test_a_new_section_is_composed_and_the_others_kept(song):
    data = song.spec.to_dict()
    data["sections"].insert(-1, data["sections"][-1] | {"section_id": "tag", "bars": 4, "motif_usage": [],
                                                        "entry_state": {}, "exit_state": {}})
    reply = SongSession(song, seed=0).edit(SongSpec.from_dict(data))
    assert reply.changed_sections == ["tag"]
    assert any(reply.song.notes_in(t, reply.song.section("tag")) for t in reply.song.tracks)
    for s in song.sections:
        assert _moved(reply.song, s.id) == _moved(song, s.id), s.id


def test_regenerate_section_takes_its_sliders_and_keeps_the_rest(song):
    session = SongSession(song, seed=0)
    calmer = song.spec.section("bridge").emotion.shifted({"energy": -0.3})
    reply = session.edit(_edited(song, bridge={"emotion": calmer}), regenerate={"bridge"})
    assert reply.changed_sections == ["bridge"] and reply.song.spec.section("bridge").emotion == calmer
    again = session.edit(reply.song.spec, regenerate={"bridge"})  # the same plan, a new take
    assert again.changed_sections == ["bridge"] and _moved(again.song, "bridge") != _moved(reply.song, "bridge")
    for s in song.sections:
        if s.id != "bridge":
            assert _moved(again.song, s.id) == _moved(song, s.id), s.id
    assert session.undo().song is reply.song and session.index == 1
