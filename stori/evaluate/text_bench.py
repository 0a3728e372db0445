"""``python -m stori text-bench [--limit N] [--engine NAME] [--json]``: does the song obey its words?

Each prompt of ``text_bench.json`` (half in the MidiCaps caption style, half as musicians talk,
each tagged with what its text states) is generated and written to MIDI, and the MIDI file itself
is read back and scored, never the plan:

- **TB** / **TBT**: the file's tempo falls in the stated tempo's MidiCaps bin (edges 40, 60, 70, 90,
  110, 140, 160, 210 BPM) / in it or a neighbouring bin (text2midi's Tempo Bin, with Tolerance).
- **CK** / **CKD**: the key estimated from the notes (Krumhansl-Schmuckler,
  :func:`stori.evaluate.measures.estimated_key`, drums left out) is the stated key / is it or its
  relative major or minor, which shares its key signature (our reading of text2midi's "Correct Key
  with Duplicates").
- **meter**: the file's time signature is the stated one.
- **instrument recall / precision**: of the General MIDI families stated, the share that sound (a
  track with notes); of the families that sound, the share that were stated (prompts that name
  instruments only). The drum kit counts as the family "drums".
- **no-X**: a family the text leaves out ("no drums", "solo piano": no bass) has no notes.
"""
from __future__ import annotations

import json
import time
from bisect import bisect_right
from pathlib import Path

from stori.console import print_result

PROMPTS = Path(__file__).with_name("text_bench.json")
TEMPO_BINS = (40, 60, 70, 90, 110, 140, 160, 210)
TEXT2MIDI = {"TB": 39.7, "TBT": 65.8, "CK": 33.6, "CKD": 35.6}
"""text2midi's published figures on MidiCaps (its README and paper), in %."""
METRICS = ("TB", "TBT", "CK", "CKD", "meter", "instrument_recall", "instrument_precision", "no_x")


def add_arguments(p) -> None:
    p.add_argument("--limit", type=int, help="score only the first N prompts of each style")
    p.add_argument("--engine", default="learned", help="engine (default: learned)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object")


def load_prompts() -> list[dict]:
    return json.loads(PROMPTS.read_text())["prompts"]


def tempo_bin(bpm: float) -> int:
    return bisect_right(TEMPO_BINS, bpm)


def _relative(key: tuple[int, str]) -> tuple[int, str]:
    tonic, mode = key
    return ((tonic + 9) % 12, "minor") if mode == "major" else ((tonic + 3) % 12, "major")


def facts(midi: bytes) -> dict:
    """What a MIDI file says: tempo, meter, the key its notes imply and the GM families that sound."""
    from stori.evaluate.measures import estimated_key
    from stori.plan.instruments import family
    from stori.render.midi import midi_to_song

    song = midi_to_song(midi)
    pitched = [n for t in song.tracks if t.channel != 10 for n in t.notes]
    families = {"drums" if t.channel == 10 else family(t.program) for t in song.tracks if t.notes}
    return {"tempo": song.tempo, "meter": f"{song.time_signature[0]}/{song.time_signature[1]}",
            "key": estimated_key(pitched), "families": sorted(families)}


def score(tags: dict, got: dict) -> dict[str, list[int]]:
    """metric -> [obeyed, asked] for one prompt's tags against its MIDI facts."""
    from stori.theory import parse_key

    out: dict[str, list[int]] = {m: [0, 0] for m in METRICS}
    if "tempo" in tags:
        want, have = tempo_bin(tags["tempo"]), tempo_bin(got["tempo"])
        out["TB"] = [int(want == have), 1]
        out["TBT"] = [int(abs(want - have) <= 1), 1]
    if "key" in tags:
        want = parse_key(tags["key"])
        have = got["key"]
        out["CK"] = [int(have is not None and have == want), 1]
        out["CKD"] = [int(have is not None and (have == want or have == _relative(want))), 1]
    if "meter" in tags:
        out["meter"] = [int(got["meter"] == tags["meter"]), 1]
    sounding = set(got["families"])
    if tags.get("instruments"):
        stated = set(tags["instruments"])
        out["instrument_recall"] = [len(stated & sounding), len(stated)]
        out["instrument_precision"] = [len(stated & sounding), len(sounding)]
    if tags.get("absent"):
        out["no_x"] = [sum(f not in sounding for f in tags["absent"]), len(tags["absent"])]
    return out


def run_bench(limit: int | None = None, engine: str = "learned", seed: int = 0) -> dict:
    """Generate every prompt (first ``limit`` of each style) and score its MIDI."""
    from stori.pipeline import generate
    from stori.render.midi import midi_bytes

    prompts = load_prompts()
    if limit is not None:
        prompts = [p for style in ("caption", "musician") for p in [q for q in prompts if q["style"] == style][:limit]]
    totals = {style: {m: [0, 0] for m in METRICS} for style in ("caption", "musician", "all")}
    misses, started = [], time.perf_counter()
    for p in prompts:
        got = facts(midi_bytes(generate(p["prompt"], engine=engine, seed=seed, trace=False)))
        for metric, (ok, asked) in score(p, got).items():
            for style in (p["style"], "all"):
                totals[style][metric][0] += ok
                totals[style][metric][1] += asked
            if metric in ("TB", "CK", "meter", "instrument_recall", "no_x") and ok < asked:
                misses.append({"prompt": p["prompt"], "metric": metric, "got": {
                    "TB": got["tempo"], "CK": got["key"], "meter": got["meter"]}.get(metric, got["families"])})
    pct = {style: {m: (round(100 * ok / asked, 1) if asked else None) for m, (ok, asked) in t.items()}
           for style, t in totals.items()}
    return {"prompts": len(prompts), "engine": engine, "seed": seed, "percent": pct,
            "counts": totals, "text2midi_midicaps": TEXT2MIDI, "misses": misses,
            "seconds": round(time.perf_counter() - started, 1)}


def table(res: dict) -> str:
    """The result as a Markdown table, text2midi's published figures beside ours."""
    rows = ["| metric | all | caption style | musician style | text2midi (MidiCaps) |", "|---|---|---|---|---|"]
    for m in METRICS:
        cells = []
        for style in ("all", "caption", "musician"):
            ok, asked = res["counts"][style][m]
            cells.append(f"{100 * ok / asked:.1f}% ({ok}/{asked})" if asked else "-")
        rows.append(f"| {m} | " + " | ".join(cells) + f" | {TEXT2MIDI.get(m, '-')}{'%' if m in TEXT2MIDI else ''} |")
    return "\n".join(rows)


def run(args) -> int:
    res = run_bench(args.limit, args.engine, args.seed)
    if args.json:
        print_result(res, True)
        return 0
    print(table(res))
    print(f"\n{res['prompts']} prompts, engine {res['engine']}, seed {res['seed']}, {res['seconds']:.0f} s")
    for miss in res["misses"]:
        print(f"- {miss['metric']}: {miss['prompt'][:90]!r} -> {miss['got']}")
    return 0
