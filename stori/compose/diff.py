"""The musical diff of two versions of a song, measured from their notes (not from intentions)."""
from __future__ import annotations

from statistics import fmean

from stori.compose.ensemble import motif_places
from stori.data.drum_kit import FAMILIES
from stori.plan.instruments import name_of
from stori.spec.emotion import AXES
from stori.spec.song import SectionSpan, Song
from stori.theory import midi_name


def section_stats(song: Song, span: SectionSpan) -> dict[str, dict[str, float]]:
    """Per role: notes per bar, mean velocity, mean and range of pitch (drums: hits per bar by group)."""
    bars = max(1, (span.end - span.start) // song.ticks_per_bar)
    out = {}
    for t in song.tracks:
        notes = song.notes_in(t, span)
        st = {"notes_per_bar": round(len(notes) / bars, 2),
              "mean_velocity": round(fmean(n.velocity for n in notes), 1) if notes else 0.0}
        if t.role == "drums":
            for g, pitches in FAMILIES.items():
                st[f"{g}_per_bar"] = round(sum(n.pitch in pitches for n in notes) / bars, 2)
        elif notes:
            st["mean_pitch"] = round(fmean(n.pitch for n in notes), 1)
            st["range"] = max(n.pitch for n in notes) - min(n.pitch for n in notes)
        out[t.role] = st
    all_notes = [n for t in song.tracks for n in song.notes_in(t, span)]
    out["all"] = {"notes_per_bar": round(len(all_notes) / bars, 2),
                  "mean_velocity": round(fmean(n.velocity for n in all_notes), 1) if all_notes else 0.0}
    return out


def sections_identical(a: Song, b: Song, sid: str) -> bool:
    sa, sb = a.section(sid), b.section(sid)
    return all(sorted((n.pitch, n.start - sa.start, n.end - sa.start, n.velocity) for n in a.notes_in(ta, sa)) ==
               sorted((n.pitch, n.start - sb.start, n.end - sb.start, n.velocity) for n in b.notes_in(tb, sb))
               for ta, tb in zip(a.tracks, b.tracks))


def _change(label: str, x: float, y: float, unit: str = "", fmt=lambda v: f"{v:g}") -> str | None:
    if abs(y - x) < 1e-9:
        return None
    word = "up" if y > x else "down"
    return f"{label} {word}: {fmt(x)}{unit} → {fmt(y)}{unit} ({y - x:+.3g})"


def _bar_chords(s) -> list[str]:
    """A section's chords, one per bar (the plan may store a shorter loop)."""
    return [s.chords[b % len(s.chords)] for b in range(s.bars)]


def _pitched_shift(before: Song, after: Song) -> int | None:
    """The interval every pitched note moved by when the rhythm, velocities and drums stayed (None otherwise)."""
    shifts = set()
    for tb, ta in zip(before.tracks, after.tracks):
        if len(tb.notes) != len(ta.notes):
            return None
        for x, y in zip(tb.notes, ta.notes):
            if (x.start, x.end, x.velocity) != (y.start, y.end, y.velocity) or tb.is_drums and x.pitch != y.pitch:
                return None
            if not tb.is_drums:
                shifts.add(y.pitch - x.pitch)
    return shifts.pop() if len(shifts) == 1 else (0 if not shifts else None)


def _sound_lines(before: Song, after: Song) -> list[str]:
    """Changes of instrument and of reverb send (what the notes do not show)."""
    out = []
    for tb, ta in zip(before.tracks, after.tracks):
        if tb.program != ta.program and not ta.is_drums:
            out.append(f"- **{ta.role}** now plays {name_of(ta.program)} (was {name_of(tb.program)}); same notes")
        wb, wa = ([c.value for c in t.controls if c.control == 91] for t in (tb, ta))
        if wb != wa:
            out.append(f"- **{ta.role}** reverb send {max(wb, default=40)} → {max(wa, default=40)}")
    for ta in after.tracks[len(before.tracks):]:
        out.append(f"- **{ta.role}**: new part, {name_of(ta.program)} ({len(ta.notes)} notes)")
    return out


def _section_line(before: Song, after: Song, sid: str) -> str:
    """One line: a changed section's biggest measured changes (at most three)."""
    xb, xa = section_stats(before, before.section(sid)), section_stats(after, after.section(sid))
    found = []
    for role in [t.role for t in after.tracks]:
        b, a = xb.get(role, {}), xa.get(role, {})
        for key, label in (("notes_per_bar", "notes/bar"), ("mean_velocity", "velocity"), ("mean_pitch", "pitch")):
            x, y = b.get(key, 0.0), a.get(key, 0.0)
            if abs(y - x) > 1e-9:
                found.append((abs(y - x) / max(1.0, abs(x)), f"{role} {label} {x:g} → {y:g}"))
        if role == "drums":
            for g in ("kick", "snare", "hats"):
                x, y = b.get(f"{g}_per_bar", 0.0), a.get(f"{g}_per_bar", 0.0)
                if x != y:
                    found.append((abs(y - x) / max(1.0, x) * 0.9, f"{g} {x:g} → {y:g} a bar"))
    best = [t for _, t in sorted(found, key=lambda f: -f[0])[:3]]
    return f"- **{sid}**: " + ("; ".join(best) if best else "new notes, same measures")


def short_diff(before: Song, after: Song, changed: list[str]) -> str:
    """At most ten lines: key, tempo and form, each changed section's biggest changes, sounds, and what
    stayed (``changed``: the sections whose notes changed, as :func:`musical_diff` finds them)."""
    lines = []
    if before.tempo != after.tempo:
        lines.append(f"- **Tempo** {before.tempo:g} → {after.tempo:g} BPM, every note kept")
    if before.key != after.key:
        lines.append(f"- **Key** {before.key} → {after.key}")
    ids_b, ids_a = [s.id for s in before.sections], [s.id for s in after.sections]
    same_layout = ids_b == ids_a and [(s.start, s.end) for s in before.sections] == [(s.start, s.end)
                                                                                   for s in after.sections]
    shift = _pitched_shift(before, after) if same_layout else None
    rhythm = same_layout and all([(n.start, n.end, n.velocity) for n in tb.notes] ==
                                 [(n.start, n.end, n.velocity) for n in ta.notes] and (not tb.is_drums or tb.notes ==
                                                                                       ta.notes)
                                 for tb, ta in zip(before.tracks, after.tracks))
    if rhythm and before.key != after.key:
        lines.append(f"- Every pitched note {shift:+d} semitones" if shift is not None else
                     f"- Each note on a degree of {before.key} moved to that degree of {after.key}")
        kept = "every section's rhythm, velocities, drums and curves"
    else:
        if not same_layout:
            gone = [sid for sid in ids_b if sid not in ids_a]
            bars = {s.id: s.bars for s in before.spec.sections}
            form = ([f"{sid} removed" for sid in gone] + [f"{s.id} new ({s.bars} bars)" for s in after.spec.sections
                                                         if s.id not in bars]
                    + [f"{s.id} {bars[s.id]} → {s.bars} bars" for s in after.spec.sections
                       if s.id in bars and bars[s.id] != s.bars])
            lines.append(f"- **Form**: {'; '.join(form) or 'sections moved'} ({len(ids_a)} sections)")
        if before.key == after.key or shift is None:
            lines += [_section_line(before, after, sid) for sid in changed[:5] if sid in ids_b and sid in ids_a]
        if len(changed) > 5:
            lines.append(f"- … and {len(changed) - 5} more sections")
        same = [sid for sid in ids_a if sid in ids_b and sid not in changed]
        kept = f"identical notes: {', '.join(same)}" if same else "none"
    lines += _sound_lines(before, after)
    if not lines:
        lines.append("- nothing measurable")
    return "\n".join(lines[:9] + [f"- *Preserved*: {kept}"])


def musical_diff(before: Song, after: Song) -> tuple[str, list[str]]:
    """(markdown, ids of the sections whose notes changed)."""
    lines, changed = [], []
    if before.tempo != after.tempo:
        lines.append(f"- **Tempo** {before.tempo:g} → {after.tempo:g} BPM (notes unchanged in beats)")
    if before.key != after.key:
        lines.append(f"- **Key** {before.key} → {after.key}")
    ids_b = [s.id for s in before.sections]
    same_layout = ids_b == [s.id for s in after.sections] and all(
        (x.start, x.end) == (y.start, y.end) for x, y in zip(before.sections, after.sections))
    if not same_layout:  # sections compared by id, each from its own start
        bars_b = {s.id: (s.end - s.start) / before.ticks_per_bar for s in before.sections}
        form = [f"{s.id} {bars_b[s.id]:g} → {(s.end - s.start) / after.ticks_per_bar:g} bars" for s in after.sections
                if s.id in bars_b and bars_b[s.id] != (s.end - s.start) / after.ticks_per_bar]
        form += [f"{sid} removed" for sid in ids_b if sid not in {s.id for s in after.sections}]
        lines.append(f"- **Form**: {'; '.join(form) or 'sections reordered'} ({len(after.sections)} sections)")
        changed = [s.id for s in after.sections if s.id not in ids_b or not sections_identical(before, after, s.id)]
        lines += [f"- **{sid}**: {'new' if sid not in ids_b else 'recomposed'}" for sid in changed]
        kept = [s.id for s in after.sections if s.id not in changed]
        return "\n".join(["### What changed", *lines, "\n### Preserved",
                          f"- sections with identical notes: {', '.join(kept) if kept else 'none'}"]), changed
    motifs_b = {(s, m, b): ok for s, m, b, ok in motif_places(before.spec, before)}
    motifs_a = {(s, m, b): ok for s, m, b, ok in motif_places(after.spec, after)}
    for sb, sa in zip(before.spec.sections, after.spec.sections):
        if sections_identical(before, after, sb.id) and _bar_chords(sb) == _bar_chords(sa):
            continue
        changed.append(sb.id)
        lines.append(f"\n#### {sb.id}")
        emo = [f"{a} {getattr(sb.emotion, a):.2f} → {getattr(sa.emotion, a):.2f}" for a in AXES
               if abs(getattr(sb.emotion, a) - getattr(sa.emotion, a)) > 1e-6]
        if emo:
            lines.append("- **Emotion**: " + ", ".join(emo))
        if _bar_chords(sb) != _bar_chords(sa):
            lines.append(f"- **Chords**: {' | '.join(sb.chords)} → {' | '.join(sa.chords)}")
        xb, xa = section_stats(before, before.section(sb.id)), section_stats(after, after.section(sb.id))
        overall = [c for c in (_change("density (notes/bar, all parts)", xb["all"]["notes_per_bar"],
                                       xa["all"]["notes_per_bar"]),
                               _change("mean velocity", xb["all"]["mean_velocity"], xa["all"]["mean_velocity"])) if c]
        if overall:
            lines.append("- **Overall**: " + "; ".join(overall))
        for role in [t.role for t in after.tracks]:
            b, a = xb.get(role, {}), xa.get(role, {})
            bits = [_change("notes/bar", b.get("notes_per_bar", 0), a.get("notes_per_bar", 0)),
                    _change("velocity", b.get("mean_velocity", 0), a.get("mean_velocity", 0))]
            if role == "drums":
                pattern = [f"{g} {b.get(f'{g}_per_bar', 0):g}→{a.get(f'{g}_per_bar', 0):g}" for g in FAMILIES
                           if b.get(f"{g}_per_bar", 0) != a.get(f"{g}_per_bar", 0)]
                bits.append("pattern (hits/bar) " + ", ".join(pattern) if pattern else None)
            elif "mean_pitch" in b and "mean_pitch" in a:
                bits.append(_change("register", b["mean_pitch"], a["mean_pitch"], "",
                                    lambda v: f"{midi_name(int(round(v)))} ({v:g})"))
                bits.append(_change("range (semitones)", b["range"], a["range"]))
            bits = [x for x in bits if x]
            tb = before.track(role)
            same = tb is not None and sorted((n.pitch, n.start,
                                              n.velocity) for n in before.notes_in(tb, before.section(sb.id))) == \
                sorted((n.pitch, n.start, n.velocity) for n in after.notes_in(after.track(role), after.section(sb.id)))
            lines.append(f"- **{role}**: " + ("unchanged" if same else ("; ".join(bits) if bits else "new notes, same "
                                                                                                     "measures")))
        mb = [k for k in motifs_b if k[0] == sb.id]
        heard_b, heard_a = sum(motifs_b[k] for k in mb), sum(motifs_a.get(k, False) for k in motifs_a if k[0] == sb.id)
        total_a = sum(1 for k in motifs_a if k[0] == sb.id)
        lines.append(f"- **Motifs**: {heard_a}/{total_a} declared figures heard (before {heard_b}/{len(mb)})")
    kept = [s for s in ids_b if s not in changed]
    head = ["### What changed", *lines] if lines else ["### What changed", "- nothing measurable"]
    head.append(f"\n### Preserved\n- sections with identical notes: {', '.join(kept) if kept else 'none'}")
    return "\n".join(head), changed
