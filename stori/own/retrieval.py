"""Retrieval-grounded continuation: the places in real songs that best continue a musician's last bars.

**Index** (built once from POP909's train split into ``cache/``): at every bar line of every 4/4
song with a tune, the 2 bars before it (the *context*) and what followed (the next 4 bars' chords,
heard in the full texture, and the next 2 bars' melody and density), all relative to the tonic of
the song's relative major (:func:`stori.own.melody_chords.frame`; pitches as semitones above that
tonic), so a song in any key can answer.

**Features of a context**: pitch-class durations of all pitched parts (12, normalised), onsets on
the 16th grid of the 2 bars (32, normalised), and the melody's contour: mean pitch, last pitch.

**Ranking**, for the input's last 2 bars:

- *relevance* = 0.4 x cosine of the pitch classes + 0.3 x cosine of the rhythms + 0.3 x
  exp(-|difference of melody mean pitch| / 6 semitones), both moved into the input's key (and the
  candidate by whole octaves to the input's register);
- *seam* = 0.5 x exp(-|candidate's first melody note after its seam - input's last melody note| / 4)
  + 0.5 x exp(-|relative change of onset density across the seam, candidate vs input's level|);
- *score* = 0.6 x relevance + 0.4 x seam; the top K are returned with their source.

**Conditioning**: the top candidate's next 4 bars of chords (moved into the input's key) go round
for the new bars, and the melody is asked to move as the candidate's did across its seam.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stori.own.listen import Heard, infer_key, recognise_chords
from stori.own.melody_chords import frame
from stori.spec.song import PPQ, Note, Song
from stori.theory import chord_name, parse_chord

CONTEXT_BARS = 2
AFTER_BARS = 4
BAR = 4 * PPQ
STEP = PPQ // 4
INDEX_VERSION = 2
RELEVANCE = {"pitch": 0.4, "rhythm": 0.3, "contour": 0.3}
SEAM = {"interval": 0.5, "density": 0.5}
SCORE = {"relevance": 0.6, "seam": 0.4}
TOP_K = 5


def _pc(notes: list[Note], lo: int, hi: int, tonic: int) -> np.ndarray:
    w = np.zeros(12)
    for n in notes:
        a, b = max(n.start, lo), min(n.end, hi)
        if b > a:
            w[(n.pitch - tonic) % 12] += (b - a) / PPQ
    return w / (np.linalg.norm(w) or 1.0)


def _rhythm(notes: list[Note], lo: int) -> np.ndarray:
    grid = np.zeros(2 * 16)
    for n in notes:
        k = (n.start - lo) // STEP
        if 0 <= k < len(grid):
            grid[k] = 1.0
    return grid / (np.linalg.norm(grid) or 1.0)


def _inside(notes: list[Note], lo: int, hi: int) -> list[Note]:
    return [n for n in notes if lo <= n.start < hi]


@dataclass
class Context:
    """The features of 2 bars ending at a seam, and what is known on the far side of it."""

    pitch: np.ndarray
    rhythm: np.ndarray
    mean: float  # the melody's mean pitch
    last: int  # the melody's last pitch before the seam
    density: float  # pitched onsets per bar


def context(melody: list[Note], pitched: list[Note], seam: int, ticks_per_bar: int, tonic: int) -> Context | None:
    """The features of the 2 bars before tick ``seam`` (None without melody there)."""
    lo = seam - CONTEXT_BARS * ticks_per_bar
    tune = _inside(melody, lo, seam)
    if not tune:
        return None
    around = _inside(pitched, lo, seam)
    return Context(_pc(around, lo, seam, tonic), _rhythm(around, lo), float(np.mean([n.pitch for n in tune])),
                   max(tune, key=lambda n: n.start).pitch, len({n.start for n in around}) / CONTEXT_BARS)


def _relative(symbol: str, tonic: int) -> str:
    root, _, _ = parse_chord(symbol)
    return symbol if root < 0 else chord_name((root - tonic) % 12, symbol[len(chord_name(root)):].split("/")[0])


def _moved(symbol: str, tonic: int) -> str:
    """A chord of the index (relative to C) moved to ``tonic``."""
    return " ".join(_relative(s, -tonic % 12) for s in symbol.split())


def index_songs(songs) -> dict:
    """The index of the module docstring over ``songs``: ``(source id, {role: notes})`` in 4/4 at PPQ."""
    rows: dict[str, list] = {k: [] for k in ("pitch", "rhythm", "mean", "last", "density", "first", "after_mean",
                                              "after_density", "source", "chords")}
    for sid, roles in songs:
        melody = roles.get("melody") or []
        pitched = sorted((n for role, notes in roles.items() if role != "drums" for n in notes),
                         key=lambda n: (n.start, n.pitch))
        if not melody:
            continue
        key = infer_key(pitched)
        tonic = frame(key)
        bars = max(n.start for n in pitched) // BAR + 1
        heard = recognise_chords(pitched, bars, BAR, key)
        chords = [" ".join(_relative(s, tonic) for s in bar.split()) for bar in heard]
        for b in range(CONTEXT_BARS, bars - AFTER_BARS + 1):
            seam = b * BAR
            ctx = context(melody, pitched, seam, BAR, tonic)
            after = _inside(melody, seam, seam + CONTEXT_BARS * BAR)
            if ctx is None or not after:
                continue
            for name in ("pitch", "rhythm", "density"):
                rows[name].append(getattr(ctx, name))
            rows["mean"].append(ctx.mean - tonic)  # pitches above the frame's tonic, so any key can answer
            rows["last"].append(ctx.last - tonic)
            rows["first"].append(min(after, key=lambda n: (n.start, -n.pitch)).pitch - tonic)
            rows["after_mean"].append(float(np.mean([n.pitch for n in after])) - tonic)
            rows["after_density"].append(len({n.start for n in _inside(pitched, seam, seam + 2 * BAR)}) / 2)
            rows["source"].append((sid, b + 1))
            rows["chords"].append(chords[b:b + AFTER_BARS])
    out = {k: np.array(v, dtype=float) for k, v in rows.items() if k not in ("source", "chords")}
    return {**out, "source": rows["source"], "chords": rows["chords"], "version": INDEX_VERSION}


def build_index(split: str = "train") -> dict:
    """The index of POP909's ``split`` (its 4/4 songs)."""
    from stori.data.pop909 import whole_song
    from stori.data.splits import pop909_ids

    def songs():
        for sid in pop909_ids(split):
            got = whole_song(sid)
            if got is not None and got[1] == (4, 4):
                yield f"POP909 {sid}", got[0]
    return {**index_songs(songs()), "split": split}


