"""The chapters of the evaluation report (validity, control fidelity, similarity, structure, speed), each a
function returning plain numbers (JSON-ready)."""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import spearmanr

from stori.data.attributes import chord_tone_counts, section_attributes
from stori.errors import StoriError
from stori.evaluate import structure
from stori.evaluate.corpus import Piece, song_to_samples
from stori.evaluate.features import FEATURES
from stori.evaluate.measures import estimated_key, section_measures
from stori.evaluate.similarity import compare_sets, split_halves
from stori.evaluate.specs import Generated, generate, planned_spec, random_spec, sweep_levels, sweep_spec
from stori.evaluate.validity import CHECKS, REAL_CHECKS, check_sample, check_song
from stori.model.conditioning import measure
from stori.spec.constraints import emotion_to_constraints
from stori.spec.motif import apply_transformation
from stori.spec.song import PITCHED_ROLES, PPQ, bar_ticks

DRUM_FEATURES = ("pitch_class_histogram", "pitch_range", "pitch_class_transition_matrix",
                 "inter_onset_interval_histogram")
"""GMD's note lengths are a fixed 16th (drum hits have no length), so drums skip the note-length histogram."""

AXIS_FEATURES = {
    "energy": (("active_tracks", 1), ("velocity", 1), ("note_density", 1), ("tempo", 1)),
    "valence": (("major", 1), ("register", 1), ("rising", 1), ("major_chords", 1), ("tempo", 1)),
    "tension": (("non_chord_tone_rate", 1), ("suspensions", 1), ("syncopation", 1), ("chromatic", 1),
                ("unresolved", 1)),
    "intimacy": (("active_tracks", -1), ("velocity", -1), ("register_spread", -1), ("solo_focus", 1)),
    "motion": (("note_length", -1), ("arpeggiation", 1), ("onset_rate", 1), ("drum_activity", 1)),
}
"""Emotion axis -> the measured features it should move (the cues listeners use: energy - arrangement
size, loudness, density, tempo; valence - mode, register, contour, chord colour, tempo; tension -
dissonance, suspensions, syncopation, chromatic motion, unresolved cadences; intimacy - fewer parts,
softer, closer register, solo focus; motion - note length, arpeggiation, rhythmic drive, drum
activity), with the expected sign of the correlation."""


def _nanmean(values) -> float:
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(vals)) if vals else float("nan")


# --- 1 validity -------------------------------------------------------------------------------
def validity(engine: str, n: int, seed: int = 0) -> tuple[dict, list[Generated]]:
    """Share of ``n`` random-spec songs passing every check, the share per check, the first few
    problems found, and the songs (reused for similarity, structure and timing)."""
    passed = dict.fromkeys(CHECKS, 0)
    valid, problems, songs = 0, [], []
    for k in range(n):
        spec = random_spec(seed + k)
        g = generate(spec, engine, seed + k)
        songs.append(g)
        result = check_song(g.song, spec)
        valid += not any(result.values())
        for c, found in result.items():
            passed[c] += not found
            meter = f"{spec.time_signature[0]}/{spec.time_signature[1]}"
            problems += [f"song {k} ({spec.genre}, {meter}): {p}" for p in found]
    return {"n": n, "valid_share": valid / n, "check_share": {c: v / n for c, v in passed.items()},
            "problems": problems[:10]}, songs


def real_validity(real: dict[str, list[Piece]]) -> dict:
    """Per dataset: the share of real sections passing each check that applies to them."""
    out = {}
    for name, pieces in real.items():
        results = [check_sample(s) for p in pieces for s in p]
        if results:
            out[name] = {c: sum(not r[c] for r in results) / len(results) for c in REAL_CHECKS}
    return out


# --- 2 control fidelity -----------------------------------------------------------------------
def song_measures(g: Generated) -> dict[str, float]:
    """Section measures averaged over the song's sections."""
    rows = [section_measures(s) for s in song_to_samples(g.song, g.spec, "sweep")]
    return {k: _nanmean(r[k] for r in rows) for k in rows[0]} if rows else {}


