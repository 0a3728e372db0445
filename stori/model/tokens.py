"""Token streams: one per track-section, a conditioning prefix then miditok REMI note tokens.

A stream reads ``BOS Role Style Section Key Tempo Dens Vel Reg Poly Sync`` then the REMI body
(``Bar Position Pitch Velocity Duration ...``; drums use ``PitchDrum`` and carry no Duration, as
their length is inaudible) with ``Chord`` tokens after each ``Bar`` and after a ``Position`` where
the chord changes, then ``EOS``. Chord tokens are given, never sampled: the decoder forces them.

Two vocabularies, chosen by the checkpoint (``version`` in its tokenizer dict, 1 where absent):

- **v1** (the shipped model): 4/4 only, positions on a 16th grid (16 a bar), styles :data:`STYLES`.
- **v2** (meter-aware): the prefix ends with the meter's ``TimeSig`` token and every ``Bar`` is
  followed by it (given, like chords); a bar is as long as its meter, positions are 12 per beat
  unit of the meter (a quarter in x/4, an eighth in x/8: 16ths and triplets both sit on it), the
  meters are :data:`METERS` and the styles add art song (Lieder) and standards (OpenEWLD).
"""
from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import symusic
from miditok import REMI, TokenizerConfig, TokSequence

from stori.data.drum_kit import KIT_PITCHES
from stori.errors import StoriError
from stori.model.conditioning import ANY, ATTRIBUTES, N_BINS, AttributeBins
from stori.model.symbols import QUALITIES, key_mode, model_chord
from stori.spec.song import PITCHED_ROLES, PPQ, Note, bar_ticks
from stori.theory import ChordTimeline

ROLES = PITCHED_ROLES + ("drums",)  # the order of the Role tokens in the shipped vocabulary
STYLES = ("pop", "rock", "funk", "jazz", "latin", "hiphop", "soul", "afrocuban", "punk", "neworleans",
          "country", "reggae", "gospel", "afrobeat", "dance", "blues", "highlife", "middleeastern")
SECTIONS = ("intro", "verse", "pre_chorus", "chorus", "bridge", "outro", "other", "fill")
STYLES_V2 = STYLES + ("artsong", "standards")
METERS = ((2, 4), (3, 4), (4, 4), (5, 4), (6, 4), (7, 4), (2, 2), (3, 2), (3, 8), (5, 8), (6, 8), (7, 8), (9, 8),
          (12, 8))
"""The meters of the v2 vocabulary."""
TEMPO_EDGES = (70, 82, 92, 102, 112, 124, 140)
POSITIONS_PER_BEAT = 4
BEATS_PER_BAR = 4
TICKS_PER_POSITION = PPQ // POSITIONS_PER_BEAT
TICKS_PER_BAR = PPQ * BEATS_PER_BAR
POSITIONS_PER_UNIT_V2 = 12  # v2 positions per beat unit of the meter (the denominator's note)
DRUM_TICKS = PPQ // 4  # a decoded drum hit lasts a 16th

# Token types the grammar reasons about, in a fixed order (index = type id).
TYPES = ("PAD", "BOS", "EOS", "Bar", "Position", "Pitch", "PitchDrum", "Velocity", "Duration", "Chord",
         "Role", "Style", "Section", "Key", "Tempo", "Density", "MeanVel", "MeanPitch", "Poly", "Sync", "TimeSig")
ATTR_TYPE = dict(zip(ATTRIBUTES, TYPES[15:20]))  # attribute -> its prefix token type

REMI_CONFIG = dict(
    pitch_range=(21, 109), beat_res={(0, 1): 4, (1, 2): 4, (2, 4): 2, (4, 8): 1}, num_velocities=8,
    special_tokens=["PAD", "BOS", "EOS"], use_time_signatures=False,
    use_note_duration_programs=list(range(1, 128)), use_pitchdrum_tokens=True,
    drums_pitch_range=(min(KIT_PITCHES), max(KIT_PITCHES) + 1),
)
REMI_CONFIG_V2 = dict(
    REMI_CONFIG, use_time_signatures=True,
    beat_res={(0, 1): POSITIONS_PER_UNIT_V2, (1, 2): 6, (2, 4): 4, (4, 8): 2, (8, 12): 1},
    time_signature_range={d: sorted(n for n, dd in METERS if dd == d) for d in sorted({d for _, d in METERS})},
)
VERSIONS = (1, 2)


# miditok keys "has durations" on the program and cannot build a track of program -1 when
# decoding, so drums decode as program 0 (no durations) and pitched tracks as program 1.
_PITCHED_PROGRAM = 1


def tempo_bin(tempo: float) -> int:
    return bisect_right(TEMPO_EDGES, tempo)


