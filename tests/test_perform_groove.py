import numpy as np
import pytest
import torch

from stori.cli import main
from stori.data.paths import DEFAULT_DATA_DIR
from stori.errors import StoriError
from stori.perform import groove_model
from stori.perform.groove_features import N_PIECES, STEP, hit_features, windows
from stori.perform.humanize import _apply, groove_drums, humanize_song
from stori.spec.song import Note, SectionSpan, Song, Track

HAVE_GMD = (DEFAULT_DATA_DIR / "groove" / "info.csv").is_file()


def _song(bars: int = 4) -> Song:
    drums, keys = [], []
    for bar in range(bars):
        b = bar * 1920
        for s in range(16):
            if s % 2 == 0:
                drums.append(Note(42, b + s * STEP, b + s * STEP + 60, 90))
            if s in (0, 10):
                drums.append(Note(36, b + s * STEP, b + s * STEP + 60, 100))
            if s in (4, 12):
                drums.append(Note(38, b + s * STEP, b + s * STEP + 60, 100))
        keys += [Note(p, b, b + 960, 70) for p in (60, 64, 67)]
        keys += [Note(72 + (bar % 3), b + 960 + k * 240, b + 1200 + k * 240, 75) for k in range(4)]
    return Song(tracks=[Track("Drums", "drums", 0, 10, drums), Track("Keys", "harmony", 0, 1, keys)],
                sections=[SectionSpan("A", "verse", 0, bars * 1920)], tempo=96.0)


def _by_onset(notes):
    return [n.pitch for n in sorted(notes, key=lambda n: (n.start, n.pitch))]


def test_humanize_keeps_notes_pitches_and_order():
    song = _song()
    out = humanize_song(song, style="funk", amount=1.0, seed=3)
    for before, after in zip(song.tracks, out.tracks):
        assert len(after.notes) == len(before.notes)
        assert [n.pitch for n in after.notes] == [n.pitch for n in before.notes]
        assert _by_onset(after.notes) == _by_onset(before.notes)
        assert [n.end - n.start for n in after.notes] == [n.end - n.start for n in before.notes]
    assert any(a.start != b.start for a, b in zip(song.tracks[0].notes, out.tracks[0].notes))
    assert any(a.velocity != b.velocity for a, b in zip(song.tracks[1].notes, out.tracks[1].notes))


