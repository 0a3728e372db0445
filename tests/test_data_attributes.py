import math

from stori.data.attributes import ATTRIBUTE_NAMES, bar_attributes, section_attributes
from stori.spec.song import Note, bar_ticks

BAR = 1920
Q = 480


def q(pitch, beat, beats=1.0, velocity=80):
    return Note(pitch, int(beat * Q), int((beat + beats) * Q), velocity)


def test_bar_ticks():
    assert bar_ticks((4, 4)) == 1920
    assert bar_ticks((3, 4)) == 1440
    assert bar_ticks((6, 8)) == 1440


def test_density_velocity_pitch_range_duration_per_bar():
    notes = [q(60, 0, velocity=60), q(64, 1, velocity=80), q(67, 2, 2, velocity=100),  # bar 0
             q(72, 4, 0.5, velocity=40)]  # bar 1; bar 2 empty
    bars = bar_attributes(notes, 3, BAR)
    assert [b.note_density for b in bars] == [3, 1, 0]
    assert bars[0].mean_velocity == 80
    assert bars[0].mean_pitch == (60 + 64 + 67) / 3
    assert bars[0].pitch_range == 7
    assert bars[0].mean_duration == (1 + 1 + 2) / 3
    assert bars[1].mean_duration == 0.5 and bars[1].pitch_range == 0
    assert math.isnan(bars[2].mean_pitch) and math.isnan(bars[2].polyphony)


def test_polyphony_counts_notes_per_onset():
    chord = [q(p, 0, 4) for p in (48, 52, 55, 60)]
    melody = [q(72, 1), q(74, 2)]
    (bar,) = bar_attributes(chord + melody, 1, BAR)
    assert bar.polyphony == 6 / 3


def test_syncopation_anticipation_rule():
    straight_eighths = [q(60, i / 2, 0.5) for i in range(8)]
    assert bar_attributes(straight_eighths, 1, BAR)[0].syncopation == 0
    # 1, &-of-2 held over beat 3, 4: the "&" anticipates the empty beat 3
    pushed = [q(60, 0), q(62, 1.5, 1.5), q(64, 3)]
    assert bar_attributes(pushed, 1, BAR)[0].syncopation == 1 / 3
    all_offbeat = [q(60, b + 0.5, 0.5) for b in range(4)]
    assert bar_attributes(all_offbeat, 1, BAR)[0].syncopation == 3 / 4  # the last next beat is past the end
    # the next bar's downbeat is seen from the previous bar
    tied_over_barline = [q(60, 3.5, 1), q(60, 4)]
    assert bar_attributes(tied_over_barline, 2, BAR)[0].syncopation == 0
    assert bar_attributes([q(60, 3.5, 1)], 2, BAR)[0].syncopation == 1


def test_chord_tone_ratio_and_strong_beats():
    chords = [(0, "C"), (BAR // 2, "G7"), (BAR, "N")]
    notes = [q(60, 0), q(62, 1), q(71, 2), q(65, 3),
             # C on 1 (tone), D on 2 (not), B on 3 over G7 (tone), F on 4 over G7 (tone)
             q(61, 4)]  # under N: not counted
    bars = bar_attributes(notes, 2, BAR, chords)
    assert bars[0].chord_tone_ratio == 3 / 4
    assert bars[0].strong_chord_tone_ratio == 1.0
    assert math.isnan(bars[1].chord_tone_ratio)
    sec = section_attributes(notes, 2, BAR, chords)
    assert sec.chord_tone_ratio == 3 / 4
    assert math.isnan(section_attributes(notes, 2, BAR).chord_tone_ratio)


def test_strong_beats_in_three_four():
    chords = [(0, "Am")]
    notes = [q(57, 0), q(59, 1), q(62, 2)]  # A on 1 (tone), B, D: only beat 1 is strong in 3/4
    (bar,) = bar_attributes(notes, 1, 1440, chords)
    assert bar.strong_chord_tone_ratio == 1.0
    assert bar.chord_tone_ratio == 1 / 3


def test_section_density_is_per_bar_and_ignores_notes_outside():
    notes = [q(60, b) for b in range(8)] + [q(60, 40)]
    sec = section_attributes(notes, 4, BAR)
    assert sec.note_density == 2.0
    assert set(sec.as_dict()) == set(ATTRIBUTE_NAMES)
