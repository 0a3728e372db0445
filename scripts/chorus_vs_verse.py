"""Chorus minus verse, measured on generated songs (compare with `python -m stori data-report`'s POP909 numbers).

    .venv/bin/python scripts/chorus_vs_verse.py 1     # performed songs (what a musician hears)
    .venv/bin/python scripts/chorus_vs_verse.py 0     # the composed score before the performer
"""
import sys
from statistics import fmean

from stori.compose.diff import section_stats
from stori.pipeline import generate

PERFORM = sys.argv[1] == "1"

prompts = ["a bittersweet indie folk song about leaving home, with fingerpicked guitar, warm bass, subtle drums, and a "
           "melody that soars in the chorus",
           "happy pop song", "dark anxious rock", "tender piano ballad", "funky groove"]
rows = {"verse": [], "chorus": []}
for p in prompts:
    for seed in (0, 1):
        s = generate(p, seed=seed, trace=False, perform=PERFORM)
        for span in s.sections:
            if span.type in rows:
                rows[span.type].append(section_stats(s, span))
def d(role, key):
    return fmean(r[role][key] for r in rows["chorus"]) - fmean(r[role][key] for r in rows["verse"])
print(f"melody pitch {d('melody', 'mean_pitch'):+.2f}  melody vel {d('melody', 'mean_velocity'):+.2f}  "
      f"melody density {d('melody', 'notes_per_bar'):+.2f}  all vel {d('all', 'mean_velocity'):+.2f}  "
      f"all density {d('all', 'notes_per_bar'):+.2f}")
def pitched(st):
    n = sum(st[r]["notes_per_bar"] for r in ("bass", "harmony", "melody"))
    return n
print("pitched density %+.2f" % (fmean(pitched(r) for r in rows["chorus"]) - fmean(pitched(r) for r in rows["verse"])))
