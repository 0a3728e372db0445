"""The studio in real headless Chromium: prompt -> Generate -> audio and piano roll -> a chat refinement
and its diff (the screenshot it leaves is docs/studio.png, which the README shows); then oversized and
malformed uploads get a clear message and the app keeps serving."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import SEED_PROMPT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "studio.png"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PROMPT = SEED_PROMPT

pytestmark = pytest.mark.skipif(not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None,
                                reason="Debian chromium is not installed (apt-get install -y chromium)")


def _seed_prompt_on_baseline(browser, studio_url):
    """A desktop page of the studio with the seed prompt typed and the baseline engine chosen (the
    settings closed again, so screenshots show the results)."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(studio_url + "/")
    page.locator("#prompt textarea").fill(PROMPT)
    settings = page.get_by_text("Key, tempo, meter, form, engine")
    settings.click()
    page.locator("#engine input").click()
    page.get_by_role("option", name="baseline", exact=True).click()
    settings.click()
    return page


def test_studio_in_the_browser(studio_url, tmp_path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = _seed_prompt_on_baseline(browser, studio_url)
            page.locator("#prompt textarea").press("Enter")  # Enter in the prompt generates, as the button does

            roll = page.locator("#piano-roll .js-plotly-plot")
            expect(roll).to_be_visible(timeout=180_000)
            expect(page.locator("#piano-roll")).to_contain_text("chorus")  # section names over the roll
            # the waveform player holds the fetched preview.ogg as a blob once the audio has arrived
            expect(page.get_by_test_id("waveform-Preview").locator("audio")).to_have_attribute(
                "src", re.compile(r"^(blob:|http).+"), timeout=60_000)
            expect(page.locator("#chat")).to_contain_text("Your song is ready", timeout=30_000)

            page.locator("#say textarea").fill("make the bridge more intense")
            page.locator("#send").click()
            expect(page.locator("#chat")).to_contain_text("Version 2", timeout=180_000)
            expect(page.locator("#chat")).to_contain_text("bridge")
            expect(roll).to_be_visible()

            page.locator("#stori-title").scroll_into_view_if_needed()
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), clip={"x": 0, "y": 0, "width": 1440, "height": 1980}, full_page=True)

            # Humanize: an oversized and a malformed upload each get one clear message ...
            page.get_by_role("tab", name="Humanize").click()
            big, bad = tmp_path / "big.mid", tmp_path / "bad.mid"
            big.write_bytes(b"MThd" + bytes(3_000_000))
            bad.write_bytes(b"MThd\x00\x00\x00\x06not really a midi file")
            page.locator("#upload input[type=file]").set_input_files(str(big))
            expect(page.get_by_text(re.compile("exceed the maximum allowed size"))).to_be_visible(timeout=30_000)
            page.locator("#upload input[type=file]").set_input_files(str(bad))
            page.get_by_role("button", name="Humanize", exact=True).click()
            expect(page.get_by_text(re.compile(r"midi: .+; allowed: "))).to_be_visible(timeout=60_000)
            # ... and the studio keeps serving: a drum part still comes back
            page.get_by_role("tab", name="Drums").click()
            page.get_by_role("button", name="Make drums").click()
            expect(page.get_by_text(re.compile(r"hits over 4 bars"))).to_be_visible(timeout=120_000)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 50_000


SECTIONS_SHOT = SCREENSHOT.parent / "studio-sections.png"


