"""Chat refinement: a :class:`SongSession` turns what the musician says into a new version that
changes only what was targeted, keeps every version (undo/redo), explains each change with a
measured diff and answers "why?" questions from the traces.

    session = SongSession(song, engine="baseline", seed=0)
    reply = session.say("make the bridge more intense")   # Reply(markdown, song, changed_sections, command)
    session.undo(); session.redo(); session.versions      # every Song kept
    session.edit(spec, regenerate={"verse2"})             # the studio's table and "Regenerate section"
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from stori.compose import DEFAULT_ENGINE, compose
from stori.compose.chat import RefinementCommand, parse_command, resolve_sections
from stori.compose.diff import musical_diff
from stori.compose.why import answer_why
from stori.errors import StoriError
from stori.perform.expression import perform
from stori.plan.genres import DEFAULT_GENRE, GENRES
from stori.plan.planner import plan_chords, section_behaviours
from stori.plan.words import playing_from_text
from stori.spec.arrange import song_skeleton
from stori.spec.song import Note, Song, starting_in
from stori.spec.song_spec import SongSpec
from stori.theory import NOTE_NAMES, QUALITIES, is_major, parse_chord, parse_key
from stori.trace import TraceRecorder, because

REGENERATE_SEED = 104729


@dataclass
class Reply:
    markdown: str
    song: Song
    changed_sections: list[str] = field(default_factory=list)
    command: RefinementCommand | None = None


def _chord_family(symbol: str, richer: bool) -> str:
    """Triad of a chord (simpler) or its diatonic-sounding seventh (richer)."""
    root, pcs, _ = parse_chord(symbol)
    if root < 0:
        return symbol
    minor = (root + 3) % 12 in pcs and (root + 4) % 12 not in pcs
    dim = minor and (root + 6) % 12 in pcs
    if not richer:
        return NOTE_NAMES[root] + ("dim" if dim else "m" if minor else "")
    has7 = (root + 10) % 12 in pcs
    return NOTE_NAMES[root] + ("m7b5" if dim else "m7" if minor else "7" if has7 else "maj7")


def _transpose_song(song: Song, semis: int, key: str) -> Song:
    spec = song.spec.copy()
    spec.key = key
    for s in spec.sections:
        s.chords = [" ".join(_transpose_chord(c, semis) for c in bar.split()) for bar in s.chords]
        for st in (s.entry_state, s.exit_state):
            if "chord" in st:
                st["chord"] = _transpose_chord(st["chord"], semis)
    out = song_skeleton(spec)
    out.tempo = song.tempo
    for t, old in zip(out.tracks, song.tracks):
        t.notes = [n if old.is_drums else Note(n.pitch + semis, n.start, n.end, n.velocity) for n in old.notes]
        t.controls = list(old.controls)
    out.traces = list(song.traces)
    return out


def _transpose_chord(symbol: str, semis: int) -> str:
    import re

    m = re.match(r"^([A-G][#b]?)([^/]*)(?:/([A-G][#b]?))?$", symbol)
    if not m or m.group(2) not in QUALITIES:
        return symbol
    root = NOTE_NAMES[(parse_key(m.group(1))[0] + semis) % 12]
    bass = f"/{NOTE_NAMES[(parse_key(m.group(3))[0] + semis) % 12]}" if m.group(3) else ""
    return root + m.group(2) + bass


def apply_command(song: Song, cmd: RefinementCommand, engine: str = DEFAULT_ENGINE, seed: int = 0,
                  version: int = 1, tracer: TraceRecorder | None = None) -> Song:
    """The new song for an adjust / regenerate / tempo / key / drum style command (others raise StoriError)."""
    tracer = tracer or TraceRecorder()
    spec = song.spec.copy()
    targets = resolve_sections(cmd, [(s.id, s.type) for s in spec.sections])
    if cmd.sections and not targets:
        raise StoriError("section", f"{', '.join(cmd.sections)} is not in this song",
                         ", ".join(s.id for s in spec.sections))
    if cmd.action == "tempo":
        tempo = cmd.tempo if cmd.tempo else round(song.tempo * cmd.tempo_factor)
        tempo = max(40.0, min(240.0, float(tempo)))
        out = _transpose_song(song, 0, spec.key)
        out.tempo = out.spec.tempo = tempo
        tracer.record("refinement", "song", {"tempo": tempo},
                      [because("chat", cmd.text, f"tempo {song.tempo:g} → {tempo:g}", 1.0)],
                      confidence=0.9, principle="tempo changes the pace, not the notes")
        out.traces = list(song.traces) + tracer.traces
        return out
    if cmd.action == "key":
        tonic, mode = parse_key(song.key)
        if cmd.transpose is not None:
            semis, new_key = cmd.transpose, f"{NOTE_NAMES[(tonic + cmd.transpose) % 12]} {mode}"
        else:
            new_tonic, new_mode = parse_key(cmd.key)
            semis = (new_tonic - tonic + 6) % 12 - 6
            new_key = cmd.key
            if new_mode != mode and is_major(new_key) != is_major(song.key):
                spec.key = new_key
                lead = None
                for s in spec.sections:
                    s.chords, numerals = plan_chords(new_key, s.type, s.emotion, s.bars,
                                                     random.Random(f"{seed}:plan:{s.type}"),
                                                     lead, tracer, s.id)
                    lead = numerals[-1]
                    s.entry_state.pop("chord", None), s.exit_state.pop("chord", None)
                tracer.record("refinement", "song", {"key": new_key},
                              [because("chat", cmd.text, "a change of mode re-plans every chord", 1.0)],
                              confidence=0.8,
                              principle="major and minor need different progressions, so the whole song is "
                                        "re-harmonised")
                return _recompose(spec, engine, seed, tracer, {s.id for s in spec.sections}, song)
        out = _transpose_song(song, semis, new_key)
        tracer.record("refinement", "song", {"key": new_key, "semitones": semis},
                      [because("chat", cmd.text, f"every pitched part moves {semis:+d}", 1.0)],
                      confidence=0.9, principle="a transposition keeps every interval, so the song stays itself")
        out.traces = list(song.traces) + tracer.traces
        return out

    if cmd.action == "drum_style":
        spec.extra["drum_style"] = cmd.drum_style
        tracer.record("refinement", "drums", {"drum_style": cmd.drum_style},
                      [because("chat", cmd.text, f"the drums in the style of {cmd.drum_style}", 1.0)],
                      confidence=0.9, principle="only the drums change; every other part stays as it was")
        return _recompose(spec, engine, seed, tracer, set(targets), song, ("drums",))
    roles = tuple(cmd.dimensions) or None
    g = GENRES.get(spec.genre, GENRES[DEFAULT_GENRE])
    playing = playing_from_text(str(spec.extra.get("prompt", "")))
    chords_changed = False
    for s in spec.sections:
        if s.id not in targets:
            continue
        before = s.emotion
        if cmd.delta:
            s.emotion = s.emotion.shifted(cmd.delta)
            louder = cmd.delta.get("energy", 0) > 0 or cmd.delta.get("motion", 0) > 0
            fresh = section_behaviours(s.type, s.emotion, g,
                                       {} if louder else playing)  # a new ask for more wins over 'subtle'
            for role in (roles or fresh):
                if role in fresh and s.track_behaviours.get(role) != "tacet":
                    s.track_behaviours[role] = fresh[role]
            for st in (s.entry_state, s.exit_state):
                if "energy" in st:
                    st["energy"] = round(min(1.0, max(0.0, st["energy"] + s.emotion.energy - before.energy)), 3)
        s.track_behaviours.update(cmd.behaviours)
        lifted = any("register_shift" in str(u.transformations) for u in s.motif_usage)
        if cmd.behaviours.get("melody") == "soaring" and not lifted:
            for u in s.motif_usage[:1]:
                u.transformations = [*u.transformations, {"type": "register_shift", "amount": 1}]
        if cmd.simpler_chords is not None:
            s.chords = [" ".join(_chord_family(c, not cmd.simpler_chords) for c in bar.split()) for bar in s.chords]
            chords_changed = True
        elif abs(cmd.delta.get("tension", 0)) >= 0.2 and (roles is None or "harmony" in roles):
            s.chords, _ = plan_chords(spec.key, s.type, s.emotion, s.bars,
                                      random.Random(f"{seed}:replan:{s.id}:{version}"),
                                      None, tracer, s.id)
            chords_changed = True
        if chords_changed:
            s.entry_state["chord"], s.exit_state["chord"] = s.first_chord, s.last_chord
        tracer.record("refinement", f"section:{s.id}",
                      {"command": cmd.action, "delta": cmd.delta, "roles": list(roles or ()),
                                                        "emotion": s.emotion.to_dict(),
                                                        "behaviours": dict(s.track_behaviours)},
                      [because("chat", cmd.text, f"{', '.join(cmd.named) or 'asked change'} on {s.id}", 1.0)]
                      + [because(a, round(getattr(s.emotion, a), 3), f"{d:+.2f} from the command", 0.5) for a,
                         d in cmd.delta.items()],
                      confidence=0.8,
                      principle="only what the musician pointed at changes; everything else stays as it was")
    if chords_changed:
        roles = None if roles is None else tuple(dict.fromkeys((*roles, "bass", "harmony", "melody")))
    run_seed = seed + REGENERATE_SEED * version if cmd.action == "regenerate" else seed
    return _recompose(spec, engine, run_seed, tracer, set(targets), song, roles)


def _recompose(spec, engine: str, seed: int, tracer: TraceRecorder, sections: set[str], base: Song,
               roles: tuple[str, ...] | None = None) -> Song:
    """Compose only ``sections`` over ``base`` and perform them as generation does (other notes untouched)."""
    return perform(compose(spec, engine, seed=seed, tracer=tracer, sections=sections, base=base, roles=roles),
                   seed=seed, sections=sections, roles=roles)


def relayout(song: Song, spec: SongSpec) -> Song:
    """``song`` laid out in ``spec``'s form: each section the form keeps (by id) brings its notes and
    controller curves, moved to where it now starts (cut at its new end); a new section is empty."""
    out = song_skeleton(spec)
    was = {s.id: s for s in song.sections}
    for track, old in zip(out.tracks, song.tracks):
        for span in out.sections:
            before = was.get(span.id)
            if before is None:
                continue
            shift, end = span.start - before.start, min(before.end, before.start + span.end - span.start)
            track.notes += [replace(n, start=n.start + shift, end=n.end + shift)
                            for n in starting_in(old.notes, before.start, end)]
            track.controls += [replace(c, tick=c.tick + shift) for c in old.controls if before.start <= c.tick < end]
    out.traces = list(song.traces)
    return out


def changed_sections(before: SongSpec, after: SongSpec) -> list[str]:
    """The sections of ``after`` whose plan differs from ``before``'s section of that id (or that are new)."""
    was = {d["section_id"]: d for d in before.to_dict()["sections"]}
    return [d["section_id"] for d in after.to_dict()["sections"] if was.get(d["section_id"]) != d]


