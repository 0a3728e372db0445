"""The MusicXML sets: OpenScore Lieder (voice + piano, CC0) and OpenEWLD (lead sheets, public
domain), read once with music21 and cached piece by piece under ``cache/``.

A piece becomes one :class:`SectionSample` per stretch of bars in one meter (a pickup bar starts a
stretch, padded at its front so that its last beat falls before the next bar line). Roles:

- Lieder: the voice (the first part not a keyboard) is the ``melody``; the accompaniment is the
  rest (the piano's staves; a guitar in a few songs): its lowest note at each onset of its lowest
  staff is the ``bass``, every other note the ``harmony``; chords come from the set's automatic
  Roman-numeral analysis (``analysis_automatic.rntxt``), where a piece has one.
- OpenEWLD: the lead line is the ``melody`` (its top note where it has two); chords are the chord
  symbols; the ``bass`` is the chord's bass note, struck at each chord change and each bar line
  in the octave from E1 (a part derived from the chords, not played by anyone).

Velocities follow the score's dynamics marks (mf where it has none); the tempo is the first
tempo mark, its number or the speed music21 gives its word ("Andante"); 100 quarter notes a
minute where there is none.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from stori.data.paths import CACHE_DIR
from stori.data.paths import data_dir as resolve_data_dir
from stori.data.samples import SectionSample
from stori.data.splits import split_of
from stori.errors import StoriError
from stori.spec.song import PPQ, Note
from stori.theory import NOTE_NAMES, chord_from_pitch_classes

SETS = {"lieder": "artsong", "openewld": "standards"}
"""Each MusicXML set and the style its pieces are conditioned as."""
CACHE_VERSION = "scores-v2"
DEFAULT_TEMPO = 100.0
DEFAULT_VELOCITY = 76  # mf
MIN_BARS = 2  # a shorter stretch of one meter is left out
BASS_LOW = 28  # E1: the derived bass of a lead sheet sits in the octave from here
MAX_FILE_BYTES = 2_000_000


@dataclass
class Piece:
    """One score as read: its stretches of one meter, or why it could not be read."""

    set: str
    piece_id: str
    split: str
    sections: list[SectionSample] = field(default_factory=list)
    error: str = ""
    tempo_marked: bool = False
    analysed: bool = False  # chords from a score's own symbols or its Roman-numeral analysis
    bars_left_out: int = 0  # bars in stretches shorter than MIN_BARS (a lone bar of another meter)


def piece_paths(name: str, data_dir=None) -> dict[str, Path]:
    """Piece id -> MusicXML file of one set: a Lieder score's file stem (``lc5079391``), an
    OpenEWLD lead sheet's ``<authors>/<title>`` folder."""
    if name not in SETS:
        raise StoriError("set", f"{name!r} is not a MusicXML set", ", ".join(SETS))
    root = resolve_data_dir(data_dir) / name
    if name == "lieder":
        return {p.stem: p for p in sorted((root / "scores").glob("*/*/*/*.mxl"))}
    return {p.parent.relative_to(root / "dataset").as_posix(): p for p in sorted((root / "dataset").glob("*/*/*.mxl"))}


def _cache_file(name: str, piece_id: str, data_dir=None) -> Path:
    """Where a piece's parse is cached: one folder per data root (the default root's has no tag)."""
    root = resolve_data_dir(data_dir).resolve()
    tag = "" if root == resolve_data_dir(None).resolve() else "-" + hashlib.sha1(str(root).encode()).hexdigest()[:8]
    digest = hashlib.sha1(f"{name}/{piece_id}".encode()).hexdigest()[:16]
    return CACHE_DIR / f"{CACHE_VERSION}{tag}" / name / f"{digest}.pkl"


