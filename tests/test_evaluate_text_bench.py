"""The text-control benchmark: its prompts, its scoring, and a handful of prompts obeyed in the MIDI itself."""
import pytest

from stori.evaluate.text_bench import facts, load_prompts, score, tempo_bin
from stori.pipeline import generate
from stori.plan.instruments import family
from stori.render.bundle import read_bundle, write_bundle
from stori.render.midi import midi_bytes


def test_sixty_prompts_half_captions_half_musicians_all_tagged():
    prompts = load_prompts()
    assert len(prompts) >= 60
    assert sum(p["style"] == "caption" for p in prompts) >= 30 and sum(p["style"] == "musician" for p in prompts) >= 30
    families = {family(p) for p in range(-1, 128)}
    for p in prompts:
        assert {"tempo", "key", "meter", "instruments", "absent"} & set(p), p["prompt"]
        assert set(p.get("instruments", [])) | set(p.get("absent", [])) <= families, p["prompt"]


def test_scoring_uses_midicaps_bins_and_relative_keys():
    assert [tempo_bin(b) for b in (39, 40, 65, 100, 185, 215)] == [0, 1, 2, 4, 7, 8]
    got = {"tempo": 131.0, "meter": "4/4", "key": (0, "major"), "families": ["drums", "piano"]}
    s = score({"tempo": 150, "key": "A minor", "meter": "3/4", "instruments": ["piano", "brass"],
               "absent": ["drums"]}, got)
    assert s["TB"] == [0, 1] and s["TBT"] == [1, 1] and s["CK"] == [0, 1] and s["CKD"] == [1, 1]
    assert s["meter"] == [0, 1] and s["instrument_recall"] == [1, 2] and s["instrument_precision"] == [1, 2]
    assert s["no_x"] == [0, 1]


@pytest.mark.parametrize("prompt,tempo,meter,sounding,silent", [
    ("solo piano, very slow, in C# minor", 50, "4/4", {"piano"}, {"drums", "bass"}),
    ("Presto, a country song in 6/4 on the chords A, E7, A7, D, no drums", 185, "6/4", {"bass", "guitar"},
     {"drums"}),
    ("an a cappella hymn in F major", None, "4/4", {"ensemble"}, {"drums", "bass"}),
    ("a bossa nova in F with nylon guitar and flute, around 130 bpm", 130, "4/4", {"guitar", "pipe", "drums"}, set()),
])
def test_what_the_text_states_is_in_the_midi(tmp_path, prompt, tempo, meter, sounding, silent):
    song = generate(prompt, seed=0)
    got = facts(midi_bytes(song))
    assert got["meter"] == meter and (tempo is None or got["tempo"] == tempo)
    assert sounding <= set(got["families"]) and not silent & set(got["families"])
    write_bundle(song, tmp_path / "take")  # a part silent all song survives the bundle as an empty track
    back = read_bundle(tmp_path / "take")
    assert [t.role for t in back.tracks] == [t.role for t in song.tracks]
