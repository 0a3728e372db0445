"""Training streams: SectionSamples cut into windows of at most 8 bars, one stream per role, with
attribute bins fitted on the training windows; cached under ``cache/`` as int16 arrays.

The v1 vocabulary reads POP909 and GMD in 4/4; v2 (meter-aware) reads every meter it knows, and
also the Lieder and OpenEWLD scores (:data:`SETS_V2`)."""
from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass

import numpy as np
import torch

from stori.data.paths import CACHE_DIR
from stori.data.samples import SectionSample
from stori.errors import StoriError
from stori.model.conditioning import ATTRIBUTES, AttributeBins, measure
from stori.model.tokens import ROLES, StoriTokenizer
from stori.spec.song import Note, bar_ticks

WINDOW_BARS = 8
PREFIX_LEN = 11  # BOS + role, style, section, key, tempo + five attributes (v2: + the meter)
ATTR_POS = {a: 6 + i for i, a in enumerate(ATTRIBUTES)}
CACHE_VERSION = "tokens-v1"
SETS_V1 = ("pop909", "gmd")
SETS_V2 = ("pop909", "gmd", "lieder", "openewld")


@dataclass
class Window:
    role: str
    sample: SectionSample
    notes: list[Note]
    n_bars: int
    chords: list[tuple[int, str]]
    first_bar: int = 0


def windows(sample: SectionSample, bars: int = WINDOW_BARS, meters=((4, 4),)) -> list[Window]:
    """Cut a sample in one of ``meters`` into windows of ``bars`` bars (the last may be shorter),
    one per role with notes."""
    if tuple(sample.time_signature) not in meters:
        return []
    bar_len = bar_ticks(sample.time_signature)
    out = []
    for first in range(0, sample.n_bars, bars):
        n = min(bars, sample.n_bars - first)
        lo, hi = first * bar_len, (first + n) * bar_len
        chords = [(max(0, t - lo), s) for t, s in _chords_from(sample.chords, lo) if t < hi]
        for role, notes in sample.notes.items():
            local = [Note(x.pitch, x.start - lo, x.end - lo, x.velocity) for x in notes if lo <= x.start < hi]
            if local and role in ROLES:
                out.append(Window(role, sample, local, n, chords, first))
    return out


def _chords_from(chords, lo):
    """Chord changes from tick ``lo`` on, with the chord sounding at ``lo`` moved onto it."""
    chords = sorted(chords)
    before = [c for c in chords if c[0] <= lo]
    return ([(lo, before[-1][1])] if before else []) + [c for c in chords if c[0] > lo]


def encode_window(tok: StoriTokenizer, w: Window, attrs: dict[str, float]) -> np.ndarray:
    s = w.sample
    bins = tok.bins.bins(w.role, attrs)
    if w.role == "drums":
        bins["pitch"] = None
    meter = tuple(s.time_signature)
    ids = (tok.prefix(w.role, s.style, s.section_type, s.key, s.tempo, bins, meter)
           + tok.body(w.notes, w.role, w.n_bars, w.chords, meter))
    return np.asarray(ids, dtype=np.int16)


def build(train: list[SectionSample], valid: list[SectionSample], progress: bool = True, version: int = 1) -> dict:
    """Fit the bins on ``train`` and encode both splits in vocabulary ``version``; each split also
    lists the meter and style of every stream, for losses per meter and per style."""
    meters = StoriTokenizer(None, version).meters
    wins = {"train": [w for s in train for w in windows(s, meters=meters)],
            "valid": [w for s in valid for w in windows(s, meters=meters)]}
    measured = {k: [measure(w.notes, w.n_bars, w.chords, w.sample.time_signature) for w in ws]
                for k, ws in wins.items()}
    per_role: dict[str, list] = {}
    for w, m in zip(wins["train"], measured["train"]):
        per_role.setdefault(w.role, []).append(m)
    tok = StoriTokenizer(AttributeBins.fit(per_role), version)
    out = {"tokenizer": tok.to_dict()}
    for split, ws in wins.items():
        seqs = [encode_window(tok, w, m) for w, m in zip(ws, measured[split])]
        out[split] = {"seqs": seqs, "roles": [w.role for w in ws], "pitch": [m["pitch"] for m in measured[split]],
                      "meters": ["{}/{}".format(*w.sample.time_signature) for w in ws],
                      "styles": [w.sample.style for w in ws]}
        if progress:
            print(f"{split}: {len(seqs)} streams, {sum(map(len, seqs))} tokens", flush=True)
    return out


