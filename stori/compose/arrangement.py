"""What the chat's arrangement commands change: which tracks a part word names, the plan after adding,
cutting or resizing a section, and the song after a dynamics, density, feel, part or reverb command."""
from __future__ import annotations

from stori.compose.chat import PART_WORDS, RefinementCommand, resolve_sections
from stori.compose.reshape import copied, drum_feel, fill_in, scale_velocity, set_reverb, silence, thin
from stori.errors import StoriError
from stori.plan.instruments import family, find_instruments, name_of
from stori.spec.song import DRUM_CHANNEL, Song
from stori.spec.song_spec import SectionSpec, SongSpec, TrackSpec

ROLE_WORDS = {"melody", "lead", "tune", "vocal", "drums", "drum", "beat", "groove", "percussion", "bass", "bassline",
              "bass line", "chords", "chord", "harmony"}
FEEL_BEHAVIOUR = {"four_on_the_floor": "driving", "half_time": "half_time", "double_time": "driving"}
MAX_BARS = 64


def roles_named(cmd: RefinementCommand, tracks: list[tuple[str, int]]) -> list[str]:
    """The roles of ``tracks`` (``[(role, program), ...]``) the command's part words name: a role word
    its role; an instrument word the track playing that instrument (or one of its family), else the
    role the word usually plays ("piano": harmony)."""
    have = dict(tracks)
    out = []
    for word in cmd.part_words:
        found = find_instruments(word)
        program = found[0][3] if found and word not in ROLE_WORDS else None
        if program is not None and program >= 0:
            role = (next((r for r, p in tracks if p == program and r != "drums"), None)
                    or next((r for r, p in tracks if r != "drums" and family(p) == family(program)), None))
        else:
            role = PART_WORDS.get(word, "drums" if program == -1 else None)
        role = role or PART_WORDS.get(word)
        if role not in have:
            raise StoriError("part", f"{word!r} is not played in this song",
                             ", ".join(f"{r} ({name_of(-1 if r == 'drums' else p)})" for r, p in tracks))
        out.append(role)
    return list(dict.fromkeys(out))


def arranged(song: Song, cmd: RefinementCommand, targets: list[str]) -> tuple[Song, str]:
    """The song after a level, density, feel, drop, mix or swap command (the notes it has, played
    differently) and what was done, in words."""
    roles = roles_named(cmd, [(t.role, t.program) for t in song.tracks])
    where, parts = set(targets), tuple(roles) or None
    spec = song.spec.copy()
    heard = [s.id for s in song.sections
             if any(song.notes_in(t, s) for t in song.tracks if parts is None or t.role in parts)]
    if cmd.action in ("level", "density", "drop") and not where & set(heard):
        raise StoriError("part", f"no {' or '.join(roles) or 'notes'} in {', '.join(targets)}",
                         "a section where it plays: " + (", ".join(heard) or "none"))
    if cmd.action == "level":
        out, said = scale_velocity(song, where, parts, cmd.level), f"velocities × {cmd.level:g}"
    elif cmd.action == "density":
        out = (fill_in if cmd.density > 0 else thin)(song, where, parts)
        said = "more notes" if cmd.density > 0 else "fewer notes, on the strongest beats"
    elif cmd.action == "feel":
        if song.track("drums") is None:
            raise StoriError("part", "drums are not played in this song", "a song with drums")
        out, said = drum_feel(song, where, cmd.feel), f"drums {cmd.feel.replace('_', ' ')}"
        for s in spec.sections:
            if s.id in where:
                s.track_behaviours["drums"] = FEEL_BEHAVIOUR[cmd.feel]
    elif cmd.action == "drop":
        out, said = silence(song, where, parts), f"{', '.join(roles)} left out"
        for s in spec.sections:
            if s.id in where:
                s.track_behaviours.update(dict.fromkeys(roles, "tacet"))
    elif cmd.action == "mix":
        out, said = set_reverb(song, where, parts, cmd.reverb), f"reverb send {cmd.reverb:+d}"
    elif cmd.action == "swap":
        out, said = copied(song), ""
        for t, ts in zip(out.tracks, spec.tracks):
            if t.role in roles:
                said = f"{t.role}: {name_of(t.program)} → {name_of(cmd.program)}"
                t.program = ts.program = cmd.program
                ts.instrument = name_of(cmd.program).lower()
    else:
        raise StoriError("action", f"{cmd.action!r} is not an arrangement command", "level, density, feel, drop, "
                         "mix, swap")
    out.spec = spec
    return out, said


