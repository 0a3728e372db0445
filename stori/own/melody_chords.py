"""Chords heard in a melody alone, by a model learned from POP909's train split.

A melody holds too few tones to name its chords by template (on 15 valid-split songs: 30% of
beats with the right root; a pitch-class HMM: 35%; this model: 39%). So each half bar (2 beats of 4/4; a bar in odd
meters) is one step over 24 chords (12 roots, major or minor family), all relative to the tonic of
the key's relative major, so a minor key and its relative major (which a melody rarely tells
apart) share one frame and one model:

- **features**: the melody's pitch-class weights (durations in beats, on-beat onsets half again,
  normalised) in this half bar and the two before and after it, the pitch classes of its first and
  of its longest note, whether it is silent and whether it starts a bar;
- **chord chances**: a multinomial logistic regression of the features (L2 :data:`L2`);
- **decoding**: Viterbi over the log chances plus :data:`TRANSITION_WEIGHT` times the learned log
  chance of each chord following each (holding included): chords hold and move the way songs move
  them (weights 0 / 0.3 / 1 on those songs: 38.9% / 38.8% / 34.9%; 0.3 changes chords less often).

The key is the one :func:`~stori.own.listen.infer_key` hears in the melody, in training too, so the
model learns around the key finder's mistakes. ``python -m stori.own.melody_chords`` rebuilds
``melody_chords.json`` (:func:`train`, about 5 minutes on a 2-core CPU).
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from stori.errors import StoriError
from stori.spec.song import PPQ, Note
from stori.theory import chord_name, parse_chord, parse_key

TABLE_PATH = Path(__file__).resolve().parent / "melody_chords.json"
CLASSES = 24  # root * 2 + (1 if minor family)
FEATURES = 12 * 7 + 2
L2 = 1e-3
TRANSITION_WEIGHT = 0.3


def frame(key: str) -> int:
    """The tonic of ``key``'s relative major: the frame chords and features are counted in."""
    tonic, mode = parse_key(key)
    return (tonic + 3) % 12 if mode in ("minor", "dorian", "phrygian") else tonic


def chord_class(symbol: str, tonic: int) -> int | None:
    """The class of a chord symbol relative to ``tonic`` (None for "N")."""
    root, pcs, _ = parse_chord(symbol)
    if root < 0:
        return None
    minor = (root + 3) % 12 in pcs and (root + 4) % 12 not in pcs
    return ((root - tonic) % 12) * 2 + minor


