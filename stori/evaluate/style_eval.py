"""``python -m stori style-eval``: does a learned style play like the drummer it was learned from?

1. The style is learned (:mod:`stori.perform.style_learn`) from ``--files`` beats of one GMD drummer,
   drawn (seed 0) from the train split, into a temporary style folder.
2. ``--loops`` drum loops of ``--bars`` bars are made with the style and, as yardsticks, with each
   built-in style, the one it started from first (same tempos, same seeds), at the tempos of the
   drummer's held-out beats.
3. A drummer classifier (multinomial logistic regression on the 2-bar window features of
   :mod:`stori.evaluate.two_sample`, performed timing and velocity included) learns to tell GMD's
   drummers apart from their train-split beats, leaving out the style's own files. Its grouped
   cross-validated balanced accuracy says how well it can; then, fitted on all of them, it gives each
   window a probability per drummer.
4. Reported per set (the style's loops, the yardstick's, the drummer's held-out validation and test
   beats, the other drummers' held-out beats): the mean probability of the target drummer and the
   share of windows placed on the target drummer (its most probable class).
"""
from __future__ import annotations

import json
import os
import random
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from stori.data.gmd import load_performances
from stori.data.part_facts import Part
from stori.data.paths import data_dir as resolve_data_dir
from stori.errors import StoriError
from stori.evaluate.two_sample import FOLDS, Windows, _folds, fit_softmax, softmax_proba, windows_of
from stori.perform.styles import STYLES
from stori.spec.song import Note


def add_arguments(p) -> None:
    p.add_argument("--drummer", default="drummer1", help="a GMD drummer (drummer1..drummer10) with held-out beats")
    p.add_argument("--files", type=int, default=10, help="train-split beats the style learns from (2..40)")
    p.add_argument("--loops", type=int, default=20, help="drum loops made with and without the style (4..100)")
    p.add_argument("--bars", type=int, default=8, help="bars per loop (2..32)")
    p.add_argument("--steps", type=int, default=150, help="adapter training steps")
    p.add_argument("--data-dir", help="dataset root (default ../shared/data)")
    p.add_argument("--out", help="also write the numbers as JSON here")


@contextmanager
def _style_folder():
    """A temporary style folder, so the evaluation leaves the user's styles alone."""
    old = os.environ.get("STORI_STYLE_DIR")
    with tempfile.TemporaryDirectory(prefix="stori-style-eval-") as tmp:
        os.environ["STORI_STYLE_DIR"] = tmp
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("STORI_STYLE_DIR", None)
            else:
                os.environ["STORI_STYLE_DIR"] = old


def _part(perf) -> Part:
    return Part(tuple(Note(h.pitch, h.tick, h.end, h.velocity) for h in perf.hits))


def classifier(train: dict[str, Windows], seed: int = 0) -> tuple[dict, list[str]]:
    """The drummer classifier fitted on windows per drummer, and its grouped cross-validated
    balanced accuracy (folds split beats, never windows)."""
    drummers = sorted(train)
    x = np.vstack([train[d].features for d in drummers])
    y = np.concatenate([np.full(len(train[d].groups), i) for i, d in enumerate(drummers)])
    groups = [g for d in drummers for g in train[d].groups]
    fold = _folds(groups, y, seed)
    pred = np.full(len(y), -1)
    for k in range(FOLDS):
        tr, te = fold != k, fold == k
        mu, sd = x[tr].mean(0), x[tr].std(0) + 1e-9
        w = fit_softmax((x[tr] - mu) / sd, y[tr], len(drummers))
        pred[te] = softmax_proba(w, (x[te] - mu) / sd).argmax(1)
    recall = {d: float((pred[y == i] == i).mean()) for i, d in enumerate(drummers)}
    mu, sd = x.mean(0), x.std(0) + 1e-9
    model = {"w": fit_softmax((x - mu) / sd, y, len(drummers)), "mu": mu, "sd": sd,
             "cv_balanced_accuracy": float(np.mean(list(recall.values()))), "cv_recall": recall}
    return model, drummers


def placed(model: dict, drummers: list[str], target: str, w: Windows) -> dict:
    """Mean probability of ``target`` over the windows of ``w``, and the share placed on it."""
    p = softmax_proba(model["w"], (w.features - model["mu"]) / model["sd"])
    t = drummers.index(target)
    top = np.bincount(p.argmax(1), minlength=len(drummers)) / len(p)
    return {"p_target": round(float(p[:, t].mean()), 3), "placed_on_target": round(float(top[t]), 3),
            "most_placed_on": drummers[int(top.argmax())], "windows": len(w.groups), "pieces": len(set(w.groups))}


