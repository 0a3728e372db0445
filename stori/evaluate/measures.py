"""What a section of a generated song measures: the features the emotion axes are meant to move."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from stori.data.attributes import NAN, mean_or_nan, section_attributes
from stori.data.samples import SectionSample
from stori.spec.song import PPQ, Note, bar_ticks
from stori.theory import key_correlations, major_lean, parse_chord, parse_key, scale_pitch_classes


def _weights(notes: Sequence[Note]) -> list[float]:
    """The notes' pitch classes weighted by how long they sound."""
    weights = [0.0] * 12
    for n in notes:
        weights[n.pitch % 12] += n.end - n.start
    return weights


def estimated_key(notes: Sequence[Note]) -> tuple[int, str] | None:
    """Krumhansl-Schmuckler key finding on duration-weighted pitch classes: (tonic pc, mode)."""
    r = key_correlations(_weights(notes))
    return max(r, key=r.get) if r else None


def mode_strength(notes: Sequence[Note]) -> float:
    """How major the notes sound (:func:`~stori.theory.major_lean` of their duration-weighted pitch
    classes; > 0 major, < 0 minor, the size how clearly)."""
    lean = major_lean(_weights(notes))
    return NAN if lean is None else lean


def _part_syncopation(sample: SectionSample, tpb: int, n_bars: int) -> float:
    """Syncopation of each pitched part on its own (the model's per-part measure), pooled over the
    parts' onsets: a melody that anticipates its own empty beat is heard over a bass on the beat."""
    synco = onsets = 0.0
    for role, notes in sample.notes.items():
        if role != "drums" and notes:
            n = len({x.start for x in notes})
            value = section_attributes(notes, n_bars, tpb).syncopation
            synco, onsets = synco + (0.0 if value != value else value) * n, onsets + n
    return synco / onsets if onsets else NAN


def _parts_per_bar(sample: SectionSample, tpb: int, n_bars: int) -> float:
    """Parts sounding, averaged over the section's bars: a part resting a whole bar is not heard there."""
    heard = [sum(1 for notes in sample.notes.values() if any(n.start < (b + 1) * tpb and n.end > b * tpb
                                                            for n in notes)) for b in range(n_bars)]
    return float(np.mean(heard))


def _register_spread(sample: SectionSample, tpb: int, n_bars: int) -> float:
    """Semitones between the lowest and the highest pitched part sounding together (each part's mean
    pitch in the bar), averaged over the section's bars: how far apart the band's outer parts sit; a
    part in between, or one that plays more notes, leaves it as it is, and a part resting a bar is not there."""
    spans = []
    for b in range(n_bars):
        means = [np.mean(heard) for role, notes in sample.notes.items() if role != "drums"
                 for heard in [[n.pitch for n in notes if n.start < (b + 1) * tpb and n.end > b * tpb]] if heard]
        if means:
            spans.append(max(means) - min(means))
    return float(np.mean(spans)) if spans else NAN


def _chords(sample: SectionSample) -> list[tuple[int, tuple[int, ...]]]:
    """The section's chords as (root, pitch classes), "N" left out."""
    out = []
    for _, symbol in sample.chords:
        root, pcs, _ = parse_chord(symbol)
        if root >= 0:
            out.append((root, pcs))
    return out


def _rising(melody: Sequence[Note]) -> float:
    """Share of the melody's moves (successive onsets' top notes, repeats left out) that go up."""
    tops: dict[int, int] = {}
    for n in melody:
        tops[n.start] = max(tops.get(n.start, 0), n.pitch)
    steps = np.diff([tops[t] for t in sorted(tops)])
    steps = steps[steps != 0]
    return float((steps > 0).mean()) if len(steps) else NAN


def _last_pitch_class(notes: Sequence[Note]) -> int | None:
    """The pitch class of a part's last note (the lowest of its last onset)."""
    if not notes:
        return None
    last = max(n.start for n in notes)
    return min(n.pitch for n in notes if n.start == last) % 12


def _unresolved(sample: SectionSample, chords: list[tuple[int, tuple[int, ...]]], tonic: int) -> float:
    """How open the section's ending is: the share of its three closing cues away from home - the last
    chord's root, the bass's last note and the melody's last note not the tonic (a melody ending on the
    tonic chord's third or fifth is an imperfect close). A part that is silent gives no cue."""
    cues = [_last_pitch_class(sample.notes.get(role, [])) for role in ("bass", "melody")]
    cues = ([chords[-1][0]] if chords else []) + [pc for pc in cues if pc is not None]
    return mean_or_nan(pc != tonic for pc in cues)


