"""``python -m stori genres [--top N] [--json]``: what each genre of the table plans (tempo range,
meters, drum style and kit, swing, instruments per role, its usual chords), most asked-for first.

How often a genre is asked for is counted on the text benchmark's prompts
(:mod:`stori.evaluate.text_bench`), each read by :func:`~stori.plan.genres.detect_genre` as the
planner reads it; genres asked for equally keep the table's order.
"""
from __future__ import annotations

from collections import Counter

from stori.plan.genres import GENRES, detect_genre


def add_arguments(parser) -> None:
    parser.add_argument("--top", type=int, help="only the N most asked-for genres")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def asked() -> Counter:
    """Genre name -> how many text-benchmark prompts the planner reads as that genre."""
    from stori.evaluate.text_bench import load_prompts

    return Counter(detect_genre(p["prompt"]).name for p in load_prompts())


def rows(top: int | None = None) -> list[dict]:
    """One row per genre, most asked-for first: what its template plans."""
    counts = asked()
    order = sorted(GENRES.values(), key=lambda g: -counts[g.name])
    return [{"genre": g.name, "asked": counts[g.name], "tempo": list(g.tempo), "meters": list(g.meters),
             "drums": f"{g.drum_style} ({g.drum_kit} kit)" if "drums" in g.instruments else "none",
             "swing": g.swing, "instruments": {role: name for role, (name, _) in g.instruments.items()
                                               if role != "drums"},
             "progression": " ".join(g.progression) or "chord model"} for g in order[:top]]


def table(found: list[dict]) -> str:
    lines = ["| # | genre | asked | tempo (BPM) | meters | drums | instruments | chords |", "|---|" + "---|" * 7]
    for k, r in enumerate(found, 1):
        swing = f", swing {r['swing']:g}%" if r["swing"] else ""
        inst = ", ".join(f"{role.replace('_', '-')}: {name}" for role, name in r["instruments"].items())
        lines.append(f"| {k} | {r['genre']} | {r['asked']} | {r['tempo'][0]}-{r['tempo'][1]} | "
                     f"{', '.join(r['meters'])} | {r['drums']}{swing} | {inst} | {r['progression']} |")
    return "\n".join(lines)


def run(args) -> int:
    from stori.console import print_result
    from stori.errors import StoriError

    if args.top is not None and args.top < 1:
        raise StoriError("top", f"{args.top} is not a count", "1 or more")
    found = rows(args.top)
    if args.json:
        print_result({"genres": found}, True)
    else:
        print(table(found))
    return 0
