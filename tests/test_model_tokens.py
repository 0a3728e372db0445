"""Token streams: encode -> decode returns the quantized notes; prefixes and chord tokens."""
import pytest

from stori.errors import StoriError
from stori.model.tokens import TICKS_PER_BAR, StoriTokenizer
from stori.spec.song import Note

TOK = StoriTokenizer()


def names(ids):
    return [TOK.vocab[i] for i in ids]


def test_round_trip_of_grid_notes_is_exact():
    notes = [Note(60, 0, 480, 95), Note(64, 0, 960, 63), Note(67, 600, 720, 111),
             Note(48, TICKS_PER_BAR * 2 + 240, TICKS_PER_BAR * 3 + 240, 47)]
    ids = TOK.body(notes, "harmony", 4, [(0, "C"), (TICKS_PER_BAR, "Am7")])
    assert TOK.decode(ids, "harmony") == sorted(notes, key=lambda n: (n.start, n.pitch))


def test_round_trip_quantizes_and_is_then_stable():
    notes = [Note(62, 7, 500, 90), Note(65, 130, 350, 70), Note(69, 1000, 1500, 20)]
    once = TOK.decode(TOK.body(notes, "melody", 1), "melody")
    assert [n.start for n in once] == [0, 120, 960]  # onsets snapped to 16ths
    assert TOK.decode(TOK.body(once, "melody", 1), "melody") == once


def test_drums_have_no_duration_tokens_and_keep_kit_pitches():
    notes = [Note(36, 0, 120, 100), Note(42, 0, 120, 60), Note(38, 480, 600, 95)]
    ids = TOK.body(notes, "drums", 1)
    assert not any(n.startswith("Duration") for n in names(ids))
    assert [(n.pitch, n.start) for n in TOK.decode(ids, "drums")] == [(36, 0), (42, 0), (38, 480)]


def test_bars_are_counted_and_chords_follow_bars_and_changes():
    ids = TOK.body([Note(60, TICKS_PER_BAR + 960, TICKS_PER_BAR + 1440, 80)], "melody", 3,
                   [(0, "C"), (TICKS_PER_BAR + 960, "G7")])
    n = names(ids)
    assert n.count("Bar_None") == 3 and n[-1] == "EOS_None"
    assert n[:4] == ["Bar_None", "Chord_0_maj", "Bar_None", "Chord_0_maj"]
    assert n[4:6] == ["Position_8", "Chord_7_7"]


def test_prefix_names_the_conditioning_and_rejects_unknown_values():
    n = names(TOK.prefix("bass", "funk", "chorus", "A minor", 150, {"density": 3, "velocity": None}))
    assert n[:6] == ["BOS_None", "Role_bass", "Style_funk", "Section_chorus", "Key_9_minor", "Tempo_7"]
    assert "Density_3" in n and "MeanVel_any" in n
    with pytest.raises(StoriError, match="role"):
        TOK.prefix("tuba", "pop", "verse", "C major", 100, {})


def test_config_saves_and_loads(tmp_path):
    TOK.save(tmp_path / "tok.json")
    import json
    again = StoriTokenizer.from_dict(json.loads((tmp_path / "tok.json").read_text()))
    assert again.vocab == TOK.vocab
