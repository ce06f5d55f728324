"""Issue 22 part 1: every broken link's 入口页截图 says where on the page the link is.

The fixture (tests/sites/outline) is a GB2312 county portal in tables and inline styles, 宋体:
a long homepage (sixty 政务要闻 rows) whose 专题专栏 table at its foot links a missing
县政府工作报告, drawn in the page's own red (#b8001f); an article page, read over plain HTTP
and photographed only in the finishing, whose 附件 (a Chinese file name, in green #00753a) is
missing and whose 旧版网站 link its script removes once loaded (in the HTML, not on the page).
Each coloured anchor's colour is used nowhere else: the box is right when the anchor's pixels
are inside it and none outside. Served on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from cli_run import census_forms, run_counted, xunjian

from xunjian.browser.outline import NOT_FOUND, element_evidence, marked_crop
from xunjian.scoring.schema import validate_card
from xunjian.storage import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = Path(__file__).parent / "sites" / "outline"
CODE = "9999000150"
AS_OF = "2026-11-20"
ENV = {"XUNJIAN_LINK_TIMEOUT": "3", "XUNJIAN_NAV_TIMEOUT": "15", "XUNJIAN_HOME_RETRIES": "0",
       "XUNJIAN_MAX_GUIDES": "2", "XUNJIAN_MAX_LETTERS": "0"}
#: anchor text → its colour on the page (used by no other element)
COLOURED = {"县政府工作报告（2025年）": (0xb8, 0x00, 0x1f), "今冬明春重点工作方案.doc": (0x00, 0x75, 0x3a)}


class Portal(BaseHTTPRequestHandler):
    """The fixture's files as they are (GB2312 bytes, no charset in the header); 404 else."""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        path = unquote(urlsplit(self.path).path)
        file = SITE / (path.lstrip("/") or "index.html")
        if file.is_dir():
            file = file / "index.html"
        if not file.resolve().is_relative_to(SITE.resolve()) or not file.is_file():
            body = "<html><head><title>404</title></head><body>页面不存在</body></html>"
            self.send_response(404)
            data = body.encode("utf-8")
            self.send_header("Content-Type", "text/html; charset=utf-8")
        else:
            self.send_response(200)
            data = file.read_bytes().replace(b"{{PORT}}", str(self.server.server_address[1])
                                             .encode())
            self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextlib.contextmanager
def serving():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _registry(folder: Path, url: str) -> list[Path]:
    base = url.rstrip("/")
    site = (CODE, "某某省某某县", "某某县人民政府", "门户网站", url, "某某县人民政府办公室")
    return census_forms(folder, site,
                        [("信息公开类", "通知公告", "通知公告", f"{base}/xxgk/tzgg/index.html"),
                         ("信息公开类", "政策文件", "政策文件", f"{base}/xxgk/zcwj/index.html"),
                         ("信息公开类", "人事信息", "人事信息", f"{base}/xxgk/rsxx/index.html"),
                         ("办事服务类", "办事指南类栏目", "办事指南", f"{base}/bsfw/bszn/index.html")])


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("outline")
    store = tmp / "store"
    with serving() as url:
        forms = _registry(tmp / "registry", url)
        assert xunjian("registry", "import", *map(str, forms), store=store).returncode == 0
        env = dict(os.environ, XUNJIAN_STORE=str(store), **ENV)
        run, _ = run_counted([sys.executable, "-m", "xunjian.cli", "inspect", CODE,
                              "--as-of", AS_OF], env)
        assert run.returncode in (0, 1), run.stderr[-3000:]
    with open_store(str(store)) as opened:
        (inspection,) = opened.inspections(CODE)
        findings = [f for f in opened.findings(inspection["id"])
                    if f["indicator"] == "availability.links"]
        shots = {f["evidence"]["screenshot"]: opened.get_blob(f["evidence"]["screenshot"])
                 for f in findings if f["evidence"].get("screenshot")}
        card = xunjian("report", "card", CODE, "--json", "-", store=store, timeout=120)
        assert card.returncode == 0, card.stderr
        card = json.loads(card.stdout)
        validate_card(card)  # element_box / element_missing are in the schema
        columns = [f for f in card["findings"] if f["indicator"] == "updates.basic_info"]
        shots.update({f["evidence"]["screenshot"]: opened.get_blob(f["evidence"]["screenshot"])
                      for f in columns if f["evidence"].get("screenshot")})
    yield {"store": store, "inspection": inspection, "findings": findings, "shots": shots,
           "tmp": tmp, "columns": {f["evidence"]["column_name"]: f for f in columns},
           "card": card}


