"""Chord progressions from a Roman-numeral trigram model learned on POP909.

Training (``python -m stori.plan.chords``) reads each train-split song's ``finalized_chord.txt``
(per-beat chords) and ``analyzed_key.txt`` from pop909-structure, turns chords into numerals
relative to the key (triad family only: the planner adds sevenths and ninths from the section's
constraints), merges repeats, and counts trigrams per *condition*:

* mode (major or minor key) -- the valence axis at song level;
* tension bin -- each human-labelled phrase is "high" when its time-weighted functional tension
  (``TENSION`` below: tonic 0, predominant 0.5, dominant or chromatic 1) is above 0.4, else "low".

Phrase starts (from ``human_label1.txt``) are marked with ``<s>`` so the model knows how phrases
begin. Sampling backs off trigram -> bigram -> unigram (absolute discounting is not needed at
this size: add-k smoothing over the numerals seen in the condition). Within a condition, the
section's own valence tilts toward major- or minor-quality chords and its tension toward
high-tension numerals, so the same table serves every emotion.
"""
from __future__ import annotations

import json
import math
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

from stori.errors import StoriError
from stori.spec.emotion import STRONG_VALENCE

TABLE_PATH = Path(__file__).resolve().parent / "chord_ngram.json"
DEGREES = {0: "I", 1: "bII", 2: "II", 3: "bIII", 4: "III", 5: "IV", 6: "#IV", 7: "V", 8: "bVI", 9: "VI", 10: "bVII",
           11: "VII"}
START = "<s>"
HIGH_TENSION_PHRASE = 0.4
MOOD = 0.9
"""Log-odds a section's valence (per unit) lifts the chords of its mood's quality (major when happy, minor when sad)."""
STRONG_MOOD_SLOPE = 3.0
"""How many times faster the mood tilts past :data:`~stori.spec.emotion.STRONG_VALENCE`: the sweep's happiest
songs had only a little more major harmony than moderately happy ones, and the saddest leaned on the minor v,
whose root (the key's fifth, held in the bass) was heard as a tonic."""
WHOLE_CADENCE = 1.5
TONIC = {"major": "I", "minor": "i"}

# Functional tension of a numeral by mode (anything not listed is chromatic: 1.0).
TENSION = {
    "major": {"I": 0.0, "vi": 0.0, "iii": 0.3, "IV": 0.5, "ii": 0.5, "V": 1.0, "viidim": 1.0},
    "minor": {"i": 0.0, "bIII": 0.0, "bVI": 0.3, "iv": 0.5, "iidim": 0.5, "bVII": 0.6, "v": 0.7, "V": 1.0},
}


def numeral(root: int, quality: str, tonic: int) -> str:
    """Chord root and POP909 quality relative to ``tonic`` -> a triad-family numeral ("vi", "bVII", "viidim")."""
    deg = DEGREES[(root - tonic) % 12]
    if quality.startswith(("dim", "hdim")):
        return deg.lower() + "dim"
    return deg.lower() if quality.startswith("min") else deg


def mood_tilt(valence: float) -> float:
    """How far a section's valence tilts chord quality (log-odds): :data:`MOOD` per unit, faster past
    :data:`~stori.spec.emotion.STRONG_VALENCE`."""
    return MOOD * valence + STRONG_MOOD_SLOPE * math.copysign(max(0.0, abs(valence) - STRONG_VALENCE), valence)


def whole_cadence(numerals: list[str], mode: str, valence: float) -> float:
    """Score bonus (mean log-probability units) of a loop holding a major key's whole cadence where the
    section is happier than :data:`~stori.spec.emotion.STRONG_VALENCE`: the key most plainly major (a
    I-IV or I-V vamp is heard as well in the key of IV or V). The predominant (IV or ii) and the
    dominant must come before the loop's last chord, which a section coming home plays as the tonic
    (I-V-I-IV is heard I-V-I-I)."""
    before = set(numerals[:-1]) if len(numerals) > 2 else set(numerals)
    whole = mode == "major" and "V" in before and bool({"IV", "ii"} & before)
    return WHOLE_CADENCE if whole and valence > STRONG_VALENCE else 0.0


def tension_of(num: str, mode: str) -> float:
    return TENSION[mode].get(num, 1.0)


