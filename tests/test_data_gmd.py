from pathlib import Path

import mido
import pytest

from stori.data import gmd
from stori.data.drum_kit import KIT_PITCHES, TD11_TO_GM, to_kit
from stori.data.paths import DEFAULT_DATA_DIR
from stori.errors import StoriError

TD11_NOTES = {22, 26, 36, 37, 38, 40, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 55, 57, 58, 59}
HAVE_GMD = (DEFAULT_DATA_DIR / "groove" / "info.csv").is_file()


def test_td11_map_covers_every_gmd_note_onto_the_gm_kit():
    assert set(TD11_TO_GM) == TD11_NOTES
    assert all(35 <= gm <= 81 and gm in KIT_PITCHES for gm in TD11_TO_GM.values())
    assert TD11_TO_GM[40] == 38 and TD11_TO_GM[22] == 42 and TD11_TO_GM[26] == 46 and TD11_TO_GM[59] == 51


def test_any_gm_drum_note_folds_onto_the_kit():
    assert all(to_kit(p) in KIT_PITCHES for p in range(35, 82))
    assert to_kit(35) == 36 and to_kit(39) == 39


def test_quantize_16th_and_triplet_beats():
    assert gmd.quantize_ticks([3, 118, 250, 470]) == [0, 120, 240, 480]
    swung = [0, 322, 480, 800]  # 8ths played as triplets (2:1)
    assert gmd.quantize_ticks(swung, "16th") == [0, 360, 480, 840]
    assert gmd.quantize_ticks(swung, "auto") == [0, 320, 480, 800]
    straight = [2, 238, 481, 722]
    assert gmd.quantize_ticks(straight, "auto") == [0, 240, 480, 720]
    assert gmd.quantize_ticks(swung, "swing") == [0, 240, 480, 720]  # swung 8ths go to the "and"
    assert gmd.quantize_ticks([0, 118, 350, 480], "swing") == [0, 120, 360, 480]  # real 16ths stay
    with pytest.raises(StoriError):
        gmd.quantize_ticks([0], "32nd")


def _write_td11_file(path: Path, bpm: float, events: list[tuple[int, int, int]]) -> None:
    """events: (tick, td11 note, velocity), each 60 ticks long."""
    mid = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=0))
    msgs = []
    for t, n, v in events:
        msgs.append((t, 1, mido.Message("note_on", channel=9, note=n, velocity=v)))
        msgs.append((t + 60, 0, mido.Message("note_off", channel=9, note=n, velocity=64)))
    now = 0
    for t, _, m in sorted(msgs, key=lambda x: (x[0], x[1])):
        tr.append(m.copy(time=t - now))
        now = t
    mid.save(path)


def test_read_hits_maps_pitches_and_times(tmp_path):
    f = tmp_path / "x.mid"
    _write_td11_file(f, 120.0, [(5, 36, 100), (478, 40, 90), (470, 22, 50)])
    hits = gmd.read_hits(f, 120.0)
    assert [(h.pitch, h.raw_pitch, h.tick, h.velocity) for h in hits] == [
        (36, 36, 5, 100), (42, 22, 470, 50), (38, 40, 478, 90)]
    assert hits[2].seconds == pytest.approx(478 / 480 * 0.5)


def _perf(beat_type: str, hits: list[tuple[int, int, int]]) -> gmd.Performance:
    p = gmd.Performance("d/s/1", "d", "d/s", "funk", "funk/groove1", 100.0, beat_type, (4, 4),
                        "d/s/1_funk_100_beat_4-4.mid", 10.0, "train")
    p.hits = [gmd.Hit(TD11_TO_GM[n], n, t, t + 60, t * p.ms_per_tick() / 1000, v) for t, n, v in hits]
    return p


def test_beat_windows_are_whole_bars_and_quantized():
    # 9 bars of kick on every beat, slightly late; a flam doubles one snare
    hits = [(b * 480 + 7, 36, 90) for b in range(36)] + [(1917, 38, 40), (1925, 38, 100)]
    secs = gmd.performance_sections(_perf("beat", hits), bars=4)
    assert [s.n_bars for s in secs] == [4, 4]  # bar 9 alone makes no whole window
    notes = secs[0].notes["drums"]
    assert all(n.start % 120 == 0 for n in notes)
    snares = [n for n in notes if n.pitch == 38]
    assert len(snares) == 1 and snares[0].velocity == 100 and snares[0].start == 1920
    assert secs[1].notes["drums"][0].start == 0 and secs[0].section_type == "other"
    assert len(gmd.performance_sections(_perf("beat", hits), bars=2, hop=1)) == 8


def test_fill_is_one_sample_of_its_own_length():
    hits = [(i * 120, 48, 80) for i in range(16)] + [(1921, 55, 110)]
    secs = gmd.performance_sections(_perf("fill", hits), bars=4)
    assert len(secs) == 1 and secs[0].n_bars == 2 and secs[0].section_type == "fill"
    assert {n.pitch for n in secs[0].notes["drums"]} == {50, 49}


@pytest.mark.skipif(not HAVE_GMD, reason="GMD not present at ../shared/data")
def test_official_split_counts_and_sections():
    perfs = gmd.load_performances()
    counts = {s: sum(p.split == s for p in perfs) for s in ("train", "valid", "test")}
    assert counts == {"train": 897, "valid": 124, "test": 129}
    secs = gmd.load_gmd_sections("valid", bars=4)
    assert secs and all(s.split == "valid" for s in secs)
    assert all(n.pitch in KIT_PITCHES for s in secs for n in s.notes["drums"])
    assert {s.section_type for s in secs} == {"other", "fill"}
