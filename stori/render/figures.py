"""Pictures of a song: the piano roll and the emotion arc (plotly for the studio, PNG for files)."""
from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go

from stori.data.drum_kit import PIECE_OF
from stori.spec.emotion import AXES
from stori.spec.song import Song

TRACK_COLOURS = ("#e4572e", "#29335c", "#f3a712", "#669bbc", "#a8c686", "#8e6c8a", "#3d405b", "#81b29a")
MAX_ROLL_NOTES = 20_000  # notes drawn in the studio's piano roll (a browser slows past this); the earliest are kept
MAX_ROLL_SECTIONS = 64  # section lines and names drawn; later ones are left out
AXIS_COLOURS = {"energy": "#e4572e", "valence": "#f3a712", "tension": "#8e2c48", "intimacy": "#669bbc",
                "motion": "#4c956c"}


INK = "#8a8f98"  # mid grey: labels that read on a light and on a dark page
GRID = "rgba(138, 143, 152, 0.25)"


def _themed(fig: go.Figure) -> go.Figure:
    """Transparent paper and plot with mid-grey ink and grid, so a figure follows the page's light or
    dark theme instead of sitting on it as a white box."""
    fig.update_layout(paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(138, 143, 152, 0.06)", font=dict(color=INK))
    fig.update_xaxes(gridcolor=GRID, zerolinecolor=GRID)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID)
    return fig


def drum_name(pitch: int) -> str:
    """A drum note as a drummer names it ("closed hat"), or its GM number when the kit has no piece there."""
    return PIECE_OF[pitch].replace("_", " ") if pitch in PIECE_OF else f"drum {pitch}"


def _bars(song: Song, tick: int) -> float:
    return tick / song.ticks_per_bar + 1


def piano_roll(song: Song, title: str | None = None, selected: tuple[int, int] | None = None) -> go.Figure:
    """One colour per track, opacity by velocity, section boundaries and names; x in bars; drum notes
    named by piece (a drum-only song's rows too); light and dark pages alike. ``selected`` bars
    (first, last; from 1) are shaded.

    Bounded for any song: at most MAX_ROLL_NOTES notes (the earliest; the title says how many were
    left out) and MAX_ROLL_SECTIONS section lines, all added in one layout update.
    """
    fig = go.Figure()
    total = sum(len(t.notes) for t in song.tracks)
    cutoff = None
    if total > MAX_ROLL_NOTES:
        cutoff = sorted(n.start for t in song.tracks for n in t.notes)[MAX_ROLL_NOTES - 1]
        title = f"{title + ': ' if title else ''}first {MAX_ROLL_NOTES} of {total} notes"
    for i, track in enumerate(song.tracks):
        notes = [n for n in track.notes if cutoff is None or n.start <= cutoff]
        if not notes:
            continue
        starts = [_bars(song, n.start) for n in notes]
        fig.add_trace(go.Bar(
            base=starts, x=[_bars(song, n.end) - s for n, s in zip(notes, starts)],
            y=[n.pitch for n in notes], orientation="h", name=track.name, width=0.8,
            marker=dict(color=TRACK_COLOURS[i % len(TRACK_COLOURS)],
                        opacity=[0.25 + 0.75 * n.velocity / 127 for n in notes],
                        line=dict(width=0)),
            customdata=[[n.velocity, drum_name(n.pitch) if track.is_drums else n.pitch] for n in notes],
            hovertemplate="%{fullData.name}<br>bar %{base:.2f}<br>%{customdata[1]}<br>velocity %{customdata[0]}"
                          "<extra></extra>"))
    shown = song.sections[:MAX_ROLL_SECTIONS]  # labels alternate between two rows so short sections stay legible
    shade = [dict(type="rect", x0=selected[0], x1=selected[1] + 1, y0=0, y1=1, yref="paper", layer="below",
                  fillcolor="#f5b942", opacity=0.25, line=dict(width=0), name="selected bars")] if selected else []
    fig.update_layout(
        shapes=shade + [dict(type="line", x0=_bars(song, s.start), x1=_bars(song, s.start), y0=0, y1=1, yref="paper",
                             line=dict(color="#888", width=1, dash="dot")) for s in shown],
        annotations=[dict(x=_bars(song, s.start), y=1.0 + 0.06 * (k % 2), yref="paper", text=s.id, showarrow=False,
                          xanchor="left", yanchor="bottom", font=dict(size=11)) for k, s in enumerate(shown)],
        title=title, barmode="overlay", height=420, margin=dict(l=50, r=20, t=60, b=40),
        xaxis_title="bar", yaxis_title="MIDI pitch", legend=dict(orientation="h", y=-0.18),
        meta=dict(bars_per_second=1 / song.seconds(song.ticks_per_bar)))  # for the page's playhead
    if song.tracks and all(t.is_drums for t in song.tracks):  # a drum part: its rows named by piece
        used = sorted({n.pitch for t in song.tracks for n in t.notes})
        fig.update_layout(yaxis=dict(title="", tickvals=used, ticktext=[drum_name(p) for p in used]))
    return _themed(fig)


