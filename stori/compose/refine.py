"""Chat refinement: a :class:`SongSession` turns what the musician says into a new version that
changes only what was targeted, keeps every version (undo/redo), explains each change with a
measured diff and answers "why?" questions from the traces.

    session = SongSession(song, engine="baseline", seed=0)
    reply = session.say("make the bridge more intense")   # Reply: .markdown (short diff), .song, .changed_sections
    session.undo(); session.redo(); session.versions      # every Song kept
    session.edit(spec, regenerate={"verse2"})             # the studio's table and "Regenerate section"
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace

from stori.compose import DEFAULT_ENGINE, compose
from stori.compose.arrangement import arranged, with_form, with_part
from stori.compose.chat import ACTIONS, RefinementCommand, closest_commands, parse_command, resolve_sections
from stori.compose.diff import musical_diff, short_diff
from stori.compose.reshape import mode_map
from stori.compose.why import answer_why
from stori.errors import StoriError
from stori.perform.expression import perform
from stori.plan.genres import DEFAULT_GENRE, GENRES
from stori.plan.planner import plan_chords, section_behaviours
from stori.plan.words import playing_from_text
from stori.spec.arrange import song_skeleton
from stori.spec.song import Note, Song, starting_in
from stori.spec.song_spec import SongSpec
from stori.theory import NOTE_NAMES, QUALITIES, major_lean, parse_chord, parse_key, pitch_name, spelled_key
from stori.trace import NULL_RECORDER, TraceRecorder, because

REGENERATE_SEED = 104729


@dataclass
class Reply:
    """What the chat answers: ``text`` (a short diff with the full one folded, a "why?" answer, a note)
    under ``heading`` when the reply is a version (``{v}`` there is its number, counted from 1 as the
    studio's folders count them; the studio sets ``version`` to the folder's own number)."""
    text: str
    song: Song
    changed_sections: list[str] = field(default_factory=list)
    command: RefinementCommand | None = None
    heading: str = ""
    version: int | None = None

    @property
    def markdown(self) -> str:
        if not self.heading:
            return self.text
        return f"{self.heading.replace('{v}', str(self.version))}\n\n{self.text}"


DRUMS_UP = {"sparse": "steady", "steady": "driving"}
"""A drum behaviour one step up: where a call for more (energy or motion) leaves the planner's choice
where it was, the drums still move up a step, as a drummer asked for more plays more."""

def diff_reply(before: Song, after: Song) -> tuple[str, list[str]]:
    """(a short diff with the full measured diff folded under it, ids of the sections whose notes changed)."""
    full, changed = musical_diff(before, after)
    return (f"{short_diff(before, after, changed)}\n\n<details><summary>Details</summary>\n\n{full}\n\n</details>",
            changed)


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


def _moved_song(song: Song, key: str, move) -> Song:
    """``song`` in ``key``: every pitched note through ``move`` (pitch -> pitch), chords likewise, named
    in the key's spelling; drums, timing, velocities and controllers as they were."""
    spec = song.spec.copy()
    spec.key = key
    for s in spec.sections:
        s.chords = [" ".join(_moved_chord(c, move, key) for c in bar.split()) for bar in s.chords]
        for st in (s.entry_state, s.exit_state):
            if "chord" in st:
                st["chord"] = _moved_chord(st["chord"], move, key)
    out = song_skeleton(spec)
    out.tempo = song.tempo
    for t, old in zip(out.tracks, song.tracks):
        t.notes = [n if old.is_drums else Note(move(n.pitch), n.start, n.end, n.velocity) for n in old.notes]
        t.controls = list(old.controls)
    out.traces = list(song.traces)
    return out


