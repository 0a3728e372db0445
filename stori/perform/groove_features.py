"""What the groove model sees of a quantized drum part: per hit its kit piece, its 16th step in the
bar, the style, the tempo, which pieces sound on the four steps either side and how busy each
piece is in the bar (16th hats or 8ths, one kick or four); hits are grouped into
windows of ``WINDOW_BARS`` bars, ordered by grid place then piece.

A hit off the 16th grid (a triplet, a 32nd) is seen at its nearest 16th; its own tick is kept, so
the predicted offset is applied to where it really is.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stori.data.drum_kit import KIT_PITCHES, to_kit
from stori.spec.song import PPQ

GMD_STYLES = ("afrobeat", "afrocuban", "blues", "country", "dance", "funk", "gospel", "highlife", "hiphop",
              "jazz", "latin", "middleeastern", "neworleans", "pop", "punk", "reggae", "rock", "soul")
"""Style vocabulary of the groove model (index 0 is "no style")."""

STEP = PPQ // 4
N_STEPS = 32  # steps in a bar the model tells apart (a bar of 8 beats; longer bars fold)
N_PIECES = len(KIT_PITCHES)
NEIGHBOUR_STEPS = (-4, -3, -2, -1, 0, 1, 2, 3, 4)
N_NEIGHBOUR = (len(NEIGHBOUR_STEPS) + 1) * N_PIECES  # the pieces on nearby steps, and each piece's density in the bar
WINDOW_BARS = 2
MAX_HITS = 160  # a longer window is cut in pieces
_PIECE_INDEX = {p: i for i, p in enumerate(KIT_PITCHES)}


def style_index(style: str | None) -> int:
    """1 + position in :data:`GMD_STYLES`, 0 for ``None`` (the model was trained to handle both)."""
    return 0 if style is None else GMD_STYLES.index(style) + 1


@dataclass
class HitFeatures:
    """Arrays over the hits of one drum part (same order as given)."""

    piece: np.ndarray  # int, index into KIT_PITCHES
    step: np.ndarray  # int, 16th step in the bar, 0..N_STEPS-1
    bar: np.ndarray  # int
    neighbours: np.ndarray  # float32 (n, N_NEIGHBOUR): piece present at step+d
    style: int
    log_tempo: float  # log(bpm / 100)
    step_ms: float  # one 16th in ms at this tempo


def hit_features(pitches, ticks, ticks_per_bar: int, bpm: float, style: str | None) -> HitFeatures:
    """Features of a drum part given its pitches and (quantized or not) onset ticks."""
    pitches = np.asarray(pitches, dtype=np.int64)
    ticks = np.asarray(ticks, dtype=np.int64)
    piece = np.array([_PIECE_INDEX[to_kit(int(p))] for p in pitches], dtype=np.int64)
    abs_step = np.floor((ticks + STEP / 2) / STEP).astype(np.int64)
    steps_per_bar = max(1, ticks_per_bar // STEP)
    bar = abs_step // steps_per_bar
    step = np.minimum(abs_step % steps_per_bar, N_STEPS - 1)
    reach = max(NEIGHBOUR_STEPS)
    lo = int(abs_step.min(initial=0)) - reach
    grid = np.zeros((int(abs_step.max(initial=0)) - lo + reach + 1, N_PIECES), dtype=np.float32)
    grid[abs_step - lo, piece] = 1.0
    density = np.zeros((int(bar.max(initial=0)) + 1, N_PIECES), dtype=np.float32)
    np.add.at(density, (bar, piece), 1.0 / steps_per_bar)
    neigh = np.concatenate([grid[abs_step - lo + d] for d in NEIGHBOUR_STEPS] + [density[bar]], axis=1) \
        if len(piece) else np.zeros((0, N_NEIGHBOUR), dtype=np.float32)
    return HitFeatures(piece, step, bar, neigh, style_index(style), float(np.log(bpm / 100.0)),
                       60000.0 / bpm / 4)


def windows(feat: HitFeatures, hop_bars: int = WINDOW_BARS) -> list[np.ndarray]:
    """Index arrays of the hits in each window of WINDOW_BARS bars, every ``hop_bars`` bars, each
    ordered by step then piece. With ``hop_bars == WINDOW_BARS`` every hit is in exactly one."""
    if len(feat.piece) == 0:
        return []
    order = np.lexsort((feat.piece, feat.step, feat.bar))
    bars = feat.bar[order]
    out = []
    for first in range(int(bars.min()), int(bars.max()) + 1, hop_bars):
        idx = order[(bars >= first) & (bars < first + WINDOW_BARS)]
        out.extend(idx[i:i + MAX_HITS] for i in range(0, len(idx), MAX_HITS))
    return out
