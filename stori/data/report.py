"""``python -m stori data-report``: what the training data holds, measured.

POP909 counts and hours per split, attribute distributions per role, sanity facts (registers,
chord tones on strong beats), chorus-minus-verse differences per song, the Groove MIDI
Dataset's counts and hours, and the MusicXML sets' (Lieder, OpenEWLD) counts and hours per split
and per meter (their first run parses every score, which takes a while; then it is cached).
Writes Markdown to stdout or ``--out``; ``--json`` prints the numbers.
"""
from __future__ import annotations

import json
import math
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from stori.data.attributes import ATTRIBUTE_NAMES, chord_tone_counts, section_attributes
from stori.data.samples import SectionSample
from stori.data.splits import SPLITS
from stori.spec.song import PITCHED_ROLES, PPQ, bar_ticks

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
CONTRAST = ("mean_velocity", "note_density", "mean_pitch")


def add_arguments(parser) -> None:
    parser.add_argument("--data-dir", default=None, help="dataset root (default ../shared/data or $STORI_DATA_DIR)")
    parser.add_argument("--out", default=None, help="write the Markdown report here instead of stdout")
    parser.add_argument("--json", action="store_true", help="print the measured numbers as one JSON object")


def run(args) -> int:
    from stori.data.pop909 import load_pop909

    pop = load_pop909(args.data_dir)
    report = {"pop909": pop909_summary(pop["splits"], pop["stats"]), "gmd": gmd_summary(args.data_dir),
              "scores": scores_summary(args.data_dir)}
    if args.json:
        print(json.dumps(report, indent=1, default=_json_nan))
        return 0
    text = to_markdown(report)
    if args.out:
        Path(args.out).write_text(text)
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0


def _json_nan(value):
    return None


def seconds(sample: SectionSample) -> float:
    return sample.n_bars * bar_ticks(sample.time_signature) / PPQ * 60.0 / sample.tempo


def song_of(sample: SectionSample) -> str:
    return sample.source.split("#")[0]


def quantiles(values: list[float]) -> list[float]:
    values = sorted(v for v in values if not math.isnan(v))
    if not values:
        return []
    return [values[min(len(values) - 1, int(q * len(values)))] for q in QUANTILES]


def all_parts(sample: SectionSample) -> list:
    return [n for role in PITCHED_ROLES for n in sample.notes.get(role, [])]


def pop909_summary(splits: dict[str, list[SectionSample]], stats: dict) -> dict:
    every = [s for split in SPLITS for s in splits[split]]
    counts = {split: {"songs": len({song_of(s) for s in splits[split]}), "sections": len(splits[split]),
                      "bars": sum(s.n_bars for s in splits[split]),
                      "hours": round(sum(seconds(s) for s in splits[split]) / 3600, 2),
                      "section_types": dict(Counter(s.section_type for s in splits[split]).most_common())}
              for split in SPLITS}
    attrs: dict[str, list] = defaultdict(list)  # role -> per-section Attributes, in `every` order
    for s in every:
        tpb = bar_ticks(s.time_signature)
        for role in PITCHED_ROLES:
            attrs[role].append(section_attributes(s.notes.get(role, []), s.n_bars, tpb, s.chords))
        attrs["all"].append(section_attributes(all_parts(s), s.n_bars, tpb, s.chords))
    distributions = {role: {name: [round(v, 3) for v in quantiles([getattr(a, name) for a in rows])]
                            for name in ATTRIBUTE_NAMES} for role, rows in attrs.items()}
    return {"counts": counts, "build": stats, "sanity": sanity(splits), "distributions": distributions,
            "quantiles": list(QUANTILES), "verse_vs_chorus": verse_vs_chorus(every, attrs)}


def _pooled_ratio(samples: list[SectionSample], role: str, strong: bool) -> float:
    """Chord tones among all counted notes of ``role`` over ``samples`` (not a mean of section ratios)."""
    hits = total = 0
    for s in samples:
        tones, n, strong_tones, n_strong = chord_tone_counts(s.notes.get(role, []), s.chords,
                                                             bar_ticks(s.time_signature))
        hits += strong_tones if strong else tones
        total += n_strong if strong else n
    return round(hits / total, 4) if total else float("nan")


