"""The learned generator at run time: load the shipped checkpoint, turn requests (one per
track-window) into prefixes, grammar plans and logit biases, decode them in one batch."""
from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from stori.data.drum_kit import KIT_PITCHES
from stori.data.paths import PROJECT_ROOT
from stori.errors import StoriError
from stori.model.calibration import INTERVALS, ONSETS
from stori.model.conditioning import ATTRIBUTES
from stori.model.grammar import Grammar, StreamPlan
from stori.model.sampling import Sampling, generate
from stori.model.tokens import StoriTokenizer
from stori.model.transformer import ModelConfig, Transformer, pick_device
from stori.spec.arrange import ROLE_RANGES
from stori.spec.song import Note
from stori.theory import mode_tones, parse_chord, scale_pitch_classes

DEFAULT_CHECKPOINT = PROJECT_ROOT / "assets" / "models" / "stori-generator.pt"
METER_CHECKPOINT = PROJECT_ROOT / "assets" / "models" / "stori-generator-v2.pt"
SHIPPED = (DEFAULT_CHECKPOINT, METER_CHECKPOINT)
"""The shipped generators in order of preference: v1 (4/4, pop; its decoding priors were fitted on
its own songs) and v2 (every meter the planner offers; pop, art song, standards)."""
RESTORE_HINT = ("restore it with `git checkout -- assets/models/`, or retrain it: "
                "python -m stori train --config shipped, then "
                "python -m stori train --config shipped --export assets/models/stori-generator.pt")
MONOPHONIC = {"melody": 1, "bass": 1, "counter_melody": 2, "harmony": 6, "drums": 6}


# Half-width (semitones) of the register window around a requested mean pitch, per role: about
# where 97.5% of a POP909 part's notes lie around its song's mean pitch (melody -8.5..+7.7,
# accompaniment -11.6..+10.2, bass -8.4..+8.8; was 9/10/7, which cut off the accompaniment's
# spread chords and the bass's octave leaps). The accompaniment's is wider still (15, and 9 free of
# the centre's pull): at 12 and 5 its 2-bar windows spanned 1.15 octaves against POP909's 1.50 and
# its top line leapt (a fifth or more) in 18% of moves against 40%; at 15 and 9, 1.34 and 25%.
REGISTER_HALF_WIDTH = {"melody": 9, "counter_melody": 9, "harmony": 15, "bass": 9}
VELOCITY_HALF_WIDTH = 14
CENTRE_PULL = 0.25  # logit per semitone beyond CENTRE_FREE of the requested mean pitch
# semitones either side of the mean a part moves without cost (POP909: 3.4-4.5 on average, one
# hand's reach; two hands' for the accompaniment), 5 where a role has none here
CENTRE_FREE = {"harmony": 9}
OUT_OF_SCALE = ((0.0, -3.5), (0.3, -1.7), (0.5, -0.25), (1.0, 1.5))
"""Logit on pitches outside the key's scale (and the window's chords), by tension: straight lines
between these (tension, logit) points. Chromatic motion is a cue of tension and POP909, the training
data, has little of it: a calm song shuns it, a neutral one (tension 0.3) about as before (-1.7; was
-1.4), a tense one draws it. The model's answer is steep: notes outside the scale were 0-1% of a
sweep song's at tension 0.5 under -0.5 (the old -2 + 2 * tension left 0.5 and 0.75 without any),
about 20% under +1.5."""
CONTOUR = (6.0, (1, -1, -1, 0, 1, 1, -1))
"""A melody's contour (the ``rising`` chance less 0.5) times the first, on each interval band of
:data:`~stori.data.part_facts.INTERVAL_EDGES` (big, small, step down, same, step, small, big up) by
the second: a rising line climbs by steps and falls back by leaps, a falling one the reverse (in a
window of its register a line that only went up would leave it; the model's lines rose in 0.42-0.59
of their moves whatever the valence). At 10 the realness songs' melodies were told from POP909's
more easily (seed 1: 0.757 against 0.746 before); at 6 they are not (0.716-0.734, seeds 0-2)."""