def is_minor_quality(num: str) -> bool:
    return num.lstrip("b#")[:1].islower()


# --- training --------------------------------------------------------------------------------
def _song_sequences(song_dir: Path) -> tuple[str, list[tuple[list[str], str]]] | None:
    """(mode, [(numerals of a phrase with repeats merged, tension bin), ...]) for one song, or None
    when its key is missing or changes."""
    from stori.data.pop909 import parse_phrases
    from stori.theory import pitch_class

    key = (song_dir / "analyzed_key.txt").read_text().strip()
    if not re.fullmatch(r"[A-G][b#]?:(maj|min)", key):
        return None
    tonic, mode = pitch_class(key.split(":")[0]), "major" if key.endswith("maj") else "minor"
    chords = []  # (start beat, duration, numeral or None)
    beat = 0
    for line in (song_dir / "finalized_chord.txt").read_text().splitlines():
        parts = line.split()
        if not parts:
            continue
        dur = int(parts[-1])
        name = parts[0]
        num = None
        if ":" in name:
            root, quality = name.split(":", 1)
            num = numeral(pitch_class(root), quality, tonic)
        chords.append((beat, dur, num))
        beat += dur
    phrases, start = [], 0
    for p in parse_phrases((song_dir / "human_label1.txt").read_text()):
        end = start + 4 * p.n_bars
        seq, weight, tens = [], 0, 0.0
        for b, d, num in chords:
            overlap = min(end, b + d) - max(start, b)
            if overlap <= 0 or num is None:
                continue
            if not seq or seq[-1] != num:
                seq.append(num)
            weight += overlap
            tens += overlap * tension_of(num, mode)
        if len(seq) >= 2:
            phrases.append((seq, "high" if tens / weight > HIGH_TENSION_PHRASE else "low"))
        start = end
    return mode, phrases


def train(data_dir: str | None = None, min_count: int = 2) -> dict:
    """Count trigrams, bigrams and unigrams per (mode, tension bin) over the POP909 train split."""
    from stori.data.paths import data_dir as resolve
    from stori.data.splits import pop909_ids

    root = resolve(data_dir) / "pop909-structure" / "POP909"
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    songs = phrases_seen = 0
    for sid in pop909_ids("train"):
        if not (root / sid / "finalized_chord.txt").is_file():
            continue
        parsed = _song_sequences(root / sid)
        if parsed is None:
            continue
        songs += 1
        mode, phrases = parsed
        for seq, tbin in phrases:
            phrases_seen += 1
            cond = f"{mode}/{tbin}"
            toks = [START, START] + seq
            for k in range(2, len(toks)):
                counts[cond][f"{toks[k - 2]} {toks[k - 1]}"][toks[k]] += 1
                counts[cond][toks[k - 1]][toks[k]] += 1
                counts[cond][""][toks[k]] += 1
    table = {cond: {ctx: {n: c for n, c in nexts.most_common() if c >= min_count or ctx == ""}
                    for ctx, nexts in ctxs.items()} for cond, ctxs in sorted(counts.items())}
    table = {cond: {ctx: nx for ctx, nx in ctxs.items() if nx} for cond, ctxs in table.items()}
    return {"source": "POP909 train split (pop909-structure finalized_chord.txt, analyzed_key.txt, human_label1.txt)",
            "songs": songs, "phrases": phrases_seen, "min_count": min_count, "conditions": table}


