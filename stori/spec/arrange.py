"""What every engine shares: the empty song laid out from a spec, seeds per section and role,
and the spec's motifs realised as notes."""
from __future__ import annotations

import random

from stori.spec.motif import Motif, apply_transformation
from stori.spec.song import PPQ, Note, Song, Track
from stori.spec.song_spec import MotifUsage, SectionSpec, SongSpec
from stori.theory import parse_key, scale_pitch_classes

ROLE_RANGES = {"bass": (28, 55), "harmony": (48, 79), "melody": (55, 88), "counter_melody": (52, 81), "drums": (35, 81),
               "pad": (48, 79), "arpeggio": (48, 84)}
"""The pitch range each role is composed in (the evaluation accepts the wider
:data:`stori.evaluate.validity.PLAUSIBLE_RANGES`)."""
PAD_ABOVE = 12
"""Semitones a pad sits above the harmony's place: high strings an octave over the chords open a full
chorus's register (and sit above the tune, as string lines over a vocal do)."""


def song_skeleton(spec: SongSpec) -> Song:
    """A Song with the spec's tracks (no notes yet) and its section spans."""
    tracks = [Track(name=t.name, role=t.role, program=t.program, channel=t.channel) for t in spec.tracks]
    tempos, keys = spec.changes()
    return Song(tracks=tracks, sections=spec.spans(), tempo=spec.tempo, time_signature=spec.time_signature,
                key=spec.key, spec=spec, tempo_changes=tempos, key_changes=keys)


def roles_in(roles, section_id: str) -> tuple[str, ...] | None:
    """The parts an engine plays in a section: ``roles`` is None (all), a tuple (the same in every
    section) or a dict from section id to a tuple (each section its own)."""
    if isinstance(roles, dict):
        return tuple(roles.get(section_id, ()))
    return None if roles is None else tuple(roles)


def rng_for(seed: int, section: SectionSpec, role: str, salt: str = "") -> random.Random:
    """A generator local to one section and role, so regenerating one part leaves the others identical."""
    return random.Random(f"{seed}:{section.id}:{role}:{salt}")


def beat_ticks(spec: SongSpec) -> int:
    """Ticks of one beat of the meter (a quarter in x/4, an eighth in x/8)."""
    return PPQ * 4 // spec.time_signature[1]


def motif_anchor(motif: Motif, key: str) -> int:
    """The MIDI pitch of the motif's anchor: its scale degree, in the octave nearest its register."""
    tonic, _ = parse_key(key)
    pc = scale_pitch_classes(key)[motif.anchor_degree - 1]
    base = motif.register - ((motif.register - pc) % 12)
    return base + 12 if motif.register - base > 6 else base


def realize_motif(spec: SongSpec, usage: MotifUsage, section_start: int,
                  key: str | None = None) -> tuple[Motif, list[Note]]:
    """The transformed motif of ``usage`` and its notes, placed at the usage's bar and beat, in ``key``
    (the section's, :meth:`~stori.spec.song_spec.SongSpec.key_of`; the song's when None).

    The notes carry velocity 0: the engine that places them sets the dynamics."""
    motif = spec.motif(usage.motif)
    for t in usage.transformations:
        motif = apply_transformation(motif, t)
    start = section_start + (usage.bar - 1) * spec.ticks_per_bar + int(round((usage.beat - 1) * beat_ticks(spec)))
    anchor = motif_anchor(motif, key or spec.key)
    lo, hi = ROLE_RANGES.get(usage.track, ROLE_RANGES["melody"])
    while anchor + max(motif.intervals) > hi and anchor + min(motif.intervals) - 12 >= lo:
        anchor -= 12  # keep the motif inside its role's range; the octave leaves it recognisable
    while anchor + min(motif.intervals) < lo and anchor + max(motif.intervals) + 12 <= hi:
        anchor += 12
    notes, t = [], start
    for interval, beats in zip(motif.intervals, motif.rhythm):
        dur = int(round(beats * PPQ))
        notes.append(Note(anchor + interval, t, t + max(1, dur - PPQ // 16), 0))
        t += dur
    return motif, notes