def index() -> dict:
    from stori.data.paths import CACHE_DIR, cached

    return cached(CACHE_DIR / f"own_retrieval_v{INDEX_VERSION}.pkl", build_index)


def retrieve(song: Song, heard: Heard, k: int = TOP_K) -> list[dict]:
    """The top ``k`` candidates to continue ``song`` after its last bar, best first (module docstring);
    empty when its last 2 bars hold no melody or the song is not in 4/4."""
    if tuple(song.time_signature) != (4, 4):
        return []
    melody = [n for t, r in zip(song.tracks, heard.roles) if r == "melody" for n in t.notes]
    pitched = [n for t in song.tracks if not t.is_drums for n in t.notes]
    tonic = frame(heard.key)
    seam = heard.bars * song.ticks_per_bar
    ctx = context(melody, pitched, seam, song.ticks_per_bar, tonic)
    if ctx is None:
        return []
    ix = index()
    mean, last = ctx.mean - tonic, ctx.last - tonic
    octaves = np.round((mean - ix["mean"]) / 12) * 12  # each candidate moved by octaves to the input's register
    relevance = (RELEVANCE["pitch"] * (ix["pitch"] @ ctx.pitch) + RELEVANCE["rhythm"] * (ix["rhythm"] @ ctx.rhythm)
                 + RELEVANCE["contour"] * np.exp(-np.abs(ix["mean"] + octaves - mean) / 6))
    jump = np.abs(ix["first"] + octaves - last)
    change = np.abs(ix["after_density"] / np.maximum(ix["density"], 0.5) - 1)
    smooth = SEAM["interval"] * np.exp(-jump / 4) + SEAM["density"] * np.exp(-change)
    score = SCORE["relevance"] * relevance + SCORE["seam"] * smooth
    best = np.argsort(-score, kind="stable")[:k]
    return [{"rank": r + 1, "source": f"{ix['source'][i][0]}, bar {ix['source'][i][1]}",
             "relevance": round(float(relevance[i]), 3), "seam": round(float(smooth[i]), 3),
             "score": round(float(score[i]), 3), "chords": [_moved(c, tonic) for c in ix["chords"][i]],
             "melody_pitch": round(ctx.mean + float(ix["after_mean"][i] - ix["mean"][i]), 1)}
            for r, i in enumerate(best)]


def table_markdown(candidates: list[dict]) -> str:
    """The candidates as a Markdown table (rank, source, scores, chords)."""
    lines = ["| rank | source | relevance | seam | score | chords after |", "|---|---|---|---|---|---|"]
    lines += [f"| {c['rank']} | {c['source']} | {c['relevance']:.3f} | {c['seam']:.3f} | {c['score']:.3f} | "
              f"{' / '.join(c['chords'])} |" for c in candidates]
    return "\n".join(lines)
