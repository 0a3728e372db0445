"""How real parts repeat, measured on training data: the numbers the phrase former plays by.

POP909 train songs in 4/4, whole (:func:`stori.data.pop909.whole_song`: roles and the beat-grid
timeline from the first downbeat, so repeats across a song are counted the way the realness facts
count them, and averaged over songs as they average them). Per role, over consecutive 2-bar
windows holding loud notes (velocity >= 50): how often a window's onset rhythm (16th steps)
repeats the window before it, how often (when it does not) it restates the window two before (the
a of "a b a"), and the median note length in beats.
GMD train beats in 4/4, per GMD style: the share of 4-bar phrase ends a drummer turns around with a
fill (the realness facts' fill bars, :func:`stori.data.part_facts.drum_facts`), which sets how
often our drums fill. Per style family (:data:`stori.data.gmd.STYLE_FAMILIES`, train beats in 4/4):
how often a phrase end turns the groove around beyond what any bar does, and how the groove itself
plays toms (:func:`drum_family_rates`). POP909 and the score sets' train sections: how many
melody notes a style plays per quarter note in each meter (:func:`melody_paces`). Writes
``stori/data/phrase_stats.json``; rebuild with ``python -m stori.data.phrase_stats``.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from statistics import fmean, median

from stori.data.drum_kit import GHOST_BELOW as LOUD

STATS_PATH = Path(__file__).with_name("phrase_stats.json")


@lru_cache(maxsize=1)
def shipped() -> dict:
    """The measured stats shipped with the package."""
    return json.loads(STATS_PATH.read_text())


def role_stats(role: str) -> dict[str, float]:
    """How a POP909 part of ``role`` repeats (a role POP909 lacks plays like the harmony)."""
    roles = shipped()["roles"]
    return roles.get(role, roles["harmony"])


def drum_stats(gmd_style: str) -> dict[str, float]:
    """How GMD drummers of ``gmd_style`` fill and repeat (all styles pooled when it has no beats)."""
    styles = shipped()["drums"]
    return styles.get(gmd_style, styles["all"])


def family_stats(family: str) -> dict:
    """How GMD drummers of a style family turn phrases and play toms in the groove (all families
    pooled for one without train beats)."""
    families = shipped()["drum_families"]
    return families.get(family, families["all"])


def window_rhythms(notes: list[tuple[int, int, int, int]], step: int, per_window: int) -> dict[int, frozenset]:
    """window index -> its set of loud onset steps; ``notes`` are (pitch, start, end, velocity)."""
    out: dict[int, set] = {}
    for _, start, _, vel in notes:
        if vel >= LOUD:
            k = round(start / step)
            out.setdefault(k // per_window, set()).add(k % per_window)
    return {k: frozenset(v) for k, v in out.items()}


def repeat_counts(windows: dict[int, frozenset]) -> tuple[int, int, int, int]:
    """(pairs, repeats of the previous window, non-repeats with a window two before, restatements)."""
    pairs = prev = n2 = prev2 = 0
    for k in sorted(windows):
        if k - 1 not in windows:
            continue
        pairs += 1
        if windows[k] == windows[k - 1]:
            prev += 1
        elif k - 2 in windows:
            n2 += 1
            prev2 += windows[k] == windows[k - 2]
    return pairs, prev, n2, prev2


def melody_pace(style: str, meter: tuple[int, int]) -> float:
    """Melody notes per quarter note that real music of pitched ``style`` plays in ``meter``, over
    POP909's in 4/4 (the pace :func:`~stori.spec.constraints.emotion_to_constraints` counts its
    ``note_density`` in): the style's pooled meters where the meter had too few sections."""
    pace = shipped()["melody_pace"]
    of = pace.get(style, pace["pop"])
    return of.get(f"{meter[0]}/{meter[1]}", of["all"]) / pace["pop"]["4/4"]


PACE_SECTIONS = 20
"""Sections a style needs in a meter for its own melody pace."""


def melody_paces() -> dict[str, dict[str, float]]:
    """Median melody notes per quarter note of the train sections, per pitched style and meter."""
    from stori.data.pop909 import load_pop909_sections
    from stori.data.scores import load_score_sections

    rates: dict[str, dict[str, list[float]]] = {}
    for s in load_pop909_sections("train") + load_score_sections("train"):
        if s.notes.get("melody"):
            rate = len(s.notes["melody"]) / (s.n_bars * s.time_signature[0] * 4 / s.time_signature[1])
            by = rates.setdefault(s.style, {"all": []})
            by.setdefault(f"{s.time_signature[0]}/{s.time_signature[1]}", []).append(rate)
            by["all"].append(rate)
    return {style: {m: round(median(v), 3) for m, v in sorted(by.items()) if len(v) >= PACE_SECTIONS}
            for style, by in sorted(rates.items())}


