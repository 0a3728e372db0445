"""``stori accompany MELODY.mid --out DIR``: drums, bass and harmony around a melody, as a song bundle."""
from __future__ import annotations

import argparse
import sys

from stori.compose import DEFAULT_ENGINE, ENGINES
from stori.spec.emotion import AXES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("midi", help="a type 0 or 1 MIDI file holding the melody")
    p.add_argument("--out", required=True, help="folder for the bundle (song.mid, spec.json, traces.json, stems/)")
    p.add_argument("--chords", help="chords, one bar each, instead of the ones heard: 'C G Am F' or 'C | G | Am F'")
    p.add_argument("--prompt", default="", help="describe the band in words (genre, mood, instruments)")
    for axis in AXES:
        p.add_argument(f"--{axis}", type=float,
                       help=f"{axis} of the whole song ({'-1..1' if axis == 'valence' else '0..1'})")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--engine", default=DEFAULT_ENGINE, help=f"one of: {', '.join(ENGINES)}")
    p.add_argument("--render", nargs="?", const="ogg", choices=("ogg", "wav"), help="also write an audio preview")


def run(args) -> int:
    from stori import inputs
    from stori.own.accompany import accompany
    from stori.own.commands import read_input, summary
    from stori.own.listen import check_chords
    from stori.render.audio import AudioUnavailable
    from stori.render.bundle import write_bundle

    seed, engine = inputs.seed(args.seed), inputs.engine(args.engine, ENGINES)
    prompt = inputs.prompt(args.prompt)
    emotion = inputs.emotion({a: getattr(args, a) for a in AXES if getattr(args, a) is not None} or None)
    chords = check_chords(args.chords) if args.chords is not None else None
    song = accompany(read_input(args.midi), chords, prompt=prompt, emotion=emotion, seed=seed, engine=engine)
    try:
        written = write_bundle(song, args.out, render=args.render)
    except AudioUnavailable as e:
        written = write_bundle(song, args.out, render=False)
        print(f"stori accompany: no preview.{args.render}: {e}", file=sys.stderr)
    print(f"{summary(song)}")
    print(f"wrote {', '.join(sorted(written))} to {args.out}")
    return 0
