import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_SPEC = ROOT / "assets" / "examples" / "leaving_home.rms.json"
DATA_DIR = ROOT.parent / "shared" / "data"
SEED_PROMPT = ("a bittersweet indie folk song about leaving home, with fingerpicked guitar, warm bass, subtle drums, "
               "and a melody that soars in the chorus")


@pytest.fixture
def example_dict():
    return json.loads(EXAMPLE_SPEC.read_text())


@pytest.fixture
def example_spec(example_dict):
    from stori.spec.song_spec import SongSpec

    return SongSpec.from_dict(example_dict)