def measure() -> dict:
    from stori.data.pop909 import whole_song
    from stori.data.splits import pop909_ids
    from stori.spec.song import PITCHED_ROLES, PPQ

    rates: dict[str, list[tuple[float, float]]] = {r: [] for r in PITCHED_ROLES}
    lengths: dict[str, list[float]] = {r: [] for r in PITCHED_ROLES}
    for sid in pop909_ids("train"):
        song = whole_song(sid)
        if song is None or song[1] != (4, 4):
            continue
        for role in PITCHED_ROLES:
            notes = [(n.pitch, n.start, n.end, n.velocity) for n in song[0].get(role, [])]
            pairs, prev, n2, prev2 = repeat_counts(window_rhythms(notes, PPQ // 4, 32))
            if pairs:
                rates[role].append((prev / pairs, prev2 / max(n2, 1)))
                lengths[role].append(median((e - s) / PPQ for _, s, e, _ in notes))
    out = {r: {"repeat_previous": fmean(a for a, _ in v), "restate_two_back": fmean(b for _, b in v),
               "median_beats": fmean(lengths[r]), "songs": len(v)} for r, v in rates.items()}
    return {"source": "POP909 train songs in 4/4, whole, beat grid, 2-bar windows of 16th onsets (velocity >= 50); "
                      "means over songs; "
                      "GMD train 4/4 beats, fill share at 4-bar phrase ends, mean over beats; "
                      "per style family, phrase-end turns and groove toms; "
                      "POP909 and score-set train sections, median melody notes per quarter note", "roles": out,
            "drums": drum_fill_rates(), "drum_families": drum_family_rates(), "melody_pace": melody_paces()}


def drum_fill_rates() -> dict[str, dict[str, float]]:
    """GMD style (and "all") -> ``at_phrase_end``: mean share of 4-bar phrase ends that hold a fill,
    ``with_toms``: the share of those fills that use a tom (the others are snare figures), and
    ``toms_per_fill``: the median loud tom hits of such a fill, over train beats, with the realness
    facts' own definition of a fill bar; ``bar_repeats`` as the realness facts measure it (mean over
    beats) and ``groove_repeats``: the share of successive bar pairs, neither a fill bar, whose loud
    kick and snare repeat exactly (pooled over pairs): how often the groove itself comes round again,
    before fills vary it."""
    from stori.data.gmd import load_performances
    from stori.data.part_facts import TOMS, drum_facts, fill_bars, kick_snare_bars, part_of
    from stori.spec.song import Note

    ends: dict[str, list[float]] = {}
    repeats: dict[str, list[float]] = {}
    toms: dict[str, list[int]] = {}
    tom_hits: dict[str, list[int]] = {}
    grooves: dict[str, list[bool]] = {}
    for p in load_performances("train", beat_type="beat"):
        if p.time_signature != (4, 4):
            continue
        part = part_of([[Note(h.raw_pitch, h.tick, h.end, h.velocity) for h in p.hits]])
        fill, end = fill_bars(part)
        tom_count: dict[int, int] = {}
        for n in part.notes:
            if n.pitch in TOMS and n.velocity >= LOUD:
                b = part.steps(n) // part.steps_per_bar
                tom_count[b] = tom_count.get(b, 0) + 1
        at_ends = [b for b, (f, e) in enumerate(zip(fill, end)) if e]
        if not at_ends:
            continue
        bar_repeats = drum_facts(part)["bar_repeats"]
        played = kick_snare_bars(part)
        same = [played[b] == played[b + 1] for b in range(len(fill) - 1)
                if not fill[b] and not fill[b + 1] and b in played and b + 1 in played]
        for key in (p.style, "all"):
            grooves.setdefault(key, []).extend(same)
            ends.setdefault(key, []).append(sum(fill[b] for b in at_ends) / len(at_ends))
            repeats.setdefault(key, []).append(bar_repeats)
            toms.setdefault(key, []).extend(int(b in tom_count) for b in at_ends if fill[b])
            tom_hits.setdefault(key, []).extend(tom_count[b] for b in at_ends if fill[b] and b in tom_count)
    return {k: {"at_phrase_end": round(fmean(v), 4), "bar_repeats": round(fmean(repeats[k]), 4),
                "groove_repeats": round(fmean(grooves[k]), 4) if grooves[k] else 0.0,
                "with_toms": round(fmean(toms[k]), 4) if toms[k] else 0.0,
                "toms_per_fill": round(median(tom_hits[k]), 1) if tom_hits.get(k) else 0.0}
            for k, v in sorted(ends.items())}


TOM_PIECES = ("high_tom", "mid_tom", "floor_tom")
NEAR = (-2, -1, 1, 2)


def groove_tom_bars(part) -> dict[int, dict[int, int]]:
    """Bar -> {16th in bar: kit tom} of the bars (but the last) whose toms are part of the groove:
    a tom falls on a 16th where one of the two bars before or after also has one (a one- or two-bar
    figure that comes round again, as the 2-bar groove does; not a one-off fill)."""
    from stori.data.drum_kit import KIT, TD11_TO_GM, TOMS

    bars: dict[int, dict[int, int]] = {}
    for n in part.notes:
        if n.pitch in TOMS:
            k = part.steps(n)
            bars.setdefault(k // part.steps_per_bar, {})[k % part.steps_per_bar] = TD11_TO_GM.get(n.pitch, n.pitch)
    last = max(part.steps(n) for n in part.notes) // part.steps_per_bar if part.notes else 0
    toms = {KIT[p] for p in TOM_PIECES}
    return {b: {s: p for s, p in steps.items() if p in toms} for b, steps in bars.items()
            if b < last and steps.keys() & set().union(*(bars.get(b + d, {}).keys() for d in NEAR))}


def drum_family_rates() -> dict[str, dict]:
    """Style family (and "all") -> what a phrase end and a groove do, over GMD train beats in 4/4:

    - ``phrase_end_turns``: the realness facts' ``fills_phrase_end`` less their ``fills_elsewhere``
      (means over beats): the share of phrase ends a drummer turns around beyond the share of any
      bar that looks like a fill (a groove on the toms, a fill mid-phrase);
    - ``tom_groove_bars``: the mean share of a beat's bars (but the last) whose toms are part of the
      groove (:func:`groove_tom_bars`); ``toms_per_bar``: their mean tom hits;
    - ``tom_steps``: where on the 16 16ths of such bars their toms fall, ``tom_pieces``: which toms
      (high, mid, floor), each as shares of their tom hits."""
    from stori.data.drum_kit import KIT
    from stori.data.gmd import FAMILY_OF, load_performances
    from stori.data.part_facts import drum_facts, part_of
    from stori.spec.song import Note

    rows: dict[str, dict[str, list]] = {}
    for p in load_performances("train", beat_type="beat"):
        if p.time_signature != (4, 4):
            continue
        part = part_of([[Note(h.raw_pitch, h.tick, h.end, h.velocity) for h in p.hits]])
        facts = drum_facts(part)
        n_bars = max(part.steps(n) for n in part.notes) // part.steps_per_bar
        grooved = groove_tom_bars(part)
        for key in (FAMILY_OF.get(p.style, "other"), "all"):
            r = rows.setdefault(key, {"end": [], "else": [], "bars": [], "per_bar": [], "steps": [], "pieces": []})
            if facts["fills_phrase_end"] == facts["fills_phrase_end"]:  # not NaN: the beat has a phrase end
                r["end"].append(facts["fills_phrase_end"])
                r["else"].append(facts["fills_elsewhere"])
            r["bars"].append(len(grooved) / max(n_bars, 1))
            r["per_bar"] += [len(steps) for steps in grooved.values()]
            r["steps"] += [s for steps in grooved.values() for s in steps]
            r["pieces"] += [p for steps in grooved.values() for p in steps.values()]
    out = {}
    for key, r in sorted(rows.items()):
        hits = max(len(r["steps"]), 1)
        out[key] = {"phrase_end_turns": round(max(0.0, fmean(r["end"]) - fmean(r["else"])), 4),
                    "tom_groove_bars": round(fmean(r["bars"]), 4),
                    "toms_per_bar": round(fmean(r["per_bar"]), 2) if r["per_bar"] else 0.0,
                    "tom_steps": [round(r["steps"].count(s) / hits, 4) for s in range(16)],
                    "tom_pieces": {t: round(r["pieces"].count(KIT[t]) / hits, 4) for t in TOM_PIECES},
                    "beats": len(r["bars"])}
    return out


if __name__ == "__main__":
    stats = measure()
    STATS_PATH.write_text(json.dumps(stats, indent=1) + "\n")
    print(json.dumps(stats, indent=1))