def control_fidelity(engine: str, levels: int, seeds: int, real_ranges: dict,
                     axes: Sequence[str] = tuple(AXIS_FEATURES)) -> tuple[dict, list[Generated]]:
    """Per axis of ``axes``: sweep ``levels`` values low -> high (others neutral), ``seeds`` songs each;
    the Spearman correlation between the axis and each feature it should move, the feature's mean per
    level, and POP909's range of the feature (p10, p90, mean) beside it. Also returns the songs."""
    out, songs = {}, []
    for axis in axes:
        feats = AXIS_FEATURES[axis]
        xs, rows, means = [], [], []
        for value in sweep_levels(axis, levels):
            level_songs = [generate(sweep_spec(axis, value, s), engine, s) for s in range(seeds)]
            songs += level_songs
            level_rows = [song_measures(g) for g in level_songs]
            xs += [value] * len(level_rows)
            rows += level_rows
            means.append({f: _nanmean(r[f] for r in level_rows) for f, _ in feats})
        out[axis] = {"levels": sweep_levels(axis, levels), "features": {}}
        for f, sign in feats:
            ys = [r[f] for r in rows]
            ok = [(x, y) for x, y in zip(xs, ys) if not math.isnan(y)]
            rho = spearmanr(*zip(*ok)).statistic if len({y for _, y in ok}) > 1 else float("nan")
            out[axis]["features"][f] = {
                "expected_sign": sign, "spearman": float(rho),
                "means": [m[f] for m in means], "real_range": real_ranges.get(f),
            }
    return out, songs