def _single_onsets(notes: Sequence[Note]) -> float:
    """Share of a part's onsets that sound one note alone (arpeggiated or broken, not struck chords)."""
    per_onset: dict[int, int] = {}
    for n in notes:
        per_onset[n.start] = per_onset.get(n.start, 0) + 1
    return float(np.mean([c == 1 for c in per_onset.values()])) if per_onset else NAN


def section_measures(sample: SectionSample) -> dict[str, float]:
    """Measured features of one section (the cues of each emotion axis; POP909, the reference, has
    no drums, so all but ``drum_activity`` and ``active_tracks`` are measured on the pitched tracks;
    with drums on every beat no pitched anticipation would count as syncopated):

    - note density and mean velocity of all pitched notes, the melody's mean pitch and
      non-chord-tone rate (all as :mod:`stori.data.attributes` defines them); onsets per quarter
      note; mean note length in quarter notes; dynamic range (velocity p90 minus p10);
    - ``major``: mode strength (:func:`mode_strength`: > 0 major, < 0 minor; a 0/1 mode ties whole
      sweep levels); ``tempo`` in BPM;
    - ``active_tracks``: parts heard per bar, drums included (a part resting a whole bar is left out
      there, so a part that plays half the section counts a half); ``register_spread``: semitones between
      the lowest and the highest pitched part sounding in a bar, averaged over the bars (:func:`_register_spread`);
      ``solo_focus``: the melody's share of pitched notes;
    - ``syncopation``: each pitched part's syncopation (:mod:`stori.data.attributes`) pooled over the
      parts' onsets (:func:`_part_syncopation`);
    - ``rising``: share of the melody's moves that go up (contour direction);
    - ``major_chords``: share of the section's chords with a major third over the root (chord colour);
    - ``suspensions``: share of chords without a third (sus2/sus4) or with a 9th/11th held over;
    - ``chromatic``: share of pitched notes outside the key's scale;
    - ``unresolved``: how open the ending is (:func:`_unresolved`): the share of the last chord's root,
      the bass's last note and the melody's last note that are not the tonic (0 a perfect close on the
      tonic, 1/3 the melody on the third or fifth above it, 1 a half cadence; a 0/1 chord alone tied
      whole sweep levels);
    - ``arpeggiation``: share of the harmony's onsets sounding a single note;
    - ``drum_activity``: drum hits per bar.
    """
    tpb = bar_ticks(sample.time_signature)
    n_bars = max(1, sample.n_bars)
    pitched = [n for role, notes in sample.notes.items() if role != "drums" for n in notes]
    melody = sample.notes.get("melody", [])
    whole = section_attributes(pitched, n_bars, tpb)
    lead = section_attributes(melody, n_bars, tpb, sample.chords or None)
    velocities = [n.velocity for n in pitched]
    chords = _chords(sample)
    tonic, _ = parse_key(sample.key)
    scale = set(scale_pitch_classes(sample.key))
    drums = sample.notes.get("drums", [])
    return {
        "note_density": whole.note_density,
        "velocity": whole.mean_velocity,
        "syncopation": _part_syncopation(sample, tpb, n_bars),
        "register": lead.mean_pitch,
        "major": mode_strength(pitched),
        "non_chord_tone_rate": 1.0 - lead.chord_tone_ratio,
        "onset_rate": len({n.start for n in pitched}) / (n_bars * tpb / PPQ),
        "note_length": whole.mean_duration,
        "active_tracks": _parts_per_bar(sample, tpb, n_bars),
        "dynamic_range": float(np.percentile(velocities, 90) - np.percentile(velocities, 10)) if velocities else NAN,
        "tempo": float(sample.tempo),
        "register_spread": _register_spread(sample, tpb, n_bars),
        "solo_focus": len(melody) / len(pitched) if pitched else NAN,
        "rising": _rising(melody),
        "major_chords": mean_or_nan((root + 4) % 12 in pcs for root, pcs in chords),
        "suspensions": mean_or_nan((root + 3) % 12 not in pcs and (root + 4) % 12 not in pcs
                                    or (root + 2) % 12 in pcs or (root + 5) % 12 in pcs for root, pcs in chords),
        "chromatic": mean_or_nan(n.pitch % 12 not in scale for n in pitched),
        "unresolved": _unresolved(sample, chords, tonic),
        "arpeggiation": _single_onsets(sample.notes.get("harmony", [])),
        "drum_activity": len(drums) / n_bars if "drums" in sample.notes else NAN,
    }
