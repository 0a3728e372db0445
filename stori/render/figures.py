"""Pictures of a song: the piano roll and the emotion arc (plotly for the studio, PNG for files)."""
from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go

from stori.spec.emotion import AXES
from stori.spec.song import Song

TRACK_COLOURS = ("#e4572e", "#29335c", "#f3a712", "#669bbc", "#a8c686", "#8e6c8a", "#3d405b", "#81b29a")
AXIS_COLOURS = {"energy": "#e4572e", "valence": "#f3a712", "tension": "#8e2c48", "intimacy": "#669bbc", "motion": "#4c956c"}


def _bars(song: Song, tick: int) -> float:
    return tick / song.ticks_per_bar + 1


def piano_roll(song: Song, title: str | None = None) -> go.Figure:
    """One colour per track, opacity by velocity, section boundaries and names; x in bars."""
    fig = go.Figure()
    for i, track in enumerate(song.tracks):
        if not track.notes:
            continue
        starts = [_bars(song, n.start) for n in track.notes]
        fig.add_trace(go.Bar(
            base=starts, x=[_bars(song, n.end) - s for n, s in zip(track.notes, starts)],
            y=[n.pitch for n in track.notes], orientation="h", name=track.name, width=0.8,
            marker=dict(color=TRACK_COLOURS[i % len(TRACK_COLOURS)], opacity=[0.25 + 0.75 * n.velocity / 127 for n in track.notes],
                        line=dict(width=0)),
            customdata=[n.velocity for n in track.notes],
            hovertemplate=f"{track.name}<br>bar %{{base:.2f}}<br>pitch %{{y}}<br>velocity %{{customdata}}<extra></extra>"))
    for k, s in enumerate(song.sections):  # labels alternate between two rows so short sections stay legible
        fig.add_vline(x=_bars(song, s.start), line=dict(color="#888", width=1, dash="dot"))
        fig.add_annotation(x=_bars(song, s.start), y=1.0 + 0.06 * (k % 2), yref="paper", text=s.id, showarrow=False,
                           xanchor="left", yanchor="bottom", font=dict(size=11))
    fig.update_layout(title=title, barmode="overlay", height=420, margin=dict(l=50, r=20, t=60, b=40),
                      xaxis_title="bar", yaxis_title="MIDI pitch", legend=dict(orientation="h", y=-0.18),
                      plot_bgcolor="#fafafa")
    return fig


def emotion_arc(spec) -> go.Figure:
    """The five axes across the sections of a SongSpec."""
    names = [s.id for s in spec.sections]
    fig = go.Figure()
    for axis in AXES:
        fig.add_trace(go.Scatter(x=names, y=[getattr(s.emotion, axis) for s in spec.sections], mode="lines+markers",
                                 name=axis, line=dict(color=AXIS_COLOURS[axis], shape="spline")))
    fig.update_layout(height=300, margin=dict(l=50, r=20, t=30, b=40), yaxis=dict(range=[-1.05, 1.05], title="value"),
                      legend=dict(orientation="h", y=-0.25), plot_bgcolor="#fafafa")
    return fig


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
