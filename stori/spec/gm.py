"""General MIDI instrument names (program 0..127) and the lookup from an instrument word to a program."""
from __future__ import annotations

import re

PROGRAMS = (
    "acoustic_grand_piano", "bright_acoustic_piano", "electric_grand_piano", "honky_tonk_piano", "electric_piano_1",
    "electric_piano_2", "harpsichord", "clavinet", "celesta", "glockenspiel", "music_box", "vibraphone", "marimba",
    "xylophone", "tubular_bells", "dulcimer", "drawbar_organ", "percussive_organ", "rock_organ", "church_organ",
    "reed_organ", "accordion", "harmonica", "tango_accordion", "acoustic_guitar_nylon", "acoustic_guitar_steel",
    "electric_guitar_jazz", "electric_guitar_clean", "electric_guitar_muted", "overdriven_guitar",
    "distortion_guitar", "guitar_harmonics", "acoustic_bass", "electric_bass_finger", "electric_bass_pick",
    "fretless_bass", "slap_bass_1", "slap_bass_2", "synth_bass_1", "synth_bass_2", "violin", "viola", "cello",
    "contrabass", "tremolo_strings", "pizzicato_strings", "orchestral_harp", "timpani", "string_ensemble_1",
    "string_ensemble_2", "synth_strings_1", "synth_strings_2", "choir_aahs", "voice_oohs", "synth_voice",
    "orchestra_hit", "trumpet", "trombone", "tuba", "muted_trumpet", "french_horn", "brass_section",
    "synth_brass_1", "synth_brass_2", "soprano_sax", "alto_sax", "tenor_sax", "baritone_sax", "oboe",
    "english_horn", "bassoon", "clarinet", "piccolo", "flute", "recorder", "pan_flute", "blown_bottle",
    "shakuhachi", "whistle", "ocarina", "lead_1_square", "lead_2_sawtooth", "lead_3_calliope", "lead_4_chiff",
    "lead_5_charang", "lead_6_voice", "lead_7_fifths", "lead_8_bass_lead", "pad_1_new_age", "pad_2_warm",
    "pad_3_polysynth", "pad_4_choir", "pad_5_bowed", "pad_6_metallic", "pad_7_halo", "pad_8_sweep", "fx_1_rain",
    "fx_2_soundtrack", "fx_3_crystal", "fx_4_atmosphere", "fx_5_brightness", "fx_6_goblins", "fx_7_echoes",
    "fx_8_sci_fi", "sitar", "banjo", "shamisen", "koto", "kalimba", "bagpipe", "fiddle", "shanai", "tinkle_bell",
    "agogo", "steel_drums", "woodblock", "taiko_drum", "melodic_tom", "synth_drum", "reverse_cymbal",
    "guitar_fret_noise", "breath_noise", "seashore", "bird_tweet", "telephone_ring", "helicopter", "applause",
    "gunshot",
)
DRUM_KIT_WORDS = ("drum_kit", "drums", "kit")


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", str(text).lower()) if t]


def is_drum_kit(instrument: str) -> bool:
    """True for a drum-kit name such as ``drum_kit_acoustic`` or ``drums``."""
    name = "_".join(_tokens(instrument))
    return any(name == w or name.startswith(w + "_") for w in DRUM_KIT_WORDS)


def program_for(instrument: str) -> int | None:
    """The GM program of an instrument name: the exact GM name (any case, spaces or underscores), else the first
    GM name holding every word of it (``piano`` -> 0, ``steel guitar`` -> 25); None when nothing fits."""
    words = _tokens(instrument)
    if not words:
        return None
    name = "_".join(words)
    if name in PROGRAMS:
        return PROGRAMS.index(name)
    for program, gm in enumerate(PROGRAMS):
        if set(words) <= set(gm.split("_")):
            return program
    return None


def instrument_name(program: int) -> str:
    return PROGRAMS[program]
