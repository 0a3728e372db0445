"""Every row of the chat's phrasing table (stori/compose/chat_phrasings.json) is parsed, applied to one
small seeded song and checked on the notes: one check per kind of effect."""
import json
import re
from statistics import fmean

import pytest

from stori.compose.chat import parse_command
from stori.compose.refine import SongSession
from stori.data.drum_kit import FAMILIES
from stori.pipeline import generate
from stori.plan import plan_song
from stori.spec.song import PPQ

ROWS = json.loads((__import__("pathlib").Path(__file__).parents[1] / "stori" / "compose" /
                   "chat_phrasings.json").read_text())["rows"]
ACTION = {"level": "level", "density": "density", "feel": "feel", "drop": "drop", "add_part": "add_part",
          "swap": "swap", "mix": "mix", "transpose": "key", "key": "key", "reharmonise": "key", "tempo": "tempo",
          "form_add": "form", "form_remove": "form", "form_resize": "form", "mood": "adjust", "chords": "adjust",
          "behaviour": "adjust", "regenerate": "regenerate", "why": "why", "undo": "undo", "redo": "redo"}


@pytest.fixture(scope="module")
def song():
    """Seven 2-bar sections in F# minor, every part playing in every section."""
    spec = plan_song("a bittersweet indie folk song about leaving home with piano, bass, drums and flute",
                     structure="intro:2,verse:2,chorus:2,verse:2,chorus:2,bridge:2,outro:2", key="F# minor", seed=0)
    for s in spec.sections:
        s.track_behaviours = {r: b for r, b in s.track_behaviours.items() if b != "tacet"}
    return generate(spec=spec, engine="baseline", seed=0)


def _notes(song, sid, role):
    span, track = song.section(sid), song.track(role)
    return [] if track is None else [(n.pitch, n.start - span.start, n.end - span.start, n.velocity)
                                     for n in song.notes_in(track, span)]


def _section(song, sid):
    """A section's notes and curves, from its own start."""
    span = song.section(sid)
    return [(t.role, _notes(song, sid, t.role),
             [(c.tick - span.start, c.control, c.value) for c in t.controls if span.start <= c.tick < span.end])
            for t in song.tracks]


def _kept(before, after, sids):
    for sid in sids:
        assert _section(after, sid) == _section(before, sid), f"{sid} changed"


def _scope(before, row):
    targets = row["sections"] or [s.id for s in before.sections]
    roles = row["roles"] or [t.role for t in before.tracks]
    return targets, roles, [s.id for s in before.sections if s.id not in targets]


def _in_scope(before, reply, row):
    """(the song after, the sections and roles the row names) once every other section is checked unchanged."""
    targets, roles, others = _scope(before, row)
    _kept(before, reply.song, others)
    return reply.song, targets, roles


def _per_bar(notes, song, sid, pitches=None):
    span = song.section(sid)
    return sum(pitches is None or n[0] in pitches for n in notes) / ((span.end - span.start) / song.ticks_per_bar)


def check_level(before, reply, row):
    after, targets, roles = _in_scope(before, reply, row)
    moved = 0
    for sid in targets:
        for role in roles:
            a, b = _notes(after, sid, role), _notes(before, sid, role)
            assert [n[:3] for n in a] == [n[:3] for n in b]
            if b:
                moved += 1
                assert (fmean(n[3] for n in a) - fmean(n[3] for n in b)) * row["dir"] > 0, (sid, role)
        for role in {t.role for t in before.tracks} - set(roles):
            assert _notes(after, sid, role) == _notes(before, sid, role)
    assert moved


def check_density(before, reply, row):
    after, targets, roles = _in_scope(before, reply, row)
    moved = 0
    for sid in targets:
        for role in roles:
            b, a = _notes(before, sid, role), _notes(after, sid, role)
            if len({n[1] for n in b}) < 2 and row["dir"] < 0:  # one held note or chord: nothing to leave out
                continue
            groove = [n for n in b if n[0] in FAMILIES["kick"] | FAMILIES["snare"] and _on_beat(n[1])]
            if role == "drums" and row["dir"] < 0 and len(groove) == len(b):  # sparse drums: the groove alone
                continue
            moved += 1
            assert (len(a) - len(b)) * row["dir"] > 0, (sid, role, len(b), len(a))
            if role == "drums" and row["dir"] < 0:
                for family in ("kick", "hats"):
                    assert _per_bar(a, after, sid, FAMILIES[family]) <= _per_bar(b, before, sid, FAMILIES[family])
                backbeat = [n for n in b if n[0] in FAMILIES["kick"] | FAMILIES["snare"] and _on_beat(n[1])]
                assert backbeat and all(n in a for n in backbeat), sid  # the groove's kicks and snares stay
    assert moved


