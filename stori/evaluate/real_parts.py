"""The real music the realness facts and the two-sample test compare against, read once and cached.

- Drums: the Groove MIDI Dataset's held-out (test) 4/4 beats, whole performances at their played
  timing and velocity, on the TD-11 notes the files hold (as ``groove_facts.py`` reads them), each
  with its style family (:data:`stori.data.gmd.STYLE_FAMILIES`). The validation beats (``gmd_valid``) are read the same
  way as a second real sample: where the two splits disagree, so would two sets of real drummers.
- Pitched roles: POP909's held-out songs (``pop909_ids("test")``), whole songs on the beat grid
  (:func:`stori.data.pop909.whole_song`): melody = MELODY, counter_melody = BRIDGE, bass and
  harmony = the PIANO split by ``split_bass``. Whole songs, so repetition across section boundaries
  counts as it does in a file.
- ``pop909_raw``: songs 801-909 read straight from their MIDI files (the file's own tick grid, as
  ``groove_facts.py`` reads them), MELODY and PIANO, to check against the tool's printed references:
  once in the file's own meter (what the tool does) and once in 4/4. 100 of these 109 files declare
  1/4, so in their own meter a "bar" is one beat and a "2-bar window" two beats; the files' tick 0
  is also the audio's start, not a downbeat. The beat-grid songs above are the reference Stori uses.
- Scores in every meter (:func:`score_pieces`): the stretches of one meter of OpenScore Lieder and
  OpenEWLD (:mod:`stori.data.scores`) in one split, as the cache holds them (``python -m stori
  data-report`` fills it), each a piece in its own meter. A score's p and pp (velocity 44, 32 as
  music21 reads them) are soft notes, not a drummer's ghosts, so they are lifted to the loud
  threshold and every written note counts in the patterns. A lead sheet's bass is derived from its
  chord symbols (:data:`DERIVED`).
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from stori.data.gmd import FAMILY_OF, STYLE_FAMILIES
from stori.data.part_facts import LOUD, Part, drum_facts, mean_facts, midi_facts, part_of, pitched_facts
from stori.data.paths import CACHE_DIR, cached
from stori.data.paths import data_dir as resolve_data_dir
from stori.data.scores import SETS, load_set
from stori.data.splits import set_ids
from stori.spec.song import Note

VERSION = "realness-real-v4"  # v2: Part moved to stori.data.part_facts; v3: GMD validation beats; v4: POP909 as heard
"""Bump when what is read (or the module of what is pickled) changes: the cache is keyed by it."""

DERIVED = {"openewld": ("bass",)}
"""Set -> parts no one played: a lead sheet's bass is its chord's bass note struck at each change and
bar line. It counts where beat 1 is heard (as a band reading the chart would play it), not in the
facts or the classifier."""


@dataclass(frozen=True)
class RealPiece:
    id: str  # "gmd:drummer1/eval_session/1_funk-groove1_138_beat_4-4", "pop909:801"
    family: str  # GMD style family; "pop909" for POP909 songs; the set ("lieder", "openewld") for scores
    parts: dict[str, Part]  # role -> part

    @property
    def meter(self) -> tuple[int, int]:
        return next(iter(self.parts.values())).meter

    def played(self) -> dict[str, Part]:
        """The parts someone played (:data:`DERIVED` left out)."""
        return {r: p for r, p in self.parts.items() if r not in DERIVED.get(self.family, ())}


def _gmd_beats(data_dir, split: str = "test") -> list[RealPiece]:
    from stori.data.gmd import load_performances

    out = []
    for p in load_performances(split, data_dir, beat_type="beat"):
        if p.time_signature == (4, 4):
            notes = [Note(h.raw_pitch, h.tick, h.end, h.velocity) for h in p.hits]
            out.append(RealPiece(p.source, FAMILY_OF.get(p.style, "other"), {"drums": part_of([notes])}))
    return out


def _pop909_songs(data_dir) -> list[RealPiece]:
    from stori.data.pop909 import whole_song
    from stori.data.splits import pop909_ids

    out = []
    for sid in pop909_ids("test"):
        got = whole_song(sid, data_dir, heard=True)
        if got and got[1] == (4, 4):
            out.append(RealPiece(f"pop909:{sid}", "pop909", {role: part_of([notes]) for role, notes in got[0].items()}))
    return out


def score_pieces(split: str = "test", data_dir=None) -> list[RealPiece]:
    """The cached stretches of one split of the MusicXML sets, one piece each in its own meter (the
    module docstring says how they are read)."""
    out = []
    for name in SETS:
        if not (resolve_data_dir(data_dir) / name).is_dir():
            continue
        for piece in load_set(name, data_dir, ids=list(set_ids(name, split)), cached_only=True):
            for s in piece.sections:
                parts = {role: part_of([[Note(n.pitch, n.start, n.end, max(n.velocity, LOUD)) for n in notes]],
                                       meter=tuple(s.time_signature))
                         for role, notes in s.notes.items() if notes}
                if parts:
                    out.append(RealPiece(s.source, name, parts))
    return out


def _pop909_raw(root: Path) -> dict[str, dict]:
    out = {}
    for label, meter in (("file meter", None), ("4/4", (4, 4))):
        rows: dict[str, list] = {"MELODY": [], "PIANO": []}
        for i in range(801, 910):
            path = root / "pop909" / f"{i:03d}" / f"{i:03d}.mid"
            if path.is_file():
                pitched = midi_facts(path, meter)["pitched"]
                for name in rows:
                    if name in pitched:
                        rows[name].append(pitched[name])
        out[label] = {name: mean_facts(r) for name, r in rows.items() if r}
    return out


def _cache_path(root: Path) -> Path:
    key = f"{root.resolve()}:{VERSION}"
    return CACHE_DIR / f"{VERSION}-{hashlib.sha1(key.encode()).hexdigest()[:10]}.pkl"


def load_real(data_dir: str | os.PathLike | None = None) -> dict:
    """``{"gmd": [RealPiece], "gmd_valid": [RealPiece], "pop909": [RealPiece], "pop909_raw": {track:
    mean facts}}``, read once and cached under ``cache/``; a dataset whose files are missing is an empty list."""
    root = resolve_data_dir(data_dir)
    gmd = (root / "groove" / "info.csv").is_file()
    return cached(_cache_path(root), lambda: {
        "gmd": _gmd_beats(root) if gmd else [],
        "gmd_valid": _gmd_beats(root, "valid") if gmd else [],
        "pop909": _pop909_songs(root) if (root / "pop909").is_dir() else [],
        "pop909_raw": _pop909_raw(root) if (root / "pop909").is_dir() else {},
    })


def _family_facts(beats: list[RealPiece]) -> dict[str, dict]:
    drums = [(p.family, drum_facts(p.parts["drums"])) for p in beats]
    out = {"all": mean_facts(f for _, f in drums)} if drums else {}
    for fam in STYLE_FAMILIES:
        rows = [f for g, f in drums if g == fam]
        if rows:
            out[fam] = mean_facts(rows)
    return out


def is_set_groove(piece: RealPiece) -> bool:
    """A GMD beat from an ``eval_session``: every drummer there played the same ten set grooves (40 of
    the 77 test beats in 4/4, none in train or validation). They repeat and fill like a song's drummer
    keeping a given groove (bar repeats 0.47, fills at 5% of phrase ends); the sessions' free playing
    like an improviser (0.13, 50%). The test split's figures are the mixture of the two."""
    return "/eval_session/" in piece.id


def reference_facts(real: dict) -> dict:
    """Mean facts over real pieces: drums overall and per style family (GMD test, its set grooves and
    its free playing apart, and GMD validation as a second real sample), pitched per role (POP909)."""
    out = {"gmd": _family_facts(real["gmd"]), "gmd_valid": _family_facts(real["gmd_valid"]),
           "gmd_set": _family_facts([p for p in real["gmd"] if is_set_groove(p)]),
           "gmd_free": _family_facts([p for p in real["gmd"] if not is_set_groove(p)]),
           "pop909": {}, "pop909_raw": real["pop909_raw"]}
    for role in ("melody", "counter_melody", "bass", "harmony"):
        rows = [pitched_facts(p.parts[role]) for p in real["pop909"] if role in p.parts]
        if rows:
            out["pop909"][role] = mean_facts(rows)
    return out
