"""``python -m stori keys``: is the key you hear the key that was planned? (issue 12)

Songs are generated over slider settings (no words: the planner picks the key) and varied prompts
(some naming a key), composed as the studio does (not performed: performance moves no pitch). The key
of each song is estimated from its pitched notes by Krumhansl-Schmuckler key finding
(:func:`stori.evaluate.measures.estimated_key`, duration-weighted), over the whole song and over its
final bars, and compared with the planned key (a mode counts as its major or minor family: dorian and
phrygian minor, lydian and mixolydian major). A miss is named by how the heard key relates to the
planned one (dominant, subdominant, relative, parallel, other).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from stori.evaluate.measures import estimated_key
from stori.spec.song import PITCHED_ROLES
from stori.theory import NOTE_NAMES, parse_key

SLIDERS = tuple({"energy": e, "valence": v, "tension": t}
                for e, v, t in ((0.2, -0.6, 0.2), (0.5, 0.5, 0.3), (0.9, 0.1, 0.7), (0.3, 0.8, 0.1),
                                (0.7, -0.3, 0.6), (0.6, 0.0, 0.4), (0.4, -0.8, 0.5), (0.8, 0.6, 0.2),
                                (0.1, 0.3, 0.1), (0.9, -0.5, 0.9), (0.5, -0.1, 0.2), (0.7, 0.7, 0.5)))
PROMPTS = ("a driving rock song", "an upbeat pop song in A major", "a funk groove", "a sad piano ballad",
           "a jazz tune in Bb", "a dark cinematic piece in D minor", "a hip hop beat with a melody",
           "a bittersweet indie folk song about leaving home", "a happy soul song", "a lo-fi study beat",
           "a tense rock anthem in E minor", "a gentle lullaby in F major")
FAMILY = {"major": "major", "minor": "minor", "dorian": "minor", "phrygian": "minor", "lydian": "major",
          "mixolydian": "major"}
END_BARS = 4


@dataclass(frozen=True)
class KeyResult:
    request: str
    planned: str
    heard: str | None  # over the whole song
    heard_end: str | None  # over its last END_BARS bars

    @property
    def match(self) -> bool:
        return self.heard == self.planned

    @property
    def match_end(self) -> bool:
        return self.heard_end == self.planned


def family_key(key: str) -> str:
    """A key as its major/minor family name (``D dorian`` -> ``D minor``)."""
    tonic, mode = parse_key(key)
    return f"{NOTE_NAMES[tonic]} {FAMILY[mode]}"


def _name(found) -> str | None:
    return f"{NOTE_NAMES[found[0]]} {found[1]}" if found else None


def relation(planned: str, heard: str | None) -> str:
    """How a heard key relates to the planned one: same, dominant, subdominant, relative, parallel, other."""
    if heard is None:
        return "none"
    (p, pm), (h, hm) = parse_key(planned), parse_key(heard)
    step = (h - p) % 12
    if (p, pm) == (h, hm):
        return "same"
    if pm == hm:
        return {7: "dominant", 5: "subdominant"}.get(step, "other")
    if p == h:
        return "parallel"
    return "relative" if step == (9 if pm == "major" else 3) else "other"


def heard_keys(song) -> tuple[str | None, str | None]:
    """The key estimated from a song's pitched notes: over the whole song and over its last bars."""
    notes = [n for t in song.tracks if t.role in PITCHED_ROLES for n in t.notes]
    end = song.sections[-1].end - END_BARS * song.ticks_per_bar
    return _name(estimated_key(notes)), _name(estimated_key([n for n in notes if n.end > end]))


def requests(n: int) -> list[tuple[str, dict | None]]:
    """``n`` requests alternating slider songs (no words) and prompts, each list cycling."""
    return [("", SLIDERS[(k // 2) % len(SLIDERS)]) if k % 2 == 0 else (PROMPTS[(k // 2) % len(PROMPTS)], None)
            for k in range(n)]


def measure(n: int = 24, engine: str = "learned", seed: int = 0) -> list[KeyResult]:
    """Generate ``n`` songs (seed ``seed + k``) and compare each song's heard key with its planned key."""
    from stori.pipeline import generate

    out = []
    for k, (prompt, emotion) in enumerate(requests(n)):
        song = generate(prompt, emotion=emotion, engine=engine, seed=seed + k, trace=False, perform=False)
        whole, end = heard_keys(song)
        label = prompt or "sliders " + ", ".join(f"{a} {v:g}" for a, v in emotion.items())
        out.append(KeyResult(label, family_key(song.spec.key), whole, end))
    return out


def summary(results: list[KeyResult]) -> dict:
    """Share of songs whose heard key is the planned one (whole song, last bars), by kind of request, and
    how the misses relate to the planned key."""
    def share(rows, attr):
        return round(sum(getattr(r, attr) for r in rows) / len(rows), 3) if rows else None
    sliders = [r for r in results if r.request.startswith("sliders")]
    prompts = [r for r in results if not r.request.startswith("sliders")]
    return {"songs": len(results), "match": share(results, "match"), "match_end": share(results, "match_end"),
            "match_sliders": share(sliders, "match"), "match_prompts": share(prompts, "match"),
            "misses": dict(Counter(relation(r.planned, r.heard) for r in results if not r.match).most_common())}


def add_arguments(parser) -> None:
    parser.add_argument("--songs", type=int, default=24, help="songs (default 24: 12 slider settings, 12 prompts)")
    parser.add_argument("--engine", default="learned")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")


def run(args) -> int:
    from stori.compose import ENGINES
    from stori.console import print_result
    from stori.errors import StoriError

    if args.songs < 1:
        raise StoriError("songs", f"{args.songs} is not a song count", "1 or more")
    if args.engine not in ENGINES:
        raise StoriError("engine", f"{args.engine!r} is not an engine", ", ".join(ENGINES))
    results = measure(args.songs, args.engine, args.seed)
    res = summary(results)
    if args.json:
        print_result({**res, "songs_detail": [r.__dict__ for r in results]}, True)
        return 0
    for r in results:
        print(f"{'ok  ' if r.match else 'MISS'} planned {r.planned:9} heard {r.heard or '-':9} "
              f"(last {END_BARS} bars {r.heard_end or '-':9}) {r.request}")
    print(f"Key heard = key planned ({args.engine}, {res['songs']} songs, seed {args.seed}): {res['match']:.0%} "
          f"(slider songs {res['match_sliders']:.0%}, prompts {res['match_prompts']:.0%}); over the last "
          f"{END_BARS} bars {res['match_end']:.0%}; misses: {res['misses'] or 'none'}")
    return 0
