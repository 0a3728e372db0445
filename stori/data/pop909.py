"""POP909 with the pop909-structure labels, cut into :class:`SectionSample` s in Stori's vocabulary.

**Timeline.** POP909's MIDI follows the audio: ``beat_midi.txt`` gives the time of every beat. A
note's time is turned into a fractional beat by interpolating between beat times, then rounded to
the nearest 16th (a *step*; 4 steps per beat, 120 ticks at PPQ 480). Velocity is kept.

**Bars.** pop909-structure's files (``melody.txt``, ``finalized_chord.txt``, ``human_label1.txt``)
count from the first corrected downbeat, and in many songs the MIDI holds extra half-bars that the
corrected timeline deleted, so one global shift is not enough. Each labelled phrase gets its own
offset into the MIDI's steps: the offset that lines up most of the phrase's ``melody.txt`` notes
(onset and pitch) with the MIDI's MELODY track. A phrase with too little melody takes the offset
of its previous or next aligned phrase, whichever agrees better with the chord roots of
``chord_midi.txt``. A phrase whose melody matches badly (< :data:`MIN_MATCH`) is dropped.

**Roles.** melody = MELODY, counter_melody = BRIDGE, and the PIANO is split into bass and harmony
by :func:`split_bass`.

**Bass rule.** At each PIANO onset, the lowest note starting there becomes a bass note if it lies
below :data:`BASS_SPLIT` (G3, MIDI 55), no lower PIANO note is still sounding from an earlier
onset, and it lies within an octave of the lowest PIANO note starting within two beats of it
(:data:`BASS_WINDOW`); so the upper notes of a left-hand arpeggio, over a held root or after a
short one, stay harmony. The bass is monophonic: each bass note is cut at the next bass onset.
Every other PIANO note is harmony.

**Sections.** Phrase letters of ``human_label1`` map through :data:`SECTION_TYPES`. Chords come from
``finalized_chord.txt`` as ``(tick, symbol)`` at each change; the key from ``analyzed_key.txt``
(when it lists several keys, ``key_audio.txt`` tells which one holds at the section). Songs in
compound meter (``index.xlsx``: 3 eighths per beat) are skipped: a 16th grid cannot hold them.
"""
from __future__ import annotations

import hashlib
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stori.data.paths import CACHE_DIR, cached
from stori.data.paths import data_dir as resolve_data_dir
from stori.data.samples import SectionSample
from stori.data.splits import SPLITS, check_split, pop909_split_of
from stori.errors import StoriError
from stori.spec.song import PPQ, Note, no_restrikes, pedalled
from stori.theory import chord_name, key_name, parse_chord, pitch_class

VERSION = "pop909-v3"
"""Bump when the parsing changes: the cache is keyed by it."""

STEPS_PER_BEAT = 4
TICKS_PER_STEP = PPQ // STEPS_PER_BEAT
BASS_SPLIT = 55
BASS_WINDOW = 8  # steps (two beats) either side
MIN_MATCH = 0.5
MIN_MELODY_NOTES = 4  # fewer than this in a phrase: align it by its neighbours instead

SECTION_TYPES = {"i": "intro", "A": "verse", "B": "chorus", "C": "bridge", "b": "bridge", "o": "outro"}
"""Phrase letter -> section type. ``C`` (a third melodic theme, usually the middle eight) and ``b``
(an instrumental transition) are bridges; ``X``/``x``, ``D``, ``E`` and anything else is "other"."""

_QUALITY = {
    "maj": "", "min": "m", "7": "7", "maj7": "maj7", "min7": "m7", "dim": "dim", "aug": "aug",
    "sus2": "sus2", "sus4": "sus4", "hdim7": "m7b5", "dim7": "dim7", "maj6": "6", "min6": "m6",
    "9": "9", "maj9": "maj9", "min9": "m9", "minmaj7": "mmaj7", "min11": "m11",
}


@dataclass(frozen=True)
class Phrase:
    letter: str
    section_type: str
    n_bars: int


def parse_phrases(label: str) -> list[Phrase]:
    """``"i4A4B8o3"`` -> intro 4 bars, verse 4, chorus 8, outro 3."""
    text = label.strip()
    if not re.fullmatch(r"(?:[A-Za-z]\d+)+", text):
        raise StoriError("structure label", f"{label!r} is not a phrase string",
                         "letters each followed by a bar count, e.g. 'i4A4B8o3'")
    return [Phrase(letter, SECTION_TYPES.get(letter, "other"), int(n)) for letter,
            n in re.findall(r"([A-Za-z])(\d+)", text)]


