"""Where a drum pattern's kick and snare come from, on a grid of 16th slots per bar.

``learned``: the learned note generator (:mod:`stori.model.generator`) plays one phrase of
:data:`PHRASE_BARS` bars conditioned on the style's nearest GMD style, the section (pattern type),
the tempo, a target density (hits per bar) and the style's normal velocity; the part repeats that
phrase, as a drummer repeats a groove, and often holds its first bar through (:data:`HELD_GROOVE`).
Its 4/4 bars are read through the meter (below) and filtered
by the style's placement tendencies: every model kick stays (GMD drummers of the style taught
it; dropping the syncopated ones left kicks a classifier could tell from GMD's), and a model snare
off the style's snare places stays, as a ghost, with twice the style's ghost rate. Only its kick
and snare are kept: the time-keeping line, crashes and toms (the groove's tom figure, the fills')
come from the style, its GMD family and the phrase ends (:mod:`stori.perform.drums`). Song drums and the Drums
tab both take this path.
``rules``: the style's tendencies sampled directly (a two-bar cell, varied on odd bars); the
yardstick, and what runs when the generator checkpoint is missing (``source="auto"``).

Meters borrow 4/4 beat by beat: each beat of the target bar names the 4/4 beat it plays (2/4: 1 2;
3/4: 1 2 4; 5/4 as 3+2: 1 2 4 | 3 4; 6/4 as 3+3: 1 2 4 | 3 2 4; 6/8: two dotted beats playing 4/4's
1 and 2; 9/8: three, 1 2 4; 12/8: four, 1 2 3 4; 7/8 as 2+2+3: 1 2 | 3). A dotted (compound) beat
has six 16th slots; 4/4's four 16ths land on slots 0, 2, 4 and 5 (the swung reading of a straight beat).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from stori.data.drum_kit import KIT, SNARES, to_kit
from stori.data.phrase_stats import drum_stats
from stori.perform.styles import DrumStyle
from stori.spec.song import PPQ

STEP = PPQ // 4
METERS: dict[str, tuple[tuple[int, int], ...]] = {
    "4/4": ((4, 0), (4, 1), (4, 2), (4, 3)),
    "3/4": ((4, 0), (4, 1), (4, 3)),
    "5/4": ((4, 0), (4, 1), (4, 3), (4, 2), (4, 3)),
    "6/8": ((6, 0), (6, 1)),
    "7/8": ((4, 0), (4, 1), (6, 2)),
    "2/4": ((4, 0), (4, 1)),
    "6/4": ((4, 0), (4, 1), (4, 3), (4, 2), (4, 1), (4, 3)),
    "9/8": ((6, 0), (6, 1), (6, 3)),
    "12/8": ((6, 0), (6, 1), (6, 2), (6, 3)),
}
"""Meter -> its beats as (16th slots, the 4/4 beat it borrows)."""


def meter_name(time_signature) -> str:
    """``(3, 4)`` -> ``"3/4"`` (a name passes through)."""
    return time_signature if isinstance(time_signature, str) else "/".join(map(str, time_signature))
_COMPOUND_FROM = {0: 0, 2: 1, 4: 2, 5: 3}  # dotted-beat slot -> 16th of the borrowed beat
SECTION_OF = {"intro": "intro", "verse": "verse", "chorus": "chorus", "bridge": "bridge", "fill": "fill",
              "outro": "outro", "break": "other"}


@dataclass(frozen=True)
class Slot:
    tick: int  # from the bar start, on the straight grid
    source: int | None  # the 16th of the 4/4 bar it borrows (None: between a dotted beat's 8ths)
    beat: int
    sub: int  # slot within the beat
    compound: bool


def bar_slots(meter: str) -> list[Slot]:
    out, tick = [], 0
    for b, (n, src) in enumerate(METERS[meter]):
        for j in range(n):
            source = src * 4 + j if n == 4 else (src * 4 + _COMPOUND_FROM[j] if j in _COMPOUND_FROM else None)
            out.append(Slot(tick + j * STEP, source, b, j, n == 6))
        tick += n * STEP
    return out


Grid = list[dict[int, dict[int, int]]]  # per bar: slot index -> {pitch: velocity}


def _tendency(pattern: str, step: int | None) -> float:
    return 0.0 if step is None else int(pattern[step]) / 9.0


def rules_pattern(style: DrumStyle, meter: str, bars: int, rng: random.Random) -> Grid:
    """Kick and snare sampled from the style's tendencies, one cell for even bars, one for odd."""
    slots = bar_slots(meter)
    cells = []
    for _ in range(2):
        cell: dict[int, dict[int, int]] = {}
        for i, s in enumerate(slots):
            for pitch, pattern in ((KIT["kick"], style.kick), (KIT["snare"], style.snare)):
                if rng.random() < _tendency(pattern, s.source):
                    cell.setdefault(i, {})[pitch] = style.velocity[2] if pattern[s.source] == "9" else style.velocity[1]
        cells.append(cell)
    return [{i: dict(h) for i, h in cells[b % 2].items()} for b in range(bars)]


