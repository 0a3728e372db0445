"""The mgeval comparison of two sets of samples (Yang & Lerch, "On the evaluation of generative
models in music", 2018).

For one feature, the distances between samples of the real set (intra-set) form one distribution
and the distances from each generated sample to each real sample (inter-set) form another. Both are
smoothed with a Gaussian kernel density estimate; the more the generated set looks like the real
one, the more the two densities overlap (overlapped area -> 1) and the smaller the KL divergence of
the intra-set density from the inter-set one (-> 0).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.spatial.distance import cdist, pdist
from scipy.stats import gaussian_kde

GRID_POINTS = 1000
CURVE_POINTS = 50
MAX_DISTANCES = 20000
"""Distance samples kept per distribution (a seeded subsample) so that the KDE stays cheap."""


def _as_matrix(values: Sequence) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    return arr.reshape(len(arr), -1)


def intra_set_distances(values: Sequence) -> np.ndarray:
    """Euclidean distances between every pair of distinct samples of one set."""
    return pdist(_as_matrix(values))


def inter_set_distances(a: Sequence, b: Sequence) -> np.ndarray:
    """Euclidean distances from every sample of ``a`` to every sample of ``b``."""
    return cdist(_as_matrix(a), _as_matrix(b)).ravel()


def _subsample(d: np.ndarray, seed: int) -> np.ndarray:
    if d.size <= MAX_DISTANCES:
        return d
    return np.random.default_rng(seed).choice(d, MAX_DISTANCES, replace=False)


def _density(samples: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Gaussian KDE of ``samples`` on ``grid``, normalised to integrate to 1 there. A set whose
    samples are all equal (where scipy's bandwidth is undefined) gets a narrow spike."""
    if samples.size > 1 and np.ptp(samples) > 1e-12:
        try:
            dens = gaussian_kde(samples)(grid)
        except np.linalg.LinAlgError:
            dens = None
    else:
        dens = None
    if dens is None:
        width = max((grid[-1] - grid[0]) / 200, 1e-9)
        dens = np.exp(-0.5 * ((grid - samples.mean()) / width) ** 2)
    area = np.trapezoid(dens, grid)
    return dens / area if area > 0 else dens


def _grid(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
    pad = 0.25 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.1
    return np.linspace(lo - pad, hi + pad, GRID_POINTS)


def densities(p_samples: Sequence[float], q_samples: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shared grid and the two KDEs on it."""
    p_s, q_s = np.asarray(p_samples, dtype=float), np.asarray(q_samples, dtype=float)
    grid = _grid(p_s, q_s)
    return grid, _density(p_s, grid), _density(q_s, grid)


def overlap_and_kl(p_samples: Sequence[float], q_samples: Sequence[float]) -> tuple[float, float]:
    """Overlapped area of the two KDEs (0..1) and KL(p || q) in nats, on a shared grid."""
    if len(p_samples) == 0 or len(q_samples) == 0:
        return float("nan"), float("nan")
    grid, p, q = densities(p_samples, q_samples)
    oa = float(np.trapezoid(np.minimum(p, q), grid))
    floor = 1e-10 * max(p.max(), q.max())
    kl = float(np.trapezoid(p * np.log((p + floor) / (q + floor)), grid))
    return min(oa, 1.0), max(kl, 0.0)


def compare_sets(generated: Sequence, real: Sequence, seed: int = 0) -> dict:
    """mgeval figures of one feature: overlapped area and KL divergence between the real set's
    intra-set distances and the generated-to-real inter-set distances, with the means of each
    distance distribution (the generated set's intra-set mean shows collapse or over-spread), and
    both densities on a coarse grid for plotting."""
    if len(generated) < 1 or len(real) < 2:
        return {"overlap": float("nan"), "kl": float("nan"), "n_generated": len(generated), "n_real": len(real)}
    intra_real = _subsample(intra_set_distances(real), seed)
    inter = _subsample(inter_set_distances(generated, real), seed + 1)
    intra_gen = intra_set_distances(generated) if len(generated) > 1 else np.zeros(0)
    oa, kl = overlap_and_kl(intra_real, inter)
    grid, p, q = densities(intra_real, inter)
    step = GRID_POINTS // CURVE_POINTS
    return {
        "overlap": oa,
        "kl": kl,
        "intra_real_mean": float(intra_real.mean()),
        "intra_generated_mean": float(intra_gen.mean()) if intra_gen.size else float("nan"),
        "inter_mean": float(inter.mean()),
        "n_generated": len(generated),
        "n_real": len(real),
        "curve": {name: [round(float(v), 5) for v in arr[::step]] for name,
                  arr in (("x", grid), ("intra_real", p), ("inter", q))},
    }


def split_halves(items: Sequence, seed: int = 0) -> tuple[list, list]:
    """A seeded random split of ``items`` into two halves: the real-vs-real ceiling compares them."""
    order = np.random.default_rng(seed).permutation(len(items))
    half = len(items) // 2
    return [items[i] for i in order[:half]], [items[i] for i in order[half:]]
