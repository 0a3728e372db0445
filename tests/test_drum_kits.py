"""Style-appropriate drum kits: the planner's choice, the MIDI bank/program on channel 10, the preview."""
import copy
import io

import mido
import numpy as np
import pytest

from stori.data.drum_kit import DRUM_KITS
from stori.perform.drums import make_drums
from stori.pipeline import generate
from stori.plan.planner import plan_song
from stori.render.audio import AudioUnavailable, render_audio
from stori.render.midi import midi_bytes, midi_to_song
from stori.trace import TraceRecorder


def drum_program(spec):
    return next(t.program for t in spec.tracks if t.role == "drums")


@pytest.mark.parametrize("prompt, kit", [
    ("dark trap beat", "TR-808"), ("a jazz ballad", "Brush"), ("upbeat bebop jazz", "Jazz"),
    ("happy pop song", "Standard"), ("rock anthem", "Power"), ("house track", "Electronic"),
    ("cinematic score", "Orchestra"), ("pop song with brushes", "Brush"), ("pop song with 808s", "TR-808"),
])
def test_the_planner_picks_the_kit_of_the_style_or_the_words(prompt, kit):
    assert drum_program(plan_song(prompt)) == DRUM_KITS[kit]


def test_the_kit_choice_is_traced_with_its_reason():
    tracer = TraceRecorder()
    plan_song("a jazz ballad", tracer=tracer)
    [trace] = [t for t in tracer.traces if t["decision_type"] == "drum_kit"]
    assert trace["decision"] == {"kit": "Brush", "program": 40} and "ballad" in str(trace["because"][0])


def test_the_drums_tab_plays_trap_on_the_808():
    assert make_drums("trap", bars=1, tempo=140).tracks[0].program == DRUM_KITS["TR-808"]


@pytest.fixture(scope="module")
def trap_song():
    return generate("dark trap beat", engine="baseline", structure="intro:4,verse:4", seed=1)


def test_a_trap_songs_midi_selects_the_808_on_channel_10_and_reads_back(trap_song):
    mid = mido.MidiFile(file=io.BytesIO(midi_bytes(trap_song)))
    drums = [m for t in mid.tracks for m in t if not m.is_meta and m.channel == 9]
    head = [(m.type, getattr(m, "control", None), getattr(m, "value", None), getattr(m, "program", None))
            for m in drums[:3]]
    assert head == [("control_change", 0, 120, None), ("control_change", 32, 0, None),
                    ("program_change", None, None, 25)]
    assert all(m.time == 0 for m in drums[:3])
    back = midi_to_song(midi_bytes(trap_song))
    assert back.track("drums").program == 25 and not back.track("drums").controls  # the bank is not kept as a control
    assert midi_bytes(back)[-200:] == midi_bytes(trap_song)[-200:]


def low_share(song, program):
    """Share of the drum preview's energy below 100 Hz, played on kit ``program``."""
    drums = copy.deepcopy(song)
    drums.tracks = [t for t in drums.tracks if t.is_drums]
    drums.tracks[0].program = program
    audio = render_audio(drums, max_seconds=6).astype(float).mean(axis=1)
    power = np.abs(np.fft.rfft(audio)) ** 2
    return power[np.fft.rfftfreq(len(audio), 1 / 44100) < 100].sum() / power.sum()


def test_the_preview_plays_the_808_boom_not_the_standard_kit(trap_song):
    try:
        standard, eight_oh_eight = low_share(trap_song, 0), low_share(trap_song, 25)
    except AudioUnavailable as e:
        pytest.skip(str(e))
    assert eight_oh_eight > 1.5 * standard  # the 808 kick's long sub boom
