"""Text and settings -> SongSpec: the offline planner.

Order of decisions (each traced): genre template -> song emotion (thesaurus) -> tempo, key, meter,
length -> form -> per-section emotion (form shape + arc words + build) -> chords (POP909 n-gram)
-> track behaviours -> motifs and where they sound -> instruments -> entry/exit states.
Explicit arguments always win over what the text says.
"""
from __future__ import annotations

import os
import random

from stori.data.drum_kit import DRUM_KITS
from stori.errors import StoriError, check_range
from stori.plan.chords import chord_model, tension_of
from stori.plan.genres import GENRES, detect_genre, named_genre
from stori.plan.instruments import ALTERNATES, Band, band_from_text, entrances, family, name_of
from stori.plan.motifs import design_motifs, motif_usages
from stori.plan.words import (
    arcs_from_text,
    builds,
    chords_from_text,
    emotion_from_text,
    form_from_text,
    key_from_text,
    kit_from_text,
    length_from_text,
    meter_from_text,
    mode_from_text,
    playing_from_text,
    song_emotion_text,
    tempo_from_text,
)
from stori.spec.constraints import emotion_to_constraints
from stori.spec.emotion import AXES, CALM, HUSHED, EmotionVector
from stori.spec.song_spec import AS_GIVEN, SECTION_TYPES, SongSpec, parse_time_signature
from stori.spec.transitions import check_transitions
from stori.theory import NOTE_NAMES, is_major, normalize_key, parse_chord, roman_to_chord
from stori.trace import NULL_RECORDER, TraceRecorder, because

# How a section's emotion departs from the song's: the usual shape of a pop form.
SECTION_SHAPE: dict[str, dict[str, float]] = {
    "intro": {"energy": -0.2, "intimacy": 0.1, "motion": -0.1},
    "verse": {"energy": -0.05, "intimacy": 0.05},
    "pre_chorus": {"energy": 0.05, "tension": 0.15},
    "chorus": {"energy": 0.12, "valence": 0.1, "intimacy": -0.1, "motion": 0.05},
    "bridge": {"tension": 0.2, "valence": -0.15},
    "solo": {"energy": 0.1, "motion": 0.1},
    "break": {"energy": -0.3, "motion": -0.2},
    "outro": {"energy": -0.25, "tension": -0.2, "motion": -0.15},
}
LLM_ENV = "STORI_LLM_URL"


def parse_structure(text: str) -> list[tuple[str, int]]:
    """``"intro:4,verse:8,chorus:8"`` -> ``[("intro", 4), ("verse", 8), ("chorus", 8)]``."""
    out = []
    for part in (p.strip() for p in str(text).split(",") if p.strip()):
        name, _, bars = part.partition(":")
        name = name.strip().lower().replace("-", "_").replace(" ", "_")
        if name == "prechorus":
            name = "pre_chorus"
        if name not in SECTION_TYPES:
            raise StoriError("structure", f"{name!r} is not a section type", ", ".join(SECTION_TYPES))
        try:
            n = int(bars)
        except ValueError:
            raise StoriError("structure", f"{part!r} has no bar count", "type:bars pairs such as 'verse:8'") from None
        if not 1 <= n <= 64:
            raise StoriError("structure", f"{part!r}: {n} bars", "1..64 bars per section")
        out.append((name, n))
    if not out:
        raise StoriError("structure", "is empty", "type:bars pairs such as 'intro:4,verse:8,chorus:8'")
    return out


def section_ids(form: list[tuple[str, int]]) -> list[str]:
    """"verse" when a type occurs once, else "verse1", "verse2", ..."""
    totals = {t: sum(1 for x, _ in form if x == t) for t, _ in form}
    seen: dict[str, int] = {}
    out = []
    for t, _ in form:
        seen[t] = seen.get(t, 0) + 1
        out.append(t if totals[t] == 1 else f"{t}{seen[t]}")
    return out


def extension(numeral: str, level: float) -> str:
    """The numeral with the seventh (level 1) or ninth (level 2) the section's constraints ask for;
    the tonic stays a triad (a major seventh on I, or a seventh on i, blurs which key the song is in:
    measured from the notes, the dominant's key won)."""
    if level < 1 or numeral.endswith("dim") or numeral in ("I", "i"):
        return numeral
    bare = numeral.lstrip("b#")
    if bare.islower():
        return numeral + ("9" if level >= 2 else "7")  # roman_to_chord makes lowercase "7"/"9" minor
    if bare in ("V", "VII"):
        return numeral + ("9" if level >= 2 else "7")
    return numeral + ("add9" if level >= 2 else "maj7")


