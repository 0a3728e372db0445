"""Song <-> Standard MIDI File: type 1, named tracks, GM programs, drums on channel 10 (their program is
the kit, after a bank select; reading drops that bank select, which the writer makes from the program).

Export is deterministic (same Song -> same bytes). Text (title, track names, markers) is written as
UTF-8, the encoding DAWs read, and read back as UTF-8 when it is valid UTF-8, else as Latin-1. Import
treats the file as untrusted: the limits of :mod:`stori.render.midi_limits`, mido's parser, and
one-line errors.
"""
from __future__ import annotations

import io
from pathlib import Path

import mido

from stori.errors import StoriError
from stori.render import midi_limits as limits
from stori.render.midi_limits import MAX_MIDI_BYTES
from stori.spec.song import DRUM_CHANNEL, PPQ, ControlChange, Note, SectionSpan, Song, Track
from stori.theory import MODES, NOTE_NAMES, parse_key

_MODE_TO_MAJOR = {m: (12 - MODES["major"][i]) % 12 for i,
                  m in enumerate(["major", "dorian", "phrygian", "lydian", "mixolydian"])}


def _key_signature(key: str) -> str:
    """mido key name for a Stori key; church modes use the signature of their relative major."""
    tonic, mode = parse_key(key)
    if mode == "minor":
        return NOTE_NAMES[tonic] + "m"
    offset = {"major": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7}[mode]
    return NOTE_NAMES[(tonic - offset) % 12]


def _text_out(text: str) -> str:
    """``text`` as UTF-8 bytes in the one-byte-per-character form mido writes (it encodes Latin-1)."""
    return str(text).encode("utf-8").decode("latin-1")


def _text_in(text: str) -> str:
    """A text event as mido read it (Latin-1): UTF-8 when the bytes are UTF-8, else Latin-1 as it was."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _events_to_track(name: str, events: list[tuple[int, int, mido.Message]]) -> mido.MidiTrack:
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=_text_out(name), time=0)])
    now = 0
    for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):  # each message is fresh: set its delta in place
        msg.time = tick - now
        track.append(msg)
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def conductor_track(song: Song) -> mido.MidiTrack:
    num, den = song.time_signature
    events = [
        (0, 0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(song.tempo))),
        (0, 1, mido.MetaMessage("time_signature", numerator=num, denominator=den)),
        (0, 2, mido.MetaMessage("key_signature", key=_key_signature(song.key))),
    ]
    events += [(t, 0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))) for t, bpm in song.tempo_changes]
    events += [(t, 2, mido.MetaMessage("key_signature", key=_key_signature(k))) for t, k in song.key_changes]
    events += [(s.start, 3, mido.MetaMessage("marker", text=_text_out(s.id))) for s in song.sections]
    title = song.spec.title if song.spec else (song.title or "Stori song")
    return _events_to_track(title, events)


PROGRAM, CONTROL, NOTE_OFF, NOTE_ON = range(4)
DRUM_BANK = ((0, 120), (32, 0))
"""Bank select (CC0, CC32) before the drum track's program: GM2's rhythm bank, which GS devices and
FluidSynth ignore on channel 10, where the program alone picks the kit (25 = TR-808)."""


def track_events(track: Track) -> list[tuple[int, int, int, int]]:
    """A track's events as ``(tick, kind, a, b)`` in playing order: at equal ticks the program, then
    controls, note-offs and note-ons (so a repeated note re-strikes). The MIDI file and the audio
    preview both play this order."""
    events = [(0, PROGRAM, track.program, 0)]
    events += [(c.tick, CONTROL, c.control, c.value) for c in track.controls]
    for n in track.notes:
        events.append((n.end, NOTE_OFF, n.pitch, 0))
        events.append((n.start, NOTE_ON, n.pitch, max(1, n.velocity)))
    return sorted(events, key=lambda e: e[:2])


def instrument_track(track: Track) -> mido.MidiTrack:
    ch = track.channel - 1
    message = {
        PROGRAM: lambda a, b: mido.Message("program_change", channel=ch, program=a),
        CONTROL: lambda a, b: mido.Message("control_change", channel=ch, control=a, value=b),
        NOTE_OFF: lambda a, b: mido.Message("note_off", channel=ch, note=a, velocity=0),
        NOTE_ON: lambda a, b: mido.Message("note_on", channel=ch, note=a, velocity=b),
    }
    bank = [(0, PROGRAM, mido.Message("control_change", channel=ch, control=c, value=v))
            for c, v in DRUM_BANK] if track.is_drums else []
    return _events_to_track(track.name, bank + [(tick, kind, message[kind](a, b))
                                                for tick, kind, a, b in track_events(track)])


def song_to_midi(song: Song) -> mido.MidiFile:
    mid = mido.MidiFile(type=1, ticks_per_beat=song.ppq)
    mid.tracks.append(conductor_track(song))
    for t in song.tracks:
        mid.tracks.append(instrument_track(t))
    return mid


def _file_bytes(mid: mido.MidiFile) -> bytes:
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


def midi_bytes(song: Song) -> bytes:
    return _file_bytes(song_to_midi(song))


def song_and_stems(song: Song) -> tuple[bytes, list[bytes]]:
    """The song's file and one file per track (the conductor track and that one), each track
    encoded once for both."""
    mid = song_to_midi(song)
    stems = []
    for part in mid.tracks[1:]:
        stem = mido.MidiFile(type=1, ticks_per_beat=song.ppq)
        stem.tracks += [mid.tracks[0], part]
        stems.append(_file_bytes(stem))
    return _file_bytes(mid), stems


def stem_name(track: Track, index: int) -> str:
    """A safe file stem for a track: its role and position, never user text."""
    return f"{index + 1:02d}_{track.role}"


# ---------------------------------------------------------------------------------------------
def read_midi(source: str | Path | bytes) -> mido.MidiFile:
    """Parse an untrusted MIDI file or bytes within the byte, chunk and event limits, with one-line errors."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise StoriError("midi", f"{str(path)!r} is not a file", "a path to a .mid file")
        if path.stat().st_size > MAX_MIDI_BYTES:
            raise StoriError("midi", f"file is {path.stat().st_size} bytes",
                             f"a MIDI file up to {MAX_MIDI_BYTES} bytes")
        data = path.read_bytes()
    else:
        data = bytes(source)
    limits.check_bytes(data)
    try:
        mid = mido.MidiFile(file=io.BytesIO(data))
    except Exception as e:  # mido raises many types on malformed files
        why = ("it ends in the middle of an event" if isinstance(e, EOFError)
               else f"{e.__class__.__name__}: {str(e)[:80]}")
        raise StoriError("midi", f"unreadable MIDI ({why})", "a valid Standard MIDI File") from None
    limits.check_events(sum(len(t) for t in mid.tracks))
    return mid


