"""The baseline engine honours the spec: sections, bars, chords, key, meter, motifs, behaviours."""
import pytest

from stori.compose import compose
from stori.compose.ensemble import PUSH
from stori.data.drum_kit import KIT_PITCHES
from stori.plan import plan_song
from stori.spec.arrange import ROLE_RANGES, realize_motif
from stori.spec.constraints import emotion_to_constraints
from stori.spec.song import PPQ
from stori.theory import parse_chord, scale_pitch_classes
from stori.trace import NULL_RECORDER, TraceRecorder


def chord_at(section, spec, rel_tick):
    current = None
    for t, sym in section.chord_timeline(spec.ticks_per_bar):
        if t <= rel_tick:
            current = sym
    return current


@pytest.fixture(scope="module")
def song():
    import json

    from stori.spec.song_spec import SongSpec
    from tests.conftest import EXAMPLE_SPEC
    spec = SongSpec.from_dict(json.loads(EXAMPLE_SPEC.read_text()))
    return compose(spec, "baseline", seed=3, tracer=TraceRecorder())


def test_sections_and_bars_follow_the_spec(song):
    spec = song.spec
    assert [s.id for s in song.sections] == [s.id for s in spec.sections]
    for span, s in zip(song.sections, spec.sections):
        assert span.end - span.start == s.bars * spec.ticks_per_bar
    for track in song.tracks:
        assert all(n.end <= song.sections[-1].end and n.end > n.start for n in track.notes)


def test_bass_plays_the_chord_bass_note_at_every_change(song):
    spec, bass = song.spec, song.track("bass")
    for span, s in zip(song.sections, spec.sections):
        for t, sym in s.chord_timeline(spec.ticks_per_bar):
            if s.behaviour("bass", "roots") == "tacet":
                continue
            # on the change, or an 8th before it where a tense section pushes the change
            hit = [n for n in bass.notes if n.start in (span.start + t, span.start + t - PUSH)]
            assert hit and hit[-1].pitch % 12 == parse_chord(sym)[2], (s.id, t, sym)


def test_harmony_notes_are_chord_tones(song):
    spec, harmony = song.spec, song.track("harmony")
    for span, s in zip(song.sections, spec.sections):
        for n in song.notes_in(harmony, span):  # a pushed note already plays the chord an 8th ahead
            assert any(n.pitch % 12 in parse_chord(chord_at(s, spec, n.start - span.start + d))[1] for d in (0, PUSH))


def _leaning(song):
    """(share of free melody notes out of the key, share of its notes on a beat that are not chord tones)."""
    spec, melody = song.spec, song.track("melody")
    scale = scale_pitch_classes(spec.key)
    motif_ticks = {n.start for span, s in zip(song.sections, spec.sections) for u in s.motif_usage
                   for n in realize_motif(spec, u, span.start)[1]}
    free = [n for n in melody.notes if n.start not in motif_ticks]
    on_beat = [(n, s, span) for span, s in zip(song.sections, spec.sections) for n in free
               if span.start <= n.start < span.end and (n.start - span.start) % PPQ == 0]
    off = sum(n.pitch % 12 not in parse_chord(chord_at(s, spec, n.start - span.start))[1] for n, s, span in on_beat)
    return sum(n.pitch % 12 not in scale for n in free) / len(free), off / len(on_beat)


def test_melody_stays_in_range_and_leans_off_key_and_chord_only_as_tension_asks(song):
    lo, hi = ROLE_RANGES["melody"]
    assert all(lo <= n.pitch <= hi for n in song.track("melody").notes)
    lean = max(emotion_to_constraints(s.emotion, s).dissonance for s in song.spec.sections)
    chromatic, off_chord = _leaning(song)
    assert chromatic <= lean and off_chord <= lean + 0.1


def test_a_tense_melody_leans_off_the_key_and_the_chord_more_than_a_calm_one():
    calm, tense = ([_leaning(compose(plan_song("a pop song", emotion={"tension": t}, seed=k), "baseline", seed=k))
                    for k in range(2)] for t in (0.0, 1.0))
    assert all(c[0] < t[0] and c[1] < t[1] for c, t in zip(calm, tense))


