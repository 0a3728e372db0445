"""The studio over HTTP: gradio_client on each named endpoint, concurrency, the REST task flow, uploads.

The app is started the way a user starts it, ``python app.py`` with GRADIO_SERVER_NAME and
GRADIO_SERVER_PORT, on a free port, once for the module (the ``studio`` fixture of conftest.py).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

SHORT = "verse:2,chorus:2"  # short songs keep the module quick on two cores


@pytest.fixture(scope="module")
def client(studio_url):
    return Client(studio_url + "/", verbose=False)


def _generate(client, prompt="a tender lo-fi song", **kw):
    return client.predict(prompt=prompt, **{"structure": SHORT, "engine": "baseline", **kw}, api_name="/generate")


def test_named_endpoints_are_listed(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/generate", "/refine", "/drums", "/humanize"} <= names


def test_generate_endpoint_returns_a_song_with_files(client, studio_url):
    r = _generate(client, emotion=json.dumps({"energy": 0.9, "valence": -0.5}), seed=3)
    assert len(r["song_id"]) == 32 and r["version"] == 1
    assert len(r["sections"]) == 2
    assert {"song.mid", "stems.zip", "spec.json", "traces.json"} <= set(r["files"])
    mid = httpx.get(studio_url + r["files"]["song.mid"])
    assert mid.status_code == 200 and mid.content.startswith(b"MThd")
    spec = httpx.get(studio_url + r["files"]["spec.json"]).json()
    assert spec["global_emotion"]["energy"] == pytest.approx(0.9)
    assert spec["global_emotion"]["valence"] == pytest.approx(-0.5)


def test_generate_endpoint_rejects_bad_input_with_the_field_named(client):
    with pytest.raises(AppError, match="engine"):
        client.predict(prompt="x", engine="no-such-engine", api_name="/generate")
    with pytest.raises(AppError, match="emotion"):
        client.predict(prompt="x", emotion="{not json", api_name="/generate")
    with pytest.raises(AppError, match="valence"):
        client.predict(prompt="x", emotion=json.dumps({"valence": 3}), api_name="/generate")


def test_refine_endpoint(client):
    song = _generate(client, structure="verse:2,chorus:2,bridge:2")
    token = song["token"]
    r = client.predict(song_id=song["song_id"], message="make the bridge more intense", token=token, api_name="/refine")
    assert r["song_id"] == song["song_id"] and r["version"] == 2
    assert r["changed_sections"] == ["bridge"] and r["message"].strip()
    why = client.predict(song_id=song["song_id"], message="why is the chorus higher?", token=token, api_name="/refine")
    assert why["version"] == 2 and why["message"].strip() and why["changed_sections"] == []
    back = client.predict(song_id=song["song_id"], message="undo", token=token, api_name="/refine")
    assert back["version"] == 3 and back["changed_sections"] == ["bridge"]
    wrong = token[:-1] + ("y" if token.endswith("x") else "x")  # differs from the token in its last character
    for sid, tok in (("../../etc", token), (song["song_id"], ""), (song["song_id"], wrong)):
        with pytest.raises(AppError, match="token: no song with this id and token"):
            client.predict(song_id=sid, message="undo", token=tok, api_name="/refine")


def test_drums_endpoint_gives_a_drum_only_midi(client):
    from stori.render.midi import midi_to_song

    midi, audio, roll, info = client.predict(style="dilla", bars=2, meter="4/4", tempo=92, humanize=True,
                                             pattern_type="verse", seed=1, api_name="/drums")
    song = midi_to_song(Path(midi))
    assert song.tracks and all(t.is_drums for t in song.tracks)
    assert "2 bars" in info
    with pytest.raises(AppError, match="11/8"):
        client.predict(style="rock", bars=2, meter="11/8", tempo=92, humanize=True, pattern_type="verse", seed=1,
                       api_name="/drums")


def _midi_file(tmp_path) -> Path:
    from stori.pipeline import generate
    from stori.render.midi import midi_bytes

    path = tmp_path / "in.mid"
    path.write_bytes(midi_bytes(generate("calm piano", structure="verse:2", engine="baseline")))
    return path


def test_humanize_endpoint(client, tmp_path):
    from stori.perform.groove_model import MODEL_PATH
    from stori.render.midi import midi_to_song

    src = _midi_file(tmp_path)
    if not MODEL_PATH.is_file():
        with pytest.raises(AppError, match="groove model"):
            client.predict(upload=handle_file(str(src)), style="", amount=0.7, api_name="/humanize")
        pytest.skip(f"the groove model {MODEL_PATH} is not trained yet; the studio says so cleanly")

    midi, audio, before, after, info = client.predict(upload=handle_file(str(src)), style="", amount=0.7,
                                                      api_name="/humanize")
    a, b = midi_to_song(src), midi_to_song(Path(midi))
    assert [[n.pitch for n in t.notes] for t in a.tracks] == [[n.pitch for n in t.notes] for t in b.tracks]
    assert [[n.start for n in t.notes] for t in a.tracks] != [[n.start for n in t.notes] for t in b.tracks]
    assert "notes" in info


def test_malformed_and_oversized_uploads_are_rejected_and_the_app_keeps_serving(client, tmp_path):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd\x00\x00\x00\x06garbage that is not a midi file")
    with pytest.raises(AppError, match="midi"):
        client.predict(upload=handle_file(str(bad)), style="", amount=0.5, api_name="/humanize")
    text = tmp_path / "notes.mid"
    text.write_text("hello, not midi at all")
    with pytest.raises(AppError, match="MThd"):
        client.predict(upload=handle_file(str(text)), style="", amount=0.5, api_name="/humanize")
    big = tmp_path / "big.mid"
    big.write_bytes(b"MThd" + b"\x00" * 3_000_000)
    with pytest.raises(Exception, match="(?i)size|large|413"):
        client.predict(upload=handle_file(str(big)), style="", amount=0.5, api_name="/humanize")
    assert _generate(client)["song_id"]  # still serving


def test_ten_concurrent_generate_calls_all_complete(client):
    jobs = [client.submit(prompt=f"song number {i}", structure="verse:1", engine="baseline", seed=i,
                          api_name="/generate")
            for i in range(10)]
    results = [job.result(timeout=600) for job in jobs]
    assert len({r["song_id"] for r in results}) == 10
    assert all("song.mid" in r["files"] for r in results)


def test_rest_task_flow_end_to_end(studio_url):
    with httpx.Client(base_url=studio_url, timeout=30) as http:
        r = http.post("/api/v1/generate", json={"prompt": "dark trap beat", "structure": SHORT, "engine": "baseline"})
        assert r.status_code == 202
        task = r.json()
        assert task["status"] in ("queued", "running") and len(task["task_id"]) == 32
        status_url = task["status_url"]
        for _ in range(600):
            task = http.get(status_url).json()
            if task["status"] in ("done", "error"):
                break
            time.sleep(0.5)
        assert task["status"] == "done", task
        files = task["result"]["files"]
        for name in ("song.mid", "stems.zip", "spec.json", "traces.json"):
            got = http.get(files[name])
            assert got.status_code == 200 and got.content
            assert http.get(files[name].split("?")[0]).status_code == 404  # the token is required
            bearer = {"Authorization": f"Bearer {task['result']['token']}"}
            assert http.get(files[name].split("?")[0], headers=bearer).status_code == 200
        assert http.get(files["stems.zip"]).content.startswith(b"PK")

        refused = http.post("/api/v1/generate", json={"prompt": "x", "engine": "nope"})
        assert refused.status_code == 422 and refused.json()["detail"].startswith("engine:")

        assert http.post("/api/v1/generate", json={"prompt": "x" * 3000}).status_code == 422
        assert http.get("/api/v1/tasks/not-an-id").status_code == 400
        assert http.get("/api/v1/tasks/" + "0" * 32).status_code == 404
        song_id = task["result"]["song_id"]
        for bad in (f"/api/v1/files/{song_id}/1/..%2F..%2F..%2Fetc%2Fpasswd", f"/api/v1/files/{song_id}/1/app.py",
                    f"/api/v1/files/{song_id}/x/song.mid", "/api/v1/files/..%2F..%2Fetc/1/song.mid"):
            assert http.get(bad).status_code == 404, bad
