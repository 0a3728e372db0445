"""Phrases and the plan in the notes: units repeat as planned, repeats follow the chords, tacet and
sparse are heard, no same-pitch restrikes, song drums keep a backbeat."""
import random

import pytest

from stori.compose.phrases import phrase_form, refit
from stori.pipeline import generate
from stori.plan.planner import plan_song
from stori.spec.song import Note, no_restrikes, pedalled

BAR = 1920


def test_phrase_form_copies_only_earlier_units_and_repeats_sometimes():
    forms = [phrase_form("bass", 8, random.Random(k)) for k in range(200)]
    assert all(u.source < u.index for f in forms for u in f if u.kind != "new")
    share = sum(u.kind == "repeat" for f in forms for u in f) / sum(len(f) - 1 for f in forms)
    assert 0.1 < share < 0.4  # POP909 bass repeats the 2 bars before about a fifth of the time


def test_a_repeated_unit_keeps_its_rhythm_and_moves_to_the_new_chord():
    timeline = [(0, "C"), (2 * BAR, "F")]
    notes = [Note(60, 0, 240, 80), Note(64, 480, 720, 80), Note(67, 960, 1200, 80)]
    moved = refit(notes, 2 * BAR, timeline, "harmony", "C major", (48, 79))
    assert [n.start - 2 * BAR for n in moved] == [n.start for n in notes]
    assert all(n.pitch % 12 in (5, 9, 0) for n in moved)


def test_no_restrikes_cuts_a_note_before_its_pitch_returns():
    out = no_restrikes([Note(60, 0, 960, 80), Note(60, 480, 960, 80)])
    assert out[0].end <= out[1].start


@pytest.fixture(scope="module")
def song():
    return generate("bittersweet indie folk song about leaving home", seed=1, trace=True)


def test_no_pitched_note_restrikes_a_sounding_pitch(song):
    for t in song.tracks:
        if t.is_drums:
            continue
        last_end: dict[int, int] = {}
        for n in sorted(t.notes, key=lambda n: n.start):
            assert n.start >= last_end.get(n.pitch, -1), (t.name, n)
            last_end[n.pitch] = n.end


def test_song_drums_keep_the_backbeat_and_few_toms(song):
    drums = next(t for t in song.tracks if t.is_drums).notes
    loud_snares = [n for n in drums if n.pitch in (37, 38, 39, 40) and n.velocity >= 50]
    on_backbeat = sum(round(n.start / 120) % 16 in (4, 12) for n in loud_snares)
    assert on_backbeat / len(loud_snares) > 0.6
    assert sum(n.pitch in (41, 43, 45, 47, 48, 50) for n in drums) / len(drums) < 0.08