def _moved_chord(symbol: str, move, key: str) -> str:
    """A chord symbol with its root, tones and bass moved by ``move``; the quality whose tones match
    (the old one when none does), the root named in ``key``'s spelling."""
    m = re.match(r"^([A-G][#b]?)([^/]*)(?:/([A-G][#b]?))?$", symbol)
    if not m or m.group(2) not in QUALITIES:
        return symbol
    root = parse_key(m.group(1))[0]
    new_root = move(60 + root) % 12
    tones = sorted((move(60 + root + i) - move(60 + root)) % 12 for i in QUALITIES[m.group(2)])
    quality = m.group(2) if sorted(i % 12 for i in QUALITIES[m.group(2)]) == tones else next(
        (q for q, iv in QUALITIES.items() if sorted(i % 12 for i in iv) == tones), m.group(2))
    bass = f"/{pitch_name(move(60 + parse_key(m.group(3))[0]), key)}" if m.group(3) else ""
    return pitch_name(new_root, key) + quality + bass


def apply_command(song: Song, cmd: RefinementCommand, engine: str = DEFAULT_ENGINE, seed: int = 0,
                  version: int = 1, tracer: TraceRecorder | None = None) -> Song:
    """The new song for a command that changes notes (a form command goes through :func:`edit_song`
    with :func:`~stori.compose.arrangement.with_form`; undo, redo, why and unknown change nothing)."""
    quiet = ("form", "undo", "redo", "why", "unknown")
    if cmd.action in quiet:
        raise StoriError("action", f"{cmd.action!r} makes no new song here",
                         ", ".join(a for a in ACTIONS if a not in quiet))
    tracer = tracer or TraceRecorder()
    spec = song.spec.copy()
    targets = resolve_sections(cmd, [(s.id, s.type) for s in spec.sections])
    if cmd.sections and not targets:
        raise StoriError("section", f"{', '.join(cmd.sections)} is not in this song",
                         ", ".join(s.id for s in spec.sections))
    if cmd.action == "tempo":
        tempo = cmd.tempo if cmd.tempo else round(song.tempo * cmd.tempo_factor)
        tempo = max(40.0, min(240.0, float(tempo)))
        out = _moved_song(song, spec.key, lambda p: p)
        out.tempo = out.spec.tempo = tempo
        tracer.record("refinement", "song", {"tempo": tempo},
                      [because("chat", cmd.text, f"tempo {song.tempo:g} → {tempo:g}", 1.0)],
                      confidence=0.9, principle="tempo changes the pace, not the notes")
        out.traces = list(song.traces) + tracer.traces
        return out
    if cmd.action == "key":
        return _new_key(song, spec, cmd, engine, seed, tracer)
    if cmd.action in ("level", "density", "feel", "drop", "mix", "swap"):
        out, said = arranged(song, cmd, targets)
        tracer.record("refinement", "song" if len(targets) == len(spec.sections) else f"section:{','.join(targets)}",
                      {"command": cmd.action, "change": said},
                      [because("chat", cmd.text, said, 1.0)], confidence=0.9,
                      principle="the same music played differently: only the notes asked about change")
        out.traces = list(song.traces) + tracer.traces
        return out
    if cmd.action == "add_part":
        spec, role = with_part(spec, cmd)
        tracer.record("refinement", f"section:{','.join(targets)}", {"command": "add_part", "role": role},
                      [because("chat", cmd.text, f"{role} composed in {', '.join(targets)}", 1.0)], confidence=0.8,
                      principle="a new part is composed to fit the parts already there, which stay as they were")
        return _recompose(spec, engine, seed, tracer, set(targets), relayout(song, spec), (role,))

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
            louder = cmd.delta.get("energy", 0) > 0 or cmd.delta.get("motion", 0) > 0  # never drops a part
            fresh = section_behaviours(s.type, s.emotion, g,
                                       {} if louder else playing)  # a new ask for more wins over 'subtle'
            for role in (roles or fresh):
                dropped = louder and fresh.get(role) == "tacet"
                was = s.track_behaviours.get(role)
                if role in fresh and was != "tacet" and not dropped:
                    s.track_behaviours[role] = fresh[role]
                if louder and role == "drums" and fresh.get(role) in (was, "tacet") and was in DRUMS_UP:
                    s.track_behaviours[role] = DRUMS_UP[was]  # asked for more, the drummer plays more
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
        elif max(abs(cmd.delta.get("tension", 0)), abs(cmd.delta.get("valence", 0))) >= 0.2 and (
                roles is None or "harmony" in roles):  # tension and valence choose the chords (colour, function)
            chords = replanned(spec.key, s, cmd.delta.get("valence", 0.0), f"{seed}:replan:{s.id}:{version}", tracer)
            chords_changed = chords is not None
            s.chords = chords or s.chords
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


