"""``python -m stori groove-eval``: the groove model against the real GMD test performances.

Every hit of every 4/4 test beat is quantized (swing-aware 16th grid, see
:func:`stori.data.gmd.quantize_ticks`) and given to each contender without
its velocity (GrooVAE's Humanize task); we measure the mean absolute error of its timing offset
(ms from the grid place) and of its velocity against what the drummer played.

Contenders: the model's prediction (the median of its distribution), the model sampled as the
humanizer plays it, no humanization (on the grid, every hit at one fixed velocity: the median
velocity of GMD train hits, the best single constant under MAE; MIDI's customary 100 also shown),
and uniform random jitter of +-15 ms and +-10 % of that median velocity.
"""
from __future__ import annotations

import json

import numpy as np

from stori.perform import groove_model
from stori.perform.groove_data import gmd_parts
from stori.perform.groove_model import MAX_OFFSET_STEPS
from stori.perform.humanize import NOISE_CLIP, TIMING_NOISE


def evaluate_test(data_dir=None, model_path=None, seed: int = 0) -> dict:
    model = groove_model.load(model_path)
    default_velocity = float(np.median(np.concatenate([p.velocity for p in gmd_parts("train", data_dir)])))
    parts = gmd_parts("test", data_dir)
    rng = np.random.default_rng(seed)
    true_off, true_vel, rows = [], [], {k: ([], []) for k in
                                        ("model", "model_sampled", "none", "none_v100", "random")}
    for part in parts:
        n = len(part.velocity)
        pred = groove_model.predict(model, part.feat)
        true_off.append(part.offset_ms)
        true_vel.append(part.velocity)
        noise = lambda: np.clip(rng.laplace(size=n), -NOISE_CLIP, NOISE_CLIP)  # noqa: E731
        guesses = {
            "model": (pred["offset_ms"], pred["velocity"]),
            "model_sampled": (np.clip(pred["offset_ms"] + noise() * pred["offset_scale"] * TIMING_NOISE,
                                      -part.feat.step_ms * MAX_OFFSET_STEPS, part.feat.step_ms * MAX_OFFSET_STEPS),
                              np.clip(pred["velocity"] + noise() * pred["velocity_scale"], 1, 127)),
            "none": (np.zeros(n), np.full(n, default_velocity)),
            "none_v100": (np.zeros(n), np.full(n, 100.0)),
            "random": (rng.uniform(-15, 15, n), default_velocity * (1 + rng.uniform(-0.1, 0.1, n))),
        }
        for k, (o, v) in guesses.items():
            rows[k][0].append(o)
            rows[k][1].append(v)
    y_off, y_vel = np.concatenate(true_off), np.concatenate(true_vel)
    result = {"split": "test", "beats": len(parts), "hits": int(len(y_off)),
              "default_velocity": default_velocity, "params": getattr(model, "meta", {}).get("params")}
    for k, (o, v) in rows.items():
        result[k] = {"timing_mae_ms": round(float(np.mean(np.abs(np.concatenate(o) - y_off))), 2),
                     "velocity_mae": round(float(np.mean(np.abs(np.concatenate(v) - y_vel))), 2)}
    return result


LABELS = {
    "model": "groove model (median)",
    "model_sampled": "groove model (sampled, as humanize plays it)",
    "none": "no humanization (grid, velocity = train median {v:g})",
    "none_v100": "no humanization (grid, velocity 100)",
    "random": "uniform random jitter (+-15 ms, +-10 % velocity)",
}


def markdown(result: dict) -> str:
    lines = [f"GMD test: {result['beats']} beats in 4/4, {result['hits']} hits.", "",
             "| contender | timing MAE (ms) | velocity MAE |", "|---|---:|---:|"]
    for k, label in LABELS.items():
        r = result[k]
        lines.append(f"| {label.format(v=result['default_velocity'])} | {r['timing_mae_ms']:.2f} | "
                     f"{r['velocity_mae']:.2f} |")
    return "\n".join(lines)


def add_arguments(parser) -> None:
    parser.add_argument("--data-dir", help="dataset root (default ../shared/data)")
    parser.add_argument("--model", help="checkpoint (default assets/models/groove.pt)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    result = evaluate_test(args.data_dir, args.model, args.seed)
    print(json.dumps(result) if args.json else markdown(result))
    return 0
