"""A song summed up in a few lines of Markdown: what the studio shows and API clients get."""
from __future__ import annotations

from stori.spec.song import Song


def metrics_markdown(song: Song) -> str:
    """A short summary a musician reads at a glance: form, length, and what each track plays."""
    bars = song.end_tick / song.ticks_per_bar if song.ticks_per_bar else 0
    num, den = song.time_signature
    head = [f"{song.key}", f"{song.tempo:g} BPM", f"{num}/{den}", f"{bars:.0f} bars", f"{song.duration_s:.0f} s",
            f"{len(song.sections)} sections", f"{len(song.traces)} decisions traced"]
    title = f"### {song.spec.title}\n" if song.spec else ""
    planner = song.spec.extra.get("planner") if song.spec else None
    if planner:  # says when the offline planner stood in for an LLM, and why
        head.append(f"planned by the {planner} planner" if not planner.startswith("offline (") else
                    f"planned offline: {planner[len('offline ('):-1]}")
    rows = ["| track | notes | per bar | pitch range | mean velocity |", "|---|---:|---:|---|---:|"]
    for t in song.tracks:
        if not t.notes:
            continue
        pitches = [n.pitch for n in t.notes]
        vel = sum(n.velocity for n in t.notes) / len(t.notes)
        rows.append(f"| {t.name} | {len(t.notes)} | {len(t.notes) / max(bars, 1):.1f} | {min(pitches)}–{max(pitches)} "
                    f"| {vel:.0f} |")
    return title + " · ".join(head) + "\n\n" + "\n".join(rows)
