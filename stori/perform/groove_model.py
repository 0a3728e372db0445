"""The groove network: for every hit of a quantized window, a Laplace distribution over its
micro-timing offset (ms) and its velocity. The location is the prediction (the median: what MAE
rewards); the scale lets a humanizer sample the spread real drummers have.

``arch="attn"`` lets every hit of the window attend to the others (a small transformer encoder:
the whole two-bar pattern is context); ``arch="mlp"`` sees each hit alone with its neighbour grid
(the pieces on the two steps either side). Both share the input embedding and the heads. A
bidirectional GRU was tried first and dropped: ten times slower per step on the shared 2-core CPU.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from stori.errors import StoriError
from stori.perform.groove_features import GMD_STYLES, N_NEIGHBOUR, N_PIECES, N_STEPS, WINDOW_BARS, HitFeatures, windows

MAX_OFFSET_STEPS = 1.0
"""The largest offset the model can give, in 16ths (a swung offbeat 8th sits up to 0.83 of a 16th late)."""

MODEL_PATH = Path(__file__).resolve().parents[2] / "assets" / "models" / "groove.pt"


class GrooveNet(nn.Module):
    def __init__(self, arch: str = "attn", hidden: int = 64, layers: int = 2, dropout: float = 0.1):
        super().__init__()
        if arch not in ("attn", "mlp"):
            raise StoriError("arch", f"{arch!r} is unknown", "attn, mlp")
        self.config = {"arch": arch, "hidden": hidden, "layers": layers, "dropout": dropout}
        self.piece = nn.Embedding(N_PIECES, 16)
        self.step = nn.Embedding(N_STEPS, 16)
        self.bar = nn.Embedding(WINDOW_BARS, 16)
        self.style = nn.Embedding(len(GMD_STYLES) + 1, 8)
        self.inp = nn.Sequential(nn.Linear(16 + 16 + 8 + 1 + N_NEIGHBOUR, hidden), nn.GELU(), nn.Dropout(dropout))
        if arch == "attn":
            layer = nn.TransformerEncoderLayer(hidden, 4, 2 * hidden, dropout, activation="gelu", batch_first=True)
            self.seq = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        else:
            self.seq = nn.Sequential(*[m for _ in range(layers) for m in (nn.Linear(hidden, hidden), nn.GELU())])
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, 4))

    def forward(self, piece, step, bar, style, log_tempo, neighbours, mask, step_ms):
        """Tensors (batch, hits) except style, log_tempo, step_ms (batch,); ``bar`` is the bar within
        the window, ``mask`` 1 on real hits. Returns offset location (ms), offset log-scale,
        velocity location (1..127), velocity log-scale."""
        b, n = piece.shape
        x = torch.cat([
            self.piece(piece), self.step(step) + self.bar(bar), self.style(style)[:, None, :].expand(b, n, -1),
            log_tempo[:, None, None].expand(b, n, 1), neighbours,
        ], dim=-1)
        h = self.inp(x)
        if self.config["arch"] == "attn":
            h = self.seq(h, src_key_padding_mask=mask == 0)
        else:
            h = self.seq(h)
        o = self.head(h)
        off = MAX_OFFSET_STEPS * torch.tanh(o[..., 0]) * step_ms[:, None]
        vel = 1.0 + 126.0 * torch.sigmoid(o[..., 2])
        return off, o[..., 1].clamp(-1.0, 5.0), vel, o[..., 3].clamp(-1.0, 5.0)


def laplace_nll(y, loc, log_scale, mask):
    nll = (y - loc).abs() / log_scale.exp() + log_scale
    return (nll * mask).sum() / mask.sum().clamp(min=1)


def save(model: GrooveNet, path: Path, meta: dict) -> None:
    state = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"config": model.config, "state": state, "meta": meta}, path)


_LOADED: dict[str, GrooveNet] = {}


def load(path: str | Path | None = None) -> GrooveNet:
    """The shipped (or given) groove model, loaded once, in eval mode on CPU."""
    path = Path(path or MODEL_PATH)
    key = str(path.resolve())
    if key not in _LOADED:
        if not path.is_file():
            raise StoriError("groove model", f"{str(path)!r} is missing",
                             "restore assets/models/groove.pt from git or retrain: python -m stori groove-train")
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        model = GrooveNet(**ckpt["config"])
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in ckpt["state"].items()})
        model.meta = ckpt.get("meta", {})
        _LOADED[key] = model.eval()
    return _LOADED[key]


def batch(items: list[tuple[HitFeatures, np.ndarray]]) -> dict[str, torch.Tensor]:
    """Pad windows ``(features of a part, indices of the window's hits)`` into model inputs."""
    n = max(len(idx) for _, idx in items)
    b = len(items)
    piece = torch.zeros(b, n, dtype=torch.long)
    step = torch.zeros(b, n, dtype=torch.long)
    bar = torch.zeros(b, n, dtype=torch.long)
    neigh = torch.zeros(b, n, N_NEIGHBOUR)
    mask = torch.zeros(b, n)
    for i, (f, idx) in enumerate(items):
        k = len(idx)
        piece[i, :k] = torch.from_numpy(f.piece[idx])
        step[i, :k] = torch.from_numpy(f.step[idx])
        bar[i, :k] = torch.from_numpy(np.clip(f.bar[idx] - f.bar[idx].min(), 0, WINDOW_BARS - 1))
        neigh[i, :k] = torch.from_numpy(f.neighbours[idx])
        mask[i, :k] = 1.0
    return {
        "piece": piece, "step": step, "bar": bar, "neighbours": neigh, "mask": mask,
        "style": torch.tensor([f.style for f, _ in items]),
        "log_tempo": torch.tensor([f.log_tempo for f, _ in items], dtype=torch.float32),
        "step_ms": torch.tensor([f.step_ms for f, _ in items], dtype=torch.float32),
    }


def run(model: GrooveNet, x: dict[str, torch.Tensor]):
    return model(x["piece"], x["step"], x["bar"], x["style"], x["log_tempo"], x["neighbours"], x["mask"], x["step_ms"])


@torch.no_grad()
def predict(model: GrooveNet, feat: HitFeatures, batch_size: int = 64) -> dict[str, np.ndarray]:
    """Per hit of one part (in its given order): offset location and scale (ms), velocity location
    and scale, from non-overlapping windows."""
    n = len(feat.piece)
    out = {k: np.zeros(n, dtype=np.float32) for k in ("offset_ms", "offset_scale", "velocity", "velocity_scale")}
    wins = windows(feat)
    for i in range(0, len(wins), batch_size):
        chunk = wins[i:i + batch_size]
        off, off_ls, vel, vel_ls = run(model, batch([(feat, idx) for idx in chunk]))
        for j, idx in enumerate(chunk):
            k = len(idx)
            out["offset_ms"][idx] = off[j, :k].numpy()
            out["offset_scale"][idx] = off_ls[j, :k].exp().numpy()
            out["velocity"][idx] = vel[j, :k].numpy()
            out["velocity_scale"][idx] = vel_ls[j, :k].exp().numpy()
    return out
