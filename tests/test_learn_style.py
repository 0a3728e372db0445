"""Learn my style: a drummer's folder of MIDI becomes a style the drums command, the planner and chat
can name; bad folders get one line naming the field; the shipped models are never written."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

from stori.errors import StoriError
from stori.perform.drums import make_drums
from stori.render.midi import midi_bytes
from stori.spec.song import Note, Song, Track


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def style_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("styles")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STORI_STYLE_DIR", str(root))
        yield root


@pytest.fixture(scope="module")
def jazz_folder(tmp_path_factory):
    """Three drum files played on the ride (the jazz style), at two tempos."""
    folder = tmp_path_factory.mktemp("my_drums")
    for seed, tempo in ((1, 120), (2, 132), (3, 126)):
        (folder / f"take{seed}.mid").write_bytes(midi_bytes(make_drums("jazz", 8, tempo, seed=seed)))
    return folder


@pytest.fixture(scope="module")
def learned(style_dir, jazz_folder):
    from stori.model.generator import DEFAULT_CHECKPOINT
    from stori.perform.groove_model import MODEL_PATH
    from stori.perform.style_learn import learn_style

    before = _sha(DEFAULT_CHECKPOINT), _sha(MODEL_PATH)
    st = learn_style("brushy", jazz_folder, steps=10, groove_epochs=1, log=lambda *_: None)
    assert (_sha(DEFAULT_CHECKPOINT), _sha(MODEL_PATH)) == before  # the shipped models are untouched
    return st


def test_a_learned_style_is_registered_with_what_was_measured_from_the_files(learned, style_dir):
    from stori.perform.styles import get_style
    from stori.style_folder import manifest, names

    assert names() == ["brushy"] and (style_dir / "brushy" / "manifest.json").is_file()
    st = get_style("Brushy")
    assert st.folder == str(style_dir / "brushy") and st.hat_piece == "ride"  # they keep time on the ride
    assert 110 <= st.default_tempo <= 135 and st.tempo_range[0] <= 120 and st.tempo_range[1] >= 132
    assert st.kick != get_style("jazz").kick or st.snare != get_style("jazz").snare or st.velocity
    info = manifest("brushy")
    assert sorted(info["files"]) == ["take1.mid", "take2.mid", "take3.mid"] and info["adapter"]["steps"] == 10
    adapter = torch.load(style_dir / "brushy" / "adapter.pt", weights_only=True)
    assert any(k.endswith(".b") and v.abs().sum() > 0 for k, v in adapter.items())  # it learned something
    assert not list(style_dir.glob(".*"))  # no half-written folder left behind


def test_drums_in_a_learned_style_come_from_its_adapter_and_groove(learned):
    a = make_drums("brushy", 4, 120, seed=5)
    assert a.tracks[0].notes == make_drums("brushy", 4, 120, seed=5).tracks[0].notes  # same seed, same drums
    trace = {t["decision_type"]: t for t in a.traces}
    assert trace["pattern_source"]["decision"] == "learned" and trace["style"]["decision"] == "brushy"
    assert "adapter learned from brushy's files" in str(trace["pattern_source"]["because"])
    rides = sum(n.pitch == 51 for n in a.tracks[0].notes)
    assert rides >= 8  # the ride keeps time, as in their files


def test_the_adapter_merged_plays_the_wrapped_model_exactly():
    from stori.model.adapters import adapter_state, merged, wrap
    from stori.model.transformer import ModelConfig, Transformer

    torch.manual_seed(0)
    base = Transformer(ModelConfig(vocab_size=50, d_model=32, n_layers=2, n_heads=4, d_ff=64, context=64,
                                   dropout=0.0)).eval()
    ids = torch.randint(0, 50, (2, 12))
    plain = base(ids)
    import copy

    wrapped = wrap(copy.deepcopy(base), rank=4, alpha=8.0).eval()
    assert torch.equal(wrapped(ids), plain)  # B starts at zero: step 0 is the shipped model
    for name, p in wrapped.named_parameters():
        if name.endswith(".b"):
            p.data.normal_(0, 0.1)
    out = merged(base, adapter_state(wrapped))(ids)
    assert torch.allclose(out, wrapped(ids), atol=1e-5) and not torch.allclose(out, plain, atol=1e-3)
    assert torch.equal(base(ids), plain)  # merging copies: the base model keeps its weights


def test_the_planner_and_chat_name_a_learned_style(learned):
    from stori.compose.chat import parse_command
    from stori.compose.refine import SongSession
    from stori.pipeline import generate
    from stori.plan.planner import plan_song

    spec = plan_song("a funk song with drums in the style of brushy")
    assert spec.extra["drum_style"] == "brushy"
    assert plan_song("a funk song").extra["drum_style"] == "funk"
    assert plan_song("a brushy funk song").extra["drum_style"] == "funk"  # a word alone is not a style named
    assert plan_song("funk with brushy's groove").extra["drum_style"] == "brushy"
    cmd = parse_command("play the drums in the style of brushy")
    assert (cmd.action, cmd.drum_style, cmd.dimensions) == ("drum_style", "brushy", ["drums"])
    assert parse_command("drums like J Dilla").drum_style == "dilla"
    assert parse_command("in the style of nobody-known").action != "drum_style"
    song = generate("a funk song", structure="verse:4,chorus:4", seed=2)
    reply = SongSession(song).say("drums in the style of brushy in the chorus")
    new = reply.song
    assert new.spec.extra["drum_style"] == "brushy"
    for old_t, new_t in zip(song.tracks, new.tracks):  # only the drums change (the bass keeps its kick)
        if old_t.role == "bass":
            assert [(n.pitch, n.velocity) for n in old_t.notes] == [(n.pitch, n.velocity) for n in new_t.notes]
        elif not old_t.is_drums:
            assert old_t.notes == new_t.notes
    chorus, verse = new.sections[1], new.sections[0]
    drums_old, drums_new = song.tracks[[t.is_drums for t in song.tracks].index(True)], \
        new.tracks[[t.is_drums for t in new.tracks].index(True)]
    in_span = (lambda notes, s: [n for n in notes if s.start <= n.start < s.end])
    assert in_span(drums_old.notes, verse) == in_span(drums_new.notes, verse)
    assert in_span(drums_old.notes, chorus) != in_span(drums_new.notes, chorus)
    assert sum(n.pitch == 51 for n in in_span(drums_new.notes, chorus)) >= 8


def _corrupt(folder):
    (folder / "bad.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\x00\x00\x01\x00\x90")


def _no_drums(folder):
    song = Song([Track("Piano", "harmony", 0, 1, [Note(60, 0, 480, 80)])], [], 120.0, (4, 4))
    (folder / "piano.mid").write_bytes(midi_bytes(song))


def _too_many(folder):
    for i in range(65):
        (folder / f"{i}.mid").write_bytes(b"x")


def _too_big(folder):
    (folder / "huge.mid").write_bytes(b"MThd" + b"\x00" * 2_100_000)


@pytest.mark.parametrize("make, says", [
    (None, "is not a folder"), (lambda f: (f / "notes.txt").write_text("hi"), "has no MIDI files"),
    (_corrupt, "bad.mid: "), (_no_drums, "has a drum part"), (_too_many, "more than 64 MIDI files"),
    (_too_big, "huge.mid: file is 2100004 bytes"),
])
def test_a_bad_folder_gets_one_line_naming_the_field(tmp_path, style_dir, make, says):
    from stori.perform.style_learn import learn_style

    folder = tmp_path / "drums"
    if make is not None:
        folder.mkdir()
        make(folder)
    with pytest.raises(StoriError) as e:
        learn_style("mine", folder, steps=10, log=lambda *_: None)
    msg = str(e.value)
    assert msg.startswith("folder: ") and says in msg and "\n" not in msg and "; allowed: " in msg
    assert not (style_dir / "mine").exists()


@pytest.mark.parametrize("name", ["rock", "J Dilla", "../up", "A", "x" * 40, "Caps"])
def test_a_bad_style_name_is_refused(name):
    from stori.perform.style_learn import check_name

    with pytest.raises(StoriError, match="^name: "):
        check_name(name)


def test_the_cli_learns_a_style_and_the_drums_command_plays_it(tmp_path, jazz_folder, style_dir, monkeypatch):
    from stori.cli import main

    assert main(["learn-style", "cli-style", str(jazz_folder), "--steps", "10"]) == 0
    out = tmp_path / "loop.mid"
    assert main(["drums", "--style", "cli-style", "--bars", "4", "--out", str(out)]) == 0
    assert out.stat().st_size > 100
    assert main(["learn-style", "cli-style", str(tmp_path / "nowhere")]) == 2


def test_the_many_class_classifier_tells_separable_classes_apart():
    from stori.evaluate.two_sample import fit_softmax, softmax_proba

    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [4, 0], [0, 4]])
    y = rng.integers(0, 3, 300)
    x = centres[y] + rng.normal(0, 0.7, (300, 2))
    p = softmax_proba(fit_softmax(x, y, 3), x)
    assert np.allclose(p.sum(1), 1) and (p.argmax(1) == y).mean() > 0.95


def test_the_drummer_classifier_places_windows_on_the_drummer_they_resemble():
    from stori.evaluate.style_eval import classifier, placed
    from stori.evaluate.two_sample import Windows

    rng = np.random.default_rng(1)
    centres = {"d1": [0, 0, 0], "d2": [3, 0, 0], "d3": [0, 3, 0]}

    def wins(c, pieces, tag):
        x = np.array(c) + rng.normal(0, 0.8, (pieces * 6, 3))
        return Windows(x, [f"{tag}{i // 6}" for i in range(pieces * 6)])

    model, drummers = classifier({d: wins(c, 10, d) for d, c in centres.items()})
    assert drummers == ["d1", "d2", "d3"] and model["cv_balanced_accuracy"] > 0.8
    near_d2 = placed(model, drummers, "d2", wins([2.8, 0.2, 0], 3, "g"))
    near_d3 = placed(model, drummers, "d2", wins([0, 3, 0], 3, "h"))
    assert near_d2["most_placed_on"] == "d2" and near_d2["p_target"] > 0.7 > near_d3["p_target"]
    assert near_d2["windows"] == 18 and near_d2["pieces"] == 3
