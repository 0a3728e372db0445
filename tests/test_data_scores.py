"""The MusicXML sets (Lieder, OpenEWLD): splits by piece, roles, meters, chords and bass, read from
a handful of real scores."""
from pathlib import Path

import pytest

from stori.data.paths import DEFAULT_DATA_DIR
from stori.data.scores import BASS_LOW, SETS, load_set, piece_paths
from stori.data.splits import SEEDS, SPLITS, set_ids, shuffled_split
from stori.errors import StoriError
from stori.spec.song import bar_ticks
from stori.theory import chord_from_pitch_classes, parse_chord

HAVE_SCORES = all((Path(DEFAULT_DATA_DIR) / name).is_dir() for name in SETS)
needs_data = pytest.mark.skipif(not HAVE_SCORES, reason="Lieder / OpenEWLD data not available")


def test_chord_from_pitch_classes_names_the_nearest_quality():
    assert chord_from_pitch_classes(9, {9, 0, 4, 7}) == "Am7"
    assert chord_from_pitch_classes(11, {11, 2, 5, 8}) == "Bdim7"
    assert chord_from_pitch_classes(11, {11, 2, 5, 9}) == "Bm7b5"
    assert chord_from_pitch_classes(0, {0, 4, 7, 2}) == "C"  # an added ninth folds onto the triad
    assert parse_chord(chord_from_pitch_classes(6, {6, 10, 1, 4}))[1] == (6, 10, 1, 4)


@needs_data
@pytest.mark.parametrize("name", list(SETS))
def test_committed_splits_are_the_seeded_split_of_every_piece(name):
    ids = list(piece_paths(name))
    drawn = shuffled_split(ids, SEEDS[name])
    assert {s: list(set_ids(name, s)) for s in SPLITS} == drawn
    assert sum(map(len, drawn.values())) == len(ids) == {"lieder": 1460, "openewld": 502}[name]
    assert not set(drawn["train"]) & (set(drawn["valid"]) | set(drawn["test"]))


