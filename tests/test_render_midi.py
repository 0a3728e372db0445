"""MIDI export and import: meta events, channels, stems, determinism, untrusted files."""
import mido
import pytest

from stori.errors import StoriError
from stori.render.midi import midi_bytes, midi_to_song, read_midi, song_and_stems, song_to_midi
from stori.spec.song import ControlChange, Note, SectionSpan, Song, Track


def small_song(key="A minor"):
    drums = Track("Drums", "drums", 0, 10, [Note(36, 0, 240, 100), Note(38, 480, 720, 90)])
    bass = Track("Bass", "bass", 33, 2, [Note(45, 0, 900, 80)], [ControlChange(0, 11, 100), ControlChange(480, 1, 20)])
    return Song([drums, bass], [SectionSpan("verse", "verse", 0, 1920)], tempo=96, time_signature=(3, 4), key=key)


def test_meta_events_programs_and_drum_channel():
    mid = song_to_midi(small_song())
    assert mid.type == 1 and mid.ticks_per_beat == 480 and len(mid.tracks) == 3
    meta = {m.type: m for m in mid.tracks[0] if m.is_meta}
    assert mido.tempo2bpm(meta["set_tempo"].tempo) == pytest.approx(96)
    assert (meta["time_signature"].numerator, meta["time_signature"].denominator) == (3, 4)
    assert meta["key_signature"].key == "Am"
    assert meta["marker"].text == "verse"
    names = [next(m.name for m in t if m.type == "track_name") for t in mid.tracks[1:]]
    assert names == ["Drums", "Bass"]
    assert {m.channel for m in mid.tracks[1] if not m.is_meta} == {9}  # channel 10 on the wire
    bass_msgs = [m for m in mid.tracks[2] if not m.is_meta]
    assert bass_msgs[0].type == "program_change" and bass_msgs[0].program == 33
    assert {(m.control, m.value) for m in bass_msgs if m.type == "control_change"} == {(11, 100), (1, 20)}


def test_modal_keys_use_the_relative_major_signature():
    assert song_to_midi(small_song("D dorian")).tracks[0][3].key == "C"


def test_round_trip_keeps_notes_and_is_deterministic():
    song = small_song()
    data = midi_bytes(song)
    assert data == midi_bytes(small_song())
    back = midi_to_song(data)
    assert [(t.role, t.channel, t.program) for t in back.tracks] == [("drums", 10, 0), ("bass", 2, 33)]
    assert back.tracks[0].notes == song.tracks[0].notes
    assert back.tracks[1].notes == song.tracks[1].notes
    assert back.tempo == pytest.approx(96) and back.time_signature == (3, 4) and back.key == "A minor"


def test_stem_has_one_instrument_track():
    song = small_song()
    whole, stems = song_and_stems(song)
    assert whole == midi_bytes(song) and len(stems) == len(song.tracks)
    stem = read_midi(stems[1])
    assert len(stem.tracks) == 2


@pytest.mark.parametrize("data,problem", [
    (b"hello", "not a Standard MIDI File"),
    (b"MThd\x00\x00\x00\x06\x00\x01\x00\x05\x01\xe0MTrk\xff\xff", "unreadable MIDI"),
    (b"MThd" + b"\x00" * 3_000_000, "bytes; allowed"),
])
def test_untrusted_midi_gets_one_line_errors(data, problem):
    with pytest.raises(StoriError) as err:
        read_midi(data)
    assert problem in str(err.value) and str(err.value).startswith("midi:")


def test_a_files_title_and_track_names_survive_reading_and_humanizing():
    from stori.perform.humanize import humanize_song

    song = small_song()
    song.title = "Late Night Walk"
    back = midi_to_song(midi_bytes(song))
    assert back.title == "Late Night Walk" and [t.name for t in back.tracks] == ["Drums", "Bass"]
    again = midi_to_song(midi_bytes(humanize_song(back, amount=0.8, seed=1)))
    assert again.title == "Late Night Walk" and [t.name for t in again.tracks] == ["Drums", "Bass"]
