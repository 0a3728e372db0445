"""Slider songs at the corners of the energy x valence plane beside EMOPIA's per-quadrant means
(Hung et al., ISMIR 2021; 1,078 piano clips): what issue 11 measures.

    .venv/bin/python scripts/emotion_corners.py [SEEDS]      # default 5 seeds per corner

Prompt "a song", only the sliders set (energy 0.2 / 0.8, valence -0.7 / +0.7). Measured on every
non-drum note of the performed song: mean velocity, notes per second, median note length in
seconds, tempo, and the mode estimated from the notes (Krumhansl-Schmuckler, as the evaluation does).
"""
import sys
from statistics import fmean, median

from stori.evaluate.measures import estimated_key
from stori.pipeline import generate

EMOPIA = {"calm": {"velocity": 53.7, "notes_per_s": 4.7, "median_s": 1.07},
          "excited": {"velocity": 78.0, "notes_per_s": 9.3, "median_s": 0.53}}
seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
rows = {}
for energy, name in ((0.2, "calm"), (0.8, "excited")):
    for valence in (-0.7, 0.7):
        got = []
        for seed in range(seeds):
            s = generate("a song", emotion={"energy": energy, "valence": valence}, seed=seed, trace=False)
            notes = [n for t in s.tracks if not t.is_drums for n in t.notes]
            secs = 60.0 / (s.tempo * s.ppq)
            end = max(n.end for n in notes) * secs
            key = estimated_key(notes)
            got.append({"velocity": fmean(n.velocity for n in notes), "notes_per_s": len(notes) / end,
                        "median_s": median((n.end - n.start) * secs for n in notes), "tempo": s.tempo,
                        "minor": key is not None and key[1] == "minor"})
        rows[(name, valence)] = {k: fmean(float(g[k]) for g in got) for k in got[0]}
print(f"{'corner':<18}{'velocity':>10}{'notes/s':>10}{'median s':>10}{'tempo':>8}{'minor':>7}")
for (name, valence), r in rows.items():
    label = f"{name} v{valence:+.1f}"
    print(f"{label:<18}{r['velocity']:>10.1f}{r['notes_per_s']:>10.2f}{r['median_s']:>10.2f}{r['tempo']:>8.0f}"
          f"{r['minor']:>7.2f}")
for name, ref in EMOPIA.items():
    print(f"{'EMOPIA ' + name:<18}{ref['velocity']:>10.1f}{ref['notes_per_s']:>10.2f}{ref['median_s']:>10.2f}")
