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