def section_chords(numerals: list[str], bars: int, harmonic_rhythm: float) -> list[str]:
    """Per-bar chord strings for a loop of numerals at 0.5, 1 or 2 chords per bar."""
    if harmonic_rhythm >= 2:
        return [" ".join(numerals[2 * b % len(numerals): 2 * b % len(numerals) + 2]) for b in range(len(numerals) // 2)]
    if harmonic_rhythm <= 0.5:
        return [n for n in numerals for _ in range(2)]
    return list(numerals)


def plan_chords(key: str, stype: str, ev: EmotionVector, bars: int, rng: random.Random, lead_in: str | None,
                tracer: TraceRecorder, sid: str) -> tuple[list[str], list[str]]:
    """(per-bar chord symbols, the numerals) for one section, sampled from the POP909 chord model."""
    c = emotion_to_constraints(ev, stype)
    loop_bars = min(4, bars)
    length = max(1, int(round(loop_bars * c.harmonic_rhythm)))
    if c.harmonic_rhythm >= 2:
        length += length % 2
    mode = "major" if is_major(key) else "minor"
    numerals, score, others = chord_model().sample(rng, mode, length, ev.valence, ev.tension, lead_in=lead_in)
    numerals, borrowed = borrow(numerals, mode, c.borrowed_chord_probability, random.Random(f"{sid}:{key}:{numerals}"))
    per_bar = section_chords(numerals, bars, c.harmonic_rhythm)
    chords = [" ".join(roman_to_chord(extension(n, c.chord_extensions), key) for n in bar.split()) for bar in per_bar]
    chords, held = suspend_dominants(chords, per_bar, ev.tension, rng)
    tension = sum(tension_of(n, mode) for n in numerals) / len(numerals)
    tracer.record("chord_progression", f"section:{sid}", {"numerals": numerals, "chords": chords},
                  [because("mode", mode, f"the {mode} table of the POP909 chord model", 0.3),
                   because("tension", ev.tension, f"{'high' if ev.tension >= 0.5 else 'low'}-tension phrases; "
                           f"this loop's functional tension {tension:.2f}", 0.3),
                   because("valence", ev.valence, "tilts toward major chords when positive, minor when negative", 0.2),
                   *c.because("harmonic_rhythm")[:1], *c.because("chord_extensions")[:1],
                   *([because("suspensions", held, "tense music holds a 4th over the dominant's third", 0.2)]
                     if held else []),
                   *([because("borrowed", borrowed, "a major key's IV, vi or iii taken from its parallel minor "
                                                    "(iv, bVI, bIII): darker and more chromatic", 0.2),
                      *c.because("borrowed_chord_probability")] if borrowed else [])],
                  alternatives=others, confidence=round(min(0.95, max(0.2, 1 + score / 4)), 3),
                  principle="chords move by the habits of real pop songs; tension chooses how often they lean on the "
                            "dominant")
    return chords, numerals


BORROWED = {"IV": "iv", "vi": "bVI", "iii": "bIII"}
"""A major key's chords and the parallel minor's chords on the same degree (modal mixture)."""


def borrow(numerals: list[str], mode: str, chance: float, rng: random.Random) -> tuple[list[str], list[str]]:
    """(the numerals with each of :data:`BORROWED` taken from the parallel minor with ``chance``, those
    borrowed). Only a major key borrows: a minor key's iv, bVI and bIII are its own already."""
    if mode != "major" or chance <= 0:
        return numerals, []
    out = [BORROWED[n] if n in BORROWED and rng.random() < chance else n for n in numerals]
    return out, [b for a, b in zip(numerals, out) if a != b]


SUSPEND_FROM = 0.4
"""Tension above which a dominant chord may be suspended (its third replaced by the 4th), with a
chance of tension minus this."""


def suspend_dominants(chords: list[str], per_bar: list[str], tension: float,
                      rng: random.Random) -> tuple[list[str], int]:
    """``chords`` (per bar, space-separated) with some dominant chords (numeral V) played sus4 or 7sus4,
    and how many; below SUSPEND_FROM nothing is drawn, so calmer plans are unchanged."""
    if tension <= SUSPEND_FROM:
        return chords, 0
    out, held = [], 0
    for symbols, numerals in zip(chords, per_bar):
        bar = []
        for sym, numeral in zip(symbols.split(), numerals.split()):
            bare = numeral.lstrip("b#")
            if bare.startswith("V") and not bare.startswith("VI") and rng.random() < tension - SUSPEND_FROM:
                root = sym[:2] if sym[1:2] in ("#", "b") else sym[:1]
                sym = root + ("sus4" if sym[len(root):] in ("", "m") else "7sus4")
                held += 1
            bar.append(sym)
        out.append(" ".join(bar))
    return out, held


INTIMATE_DROPS = {"drums": (0.7, 0.6), "bass": (0.85, 0.6)}
"""Role -> (intimacy at least, energy at most) where a section leaves that part out: an intimate
song is a voice and an instrument, the drums go first, then the bass."""
PAD_FROM = 0.3
"""The ``arrangement`` (:func:`~stori.spec.constraints.emotion_to_constraints`: energy over intimacy)
from which a section adds a pad to the full band: only toward the loud, open end of the sliders, so a
song at everyday settings keeps its four parts."""
STILL = 0.3
"""Motion below which the harmony holds its chords (motion is note length and rhythmic drive; at 0.2
the learned comping of motion 0.25 broke as many chords as at 0.5, single notes over held ones)."""


_OOM = {"afterbeats": {"bass"}}
"""Harmony behaviours that need a part beside them in every bar: a waltz's afterbeats leave beat 1 to the bass."""


def drive(ev: EmotionVector) -> float:
    """How hard the drums push: energy, moved by motion (rhythmic drive) by up to +-0.3."""
    return ev.energy + 0.6 * (ev.motion - 0.5)


def section_behaviours(stype: str, ev: EmotionVector, genre, playing: dict[str, tuple[str, str]]) -> dict[str, str]:
    """How each part plays in a section of type ``stype`` with emotion ``ev`` (role -> behaviour);
    ``playing`` holds what the prompt asked of a part: role -> (behaviour, the words that asked).
    The band grows with energy and shrinks with intimacy at the sliders' ends: a hushed section (or a
    quiet intro) has no drums, an intimate one sheds the drums, then the bass (:data:`INTIMATE_DROPS`;
    a part asked for still plays, and a waltz's afterbeats keep their bass), and only the loudest, most
    open sections add a pad (:data:`PAD_FROM`) where the genre has one; in between the band is drums,
    bass, chords and tune."""
    push = drive(ev)
    drums = "tacet" if stype == "intro" and ev.energy < 0.3 or ev.energy < HUSHED else (
        "sparse" if push < 0.35 else
        ("driving" if push > 0.72 else ("build" if stype == "pre_chorus" else "steady")))
    if genre.drums and drums == "steady":
        drums = genre.drums
    bass = "sustained" if ev.energy < 0.3 else ("driving" if ev.energy > 0.75 else genre.bass)
    # a calm section's harmony breaks and pedals its chords (each note rings to the chord's end), as a
    # pianist does under a calm song: many notes, long ones (EMOPIA's calm clips: 4.7 notes/s, median 1.07 s)
    harmony = "sustained" if ev.energy < HUSHED or ev.motion < STILL else "arpeggiated" if (
        ev.energy < CALM or ev.intimacy > 0.75 and ev.energy < 0.5 or ev.motion >= 0.65 and ev.energy < 0.7) else (
        "block" if ev.energy > 0.7 and genre.comping == "sustained" else genre.comping)
    melody = "sparse" if stype in ("intro",
                                   "outro") else ("soaring" if stype == "chorus" and ev.energy > 0.55 else "lead")
    full = genre.pad and emotion_to_constraints(ev, stype).arrangement >= PAD_FROM
    out = {"drums": drums, "bass": bass, "harmony": harmony, "melody": melody, "pad": "sustained" if full else "tacet"}
    for role, (most, least) in INTIMATE_DROPS.items():  # a close, quiet section plays with fewer parts
        if ev.intimacy >= most and ev.energy <= least and role not in playing and role not in _OOM.get(harmony, ()):
            out[role] = "tacet"
    for role, (behaviour, _) in playing.items():
        if out.get(role) == "tacet" and behaviour != "tacet" and role != "pad":
            continue
        if stype == "chorus" and behaviour in ("sparse",):
            behaviour = "steady"  # subtle drums still lift a chorus a little
        out[role] = behaviour
    return out


def arousal_tempo(genre_range: tuple[int, int], ev: EmotionVector) -> int:
    """The genre's middle tempo, scaled by arousal and mood: energy moves it +-25% and motion +-7.5%
    around the neutral 0.5, valence +-8% (happy music is faster, sad slower: a tempo cue listeners
    use for both), so a calm or sad song of a genre is slower than its range and an excited one faster."""
    mid = (genre_range[0] + genre_range[1]) / 2
    return round(mid * (1 + 0.5 * (ev.energy - 0.5) + 0.15 * (ev.motion - 0.5) + 0.08 * ev.valence))


def _toward(ev: EmotionVector, point: dict[str, float], amount: float = 0.5) -> dict[str, float]:
    return {a: amount * (point[a] - getattr(ev, a)) for a in AXES}


_SHORT_FIRST = ("pre_chorus", "bridge", "break", "solo", "interlude")
"""Sections a song too short for its whole form leaves out first; then repeats, then the intro."""


def _fit_length(form: list[tuple[str, int]], length: tuple[str, float] | None, tempo: float, beats_per_bar: int):
    if not length:
        return form
    unit, value = length
    target = value if unit == "bars" else value * tempo / 60.0 / beats_per_bar
    form = list(form)
    while len(form) > 2 and 2 * len(form) > target:  # too short for every section: leave some out
        types = [t for t, _ in form]
        k = next((types.index(t) for t in _SHORT_FIRST if t in types), None)
        if k is None:
            repeats = [i for i, t in enumerate(types) if t in ("verse", "chorus") and types.count(t) > 1]
            k = repeats[1] if len(repeats) > 1 else (0 if len(form) > 2 else None)
        form.pop(k)
    factor = target / sum(b for _, b in form)
    return [(t, int(min(64, max(2, 2 * round(b * factor / 2))))) for t, b in form]


def plan_song(prompt: str = "", *, emotion: dict | None = None, tempo: float | None = None, key: str | None = None,
              structure: str | None = None, time_signature: str | None = None, seed: int = 0,
              tracer: TraceRecorder = NULL_RECORDER, genre: str | None = None) -> SongSpec:
    """Plan a song from a description; explicit arguments win over what the text says.

    With ``$STORI_LLM_URL`` set, an LLM plans first (:mod:`stori.plan.llm`); when its answer does not
    validate, the offline plan is used and ``spec.extra["planner"]`` says why."""
    if not isinstance(prompt, str) or len(prompt) > 2000:
        raise StoriError("prompt", "is not text of at most 2000 characters", "a description up to 2000 characters")
    note = None
    if os.environ.get(LLM_ENV):
        from stori.plan.llm import plan_with_llm

        spec, note = plan_with_llm(prompt, tracer=tracer)
        if spec is not None:
            return spec
    spec = _plan_offline(prompt, emotion=emotion, tempo=tempo, key=key, structure=structure,
                         time_signature=time_signature, seed=seed, tracer=tracer, genre=genre)
    spec.extra["planner"] = f"offline ({note})" if note else "offline"
    return spec


def _drum_style(prompt: str, g, tracer: TraceRecorder) -> str:
    """The genre's drum style, or a style the musician taught Stori named in the prompt ("in the style of NAME")."""
    from stori.style_folder import named_in

    learned = named_in(prompt)
    if learned:
        tracer.record("drum_style", "drums", learned,
                      [because("prompt", learned, "a drum style you taught Stori (learn-style), named in the prompt",
                               1.0)], alternatives=[g.drum_style], confidence=0.9,
                      principle="a drummer named by the musician plays the drums")
    return learned or g.drum_style


def _plan_offline(prompt, *, emotion, tempo, key, structure, time_signature, seed, tracer, genre) -> SongSpec:
    rng = random.Random(seed)
    if genre is not None and genre not in GENRES:
        raise StoriError("genre", f"{genre!r} is not a genre", ", ".join(GENRES))
    g = GENRES[genre] if genre else detect_genre(prompt)
    tracer.record("genre", "song", g.name, [because("prompt" if not genre else "genre", genre or prompt[:80],
                                                     f"keywords of {g.name}", 1.0)],
                  alternatives=[n for n in GENRES if n != g.name][:4], confidence=0.9 if genre else 0.7,
                  principle="a genre sets form, tempo range, instrumentation and groove")
    base = EmotionVector(**g.emotion)
    ev, words = emotion_from_text(song_emotion_text(prompt) or prompt, base)
    if emotion:
        ev = EmotionVector.from_dict({a: v for a, v in emotion.items() if v is not None}, base=ev)
    tracer.record("global_emotion", "song", ev.to_dict(),
                  [because("emotion word", w, "pulls the song's emotion toward the word",
                           1 / max(1, len(words))) for w in words]
                  + [because(a, v, "set by the musician", 1.0) for a, v in (emotion or {}).items() if v is not None]
                  + ([] if words or emotion else [because("genre", g.name, "the genre's usual mood", 1.0)]),
                  confidence=0.75,
                  principle="emotion words are points in a five-axis space; the song starts at their centre")

    named = genre is not None or named_genre(prompt) is not None  # "fast punk" is fast for punk
    given_tempo = tempo if tempo is not None else tempo_from_text(prompt, g.tempo if named else None,
                                                                  g.keywords if named else ())
    tempo = check_range("tempo", given_tempo if given_tempo is not None else arousal_tempo(g.tempo, ev), 40, 240)
    written = chords_from_text(prompt)
    text_key = key_from_text(prompt)
    minor = ev.valence < -0.15 or (g.mode == "minor" and ev.valence < 0.3)
    minor = {"minor": True, "major": False}.get(mode_from_text(prompt) or "", minor)
    key = normalize_key(key) if key else (text_key or _key_of_chords(written) or
                                          f"{rng.choice(['C', 'D', 'E', 'F', 'G', 'A', 'Bb'])} "
                                          f"{'minor' if minor else 'major'}")
    key = normalize_key(key)
    meter = time_signature or _text_meter(prompt, tracer) or g.meter
    ts = parse_time_signature(meter)
    tracer.record("tempo_key_meter", "song", {"tempo": tempo, "key": key, "time_signature": meter},
                  [because("genre", g.name, f"tempo range {g.tempo[0]}-{g.tempo[1]}, meters {', '.join(g.meters)}",
                           0.4),
                   because("energy", ev.energy, "higher energy, faster tempo (+-25% of the genre's middle)", 0.4),
                   because("motion", ev.motion, "more motion, faster tempo (+-7.5%)", 0.2),
                   because("valence", ev.valence, "happier, faster tempo (+-8%)", 0.2),
                   because("valence", ev.valence, "negative valence favours minor", 0.2)]
                  + ([because("prompt", "tempo/key/meter", "stated in the text or settings",
                              1.0)] if given_tempo or text_key or meter_from_text(prompt) else [])
                  + ([because("chords", " ".join(written[1]), "the written progression names the key", 0.8)]
                     if written and not text_key else []),
                  confidence=0.6, principle="tempo carries arousal; mode carries valence")

    form = parse_structure(structure) if structure else _shaped_form(list(g.structure), prompt, tracer)
    length = None if structure else length_from_text(prompt)
    form = _fit_length(form, length, tempo, ts[0])
    if length:
        tracer.record("length", "song", {"bars": sum(b for _, b in form)},
                      [because("prompt", f"{length[1]:g} {length[0]}", "scales every section", 1.0)],
                      confidence=0.8,
                      principle="the form keeps its proportions when the song is made longer or shorter")

    arcs, build = arcs_from_text(prompt), builds(prompt)
    band = band_from_text(prompt)
    playing = part_requests(prompt, g, band)
    ids = section_ids(form)
    n_chorus = sum(1 for t, _ in form if t == "chorus")
    last_of = {t: i for i, (t, _) in enumerate(form)}
    sections, lead_in, chorus_seen = [], None, 0
    progressions: dict[str, tuple[list[str], list[str]]] = {}
    for i, ((stype, bars), sid) in enumerate(zip(form, ids)):
        shape = dict(SECTION_SHAPE.get(stype, {}))
        reasons = [because(a, round(d, 2), f"a {stype} shifts {a}", 0.4) for a, d in shape.items()]
        if stype == "chorus":
            chorus_seen += 1
            if chorus_seen == n_chorus and n_chorus > 1:
                shape["energy"] = shape.get("energy", 0) + 0.1
                reasons.append(because("form", "final chorus", "the last chorus lifts energy by 0.1", 0.3))
        sev = ev.shifted(shape)
        for atype, delta, word in arcs:
            if atype != stype and not (atype == f"last:{stype}" and last_of[stype] == i):
                continue
            d = _toward(sev, delta) if "__toward__" in delta else delta
            sev = sev.shifted(d)
            reasons.append(because("arc word", word,
                                   f"said about the {atype.replace('last:', 'final ')}: "
                                   + ", ".join(f"{a} {v:+.2f}" for a, v in d.items() if abs(v) > 0.005), 0.6))
        if build and len(form) > 1:
            ramp = -0.15 + 0.3 * i / (len(form) - 1)
            sev = sev.shifted({"energy": ramp, "tension": ramp / 2})
            reasons.append(because("arc word", build, f"the song builds: energy {ramp:+.2f} here", 0.4))
        if stype in progressions:
            chords, numerals = progressions[stype]
            tracer.record("chord_progression", f"section:{sid}", {"numerals": numerals, "chords": chords},
                          [because("form", stype, f"repeats the first {stype}'s progression", 1.0)], confidence=0.9,
                          principle="a section that returns brings its chords back, so the listener recognises it")
        elif written or (g.progression and stype not in ("bridge", "break") and is_major(key) == (g.mode == "major")):
            chords, numerals = _habit_chords(written, g, key, stype, tracer, sid)
            progressions[stype] = (chords, numerals)
        else:
            srng = random.Random(f"{seed}:plan:{stype}")
            chords, numerals = plan_chords(key, stype, sev, bars, srng, lead_in, tracer, sid)
            progressions[stype] = (chords, numerals)
        lead_in = numerals[-1]
        sections.append({"id": sid, "type": stype, "bars": bars, "emotion": sev.to_dict(), "chords": chords,
                         "motif_usage": [], "entry_state": {}, "exit_state": {}, "_reasons": reasons})
    _peak_last(sections, arcs, tracer)
    for s_ in sections:
        sev = EmotionVector.from_dict(s_["emotion"])
        behaviours = section_behaviours(s_["type"], sev, g, playing)
        tracer.record("section_emotion", f"section:{s_['id']}", {"type": s_["type"], "bars": s_["bars"],
                                                                  "emotion": sev.to_dict()},
                      s_.pop("_reasons"), confidence=0.65,
                      principle="sections contrast by energy while sharing the key and the theme")
        tracer.record("track_behaviours", f"section:{s_['id']}", behaviours,
                      [because("energy", sev.energy, "sets how hard drums and bass push; a hushed section has no "
                               "drums, the loudest and most open ones add a pad", 0.5),
                       because("intimacy", sev.intimacy, "close, quiet parts are broken up or sustained; the most "
                               "intimate sections leave the drums (then the bass) out", 0.3)]
                      + [because("prompt", words_, f"asks for {b} {role}", 1.0) for role,
                         (b, words_) in playing.items()],
                      confidence=0.6,
                      principle="how a part plays is chosen by the section's energy and by what the musician asked")
        s_["track_behaviours"] = behaviours

    motifs = design_motifs(rng, key, ev, sections, tracer)
    motif_usages(motifs, sections, ts, prompt, tracer)
    _states(sections)
    pad = None if band.named else next(  # a band the prompt describes is the band: no pad joins it
        (s_ for s_ in sections if s_["track_behaviours"].get("pad", "tacet") != "tacet"), None)
    soft = ev if not named and (ev.energy < CALM or ev.intimacy >= SOFT_INTIMACY) else None
    tracks = _tracks(g, band, tracer, DRUM_KITS[drum_kit(prompt, g, ev, tracer)], pad, soft)
    _enter_late(prompt, sections, tracks, tracer)

    spec = SongSpec.from_dict({
        "rms_version": "2.0", "title": _title(prompt), "genre": g.name, "tempo": tempo, "key": key,
        "time_signature": f"{ts[0]}/{ts[1]}", "global_emotion": ev.to_dict(), "motifs": motifs, "sections": sections,
        "tracks": tracks, "drum_style": _drum_style(prompt, g, tracer), "prompt": prompt,
        **({AS_GIVEN: True} if written else {}),
        **({"swing": g.swing} if g.swing is not None else {}),
    })
    for t in check_transitions(spec):
        if not t.ok:
            tracer.record("transition_check", f"section:{t.target}",
                          {"from": t.source, "ok": False, "reasons": t.reasons},
                          [because("transition", t.source, r, 1.0) for r in t.reasons], confidence=0.9,
                          principle="neighbouring sections must connect; the composer repairs what the plan cannot")
    return spec


def part_requests(prompt: str, genre, band: Band | None = None) -> dict[str, tuple[str, str]]:
    """What the prompt (and the genre) ask of each part: role -> (behaviour, the words that asked).
    Parts the prompt leaves out ("no drums", "solo piano") and parts the genre has no player for
    (classical music has no drum kit) are tacet in every section; a pad the prompt names plays in every one."""
    band = band or band_from_text(prompt)
    out = {role: asked for role, asked in playing_from_text(prompt).items()  # a named part plays
           if asked[0] != "tacet" or role not in band.named}
    for role in ("drums", "bass", "harmony", "melody"):
        if role not in genre.instruments and role not in band.named:
            out[role] = ("tacet", f"{genre.name} has no {role}")
    if "pad" in band.named:
        out.setdefault("pad", ("sustained", band.named["pad"][2]))
    out.update({role: ("tacet", words) for role, words in band.silent.items()
                if role not in ("counter_melody", "arpeggio")})  # parts that play only when named
    return out


def _text_meter(prompt: str, tracer: TraceRecorder) -> str | None:
    """The meter the text names, when Stori can play it (otherwise traced and left to the genre)."""
    meter = meter_from_text(prompt)
    if meter is None:
        return None
    try:
        parse_time_signature(meter)
    except StoriError as e:
        tracer.record("time_signature", "song", None, [because("prompt", meter, e.allowed, 1.0)], confidence=1.0,
                      principle="a meter Stori cannot play falls back to the genre's")
        return None
    return meter


def _key_of_chords(written: tuple[str, list[str]] | None) -> str | None:
    """The key a written progression of chord symbols names: its first chord's root and quality."""
    if not written or written[0] != "symbols":
        return None
    root, pcs, _ = parse_chord(written[1][0])
    return f"{NOTE_NAMES[root]} {'minor' if (root + 3) % 12 in pcs and (root + 4) % 12 not in pcs else 'major'}"


def _habit_chords(written, genre, key: str, stype: str, tracer: TraceRecorder, sid: str) -> tuple[list[str], list[str]]:
    """(per-bar chords, numerals) from the progression the prompt wrote, else the genre's habit."""
    if written and written[0] == "symbols":
        chords, numerals, source = list(written[1]), list(written[1]), ("prompt", "the musician wrote these chords")
    else:
        numerals = list(written[1]) if written else list(genre.progression)
        chords = [roman_to_chord(n, key) for n in numerals]
        source = ("prompt", "the musician wrote this progression") if written else (
            "genre", f"{genre.name}'s usual progression")
    tracer.record("chord_progression", f"section:{sid}", {"numerals": numerals, "chords": chords},
                  [because(source[0], " ".join(numerals), source[1], 1.0)], confidence=0.95,
                  principle="written chords are played as written; a genre's habits come before the chord model")
    return chords, numerals


def _shaped_form(form: list[tuple[str, int]], prompt: str, tracer: TraceRecorder) -> list[tuple[str, int]]:
    """The genre's form without the sections the text leaves out ("no bridge") and with the sizes it
    asks for ("a long intro" doubles it, "a short outro" halves it)."""
    drops, sizes = form_from_text(prompt)
    shaped = [(t, int(min(64, max(2, round(b * sizes.get(t, 1.0)))))) for t, b in form if t not in drops]
    shaped = shaped or form
    if drops or sizes:
        tracer.record("form", "song", {"sections": [t for t, _ in shaped]},
                      [because("prompt", f"no {t}", "left out", 1.0) for t in sorted(drops)]
                      + [because("prompt", t, f"bars x{f:g}", 1.0) for t, f in sizes.items()], confidence=0.9,
                      principle="the form words of the prompt reshape the genre's form")
    return shaped


def _peak_last(sections: list[dict], arcs, tracer: TraceRecorder) -> None:
    """A section said to be the final, biggest one ("builds to a huge final chorus") ends up the
    song's most energetic: every other section stays at least 0.05 below it."""
    for stype in {a[0][5:] for a in arcs if a[0].startswith("last:")}:
        mine = [s for s in sections if s["type"] == stype]
        if not mine:
            continue
        top = mine[-1]["emotion"]
        others = [s for s in sections if s is not mine[-1]]
        top["energy"] = max(top["energy"], min(1.0, max(s["emotion"]["energy"] for s in others) + 0.05))
        for s in others:
            s["emotion"]["energy"] = min(s["emotion"]["energy"], top["energy"] - 0.05)
        tracer.record("section_emotion", f"section:{mine[-1]['id']}", {"energy": top["energy"]},
                      [because("arc word", f"final {stype}", "the final one is the peak of the song", 1.0)],
                      confidence=0.8, principle="a song that builds to its final section peaks there")


CHANNELS = {"drums": 10, "bass": 2, "harmony": 3, "melody": 4, "counter_melody": 5, "pad": 6, "arpeggio": 7}


BRUSH_ENERGY = 0.4
"""A jazz song calmer than this (a ballad) is played with brushes."""


def drum_kit(prompt: str, genre, ev: EmotionVector, tracer: TraceRecorder = NULL_RECORDER) -> str:
    """The GS kit the drums play on: the one the prompt names, brushes for a calm jazz song, else the
    genre's kit."""
    named = kit_from_text(prompt)
    if named:
        kit, why = named[0], because("prompt", named[1], "the musician named the kit", 1.0)
    elif genre.name == "jazz" and ev.energy < BRUSH_ENERGY:
        kit, why = "Brush", because("energy", ev.energy, f"a jazz ballad (below {BRUSH_ENERGY}) is played with brushes",
                                    1.0)
    else:
        kit, why = genre.drum_kit, because("genre", genre.name, "the genre's usual kit", 1.0)
    tracer.record("drum_kit", "track:drums", {"kit": kit, "program": DRUM_KITS[kit]}, [why],
                  alternatives=[k for k in DRUM_KITS if k != kit][:3], confidence=0.9 if named else 0.6,
                  principle="a style sounds right on its own kit (an 808 for trap, brushes for a ballad)")
    return kit


PAD = ("Strings", 48)
"""The pad the fullest sections add (:data:`PAD_FROM`) where the prompt names none: a string
section, heard in every style's big choruses; a warm synth pad where the prompt refuses strings."""


SOFT_BAND = {"melody": ("Flute", 73), "bass": ("Acoustic Bass", 32)}
"""The voices a calm or intimate song takes where its prompt names no genre (the default band's
square-wave lead and electric bass belong to a radio pop song): a flute sings the tune, an upright
bass plays under it."""
SOFT_INTIMACY = 0.75
"""Intimacy from which a song without a named genre takes :data:`SOFT_BAND` (as does energy below
:data:`~stori.spec.emotion.CALM`)."""


def _tracks(g, band: Band, tracer: TraceRecorder, kit_program: int = 0, pad: dict | None = None,
            soft: EmotionVector | None = None) -> list[dict]:
    """One track per role: the instrument the prompt names, else the genre's (or, when the prompt
    refuses that instrument's family, the role's first alternate it does not refuse; or
    :data:`SOFT_BAND`'s for the feeling ``soft`` of a calm or intimate song); the drums on
    ``kit_program`` (:func:`drum_kit`); a pad (:data:`PAD`) when a section (``pad``) is full enough for one."""
    tracks = []
    for role, channel in CHANNELS.items():
        if role in band.named:
            name, program, words = band.named[role]
            reason = because("prompt", words, "named by the musician", 1.0)
        elif role in g.instruments and soft is not None and role in SOFT_BAND and \
                family(SOFT_BAND[role][1]) not in band.refused:
            name, program = SOFT_BAND[role]
            axis = "energy" if soft.energy < CALM else "intimacy"
            reason = because(axis, round(getattr(soft, axis), 2),
                             "a calm or intimate song with no genre named takes soft voices", 1.0)
        elif role in g.instruments:
            name, program = g.instruments[role]
            reason = because("genre", g.name, "the genre's usual instrument", 1.0)
            if role != "drums" and family(program) in band.refused:
                program = next(p for p in ALTERNATES[role] if family(p) not in band.refused)
                name = name_of(program)
                reason = because("prompt", band.refused[family(g.instruments[role][1])],
                                 f"refuses the genre's {g.instruments[role][0]}", 1.0)
        elif role == "drums":
            name, program = "Drums", 0
            reason = because("genre", g.name, f"{g.name} has no drum kit: the part is silent", 1.0)
        elif role == "pad" and pad is not None:
            name, program = PAD if family(PAD[1]) not in band.refused else ("Warm Pad", 89)
            reason = because("arrangement", pad["id"], f"the {pad['id']} is full enough for a pad (energy "
                             f"{pad['emotion']['energy']:.2f}, intimacy {pad['emotion']['intimacy']:.2f})", 1.0)
        else:
            continue
        program = kit_program if role == "drums" else max(0, program)
        taken = {t["name"] for t in tracks}
        name = name if name not in taken else next(f"{name} {k}" for k in range(2, 9) if f"{name} {k}" not in taken)
        tracks.append({"name": name, "role": role, "program": program, "channel": channel, "instrument": name.lower()})
        tracer.record("instrument", f"track:{role}", {"name": name, "program": program}, [reason],
                      confidence=0.9 if reason["factor"] == "prompt" else 0.6,
                      principle="each role gets one clear timbre")
    return tracks


def _enter_late(prompt: str, sections: list[dict], tracks: list[dict], tracer: TraceRecorder) -> None:
    """The parts the prompt brings in late (:func:`~stori.plan.instruments.entrances`) are tacet in every
    section before the one they enter in."""
    for what, nth, stype, words in entrances(prompt):
        at = [k for k, s_ in enumerate(sections) if s_["type"] == stype]
        roles = [t["role"] for t in tracks if t["role"] == what or what.startswith("family:") and t["role"] != "drums"
                 and family(t["program"]) == what.split(":", 1)[1]]
        if not at or not roles or nth > len(at):
            continue
        enter = at[nth - 1 if nth > 0 else -1]
        for s_ in sections[:enter]:
            s_["track_behaviours"].update(dict.fromkeys(roles, "tacet"))
        tracer.record("enter", "song", {"parts": roles, "section": sections[enter]["id"]},
                      [because("prompt", words, f"silent before the {sections[enter]['id']}", 1.0)], confidence=0.9,
                      principle="a part held back is heard as an arrival")


def _states(sections: list[dict]) -> None:
    """Entry and exit states: a section enters at its own energy with its first chord and leaves
    halfway toward the next section's energy on its last chord."""
    for k, s in enumerate(sections):
        nxt = sections[k + 1]["emotion"]["energy"] if k + 1 < len(sections) else s["emotion"]["energy"] - 0.1
        e = s["emotion"]["energy"]
        s["entry_state"] = {"energy": round(e, 3), "chord": s["chords"][0].split()[0]}
        s["exit_state"] = {"energy": round(max(0.0, min(1.0, e + 0.5 * (nxt - e))), 3),
                           "chord": s["chords"][(s["bars"] - 1) % len(s["chords"])].split()[-1]}


def _title(prompt: str) -> str:
    words = prompt.strip().split(",")[0]
    for lead in ("a ", "an ", "the "):
        if words.lower().startswith(lead):
            words = words[len(lead):]
    words = (words[:60] or "Untitled").strip()
    return words[:1].upper() + words[1:]  # the rest as written: "A major" stays A major
