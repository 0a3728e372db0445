"""``stori generate``: a prompt (or a spec file) and settings -> a song bundle."""
from __future__ import annotations

import argparse
import sys

from stori.compose import DEFAULT_ENGINE, ENGINES
from stori.errors import StoriError
from stori.spec.emotion import AXES
from stori.spec.song_spec import SongSpec


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--prompt", default="", help="describe the song in words")
    p.add_argument("--spec", help="an RMS v2 spec.json to compose instead of planning from the prompt")
    p.add_argument("--out", required=True, help="folder for the bundle (song.mid, spec.json, traces.json, stems/)")
    p.add_argument("--seed", type=int, default=0)
    for axis in AXES:
        p.add_argument(f"--{axis}", type=float,
                       help=f"{axis} of the whole song ({'-1..1' if axis == 'valence' else '0..1'})")
    p.add_argument("--tempo", type=float, help="beats per minute, 40..240")
    p.add_argument("--key", help="e.g. 'A minor'")
    p.add_argument("--time-signature", help="e.g. 4/4, 3/4, 6/8")
    p.add_argument("--structure", help="e.g. 'intro:4,verse:8,chorus:8'")
    p.add_argument("--engine", default=DEFAULT_ENGINE, help=f"one of: {', '.join(ENGINES)} (default {DEFAULT_ENGINE})")
    p.add_argument("--render", nargs="?", const="ogg", choices=("ogg", "wav"),
                   help="also write an audio preview through FluidSynth: preview.ogg (Ogg Vorbis), or preview.wav with "
                        "--render wav")
    p.add_argument("--no-traces", action="store_true", help="skip recording intent traces")


def run(args) -> int:
    from stori import inputs
    from stori.pipeline import generate
    from stori.render.audio import AudioUnavailable
    from stori.render.bundle import write_bundle

    fields = inputs.generate_args(  # the rules the studio and REST apply too
        prompt_text=args.prompt,
        emotion_values={a: getattr(args, a) for a in AXES if getattr(args, a) is not None} or None,
        tempo_bpm=args.tempo, key_name=args.key, form=args.structure, meter=args.time_signature,
        engine_name=args.engine,
        seed_value=args.seed, engines=ENGINES)
    spec = SongSpec.load(args.spec) if args.spec else None
    if spec is None and not fields["prompt"] and not fields["emotion"]:
        raise StoriError("prompt", "no prompt, spec or emotion given", "--prompt TEXT, --spec FILE or emotion settings")
    song = generate(spec=spec, trace=not args.no_traces, **fields)
    try:
        written = write_bundle(song, args.out, render=args.render)
    except AudioUnavailable as e:
        written = write_bundle(song, args.out, render=False)
        print(f"stori generate: no preview.{args.render}: {e}", file=sys.stderr)
    roles = ", ".join(f"{t.role} ({len(t.notes)} notes)" for t in song.tracks)
    print(f"{song.spec.title}: {song.spec.genre}, {song.spec.key}, {song.tempo:g} BPM, "
          f"{len(song.sections)} sections, {song.duration_s:.1f} s; {roles}")
    print(f"wrote {', '.join(sorted(written))} to {args.out}")
    return 0
