"""A band under a musician's melody: chords heard in the melody (or given), then the usual plan
(prompt and sliders: genre, emotion, behaviours, drum style) in the melody's key, tempo and meter,
its sections in 8-bar blocks carrying those chords, composed by the engine for drums, bass and
harmony only. The melody's tracks are added back exactly as written; the harmony is asked to sit
an octave under the melody's mean pitch so the tune stays on top.
"""
from __future__ import annotations

from stori.compose import DEFAULT_ENGINE, compose
from stori.errors import StoriError
from stori.own.listen import hear, pitched_notes
from stori.perform.expression import perform
from stori.plan import plan_song
from stori.spec.song import DRUM_CHANNEL, Song
from stori.spec.song_spec import MAX_SECTIONS, SongSpec
from stori.trace import NULL_RECORDER, TraceRecorder, because

BAND = ("drums", "bass", "harmony")
BLOCK_BARS = 8
HARMONY_BELOW = 12  # semitones under the melody's mean pitch the harmony is centred
HARMONY_PITCH = (55.0, 72.0)


def _form(bars: int) -> str:
    """Verse and chorus blocks of 8 bars (longer blocks when the melody would need more than 32)."""
    block = max(BLOCK_BARS, -(-bars // MAX_SECTIONS))
    sizes = [min(block, bars - k) for k in range(0, bars, block)]
    return ",".join(f"{'verse' if i % 2 == 0 else 'chorus'}:{n}" for i, n in enumerate(sizes))


def accompany(song: Song, chords: list[str] | None = None, prompt: str = "", emotion: dict | None = None,
              seed: int = 0, engine: str = DEFAULT_ENGINE, trace: bool = True) -> Song:
    """Drums, bass and harmony composed around ``song``'s melody; ``chords`` (one string per bar,
    looped) instead of the ones heard."""
    melody = pitched_notes(song)
    if not melody:
        raise StoriError("midi", "the file has no pitched notes", "a MIDI file with a melody")
    heard = hear(song)
    tracer = TraceRecorder() if trace else NULL_RECORDER
    per_bar = [chords[b % len(chords)] for b in range(heard.bars)] if chords else heard.chords
    tracer.record("chords_heard", "song", {"key": heard.key, "chords": per_bar},
                  [because("chords" if chords else "melody", "given" if chords else "tones per half bar",
                           "as the musician wrote them" if chords else
                           "the key's triad that covers the melody's long and on-beat notes, held until they move",
                           1.0)],
                  confidence=1.0 if chords else 0.6, principle="the band plays the melody's harmony")
    spec = plan_song(prompt, emotion=emotion, tempo=min(240.0, max(40.0, heard.tempo)), key=heard.key,
                     structure=_form(heard.bars), time_signature=f"{heard.meter[0]}/{heard.meter[1]}", seed=seed,
                     tracer=tracer)
    d = spec.to_dict()
    mean = sum(n.pitch for n in melody) / len(melody)
    harmony_pitch = round(min(HARMONY_PITCH[1], max(HARMONY_PITCH[0], mean - HARMONY_BELOW)), 1)
    at = 0
    for s in d["sections"]:
        s["chords"] = per_bar[at:at + s["bars"]]
        s["motif_usage"] = []  # the melody is the musician's theme
        s["entry_state"]["chord"] = s["chords"][0].split()[0]
        s["exit_state"]["chord"] = s["chords"][-1].split()[-1]
        s["targets"] = {"harmony": {"pitch": harmony_pitch}}
        at += s["bars"]
    wanted = {t.id for t in spec.tracks if t.role in BAND}
    band = [t for t in d["tracks"] if t["track_id"] in wanted]
    used = {t["channel"] for t in band}
    free = iter(c for c in range(1, 17) if c not in used and c != DRUM_CHANNEL)
    d["tracks"] = band
    tracer.record("voicing", "track:harmony", {"pitch": harmony_pitch},
                  [because("melody", round(mean, 1), "the harmony is centred an octave under the tune", 1.0)],
                  confidence=0.7, principle="the melody stays on top of the band")
    made = compose(SongSpec.from_dict(d), engine, seed=seed, tracer=tracer)
    made = perform(made, seed=seed, trace=trace)
    kept = []
    for t, role in zip(song.tracks, heard.roles):
        channel = t.channel if t.is_drums or t.channel not in used else next(free, t.channel)
        kept.append(type(t)(name=t.name, role=role, program=t.program, channel=channel, notes=list(t.notes),
                            controls=list(t.controls)))
        d["tracks"].append({"track_id": f"given_{len(kept)}", "name": t.name[:60] or role,
                            "role": "chords" if role == "harmony" else role, "program": t.program, "channel": channel})
    made.tracks += kept
    made.spec = SongSpec.from_dict(d)
    return made
