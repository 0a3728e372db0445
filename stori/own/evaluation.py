"""``stori own-eval``: continue and accompany held-out POP909 songs cut after bar 12.

For each of the first ``--songs`` test-split songs in 4/4 with at least 20 bars and a tune
(:data:`MIN_MELODY_NOTES`) in the first 12 (notes, roles and
beat grid of :func:`stori.data.pop909.whole_song`; melody, counter-melody, bass and piano as four
tracks, the tempo the beat grid's median beat):

- the first 12 bars go through a real MIDI file into :func:`~stori.own.extend.continue_song`;
  the written result is read back and its first 12 bars compared note for note with the input,
  its tempo, meter and key with the input's;
- the seam measures of :mod:`stori.own.seam` are taken four ways at the cut: Stori's
  continuation, the same grounded by retrieval (:mod:`stori.own.retrieval`, an index of the train
  split), the song's own next bars (the real continuation) and 8 bars from another held-out song
  placed after the cut (a random real segment); beside them, the key measures of the input's own
  last 4 bars, which show how noisy a key heard in 4 bars is even where the key cannot have moved;
- the 12-bar melody alone goes to :func:`~stori.own.accompany.accompany` (drums, bass, harmony
  present? melody unchanged?), and the chords heard in the whole song's melody are scored beat by
  beat against POP909's labels (root, and root with major/minor), beside the chords heard in the
  full texture and "the tonic chord throughout".
"""
from __future__ import annotations

import argparse
import json
import math
import random
import statistics
from pathlib import Path

import numpy as np

from stori.data.paths import data_dir
from stori.data.pop909 import whole_song, whole_song_chords
from stori.data.splits import pop909_ids
from stori.own.accompany import accompany
from stori.own.extend import continue_song
from stori.own.listen import hear, infer_key, key_fit, key_tonic_chord, pitched_notes
from stori.own.seam import KEY_BARS, seam_measures
from stori.render.midi import midi_bytes, midi_to_song
from stori.spec.song import PPQ, Note, SectionSpan, Song, Track
from stori.theory import chord_at, parse_chord

CUT_BARS = 12
NEW_BARS = 8
MIN_BARS = CUT_BARS + NEW_BARS
MIN_MELODY_NOTES = 8  # in the first 12 bars: a song still in its intro at the cut has no tune to accompany
TRACKS = (("melody", "MELODY", 1, 0), ("counter_melody", "BRIDGE", 2, 0), ("bass", "Bass", 3, 33),
          ("harmony", "PIANO", 4, 0))
MEASURES = ("interval", "register_shift", "density_change", "in_key", "key_fit", "same_key")
CONDITIONS = ("stori", "stori_retrieval", "real", "random")


def pop909_song(song_id: str) -> Song | None:
    """A POP909 song as a four-track Song on its beat grid (None in compound meter or 3/4)."""
    got = whole_song(song_id)
    if got is None or got[1] != (4, 4):
        return None
    roles, meter = got
    beats = np.loadtxt(data_dir() / "pop909" / song_id / "beat_midi.txt", ndmin=2)[:, 0]
    tempo = round(60.0 / float(np.median(np.diff(beats))), 2)
    tracks = [Track(name, role, program, channel, list(roles[role])) for role, name, channel, program in TRACKS
              if roles.get(role)]
    song = Song(tracks, [], tempo, meter)
    song.sections = [SectionSpan("song", "other", 0, song.end_tick)]
    return song


def cut(song: Song, bars: int, start_bar: int = 0) -> Song:
    """Bars ``[start_bar, start_bar + bars)`` of ``song`` as a song of their own (notes clipped at the end)."""
    tpb = song.ticks_per_bar
    lo, hi = start_bar * tpb, (start_bar + bars) * tpb
    tracks = [Track(t.name, t.role, t.program, t.channel, [Note(n.pitch, n.start - lo, min(n.end, hi) - lo, n.velocity)
                                                           for n in t.notes if lo <= n.start < hi])
              for t in song.tracks]
    out = Song([t for t in tracks if t.notes], [], song.tempo, song.time_signature)
    out.sections = [SectionSpan("song", "other", 0, hi - lo)]
    return out


