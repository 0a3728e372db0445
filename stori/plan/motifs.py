"""Motif design (one to three figures for the song) and where the arc places them.

Motifs are drawn in scale degrees of the song's key and stored as semitone offsets, so each one is
diatonic where it is stated untransformed. ``m1`` (the identity) is always made; ``m2`` (an answer,
falling and longer) when the form has room for verses of eight bars or more; ``m3`` (a rising lift)
when there is a pre-chorus.
"""
from __future__ import annotations

import random

from stori.spec.emotion import EmotionVector
from stori.spec.motif import TRANSFORMATIONS, Motif, apply_transformation
from stori.theory import scale_pitch_classes
from stori.trace import TraceRecorder, because

RHYTHMS = {
    4.0: ([1, 0.5, 0.5, 1, 1], [1.5, 0.5, 1, 1], [0.5, 0.5, 1, 0.5, 0.5, 1], [1, 1, 0.5, 0.5, 1], [1, 0.5, 0.5, 2]),
    3.0: ([1, 0.5, 0.5, 1], [1.5, 0.5, 1], [1, 1, 1], [0.5, 0.5, 1, 1]),
}


def _semitones(key: str, anchor_degree: int, degrees: list[int]) -> list[int]:
    """Scale-degree offsets from the anchor degree -> semitone offsets from the anchor note."""
    tonic = scale_pitch_classes(key)[0]
    rel = [(pc - tonic) % 12 for pc in scale_pitch_classes(key)]

    def pitch(index: int) -> int:
        octave, step = divmod(index, 7)
        return rel[step] + 12 * octave

    a = anchor_degree - 1
    return [pitch(a + d) - pitch(a) for d in degrees]


def _register(key: str, ev: EmotionVector) -> int:
    """A singable anchor register: around A4, higher for bright, energetic songs (the figure sits in
    the melody it is stated in: ``register_center`` of :mod:`stori.spec.constraints`)."""
    return int(round(68 + 3 * ev.energy + 2 * ev.valence))


def design_motifs(rng: random.Random, key: str, ev: EmotionVector, sections: list[dict], tracer: TraceRecorder,
                  bar_beats: float = 4.0) -> list[dict]:
    cells = RHYTHMS[4.0 if bar_beats >= 4 else 3.0]
    rhythm = list(rng.choice(cells))
    n = len(rhythm)
    up = 1 if ev.valence >= 0 else -1
    steps = [rng.choice([1, 1, 2, -1]) * up for _ in range(n - 1)]
    if ev.tension > 0.35 or rng.random() < 0.5:
        steps[rng.randrange(len(steps))] = rng.choice([3, 4, -3]) * up  # one leap: a figure needs a shape
    degrees = [0]
    for s in steps:
        degrees.append(degrees[-1] + s)
    anchor = rng.choice([1, 3, 5]) if ev.valence >= 0 else rng.choice([1, 5])
    motifs = [{"id": "m1", "name": "main theme", "intervals": _semitones(key, anchor, degrees), "rhythm": rhythm,
               "register": _register(key, ev), "emotional_role": "identity", "anchor_degree": anchor,
               "allowed_transformations": list(TRANSFORMATIONS)}]
    reasons = [because("valence", ev.valence, "rising contour when positive, falling when negative", 0.5),
               because("tension", ev.tension, "tension asks for a leap in the figure", 0.3),
               because("seed", "rng", "chooses among the rhythm cells and steps", 0.2)]
    long_verse = any(s["type"] == "verse" and s["bars"] >= 8 for s in sections)
    if long_verse:
        motifs.append({"id": "m2", "name": "answer", "intervals": _semitones(key, 5, [0, -1, -2, -4]),
                       "rhythm": [1.5, 0.5, 1, 1] if bar_beats >= 4 else [1, 1, 1, 0.5][:3] + [0.5],
                       "register": _register(key, ev), "emotional_role": "answer", "anchor_degree": 5,
                       "allowed_transformations": ["transpose", "register_shift", "rhythmic_expand", "simplify"]})
    if any(s["type"] == "pre_chorus" for s in sections):
        motifs.append({"id": "m3", "name": "lift", "intervals": _semitones(key, 3, [0, 0, 1, 2, 4]),
                       "rhythm": [0.5, 0.5, 0.5, 0.5, 2] if bar_beats >= 4 else [0.5, 0.5, 0.5, 0.5, 1],
                       "register": _register(key, ev), "emotional_role": "lift", "anchor_degree": 3,
                       "allowed_transformations": ["transpose", "register_shift", "rhythmic_compress", "intensify"]})
    for m in motifs:
        tracer.record("motif", f"motif:{m['id']}",
                      {"name": m["name"], "intervals": m["intervals"], "rhythm": m["rhythm"],
                       "anchor_degree": m["anchor_degree"]},
                      reasons if m["id"] == "m1" else [
                          because("form", "verse of 8+ bars" if m["id"] == "m2" else "pre-chorus",
                                  "has room for a second figure", 1.0)],
                      confidence=0.5, principle="a short, recognisable figure ties the sections together; "
                      "answers and lifts give the verse and the pre-chorus their own shape")
    return motifs


def motif_usages(motifs: list[dict], sections: list[dict], ts: tuple[int, int], prompt: str,
                 tracer: TraceRecorder) -> None:
    """Write ``motif_usage`` into each section the arc calls for (only where the figure fits)."""
    have = {m["id"]: Motif(m["id"], m["intervals"], m["rhythm"], m["register"],
                           allowed_transformations=m["allowed_transformations"])
            for m in motifs}
    bar_beats = 4.0 * ts[0] / ts[1]
    soar = "soar" in prompt.lower()
    for s in sections:
        st, bars = s["type"], s["bars"]
        plan: list[tuple[str, int, list]] = []
        if st == "intro":
            plan = [("m1", 1, ["rhythmic_expand"])]
        elif st == "verse":
            plan = [("m1", 1, [])] + ([("m2", 5, [])] if "m2" in have and bars >= 8 else [])
        elif st == "pre_chorus":
            plan = [("m3", 1, [])] if "m3" in have else [("m1", 1, [{"type": "transpose", "amount": 2}])]
        elif st == "chorus":
            lift = [{"type": "register_shift",
                     "amount": 1}] if soar or s["track_behaviours"].get("melody") == "soaring" else []
            plan = [("m1", 1, lift)] + ([("m1", 5, ["intensify"])] if bars >= 8 else [])
        elif st == "bridge":
            plan = [("m1", 1, ["invert"])]
        elif st == "outro":
            plan = [("m1", 1, ["simplify", "rhythmic_expand"])]
        for mid, bar, trans in plan:
            m = have[mid]
            for t in trans:
                m = apply_transformation(m, t)
            if (bar - 1) * bar_beats + m.duration > bars * bar_beats:
                continue
            s["motif_usage"].append({"motif": mid, "bar": bar, "beat": 1, "transformations": trans, "track": "melody"})
            names = [t if isinstance(t, str) else t["type"] for t in trans]
            tracer.record("motif_usage", f"section:{s['id']}/melody",
                          {"motif": mid, "bar": bar, "transformations": names},
                          [because("section_type", st,
                                   f"a {st} states the {mid} figure"
                                   + (f", {', '.join(names)}" if names else " as written"), 0.7)]
                          + ([because("prompt", "soars", "the chorus lifts the theme an octave",
                                      0.3)] if "register_shift" in names else []),
                          confidence=0.7, principle="a theme returns changed: higher when the song opens up, inverted "
                          "in the bridge for contrast, slowed in the intro and outro")
