"""PLAN: text and settings -> SongSpec."""
from stori.plan.planner import parse_structure, plan_song

__all__ = ["plan_song", "parse_structure"]