def test_section_editing_in_the_browser(studio_url):  # noqa: F811
    """Click a block of the Form, regenerate that section with new bars and feel (a new version in the
    chat, the others kept, undo back); edit one table row and apply it (only that section composed
    again); hear two parts of one section on a loop; the playhead follows the preview on the roll; the
    song.mid served plays the genre's kit (folk: brushes, GS kit 40) on channel 10."""
    import io

    import httpx
    import mido
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = _seed_prompt_on_baseline(browser, studio_url)
            page.locator("#generate").click()
            expect(page.locator("#chat")).to_contain_text("Your song is ready", timeout=180_000)

            link = page.get_by_role("link").filter(has_text="KB").first  # song.mid, as served to the page
            mid = mido.MidiFile(file=io.BytesIO(httpx.get(link.get_attribute("href"), timeout=30).content))
            drums = [m for t in mid.tracks for m in t if not m.is_meta and m.channel == 9]
            assert [m.program for m in drums if m.type == "program_change"] == [40]  # the Brush kit

            # the playhead: 20 s into the preview is bar 1 + 20 s * BPM / (60 s * 4 beats) on the roll
            bpm = float(re.search(r"([\d.]+) BPM · 4/4", page.locator("#metrics").inner_text()).group(1))
            player = page.get_by_test_id("waveform-Preview").locator("audio").element_handle()
            page.wait_for_function(  # seek to 20 s (again, if the player resets itself once loaded) until it stays
                "a => { if (a.readyState < 1) return false; if (Math.abs(a.currentTime - 20) > 0.01) "
                "{ a.currentTime = 20; return false; } return true; }", arg=player, polling=250, timeout=30_000)
            playhead = page.locator("#piano-roll .stori-playhead")
            expect(playhead).to_be_visible()
            expected = page.locator("#piano-roll .js-plotly-plot").evaluate(
                f"g => g._fullLayout._size.l + g._fullLayout.xaxis.l2p(1 + 20 * {bpm} / 240)")
            left = playhead.evaluate("e => parseFloat(e.style.left)")
            assert abs(left - expected) < 1.5

            block = page.locator('#timeline [data-section="verse2"]')
            expect(block).to_contain_text("8 bars")
            block.click()  # the Form selects the section and opens its panel
            expect(block).to_have_class(re.compile("selected"))
            expect(page.locator("#section input")).to_have_value("verse2")
            page.locator("#section-bars input").fill("4")
            page.locator("#regenerate-section").click()
            chat = page.locator("#chat")
            expect(chat).to_contain_text("Version 2 — regenerate verse2", timeout=180_000)
            expect(chat).to_contain_text("verse2 8 → 4 bars")
            expect(chat).to_contain_text(re.compile(r"identical notes: intro, verse1, pre_chorus, chorus1, chorus2"))
            expect(block).to_contain_text("4 bars")
            expect(block).to_have_class(re.compile("selected"))  # still selected in the new version
            page.locator("#timeline").scroll_into_view_if_needed()
            page.screenshot(path=str(SECTIONS_SHOT), full_page=False)

            page.get_by_role("button", name="↶ Undo").click()
            expect(chat).to_contain_text("Version 3 — the song of version 1 again (undo)", timeout=120_000)
            expect(block).to_contain_text("8 bars")

            page.get_by_text("All sections as a table").click()
            intro_bars = page.locator('#sections-table [data-testid="cell-0-2"]')
            expect(intro_bars).to_contain_text(re.compile(r"^\s*4\b"))  # the table shows version 1 again
            page.wait_for_timeout(500)  # the table settles after its new value before a cell is edited
            intro_bars.dblclick()
            page.keyboard.press("Control+A")
            page.keyboard.type("2")
            page.keyboard.press("Enter")
            expect(intro_bars).to_contain_text(re.compile(r"^\s*2\b"))
            page.locator("#apply-table").click()
            expect(chat).to_contain_text("intro 4 → 2 bars", timeout=180_000)
            expect(chat).to_contain_text(re.compile(r"identical notes: verse1, pre_chorus, chorus1, verse2"))

            # hear two parts of one section on a loop: a new preview as long as that section (8 bars)
            audio = page.get_by_test_id("waveform-Preview").locator("audio")
            whole = audio.get_attribute("src")
            page.locator('#timeline [data-section="chorus1"]').click()
            boxes = page.locator("#parts input[type=checkbox]")  # drums, bass, harmony, melody
            expect(boxes).to_have_count(4)
            boxes.nth(3).uncheck()
            boxes.nth(2).uncheck()
            page.locator("#loop-section input").check()
            page.locator("#hear").click()
            expect(audio).not_to_have_attribute("src", whole, timeout=120_000)
            seconds = round(8 * 4 * 60 / bpm + 0.5)
            expect(page.get_by_test_id("waveform-Preview")).to_contain_text(f"0:{seconds:02d}")
        finally:
            browser.close()


CHAT_SHOT = SCREENSHOT.parent / "chat.png"


