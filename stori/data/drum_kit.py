"""Stori's one canonical General MIDI drum kit, and the Roland TD-11 (Groove MIDI Dataset) map onto it.

The kit keeps the distinctions a listener hears and a generator can use (kick, snare, side stick,
three hi-hat states, three toms, two crashes, ride and its bell, clap) and folds the TD-11's
bow/edge/rim zones onto the piece they belong to, as GMD's own paper does (Gillick et al. 2019,
table 3), except that side stick, pedal hat, ride bell and the second crash keep their own GM note.

| TD-11 note (zone)        | GM note | piece        |
|--------------------------|---------|--------------|
| 36 kick                  | 36      | kick         |
| 38 snare head, 40 rim    | 38      | snare        |
| 37 snare cross-stick     | 37      | side_stick   |
| 42 hat closed bow, 22 edge | 42    | closed_hat   |
| 44 hat pedal             | 44      | pedal_hat    |
| 46 hat open bow, 26 edge | 46      | open_hat     |
| 48 tom 1, 50 tom 1 rim   | 50      | high_tom     |
| 45 tom 2, 47 tom 2 rim   | 47      | mid_tom      |
| 43 tom 3, 58 tom 3 rim   | 43      | floor_tom    |
| 49 crash 1 bow, 55 edge  | 49      | crash        |
| 57 crash 2 bow, 52 edge  | 57      | crash2       |
| 51 ride bow, 59 ride edge | 51     | ride         |
| 53 ride bell             | 53      | ride_bell    |

Clap (39) is not on the TD-11; it is in the kit for producer styles (trap, house, reggaeton).
"""
from __future__ import annotations

KIT: dict[str, int] = {
    "kick": 36,
    "side_stick": 37,
    "snare": 38,
    "clap": 39,
    "floor_tom": 43,
    "closed_hat": 42,
    "pedal_hat": 44,
    "open_hat": 46,
    "mid_tom": 47,
    "high_tom": 50,
    "crash": 49,
    "crash2": 57,
    "ride": 51,
    "ride_bell": 53,
}
"""Piece name -> GM drum note (channel 10)."""

KIT_PITCHES: tuple[int, ...] = tuple(sorted(KIT.values()))
PIECE_OF: dict[int, str] = {p: name for name, p in KIT.items()}

FAMILIES: dict[str, frozenset[int]] = {
    "kick": frozenset({35, 36}),
    "snare": frozenset({37, 38, 39, 40}),  # side stick, snare, clap, electric snare
    "hats": frozenset({42, 44, 46}),
    "cymbals": frozenset({49, 51, 52, 53, 55, 57, 59}),
    "toms": frozenset({41, 43, 45, 47, 48, 50}),
}
"""The families a listener groups GM drum notes into (kit notes and the other GM notes of each)."""
KICKS, SNARES, HATS, CYMBALS, TOMS = FAMILIES.values()

GHOST_BELOW = 50
"""A drum hit softer than this is a ghost note, at or above it a played hit (the line groove studies
of GMD draw). The composer decides which a hit is; performing shapes its loudness on its own side of
the line, so a groove's played hits stay the groove (``python -m stori realness`` measures the
patterns of played hits)."""


def on_its_side(pitch: int, written: int, velocity: int) -> int:
    """``velocity`` for a hit written at ``written``, unless it is a kick or snare it would move across
    the ghost line: that hit keeps its written velocity."""
    crosses = (velocity < GHOST_BELOW) != (written < GHOST_BELOW)
    return written if crosses and pitch in KICKS | SNARES else velocity


def kit(*pieces: str) -> tuple[int, ...]:
    """The GM notes of the named kit pieces, in order: ``kit("kick", "snare")`` -> ``(36, 38)``."""
    return tuple(KIT[p] for p in pieces)


TD11_TO_GM: dict[int, int] = {
    36: 36,
    38: 38, 40: 38,
    37: 37,
    42: 42, 22: 42,
    44: 44,
    46: 46, 26: 46,
    48: 50, 50: 50,
    45: 47, 47: 47,
    43: 43, 58: 43,
    49: 49, 55: 49,
    57: 57, 52: 57,
    51: 51, 59: 51,
    53: 53,
}
"""Every one of the 22 notes the TD-11 sends in GMD -> the canonical GM note."""


def to_kit(pitch: int) -> int:
    """The canonical kit note for any GM/TD-11 drum note: a TD-11 zone folds onto its piece, a
    kit note stays, any other GM drum note goes to the nearest kit piece of the same family."""
    if pitch in TD11_TO_GM:
        return TD11_TO_GM[pitch]
    if pitch in PIECE_OF:
        return pitch
    return _OTHER_GM.get(pitch, 38)


# Other GM percussion (35..81) folded onto the kit for models that only know the kit.
_OTHER_GM: dict[int, int] = {
    35: 36, 41: 43, 54: 42, 56: 37, 58: 37, 60: 50, 61: 47, 62: 50, 63: 47, 64: 43, 65: 50, 66: 47,
    67: 50, 68: 47, 69: 42, 70: 42, 71: 42, 72: 42, 73: 42, 74: 42, 75: 37, 76: 37,
    77: 37, 78: 42, 79: 42, 80: 42, 81: 46,
}


DRUM_KITS: dict[str, int] = {
    "Standard": 0, "Room": 8, "Power": 16, "Electronic": 24, "TR-808": 25, "Jazz": 32, "Brush": 40, "Orchestra": 48,
}
"""The GS drum kits (FluidR3 GM has each): kit name -> program on channel 10 (bank 128 in a soundfont)."""