def test_song_drums_hold_their_groove_and_play_toms_in_fills_and_tom_grooves(song):
    """The played drums repeat a bar's kick and snare often (GMD test beats: 0.32); every tom hit
    falls in a bar the section's phrase form traces as a fill or as carrying the groove's tom figure."""
    from stori.data.part_facts import drum_facts, song_parts

    assert drum_facts(song_parts(song)["drums"])["bar_repeats"] >= 0.2
    start = {s.id: s.start // BAR for s in song.sections}
    traced = set()
    for t in song.traces:
        if t["decision_type"] == "phrase_form" and t["target"].endswith("/drums"):
            first = start[t["target"].split(":")[1].split("/")[0]]
            traced |= {first + int(b) - 1 for b in [*t["decision"]["fills"], *t["decision"]["tom_bars"]]}
    toms = {round(n.start / 120) // 16 for t in song.tracks if t.is_drums for n in t.notes
            if n.pitch in (41, 43, 45, 47, 48, 50)}
    assert toms and toms <= traced


def test_song_drums_repeat_bars_as_gmd_drummers_do():
    """Over a few genres the played drums repeat a bar's loud kick and snare at least 0.18 of the
    time (GMD test beats 0.32; before the groove was held, 0.10 here)."""
    from stori.data.part_facts import drum_facts, song_parts

    repeats = [drum_facts(song_parts(generate(p, seed=k, trace=False))["drums"])["bar_repeats"]
               for k, p in enumerate(("a driving rock song", "a funk groove", "a soul song", "an upbeat pop song"))]
    assert sum(repeats) / len(repeats) >= 0.18, repeats


def test_phrase_forms_are_traced(song):
    forms = [t for t in song.traces if t["decision_type"] == "phrase_form"]
    assert any("drums" in t["target"] for t in forms) and any("melody" in t["target"] for t in forms)


def test_tacet_and_sparse_behaviours_are_heard():
    spec = plan_song("a pop song", structure="verse:8,chorus:8", seed=4)
    spec.section("verse").track_behaviours.update(drums="sparse", bass="tacet")
    spec.section("chorus").track_behaviours.update(drums="driving")
    song = generate(spec=spec, seed=4, trace=False)
    verse, chorus = song.section("verse"), song.section("chorus")
    tracks = {t.role: t for t in song.tracks}
    assert not song.notes_in(tracks["bass"], verse) and song.notes_in(tracks["bass"], chorus)
    body = [n for n in song.notes_in(tracks["drums"], verse) if n.start < verse.end - BAR]  # the last bar may fill
    off_backbeat = [n for n in body if n.pitch == 38 and round((n.start - verse.start) / 120) % 16 not in (4, 12)]
    assert not off_backbeat  # sparse drums play no ghost snares between the backbeats
    assert len(song.notes_in(tracks["drums"], verse)) < len(song.notes_in(tracks["drums"], chorus))


def test_a_per_window_form_repeats_as_often_per_window_as_measured():
    from stori.data.phrase_stats import role_stats

    forms = [phrase_form("harmony", 8, random.Random(k), per_window=True) for k in range(2000)]
    share = sum(u.kind == "repeat" for f in forms for u in f) / sum(len(f) for f in forms)
    assert abs(share - role_stats("harmony")["repeat_previous"]) < 0.015
    # where only 0.8 of the designed repeats are heard in the end, the form asks for 1/0.8 as many
    asked = [phrase_form("melody", 8, random.Random(k), per_window=True, heard=0.8) for k in range(2000)]
    plain = [phrase_form("melody", 8, random.Random(k), per_window=True) for k in range(2000)]
    repeats = [sum(u.kind == "repeat" for f in forms for u in f) for forms in (asked, plain)]
    assert repeats[0] == pytest.approx(repeats[1] / 0.8, rel=0.15)


def test_a_share_of_arpeggiation_breaks_the_same_quarters_of_every_bar():
    from stori.compose.articulation import arpeggiate
    from stori.spec.song import PPQ

    strokes = [Note(p, q * PPQ, (q + 1) * PPQ, 80) for q in range(8) for p in (48, 55, 64)]  # 2 bars of quarters
    for share, quarters in ((0.0, []), (0.2, [3]), (0.5, [1, 3]), (0.75, [1, 2, 3]), (1.0, [0, 1, 2, 3])):
        out = arpeggiate(strokes, share=share).notes
        broken = sorted({n.start // PPQ for n in out if n.start % PPQ})  # a broken quarter has an onset on its "and"
        assert broken == quarters + [q + 4 for q in quarters]  # bar 2 breaks what bar 1 broke


def test_an_arpeggiated_part_breaks_its_held_chords_and_leaves_short_strokes_struck():
    from stori.compose.articulation import arpeggiate
    from stori.spec.song import PPQ

    bar = 4 * PPQ
    chord = [Note(p, 0, bar, 80) for p in (48, 55, 64)]  # C major held a bar
    stab = [Note(p, bar, bar + PPQ // 2, 80) for p in (50, 57, 65)]  # an 8th-note stroke: too short to break
    written, pedal = arpeggiate(chord + stab)
    broken = [n for n in written if n.start < bar]
    assert [n.start for n in broken] == [k * PPQ // 2 for k in range(8)]  # one note per 8th
    assert [n.pitch for n in broken[:5]] == [48, 55, 64, 55, 48]  # up from the lowest, then back down
    assert broken[0].velocity > broken[1].velocity  # the bass of the pattern leads
    assert all(n.end - n.start == PPQ // 2 for n in broken)  # written as a score writes it: 8ths
    assert pedal == [(0, bar)]  # the pedal is down for the broken chord, not for the stab
    played = no_restrikes(pedalled(written, pedal))
    assert all(n.end <= bar for n in played if n.start < bar) and played[7].end == bar  # it rings to the chord's end
    assert played[0].end == 2 * PPQ and played[1].end == 3 * PPQ // 2  # a note rings until it is struck again
    assert sorted(n.pitch for n in written if n.start == bar) == [50, 57, 65]  # the stab stays a chord


def test_the_pedal_holds_a_key_let_go_under_it_not_one_let_go_before():
    spans = [(120, 960), (1080, 1920)]
    chord_then_pedal = Note(60, 0, 200, 80)  # struck on the change, the pedal pressed a 16th later
    before_it = Note(64, 0, 100, 80)  # let go before the pedal went down
    at_the_lift = Note(67, 480, 960, 80)  # let go as it lifts: no ringing into the next span
    assert pedalled([chord_then_pedal, before_it, at_the_lift], spans) == [Note(60, 0, 960, 80), before_it,
                                                                            at_the_lift]


def test_a_pedalled_arpeggio_breaks_each_chord_once_and_rings_to_the_change():
    from stori.compose.articulation import arpeggiate
    from stori.spec.song import PPQ

    bar = 4 * PPQ
    strokes = [Note(p, b * PPQ, (b + 1) * PPQ, 80) for b in range(4) for p in (48, 55, 64)]  # C struck on each beat
    strokes += [Note(67, 2 * PPQ, 3 * PPQ, 80)]  # a G added on beat 3
    unpedalled = no_restrikes(pedalled(*arpeggiate(strokes)))
    assert max(n.end - n.start for n in unpedalled) <= PPQ  # each stroke broken alone: nothing outlasts a beat
    written, pedal = arpeggiate(strokes, pedal=[0, bar])
    assert pedal == [(0, bar)]
    out = no_restrikes(pedalled(written, pedal))
    assert [n.start for n in out] == [k * PPQ // 2 for k in range(8)]  # one broken chord over the bar
    assert [n.pitch for n in out[:6]] == [48, 55, 64, 67, 64, 55]  # every pitch of the bar in it, up and down
    assert out[0].end == 6 * PPQ // 2 and out[3].end == bar  # each rings until struck again, or to the change
    assert sorted(n.end - n.start for n in out)[len(out) // 2] >= 2 * PPQ // 2  # a median note of a beat or more


def test_a_hushed_song_sings_fewer_longer_notes_over_pedalled_chords_in_every_section():
    from statistics import median

    from stori.compose import compose
    from stori.perform.expression import perform
    from stori.spec.song_spec import SongSpec

    hushed = plan_song("a song", emotion={"energy": 0.2}, structure="verse:4,chorus:4", seed=2)
    d = hushed.to_dict()
    d["global_emotion"]["energy"] = 0.3  # the same sections in a song that is not hushed as a whole
    awake = SongSpec.from_dict(d)
    assert [s.emotion for s in awake.sections] == [s.emotion for s in hushed.sections]
    quiet, usual = (perform(compose(spec, "learned", seed=2), seed=2) for spec in (hushed, awake))
    chorus = next(s for s in quiet.sections if s.type == "chorus")  # the pedal is the performer's

    def notes(song, role):
        return song.notes_in(song.track(role), chorus)
    assert len(notes(quiet, "melody")) < 0.75 * len(notes(usual, "melody"))
    assert median(n.end - n.start for n in notes(quiet, "harmony")) > median(n.end - n.start
                                                                              for n in notes(usual, "harmony"))


def test_broken_chords_are_written_as_steps_under_a_pedal_that_the_performer_plays():
    from statistics import median

    from stori.compose import compose
    from stori.perform.expression import express, perform
    from stori.spec.song import PPQ, SUSTAIN, pedal_spans

    spec = plan_song("a folk song, fingerpicked guitar", emotion={"motion": 0.5, "energy": 0.5},
                     structure="verse:4,chorus:4", seed=0)
    assert all(s.behaviour("harmony", "") == "arpeggiated" for s in spec.sections)
    written = compose(spec, "learned", seed=0)
    harmony = written.track("harmony")
    spans = pedal_spans(harmony.controls)
    assert len(spans) >= 8 and all(a < b for a, b in spans)  # the score marks the pedal for each broken chord
    assert median(n.end - n.start for n in harmony.notes) <= PPQ // 2  # and writes the notes as 8ths
    played = perform(written, seed=0).track("harmony")
    assert not [c for c in played.controls if c.control == SUSTAIN]  # the pedal is played into the lengths
    rung = {(n.pitch, n.start): n.end for n in express(written).track("harmony").notes}
    under = [n for n in harmony.notes if any(a <= n.start < b for a, b in spans)]
    assert all(rung[n.pitch, n.start] >= n.end for n in harmony.notes)  # never shorter than written
    for n in under:  # each rings until the pedal lifts or its pitch is struck again
        up = next(b for a, b in spans if a <= n.start < b)
        again = min((m.start for m in harmony.notes if m.pitch == n.pitch and m.start > n.start), default=up)
        assert rung[n.pitch, n.start] == max(n.end, min(up, again))
    assert sum(rung[n.pitch, n.start] > n.end for n in under) > 0.4 * len(under)
    verse = written.section("verse")  # a section composed again keeps the other sections' pedal as it was
    again = compose(spec, "learned", seed=5, sections={"verse"}, base=written).track("harmony")
    assert [s for s in pedal_spans(again.controls) if s[0] >= verse.end] == [s for s in spans if s[0] >= verse.end]
    assert [s for s in pedal_spans(again.controls) if s[0] < verse.end] != [s for s in spans if s[0] < verse.end]
