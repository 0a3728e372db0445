"""The learned engine end to end with a small random model: a whole planned song, valid and
reproducible; a missing checkpoint is one clear error."""
import pytest
import torch

from stori.compose.learned import compose_learned
from stori.data.drum_kit import KIT_PITCHES
from stori.errors import StoriError
from stori.model.conditioning import AttributeBins, measure
from stori.model.dataset import windows
from stori.model.generator import Generator, load_generator
from stori.model.synthetic import synthetic_samples
from stori.model.tokens import StoriTokenizer
from stori.model.transformer import ModelConfig, Transformer
from stori.plan.planner import plan_song


@pytest.fixture(scope="module")
def gen():
    per_role = {}
    for w in (w for s in synthetic_samples(8) for w in windows(s)):
        per_role.setdefault(w.role, []).append(measure(w.notes, w.n_bars))
    per_role["counter_melody"] = per_role["melody"]
    tok = StoriTokenizer(AttributeBins.fit(per_role))
    torch.manual_seed(0)
    return Generator(Transformer(ModelConfig(len(tok), 32, 2, 2, 64, 512, 0.0)).eval(), tok)


def test_whole_song_is_valid_and_reproducible(gen):
    spec = plan_song("an energetic rock song")
    song = compose_learned(spec, seed=3, generator=gen)
    again = compose_learned(spec, seed=3, generator=gen)
    assert [t.notes for t in song.tracks] == [t.notes for t in again.tracks]
    end = song.sections[-1].end
    for track in song.tracks:
        assert track.notes, track.role
        assert all(0 <= n.start < n.end <= end for n in track.notes)
        if track.role == "drums":
            assert {n.pitch for n in track.notes} <= set(KIT_PITCHES)


def test_each_section_is_reported_once_as_its_last_part_is_decoded(gen):
    spec = plan_song("an energetic rock song")
    heard = []
    song = compose_learned(spec, seed=3, generator=gen, on_section=lambda k, n, sid: heard.append((k, n, sid)))
    assert [k for k, _, _ in heard] == list(range(1, len(spec.sections) + 1))
    assert {n for _, n, _ in heard} == {len(spec.sections)}
    assert sorted(sid for *_, sid in heard) == sorted(s.id for s in spec.sections)
    quiet = compose_learned(spec, seed=3, generator=gen)  # listening changes nothing
    assert [t.notes for t in quiet.tracks] == [t.notes for t in song.tracks]


def test_missing_checkpoint_says_how_to_restore(tmp_path):
    with pytest.raises(StoriError, match="retrain"):
        load_generator(tmp_path / "absent.pt")


def test_the_genre_reaches_the_pitched_parts_the_model_knows_it_for(gen):
    """A jazz song: the v1 model knows no "standards" and plays pop (traced); a v2 model of the same
    bins is asked every pitched part as "standards"."""
    from stori.trace import TraceRecorder

    class Recording(Generator):
        def generate(self, requests, *a, **k):
            self.asked = getattr(self, "asked", []) + list(requests)
            return super().generate(requests, *a, **k)

    spec = plan_song("a late-night jazz tune")
    assert spec.genre.startswith("jazz")
    for version, want in ((1, "pop"), (2, "standards")):
        tok = StoriTokenizer(gen.tok.bins, version)
        torch.manual_seed(0)
        rec = Recording(Transformer(ModelConfig(len(tok), 32, 2, 2, 64, 512, 0.0)).eval(), tok)
        tracer = TraceRecorder()
        compose_learned(spec, seed=1, tracer=tracer, generator=rec)
        [trace] = [t for t in tracer.traces if t["decision_type"] == "model_style"]
        assert trace["decision"] == want and ("does not know" in trace["because"][0]["implication"]) == (version == 1)
        assert {r.style for r in rec.asked if r.role != "drums"} == {want}
    # POP909 is all 4/4: a pop-style song in 6/8 is asked in the style whose data holds the meter
    spec = plan_song("an indie folk song in 6/8")
    assert tuple(spec.time_signature) == (6, 8)
    tracer = TraceRecorder()
    compose_learned(spec, seed=1, tracer=tracer, generator=rec)
    [trace] = [t for t in tracer.traces if t["decision_type"] == "model_style"]
    assert trace["decision"] == "artsong" and "4/4" in trace["because"][0]["implication"]


@pytest.mark.parametrize("prompt, meter", [("a waltz in 3/4", (3, 4)), ("a 6/8 ballad", (6, 8)),
                                           ("a jazz tune in 7/8", (7, 8)), ("a prog groove in 5/4", (5, 4)),
                                           ("a march in 2/4", (2, 4)), ("a slow blues in 12/8", (12, 8)),
                                           ("a slip jig in 9/8", (9, 8)), ("a hymn in 6/4", (6, 4))])
def test_a_meter_aware_model_plays_the_song_in_its_meter(gen, prompt, meter):
    """A v2 (meter-aware) model plays every part in the planned meter, no fallback; its drums borrow
    learned 4/4 phrases beat by beat (traced). A v1 model hands the song to the baseline, traced."""
    from stori.spec.song import bar_ticks
    from stori.trace import TraceRecorder

    spec = plan_song(prompt)
    assert tuple(spec.time_signature) == meter
    tok = StoriTokenizer(gen.tok.bins, 2)
    torch.manual_seed(0)
    v2 = Generator(Transformer(ModelConfig(len(tok), 32, 2, 2, 64, 512, 0.0)).eval(), tok)
    tracer = TraceRecorder()
    song = compose_learned(spec, seed=2, tracer=tracer, generator=v2)
    kinds = {t["decision_type"]: t for t in tracer.traces}
    assert "engine" not in kinds and kinds["drum_meter"]["decision"] == "/".join(map(str, meter))
    bar = bar_ticks(meter)
    assert song.time_signature == meter and song.ticks_per_bar == bar
    assert {t.role for t in song.tracks if t.notes} >= {"drums", "bass", "melody"}
    for span, s in zip(song.sections, spec.sections):
        assert span.end - span.start == s.bars * bar
    drums = song.track("drums").notes
    assert all(n.start < song.sections[-1].end for t in song.tracks for n in t.notes)
    assert len({n.start // bar for n in drums}) > 0.5 * song.sections[-1].end // bar  # drums in the meter's bars
    tracer = TraceRecorder()
    compose_learned(spec, seed=2, tracer=tracer, generator=gen)
    [why] = [t for t in tracer.traces if t["decision_type"] == "engine"]
    assert why["decision"] == "baseline" and "4/4 only" in why["because"][0]["implication"]
