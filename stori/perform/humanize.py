"""Humanize a Song: timing and velocity only, the same notes with the same pitches in the same order.

Drums (channel 10) go through the groove model learned from GMD: each hit moves by a sampled
offset (the model's median for its piece, grid place, neighbours, tempo and style, plus Laplace
noise of 0.7 of the model's own spread, clipped to 2.5 scales, and the part's own pocket) and
takes a sampled velocity (the noise drawn once per drum and place in the bar, so accents repeat
with the groove and a bar played again keeps its loud hits and ghosts; drawn per hit as well, it
tipped hits across the ghost line at random: played bars repeated a third less than the score's,
``python -m stori realness``). A part whose velocities are all equal (machine-entered) takes the
model's velocities; a part with its own dynamics keeps its mean loudness (the model's velocities
are scaled to it) and moves 0.8 of the way to them: the score's level survives and each hit takes
the weight a drummer gives it. Two hits of one drum never end up closer than 30 ms unless they
were written closer (a roll or flam stays as written).

Pitched tracks get a lighter touch: a slow timing drift per track (AR(1) over beats, rho 0.85,
SD 6 ms, shared by the notes of a chord, so a phrase leans ahead or behind together) plus 2 ms
of independent jitter, and velocity shaped by beat strength (+6 on the bar's downbeat, +3 on the
middle of a bar of 4 or 6 beats, 0 on beats, -3 on the subdivision (8ths; in 6/8, 9/8, 12/8 the
8ths of the dotted-quarter beat), -5 finer, scaled by ``amount``) with 3 of noise. The
accompaniment (harmony) also swells and drops from onset to onset (:data:`ONSET_SPREAD`), the
notes of a chord together, its offsets drawn once per 16th of a 2-bar cycle: a figure played again
keeps its accents, as the drums' do.

``amount`` (0..1) scales every change; 0 returns the input unchanged. Offsets are added to
where each note is (an already human part gets more). No drum hit moves more than a 16th (swing
moves offbeat 8ths up to 0.83 of one), no pitched note more than half a 16th (one tick more where
needed to keep order), none before tick 0, and the onset order is kept: a note that
started after another still does, notes that started together stay in pitch order, so a file read
back lists the notes exactly as before. Durations are kept.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from stori.errors import StoriError, check_range
from stori.perform import groove_model
from stori.perform.groove_features import GMD_STYLES, STEP, hit_features
from stori.perform.groove_model import MAX_OFFSET_STEPS
from stori.spec.song import Note, Song

NOISE_CLIP = 2.5  # Laplace noise clipped to this many scales
ONSET_SPREAD = {"harmony": 9.0}
"""SD of a velocity offset drawn per onset (shared by its notes, scaled by ``amount``), per role: POP909's
accompaniment changes velocity from onset to onset by SD 15.9 and spreads 9.8 in a 2-bar window;
ours, its chords' notes each jittered alone, 9.5 and 6.7 (the realness songs, 20, seed 0)."""
MIN_SAME_PIECE_MS = 30.0  # two hits of one drum stay this far apart unless written closer (rolls, flams)
OWN_DYNAMICS_WEIGHT = 0.8
"""How far a part with its own velocities moves to the model's (level-matched) ones. Measured with
``python -m stori realness``: song drums at 0.5 kept the style's flat accents (velocity spread
0.16 vs GMD's 0.24) and a classifier told them from GMD windows by that alone."""
POCKET_MS = 9.0
"""SD of the part's pocket: one offset, drawn per part (per section in a song), moves every hit
alike, as one GMD performance leans ahead or behind beside the others of its style (the model's
median is the style's lean). At 9 the played parts' pocket spread is GMD's (``python -m stori
groove-feel``: 11.3 ms vs 11.7 over all beats; 4.8 without it) and the drum classifier's timing
features tell ours from GMD's less (``python -m stori realness``)."""
TIMING_NOISE = 0.7
"""Share of the model's timing spread sampled per hit. The spread also holds what is steady within
one performance (a drummer's pocket), which iid noise would turn into jitter: at 0.7 the backbeat
jitter around the pocket matches GMD's (``python -m stori groove-feel``)."""


def check_style(style: str | None) -> str | None:
    if style is not None and style not in GMD_STYLES:
        raise StoriError("style", f"{style!r} is unknown", ", ".join(GMD_STYLES))
    return style


