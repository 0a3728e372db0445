"""Rules every drum output obeys, a check that lists what breaks them and a repair that fixes it.

- GM drum notes 35..81 only (anything else folds onto the canonical kit).
- Density: hits per 4/4 bar within the style's bounds (scaled by the bar's length).
- Playable: at once (onsets within ``AT_ONCE_MS``) at most two hands and two feet (four limbs), never a
  closed (42) or pedal (44) hi-hat with an open one (46), and no two hits of one piece closer than
  ``MIN_GAP_MS`` unless they form a roll (three or more hits of a hand piece, evenly spaced, no
  faster than ``ROLL_MIN_MS``) or a flam (a softer grace note just before the main stroke).
"""
from __future__ import annotations

from dataclasses import replace

from stori.data.drum_kit import KICKS, KIT, kit, to_kit
from stori.perform.styles import DrumStyle
from stori.spec.song import PPQ, Note

AT_ONCE_MS = 15.0
MIN_GAP_MS = 30.0
ROLL_MIN_MS = 20.0
FEET = KICKS | {KIT["pedal_hat"]}
CLOSED_HATS = set(kit("closed_hat", "pedal_hat"))
OPEN_HAT = KIT["open_hat"]
# Which hand hit gives way first when too many sound at once (lower goes first).
_HAND_PRIORITY = {KIT[p]: rank for rank, pieces in ((5, ("snare", "clap")), (4, ("side_stick", "crash", "crash2")),
                                                   (3, ("floor_tom", "mid_tom", "high_tom")),
                                                   (2, ("open_hat", "ride", "ride_bell")), (1, ("closed_hat",)))
                  for p in pieces}


def _ms(tick: int, tempo: float) -> float:
    return tick * 60000.0 / (tempo * PPQ)


def _groups(notes: list[Note], tempo: float) -> list[list[Note]]:
    """Hits sounding at once: chains of onsets each within AT_ONCE_MS of the group's first."""
    out: list[list[Note]] = []
    for n in sorted(notes, key=lambda n: (n.start, n.pitch)):
        if out and _ms(n.start - out[-1][0].start, tempo) <= AT_ONCE_MS:
            out[-1].append(n)
        else:
            out.append([n])
    return out


def _exempt_pairs(hits: list[Note], tempo: float) -> set[int]:
    """Indices i whose close gap (hits[i-1] -> hits[i]) belongs to a roll or a flam."""
    gaps = [_ms(b.start - a.start, tempo) for a, b in zip(hits, hits[1:])]
    ok: set[int] = set()
    i = 0
    while i < len(gaps):  # rolls: runs of >= 2 close, even, not-too-fast gaps (>= 3 hits)
        j = i
        while j < len(gaps) and ROLL_MIN_MS <= gaps[j] < MIN_GAP_MS * 2 and abs(gaps[j] - gaps[i]) <= 0.35 * gaps[i]:
            j += 1
        if j - i >= 2 and hits[i].pitch not in FEET:
            ok.update(range(i + 1, j + 1))
        i = max(j, i + 1)
    for k, g in enumerate(gaps):  # flams: a soft grace note, then the stroke
        if g < MIN_GAP_MS and hits[k].velocity <= 0.75 * hits[k + 1].velocity and hits[k].pitch not in FEET:
            ok.add(k + 1)
    return ok


def check_drums(notes: list[Note], style: DrumStyle, tempo: float, ticks_per_bar: int, bars: int) -> list[str]:
    """Every rule the part breaks, one line each; empty when valid and playable."""
    problems = [f"note {n.pitch} at tick {n.start} is outside GM drums 35..81"
                for n in notes if not 35 <= n.pitch <= 81]
    lo, hi = density_bounds(style, ticks_per_bar)
    per_bar = len(notes) / max(1, bars)
    if not lo <= per_bar <= hi:
        problems.append(f"density {per_bar:.1f} hits per bar is outside {lo:.1f}..{hi:.1f} for {style.name}")
    for g in _groups(notes, tempo):
        hands = [n for n in g if n.pitch not in FEET]
        feet = [n for n in g if n.pitch in FEET]
        if len(hands) > 2 or len(feet) > 2:
            problems.append(f"{len(hands)} hands and {len(feet)} feet at once at tick {g[0].start}")
        pitches = {n.pitch for n in g}
        if OPEN_HAT in pitches and pitches & CLOSED_HATS:
            problems.append(f"closed and open hi-hat together at tick {g[0].start}")
    for pitch in {n.pitch for n in notes}:
        hits = sorted((n for n in notes if n.pitch == pitch), key=lambda n: n.start)
        exempt = _exempt_pairs(hits, tempo)
        for i in range(1, len(hits)):
            gap = _ms(hits[i].start - hits[i - 1].start, tempo)
            if gap < MIN_GAP_MS and i not in exempt:
                problems.append(f"two hits of {pitch} {gap:.0f} ms apart at tick {hits[i].start}")
    return problems