def class_symbol(c: int, tonic: int) -> str:
    return chord_name((tonic + c // 2) % 12, "m" if c % 2 else "")


def segment_ticks(ticks_per_bar: int, beat: int = PPQ) -> int:
    return ticks_per_bar // 2 if (ticks_per_bar // beat) % 2 == 0 else ticks_per_bar


def _weights(notes: list[Note], lo: int, hi: int, beat: int) -> np.ndarray:
    w = np.zeros(12)
    for n in notes:
        a, b = max(n.start, lo), min(n.end, hi)
        if b > a:
            w[n.pitch % 12] += (b - a) / beat * (1.5 if n.start >= lo and n.start % beat == 0 else 1.0)
    return w / w.sum() if w.sum() else w


def features(notes: list[Note], steps: int, seg: int, tonic: int, beat: int = PPQ, halves: int = 2) -> np.ndarray:
    """One row of :data:`FEATURES` per step (module docstring), relative to ``tonic``."""
    order = [(p + tonic) % 12 for p in range(12)]
    notes = sorted(notes, key=lambda n: (n.start, n.pitch))
    w = np.stack([_weights(notes, k * seg, (k + 1) * seg, beat)[order] for k in range(steps)] + [np.zeros(12)] * 2)
    rows = np.zeros((steps, FEATURES))
    by_step: dict[int, list[Note]] = {}
    for n in notes:
        by_step.setdefault(n.start // seg, []).append(n)
    for k in range(steps):
        rows[k, 0:12], rows[k, 12:24], rows[k, 24:36] = w[k], w[k - 1] if k else 0, w[k + 1]
        rows[k, 36:48], rows[k, 48:60] = w[k - 2] if k > 1 else 0, w[k + 2]
        mine = by_step.get(k, [])
        if mine:
            rows[k, 60 + (mine[0].pitch - tonic) % 12] = 1
            rows[k, 72 + (max(mine, key=lambda n: n.end - n.start).pitch - tonic) % 12] = 1
        rows[k, 84] = not w[k].any()
        rows[k, 85] = k % halves == 0
    return rows


def _song_rows(sid: str):
    """(features, classes with -1 where unlabelled) of one POP909 song in 4/4, or None."""
    from stori.data.pop909 import whole_song, whole_song_chords
    from stori.own.listen import infer_key
    from stori.theory import chord_at

    got = whole_song(sid)
    if got is None or got[1] != (4, 4) or not got[0].get("melody"):
        return None
    melody = got[0]["melody"]
    tonic = frame(infer_key(melody))
    labels = whole_song_chords(sid)
    seg = segment_ticks(4 * PPQ)
    steps = max(n.end for n in melody) // seg + 1
    classes = []
    for k in range(steps):
        tick = k * seg + PPQ // 2
        c = chord_class(chord_at(labels, tick), tonic) if tick >= labels[0][0] else None
        classes.append(-1 if c is None else c)
    return features(melody, steps, seg, tonic), np.array(classes)


def _fit(x: np.ndarray, y: np.ndarray, epochs: int = 300) -> np.ndarray:
    """Weights (FEATURES + 1, CLASSES) of a multinomial logistic regression, full batch, Adam."""
    import torch

    torch.manual_seed(0)
    xt = torch.tensor(np.hstack([x, np.ones((len(x), 1))]), dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.long)
    w = torch.zeros((xt.shape[1], CLASSES), requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.05)
    for _ in range(epochs):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(xt @ w, yt) + L2 * (w[:-1] ** 2).sum()
        loss.backward()
        opt.step()
    return w.detach().numpy()


def train(split: str = "train") -> dict:
    """The JSON table: the regression's weights and the log transition chances."""
    from stori.data.splits import pop909_ids

    xs, ys, trans = [], [], np.ones((CLASSES, CLASSES))
    songs = 0
    for sid in pop909_ids(split):
        got = _song_rows(sid)
        if got is None:
            continue
        x, y = got
        xs.append(x[y >= 0])
        ys.append(y[y >= 0])
        for a, b in zip(y, y[1:]):
            if a >= 0 and b >= 0:
                trans[a, b] += 1
        songs += 1
    return {"split": split, "songs": songs, "step": "half bar",
            "weights": np.round(_fit(np.vstack(xs), np.concatenate(ys)), 4).tolist(),
            "transitions": np.round(np.log(trans / trans.sum(axis=1, keepdims=True)), 4).tolist()}


@cache
def table() -> dict:
    if not TABLE_PATH.is_file():
        raise StoriError("melody chord model", f"{TABLE_PATH} is missing",
                         "rebuild it: python -m stori.own.melody_chords")
    return json.loads(TABLE_PATH.read_text())


def melody_chords(notes: list[Note], n_bars: int, ticks_per_bar: int, key: str, beat: int = PPQ) -> list[str]:
    """One chord string per bar ("Am" or "Am F") for a melody in ``key`` (module docstring)."""
    if n_bars <= 0:
        return []
    tonic, t = frame(key), table()
    seg = segment_ticks(ticks_per_bar, beat)
    halves = ticks_per_bar // seg
    x = features(notes, n_bars * halves, seg, tonic, beat, halves)
    logits = np.hstack([x, np.ones((len(x), 1))]) @ np.array(t["weights"])
    emit = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    trans = TRANSITION_WEIGHT * np.array(t["transitions"])
    best, back = emit[0], []
    for k in range(1, len(emit)):
        scores = best[:, None] + trans
        back.append(scores.argmax(axis=0))
        best = scores.max(axis=0) + emit[k]
    c = int(best.argmax())
    path = [c]
    for ptr in reversed(back):
        c = int(ptr[c])
        path.append(c)
    symbols = [class_symbol(c, tonic) for c in reversed(path)]
    bars = []
    for b in range(n_bars):
        part = symbols[b * halves:(b + 1) * halves]
        bars.append(part[0] if len(set(part)) == 1 else " ".join(part))
    return bars


def main() -> int:
    result = train()
    TABLE_PATH.write_text(json.dumps(result, separators=(",", ":")) + "\n")
    print(f"wrote {TABLE_PATH} from {result['songs']} {result['split']} songs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