@lru_cache(maxsize=64)
def _tilted_intervals(prior: str | None, contour: float) -> np.ndarray:
    """The interval prior of role ``prior`` (none: flat) tilted by ``contour`` (cached, as the grammar
    keys its own cache by the table)."""
    base = INTERVALS[prior] if prior else np.zeros(len(CONTOUR[1]), dtype=np.float32)
    return (base + CONTOUR[0] * contour * np.array(CONTOUR[1])).astype(np.float32)


OFF_BEAT = (0.3, 1.5)
"""Logit on the melody's and the harmony's onsets off the beat: ``b * (tension - a)``: a calm line
lands on the beat, a tense one leans off it (the model follows its syncopation bin loosely: at
tension 0 and 0.25 it played alike)."""


@lru_cache(maxsize=64)
def _tilted_onsets(prior: str | None, tilt: float, n_pos: int, beats: int) -> np.ndarray:
    """The onset prior of role ``prior`` (none: flat over one bar of ``n_pos`` places) with ``tilt``
    added off the ``beats`` of the bar (cached: the grammar keys its own cache by the table)."""
    base = ONSETS[prior] if prior else np.zeros(n_pos, dtype=np.float32)
    place = np.arange(len(base)) % n_pos
    return (base + tilt * (place % max(1, n_pos // beats) != 0)).astype(np.float32)


CHORD_PULL = (2.25, -4.0)
"""Logit added to the sounding chord's tones (twice on strong beats): ``a + b * tension``. A calm
line sits on the chord, a tense one leans off it (below 0 above tension 0.56); at tension 0.3 it is
1.05 as before (it was 1.5 * (1 - tension), which left tension 0 and 0.25 alike)."""


@dataclass
class Request:
    """One track-window to generate (at most 8 bars of ``meter``); ticks are from the window start.

    ``targets`` asks for attributes in their own units (``density`` notes per bar, ``velocity``,
    ``pitch`` = mean MIDI pitch, ``polyphony``, ``syncopation``); each becomes a conditioning bin,
    and density, velocity and pitch also become decoding limits: a register window, a velocity
    window and a per-bar note budget. ``register`` overrides the window; ``tension`` (0..1)
    loosens the pull towards scale and chord tones; ``mode_pull`` (logits) draws the tones that make
    the key's mode plain more (or less, below 0); ``contour`` (-0.5..0.5: up, above 0) tilts a melody's
    steps (:data:`CONTOUR`)."""

    role: str
    n_bars: int
    targets: dict[str, float] = field(default_factory=dict)
    key: str = "C major"
    tempo: float = 100.0
    style: str = "pop"
    section: str = "verse"
    chords: list[tuple[int, str]] = field(default_factory=list)
    register: tuple[int, int] | None = None
    tension: float = 0.3
    mode_pull: float = 0.0
    contour: float = 0.0
    forced_notes: list[Note] = field(default_factory=list)
    max_polyphony: int | None = None
    meter: tuple[int, int] = (4, 4)  # another meter needs a meter-aware (v2) checkpoint


class Generator:
    def __init__(self, model: Transformer, tok: StoriTokenizer, info: dict | None = None):
        self.model, self.tok, self.info = model, tok, info or {}
        self.last_stats: dict = {}
        self.total = {"tokens": 0, "seconds": 0.0}  # over every call, for the benchmark
        self.grammar = Grammar(tok)
        g, v = self.grammar.is_type, tok.value
        self._kit = np.isin(np.arange(len(tok)), [tok.ids[f"PitchDrum_{p}"] for p in KIT_PITCHES])
        self._pitch, self._velocity, self._value = g["Pitch"], g["Velocity"], v

    @property
    def device(self) -> torch.device:
        return self.model.tok.weight.device

    def register(self, r: Request) -> tuple[int, int] | None:
        if r.register or r.role == "drums" or "pitch" not in r.targets:
            return r.register
        w = REGISTER_HALF_WIDTH[r.role]
        return int(round(r.targets["pitch"] - w)), int(round(r.targets["pitch"] + w))

    def pitch_mask(self, r: Request) -> np.ndarray:
        if r.role == "drums":
            return self._kit
        lo, hi = ROLE_RANGES[r.role]
        register = self.register(r)
        if register:
            lo, hi = max(lo, register[0]), min(hi, register[1])
            if lo > hi:  # a register outside the role's range: the nearest edge of the range
                lo = hi = min(max(register[0], ROLE_RANGES[r.role][0]), ROLE_RANGES[r.role][1])
        return self._pitch & (self._value >= lo) & (self._value <= hi)

    def velocity_mask(self, r: Request) -> np.ndarray | None:
        if "velocity" not in r.targets:
            return None
        v = r.targets["velocity"]
        m = self._velocity & (np.abs(self._value - v) <= VELOCITY_HALF_WIDTH)
        if not m.any():  # the nearest velocity token
            m = self._velocity & (np.abs(self._value - v) == np.abs(self._value[self._velocity] - v).min())
        return m

    def static_bias(self, r: Request) -> np.ndarray:
        """Pitches outside the key's scale and the window's chords (a minor key's cadential V brings its
        raised leading tone, a borrowed iv its minor third) are pushed down, less so as tension rises,
        drawn at the top (:data:`OUT_OF_SCALE`); pitches
        pay for their distance from the requested mean pitch beyond a hand's reach (a pull on
        every semitone squeezed the accompaniment into one octave, POP909 spans 1.5 in 2 bars). The
        role's onset prior (:data:`~stori.model.calibration.ONSETS`) follows the stream's bars (:meth:`onsets`)."""
        bias = np.zeros(len(self.tok), dtype=np.float32)
        if r.role == "drums":
            return bias
        if "pitch" in r.targets:
            away = np.abs(self._value[self._pitch] - r.targets["pitch"])
            bias[self._pitch] -= CENTRE_PULL * np.maximum(0, away - CENTRE_FREE.get(r.role, 5))
        allowed = set(scale_pitch_classes(r.key)).union(*(parse_chord(sym)[1] for _, sym in r.chords))
        out_of_scale = self._pitch & ~np.isin(self._value % 12, sorted(allowed))
        bias[out_of_scale] = np.interp(r.tension, *zip(*OUT_OF_SCALE))
        if r.mode_pull:
            bias[self._pitch & np.isin(self._value % 12, mode_tones(r.key))] += r.mode_pull
        return bias

    def intervals(self, r: Request) -> np.ndarray | None:
        """The role's interval prior (:data:`~stori.model.calibration.INTERVALS`, the v1 vocabulary's), with a
        melody's ``contour`` tilting it (:data:`CONTOUR`); None when neither applies."""
        prior = r.role if self.tok.version == 1 and r.role in INTERVALS else None
        tilt = round(r.contour, 2) if r.role == "melody" else 0.0
        if not tilt:
            return INTERVALS[prior] if prior else None
        return _tilted_intervals(prior, tilt)

    def onsets(self, r: Request) -> np.ndarray | None:
        """The role's onset prior for a 4/4 stream of the v1 vocabulary (:data:`~stori.model.calibration.ONSETS`:
        fitted on that model's own songs), with the melody's and the harmony's places off the beat
        tilted by tension in x/4 meters (:data:`OFF_BEAT`); None when neither applies."""
        prior = r.role if tuple(r.meter) == (4, 4) and self.tok.version == 1 and r.role in ONSETS else None
        tilt = round(OFF_BEAT[1] * (r.tension - OFF_BEAT[0]), 2) if r.role in ("melody", "harmony") else 0.0
        if not tilt or r.meter[1] != 4:
            return ONSETS[prior] if prior else None
        return _tilted_onsets(prior, tilt, self.tok.positions(tuple(r.meter)), r.meter[0])

    def streams(self, requests: list[Request]) -> tuple[list[list[int]], list[StreamPlan], list[np.ndarray],
                                                        list[float]]:
        prefixes, plans, biases, chord_w = [], [], [], []
        for r in requests:
            if not 1 <= r.n_bars <= 8:
                raise StoriError("n_bars", f"{r.n_bars} bars in one window",
                                 "1..8 (longer sections are cut into windows)")
            bins = {a: self.tok.bins.bin(r.role, a, r.targets[a]) if a in r.targets else None for a in ATTRIBUTES}
            if r.role == "drums":
                bins["pitch"] = None
            prefixes.append(self.tok.prefix(r.role, r.style, r.section, r.key, r.tempo, bins, r.meter))
            plans.append(StreamPlan(r.role, r.n_bars, self.pitch_mask(r), self.velocity_mask(r),
                                    r.max_polyphony or MONOPHONIC[r.role], r.chords if r.role != "drums" else [],
                                    r.forced_notes, r.targets.get("density"),
                                    self.intervals(r), tuple(r.meter),
                                    self.onsets(r)))
            biases.append(self.static_bias(r))
            chord_w.append(0.0 if r.role == "drums" else CHORD_PULL[0] + CHORD_PULL[1] * r.tension)
        return prefixes, plans, biases, chord_w

    def generate(self, requests: list[Request], seed: int = 0, sampling: Sampling = Sampling(),
                 threads: int | None = None, on_done=None) -> tuple[list[list[Note]], dict]:
        """Notes of every request (ticks from its window start) and decoding stats; ``on_done(i)`` hears
        as request ``i``'s stream ends."""
        if not requests:
            return [], {"tokens": 0, "steps": 0}
        t = time.perf_counter()
        prefixes, plans, biases, chord_w = self.streams(requests)
        with _threads(threads):
            out, steps = generate(self.model, self.grammar, prefixes, plans, seed, sampling, biases, chord_w,
                                  on_done=on_done)
        notes = [self.tok.decode(o, r.role) for o, r in zip(out, requests)]
        self.last_stats = {"tokens": sum(map(len, out)), "steps": steps, "streams": len(requests),
                           "seconds": time.perf_counter() - t}
        self.total["tokens"] += self.last_stats["tokens"]
        self.total["seconds"] += self.last_stats["seconds"]
        return notes, self.last_stats


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


def generator_for(meter: tuple[int, int], style: str) -> tuple[Generator, str]:
    """The generator a song in ``meter`` with pitched ``style`` is composed by, and why: ``$STORI_MODEL``
    when set, else the first of :data:`SHIPPED` whose vocabulary knows both (else the meter alone).
    A checkpoint is loaded only when the ones before it do not serve."""
    if os.environ.get("STORI_MODEL"):
        return load_generator(), "$STORI_MODEL names the checkpoint"
    meter, fallback = tuple(meter), None
    for path in SHIPPED:
        if path != DEFAULT_CHECKPOINT and not path.exists():
            continue
        gen = _load(str(path), "auto")
        if meter in gen.tok.meters and style in gen.tok.styles:
            return gen, f"{path.name} knows {meter[0]}/{meter[1]} and the {style} style"
        if meter in gen.tok.meters and fallback is None:
            fallback = gen, f"{path.name} knows {meter[0]}/{meter[1]}; no shipped model knows the {style} style"
    return fallback or (_load(str(DEFAULT_CHECKPOINT), "auto"), f"no shipped model knows {meter[0]}/{meter[1]}")


@lru_cache(maxsize=2)
def _load(path: str, device: str) -> Generator:
    if not Path(path).exists():
        raise StoriError("model", f"the generator checkpoint {path} is missing", RESTORE_HINT)
    ck = torch.load(path, map_location="cpu", weights_only=True)
    tok = StoriTokenizer.from_dict(ck["tokenizer"])
    model = Transformer(ModelConfig(**ck["model_config"]))
    model.load_state_dict({k: v.float() for k, v in ck["model"].items()})
    dev = pick_device(device)
    model = model.to(dev).eval()
    if dev.type == "cuda":
        model = model.half()
    return Generator(model, tok, {k: ck.get(k) for k in ("step", "elapsed_s", "history", "unigram_loss", "hardware")})