def sanity(splits: dict[str, list[SectionSample]]) -> dict:
    every = [s for split in SPLITS for s in splits[split]]
    mel = [n.pitch for s in every for n in s.notes.get("melody", [])]
    bass = [n.pitch for s in every for n in s.notes.get("bass", [])]
    return {
        "melody_share_in_60_84": round(sum(60 <= p <= 84 for p in mel) / len(mel), 4) if mel else None,
        "bass_share_below_55": round(sum(p < 55 for p in bass) / len(bass), 4) if bass else None,
        "melody_strong_beat_chord_tone_ratio": {split: _pooled_ratio(splits[split], "melody",
                                                                     True) for split in SPLITS},
        "melody_chord_tone_ratio": {split: _pooled_ratio(splits[split], "melody", False) for split in SPLITS},
        "bass_strong_beat_chord_tone_ratio": {split: _pooled_ratio(splits[split], "bass", True) for split in SPLITS},
    }


def verse_vs_chorus(every: list[SectionSample], attrs: dict[str, list]) -> dict:
    """Per song with both a verse and a chorus: mean over its choruses minus mean over its verses."""
    out = {}
    for role in ("melody", "all"):
        per_song: dict[str, dict[str, list]] = defaultdict(lambda: {"verse": [], "chorus": []})
        for s, a in zip(every, attrs[role]):
            if s.section_type in ("verse", "chorus"):
                per_song[song_of(s)][s.section_type].append(a)
        role_out = {}
        for name in CONTRAST:
            diffs, verse_means, chorus_means = [], [], []
            for parts in per_song.values():
                v = [getattr(a, name) for a in parts["verse"] if not math.isnan(getattr(a, name))]
                c = [getattr(a, name) for a in parts["chorus"] if not math.isnan(getattr(a, name))]
                if v and c:
                    verse_means.append(statistics.fmean(v))
                    chorus_means.append(statistics.fmean(c))
                    diffs.append(chorus_means[-1] - verse_means[-1])
            if not diffs:
                continue
            sem = statistics.stdev(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 else float("nan")
            role_out[name] = {"songs": len(diffs), "verse_mean": round(statistics.fmean(verse_means), 3),
                              "chorus_mean": round(statistics.fmean(chorus_means), 3),
                              "mean_diff": round(statistics.fmean(diffs), 3), "sem": round(sem, 3),
                              "median_diff": round(statistics.median(diffs), 3),
                              "share_songs_chorus_higher": round(sum(d > 0 for d in diffs) / len(diffs), 3)}
        out[role] = role_out
    return out


def gmd_summary(data_dir) -> dict:
    """Counts and hours of the Groove MIDI Dataset per official split, from :mod:`stori.data.gmd`."""
    from stori.data.gmd import load_gmd_sections, load_performances

    out = {}
    for split in SPLITS:
        perfs = load_performances(split, data_dir)
        out[split] = {"performances": len(perfs), "beats": sum(p.beat_type == "beat" for p in perfs),
                      "fills": sum(p.beat_type == "fill" for p in perfs),
                      "hours": round(sum(p.duration for p in perfs) / 3600, 2),
                      "sections_4_bars": len(load_gmd_sections(split, data_dir)),
                      "styles": dict(Counter(p.style for p in perfs).most_common())}
    return out


def scores_summary(data_dir, ids: dict[str, list[str]] | None = None) -> dict:
    """Per MusicXML set: pieces read and left out, and pieces, stretches, bars and hours per split
    and per meter, from :mod:`stori.data.scores` (only the pieces ``ids[set]`` when given)."""
    from stori.data.scores import SETS, load_set

    out = {}
    for name in SETS if ids is None else ids:
        pieces = load_set(name, data_dir, ids=None if ids is None else ids[name], progress=True)
        read = [p for p in pieces if p.sections]

        def row(ps, meter=None):
            ss = [s for p in ps for s in p.sections if meter is None or "{}/{}".format(*s.time_signature) == meter]
            return {"pieces": len({song_of(s) for s in ss}), "stretches": len(ss), "bars": sum(s.n_bars for s in ss),
                    "hours": round(sum(seconds(s) for s in ss) / 3600, 2)}

        meters = Counter("{}/{}".format(*s.time_signature) for p in read for s in p.sections)
        out[name] = {"pieces": len(pieces), "read": len(read),
                     "left_out": dict(Counter(p.error.split(":")[0] for p in pieces if not p.sections)),
                     "bars_left_out": sum(p.bars_left_out for p in pieces),
                     "tempo_marked": sum(p.tempo_marked for p in read), "with_chords": sum(p.analysed for p in read),
                     "splits": {split: row([p for p in read if p.split == split]) for split in SPLITS},
                     "meters": {m: row(read, m) for m, _ in meters.most_common()}}
    return out


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:g}" if isinstance(v, float) else str(v)


