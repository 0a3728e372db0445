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
from tests.conftest import SEED_PROMPT

# One line per kind of command the chat understands (stori.compose.chat): each emotion word,
# a part alone, a behaviour, chords simpler and richer, regenerate, ordinal sections.
SECTION_COMMANDS = [
    "make the bridge more intense", "sadder chorus", "calmer intro", "the verse more intimate",
    "more driving drums in the chorus", "brighter outro", "more tension in the bridge", "resolve it in the outro",
    "less intense second chorus", "busier drums in the second verse", "sparser bass in the verse",
    "simpler chords in the chorus", "jazzier chords in the bridge", "the melody should soar in the chorus",
    "walking bass in the bridge", "arpeggiated guitar in the verse", "louder first chorus", "quieter outro",
    "regenerate the bridge", "change the drums in the verse", "a bit punchier pre-chorus",
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
        assert _section(before, sid) == _section(after, sid), f"{text!r} changed untouched {sid}"
    return kept


def test_every_section_command_keeps_untouched_sections_bit_for_bit(song):
    assert sum(len(t.controls) for t in song.tracks) > 100  # the song has curves to lose
    for text in SECTION_COMMANDS:
        session = SongSession(song, seed=0)
        reply = session.say(text)
        assert reply.command.action in ("adjust", "regenerate"), text
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
