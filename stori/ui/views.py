"""What the studio shows: the section timeline and table, readable traces, a metrics summary.

The section table is the editable face of ``SongSpec.sections``; edits go back through
``SongSpec.from_dict``, so a bad cell gets the spec's own one-line error naming the field.
"""
from __future__ import annotations

import plotly.graph_objects as go

from stori.errors import StoriError
from stori.spec.emotion import AXES
from stori.spec.song_spec import SongSpec

TABLE_HEADERS = ["id", "type", "bars", "chords (bar | bar)", *AXES]
MAX_TRACES_SHOWN = 60


def section_rows(spec: SongSpec) -> list[list]:
    return [[s.id, s.type, s.bars, " | ".join(s.chords), *(round(getattr(s.emotion, a), 2) for a in AXES)]
            for s in spec.sections]


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
                 emotion_vector={a: _cell(row, 4 + j, f"{where}.emotion_vector.{a}", number=True)
                                 for j, a in enumerate(AXES)})
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


def timeline(spec: SongSpec | None, selected: str | None = None) -> go.Figure:
    """One block per section, as wide as its bars, coloured by its energy and valence."""
    fig = go.Figure()
    start = 1
    for s in spec.sections if spec else []:
        e = s.emotion
        fig.add_trace(go.Bar(
            base=[start], x=[s.bars], y=["form"], orientation="h", name=s.id, showlegend=False,
            marker=dict(color=section_colour(e.energy, e.valence),
                        line=dict(color="#1d1d1f" if s.id == selected else "white",
                                  width=3 if s.id == selected else 1)),
            text=f"<b>{s.id}</b><br>{s.bars} bars", textposition="inside", insidetextanchor="middle",
            textfont=dict(color="white" if e.energy > 0.45 else "#1d1d1f"),
            hovertemplate=(f"<b>{s.id}</b> ({s.type}), bars {start}-{start + s.bars - 1}<br>"
                           + "<br>".join(f"{a} {getattr(e, a):+.2f}" for a in AXES) + "<extra></extra>")))
        start += s.bars
    fig.update_layout(barmode="overlay", height=140, margin=dict(l=10, r=10, t=10, b=30), plot_bgcolor="rgba(0,0,0,0)",
                      paper_bgcolor="rgba(0,0,0,0)", xaxis=dict(title="bar", showgrid=False),
                      yaxis=dict(visible=False), uniformtext=dict(minsize=9, mode="hide"))
    return fig


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


