"""``python -m stori drums-report``: per style, what its drums measure: swing, density, hat
subdivision, backbeat snare offset, ghost share; beside what the style documents.

Measured on ``--seeds`` patterns of ``--bars`` bars of 4/4 verse at the style's default tempo.
Swing is the median phase of off-beat hits (those 40-72% into their pair) as % of the pair (8ths:
the "and" in the beat; 16ths: the "e"/"a" in their 8th); 50 is straight, 66.7 triplet.
"""
from __future__ import annotations

import argparse
import json
import statistics

from stori.data.drum_kit import SNARES, kit
from stori.spec.song import PPQ, Song

TIME_KEEPING = kit("closed_hat", "open_hat", "ride")


def measure(song: Song) -> dict[str, float]:
    """Swing (8th, 16th), hits per bar, hat subdivision (hits per 4/4 bar at the median gap),
    median offset in ms of loud snares (velocity >= 50) from the beat they sit on, ghost share of snare hits."""
    notes = song.tracks[0].notes
    ms_per_tick = 60000.0 / (song.tempo * PPQ)
    step = PPQ // 4
    swing8, swing16 = [], []
    for n in notes:  # an off-beat lies between 40% (early straight) and 72% (past triplet) of its pair
        phase8, phase16 = (n.start % PPQ) / PPQ, (n.start % (PPQ // 2)) / (PPQ // 2)
        if 0.4 <= phase8 <= 0.72:
            swing8.append(100.0 * phase8)
        if 0.4 <= phase16 <= 0.72:
            swing16.append(100.0 * phase16)
    hats = sorted({n.start for n in notes if n.pitch in TIME_KEEPING})
    gaps = [b - a for a, b in zip(hats, hats[1:])]
    loud = [n for n in notes if n.pitch in SNARES and n.velocity >= 50 and round(n.start / step) % 4 == 0]  # on a beat
    snares = [n for n in notes if n.pitch in SNARES]
    bars = max(1, song.end_tick // song.ticks_per_bar)
    return {
        "swing8": statistics.median(swing8) if swing8 else 50.0,
        "swing16": statistics.median(swing16) if swing16 else 50.0,
        "density": len(notes) / bars,
        "hat_subdivision": 4 * PPQ / statistics.median(gaps) if gaps else 0.0,
        "snare_offset_ms": (statistics.median((n.start - round(n.start / step) * step) * ms_per_tick for n in loud)
                            if loud else 0.0),
        "ghost_share": sum(n.velocity < 40 for n in snares) / len(snares) if snares else 0.0,
    }


def style_table(bars: int = 8, seeds: int = 4, humanize: bool = True, source: str = "auto") -> dict[str, dict]:
    from stori.perform.drums import make_drums
    from stori.perform.styles import STYLES

    table = {}
    for name, st in STYLES.items():
        rows = [measure(make_drums(name, bars, st.default_tempo, "4/4", humanize, "verse", seed, source=source))
                for seed in range(seeds)]
        table[name] = {k: round(statistics.fmean(r[k] for r in rows), 2) for k in rows[0]}
        table[name]["documented"] = {"swing": st.swing, "swing_unit": st.swing_unit,
                                     "hat_subdivision": st.hat_subdivision,
                                     "snare_feel_ms": st.feel_ms.get(st.snare_piece, 0.0), "density": list(st.density),
                                     "ghost_rate": st.ghost_rate, "tempo": st.default_tempo, "gmd_style": st.gmd_style}
    return table


def markdown(table: dict[str, dict]) -> str:
    lines = ["| style | tempo | swing 8th % | swing 16th % (doc) | hits/bar (bounds) | hat subdiv. (doc) | snare "
             "offset ms (feel) | ghost share |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in table.items():
        d = r["documented"]
        lines.append(f"| {name} | {d['tempo']} | {r['swing8']:.1f} | {r['swing16']:.1f} ({d['swing']:g} on "
                     f"{d['swing_unit']}ths) | {r['density']:.1f} ({d['density'][0]:g}-{d['density'][1]:g}) | "
                     f"{r['hat_subdivision']:.1f} ({d['hat_subdivision']}) | {r['snare_offset_ms']:+.1f} "
                     f"({d['snare_feel_ms']:+g}) | {r['ghost_share']:.2f} |")
    return "\n".join(lines)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bars", type=int, default=8)
    p.add_argument("--seeds", type=int, default=4)
    p.add_argument("--humanize", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--source", default="auto", help="auto, learned, rules")
    p.add_argument("--out", help="write the table as JSON here (and print it as Markdown)")


def run(args) -> int:
    from pathlib import Path

    table = style_table(args.bars, args.seeds, args.humanize, args.source)
    print(markdown(table))
    if args.out:
        Path(args.out).write_text(json.dumps(table, indent=1) + "\n")
    return 0