def emotion_arc(spec) -> go.Figure:
    """The five axes across the sections of a SongSpec."""
    names = [s.id for s in spec.sections]
    fig = go.Figure()
    for axis in AXES:
        fig.add_trace(go.Scatter(x=names, y=[getattr(s.emotion, axis) for s in spec.sections], mode="lines+markers",
                                 name=axis, line=dict(color=AXIS_COLOURS[axis], shape="spline")))
    fig.update_layout(height=300, margin=dict(l=50, r=20, t=30, b=40), yaxis=dict(range=[-1.05, 1.05], title="value"),
                      legend=dict(orientation="h", y=-0.25))
    return _themed(fig)


def piano_roll_png(song: Song, path: str | Path, title: str | None = None) -> Path:
    """The piano roll as a PNG (matplotlib), for files and reports."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(14, 5), dpi=100)
    for i, track in enumerate(song.tracks):
        colour = TRACK_COLOURS[i % len(TRACK_COLOURS)]
        for n in track.notes:
            s = _bars(song, n.start)
            ax.add_patch(plt.Rectangle((s, n.pitch - 0.4), _bars(song, n.end) - s, 0.8, color=colour,
                                       alpha=0.25 + 0.75 * n.velocity / 127, linewidth=0))
        ax.plot([], [], color=colour, linewidth=6, label=track.name)
    for k, s in enumerate(song.sections):
        ax.axvline(_bars(song, s.start), color="#888", linestyle=":", linewidth=1)
        ax.text(_bars(song, s.start) + 0.1, 1.01 + 0.05 * (k % 2), s.id, transform=ax.get_xaxis_transform(), fontsize=9)
    pitches = [n.pitch for t in song.tracks for n in t.notes] or [60]
    ax.set_xlim(1, _bars(song, song.end_tick))
    ax.set_ylim(min(pitches) - 2, max(pitches) + 2)
    ax.set_xlabel("bar")
    ax.set_ylabel("MIDI pitch")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=max(1, len(song.tracks)), frameon=False)
    if title:
        ax.set_title(title, pad=18)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)


def humanize_changes(before: Song, after: Song) -> go.Figure:
    """What humanizing did to each note (the two songs pair note for note, track by track): its
    timing offset in ms (negative = earlier) above, its velocity change below, across the bars."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("timing offset (ms, − = earlier)", "velocity change"))
    ms_per_tick = 60000.0 / (before.tempo * before.ppq)
    for i, (b, a) in enumerate(zip(before.tracks, after.tracks)):
        pairs = list(zip(b.notes, a.notes))[:MAX_ROLL_NOTES]
        if not pairs:
            continue
        x = [_bars(before, n.start) for n, _ in pairs]
        colour = TRACK_COLOURS[i % len(TRACK_COLOURS)]
        for row, y, unit in ((1, [(m.start - n.start) * ms_per_tick for n, m in pairs], "ms"),
                             (2, [m.velocity - n.velocity for n, m in pairs], "")):
            fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name=a.name, legendgroup=a.name, showlegend=row == 1,
                                     marker=dict(color=colour, size=5, opacity=0.7),
                                     hovertemplate=f"{a.name}<br>bar %{{x:.2f}}<br>%{{y:+.0f}} {unit}<extra></extra>"),
                          row=row, col=1)
    fig.update_layout(height=420, margin=dict(l=50, r=20, t=40, b=40), legend=dict(orientation="h", y=-0.15))
    fig.update_xaxes(title_text="bar", row=2, col=1)
    return _themed(fig)
