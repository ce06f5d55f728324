"""严重错误 candidates end to end: `xunjian inspect` on the GBK TRS fixture site tests/sites/serious
(homepage rendered in Chromium, articles over plain HTTP) stores one veto.serious_error finding
per planted case, awaiting review: hidden links judged from computed style on the rendered
homepage (off-screen, colour of the background) and from inline styles on plain pages, the text
of an iframe from another host, an alt text, hidden spam text, a former premier on a 2025 page,
习近乎, 中华人民共合国. The card does not veto until a reviewer confirms one; the review queue can
be filtered to the indicator."""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_run import census_forms, run_counted, xunjian

from xunjian.storage import open_store

pytestmark = pytest.mark.browser

SITE = Path(__file__).parent / "sites" / "serious"
CODE = "9999000011"


class GbkSite(BaseHTTPRequestHandler):
    """Serves the fixture's GBK bytes as they are (charset only in the page's <meta>)."""

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0].lstrip("/") or "index.html"
        file = (SITE / path).resolve()
        if file.is_dir():
            file = file / "index.html"
        if SITE.resolve() not in file.parents or not file.is_file():
            body, status = "<html><body>404 页面不存在</body></html>".encode("gbk"), 404
        else:
            alt = f"localhost:{self.server.server_address[1]}"
            body = file.read_bytes().decode("gbk").replace("{{ALT}}", alt).encode("gbk")
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):
        self.send_response(405)
        self.end_headers()


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serious")
    server = ThreadingHTTPServer(("127.0.0.1", 0), GbkSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        site = (CODE, "测试省测试县", "测试县人民政府门户网站", "门户网站", base,
                "测试县人民政府办公室")
        forms = census_forms(tmp / "reg", site, [])
        store_dir = tmp / "store"
        imported = xunjian("registry", "import", *map(str, forms), store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        env = dict(os.environ, XUNJIAN_STORE=str(store_dir), XUNJIAN_LINK_TIMEOUT="2",
                   XUNJIAN_FRESHNESS="0", XUNJIAN_MAX_PAGES="30")
        run, browsers = run_counted([sys.executable, "-m", "xunjian.cli", "inspect", CODE,
                                     "--as-of", "2025-07-01", "--json", str(tmp / "card.json")],
                                    env)
        assert run.returncode in (0, 1), run.stdout + run.stderr
        card = json.loads((tmp / "card.json").read_text("utf-8"))
        yield {"card": card, "store_dir": store_dir, "base": base, "stdout": run.stdout,
               "browsers": browsers,
               "alt": f"localhost:{server.server_address[1]}"}
    finally:
        server.shutdown()


def serious(card: dict) -> list[dict]:
    return [f for f in card["findings"] if f["indicator"] == "veto.serious_error"]


def test_each_planted_case_is_one_candidate_awaiting_review(inspected):
    base, alt = inspected["base"], inspected["alt"]
    got = sorted((f["url"].removeprefix(base), f["kind"], f["evidence"]["rule_id"],
                  f["evidence"]["match"], f["evidence"].get("where", "")) for f in
                 serious(inspected["card"]))
    assert got == [
        ("", "hidden_link", "hidden_link.external", "localhost", ""),
        ("", "leader_name", "leader.homophone:习近平", "习进平",
         f"iframe:http://{alt}/frame/notice.html"),
        ("", "typo", "typo.term:中国共产党", "中国共产觉", "alt"),
        ("art/2025/5/29/art_1229_4501.html", "hidden_link", "hidden_link.external", "localhost",
         ""),
        ("art/2025/5/29/art_1229_4501.html", "prohibited", "prohibited.gambling",
         "注册送彩金、澳门赌场、百家乐、真人娱乐、网上赌场", "text"),
        ("art/2025/6/10/art_1229_4503.html", "leader_name", "leader.near_miss:习近平", "习近乎",
         "text"),
        ("art/2025/6/12/art_1229_4504.html", "typo", "typo.term:中华人民共和国", "中华人民共合国",
         "text"),
        ("art/2025/6/3/art_1229_4502.html", "leader_name", "leader.title_holder:国务院总理",
         "国务院总理李克强", "text"),
    ]
    for f in serious(inspected["card"]):
        assert f["review"] == "pending" and f["counts"] is False and f["needs_review"] is True
    assert inspected["card"]["vetoes"] == [] and inspected["card"]["final"] is False


def test_hidden_links_of_the_rendered_homepage_are_judged_by_computed_style(inspected):
    home = next(f for f in serious(inspected["card"])
                if f["kind"] == "hidden_link" and f["url"] == inspected["base"])
    ev = home["evidence"]
    assert ev["judged_by"] == "computed_style" and ev["rendered"] is True
    alt = inspected["alt"]
    assert sorted((x["url"], x["how"]) for x in ev["links"]) == [
        (f"http://{alt}/hot/", "color-equals-background"), (f"http://{alt}/tj/", "off-screen")]
    assert ev["screenshot"]  # the rendered homepage's screenshot
    plain = next(f for f in serious(inspected["card"])
                 if f["kind"] == "hidden_link" and f["url"] != inspected["base"])
    assert plain["evidence"]["judged_by"] == "inline_style"
    assert plain["evidence"]["links"] == [{"url": f"http://{alt}/c/", "text": "澳门赌场官网",
                                           "how": "display:none"}]


def test_inspection_records_the_scan_and_the_queue_filters_to_the_indicator(inspected):
    store = open_store(str(inspected["store_dir"]))
    try:
        inspection = store.latest_inspection(CODE)
        assert inspection["serious"]["pages"] >= 9
        assert inspection["serious"]["candidates"] == 8
        from xunjian.review.data import Summaries, queue

        summaries = Summaries(store)
        everything = queue(summaries)
        only = queue(summaries, indicator="veto.serious_error")
        ids = {f["id"] for f in serious(inspected["card"])}
        assert {fid for _, fid in only} == ids and len(everything) > len(only)
    finally:
        store.close()


def test_the_printed_card_says_candidates_await_a_reviewer(inspected):
    line = next(x for x in inspected["stdout"].splitlines()
                if x.startswith("unchecked\t") and "veto.serious_error" in x)
    assert "8 machine candidates on" in line and "await a reviewer" in line


def test_the_marked_screenshots_are_taken_in_the_crawls_own_browser(inspected):
    browsers = inspected["browsers"]
    assert browsers.max_at_once == 1 and len(browsers.seen) == 1, browsers.seen


def red_pixels(png: bytes) -> int:
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(png)).convert("RGB")
    data = image.tobytes()
    return sum(1 for i in range(0, len(data), 3)
               if data[i] > 200 and data[i + 1] < 40 and data[i + 2] < 40)


def test_text_candidates_carry_a_screenshot_with_the_match_framed(inspected):
    store = open_store(str(inspected["store_dir"]))
    try:
        found = {(f["url"].removeprefix(inspected["base"]), f["kind"]): f
                 for f in serious(inspected["card"])}
        typo = found[("art/2025/6/12/art_1229_4504.html", "typo")]  # a plain page: no crawl shot
        assert typo.get("screenshot_marked") is True
        assert red_pixels(store.get_blob(typo["evidence"]["screenshot"])) > 200
        alt = found[("", "typo")]  # the alt text of the homepage banner: the picture is framed
        assert alt.get("screenshot_marked") is True
        # hidden spam text cannot be shown: the finding keeps the page's own screenshot
        spam = found[("art/2025/5/29/art_1229_4501.html", "prohibited")]
        page = next(p for p in store.pages(store.latest_inspection(CODE)["id"])
                    if p["url"] == spam["url"])
        assert not spam.get("screenshot_marked")
        assert spam["evidence"]["screenshot"] == page["screenshot"]
        facts = store.latest_inspection(CODE)["serious"]
        assert facts["pictured"] == 4, facts  # 4502, 4503, 4504 and the banner alt
    finally:
        store.close()


def test_reviewer_works_through_the_filtered_queue_with_the_marked_sentence(inspected):
    import re

    from xunjian.review.app import create_app
    from xunjian.review.users import add_user

    store = open_store(str(inspected["store_dir"]))
    try:
        add_user(store, "shen", "reviewer", "correct-horse-9")
        app = create_app(store, secret_key="test-secret")
        app.config["TESTING"] = True
        client = app.test_client()

        def csrf(html: str) -> str:
            return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

        login = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"name": "shen", "password": "correct-horse-9",
                                    "csrf_token": csrf(login)})
        sentences = []
        for i in range(8):
            page = client.get(f"/queue?indicator=veto.serious_error&i={i}").get_data(as_text=True)
            assert "严重错误" in page and f"{i + 1}" in page
            sentences.append(page.split('id="sentence">', 1)[1].split("</p>", 1)[0])
        typo = "原文：6月12日上午，我县在县政府广场举行升国旗仪式，庆祝【中华人民共合国】成立76周年"
        assert typo in sentences
        # a verdict in the filtered queue leads to the next candidate of the same indicator
        page = client.get("/queue?indicator=veto.serious_error&i=0").get_data(as_text=True)
        action = re.search(r'action="([^"]+/verdict)"', page).group(1)
        done = client.post(action, data={
            "csrf_token": csrf(page), "verdict": "rejected", "next": "queue", "i": "0",
            "indicator": "veto.serious_error",
            "inspection": re.search(r'name="inspection" value="([^"]+)"', page).group(1)})
        assert done.status_code == 302
        assert "indicator=veto.serious_error" in done.headers["Location"]
    finally:
        store.close()