def _image(data: bytes):
    from PIL import Image

    img = Image.open(io.BytesIO(data))
    img.load()
    return img.convert("RGB")


def _near(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def _coloured_pixels(img, colour, box=None, inside=True, tolerance=40) -> int:
    """Pixels of ``colour`` inside (or outside) ``box`` (grown by 6 px for the outline's room)."""
    w, h = img.size
    count = 0
    pixels = img.load()
    for y in range(0, h):
        for x in range(0, w):
            if not _near(pixels[x, y], colour, tolerance):
                continue
            if box is None:
                count += 1
                continue
            within = (box["x"] - 6 <= x < box["x"] + box["width"] + 6
                      and box["y"] - 6 <= y < box["y"] + box["height"] + 6)
            count += within == inside
    return count


def test_every_broken_link_has_a_box_inside_its_screenshot_or_says_why(inspected):
    by_text = {f["evidence"]["anchor_text"]: f for f in inspected["findings"]}
    assert set(by_text) == {*COLOURED, "旧版网站通知公告"}
    for text, finding in by_text.items():
        ev = finding["evidence"]
        assert ev["screenshot"], text
        img = _image(inspected["shots"][ev["screenshot"]])
        if text == "旧版网站通知公告":  # in the HTML the crawl read, removed by the page's script
            assert ev["element_box"] is None
            assert ev["element_missing"] == NOT_FOUND.format(what="链接")
            assert ev["element_missing"] == "渲染后的页面上未找到该链接"
            continue
        box = ev["element_box"]
        assert set(box) == {"x", "y", "width", "height"}
        assert "element_missing" not in ev
        assert 0 <= box["x"] and box["x"] + box["width"] <= img.size[0]
        assert 0 <= box["y"] and box["y"] + box["height"] <= img.size[1]


def test_the_box_covers_the_anchor_on_the_stored_picture(inspected):
    by_text = {f["evidence"]["anchor_text"]: f for f in inspected["findings"]}
    home = by_text["县政府工作报告（2025年）"]["evidence"]
    assert home["element_box"]["y"] > 1500  # at the foot of a long homepage: worth pointing at
    for text, colour in COLOURED.items():
        ev = by_text[text]["evidence"]
        img = _image(inspected["shots"][ev["screenshot"]])
        box = ev["element_box"]
        assert _coloured_pixels(img, colour, box, inside=True) > 30, text
        assert _coloured_pixels(img, colour, box, inside=False) == 0, text
        assert box["height"] < 40 and box["width"] < 400, (text, box)


def test_the_marked_crop_shows_the_anchor_framed_in_red(inspected):
    ev = next(f["evidence"] for f in inspected["findings"]
              if f["evidence"]["anchor_text"] == "县政府工作报告（2025年）")
    crop = marked_crop(inspected["shots"][ev["screenshot"]], ev["element_box"])
    img = _image(crop)
    (inspected["tmp"] / "crop.png").write_bytes(crop)
    assert img.size[0] <= 1366 and img.size[1] < 600  # a part of the page, not all of it
    assert _coloured_pixels(img, COLOURED["县政府工作报告（2025年）"]) > 30
    assert _coloured_pixels(img, (230, 0, 0), tolerance=10) > 200  # the frame


def test_an_element_not_on_the_rendered_page_says_so():
    page = {"screenshot": "b1", "link_boxes": {"shot": [1366, 2000], "boxes": {
        "http://x.gov.cn/a.html": [10, 1990, 100, 20],
        "http://x.gov.cn/%E5%B7%A5%E4%BD%9C.doc": [10, 20, 100, 20],
        "http://x.gov.cn/far.html": [10, 2500, 100, 20]},
        "hidden": ["http://x.gov.cn/h.html"]}}
    assert element_evidence(page, "http://x.gov.cn/gone.html") == {
        "element_box": None, "element_missing": "渲染后的页面上未找到该链接"}
    assert element_evidence(page, "http://x.gov.cn/h.html")["element_missing"].startswith(
        "该链接在渲染后的页面上不可见")
    assert element_evidence(page, "http://x.gov.cn/far.html")["element_missing"].startswith(
        "该链接位于截图范围之外")
    # cut at the picture's foot; a Chinese file name matches its percent-encoded form
    assert element_evidence(page, "http://x.gov.cn/a.html")["element_box"] == {
        "x": 10, "y": 1990, "width": 100, "height": 10}
    assert element_evidence(page, "http://x.gov.cn/工作.doc")["element_box"]["y"] == 20
    assert element_evidence({"screenshot": None}, "http://x.gov.cn/a.html")[
        "element_missing"] == "没有截图"


PASSWORD = "correct-horse-9"


def _reviewer(store):
    import re

    from xunjian.review.app import create_app
    from xunjian.review.users import add_user

    add_user(store, "alice", "reviewer", PASSWORD)
    app = create_app(store, secret_key="test-secret")
    app.config["TESTING"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"name": "alice", "password": PASSWORD,
                                       "csrf_token": csrf}).status_code == 302
    return client


