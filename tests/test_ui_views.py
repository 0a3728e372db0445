"""The studio's section table and pictures, without a server: the table drives the spec it edits."""
from __future__ import annotations

import re

import pytest

from stori.compose.refine import changed_sections
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
    assert back.to_dict() == spec.to_dict()  # a value left as shown (2 decimals) keeps the plan's own
    rows = views.section_rows(spec)
    rows[1][4] = round(rows[1][4] + 0.1, 2)
    assert changed_sections(spec, views.spec_from_rows(spec, rows)) == [spec.sections[1].id]


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


def test_the_form_has_a_clickable_block_per_section_as_wide_as_its_bars(spec):
    import re

    verse, chorus = (s.id for s in spec.sections)
    html = views.timeline(spec, selected=chorus)
    blocks = re.findall(r'<button[^>]*class="([^"]+)" data-section="([^"]+)"[^>]*flex-grow:(\d+)', html)
    assert blocks == [("stori-block", verse, "2"), ("stori-block selected", chorus, "2")]
    assert "bars 3-4" in html


def test_the_form_escapes_section_names(spec):
    data = spec.to_dict()
    data["sections"][0]["section_id"] = '<img src=x onerror="alert(1)">'
    html = views.timeline(type(spec).from_dict(data))
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


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


def test_pictures_follow_the_theme_and_drum_rolls_name_the_pieces(spec):
    from stori.perform.drums import make_drums
    from stori.render.figures import emotion_arc, piano_roll

    roll = piano_roll(make_drums("rock", bars=2, tempo=110))
    assert {"kick", "snare", "closed hat"} <= set(roll.layout.yaxis.ticktext)
    assert list(roll.layout.yaxis.tickvals) == sorted(roll.layout.yaxis.tickvals)
    assert "snare" in {row[1] for row in roll.data[0].customdata}  # the hover names the piece too
    for fig in (roll, emotion_arc(spec)):  # no white box on a dark page: transparent paper, mid-grey ink
        assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)" and fig.layout.font.color == "#8a8f98"


@pytest.mark.parametrize("space", ["", "someone/stori"])
def test_share_buttons_only_on_a_space(tmp_path, monkeypatch, space):
    from stori.ui.callbacks import Callbacks
    from stori.ui.layout import build_blocks

    monkeypatch.setenv("SPACE_ID", space)  # what a Hugging Face Space sets
    monkeypatch.setenv("SYSTEM", "spaces" if space else "")
    blocks = build_blocks(Callbacks(Workspace(tmp_path))).blocks.values()
    shared = [b for b in blocks if "share" in (getattr(b, "buttons", None) or [])]
    assert len(shared) == (5 if space else 0)  # four previews and the chat, on a Space only


def test_share_is_asked_by_flag_or_environment_and_without_network_the_studio_says_so(monkeypatch, capsys):
    from types import SimpleNamespace

    from stori.ui import server

    monkeypatch.setenv("STORI_SHARE", "1")
    assert server.sharing() and not server.sharing(False)
    monkeypatch.setenv("STORI_SHARE", "")
    assert not server.sharing() and server.sharing(True)
    monkeypatch.setenv("SYSTEM", "")  # not a Space: the tunnel is tried
    server._share_when_up(SimpleNamespace(started=True, should_exit=False), "0.0.0.0", 9)
    out = capsys.readouterr().out.strip()
    assert "\n" not in out
    assert re.fullmatch(r"Stori studio shared at https://\S+ \(and http://0\.0\.0\.0:9\)", out) or (  # online
        out.startswith("share: no share link (") and out.endswith("Serving at http://0.0.0.0:9 only"))  # offline
    monkeypatch.setenv("SYSTEM", "spaces")
    monkeypatch.setenv("SPACE_ID", "someone/stori")
    server._share_when_up(SimpleNamespace(started=True, should_exit=False), "0.0.0.0", 9)
    assert "public already" in capsys.readouterr().out


def test_humanize_shows_each_notes_timing_offset_and_velocity_change(tmp_path):
    from stori.render.figures import humanize_changes
    from stori.render.midi import midi_bytes

    song = generate("a funky groove", structure="verse:2", engine="baseline", trace=False)
    before, take = studio.humanize_midi(Workspace(tmp_path), midi_bytes(song), "funk", 0.9, render=False)
    fig = humanize_changes(before, take.song)
    ms_per_tick = 60000.0 / (before.tempo * before.ppq)
    timing = [t for t in fig.data if t.yaxis == "y"]
    velocity = [t for t in fig.data if t.yaxis == "y2"]
    assert len(timing) == len(velocity) == len(before.tracks)
    drums_b, drums_a = before.tracks[0], take.song.tracks[0]
    assert list(timing[0].y) == pytest.approx([(a.start - b.start) * ms_per_tick
                                               for b, a in zip(drums_b.notes, drums_a.notes)])
    assert list(velocity[0].y) == [a.velocity - b.velocity for b, a in zip(drums_b.notes, drums_a.notes)]
    assert any(abs(y) > 1 for y in timing[0].y)  # the groove moved the drums
    assert re.search(r"timing moved a median \d+\.\d ms \(at most \d+ ms\), velocity a median", take.message)


def test_traces_of_a_new_song_are_json_as_the_page_sends_them():
    """The page hands a song's traces (in memory, after a section edit) to gr.JSON, which refuses
    non-text keys."""
    import orjson

    song = generate("a pop song", structure="verse:4,chorus:4")  # the learned engine: the verse fills into the chorus
    assert any(t["decision"].get("fills") for t in song.traces if t["decision_type"] == "phrase_form")
    orjson.dumps(song.traces)
