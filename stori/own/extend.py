"""New bars for a musician's song, composed by an engine: after its end (continue) or in place of
chosen bars of chosen parts (vary). The input's notes are never touched: the result holds every
input track as it was, and the new notes are added to a track of their role.

The engine is asked through an ordinary :class:`~stori.spec.song_spec.SongSpec` built from what
:mod:`stori.own.listen` heard: the input's key, tempo and meter; its bars as sections (at most 64
bars each) with the chords recognised in them; the new bars' chords carry the progression on; each
part is asked for the density, register and loudness it had in the bars next to the new ones
(``targets``; for a variation, the varied bars and 2 on either side), a part silent there stays
silent unless it is the one being varied, and the input's notes are the base the engine's
ensemble hears (the bass locks to the input's kick, the harmony clears its bass).
"""
from __future__ import annotations

from dataclasses import replace

from stori.compose import DEFAULT_ENGINE, compose
from stori.errors import StoriError, check_range
from stori.own.listen import LEVEL_BARS, Heard, hear, levels, next_chords
from stori.own.retrieval import retrieve as retrieve_continuations
from stori.perform.expression import perform
from stori.spec.arrange import song_skeleton
from stori.spec.song import DRUM_CHANNEL, ROLES, Song, starting_in, starting_outside
from stori.spec.song_spec import AS_GIVEN, MAX_TOTAL_BARS, SongSpec
from stori.trace import NULL_RECORDER, TraceRecorder, because

NEW = "new"
MAX_NEW_BARS = 64
SECTION_BARS = 64


def _energy(level: dict[str, dict[str, float]]) -> float:
    """The section's energy from the loudness the parts played at (velocity 45 -> 0, 110 -> 1)."""
    velocities = [v["velocity"] for v in level.values()]
    mean = sum(velocities) / len(velocities) if velocities else 80.0
    return round(min(0.95, max(0.1, (mean - 45) / 65)), 3)


def _sections(prefix: str, chords: list[str], targets: dict, energy: float, resting: dict) -> list[dict]:
    out = []
    for k in range(0, len(chords), SECTION_BARS):
        part = chords[k:k + SECTION_BARS]
        sid = prefix if len(chords) <= SECTION_BARS else f"{prefix}{k // SECTION_BARS + 1}"
        out.append({"id": sid, "type": "verse", "bars": len(part), "chords": part, "emotion": {"energy": energy},
                    "targets": targets, "track_behaviours": resting})
    return out


def own_spec(song: Song, heard: Heard, start_bar: int, new_chords: list[str], targets: dict,
             asked: tuple[str, ...] = (), title: str = "Your MIDI") -> SongSpec:
    """The plan of ``song`` with ``new_chords`` (one bar each) composed from bar ``start_bar`` (0-based):
    the bars before and after it as their own sections, one track per role heard. A role without
    ``targets`` rests, unless it is ``asked`` for."""
    energy = _energy(targets)
    resting = {role: "tacet" for role in heard.primary if role not in targets and role not in asked}
    after = heard.chords[start_bar + len(new_chords):] if start_bar + len(new_chords) < heard.bars else []
    sections = (_sections("given", heard.chords[:start_bar], targets, energy, resting)
                + _sections(NEW, new_chords, targets, energy, resting)
                + _sections("after", after, targets, energy, resting))
    channels = iter(c for c in range(1, 17) if c != DRUM_CHANNEL)
    tracks = []
    for role in (r for r in ROLES if r in heard.primary):
        t = song.tracks[heard.primary[role]]
        tracks.append({"name": t.name[:60] or role, "role": role, "program": t.program,
                       "channel": DRUM_CHANNEL if role == "drums" else next(channels)})
    return SongSpec.from_dict({
        "title": title, "genre": "pop", "tempo": min(240.0, max(40.0, heard.tempo)), "key": heard.key,
        "time_signature": f"{heard.meter[0]}/{heard.meter[1]}", "global_emotion": {"energy": energy},
        "sections": sections, "tracks": tracks, "drum_style": "pop", AS_GIVEN: True})