def to_markdown(report: dict) -> str:
    pop, gmd = report["pop909"], report["gmd"]
    lines = ["# Stori data report", "", "## POP909 (with pop909-structure labels)", "",
             "| split | songs | sections | bars | hours | section types |", "|---|---|---|---|---|---|"]
    for split, c in pop["counts"].items():
        types = ", ".join(f"{k} {v}" for k, v in c["section_types"].items())
        lines.append(f"| {split} | {c['songs']} | {c['sections']} | {c['bars']} | {c['hours']} | {types} |")
    lines += ["", f"Build: {pop['build'].get('build_s')} s; dropped: "
              + (", ".join(f"{k} {v}" for k, v in pop["build"].get("dropped", {}).items()) or "nothing")
              + "; melody.txt notes lined up with the MIDI melody: "
                f"{_fmt(pop['build'].get('melody_txt_notes_matched'))}", ""]
    s = pop["sanity"]
    lines += ["### Sanity", "",
              f"- melody notes in MIDI 60–84: {_fmt(s['melody_share_in_60_84'])}",
              f"- bass notes below 55: {_fmt(s['bass_share_below_55'])}",
              "- melody notes on strong beats that are chord tones: "
              + ", ".join(f"{k} {_fmt(v)}" for k, v in s["melody_strong_beat_chord_tone_ratio"].items()),
              "- melody chord-tone ratio (all notes): "
              + ", ".join(f"{k} {_fmt(v)}" for k, v in s["melody_chord_tone_ratio"].items()),
              "- bass notes on strong beats that are chord tones: "
              + ", ".join(f"{k} {_fmt(v)}" for k, v in s["bass_strong_beat_chord_tone_ratio"].items()), ""]
    qs = " / ".join(f"q{int(q * 100)}" for q in pop["quantiles"])
    lines += ["### Section attributes per role", "", f"Quantiles {qs} over sections (all splits).", ""]
    for role, dist in pop["distributions"].items():
        lines += [f"**{role}**", "", "| attribute | " + qs + " |", "|---|---|"]
        lines += [f"| {name} | " + " / ".join(_fmt(v) for v in vals) + " |" for name, vals in dist.items()]
        lines.append("")
    lines += ["### Chorus minus verse (per song, then averaged)", "",
              "| part | attribute | songs | verse | chorus | chorus − verse (± s.e.) | median | songs with chorus "
              "higher |",
              "|---|---|---|---|---|---|---|---|"]
    for role, rows in pop["verse_vs_chorus"].items():
        for name, r in rows.items():
            lines.append(f"| {role} | {name} | {r['songs']} | {r['verse_mean']} | {r['chorus_mean']} | "
                         f"{r['mean_diff']:+} ± {r['sem']} | {r['median_diff']:+} | {r['share_songs_chorus_higher']} |")
    lines += ["", "## Groove MIDI Dataset (official split)", "",
              "| split | performances | beats | fills | hours | 4-bar sections | styles |",
              "|---|---|---|---|---|---|---|"]
    for split, g in gmd.items():
        styles = ", ".join(f"{k} {v}" for k, v in g["styles"].items())
        lines.append(f"| {split} | {g['performances']} | {g['beats']} | {g['fills']} | {g['hours']} | "
                     f"{g['sections_4_bars']} | {styles} |")
    for name, sc in report.get("scores", {}).items():
        left = ", ".join(f"{k} {v}" for k, v in sc["left_out"].items()) or "none"
        lines += ["", f"## {name} (MusicXML)", "",
                  f"{sc['read']} of {sc['pieces']} pieces read (left out: {left}); {sc['bars_left_out']} bars in "
                  f"lone bars of another meter left out; {sc['tempo_marked']} with a tempo mark, a number or a "
                  f"word music21 reads (the rest at 100 BPM); {sc['with_chords']} with chords.", "",
                  "| split or meter | pieces | stretches | bars | hours |", "|---|---|---|---|---|"]
        for label, rows in (("", sc["splits"]), ("meter ", sc["meters"])):
            lines += [f"| {label}{k} | {r['pieces']} | {r['stretches']} | {r['bars']} | {r['hours']} |"
                      for k, r in rows.items()]
    return "\n".join(lines) + "\n"
