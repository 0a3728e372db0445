"""The shipped model's pitched lines as decoded: shaped like POP909's (steps, beat-2 bass, no crowded
last beat) and each stream independent of the others in its batch."""
import numpy as np
import pytest

from stori.data.part_facts import INTERVAL_EDGES
from stori.model.generator import Request, load_generator
from stori.model.grammar import StreamPlan, StreamState
from stori.model.tokens import TICKS_PER_BAR
from stori.theory import parse_chord

PROGRESSIONS = ([(0, "C"), (TICKS_PER_BAR, "Am")], [(0, "F"), (TICKS_PER_BAR, "G")])
STREAMS = 48
SIXTEENTH = TICKS_PER_BAR // 16


@pytest.fixture(scope="module")
def gen():
    return load_generator()


def _lines(gen, role, density, pitch, seed=3):
    reqs = [Request(role, 2, {"density": density, "velocity": 80, "pitch": pitch}, chords=PROGRESSIONS[k % 2],
                    key="C major") for k in range(STREAMS)]
    notes, _ = gen.generate(reqs, seed=seed)
    return notes


def _steps(line):
    top = {}
    for n in line:
        top[n.start] = max(top.get(n.start, 0), n.pitch)
    return np.diff([top[t] for t in sorted(top)])


def test_a_bar_past_the_last_ends_a_pitched_stream_but_not_a_drum_stream(gen):
    tok = gen.tok
    for role, ends in (("melody", True), ("drums", False)):
        state = StreamState(gen.grammar, StreamPlan(role, 1, gen.pitch_mask(Request(role, 1))))
        state.advance(tok.bar)
        assert bool(state.allowed(100)[tok.bar]) is ends
        if ends:
            state.advance(tok.bar)
            assert state.done and state.bars == 1


def test_a_stream_decodes_the_same_alone_or_beside_others(gen):
    a = Request("melody", 2, {"density": 5.0, "pitch": 72}, chords=PROGRESSIONS[0])
    b = Request("bass", 2, {"density": 2.0, "pitch": 40}, chords=PROGRESSIONS[0])
    alone, _ = gen.generate([a], seed=7)
    together, _ = gen.generate([a, b, b], seed=7)
    assert alone[0] == together[0] and alone[0]


def test_melody_moves_by_step_more_than_it_repeats_or_skips(gen):
    """POP909 melody (train songs' top line, what the interval prior is fitted to): 44% of moves are
    steps (1-2 semitones), 22% repeats, 14% small skips up; without the prior ours were 21% / 32% /
    22% here (35-38% / 24-30% / 15-16% with it, seeds 3-6)."""
    steps = np.concatenate([_steps(line) for line in _lines(gen, "melody", 5.0, 72)])
    bands = np.bincount(np.searchsorted(INTERVAL_EDGES, steps), minlength=7) / len(steps)
    assert bands[2] + bands[4] >= 0.33
    assert bands[2] + bands[4] > bands[3] and bands[2] + bands[4] > bands[5] + 0.1


def test_bass_moves_on_beat_two_and_the_melody_does_not_crowd_the_last_beat(gen):
    """POP909 (train): a bass onset on beat 2 in 21% of bars (ours 7% before the onset prior, 9-16%
    with it); the model asked for 2 bars put a melody onset on the last 8th of 73% of them (it
    expected a next bar)."""
    bass = _lines(gen, "bass", 2.2, 40) + _lines(gen, "bass", 2.2, 40, seed=4)
    bars = [{n.start % TICKS_PER_BAR // SIXTEENTH for n in line if n.start // TICKS_PER_BAR == b}
            for line in bass for b in range(2)]
    assert np.mean([4 in onsets for onsets in bars]) >= 0.10
    melody = _lines(gen, "melody", 5.0, 72)
    last = [any(n.start >= 2 * TICKS_PER_BAR - 2 * SIXTEENTH for n in line) for line in melody]
    assert np.mean(last) <= 0.6


def test_the_accompaniment_spans_two_hands_and_its_top_line_leaps(gen):
    """POP909's accompaniment spans 1.5 octaves in 2 bars and its top line leaps (beyond a fifth) in
    40% of moves; in a one-hand register (12 semitones either side, 5 free of the pull) ours spanned
    14.2 semitones here and leapt in 20% (now 16.9 and 24%)."""
    lines = [line for line in _lines(gen, "harmony", 6.0, 62) if line]
    assert np.mean([max(n.pitch for n in line) - min(n.pitch for n in line) for line in lines]) >= 15.5
    assert np.mean(np.abs(np.concatenate([_steps(line) for line in lines])) > 7.5) >= 0.22


def test_the_bass_lands_on_the_root_on_beats_one_and_three(gen):
    """Between strong beats a bass passes (beat 2, steps); on them it plays the chord's root: 48% of
    its notes there did with the chord pull alone."""
    strong = [(k, n) for k, line in enumerate(_lines(gen, "bass", 2.2, 40)) for n in line
              if n.start % (TICKS_PER_BAR // 2) == 0]
    on_root = [n.pitch % 12 == parse_chord([s for t, s in PROGRESSIONS[k % 2] if t <= n.start][-1])[0]
               for k, n in strong]
    assert np.mean(on_root) >= 0.58
