"""Producer-style drums: ``make_drums(style, bars, tempo, ...) -> Song``.

The steps, each recorded as a trace on the song:
1. a pattern of kick, snare, toms and cymbals (:mod:`stori.perform.drum_patterns`: the learned
   generator conditioned on the style, or the style's rules when no checkpoint is shipped);
2. the style's shaping: anchors (every "9" of its kick/snare tendencies), the snare piece, ghost
   notes, the time-keeping line (hat or ride at its subdivision, open hats, rolls, hat pedal), and
   a tom figure in the groove as often as GMD drummers of its family keep one (:func:`groove_toms`);
3. the pattern type (intro thins, chorus crashes and opens up, bridge moves to the ride, fill ends
   on a tom run, outro fades to a last hit, break drops to the bones);
4. swing on the style's unit; with ``humanize`` the groove model (:func:`groove_drums`, GMD style)
   then the style's own feel (``feel_ms``: Dilla's rushed snare and late hats);
5. validation with repair (:mod:`stori.perform.validate`): every output is checked.
"""
from __future__ import annotations

import random
from dataclasses import replace

from stori.data.drum_kit import DRUM_KITS, GHOST_BELOW, KICKS, KIT, PIECE_OF, SNARES, kit, on_its_side
from stori.data.gmd import FAMILY_OF
from stori.data.phrase_stats import TOM_PIECES, drum_stats, family_stats
from stori.errors import StoriError, check_range
from stori.perform.drum_patterns import (
    METERS,
    PHRASE_BARS,
    STEP,
    Grid,
    Slot,
    bar_slots,
    learned_pattern,
    meter_name,
    phrase_request,
    rules_pattern,
)
from stori.perform.styles import DrumStyle, get_style
from stori.perform.validate import check_drums, repair_drums
from stori.spec.song import DRUM_CHANNEL, PPQ, Note, SectionSpan, Song, Track, bar_ticks
from stori.trace import TraceRecorder, because

PATTERN_TYPES = ("intro", "verse", "chorus", "bridge", "fill", "outro", "break")
SOURCES = ("auto", "learned", "rules")
KICK, SNARE, CLOSED, PEDAL, OPEN, CRASH, RIDE = kit("kick", "snare", "closed_hat", "pedal_hat", "open_hat", "crash",
                                                    "ride")
TOMS = kit(*TOM_PIECES)


def check_request(style, bars, tempo, time_signature, pattern_type, source="auto") -> tuple[DrumStyle, int, float, str]:
    st = get_style(style)
    if isinstance(bars, bool) or not isinstance(bars, (int, float)) or bars != int(bars) or not 1 <= bars <= 32:
        raise StoriError("bars", f"{bars!r} is not a bar count", "1..32")
    tempo = check_range("tempo", tempo, 40, 240)
    meter = meter_name(time_signature)
    if meter not in METERS:
        raise StoriError("time_signature", f"{time_signature!r} is not supported for drums", ", ".join(METERS))
    if pattern_type not in PATTERN_TYPES:
        raise StoriError("pattern_type", f"{pattern_type!r} is not a pattern type", ", ".join(PATTERN_TYPES))
    if source not in SOURCES:
        raise StoriError("source", f"{source!r} is unknown", ", ".join(SOURCES))
    return st, int(bars), tempo, meter


