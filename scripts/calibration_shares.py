"""The POP909 side of the decoding priors (:mod:`stori.model.calibration`), from the train split.

    .venv/bin/python scripts/calibration_shares.py [--split train]

Per role (melody, bass): the share of 2-bar windows with a loud onset on each 16th of a 4/4 bar
(the two bars of a window averaged; for the melody, whose prior follows a 2-bar unit, also each
16th of the window) and the top line's steps in the bands of
:data:`stori.data.part_facts.INTERVAL_EDGES`, both as the realness classifier's window features
(:func:`stori.evaluate.two_sample.pitched_window_features`) measure them. Printed as the tuples
``_POP909_ONSETS`` and ``_POP909_INTERVALS`` hold. The test split is the realness reference, so
the priors are fitted on train.
"""
import argparse

import numpy as np

from stori.data.part_facts import part_of
from stori.data.pop909 import whole_song
from stori.data.splits import pop909_ids
from stori.evaluate.two_sample import windows_of

p = argparse.ArgumentParser()
p.add_argument("--split", default="train", choices=("train", "valid", "test"))
args = p.parse_args()
songs = [got[0] for sid in pop909_ids(args.split) if (got := whole_song(sid)) is not None and got[1] == (4, 4)]
print(f"# POP909 {args.split}: {len(songs)} songs in 4/4")
for role in ("melody", "bass"):
    w = windows_of([(f"s{k}", part_of([roles[role]])) for k, roles in enumerate(songs) if roles.get(role)], drums=False)
    onsets = (w.features[:, :16] + w.features[:, 16:32]).mean(0) / 2
    print(f'"{role}" onsets', tuple(np.round(onsets, 3).tolist()))
    print(f'"{role}" onsets per 16th of the window', tuple(np.round(w.features[:, :32].mean(0), 3).tolist()))
    print(f'"{role}" intervals', tuple(np.round(w.features[:, 43:50].mean(0), 3).tolist()))