def test_the_review_app_shows_the_marked_crop_next_to_the_whole_page(inspected, tmp_path):
    import html as html_lib
    import re

    by_text = {f["evidence"]["anchor_text"]: f for f in inspected["findings"]}
    with open_store(str(inspected["store"])) as store:
        client = _reviewer(store)
        found = by_text["县政府工作报告（2025年）"]
        page = client.get(f"/site/{CODE}/finding/{found['id']}").get_data(as_text=True)
        crop_src = html_lib.unescape(re.search(r'id="element-crop"><img src="([^"]+)"', page)[1])
        assert 'id="shot"' in page  # the whole page stays, under the crop
        assert "问题位置" in page
        crop = client.get(crop_src)
        assert crop.status_code == 200 and crop.mimetype == "image/png"
        img = _image(crop.get_data())
        (tmp_path / "app-crop.png").write_bytes(crop.get_data())
        assert _coloured_pixels(img, COLOURED["县政府工作报告（2025年）"]) > 30
        assert _coloured_pixels(img, (230, 0, 0), tolerance=10) > 200
        gone = by_text["旧版网站通知公告"]
        page = client.get(f"/site/{CODE}/finding/{gone['id']}").get_data(as_text=True)
        assert "element-crop" not in page
        assert "未能在截图上标出问题位置：渲染后的页面上未找到该链接" in page


def test_the_site_report_prints_each_link_crop_next_to_the_whole_page_figure(inspected):
    import base64
    import re

    from pypdf import PdfReader

    from test_report_site import norm

    from xunjian.reports.site import build_site_report

    with open_store(str(inspected["store"])) as store:
        html = build_site_report(store, CODE, "html").decode("utf-8")
        pdf = build_site_report(store, CODE, "pdf")
        docx = build_site_report(store, CODE, "docx")
    (inspected["tmp"] / "report.pdf").write_bytes(pdf)
    crops = re.findall(r'<figure class="crop"><img src="data:image/jpeg;base64,([^"]+)"', html)
    assert len(crops) == 2  # the two links on the rendered pages; the third says why not
    colours = set()
    for crop in crops:
        img = _image(base64.b64decode(crop))
        assert _coloured_pixels(img, (230, 0, 0), tolerance=25) > 200  # the frame (JPEG)
        colours |= {t for t, c in COLOURED.items() if _coloured_pixels(img, c) > 30}
    assert colours == set(COLOURED)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = norm(text)
    assert "不可用链接在入口页上的位置" in flat
    assert re.search(re.escape(norm("「县政府工作报告（2025年）」在入口页上的位置（红框；整页见图"))
                     + r"\d+", flat)
    assert norm("「旧版网站通知公告」：未能在入口页截图") in flat
    assert "渲染后的页面上未找到该链接" in flat
    from docx import Document

    words = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert re.search(r"错误编号 \d+「县政府工作报告（2025年）」在入口页上的位置（红框；整页见图\d+）", words)
    assert "「旧版网站通知公告」：未能在入口页截图" in words