def make_drums(style: str, bars: int, tempo: float, time_signature: str = "4/4", humanize: bool = True,
               pattern_type: str = "verse", seed: int = 0, source: str = "auto", generator=None) -> Song:
    """A one-track drum Song (channel 10) in ``style``; same arguments, same song."""
    st, bars, tempo, meter = check_request(style, bars, tempo, time_signature, pattern_type, source)
    rng = random.Random(f"{st.name}:{bars}:{tempo}:{meter}:{pattern_type}:{seed}")
    grid, used, why = _pattern(st, meter, bars, tempo, pattern_type, rng, seed, source, generator)
    num, den = map(int, meter.split("/"))
    ticks_per_bar = bar_ticks((num, den))
    # a loop of a phrase or more turns back to its start as a section turns into the next: its last bar may fill
    turn = turn_chance(st, pattern_type) if bars >= PHRASE_END else 0.0
    notes, form = drum_part(st, meter, grid, tempo, pattern_type, rng, fill_end=turn)
    if humanize:
        from stori.perform.humanize import groove_drums

        notes = groove_drums(notes, tempo, ticks_per_bar, st.gmd_style, amount=0.8, seed=seed, groove=st.groove)
        notes = _feel(notes, st, tempo, rng)
    problems = check_drums(notes, st, tempo, ticks_per_bar, bars)
    notes = repair_drums(notes, st, tempo, ticks_per_bar, bars)
    track = Track(f"Drums ({st.title})", "drums", DRUM_KITS[st.kit], DRUM_CHANNEL, notes)
    song = Song([track], [SectionSpan("s1", pattern_type, 0, bars * ticks_per_bar)], tempo, (num, den))
    rec = TraceRecorder()
    rec.record("pattern_source", "drums", used,
               [because("source", source, why, 1.0),
                because("gmd_style", st.gmd_style,
                        "the learned model and the groove model are conditioned on the nearest GMD style", 0.8)],
               principle="the notes come from a model trained on real drummers; the style shapes them")
    record_form(rec, "drums", form)
    rec.record("style", "drums", st.name,
               [because("swing", st.swing, f"off-beat {st.swing_unit}ths land at {st.swing}% of the pair", 0.6),
                because("hat_subdivision", st.hat_subdivision, f"{st.hat_piece} keeps time in {st.hat_subdivision}ths",
                        0.6),
                because("ghost_rate", st.ghost_rate, "ghost snares between the backbeats", 0.4),
                because("feel_ms", st.feel_ms,
                        "pieces lean ahead or behind the grid" if humanize else "not applied: quantized", 0.5)],
               principle=st.about)
    rec.record("validation", "drums", "repaired" if problems else "valid",
               [because("problems_repaired", len(problems), "; ".join(problems[:3]) or "none", 1.0)],
               principle="every drum output is playable: four limbs, one hi-hat state, 30 ms between hits of a piece")
    song.traces = rec.traces
    return song


def _pattern(st, meter, bars, tempo, pattern_type, rng, seed, source, generator) -> tuple[Grid, str, str]:
    if source != "rules":
        try:
            gen = generator or style_generator(st)
            (phrase,), _ = gen.generate([phrase_request(st, tempo, pattern_type, bars)], seed=seed)
            return (learned_pattern(st, meter, bars, phrase, rng), "learned",
                    "learned generator conditioned on style, section, tempo and density bin"
                    + (f", with the adapter learned from {st.name}'s files" if st.adapter else ""))
        except StoriError as err:
            if source == "learned":
                raise
            reason = f"learned generator unavailable ({err}); rule-based style sketch used"
    else:
        reason = "rule-based style sketch requested"
    return rules_pattern(st, meter, bars, rng), "rules", reason


def style_generator(st: DrumStyle):
    """The generator that plays ``st``: the shipped one, or for a learned style the shipped one with
    the style's adapter merged in."""
    if st.adapter:
        from stori.model.adapters import adapted_generator

        return adapted_generator(st.adapter)
    from stori.model.generator import load_generator

    return load_generator()


BEHAVIOUR_DENSITY = {"sparse": 0.6, "steady": 1.0, "build": 1.0, "half_time": 0.8, "driving": 1.25}
"""How many of the style's hits per bar each planned drum behaviour asks of the model."""


DRIVE_MOTION, STILL_MOTION = 0.75, 0.2
"""Motion at or above which the time-keeping line doubles its rate, at or below which it halves it."""


