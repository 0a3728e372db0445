"""Constrained decoding with an untrained (random) model: every stream must still decode, inside
its constraints."""
import pytest
import torch

from stori.data.drum_kit import KIT_PITCHES
from stori.model.conditioning import AttributeBins, measure
from stori.model.dataset import windows
from stori.model.generator import Generator, Request
from stori.model.sampling import Sampling, generate
from stori.model.synthetic import synthetic_samples
from stori.model.tokens import TICKS_PER_BAR, StoriTokenizer
from stori.model.transformer import ModelConfig, Transformer
from stori.spec.arrange import ROLE_RANGES
from stori.spec.song import Note


@pytest.fixture(scope="module")
def gen():
    per_role = {}
    for w in (w for s in synthetic_samples(8) for w in windows(s)):
        per_role.setdefault(w.role, []).append(measure(w.notes, w.n_bars))
    for role in ("counter_melody",):
        per_role[role] = per_role["melody"]
    tok = StoriTokenizer(AttributeBins.fit(per_role))
    torch.manual_seed(0)
    model = Transformer(ModelConfig(len(tok), d_model=32, n_layers=2, n_heads=2, d_ff=64, context=512,
                                    dropout=0)).eval()
    return Generator(model, tok)


CHORDS = [(0, "C"), (TICKS_PER_BAR, "Am"), (2 * TICKS_PER_BAR, "F G")]


def requests(n_bars=4):
    return [Request(r, n_bars, {"density": 4.0}, chords=[(t, s.split()[0]) for t, s in CHORDS])
            for r in ("drums", "bass", "harmony", "melody", "counter_melody")]


@pytest.mark.parametrize("seed", range(6))
def test_random_model_always_decodes_inside_role_ranges(gen, seed):
    reqs = requests()
    notes, stats = gen.generate(reqs, seed=seed, sampling=Sampling(temperature=1.5, top_p=1.0))
    assert stats["tokens"] > 0
    for r, ns in zip(reqs, notes):
        for n in ns:
            assert 0 <= n.start < r.n_bars * TICKS_PER_BAR and n.end > n.start
            if r.role == "drums":
                assert n.pitch in KIT_PITCHES
            else:
                lo, hi = ROLE_RANGES[r.role]
                assert lo <= n.pitch <= hi


def test_register_velocity_and_polyphony_limits(gen):
    reqs = [Request("harmony", 4, {"velocity": 50.0}, register=(60, 67), max_polyphony=2)]
    notes, _ = gen.generate(reqs * 4, seed=3, sampling=Sampling(temperature=2.0, top_p=1.0))
    for ns in notes:
        assert all(60 <= n.pitch <= 67 and 36 <= n.velocity <= 64 for n in ns)
        onsets = [n.start for n in ns]
        assert all(onsets.count(t) <= 2 for t in onsets)


def test_motif_notes_are_forced(gen):
    motif = [Note(72, 480, 960, 95), Note(74, TICKS_PER_BAR + 240, TICKS_PER_BAR + 480, 95)]
    reqs = [Request("melody", 4, {}, forced_notes=motif)]
    for seed in range(4):
        (ns,), _ = gen.generate(reqs, seed=seed, sampling=Sampling(temperature=1.5, top_p=1.0))
        got = {(n.pitch, n.start) for n in ns}
        assert {(72, 480), (74, TICKS_PER_BAR + 240)} <= got


def test_kv_cache_generation_equals_full_recomputation(gen):
    prefixes, plans, biases, chord_w = gen.streams(requests(2))
    a, _ = generate(gen.model, gen.grammar, prefixes, plans, 7, Sampling(), biases, chord_w, use_cache=True)
    prefixes, plans, biases, chord_w = gen.streams(requests(2))
    b, _ = generate(gen.model, gen.grammar, prefixes, plans, 7, Sampling(), biases, chord_w, use_cache=False)
    assert a == b


def test_same_seed_same_notes(gen):
    one, _ = gen.generate(requests(), seed=11)
    two, _ = gen.generate(requests(), seed=11)
    assert one == two


def test_density_steering_lets_a_phrase_rest_on_the_downbeat_but_keeps_drums_even(gen):
    """Pitched parts keep their note budget over the stream with a beat of slack: skipping the
    first beat costs nothing; drums keep the even per-bar spread, so the same skip costs."""
    from stori.model.grammar import StreamPlan, StreamState

    g, tok = gen.grammar, gen.tok
    beat2 = tok.ids["Position_4"]
    costs = {}
    for role in ("melody", "drums"):
        plan = StreamPlan(role, 2, gen.pitch_mask(Request(role, 2)), density=6.0)
        state = StreamState(g, plan)
        state.advance(tok.bar)
        costs[role] = float(g.density_bias(state)[beat2])
    assert costs["melody"] == 0.0 and costs["drums"] < 0.0



