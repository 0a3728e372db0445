"""Generated and real music in one shape: pieces made of :class:`SectionSample` s.

A generated song becomes the same per-section, per-role samples the data loaders give for POP909
and GMD, so every metric runs on both sides the same way.
"""
from __future__ import annotations

import contextlib
from collections import defaultdict

import numpy as np

from stori.data.samples import SectionSample
from stori.errors import StoriError
from stori.spec.song import Note, Song
from stori.spec.song_spec import SongSpec

Piece = list[SectionSample]


def song_to_samples(song: Song, spec: SongSpec, source: str) -> Piece:
    """One sample per section: each role's notes (tracks of one role merged) in ticks from the
    section start, and the chords the section was played over (the song's own spec, which holds the
    cadences composing added; ``spec`` when the song has none)."""
    spec = song.spec or spec
    by_id = {s.id: s for s in spec.sections}
    out = []
    for k, span in enumerate(song.sections):
        notes: dict[str, list[Note]] = defaultdict(list)
        for t in song.tracks:
            notes[t.role] += [Note(n.pitch, n.start - span.start, n.end - span.start, n.velocity)
                              for n in song.notes_in(t, span)]
        sec = by_id.get(span.id)
        out.append(SectionSample(
            source=f"{source}#{k}", split="generated", style=spec.genre, section_type=span.type,
            key=spec.key, tempo=song.tempo, time_signature=song.time_signature,
            n_bars=(span.end - span.start) // song.ticks_per_bar,
            notes={r: sorted(v, key=lambda n: (n.start, n.pitch)) for r, v in notes.items()},
            chords=sec.chord_timeline(song.ticks_per_bar) if sec else [],
        ))
    return out


def group_pieces(samples: list[SectionSample]) -> list[Piece]:
    """Samples grouped by the piece they come from ("pop909:001#3" and GMD's "...@bar8" forms)."""
    groups: dict[str, Piece] = defaultdict(list)
    for s in samples:
        groups[s.source.split("#")[0].split("@")[0]].append(s)
    return list(groups.values())


def subsample_pieces(pieces: list[Piece], limit: int | None, seed: int = 0) -> list[Piece]:
    """At most ``limit`` pieces, drawn with a fixed seed (all of them when ``limit`` is None)."""
    if limit is None or len(pieces) <= limit:
        return pieces
    keep = sorted(np.random.default_rng(seed).choice(len(pieces), limit, replace=False))
    return [pieces[i] for i in keep]


def load_real(limit_pieces: int | None = None, seed: int = 0) -> dict[str, list[Piece]]:
    """POP909 test songs and GMD test performances as pieces (at most ``limit_pieces`` of each,
    drawn with ``seed``); a set whose data is missing is left out. POP909 songs are read one by one,
    so the evaluation never waits for the whole dataset to be parsed."""
    from stori.data import gmd, pop909
    from stori.data.splits import pop909_ids

    real: dict[str, list[Piece]] = {}
    with contextlib.suppress(StoriError, FileNotFoundError):
        ids = subsample_pieces([[i] for i in pop909_ids("test")], limit_pieces, seed)
        real["pop909"] = [p for (sid,) in ids if (p := pop909.load_song(sid))]
    with contextlib.suppress(StoriError, FileNotFoundError):
        real["gmd"] = subsample_pieces(group_pieces(gmd.load_gmd_sections("test")), limit_pieces, seed)
    return real
