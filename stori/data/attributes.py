"""Musical attributes measured from notes, per bar and per section.

The same functions describe the training data (and so the model's conditioning bins) and judge what
a generator produced, so their definitions are the contract:

- ``note_density``: notes starting in the bar (for a section: mean over its bars, empty bars included).
- ``polyphony``: mean number of notes starting together, over the distinct onset ticks.
- ``mean_velocity``, ``mean_pitch`` (register), ``pitch_range`` (highest minus lowest pitch).
- ``syncopation``: share of distinct onset ticks that are off the beat (not on a quarter-note
  position) with no onset (in any bar of the notes given) on the next beat, so that the off-beat
  note anticipates the empty beat; a next beat past the section's end is not judged. Straight
  eighths or sixteenths score 0; "1, &-of-2 held over 3, 4" scores 1/3 of its onsets.
- ``mean_duration``: mean note length in beats (quarter notes).
- ``chord_tone_ratio``: share of notes whose pitch class belongs to the chord sounding at their
  onset (notes under "N" or before the first chord are not counted).
- ``strong_chord_tone_ratio``: the same over notes starting on a strong beat: beats 1 and 3 of a
  bar with an even number of beats, beat 1 otherwise.

Undefined values (a mean over no notes, a ratio with nothing to count) are ``nan``.
Notes are assigned to the bar of their onset; notes starting outside ``[0, n_bars)`` bars are ignored.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from stori.spec.song import PPQ, Note
from stori.theory import ChordTimeline, parse_chord

NAN = float("nan")


@dataclass(frozen=True)
class Attributes:
    note_density: float
    polyphony: float
    mean_velocity: float
    mean_pitch: float
    pitch_range: float
    syncopation: float
    mean_duration: float
    chord_tone_ratio: float
    strong_chord_tone_ratio: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


ATTRIBUTE_NAMES = tuple(Attributes.__dataclass_fields__)


def chord_tones(chords: Sequence[tuple[int, str]]) -> ChordTimeline:
    """The pitch classes sounding at each tick of ``(tick, symbol)`` chord changes (empty under "N")."""
    return ChordTimeline(chords, lambda symbol: frozenset(parse_chord(symbol)[1]))


def mean_or_nan(values: Iterable[float]) -> float:
    """The mean, or NaN over no values."""
    values = list(values)
    return sum(values) / len(values) if values else NAN


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else NAN


def chord_tone_counts(notes: Sequence[Note], chords: ChordTimeline | Sequence[tuple[int, str]] | None,
                      ticks_per_bar: int, ticks_per_beat: int = PPQ) -> tuple[int, int, int, int]:
    """``(chord tones, notes counted, chord tones on strong beats, notes counted on strong beats)``,
    for pooling the chord-tone ratios over many sections."""
    if chords is None:
        return 0, 0, 0, 0
    track = chords if isinstance(chords, ChordTimeline) else chord_tones(chords)
    beats_per_bar = ticks_per_bar // ticks_per_beat
    strong_step = ticks_per_bar // 2 if beats_per_bar % 2 == 0 else ticks_per_bar
    tones = total = strong_tones = strong_total = 0
    for n in notes:
        pcs = track.at(n.start)
        if not pcs:  # before the first chord or under "N"
            continue
        hit = n.pitch % 12 in pcs
        tones += hit
        total += 1
        if n.start % strong_step == 0:
            strong_tones += hit
            strong_total += 1
    return tones, total, strong_tones, strong_total


def _measure(notes: Sequence[Note], density: float, bar_ticks: int, ticks_per_beat: int,
             chords: ChordTimeline | None, all_onsets: set[int], end_tick: int) -> Attributes:
    onsets = sorted({n.start for n in notes})
    synco = 0
    for t in onsets:
        if t % ticks_per_beat:
            next_beat = (t // ticks_per_beat + 1) * ticks_per_beat
            synco += next_beat < end_tick and next_beat not in all_onsets
    tones, total, strong_tones, strong_total = chord_tone_counts(notes, chords, bar_ticks, ticks_per_beat)
    pitches = [n.pitch for n in notes]
    return Attributes(
        note_density=float(density),
        polyphony=_ratio(len(notes), len(onsets)),
        mean_velocity=mean_or_nan([n.velocity for n in notes]),
        mean_pitch=mean_or_nan(pitches),
        pitch_range=float(max(pitches) - min(pitches)) if pitches else NAN,
        syncopation=_ratio(synco, len(onsets)),
        mean_duration=mean_or_nan([(n.end - n.start) / ticks_per_beat for n in notes]),
        chord_tone_ratio=_ratio(tones, total),
        strong_chord_tone_ratio=_ratio(strong_tones, strong_total),
    )


def _in_bars(notes: Sequence[Note], n_bars: int, bar_ticks: int) -> list[list[Note]]:
    bars: list[list[Note]] = [[] for _ in range(n_bars)]
    for n in notes:
        b = n.start // bar_ticks
        if 0 <= b < n_bars:
            bars[b].append(n)
    return bars


def bar_attributes(notes: Sequence[Note], n_bars: int, ticks_per_bar: int,
                   chords: Sequence[tuple[int, str]] | None = None, ticks_per_beat: int = PPQ) -> list[Attributes]:
    """Attributes of each of ``n_bars`` bars; ``chords`` as ``(tick, symbol)`` changes on the same timeline."""
    track = chord_tones(chords) if chords else None
    onsets, end = {n.start for n in notes}, n_bars * ticks_per_bar
    return [_measure(bar, len(bar), ticks_per_bar, ticks_per_beat, track, onsets, end)
            for bar in _in_bars(notes, n_bars, ticks_per_bar)]


def section_attributes(notes: Sequence[Note], n_bars: int, ticks_per_bar: int,
                       chords: Sequence[tuple[int, str]] | None = None, ticks_per_beat: int = PPQ) -> Attributes:
    """Attributes of a whole section: ``note_density`` is notes per bar, the rest are over all its notes."""
    inside = [n for bar in _in_bars(notes, n_bars, ticks_per_bar) for n in bar]
    track = chord_tones(chords) if chords else None
    return _measure(inside, len(inside) / n_bars if n_bars else NAN, ticks_per_bar, ticks_per_beat, track,
                    {n.start for n in notes}, n_bars * ticks_per_bar)
