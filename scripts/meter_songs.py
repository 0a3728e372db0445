"""The meters issue 13 asks the learned engine to play, beside real pieces of each meter.

    .venv/bin/python scripts/meter_songs.py [--engine learned] [--seeds 3]
    STORI_MODEL=cache/runs/v2_cpu/export.pt .venv/bin/python scripts/meter_songs.py   # a v2 checkpoint

For each prompt (a 3/4 waltz, a 6/8 ballad, a 7/8 jazz tune, a 5/4 prog groove, and 2/4 and 12/8),
``--seeds`` songs: the meter written in the MIDI, which engine played it (the traces name a
fallback), and the share of bars whose beat 1 is heard low (a kick or a bass note;
:func:`stori.data.part_facts.downbeat_share`). Beside them, the same share in the held-out (test
split) pieces of that meter in OpenScore Lieder and OpenEWLD that are cached (``python -m stori
data-report`` caches them; :func:`stori.evaluate.real_parts.score_pieces`), where the bass is the
piano's lowest line or the chords' bass.
"""
import argparse
from statistics import fmean

from stori.data.part_facts import downbeat_share, song_parts
from stori.evaluate.real_parts import score_pieces
from stori.pipeline import generate
from stori.render.midi import midi_bytes, midi_to_song

PROMPTS = (("a waltz in 3/4", (3, 4)), ("a tender 6/8 ballad", (6, 8)), ("a jazz tune in 7/8", (7, 8)),
           ("a prog rock groove in 5/4", (5, 4)), ("a march in 2/4", (2, 4)), ("a slow blues in 12/8", (12, 8)))


def real_share(pieces: list, meter: tuple[int, int]) -> tuple[float, int]:
    shares = [downbeat_share(p.parts) for p in pieces if p.meter == meter]
    return (fmean(shares) if shares else float("nan")), len(shares)


p = argparse.ArgumentParser()
p.add_argument("--engine", default="learned")
p.add_argument("--seeds", type=int, default=3)
args = p.parse_args()
stretches = [p for p in score_pieces("test") if "bass" in p.parts]
print(f"{'prompt':<28}{'meter':>6}{'in MIDI':>9}{'engine':>10}{'downbeats':>11}{'real':>7}{'pieces':>8}")
for prompt, meter in PROMPTS:
    shares, engines, written = [], set(), set()
    for seed in range(args.seeds):
        g = generate(prompt, engine=args.engine, seed=seed)
        back = midi_to_song(midi_bytes(g))
        written.add("/".join(map(str, back.time_signature)))
        engines.add(next((t["decision"] for t in g.traces if t["decision_type"] == "engine"), args.engine))
        shares.append(downbeat_share(song_parts(back)))
    real, n = real_share(stretches, meter)
    print(f"{prompt:<28}{'/'.join(map(str, meter)):>6}{','.join(sorted(written)):>9}{','.join(sorted(engines)):>10}"
          f"{fmean(shares):>11.2f}{real:>7.2f}{n:>8}")
