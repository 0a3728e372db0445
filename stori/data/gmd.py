"""The Groove MIDI Dataset (Gillick et al. 2019, CC BY 4.0): performances at full timing and
velocity for the groove model, and quantized section windows for the drum pattern model.

Every GMD file is one track at PPQ 480 with one tempo equal to its ``bpm``, recorded to a click,
so the file's own tick grid *is* the metronome grid: tick 0 is a downbeat and a 16th is 120 ticks.

Quantization (:func:`quantize_ticks`):
- ``"16th"``: every onset to the nearest 16th (GrooVAE's grid). Swung 8ths stay on the 16th
  grid and their lateness becomes the groove model's job.
- ``"swing"``: the 16th grid, except that in a beat where nothing lands on the "e" or the "and",
  a hit on the "a" played before 0.708 of the beat (nearer the triplet 8th than the 16th) is a
  swung offbeat 8th and goes to the "and". The groove model learns on this grid, so it learns to
  swing straight 8ths (a swung 8th quantized to the "a" would teach it nothing about swing).
- ``"auto"``: per beat, the hits go to the 8th-note-triplet grid (0, 160, 320 ticks in the beat)
  instead when that grid fits them clearly better (total error < 0.6 x the 16th grid's) and at
  least one hit lands on a triplet-only place; used for shuffles and triplet fills.

Section windows (:func:`load_gmd_sections`): beats are cut into non-overlapping windows of
``bars`` bars from tick 0 (only whole windows up to the bar of the last hit); each is
``section_type="other"`` (GMD beats carry no verse/chorus label). A fill file (about one bar,
often with a crash on the next downbeat) is one sample of its own length in bars, capped at
``bars``, with ``section_type="fill"``. Notes are the quantized onsets with the performed
velocity and a fixed length of one 16th, on canonical kit pitches (:mod:`stori.data.drum_kit`),
one hit per piece per grid place (the loudest).
"""
from __future__ import annotations

import csv
import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import mido

from stori.data.drum_kit import TD11_TO_GM
from stori.data.paths import CACHE_DIR
from stori.data.paths import data_dir as resolve_data_dir
from stori.data.samples import SectionSample
from stori.errors import StoriError
from stori.spec.song import PPQ, Note, bar_ticks

SPLITS = {"train": "train", "validation": "valid", "test": "test"}
STEP = PPQ // 4  # one 16th in ticks
TRIPLET = PPQ // 3  # one 8th-note triplet in ticks
DRUM_NOTE_TICKS = STEP
_CACHE_VERSION = 1

STYLE_FAMILIES = {
    "rock": ("rock", "punk"),
    "pop": ("pop", "dance", "country"),
    "funk": ("funk",),
    "hiphop": ("hiphop",),
    "jazz": ("jazz",),
    "latin": ("latin", "afrocuban", "reggae", "afrobeat", "highlife"),
    "soul": ("soul", "gospel", "blues"),
    "other": ("neworleans", "middleeastern"),
}
"""Style family -> GMD styles in it: the drummers Stori's drums are measured and compared against by family."""
FAMILY_OF = {style: fam for fam, styles in STYLE_FAMILIES.items() for style in styles}


@dataclass(frozen=True, slots=True)
class Hit:
    """One performed drum hit: canonical kit pitch, the TD-11 note it came from, ticks on the file's
    grid, the same onset in seconds, and velocity."""

    pitch: int
    raw_pitch: int
    tick: int
    end: int
    seconds: float
    velocity: int


@dataclass
class Performance:
    id: str  # e.g. "drummer1/eval_session/1"
    drummer: str
    session: str
    style: str  # "funk" (the part of info.csv's style before "/")
    substyle: str  # "funk/groove1"
    bpm: float
    beat_type: str  # beat | fill
    time_signature: tuple[int, int]
    midi_filename: str
    duration: float  # seconds
    split: str  # train | valid | test
    hits: list[Hit] = field(default_factory=list)

    @property
    def ticks_per_bar(self) -> int:
        return bar_ticks(self.time_signature)

    @property
    def source(self) -> str:
        return "gmd:" + self.midi_filename.removesuffix(".mid")

    def ms_per_tick(self) -> float:
        return 60000.0 / (self.bpm * PPQ)


