"""What Stori hears in a musician's MIDI: key, roles, chords and the level each part plays at.

- **Key**: the Krumhansl-Kessler profile (24 keys) best correlated with the pitched notes'
  pitch-class durations (each note counted up to two beats, so one held pad does not outweigh a tune).
- **Roles**: a track's name says it when it can ("bass", "drum", "lead", "piano", ...); else the
  reader's guess (:func:`stori.render.midi.midi_to_song`: channel 10 drums, low bass, chords
  harmony, else melody). A second melody becomes the counter-melody. Each role's *primary* track
  (most notes) is the one new bars go to.
- **Chords**: with bass or harmony in the file, every half bar (whole bar in odd meters) each major
  and minor triad is scored by the durations of its tones against the other tones, its root in the
  bass, and a lean towards the key's own chords; a Viterbi pass charges every change, so a chord
  holds until the notes move. A melody alone goes to the learned model of
  :mod:`stori.own.melody_chords`.
- **Levels**: per role, notes per bar, mean pitch and velocity of the last bars, the targets a
  continuation asks the learned engine for (``SectionSpec.extra["targets"]``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from stori.errors import StoriError
from stori.spec.song import PPQ, Note, Song, Track, starting_in
from stori.spec.song_spec import METERS
from stori.theory import (
    NOTE_NAMES,
    chord_name,
    is_major,
    key_correlations,
    key_name,
    parse_chord,
    parse_key,
    scale_pitch_classes,
)

NAME_ROLES = (("drums", r"drum|kit|perc"), ("bass", r"bass"), ("melody", r"melod|lead|vocal|voice|sing|tune"),
              ("counter_melody", r"bridge|counter|second"), ("harmony", r"piano|chord|pad|key|guitar|harm|comp|organ"))
LEVEL_BARS = 4
"""Bars at the end of the input whose levels a continuation picks up."""
TRIADS = {"": (0, 4, 7), "m": (0, 3, 7)}
CHANGE_COST = 0.12  # per chord change
KEY_LEAN = 0.1  # bonus of a chord of the key
BASS_ROOT = 0.25


def pitch_profile(notes: list[Note]) -> list[float]:
    """Pitch-class durations in beats (each note up to two beats)."""
    weights = [0.0] * 12
    for n in notes:
        weights[n.pitch % 12] += min(n.end - n.start, 2 * PPQ) / PPQ
    return weights


def key_fit(notes: list[Note], key: str) -> float:
    """How closely the notes follow ``key``: the correlation of their pitch profile with the key's
    Krumhansl-Kessler profile (1 = exactly its shape; NaN without notes)."""
    tonic, mode = parse_key(key)
    return key_correlations(pitch_profile(notes)).get((tonic, "major" if mode == "major" else "minor"), math.nan)


def infer_key(notes: list[Note]) -> str:
    """The major or minor key whose profile the notes follow best ("C major" when there are none)."""
    r = key_correlations(pitch_profile(notes))
    return key_name(*max(r, key=r.get)) if r else "C major"


def _segment_weights(notes: list[Note], lo: int, hi: int, beat: int) -> tuple[list[float], int | None]:
    """Pitch-class weights of the notes sounding in ``[lo, hi)`` (overlap in beats, onsets on a beat
    counted half again) and the pitch class of the lowest of them."""
    weights, lowest = [0.0] * 12, None
    for n in notes:
        a, b = max(n.start, lo), min(n.end, hi)
        if b <= a:
            continue
        w = (b - a) / beat * (1.5 if n.start >= lo and n.start % beat == 0 else 1.0)
        weights[n.pitch % 12] += w
        if lowest is None or n.pitch < lowest:
            lowest = n.pitch
    return weights, None if lowest is None else lowest % 12


def _candidates(key: str) -> list[tuple[str, frozenset[int], int, bool]]:
    """(symbol, tones, root, of the key) of the 24 triads; the dominant major counts as the key's in minor."""
    scale = set(scale_pitch_classes(key))
    tonic = scale_pitch_classes(key)[0]
    out = []
    for root in range(12):
        for q, iv in TRIADS.items():
            tones = frozenset((root + i) % 12 for i in iv)
            own = tones <= scale or (q == "" and root == (tonic + 7) % 12)
            out.append((chord_name(root, q), tones, root, own))
    return out