def chord_symbol(name: str) -> str:
    """A POP909 chord label (``"B:maj7"``, ``"C#:min/b3"``, ``"F:sus4(b7,9)"``, ``"N"``) -> ``"Bmaj7"``,
    ``"C#m"``, ``"F7sus4"``, ``"N"``. Inversions are dropped; extensions outside Stori's chord set
    fall back to the nearest plain chord of the same family."""
    name = name.strip()
    if ":" not in name:
        return "N"
    root, quality = name.split(":", 1)
    quality = quality.split("/")[0]
    base, _, ext = quality.partition("(")
    if base == "sus4" and "b7" in ext:
        suffix = "7sus4"
    elif base in ("maj", "min") and ("9" in ext or "2" in ext):
        suffix = "add9" if base == "maj" else "madd9"
    elif base == "min7" and "11" in ext:
        suffix = "m11"
    else:
        suffix = _QUALITY.get(base, "m" if base.startswith("min") else "")
    symbol = chord_name(pitch_class(root), suffix)
    parse_chord(symbol)  # every symbol we emit must parse
    return symbol


def parse_chord_line(line: str) -> tuple[str, int] | None:
    """One ``finalized_chord.txt`` line (``"B:maj [3, 6, 11] 11 2"``) -> ``("B", 2)`` (symbol, beats)."""
    m = re.match(r"^\s*(\S.*?)\s*\[[^\]]*\]\s*(.*)$", line)
    if not m or not m.group(2).split():
        return None
    return chord_symbol(m.group(1)), int(m.group(2).split()[-1])


def key_label(label: str) -> str:
    """``"Gb:maj"`` -> ``"F# major"`` (Stori's spelling)."""
    root, mode = label.split(":")
    return key_name(pitch_class(root), "major" if mode.startswith("maj") else "minor")


def time_to_steps(times: np.ndarray, beat_times: np.ndarray) -> np.ndarray:
    """Seconds -> fractional steps on the beat grid, extrapolating past both ends."""
    idx = np.arange(len(beat_times), dtype=float)
    beats = np.interp(times, beat_times, idx)
    lo, hi = times < beat_times[0], times > beat_times[-1]
    beats[lo] = (times[lo] - beat_times[0]) / (beat_times[1] - beat_times[0])
    beats[hi] = idx[-1] + (times[hi] - beat_times[-1]) / (beat_times[-1] - beat_times[-2])
    return beats * STEPS_PER_BEAT


def quantize(notes: dict[str, np.ndarray], beat_times: np.ndarray) -> np.ndarray:
    """symusic note arrays (seconds) -> int rows ``(on, off, pitch, velocity)`` in steps, sorted,
    without duplicate onsets of one pitch and with same-pitch overlaps cut."""
    if len(notes["time"]) == 0:
        return np.zeros((0, 4), dtype=np.int64)
    on = np.round(time_to_steps(notes["time"], beat_times)).astype(np.int64)
    off = np.round(time_to_steps(notes["time"] + notes["duration"], beat_times)).astype(np.int64)
    off = np.maximum(off, on + 1)
    rows = np.stack([on, off, notes["pitch"].astype(np.int64), notes["velocity"].astype(np.int64)], axis=1)
    rows = rows[np.lexsort((-rows[:, 1], rows[:, 0], rows[:, 2]))]  # by pitch, onset, longest first
    keep = np.ones(len(rows), dtype=bool)
    keep[1:] = (rows[1:, 2] != rows[:-1, 2]) | (rows[1:, 0] != rows[:-1, 0])
    rows = rows[keep]
    same = rows[1:, 2] == rows[:-1, 2]
    rows[:-1, 1] = np.where(same, np.minimum(rows[:-1, 1], rows[1:, 0]), rows[:-1, 1])
    return rows[np.lexsort((rows[:, 2], rows[:, 0]))]


