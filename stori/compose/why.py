"""Answers to "why?" questions about a section or a part, built from the song's traces and measured notes."""
from __future__ import annotations

from stori.compose.chat import PART_WORDS, RefinementCommand, resolve_sections, sections_named
from stori.compose.diff import section_stats
from stori.spec.constraints import emotion_to_constraints
from stori.theory import midi_name

# aspect: (words, the constraint field that drives it, the measure, the trace kinds that explain it)
ASPECTS = {
    "register": (("higher", "lower", "high", "low", "register", "pitch"), "register_center", "mean_pitch",
                 ("section_emotion", "motif_usage", "track_behaviours")),
    "loudness": (("louder", "quieter", "softer", "loud", "quiet", "soft", "velocity", "dynamics"), "velocity_ceiling",
                 "mean_velocity", ("section_emotion", "transition_repair")),
    "density": (("busier", "denser", "sparser", "busy", "dense", "sparse", "more notes", "fewer notes", "empty"),
                "note_density",
                "notes_per_bar", ("track_behaviours", "section_emotion", "refinement_target")),
    "chords": (("chord", "chords", "harmony", "progression"), "chord_extensions", None,
               ("chord_progression", "refinement")),
    "drums": (("drum", "drums", "beat", "groove", "fill"), "drum_density", "notes_per_bar",
              ("track_behaviours", "transition_repair", "pattern")),
    "motif": (("motif", "theme", "figure", "melody come back", "tune"), "register_center", None,
              ("motif_usage", "motif", "motif_forced")),
    "tempo": (("tempo", "faster", "slower", "fast", "slow", "bpm"), None, None, ("tempo_key_meter", "refinement")),
}


def _aspect(q: str) -> str:
    for name, (words, *_rest) in ASPECTS.items():
        if any(w in q for w in words) and name not in ("drums",):
            return name
    return "drums" if any(w in q for w in ASPECTS["drums"][0]) else "register"


def answer_why(song, question: str) -> str:
    q = question.lower()
    spec = song.spec
    pairs = [(s.id, s.type) for s in spec.sections]
    said = sections_named(q.replace("pre-chorus", "prechorus"))
    targets = resolve_sections(RefinementCommand(text=q, sections=said[:1]), pairs) if said else []
    aspect = _aspect(q)
    if aspect == "tempo":
        tr = [t for t in song.traces if t["decision_type"] in ASPECTS["tempo"][3]]
        return _format(question, [f"The song runs at {song.tempo:g} BPM."], tr[-2:])
    if not targets:
        targets = [spec.sections[0].id]
    sid = targets[0]
    s = spec.section(sid)
    others = [x for x in spec.sections if x.id != sid]
    ref_ids = resolve_sections(RefinementCommand(text=q, sections=said[1:2]), pairs) if len(said) > 1 else \
        [x.id for x in others if x.type == "verse"][:1] or [x.id for x in others][:1]
    role = next((PART_WORDS[w] for w in sorted(PART_WORDS, key=len, reverse=True) if w in q), None)
    role = role or ("drums" if aspect == "drums" else "melody" if aspect in ("register", "motif") else "all")
    facts = []
    _, field, measure, kinds = ASPECTS[aspect]
    if measure and ref_ids:
        ref = spec.section(ref_ids[0])
        a = section_stats(song, song.section(sid)).get(role, {}).get(measure)
        b = section_stats(song, song.section(ref.id)).get(role, {}).get(measure)
        if a is not None and b is not None:
            def show(v: float) -> str:
                return f"{midi_name(int(round(v)))} ({v:g})" if measure == "mean_pitch" else f"{v:g}"

            facts.append(f"Measured: the {role if role != 'all' else 'whole band'}'s {measure.replace('_', ' ')} is "
                         f"{show(a)} in {sid} against {show(b)} in {ref.id} ({a - b:+.3g}).")
        if field:
            ca, cb = emotion_to_constraints(s.emotion, s), emotion_to_constraints(ref.emotion, ref)
            why = "; ".join(f"{x['factor']} is {x['value']} ({x['implication']})" for x in ca.because(field))
            facts.append(f"The plan asks for {field.replace('_', ' ')} {getattr(ca, field):g} in {sid} and "
                         f"{getattr(cb, field):g} in {ref.id}, because {why}.")
    if aspect == "chords":
        facts.append(f"{sid} plays {' | '.join(s.chords)}.")
    tr = [t for t in song.traces if t["decision_type"] in kinds
          and (t["target"].split("/")[0] in (f"section:{sid}", "song") or t["target"].startswith(f"section:{sid}"))]
    return _format(question, facts, tr[-4:])


def _format(question: str, facts: list[str], traces: list[dict]) -> str:
    lines = [f"**{question.strip()}**", ""] + [f"- {f}" for f in facts]
    principles = []
    for t in traces:
        reasons = "; ".join(f"{_words(b['factor'])} is {_words(b['value'])} ({b['implication']})"
                            for b in t.get("because", [])[:3])
        where = t["target"].replace("section:", "").replace("/", "'s ")
        lines.append(f"- The {_words(t['decision_type'])} of {where}: {_words(t['decision'])}"
                     + (f", because {reasons}" if reasons else ""))
        if t.get("musical_principle") and t["musical_principle"] not in principles:
            principles.append(t["musical_principle"])
    if principles:
        lines += ["", "**Principle:** " + " ".join(p[0].upper() + p[1:] + ("" if p.endswith(".") else ".")
                                                   for p in principles[:2])]
    if len(lines) == 2:
        lines.append("- No recorded decision explains that (was the song made with traces off?).")
    return "\n".join(lines)


def _words(value, depth: int = 0) -> str:
    """A decision or a reason's value in words: no brackets, braces or quotes."""
    if isinstance(value, dict):
        text = ", ".join(f"{str(k).replace('_', ' ')} {_words(v, depth + 1)}" for k, v in value.items()
                         if v not in (None, [], {}, ""))
        text = f"({text})" if depth else text
    elif isinstance(value, (list, tuple)):
        text = ", ".join(_words(v, depth + 1) for v in value[:8]) + (" …" if len(value) > 8 else "")
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float):
        text = f"{value:.3g}"
    else:
        text = str(value).replace("_", " ")
    return text if depth or len(text) < 160 else text[:157] + "..."
