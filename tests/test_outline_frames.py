"""A broken link inside an iframe of its referring page is outlined where the frame shows it
(issue 22, section 3: "渲染后的页面上未找到该链接" was said of a link that is on the page).

The fixture (tests/sites/iframe_list, GBK bytes, no charset header) is a county portal in layout
tables and 宋体 whose 部门动态 block is ``<iframe src="/module/jpage/dataproxy.jsp?…"
scrolling="no">`` (a 大汉 jpage list) with a border and padding, in the right-hand column. Its
third item, 县统计局发布前三季度经济运行情况, is drawn in a purple (#8a00a8) used nowhere else: the
box is right when the purple pixels of the full-page screenshot are inside it and none outside.
The tenth item lies below the frame's window (the frame does not scroll): it is in a frame but
not on the picture, and says so. Below, a 专题专栏 frame holds a frame of its own whose link
(乡村振兴专题, green #00875a) is two frames' borders and offsets deep. Served on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from xunjian.browser.outline import IN_FRAME, NOT_FOUND, element_evidence, marked_crop
from xunjian.browser.render import Renderer

pytestmark = pytest.mark.browser

SITE = Path(__file__).parent / "sites" / "iframe_list"
PURPLE = (0x8A, 0x00, 0xA8)
SHOWN = "/art/2026/11/18/art_4512_199.html"   # 县统计局发布前三季度经济运行情况 (purple)
BELOW = "/art/2026/11/08/art_4512_188.html"   # 县民政局开展冬季救助帮扶 (below the window)
NESTED = "/zt/2026/xczx/index.html"  # 乡村振兴专题（已停更）, green, in a frame inside a frame
GREEN = (0x00, 0x87, 0x5A)


class Portal(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        path = unquote(urlsplit(self.path).path)
        file = SITE / (path.lstrip("/") or "index.html")
        if not file.resolve().is_relative_to(SITE.resolve()) or not file.is_file():
            self.send_response(404)
            data = "<html><body>您访问的页面不存在</body></html>".encode("gbk")
        else:
            self.send_response(200)
            data = file.read_bytes()
        self.send_header("Content-Type", "text/html")  # GBK, as such servers send it: no charset
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextlib.contextmanager
def serving():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def _render(url: str):
    async with Renderer(concurrency=1, timeout=30) as renderer:
        return await renderer.render(url, measure=True)


@pytest.fixture(scope="module")
def rendered():
    with serving() as base:
        result = asyncio.run(_render(base + "/"))
    assert result.screenshot and result.link_boxes, result.error
    page = {"screenshot": "blob", "link_boxes": result.link_boxes}
    return {"base": base, "shot": result.screenshot, "page": page}


def _image(data: bytes):
    from PIL import Image

    img = Image.open(io.BytesIO(data))
    img.load()
    return img.convert("RGB")


def _purple(img, box=None, inside=True, colour=PURPLE) -> int:
    """Pixels of ``colour`` inside (or outside) ``box`` (grown by 4 px for anti-aliased edges)."""
    pixels, (w, h) = img.load(), img.size
    count = 0
    for y in range(h):
        for x in range(w):
            if not all(abs(a - b) <= 40 for a, b in zip(pixels[x, y], colour, strict=True)):
                continue
            if box is None:
                count += 1
                continue
            within = (box["x"] - 4 <= x < box["x"] + box["width"] + 4
                      and box["y"] - 4 <= y < box["y"] + box["height"] + 4)
            count += within == inside
    return count


def test_a_link_in_the_iframe_is_boxed_where_the_frame_shows_it(rendered):
    ev = element_evidence(rendered["page"], rendered["base"] + SHOWN)
    box = ev["element_box"]
    assert box is not None, ev
    img = _image(rendered["shot"])
    assert _purple(img) > 30  # the anchor is on the picture
    assert _purple(img, box, inside=True) > 30
    assert _purple(img, box, inside=False) == 0
    assert box["x"] > 500  # the right-hand column, offset by the frame's border and padding
    assert box["height"] < 30 and box["width"] < 300, box


def test_the_marked_crop_frames_the_link_in_red(rendered):
    ev = element_evidence(rendered["page"], rendered["base"] + SHOWN)
    img = _image(marked_crop(rendered["shot"], ev["element_box"]))
    assert _purple(img) > 30
    pixels, (w, h) = img.load(), img.size
    red = sum(1 for y in range(h) for x in range(w)
              if abs(pixels[x, y][0] - 230) < 12 and pixels[x, y][1] < 12 and pixels[x, y][2] < 12)
    assert red > 200


def test_a_link_of_the_frame_outside_its_window_says_it_is_in_a_frame(rendered):
    ev = element_evidence(rendered["page"], rendered["base"] + BELOW)
    assert ev == {"element_box": None,
                  "element_missing": "该链接位于页面内嵌框架（iframe）中，未能标出位置"}
    assert ev["element_missing"] == IN_FRAME.format(what="链接")


def test_a_link_nowhere_on_the_page_still_says_not_found(rendered):
    ev = element_evidence(rendered["page"], rendered["base"] + "/art/2020/01/01/gone.html")
    assert ev["element_missing"] == NOT_FOUND.format(what="链接")


def test_the_main_page_links_keep_their_boxes(rendered):
    ev = element_evidence(rendered["page"], rendered["base"] + "/art/2026/11/20/art_1_101.html")
    box = ev["element_box"]
    assert box is not None and box["x"] < 500  # 政务要闻, the left-hand column


def test_a_link_in_a_frame_inside_a_frame_is_boxed_too(rendered):
    ev = element_evidence(rendered["page"], rendered["base"] + NESTED)
    box = ev["element_box"]
    assert box is not None, ev
    img = _image(rendered["shot"])
    assert _purple(img, colour=GREEN) > 30
    assert _purple(img, box, inside=True, colour=GREEN) > 30
    assert _purple(img, box, inside=False, colour=GREEN) == 0
