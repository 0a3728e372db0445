"""Text and settings -> SongSpec: the offline planner (keyword presets)."""
from __future__ import annotations

import random

from stori.errors import StoriError, check_range
from stori.plan.genres import detect_genre
from stori.plan.words import emotion_from_text, instruments_from_text, key_from_text, meter_from_text, tempo_from_text
from stori.spec.constraints import emotion_to_constraints
from stori.spec.emotion import EmotionVector
from stori.spec.motif import TRANSFORMATIONS, Motif
from stori.spec.song_spec import SECTION_TYPES, SongSpec, parse_time_signature
from stori.theory import is_major, normalize_key, parse_key, roman_to_chord
from stori.trace import NULL_RECORDER, TraceRecorder, because

# How a section's emotion departs from the song's: the usual shape of a pop form.
SECTION_SHAPE: dict[str, dict[str, float]] = {
    "intro": {"energy": -0.2, "intimacy": 0.1, "motion": -0.1},
    "verse": {"energy": -0.1, "intimacy": 0.05},
    "pre_chorus": {"energy": 0.05, "tension": 0.15},
    "chorus": {"energy": 0.25, "valence": 0.15, "intimacy": -0.15, "motion": 0.15},
    "bridge": {"tension": 0.2, "valence": -0.15},
    "solo": {"energy": 0.1, "motion": 0.1},
    "break": {"energy": -0.3, "motion": -0.2},
    "outro": {"energy": -0.25, "tension": -0.2, "motion": -0.15},
}
PROGRESSIONS = {
    True: {"intro": ["I", "IV", "I", "V"], "verse": ["I", "vi", "IV", "V"], "pre_chorus": ["ii", "IV", "V", "V"],
           "chorus": ["IV", "I", "V", "vi"], "bridge": ["vi", "IV", "I", "V"], "outro": ["IV", "V", "I", "I"]},
    False: {"intro": ["i", "bVI", "i", "bVII"], "verse": ["i", "bVI", "bIII", "bVII"], "pre_chorus": ["iv", "bVI", "V", "V"],
            "chorus": ["bVI", "bVII", "i", "i"], "bridge": ["iv", "i", "bVI", "V"], "outro": ["bVI", "bVII", "i", "i"]},
}


def parse_structure(text: str) -> list[tuple[str, int]]:
    """``"intro:4,verse:8,chorus:8"`` -> ``[("intro", 4), ("verse", 8), ("chorus", 8)]``."""
    out = []
    for part in (p.strip() for p in str(text).split(",") if p.strip()):
        name, _, bars = part.partition(":")
        name = name.strip().lower().replace("-", "_").replace(" ", "_")
        if name == "prechorus":
            name = "pre_chorus"
        if name not in SECTION_TYPES:
            raise StoriError("structure", f"{name!r} is not a section type", ", ".join(SECTION_TYPES))
        try:
            n = int(bars)
        except ValueError:
            raise StoriError("structure", f"{part!r} has no bar count", "type:bars pairs such as 'verse:8'") from None
        if not 1 <= n <= 64:
            raise StoriError("structure", f"{part!r}: {n} bars", "1..64 bars per section")
        out.append((name, n))
    if not out:
        raise StoriError("structure", "is empty", "type:bars pairs such as 'intro:4,verse:8,chorus:8'")
    return out


def _seventh(numeral: str) -> str:
    """The diatonic seventh for a numeral: dominant on V and bVII, major on other major chords, minor on minor ones."""
    bare = numeral.lstrip("b#")
    if bare.islower():
        return "7"  # roman_to_chord turns a lowercase "7" into m7
    return "7" if bare in ("V", "VII") else "maj7"


def _behaviours(stype: str, ev: EmotionVector) -> dict[str, str]:
    drums = "tacet" if stype == "intro" and ev.energy < 0.3 else (
        "sparse" if ev.energy < 0.35 else ("driving" if ev.energy > 0.72 else ("build" if stype == "pre_chorus" else "steady")))
    bass = "sustained" if ev.energy < 0.3 else ("driving" if ev.energy > 0.75 else ("roots_fifths" if ev.motion > 0.5 else "roots"))
    harmony = "arpeggiated" if ev.intimacy > 0.6 else ("block" if ev.energy > 0.6 else "sustained")
    melody = "sparse" if stype in ("intro", "outro") else ("soaring" if stype == "chorus" else "lead")
    return {"drums": drums, "bass": bass, "harmony": harmony, "melody": melody}


