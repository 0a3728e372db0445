"""Words read as musicians write them: keys, tempo, meter, chords, form, genres, instruments, parts left out."""
import pytest

from stori.perform.styles import STYLES
from stori.plan import plan_song
from stori.plan.genres import GENRES, detect_genre
from stori.plan.instruments import GM, band_from_text, family
from stori.plan.words import chords_from_text, form_from_text, key_from_text, meter_from_text, tempo_from_text
from stori.trace import TraceRecorder


@pytest.mark.parametrize("text,key", [
    ("It's in the key of A major", "A major"), ("Set in the key of G major", "G major"),
    ("a song in A minor", "A minor"),
    ("F#m groove", "F# minor"), ("jazz in Bb, swinging", "Bb major"), ("key: E flat minor", "Eb minor"),
    ("in the key of c# minor", "C# minor"), ("C-sharp minor ballad", "C# minor"), ("in D dorian", "D dorian"),
    ("A rock song about a cappella singers", None)])
def test_keys_in_any_phrasing(text, key):
    assert key_from_text(text) == key


@pytest.mark.parametrize("text,bpm", [("Presto", 185), ("Largo", 50), ("an Adagio", 65), ("Andante", 80),
                                      ("Moderato", 100), ("Allegro", 125), ("Vivace", 150), ("very fast punk", 200),
                                      ("a slow one", 66), ("at 128 bpm", 128), ("tempo: 90", 90), ("a song", None)])
def test_tempo_as_bpm_italian_markings_and_words(text, bpm):
    assert tempo_from_text(text) == bpm


@pytest.mark.parametrize("text,bpm", [("fast punk", 200), ("slow punk", 66), ("a slow blues", 66), ("fast blues", 150),
                                      ("mid-tempo punk", 160), ("punk at 150 bpm", 150), ("punk, Allegro", 125)])
def test_tempo_words_never_pull_against_a_named_genre_numbers_and_markings_are_as_said(text, bpm):
    assert tempo_from_text(text, (160, 200) if "punk" in text else (70, 110)) == bpm


def test_a_ballad_is_slow_unless_its_genre_is_named_by_the_word():
    from stori.plan.genres import GENRES
    from stori.plan.planner import plan_song

    assert tempo_from_text("a tender ballad") == 72 and tempo_from_text("an upbeat ballad") == 120  # first said
    assert plan_song("a rock ballad", seed=0).tempo == 72  # not rock's 124: slow for rock
    jazz = GENRES["jazz ballad"]  # "jazz ballad" names a slow genre: its own range and the feeling set the tempo
    assert tempo_from_text("a jazz ballad for a rainy night", jazz.tempo, jazz.keywords) is None


@pytest.mark.parametrize("text,meter", [("in 6/4", "6/4"), ("12/8 blues", "12/8"), ("5/4 jazz", "5/4"),
                                        ("in 7/8 time", "7/8"), ("a sad waltz", "3/4"), ("a song", None)])
def test_meters(text, meter):
    assert meter_from_text(text) == meter


def test_written_chords_and_numerals():
    assert chords_from_text("chords A, E7, A7, D and a fast beat") == ("symbols", ["A", "E7", "A7", "D"])
    assert chords_from_text("The chord progression is Am, F, C, G.") == ("symbols", ["Am", "F", "C", "G"])
    assert chords_from_text("a I-V-vi-IV progression") == ("numerals", ["I", "V", "vi", "IV"])
    assert chords_from_text("chords of sorrow") is None


def test_the_prompt_key_tempo_meter_and_chords_reach_the_plan():
    spec = plan_song("a country song on the chords A, E7, A7, D, Presto, in 6/4", seed=0)
    assert spec.key == "A major" and spec.tempo == 185 and spec.time_signature == (6, 4)
    assert all(s.chords == ["A", "E7", "A7", "D"] for s in spec.sections)
    numerals = plan_song("a I-V-vi-IV progression in the key of G major", seed=0)
    assert numerals.sections[1].chords == ["G", "D", "Em", "C"]
    assert plan_song("a lullaby", seed=0).tempo < 70


def test_form_words():
    assert form_from_text("no bridge and a long intro") == ({"bridge"}, {"intro": 2.0})
    plain, shaped = plan_song("a pop song", seed=0), plan_song("a pop song with no bridge and a long intro", seed=0)
    assert "bridge" not in [s.type for s in shaped.sections]
    assert shaped.section("intro").bars == 2 * plain.section("intro").bars
    for words, seconds in (("4 minutes", 240), ("30 seconds", 30)):
        spec = plan_song(f"a pop song, {words}", seed=0)
        assert abs(spec.total_bars * 4 * 60 / spec.tempo - seconds) < seconds / 8
    short = plan_song("a pop song, 30 seconds", seed=0)
    assert {"pre_chorus", "bridge"}.isdisjoint(s.type for s in short.sections) and short.sections[-2].type == "chorus"


