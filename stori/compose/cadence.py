"""Cadences: the notes establish the planned tonic, so the key you hear is the key that was planned.

Before a section is played, the last bar of every chorus, of every calm section (tension below
CALM_RESOLVES) and of the song's last section becomes the tonic chord (choruses and calm music resolve
home; tenser verses, pre-choruses and bridges keep their half cadences into what follows). After it is
played, every section that ends on the tonic chord ends at home: the bass plays the tonic through its
last bar and the melody's last note moves to the tonic; tension makes the close weaker (from
IMPERFECT_FROM the melody ends on the tonic chord's third or fifth, and a section left open keeps its
bass and melody off the tonic).

A minor key needs more to be heard as minor: its chords (i, bIII, bVI, bVII) are its relative major's,
so a resolving section's second-to-last chord becomes the major dominant V (the raised leading tone,
harmonic minor at the cadence only) and the melody ends on the tonic or the fifth, never the minor
third (the relative major's tonic).
"""
from __future__ import annotations

from stori.spec.song import Song
from stori.spec.song_spec import AS_GIVEN, SongSpec
from stori.theory import NOTE_NAMES, is_major, parse_chord, parse_key, roman_to_chord
from stori.trace import TraceRecorder, because

RESOLVING = ("chorus",)
"""Section types whose last bar is the tonic chord (besides the song's last section)."""
MINOR_RESOLVING = ("intro", "verse", "chorus", "solo", "interlude", "outro")
"""In a minor key every section but those that lead on (pre-chorus, bridge, break) comes home: a minor
loop left open on bVII or bIII is heard in the relative major."""
CALM_RESOLVES = 0.35
"""Tension below which any section comes home at its end (a calm verse resolves; a tense one stays open)."""
IMPERFECT_FROM = 0.6
"""Tension from which a section's melody does not end on the tonic: where the chords come home it
closes on the tonic chord's third or fifth (an imperfect close), where they stay open it hangs on
another tone of the last chord. Below it a melody coming home ends on the tonic itself."""


def tonic_chord(key: str) -> str:
    """The tonic triad of a key: ``D`` for D major or mixolydian, ``Dm`` for D minor or dorian."""
    tonic, _ = parse_key(key)
    return NOTE_NAMES[tonic] + ("" if is_major(key) else "m")


def _is_tonic(symbol: str, key: str) -> bool:
    root, pcs, bass = parse_chord(symbol)
    tonic, _ = parse_key(key)
    third = (tonic + (4 if is_major(key) else 3)) % 12
    return root == tonic and third in pcs and bass == tonic


def _has_leading_tone(bar: str, key: str) -> bool:
    """Whether the last chord of a bar (chords space-separated) holds the key's raised leading tone."""
    tonic, _ = parse_key(key)
    return (tonic + 11) % 12 in parse_chord(bar.split()[-1])[1]


def with_cadences(spec: SongSpec, sections: set[str], tracer: TraceRecorder) -> SongSpec:
    """``spec`` (a copy when anything changes) with the last bar of each resolving section among
    ``sections`` on the tonic chord, approached in a minor key from the major dominant; each change is
    traced. A plan with :data:`AS_GIVEN` is left as it is."""
    if spec.extra.get(AS_GIVEN):
        return spec
    last = spec.sections[-1].id

    def bars(s):
        return [s.chords[b % len(s.chords)] for b in range(s.bars)]

    def needs(s) -> bool:
        key = spec.key_of(s)
        minor = not is_major(key)
        return ((s.type in (MINOR_RESOLVING if minor else RESOLVING) or s.id == last
                 or s.emotion.tension < CALM_RESOLVES)
                and (not _is_tonic(s.last_chord, key)
                     or minor and s.bars > 1 and not _has_leading_tone(bars(s)[-2], key)))

    todo = [s for s in spec.sections if s.id in sections and needs(s)]
    if not todo:
        return spec
    out = spec.copy()
    for s in (out.section(t.id) for t in todo):
        key = spec.key_of(s)
        minor, home, dominant = not is_major(key), tonic_chord(key), roman_to_chord("V", key)
        played = bars(s)
        before = played[-1]
        played[-1] = home
        if minor and s.bars > 1 and not _has_leading_tone(played[-2], key):
            played[-2] = " ".join(played[-2].split()[:-1] + [dominant])
        s.chords = played
        if "chord" in s.exit_state:
            s.exit_state["chord"] = home
        tracer.record("cadence", f"section:{s.id}", {"last_bars": played[-2:], "was": before},
                      [because("key", key, f"the last bar of the {'song' if s.id == last else s.type} comes "
                               f"home to {home}" + (f" from the major dominant {dominant}" if minor else ""), 1.0)],
                      alternatives=[before], confidence=0.8,
                      principle="a cadence on the tonic tells the ear which note is home (in minor, through the "
                                "leading tone), so the key heard is the key planned")
    return out


