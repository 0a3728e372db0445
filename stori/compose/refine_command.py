"""``stori refine BUNDLE --say TEXT --out BUNDLE2``: one chat refinement of a song bundle."""
from __future__ import annotations

from stori.compose import DEFAULT_ENGINE, ENGINES


def add_arguments(p) -> None:
    p.add_argument("bundle", help="a song bundle folder (song.mid, spec.json, traces.json)")
    p.add_argument("--say", required=True, action="append",
                   help="what to change, e.g. 'make the bridge more intense' (repeatable)")
    p.add_argument("--out", required=True, help="folder for the refined bundle")
    p.add_argument("--engine", default=DEFAULT_ENGINE, help=f"one of: {', '.join(ENGINES)}")
    p.add_argument("--seed", type=int, default=0)


def run(args) -> int:
    from stori import inputs
    from stori.compose.refine import SongSession
    from stori.render.bundle import read_bundle, write_bundle

    session = SongSession(read_bundle(args.bundle), engine=inputs.engine(args.engine, ENGINES),
                          seed=inputs.seed(args.seed))
    for text in args.say:
        print(session.say(text).markdown)
    written = write_bundle(session.song, args.out)
    print(f"\nwrote {', '.join(sorted(written))} to {args.out}")
    return 0
