"""``stori vary IN.mid --bars 5-6 --tracks bass --out OUT.mid``: chosen bars of chosen parts composed anew."""
from __future__ import annotations

import argparse

from stori.compose import DEFAULT_ENGINE, ENGINES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("midi", help="a type 0 or 1 MIDI file")
    p.add_argument("--bars", required=True, help="bars to compose anew, counted from 1: '5-6' or '5'")
    p.add_argument("--tracks", required=True, action="append",
                   help="a role (drums, bass, harmony, melody, counter_melody) or a 1-based track number; repeat "
                        "or separate by commas")
    p.add_argument("--out", required=True, help="the MIDI file to write")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--engine", default=DEFAULT_ENGINE, help=f"one of: {', '.join(ENGINES)}")


def run(args) -> int:
    from stori import inputs
    from stori.own.commands import read_input, summary, write_midi
    from stori.own.extend import vary_song

    seed, engine = inputs.seed(args.seed), inputs.engine(args.engine, ENGINES)
    tracks = [t for item in args.tracks for t in item.split(",") if t.strip()]
    song = vary_song(read_input(args.midi), args.bars, tracks, seed=seed, engine=engine)
    write_midi(song, args.out)
    print(f"heard {summary(song)}")
    print(f"wrote {args.out}: bars {args.bars} of {', '.join(tracks)} new")
    return 0
