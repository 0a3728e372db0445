"""The studio's section table and pictures, without a server: the table drives the spec it edits."""
from __future__ import annotations

import pytest

from stori.errors import StoriError
from stori.pipeline import generate
from stori.service import studio
from stori.service.workspace import Workspace
from stori.ui import views


@pytest.fixture(scope="module")
def spec():
    return generate("a hopeful pop song", structure="verse:2,chorus:2", engine="baseline").spec


def test_table_round_trips_the_sections(spec):
    back = views.spec_from_rows(spec, views.section_rows(spec))
    strip = lambda d: {**d, "sections": [{**s, "emotion_vector": None} for s in d["sections"]]}  # noqa: E731
    assert strip(back.to_dict()) == strip(spec.to_dict())
    for a, b in zip(back.sections, spec.sections):  # the table shows emotions to 2 decimals
        assert a.emotion.distance(b.emotion) < 0.01


def test_edited_rows_drive_a_new_song(spec, tmp_path):
    rows = views.section_rows(spec)
    rows[1][2] = 4  # chorus: 4 bars
    rows[1][3] = "F | G | Am | C"
    rows[1][4] = 0.95  # energy
    rows.append(["outro", "outro", 2, "C", 0.2, 0.1, 0.1, 0.6, 0.2])
    edited = views.spec_from_rows(spec, rows)
    verse, chorus = (s.id for s in spec.sections)
    assert [(s.id, s.bars) for s in edited.sections] == [(verse, 2), (chorus, 4), ("outro", 2)]
    assert edited.sections[1].chords == ["F", "G", "Am", "C"] and edited.sections[1].emotion.energy == 0.95
    take = studio.create_song(Workspace(tmp_path), spec=edited, engine="baseline", render=False)
    assert [s.id for s in take.song.sections] == [verse, chorus, "outro"]
    assert take.song.end_tick >= 8 * take.song.ticks_per_bar
    assert take.path("song.mid") and take.path("stems.zip") and not take.path("preview.ogg")


@pytest.mark.parametrize("cell, value, field", [(2, "eight", "sections[0].bars"),
                                                (1, "hook", "sections[0].section_type"),
                                                (3, "H7 | Q", "sections[0].chords[0]"),
                                                (5, 4.0, "sections[0].emotion_vector.valence")])
def test_a_bad_cell_is_named(spec, cell, value, field):
    rows = views.section_rows(spec)
    rows[0][cell] = value
    with pytest.raises(StoriError) as err:
        views.spec_from_rows(spec, rows)
    assert str(err.value).startswith(field)


def test_timeline_has_a_block_per_section_as_wide_as_its_bars(spec):
    verse, chorus = (s.id for s in spec.sections)
    fig = views.timeline(spec, selected=chorus)
    assert [(b.name, b.x[0], b.base[0]) for b in fig.data] == [(verse, 2, 1), (chorus, 2, 3)]
    assert fig.data[1].marker.line.width > fig.data[0].marker.line.width


def test_section_colour_follows_valence_and_energy():
    dark, bright = views.section_colour(0.9, -1.0), views.section_colour(0.9, 1.0)
    rgb = lambda s: tuple(int(x) for x in s[4:-1].split(","))  # noqa: E731
    assert rgb(dark)[2] > rgb(dark)[0] and rgb(bright)[0] > rgb(bright)[2]  # blue when dark, warm when bright
    assert sum(rgb(views.section_colour(0.1, 0.0))) > sum(rgb(views.section_colour(0.9, 0.0)))  # calm is paler


def test_traces_read_as_sentences(spec):
    song = generate("a hopeful pop song", structure="verse:2", engine="baseline")
    text = views.traces_markdown(song.traces, limit=3)
    assert text.count("\n- ") == 2 and "because" in text and f"{len(song.traces) - 3} more" in text


def test_workspace_serves_only_its_own_files_and_forgets_the_oldest(tmp_path, monkeypatch):
    from stori.service import workspace

    monkeypatch.setattr(workspace, "KEEP_SONGS", 2)
    ws = Workspace(tmp_path / "studio")
    song = generate("calm", structure="verse:1", engine="baseline")
    takes = [ws.save(song, render=False) for _ in range(3)]
    assert not takes[0].folder.exists() and takes[2].folder.exists()
    token = takes[2].token
    assert ws.file(takes[2].song_id, 1, "song.mid", token) == takes[2].folder / "song.mid"
    assert ws.save(song, takes[2].song_id, render=False).version == 2
    (tmp_path / "secret.txt").write_text("x")
    for args in ((takes[2].song_id, 1, "../../secret.txt", token), ("../" * 3, 1, "song.mid", token),
                 (takes[2].song_id, "1/..", "song.mid", token), (takes[0].song_id, 1, "song.mid", takes[0].token),
                 (takes[2].song_id, 1, "stems", token), (takes[2].song_id, 1, ".token", token),
                 (takes[2].song_id, 1, "song.mid", takes[1].token), (takes[2].song_id, 1, "song.mid", "")):
        with pytest.raises(StoriError):
            ws.file(*args)


def test_a_failed_save_leaves_no_song_folder(tmp_path):
    ws = Workspace(tmp_path / "studio")
    song = generate("calm", structure="verse:1", engine="baseline")
    song.tracks[0].program = 300  # not a MIDI program: writing the bundle fails
    with pytest.raises(ValueError):
        ws.save(song, render=False)
    assert [p for p in ws.root.iterdir() if p.is_dir()] == []  # only the task store (stori.db) is there


def test_summary_says_which_planner_planned_the_song():
    from stori.pipeline import generate
    from stori.render.summary import metrics_markdown

    song = generate("calm piano", structure="verse:2", engine="baseline", trace=False)
    assert "planned by the offline planner" in metrics_markdown(song)
    song.spec.extra["planner"] = "offline (the LLM answer did not validate as RMS v2: sections: is missing or empty)"
    assert "planned offline: the LLM answer did not validate" in metrics_markdown(song)


def test_each_handler_is_one_endpoint_and_the_public_ones_are_named(tmp_path):
    from stori.service.workspace import Workspace
    from stori.ui.callbacks import SONG_VIEWS, Callbacks
    from stori.ui.layout import build_blocks

    fns = list(build_blocks(Callbacks(Workspace(tmp_path))).fns.values())
    names = [f.api_name for f in fns]
    assert len(names) == len(set(names)) and not [n for n in names if n.rsplit("_", 1)[-1].isdigit()]
    assert {f.api_name for f in fns if f.api_visibility == "public"} == {"generate", "refine", "drums", "humanize",
                                                                              "own_midi"}
    chat = next(f for f in fns if f.api_name == "chat")
    assert len(chat.outputs) == 3 + len(SONG_VIEWS)  # chatbot, message box, spec, then the views
