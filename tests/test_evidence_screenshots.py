"""Issue 10 point 8: evidence screenshots show what the browser saw, or say they show nothing.

Local pages in the style of the walls government sites sit behind: a 安全狗 block page that draws
itself after a timer, a 知道创宇 (加速乐) JS challenge that sets a cookie and reloads into the real
homepage, a truly blank page, and a 503 maintenance page whose script never loads (for the probe's
deadline). Served on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from xunjian.browser import BrowserNotFound, Renderer, find_browser
from xunjian.browser.blank import is_blank
from xunjian.inspectors.links import link_findings
from xunjian.probes.probe import ProbeConfig, Prober
from xunjian.spiders.blank import BlankScreenshotPipeline
from xunjian.storage import EmbeddedStore

SITE = Path(__file__).parent / "sites" / "wall_challenge"
RELEASE = threading.Event()  # lets the never-ending script go when the tests end


class Wall(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status: int, name: str) -> None:
        body = (SITE / name).read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/hang.js":
            RELEASE.wait(60)  # a script that never arrives (bounded for the test run)
            return
        if self.path == "/jsl/":
            cleared = "__jsl_clearance=" in (self.headers.get("Cookie") or "")
            return self._send(200 if cleared else 521, "portal.html" if cleared
                              else "jsl_challenge.html")
        pages = {"/safedog/": (403, "safedog.html"), "/blank/": (200, "blank.html"),
                 "/down/": (503, "down503.html")}
        if self.path in pages:
            return self._send(*pages[self.path])
        self.send_error(404)


@pytest.fixture(scope="module")
def wall():
    try:
        find_browser()
    except BrowserNotFound:
        pytest.skip("no Chromium on this machine")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Wall)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    RELEASE.set()
    server.shutdown()
    server.server_close()


def render(url: str, **kwargs):
    async def go():
        async with Renderer(concurrency=1, timeout=20) as renderer:
            return await renderer.render(url, **kwargs)

    return asyncio.run(go())


def png(width: int, height: int, text_rows: int = 0) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for row in range(text_rows):  # dark strokes the size of one line of 12 px text
        draw.rectangle((40, 40 + 20 * row, 240, 52 + 20 * row), fill=(51, 51, 51))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_blank_detection_on_pictures() -> None:
    assert is_blank(png(1366, 900))
    assert not is_blank(png(1366, 900, text_rows=1))  # "正在验证您的浏览器…" alone is not blank
    assert is_blank(b"not a png") and is_blank(None)


@pytest.mark.browser
def test_a_wall_that_paints_after_a_timer_is_photographed_painted(wall) -> None:
    seen = render(f"{wall}/safedog/")
    assert seen.status == 403 and seen.title == "网站防火墙"
    assert seen.screenshot and not seen.screenshot_blank
    assert not is_blank(seen.screenshot)


@pytest.mark.browser
def test_a_js_challenge_that_reloads_is_photographed_after_it(wall) -> None:
    seen = render(f"{wall}/jsl/")
    assert seen.screenshot and not seen.screenshot_blank


@pytest.mark.browser
def test_a_truly_blank_page_is_marked_blank_in_the_evidence(wall) -> None:
    seen = render(f"{wall}/blank/")
    assert seen.error is None and seen.screenshot
    assert seen.screenshot_blank and is_blank(seen.screenshot)
    # the spider's pages carry the mark into the store and into a link finding's evidence
    item = BlankScreenshotPipeline().process_item(
        {"type": "page", "url": f"{wall}/blank/", "screenshot_png": seen.screenshot})
    assert item["screenshot_blank"] is True
    page = {"url": f"{wall}/blank/", "final_url": f"{wall}/blank/", "is_home": True,
            "screenshot": "b1", "screenshot_blank": item["screenshot_blank"], "title": "",
            "links": [{"url": f"{wall}/gone.html", "text": "通知公告", "tag": "a",
                       "kind": "page", "external": False}]}
    results = {f"{wall}/gone.html": {"url": f"{wall}/gone.html", "outcome": "broken",
                                      "reason": "http_404", "http_status": 404}}
    site = {"code": "3205060001", "url": f"{wall}/blank/", "name": "吴中区"}
    [finding] = link_findings(site, [page], results)
    assert finding["evidence"]["screenshot"] == "b1"
    assert finding["evidence"]["screenshot_blank"] is True


@pytest.mark.browser
def test_a_probe_failure_screenshot_ends_within_the_probe_deadline(wall, tmp_path) -> None:
    deadline = ProbeConfig().timeout  # the table's 15 s for the homepage

    async def go():
        with EmbeddedStore(tmp_path / "store") as store:
            config = ProbeConfig(host_delay=0, screenshot_concurrency=1)
            async with Prober(store, config) as prober:
                await prober._open_renderer()  # the browser starts once per run, not per probe
                started = time.monotonic()
                shot = await prober._take(f"{wall}/down/")
                return shot, time.monotonic() - started

    shot, elapsed = asyncio.run(go())
    # the page never finishes loading (its script never arrives): without a bound the picture
    # would wait for the renderer's 20 s goto timeout and more; with it, it is taken inside
    # the probe's deadline
    assert elapsed <= deadline + 1.0, elapsed
    assert shot is not None and not is_blank(shot)  # what the browser had drawn: the 503 text