def test_chat_in_the_browser(studio_url):  # noqa: F811
    """Say what a musician says: the reply is a short diff (details folded), numbered as the song's
    folder is; something the chat does not know is answered with the three closest commands."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = _seed_prompt_on_baseline(browser, studio_url)
            page.locator("#generate").click()
            chat = page.locator("#chat")
            expect(chat).to_contain_text("Your song is ready", timeout=180_000)
            expect(page.locator("#downloads")).to_contain_text("version 1")

            page.locator("#say textarea").fill("sparser drums in the second chorus")
            page.locator("#send").click()
            expect(chat).to_contain_text("Version 2 — sparser drums in the second chorus", timeout=180_000)
            expect(page.locator("#downloads")).to_contain_text("version 2")  # the folder the files came from
            reply = chat.locator(".message.bot").last  # the newest answer
            details = reply.locator("details")
            expect(details).to_have_count(1)
            expect(details.locator("summary")).to_have_text("Details")
            expect(details.get_by_text("What changed")).to_be_hidden()  # folded until asked for
            shown = reply.evaluate("""m => { const c = m.cloneNode(true); c.querySelectorAll('details, button')
                .forEach(d => d.remove()); return c.innerText.split('\\n').filter(l => l.trim()).length; }""")
            assert 2 <= shown <= 11, shown  # the heading and at most ten lines
            expect(reply).to_contain_text(re.compile(r"chorus2.*(hats|drums notes/bar) \S+ → \S+"))
            details.locator("summary").click()
            expect(details.get_by_text("What changed")).to_be_visible()

            page.locator("#say textarea").fill("can the intro drumz feel like a sunrise")
            page.locator("#send").click()
            expect(chat).to_contain_text("The closest I know:", timeout=60_000)
            expect(chat.locator(".message.bot").last.locator("em")).to_have_count(4)  # what was said and three
            expect(page.locator("#downloads")).to_contain_text("version 2")  # nothing changed

            page.locator("#say textarea").fill("transpose up 2")
            page.locator("#send").click()
            expect(chat).to_contain_text("Version 3 — transpose up 2", timeout=180_000)
            expect(page.locator("#downloads")).to_contain_text("version 3")
            chat.scroll_into_view_if_needed()
            page.screenshot(path=str(CHAT_SHOT), full_page=False)
        finally:
            browser.close()
    assert CHAT_SHOT.stat().st_size > 20_000


VIEWS_SHOT = SCREENSHOT.parent / "studio-mobile-dark.png"
ONE_LINE = """els => els.map(el => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; })"""


def test_views_on_a_phone_in_dark_mode_and_humanize(studio_url, tmp_path):  # noqa: F811
    """At 400 px in dark mode: metrics cells on one line each, Form labels whole, the roll on the page's
    own background with readable ink. Humanize: the reply and the timing/velocity view; a bad file
    afterwards leaves no earlier result on the page."""
    import httpx
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 400, "height": 900})
            page.goto(studio_url + "/?__theme=dark")
            page.locator("#prompt textarea").fill("dark trap beat")
            page.get_by_text("Key, tempo, meter, form, engine").click()
            page.locator("#engine input").click()
            page.get_by_role("option", name="baseline", exact=True).click()
            page.locator("#generate").click()
            expect(page.locator("#chat")).to_contain_text("Your song is ready", timeout=180_000)
            expect(page.locator("#piano-roll .xtick text").first).to_be_visible()

            cells = page.locator("#metrics th, #metrics td")
            expect(cells.first).to_be_visible()
            assert set(cells.evaluate_all(ONE_LINE)) == {1}  # no word broken across lines
            blocks = page.locator("#timeline .stori-block")
            assert blocks.count() == 6
            assert all(blocks.evaluate_all("els => els.map(b => b.scrollWidth <= b.clientWidth)"))  # labels whole
            ink = page.locator("#piano-roll .xtick text").first.evaluate("e => getComputedStyle(e).fill")
            paper = page.locator("#piano-roll .main-svg").first.evaluate("e => getComputedStyle(e).backgroundColor")
            assert ink == "rgb(138, 143, 152)" and paper == "rgba(0, 0, 0, 0)"
            page.locator("#metrics").scroll_into_view_if_needed()
            page.screenshot(path=str(VIEWS_SHOT))

            song = tmp_path / "song.mid"
            link = page.get_by_role("link").filter(has_text="KB").first
            song.write_bytes(httpx.get(link.get_attribute("href"), timeout=30).content)
            page.set_viewport_size({"width": 1440, "height": 1000})  # every tab in sight (a phone folds some away)
            page.get_by_role("tab", name="Humanize").click()
            page.locator("#upload input[type=file]").set_input_files(str(song))
            page.get_by_role("button", name="Humanize", exact=True).click()
            info = page.get_by_text(re.compile(r"timing moved a median"))
            expect(info).to_be_visible(timeout=120_000)
            expect(page.get_by_text("timing offset (ms, − = earlier)")).to_be_visible()
            bad = tmp_path / "bad.mid"
            bad.write_bytes(b"MThd\x00\x00\x00\x06not really a midi file")
            page.locator("#upload").get_by_role("button", name=re.compile("Clear|Remove")).first.click()
            page.locator("#upload input[type=file]").set_input_files(str(bad))
            page.get_by_role("button", name="Humanize", exact=True).click()
            expect(page.get_by_text(re.compile(r"midi: .+; allowed: "))).to_be_visible(timeout=60_000)
            expect(info).to_have_count(0)  # the earlier result is gone
            expect(page.get_by_text("timing offset (ms, − = earlier)")).to_have_count(0)
        finally:
            browser.close()
