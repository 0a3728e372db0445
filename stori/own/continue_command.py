"""``stori continue IN.mid --bars N --out OUT.mid``: the musician's song and N new bars after it."""
from __future__ import annotations

import argparse

from stori.compose import DEFAULT_ENGINE, ENGINES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("midi", help="a type 0 or 1 MIDI file")
    p.add_argument("--bars", type=int, default=8, help="new bars after the file's last bar (1..64, default 8)")
    p.add_argument("--out", required=True, help="the MIDI file to write (input and continuation)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--engine", default=DEFAULT_ENGINE, help=f"one of: {', '.join(ENGINES)}")
    p.add_argument("--retrieve", action="store_true",
                   help="ground the new bars in the real song (POP909 train) that best continues yours; prints the "
                        "ranked candidates (the first run builds the index, a few minutes)")


def run(args) -> int:
    from stori import inputs
    from stori.own.commands import read_input, summary, write_midi
    from stori.own.extend import continue_song
    from stori.own.retrieval import table_markdown

    seed, engine = inputs.seed(args.seed), inputs.engine(args.engine, ENGINES)
    song = continue_song(read_input(args.midi), args.bars, seed=seed, engine=engine, retrieve=args.retrieve)
    write_midi(song, args.out)
    print(f"heard {summary(song)}")
    if args.retrieve:
        found = song.spec.extra.get("retrieved")
        print(table_markdown(found) if found else "retrieval: no melody in the last 2 bars (or not 4/4); "
              "the progression goes round instead")
    print(f"wrote {args.out}: {args.bars} new bars from bar {song.section('new').start // song.ticks_per_bar + 1}")
    return 0
