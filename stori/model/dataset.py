"""Training streams: SectionSamples cut into windows of at most 8 bars, one stream per role, with
attribute bins fitted on the training windows; cached under ``cache/`` as int16 arrays."""
from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass

import numpy as np
import torch

from stori.data.paths import CACHE_DIR
from stori.data.samples import SectionSample
from stori.model.conditioning import ATTRIBUTES, AttributeBins, measure
from stori.model.tokens import ROLES, TICKS_PER_BAR, StoriTokenizer
from stori.spec.song import Note

WINDOW_BARS = 8
PREFIX_LEN = 11  # BOS + role, style, section, key, tempo + five attributes
ATTR_POS = {a: 6 + i for i, a in enumerate(ATTRIBUTES)}
CACHE_VERSION = "tokens-v1"


@dataclass
class Window:
    role: str
    sample: SectionSample
    notes: list[Note]
    n_bars: int
    chords: list[tuple[int, str]]
    first_bar: int = 0


def windows(sample: SectionSample, bars: int = WINDOW_BARS) -> list[Window]:
    """Cut a 4/4 sample into windows of ``bars`` bars (the last may be shorter), one per role with notes."""
    if tuple(sample.time_signature) != (4, 4):
        return []
    out = []
    for first in range(0, sample.n_bars, bars):
        n = min(bars, sample.n_bars - first)
        lo, hi = first * TICKS_PER_BAR, (first + n) * TICKS_PER_BAR
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
    ids = tok.prefix(w.role, s.style, s.section_type, s.key, s.tempo, bins) + tok.body(w.notes, w.role, w.n_bars,
                                                                                       w.chords)
    return np.asarray(ids, dtype=np.int16)


def build(train: list[SectionSample], valid: list[SectionSample], progress: bool = True) -> dict:
    """Fit the bins on ``train`` and encode both splits."""
    wins = {"train": [w for s in train for w in windows(s)], "valid": [w for s in valid for w in windows(s)]}
    measured = {k: [measure(w.notes, w.n_bars, w.chords) for w in ws] for k, ws in wins.items()}
    per_role: dict[str, list] = {}
    for w, m in zip(wins["train"], measured["train"]):
        per_role.setdefault(w.role, []).append(m)
    tok = StoriTokenizer(AttributeBins.fit(per_role))
    out = {"tokenizer": tok.to_dict()}
    for split, ws in wins.items():
        seqs = [encode_window(tok, w, m) for w, m in zip(ws, measured[split])]
        out[split] = {"seqs": seqs, "roles": [w.role for w in ws], "pitch": [m["pitch"] for m in measured[split]]}
        if progress:
            print(f"{split}: {len(seqs)} streams, {sum(map(len, seqs))} tokens", flush=True)
    return out


def load_corpus(data_dir=None, progress: bool = True) -> dict:
    """Both datasets' train/valid streams, built once and cached."""
    from stori.data.gmd import load_gmd_sections
    from stori.data.pop909 import load_pop909_sections

    tag = hashlib.sha1(f"{CACHE_VERSION}{data_dir}".encode()).hexdigest()[:8]
    path = CACHE_DIR / f"model-{CACHE_VERSION}-{tag}.pt"
    if path.exists():
        return torch.load(path, weights_only=False)  # numpy arrays this function wrote itself, not a download
    splits = {sp: load_pop909_sections(sp, data_dir) + load_gmd_sections(sp, data_dir, bars=WINDOW_BARS)
              for sp in ("train", "valid")}
    corpus = build(splits["train"], splits["valid"], progress)
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