def with_part(spec: SongSpec, cmd: RefinementCommand) -> tuple[SongSpec, str]:
    """The plan with the part asked for: a role already there (back in where it was left out), or a new
    counter-melody track on the instrument named. Returns (plan, the role to compose)."""
    spec = spec.copy()
    playing = {t.role: t.program for t in spec.tracks}
    if cmd.program is None or cmd.program < 0:
        role = "drums" if cmd.program == -1 else PART_WORDS.get(cmd.part_words[0], "")
    else:
        role = next((t.role for t in spec.tracks if t.program == cmd.program and t.role != "drums"), "")
    if not role:
        if "counter_melody" in playing:
            raise StoriError("part", "the song has a counter-melody already",
                             "swap an instrument instead (e.g. 'use strings instead of the piano')")
        channel = next(c for c in range(1, 17) if c != DRUM_CHANNEL and c not in {t.channel for t in spec.tracks})
        spec.tracks.append(TrackSpec(name_of(cmd.program), "counter_melody", cmd.program, channel,
                                     name_of(cmd.program).lower(), id="counter_melody"))
        role = "counter_melody"
    elif role not in playing:
        raise StoriError("part", f"{cmd.part_words[0]!r} is not a part of this song",
                         ", ".join(playing) + ", or a new instrument (e.g. 'add strings')")
    for s in spec.sections:
        if s.track_behaviours.get(role) == "tacet":
            del s.track_behaviours[role]
    return spec, role


def with_form(spec: SongSpec, cmd: RefinementCommand) -> SongSpec:
    """The plan after adding, cutting or resizing a section (the other sections as they were)."""
    spec = spec.copy()
    pairs = [(s.id, s.type) for s in spec.sections]
    ids = [s.id for s in spec.sections]
    if cmd.form == "add":
        return _added(spec, cmd, pairs)
    targets = resolve_sections(cmd, pairs)
    if not targets:
        raise StoriError("section", f"{', '.join(cmd.sections) or 'none'} is not in this song", ", ".join(ids))
    if cmd.form == "remove":
        if len(targets) == len(ids):
            raise StoriError("section", "cutting it would leave no music", "a section of several")
        spec.sections = [s for s in spec.sections if s.id not in targets]
        return spec
    for s in spec.sections:
        if s.id in targets:
            bars = s.bars + cmd.bars if cmd.form == "extend" else cmd.bars or round(s.bars * cmd.bars_factor)
            s.bars = max(1, min(MAX_BARS, bars))
    return spec


def _added(spec: SongSpec, cmd: RefinementCommand, pairs) -> SongSpec:
    ids = [s.id for s in spec.sections]
    place, anchor = cmd.place or ("", "")
    if anchor.startswith("*") or not anchor:
        at = 0 if (anchor == "*first" or cmd.new_type == "intro" and not anchor) else len(ids)
        if not anchor and at and cmd.new_type != "outro" and spec.sections[-1].type == "outro":
            at -= 1
    else:
        found = resolve_sections(RefinementCommand(cmd.text, sections=[anchor]), pairs)
        if not found:
            raise StoriError("section", f"{anchor.replace('#', ' ')} is not in this song", ", ".join(ids))
        at = ids.index(found[-1 if place == "after" else 0]) + (place == "after")
    like = next((s for s in spec.sections if s.type == cmd.new_type), spec.sections[max(0, at - 1)])
    n = 1 + sum(s.type == cmd.new_type for s in spec.sections)
    sid = next(f"{cmd.new_type}{k}" for k in range(n, n + 100) if f"{cmd.new_type}{k}" not in ids)
    emotion = like.emotion.shifted({"energy": 0.1}) if cmd.new_type == "solo" else like.emotion
    behaviours = {r: b for r, b in like.track_behaviours.items() if b != "tacet"}
    if cmd.new_type == "solo":
        behaviours["melody"] = "soaring"
    new = SectionSpec(id=sid, type=cmd.new_type, bars=max(1, min(MAX_BARS, cmd.bars or like.bars)), emotion=emotion,
                      chords=list(like.chords), track_behaviours=behaviours)
    spec.sections.insert(at, new)
    return spec
