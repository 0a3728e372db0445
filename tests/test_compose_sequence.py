"""Sequential section-local composition: motifs heard, chorus above verse, critic passes traced, engine-agnostic."""
from statistics import fmean

import pytest

from stori.compose import compose
from stori.compose.baseline import compose_baseline
from stori.compose.critic import DIMENSIONS, score_song
from stori.compose.diff import section_stats, sections_identical
from stori.compose.ensemble import lock_bass_to_kick, motif_places, state_thirds
from stori.compose.sequence import compose_sections
from stori.pipeline import generate
from stori.plan import plan_song
from stori.spec.song import Note
from stori.trace import TraceRecorder
from tests.conftest import SEED_PROMPT

PROMPT = SEED_PROMPT


@pytest.fixture(scope="module")
def song():
    return generate(PROMPT, seed=0)


def test_main_motif_recognised_in_90_percent_of_declared_places(song):
    places = motif_places(song.spec, song)
    main = [p for p in places if p[1] == "m1"]
    assert len(main) >= 7
    assert sum(p[3] for p in main) / len(main) >= 0.9


def test_chorus_louder_denser_higher_than_verse():
    rows = {"verse": [], "chorus": []}
    for seed in (0, 1):
        s = generate(PROMPT, seed=seed, trace=False)
        for span in s.sections:
            if span.type in rows:
                rows[span.type].append(section_stats(s, span))

    def diff(role, key):
        return fmean(r[role][key] for r in rows["chorus"]) - fmean(r[role][key] for r in rows["verse"])
    # POP909 (stori data-report): melody pitch +3.1, melody velocity +4.4, all-parts density +3.9 notes/bar
    assert 1.0 < diff("melody", "mean_pitch") < 12
    assert diff("all", "mean_velocity") > 2 and diff("melody", "notes_per_bar") > 0 and diff("all", "notes_per_bar") > 0


def test_critic_scores_and_refinement_passes_are_traced(song):
    scores = score_song(song)
    assert set(scores) == {s.id for s in song.spec.sections}
    assert all(0 <= v <= 1 for sc in scores.values() for v in sc.values())
    assert set(next(iter(scores.values()))) == set(DIMENSIONS)
    passes = [t for t in song.traces if t["decision_type"] == "refinement_target"]
    assert passes and all(t["decision"]["dimension"] in DIMENSIONS for t in passes)
    per_section = {}
    for t in passes:
        per_section[t["target"]] = per_section.get(t["target"], 0) + 1
    assert max(per_section.values()) <= 3


def test_transition_repairs_are_traced(song):
    repairs = [t for t in song.traces if t["decision_type"] == "transition_repair"]
    assert repairs and all(t["decision"]["repairs"] for t in repairs)


def test_bass_locks_to_kick():
    bass, moved = lock_bass_to_kick([Note(40, 100, 900, 80), Note(40, 1920, 2400, 80), Note(40, 3840, 4400, 80)],
                                    [Note(36, 0, 120, 90), Note(36, 1920, 2000, 90), Note(36, 3720, 3800, 90)],
                                    1920)
    assert moved == 1 and bass[0].start == 0 and bass[1].start == 1920
    assert bass[2].start == 3840  # beat 1 stays where the kick is pushed ahead of the bar


def test_a_chord_without_its_third_gets_it_and_a_minor_song_sounds_minor():
    fifths = [Note(50, 0, 480, 80), Note(57, 0, 480, 80), Note(62, 480, 960, 80), Note(57, 480, 960, 80)]
    voiced, moved = state_thirds(fifths, [(0, "Dm")], 1920)
    assert moved >= 1 and any(n.pitch % 12 == 5 for n in voiced)  # F, the minor third
    assert len(voiced) == len(fifths) and {n.start for n in voiced} == {n.start for n in fifths}
    with_third = [Note(50, 0, 480, 80), Note(53, 0, 480, 80)]
    assert state_thirds(with_third, [(0, "Dm")], 1920) == (with_third, 0)

    from stori.evaluate.measures import estimated_key

    song = generate("a song", emotion={"energy": 0.2, "valence": -0.7}, seed=0, trace=False)
    assert song.spec.key.endswith("minor")
    assert estimated_key([n for t in song.tracks if not t.is_drums for n in t.notes])[1] == "minor"


def test_only_asked_sections_change_even_if_an_engine_plays_more():
    spec = plan_song("a pop song", structure="verse:4,chorus:4,bridge:4", seed=2)
    base = compose(spec, "baseline", seed=2)

    def plain_engine(spec, seed=0, tracer=None, sections=None, roles=None):  # ignores what it is asked for
        return compose_baseline(spec, seed=seed + 1)
    spec2 = spec.copy()
    spec2.section("bridge").emotion = spec2.section("bridge").emotion.shifted({"energy": 0.3})
    new = compose_sections(spec2, plain_engine, seed=2, tracer=TraceRecorder(), sections={"bridge"}, base=base)
    assert sections_identical(base, new, "verse") and sections_identical(base, new, "chorus")
    assert not sections_identical(base, new, "bridge")


def test_same_seed_same_song():
    a, b = generate(PROMPT, seed=3, trace=False), generate(PROMPT, seed=3, trace=False)
    assert [t.notes for t in a.tracks] == [t.notes for t in b.tracks]


def test_the_critics_velocity_reshape_keeps_the_lead_above_the_band():
    """Re-shaping a section's velocities keeps each part's level (the melody's up to the lead's
    velocity) and narrows only a spread wider than the band: the lead stays on top."""
    from dataclasses import replace

    from stori.compose.sequence import _expression
    from stori.spec.constraints import emotion_to_constraints

    spec = plan_song(PROMPT, seed=0)
    song = compose_baseline(spec, seed=0)
    s = spec.sections[1]
    span, c = song.section(s.id), emotion_to_constraints(s.emotion, s)
    lead, comp = round(c.lead_velocity), round(c.velocity_floor + 0.6 * (c.velocity_ceiling - c.velocity_floor))
    for t in song.tracks:
        if t.role in ("melody", "harmony"):
            level = lead if t.role == "melody" else comp
            t.notes = [replace(n, velocity=level + (6 if k % 2 else -6)) if span.start <= n.start < span.end else n
                       for k, n in enumerate(t.notes)]
    _expression(song, s.id, TraceRecorder())
    inside = {r: [n.velocity for n in song.notes_in(song.track(r), span)] for r in ("melody", "harmony")}
    assert c.lead_velocity > c.velocity_ceiling
    assert abs(fmean(inside["melody"]) - lead) <= 1  # the lead kept its place, not pinned to the floor
    assert fmean(inside["melody"]) - fmean(inside["harmony"]) >= 0.4 * (c.velocity_ceiling - c.velocity_floor) - 1
    assert max(inside["melody"]) - min(inside["melody"]) <= c.velocity_ceiling - c.velocity_floor