def quantize_ticks(ticks: list[int], grid: str = "16th") -> list[int]:
    """Grid places for onsets (see the module docstring for ``grid`` = ``"16th"`` or ``"auto"``)."""
    q16 = [round(t / STEP) * STEP for t in ticks]
    if grid == "16th":
        return q16
    if grid == "swing":
        return _swing_8ths(ticks, q16)
    if grid != "auto":
        raise StoriError("grid", f"{grid!r} is unknown", "16th, swing, auto")
    q3 = [round(t / TRIPLET) * TRIPLET for t in ticks]
    by_beat: dict[int, list[int]] = {}
    for i, q in enumerate(q16):
        by_beat.setdefault(q // PPQ, []).append(i)
    out = list(q16)
    for idx in by_beat.values():
        err16 = sum(abs(ticks[i] - q16[i]) for i in idx)
        err3 = sum(abs(ticks[i] - q3[i]) for i in idx)
        if err3 < 0.6 * err16 and any(q3[i] % PPQ in (TRIPLET, 2 * TRIPLET) for i in idx):
            for i in idx:
                out[i] = q3[i]
    return out


def _swing_8ths(ticks: list[int], q16: list[int]) -> list[int]:
    busy = {q // PPQ for q in q16 if q % PPQ in (STEP, 2 * STEP)}
    late_limit = round(PPQ * 0.708)
    return [q - STEP if q % PPQ == 3 * STEP and q // PPQ not in busy and t - (q // PPQ) * PPQ < late_limit else q
            for t, q in zip(ticks, q16)]


def read_info(data_dir: str | Path | None = None) -> list[Performance]:
    """The rows of ``groove/info.csv`` as performances without hits."""
    path = resolve_data_dir(data_dir) / "groove" / "info.csv"
    if not path.is_file():
        raise StoriError("data-dir", f"{str(path)!r} is missing", "a data folder with groove/info.csv")
    out = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            num, den = (int(x) for x in r["time_signature"].split("-"))
            out.append(Performance(
                id=r["id"], drummer=r["drummer"], session=r["session"],
                style=r["style"].split("/")[0], substyle=r["style"], bpm=float(r["bpm"]),
                beat_type=r["beat_type"], time_signature=(num, den), midi_filename=r["midi_filename"],
                duration=float(r["duration"]), split=SPLITS[r["split"]],
            ))
    return out


def read_hits(path: Path, bpm: float) -> list[Hit]:
    """The hits of one GMD file, sorted by onset then pitch, on canonical kit pitches."""
    mid = mido.MidiFile(path)
    if mid.ticks_per_beat != PPQ:
        raise StoriError("gmd file", f"{path.name} has PPQ {mid.ticks_per_beat}", str(PPQ))
    tempo_us = next((m.tempo for m in mido.merge_tracks(mid.tracks) if m.type == "set_tempo"), None)
    bpm = mido.tempo2bpm(tempo_us) if tempo_us else bpm
    ms_per_tick = 60.0 / (bpm * PPQ)
    now = 0
    open_notes: dict[int, list[tuple[int, int]]] = {}
    done: list[tuple[int, int, int, int]] = []  # raw pitch, start, end, velocity
    for msg in mido.merge_tracks(mid.tracks):
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            open_notes.setdefault(msg.note, []).append((now, msg.velocity))
        elif msg.type in ("note_off", "note_on") and open_notes.get(msg.note):
            start, vel = open_notes[msg.note].pop(0)
            done.append((msg.note, start, max(now, start + 1), vel))
    for pitch, starts in open_notes.items():
        done.extend((pitch, s, s + STEP, v) for s, v in starts)
    hits = [
        Hit(TD11_TO_GM.get(p, p), p, s, e, s * ms_per_tick, v)
        for p, s, e, v in done
        if p in TD11_TO_GM
    ]
    return sorted(hits, key=lambda h: (h.tick, h.pitch))


def _cache_path(root: Path) -> Path:
    info = root / "groove" / "info.csv"
    key = f"{info.resolve()}:{info.stat().st_mtime_ns}:{_CACHE_VERSION}"
    return CACHE_DIR / f"gmd_performances_{hashlib.sha1(key.encode()).hexdigest()[:12]}.pkl"


def load_performances(split: str | None = None, data_dir: str | Path | None = None,
                      beat_type: str | None = None) -> list[Performance]:
    """Every performance (or those of ``split`` / ``beat_type``) with its hits, parsed once and
    cached under ``cache/``."""
    if split not in (None, "train", "valid", "test"):
        raise StoriError("split", f"{split!r} is unknown", "train, valid, test")
    if beat_type not in (None, "beat", "fill"):
        raise StoriError("beat_type", f"{beat_type!r} is unknown", "beat, fill")
    root = resolve_data_dir(data_dir)
    cache = _cache_path(root)
    if cache.is_file():
        with open(cache, "rb") as f:
            perfs = pickle.load(f)
    else:
        perfs = read_info(root)
        for p in perfs:
            p.hits = read_hits(root / "groove" / p.midi_filename, p.bpm)
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(perfs, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
    return [p for p in perfs
            if (split is None or p.split == split) and (beat_type is None or p.beat_type == beat_type)]


def quantized_notes(perf: Performance, grid: str = "16th") -> list[Note]:
    """The performance on the grid: one note per kit piece per grid place (the loudest hit),
    performed velocity, length one 16th; sorted by onset then pitch."""
    q = quantize_ticks([h.tick for h in perf.hits], grid)
    best: dict[tuple[int, int], int] = {}
    for h, t in zip(perf.hits, q):
        key = (t, h.pitch)
        best[key] = max(best.get(key, 0), h.velocity)
    return [Note(p, t, t + DRUM_NOTE_TICKS, v) for (t, p), v in sorted(best.items())]


def performance_sections(perf: Performance, bars: int = 4, hop: int | None = None,
                         grid: str = "16th") -> list[SectionSample]:
    """Cut one performance into section windows (rules in the module docstring)."""
    notes = quantized_notes(perf, grid)
    if not notes:
        return []
    tpb = perf.ticks_per_bar
    n_bars_total = notes[-1].start // tpb + 1
    if perf.beat_type == "fill":
        windows = [(0, min(n_bars_total, bars))]
    else:
        step = hop or bars
        windows = [(b, bars) for b in range(0, n_bars_total - bars + 1, step)]
    out = []
    for first_bar, n in windows:
        lo, hi = first_bar * tpb, (first_bar + n) * tpb
        local = [Note(x.pitch, x.start - lo, x.end - lo, x.velocity) for x in notes if lo <= x.start < hi]
        if not local:
            continue
        out.append(SectionSample(
            source=f"{perf.source}@bar{first_bar}", split=perf.split, style=perf.style,
            section_type="fill" if perf.beat_type == "fill" else "other", key="C major",
            tempo=perf.bpm, time_signature=perf.time_signature, n_bars=n, notes={"drums": local},
        ))
    return out


def load_gmd_sections(split: str, data_dir: str | Path | None = None, bars: int = 4,
                      hop: int | None = None, grid: str = "16th") -> list[SectionSample]:
    """Drum section samples of one GMD split (``train``/``valid``/``test``), windows of ``bars``
    bars (1..16) every ``hop`` bars (default ``bars``: no overlap). ``key`` is a placeholder:
    drums have none."""
    if not isinstance(bars, int) or not 1 <= bars <= 16:
        raise StoriError("bars", f"{bars!r} is not allowed", "an integer 1..16")
    if hop is not None and (not isinstance(hop, int) or hop < 1):
        raise StoriError("hop", f"{hop!r} is not allowed", "a positive integer")
    out: list[SectionSample] = []
    for perf in load_performances(split, data_dir):
        out.extend(performance_sections(perf, bars, hop, grid))
    return out