def test_builds_to_a_huge_final_chorus_peaks_there():
    spec = plan_song("a pop song that builds to a huge final chorus", seed=0)
    energy = [s.emotion.energy for s in spec.sections]
    last = max(i for i, s in enumerate(spec.sections) if s.type == "chorus")
    assert energy[last] == max(energy) and all(e <= energy[last] - 0.05 for i, e in enumerate(energy) if i != last)
    assert energy[0] < energy[last]
    choruses = [s.emotion.energy for s in spec.sections if s.type == "chorus"]
    assert choruses == sorted(choruses) and choruses[0] < choruses[-1]


def test_genre_table_covers_thirty_genres_with_real_drum_styles():
    assert len(GENRES) >= 30
    for g in GENRES.values():
        assert g.drum_style in STYLES and g.why and g.tempo[0] < g.tempo[1] and g.meters
        assert all(0 <= p <= 127 for _, p in g.instruments.values())
    for text, name in [("reggaeton", "reggaeton"), ("an afrobeat groove", "afrobeat"), ("a country song", "country"),
                       ("80s synthpop", "synthpop"), ("disco house", "disco house"), ("a gospel choir", "gospel"),
                       ("bossa nova", "bossa nova"), ("punk", "punk"), ("drum and bass", "drum and bass"),
                       ("a drill beat", "drill"), ("a 12-bar blues", "blues"), ("a waltz", "waltz")]:
        assert detect_genre(text).name == name
    blues = plan_song("a 12-bar blues in A", seed=0)
    assert blues.sections[1].chords[:4] == ["A7", "D7", "A7", "A7"] and blues.extra["swing"] == 62.0
    assert plan_song("a punk song", seed=0).tempo >= 160 and plan_song("a waltz", seed=0).time_signature == (3, 4)


def test_every_gm_instrument_and_the_common_words():
    assert sorted(GM) == list(range(128))
    for word, program in [("rhodes", 4), ("808", 38), ("pad", 89), ("brass", 61), ("nylon guitar", 24),
                          ("pedal steel", 26), ("organ", 16), ("strings", 48), ("sax", 65), ("flute", 73),
                          ("Orchestral Harp", 46), ("tuba", 58), ("steel drums", 114)]:
        band = band_from_text(f"a song with {word}")
        assert [p for _, p, _ in band.named.values()] == [program], word
    quartet = band_from_text("piano, acoustic guitar, alto saxophone and electric bass")
    assert {r: p for r, (_, p, _) in quartet.named.items()} == {"harmony": 0, "counter_melody": 25, "melody": 65,
                                                                "bass": 33}
    assert family(-1) == "drums" and family(48) == "ensemble"


def test_parts_left_out_are_silent_for_the_whole_song():
    tracer = TraceRecorder()
    spec = plan_song("solo piano, a sad ballad", seed=0, tracer=tracer)
    for s in spec.sections:
        assert s.track_behaviours["drums"] == s.track_behaviours["bass"] == "tacet"
        assert s.track_behaviours["harmony"] != "tacet"
    assert {t.role: t.program for t in spec.tracks if t.role in ("harmony", "melody")} == {"harmony": 0, "melody": 0}
    assert len({t.name for t in spec.tracks}) == len(spec.tracks)
    no_bass = plan_song("an upbeat house track without bass", seed=0)
    assert all(s.track_behaviours["bass"] == "tacet" and s.track_behaviours["drums"] != "tacet"
               for s in no_bass.sections)
    sung = plan_song("an a cappella hymn", seed=0)
    assert {t.program for t in sung.tracks if t.role in ("harmony", "melody")} == {52, 53}
    assert all(s.track_behaviours["drums"] == "tacet" for s in plan_song("a classical sonata", seed=0).sections)
    no_piano = plan_song("a pop song, no piano", seed=0)
    assert family(next(t.program for t in no_piano.tracks if t.role == "harmony")) != "piano"


def test_the_genres_command_lists_what_each_genre_plans_most_asked_first(capsys):
    from stori.cli import main
    from stori.evaluate.genres import rows
    from stori.plan.genres import GENRES

    found = rows()
    assert {r["genre"] for r in found} == set(GENRES) and sum(r["asked"] for r in found) == 62
    assert [r["asked"] for r in found] == sorted((r["asked"] for r in found), reverse=True)
    classical = next(r for r in found if r["genre"] == "classical")
    assert classical["drums"] == "none" and classical["meters"] == ["4/4", "3/4"]
    assert main(["genres", "--top", "20"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 22 and out[2].startswith(f"| 1 | {found[0]['genre']} |")
    assert main(["genres", "--top", "0"]) == 2 and "top" in capsys.readouterr().err


def test_named_ensembles_are_the_whole_band():
    from stori.plan.instruments import band_from_text

    band = band_from_text("a string quartet, slow and tender")
    assert {r: p for r, (_, p, _) in band.named.items()} == {"melody": 40, "counter_melody": 40, "harmony": 41,
                                                            "bass": 42}
    assert set(band.silent) == {"drums", "pad", "arpeggio"} and band.named["counter_melody"][0] == "Violin II"
    trio = band_from_text("jazz trio in Bb")
    assert {r: p for r, (_, p, _) in trio.named.items()} == {"drums": -1, "bass": 32, "harmony": 0, "melody": 0}
