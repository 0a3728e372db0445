"""Classifier two-sample test: can a simple classifier tell generated 2-bar windows from real ones?

Each piece's part is cut into 2-bar windows from its first bar (empty windows are skipped); each
window becomes a feature vector (:func:`window_features`). A logistic regression (L2, classes
weighted to balance, numpy + scipy's L-BFGS) is scored by **grouped** cross-validation: the folds
split pieces, never windows, so a song never sits on both sides of a fold. The score is the
**balanced accuracy** of the out-of-fold predictions (mean recall of the two classes): 0.5 means
the classifier cannot tell the sets apart, 1.0 that every window gives itself away. The **floor**
is the same test between two disjoint halves (by piece) of the real set: what "indistinguishable"
scores with these features and this much data.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from stori.data.drum_kit import FAMILIES, to_kit
from stori.data.part_facts import INTERVAL_EDGES, LOUD, Part

WINDOW_BARS = 2
FOLDS = 5
"""Kit pieces (canonical kit notes, :func:`stori.data.drum_kit.to_kit`) pooled into what the features count."""
_GROUP_OF = {p: i for i, pitches in enumerate(FAMILIES.values()) for p in pitches}


@dataclass(frozen=True)
class Windows:
    features: np.ndarray  # (windows, features)
    groups: list[str]  # the piece of each window


def _windows(part: Part) -> list[list]:
    size = WINDOW_BARS * part.steps_per_bar
    out: dict[int, list] = {}
    for n in part.notes:
        out.setdefault(part.steps(n) // size, []).append(n)
    return [out[k] for k in sorted(out) if k >= 0]


def _timing(part: Part, notes) -> list[float]:
    """Mean absolute and mean signed distance of onsets from their 16th, in 16ths."""
    off = np.array([n.start / part.step - part.steps(n) for n in notes])
    return [float(np.abs(off).mean()), float(off.mean())]


def _grid(part: Part, notes, size: int) -> np.ndarray:
    g = np.zeros(size)
    for n in notes:
        g[part.steps(n) % size] = 1.0
    return g


def _repeat(now: set, before: set | None) -> list[float]:
    """Equal to the previous window's set, and their Jaccard overlap (0, 0 for the first window)."""
    if before is None:
        return [0.0, 0.0]
    union = now | before
    return [float(now == before), len(now & before) / len(union) if union else 1.0]


def drum_window_features(part: Part) -> np.ndarray:
    """Per window: the loud-onset grid of each drum group, hits per group (ghosts too), velocity
    mean/spread, ghost share, timing against the grid, and repetition of the previous window."""
    size = WINDOW_BARS * part.steps_per_bar
    rows, before = [], None
    for notes in _windows(part):
        groups = [[n for n in notes if _GROUP_OF.get(to_kit(n.pitch)) == g] for g in range(len(FAMILIES))]
        loud = [[n for n in g if n.velocity >= LOUD] for g in groups]
        vel = np.array([n.velocity for n in notes]) / 127
        now = {(g, part.steps(n) % size) for g in range(len(loud)) for n in loud[g]}
        rows.append(np.concatenate([*(_grid(part, g, size) for g in loud), [len(g) / size for g in groups],
                                    [vel.mean(), vel.std(), float((vel < LOUD / 127).mean())], _timing(part, notes),
                                    _repeat(now, before)]))
        before = now
    return np.array(rows)


def pitched_window_features(part: Part, velocity: bool = True) -> np.ndarray:
    """Per window: the loud-onset grid, notes and onsets per 16th, notes per onset, note length
    (log2 beats: median, mean, spread), velocity mean/spread (not with ``velocity=False``: a score's
    velocities are its dynamics marks, flat for bars on end, so they would only tell a performance
    from a score), register (mean, spread, range), the top line's intervals in six bands, and
    repetition of the previous window's onsets and pitches. No timing: the POP909 reference lies on
    the beat grid (quantized), so micro-timing would only tell a performance from a quantized file
    (alone it scores 1.0), not a part from a real one."""
    size = WINDOW_BARS * part.steps_per_bar
    rows, before, before_pitches = [], None, None
    for notes in _windows(part):
        onsets = {part.steps(n) % size for n in notes if n.velocity >= LOUD}
        by_onset: dict[int, int] = {}
        for n in notes:
            by_onset[part.steps(n)] = max(by_onset.get(part.steps(n), 0), n.pitch)
        top = [by_onset[k] for k in sorted(by_onset)]
        steps = np.diff(top)
        bands = np.bincount(np.searchsorted(INTERVAL_EDGES, steps),
                            minlength=len(INTERVAL_EDGES) + 1) / max(len(steps), 1)
        length = np.log2(np.array([max(n.end - n.start,
                                       1) / part.ppq for n in notes]))  # a restruck note can last 0 ticks
        vel = np.array([n.velocity for n in notes]) / 127
        pitch = np.array([n.pitch for n in notes], dtype=float)
        pitches = {n.pitch for n in notes}
        rows.append(np.concatenate([_grid(part, [n for n in notes if n.velocity >= LOUD], size),
                                    [len(notes) / size, len(by_onset) / size, len(notes) / len(by_onset)],
                                    [np.median(length), length.mean(), length.std()],
                                    [vel.mean(), vel.std()] if velocity else [],
                                    [pitch.mean() / 127, pitch.std() / 12, (pitch.max() - pitch.min()) / 12], bands,
                                    _repeat(onsets, before), _repeat(pitches, before_pitches)[1:]]))
        before, before_pitches = onsets, pitches
    return np.array(rows)


