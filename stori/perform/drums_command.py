"""``python -m stori drums``: a producer-style drum part to a MIDI file."""
from __future__ import annotations

import argparse

from stori.perform.drums import PATTERN_TYPES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--style", required=True,
                   help="dilla, trap, boom_bap, lofi, neosoul, funk, rock, house, reggaeton, afrobeat, jazz (or their "
                        "titles)")
    p.add_argument("--bars", type=int, default=4, help="1..32")
    p.add_argument("--tempo", type=float, default=None, help="BPM 40..240 (default: the style's)")
    p.add_argument("--time-signature", default="4/4", help="4/4, 3/4, 6/8, 5/4, 7/8")
    p.add_argument("--humanize", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--pattern-type", default="verse", help=", ".join(PATTERN_TYPES))
    p.add_argument("--source", default="auto", help="auto (learned if shipped, else rules), learned, rules")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="FILE.mid")


def run(args) -> int:
    from pathlib import Path

    from stori import inputs
    from stori.perform.drums import make_drums
    from stori.perform.styles import get_style
    from stori.render.midi import midi_bytes

    tempo = args.tempo if args.tempo is not None else get_style(args.style).default_tempo
    song = make_drums(args.style, args.bars, tempo, args.time_signature, args.humanize, args.pattern_type,
                      inputs.seed(args.seed), source=args.source)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(midi_bytes(song))
    source = song.traces[0]["decision"]
    print(f"{args.out}: {len(song.tracks[0].notes)} hits, {args.bars} bars of {args.time_signature} at {tempo:g} BPM "
          f"({song.tracks[0].name}, {args.pattern_type}, pattern source: {source})")
    return 0