def edit_song(song: Song, spec: SongSpec, engine: str = DEFAULT_ENGINE, seed: int = 0, version: int = 1,
              regenerate: set[str] = frozenset(), tracer: TraceRecorder | None = None) -> tuple[Song, list[str]]:
    """The song for an edited plan (the studio's section table): the sections whose plan changed, and
    those in ``regenerate`` (with a fresh seed), are composed and performed again; every other section
    keeps its notes and performance bit for bit, moved to where it now starts. Returns (song, recomposed ids)."""
    tracer = tracer or TraceRecorder()
    if [t.to_wire() for t in spec.tracks] != [t.to_wire() for t in song.spec.tracks]:
        raise StoriError("tracks", "differ from the song's", "the song's own tracks (edit sections only)")
    unknown = set(regenerate) - {s.id for s in spec.sections}
    if unknown:
        raise StoriError("section", f"{', '.join(sorted(unknown))} is not in this song",
                         ", ".join(s.id for s in spec.sections))
    targets = [s.id for s in spec.sections if s.id in set(changed_sections(song.spec, spec)) | set(regenerate)]
    for sid in targets:
        tracer.record("refinement", f"section:{sid}", {"command": "edit", "regenerate": sid in regenerate},
                      [because("section table", sid, "its plan was edited" if sid not in regenerate
                               else "the musician asked for a new take", 1.0)],
                      confidence=0.9, principle="only what the musician pointed at changes; everything else stays "
                                                "as it was")
    base = relayout(song, spec)
    if not targets:
        return base, []
    run_seed = seed + REGENERATE_SEED * version if regenerate else seed
    return _recompose(spec, engine, run_seed, tracer, set(targets), base), targets