PHRASE_BARS = 2
"""The learned model plays one phrase of this many bars; longer parts repeat it (a drummer's
groove). Two bars: half the decoding of four."""
HELD_GROOVE = 0.7
"""Chance a part holds a one-bar groove (the phrase's second bar played as its first) rather than
playing the phrase's two bars in turn; at least the style's GMD ``groove_repeats``. GMD's free
playing (all of train and validation) repeats a non-fill bar a quarter of the time; its only set
grooves (the test split's eval sessions, every drummer playing given grooves, as a song's drummer
keeps the arrangement's) about half. At 0.7 our songs repeat bars as often as GMD's test beats
(``python -m stori realness``: 0.28 vs 0.32); at the style's own rate they repeated 0.16."""

def phrase_request(style: DrumStyle, tempo: float, pattern_type: str, bars: int, density: float | None = None):
    """The generator request for the phrase a ``bars``-bar part repeats: at most
    :data:`PHRASE_BARS` bars, conditioned on the style's GMD style, the pattern type, the tempo
    and ``density`` hits per 4/4 bar (default: the style's)."""
    from stori.model.generator import Request

    targets = {"density": style.target_density if density is None else density, "velocity": style.velocity[1]}
    return Request("drums", min(PHRASE_BARS, bars), targets, tempo=tempo, style=style.gmd_style,
                   section=SECTION_OF[pattern_type])


def learned_pattern(style: DrumStyle, meter: str, bars: int, phrase_notes, rng: random.Random) -> Grid:
    """The learned phrase (notes of :func:`phrase_request`) read through the meter and the style,
    repeated to ``bars`` bars. Only its kick and snare are kept: toms belong to the groove's tom
    figure and the fills, cymbals to the time-keeping line and the phrase starts."""
    from stori.model.tokens import TICKS_PER_BAR

    n_phrase = max(1, min(PHRASE_BARS, bars))
    by_source: list[dict[int, dict[int, int]]] = [{} for _ in range(n_phrase)]
    for n in phrase_notes:
        bar = n.start // TICKS_PER_BAR
        step = min(15, round((n.start % TICKS_PER_BAR) / STEP))
        if bar < n_phrase:
            by_source[bar].setdefault(step, {})[to_kit(n.pitch)] = n.velocity
    slots = bar_slots(meter)
    phrase: Grid = []
    for b in range(n_phrase):
        bar: dict[int, dict[int, int]] = {}
        for i, s in enumerate(slots):
            for pitch, vel in by_source[b].get(s.source, {}).items() if s.source is not None else ():
                if pitch != KIT["kick"] and pitch not in SNARES:
                    continue
                if pitch in SNARES:
                    if _tendency(style.snare,
                                 s.source) == 0:  # off the style's snare places: a ghost, as often as the style ghosts
                        if rng.random() >= min(1.0, 2 * style.ghost_rate):
                            continue
                        vel = min(vel, style.velocity[0])
                    pitch = KIT["snare"]
                bar.setdefault(i, {})[pitch] = vel
        phrase.append(bar)
    # a one-bar groove held: the phrase's second bar as its first (fills come on top: drum_part)
    if n_phrase > 1 and rng.random() < max(HELD_GROOVE, drum_stats(style.gmd_style)["groove_repeats"]):
        phrase[1:] = [{i: dict(h) for i, h in phrase[0].items()} for _ in phrase[1:]]
    return [{i: dict(h) for i, h in phrase[b % n_phrase].items()} for b in range(bars)]