def test_offsets_bounded_and_velocities_valid():
    song = _song()
    out = humanize_song(song, style=None, amount=1.0, seed=0)
    for before, after in zip(song.tracks, out.tracks):
        for a, b in zip(before.notes, after.notes):
            assert abs(b.start - a.start) <= (STEP if after.is_drums else STEP // 2) + 1
            assert 1 <= b.velocity <= 127 and b.start >= 0


def test_seed_determinism_and_amount_zero():
    song = _song()
    a = humanize_song(song, "rock", 0.8, seed=5)
    b = humanize_song(song, "rock", 0.8, seed=5)
    c = humanize_song(song, "rock", 0.8, seed=6)
    assert [t.notes for t in a.tracks] == [t.notes for t in b.tracks]
    assert [t.notes for t in a.tracks] != [t.notes for t in c.tracks]
    assert [t.notes for t in humanize_song(song, "rock", 0.0).tracks] == [t.notes for t in song.tracks]


def test_jazz_swings_the_offbeat_8ths_more_than_rock():
    # ride on 8ths, kick on 1, snare on 3 (backbeats 2 and 4 on pedal hat), eight bars at 120 BPM
    notes = sorted(
        [Note(51, b * 1920 + s * STEP, b * 1920 + s * STEP + 60, 100) for b in range(8) for s in range(0, 16, 2)]
        + [Note(36, b * 1920, b * 1920 + 60, 100) for b in range(8)]
        + [Note(44, b * 1920 + s * STEP, b * 1920 + s * STEP + 60, 100) for b in range(8) for s in (4, 12)],
        key=lambda n: (n.start, n.pitch))

    def swing_ticks(style):  # how much later the offbeat ride hits land than the on-beat ones
        played = groove_drums(notes, 120.0, 1920, style, 1.0, seed=0, sample=False)
        d = {0: [], 240: []}
        for n, p in zip(notes, played):
            if n.pitch == 51:
                d[n.start % 480].append(p.start - n.start)
        return np.mean(d[240]) - np.mean(d[0])
    assert swing_ticks("jazz") > swing_ticks("rock") + 10


def test_order_is_kept_even_against_crossing_shifts():
    notes = [Note(60, 0, 100), Note(62, 10, 100), Note(64, 10, 100), Note(65, 20, 120)]
    out = _apply(notes, np.array([50.0, -40.0, -40.0, -60.0]), np.array([80, 80, 80, 80]))
    assert _by_onset(out) == _by_onset(notes)
    starts = [n.start for n in out]
    assert starts[0] < starts[1] <= starts[2] < starts[3]


def test_bad_style_and_amount_are_one_line_errors():
    with pytest.raises(StoriError, match="style"):
        humanize_song(_song(1), style="polka")
    with pytest.raises(StoriError, match="amount"):
        humanize_song(_song(1), amount=1.5)


def test_features_neighbours_and_windows():
    f = hit_features([36, 42, 38], [0, 0, 121], 1920, 120.0, "rock")
    assert list(f.step) == [0, 0, 1]
    # piece indices: the snare sits one step after the kick, so the kick sees it at +1
    kick, snare = f.piece[0], f.piece[2]
    assert f.neighbours[0, 5 * N_PIECES + snare] == 1.0 and f.neighbours[2, 3 * N_PIECES + kick] == 1.0
    assert f.neighbours[0, 9 * N_PIECES + snare] == 1 / 16
    g = hit_features([42] * 80, [i * 120 for i in range(80)], 1920, 100.0, None)
    idx = np.concatenate(windows(g))
    assert sorted(idx.tolist()) == list(range(80))


def test_untrained_model_offsets_stay_within_a_16th():
    torch.manual_seed(0)
    model = groove_model.GrooveNet("attn").eval()
    f = hit_features([36, 38, 42, 46] * 8, [i * 120 for i in range(32)], 1920, 70.0, "jazz")
    pred = groove_model.predict(model, f)
    assert np.all(np.abs(pred["offset_ms"]) <= f.step_ms + 1e-3)
    assert np.all((pred["velocity"] >= 1) & (pred["velocity"] <= 127))


def test_humanize_command_round_trips_a_file(tmp_path, capsys):
    from stori.render.midi import midi_bytes, midi_to_song

    src, dst = tmp_path / "in.mid", tmp_path / "out.mid"
    src.write_bytes(midi_bytes(_song()))
    assert main(["humanize", str(src), "--out", str(dst), "--style", "soul", "--amount", "0.9", "--seed", "1"]) == 0
    before, after = midi_to_song(src), midi_to_song(dst)
    assert len(before.tracks) == len(after.tracks)
    for a, b in zip(before.tracks, after.tracks):
        assert [n.pitch for n in a.notes] == [n.pitch for n in b.notes]
    assert [n.start for n in before.tracks[0].notes] != [n.start for n in after.tracks[0].notes]


def test_humanize_command_rejects_unreadable_midi(tmp_path, capsys):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd\x00\x00\x00\x06garbage")
    assert main(["humanize", str(bad), "--out", str(tmp_path / "o.mid")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "midi" in err


@pytest.mark.skipif(not HAVE_GMD, reason="GMD not present at ../shared/data")
def test_gmd_feel_jazz_swings_and_funk_ghosts_more_than_rock():
    from stori.perform.feel import feel_stats, real_parts

    parts = real_parts(None)
    stats = {s: feel_stats([p for p in parts if p.style == s]) for s in ("jazz", "rock", "funk")}
    assert stats["jazz"]["swing"] > stats["rock"]["swing"] + 4
    assert stats["funk"]["ghost"] > stats["rock"]["ghost"]


def test_fast_hats_stay_playable():
    # 16th hats at 230 BPM are 65 ms apart: after humanizing, no two closer than 30 ms
    notes = [Note(42, i * STEP, i * STEP + 30, 90) for i in range(64)]
    for seed in range(5):
        played = groove_drums(notes, 230.0, 1920, "funk", 1.0, seed=seed)
        gaps = np.diff([n.start for n in played]) * 60000.0 / (230.0 * 480)
        assert gaps.min() >= 30.0 - 0.2


def test_a_groove_played_again_is_played_alike():
    """Velocity noise is drawn per drum and place, not per hit: 8 written-alike bars are played with
    the same velocities as the bar two before (the groove model reads 2-bar windows; the first and
    last windows see the part's edges), so a repeated groove keeps its loud hits and its ghosts."""
    drums = []
    for bar in range(8):
        b = bar * 1920
        drums += [Note(42, b + s * STEP, b + s * STEP + 60, 80) for s in range(0, 16, 2)]
        drums += [Note(36, b + s * STEP, b + s * STEP + 60, 96) for s in (0, 7, 10)]
        drums += [Note(38, b + s * STEP, b + s * STEP + 60, 100) for s in (4, 12)]
        drums += [Note(38, b + s * STEP, b + s * STEP + 60, 32) for s in (6, 14)]
    for style in ("funk", "rock"):
        played = groove_drums(drums, 96.0, 1920, style, seed=1)
        vel: dict[int, list[int]] = {}
        for written, n in zip(drums, played):
            vel.setdefault(written.start // 1920, []).append(n.velocity)
        assert all(vel[b] == vel[b + 2] for b in range(1, 5)), style


def test_harmony_swells_per_onset_and_a_figure_played_again_keeps_its_accents():
    """A harmony part's chords move together (one offset per onset) and vary from onset to onset more
    than a melody's notes do; bar 3-4 repeats bars 1-2 and keeps their velocities (2-bar cycle)."""
    from stori.perform.humanize import humanize_pitched

    bar = 4 * 480
    figure = [Note(p, t, t + 240, 70) for t in range(0, 2 * bar, 240) for p in (60, 64, 67)]
    played = figure + [Note(n.pitch, n.start + 2 * bar, n.end + 2 * bar, 70) for n in figure]
    harmony = humanize_pitched(played, 100, (4, 4), 480, 1.0, seed=4, onset_spread=9.0)
    plain = humanize_pitched(played, 100, (4, 4), 480, 1.0, seed=4)
    half = len(figure)

    def onset_means(notes):
        return [np.mean([n.velocity for n in notes[i:i + 3]]) for i in range(0, len(notes), 3)]

    assert np.std(np.diff(onset_means(harmony))) > np.std(np.diff(onset_means(plain))) + 3
    swell = np.array([h.velocity - p.velocity for h, p in zip(harmony, plain)])
    assert np.abs(swell[:half] - swell[half:]).max() <= 1  # the same place in the cycle, the same swell
    assert all(np.ptp(swell[i:i + 3]) <= 1 for i in range(0, len(swell), 3))  # a chord's notes together