def _guess_role(channel: int, notes: list[Note]) -> str:
    if channel == DRUM_CHANNEL:
        return "drums"
    if not notes:
        return "harmony"
    mean = sum(n.pitch for n in notes) / len(notes)
    starts = [n.start for n in notes]
    polyphonic = len(set(starts)) < 0.8 * len(starts)
    if mean < 52:
        return "bass"
    return "harmony" if polyphonic else "melody"


def midi_to_song(source: str | Path | bytes) -> Song:
    """Read any MIDI file into a Song (ticks rescaled to PPQ 480; one Track per track and channel),
    within the limits of :mod:`stori.render.midi_limits`."""
    mid = read_midi(source)
    scale = PPQ / (mid.ticks_per_beat or PPQ)
    tempo, ts, key = 120.0, (4, 4), "C major"
    tempos: dict[int, float] = {}  # changes after the start (bounded by the events a file may hold)
    keys: dict[int, str] = {}
    markers: list[tuple[int, str]] = []
    tracks: list[Track] = []
    notes_read = 0
    title = ""
    for index, mtrack in enumerate(mid.tracks):
        now = 0
        name = ""
        per_channel: dict[int, dict] = {}
        for msg in mtrack:
            now += msg.time
            tick = int(round(now * scale))
            if msg.is_meta:
                if msg.type == "set_tempo":
                    bpm = limits.check_tempo(msg.tempo)
                    if now == 0:
                        tempo = bpm
                    else:
                        tempos[tick] = bpm
                elif msg.type == "time_signature":
                    meter = limits.check_meter(msg.numerator, msg.denominator)
                    ts = meter if now == 0 else ts
                elif msg.type == "key_signature":
                    heard = msg.key[:-1] + " minor" if msg.key.endswith("m") else msg.key + " major"
                    if now == 0:
                        key = heard
                    else:
                        keys[tick] = heard
                elif msg.type == "track_name":
                    name = _text_in(msg.name)
                elif msg.type == "marker":
                    markers.append((tick, _text_in(msg.text)))
                    limits.check_markers(len(markers))
                continue
            if not hasattr(msg, "channel"):
                continue
            ch = per_channel.setdefault(msg.channel, {"program": 0, "notes": [], "controls": [], "open": {}})
            if msg.type == "program_change":
                ch["program"] = msg.program
            elif msg.type == "control_change" and not (msg.channel + 1 == DRUM_CHANNEL and msg.control in (0, 32)):
                ch["controls"].append(ControlChange(tick, msg.control, msg.value))
            elif msg.type == "note_on" and msg.velocity > 0:
                ch["open"].setdefault(msg.note, []).append((tick, msg.velocity))
                notes_read += 1
                limits.check_notes(notes_read)
            elif msg.type in ("note_on", "note_off"):
                pending = ch["open"].get(msg.note)
                if pending:
                    start, vel = pending.pop(0)
                    ch["notes"].append(Note(msg.note, start, max(tick, start + 1), vel))
        if index == 0 and not any(ch["notes"] or ch["open"] for ch in per_channel.values()):
            title = name  # a type-1 file's first track, the conductor: its name is the song's title
        for channel, ch in sorted(per_channel.items()):
            for pitch, pending in ch["open"].items():  # notes never released end a beat later
                ch["notes"] += [Note(pitch, s, s + PPQ, v) for s, v in pending]
            if not ch["notes"]:
                continue
            notes = sorted(ch["notes"], key=lambda n: (n.start, n.pitch))
            human_channel = channel + 1
            tracks.append(Track(name=name or f"Track {len(tracks) + 1}", role=_guess_role(human_channel, notes),
                                program=ch["program"], channel=human_channel, notes=notes, controls=ch["controls"]))
    if not tracks:
        raise StoriError("midi", "the file has no notes", "a MIDI file with at least one note")
    song = Song(tracks=tracks, sections=[], tempo=tempo, time_signature=ts, key=key, title=title,
                tempo_changes=sorted(tempos.items()), key_changes=sorted(keys.items()))
    limits.check_song(len(tracks), song.duration_s)
    end = song.end_tick
    markers.sort()
    bounds = [(t, label) for t, label in markers if t < end]
    if not bounds or bounds[0][0] > 0:
        bounds.insert(0, (0, "song"))
    song.sections = [SectionSpan(label, "other", t, (bounds[i + 1][0] if i + 1 < len(bounds) else end))
                     for i, (t, label) in enumerate(bounds)]
    return song
