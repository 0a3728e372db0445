"""Fuzzing, bounded to a few minutes and reproducible (fixed seeds).

MIDI: 1,200 mutated files (bit flips, truncation, huge deltas, running status, huge and zero tempos,
broken meters, thousands of tracks or markers, format 2, lying chunk lengths, non-MIDI) go through the
one reader every door uses; each accepted one is humanized and plotted as the studio would; a sample
also goes through the studio's upload and humanize endpoint.
API: 1,100 random requests to the REST routes and the named Gradio endpoints, in process.
Every case must end in under 10 s without a crash, memory must stay bounded, and every refusal must
be one clear line naming the field. ``pytest -s tests/test_fuzz.py`` prints the counts.
"""
from __future__ import annotations

import json
import random
import re
import resource
import signal
import tempfile
import time
from collections import Counter
from contextlib import contextmanager

import pytest

from stori.errors import StoriError
from tests.smf import END, meter, note, smf, tempo, text, track, vlq

HANG_S = 10
CLEAR = re.compile(r"^[A-Za-z_][\w\[\]\.]*: \S[^\n]{0,400}$")


class Hang(Exception):
    pass


@contextmanager
def deadline(seconds: int = HANG_S):
    """Raise Hang in the main thread if the body runs past ``seconds``."""
    def fire(*_):
        raise Hang

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Tally:
    def __init__(self, name: str):
        self.name, self.counts, self.bad = name, Counter(), []

    def add(self, outcome: str, case: str = "", detail: str = ""):
        self.counts["tried"] += 1
        self.counts[outcome] += 1
        if outcome not in ("accepted", "refused"):
            self.bad.append((outcome, case, detail[:300]))

    def report(self) -> str:
        c = self.counts
        return (f"{self.name}: tried {c['tried']} / accepted {c['accepted']} / refused with a clear message "
                f"{c['refused']} / unclear {c['unclear']} / crashed {c['crashed']} / hung {c['hung']}")


# --- MIDI ---------------------------------------------------------------------------------------
def _seeds() -> list[bytes]:
    from stori.pipeline import generate
    from stori.render.midi import midi_bytes

    song = midi_bytes(generate("funky drums and bass", structure="verse:2,chorus:2", engine="baseline", trace=False))
    running = track(b"\x00\x90\x3c\x40" + b"".join(b"\x60" + bytes([0x3c + i % 12,
                                                                    0x40 * (i % 2)]) for i in range(64)) + END)
    return [song, smf(running, fmt=0), smf(track(tempo(500_000) + meter(3, 2) + text(6, b"A") + note() + END),
                                            track(note(48, channel=9) + END))]