def _roles(song: Song, role: str) -> list[Note]:
    return sorted((n for t in song.tracks if t.role == role for n in t.notes), key=lambda n: (n.start, n.pitch))


def _seam(before: Song, after: Song, at: int, key: str) -> dict[str, float]:
    """Seam measures of ``before``'s notes followed by ``after``'s placed from tick ``at``."""
    def shifted(notes):
        return [Note(n.pitch, n.start + at, n.end + at, n.velocity) for n in notes]
    melody = _roles(before, "melody") + shifted(_roles(after, "melody"))
    pitched = pitched_notes(before) + shifted(pitched_notes(after))
    return seam_measures(melody, pitched, at, before.ticks_per_bar, key)


def _key_of(notes: list[Note], key: str) -> dict[str, float]:
    return {"key_fit": key_fit(notes, key), "same_key": float(infer_key(notes) == key)}


def chord_scores(heard: list[str], labels: list[tuple[int, str]], bars: int,
                 ticks_per_bar: int) -> tuple[int, int, int]:
    """(beats counted, root right, root and major/minor right) of per-bar chord strings against labels."""
    timeline = []
    for b, text in enumerate(heard):
        symbols = text.split()
        timeline += [(b * ticks_per_bar + k * ticks_per_bar // len(symbols), s) for k, s in enumerate(symbols)]
    total = root = both = 0
    for tick in range(0, bars * ticks_per_bar, PPQ):
        label = chord_at(labels, tick)
        if label == "N" or tick < labels[0][0]:
            continue
        r_true, pcs_true, _ = parse_chord(label)
        r, pcs, _ = parse_chord(chord_at(timeline, tick))
        total += 1
        root += r == r_true
        both += r == r_true and ((r + 3) % 12 in pcs) == ((r_true + 3) % 12 in pcs_true)
    return total, root, both


def _nanmean(values) -> float:
    values = [v for v in values if not (isinstance(v, float) and math.isnan(v))]
    return round(statistics.fmean(values), 4) if values else math.nan


def evaluate(songs: int = 30, seed: int = 0, split: str = "test") -> dict:
    """The numbers of the module docstring over ``songs`` held-out songs."""
    pool = []
    for sid in pop909_ids(split):
        song = pop909_song(sid)
        if song is not None and song.end_tick // song.ticks_per_bar >= MIN_BARS and len(
                [n for n in _roles(song, "melody") if n.start < CUT_BARS * song.ticks_per_bar]) >= MIN_MELODY_NOTES:
            pool.append((sid, song))
    rng = random.Random(seed)
    rows, kept_notes, total_notes = [], 0, 0
    chords = {"melody": [0, 0, 0], "texture": [0, 0, 0], "tonic": [0, 0, 0]}
    for sid, song in pool[:songs]:
        tpb = song.ticks_per_bar
        given = midi_to_song(midi_bytes(cut(song, CUT_BARS)))
        at = CUT_BARS * tpb
        same, made = 0, {}
        for name, grounded in (("stori", False), ("stori_retrieval", True)):
            result = continue_song(given, NEW_BARS, seed=seed, retrieve=grounded)
            back = midi_to_song(midi_bytes(result))
            same += sum(a.notes == [n for n in b.notes if n.start < at] for a, b in zip(given.tracks, back.tracks))
            kept_notes += sum(len(a.notes) for a, b in zip(given.tracks, back.tracks)
                              if a.notes == [n for n in b.notes if n.start < at])
            total_notes += sum(len(t.notes) for t in given.tracks)
            made[name] = (back, result.spec.extra.get("retrieved", [{}])[0].get("source"))
        back = made["stori"][0]
        key = infer_key(pitched_notes(given))
        other_sid, other = rng.choice([p for p in pool if p[0] != sid])
        start = rng.randrange(4, other.end_tick // tpb - NEW_BARS)
        row = {"song": sid, "tracks_kept": same == 2 * len(given.tracks), "tempo_kept": back.tempo == given.tempo,
               "meter_kept": back.time_signature == given.time_signature, "key_kept": back.key == key,
               **{name: _seam(given, cut(b, NEW_BARS, CUT_BARS), at, key) for name, (b, _) in made.items()},
               "retrieved_from": made["stori_retrieval"][1],
               "real": _seam(given, cut(song, NEW_BARS, CUT_BARS), at, key),
               "random": {**_seam(given, cut(other, NEW_BARS, start), at, key), "from": other_sid, "bar": start + 1},
               "input_last_bars": _key_of(pitched_notes(cut(given, KEY_BARS, CUT_BARS - KEY_BARS)), key)}
        melody = midi_to_song(midi_bytes(Song([t for t in given.tracks if t.role == "melody"], [], given.tempo,
                                              given.time_signature)))
        band = accompany(melody, seed=seed)
        band_back = midi_to_song(midi_bytes(band))
        row["accompaniment"] = {
            "parts": sorted({t.role for t in band.tracks if t.notes and t.role in ("drums", "bass", "harmony")}),
            "melody_kept": [t.notes for t in band_back.tracks if t.name == "MELODY"] == [melody.tracks[0].notes]}
        labels = whole_song_chords(sid)
        bars = song.end_tick // tpb
        whole_melody = Song([t for t in song.tracks if t.role == "melody"], [], song.tempo, song.time_signature)
        melody_heard = hear(whole_melody)
        for name, heard in (("melody", melody_heard.chords), ("texture", hear(song).chords),
                            ("tonic", [key_tonic_chord(melody_heard.key)] * bars)):
            got = chord_scores(heard, labels, min(bars, len(heard)), tpb)
            chords[name] = [a + b for a, b in zip(chords[name], got)]
        rows.append(row)
    n = len(rows)
    summary = {
        "songs": n, "split": split, "cut_after_bar": CUT_BARS, "new_bars": NEW_BARS,
        "input_notes_kept": f"{kept_notes}/{total_notes}",  # over both continuations
        "tempo_kept": sum(r["tempo_kept"] for r in rows), "meter_kept": sum(r["meter_kept"] for r in rows),
        "key_kept": sum(r["key_kept"] for r in rows),
        "input_last_bars": {m: _nanmean(r["input_last_bars"][m] for r in rows) for m in ("key_fit", "same_key")},
        "seam_means": {c: {m: _nanmean(r[c][m] for r in rows) for m in MEASURES} for c in CONDITIONS},
        "distance_to_real": {c: {m: _nanmean(abs(r[c][m] - r["real"][m]) for r in rows) for m in MEASURES}
                             for c in CONDITIONS if c != "real"},
        "accompaniment_full_band": sum(r["accompaniment"]["parts"] == ["bass", "drums", "harmony"] for r in rows),
        "accompaniment_melody_kept": sum(r["accompaniment"]["melody_kept"] for r in rows),
        "chord_accuracy": {name: {"beats": t, "root": round(a / t, 4) if t else math.nan,
                                  "root_and_third": round(b / t, 4) if t else math.nan}
                           for name, (t, a, b) in chords.items()},
    }
    return {"summary": summary, "songs": rows}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--songs", type=int, default=30, help="held-out POP909 songs (default 30)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="also write the numbers, song by song, to this JSON file")


def run(args) -> int:
    from stori import inputs
    from stori.errors import check_range

    result = evaluate(int(check_range("songs", args.songs, 1, 91)), inputs.seed(args.seed))
    print(json.dumps(result["summary"], indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    return 0
