"""Where the datasets and derived caches live. Nothing under these is committed."""
from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

from stori.errors import StoriError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
CACHE_DIR = PROJECT_ROOT / "cache"


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The dataset root: ``path``, else ``$STORI_DATA_DIR``, else ``../shared/data`` beside the project."""
    root = Path(path or os.environ.get("STORI_DATA_DIR") or DEFAULT_DATA_DIR)
    if not root.is_dir():
        raise StoriError("data-dir", f"{str(root)!r} is not a folder",
                         "a folder holding groove/, pop909/, pop909-structure/, lieder/, openewld/")
    return root


def cached(path: Path, build: Callable[[], object]):
    """The pickle at ``path``, or ``build()`` written there first (atomically, so a run cut short
    never leaves half a cache)."""
    if path.is_file():
        with path.open("rb") as f:
            return pickle.load(f)
    value = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return value
