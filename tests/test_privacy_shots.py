"""Screenshots of personal-data findings in which no full number shows (inspection/
privacy_shots.py): the GBK 低保公示 table of tests/sites/privacy is opened in Chromium, its numbers
masked in the DOM before the capture. The page's text after masking holds the masked forms and no
planted full number (the PNG itself cannot be read back, its page's text can); the element_box of
the first number lies inside the picture. A page whose mobile is split over three elements keeps
no picture and says why; a form field is masked too."""

from __future__ import annotations

import asyncio
import threading
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from xunjian.browser.outline import png_size, within
from xunjian.inspection.privacy_shots import (
    NOT_MASKED,
    _apply,
    masked_shot,
    personal_values,
)

pytestmark = pytest.mark.browser

SITE = Path(__file__).parent / "sites" / "privacy"
DAY = date(2024, 6, 1)
FULL = ["110105199003070017", "32050219770101789X", "13812345678", "6222021001123456789",
        "15900001111"]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass


@pytest.fixture(scope="module")
def base():
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def shoot(url: str, values: list[list[str]]) -> dict | None:
    from playwright.async_api import async_playwright

    from xunjian.browser import context_options, launch_options

    async def run():
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_options())
            try:
                context = await browser.new_context(**context_options())
                return await masked_shot(context, url, values, DAY)
            finally:
                await browser.close()

    return asyncio.run(run())


def test_table_page_is_pictured_with_its_numbers_masked(base):
    html = (SITE / "art_101_1.html").read_bytes().decode("gbk")
    values = personal_values(html, DAY)
    assert values == [["6222021001123456789", "6222***********6789"],
                      ["110105199003070017", "110105********0017"],
                      ["32050219770101789X", "320502********789X"],
                      ["13812345678", "138****5678"], ["15900001111", "159****1111"]]
    shot = shoot(base + "art_101_1.html", values)
    assert shot is not None and shot["left"] == [] and shot["png"]
    text = shot["text"]
    assert not [n for n in FULL if n in text.replace(" ", "")]
    for masked in ("110105********0017", "138****5678", "6222***********6789",
                   "320502********789X", "159****1111"):
        assert masked in text
    # look-alikes stay as published: a wrong check digit, the office phone, the 文号
    assert "110105199003070010" in text and "0571-86001234" in text and "测民〔2024〕15号" in text
    size = png_size(shot["png"])
    box = within(shot["box"], size)
    assert box is not None and box["x"] + box["width"] <= size[0]
    assert box["y"] + box["height"] <= size[1] and 30 <= box["width"] < 400


def test_split_number_keeps_no_picture(base):
    html = (SITE / "shots" / "split.html").read_text("utf-8")
    values = personal_values(html, DAY)
    assert values == [["110105199003070017", "110105********0017"],
                      ["13905712345", "139****2345"]]
    shot = shoot(base + "shots/split.html", values)
    assert shot is not None and shot["png"] is None and shot["left"] == ["13905712345"]
    assert "110105********0017" in shot["text"]  # the form field was masked too
    finding = {"indicator": "content.privacy", "evidence": {"in": "page", "url": "x"}}
    assert _apply(None, [finding], shot) == 0
    assert finding["evidence"] == {"in": "page", "url": "x", "element_box": None,
                                   "element_missing": NOT_MASKED}


def test_number_written_by_script_keeps_no_picture(base):
    """The stored HTML holds the 身份证号; the page's script writes a mobile when it loads: the
    mobile is not among the numbers to mask, the check after masking finds it, no picture."""
    html = (SITE / "shots" / "script.html").read_text("utf-8")
    values = personal_values(html, DAY)
    assert values == [["110105199003070017", "110105********0017"]]
    shot = shoot(base + "shots/script.html", values)
    assert shot["png"] is None and shot["left"] == ["13905712345"]
    assert "110105********0017" in shot["text"] and "110105199003070017" not in shot["text"]
