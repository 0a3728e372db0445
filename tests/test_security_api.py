"""The running studio probed as an attacker would (loopback): every door that takes or serves a file,
with server paths, traversal, symlinks and URLs; song ownership; body limits; field messages; Unicode."""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import httpx
import pytest
from gradio.utils import get_upload_folder
from gradio_client import Client
from gradio_client.exceptions import AppError

from tests.smf import simple

REFUSED = "midi: is not a file uploaded to the studio"


@pytest.fixture(scope="module")
def http(studio):
    with httpx.Client(base_url=studio.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def song(http):
    """A song made through REST: its task result (song_id, token, files)."""
    return _rest_song(http, {"prompt": "calm piano", "structure": "verse:1", "engine": "baseline"})


def _rest_song(http, body: dict) -> dict:
    task = http.post("/api/v1/generate", json=body).json()
    for _ in range(600):
        task = http.get(task["status_url"] if "status_url" in task else f"/api/v1/tasks/{task['task_id']}").json()
        if task["status"] in ("done", "error"):
            break
        time.sleep(0.3)
    assert task["status"] == "done", task
    return task["result"]


def _call(http, api_name: str, data: list) -> str:
    """One raw Gradio API call; the event stream's last lines."""
    event = http.post(f"/gradio_api/call/{api_name}", json={"data": data})
    assert event.status_code == 200, event.text
    return http.get(f"/gradio_api/call/{api_name}/{event.json()['event_id']}").text


def _file(path: str) -> dict:
    return {"path": path, "meta": {"_type": "gradio.FileData"}}


def test_humanize_reads_no_path_it_did_not_receive_as_an_upload(studio, http, song, tmp_path):
    secret = tmp_path / "secret.mid"  # a real MIDI file in the system temp folder, outside the upload folder
    secret.write_bytes(simple())
    upload_dir = Path(get_upload_folder())
    link_dir = upload_dir / uuid.uuid4().hex
    link_dir.mkdir(parents=True)
    (link_dir / "link.mid").symlink_to(secret)  # a link planted inside the upload folder
    song_mid = next(studio.root.glob(f"{song['song_id']}/1/song.mid"))
    probes = [str(secret), str(song_mid), "/etc/passwd", "/nonexistent/x.mid",
              f"{upload_dir}/{os.path.relpath(secret, upload_dir)}",
              f"{upload_dir}/../../{secret}", str(link_dir / "link.mid"), str(link_dir), "../../../../etc/hostname",
              f"file://{secret}", f"{studio.url}/gradio_api/file={secret}", "http://127.0.0.1:1/x.mid",
              "http://169.254.169.254/x.mid"]
    payloads = [_file(p) for p in probes] + [{"url": f"file://{secret}", "path": "x.mid",
                                              "meta": {"_type": "gradio.FileData"}},
                                              str(secret), {"path": 123, "meta": {"_type": "gradio.FileData"}}]
    for payload in payloads:
        answer = _call(http, "humanize", [payload, "", 0.7])
        assert "event: error" in answer, (payload, answer[-300:])
        assert REFUSED in answer or "Invalid file type" in answer, (payload, answer[-300:])  # the latter: a folder
        assert "Humanized" not in answer
    assert sorted(p.name for p in (studio.root / song["song_id"]).iterdir()) == [".token", "1"]  # nothing new written


def test_gradio_file_route_serves_nothing_of_the_studio_or_the_server(studio, http, song, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    link_dir = Path(get_upload_folder()) / uuid.uuid4().hex
    link_dir.mkdir(parents=True)
    (link_dir / "link.txt").symlink_to(secret)
    song_dir = studio.root / song["song_id"] / "1"
    for path in (song_dir / "song.mid", song_dir / "spec.json", studio.root / song["song_id"] / ".token", secret,
                 link_dir / "link.txt", f"{get_upload_folder()}/{os.path.relpath(secret, get_upload_folder())}",
                 Path("/etc/passwd")):
        got = http.get(f"/gradio_api/file={path}")
        assert got.status_code in (403, 404), (path, got.status_code)
        assert b"private" not in got.content and b"MThd" not in got.content


def test_rest_files_need_the_songs_own_token(http, song):
    other = _rest_song(http, {"prompt": "another song", "structure": "verse:1", "engine": "baseline"})
    path = song["files"]["song.mid"].split("?")[0]
    assert http.get(song["files"]["song.mid"]).content.startswith(b"MThd")
    for token in ("", other["token"], song["token"][:-2], "x" * 5000):
        got = http.get(path, params={"token": token} if token else None)
        assert got.status_code == 404 and got.json()["detail"].startswith("token: no song with this id and token")
    for bad in ("..%2F..%2F..%2Fetc%2Fpasswd", "..%2F.token", ".token", "app.py"):
        assert http.get(f"/api/v1/files/{song['song_id']}/1/{bad}", params={"token": song["token"]}).status_code == 404


def test_refine_needs_the_token_and_the_studio_holds_it_invisibly(studio):
    client = Client(studio.url + "/", verbose=False)
    made = client.predict(prompt="dark rock", structure="verse:1,chorus:1", engine="baseline", api_name="/generate")
    assert len(made["token"]) >= 32
    with pytest.raises(AppError, match="^token: no song with this id and token"):
        client.predict(song_id=made["song_id"], message="undo", token="guess", api_name="/refine")
    reply = client.predict(song_id=made["song_id"], message="make the chorus brighter", token=made["token"],
                           api_name="/refine")
    assert reply["version"] == 2 and all(f"token={made['token']}" in link for link in reply["files"].values())
    config = httpx.get(studio.url + "/config").text
    assert made["token"] not in config  # the page's token lives in server-side state


def test_rest_bodies_are_capped_and_never_echoed(http):
    big = b'{"prompt": "' + b"A" * 30_000_000 + b'"}'
    got = http.post("/api/v1/generate", content=big, headers={"content-type": "application/json"})
    assert got.status_code == 413 and len(got.content) < 200 and got.json()["detail"].startswith("body: too large")
    for body, words in (('{"prompt": "' + "B" * 50_000 + '"}', "prompt: has 50000 characters"),
                        ("[" * 30_000, "body: nests deeper"), ('{"seed": ' + "9" * 5000 + "}", "body: has a number"),
                        ('{"seed": -1}', "seed: -1 is out of range"), ('{"key": ""}', "key: is empty"),
                        ('{"emotion": {"energy": [1]}}', "emotion.energy: "), ('{"tempo": "fast"}', "tempo: "),
                        ('{"prompt": ["x"]}', "prompt: is a list"), ('{"extra": 1}', "body: unknown field 'extra'")):
        got = http.post("/api/v1/generate", content=body, headers={"content-type": "application/json"})
        assert got.status_code == 422 and got.json()["detail"].startswith(words), (body[:30], got.text[:200])
        assert len(got.content) < 400


def test_slider_and_number_refusals_name_the_field(http):
    for data, words in ((["dilla", 1e9, "4/4", 90, True, "verse", 0],
                         "bars: 1000000000.0 is out of range; allowed: 1..32"),
                        (["dilla", [1], "4/4", 90, True, "verse", 0], "bars: [1] is not a number"),
                        (["dilla", 2, "4/4", 90, True, "verse", 2**70], "seed: a huge number is out of range"),
                        (["dilla", 2, "4/4", 1e9, True, "verse", 0], "tempo: "),
                        (["nope", 2, "4/4", 90, True, "verse", 0], "style: 'nope' is not a choice"),
                        (["dilla", 2, "4/4", 90, True, ["x"], 0], "pattern_type: ")):
        answer = _call(http, "drums", data)
        assert f'"error": "{words}' in answer, (data, answer[-300:])
    answer = _call(http, "humanize", [None, "", 7])
    assert '"error": "amount: 7' in answer


@pytest.mark.parametrize("prompt", ["it’s a song — about home", "🎵🔥 party", "שיר על הבית", "zero\u200bwidth space"])
def test_unicode_prompts_compose_through_rest_and_gradio(studio, http, prompt):
    made = _rest_song(http, {"prompt": prompt, "structure": "verse:1", "engine": "baseline"})
    midi = http.get(made["files"]["song.mid"]).content
    assert midi.startswith(b"MThd") and made["title"].encode("utf-8") in midi  # the title as a UTF-8 track name
    assert http.get(made["files"]["spec.json"]).json()["title"] == made["title"]
    answer = _call(http, "generate", [prompt, "", 0, "", "verse:1", "", "baseline", 0])
    assert "event: complete" in answer, answer[-300:]
    # no empty song folders
    assert not [p for p in studio.root.iterdir() if p.is_dir() and not any(p.glob("*/song.mid"))]


def test_server_memory_stays_bounded(studio, http):
    pid = int(next(p for p in os.listdir("/proc") if p.isdigit() and _is_app(p, studio.url)))
    rss = _rss_mb(pid)
    for _ in range(20):
        http.post("/api/v1/generate", content=b"x" * 1_000_000, headers={"content-type": "application/json"})
    assert _rss_mb(pid) - rss < 100


def _is_app(pid: str, url: str) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        env = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return cmd.endswith(b"app.py\x00") and f"GRADIO_SERVER_PORT={url.rsplit(':', 1)[1]}".encode() in env


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