def bin_error(generated: Sequence[Generated], bins) -> dict:
    """Mean |requested - achieved| attribute bin of the melody per section, for density, velocity and
    pitch: requested from the section's ``emotion_to_constraints``, achieved measured from its notes
    as the model's conditioning measures them (4/4 sections only: that is what it is defined for)."""
    errs: dict[str, list[int]] = {"density": [], "velocity": [], "pitch": []}
    for g in generated:
        melody = g.song.track("melody")
        if melody is None or g.song.time_signature != (4, 4):
            continue
        by_id = {s.id: s for s in g.spec.sections}
        for span in g.song.sections:
            notes = g.song.notes_in(melody, span)
            if not notes or span.id not in by_id:
                continue
            c = emotion_to_constraints(by_id[span.id].emotion, by_id[span.id])
            local = [dataclasses.replace(n, start=n.start - span.start, end=n.end - span.start) for n in notes]
            got = measure(local, max(1, (span.end - span.start) // g.song.ticks_per_bar))
            want = {"density": c.note_density, "velocity": (c.velocity_floor + c.velocity_ceiling) / 2,
                    "pitch": c.register_center}
            for a in errs:
                errs[a].append(abs(bins.bin("melody", a, want[a]) - bins.bin("melody", a, got[a])))
    return {a: {"mean_abs_bin_error": _nanmean(v), "exact_share": _nanmean([e == 0 for e in v]), "n": len(v)}
            for a, v in errs.items()}


def planned_songs(engine: str, n: int) -> list[Generated]:
    """``n`` songs from the planner's own plans (the songs similarity and structure judge)."""
    return [generate(planned_spec(k), engine, k) for k in range(n)]


# --- 3 similarity -----------------------------------------------------------------------------
def _role_samples(pieces: Sequence[Piece], role: str) -> list:
    return [s.notes[role] for p in pieces for s in p if s.notes.get(role)]


def _feature_table(a: list, b: list, feature_names: Sequence[str], seed: int) -> dict:
    return {f: compare_sets([FEATURES[f](x) for x in a], [FEATURES[f](x) for x in b], seed) for f in feature_names}


def similarity(engines: dict[str, list[Piece]], real: dict[str, list[Piece]], seed: int = 0) -> dict:
    """mgeval overlap and KL per role and feature: each engine against half of the real pieces,
    and the other half of the real pieces against the same half (the real-vs-real ceiling)."""
    out: dict = {}
    plans = [(role, "pop909", list(FEATURES)) for role in PITCHED_ROLES] + [("drums", "gmd", list(DRUM_FEATURES))]
    for role, dataset, feats in plans:
        if dataset not in real:
            continue
        half_a, half_b = split_halves(real[dataset], seed)
        ref = _role_samples(half_b, role)
        if len(ref) < 2:
            continue
        row = {"dataset": dataset, "real_vs_real": _feature_table(_role_samples(half_a, role), ref, feats, seed)}
        for name, pieces in engines.items():
            gen = _role_samples(pieces, role)
            if gen:
                row[name] = _feature_table(gen, ref, feats, seed)
        out[role] = row
    return out


# --- 4 structure ------------------------------------------------------------------------------
CONTRAST_KEYS = ("note_density", "mean_velocity", "mean_pitch")


def _pitched(sample) -> list:
    return [n for r in PITCHED_ROLES for n in sample.notes.get(r, [])]


def _tpb(sample) -> int:
    return bar_ticks(sample.time_signature)


def _strong_chord_tone_ratio(samples) -> float:
    """Pooled over sections: melody notes on strong beats that are chord tones / all counted."""
    counts = [chord_tone_counts(s.notes["melody"], s.chords,
                                _tpb(s))[2:] for s in samples if s.notes.get("melody") and s.chords]
    total = sum(c[1] for c in counts)
    return sum(c[0] for c in counts) / total if total else float("nan")


def structure_metrics(pieces: Sequence[Piece]) -> dict:
    """Structure metrics over pieces (generated or real), each a mean over sections or songs."""
    samples = [s for p in pieces for s in p]
    contrasts = []
    for p in pieces:
        attrs = {t: [section_attributes(_pitched(s), s.n_bars, _tpb(s)).as_dict() for s in p if s.section_type == t]
                 for t in ("verse", "chorus")}
        if attrs["verse"] and attrs["chorus"]:
            contrasts.append(structure.contrast(attrs["verse"], attrs["chorus"], CONTRAST_KEYS))
    return {
        "pitch_class_entropy": _nanmean(structure.pitch_class_entropy(_pitched(s)) for s in samples if _pitched(s)),
        "groove_consistency_pitched": _nanmean(structure.groove_consistency(_pitched(s), _tpb(s))
                                               for s in samples if _pitched(s)),
        "groove_consistency_drums": _nanmean(structure.groove_consistency(s.notes["drums"], _tpb(s))
                                             for s in samples if s.notes.get("drums")),
        "chord_tone_ratio": _strong_chord_tone_ratio(samples),
        "motif_recurrence": _nanmean(structure.motif_recurrence([s.notes.get("melody",
                                                                             []) for s in p]) for p in pieces),
        "major_share": _nanmean(float(k[1] == "major") for s in samples if (k := estimated_key(_pitched(s)))),
        **{f"chorus_minus_verse_{k}": _nanmean(c[k] for c in contrasts) for k in CONTRAST_KEYS},
        "n_pieces": len(pieces), "n_sections": len(samples),
    }


def motif_recognisability(generated: Sequence[Generated]) -> dict:
    """Share of the spec's declared motif placements whose (transformed) interval and rhythm
    pattern is found in that section's melody at any transposition."""
    found = total = 0
    for g in generated:
        melody = g.song.track("melody")
        for sec, span in zip(g.spec.sections, g.song.sections):
            for use in sec.motif_usage:
                motif = g.spec.motif(use.motif)
                for t in use.transformations:
                    motif = apply_transformation(motif, t)
                steps = [b - a for a, b in zip(motif.intervals, motif.intervals[1:])]
                gaps = [round(r * PPQ) for r in motif.rhythm[:-1]]
                notes = g.song.notes_in(melody, span) if melody else []
                total += 1
                found += bool(structure.motif_occurrences(notes, steps, gaps)) if steps else bool(notes)
    return {"share": found / total if total else float("nan"), "declared": total}


def real_ranges(pieces: Sequence[Piece]) -> dict[str, list[float]]:
    """The real sections' 10th percentile, 90th percentile and mean of every section measure."""
    rows = [section_measures(s) for p in pieces for s in p]
    out = {}
    for k in rows[0] if rows else ():
        v = [r[k] for r in rows if not math.isnan(r[k])]
        if v:
            out[k] = [float(np.percentile(v, 10)), float(np.percentile(v, 90)), float(np.mean(v))]
    return out


# --- 5 speed ----------------------------------------------------------------------------------
def speed(engine_songs: dict[str, list[Generated]], quick: bool = False) -> dict:
    """The benchmark's numbers (learned engine; None without a checkpoint), and this run's own
    timing of every generated song (seconds per song, per bar, and song-seconds per wall-second)."""
    own = {}
    for name, songs in engine_songs.items():
        secs = [g.seconds for g in songs]
        bars = [g.spec.total_bars for g in songs]
        audio = [g.song.duration_s for g in songs]
        own[name] = {"songs": len(songs), "mean_s_per_song": float(np.mean(secs)),
                     "max_s_per_song": float(np.max(secs)), "mean_s_per_bar": float(np.sum(secs) / max(1, sum(bars))),
                     "realtime_factor": float(np.sum(audio) / max(1e-9, np.sum(secs)))}
    bench = bench_result(quick) if "learned" in engine_songs else None  # the benchmark times the learned engine
    return {"source": ("stori.evaluate.bench.time_pipeline (python -m stori bench), and this harness's own timing of "
                       "compose() for every engine" if bench
                       else "this harness's own timing of compose()"),
            "bench": bench, "harness": own}


def bench_result(quick: bool = False) -> dict | None:
    """The project's benchmark (:func:`stori.evaluate.bench.time_pipeline`, fewer runs when ``quick``) in
    this process; None when it cannot run (no model checkpoint, say)."""
    from stori.evaluate.bench import time_pipeline

    try:
        return time_pipeline(*((2, 1) if quick else ()))
    except StoriError:
        return None


def generated_pieces(songs: Sequence[Generated], engine: str) -> list[Piece]:
    return [song_to_samples(g.song, g.spec, f"{engine}:{k}") for k, g in enumerate(songs)]
