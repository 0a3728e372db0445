"""Train the groove model on GMD train beats, select on valid (lowest Laplace NLL), save to
``assets/models/groove.pt``. Entry: :func:`train` with a small config dict, or
``python -m stori groove-train [--config FILE.json] [--max-minutes M]``.
"""
from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch

from stori.errors import StoriError
from stori.perform import groove_model as gm
from stori.perform.groove_data import Part, gmd_parts, targets
from stori.perform.groove_features import WINDOW_BARS, windows

DEFAULT_CONFIG = {
    "seed": 0,
    "arch": "attn",  # attn | mlp
    "hidden": 64,
    "layers": 2,
    "dropout": 0.1,
    "lr": 2e-3,
    "batch_size": 64,
    "max_epochs": 40,
    "max_minutes": 10.0,
    "train_hop_bars": 2,  # 1 doubles the windows (overlapping), 2 shows each hit once an epoch
    "style_dropout": 0.1,  # share of windows shown without style, so style=None works
    "threads": 2,
    "out": str(gm.MODEL_PATH),
    "data_dir": None,
}


def _batches(items: list, batch_size: int, rng: random.Random) -> list[list]:
    """Shuffled batches of windows of similar length (less padding)."""
    items = items[:]
    rng.shuffle(items)
    chunk = batch_size * 50
    out = []
    for i in range(0, len(items), chunk):
        group = sorted(items[i:i + chunk], key=lambda it: len(it[1]))
        out.extend(group[j:j + batch_size] for j in range(0, len(group), batch_size))
    rng.shuffle(out)
    return out


def _loss(model, items, style_dropout: float = 0.0, rng: random.Random | None = None):
    x = gm.batch([(p.feat, idx) for p, idx in items])
    if style_dropout and rng is not None:
        drop = torch.tensor([rng.random() < style_dropout for _ in items])
        x["style"] = torch.where(drop, torch.zeros_like(x["style"]), x["style"])
    y_off, y_vel = targets(items)
    off, off_ls, vel, vel_ls = gm.run(model, x)
    m = x["mask"]
    loss = gm.laplace_nll(y_off, off, off_ls, m) + gm.laplace_nll(y_vel, vel, vel_ls, m)
    return loss, (off - y_off).abs().mul(m).sum().item(), (vel - y_vel).abs().mul(m).sum().item(), m.sum().item()


@torch.no_grad()
def evaluate(model, parts: list[Part], batch_size: int = 64) -> dict:
    """Loss and MAEs over every hit once (non-overlapping windows)."""
    model.eval()
    items = [(p, idx) for p in parts for idx in windows(p.feat, WINDOW_BARS)]
    tot = {"loss": 0.0, "timing": 0.0, "velocity": 0.0, "n": 0.0}
    for i in range(0, len(items), batch_size):
        chunk = items[i:i + batch_size]
        loss, t, v, n = _loss(model, chunk)
        tot["loss"] += loss.item() * n
        tot["timing"] += t
        tot["velocity"] += v
        tot["n"] += n
    n = max(tot["n"], 1.0)
    return {"loss": tot["loss"] / n, "timing_mae_ms": tot["timing"] / n, "velocity_mae": tot["velocity"] / n}


def train(config: dict | None = None, log=print) -> dict:
    cfg = {**DEFAULT_CONFIG, **(config or {})}
    unknown = set(cfg) - set(DEFAULT_CONFIG)
    if unknown:
        raise StoriError("config", f"unknown keys {sorted(unknown)}", ", ".join(DEFAULT_CONFIG))
    torch.manual_seed(cfg["seed"])
    rng = random.Random(cfg["seed"])
    np.random.seed(cfg["seed"])
    torch.set_num_threads(int(cfg["threads"]))
    t0 = time.monotonic()
    train_parts = gmd_parts("train", cfg["data_dir"])
    valid_parts = gmd_parts("valid", cfg["data_dir"])
    items = [(p, idx) for p in train_parts for idx in windows(p.feat, hop_bars=cfg["train_hop_bars"])]
    log(f"data: {len(train_parts)} train / {len(valid_parts)} valid beats, {len(items)} train windows "
        f"({time.monotonic() - t0:.0f}s)")
    model = gm.GrooveNet(cfg["arch"], cfg["hidden"], cfg["layers"], cfg["dropout"])
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=1e-4)
    best, best_state, history = None, None, []
    deadline = t0 + 60 * float(cfg["max_minutes"])
    for epoch in range(1, cfg["max_epochs"] + 1):
        model.train()
        tot, n_tot = 0.0, 0.0
        batches = _batches(items, cfg["batch_size"], rng)
        for b, chunk in enumerate(batches):
            # cosine decay over whichever budget ends first: epochs or minutes
            progress = max((epoch - 1 + b / len(batches)) / cfg["max_epochs"],
                           (time.monotonic() - t0) / (deadline - t0))
            for group in opt.param_groups:
                group["lr"] = cfg["lr"] * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
            loss, _, _, n = _loss(model, chunk, cfg["style_dropout"], rng)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            tot += loss.item() * n
            n_tot += n
            if time.monotonic() > deadline:
                break
        val = evaluate(model, valid_parts)
        history.append({"epoch": epoch, "train_loss": tot / max(n_tot, 1), **{f"valid_{k}": v for k, v in val.items()}})
        log(f"epoch {epoch}: train loss {tot / max(n_tot, 1):.3f}  valid loss {val['loss']:.3f}  "
            f"timing MAE {val['timing_mae_ms']:.2f} ms  velocity MAE {val['velocity_mae']:.2f}  "
            f"({(time.monotonic() - t0) / 60:.1f} min)")
        if best is None or val["loss"] < best["loss"]:
            best = {"epoch": epoch, **val}
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if time.monotonic() > deadline:
            log("stopped at --max-minutes")
            break
    model.load_state_dict(best_state)
    minutes = (time.monotonic() - t0) / 60
    meta = {"config": cfg, "params": n_params, "best": best, "history": history, "minutes": round(minutes, 2),
            "torch_threads": torch.get_num_threads()}
    gm.save(model, Path(cfg["out"]), meta)
    log(f"saved {cfg['out']}: {n_params} parameters, best epoch {best['epoch']}, {minutes:.1f} min")
    return meta


def add_arguments(parser) -> None:
    parser.add_argument("--config", help="JSON file with keys of DEFAULT_CONFIG (all optional)")
    parser.add_argument("--max-minutes", type=float, help="wall-clock budget for training")
    parser.add_argument("--out", help="where to write the checkpoint (default assets/models/groove.pt)")
    parser.add_argument("--data-dir", help="dataset root (default ../shared/data)")


def run(args) -> int:
    cfg = {}
    if args.config:
        try:
            cfg = json.loads(Path(args.config).read_text())
        except (OSError, ValueError) as err:
            raise StoriError("config", f"cannot read {args.config!r} ({err.__class__.__name__})",
                             "a JSON object") from None
    for key, val in (("max_minutes", args.max_minutes), ("out", args.out), ("data_dir", args.data_dir)):
        if val is not None:
            cfg[key] = val
    train(cfg)
    return 0
