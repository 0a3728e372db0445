"""Known answers for the evaluation metrics."""
import math

import numpy as np
import pytest

from stori.data.samples import SectionSample
from stori.evaluate import chapters, features, similarity, structure
from stori.spec.song import PPQ, Note

BAR = 4 * PPQ
C_MAJOR = [60, 62, 64, 65, 67, 69, 71]


def line(pitches, step=PPQ, start=0, velocity=80):
    return [Note(p, start + i * step, start + (i + 1) * step, velocity) for i, p in enumerate(pitches)]


def test_c_major_scale_has_entropy_log2_7():
    assert structure.pitch_class_entropy(line(C_MAJOR + [72])) == pytest.approx(
        -(6 * (1 / 8) * math.log2(1 / 8) + (2 / 8) * math.log2(2 / 8)))
    assert structure.pitch_class_entropy(line(C_MAJOR)) == pytest.approx(math.log2(7))
    assert structure.pitch_class_entropy(line(range(60, 72))) == pytest.approx(math.log2(12))
    assert structure.pitch_class_entropy(line([60, 72, 48])) == 0.0


def test_straight_16th_hihat_has_groove_consistency_1():
    hats = [Note(42, t, t + 60, 90) for t in range(0, 8 * BAR, PPQ // 4)]
    assert structure.groove_consistency(hats, BAR) == 1.0


def test_random_onsets_are_less_consistent_than_a_repeated_groove():
    rng = np.random.default_rng(0)
    beat = [0, 4, 8, 10, 12]  # 16th positions of one bar, repeated
    groove = [Note(36, b * BAR + p * PPQ // 4, b * BAR + p * PPQ // 4 + 60) for b in range(8) for p in beat]
    noise = [Note(36, int(t), int(t) + 60) for t in rng.choice(np.arange(0, 8 * BAR, PPQ // 4), 40, replace=False)]
    assert structure.groove_consistency(groove, BAR) == 1.0
    assert structure.groove_consistency(noise, BAR) < 0.8
    # one bar with one extra hit: 7 of the 28 bar pairs disagree in 1 of 16 positions
    varied = groove + [Note(38, 7 * BAR + 2 * PPQ // 4, 7 * BAR + 3 * PPQ // 4)]
    assert structure.groove_consistency(varied, BAR) == pytest.approx(1 - (7 / 28) * (1 / 16))


def test_random_pitches_have_higher_entropy_than_a_scale():
    rng = np.random.default_rng(1)
    scale = line([C_MAJOR[i % 7] for i in range(64)])
    chromatic = line(rng.integers(48, 84, 64).tolist())
    assert structure.pitch_class_entropy(chromatic) > structure.pitch_class_entropy(scale)


def test_strong_beat_chord_tone_ratio_on_hand_made_melody():
    """The report's chord-tone ratio: pooled strong-beat counts from stori.data.attributes."""
    chords = [(0, "C"), (BAR, "Am7"), (2 * BAR, "N")]
    melody = [
        Note(64, 0, 240),            # beat 1 over C: E is a chord tone
        Note(62, 240, 480),          # off-beat: not counted
        Note(65, 2 * PPQ, 3 * PPQ),  # beat 3 over C: F is not
        Note(69, BAR, BAR + PPQ),    # beat 1 over Am7: A is
        Note(67, BAR + 2 * PPQ, BAR + 3 * PPQ),  # beat 3 over Am7: G is (the 7th)
        Note(61, 2 * BAR, 2 * BAR + PPQ),        # under "N": not counted
    ]
    sample = SectionSample("t#0", "test", "pop", "verse", "C major", 100, (4, 4), 3, {"melody": melody}, chords)
    assert chapters._strong_chord_tone_ratio([sample]) == pytest.approx(3 / 4)


def test_motif_found_at_any_transposition_and_not_with_other_rhythm():
    motif = line([60, 62, 64, 60], step=PPQ // 2)
    shifted = line([67, 69, 71, 67], step=PPQ // 2, start=2 * BAR)
    other_rhythm = line([65, 67, 69, 65], step=PPQ, start=4 * BAR)
    found = structure.motif_occurrences(motif + shifted + other_rhythm, [2, 2, -4], [240, 240, 240])
    assert found == [0, 2 * BAR]


def test_motif_recurrence():
    hook = [60, 64, 67, 65, 64]
    sections = [line(hook), line([p + 5 for p in hook]), line([60, 59, 57, 55, 53])]
    assert structure.motif_recurrence(sections) == pytest.approx(2 / 3)
    assert math.isnan(structure.motif_recurrence([line(hook)]))


def test_contrast_is_chorus_minus_verse():
    verse = [{"density": 4.0, "velocity": 70.0}, {"density": 6.0, "velocity": 72.0}]
    chorus = [{"density": 8.0, "velocity": 90.0}]
    assert structure.contrast(verse, chorus, ["density", "velocity"]) == {"density": 3.0, "velocity": 19.0}
    assert math.isnan(structure.contrast(verse, [], ["density"])["density"])


def test_features_on_known_line():
    notes = line(C_MAJOR, step=PPQ // 2)
    assert features.pitch_range(notes) == 11
    hist = features.pitch_class_histogram(notes)
    assert hist.sum() == pytest.approx(1) and hist[1] == 0 and hist[0] == pytest.approx(1 / 7)
    ioi = features.inter_onset_interval_histogram(notes)
    assert ioi[3] == 1.0  # all gaps are 8ths
    assert features.note_length_histogram(notes)[3] == 1.0
    tm = features.pitch_class_transition_matrix(notes).reshape(12, 12)
    assert tm[0, 2] == pytest.approx(1 / 6) and tm.sum() == pytest.approx(1)
    assert features.note_length_histogram([Note(60, 0, 3 * PPQ // 2)])[6] == 1.0  # dotted quarter


def test_identical_sets_overlap_fully():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(60, 12))
    oa, kl = similarity.overlap_and_kl(similarity.intra_set_distances(a), similarity.intra_set_distances(a))
    assert oa == pytest.approx(1.0) and kl == pytest.approx(0.0, abs=1e-9)
    same = similarity.compare_sets(a, a.copy())
    assert same["overlap"] > 0.95 and same["kl"] < 0.05


def test_closer_sets_overlap_more():
    rng = np.random.default_rng(3)
    real = rng.normal(size=(80, 12))
    like = rng.normal(size=(80, 12))
    unlike = rng.normal(loc=1.5, scale=0.3, size=(80, 12))
    close, far = similarity.compare_sets(like, real), similarity.compare_sets(unlike, real)
    assert close["overlap"] > 0.8 > far["overlap"]
    assert close["kl"] < far["kl"]


def test_degenerate_sets_do_not_crash():
    same = [[1.0, 0.0]] * 5
    result = similarity.compare_sets(same, [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
    assert 0.0 <= result["overlap"] <= 1.0
    oa, kl = similarity.overlap_and_kl([2.0, 2.0], [2.0, 2.0])
    assert oa == pytest.approx(1.0) and kl == pytest.approx(0.0, abs=1e-9)