def split_bass(piano: np.ndarray, split: int = BASS_SPLIT) -> tuple[np.ndarray, np.ndarray]:
    """PIANO rows -> (bass rows, harmony rows) by the bass rule in the module docstring."""
    is_bass = np.zeros(len(piano), dtype=bool)
    for on in np.unique(piano[:, 0]):
        starting = np.flatnonzero(piano[:, 0] == on)
        low = starting[np.argmin(piano[starting, 2])]
        pitch = piano[low, 2]
        if pitch >= split:
            continue
        held = (piano[:, 0] < on) & (piano[:, 1] > on) & (piano[:, 2] < pitch)
        near = np.abs(piano[:, 0] - on) <= BASS_WINDOW
        is_bass[low] = not held.any() and pitch <= piano[near, 2].min() + 12
    bass, harmony = piano[is_bass].copy(), piano[~is_bass]
    if len(bass) > 1:
        bass[:-1, 1] = np.minimum(bass[:-1, 1], bass[1:, 0])
    return bass, harmony


@dataclass
class _Song:
    song_id: str
    beat_times: np.ndarray
    tracks: dict[str, np.ndarray]  # role -> rows in MIDI steps
    melody_txt: list[tuple[int, int]]  # (step, pitch) on the corrected timeline
    chords: list[tuple[int, str]]  # (beat, symbol) on the corrected timeline
    chord_beats: int
    midi_roots: np.ndarray  # chord root pc per MIDI beat, -1 none
    phrases: list[Phrase]
    keys: list[str]
    key_audio: list[tuple[float, float, str]]
    beats_per_bar: int


def _read_song(root: Path, sid: str, beats_per_bar: int) -> _Song:
    import symusic

    song_dir, struct_dir = root / "pop909" / sid, root / "pop909-structure" / "POP909" / sid
    beat_times = np.loadtxt(song_dir / "beat_midi.txt", ndmin=2)[:, 0]
    score = symusic.Score(str(song_dir / f"{sid}.mid")).to("second")
    by_name = {t.name.strip().upper(): t.notes.numpy() for t in score.tracks}
    empty = {"time": np.zeros(0), "duration": np.zeros(0), "pitch": np.zeros(0), "velocity": np.zeros(0)}
    melody = quantize(by_name.get("MELODY", empty), beat_times)
    bridge = quantize(by_name.get("BRIDGE", empty), beat_times)
    bass, harmony = split_bass(quantize(by_name.get("PIANO", empty), beat_times))

    melody_txt, pos = [], 0
    for line in (struct_dir / "melody.txt").read_text().split("\n"):
        parts = line.split()
        if len(parts) == 2:
            if int(parts[0]) > 0:
                melody_txt.append((pos, int(parts[0])))
            pos += int(parts[1])

    chords, beat = [], 0
    for line in (struct_dir / "finalized_chord.txt").read_text().split("\n"):
        parsed = parse_chord_line(line)
        if parsed:
            chords.append((beat, parsed[0]))
            beat += parsed[1]

    n_beats = len(beat_times) + 64
    midi_roots = np.full(n_beats, -1, dtype=np.int64)
    for line in (song_dir / "chord_midi.txt").read_text().split("\n"):
        parts = line.split()
        if len(parts) == 3 and parts[2] != "N":
            a, b = time_to_steps(np.array([float(parts[0]), float(parts[1])]), beat_times) / STEPS_PER_BEAT
            midi_roots[max(0, round(a)):max(0, min(n_beats, round(b)))] = pitch_class(parts[2].split(":")[0])

    keys = [key_label(k) for k in re.findall(r"[A-G][#b]?:(?:maj|min)", (struct_dir / "analyzed_key.txt").read_text())]
    key_audio = []
    for line in (song_dir / "key_audio.txt").read_text().split("\n"):
        parts = line.split()
        if len(parts) == 3 and ":" in parts[2]:
            key_audio.append((float(parts[0]), float(parts[1]), key_label(parts[2])))
    return _Song(sid, beat_times, {"melody": melody, "counter_melody": bridge, "harmony": harmony, "bass": bass},
                 melody_txt, chords, beat, midi_roots, parse_phrases((struct_dir / "human_label1.txt").read_text()),
                 keys, key_audio, beats_per_bar)