class SongSession:
    """Every version of a song under chat refinement; ``say`` makes a new one, ``undo``/``redo`` move."""

    def __init__(self, song: Song, engine: str = DEFAULT_ENGINE, seed: int = 0):
        if song.spec is None:
            raise StoriError("song", "has no spec", "a Song made by stori (its bundle has spec.json)")
        self.engine, self.seed = engine, seed
        self.versions: list[Song] = [song]
        self.commands: list[RefinementCommand | None] = [None]
        self.index = 0

    @property
    def song(self) -> Song:
        return self.versions[self.index]

    def say(self, text: str) -> Reply:
        cmd = parse_command(text)
        if cmd.action == "undo":
            return self.undo()
        if cmd.action == "redo":
            return self.redo()
        if cmd.action == "why":
            return Reply(answer_why(self.song, text), self.song, [], cmd)
        if cmd.action == "unknown":
            return Reply("I did not understand that. Try e.g. *make the bridge more intense*, *busier drums in the "
                         "second verse*, "
                         "*simpler chords*, *the melody should soar in the chorus*, *slower*, *in D minor*, "
                         "*regenerate the verse*, *undo*, or ask *why is the chorus higher?*", self.song, [], cmd)
        new = apply_command(self.song, cmd, self.engine, self.seed, version=len(self.versions))
        diff, changed = musical_diff(self.song, new)
        return self._add(new, cmd, diff, changed)

    def edit(self, spec: SongSpec, regenerate: set[str] = frozenset(), text: str = "") -> Reply:
        """A new version from an edited plan (:func:`edit_song`); ``text`` names it in the history."""
        new, targets = edit_song(self.song, spec, self.engine, self.seed, len(self.versions), set(regenerate))
        if not targets and [s.id for s in new.sections] == [s.id for s in self.song.sections]:
            return Reply("Nothing to recompose: the sections are as they were.", self.song, [], None)
        text = text or ("regenerate " if regenerate else "edit ") + ", ".join(targets)
        diff, changed = musical_diff(self.song, new)
        return self._add(new, RefinementCommand(text, action="regenerate" if regenerate else "adjust",
                                                sections=targets), diff, changed)

    def _add(self, new: Song, cmd: RefinementCommand, diff: str, changed: list[str]) -> Reply:
        del self.versions[self.index + 1:], self.commands[self.index + 1:]
        self.versions.append(new)
        self.commands.append(cmd)
        self.index = len(self.versions) - 1
        return Reply(f"**Version {self.index}** — {cmd.text}\n\n{diff}", new, changed, cmd)

    def undo(self) -> Reply:
        if self.index == 0:
            return Reply("Nothing to undo: this is the first version.", self.song)
        self.index -= 1
        diff, changed = musical_diff(self.versions[self.index + 1], self.song)
        return Reply(f"**Back to version {self.index}**\n\n{diff}", self.song, changed, parse_command("undo"))

    def redo(self) -> Reply:
        if self.index + 1 >= len(self.versions):
            return Reply("Nothing to redo.", self.song)
        self.index += 1
        diff, changed = musical_diff(self.versions[self.index - 1], self.song)
        return Reply(f"**Forward to version {self.index}**\n\n{diff}", self.song, changed, parse_command("redo"))