def groove_drums(notes: list[Note], tempo: float, ticks_per_bar: int, style: str | None = None,
                 amount: float = 1.0, seed: int = 0, sample: bool = True, groove: str | None = None) -> list[Note]:
    """The drum part ``notes`` played by the groove model (rules in the module docstring); ``groove``
    is a learned style's groove model (default: the shipped one)."""
    amount = check_range("amount", amount, 0.0, 1.0)
    check_style(style)
    if not notes or amount == 0.0:
        return list(notes)
    feat = hit_features([n.pitch for n in notes], [n.start for n in notes], ticks_per_bar, tempo, style)
    pred = groove_model.predict(groove_model.load(groove), feat)
    rng = np.random.default_rng(seed)
    offset = pred["offset_ms"].astype(np.float64)
    velocity = pred["velocity"].astype(np.float64)
    if sample:
        offset += np.clip(rng.laplace(size=len(notes)), -NOISE_CLIP, NOISE_CLIP) * pred["offset_scale"] * TIMING_NOISE
        offset += rng.normal(0.0, POCKET_MS)  # the part's own pocket: every hit leans alike
        places = [(n.pitch, n.start % ticks_per_bar // (STEP // 2)) for n in notes]
        accent = dict(zip(sorted(set(places)), rng.laplace(size=len(set(places)))))
        z = np.array([accent[k] for k in places])  # per place, not per hit: see the module docstring
        velocity += np.clip(z, -NOISE_CLIP, NOISE_CLIP) * pred["velocity_scale"]
    ticks_per_ms = tempo * STEP * 4 / 60000.0
    shift = np.clip(amount * offset * ticks_per_ms, -STEP * MAX_OFFSET_STEPS, STEP * MAX_OFFSET_STEPS)
    v_in = np.array([n.velocity for n in notes], dtype=np.float64)
    if np.ptp(v_in) > 0:  # the part's own loudness (section dynamics, emotion) stays; the model shapes the hits
        velocity *= v_in.mean() / max(velocity.mean(), 1.0)
    weight = 1.0 if np.ptp(v_in) == 0 else OWN_DYNAMICS_WEIGHT
    v_out = v_in + amount * weight * (velocity - v_in)
    return _apply(notes, shift, v_out, min_gap=int(round(MIN_SAME_PIECE_MS * ticks_per_ms)))


def _beat_strength_accent(tick: int, time_signature: tuple[int, int], ppq: int) -> float:
    num, den = time_signature
    compound = den == 8 and num % 3 == 0 and num > 3
    beat = ppq * 3 // 2 if compound else ppq * 4 // den
    beats = num // 3 if compound else num
    pos = tick % (beat * beats)
    if pos == 0:
        return 6.0
    if beats >= 4 and beats % 2 == 0 and pos == beat * beats // 2:
        return 3.0
    if pos % beat == 0:
        return 0.0
    return -3.0 if pos % (beat // 2 if not compound else beat // 3) == 0 else -5.0


def humanize_pitched(notes: list[Note], tempo: float, time_signature: tuple[int, int], ppq: int,
                     amount: float = 1.0, seed: int = 0, onset_spread: float = 0.0) -> list[Note]:
    """The light humanization of a pitched part (rules in the module docstring); ``onset_spread`` is
    the SD of a velocity offset per onset."""
    amount = check_range("amount", amount, 0.0, 1.0)
    if not notes or amount == 0.0:
        return list(notes)
    rng = np.random.default_rng(seed)
    ticks_per_ms = tempo * ppq / 60000.0
    beats = sorted({n.start // ppq for n in notes})
    drift, d = {}, 0.0
    prev = None
    for b in beats:  # AR(1) across the beats that have notes; a gap lets the drift relax
        rho = 0.85 ** (1 if prev is None else min(b - prev, 8))
        d = rho * d + np.sqrt(1 - rho * rho) * rng.normal(0.0, 6.0)
        drift[b] = d
        prev = b
    onsets = sorted({n.start for n in notes})
    jitter = dict(zip(onsets, rng.normal(0.0, 2.0, len(onsets))))
    shift = np.array([(drift[n.start // ppq] + jitter[n.start]) * ticks_per_ms * amount for n in notes])
    shift = np.clip(shift, -ppq / 8, ppq / 8)
    v = np.array([n.velocity + amount * (_beat_strength_accent(n.start, time_signature, ppq) + rng.normal(0.0, 3.0))
                  for n in notes])
    if onset_spread:  # its own draws: the timing and the other notes' velocities stay as they were
        sixteenth = max(1, ppq // 4)
        cycle = 2 * time_signature[0] * 4 * ppq // time_signature[1] // sixteenth
        swell = np.random.default_rng([seed, 1]).normal(0.0, onset_spread, cycle)
        v += amount * np.array([swell[round(n.start / sixteenth) % cycle] for n in notes])
    return _apply(notes, shift, v)


def _apply(notes: list[Note], shift: np.ndarray, velocity: np.ndarray, min_gap: int = 0) -> list[Note]:
    """Move and re-velocity ``notes`` keeping list order and onset order (by start, then pitch);
    two notes of one pitch end no closer than ``min_gap`` ticks unless they were closer before."""
    order = sorted(range(len(notes)), key=lambda i: (notes[i].start, notes[i].pitch, i))
    new_start = [0] * len(notes)
    last, last_orig = 0, None
    same: dict[int, tuple[int, int]] = {}  # pitch -> (original start, new start) of its last note
    for i in order:
        floor = last + 1 if last_orig is not None and notes[i].start > last_orig else last
        if notes[i].pitch in same:
            orig, new = same[notes[i].pitch]
            floor = max(floor, new + min(min_gap, notes[i].start - orig))
        s = max(0, int(round(notes[i].start + shift[i])), floor)
        new_start[i] = s
        last, last_orig = s, notes[i].start
        same[notes[i].pitch] = (notes[i].start, s)
    out = []
    for i, n in enumerate(notes):
        s = new_start[i]
        out.append(replace(n, start=s, end=s + (n.end - n.start),
                           velocity=int(np.clip(round(float(velocity[i])), 1, 127))))
    return out


def humanize_song(song: Song, style: str | None = None, amount: float = 0.7, seed: int = 0,
                  drum_amount: float | None = None, groove: str | None = None) -> Song:
    """A copy of ``song`` played by people: drums by the groove model (``style`` one of GMD's, or
    None; ``groove`` a learned style's model) at ``drum_amount`` (default ``amount``), pitched tracks
    lightly. Same notes, pitches, order and count; timing and velocity change."""
    amount = check_range("amount", amount, 0.0, 1.0)
    drum_amount = amount if drum_amount is None else check_range("drum_amount", drum_amount, 0.0, 1.0)
    check_style(style)
    tracks = []
    for k, t in enumerate(song.tracks):
        if t.is_drums:
            notes = groove_drums(t.notes, song.tempo, song.ticks_per_bar, style, drum_amount, seed + 7919 * k,
                                 groove=groove)
        else:
            notes = humanize_pitched(t.notes, song.tempo, song.time_signature, song.ppq, amount, seed + 7919 * k,
                                     ONSET_SPREAD.get(t.role, 0.0))
        tracks.append(replace(t, notes=notes, controls=list(t.controls)))
    return replace(song, tracks=tracks, sections=list(song.sections), traces=list(song.traces))


def add_arguments(parser) -> None:
    parser.add_argument("input", help="MIDI file to humanize")
    parser.add_argument("--out", required=True, help="where to write the humanized MIDI file")
    parser.add_argument("--style", help="GMD style for the drums: " + ", ".join(GMD_STYLES))
    parser.add_argument("--amount", type=float, default=0.7, help="0 (unchanged) .. 1 (full groove model)")
    parser.add_argument("--seed", type=int, default=0)


def run(args) -> int:
    """Read with the project's MIDI reader (size limit, one-line errors), humanize, write.
    What a Song does not carry (tempo changes after the start, pitch bends) is not written back."""
    from pathlib import Path

    from stori import inputs
    from stori.render.midi import midi_bytes, midi_to_song

    out = Path(args.out)
    if not out.parent.is_dir():
        raise StoriError("out", f"folder {str(out.parent)!r} does not exist", "a path in an existing folder")
    song = humanize_song(midi_to_song(args.input), args.style, args.amount, inputs.seed(args.seed))
    out.write_bytes(midi_bytes(song))
    n = sum(len(t.notes) for t in song.tracks)
    print(f"wrote {out}: {len(song.tracks)} tracks, {n} notes humanized (amount {args.amount:g}, seed {args.seed})")
    return 0
