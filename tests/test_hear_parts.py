"""Hearing parts: an excerpt keeps only the chosen parts and section, and the studio renders it."""
import pytest
import soundfile

from stori.errors import StoriError
from stori.render.audio import TAIL_S
from stori.service import studio
from stori.service.workspace import Workspace, audio_available
from stori.spec.song import excerpt


@pytest.fixture(scope="module")
def take(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("studio"))
    return ws, studio.create_song(ws, "calm piano with soft drums", structure="verse:2,chorus:2", engine="baseline",
                                  render=False)


def test_an_excerpt_keeps_the_chosen_parts_of_one_section_from_zero(take):
    song = take[1].song
    chorus = song.section("chorus")
    cut = excerpt(song, ["drums", "bass"], "chorus")
    assert [t.role for t in cut.tracks] == ["drums", "bass"]
    assert [(s.id, s.start, s.end) for s in cut.sections] == [("chorus", 0, chorus.end - chorus.start)]
    for t, whole in zip(cut.tracks, song.tracks):
        assert [(n.pitch, n.start + chorus.start) for n in t.notes] == \
               [(n.pitch, n.start) for n in song.notes_in(whole, chorus)]
        before = {c.control: c.value for c in whole.controls if c.tick < chorus.start}  # the state at the chorus
        first = {}
        for c in t.controls:
            first.setdefault(c.control, c)
        assert all(first[k].tick == 0 and first[k].value == v for k, v in before.items())
    assert excerpt(song, ["melody"]).tracks[0].notes == song.track("melody").notes


def test_the_studio_renders_the_parts_asked_for_and_refuses_others(take, tmp_path):
    ws, made = take
    with pytest.raises(StoriError, match="^parts: .*allowed: one or more of drums, bass, harmony, melody"):
        studio.hear_parts(ws, made.song_id, made.token, ["kazoo"], None, tmp_path / "x.ogg")
    with pytest.raises(StoriError, match="^section: 'coda' is not in this song"):
        studio.hear_parts(ws, made.song_id, made.token, ["drums"], "coda", tmp_path / "x.ogg")
    if not audio_available():
        pytest.skip("FluidSynth or a GM soundfont is missing")
    path = studio.hear_parts(ws, made.song_id, made.token, ["drums"], "chorus", tmp_path / "drums.ogg")
    info = soundfile.info(str(path))
    chorus = made.song.section("chorus")
    length = made.song.seconds(chorus.end - chorus.start)
    assert length <= info.duration <= length + TAIL_S + 0.1  # the section alone, to loop


def test_undo_keeps_the_earlier_versions_preview_instead_of_rendering_again(tmp_path):
    if not audio_available():
        pytest.skip("FluidSynth or a GM soundfont is missing")
    ws = Workspace(tmp_path)
    first = studio.create_song(ws, "calm piano", structure="verse:2,chorus:2", engine="baseline")
    changed = studio.refine_song(ws, first.song_id, "louder chorus", first.token)
    back = studio.refine_song(ws, first.song_id, "undo", first.token)
    assert (first.version, changed.version, back.version) == (1, 2, 3)
    assert back.path("preview.ogg").read_bytes() == first.path("preview.ogg").read_bytes()
    assert back.path("song.mid").read_bytes() == first.path("song.mid").read_bytes()
    assert changed.path("preview.ogg").read_bytes() != first.path("preview.ogg").read_bytes()
