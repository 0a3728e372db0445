"""How long a written note is held, by role, as players hold them: chords ring until the next
chord stroke (at most two beats, the way a pianist's hand moves on), a bass note until the next
one (at most a bar: POP909's bass is held, median 1.56 beats a song), melodies keep the model's
lengths; the performer's articulation then shortens what a driving section plays short. Measured against
POP909's median note length per role (``stori/data/phrase_stats.json``)."""
from __future__ import annotations

from stori.spec.song import PPQ, Note

HOLD = {"harmony": (2 * PPQ, 0), "bass": (4 * PPQ, 0)}  # role -> (longest hold, breath before the next onset)


def hold(notes: list[Note], role: str, sustain: float = 0.0, changes: list[int] = ()) -> list[Note]:
    """``notes`` of one part with their ends moved to how the role holds them (never shortened).
    With ``sustain`` (:func:`~stori.spec.constraints.emotion_to_constraints`) at 0.5 or more, calm
    music rings: chords are held through later strokes until the chord ``changes`` (a pianist's
    pedal, at most a bar) and a melody note until the next one (at most two beats)."""
    pedal = sustain >= 0.5
    if role not in HOLD and not (pedal and role in ("melody", "counter_melody")):
        return notes
    longest, breath = HOLD.get(role, (2 * PPQ, 0))
    onsets = sorted({n.start for n in notes})
    out = []
    for n in notes:
        k = next((t for t in onsets if t > n.start), None)
        if pedal and role == "harmony":
            k, longest = next((t for t in changes if t > n.start), None), 4 * PPQ
        until = n.start + longest if k is None else min(n.start + longest, k - breath)
        out.append(Note(n.pitch, n.start, max(n.end, until), n.velocity))
    return out
