"""The user style folder: drum styles a musician taught Stori (``python -m stori learn-style NAME
FOLDER``), kept in ``STORI_STYLE_DIR``, else ``~/.cache/stori/styles``; never inside the project.
A top-level module, so the planner and the drum path can both find a style by name.

Each style is a folder ``NAME/`` holding ``manifest.json`` (the style's parameters as a
:class:`~stori.perform.styles.DrumStyle`, what it was learned from and how), ``adapter.pt`` (the
generator's low-rank adapter, :mod:`stori.model.adapters`) and ``groove.pt`` (the groove model
fine-tuned on the files). Checkpoints are read with ``weights_only=True``. A style appears whole or
not at all: it is written in a hidden folder and renamed into place.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from stori.errors import StoriError

MANIFEST, ADAPTER, GROOVE = "manifest.json", "adapter.pt", "groove.pt"
NAME_RULE = "2..32 lowercase letters, digits, - or _, starting with a letter, not a built-in style"
NAME = re.compile(r"[a-z][a-z0-9_-]{1,31}")
MAX_MANIFEST_BYTES = 64_000


def style_dir() -> Path:
    return Path(os.environ.get("STORI_STYLE_DIR") or Path.home() / ".cache" / "stori" / "styles")


def names() -> list[str]:
    """The learned styles in the style folder, sorted."""
    root = style_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if NAME.fullmatch(p.name) and (p / MANIFEST).is_file())


def manifest(name: str) -> dict | None:
    """The manifest of learned style ``name`` (any case), or None when there is none."""
    key = str(name).strip().lower()
    if not NAME.fullmatch(key):
        return None
    path = style_dir() / key / MANIFEST
    if not path.is_file() or path.stat().st_size > MAX_MANIFEST_BYTES:
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        raise StoriError("style", f"the manifest of {key!r} is unreadable", "learn the style again") from None
    return data if isinstance(data, dict) else None


def named_in(text: str) -> str | None:
    """A learned style named as one in ``text`` ("in the style of anna", "drums like anna", "anna's
    groove", "anna style drums"), or None; a name that is only a word of the prompt is not taken."""
    low = text.lower()
    for n in names():
        name = re.escape(n)
        if re.search(rf"\b(?:style of|like|drummer|drums by)\s+{name}(?![\w-])|(?<![\w-]){name}(?:'s)?\s+"
                     rf"(?:style|drums|drumming|groove|feel)\b", low):
            return n
    return None
