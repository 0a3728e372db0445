"""``python -m stori fidelity``: does the model do what it is asked, and is all it makes valid?

Requests are real test-split windows (POP909 sections for the pitched parts, a GMD test beat for
the drums): their measured note density, mean velocity and mean pitch are asked for, with their
chords, key, tempo and section type. Reported: Spearman correlation between requested and
achieved values per role; validity of every generated section (MIDI written and read back,
drums on kit pitches only, every role inside its range); the melody's chord-tone ratio on strong
beats beside the real test melodies' ratio on the same windows.
"""
from __future__ import annotations

import random
import time

import numpy as np
from scipy.stats import spearmanr

from stori.console import print_result
from stori.data.attributes import chord_tone_counts
from stori.data.drum_kit import KIT_PITCHES
from stori.errors import StoriError
from stori.model.conditioning import measure
from stori.model.dataset import windows
from stori.model.generator import Request, load_generator
from stori.model.sampling import Sampling
from stori.model.tokens import SECTIONS, TICKS_PER_BAR
from stori.spec.arrange import ROLE_RANGES
from stori.spec.song import DRUM_CHANNEL, PPQ, SectionSpan, Song, Track

CONTROLLED = ("density", "velocity", "pitch")


def add_arguments(p) -> None:
    p.add_argument("--sections", type=int, default=500, help="sections to generate (default 500)")
    p.add_argument("--batch", type=int, default=8, help="sections decoded together")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", help="checkpoint (default: the shipped one)")
    p.add_argument("--data-dir", help="dataset root (default ../shared/data)")
    p.add_argument("--no-steer", action="store_true", help="ablation: no per-bar density budget while decoding")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def test_sections(n: int, seed: int, data_dir=None) -> list[list[tuple[Request, object]]]:
    """``n`` sections, each a list of (request, real window): POP909 roles plus one GMD beat."""
    from stori.data.gmd import load_gmd_sections
    from stori.data.pop909 import load_pop909_sections

    rng = random.Random(seed)
    pop = [s for s in load_pop909_sections("test", data_dir) if tuple(s.time_signature) == (4, 4)]
    drums = [w for s in load_gmd_sections("test", data_dir, bars=8) for w in windows(s)]
    groups = {}
    for s in pop:
        for w in windows(s):
            groups.setdefault((id(s), w.first_bar), []).append(w)
    groups = list(groups.values())
    rng.shuffle(groups)
    out = []
    for ws in groups[:n]:
        d = rng.choice(drums)
        section = []
        for w in ws + [d]:
            m = measure(w.notes, w.n_bars, w.chords)
            s = w.sample
            section.append((Request(w.role, w.n_bars if w.role != "drums" else ws[0].n_bars,
                                    {a: m[a] for a in CONTROLLED if not (w.role == "drums" and a == "pitch")},
                                    key=s.key, tempo=s.tempo, style=s.style,
                                    section=s.section_type if s.section_type in SECTIONS else "other",
                                    chords=w.chords), w))
        out.append(section)
    if len(out) < n:
        raise StoriError("sections", f"only {len(out)} test sections exist", f"1..{len(out)}")
    return out


def check_valid(section: list[tuple[Request, list]]) -> list[str]:
    """Problems of one generated section: MIDI round trip, kit, ranges."""
    from stori.render.midi import midi_bytes, midi_to_song

    problems = []
    n_bars = max(r.n_bars for r, _ in section)
    tracks = [Track(r.role, r.role, 0, DRUM_CHANNEL if r.role == "drums" else i + 1, list(notes))
              for i, (r, notes) in enumerate(section)]
    song = Song(tracks, [SectionSpan("s", "verse", 0, n_bars * TICKS_PER_BAR)], 120.0)
    back = midi_to_song(midi_bytes(song))
    if sum(len(t.notes) for t in back.tracks) != sum(len(t.notes) for t in tracks):
        problems.append("MIDI round trip lost notes")
    for t in tracks:
        if t.role == "drums":
            if any(n.pitch not in KIT_PITCHES for n in t.notes):
                problems.append("drum pitch off the kit")
        elif any(not ROLE_RANGES[t.role][0] <= n.pitch <= ROLE_RANGES[t.role][1] for n in t.notes):
            problems.append(f"{t.role} out of range")
        if any(n.end <= n.start or n.start >= n_bars * TICKS_PER_BAR for n in t.notes):
            problems.append(f"{t.role} note outside the section")
    return problems


def run(args) -> int:
    gen = load_generator(args.model)
    t0 = time.perf_counter()
    sections = test_sections(args.sections, args.seed, args.data_dir)
    requested = {}
    achieved = {}
    problems, errors = [], 0
    tones = {"generated": [0, 0], "real": [0, 0]}
    for b in range(0, len(sections), args.batch):
        batch = sections[b:b + args.batch]
        reqs = [r for sec in batch for r, _ in sec]
        try:
            notes, _ = gen.generate(reqs, seed=args.seed + b, sampling=Sampling(steer=not args.no_steer))
        except Exception as e:  # a decoding error is what this command counts
            errors += len(batch)
            problems.append(f"decoding error: {e}")
            continue
        k = 0
        for sec in batch:
            made = []
            for r, w in sec:
                ns = notes[k]
                k += 1
                made.append((r, ns))
                m = measure(ns, r.n_bars, r.chords)
                for a in CONTROLLED:
                    if a in r.targets:
                        requested.setdefault((r.role, a), []).append(r.targets[a])
                        achieved.setdefault((r.role, a), []).append(m[a])
                if r.role == "melody":
                    for name, src in (("generated", ns), ("real", w.notes)):
                        _, _, st, sn = chord_tone_counts(src, r.chords, TICKS_PER_BAR, PPQ)
                        tones[name][0] += st
                        tones[name][1] += sn
            problems += check_valid(made)
    rho = {f"{role}/{a}": round(float(spearmanr(requested[(role, a)], achieved[(role, a)])[0]), 3)
           for (role, a) in sorted(requested)}
    per_attr = {a: round(float(np.mean([v for k, v in rho.items() if k.endswith("/" + a)])), 3) for a in CONTROLLED}
    result = {
        "sections": len(sections), "streams": sum(len(s) for s in sections), "decoding_errors": errors,
        "invalid_sections": len(problems), "problems": sorted(set(problems))[:10],
        "spearman": rho, "spearman_mean_over_roles": per_attr,
        "melody_strong_chord_tone_ratio": round(tones["generated"][0] / max(1, tones["generated"][1]), 3),
        "pop909_test_strong_chord_tone_ratio": round(tones["real"][0] / max(1, tones["real"][1]), 3),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    print_result(result, args.json)
    return 0