def load_sections(split: str, sets, data_dir=None) -> list[SectionSample]:
    """The SectionSamples of one split from the named sets (``pop909``, ``gmd``, ``lieder``, ``openewld``)."""
    from stori.data.gmd import load_gmd_sections
    from stori.data.pop909 import load_pop909_sections
    from stori.data.scores import SETS, load_score_sections

    unknown = [s for s in sets if s not in SETS_V2]
    if unknown:
        raise StoriError("sets", f"{unknown[0]!r} is not a training set", ", ".join(SETS_V2))
    out = load_pop909_sections(split, data_dir) if "pop909" in sets else []
    if "gmd" in sets:
        out += load_gmd_sections(split, data_dir, bars=WINDOW_BARS)
    return out + load_score_sections(split, data_dir, tuple(s for s in sets if s in SETS))


def load_corpus(data_dir=None, progress: bool = True, version: int = 1, sets=None) -> dict:
    """The train/valid streams of ``sets`` (default: v1's POP909 and GMD, v2's four sets) in
    vocabulary ``version``, built once and cached."""
    sets = tuple(sets or (SETS_V1 if version == 1 else SETS_V2))
    from stori.data.scores import CACHE_VERSION as SCORES_VERSION

    name = CACHE_VERSION if (version, sets) == (1, SETS_V1) else f"tokens-v{version}-{'-'.join(sets)}-{SCORES_VERSION}"
    tag = hashlib.sha1(f"{name}{data_dir}".encode()).hexdigest()[:8]
    path = CACHE_DIR / f"model-{name}-{tag}.pt"
    if path.exists():
        return torch.load(path, weights_only=False)  # numpy arrays this function wrote itself, not a download
    splits = {sp: load_sections(sp, sets, data_dir) for sp in ("train", "valid")}
    corpus = build(splits["train"], splits["valid"], progress, version)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    torch.save(corpus, tmp)
    tmp.replace(path)
    return corpus


class Augmenter:
    """Random transposition of pitched streams (prefix key, chords, pitches and the register bin
    move together) and attribute dropout to "any", so the model also works unconditioned."""

    def __init__(self, tok: StoriTokenizer, max_shift: int = 5, p_drop: float = 0.1):
        self.tok, self.max_shift, self.p_drop = tok, max_shift, p_drop
        n = len(tok)
        self.tables = {}
        for k in range(-max_shift, max_shift + 1):
            table = np.arange(n)
            for t, i in tok.ids.items():
                kind, _, v = t.partition("_")
                if kind == "Pitch":
                    table[i] = tok.ids.get(f"Pitch_{int(v) + k}", -1)
                elif kind == "Key":
                    pc, mode = v.split("_")
                    table[i] = tok.ids[f"Key_{(int(pc) + k) % 12}_{mode}"]
                elif kind == "Chord" and v != "N":
                    root, q = v.split("_", 1)
                    table[i] = tok.ids[f"Chord_{(int(root) + k) % 12}_{q}"]
            self.tables[k] = table
        self.any_ids = {a: tok.ids[f"{t}_any"] for a,
                        t in zip(ATTRIBUTES, ("Density", "MeanVel", "MeanPitch", "Poly", "Sync"))}

    def __call__(self, seq: np.ndarray, role: str, mean_pitch: float, rng: random.Random) -> np.ndarray:
        seq = seq.astype(np.int64)
        if role != "drums":
            k = rng.randint(-self.max_shift, self.max_shift)
            shifted = self.tables[k][seq]
            if k and (shifted >= 0).all():
                seq = shifted
                b = self.tok.bins.bin(role, "pitch", mean_pitch + k)
                seq[ATTR_POS["pitch"]] = self.tok.ids[f"MeanPitch_{b}"]
        for a, pos in ATTR_POS.items():
            if rng.random() < self.p_drop:
                seq[pos] = self.any_ids[a]
        return seq
