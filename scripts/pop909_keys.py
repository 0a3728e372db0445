"""Is the key estimator fair on real minor music? Krumhansl-Schmuckler on duration-weighted pitch
classes (:func:`stori.evaluate.measures.estimated_key`, what ``stori keys`` and ``stori text-bench``
use) over every POP909 song whose ``analyzed_key.txt`` (pop909-structure) is one key: how many are
heard in their labelled key, in its relative key, or elsewhere, majors and minors apart.

    .venv/bin/python scripts/pop909_keys.py
"""
import re
from collections import Counter

import symusic

from stori.data.paths import data_dir
from stori.evaluate.measures import estimated_key
from stori.spec.song import Note
from stori.theory import pitch_class

root = data_dir()
heard = Counter()
for song_dir in sorted((root / "pop909-structure" / "POP909").iterdir()):
    label = song_dir / "analyzed_key.txt"
    midi = root / "pop909" / song_dir.name / f"{song_dir.name}.mid"
    key = label.read_text().strip() if label.is_file() else ""
    if not re.fullmatch(r"[A-G][b#]?:(maj|min)", key) or not midi.is_file():
        continue
    mode = "major" if key.endswith("maj") else "minor"
    tonic = pitch_class(key.split(":")[0])
    relative = ((tonic + 3) % 12, "major") if mode == "minor" else ((tonic + 9) % 12, "minor")
    score = symusic.Score(str(midi))
    got = estimated_key([Note(n.pitch, n.time, n.time + n.duration, n.velocity)
                         for t in score.tracks if not t.is_drum for n in t.notes])
    heard[mode, "labelled" if got == (tonic, mode) else "relative" if got == relative else "other"] += 1
for mode in ("major", "minor"):
    n = sum(v for (m, _), v in heard.items() if m == mode)
    print(f"{mode}: {n} songs; " + ", ".join(f"{kind} {heard[mode, kind]} ({heard[mode, kind] / n:.0%})"
                                             for kind in ("labelled", "relative", "other")))
