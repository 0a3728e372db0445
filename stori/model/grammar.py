"""The decoding grammar: a token-type state machine per stream that says which tokens may come
next, so that every sampled stream decodes to notes, and that carries the hard constraints (pitch
set, positions, polyphony cap, bar count) and the forced tokens (chords, motif notes).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stori.data.part_facts import INTERVAL_EDGES
from stori.model.symbols import QUALITIES
from stori.model.tokens import TYPES, StoriTokenizer
from stori.spec.song import PPQ, Note, bar_ticks
from stori.theory import ChordTimeline

PHRASE_SLACK_BEATS = 2.0  # how far a pitched part may run ahead of or behind its note budget, in beats of notes


@dataclass
class StreamPlan:
    """What one stream must obey: its bar count, allowed pitches and velocities, polyphony cap,
    chords, notes forced at their onsets (motifs) and whole bars given as they are (infilling)."""

    role: str
    n_bars: int
    pitches: np.ndarray  # bool over the vocabulary: the Pitch/PitchDrum tokens allowed
    velocities: np.ndarray | None = None  # bool over the vocabulary, None = all
    max_polyphony: int = 6
    chords: list[tuple[int, str]] = field(default_factory=list)
    forced_notes: list[Note] = field(default_factory=list)
    density: float | None = None  # notes per bar to steer towards (soft)
    intervals: np.ndarray | None = None  # logit per interval band (INTERVAL_EDGES) from the line's last onset (soft)
    meter: tuple[int, int] = (4, 4)  # a v1 vocabulary knows 4/4 only
    onsets: np.ndarray | None = None  # logit per position of a run of bars (n_pos each), by the stream's bar (soft)


class Grammar:
    """Precomputed masks over the vocabulary, shared by all streams."""

    def __init__(self, tok: StoriTokenizer):
        self.tok = tok
        V = len(tok)
        types = tok.type_ids
        self.is_type = {name: types == i for i, name in enumerate(TYPES)}
        value = tok.value
        self._pos_cache: dict[tuple[int, int], np.ndarray] = {}
        self._pos_value = np.where(self.is_type["Position"], value, -1)
        self.pitch_gt: dict[int, np.ndarray] = {}
        self._pitch_value = np.where(self.is_type["Pitch"] | self.is_type["PitchDrum"], value, -1)
        self._chord_tones: dict[tuple[int | None, bool], np.ndarray] = {}
        self._interval_cache: dict[tuple[int, int], np.ndarray] = {}
        self._onset_cache: dict[tuple[int, int, int], np.ndarray] = {}
        self.only = np.eye(V, dtype=bool)

    def density_bias(self, state: StreamState, gain: float = 1.0) -> np.ndarray | None:
        """Steer a stream towards its note budget. Drums keep it bar by bar, spread evenly (a groove
        fills every bar): a Position that skips places where notes were due, or closing the bar
        short, costs ``gain`` per missing note; a note ahead of the budget costs ``gain`` per note
        of excess. Pitched parts keep it over the whole stream with two beats' worth of notes
        (at least one) of slack either way (:data:`PHRASE_SLACK_BEATS`): a phrase may rest on a
        downbeat, start late, crowd a pickup or hold a long note, as players do, and still lands
        on its density (an even spread per bar put a note on nearly every downbeat: melody 91%
        of 2-bar windows, POP909 64%)."""
        target = state.plan.density
        if target is None or state.done or state.queue:
            return None
        n_pos = state.n_pos
        per_slot = target / n_pos
        q = np.maximum(self._pos_value, 0)
        if state.drums:
            before, notes, slack, bar_end = 0, state.bar_notes, 0.0, target
        else:
            before, notes = (state.bars - 1) * n_pos, state.stream_notes
            slack = max(1.0, PHRASE_SLACK_BEATS * (PPQ // state.step) * per_slot)
            bar_end = per_slot * (before + n_pos)
        missing = np.maximum(0.0, per_slot * (before + q) - slack - notes)
        excess = np.maximum(0.0, notes - per_slot * (before + q + 1) - slack)
        bias = np.where(self.is_type["Position"], -gain * (missing + excess), 0.0).astype(np.float32)
        bias[self.tok.bar] = -gain * max(0.0, bar_end - slack - notes)
        if state.drums:
            bias[self.tok.eos] = -gain * max(0.0, target - slack - notes)
        here = max(0.0, notes - per_slot * (before + state.position + 1) - slack)
        bias[self.is_type["Pitch"] | self.is_type["PitchDrum"]] = -gain * here
        return bias

    def interval_bias(self, state: StreamState) -> np.ndarray | None:
        """The plan's ``intervals`` logits on the first pitch of an onset, by its interval band from the
        top pitch of the onset before (none on the first onset of a stream)."""
        table = state.plan.intervals
        if table is None or state.last != "Position" or state.prev_top < 0:
            return None
        key = (id(table), state.prev_top)
        if key not in self._interval_cache:
            bands = np.searchsorted(INTERVAL_EDGES, self._pitch_value - state.prev_top)
            self._interval_cache[key] = np.where(self.is_type["Pitch"], table[bands], 0.0).astype(np.float32)
        return self._interval_cache[key]

    def onset_bias(self, state: StreamState) -> np.ndarray | None:
        """The plan's ``onsets`` logits on the Position tokens of the stream's current bar: the
        table's bars follow one another from the stream's first bar and start again after its last."""
        table = state.plan.onsets
        if table is None or state.bars < 1 or state.last == "Position":
            return None
        bar = (state.bars - 1) % max(1, len(table) // state.n_pos)
        key = (id(table), bar, state.n_pos)
        if key not in self._onset_cache:
            places = self.is_type["Position"]
            row = table[bar * state.n_pos:(bar + 1) * state.n_pos]
            bias = np.zeros(len(self.tok), dtype=np.float32)
            bias[places] = row[self._pos_value[places] % len(row)]
            self._onset_cache[key] = bias
        return self._onset_cache[key]

    def chord_tones(self, chord: int | None, root_only: bool = False) -> np.ndarray:
        """1.0 on the Pitch tokens whose pitch class is in ``chord`` (a chord-token id; with
        ``root_only`` its root alone), else 0."""
        if (chord, root_only) not in self._chord_tones:
            pcs = set()
            name = self.tok.vocab[chord] if chord is not None else "Chord_N"
            if name != "Chord_N":
                _, root, quality = name.split("_", 2)
                pcs = {(int(root) + i) % 12 for i in ({0} if root_only else QUALITIES[quality])}
            self._chord_tones[chord, root_only] = np.array([(v % 12 in pcs) and p for v, p in
                                                            zip(self._pitch_value, self.is_type["Pitch"])],
                                                           dtype=np.float32)
        return self._chord_tones[chord, root_only]

    def positions(self, lo: int, hi: int) -> np.ndarray:
        key = (lo, hi)
        if key not in self._pos_cache:
            self._pos_cache[key] = (self._pos_value >= lo) & (self._pos_value < hi)
        return self._pos_cache[key]

    def pitches_above(self, p: int) -> np.ndarray:
        if p not in self.pitch_gt:
            self.pitch_gt[p] = self._pitch_value > p
        return self.pitch_gt[p]


class StreamState:
    """Where one stream is in the grammar; ``allowed()`` then ``advance(token)``, one step at a time."""

    def __init__(self, grammar: Grammar, plan: StreamPlan):
        self.g, self.plan, self.tok = grammar, plan, grammar.tok
        self.drums = plan.role == "drums"
        # the bar on the vocabulary's grid: its length, the ticks between positions, the positions in it
        self.bar_len, self.step = bar_ticks(plan.meter), self.tok.position_ticks(plan.meter)
        self.n_pos = self.tok.positions(plan.meter)
        self.strong = self.tok.strong_positions(plan.meter)  # positions from one strong beat to the next
        self.time_sig = self.tok.time_sig_id(plan.meter)  # forced after every Bar (v2), else None
        self.chords = ChordTimeline(plan.chords, self.tok.chord_id) if plan.chords and not self.drums else None
        self.given_per_bar = 0 if self.time_sig is None else 1 + (self.chords is not None)
        self.bars = 0  # Bar tokens emitted
        self.position = -1  # last Position in the current bar
        self.last = "Start"  # last token type
        self.chord: int | None = None
        self.onset_notes = 0  # notes at the current onset
        self.onset_top = -1  # highest pitch at the current onset
        self.prev_top = -1  # highest pitch at the onset before, across bars
        self.bar_notes = 0  # notes so far in the current bar
        self.stream_notes = 0  # notes so far in the stream
        self.queue: list[int] = []  # forced tokens, emitted before anything is sampled
        self.forced = sorted(plan.forced_notes, key=lambda n: (n.start, n.pitch))
        self.done = False

    # -- forced material ------------------------------------------------------------------------
    def _next_forced_in_bar(self) -> Note | None:
        bar = self.bars - 1
        for n in self.forced:
            if n.start // self.bar_len == bar and n.start % self.bar_len // self.step > self.position:
                return n
            if n.start // self.bar_len >= bar:
                break
        return None

    def _note_tokens(self, n: Note) -> list[int]:
        """Pitch, Velocity (and Duration) tokens of one note, as the tokenizer writes them."""
        ids = self.tok.body([Note(n.pitch, 0, n.end - n.start, n.velocity)], self.plan.role, 1, meter=self.plan.meter)
        first = next(i for i, t in enumerate(ids) if self.tok.type_of(t) == "Position")
        return ids[first + 1:-1]

    # -- the grammar ------------------------------------------------------------------------------
    def allowed(self, room: int) -> np.ndarray:
        """Tokens that may come next; ``room`` is how many more tokens the context can take."""
        g, t = self.g, self.g.is_type
        if self.done:
            return g.only[self.tok.pad]
        if self.queue:
            return g.only[self.queue[0]]
        need = self.plan.n_bars - self.bars  # Bar tokens still to come
        last = self.last
        if last == "Start":
            return g.only[self.tok.bar]
        if last == "Position":
            m = self.plan.pitches & (g.pitches_above(self.onset_top) if self.onset_notes else True)
            return m if m.any() else g.only[self.tok.bar] if need else g.only[self.tok.eos]
        if last == "Pitch":
            return self.plan.velocities if self.plan.velocities is not None else t["Velocity"]
        if last == "Velocity" and not self.drums:
            return t["Duration"]
        # A place between events: after Bar, a chord, or a complete note.
        m = np.zeros(len(self.tok), dtype=bool)
        # out of room: only bars (each with its given TimeSig and chord, v2) and the end remain
        closing = room <= need * (1 + self.given_per_bar) + 4
        forced = self._next_forced_in_bar()
        if forced is not None:
            m |= g.positions(self.position + 1, forced.start % self.bar_len // self.step + 1)
        elif not closing:
            m |= g.positions(self.position + 1, self.n_pos)
            if last == "Note" and self.onset_notes < self.plan.max_polyphony:
                m |= self.plan.pitches & g.pitches_above(self.onset_top)
        if forced is None or closing:
            # after a pitched stream's last bar a Bar ends it as EOS does: the model, trained on longer
            # windows, would otherwise crowd the bar's last beat with the notes of the bar it expects next
            m[self.tok.bar] = need > 0 or not self.drums
            m[self.tok.eos] = need <= 0
        return m

    def advance(self, token: int) -> None:
        if self.queue and self.queue[0] == token:
            self.queue.pop(0)
        kind = self.tok.type_of(token)
        if self.done or kind == "PAD":
            return
        if kind == "EOS":
            self.done = True
        elif kind == "Bar" and self.bars >= self.plan.n_bars:
            self.done = True  # the model would go on to a next bar: the stream ends where it asked to
        elif kind == "Bar":
            self.bars += 1
            self.prev_top = self.onset_top if self.onset_notes else self.prev_top
            self.position, self.onset_notes, self.onset_top, self.bar_notes = -1, 0, -1, 0
            self.last = "Bar"
            if self.time_sig is not None:
                self.queue.append(self.time_sig)
            if self.chords is not None:
                c = self.chords.at((self.bars - 1) * self.bar_len)
                if c is not None:
                    self.queue.append(c)
                    self.chord = c
        elif kind == "Chord":
            self.chord = token  # forced; the place in the grammar does not change
        elif kind == "Position":
            self.position = int(self.tok.value[token])
            self.prev_top = self.onset_top if self.onset_notes else self.prev_top
            self.onset_notes, self.onset_top, self.last = 0, -1, "Position"
            tick = (self.bars - 1) * self.bar_len + self.position * self.step
            if self.chords is not None:
                c = self.chords.at(tick)
                if c is not None and c != self.chord:
                    self.queue.append(c)
                    self.chord = c
            while self.forced and self.forced[0].start < tick + self.step:
                n = self.forced.pop(0)
                if n.start >= tick:
                    self.queue += self._note_tokens(n)
        elif kind in ("Pitch", "PitchDrum"):
            self.onset_notes += 1
            self.bar_notes += 1
            self.stream_notes += 1
            self.onset_top = int(self.tok.value[token])
            self.last = "Pitch"
        elif kind == "Velocity":
            self.last = "Velocity" if not self.drums else "Note"
        elif kind == "Duration":
            self.last = "Note"