# --- sampling --------------------------------------------------------------------------------
class ChordModel:
    def __init__(self, table: dict):
        self.table = table

    @classmethod
    def load(cls, path: Path = TABLE_PATH) -> ChordModel:
        if not path.is_file():
            raise StoriError("chord model", f"{path} is missing", "rebuild it: python -m stori.plan.chords")
        return cls(json.loads(path.read_text()))

    def condition(self, mode: str, tension: float) -> str:
        mode = "minor" if mode == "minor" else "major"
        return f"{mode}/{'high' if tension >= 0.5 else 'low'}"

    def distribution(self, cond: str, prev2: str, prev1: str, valence: float, tension: float) -> dict[str, float]:
        """P(next | prev2 prev1) in ``cond`` with back-off, tilted by the section's valence and tension."""
        ctxs = self.table["conditions"][cond]
        mode = cond.split("/")[0]
        uni = ctxs[""]
        total_uni = sum(uni.values())
        probs: dict[str, float] = {}
        for n, c in uni.items():
            p = 0.05 * c / total_uni
            if prev1 in ctxs:
                big = ctxs[prev1]
                p += 0.35 * big.get(n, 0) / sum(big.values())
            tri_ctx = f"{prev2} {prev1}"
            if tri_ctx in ctxs:
                tri = ctxs[tri_ctx]
                p += 0.6 * tri.get(n, 0) / sum(tri.values())
            if n == prev1:
                p *= 0.05  # a change is a change: repeats were merged in training
            mood = mood_tilt(valence) * (-1 if is_minor_quality(n) else 1)
            if n == TONIC[mode]:  # home whatever the mood: a happy minor song tilted off i leans on
                mood = max(0.0, mood)  # bIII-bVI-bVII and is heard in its relative major
            elif n not in TENSION[mode] or n == "v" and valence < -STRONG_VALENCE:  # the mood lifts only the key's
                mood = min(0.0, mood)  # own chords (E in C holds A minor's leading tone); a very sad loop leans on
                # i and iv (the sixth's colour), not v
            tilt = mood + 1.2 * (tension - 0.4) * tension_of(n, mode)
            probs[n] = p * math.exp(tilt)
        z = sum(probs.values())
        return {n: p / z for n, p in probs.items()}

    def sample(self, rng: random.Random, mode: str, length: int, valence: float, tension: float,
               lead_in: str | None = None, candidates: int = 12) -> tuple[list[str], float, list[list[str]]]:
        """One of ``candidates`` sampled loops (four times as many past a strong valence,
        :data:`~stori.spec.emotion.STRONG_VALENCE`, where few loops hold the :func:`whole_cadence` they are
        scored by; drawn by softmax of their scores) of ``length`` numerals: scored by their own
        log-probability, by how well the last chord leads back to the first (the loop repeats) and, when
        ``lead_in`` is given, by how well the previous section's last chord leads in.
        Returns (best, its mean log-probability, the other candidates)."""
        cond = self.condition(mode, tension)
        pool = []
        for _ in range(candidates * (4 if abs(valence) > STRONG_VALENCE else 1)):
            seq, lp, p2, p1 = [], 0.0, START, START
            for _ in range(length):
                dist = self.distribution(cond, p2, p1, valence, tension)
                names = sorted(dist)
                n = rng.choices(names, weights=[dist[x] for x in names])[0]
                lp += math.log(dist[n])
                seq.append(n)
                p2, p1 = p1, n
            if length > 1:
                lp += math.log(self.distribution(cond, seq[-2], seq[-1], valence, tension).get(seq[0], 1e-6) + 1e-6)
            if lead_in:
                lp += 0.5 * math.log(self.distribution(cond, START, lead_in, valence, tension).get(seq[0], 1e-6) + 1e-6)
            pool.append((lp / max(1, length) + whole_cadence(seq, mode, valence), seq))
        pool.sort(key=lambda x: -x[0])
        pick = rng.choices(range(len(pool)), weights=[math.exp(4 * (lp - pool[0][0])) for lp, _ in pool])[0]
        unique = []
        for _, s in pool:
            if s != pool[pick][1] and s not in unique:
                unique.append(s)
        return pool[pick][1], pool[pick][0], unique[:3]


_MODEL: ChordModel | None = None


def chord_model() -> ChordModel:
    global _MODEL
    if _MODEL is None:
        _MODEL = ChordModel.load()
    return _MODEL


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m stori.plan.chords",
                                description="rebuild stori/plan/chord_ngram.json from POP909")
    p.add_argument("--data-dir")
    p.add_argument("--out", default=str(TABLE_PATH))
    args = p.parse_args(argv)
    table = train(args.data_dir)
    Path(args.out).write_text(json.dumps(table, separators=(",", ":"), sort_keys=True) + "\n")
    conds = {c: sum(t[""].values()) for c, t in table["conditions"].items()}
    print(f"{table['songs']} songs, {table['phrases']} phrases; chord changes per condition: {conds}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