def behaved(st: DrumStyle, behaviour: str, motion: float = 0.5) -> DrumStyle:
    """The style as a planned behaviour plays it: ``sparse`` drops ghosts, rolls and open hats, keeps
    time at half the rate (8ths become quarters), plays the backbeat as a cross-stick (a drummer's
    quiet verse; claps stay claps) and asks the model for fewer hits; ``half_time`` puts the
    backbeat on 3, ``driving`` opens the hats twice as often. The section's ``motion`` then sets the
    rhythmic drive of the time-keeping line: doubled (up to 16ths) from DRIVE_MOTION, halved (down to
    quarters) up to STILL_MOTION."""
    if behaviour == "sparse":
        st = replace(st, ghost_rate=0.0, roll_prob=0.0, open_hat_prob=0.0, hat_subdivision=st.hat_subdivision // 2,
                     snare_piece="side_stick" if st.snare_piece == "snare" else st.snare_piece)
    elif behaviour == "half_time":
        st = replace(st, snare="0000000090000000")
    elif behaviour == "driving":
        st = replace(st, open_hat_prob=min(1.0, 2 * st.open_hat_prob + 0.04))
    if motion >= DRIVE_MOTION:
        st = replace(st, hat_subdivision=min(16, 2 * st.hat_subdivision))
    elif motion <= STILL_MOTION:
        st = replace(st, hat_subdivision=max(4, st.hat_subdivision // 2))
    return st


PHRASE_END = 4
"""A drummer may turn the groove around at the end of every 4-bar phrase (where GMD is measured)."""


def turn_chance(st: DrumStyle, next_type: str | None) -> float:
    """Chance the last bar of a section fills into the next one: always into a lift (a chorus,
    pre-chorus or solo), otherwise twice the chance a phrase end turns (:func:`phrase_turn`: a
    section change is a bigger moment than a phrase end), at most 0.8."""
    if next_type is None:
        return 0.0
    if next_type in ("pre_chorus", "chorus", "solo"):
        return 1.0
    return min(0.8, 2 * phrase_turn(st))


def phrase_turn(st: DrumStyle) -> float:
    """Chance a 4-bar phrase end turns the groove around with a fill: how much more often GMD
    drummers of the style's family fill there than in any bar (``phrase_end_turns``,
    :func:`stori.data.phrase_stats.drum_family_rates`). Their other fill-like bars, mostly grooves
    on the toms, are the groove's own (:func:`groove_toms`)."""
    return family_stats(family(st))["phrase_end_turns"]


def family(st: DrumStyle) -> str:
    """The GMD style family whose habits ``st`` plays: its own ``family`` (a song's genre's), else its GMD style's."""
    return st.family or FAMILY_OF.get(st.gmd_style, "other")


def fill_plan(bars: int, pattern_type: str, fill_end: float, st: DrumStyle, rng: random.Random) -> dict[int, str]:
    """Bar (0-based) -> fill kind ("toms" or "snare"): at each 4-bar phrase end with the chance
    :func:`phrase_turn`, and in the last bar with the chance ``fill_end`` (the turn into the next
    section, :func:`turn_chance`); a fill uses toms as often as the style's GMD drummers' do
    (``stori/data/phrase_stats.json``)."""
    if pattern_type in ("intro", "outro", "break"):
        return {}
    if pattern_type == "fill":
        return {bars - 1: "toms"}
    rates = drum_stats(st.gmd_style)
    turn = phrase_turn(st)
    ends = [b for b in range(PHRASE_END - 1, bars, PHRASE_END) if rng.random() < turn]
    if fill_end and bars - 1 not in ends and rng.random() < fill_end:
        ends.append(bars - 1)
    return {b: "toms" if rng.random() < rates["with_toms"] else "snare" for b in ends}


def drum_part(st: DrumStyle, meter: str, grid: Grid, tempo: float, pattern_type: str, rng: random.Random,
              fill_end: float = 0.0, build: bool = False, velocity_scale: float = 1.0) -> tuple[list[Note], dict]:
    """The quantized (swung) notes of a part from its kick/snare ``grid``, shaped by the style and
    the pattern type, with fills at phrase ends (:func:`fill_plan`; ``build`` turns the last one
    into a snare build) and the groove's toms (:func:`groove_toms`), and its form for the traces."""
    slots = bar_slots(meter)
    fills = fill_plan(len(grid), pattern_type, fill_end, st, rng)
    rolls = _shape(grid, st, slots, pattern_type, rng, tempo, fills, build)
    tom_bars, figure = groove_toms(grid, st, slots, pattern_type, fills, rng)
    notes = _to_notes(grid, rolls, slots, st, bar_ticks(tuple(map(int, meter.split("/")))))
    if velocity_scale != 1.0:  # louder or softer, each kick and snare on its side of the ghost line
        notes = [Note(n.pitch, n.start, n.end,
                      on_its_side(n.pitch, n.velocity, max(1, min(127, round(n.velocity * velocity_scale)))))
                 for n in notes]
    phrase = min(PHRASE_BARS, len(grid))
    skeleton = [{(i, p) for i, hits in bar.items() for p, v in hits.items() if p in KICKS | SNARES and v >= GHOST_BELOW}
                for bar in grid]
    held = [b + 1 for b in range(1, len(grid)) if skeleton[b] == skeleton[b - 1]]
    form = {"phrase_bars": phrase, "held_bars": held,
            "varied_bars": [b + 1 for b in range(1, len(grid)) if b + 1 not in held],
            "bars": len(grid), "time_keeping": f"{st.hat_piece} in {st.hat_subdivision}ths",
            "fills": {str(b + 1): kind for b, kind in sorted(fills.items())},
            "fill_chance": phrase_turn(st), "turn_chance": fill_end,
            "tom_bars": [b + 1 for b in tom_bars],
            "tom_figure": [f"{PIECE_OF[p]} on 16th {slots[i].source + 1}" for i, p in sorted(figure.items())],
            "repeats": [f"bars {b + 1}-{min(b + phrase, len(grid))} repeat bars 1-{min(phrase, len(grid) - b)}"
                        for b in range(phrase, len(grid), phrase)]}
    return notes, form


def record_form(rec: TraceRecorder, target: str, form: dict) -> None:
    rec.record("phrase_form", target, form,
               [because("phrase_bars", form["phrase_bars"], "the groove is one learned phrase, repeated as drummers do",
                        0.6),
                because("held_bars", form.get("held_bars"),
                        "bars whose loud kick and snare repeat the bar before (the others, varied_bars, vary it: "
                        "the phrase's second bar, a fill, a crash)", 0.5),
                because("fill_chance", form.get("fill_chance"),
                        "GMD drummers of the style's family fill this much more often at a 4-bar phrase end than "
                        "in any bar", 0.4),
                because("tom_bars", form.get("tom_bars"),
                        f"the groove's own tom figure ({', '.join(form.get('tom_figure') or ()) or 'none'}), phrase "
                        "by phrase as often as GMD drummers of the family keep toms in their groove", 0.4),
                because("turn_chance", form.get("turn_chance"),
                        "the chance the last bar fills into the next section: always into a lift", 0.3)],
               confidence=0.7, principle="a groove is established, repeated and turned around at phrase ends")


GROOVE_TOM_TYPES = ("intro", "verse", "chorus", "bridge")
"""Pattern types whose groove may ride the toms (a fill, a break and an outro have their own shape)."""


def groove_toms(grid: Grid, st: DrumStyle, slots: list[Slot], pattern_type: str, fills: dict[int, str],
                rng: random.Random) -> tuple[list[int], dict[int, int]]:
    """Toms inside the groove, as GMD drummers of the style's family (:func:`family`) play them
    (:func:`stori.data.phrase_stats.drum_family_rates`): one figure per part (``toms_per_bar`` 16ths drawn
    by ``tom_steps``, each a tom drawn by ``tom_pieces``), played in every bar but the fills of a
    2-bar groove phrase with the chance ``tom_groove_bars``, so it comes round as theirs does;
    the hand leaves the hat or ride for the tom. Returns the bars (0-based) and the figure
    (slot -> tom) played, in place in ``grid``."""
    stats = family_stats(family(st))
    if pattern_type not in GROOVE_TOM_TYPES or not stats["toms_per_bar"]:
        return [], {}
    places = [i for i, s in enumerate(slots) if s.source is not None and stats["tom_steps"][s.source] > 0]
    figure: dict[int, int] = {}
    for _ in range(min(len(places), max(1, round(stats["toms_per_bar"])))):
        i = rng.choices(places, [stats["tom_steps"][slots[j].source] for j in places])[0]
        places.remove(i)
        figure[i] = KIT[rng.choices(TOM_PIECES, [stats["tom_pieces"][t] for t in TOM_PIECES])[0]]
    bars = [b for start in range(0, len(grid), PHRASE_BARS) if rng.random() < stats["tom_groove_bars"]
            for b in range(start, min(start + PHRASE_BARS, len(grid))) if b not in fills]
    for b in bars:
        for i, tom in figure.items():
            hits = grid[b].setdefault(i, {})
            if CRASH in hits:
                continue
            for p in (CLOSED, OPEN, RIDE):
                hits.pop(p, None)
            hits[tom] = max(GHOST_BELOW, min(127, st.velocity[1] + rng.randint(-8, 8)))
    return bars, figure


def _shape(grid: Grid, st: DrumStyle, slots: list[Slot], pattern_type: str, rng: random.Random,
           tempo: float, fills: list[int], build: bool) -> list[list[tuple[int, int]]]:
    """Anchors, snare piece, ghosts, time-keeping line and the pattern type, in place; returns
    each bar's hat rolls as (tick in bar, velocity)."""
    rolls: list[list[tuple[int, int]]] = []
    snare_note = KIT[st.snare_piece]
    hat = RIDE if pattern_type == "bridge" and st.hat_piece == "closed_hat" else KIT[st.hat_piece]
    open_p = st.open_hat_prob * (2.0 if pattern_type == "chorus" else 1.0)
    bars = len(grid)
    for b, bar in enumerate(grid):
        for i, s in enumerate(slots):
            hits = bar.setdefault(i, {})
            src = s.source
            if src is not None and st.kick[src] == "9":
                hits.setdefault(KICK, st.velocity[2])
            if src is not None and st.snare[src] == "9" and not (pattern_type == "intro" and b == 0 and bars > 1):
                hits[SNARE] = max(hits.get(SNARE, 0), st.velocity[2])
            if SNARE in hits and hits[SNARE] >= GHOST_BELOW:
                hits[snare_note] = hits.pop(SNARE)
            near_backbeat = any(st.snare[(src + d) % 16] == "9" for d in (-2, -1, 1, 2)) if src is not None else False
            if (not hits.keys() & SNARES and pattern_type not in ("intro", "break")
                    and rng.random() < st.ghost_rate * (0.6 if near_backbeat else 0.2)):
                hits[SNARE] = min(GHOST_BELOW - 1, st.velocity[0] + rng.randint(-6, 6))
            _time_keeping(hits, s, st, hat, open_p, pattern_type, rng)
        rolls.append([] if pattern_type in ("intro", "break") else _rolls(bar, slots, st, rng, tempo))
        if pattern_type == "chorus" and b % 8 == 0 or pattern_type in ("fill", "outro") and b == 0 and bars > 1:
            _crash(bar.setdefault(0, {}), st)
    _pattern_type(grid, rolls, st, slots, pattern_type, fills, build)
    return rolls


def _time_keeping(hits, s: Slot, st: DrumStyle, hat: int, open_p: float, pattern_type: str, rng) -> None:
    on_grid = s.sub % (16 // st.hat_subdivision) == 0
    src = s.source
    accent = int(st.hat_accents[src]) / 9.0 if src is not None else 0.5
    off_eighth = s.sub == (2 if not s.compound else 4)
    opens = (src in st.open_hat_steps or off_eighth and rng.random() < open_p) and hat == CLOSED
    if OPEN in hits or opens and on_grid:
        hits[OPEN] = max(hits.get(OPEN, 0), int(st.velocity[1] * (0.7 + 0.3 * accent)))
    elif on_grid:
        hits[hat] = max(20, int(st.velocity[1] * (0.55 + 0.45 * accent)))
    if src in st.pedal_hat_steps and s.sub == 0:
        hits[PEDAL] = st.velocity[1] - 10


def _rolls(bar, slots: list[Slot], st: DrumStyle, rng, tempo: float) -> list[tuple[int, int]]:
    """Hat rolls over the second half of a beat: 32nds, or 16th triplets where 32nds would be
    closer than 35 ms; the hats they replace are removed from ``bar``."""
    ms_per_beat = 60000.0 / tempo
    out = []
    for beat in sorted({s.beat for s in slots}):
        idx = [i for i, s in enumerate(slots) if s.beat == beat]
        if st.roll_prob == 0 or slots[idx[0]].compound or rng.random() >= st.roll_prob:
            continue
        per_eighth = 4 if ms_per_beat / 8 >= 35 and rng.random() < 0.6 else 3
        if ms_per_beat / (2 * per_eighth) < 35:
            continue
        for i in idx[2:]:
            for p in (CLOSED, OPEN):
                bar.get(i, {}).pop(p, None)
        start = slots[idx[2]].tick
        out += [(start + round(k * PPQ / (2 * per_eighth)), int(st.velocity[1] * (0.55 + 0.4 * k / per_eighth)))
                for k in range(per_eighth)]
    return out


def _crash(hits: dict[int, int], st: DrumStyle) -> None:
    for p in (CLOSED, OPEN, RIDE):
        hits.pop(p, None)
    hits[CRASH] = st.velocity[2]
    hits.setdefault(KICK, st.velocity[2])


def _pattern_type(grid: Grid, rolls: list, st: DrumStyle, slots: list[Slot], pattern_type: str, fills: dict[int, str],
                  build: bool) -> None:
    bars = len(grid)
    if pattern_type == "break":  # hats and kick; the snare waits for the last bar (a one-bar break has none)
        for bar in grid[:-1] if bars > 1 else grid:
            for hits in bar.values():
                for p in kit("snare", "clap", "side_stick"):
                    hits.pop(p, None)
    for b, kind in fills.items():
        rolls[b] = [r for r in rolls[b] if r[0] < slots[len(slots) // 2].tick] if pattern_type == "fill" else []
        if build and b == bars - 1:
            _snare_build(grid[b], st, slots)
        elif kind == "snare":
            _snare_figure(grid[b], st, slots)
        else:
            _tom_run(grid[b], st, slots, len(slots) // 2 - 1 if pattern_type == "fill"
                     else fill_toms(st, len(slots)))
    if pattern_type == "outro":
        grid[-1].clear()
        grid[-1][0] = {KICK: st.velocity[2], CRASH: st.velocity[2]}
        rolls[-1] = []
    scale = {"outro": lambda b: 1.0 - 0.25 * b / max(1, bars - 1), "intro": lambda b: 0.88,
             "chorus": lambda b: 1.06}.get(pattern_type)
    if scale:
        for b, bar in enumerate(grid):
            for hits in bar.values():
                for p in hits:
                    hits[p] = max(15, int(hits[p] * scale(b)))


def _snare_build(bar, st: DrumStyle, slots: list[Slot]) -> None:
    """A build's last bar: snare 8ths over the second half, growing louder, into the next section."""
    half = [i for i, s in enumerate(slots) if i >= len(slots) // 2 and s.sub % 2 == 0]
    for k, i in enumerate(half):
        bar.setdefault(i, {})[SNARE] = int(st.velocity[1] * (0.7 + 0.4 * k / len(half)))


def _snare_figure(bar, st: DrumStyle, slots: list[Slot]) -> None:
    """A snare fill in the bar's last beat: 16ths growing louder, the time-keeping line giving way."""
    n = len(slots)
    run = list(range(n - (6 if slots[-1].compound else 4), n))
    for k, i in enumerate(run):
        hits = bar.setdefault(i, {})
        for p in (CLOSED, OPEN, RIDE):
            hits.pop(p, None)
        hits[SNARE] = int(st.velocity[1] * (0.75 + 0.35 * k / len(run)))


def fill_toms(st: DrumStyle, slots: int) -> int:
    """Tom hits in a tom fill: as many as the style's GMD drummers play in a phrase-end fill
    (``toms_per_fill``, at least 2; the turn into the next section too: doubling it there doubled
    the tom share of hip-hop songs over GMD's), at most the bar's last half less the snare that leads in."""
    return min(slots // 2 - 1, max(2, round(drum_stats(st.gmd_style)["toms_per_fill"])))


def _tom_run(bar, st: DrumStyle, slots: list[Slot], toms: int) -> None:
    """The bar's last ``toms`` slots: 16ths down the toms (high, mid, floor), led in by a snare on
    the beat before them, growing louder; the time-keeping line and snares give way."""
    n = len(slots)
    lead = next(i for i in range(n - toms - 1, -1, -1) if slots[i].sub == 0)
    run = [lead, *range(n - toms, n)]
    for k, i in enumerate(run):
        hits = bar.setdefault(i, {})
        for p in (CLOSED, OPEN, RIDE, *sorted(SNARES)):
            hits.pop(p, None)
        piece = SNARE if k == 0 else TOMS[(k - 1) * len(TOMS) // toms]
        hits[piece] = int(st.velocity[1] * (0.75 + 0.35 * k / len(run)))


def _swing_tick(s: Slot, st: DrumStyle) -> int:
    """The slot's tick with the style's swing: the second note of each pair of ``swing_unit``
    notes lands at ``swing`` % of the pair; 16ths inside a swung 8th pair follow proportionally."""
    if s.compound or st.swing == 50:
        return s.tick
    p = s.sub * STEP
    pair = PPQ if st.swing_unit == 8 else PPQ // 2
    within, half = p % pair, pair / 2
    late = pair * st.swing / 100
    if within <= half:
        off = within / half * late
    else:
        off = late + (within - half) / half * (pair - late)
    return s.tick - within + round(off)


def _to_notes(grid: Grid, rolls: list[list[tuple[int, int]]], slots: list[Slot], st: DrumStyle,
              ticks_per_bar: int) -> list[Note]:
    notes = []
    for b, bar in enumerate(grid):
        base = b * ticks_per_bar
        for i, hits in bar.items():
            t = base + _swing_tick(slots[i], st)
            notes += [Note(p, t, t + STEP, max(1, min(127, v))) for p, v in hits.items()]
        notes += [Note(CLOSED, base + t, base + t + STEP // 2, v) for t, v in rolls[b]]
    return sorted(notes, key=lambda n: (n.start, n.pitch))


def _feel(notes: list[Note], st: DrumStyle, tempo: float, rng: random.Random) -> list[Note]:
    """The style's timing feel: per-piece lean against the grid plus its own unevenness."""
    ticks_per_ms = tempo * PPQ / 60000.0
    out = []
    for n in notes:
        piece = PIECE_OF.get(n.pitch, "")
        ghost = piece == st.snare_piece and n.velocity < GHOST_BELOW
        lean = 0.0 if ghost else st.feel_ms.get(piece, 0.0)  # ghosts follow the groove
        ms = lean + (rng.gauss(0, st.feel_jitter_ms) if st.feel_jitter_ms else 0.0)
        shift = int(round(ms * ticks_per_ms))
        start = max(0, n.start + shift)
        out.append(Note(n.pitch, start, start + (n.end - n.start), n.velocity))
    return sorted(out, key=lambda n: (n.start, n.pitch))