def _on_beat(tick):
    """Within a sixteenth's half of a beat (played notes sit a little off the grid)."""
    return abs(tick - round(tick / PPQ) * PPQ) < PPQ // 8


def check_feel(before, reply, row):
    after, targets, _ = _in_scope(before, reply, row)
    bar = after.ticks_per_bar
    for sid in targets:
        notes = _notes(after, sid, "drums")
        kicks = {round(n[1] / PPQ) * PPQ for n in notes if n[0] in FAMILIES["kick"] and _on_beat(n[1])}
        snares = sorted(n[1] for n in notes if n[0] in FAMILIES["snare"])
        beats = set(range(0, after.section(sid).end - after.section(sid).start, PPQ))
        if row["feel"] in ("four_on_the_floor", "double_time"):
            assert beats <= kicks, sid
        if row["feel"] == "half_time":
            assert snares and all(t % bar == bar // 2 for t in snares), sid
        if row["feel"] == "double_time":
            assert len(snares) == len(beats) and all(t % PPQ == PPQ // 2 for t in snares), sid
        for role in ("bass", "harmony", "melody"):
            assert _notes(after, sid, role) == _notes(before, sid, role)


def check_drop(before, reply, row):
    after, targets, roles = _in_scope(before, reply, row)
    for sid in targets:
        for t in before.tracks:
            assert _notes(after, sid, t.role) == ([] if t.role in roles else _notes(before, sid, t.role))
        assert all(after.spec.section(sid).track_behaviours.get(r) == "tacet" for r in roles)


def check_add_part(before, reply, row):
    targets, _, others = _scope(before, row)
    after = reply.song
    new = after.track("counter_melody")
    assert before.track("counter_melody") is None and new is not None and new.program == reply.command.program
    assert "new part" in reply.markdown
    for sid in [s.id for s in before.sections]:
        assert bool(_notes(after, sid, "counter_melody")) == (sid in targets), sid
        for t in before.tracks:
            assert [n[:3] for n in _notes(after, sid, t.role)] == [n[:3] for n in _notes(before, sid, t.role)]


def check_swap(before, reply, row):
    after = reply.song
    role = row["roles"][0]
    assert after.track(role).program != before.track(role).program
    assert row["program"] is None or after.track(role).program == row["program"]
    assert after.spec.tracks[[t.role for t in after.tracks].index(role)].program == after.track(role).program
    assert [t.notes for t in after.tracks] == [t.notes for t in before.tracks]
    assert "now plays" in reply.markdown


def check_mix(before, reply, row):
    after, targets, roles = _in_scope(before, reply, row)
    for sid in targets:
        start = after.section(sid).start
        for t in after.tracks:
            sends = [c.value for c in t.controls if c.control == 91 and c.tick == start]
            if t.role in roles:
                assert sends and (sends[-1] - 40) * row["dir"] > 0, (sid, t.role)
            else:
                assert not sends
    assert [t.notes for t in after.tracks] == [t.notes for t in before.tracks]


def check_transpose(before, reply, row):
    after = reply.song
    assert after.key == row["key"] and f"F# minor → {row['key']}" in reply.markdown or row["key"] == before.key
    for tb, ta in zip(before.tracks, after.tracks):
        shift = 0 if tb.is_drums else row["semis"]
        assert [(n.pitch + shift, n.start, n.end, n.velocity) for n in tb.notes] == \
               [(n.pitch, n.start, n.end, n.velocity) for n in ta.notes]


def check_key(before, reply, row):
    after = reply.song
    assert after.key == row["key"]
    assert "*Preserved*: none" not in reply.markdown
    shifts = set()
    for tb, ta in zip(before.tracks, after.tracks):
        assert [(n.start, n.end, n.velocity) for n in tb.notes] == [(n.start, n.end, n.velocity) for n in ta.notes]
        if tb.is_drums:
            assert tb.notes == ta.notes
        else:
            shifts |= {b.pitch - a.pitch for a, b in zip(ta.notes, tb.notes)}
    assert (len(shifts) == 1) == row["same_mode"]
    from stori.theory import scale_pitch_classes
    scale, was = set(scale_pitch_classes(after.key)), set(scale_pitch_classes(before.key))
    for tb, ta in zip(before.tracks, after.tracks):  # a note of the old scale is a note of the new one
        if not tb.is_drums:
            assert all(b.pitch % 12 not in was or a.pitch % 12 in scale for b, a in zip(tb.notes, ta.notes))


def check_reharmonise(before, reply, row):
    after = reply.song
    assert after.key != before.key
    assert [s.chords for s in after.spec.sections] != [s.chords for s in before.spec.sections]


def check_tempo(before, reply, row):
    after = reply.song
    if "bpm" in row:
        assert after.tempo == row["bpm"]
    else:
        assert (after.tempo - before.tempo) * row["dir"] > 0
    assert [t.notes for t in after.tracks] == [t.notes for t in before.tracks]


def _moved_kept(before, after, gone=()):
    for s in before.sections:
        if s.id not in gone:
            assert _section(after, s.id) == _section(before, s.id), s.id


def check_form_add(before, reply, row):
    after = reply.song
    ids = [s.id for s in after.spec.sections]
    new = [s for s in after.spec.sections if s.id not in {x.id for x in before.sections}]
    assert len(new) == 1 and new[0].type == row["type"]
    k = ids.index(new[0].id)
    assert ids[k - 1] == row["after"] if "after" in row else ids[k + 1] == row["before"]
    assert any(_notes(after, new[0].id, t.role) for t in after.tracks)
    assert "bars" not in row or new[0].bars == row["bars"]
    _moved_kept(before, after)


def check_form_remove(before, reply, row):
    after = reply.song
    assert [s.id for s in after.sections] == [s.id for s in before.sections if s.id not in row["sections"]]
    _moved_kept(before, after, row["sections"])


def check_form_resize(before, reply, row):
    after = reply.song
    for sid in row["sections"]:
        assert after.spec.section(sid).bars == row["bars"]
        span = after.section(sid)
        assert span.end - span.start == row["bars"] * after.ticks_per_bar
    _moved_kept(before, after, row["sections"])


def check_mood(before, reply, row):
    after, targets, _ = _in_scope(before, reply, row)
    for sid in targets:
        was, now = (getattr(x.spec.section(sid).emotion, row["axis"]) for x in (before, after))
        assert (now - was) * row["dir"] > 0 or now in (0.0, 1.0), sid
    assert any(_section(after, sid) != _section(before, sid) for sid in targets)


def check_chords(before, reply, row):
    after, targets, _ = _in_scope(before, reply, row)
    for sid in targets:
        chords = " ".join(after.spec.section(sid).chords).split()
        assert all(bool(re.search(r"7|9", c)) == row["richer"] for c in chords), chords


def check_behaviour(before, reply, row):
    after, targets, roles = _in_scope(before, reply, row)
    assert all(after.spec.section(sid).track_behaviours.get(roles[0]) == row["behaviour"] for sid in targets)


def check_regenerate(before, reply, row):
    after, targets, _ = _in_scope(before, reply, row)
    assert any(_section(after, sid) != _section(before, sid) for sid in targets)


def check_why(before, reply, row):
    assert reply.song is before
    assert len(reply.markdown) > 30 and not re.search(r"[{}]|': ", reply.markdown), reply.markdown


def check_undo(before, reply, row):
    assert reply.song is before and "Back to version 1" in reply.markdown


def check_redo(before, reply, row):
    assert reply.song is not before and "Forward to version 2" in reply.markdown


@pytest.mark.parametrize("row", ROWS, ids=[r["say"] for r in ROWS])
def test_each_phrasing_does_what_it_says(song, row):
    cmd = parse_command(row["say"])
    assert cmd.action == ACTION[row["effect"]], cmd
    session = SongSession(song, engine="baseline", seed=0)
    if row["effect"] in ("undo", "redo"):
        session.say("louder chorus")
        if row["effect"] == "redo":
            session.say("undo")
    reply = session.say(row["say"])
    globals()[f"check_{row['effect']}"](song, reply, row)
    if reply.song is not song and row["effect"] not in ("undo", "redo"):
        shown = reply.markdown.split("<details>")[0].strip().splitlines()
        assert shown[0].startswith("**Version 2**") and len(shown) - 2 <= 10, reply.markdown
        assert "<details><summary>Details</summary>" in reply.markdown


def test_the_table_is_large_and_covers_every_kind():
    assert len(ROWS) >= 150 and len({r["say"] for r in ROWS}) == len(ROWS)
    assert set(ACTION) == {r["effect"] for r in ROWS}


def test_an_unknown_request_is_answered_with_the_three_closest_commands(song):
    reply = SongSession(song, engine="baseline", seed=0).say("can the intro drumz feel like a sunrise")
    assert reply.song is song and reply.command.action == "unknown"
    offered = re.findall(r"\*([^*]+)\*", reply.markdown.split("closest I know:")[1])
    assert len(offered) == 3 and all(any(w in o for w in ("intro", "drum")) for o in offered), offered