def compose_bars(song: Song, heard: Heard, start_bar: int, new_chords: list[str], roles: tuple[str, ...] | None,
                 seed: int, engine: str, tracer: TraceRecorder,
                 melody_pitch: float | None = None) -> tuple[dict[str, list], SongSpec]:
    """Role -> the performed notes the engine made for bars ``start_bar``.. (``new_chords`` long), and the
    spec; ``melody_pitch`` asks the melody for that mean pitch instead of the one it had."""
    end = start_bar + len(new_chords)
    if end <= heard.bars:  # a variation: the bars themselves and their neighbours
        lo, hi = max(0, start_bar - LEVEL_BARS // 2), min(heard.bars, end + LEVEL_BARS // 2)
    else:  # a continuation: the last bars
        lo, hi = max(0, start_bar - LEVEL_BARS), start_bar
    targets = levels(song, heard, lo, hi) or levels(song, heard, 0, heard.bars)
    if melody_pitch is not None and "melody" in targets:
        targets["melody"]["pitch"] = melody_pitch
    spec = own_spec(song, heard, start_bar, new_chords, targets, roles or ())
    base = song_skeleton(spec)
    for track, ts in zip(base.tracks, spec.tracks):
        track.notes = list(song.tracks[heard.primary[ts.role]].notes)
    tracer.record("heard", "song", heard.as_dict(),
                  [because("notes", "pitch-class durations", "the key whose Krumhansl-Kessler profile fits best", 0.4),
                   because("notes", "tones per half bar", "the triad that covers them, held until the notes move",
                           0.4),
                   because("tracks", "names, channels, register", "the role of each track", 0.2)],
                  confidence=0.7, principle="new music starts from what the musician played")
    tracer.record("targets", f"section:{NEW}", targets,
                  [because("bars", f"{lo + 1}-{hi}", "each part goes on at the density, register and loudness it "
                           "had next to the new bars", 1.0)],
                  confidence=0.8, principle="a continuation keeps the band's level; a seam should not be heard")
    made = compose(spec, engine, seed=seed, tracer=tracer, sections={NEW}, base=base, roles=roles)
    made = perform(made, seed=seed, sections={NEW}, trace=tracer.enabled, roles=roles)
    span = made.section(NEW)
    return {t.role: starting_in(t.notes, span.start, span.end) for t in made.tracks}, spec


def _copy(song: Song, heard: Heard) -> list:
    return [replace(t, role=role, notes=list(t.notes), controls=list(t.controls))
            for t, role in zip(song.tracks, heard.roles)]


def described(spec: SongSpec, tracks: list) -> SongSpec:
    """``spec`` naming the result's own tracks (the input's, with their channels), so a bundle of it
    reads back with every track and its role."""
    d = spec.to_dict()
    d["tracks"] = [{"name": t.name[:60] or t.role, "role": t.role, "program": t.program, "channel": t.channel}
                   for t in tracks]
    return SongSpec.from_dict(d)


def check_bars(value, field: str = "bars") -> int:
    value = check_range(field, value, 1, MAX_NEW_BARS)
    if float(value) != int(value):
        raise StoriError(field, f"{value} is not a whole number", f"1..{MAX_NEW_BARS} bars")
    return int(value)


def continue_song(song: Song, bars: int, seed: int = 0, engine: str = DEFAULT_ENGINE, trace: bool = True,
                  retrieve: bool = False) -> Song:
    """``song`` with ``bars`` new bars after its last bar; every input note as it was. With ``retrieve``
    the new bars follow the real song that best continues the input (:mod:`stori.own.retrieval`;
    the ranked candidates are in ``song.spec.extra["retrieved"]``)."""
    bars = check_bars(bars)
    heard = hear(song)
    if heard.bars + bars > MAX_TOTAL_BARS:
        raise StoriError("bars", f"{heard.bars} bars in the file and {bars} new",
                         f"up to {MAX_TOTAL_BARS} bars in all")
    tracer = TraceRecorder() if trace else NULL_RECORDER
    found = retrieve_continuations(song, heard) if retrieve else []
    melody_pitch = None
    if found:
        best = found[0]
        chords, melody_pitch = [best["chords"][k % len(best["chords"])] for k in range(bars)], best["melody_pitch"]
        tracer.record("retrieval", f"section:{NEW}", {"candidates": found},
                      [because("relevance", best["relevance"], "pitch classes, rhythm and contour of the last 2 bars "
                               "match this place in a real song", 0.6),
                       because("seam", best["seam"], "its melody and density cross the seam smoothly", 0.4)],
                      alternatives=[c["source"] for c in found[1:]], confidence=min(0.95, best["score"]),
                      principle="continue the way a real song went on from a place like this one")
    else:
        chords = next_chords(heard.chords, bars)
        tracer.record("chord_progression", f"section:{NEW}", {"chords": chords},
                      [because("chords", " | ".join(heard.chords[-8:]), "the progression goes round again from "
                               "where the input left it", 1.0)],
                      confidence=0.7, principle="a continuation carries the harmony on")
    new, spec = compose_bars(song, heard, heard.bars, chords, None, seed, engine, tracer, melody_pitch)
    if found:
        spec.extra["retrieved"] = found
    tracks = _copy(song, heard)
    for role, k in heard.primary.items():
        tracks[k].notes += new.get(role, [])
    return Song(tracks=tracks, sections=spec.spans(), tempo=song.tempo, time_signature=song.time_signature,
                key=heard.key, spec=described(spec, tracks),
                traces=tracer.traces)


def parse_bar_range(text, n_bars: int) -> tuple[int, int]:
    """``"5-6"`` or ``"5"`` (bars counted from 1) -> (first, last), inside the song's ``n_bars``."""
    allowed = f"a bar or a range of bars within 1..{n_bars}, such as '5-6'"
    parts = str(text).strip().split("-")
    if not 1 <= len(parts) <= 2 or not all(p.strip().isdigit() and len(p.strip()) < 6 for p in parts):
        raise StoriError("bars", f"{str(text)[:40]!r} is not a bar range", allowed)
    first, last = int(parts[0]), int(parts[-1])
    if not 1 <= first <= last <= n_bars:
        raise StoriError("bars", f"{first}-{last} is outside the song or backwards", allowed)
    if last - first >= MAX_NEW_BARS:
        raise StoriError("bars", f"{last - first + 1} bars", f"up to {MAX_NEW_BARS} bars at a time")
    return first, last


def chosen_tracks(items, song: Song, heard: Heard) -> list[int]:
    """Track indexes from names given as roles ("bass") or 1-based track numbers ("2")."""
    allowed = (f"track numbers 1..{len(song.tracks)} or roles heard in the file: "
               + ", ".join(r for r in ROLES if r in heard.primary))
    picked: list[int] = []
    for item in items or []:
        item = str(item).strip().lower()
        if item.isdigit() and len(item) < 4 and 1 <= int(item) <= len(song.tracks):
            k = int(item) - 1
        elif item in heard.primary:
            k = heard.primary[item]
        else:
            raise StoriError("tracks", f"{item[:40]!r} is not a track of the file", allowed)
        if k not in picked:
            picked.append(k)
    if not picked:
        raise StoriError("tracks", "none chosen", allowed)
    return picked


def vary_song(song: Song, bars: str, tracks, seed: int = 0, engine: str = DEFAULT_ENGINE, trace: bool = True) -> Song:
    """``song`` with bars ``bars`` ("5-6") of ``tracks`` composed anew; every other note as it was. Of
    two chosen tracks of one role the first takes the new notes, the second falls silent there."""
    heard = hear(song)
    first, last = parse_bar_range(bars, heard.bars)
    picked = chosen_tracks(tracks, song, heard)
    roles = tuple(dict.fromkeys(heard.roles[k] for k in picked))
    tracer = TraceRecorder() if trace else NULL_RECORDER
    new, spec = compose_bars(song, heard, first - 1, heard.chords[first - 1:last], roles, seed, engine, tracer)
    tpb = song.ticks_per_bar
    lo, hi = (first - 1) * tpb, last * tpb
    out = _copy(song, heard)
    given = set()
    for k in picked:
        role = heard.roles[k]
        fresh = new.get(role, []) if role not in given else []
        given.add(role)
        out[k].notes = sorted(starting_outside(out[k].notes, lo, hi) + fresh, key=lambda n: (n.start, n.pitch))
    return Song(tracks=out, sections=spec.spans(), tempo=song.tempo, time_signature=song.time_signature, key=heard.key,
                spec=described(spec, out), traces=tracer.traces)
