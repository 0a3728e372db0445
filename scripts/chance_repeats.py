"""How often a part's 2-bar windows repeat the one before with no designed copy: the realness songs
(20, seed 0, learned engine) with every phrase form drawn without repeats. These are the
``CHANCE_REPEATS`` of :mod:`stori.compose.learned`, which the phrase forms subtract from POP909's
repeat rates.

    .venv/bin/python scripts/chance_repeats.py
"""
import numpy as np

import stori.compose.learned as learned
import stori.compose.phrases as phrases
from stori.data.part_facts import pitched_facts, song_parts
from stori.evaluate.realness import generate_songs, song_requests

stats = phrases.role_stats
phrases.role_stats = lambda role: {**stats(role), "repeat_previous": 0.0, "restate_two_back": 0.0}
learned.PER_WINDOW = ()
songs = generate_songs("learned", song_requests(20, 0))
for role in ("melody", "harmony", "bass"):
    facts = [pitched_facts(parts[role]) for parts in map(song_parts, songs) if role in parts]
    print(role, round(float(np.mean([f["repeats_2bar"] for f in facts])), 4))
