"""The expression engine keeps every note and pitch, shapes dynamics by form (chorus above verse,
from the POP909 table), adds CC11/CC1 curves, guards the register, and perform() humanizes."""
import json
import statistics
from types import SimpleNamespace

import pytest

from stori.data.samples import SectionSample
from stori.perform.expression import express, groove_style, perform
from stori.perform.groove_model import MODEL_PATH
from stori.perform.section_dynamics import TABLE_PATH, measure, table
from stori.spec.song import Note, SectionSpan, Song, Track

BAR = 1920


def _song(tempo=100.0) -> Song:
    """Verse (8 bars) then chorus (8 bars), every part at one flat velocity."""
    melody = [Note(72 + (i % 5), i * 480, i * 480 + 400, 80) for i in range(64)]
    bass = [Note(36, i * 960, i * 960 + 400, 80) for i in range(32)]
    harmony = [Note(p, b * BAR, b * BAR + BAR, 80) for b in range(16) for p in (60, 64, 67, 74, 77)]
    drums = [Note(36 if i % 4 == 0 else 42, i * 240, i * 240 + 60, 80) for i in range(128)]
    drums += [Note(38, b * BAR + 480, b * BAR + 540, 100) for b in range(16)] + [Note(38, b * BAR + 600, b * BAR + 660,
                                                                                      30) for b in range(16)]
    drums.sort(key=lambda n: (n.start, n.pitch))
    tracks = [Track("Lead", "melody", 73, 1, melody), Track("Bass", "bass", 33, 2, bass),
              Track("Keys", "harmony", 0, 3, harmony), Track("Drums", "drums", 0, 10, drums)]
    return Song(tracks, [SectionSpan("v1", "verse", 0, 8 * BAR), SectionSpan("c1", "chorus", 8 * BAR, 16 * BAR)], tempo)


def _mean_velocity(song: Song, track: Track, kind: str) -> float:
    span = next(s for s in song.sections if s.type == kind)
    return statistics.fmean(n.velocity for n in song.notes_in(track, span))


def test_expression_keeps_notes_and_pitches_and_adds_curves():
    song = _song()
    out = express(song)
    for a, b in zip(song.tracks, out.tracks):
        assert len(a.notes) == len(b.notes) and [n.pitch for n in a.notes] == [n.pitch for n in b.notes]
    for t in out.tracks:
        cc11 = [c for c in t.controls if c.control == 11]
        if t.is_drums:
            assert not cc11
        else:
            assert cc11 and all(0 <= c.value <= 127 for c in cc11) and len({c.value for c in cc11}) > 3
    assert [c for c in out.track("melody").controls if c.control == 1]
    assert express(song).tracks[0].notes == out.tracks[0].notes  # deterministic


def test_chorus_louder_than_verse_and_verse_builds_into_it():
    song = _song()
    out = express(song)
    for t in out.tracks:
        if t.role != "drums":
            assert _mean_velocity(out, t, "chorus") > _mean_velocity(out, t, "verse") + 2, t.role
    bass = out.track("bass").notes
    last_verse_bar = [n.velocity for n in bass if 7 * BAR <= n.start < 8 * BAR]
    mid_verse_bar = [n.velocity for n in bass if 4 * BAR <= n.start < 5 * BAR]
    assert statistics.fmean(last_verse_bar) > statistics.fmean(mid_verse_bar)  # crescendo into the chorus
    ghosts = [n for n in out.track("drums").notes if n.pitch == 38 and n.start % BAR == 600]
    assert all(n.velocity < 45 for n in ghosts)  # ghost notes stay ghosts


def test_register_guard_keeps_accompaniment_under_the_melody():
    out = express(_song())
    lead = out.track("melody").notes
    for n in out.track("harmony").notes:
        under = [m for m in lead if m.start <= n.start < m.end]
        if under and n.pitch >= under[0].pitch - 2:
            assert n.velocity < under[0].velocity


def test_no_pile_of_loud_high_notes():
    song = _song()
    song.tracks.append(Track("Strings", "counter_melody", 48, 4,
                             [Note(p, 9 * BAR, 10 * BAR, 120) for p in (84, 86, 88, 91, 93)]))
    song.tracks.remove(song.track("melody"))
    strings = express(song).track("counter_melody").notes
    assert sum(n.velocity > 90 for n in strings) <= 2


def test_articulation_legato_when_slow_staccato_when_driving_bass_held():
    slow = express(_song(tempo=70))
    melody_in = _song().track("melody").notes
    assert sum(n.end - n.start for n in slow.track("melody").notes) > sum(n.end - n.start for n in melody_in)
    fast = express(_strummed(_song(tempo=150)))  # chorus energy 0.8 above 120 BPM drives
    for role, kept in (("harmony", False), ("bass", True)):
        before = [n.end - n.start for n in _song(tempo=150).track(role).notes if n.start >= 8 * BAR]
        after = [n.end - n.start for n in fast.track(role).notes if n.start >= 8 * BAR]
        assert (after == before) if kept else sum(after) < 0.85 * sum(before), role