def windows_of(parts: Sequence[tuple[str, Part]], drums: bool, velocity: bool = True) -> Windows:
    """The feature rows of every window of ``(piece id, part)`` pairs (pitched: velocities only with ``velocity``)."""
    rows, groups = [], []
    for piece, part in parts:
        f = drum_window_features(part) if drums else pitched_window_features(part, velocity)
        if len(f):
            rows.append(f)
            groups += [piece] * len(f)
    return Windows(np.vstack(rows) if rows else np.zeros((0, 0)), groups)


def _fit(x: np.ndarray, y: np.ndarray, c: float = 1.0) -> np.ndarray:
    """Weights (bias last) of an L2 logistic regression with balanced class weights."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w_class = np.where(y == 1, len(y) / (2 * max(y.sum(), 1)), len(y) / (2 * max((1 - y).sum(), 1)))
    reg = np.r_[np.ones(x.shape[1]), 0.0] / c

    def loss(w):
        z = xb @ w
        p = 1 / (1 + np.exp(-z))
        nll = np.sum(w_class * (np.logaddexp(0, z) - y * z))
        return nll + 0.5 * np.sum(reg * w * w), xb.T @ (w_class * (p - y)) + reg * w

    return minimize(loss, np.zeros(xb.shape[1]), jac=True, method="L-BFGS-B").x


def fit_softmax(x: np.ndarray, y: np.ndarray, n_classes: int, c: float = 1.0) -> np.ndarray:
    """Weights (features + bias, classes) of an L2 multinomial logistic regression, classes weighted
    to balance: the many-class form of :func:`_fit`, for telling several sources apart."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    counts = np.bincount(y, minlength=n_classes)
    w_row = (len(y) / (n_classes * np.maximum(counts, 1)))[y]
    onehot = np.eye(n_classes)[y]
    reg = np.r_[np.ones(x.shape[1]), 0.0][:, None] / c

    def loss(flat):
        w = flat.reshape(xb.shape[1], n_classes)
        z = xb @ w
        z -= z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        grad = xb.T @ (w_row[:, None] * (np.exp(logp) - onehot)) + reg * w
        return -np.sum(w_row * (onehot * logp).sum(1)) + 0.5 * np.sum(reg * w * w), grad.ravel()

    return minimize(loss, np.zeros(xb.shape[1] * n_classes), jac=True, method="L-BFGS-B").x.reshape(-1, n_classes)


def softmax_proba(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Class probabilities of rows ``x`` under :func:`fit_softmax` weights."""
    z = np.hstack([x, np.ones((len(x), 1))]) @ w
    z = np.exp(z - z.max(1, keepdims=True))
    return z / z.sum(1, keepdims=True)


def _folds(groups: list[str], y: np.ndarray, seed: int) -> np.ndarray:
    """Fold of each window: each class's pieces shuffled with ``seed`` and dealt round-robin (any
    number of classes)."""
    rng = np.random.default_rng(seed)
    fold_of = {}
    for label in sorted(set(y.tolist())):
        pieces = sorted({g for g, t in zip(groups, y) if t == label})
        for i, p in enumerate(rng.permutation(len(pieces))):
            fold_of[pieces[p]] = i % FOLDS
    return np.array([fold_of[g] for g in groups])


def balanced_accuracy(a: Windows, b: Windows, seed: int = 0) -> float:
    """Grouped cross-validated balanced accuracy of telling windows of ``a`` (class 0) from ``b`` (class 1)."""
    x = np.vstack([a.features, b.features])
    y = np.r_[np.zeros(len(a.features)), np.ones(len(b.features))]
    groups = [f"a:{g}" for g in a.groups] + [f"b:{g}" for g in b.groups]
    fold = _folds(groups, y, seed)
    pred = np.zeros(len(y))
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        if not test.any() or len(set(y[train])) < 2:
            continue
        mu, sd = x[train].mean(0), x[train].std(0) + 1e-9
        w = _fit((x[train] - mu) / sd, y[train])
        pred[test] = ((x[test] - mu) / sd) @ w[:-1] + w[-1] > 0
    return float(np.mean([(pred[y == c] == c).mean() for c in (0, 1)]))


def halves(w: Windows, seed: int = 0) -> tuple[Windows, Windows]:
    """Two disjoint halves of ``w`` by piece, drawn with ``seed``."""
    pieces = sorted(set(w.groups))
    first = {pieces[i] for i in np.random.default_rng(seed).permutation(len(pieces))[: len(pieces) // 2]}
    mask = np.array([g in first for g in w.groups])
    return (Windows(w.features[mask], [g for g in w.groups if g in first]),
            Windows(w.features[~mask], [g for g in w.groups if g not in first]))


def two_sample_test(real: Windows, generated: Windows, seed: int = 0) -> dict:
    """Balanced accuracy of real vs generated and the real-vs-real floor, with window and piece counts."""
    return {"balanced_accuracy": balanced_accuracy(real, generated, seed),
            "floor": balanced_accuracy(*halves(real, seed), seed),
            "windows": {"real": len(real.groups), "generated": len(generated.groups)},
            "pieces": {"real": len(set(real.groups)), "generated": len(set(generated.groups))}}