def _mutate(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    base = bytearray(rng.choice(seeds))
    kind = rng.choice(["flip", "flip", "truncate", "delta", "running", "tempo", "meter", "tracks", "markers",
                       "format2", "chunk_length", "division", "sysex", "notes", "garbage", "splice"])
    if kind == "flip":
        for _ in range(rng.randint(1, 24)):
            i = rng.randrange(len(base))
            base[i] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        base = base[:rng.randrange(len(base))]
    elif kind == "delta":
        return kind, smf(track(b"".join(note(delta=rng.choice([0, 0x0FFFFFFF, rng.randrange(1 << 28)]),
                                             length=rng.choice([1, 0x0FFFFFFF, rng.randrange(1 << 20)]))
                                        for _ in range(rng.randint(1, 8))) + END))
    elif kind == "running":
        body = b"\x00\x90" + b"".join(vlq(rng.randrange(200)) + bytes([rng.randrange(128), rng.randrange(128)])
                                      for _ in range(rng.randint(1, 3000)))
        return kind, smf(track(body + END), fmt=0)
    elif kind == "tempo":
        return kind, smf(track(tempo(rng.choice([0, 1, 2, 60, 0xFFFFFF, rng.randrange(1 << 24)])) + note() + END))
    elif kind == "meter":
        return kind, smf(track(meter(rng.randrange(256), rng.randrange(256)) + note() + END))
    elif kind == "tracks":
        return kind, smf(*[track(note(channel=rng.randrange(16)) + END) for _ in range(rng.randint(50, 3000))])
    elif kind == "markers":
        n = rng.randint(100, 5000)
        return kind, smf(track(b"".join(text(6, b"m%d" % i, delta=rng.randrange(3)) for i in range(n)) + note() + END))
    elif kind == "format2":
        base[8:10] = b"\x00\x02"
    elif kind == "chunk_length":
        at = base.find(b"MTrk")
        if at >= 0:
            base[at + 4:at + 8] = rng.randrange(1 << 32).to_bytes(4, "big")
    elif kind == "division":
        base[12:14] = rng.randrange(1 << 16).to_bytes(2, "big")
    elif kind == "sysex":
        size = rng.choice([10, 100_000, 1_900_000])
        return kind, smf(track(b"\x00\xf0" + vlq(size) + bytes(size - 1) + b"\xf7" + note() + END))
    elif kind == "notes":
        notes = (note(rng.randrange(128), delta=rng.randrange(4), length=rng.randrange(1, 4000),
                      channel=rng.randrange(16)) for _ in range(rng.randint(1000, 60_000)))
        return kind, smf(track(b"".join(notes) + END))
    elif kind == "garbage":
        return kind, rng.choice([bytes(rng.randrange(256) for _ in range(rng.randrange(200))), b"RIFF" + bytes(100),
                                 "not midi ’🎵".encode(), b"MThd", b""])
    elif kind == "splice":
        other = rng.choice(seeds)
        cut = rng.randrange(len(base))
        base = base[:cut] + other[rng.randrange(len(other)):]
    return kind, bytes(base)


def test_fuzz_midi_ingest():
    from stori.perform.humanize import humanize_song
    from stori.render.figures import piano_roll
    from stori.render.midi import midi_to_song

    rng, seeds, tally = random.Random(1414), _seeds(), Tally("MIDI")
    rss_before, started = _rss_mb(), time.perf_counter()
    for k in range(1200):
        kind, data = _mutate(rng, seeds)
        t = time.perf_counter()
        try:
            with deadline():
                song = midi_to_song(data)
                humanize_song(song, amount=0.7, seed=k)
                piano_roll(song)
            tally.add("accepted")
        except StoriError as e:
            tally.add("refused" if CLEAR.match(str(e)) and str(e).startswith("midi: ") else "unclear", kind, str(e))
        except Hang:
            tally.add("hung", kind)
        except Exception as e:  # noqa: BLE001 - a crash is what the fuzz looks for
            tally.add("crashed", kind, f"{type(e).__name__}: {e}")
        if time.perf_counter() - t > HANG_S:
            tally.add("hung", kind, f"{time.perf_counter() - t:.1f} s")
    print(f"\n{tally.report()} in {time.perf_counter() - started:.0f} s, peak RSS +{_rss_mb() - rss_before:.0f} MB")
    assert tally.counts["tried"] >= 1000 and not tally.bad, tally.bad[:10]
    assert tally.counts["accepted"] >= 100 and tally.counts["refused"] >= 300  # both sides of the limits were reached
    assert _rss_mb() - rss_before < 1500


# --- API ----------------------------------------------------------------------------------------
VALUES = [None, True, False, 0, -1, 1, 7, 0.5, -0.5, 1e9, -1e9, 2**31, 2**70, 1e308, "", " ", "x", "4/4", "11/8",
          "A minor",
          "", "verse:1", "verse:" + "9" * 50, "dilla", "baseline", "learned", "nope", "../../etc/passwd",
          "’🎵 שלום\u200b",
          "x" * 5000, [], [1], ["a", "b"], {}, {"energy": 0.5}, {"energy": 9}, {"a": [1, {"b": None}]}, "\x00\x1b[31m"]
GOOD_REST = {"prompt": "calm", "structure": "verse:1", "engine": "baseline", "seed": 1}
GRADIO = {  # endpoint -> a valid call (each fuzzed call replaces some of it)
    "drums": ["boom_bap", 1, "4/4", 90, False, "verse", 0],
    "humanize": [None, "", 0.5],
    "generate": ["calm", "", 0, "", "verse:1", "", "baseline", 0],
    "refine": ["0" * 32, "undo", ""],
}


def _random_value(rng: random.Random):
    if rng.random() < 0.15:
        return rng.choice([{"path": rng.choice(["/etc/passwd", "/tmp", "x.mid", "http://127.0.0.1:1/a.mid", 5]),
                            "meta": {"_type": "gradio.FileData"}}, "[" * 40 + "]" * 40,
                            rng.random() * 10 ** rng.randint(-3, 30)])
    return rng.choice(VALUES)


def _rest_request(rng: random.Random) -> tuple[str, str, bytes | None]:
    roll = rng.random()
    if roll < 0.1:
        return "GET", f"/api/v1/tasks/{rng.choice(['', 'x', '0' * 32, 'a' * 32, '../etc', '%00'])}", None
    if roll < 0.2:
        sid = rng.choice(["0" * 32, "x", "..%2F.."])
        version, name = rng.choice(["1", "x", "-1"]), rng.choice(["song.mid", ".token", "app.py"])
        return "GET", f"/api/v1/files/{sid}/{version}/{name}?token={rng.choice(['', 'x', 'y' * 100])}", None
    if roll < 0.25:  # a malformed envelope to a Gradio endpoint
        return "POST", f"/gradio_api/call/{rng.choice(list(GRADIO))}", rng.choice(
            [b'{"data": 5}', b'{"data": "' + b"Q" * 100_000 + b'"}', b"not json", b"[" * 10_000,
             b'{"data": [], "x": {}}',
             b'{"data": [1], "session_hash": [1]}', b"", b'{"data": {"a": 1}}'])
    if roll < 0.3:
        return "POST", "/api/v1/generate", rng.choice([b"", b"{", b"[]", b"null", b"1e999", b"\xff\xfe", b"[" * 5000,
                                                        json.dumps({"seed": 10 ** 60}).encode(), b'{"a":' * 100])
    body = dict(GOOD_REST)
    for _ in range(rng.randint(1, 3)):
        body[rng.choice(list(GOOD_REST) + ["emotion", "tempo", "key", "time_signature", "extra"])] = _random_value(rng)
    return "POST", "/api/v1/generate", json.dumps(body).encode()


@pytest.fixture(scope="module")
def app_client():
    from fastapi.testclient import TestClient

    from stori.ui.server import create_app

    with TestClient(create_app(tempfile.mkdtemp(prefix="stori-fuzz-"))) as client:
        yield client


def _gradio(client, api_name: str, data) -> tuple[int, str]:
    """A named Gradio endpoint called over HTTP: (status, the error message or '' when it completed)."""
    r = client.post(f"/gradio_api/call/{api_name}", json={"data": data})
    if r.status_code != 200:
        return r.status_code, r.text
    stream = client.get(f"/gradio_api/call/{api_name}/{r.json()['event_id']}").text
    if "event: complete" in stream:
        return 200, ""
    payload = stream.split("data:", 1)[1].strip().splitlines()[0] if "data:" in stream else "null"
    error = (json.loads(payload) or {}).get("error") if payload.startswith("{") else None
    return 200, error or "(no message)"


def test_fuzz_api(app_client):
    rng, tally = random.Random(2014), Tally("API")
    rss_before, started, tasks = _rss_mb(), time.perf_counter(), []
    for k in range(1100):
        t = time.perf_counter()
        try:
            with deadline():
                if k % 2:
                    method, url, body = _rest_request(rng)
                    r = app_client.request(method, url, content=body, headers={"content-type": "application/json"})
                    status, message = r.status_code, "" if r.status_code < 300 else str(r.json().get("detail"))
                    if r.status_code == 200 and "/gradio_api/" in url:  # an envelope Gradio took: its event is queued
                        status, message = 200, ""
                    assert len(r.content) < 2000 or r.status_code < 300, "a refusal echoed the request"
                    if r.status_code == 202:
                        tasks.append(r.json()["status_url"])
                    case = f"{method} {url[:60]} {(body or b'')[:60]!r}"
                else:
                    api_name = rng.choice(list(GRADIO))
                    data = list(GRADIO[api_name])
                    for _ in range(rng.randint(0, 2)):  # 0: the valid call, so both sides of every rule are reached
                        data[rng.randrange(len(data))] = _random_value(rng)
                    status, message = _gradio(app_client, api_name, data)
                    case = f"{api_name} {str(data)[:120]}"
            if status >= 500:
                tally.add("crashed", case, message)
            elif not message:
                tally.add("accepted")
            else:
                tally.add("refused" if CLEAR.match(message) else "unclear", case, message)
        except Hang:
            tally.add("hung", case if "case" in dir() else "")
        if time.perf_counter() - t > HANG_S:
            tally.add("hung", "", f"{time.perf_counter() - t:.1f} s")
    for url in tasks:  # every accepted REST request ends, with a song or a clear refusal
        for _ in range(600):
            task = app_client.get(url).json()
            if task["status"] in ("done", "error"):
                break
            time.sleep(0.1)
        assert task["status"] == "done" or CLEAR.match(task["error"]), task
        assert "internal error" not in task.get("error", "")
    print(f"\n{tally.report()} in {time.perf_counter() - started:.0f} s, {len(tasks)} REST tasks all ended cleanly, "
          f"peak RSS +{_rss_mb() - rss_before:.0f} MB")
    assert tally.counts["tried"] >= 1000 and not tally.bad, tally.bad[:40]
    assert tally.counts["accepted"] >= 50 and tally.counts["refused"] >= 300
    assert _rss_mb() - rss_before < 1500


def test_fuzzed_files_through_the_studio_upload(app_client):
    """A sample of the mutated files uploaded and humanized through the studio's endpoint."""
    rng, seeds, tally = random.Random(99), _seeds(), Tally("MIDI via the humanize endpoint")
    for _ in range(40):
        kind, data = _mutate(rng, seeds)
        if len(data) > 1_900_000:
            continue
        up = app_client.post("/gradio_api/upload", files={"files": ("fuzz.mid", data, "audio/midi")})
        assert up.status_code == 200, up.text[:200]
        t = time.perf_counter()
        status, message = _gradio(app_client, "humanize",
                                  [{"path": up.json()[0], "meta": {"_type": "gradio.FileData"}}, "", 0.7])
        assert time.perf_counter() - t < HANG_S * 2, kind
        if status >= 500:
            tally.add("crashed", kind, message)
        elif not message:
            tally.add("accepted")
        else:
            tally.add("refused" if CLEAR.match(message) and message.startswith("midi: ") else "unclear", kind, message)
    print(f"\n{tally.report()}")
    assert not tally.bad, tally.bad[:10]