class StoriTokenizer:
    def __init__(self, bins: AttributeBins | None = None, version: int = 1):
        if version not in VERSIONS:
            raise StoriError("version", f"tokenizer version {version!r} is unknown", ", ".join(map(str, VERSIONS)))
        self.bins, self.version = bins, version
        self.meters = ((4, 4),) if version == 1 else METERS
        self.styles = STYLES if version == 1 else STYLES_V2
        self.remi = REMI(TokenizerConfig(**(REMI_CONFIG if version == 1 else REMI_CONFIG_V2)))
        remi_vocab = sorted(self.remi.vocab, key=self.remi.vocab.get)
        extras = [f"Role_{r}" for r in ROLES] + [f"Style_{s}" for s in self.styles] + [f"Section_{s}" for s in SECTIONS]
        extras += [f"Key_{pc}_{m}" for m in ("major", "minor") for pc in range(12)]
        extras += [f"Tempo_{i}" for i in range(len(TEMPO_EDGES) + 1)]
        for a in ATTRIBUTES:
            extras += [f"{ATTR_TYPE[a]}_{i}" for i in range(N_BINS)] + [f"{ATTR_TYPE[a]}_{ANY}"]
        extras += ["Chord_N"] + [f"Chord_{r}_{q}" for r in range(12) for q in QUALITIES]
        self.vocab: list[str] = remi_vocab + extras
        self.ids: dict[str, int] = {t: i for i, t in enumerate(self.vocab)}
        self.n_remi = len(remi_vocab)
        self.type_ids = np.array([TYPES.index(t.split("_")[0]) for t in self.vocab])
        self.pad, self.bos, self.eos = self.ids["PAD_None"], self.ids["BOS_None"], self.ids["EOS_None"]
        self.bar = self.ids["Bar_None"]
        # Values carried by tokens, -1 where none: pitch of Pitch/PitchDrum, position of Position.
        self.value = np.full(len(self.vocab), -1, dtype=np.int64)
        for t, i in self.ids.items():
            kind, _, v = t.partition("_")
            if kind in ("Pitch", "PitchDrum", "Position", "Velocity") or (kind in ATTR_TYPE.values() and v != ANY):
                self.value[i] = int(v)

    def __len__(self) -> int:
        return len(self.vocab)

    def type_of(self, token_id: int) -> str:
        return TYPES[self.type_ids[token_id]]

    # -- meter --------------------------------------------------------------------------------------
    def check_meter(self, meter: tuple[int, int]) -> tuple[int, int]:
        meter = (int(meter[0]), int(meter[1]))
        if meter not in self.meters:
            raise StoriError("meter", f"{meter[0]}/{meter[1]} is not known to the v{self.version} vocabulary",
                             ", ".join(f"{n}/{d}" for n, d in self.meters))
        return meter

    def position_ticks(self, meter: tuple[int, int] = (4, 4)) -> int:
        """Ticks (PPQ 480) between two positions of a bar in ``meter``."""
        _, d = self.check_meter(meter)
        return TICKS_PER_POSITION if self.version == 1 else PPQ * 4 // d // POSITIONS_PER_UNIT_V2

    def positions(self, meter: tuple[int, int] = (4, 4)) -> int:
        """Positions in one bar of ``meter``."""
        return bar_ticks(self.check_meter(meter)) // self.position_ticks(meter)

    def strong_positions(self, meter: tuple[int, int] = (4, 4)) -> int:
        """Positions from one strong beat to the next: a half note in 4/4 (v1: 8 16ths) and in other
        x/4 meters, a dotted quarter in 6/8, 9/8 and 12/8, a quarter in other x/8 meters, a half in x/2."""
        n, d = self.check_meter(meter)
        if self.version == 1:
            return 2 * POSITIONS_PER_BEAT
        units = {4: 2, 2: 1}.get(d, 3 if n % 3 == 0 else 2)
        return units * POSITIONS_PER_UNIT_V2

    def time_sig_id(self, meter: tuple[int, int] = (4, 4)) -> int | None:
        """The TimeSig token that follows every Bar of ``meter`` (v2); None in v1."""
        return self.ids[_time_sig(self.check_meter(meter))] if self.version > 1 else None

    def chord_id(self, symbol: str) -> int:
        parsed = model_chord(symbol)
        return self.ids["Chord_N" if parsed is None else f"Chord_{parsed[0]}_{parsed[1]}"]

    # -- prefix ---------------------------------------------------------------------------------
    def prefix(self, role: str, style: str, section: str, key: str, tempo: float,
               attribute_bins: dict[str, int | None], meter: tuple[int, int] = (4, 4)) -> list[int]:
        """The conditioning tokens; an attribute bin of None means "any". v2 ends with the meter."""
        meter = self.check_meter(meter)
        for field, value, allowed in (("role", role, ROLES), ("style", style, self.styles),
                                      ("section", section, SECTIONS)):
            if value not in allowed:
                raise StoriError(field, f"{value!r} is not known to the model", ", ".join(allowed))
        tonic, mode = key_mode(key)
        toks = ["BOS_None", f"Role_{role}", f"Style_{style}", f"Section_{section}", f"Key_{tonic}_{mode}",
                f"Tempo_{tempo_bin(tempo)}"]
        for a in ATTRIBUTES:
            b = attribute_bins.get(a)
            toks.append(f"{ATTR_TYPE[a]}_{ANY if b is None else int(b)}")
        if self.version > 1:
            toks.append(_time_sig(meter))
        return [self.ids[t] for t in toks]

    # -- body -----------------------------------------------------------------------------------
    def body(self, notes: Sequence[Note], role: str, n_bars: int, chords: Sequence[tuple[int, str]] = (),
             meter: tuple[int, int] = (4, 4)) -> list[int]:
        """REMI tokens of ``notes`` (ticks from the window start) over exactly ``n_bars`` bars of
        ``meter``, with chord tokens (none for drums), ending in EOS."""
        drums = role == "drums"
        bar_len, step = bar_ticks(self.check_meter(meter)), self.position_ticks(meter)
        end = n_bars * bar_len
        score = symusic.Score(PPQ)
        if self.version > 1:
            score.time_signatures.append(symusic.TimeSignature(0, *meter))
        track = symusic.Track("t", 0 if drums else _PITCHED_PROGRAM, drums)
        for n in notes:
            if 0 <= n.start < end:
                track.notes.append(symusic.Note(n.start, max(1, n.end - n.start), n.pitch, n.velocity))
        score.tracks.append(track)
        remi = self.remi.encode(score)[0].tokens if track.notes else []
        chord_track = None if drums or not chords else ChordTimeline(chords, self.chord_id)
        out: list[int] = []
        bar, current = -1, None
        for t in remi:
            out.append(self.ids[t])
            if chord_track is None:
                bar += t == "Bar_None"
                continue
            if t == "Bar_None" or (t.startswith("TimeSig_") and out[-2] == self.bar):
                if t == "Bar_None":
                    bar += 1
                    if self.version > 1:
                        continue  # the chord follows the bar's TimeSig
                current = chord_track.at(bar * bar_len)
                if current is not None:
                    out.append(current)
            elif t.startswith("Position_"):
                c = chord_track.at(bar * bar_len + int(t[9:]) * step)
                if c != current and c is not None:
                    out.append(c)
                    current = c
        for b in range(bar + 1, n_bars):  # trailing empty bars
            out.append(self.bar)
            if self.version > 1:
                out.append(self.ids[_time_sig(meter)])
            if chord_track is not None and chord_track.at(b * bar_len) is not None:
                out.append(chord_track.at(b * bar_len))
        out.append(self.eos)
        return out

    def decode(self, ids: Sequence[int], role: str) -> list[Note]:
        """Notes (ticks at PPQ 480 from the window start) of a stream; non-note tokens are skipped."""
        remi_ids = [i for i in ids if 3 <= i < self.n_remi]
        if not any(self.type_ids[i] in (5, 6) for i in remi_ids):
            return []
        drums = role == "drums"
        score = self.remi.decode([TokSequence(ids=remi_ids)],
                                 programs=[(0, True) if drums else (_PITCHED_PROGRAM, False)])
        scale = PPQ // score.ticks_per_quarter
        notes = [Note(n.pitch, n.time * scale, (n.time + max(1, n.duration)) * scale, n.velocity)
                 for tr in score.tracks for n in tr.notes]
        if drums:  # no Duration tokens: a drum hit lasts a 16th
            notes = [Note(n.pitch, n.start, n.start + DRUM_TICKS, n.velocity) for n in notes]
        return sorted(notes, key=lambda n: (n.start, n.pitch))

    # -- persistence ----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        config = REMI_CONFIG if self.version == 1 else REMI_CONFIG_V2
        out = {"remi": {k: (list(map(list, v.items())) if isinstance(v, dict) else v) for k, v in config.items()},
               "vocab": self.vocab, "bins": self.bins.to_dict() if self.bins else None,
               "tempo_edges": list(TEMPO_EDGES)}
        if self.version > 1:  # a v1 dict stays as the shipped checkpoint wrote it
            out["version"] = self.version
        return out

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict()))

    @classmethod
    def from_dict(cls, data: dict) -> StoriTokenizer:
        tok = cls(AttributeBins(data["bins"]) if data.get("bins") else None, data.get("version", 1))
        if tok.vocab != data["vocab"]:
            raise StoriError("checkpoint", "its tokenizer vocabulary differs from this version of Stori",
                             "retrain with python -m stori train, or restore the shipped checkpoint")
        return tok


def _time_sig(meter: tuple[int, int]) -> str:
    return f"TimeSig_{meter[0]}/{meter[1]}"