REPLAN_DRAWS = 8
"""Progressions drawn for a section whose valence a command moves, the one whose colour moves most
that way kept: one draw of the chord model at the new feeling made a brighter verse's chords less
major than the genre's own loop in 2 seeds of 5 ("resolve it": 4 of 5)."""


ROOT_WEIGHT = 2.0
"""How much more a chord's bass note weighs in :func:`colour` than its other tones: the bass holds it
long and low, where a mode is heard (a loop of D, Bm7, D, D sounded more major than Bm7, Gmaj7, A7, D
with its melody and bass, though less so by its chord tones alone)."""


def colour(chords: list[str]) -> tuple[float, float]:
    """How major per-bar chord symbols sound, as the evaluation hears a section's changes: (the share of
    changes with a major third over the root, how much better their pitch classes, each as long as its
    chord sounds, fit the best major key's profile than the best minor's: :func:`~stori.theory.major_lean`)."""
    bars = [[(c, parse_chord(c)) for c in bar.split()] for bar in chords]
    changes = [(c, root, pcs) for bar in bars for c, (root, pcs, _) in bar]
    parsed = [(r, pcs) for k, (c, r, pcs) in enumerate(changes) if (k == 0 or c != changes[k - 1][0]) and r >= 0]
    weights = [0.0] * 12
    for bar in bars:
        for _, (_root, pcs, bass) in bar:
            for pc in pcs:  # by how long each chord sounds, its bass note weighing more
                weights[pc] += (1.0 + ROOT_WEIGHT * (pc == bass % 12)) / len(bar)
    lean = major_lean(weights)
    if lean is None:
        return 0.0, 0.0
    return sum((r + 4) % 12 in pcs for r, pcs in parsed) / len(parsed), lean


def replanned(key: str, s, valence: float, stream: str, tracer: TraceRecorder) -> list[str] | None:
    """New chords for section ``s`` at its new feeling (the chord model's, drawn from ``stream``), or
    None when they stay. Where ``valence`` moved, of :data:`REPLAN_DRAWS` progressions the one whose
    :func:`colour` moves most that way, neither of its measures against it; none (the chords stay)
    where every one moves one of them against it."""
    def draw(k: int, rec) -> list[str]:
        return plan_chords(key, s.type, s.emotion, s.bars, random.Random(stream if k == 0 else f"{stream}:{k}"),
                           None, rec, s.id)[0]
    if not valence:
        return draw(0, tracer)
    was = colour(s.chords)
    moves = [[valence * (a - b) for a, b in zip(colour(draw(k, NULL_RECORDER)), was)] for k in range(REPLAN_DRAWS)]
    fits = [k for k, m in enumerate(moves) if min(m) >= 0]
    return draw(max(fits, key=lambda k: sum(moves[k])), tracer) if fits else None


