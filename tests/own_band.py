"""A small four-track song in C major (drums, bass, piano, lead over C Am F G), as a musician's file reads."""
from __future__ import annotations

from stori.render.midi import midi_bytes, midi_to_song
from stori.spec.song import PPQ, Note, SectionSpan, Song, Track
from stori.theory import parse_chord

BAR = 4 * PPQ
PROGRESSION = ("C", "Am", "F", "G")


def band(bars: int = 8, tempo: float = 96.0) -> Song:
    """Kick and snare with eighth hats, bass roots on the beat, piano triads per half bar, a chord-tone tune."""
    drums, bass, piano, melody = [], [], [], []
    for b in range(bars):
        at = b * BAR
        root, pcs, _ = parse_chord(PROGRESSION[b % 4])
        for beat in range(4):
            t = at + beat * PPQ
            drums.append(Note(36 if beat % 2 == 0 else 38, t, t + PPQ // 4, 100))
            drums += [Note(42, t + k * PPQ // 2, t + k * PPQ // 2 + 60, 70) for k in range(2)]
            bass.append(Note(36 + root if root < 8 else 24 + root, t, t + PPQ - 20, 90))
        for half in range(2):
            piano += [Note(60 + pc % 12, at + half * 2 * PPQ, at + (half + 1) * 2 * PPQ - 10, 70) for pc in pcs]
        tones = sorted(72 + pc % 12 for pc in pcs)
        melody += [Note(tones[k % 3], at + k * PPQ, at + k * PPQ + PPQ - 40, 95) for k in range(4)]
    tracks = [Track("Drums", "drums", 0, 10, sorted(drums, key=lambda n: (n.start, n.pitch))),
              Track("Bass", "bass", 33, 2, bass), Track("Piano", "harmony", 0, 3, piano),
              Track("Lead", "melody", 73, 4, melody)]
    song = Song(tracks, [], tempo, (4, 4))
    song.sections = [SectionSpan("song", "other", 0, bars * BAR)]
    return midi_to_song(midi_bytes(song))