def test_a_stale_column_outlines_its_newest_item_and_a_blank_one_its_list(inspected):
    stale = inspected["columns"]["政策文件"]["evidence"]
    assert stale["status"] == "stale" and stale["newest"]["date"] == "2025-04-18"
    img = _image(inspected["shots"][stale["screenshot"]])
    box = stale["element_box"]
    assert _coloured_pixels(img, (0x7a, 0x3e, 0x00), box, inside=True) > 30
    assert _coloured_pixels(img, (0x7a, 0x3e, 0x00), box, inside=False) == 0
    blank = inspected["columns"]["人事信息"]["evidence"]
    assert blank["status"] == "blank"
    img = _image(inspected["shots"][blank["screenshot"]])
    box = blank["element_box"]
    inside = _coloured_pixels(img, (0xfd, 0xf0, 0xc8), box, inside=True, tolerance=6)
    assert inside > 0.9 * box["width"] * box["height"]  # the list area, little besides
    assert _coloured_pixels(img, (0xfd, 0xf0, 0xc8), box, inside=False, tolerance=6) == 0
    (inspected["tmp"] / "stale-crop.png").write_bytes(marked_crop(
        inspected["shots"][stale["screenshot"]], stale["element_box"]))
    (inspected["tmp"] / "blank-crop.png").write_bytes(marked_crop(
        inspected["shots"][blank["screenshot"]], blank["element_box"]))


def test_a_hidden_link_is_placed_where_it_sits_on_the_homepage(inspected):
    with open_store(str(inspected["store"])) as store:
        (found,) = [f for f in store.findings(inspected["inspection"]["id"])
                    if f["kind"] == "hidden_link"]
        shot = store.get_blob(found["evidence"]["screenshot"])
    box = found["evidence"]["element_box"]
    img = _image(shot)
    assert box["y"] + box["height"] <= img.size[1]
    footer = _coloured_pixels(img.crop((box["x"], box["y"], box["x"] + box["width"],
                                        box["y"] + box["height"])), (0xe5, 0xe5, 0xe5), tolerance=3)
    assert footer > 0.5 * box["width"] * box["height"]  # in the grey footer, where it hides


def test_a_guide_outlines_its_body_and_its_failed_download(inspected):
    card = inspected["card"]
    (lacking,) = [f for f in card["findings"] if f.get("kind") == "missing_element"]
    assert set(lacking["evidence"]["missing"]) == {"办理地点", "办理时间", "联系电话"}
    (download,) = [f for f in card["findings"] if f.get("kind") == "download_failed"]
    with open_store(str(inspected["store"])) as store:
        img = _image(store.get_blob(lacking["evidence"]["screenshot"]))
    body = lacking["evidence"]["element_box"]
    green = _coloured_pixels(img, (0xea, 0xf6, 0xea), body, inside=True, tolerance=4)
    assert green > 0.6 * body["width"] * body["height"]  # the guide's body, little besides
    assert _coloured_pixels(img, (0xea, 0xf6, 0xea), body, inside=False, tolerance=4) == 0
    link = download["evidence"]["element_box"]
    assert _coloured_pixels(img, (0x6a, 0x1b, 0x9a), link, inside=True) > 20
    assert _coloured_pixels(img, (0x6a, 0x1b, 0x9a), link, inside=False) == 0
