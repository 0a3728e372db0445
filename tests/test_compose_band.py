"""Any band: a named ensemble is the whole band, role by role, in the MIDI; a horn section punches."""
import pytest

from stori.compose.articulation import PAD_VOICES, STAB, held_chords, stab
from stori.data.drum_kit import KICKS, SNARES
from stori.pipeline import generate
from stori.render.midi import midi_bytes, midi_to_song
from stori.spec.song import PPQ, Note


@pytest.fixture(scope="module")
def quartet():
    song = generate("a string quartet in D major", seed=0, trace=False)
    return song, midi_to_song(midi_bytes(song))


def test_a_string_quartet_is_two_violins_a_viola_and_a_cello_each_in_its_role(quartet):
    song, back = quartet
    playing = {t.role: (t.name, t.program) for t in song.tracks if t.notes}
    assert playing == {"melody": ("Violin I", 40), "counter_melody": ("Violin II", 40), "harmony": ("Viola", 41),
                       "bass": ("Cello", 42)}
    sounding = sorted((t.name, t.program) for t in back.tracks if t.notes)
    assert sounding == [("Cello", 42), ("Viola", 41), ("Violin I", 40), ("Violin II", 40)]
    assert not any(t.notes for t in back.tracks if t.channel == 10)  # a quartet has no drum kit
    low = {t.name: min(n.pitch for n in t.notes) for t in back.tracks if t.notes}
    assert low["Cello"] < low["Viola"] and low["Cello"] < low["Violin I"]


def test_a_horn_section_punches_stabs_and_pads_only_where_the_section_sustains():
    chord = [Note(p, 0, 4 * PPQ, 90) for p in (60, 64, 67)]
    assert all(n.end - n.start < STAB for n in stab(chord, 61, "block"))  # brass section
    assert stab(chord, 61, "sustained") == chord and stab(chord, 0, "block") == chord  # horn pad; a piano rings
    song = generate("a soul song with a horn section", seed=0, trace=False)
    horns = song.track("harmony")
    assert horns.program == 61 and horns.notes
    for s, span in zip(song.spec.sections, song.sections):
        notes = song.notes_in(horns, span)
        if s.behaviour("harmony", "") != "sustained":
            assert all(n.end - n.start < STAB for n in notes), s.id


def test_two_interlocking_guitars_are_two_guitar_tracks():
    song = generate("funk with two interlocking guitars, bass and drums", seed=0, trace=False)
    guitars = [t for t in song.tracks if 24 <= t.program <= 31 and t.notes]
    assert len(guitars) == 2 and {t.role for t in guitars} == {"harmony", "counter_melody"}


def test_strings_that_enter_in_the_second_chorus_are_silent_before_it():
    from stori.plan.instruments import entrances

    assert entrances("the drums kick in at the verse; a cello comes in for the final chorus") == [
        ("drums", 1, "verse", "the drums kick in at the verse"),
        ("family:strings", -1, "chorus", "a cello comes in for the final chorus")]
    song = generate("a pop ballad with piano and strings, where the strings enter in the second chorus", seed=0,
                    trace=False)
    strings = next(t for t in song.tracks if 40 <= t.program <= 55)
    ids = [s.id for s in song.spec.sections]
    enter = song.section([i for i in ids if i.startswith("chorus")][1])
    assert strings.notes and min(n.start for n in strings.notes) >= enter.start
    assert any(n.start < enter.end for n in strings.notes)  # and it plays in that chorus


@pytest.mark.parametrize("prompt", ["a pop song with piano, a warm pad and a synth arpeggio, drums and bass",
                                    "a waltz with piano, a warm pad and a harp arpeggio"])  # 3/4: the meter-aware model
def test_a_pad_and_an_arpeggio_are_tracks_of_their_own(prompt):
    from statistics import median

    song = generate(prompt, seed=0, trace=False)
    back = midi_to_song(midi_bytes(song))
    by_channel = {t.channel: t for t in back.tracks}
    pad, arp = by_channel[6], by_channel[7]
    assert pad.program == 89 and arp.program == (81 if "synth" in prompt else 46)
    assert [t.role for t in song.tracks if t.channel in (6, 7)] == ["pad", "arpeggio"]
    assert len({t.channel for t in back.tracks if t.notes}) == 6  # drums, bass, piano, lead, pad, arpeggio
    def single(track):
        onsets = {}
        for n in track.notes:
            onsets[n.start] = onsets.get(n.start, 0) + 1
        return sum(k == 1 for k in onsets.values()) / len(onsets)
    assert single(arp) > 0.7 and single(arp) > single(by_channel[3]) + 0.2  # broken chords, where the piano strikes
    assert median(n.end - n.start for n in pad.notes) >= PPQ  # held chords


