"""What the studio shows: the Form (clickable section blocks), the section table, readable traces.

The section table is the editable face of ``SongSpec.sections``; edits go back through
``SongSpec.from_dict``, so a bad cell gets the spec's own one-line error naming the field.
"""
from __future__ import annotations

import html

from stori.errors import StoriError
from stori.spec.emotion import AXES
from stori.spec.song_spec import SongSpec

TABLE_HEADERS = ["id", "type", "bars", "chords (bar | bar)", *AXES]
MAX_TRACES_SHOWN = 60


def section_rows(spec: SongSpec) -> list[list]:
    return [[s.id, s.type, s.bars, " | ".join(s.chords), *(round(getattr(s.emotion, a), 2) for a in AXES)]
            for s in spec.sections]


def shown_emotion(planned: dict, shown) -> dict:
    """The emotion of a section as the table or sliders show it (2 decimals): an axis left as shown
    keeps its planned value, so an untouched section stays the same plan."""
    return {a: planned[a] if a in planned and round(planned[a], 2) == round(float(v), 2) else float(v)
            for a, v in zip(AXES, shown)}


def _cell(row: list, i: int, where: str, number: bool = False):
    value = row[i] if i < len(row) else None
    if number:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise StoriError(where, f"{value!r} is not a number", "a number") from None
    return str(value if value is not None else "").strip()


def spec_from_rows(spec: SongSpec, rows: list[list]) -> SongSpec:
    """``spec`` with its sections replaced by the table's rows (motifs and behaviours kept by id)."""
    if not rows:
        raise StoriError("sections", "the table is empty", "at least one section row")
    old = {s["section_id"]: s for s in spec.to_dict()["sections"]}
    sections = []
    for k, row in enumerate(rows):
        where = f"sections[{k}]"
        sid = _cell(row, 0, f"{where}.section_id")
        bars = _cell(row, 2, f"{where}.bars", number=True)
        d = dict(old.get(sid, {}))
        d.update(section_id=sid, section_type=_cell(row, 1, f"{where}.section_type"),
                 bars=int(bars) if bars.is_integer() else bars,
                 chords=[c.strip() for c in _cell(row, 3, f"{where}.chords").split("|") if c.strip()],
                 emotion_vector=shown_emotion(d.get("emotion_vector", {}),
                                              [_cell(row, 4 + j, f"{where}.emotion_vector.{a}", number=True)
                                               for j, a in enumerate(AXES)]))
        if sid not in old:  # a new section: no states or motif places carried from elsewhere
            d.pop("entry_state", None), d.pop("exit_state", None)
        sections.append(d)
    data = spec.to_dict()
    data["sections"] = sections
    return SongSpec.from_dict(data)


DARK, MIDDLE, BRIGHT = (52, 84, 176), (142, 92, 190), (240, 150, 30)  # valence -1, 0, +1


def section_colour(energy: float, valence: float) -> str:
    """Valence sets the hue (indigo when dark, violet between, amber when bright); low energy fades it."""
    a, b, t = (DARK, MIDDLE, valence + 1) if valence < 0 else (MIDDLE, BRIGHT, valence)
    fade = 0.65 * (1 - energy)
    rgb = (round((x + (y - x) * t) * (1 - fade) + 255 * fade) for x, y in zip(a, b))
    return "rgb({},{},{})".format(*rgb)


def timeline(spec: SongSpec | None, selected: str | None = None) -> str:
    """The Form: one block per section, as wide as its bars and coloured by its energy and valence;
    each block is a button (``data-section``) that selects its section, the selected one outlined."""
    if spec is None or not spec.sections:
        return '<div class="stori-form stori-form-empty">The form appears here: click a section to edit it.</div>'
    blocks, start = [], 1
    for s in spec.sections:
        e, sid = s.emotion, html.escape(s.id, quote=True)
        feel = ", ".join(f"{a} {getattr(e, a):+.2f}" for a in AXES)
        ink = "#fff" if e.energy > 0.45 else "#1d1d1f"
        blocks.append(
            f'<button type="button" class="stori-block{" selected" if s.id == selected else ""}" data-section="{sid}" '
            f'aria-pressed="{str(s.id == selected).lower()}" style="flex-grow:{s.bars};'
            f'background:{section_colour(e.energy, e.valence)};color:{ink}" '
            f'title="{sid} ({s.type}), bars {start}-{start + s.bars - 1}: {feel}">'
            f'<b>{sid}</b><span>{s.bars} bars</span></button>')
        start += s.bars
    return f'<div class="stori-form" role="group" aria-label="Form">{"".join(blocks)}</div>'


FORM_CSS = """
.stori-form {display: flex; gap: 3px; width: 100%; overflow-x: auto; padding: 4px 0;}
.stori-form-empty {opacity: 0.7; font-size: 0.9rem;}
.stori-block {flex: 1 1 0; min-width: max-content; border: 2px solid transparent; border-radius: 8px; padding: 8px;
  cursor: pointer; display: flex; flex-direction: column; align-items: center; line-height: 1.2;
  font-size: 0.85rem; overflow: hidden; white-space: nowrap;}
.stori-block span {font-size: 0.75rem; opacity: 0.85;}
.stori-block:hover {filter: brightness(1.08);}
.stori-block.selected {border-color: var(--body-text-color);
  box-shadow: 0 0 0 2px var(--background-fill-primary) inset;}
"""
"""The Form's look: theme colours for the outline, so it reads in light and dark mode and at 400 px
(a block is never narrower than its label; a form wider than the screen scrolls)."""
FORM_JS = ("element.addEventListener('click', (e) => { const b = e.target.closest('[data-section]'); "
           "if (b) trigger('click', {section: b.dataset.section}); });")
"""A click on a block tells the server which section it is."""


def traces_markdown(traces: list[dict], limit: int = MAX_TRACES_SHOWN) -> str:
    """The intent traces as sentences: what was decided for what, and why."""
    if not traces:
        return "_No decisions recorded._"
    lines = []
    for t in traces[:limit]:
        why = "; ".join(f"{b['factor']} = {b['value']} → {b['implication']}" for b in t.get("because", [])[:3])
        line = f"- **{t['target']}** · {t['decision_type'].replace('_', ' ')}: `{str(t['decision'])[:80]}`"
        if why:
            line += f" — because {why}"
        if t.get("musical_principle"):
            line += f"  \n  _{t['musical_principle']}_"
        lines.append(line)
    if len(traces) > limit:
        lines.append(f"\n…and {len(traces) - limit} more in traces.json.")
    return "\n".join(lines)