def load_set(name: str, data_dir=None, ids: list[str] | None = None, progress: bool = False,
             cached_only: bool = False) -> list[Piece]:
    """The pieces of a set (or only ``ids``), each parsed once and cached (``cached_only``: only those
    parsed already); a build cut short keeps what it parsed. A piece missing from the committed split
    lists counts as training data."""
    paths = piece_paths(name, data_dir)
    if ids is not None:
        missing = [i for i in ids if i not in paths]
        if missing:
            raise StoriError("ids", f"{missing[0]!r} is not a piece of {name}", "ids from stori/data/splits/")
        paths = {i: paths[i] for i in ids}
    pieces = []
    for k, (pid, path) in enumerate(paths.items()):
        cache = _cache_file(name, pid, data_dir)
        if cache.is_file():
            with cache.open("rb") as f:
                piece = pickle.load(f)
        elif cached_only:
            continue
        else:
            piece = read_piece(name, pid, path)
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as f:
                pickle.dump(piece, f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
            if progress:
                print(f"{name} {k + 1}/{len(paths)} {pid}: {len(piece.sections)} stretches {piece.error}",
                      file=sys.stderr, flush=True)
        pieces.append(piece)
    return pieces


def load_score_sections(split: str, data_dir=None, sets=tuple(SETS)) -> list[SectionSample]:
    """The SectionSamples of one split of the MusicXML sets."""
    return [s for name in sets for p in load_set(name, data_dir) if p.split == split for s in p.sections]


def read_piece(name: str, piece_id: str, path: Path) -> Piece:
    """Parse one score; a file music21 cannot read, or with no stretch of bars to keep, is kept
    with its error (so the report can count it) and no sections."""
    piece = Piece(name, piece_id, split_of(name).get(piece_id, "train"))
    if path.stat().st_size > MAX_FILE_BYTES:
        piece.error = "file too large"
        return piece
    import music21

    try:
        score = music21.converter.parse(path)
        _fill(piece, score, path)
    except Exception as exc:  # a score music21 rejects is one dropped piece, not a failed build
        piece.error = f"{type(exc).__name__}: {exc}"[:200]
        piece.sections = []
    if not piece.sections and not piece.error:
        piece.error = f"no stretch of {MIN_BARS} or more whole bars in one meter"
    return piece


@dataclass
class _Stretch:
    meter: tuple[int, int]
    origin: float  # quarter notes from the score start to this stretch's first bar line
    end: float
    n_bars: int = 0


def _stretches(part) -> tuple[list[_Stretch], dict[str, tuple[int, float]]]:
    """Stretches of whole bars in one meter, and measure number -> (stretch, its start in
    quarters from the stretch origin)."""
    out: list[_Stretch] = []
    where: dict[str, tuple[int, float]] = {}
    measures = list(part.getElementsByClass("Measure"))
    meter = _unwritten_meter(measures)
    for m in measures:
        if m.timeSignature is not None:
            meter = (m.timeSignature.numerator, m.timeSignature.denominator)
        if meter is None:
            continue
        bar_q = 4.0 * meter[0] / meter[1]
        dur = float(m.duration.quarterLength)
        cur = out[-1] if out else None
        if abs(dur - bar_q) < 1e-6 and cur and cur.meter == meter and abs(m.offset - cur.end) < 1e-6:
            cur.end += bar_q
            cur.n_bars += 1
        elif 0 < dur <= bar_q + 1e-6:  # a new stretch; a short bar is its pickup
            out.append(_Stretch(meter, m.offset + dur - bar_q, m.offset + dur, 1))
        else:
            continue
        cur = out[-1]
        where.setdefault(str(m.number), (len(out) - 1, m.offset - cur.origin))
    return out, where


def _unwritten_meter(measures) -> tuple[int, int] | None:
    """The meter of a score that writes none before its first bar: its commonest bar length, in
    quarters (n/4) or, where that is not whole, in eighths (n/8)."""
    if not measures or measures[0].timeSignature is not None:
        return None
    lengths = Counter(float(m.duration.quarterLength) for m in measures if m.duration.quarterLength > 0)
    if not lengths:
        return None
    q = lengths.most_common(1)[0][0]
    return (int(q), 4) if q == int(q) else (int(round(2 * q)), 8)


def _velocities(score):
    """(offsets, velocities) of the dynamics marks anywhere in the score, in time order."""
    import music21

    marks = sorted((float(d.getOffsetInHierarchy(score)), d.volumeScalar)
                   for d in score.recurse().getElementsByClass(music21.dynamics.Dynamic) if d.volumeScalar)
    return [o for o, _ in marks], [max(20, min(120, round(v * 127))) for _, v in marks]


def _notes(part, score) -> list[tuple[float, float, int]]:
    """(onset, end, pitch) in quarters of every sounding note of a part, tied notes joined into one
    (without music21's ``stripTies``, which copies the whole part), grace notes left out."""
    import music21

    out: list[tuple[float, float, int]] = []
    tied: dict[tuple, int] = {}  # (voice, pitch) -> index in out of the note its tie continues
    for el in part.recurse().notes:
        if isinstance(el, music21.harmony.ChordSymbol) or el.duration.isGrace or el.quarterLength <= 0:
            continue
        on = float(el.getOffsetInHierarchy(part))
        end = on + float(el.quarterLength)
        voice = el.activeSite.id if isinstance(el.activeSite, music21.stream.Voice) else None
        for m in (el.notes if el.isChord else (el,)):
            p = int(m.pitch.midi)
            tie = (m.tie or el.tie).type if (m.tie or el.tie) is not None else None
            if tie in ("continue", "stop") and (voice, p) in tied:
                i = tied[(voice, p)]
                out[i] = (out[i][0], end, p)
                if tie == "stop":
                    del tied[(voice, p)]
                continue
            out.append((on, end, p))
            if tie in ("start", "continue"):
                tied[(voice, p)] = len(out) - 1
            else:
                tied.pop((voice, p), None)
    return out


def _fill(piece: Piece, score, path: Path) -> None:
    import music21

    parts = list(score.parts)
    if not parts:
        return
    stretches, where = _stretches(parts[0])
    starts = [s.origin for s in stretches]
    dyn_at, dyn_vel = _velocities(score)
    marks = list(score.recurse().getElementsByClass(music21.tempo.MetronomeMark))
    tempo = next((float(m.getQuarterBPM()) for m in marks if m.getQuarterBPM()), None)
    piece.tempo_marked = tempo is not None
    roles: dict[str, list[tuple[float, float, int]]] = {}
    chords: list[tuple[float, str]] = []
    analysed_key = None
    if piece.set == "lieder":
        voice = [p for p in parts if not _is_piano(p)][:1]
        piano = [p for p in parts if p not in voice]  # the piano's staves (a guitar in a few songs)
        if not voice or not piano:
            raise ValueError("no voice and accompaniment parts")
        roles["melody"] = _top_line(_notes(voice[0], score))
        low = _notes(piano[-1], score)
        roles["bass"] = _bottom_line(low)
        bass_set = set(roles["bass"])
        roles["harmony"] = [n for p in piano[:-1] for n in _notes(p, score)] + [n for n in low if n not in bass_set]
        rntxt = path.parent / "analysis_automatic.rntxt"
        if rntxt.is_file():
            try:
                chords, analysed_key = _roman_chords(rntxt, where, stretches)
            except Exception:  # an analysis music21 cannot read: the piece without chords
                chords, analysed_key = [], None
    else:
        roles["melody"] = _top_line(_notes(parts[0], score))
        for cs in parts[0].recurse().getElementsByClass(music21.harmony.ChordSymbol):
            on = float(cs.getOffsetInHierarchy(parts[0]))
            if isinstance(cs, music21.harmony.NoChord) or not cs.pitches:
                chords.append((on, "N"))
            else:
                root = cs.root().pitchClass
                chords.append((on, chord_from_pitch_classes(root, {p.pitchClass for p in cs.pitches})
                               + _slash(root, cs.bass().pitchClass)))
        roles["bass"] = _chord_bass(chords, stretches)
    piece.analysed = bool(chords)
    key = analysed_key or _key(score)
    for i, st in enumerate(stretches):
        if st.n_bars < MIN_BARS:
            piece.bars_left_out += st.n_bars
            continue
        sample = SectionSample(f"{piece.set}:{piece.piece_id}#{i}", piece.split, SETS[piece.set], "other", key,
                               tempo or DEFAULT_TEMPO, st.meter, st.n_bars)
        for role, notes in roles.items():
            sample.notes[role] = [
                Note(p, round((on - st.origin) * PPQ), round((min(off, st.end) - st.origin) * PPQ),
                     dyn_vel[bisect_right(dyn_at, on) - 1] if dyn_at and on >= dyn_at[0] else DEFAULT_VELOCITY)
                for on, off, p in notes if st.origin <= on < st.end and bisect_right(starts, on) - 1 == i]
        sample.chords = _chords_in(chords, st)
        if any(sample.notes.values()):
            piece.sections.append(sample)


def _is_piano(part) -> bool:
    """A piano staff: a keyboard instrument, or a part named so (some voices carry a wrong instrument)."""
    import music21

    name = (part.partName or "").lower()
    return (isinstance(part.getInstrument(), music21.instrument.KeyboardInstrument)
            or any(w in name for w in ("piano", "klavier", "pf.")))


def _top_line(notes):
    """The highest note of each onset."""
    best: dict[float, tuple] = {}
    for n in notes:
        if n[0] not in best or n[2] > best[n[0]][2]:
            best[n[0]] = n
    return sorted(best.values())


def _bottom_line(notes):
    """The lowest note of each onset."""
    best: dict[float, tuple] = {}
    for n in notes:
        if n[0] not in best or n[2] < best[n[0]][2]:
            best[n[0]] = n
    return sorted(best.values())


def _slash(root: int, bass: int) -> str:
    return "" if bass == root else "/" + NOTE_NAMES[bass]


def _chord_bass(chords: list[tuple[float, str]], stretches: list[_Stretch]):
    """The lead sheet's bass: each chord's bass note at its change and at every bar line it spans."""
    from stori.theory import parse_chord

    changes = sorted(chords)
    out = []
    for st in stretches:
        bar_q = 4.0 * st.meter[0] / st.meter[1]
        bar_lines = [st.origin + b * bar_q for b in range(st.n_bars)]
        times = sorted({t for t, _ in changes if st.origin <= t < st.end} | set(bar_lines))
        for k, t in enumerate(times):
            i = bisect_right([c[0] for c in changes], t) - 1
            if i < 0 or changes[i][1] == "N":
                continue
            _, _, bass = parse_chord(changes[i][1])
            end = times[k + 1] if k + 1 < len(times) else st.end
            out.append((t, end, BASS_LOW + (bass - BASS_LOW) % 12))
    return out


def _roman_chords(path: Path, where: dict[str, tuple[int, float]], stretches: list[_Stretch]):
    """(quarters from the score start, symbol) of each chord of a RomanText analysis, placed by
    its measure number and its offset in that measure; and the analysis's opening key."""
    import music21

    analysis = music21.converter.parse(path, format="romantext")
    out = []
    for rn in analysis.recurse().getElementsByClass(music21.roman.RomanNumeral):
        m = rn.getContextByClass(music21.stream.Measure)
        if m is None or str(m.number) not in where:
            continue
        i, start = where[str(m.number)]
        pcs = {p.pitchClass for p in rn.pitches}
        root = rn.root().pitchClass
        out.append((stretches[i].origin + start + float(rn.offset),
                    chord_from_pitch_classes(root, pcs) + _slash(root, rn.bass().pitchClass)))
    first = next(iter(analysis.recurse().getElementsByClass(music21.roman.RomanNumeral)), None)
    return sorted(out), (_key_name(first.key) if first is not None and first.key is not None else None)


def _chords_in(chords: list[tuple[float, str]], st: _Stretch) -> list[tuple[int, str]]:
    """The chord changes of a stretch in ticks from its origin, the chord sounding at its start moved onto it."""
    before = [c for c in chords if c[0] <= st.origin]
    inside = [c for c in chords if st.origin < c[0] < st.end]
    changes = ([(st.origin, before[-1][1])] if before else []) + inside
    return [(round((t - st.origin) * PPQ), s) for t, s in changes]


def _key(score) -> str:
    """The key written in the score (its first key with a mode), else music21's estimate."""
    import music21

    written = next(iter(score.recurse().getElementsByClass(music21.key.Key)), None)
    return _key_name(written if written is not None else score.analyze("key"))


def _key_name(k) -> str:
    return f"{NOTE_NAMES[k.tonic.pitchClass]} {k.mode if k.mode in ('major', 'minor') else 'major'}"
