"""Click -> new audio in the studio page (real Chromium), for Generate, Regenerate section, a chat
refinement and Undo, with the default (learned) engine and the seed prompt; medians of three runs.

    GRADIO_SERVER_PORT=7861 STORI_STUDIO_DIR=/tmp/studio-timings .venv/bin/python app.py &
    .venv/bin/python scripts/studio_timings.py http://127.0.0.1:7861/

"New audio" is the moment the preview player holds the new file (its ``src`` changes), so each time
includes composing, saving, rendering the preview and the page fetching it.
"""
import re
import statistics
import sys
import time

from playwright.sync_api import expect, sync_playwright

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7860/"
PROMPT = ("a bittersweet indie folk song about leaving home, with fingerpicked guitar, warm bass, subtle drums, "
          "and a melody that soars in the chorus")
RUNS = 3

times: dict[str, list[float]] = {"generate": [], "regenerate section": [], "refine": [], "undo": []}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
    for _ in range(RUNS):
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(URL)
        audio = page.get_by_test_id("waveform-Preview").locator("audio")

        def timed(what, act, before):
            start = time.time()
            act()
            if before:
                expect(audio).not_to_have_attribute("src", before, timeout=180_000)
            expect(audio).to_have_attribute("src", re.compile(r"^(blob:|http).+"), timeout=180_000)
            times[what].append(time.time() - start)
            return audio.get_attribute("src")

        def say():
            page.locator("#say textarea").fill("make the bridge more intense")
            page.locator("#send").click()

        page.locator("#prompt textarea").fill(PROMPT)
        src = timed("generate", lambda: page.locator("#generate").click(), None)
        page.locator('#timeline [data-section="verse2"]').click()
        expect(page.locator("#section input")).to_have_value("verse2")
        src = timed("regenerate section", lambda: page.locator("#regenerate-section").click(), src)
        src = timed("refine", say, src)
        timed("undo", lambda: page.get_by_role("button", name="↶ Undo").click(), src)
        page.close()
    browser.close()
for what, seconds in times.items():
    print(f"{what}: median {statistics.median(seconds):.1f} s (runs: {', '.join(f'{s:.1f}' for s in seconds)})")
