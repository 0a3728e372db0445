import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """``python app.py`` on a free port with its own output folder (``.root``), at ``.url``; stopped (by its
    pid) afterwards."""
    port, root = _free_port(), tmp_path_factory.mktemp("studio")
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
           "STORI_STUDIO_DIR": str(root), "GRADIO_ANALYTICS_ENABLED": "False"}
    log = tmp_path_factory.mktemp("log") / "app.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail(f"app.py did not answer on {url}: {log.read_text()[-2000:]}")
        yield SimpleNamespace(url=url, root=root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def studio_url(studio):
    return studio.url