def _strummed(song: Song, program: int = 25) -> Song:
    """``song`` with its harmony on a guitar (a steel-string by default): no pedal."""
    song.tracks = [Track(t.name, t.role, program, t.channel, t.notes) if t.role == "harmony" else t
                   for t in song.tracks]
    return song


def _stabs(genre: str | None = None) -> Song:
    """``_song`` with the keys comping in short stabs: a chord on beats 1 and 3, another on beat 2."""
    song = _song()
    stabs = [Note(p, b * BAR + beat * 480, b * BAR + beat * 480 + 200, 80) for b in range(16)
             for beat, chord in ((0, (60, 64, 67)), (1, (62, 65, 69)), (2, (60, 64, 67))) for p in chord]
    song.tracks = [Track("Keys", "harmony", 0, 3, stabs) if t.role == "harmony" else t for t in song.tracks]
    if genre:
        song.spec = SimpleNamespace(genre=genre, extra={}, sections=[])
    return song


def test_keyboard_comping_rings_under_a_pianists_pedal_and_a_guitar_or_a_skank_does_not():
    song = express(_stabs())
    why = next(t for t in song.traces if t["decision_type"] == "expression")["because"]
    assert {"factor": "pedal", "value": ["Keys"]}.items() <= next(b for b in why if b["factor"] == "pedal").items()
    played = song.track("harmony")
    assert not [c for c in played.controls if c.control == 64]  # the pedal is in the lengths
    # the pedal changes every half bar, pressed a 16th after the stroke: each stab rings to the change
    assert all(n.end == (n.start // 960 + 1) * 960 for n in played.notes)
    assert statistics.median(n.end - n.start for n in played.notes) >= 480  # POP909 comping as heard: ~1 beat
    for unpedalled in (_strummed(_stabs()), _stabs("reggae")):
        written = [n.end - n.start for n in unpedalled.track("harmony").notes]
        assert [n.end - n.start for n in express(unpedalled).track("harmony").notes] == written


def test_a_calm_section_plays_its_pitched_parts_softer_and_its_drums_as_written():
    from stori.spec.emotion import EmotionVector

    def played(energy):
        song = _song()
        song.spec = SimpleNamespace(genre="pop", extra={}, sections=[
            SimpleNamespace(id=s.id, emotion=EmotionVector(energy=energy), chord_timeline=lambda bar: [(0, "C")])
            for s in song.sections])
        return express(song)
    calm, usual = played(0.15), played(0.5)
    for role, ratio in (("melody", 0.7), ("harmony", 0.7), ("drums", 1.0)):
        quiet = statistics.fmean(n.velocity for n in calm.track(role).notes)
        loud = statistics.fmean(n.velocity for n in usual.track(role).notes)
        assert quiet == pytest.approx(ratio * loud, rel=0.06), role
    assert [n.velocity for n in played(0.35).track("melody").notes] == [n.velocity for n in usual.track("melody").notes]


@pytest.mark.skipif(not MODEL_PATH.is_file(), reason="the groove model assets/models/groove.pt is not present")
def test_perform_humanizes_and_keeps_notes():
    song = _song()
    out = perform(song, seed=1)
    for a, b in zip(song.tracks, out.tracks):
        assert [n.pitch for n in a.notes] == [n.pitch for n in b.notes]
    drums = out.track("drums").notes
    assert any(n.start % 240 for n in drums)  # off the grid
    assert perform(song, seed=1).track("drums").notes == drums


def test_section_dynamics_table_is_measured_and_shipped():
    shipped = json.loads(TABLE_PATH.read_text())
    assert "python -m stori.perform.section_dynamics" in shipped["command"]
    t = table()
    assert t["chorus"]["gain"] > t["verse"]["gain"] and t["chorus"]["sections"] > 100
    samples = [SectionSample(f"pop909:001#{i}", "train", "pop", kind, "C major", 100.0, (4, 4), 2,
                             {"melody": [Note(60, k * 240, k * 240 + 200, vel) for k in range(16)]})
               for i, (kind, vel) in enumerate((("verse", 60), ("chorus", 90)))]
    m = measure(samples)
    assert m["chorus"]["gain"] == pytest.approx(90 / 75) and m["verse"]["gain"] == pytest.approx(60 / 75)


def test_groove_style_from_genre():
    song = _song()
    assert groove_style(song) is None
    for genre, style in (("lo-fi", "hiphop"), ("J Dilla", "hiphop"), ("indie funk", "funk"),
                         ("dreamy jazz ballad", "jazz")):
        song.spec = SimpleNamespace(genre=genre, extra={})
        assert groove_style(song) == style, genre