def end_at_home(song: Song, sections: set[str], tracer: TraceRecorder) -> None:
    """In the last bar of each of ``sections`` that ends on the tonic chord (every chorus and the song's
    end, after :func:`with_cadences`): every bass note on the tonic (nearest octave), and the melody's
    last note, when it starts in the section's last two bars, on the tonic (nearest octave); from tension
    :data:`IMPERFECT_FROM` on the nearest other tone of the tonic chord (in a minor key the fifth: a
    minor melody ending on its third ends on the relative major's tonic). A section left open at that
    tension has its melody's last note moved off the tonic to the nearest other tone of its last chord,
    and its bass's to that chord's root."""
    spec = song.spec
    tracks = {t.role: t for t in song.tracks}
    for s in spec.sections:
        key = spec.key_of(s)
        if s.id not in sections:
            continue
        tonic, _ = parse_key(key)
        imperfect = s.emotion.tension >= IMPERFECT_FROM
        span = song.section(s.id)
        start = span.end - song.ticks_per_bar
        if not _is_tonic(s.last_chord, key):
            root, pcs, _ = parse_chord(s.last_chord)
            if imperfect and "melody" in tracks:
                _hang(tracks["melody"], span, start - song.ticks_per_bar, tonic, set(pcs))
            if imperfect and "bass" in tracks:
                _hang(tracks["bass"], span, start, tonic, {root})
            continue
        thirds = {(tonic + 4) % 12} if is_major(key) else set()
        chord = {(tonic + 7) % 12} | thirds if imperfect else {tonic}
        moved = {}
        if "bass" in tracks:
            t = tracks["bass"]
            ending = [n for n in t.notes if start <= n.start < span.end]
            moved["bass"] = sum(1 for n in ending if n.pitch % 12 != tonic)
            t.notes = sorted([n for n in t.notes if not start <= n.start < span.end]
                             + [_nearest(n, {tonic}) for n in ending], key=lambda n: (n.start, n.pitch))
        if "melody" in tracks:
            t = tracks["melody"]
            inside = [n for n in t.notes if span.start <= n.start < span.end]
            last = max(inside, key=lambda n: (n.start, n.pitch), default=None)
            if last is not None and last.start >= start - song.ticks_per_bar:
                moved["melody"] = int(last.pitch % 12 not in chord)
                t.notes = sorted([n for n in t.notes if n is not last] + [_nearest(last, chord)],
                                 key=lambda n: (n.start, n.pitch))
        if tracer.enabled and any(moved.values()):
            tracer.record("cadence", f"section:{s.id}", {"notes_moved": moved},
                          [because("key", key, f"the {s.type} ends on the tonic in the bass and "
                                   + ("the third or fifth in the melody (an imperfect close)" if imperfect
                                      else "in the melody"), 1.0),
                           because("tension", s.emotion.tension, "a tense song's melody closes off the tonic "
                                   f"(from {IMPERFECT_FROM})", 0.5)],
                          confidence=0.8, principle="a phrase that ends at home names the key")


def _hang(track, span, since: int, tonic: int, tones: set[int]) -> None:
    """A part's last note in ``span``, when it starts from ``since`` on and is the tonic, moved to the
    nearest of ``tones`` (the melody: the last chord's other tones; the bass: its root): a tense phrase
    left open does not land home."""
    last = max((n for n in track.notes if span.start <= n.start < span.end), key=lambda n: (n.start, n.pitch),
               default=None)
    others = tones - {tonic}
    if last is not None and last.start >= since and last.pitch % 12 == tonic and others:
        track.notes = sorted([n for n in track.notes if n is not last] + [_nearest(last, others)],
                             key=lambda n: (n.start, n.pitch))


def _nearest(note, pcs: set[int]):
    """``note`` moved to the nearest pitch whose class is in ``pcs`` (the lower on a tie)."""
    from dataclasses import replace

    best = min((p for p in range(note.pitch - 6, note.pitch + 7) if p % 12 in pcs),
               key=lambda p: (abs(p - note.pitch), p))
    return replace(note, pitch=best)
