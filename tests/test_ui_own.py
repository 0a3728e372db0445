"""Your MIDI through the running studio: REST (base64 in, a task, the new song's files out, bad files
refused in one line) and the tab in real headless Chromium (upload, continue, hear, download)."""
from __future__ import annotations

import base64
import re
import time
from contextlib import contextmanager

import httpx
import pytest

from stori.render.midi import midi_bytes, midi_to_song
from tests.own_band import BAR, band
from tests.test_ui_browser import ARGS, CHROMIUM


@pytest.fixture(scope="module")
def http(studio):
    with httpx.Client(base_url=studio.url, timeout=60) as client:
        yield client


def _finished(http, task: dict) -> dict:
    url = task["status_url"]
    for _ in range(1200):
        task = http.get(url).json()
        if task["status"] in ("done", "error"):
            return task
        time.sleep(0.3)
    raise AssertionError(task)


@contextmanager
def _your_midi_tab(studio_url, tmp_path, song):
    """A page of the studio in headless Chromium on the Your MIDI tab, ``song`` uploaded."""
    from playwright.sync_api import sync_playwright

    upload = tmp_path / "mine.mid"
    upload.write_bytes(midi_bytes(song))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(studio_url + "/")
            page.get_by_role("tab", name="Your MIDI").click()
            page.locator("#own-upload input[type=file]").set_input_files(str(upload))
            yield page
        finally:
            browser.close()


def _download(page, path):
    """The result's MIDI, downloaded through its link, saved at ``path``."""
    with page.expect_download(timeout=30_000) as download:
        page.locator("#own-file a").first.click()
    download.value.save_as(path)
    return path


def test_rest_varies_a_file_and_refuses_bad_ones_in_one_line(http):
    mine = band(4)
    body = {"midi": base64.b64encode(midi_bytes(mine)).decode(), "bar_range": "2-3", "tracks": "bass", "seed": 1}
    task = _finished(http, http.post("/api/v1/own/vary", json=body).json())
    assert task["status"] == "done", task
    got = http.get(task["result"]["files"]["song.mid"])
    assert got.status_code == 200
    varied = midi_to_song(got.content)
    assert [t.notes for t in varied.tracks if t.name != "Bass"] == [t.notes for t in mine.tracks if t.name != "Bass"]
    for sent, action, words in ((dict(body, midi="not base64!"), "vary", "midi: is missing or not base64"),
                                (dict(body, midi=base64.b64encode(b"hello").decode()), "vary", "midi: not a Standard"),
                                (dict(body, bars=0), "continue", "bars: '0' is not a bar count"),
                                (body, "remix", "action: 'remix' is not an action")):
        refused = http.post(f"/api/v1/own/{action}", json=sent)
        assert refused.status_code == 422 and refused.json()["detail"].startswith(words), refused.text
    bad = _finished(http, http.post("/api/v1/own/vary", json=dict(body, tracks="tuba")).json())
    assert bad["status"] == "error" and bad["error"].startswith("tracks: 'tuba' is not a track of the file")


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="Debian chromium is not installed (apt-get install -y chromium)")
def test_upload_continue_hear_and_download(studio_url, tmp_path):
    from playwright.sync_api import expect

    mine = band(4)
    with _your_midi_tab(studio_url, tmp_path, mine) as page:
        # the file list shows the name's stem and extension in elements of their own ("mine .mid")
        expect(page.locator("#own-upload")).to_contain_text(re.compile(r"mine\s*\.mid"), timeout=30_000)
        page.locator("#own-go").click()
        expect(page.locator("#own-info")).to_contain_text("Continued by 8 bars", timeout=240_000)
        # the waveform player holds the fetched preview as a blob once the audio has arrived
        player = page.locator("#own-preview").get_by_test_id("waveform-Preview").locator("audio")
        expect(player).to_have_attribute("src", re.compile(r"^(blob:|http).+"), timeout=60_000)
        got = _download(page, tmp_path / "got.mid")
    song = midi_to_song(got)
    assert [[n for n in t.notes if n.start < 4 * BAR] for t in song.tracks] == [t.notes for t in mine.tracks]
    assert song.end_tick > 11 * BAR


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="Debian chromium is not installed (apt-get install -y chromium)")
def test_bars_chosen_beside_the_roll_are_shaded_and_varied(studio_url, tmp_path):
    from playwright.sync_api import expect

    mine = band(4)
    with _your_midi_tab(studio_url, tmp_path, mine) as page:
        expect(page.locator("#own-before .main-svg").first).to_be_visible(timeout=30_000)  # yours, at once
        expect(page.locator("#own-to input[type=range]")).to_have_attribute("max", "4", timeout=30_000)
        for slider, bar in (("#own-to", "3"), ("#own-from", "2")):
            box = page.locator(f"{slider} input[type=number]")
            box.fill(bar)
            box.press("Enter")
        bars = page.get_by_label("Vary: bars")
        expect(bars).to_have_value("2-3", timeout=30_000)
        shade = page.locator('#own-before .shapelayer path[style*="rgb(245, 185, 66)"]')
        expect(shade).to_have_count(1, timeout=30_000)
        page.locator("#own-action").get_by_text("vary").click()
        page.get_by_label("Vary: tracks (roles or numbers)").fill("bass")
        page.locator("#own-go").click()
        expect(page.locator("#own-info")).to_contain_text("Bars 2-3 of bass composed anew", timeout=240_000)
        got = _download(page, tmp_path / "varied.mid")
    varied = midi_to_song(got)
    for before, after in zip(mine.tracks, varied.tracks):
        kept = [n for n in before.notes if not BAR <= n.start < 3 * BAR] if before.name == "Bass" else before.notes
        assert [n for n in after.notes if not (after.name == "Bass" and BAR <= n.start < 3 * BAR)] == kept