def _phrase_offsets(song: _Song) -> tuple[list[int | None], Counter]:
    """MIDI step offset of each phrase (None: drop it), see the module docstring, and a count of the
    ``melody.txt`` notes of melodic phrases ("melody notes") and of those the offsets line up ("matched")."""
    matched: Counter = Counter()
    steps_per_bar = song.beats_per_bar * STEPS_PER_BEAT
    onsets_by_pitch: dict[int, np.ndarray] = {}
    mel = song.tracks["melody"]
    for p in np.unique(mel[:, 2]):
        onsets_by_pitch[int(p)] = mel[mel[:, 2] == p, 0]
    offsets: list[int | None] = []
    pending: list[int] = []  # phrases to align by neighbours
    start, prev = 0, 0
    bounds = []
    for i, ph in enumerate(song.phrases):
        end = start + ph.n_bars * steps_per_bar
        bounds.append((start, end))
        notes = [(s, p) for s, p in song.melody_txt if start <= s < end]
        offsets.append(None)
        if len(notes) < MIN_MELODY_NOTES:
            pending.append(i)
        else:
            votes = Counter()
            for s, p in notes:
                for on in onsets_by_pitch.get(p, ()):
                    votes[int(on) - s] += 1
            if votes:
                best = max(votes, key=lambda d: (votes[d], -abs(d - prev)))
                matched["melody notes"] += len(notes)
                if votes[best] >= MIN_MATCH * len(notes):
                    offsets[i] = prev = best
                    matched["matched"] += votes[best]
        start = end
    aligned = [i for i, d in enumerate(offsets) if d is not None]
    for i in pending:
        before = [offsets[j] for j in aligned if j < i][-1:]
        after = [offsets[j] for j in aligned if j > i][:1]
        candidates = list(dict.fromkeys(before + after))
        if candidates:
            offsets[i] = max(candidates, key=lambda d: _root_agreement(song, bounds[i], d))
    return offsets, matched


