"""The refinement table's moods inside one section: does "sadder", "calmer", "more intimate", ...
move the verse's features the way the control sweeps ask of each axis (issue 11, item 4)?

    .venv/bin/python scripts/refinement_signs.py [SEEDS] [ENGINE]     # default 5 seeds, learned

Per seed: the control sweep's song (a pop song, a 4-bar verse and chorus, neutral emotion), performed;
then each named delta of ``stori.spec.emotion.DELTAS`` said to the chat as "<name> in the verse", and
the verse measured before and after (``stori.evaluate.measures.section_measures``, as the musical diff
compares a section with itself; the performed onsets snapped back to the 16th grid, as the sweeps
measure the written notes). A feature's wanted sign is the sum over the delta's axes of the
axis's change times the sign ``AXIS_FEATURES`` gives it; tempo is the song's, not a section's, and is
left out. Printed: the mean change over the seeds and the share of seeds whose change has that sign
and the verse's value before (a feature already at its end, no chromatic notes to lose, cannot move).
A mean change of exactly 0 counts as unmoved, neither right nor wrong.
"""
import dataclasses
import sys
from statistics import fmean

from stori.compose.refine import SongSession
from stori.evaluate.chapters import AXIS_FEATURES
from stori.evaluate.corpus import song_to_samples
from stori.evaluate.measures import section_measures
from stori.evaluate.specs import NEUTRAL, SWEEP_FORM, SWEEP_PROMPT
from stori.pipeline import generate
from stori.plan import plan_song
from stori.spec.emotion import DELTAS
from stori.spec.song import PPQ, Note

seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
engine = sys.argv[2] if len(sys.argv) > 2 else "learned"


def verse(song) -> dict[str, float]:
    """The verse's measures, its performed onsets put back on the 16th grid (the written rhythm)."""
    sample = song_to_samples(song, song.spec, "refine")[0]
    grid = PPQ // 4
    notes = {role: [Note(n.pitch, round(n.start / grid) * grid, max(round(n.start / grid) * grid + 1, n.end),
                         n.velocity) for n in ns] for role, ns in sample.notes.items()}
    return section_measures(dataclasses.replace(sample, notes=notes))


def wanted(delta: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for axis, d in delta.items():
        for f, sign in AXIS_FEATURES[axis]:
            if f != "tempo":
                out[f] = out.get(f, 0.0) + d * sign
    return {f: w for f, w in out.items() if abs(w) > 1e-9}


changes: dict[str, dict[str, list[float]]] = {name: {} for name in DELTAS}
befores: dict[str, list[float]] = {}
for seed in range(seeds):
    spec = plan_song(SWEEP_PROMPT, emotion=NEUTRAL.to_dict(), structure=SWEEP_FORM, seed=seed)
    song = generate(spec=spec, engine=engine, seed=seed, trace=False)
    before = verse(song)
    for f, v in before.items():
        befores.setdefault(f, []).append(v)
    for name in DELTAS:
        after = verse(SongSession(song, engine, seed).say(f"{name} in the verse").song)
        for f in wanted(DELTAS[name]):
            changes[name].setdefault(f, []).append(after[f] - before[f])
print(f"{'refinement':<15}{'feature':<21}{'before':>8}{'wanted':>7}{'mean change':>13}{'right sign':>12}")
tally = {"right": 0, "WRONG": 0, "unmoved": 0}
for name, feats in changes.items():
    for f, w in wanted(DELTAS[name]).items():
        xs = [x for x in feats[f] if x == x]
        mean = fmean(xs) if xs else 0.0
        verdict = "unmoved" if mean == 0 else ("right" if mean * w > 0 else "WRONG")
        tally[verdict] += 1
        share = sum(x * w > 0 for x in xs) / len(xs) if xs else float("nan")
        print(f"{name:<15}{f:<21}{fmean(befores[f]):>8.3g}{'+' if w > 0 else '-':>7}{mean:>13.3f}{share:>12.2f}"
              f"  {verdict}")
print(f"{tally['right']} right, {tally['WRONG']} wrong, {tally['unmoved']} unmoved of {sum(tally.values())} "
      f"(mean over {seeds} seeds, {engine})")
