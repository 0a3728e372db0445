"""Intent traces: the record of every decision, written by the code that makes it.

A :class:`TraceRecorder` collects traces in the seed's schema. ``NULL_RECORDER`` (``enabled`` is
False) drops everything; callers that would do work only to build a trace check ``enabled`` first.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any


def because(factor: str, value: Any, implication: str, weight: float = 1.0) -> dict:
    return {"factor": factor, "value": value, "implication": implication, "weight": round(float(weight), 3)}


class TraceRecorder:
    enabled = True

    def __init__(self, traces: list[dict] | None = None):
        """``traces``: earlier traces to continue (numbering goes on after them)."""
        self.traces: list[dict] = list(traces or [])

    def record(self, decision_type: str, target: str, decision: Any, because: Iterable[dict] = (),
               alternatives: Iterable[Any] = (), confidence: float = 0.8, principle: str = "") -> dict | None:
        trace = {
            "trace_id": f"t{len(self.traces) + 1:05d}",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "decision_type": decision_type,
            "target": target,
            "decision": decision,
            "because": list(because),
            "alternatives_considered": list(alternatives),
            "confidence": round(float(confidence), 3),
            "musical_principle": principle,
        }
        self.traces.append(trace)
        return trace


class _NullRecorder(TraceRecorder):
    enabled = False

    def __init__(self):
        self.traces = []

    def record(self, *args, **kwargs) -> None:
        return None


NULL_RECORDER = _NullRecorder()
