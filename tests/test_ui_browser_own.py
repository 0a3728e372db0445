"""The Your MIDI tab in real headless Chromium: upload a song, continue it, hear the preview, download
the file, and find every uploaded note in it as it was."""
from __future__ import annotations

import re

from stori.render.midi import midi_bytes, midi_to_song
from tests.own_band import BAR, band
from tests.test_ui_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401  (skipped where Chromium is missing)


def test_upload_continue_hear_and_download(studio_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    mine = band(4)
    upload = tmp_path / "mine.mid"
    upload.write_bytes(midi_bytes(mine))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(studio_url + "/")
            page.get_by_role("tab", name="Your MIDI").click()
            page.locator("#own-upload input[type=file]").set_input_files(str(upload))
            expect(page.locator("#own-upload")).to_contain_text("mine.mid", timeout=30_000)
            page.locator("#own-go").click()
            expect(page.locator("#own-info")).to_contain_text("Continued by 8 bars", timeout=240_000)
            expect(page.locator("#own-preview audio")).to_have_attribute("src", re.compile(r"^(blob:|http).+"),
                                                                          timeout=60_000)
            with page.expect_download(timeout=30_000) as download:
                page.locator("#own-file a").first.click()
            got = tmp_path / "got.mid"
            download.value.save_as(got)
        finally:
            browser.close()
    song = midi_to_song(got)
    assert [[n for n in t.notes if n.start < 4 * BAR] for t in song.tracks] == [t.notes for t in mine.tracks]
    assert song.end_tick > 11 * BAR
