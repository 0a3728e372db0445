"""How a song crosses a cut: the measures the continuation is judged by.

With ``before`` the notes of the bars up to the cut and ``after`` those from it (ticks on one
timeline, the cut at ``cut``):

- **interval**: semitones between the melody's last note before the cut and its first note after it;
- **register shift**: the melody's mean pitch over the 2 bars after the cut minus over the 2 bars
  before, in absolute value;
- **density change**: pitched onsets per bar over the 2 bars after minus the 2 bars before,
  absolute, as a share of the before (1 = doubled or halved-and-more);
- **in key**: share of the 4 bars after's pitched note durations whose pitch class is in the key
  heard before the cut;
- **key fit**: how closely those 4 bars' pitch profile follows that key's Krumhansl-Kessler profile
  (correlation): the key agreement the continuation is judged by;
- **same key**: whether those 4 bars alone are heard in that key. Kept to show why it is not the
  judge: 4 bars are too short for a 24-way key choice (a passage on IV and vi is heard in another
  key), so POP909's own next 4 bars pass it only about a third of the time, and a yes/no per song
  compared with such a coin says more about the coin than about the seam.
"""
from __future__ import annotations

import math

from stori.data.attributes import mean_or_nan
from stori.own.listen import infer_key, key_fit, pitch_profile
from stori.spec.song import Note
from stori.theory import scale_pitch_classes

SIDE_BARS = 2
KEY_BARS = 4


def seam_measures(melody: list[Note], pitched: list[Note], cut: int, ticks_per_bar: int, key: str) -> dict[str, float]:
    """The measures of the module docstring (NaN where a side has no notes)."""
    side = SIDE_BARS * ticks_per_bar
    mel_before = [n for n in melody if cut - side <= n.start < cut]
    mel_after = [n for n in melody if cut <= n.start < cut + side]
    last = max(mel_before, key=lambda n: (n.start, n.pitch), default=None)
    first = min(mel_after, key=lambda n: (n.start, -n.pitch), default=None)
    on_before = len({(n.start, n.pitch) for n in pitched if cut - side <= n.start < cut}) / SIDE_BARS
    on_after = len({(n.start, n.pitch) for n in pitched if cut <= n.start < cut + side}) / SIDE_BARS
    after = [n for n in pitched if cut <= n.start < cut + KEY_BARS * ticks_per_bar]
    profile = pitch_profile(after)
    scale = set(scale_pitch_classes(key))
    return {
        "interval": abs(first.pitch - last.pitch) if first and last else math.nan,
        "register_shift": abs(mean_or_nan(n.pitch for n in mel_after) - mean_or_nan(n.pitch for n in mel_before)),
        "density_change": abs(on_after - on_before) / on_before if on_before else math.nan,
        "in_key": sum(profile[p] for p in scale) / sum(profile) if sum(profile) else math.nan,
        "key_fit": key_fit(after, key),
        "same_key": float(infer_key(after) == key) if after else math.nan,
    }
