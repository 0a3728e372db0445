"""Fixed train/valid/test splits by piece id; the id lists live in ``stori/data/splits/*.txt``.

Each list was made once by :func:`shuffled_split` (80/10/10; seed 909 for POP909, 1460 for the
Lieder, 502 for OpenEWLD) and is committed, so a split never depends on code changes; tests check
the files still match it. Held-out pieces (valid, test) never lend a bar to training.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from stori.errors import StoriError

SPLITS = ("train", "valid", "test")
SPLIT_DIR = Path(__file__).resolve().parent / "splits"
POP909_IDS = tuple(f"{i:03d}" for i in range(1, 910))
POP909_SEED = 909
SEEDS = {"pop909": POP909_SEED, "lieder": 1460, "openewld": 502}
"""The seed each set's split was drawn with."""


def check_split(split: str) -> str:
    if split not in SPLITS:
        raise StoriError("split", f"{split!r} is not a split", ", ".join(SPLITS))
    return split


def shuffled_split(ids: Sequence[str], seed: int) -> dict[str, list[str]]:
    """The 80/10/10 split of ``ids`` (order does not matter) drawn with ``seed``, ids sorted within each split."""
    ids = sorted(ids)
    random.Random(seed).shuffle(ids)
    n_valid = n_test = round(len(ids) * 0.1)
    n_train = len(ids) - n_valid - n_test
    parts = {"train": ids[:n_train], "valid": ids[n_train:n_train + n_valid], "test": ids[n_train + n_valid:]}
    return {k: sorted(v) for k, v in parts.items()}


def shuffled_pop909_split(seed: int = POP909_SEED) -> dict[str, list[str]]:
    """The split of the 909 POP909 song ids drawn with ``seed``."""
    return shuffled_split(POP909_IDS, seed)


@cache
def set_ids(name: str, split: str) -> tuple[str, ...]:
    """Piece ids of one split of a set (``pop909``, ``lieder``, ``openewld``), read from the committed list."""
    if name not in SEEDS:
        raise StoriError("set", f"{name!r} has no split", ", ".join(SEEDS))
    path = SPLIT_DIR / f"{name}_{check_split(split)}.txt"
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@cache
def split_of(name: str) -> dict[str, str]:
    """Piece id -> split name, for one set."""
    return {pid: split for split in SPLITS for pid in set_ids(name, split)}


def pop909_ids(split: str) -> tuple[str, ...]:
    """Song ids ("001".."909") of a POP909 split."""
    return set_ids("pop909", split)


def pop909_split_of() -> dict[str, str]:
    """Song id -> split name."""
    return split_of("pop909")
