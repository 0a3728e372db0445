"""Fixed train/valid/test splits by song id; the id lists live in ``stori/data/splits/*.txt``.

The POP909 lists were made once by :func:`shuffled_pop909_split` (seed 909, 80/10/10) and are
committed, so the split never depends on code changes; a test checks the files still match it.
"""
from __future__ import annotations

import random
from functools import cache
from pathlib import Path

from stori.errors import StoriError

SPLITS = ("train", "valid", "test")
SPLIT_DIR = Path(__file__).resolve().parent / "splits"
POP909_IDS = tuple(f"{i:03d}" for i in range(1, 910))
POP909_SEED = 909


def check_split(split: str) -> str:
    if split not in SPLITS:
        raise StoriError("split", f"{split!r} is not a split", ", ".join(SPLITS))
    return split


def shuffled_pop909_split(seed: int = POP909_SEED) -> dict[str, list[str]]:
    """The 80/10/10 split of the 909 song ids drawn with ``seed`` (ids sorted within each split)."""
    ids = list(POP909_IDS)
    random.Random(seed).shuffle(ids)
    n_valid = n_test = round(len(ids) * 0.1)
    n_train = len(ids) - n_valid - n_test
    parts = {"train": ids[:n_train], "valid": ids[n_train:n_train + n_valid], "test": ids[n_train + n_valid:]}
    return {k: sorted(v) for k, v in parts.items()}


@cache
def pop909_ids(split: str) -> tuple[str, ...]:
    """Song ids ("001".."909") of a POP909 split, read from the committed list."""
    path = SPLIT_DIR / f"pop909_{check_split(split)}.txt"
    return tuple(line.strip() for line in path.read_text().splitlines() if line.strip())


@cache
def pop909_split_of() -> dict[str, str]:
    """Song id -> split name."""
    return {sid: split for split in SPLITS for sid in pop909_ids(split)}