def test_a_window_s_chords_bring_their_tones_into_the_scale_and_nothing_else_comes_in(gen):
    def bias(chords):
        return gen.static_bias(Request("melody", 2, key="A minor", chords=chords, tension=0.2))
    with_v, with_iv = bias([(0, "Am"), (TICKS_PER_BAR, "E")]), bias([(0, "Am"), (TICKS_PER_BAR, "D")])
    g_sharp, f_sharp = gen.tok.ids["Pitch_68"], gen.tok.ids["Pitch_66"]
    assert with_v[g_sharp] == 0 and with_iv[g_sharp] < 0  # G# belongs over the cadence's E, not over D
    assert with_iv[f_sharp] == 0 and with_v[f_sharp] < 0  # F# over a borrowed D major, else out of A minor


def test_the_melody_onset_prior_follows_the_bar_of_its_2_bar_unit(gen):
    """The melody's prior is per 16th of a 2-bar unit (its second bar's last beat drawn more than
    the first bar's), the bass's per bar; a 4/4 stream takes it, a 3/4 one does not."""
    from stori.model.calibration import ONSETS
    from stori.model.grammar import StreamState

    g, tok = gen.grammar, gen.tok
    beat4 = tok.ids["Position_12"]
    prefixes, plans, biases, _ = gen.streams([Request("melody", 4), Request("bass", 2)])
    assert len(ONSETS["melody"]) == 32 and len(ONSETS["bass"]) == 16
    seen = {}
    for plan in plans:
        state = StreamState(g, plan)
        for bar in range(plan.n_bars):
            state.advance(tok.bar)
            seen[plan.role, bar] = float(g.onset_bias(state)[beat4])
    assert seen["melody", 1] > seen["melody", 0]  # POP909 ends a unit's second bar on its last beat
    assert seen["melody", 2] == seen["melody", 0] and seen["melody", 3] == seen["melody", 1]  # the next unit
    assert seen["bass", 0] == seen["bass", 1] == pytest.approx(float(ONSETS["bass"][12]))
    assert all(b[beat4] == 0 for b in biases)  # the prior is no longer static
    assert gen.onsets(Request("melody", 2, meter=(3, 4))) is None


def test_tension_and_valence_tilt_the_decoding_priors(gen):
    """A tense part's places off the beat are drawn more than a calm one's; a happy melody steps up
    and leaps down more than a sad one; calm music shuns notes outside the scale, tense music draws them."""
    calm, tense = (gen.onsets(Request("harmony", 2, tension=t)) for t in (0.0, 1.0))
    off, on = 2, 4  # the "and" of beat 1, beat 2
    assert tense[off] > 0 > calm[off] and tense[on] == calm[on] == 0
    sad, happy = (gen.intervals(Request("melody", 2, contour=c)) for c in (-0.25, 0.25))
    big_down, step_down, step_up = 0, 2, 4
    assert happy[step_up] > sad[step_up] and happy[step_down] < sad[step_down] and happy[big_down] > sad[big_down]
    assert gen.intervals(Request("bass", 2, contour=0.25)) is gen.intervals(Request("bass", 2))  # the melody's only

    def outside(tension):
        return float(gen.static_bias(Request("melody", 2, key="C major", tension=tension))[gen.tok.ids["Pitch_61"]])
    assert outside(0.0) < outside(0.3) < outside(0.5) < 0 < outside(1.0)


def test_a_strong_valence_draws_the_melody_contour_harder_and_common_moods_as_before():
    from stori.compose.learned import STRONG_CONTOUR, contour
    from stori.spec.constraints import emotion_to_constraints
    from stori.spec.emotion import EmotionVector

    def tilt(v):
        return contour(emotion_to_constraints(EmotionVector(valence=v)), v)
    assert tilt(0.6) == pytest.approx(0.18) and tilt(-0.7) == pytest.approx(-0.21)  # rising - 0.5
    assert tilt(1.0) == pytest.approx(0.3 * STRONG_CONTOUR) and tilt(-1.0) == pytest.approx(-0.3 * STRONG_CONTOUR)