def evaluate_style(drummer: str = "drummer1", files: int = 10, loops: int = 20, bars: int = 8, steps: int = 150,
                   data_dir=None, log=print) -> dict:
    from stori.perform.drums import make_drums
    from stori.perform.style_learn import learn_style, nearest_style

    beats = [p for p in load_performances(None, data_dir, beat_type="beat") if p.time_signature == (4, 4) and p.hits]
    mine = sorted((p for p in beats if p.drummer == drummer and p.split == "train"), key=lambda p: p.id)
    held = [p for p in beats if p.drummer == drummer and p.split != "train"]
    if len(mine) < files or not held:
        known = sorted({p.drummer for p in beats if p.split != "train"})
        raise StoriError("drummer", f"{drummer!r} has {len(mine)} train beats and {len(held)} held-out",
                         f"one of {', '.join(known)} with at least --files train beats")
    chosen = random.Random(0).sample(mine, files)
    root = resolve_data_dir(data_dir) / "groove"
    name = f"gmd-{drummer}"
    with _style_folder():
        st = learn_style(name, files=[root / p.midi_filename for p in chosen], steps=steps, log=log)
        base = nearest_style(st.kick, st.snare, st.hat_subdivision)
        tempos = [min(240.0, max(40.0, p.bpm)) for p in sorted(held, key=lambda p: p.id)]
        made = {}
        yardsticks = [base.name] + [name for name in STYLES if name != base.name]
        for label, style in [("with the style", st.name)] + [(f"without: {name}", name) for name in yardsticks]:
            songs = [make_drums(style, bars, tempos[i % len(tempos)], seed=i) for i in range(loops)]
            made[label] = windows_of([(f"{label}:{i}", Part(tuple(s.tracks[0].notes))) for i, s in enumerate(songs)],
                                     drums=True)
    left_out = {p.id for p in chosen}
    train = {}
    for d in sorted({p.drummer for p in beats}):
        train[d] = windows_of([(p.id, _part(p)) for p in beats
                               if p.drummer == d and p.split == "train" and p.id not in left_out], drums=True)
    model, drummers = classifier(train)
    log(f"drummer classifier: cross-validated balanced accuracy {model['cv_balanced_accuracy']:.3f} over "
        f"{len(drummers)} drummers (chance {1 / len(drummers):.3f})")
    sets = {**made,
            f"{drummer}'s held-out beats": windows_of([(p.id, _part(p)) for p in held], drums=True),
            "other drummers' held-out beats": windows_of([(p.id, _part(p)) for p in beats
                                                          if p.drummer != drummer and p.split != "train"], drums=True)}
    result = {"drummer": drummer, "files": [p.midi_filename for p in chosen], "style": st.name, "yardstick": base.name,
              "loops": loops, "bars": bars, "adapter_steps": steps,
              "classifier": {"drummers": drummers, "cv_balanced_accuracy": round(model["cv_balanced_accuracy"], 3),
                             "cv_recall_target": round(model["cv_recall"][drummer], 3),
                             "chance": round(1 / len(drummers), 3)},
              "sets": {k: placed(model, drummers, drummer, w) for k, w in sets.items()}}
    return result


def run(args) -> int:
    from stori.errors import check_range

    result = evaluate_style(args.drummer, int(check_range("files", args.files, 2, 40)),
                            int(check_range("loops", args.loops, 4, 100)), int(check_range("bars", args.bars, 2, 32)),
                            int(check_range("steps", args.steps, 10, 5000)), args.data_dir)
    print(f"{'set':34s} {'P(' + args.drummer + ')':>16s} {'placed on it':>13s}  most placed on")
    for k, v in result["sets"].items():
        print(f"{k:34s} {v['p_target']:16.3f} {v['placed_on_target']:13.3f}  {v['most_placed_on']}")
    best = max((v["p_target"], k) for k, v in result["sets"].items() if k.startswith("without"))
    print(f"with the style {result['sets']['with the style']['p_target']:.3f} vs the closest built-in style "
          f"({best[1].removeprefix('without: ')}) {best[0]:.3f}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=1))
    return 0