def _new_key(song: Song, spec: SongSpec, cmd: RefinementCommand, engine: str, seed: int,
             tracer: TraceRecorder) -> Song:
    """A transposition (by ``cmd.transpose`` or to ``cmd.key``); a new mode maps each scale degree to the
    new key's; ``cmd.reharmonise`` plans new chords in the new key and composes the song again."""
    tonic, mode = parse_key(song.key)
    if cmd.transpose is not None:
        new_tonic, new_mode = (tonic + cmd.transpose) % 12, mode
    else:
        new_tonic, new_mode = parse_key(cmd.key if " " in cmd.key else f"{cmd.key} {mode}")
    new_key = spelled_key(new_tonic, new_mode)
    if cmd.reharmonise:
        spec.key = new_key
        lead = None
        for s in spec.sections:
            s.chords, numerals = plan_chords(new_key, s.type, s.emotion, s.bars, random.Random(f"{seed}:plan:{s.type}"),
                                             lead, tracer, s.id)
            lead = numerals[-1]
            s.entry_state.pop("chord", None), s.exit_state.pop("chord", None)
        tracer.record("refinement", "song", {"key": new_key},
                      [because("chat", cmd.text, "re-harmonising was asked: every chord is planned again", 1.0)],
                      confidence=0.8, principle="new chords need new parts, so the whole song is composed again")
        return _recompose(spec, engine, seed, tracer, {s.id for s in spec.sections}, song)
    semis = cmd.transpose if cmd.transpose is not None else (new_tonic - tonic + 6) % 12 - 6
    move = (lambda p: p + semis) if new_mode == mode else mode_map(song.key, new_key)
    out = _moved_song(song, new_key, move)
    how = (f"every pitched part moves {semis:+d}" if new_mode == mode else
           f"each scale degree of {song.key} moves to the same degree of {new_key}")
    tracer.record("refinement", "song", {"key": new_key, "semitones": semis, "mode": new_mode},
                  [because("chat", cmd.text, how, 1.0)], confidence=0.9,
                  principle="a change of key moves the notes and keeps the song: rhythm, dynamics, drums and shape "
                            "stay (say 're-harmonise' for new chords)")
    out.traces = list(song.traces) + tracer.traces
    return out


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
            near = closest_commands(text)
            return Reply(f"I did not understand *{text.strip()[:80]}*. The closest I know: "
                         + ", ".join(f"*{c}*" for c in near) + ".", self.song, [], cmd)
        if cmd.action == "form":
            reply = self.edit(with_form(self.song.spec, cmd), text=cmd.text)
            reply.command = cmd
            return reply
        new = apply_command(self.song, cmd, self.engine, self.seed, version=len(self.versions))
        diff, changed = diff_reply(self.song, new)
        return self._add(new, cmd, diff, changed)

    def edit(self, spec: SongSpec, regenerate: set[str] = frozenset(), text: str = "") -> Reply:
        """A new version from an edited plan (:func:`edit_song`); ``text`` names it in the history."""
        new, targets = edit_song(self.song, spec, self.engine, self.seed, len(self.versions), set(regenerate))
        if not targets and [s.id for s in new.sections] == [s.id for s in self.song.sections]:
            return Reply("Nothing to recompose: the sections are as they were.", self.song, [], None)
        text = text or ("regenerate " if regenerate else "edit ") + ", ".join(targets)
        diff, changed = diff_reply(self.song, new)
        return self._add(new, RefinementCommand(text, action="regenerate" if regenerate else "adjust",
                                                sections=targets), diff, changed)

    def _add(self, new: Song, cmd: RefinementCommand, diff: str, changed: list[str]) -> Reply:
        del self.versions[self.index + 1:], self.commands[self.index + 1:]
        self.versions.append(new)
        self.commands.append(cmd)
        self.index = len(self.versions) - 1
        return Reply(diff, new, changed, cmd, "**Version {v}** — " + cmd.text.replace("*", ""), self.index + 1)

    def undo(self) -> Reply:
        if self.index == 0:
            return Reply("Nothing to undo: this is the first version.", self.song)
        self.index -= 1
        diff, changed = diff_reply(self.versions[self.index + 1], self.song)
        return Reply(diff, self.song, changed, parse_command("undo"), "**Back to version {v}**", self.index + 1)

    def redo(self) -> Reply:
        if self.index + 1 >= len(self.versions):
            return Reply("Nothing to redo.", self.song)
        self.index += 1
        diff, changed = diff_reply(self.versions[self.index - 1], self.song)
        return Reply(diff, self.song, changed, parse_command("redo"), "**Forward to version {v}**", self.index + 1)
