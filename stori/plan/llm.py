"""The optional LLM planner: any OpenAI-compatible chat endpoint, used only when ``$STORI_LLM_URL`` is set.

``STORI_LLM_URL`` is the base URL (``.../v1``), ``STORI_LLM_MODEL`` the model name, ``STORI_LLM_KEY``
an optional bearer token. The answer must be an RMS v2 spec that :meth:`SongSpec.from_dict` accepts;
anything else returns ``(None, reason)`` and the offline planner takes over.
"""
from __future__ import annotations

import json
import os
import re
import urllib.request

from stori.errors import StoriError
from stori.spec.song_spec import BEHAVIOURS, SECTION_TYPES, WIRE_ROLES, SongSpec
from stori.trace import TraceRecorder, because

_SYSTEM = ("You plan songs for a MIDI composer. Answer with one JSON object only: an RMS v2 song plan with keys "
           "rms_version ('2.0'), title, genre, tempo (40-240), key (e.g. 'A minor'), time_signature ('4/4'), "
           "global_emotion {energy 0..1, valence -1..1, tension 0..1, intimacy 0..1, motion 0..1}, motifs [{motif_id, "
           "interval_pattern (semitones from the anchor), rhythm_pattern (note values such as 'quarter' or beats), "
           "register ('low', 'mid', 'mid_high', 'high' or a MIDI pitch), anchor_scale_degree 1..7}], sections "
           "[{section_id, section_type (" + ", ".join(SECTION_TYPES) + "), bars, emotion_vector, chords [{bar (from "
           "0), chord}], motif_usage [{motif_id, beat (from the section start, 0-based), transformation}], "
           "entry_state, exit_state, track_behaviors {track_id: {active, pattern}} with patterns per role "
           + json.dumps({WIRE_ROLES.get(r, r): b for r, b in BEHAVIOURS.items()})
           + "}], tracks [{track_id, name, role (drums, bass, chords, melody), instrument (a General MIDI name "
             "such as 'acoustic_guitar_steel')}].")


def plan_with_llm(prompt: str, tracer: TraceRecorder, timeout: float = 60.0) -> tuple[SongSpec | None, str | None]:
    url = os.environ.get("STORI_LLM_URL", "").rstrip("/") + "/chat/completions"
    model = os.environ.get("STORI_LLM_MODEL", "gpt-4o-mini")
    body = json.dumps({"model": model, "temperature": 0.7, "messages": [
        {"role": "system", "content": _SYSTEM}, {"role": "user", "content": prompt}]}).encode()
    headers = {"Content-Type": "application/json"}
    if os.environ.get("STORI_LLM_KEY"):
        headers["Authorization"] = f"Bearer {os.environ['STORI_LLM_KEY']}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=timeout) as r:
            text = json.loads(r.read().decode())["choices"][0]["message"]["content"]
        match = re.search(r"\{.*\}", text, re.S)
        spec = SongSpec.from_dict(json.loads(match.group(0) if match else text))
    except StoriError as e:
        return None, f"the LLM's plan did not validate as RMS v2: {e}"
    except Exception as e:  # network, HTTP, JSON: all mean "use the offline planner"
        return None, f"the LLM planner failed ({e.__class__.__name__}: {str(e)[:120]})"
    spec.extra["planner"] = f"llm:{model}"
    tracer.record("planner", "song", f"llm:{model}", [because("STORI_LLM_URL", url, "an LLM planned the song", 1.0)],
                  confidence=0.5,
                  principle="a language model reads the prompt; the spec it returns was validated as RMS v2")
    return spec, None
