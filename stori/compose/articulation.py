"""How long a written note is held, by role, as players hold them: chords ring until the next
chord stroke (at most two beats, the way a pianist's hand moves on), a bass note until the next
one (at most a bar: POP909's bass is held, median 1.56 beats a song), melodies keep the model's
lengths; the performer's articulation then shortens what a driving section plays short. Measured against
POP909's median note length per role (``stori/data/phrase_stats.json``)."""
from __future__ import annotations

from stori.spec.song import PPQ, Note

HOLD = {"harmony": (2 * PPQ, 0), "bass": (4 * PPQ, 0)}  # role -> (longest hold, breath before the next onset)


def hold(notes: list[Note], role: str) -> list[Note]:
    """``notes`` of one part with their ends moved to how the role holds them (never shortened)."""
    if role not in HOLD:
        return notes
    longest, breath = HOLD[role]
    onsets = sorted({n.start for n in notes})
    out = []
    for n in notes:
        k = next((t for t in onsets if t > n.start), None)
        until = n.start + longest if k is None else min(n.start + longest, k - breath)
        out.append(Note(n.pitch, n.start, max(n.end, until), n.velocity))
    return out
