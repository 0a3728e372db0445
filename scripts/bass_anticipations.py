"""How often real bass lines anticipate beat 1: the share of bar starts (after a section's first bar)
where the bass holds a note over the bar line from an 8th before it and strikes nothing on beat 1,
among bar starts where the bass strikes or holds over, per pitched style of the train sections
(POP909: the piano's left hand; the Lieder: the piano's lowest line; OpenEWLD: its chord symbols'
bass, struck at each change, so 0 by construction).

    PYTHONPATH=. .venv/bin/python scripts/bass_anticipations.py

What :data:`stori.compose.ensemble.PUSHED` leaves the bass out of.
"""
from collections import defaultdict

from stori.data.pop909 import load_pop909_sections
from stori.data.scores import load_score_sections
from stori.spec.song import PPQ

EIGHTH, SLACK = PPQ // 2, PPQ // 8
counts = defaultdict(lambda: [0, 0])
for s in load_pop909_sections("train") + load_score_sections("train"):
    bass = s.notes.get("bass")
    if not bass:
        continue
    bar = PPQ * 4 * s.time_signature[0] // s.time_signature[1]
    for t in range(bar, s.n_bars * bar, bar):
        held = any(t - EIGHTH - SLACK <= n.start < t - SLACK and n.end > t for n in bass)
        struck = any(abs(n.start - t) <= SLACK for n in bass)
        if held or struck:
            counts[s.style][0] += held and not struck
            counts[s.style][1] += 1
for style, (anticipated, bars) in sorted(counts.items()):
    print(f"{style:<10} {anticipated / bars:.3f} of {bars} bar starts")