@needs_data
def test_a_lead_sheet_gives_melody_chords_and_a_bass_on_every_bar_line():
    [piece] = load_set("openewld", ids=["Antoine_Renard/Le_temps_des_cerises"])
    [s] = piece.sections
    assert (s.time_signature, s.style, s.split) == ((3, 4), "standards", piece.split) and not piece.error
    bar = bar_ticks((3, 4))
    assert set(s.notes) == {"melody", "bass"} and s.chords
    assert all(0 <= n.start < n.end <= s.n_bars * bar for r in s.notes.values() for n in r)
    bass_bars = {n.start // bar for n in s.notes["bass"] if n.start % bar == 0}
    first_chord_bar = s.chords[0][0] // bar
    assert bass_bars == set(range(first_chord_bar, s.n_bars))
    assert all(BASS_LOW <= n.pitch < BASS_LOW + 12 for n in s.notes["bass"])
    for n in s.notes["bass"]:  # the bass is the chord's own bass note
        chord = [c for t, c in s.chords if t <= n.start][-1]
        assert n.pitch % 12 == parse_chord(chord)[2]
    onsets = [n.start for n in s.notes["melody"]]
    assert len(onsets) == len(set(onsets))  # one lead line


@needs_data
def test_a_song_in_changing_meters_keeps_each_stretch_in_its_own_meter():
    [piece] = load_set("lieder", ids=["lc6447372"])  # 7/8, with single bars of 5/8, 3/8, 4/8, 5/4
    meters = [tuple(s.time_signature) for s in piece.sections]
    assert (7, 8) in meters and (3, 4) in meters and piece.bars_left_out > 0
    for s in piece.sections:
        assert s.style == "artsong" and set(s.notes) == {"melody", "bass", "harmony"}
        end = s.n_bars * bar_ticks(s.time_signature)
        assert all(0 <= n.start < end for r in s.notes.values() for n in r)
        # the bass is the lowest note of its onset in the left hand: nothing of the piano below it
        lowest = {}
        for n in s.notes["bass"]:
            lowest[n.start] = n.pitch
        assert all(n.pitch >= lowest[n.start] for n in s.notes["harmony"] if n.start in lowest and n.pitch < 60)


@needs_data
def test_a_lied_with_an_analysis_has_its_chords_and_key():
    [piece] = load_set("lieder", ids=["lc4986023"])
    [s] = piece.sections
    assert piece.analysed and s.time_signature == (12, 8) and s.chords[0][0] == 0
    # the analysis opens "m1 Eb: I", "m2 V7/IV": the key, then I and V7 of IV each on its bar (12/8: 2880 ticks)
    assert s.key == "Eb major" and s.chords[:2] == [(0, "Eb"), (2880, "Eb7")]
    assert all(parse_chord(c)[0] >= 0 for _, c in s.chords)


def test_unknown_sets_and_pieces_are_named():
    with pytest.raises(StoriError, match="set: 'pop" + "909' is not a MusicXML set"):
        piece_paths("pop909")
    if HAVE_SCORES:
        with pytest.raises(StoriError, match="ids: 'lc0' is not a piece of lieder"):
            load_set("lieder", ids=["lc0"])


@needs_data
def test_data_report_counts_hours_per_split_and_meter():
    from stori.data.report import scores_summary, to_markdown

    ids = {"lieder": ["lc6447372", "lc4986023"], "openewld": ["Antoine_Renard/Le_temps_des_cerises"]}
    sc = scores_summary(None, ids)
    lieder = sc["lieder"]
    assert lieder["pieces"] == lieder["read"] == 2 and lieder["with_chords"] == 1
    assert set(lieder["meters"]) == {"7/8", "3/4", "12/8"}
    [s] = load_set("lieder", ids=["lc4986023"])[0].sections  # 14 bars of 12/8 (6 quarters) at 130 BPM
    assert lieder["meters"]["12/8"] == {"pieces": 1, "stretches": 1, "bars": 14,
                                        "hours": round(14 * 6 * 60 / s.tempo / 3600, 2)}
    assert sum(r["bars"] for r in lieder["splits"].values()) == sum(r["bars"] for r in lieder["meters"].values())
    text = to_markdown({"pop909": _EMPTY_POP, "gmd": {}, "scores": sc})
    assert "## openewld (MusicXML)" in text and "| meter 3/4 | 1 | 1 | 31 |" in text


_EMPTY_POP = {"counts": {}, "build": {}, "sanity": {"melody_share_in_60_84": None, "bass_share_below_55": None,
                                                   "melody_strong_beat_chord_tone_ratio": {},
                                                   "melody_chord_tone_ratio": {},
                                                   "bass_strong_beat_chord_tone_ratio": {}},
              "quantiles": [], "distributions": {}, "verse_vs_chorus": {}}


def test_tied_notes_join_within_their_voice():
    music21 = pytest.importorskip("music21")
    from stori.data.scores import _notes

    part = music21.stream.Part()
    for k in range(2):
        m = music21.stream.Measure(number=k + 1)
        upper, lower = music21.stream.Voice(id="1"), music21.stream.Voice(id="2")
        a = music21.note.Note("C5", quarterLength=4)  # tied over the bar line
        a.tie = music21.tie.Tie("start" if k == 0 else "stop")
        b = music21.note.Note("C5" if k else "C4", quarterLength=4)  # the same pitch in the other voice, not tied
        upper.append(a)
        lower.append(b)
        m.insert(0, upper)
        m.insert(0, lower)
        part.append(m)
    assert sorted(_notes(part, None)) == [(0.0, 4.0, 60), (0.0, 8.0, 72), (4.0, 8.0, 72)]


def test_a_score_that_writes_no_meter_takes_its_bar_length():
    music21 = pytest.importorskip("music21")
    from stori.data.scores import _stretches

    part = music21.stream.Part()
    for k in range(4):
        m = music21.stream.Measure(number=k + 1)
        m.append(music21.note.Note("C4", quarterLength=3 if k else 1))  # a one-beat pickup, then bars of 3
        part.append(m)
    [st], where = _stretches(part)
    assert (st.meter, st.n_bars, st.origin) == ((3, 4), 4, -2.0) and where["2"] == (0, 3.0)
