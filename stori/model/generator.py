"""The learned generator at run time: load the shipped checkpoint, turn requests (one per
track-window) into prefixes, grammar plans and logit biases, decode them in one batch."""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from stori.compose.arrange import ROLE_RANGES
from stori.data.drum_kit import KIT_PITCHES
from stori.data.paths import PROJECT_ROOT
from stori.errors import StoriError
from stori.model.grammar import Grammar, StreamPlan
from stori.model.sampling import Sampling, generate
from stori.model.tokens import StoriTokenizer
from stori.model.transformer import ModelConfig, Transformer
from stori.spec.song import Note
from stori.theory import scale_pitch_classes

DEFAULT_CHECKPOINT = PROJECT_ROOT / "assets" / "models" / "stori-generator.pt"
RESTORE_HINT = ("restore it with `git checkout -- assets/models/`, or retrain it: "
                "python -m stori train --config shipped, then "
                "python -m stori train --config shipped --export assets/models/stori-generator.pt")
MONOPHONIC = {"melody": 1, "bass": 1, "counter_melody": 2, "harmony": 6, "drums": 6}


@dataclass
class Request:
    """One track-window to generate (at most 8 bars of 4/4); ticks are from the window start.
    ``bins`` holds the attribute bins (None = any). ``register`` and ``velocity`` are hard
    (lo, hi) limits; ``tension`` (0..1) loosens the pull towards scale and chord tones."""

    role: str
    n_bars: int
    bins: dict[str, int | None]
    key: str = "C major"
    tempo: float = 100.0
    style: str = "pop"
    section: str = "verse"
    chords: list[tuple[int, str]] = field(default_factory=list)
    register: tuple[int, int] | None = None
    velocity: tuple[int, int] | None = None
    tension: float = 0.3
    forced_notes: list[Note] = field(default_factory=list)
    locked_bars: dict[int, list[Note]] = field(default_factory=dict)
    max_polyphony: int | None = None


class Generator:
    def __init__(self, model: Transformer, tok: StoriTokenizer, info: dict | None = None):
        self.model, self.tok, self.info = model, tok, info or {}
        self.grammar = Grammar(tok)
        g, v = self.grammar.is_type, tok.value
        self._kit = np.isin(np.arange(len(tok)), [tok.ids[f"PitchDrum_{p}"] for p in KIT_PITCHES])
        self._pitch, self._velocity, self._value = g["Pitch"], g["Velocity"], v

    @property
    def device(self) -> torch.device:
        return self.model.tok.weight.device

    def pitch_mask(self, r: Request) -> np.ndarray:
        if r.role == "drums":
            return self._kit
        lo, hi = ROLE_RANGES[r.role]
        if r.register:
            lo, hi = max(lo, r.register[0]), min(hi, r.register[1])
            if lo > hi:  # a register outside the role's range: the nearest edge of the range
                lo = hi = min(max(r.register[0], ROLE_RANGES[r.role][0]), ROLE_RANGES[r.role][1])
        return self._pitch & (self._value >= lo) & (self._value <= hi)

    def velocity_mask(self, r: Request) -> np.ndarray | None:
        if not r.velocity:
            return None
        m = self._velocity & (self._value >= r.velocity[0] - 8) & (self._value <= r.velocity[1] + 8)
        if not m.any():
            m = self._velocity & (np.abs(self._value - sum(r.velocity) / 2) == np.abs(self._value[self._velocity] - sum(r.velocity) / 2).min())
        return m

    def scale_bias(self, r: Request) -> np.ndarray:
        """Pitches outside the key's scale are pushed down, less so as tension rises."""
        bias = np.zeros(len(self.tok), dtype=np.float32)
        if r.role == "drums":
            return bias
        out_of_scale = self._pitch & ~np.isin(self._value % 12, list(scale_pitch_classes(r.key)))
        bias[out_of_scale] = -2.0 * (1.0 - r.tension)
        return bias

    def streams(self, requests: list[Request]) -> tuple[list[list[int]], list[StreamPlan], list[np.ndarray], list[float]]:
        prefixes, plans, biases, chord_w = [], [], [], []
        for r in requests:
            if not 1 <= r.n_bars <= 8:
                raise StoriError("n_bars", f"{r.n_bars} bars in one window", "1..8 (longer sections are cut into windows)")
            bins = dict(r.bins)
            if r.role == "drums":
                bins["pitch"] = None
            prefixes.append(self.tok.prefix(r.role, r.style, r.section, r.key, r.tempo, bins))
            plans.append(StreamPlan(r.role, r.n_bars, self.pitch_mask(r), self.velocity_mask(r),
                                    r.max_polyphony or MONOPHONIC[r.role], r.chords if r.role != "drums" else [],
                                    r.forced_notes, r.locked_bars))
            biases.append(self.scale_bias(r))
            chord_w.append(0.0 if r.role == "drums" else 1.5 * (1.0 - r.tension))
        return prefixes, plans, biases, chord_w

    def generate(self, requests: list[Request], seed: int = 0, sampling: Sampling = Sampling(),
                 threads: int | None = None) -> tuple[list[list[Note]], dict]:
        """Notes of every request (ticks from its window start) and decoding stats."""
        if not requests:
            return [], {"tokens": 0, "steps": 0}
        prefixes, plans, biases, chord_w = self.streams(requests)
        with _threads(threads):
            out, steps = generate(self.model, self.grammar, prefixes, plans, seed, sampling, biases, chord_w)
        notes = [self.tok.decode(o, r.role) for o, r in zip(out, requests)]
        return notes, {"tokens": sum(map(len, out)), "steps": steps}


@contextlib.contextmanager
def _threads(n: int | None):
    """Decoding runs tiny matrix products: on a CPU shared with other work one thread is faster."""
    old = torch.get_num_threads()
    n = n or int(os.environ.get("STORI_THREADS", "1"))
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def load_generator(path: str | Path | None = None, device: str = "auto") -> Generator:
    """The generator of a checkpoint (default: the shipped one), on the best device; half
    precision on a GPU."""
    return _load(str(path or os.environ.get("STORI_MODEL") or DEFAULT_CHECKPOINT), device)


@lru_cache(maxsize=2)
def _load(path: str, device: str) -> Generator:
    from stori.model.train import pick_device

    if not Path(path).exists():
        raise StoriError("model", f"the generator checkpoint {path} is missing", RESTORE_HINT)
    ck = torch.load(path, map_location="cpu", weights_only=False)
    tok = StoriTokenizer.from_dict(ck["tokenizer"])
    model = Transformer(ModelConfig(**ck["model_config"]))
    model.load_state_dict({k: v.float() for k, v in ck["model"].items()})
    dev = pick_device(device)
    model = model.to(dev).eval()
    if dev.type == "cuda":
        model = model.half()
    return Generator(model, tok, {k: ck.get(k) for k in ("step", "elapsed_s", "history", "unigram_loss", "hardware")})