def _root_agreement(song: _Song, bounds: tuple[int, int], offset: int) -> int:
    agree = 0
    for k, (beat, symbol) in enumerate(song.chords):
        end = song.chords[k + 1][0] if k + 1 < len(song.chords) else song.chord_beats
        root = parse_chord(symbol)[0]
        for b in range(max(beat, bounds[0] // STEPS_PER_BEAT), min(end, bounds[1] // STEPS_PER_BEAT)):
            m = (b * STEPS_PER_BEAT + offset) // STEPS_PER_BEAT
            agree += 0 <= m < len(song.midi_roots) and song.midi_roots[m] == root
    return agree


def _to_notes(rows: np.ndarray, lo: int, hi: int) -> list[Note]:
    rows = rows[(rows[:, 0] >= lo) & (rows[:, 0] < hi)]
    return [Note(int(p), int(on - lo) * TICKS_PER_STEP, int(min(off, hi) - lo) * TICKS_PER_STEP, int(v))
            for on, off, p, v in rows.tolist()]


def _section_key(song: _Song, seconds: float) -> str:
    if len(set(song.keys)) <= 1 or not song.key_audio:
        return song.keys[0] if song.keys else (song.key_audio[0][2] if song.key_audio else "C major")
    for a, b, key in song.key_audio:
        if a <= seconds < b:
            return key
    return song.key_audio[0][2] if seconds < song.key_audio[0][0] else song.key_audio[-1][2]


def song_sections(song: _Song, split: str) -> tuple[list[SectionSample], Counter]:
    """One song's SectionSamples and counts of what was dropped and why (plus alignment counts)."""
    offsets, dropped = _phrase_offsets(song)
    steps_per_bar = song.beats_per_bar * STEPS_PER_BEAT
    last_step = (len(song.beat_times) - 1) * STEPS_PER_BEAT
    chord_steps = song.chord_beats * STEPS_PER_BEAT
    out, start = [], 0
    for index, (ph, offset) in enumerate(zip(song.phrases, offsets)):
        a, b = start, start + ph.n_bars * steps_per_bar
        start = b
        if offset is None:
            dropped["unaligned"] += 1
            continue
        if b > chord_steps + steps_per_bar or b + offset > last_step + steps_per_bar or a + offset < 0:
            dropped["outside the timeline"] += 1
            continue
        lo, hi = a + offset, b + offset
        notes = {role: _to_notes(rows, lo, hi) for role, rows in song.tracks.items()}
        if not any(notes.values()):
            dropped["no notes"] += 1
            continue
        chords: list[tuple[int, str]] = []
        for beat, symbol in song.chords:
            step = beat * STEPS_PER_BEAT
            if step >= b:
                break
            tick = max(0, step - a) * TICKS_PER_STEP
            if chords and chords[-1][0] == tick:
                chords[-1] = (tick, symbol)
            elif not chords or chords[-1][1] != symbol:
                chords.append((tick, symbol))
        beats = song.beat_times[(song.beat_times >= _step_time(song, lo)) & (song.beat_times <= _step_time(song, hi))]
        beat_len = float(np.median(np.diff(beats))) if len(beats) > 2 else float(np.median(np.diff(song.beat_times)))
        key = _section_key(song, _step_time(song, (lo + hi) / 2))
        out.append(SectionSample(
            source=f"pop909:{song.song_id}#{index}", split=split, style="pop", section_type=ph.section_type,
            key=key, tempo=round(60.0 / beat_len, 1), time_signature=(song.beats_per_bar, 4),
            n_bars=ph.n_bars, notes=notes, chords=chords))
    return out, dropped


def _step_time(song: _Song, step: float) -> float:
    """Steps on the MIDI grid -> seconds, extrapolating past both ends."""
    bt, beat, last = song.beat_times, step / STEPS_PER_BEAT, len(song.beat_times) - 1
    if beat <= 0:
        return float(bt[0] + beat * (bt[1] - bt[0]))
    if beat >= last:
        return float(bt[-1] + (beat - last) * (bt[-1] - bt[-2]))
    return float(np.interp(beat, np.arange(last + 1), bt))


def _meters(root: Path) -> dict[str, tuple[int, int]]:
    """Song id -> (beats per measure, eighths per beat) from index.xlsx."""
    import openpyxl

    book = openpyxl.load_workbook(root / "pop909" / "index.xlsx", read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    head = list(rows[0])
    i, j, k = head.index("song_id"), head.index("num_beats_per_measure"), head.index("num_quavers_per_beat")
    return {str(r[i]).zfill(3): (int(r[j]), int(r[k])) for r in rows[1:] if r[i]}


def load_song(song_id: str, data_dir: str | os.PathLike | None = None) -> list[SectionSample]:
    """The SectionSamples of one POP909 song (uncached; for inspection and tests)."""
    root = resolve_data_dir(data_dir)
    meter = _meters(root).get(song_id)
    if meter is None:
        raise StoriError("song id", f"{song_id!r} is not a POP909 song", "'001'..'909'")
    if meter[1] != 2:
        return []
    song = _read_song(root, song_id, 3 if meter[0] == 3 else 4)
    return song_sections(song, pop909_split_of()[song_id])[0]


def build_pop909(data_dir: str | os.PathLike | None = None, progress: bool = True) -> dict:
    """Parse every song: ``{"version", "splits": {split: [SectionSample]}, "stats": {...}}``."""
    from tqdm import tqdm

    root = resolve_data_dir(data_dir)
    meters, split_of = _meters(root), pop909_split_of()
    splits: dict[str, list[SectionSample]] = {s: [] for s in SPLITS}
    dropped: Counter = Counter()
    t0 = time.perf_counter()
    for sid in tqdm(sorted(split_of), desc="POP909", unit="song", disable=not progress):
        if meters.get(sid, (2, 2))[1] != 2:
            dropped["compound-meter songs"] += 1
            continue
        song = _read_song(root, sid, 3 if meters[sid][0] == 3 else 4)
        sections, why = song_sections(song, split_of[sid])
        dropped.update(why)
        splits[split_of[sid]].extend(sections)
    aligned = {k: dropped.pop(k, 0) for k in ("melody notes", "matched")}
    stats = {"build_s": round(time.perf_counter() - t0, 1), "dropped": dict(dropped),
             "melody_txt_notes_matched": round(aligned["matched"] / max(1, aligned["melody notes"]), 4)}
    return {"version": VERSION, "splits": splits, "stats": stats}


def cache_path(data_dir: str | os.PathLike | None = None) -> Path:
    root = resolve_data_dir(data_dir).resolve()
    tag = "" if root == resolve_data_dir(None).resolve() else "-" + hashlib.sha1(str(root).encode()).hexdigest()[:8]
    return CACHE_DIR / f"{VERSION}{tag}.pkl"


def load_pop909(data_dir: str | os.PathLike | None = None) -> dict:
    """The whole parsed dataset (see :func:`build_pop909`), built once and cached under ``cache/``."""
    return cached(cache_path(data_dir), lambda: build_pop909(data_dir))


def load_pop909_sections(split: str, data_dir: str | os.PathLike | None = None) -> list[SectionSample]:
    """The SectionSamples of one split ("train", "valid", "test"), in song then section order."""
    return load_pop909(data_dir)["splits"][check_split(split)]


def whole_song(song_id: str, data_dir: str | os.PathLike | None = None, heard: bool = False
               ) -> tuple[dict[str, list[Note]], tuple[int, int]] | None:
    """Every note of one song by role (the roles and beat-grid timeline of the module docstring, not
    cut into labelled sections), ticks counted from the first downbeat that ``beat_midi.txt`` marks
    for the song's meter (its third column in 4/4, second otherwise; notes before it are left out),
    and the meter; None for a compound-meter song. For measures that span section boundaries, such
    as repetition. With ``heard`` the comping (harmony) rings as the PIANO's sustain pedal holds it
    (CC64; 814 of the 909 pianists pedal; :func:`~stori.spec.song.pedalled`), as a listener hears it
    and as Stori's performer writes its own pedalled keyboard comping. The lines keep their keys'
    lengths: Stori gives melody, counter-melody and bass to voices, strings, winds and basses,
    which have no pedal (the left hand's pedalled median would be 2.1 beats, its keys' 1.6)."""
    root = resolve_data_dir(data_dir)
    meter = _meters(root).get(song_id)
    if meter is None:
        raise StoriError("song id", f"{song_id!r} is not a POP909 song", "'001'..'909'")
    if meter[1] != 2:
        return None
    beats = 3 if meter[0] == 3 else 4
    song_dir = root / "pop909" / song_id
    grid = np.loadtxt(song_dir / "beat_midi.txt", ndmin=2)
    first = _first_downbeat(grid, beats)
    import symusic

    score = symusic.Score(str(song_dir / f"{song_id}.mid")).to("second")
    tracks = {t.name.strip().upper(): t for t in score.tracks}
    rows = {name: quantize(tracks[name].notes.numpy(), grid[:, 0])
            for name in ("MELODY", "BRIDGE", "PIANO") if name in tracks}
    bass, harmony = split_bass(rows.pop("PIANO")) if "PIANO" in rows else (None, None)
    roles = {"melody": rows.get("MELODY"), "counter_melody": rows.get("BRIDGE"), "bass": bass, "harmony": harmony}
    out = {role: _to_notes(r, first, 1 << 40) for role, r in roles.items() if r is not None and len(r)}
    spans = _pedal_ticks(tracks["PIANO"], grid[:, 0], first) if heard and "harmony" in out else []
    if spans:
        out["harmony"] = no_restrikes(pedalled(out["harmony"], spans))
    return out, (beats, 4)


def _pedal_ticks(track, beat_times: np.ndarray, first: int) -> list[tuple[int, int]]:
    """A symusic track's sustain pedal as ``(down, up)`` tick spans on :func:`whole_song`'s timeline."""
    pedals = track.pedals.numpy()
    if not len(pedals["time"]):
        return []
    down = np.round(time_to_steps(pedals["time"], beat_times)).astype(np.int64) - first
    up = np.round(time_to_steps(pedals["time"] + pedals["duration"], beat_times)).astype(np.int64) - first
    return sorted((int(a) * TICKS_PER_STEP, int(b) * TICKS_PER_STEP) for a, b in zip(down, up) if b > a)


def _first_downbeat(grid: np.ndarray, beats: int) -> int:
    """The step of the first downbeat ``beat_midi.txt`` marks for a meter of ``beats`` beats."""
    downbeats = np.flatnonzero(grid[:, 2 if beats == 4 else 1] == 1)
    return int(downbeats[0]) * STEPS_PER_BEAT if len(downbeats) else 0


def whole_song_chords(song_id: str, data_dir: str | os.PathLike | None = None) -> list[tuple[int, str]]:
    """POP909's own chord labels (``chord_midi.txt``) as ``(tick, symbol)`` changes on the timeline of
    :func:`whole_song` (start times on the beat grid, rounded to the nearest 16th; "N" where no chord)."""
    root = resolve_data_dir(data_dir)
    meter = _meters(root).get(song_id)
    if meter is None:
        raise StoriError("song id", f"{song_id!r} is not a POP909 song", "'001'..'909'")
    song_dir = root / "pop909" / song_id
    grid = np.loadtxt(song_dir / "beat_midi.txt", ndmin=2)
    first = _first_downbeat(grid, 3 if meter[0] == 3 else 4)
    out = []
    for line in (song_dir / "chord_midi.txt").read_text().splitlines():
        cols = line.split()
        if len(cols) == 3:
            step = int(round(float(time_to_steps(np.array([float(cols[0])]), grid[:, 0])[0]))) - first
            out.append((step * TICKS_PER_STEP, chord_symbol(cols[2])))
    return out