def test_a_held_chord_is_struck_as_chords_and_rings_to_the_change():
    broken = [Note(p, t, t + PPQ // 2) for t, p in zip((PPQ // 4, PPQ // 2, PPQ, 2 * PPQ), (60, 64, 67, 64))]
    restruck = [Note(p, 3 * PPQ, 4 * PPQ) for p in (60, 64)]
    held = held_chords(broken + restruck + [Note(65, 4 * PPQ + PPQ // 2, 5 * PPQ)], [0, 4 * PPQ])
    assert sorted((n.pitch, n.start, n.end) for n in held) == [  # single notes join the chord on the change
        (60, 0, 3 * PPQ), (60, 3 * PPQ, 4 * PPQ), (64, 0, 3 * PPQ), (64, 3 * PPQ, 4 * PPQ), (65, 4 * PPQ, 8 * PPQ),
        (67, 0, 4 * PPQ)]


def test_a_pad_strikes_each_chord_once_and_holds_it_to_the_change():
    comping = [Note(60, 0, PPQ), Note(64, PPQ, 2 * PPQ), Note(67, 2 * PPQ, 3 * PPQ), Note(72, 2 * PPQ, 3 * PPQ),
               Note(60, 3 * PPQ, 4 * PPQ), Note(62, 4 * PPQ, 5 * PPQ), Note(65, 6 * PPQ, 7 * PPQ)]
    pad = held_chords(comping, [0, 4 * PPQ], voices=3, restrike=False)
    assert sorted((n.pitch, n.start, n.end) for n in pad) == [  # three voices, no restrike, held to the change
        (60, 0, 4 * PPQ), (62, 4 * PPQ, 7 * PPQ), (64, 0, 4 * PPQ), (65, 4 * PPQ, 7 * PPQ), (67, 0, 4 * PPQ)]


def test_an_excited_songs_pad_changes_with_the_chords_and_lies_under_the_piano():
    """At the loud, open end the learned pad holds a triad from each chord change to the next, softer
    than the piano comping beside it."""
    from statistics import fmean

    song = generate("a song", emotion={"energy": 0.9}, seed=0, trace=False, perform=False)
    pad, piano = song.track("pad"), song.track("harmony")
    changes = {span.start + t for span, s in zip(song.sections, song.spec.sections)
               for t, _ in s.chord_timeline(song.ticks_per_bar)}
    assert pad.notes and {n.start for n in pad.notes} <= changes
    assert max(sum(1 for n in pad.notes if n.start == t) for t in changes) <= PAD_VOICES
    assert fmean(n.velocity for n in pad.notes) < fmean(n.velocity for n in piano.notes)


@pytest.mark.parametrize("engine", ["learned", "baseline"])
def test_a_waltz_comps_oom_pah_pah(engine):
    """The waltz's piano leaves beat 1 to the bass and strikes its chord on beats 2 and 3 (in the
    sections that comp; a calm intro plays its chords broken)."""
    song = generate("a waltz in 3/4", engine=engine, seed=0, trace=False, perform=False)
    bar, bass = song.ticks_per_bar, song.track("bass")
    assert song.time_signature == (3, 4) and song.spec.genre == "waltz"
    comping = [s.id for s in song.spec.sections if s.behaviour("harmony", "") == "afterbeats"]
    assert len(comping) >= len(song.spec.sections) // 2
    piano = [n for sid in comping for n in song.notes_in(song.track("harmony"), song.section(sid))]
    beats = [n.start % bar // PPQ for n in piano if n.start % PPQ == 0]
    assert len(beats) == len(piano) and 0 not in beats and {1, 2} <= set(beats)
    bars = {n.start // bar for n in piano}
    on_one = {n.start // bar for n in bass.notes if n.start % bar == 0}
    assert len(bars & on_one) >= 0.75 * len(bars)  # the oom: the bass on beat 1 under the chords
    assert all(n.end - n.start <= PPQ for n in piano)
    played = [n for n in song.track("drums").notes if n.velocity >= 50]  # the kit: kick on 1, snare on 2 and 3
    kit_bars = {n.start // bar for n in played}
    snared = {(n.start // bar, n.start % bar // PPQ) for n in played if n.pitch in SNARES and n.start % PPQ == 0}
    kicked = {n.start // bar for n in played if n.pitch in KICKS and n.start % bar == 0}
    assert kit_bars and len(kicked) >= 0.75 * len(kit_bars)
    assert sum((b, 1) in snared or (b, 2) in snared for b in kit_bars) >= 0.75 * len(kit_bars)
    assert not any(beat == 0 for _, beat in snared)


def test_an_intimate_verse_breaks_its_chords_in_quarter_notes():
    """The learned engine, as the baseline: under a close voice (``slow_breaks``) the broken chords move a
    beat at a time, where an open verse's move in 8ths."""
    from statistics import median

    def verse_gaps(intimacy):
        song = generate("a song", emotion={"energy": 0.4, "intimacy": intimacy, "motion": 0.7}, seed=0, trace=False,
                        perform=False)
        harmony, gaps = song.track("harmony"), []
        for span, s in zip(song.sections, song.spec.sections):
            if s.type == "verse" and s.behaviour("harmony", "") == "arpeggiated":
                onsets = sorted({n.start for n in harmony.notes if span.start <= n.start < span.end})
                gaps += [b - a for a, b in zip(onsets, onsets[1:])]
        return median(gaps)
    assert verse_gaps(0.85) >= 0.75 * PPQ > verse_gaps(0.5)