def test_motifs_sound_where_the_spec_declares_them(song):
    spec, melody = song.spec, song.track("melody")
    played = {(n.pitch, n.start) for n in melody.notes}
    for span, s in zip(song.sections, spec.sections):
        for u in s.motif_usage:
            _, notes = realize_motif(spec, u, span.start)
            assert all((n.pitch, n.start) in played for n in notes if n.end <= span.end), s.id


def test_behaviours_tacet_and_drums_on_kit(song):
    intro = song.section("intro")
    assert not song.notes_in(song.track("drums"), intro)  # the example's intro drums are tacet
    drums = song.track("drums")
    assert drums.channel == 10 and all(n.pitch in KIT_PITCHES for n in drums.notes)
    for role in ("bass", "harmony"):
        lo, hi = ROLE_RANGES[role]
        assert all(lo <= n.pitch <= hi for n in song.track(role).notes)


def test_traces_are_recorded_in_the_schema(song):
    keys = {"trace_id", "timestamp", "decision_type", "target", "decision", "because", "alternatives_considered",
            "confidence", "musical_principle"}
    assert song.traces and all(set(t) == keys for t in song.traces)
    assert any(t["decision_type"] == "motif_placement" for t in song.traces)
    assert all({"factor", "value", "implication", "weight"} == set(b) for t in song.traces for b in t["because"])


def test_same_seed_same_song_and_tracing_off_changes_nothing(example_spec):
    a = compose(example_spec, "baseline", seed=5, tracer=TraceRecorder())
    b = compose(example_spec, "baseline", seed=5, tracer=NULL_RECORDER)
    assert [t.notes for t in a.tracks] == [t.notes for t in b.tracks]
    assert b.traces == []
    c = compose(example_spec, "baseline", seed=6)
    assert [t.notes for t in a.tracks] != [t.notes for t in c.tracks]


def test_meters_other_than_four_four(example_spec):
    example_spec.time_signature = (6, 8)
    song = compose(example_spec, "baseline", seed=1)
    assert song.ticks_per_bar == 3 * PPQ
    assert all(n.pitch in KIT_PITCHES for n in song.track("drums").notes)  # fills included
    assert song.sections[-1].end == example_spec.total_bars * 3 * PPQ


def test_a_happy_melody_rises_in_more_of_its_moves_than_a_sad_one():
    def rising(valence, k):
        song = compose(plan_song("a pop song", emotion={"valence": valence}, seed=k), "baseline", seed=k)
        tops = {}
        for n in song.track("melody").notes:
            tops[n.start] = max(tops.get(n.start, 0), n.pitch)
        line = [tops[t] for t in sorted(tops)]
        moves = [b - a for a, b in zip(line, line[1:]) if b != a]
        return sum(m > 0 for m in moves) / len(moves)
    for k in range(2):
        assert rising(-1.0, k) + 0.15 < rising(1.0, k), k


def test_the_baselines_broken_chords_run_in_the_sections_finest_grid():
    """A driving section (``subdivision`` 16) breaks its chords in 16ths, a calm one in 8ths."""
    from statistics import median

    from stori.pipeline import generate

    def arpeggio_step(energy, motion):
        song = generate("a pop song", emotion={"energy": energy, "motion": motion, "intimacy": 0.4},
                        engine="baseline", seed=0, trace=False, perform=False)
        harmony, gaps = song.track("harmony"), []
        for span, s in zip(song.sections, song.spec.sections):
            if s.behaviour("harmony", "") == "arpeggiated":
                onsets = sorted({n.start for n in harmony.notes if span.start <= n.start < span.end})
                gaps += [b - a for a, b in zip(onsets, onsets[1:])]
        return median(gaps)
    assert (arpeggio_step(0.55, 0.9), arpeggio_step(0.3, 0.3)) == (PPQ // 4, PPQ // 2)