def recognise_chords(notes: list[Note], n_bars: int, ticks_per_bar: int, key: str, beat: int = PPQ) -> list[str]:
    """One chord string per bar ("Am" or "Am F" for two halves) heard in ``notes`` (module docstring)."""
    if n_bars <= 0:
        return []
    halves = 2 if (ticks_per_bar // beat) % 2 == 0 else 1
    seg = ticks_per_bar // halves
    cands = _candidates(key)
    rows = []
    for k in range(n_bars * halves):
        w, low = _segment_weights(notes, k * seg, (k + 1) * seg, beat)
        total = sum(w) or 1.0
        row = []
        for _, tones, root, own in cands:
            inside = sum(w[p] for p in tones) + 0.5 * w[root]
            score = (inside - 0.6 * (total - sum(w[p] for p in tones))) / total if sum(w) else 0.0
            score += KEY_LEAN * own + (BASS_ROOT if low == root else 0.0)
            row.append(score)
        rows.append(row)
    cost = CHANGE_COST
    best, back = list(rows[0]), []
    for row in rows[1:]:
        top = max(range(len(best)), key=best.__getitem__)
        ptr, nxt = [], []
        for j, s in enumerate(row):
            stay, move = best[j], best[top] - cost
            ptr.append(j if stay >= move else top)
            nxt.append(s + max(stay, move))
        back.append(ptr)
        best = nxt
    j = max(range(len(best)), key=best.__getitem__)
    path = [j]
    for ptr in reversed(back):
        j = ptr[j]
        path.append(j)
    symbols = [cands[j][0] for j in reversed(path)]
    bars = []
    for b in range(n_bars):
        part = symbols[b * halves:(b + 1) * halves]
        bars.append(part[0] if len(set(part)) == 1 else " ".join(part))
    return bars


def next_chords(chords: list[str], bars: int) -> list[str]:
    """``bars`` bars of chords that carry on the input's progression: its last 8, 4, 2 or 1 bars (the
    longest loop the song has just played twice, else 4) go round again from where they left off."""
    n = len(chords)
    loop = next((size for size in (8, 4, 2, 1) if n >= 2 * size and chords[n - size:] == chords[n - 2 * size:n - size]),
                min(4, n))
    if not loop:
        return []
    tail = chords[n - loop:]
    return [tail[k % loop] for k in range(bars)]


def check_chords(text: str, field_name: str = "chords") -> list[str]:
    """A musician's chords ("C G Am F" or "C | G | Am F |", one bar each, a bar of two split evenly)."""
    bars = [b.strip() for b in (text.split("|") if "|" in text else text.split())]
    bars = [b for b in bars if b]
    if not bars or len(bars) > 256:
        raise StoriError(field_name, f"{len(bars)} bars of chords", "1..256 bars such as 'C G Am F' or 'C | G | Am F'")
    for b in bars:
        for sym in b.split():
            try:
                parse_chord(sym)
            except StoriError as e:
                raise StoriError(field_name, e.problem, e.allowed) from None
    return bars


def _named_role(name: str) -> str | None:
    low = name.lower()
    return next((role for role, pattern in NAME_ROLES if re.search(pattern, low)), None)


@dataclass
class Heard:
    """The facts of a musician's song as Stori uses them."""

    key: str
    tempo: float
    meter: tuple[int, int]
    bars: int
    chords: list[str]  # one string per bar
    roles: list[str]  # per track of the song
    primary: dict[str, int] = field(default_factory=dict)  # role -> index of the track new notes go to

    def as_dict(self) -> dict:
        return {"key": self.key, "tempo": self.tempo, "time_signature": f"{self.meter[0]}/{self.meter[1]}",
                "bars": self.bars, "chords": self.chords, "roles": self.roles}


def assign_roles(tracks: list[Track]) -> list[str]:
    """A role per track (module docstring); the reader's guess where the name says nothing."""
    roles = []
    for t in tracks:
        role = "drums" if t.is_drums else (_named_role(t.name) or t.role)
        roles.append("harmony" if role == "drums" and not t.is_drums else role)
    melodies = [k for k, r in enumerate(roles) if r == "melody"]
    if len(melodies) > 1 and "counter_melody" not in roles:  # the busier tune leads
        lead = max(melodies, key=lambda k: len(tracks[k].notes))
        for k in melodies:
            roles[k] = "melody" if k == lead else "counter_melody"
    return roles


def pitched_notes(song: Song) -> list[Note]:
    return sorted((n for t in song.tracks if not t.is_drums for n in t.notes), key=lambda n: (n.start, n.pitch))


def hear(song: Song) -> Heard:
    """Key, tempo, meter, bars, chords and roles of ``song``; a meter Stori cannot compose in is refused."""
    from stori.own.melody_chords import melody_chords

    if tuple(song.time_signature) not in METERS:
        raise StoriError("time_signature", f"the file is in {song.time_signature[0]}/{song.time_signature[1]}",
                         "files in " + ", ".join(f"{n}/{d}" for n, d in METERS))
    pitched = pitched_notes(song)
    key = infer_key(pitched)
    tpb = song.ticks_per_bar
    last = max((n.start for t in song.tracks for n in t.notes), default=0)
    bars = last // tpb + 1
    beat = PPQ * 4 // song.time_signature[1]
    roles = assign_roles(song.tracks)
    accompanied = bool({"bass", "harmony"} & set(roles))
    chords = ((recognise_chords(pitched, bars, tpb, key, beat) if accompanied
               else melody_chords(pitched, bars, tpb, key, beat)) if pitched else [key_tonic_chord(key)] * bars)
    primary: dict[str, int] = {}
    for k, (t, role) in enumerate(zip(song.tracks, roles)):
        if role not in primary or len(t.notes) > len(song.tracks[primary[role]].notes):
            primary[role] = k
    return Heard(key, song.tempo, tuple(song.time_signature), bars, chords, roles, primary)


def key_tonic_chord(key: str) -> str:
    return NOTE_NAMES[scale_pitch_classes(key)[0]] + ("" if is_major(key) else "m")


def levels(song: Song, heard: Heard, lo_bar: int, hi_bar: int) -> dict[str, dict[str, float]]:
    """Role -> density (notes per bar), pitch (mean, pitched parts) and velocity of its tracks' notes
    starting in bars ``[lo_bar, hi_bar)``: the targets a new section asks for. Silent roles are left out."""
    tpb = song.ticks_per_bar
    out: dict[str, dict[str, float]] = {}
    bars = max(1, hi_bar - lo_bar)
    for role in heard.primary:
        notes = [n for t, r in zip(song.tracks, heard.roles) if r == role
                 for n in starting_in(t.notes, lo_bar * tpb, hi_bar * tpb)]
        if not notes:
            continue
        level = {"density": round(len(notes) / bars, 2),
                 "velocity": round(sum(n.velocity for n in notes) / len(notes), 1)}
        if role != "drums":
            level["pitch"] = round(sum(n.pitch for n in notes) / len(notes), 1)
        out[role] = level
    return out