def _design_motif(rng: random.Random, key: str) -> Motif:
    """A short scale-wise figure with one leap, on the tonic or third, in a singable register."""
    steps = [rng.choice([1, 2, 2, -1, -2]) for _ in range(rng.randint(3, 5))]
    steps[rng.randrange(len(steps))] = rng.choice([3, 4, 5, -3, -4])
    intervals = [0]
    for s in steps:
        intervals.append(intervals[-1] + s)
    rhythm = rng.choice([[1, 0.5, 0.5], [0.5, 0.5, 1], [1.5, 0.5, 1], [1, 1, 0.5, 0.5]])
    rhythm = (rhythm * 3)[: len(intervals)]
    tonic, _ = parse_key(key)
    return Motif("m1", intervals, rhythm, register=60 + (tonic + 7) % 12, emotional_role="identity",
                 anchor_degree=rng.choice([1, 3]), name="main theme", allowed_transformations=TRANSFORMATIONS)


def plan_song(prompt: str = "", *, emotion: dict | None = None, tempo: float | None = None, key: str | None = None,
              structure: str | None = None, time_signature: str | None = None, seed: int = 0,
              tracer: TraceRecorder = NULL_RECORDER) -> SongSpec:
    """Plan a song from a description; explicit arguments win over what the text says."""
    if not isinstance(prompt, str) or len(prompt) > 2000:
        raise StoriError("prompt", "is not text of at most 2000 characters", "a description up to 2000 characters")
    rng = random.Random(seed)
    genre = detect_genre(prompt)
    tracer.record("genre", "song", genre.name, [because("prompt", prompt[:80], f"keywords of {genre.name}", 1.0)],
                  alternatives=["pop", "rock", "hip-hop", "jazz", "ambient"], confidence=0.7,
                  principle="a genre sets form, tempo range, instrumentation and groove")
    base = EmotionVector(**genre.emotion)
    ev, words = emotion_from_text(prompt, base)
    if emotion:
        ev = EmotionVector.from_dict({a: v for a, v in emotion.items() if v is not None}, base=ev)
    tracer.record("global_emotion", "song", ev.to_dict(),
                  [because("emotion word", w, "pulls the song's emotion toward the word", 1 / max(1, len(words))) for w in words]
                  + [because(a, v, "set by the musician", 1.0) for a, v in (emotion or {}).items() if v is not None],
                  confidence=0.75, principle="emotion words are points in a five-axis space; the song starts at their centre")

    tempo = check_range("tempo", tempo, 40, 240) if tempo is not None else (tempo_from_text(prompt) or
             round(genre.tempo[0] + (genre.tempo[1] - genre.tempo[0]) * (0.3 + 0.5 * ev.energy * 0.7 + 0.2 * ev.motion)))
    tempo = check_range("tempo", tempo, 40, 240)
    key = normalize_key(key) if key else (key_from_text(prompt) or f"{rng.choice(['C', 'D', 'E', 'F', 'G', 'A', 'Bb'])} "
                                            f"{'minor' if ev.valence < -0.15 or (genre.mode == 'minor' and ev.valence < 0.3) else 'major'}")
    key = normalize_key(key)
    meter = time_signature or meter_from_text(prompt) or genre.meter
    ts = parse_time_signature(meter)
    tracer.record("tempo_key_meter", "song", {"tempo": tempo, "key": key, "time_signature": meter},
                  [because("genre", genre.name, f"tempo range {genre.tempo[0]}-{genre.tempo[1]}", 0.5),
                   because("energy", ev.energy, "higher energy, faster tempo", 0.3),
                   because("valence", ev.valence, "negative valence favours minor", 0.2)],
                  confidence=0.6, principle="tempo carries arousal; mode carries valence")

    form = parse_structure(structure) if structure else list(genre.structure)
    major = is_major(key)
    counts: dict[str, int] = {}
    sections = []
    for i, (stype, bars) in enumerate(form):
        counts[stype] = counts.get(stype, 0) + 1
        sid = stype if form.count((stype, bars)) == 1 and sum(1 for t, _ in form if t == stype) == 1 else f"{stype}{counts[stype]}"
        shape = dict(SECTION_SHAPE.get(stype, {}))
        if stype == "chorus" and counts[stype] == sum(1 for t, _ in form if t == "chorus") and counts[stype] > 1:
            shape["energy"] = shape.get("energy", 0) + 0.1  # the last chorus lifts
        sev = ev.shifted(shape)
        prog = PROGRESSIONS[major].get(stype, PROGRESSIONS[major]["verse"])
        c = emotion_to_constraints(sev, stype)
        chords = [roman_to_chord(r + (_seventh(r) if c.chord_extensions >= 1 else ""), key) for r in prog]
        tracer.record("section_plan", f"section:{sid}", {"type": stype, "bars": bars, "emotion": sev.to_dict(), "chords": chords},
                      [because(a, round(d, 2), f"{stype} shifts {a}", 0.5) for a, d in shape.items()]
                      + [because("mode", "major" if major else "minor", "progression family", 0.3)],
                      alternatives=[PROGRESSIONS[not major].get(stype, [])], confidence=0.6,
                      principle="sections contrast by energy while sharing the key and the theme")
        sections.append({"id": sid, "type": stype, "bars": bars, "emotion": sev.to_dict(), "chords": chords,
                         "motif_usage": [], "entry_state": {}, "exit_state": {}, "track_behaviours": _behaviours(stype, sev)})

    motif = _design_motif(rng, key)
    usage_by_type = {"verse": [], "chorus": ["register_shift"] if "soar" in prompt.lower() else [],
                     "bridge": ["invert"], "outro": ["rhythmic_expand"], "intro": ["rhythmic_expand"]}
    for s in sections:
        if s["type"] in usage_by_type and s["bars"] * ts[0] >= motif.duration * (2 if "rhythmic_expand" in usage_by_type[s["type"]] else 1):
            s["motif_usage"].append({"motif": motif.id, "bar": 1, "beat": 1, "transformations": usage_by_type[s["type"]], "track": "melody"})
    tracer.record("motif", f"motif:{motif.id}", {"intervals": list(motif.intervals), "rhythm": list(motif.rhythm)},
                  [because("seed", seed, "chooses the contour and rhythm", 1.0)], confidence=0.5,
                  principle="one short, recognisable figure ties the sections together")

    named = instruments_from_text(prompt)
    tracks = []
    for channel, role in ((10, "drums"), (2, "bass"), (3, "harmony"), (4, "melody")):
        name, program = named.get(role, genre.instruments[role])
        tracks.append({"name": name, "role": role, "program": program, "channel": channel, "instrument": name.lower()})
        tracer.record("instrument", f"track:{role}", {"name": name, "program": program},
                      [because("prompt" if role in named else "genre", name if role in named else genre.name,
                               "named by the musician" if role in named else "the genre's usual instrument", 1.0)],
                      confidence=0.9 if role in named else 0.6, principle="each role gets one clear timbre")

    spec = SongSpec.from_dict({
        "rms_version": "2.0", "title": (prompt.strip().split(",")[0][:60] or "Untitled").capitalize(), "genre": genre.name,
        "tempo": tempo, "key": key, "time_signature": f"{ts[0]}/{ts[1]}", "global_emotion": ev.to_dict(),
        "motifs": [{"id": motif.id, "name": motif.name, "intervals": list(motif.intervals), "rhythm": list(motif.rhythm),
                    "register": motif.register, "emotional_role": motif.emotional_role, "anchor_degree": motif.anchor_degree,
                    "allowed_transformations": list(motif.allowed_transformations)}],
        "sections": sections, "tracks": tracks, "drum_style": genre.drum_style, "prompt": prompt,
    })
    return spec

