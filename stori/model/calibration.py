"""Soft priors that bring the v1 model's pitched lines to the shape of real ones while decoding (the
ratios are of its own songs, so another checkpoint, like the meter-aware v2, decodes without them).

The model, decoding a 2-bar unit under chords and a note budget, leans on the downbeat (a melody
onset on 82% of bar starts, POP909 68%), almost never plays the last 16th of a beat (6% against
18%), repeats a pitch where a singer steps (27% of the melody's moves against 22%) and its bass
nearly never moves on beat 2 (7% against 21%). Each table below is a logit per choice, the log of
POP909's share over ours, added to the model's own logits (a product of experts: the model keeps
its say, the marginal moves towards the real one):

- ``ONSETS``: per 16th of a 4/4 bar, on the Position tokens (every stream of the role);
- ``INTERVALS``: per band of :data:`stori.data.part_facts.INTERVAL_EDGES`, on the first pitch of
  an onset by its step from the top pitch of the onset before (monophonic lines only).

Our shares are those of the realness songs' 2-bar windows (``python -m stori realness --songs 20``,
seed 0, learned engine), POP909's those of its train split (``scripts/calibration_shares.py``; the
test split is the realness reference, so it is not fitted on), both as the loud-onset grid and the
top line's interval bands of :func:`stori.evaluate.two_sample.pitched_window_features` measure
them. Two rounds: the intervals were measured, corrected, measured again and corrected once more;
the onsets were measured once, after the first interval round. The harmony is left to the model (a
chord's top note is the last of its onset, so its line is not one pitch choice).
"""
from __future__ import annotations

import numpy as np

_POP909_ONSETS = {  # POP909 train split (scripts/calibration_shares.py)
    "melody": (0.684, 0.088, 0.462, 0.181, 0.520, 0.084, 0.508, 0.182,
               0.568, 0.075, 0.408, 0.153, 0.518, 0.088, 0.509, 0.193),
    "bass": (0.704, 0.011, 0.038, 0.012, 0.208, 0.016, 0.083, 0.016,
             0.506, 0.011, 0.046, 0.013, 0.197, 0.024, 0.085, 0.015),
}
_OUR_ONSETS = {
    "melody": (0.824, 0.032, 0.337, 0.057, 0.493, 0.033, 0.621, 0.082,
               0.706, 0.044, 0.415, 0.054, 0.510, 0.033, 0.457, 0.114),
    "bass": (0.904, 0.011, 0.034, 0.015, 0.068, 0.026, 0.145, 0.043,
             0.585, 0.001, 0.047, 0.019, 0.135, 0.044, 0.168, 0.047),
}
_POP909_INTERVALS = {"melody": (0.014, 0.145, 0.240, 0.223, 0.199, 0.139, 0.021),
                     "bass": (0.052, 0.200, 0.118, 0.216, 0.119, 0.182, 0.072)}
_OUR_INTERVALS = {  # round 1 (no prior), round 2 (under round 1's)
    "melody": ((0.015, 0.191, 0.155, 0.268, 0.145, 0.206, 0.018), (0.015, 0.164, 0.205, 0.227, 0.205, 0.156, 0.024)),
    "bass": ((0.036, 0.193, 0.085, 0.357, 0.060, 0.211, 0.053), (0.050, 0.200, 0.116, 0.251, 0.100, 0.214, 0.064)),
}


def _log_ratio(real, ours) -> np.ndarray:
    return np.log(np.maximum(np.array(real), 1e-3) / np.maximum(np.array(ours), 1e-3)).astype(np.float32)


ONSETS = {role: _log_ratio(real, _OUR_ONSETS[role]) for role, real in _POP909_ONSETS.items()}
INTERVALS = {role: sum(_log_ratio(real, ours) for ours in _OUR_INTERVALS[role])
             for role, real in _POP909_INTERVALS.items()}