def density_bounds(style: DrumStyle, ticks_per_bar: int) -> tuple[float, float]:
    """The style's hits-per-bar bounds for a bar of this length."""
    scale = ticks_per_bar / (4 * PPQ)
    return style.density[0] * scale, style.density[1] * scale


def repair_drums(notes: list[Note], style: DrumStyle, tempo: float, ticks_per_bar: int, bars: int) -> list[Note]:
    """The part with every broken rule fixed by the smallest change: fold foreign notes onto the
    kit; at once, drop the hand hits that matter least and the closed hat under an open one; space
    too-close hits of a piece (move the later one if it fits, else drop the softer); then drop the
    softest hits above the density bound, or add 8th hats below it. Repeated while a fix broke
    another rule (a moved hit landing on others)."""
    for _ in range(4):
        if not check_drums(notes, style, tempo, ticks_per_bar, bars):
            break
        notes = _repair_once(notes, style, tempo, ticks_per_bar, bars)
    return sorted(notes, key=lambda n: (n.start, n.pitch))


def _repair_once(notes: list[Note], style: DrumStyle, tempo: float, ticks_per_bar: int, bars: int) -> list[Note]:
    out = [replace(n, pitch=to_kit(n.pitch)) if not 35 <= n.pitch <= 81 else n for n in notes]
    kept: list[Note] = []
    for g in _groups(out, tempo):
        pitches = {n.pitch for n in g}
        if OPEN_HAT in pitches:
            g = [n for n in g if n.pitch not in CLOSED_HATS]
        hands = sorted((n for n in g if n.pitch not in FEET),
                       key=lambda n: (_HAND_PRIORITY.get(n.pitch, 0), n.velocity))
        feet = sorted((n for n in g if n.pitch in FEET), key=lambda n: (n.pitch == KIT["kick"], n.velocity))
        kept += hands[-2:] + feet[-2:]
    out = _space(kept, tempo)
    lo, hi = density_bounds(style, ticks_per_bar)
    if len(out) > hi * bars:
        by_weight = sorted(out, key=lambda n: (n.pitch in kit("kick", "snare", "clap", "crash"), n.velocity, -n.start))
        drop = set(map(id, by_weight[:len(out) - int(hi * bars)]))
        out = [n for n in out if id(n) not in drop]
    if len(out) < lo * bars:
        out = _add_hats(out, style, ticks_per_bar, bars, int(lo * bars + 0.999) - len(out), tempo)
    return out


def _space(notes: list[Note], tempo: float) -> list[Note]:
    out: list[Note] = []
    for pitch in sorted({n.pitch for n in notes}):
        hits = sorted((n for n in notes if n.pitch == pitch), key=lambda n: n.start)
        exempt = _exempt_pairs(hits, tempo)
        min_ticks = int(MIN_GAP_MS * tempo * PPQ / 60000.0) + 1
        kept: list[Note] = []
        for i, n in enumerate(hits):
            if kept and i not in exempt and n.start - kept[-1].start < min_ticks:
                nxt = hits[i + 1].start if i + 1 < len(hits) else None
                moved = kept[-1].start + min_ticks
                if nxt is None or nxt - moved >= min_ticks:
                    n = replace(n, start=moved, end=moved + (n.end - n.start))
                elif n.velocity > kept[-1].velocity:
                    kept[-1] = n
                    continue
                else:
                    continue
            kept.append(n)
        out += kept
    return out


def _add_hats(notes: list[Note], style: DrumStyle, ticks_per_bar: int, bars: int, missing: int,
              tempo: float) -> list[Note]:
    """Closed hats on free 8ths, then free 16ths (no hand hit within the minimum gap), until the
    part is dense enough."""
    busy = [n.start for n in notes if n.pitch not in FEET]
    min_ticks = MIN_GAP_MS * tempo * PPQ / 60000.0
    added: list[Note] = []
    for step in (PPQ // 2, PPQ // 4):
        for t in range(0, bars * ticks_per_bar, step):
            if len(added) < missing and all(abs(t - b) >= min_ticks for b in busy):
                added.append(Note(KIT["closed_hat"], t, t + PPQ // 4, style.velocity[1] - 20))
                busy.append(t)
    return notes + added
