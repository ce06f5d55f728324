"""Issue 19 §1: what a browser shows is the site — frames are pages, script-drawn lists below the
homepage are walked, and the crawl says ``finished`` only when it left nothing it saw.

The fixture (tests/sites/frames_js, served on 127.0.0.1) is a county portal in CMS styles the
crawl was not written next to:

* a 大汉 Hanweb column ``/col/col123/index.html`` whose list is ``<iframe src="list.jsp">`` (GBK,
  no charset header), one of whose articles links a page that is gone;
* a department subsite ``/bmwz/jyj/index.html`` that is a ``<frameset>`` (top + main), an article
  of its main frame showing a missing picture;
* under 政务公开 (two clicks down) a TRS-style 通知公告 ``<ul id="list"></ul>`` filled by an
  ``XMLHttpRequest`` to ``/api/col_456.json``, an article of it linking a missing PDF, and a
  政策文件 list drawn from an inline ``var data = [...]``, an article of it linking a gone page;
* a homepage ``<iframe>`` with the 通知公告 block.

Every broken link sits on an article that only the frame or only the rendered list leads to.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cli_run import census_forms, xunjian

from xunjian.scoring import validate_card
from xunjian.spiders.render_need import RenderNeed, render_reasons
from xunjian.storage import open_store

SITE = Path(__file__).parent / "sites" / "frames_js"
CODE = "9999000919"
TYPES = {".html": "text/html", ".jsp": "text/html", ".json": "application/json",
         ".css": "text/css", ".js": "application/javascript", ".png": "image/png"}

FRAME_ONLY = {  # broken link → the page it is on (reached only through a frame)
    "/art/2026/10/09/art_123_88.html": "/art/2026/11/25/art_123_102.html",
    "/bmwz/jyj/images/jc_20261123.jpg": "/bmwz/jyj/art/jyj_2611_01.html",
}
RENDERED_ONLY = {  # broken link → its page (reached only through a list drawn by script)
    "/zwgk/tzgg/202611/P020261120_nbbz.pdf": "/zwgk/tzgg/202611/t20261120_456002.html",
    "/zwgk/zcwj/202503/t20250301_700001.html": "/zwgk/zcwj/202611/t20261110_789002.html",
}


class Portal(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_HEAD(self):  # noqa: N802 (http.server's name)
        self.do_GET()

    def do_GET(self):  # noqa: N802
        path = urlsplit(self.path).path
        path = "/index.html" if path == "/" else path
        file = (SITE / path.lstrip("/")).resolve()
        found = file.is_file() and SITE.resolve() in file.parents
        body = file.read_bytes() if found else "<h1>404 页面不存在</h1>".encode()
        # Hanweb's .jsp lists and articles say their GBK only in a <meta>, as many do
        ctype = TYPES.get(file.suffix, "application/octet-stream") if found else \
            "text/html; charset=utf-8"
        if ctype == "text/html" and b"gb2312" not in body[:300]:
            ctype += "; charset=utf-8"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)


def inspect(tmp: Path, base: str, name: str, env: dict) -> dict:
    store = tmp / f"store-{name}"
    files = census_forms(tmp / f"reg-{name}",
                         (CODE, "某某省某某县", "某某县人民政府", "门户网站", base, "某某县人民政府办公室"),
                         [("信息公开类", "工作动态", "信息公开", f"{base}col/col123/index.html")])
    done = xunjian("registry", "import", *map(str, files), store=store)
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp / f"{name}.json"
    run = xunjian("inspect", CODE, "--as-of", "2026-11-30", "--json", str(out), store=store,
                  env={"XUNJIAN_LINK_TIMEOUT": "5", **env})
    assert run.returncode == 0, run.stdout + run.stderr
    card = json.loads(out.read_text("utf-8"))
    data = open_store(str(store))
    pages = {urlsplit(p["url"]).path: p for p in data.pages(card["inspection"])}
    return {"card": card, "pages": pages, "stdout": run.stdout,
            "inspection": data.get_inspection(card["inspection"])}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("frames")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield {"full": inspect(tmp, base, "full", {}),
               "tight": inspect(tmp, base, "tight", {"XUNJIAN_FRESHNESS": "0",
                                               "XUNJIAN_MAX_RENDERED": "1"})}
    finally:
        server.shutdown()
        server.server_close()


def broken(card: dict) -> dict[str, dict]:
    return {urlsplit(f["url"]).path: f for f in card["findings"]
            if f["indicator"] == "availability.links"}


@pytest.mark.browser
def test_frame_documents_are_pages_of_the_crawl(runs):
    pages = runs["full"]["pages"]
    # the homepage's iframe, the Hanweb list frame, the frameset's two frames: pages, as deep as
    # the page showing them; what they list is one click further
    assert pages["/include/tzgg_frame.html"]["depth"] == 0
    assert pages["/col/col123/list.jsp"]["depth"] == 1
    assert pages["/col/col123/list.jsp"]["referrer"].endswith("/col/col123/index.html")
    assert pages["/bmwz/jyj/main.html"]["depth"] == pages["/bmwz/jyj/top.html"]["depth"] == 1
    for n in (101, 102, 103):
        article = pages[f"/art/2026/11/25/art_123_{n}.html"]
        assert article["depth"] == 2 and article["status"] == 200
        assert article["referrer"].endswith("/col/col123/list.jsp")
    assert pages["/art/2026/11/25/art_123_102.html"]["title"] == "信息公开 某某县人民政府"  # GBK
    assert pages["/bmwz/jyj/art/jyj_2611_01.html"]["depth"] == 2


@pytest.mark.browser
def test_lists_drawn_by_script_below_the_homepage_are_walked(runs):
    pages = runs["full"]["pages"]
    tzgg, zcwj = pages["/zwgk/tzgg/index.html"], pages["/zwgk/zcwj/index.html"]
    assert tzgg["depth"] == zcwj["depth"] == 2
    assert tzgg["render"]["reasons"][0] == "fetches_list"
    assert "empty_list" in tzgg["render"]["reasons"]
    assert zcwj["render"]["reasons"][0] == "inline_data"
    drawn = {urlsplit(x["url"]).path: x for x in tzgg["links"] if x.get("via") == "rendered"}
    assert set(drawn) == {"/zwgk/tzgg/202611/t20261125_456001.html",
                          "/zwgk/tzgg/202611/t20261120_456002.html"}
    assert drawn["/zwgk/tzgg/202611/t20261125_456001.html"]["text"] == \
        "关于2026年度县级预算单位公务卡改革的通知"
    # links the plain page has are not marked
    plain = {urlsplit(x["url"]).path: x for x in tzgg["links"]}
    assert "via" not in plain["/zwgk/index.html"]
    assert {urlsplit(x["url"]).path for x in zcwj["links"] if x.get("via") == "rendered"} == {
        "/zwgk/zcwj/202611/t20261118_789001.html", "/zwgk/zcwj/202611/t20261110_789002.html"}
    for path in ("/zwgk/tzgg/202611/t20261125_456001.html",
                 "/zwgk/zcwj/202611/t20261110_789002.html"):
        assert pages[path]["depth"] == 3 and pages[path]["status"] == 200
    # pages whose plain HTML shows their whole navigation are not rendered
    assert "render" not in pages["/zwgk/index.html"]
    assert "render" not in pages["/art/2026/11/25/art_123_101.html"]


@pytest.mark.browser
def test_broken_links_behind_frames_and_scripts_are_findings_with_their_page(runs):
    card = runs["full"]["card"]
    found = broken(card)
    for target, page in {**FRAME_ONLY, **RENDERED_ONLY}.items():
        assert target in found, target
        assert urlsplit(found[target]["page"]).path == page
        assert found[target]["rule"] == "other"
    assert set(found) == set(FRAME_ONLY) | set(RENDERED_ONLY)
    links = next(d for d in card["deductions"] if d["id"] == "availability.links")
    assert links["points"] == pytest.approx(0.4) and "partial" not in links
    validate_card(card)


@pytest.mark.browser
def test_the_card_says_how_many_pages_were_rendered_and_why(runs):
    crawl = runs["full"]["card"]["facts"]["crawl"]
    assert crawl["crawl_reason"] == "finished" and crawl["pages_left"] == 0
    assert crawl["partial_reason"] is None
    render = crawl["render"]
    # the two script-drawn lists, and the registered column (its freshness render is reused)
    assert render["reasons"] == {"fetches_list": 1, "inline_data": 1, "column": 1}
    assert render["rendered"] == 3 and render["left"] == 0 and render["max"] == 100
    assert crawl["frames"] == 4  # the homepage's, the list's, the frameset's two


@pytest.mark.browser
def test_a_render_budget_cut_is_said_and_the_crawl_is_not_finished(runs):
    tight = runs["tight"]
    crawl = tight["card"]["facts"]["crawl"]
    render = crawl["render"]
    # three pages needed a browser (two script lists, the registered column); one was rendered
    assert render["max"] == 1 and render["rendered"] == 1 and render["left"] == 2
    assert len(render["left_examples"]) == 2
    assert crawl["crawl_reason"] != "finished"
    assert crawl["partial_reason"] == "需要浏览器绘制的页面达到上限 1，2 个页面未绘制"
    links = next(d for d in tight["card"]["deductions"] if d["id"] == "availability.links")
    assert links["partial"] is True and tight["card"]["final"] is False
    assert "需要浏览器绘制的页面达到上限 1" in tight["stdout"]
    # frames need no browser: their articles and broken links are found all the same
    assert set(FRAME_ONLY) <= set(broken(tight["card"]))
    unrendered = [p for p in tight["pages"].values()
                  if (p.get("render") or {}).get("skipped") == "max_rendered"]
    assert len(unrendered) == 2


# -- the decision, from a page's plain HTML -------------------------------------------------------

def test_which_plain_pages_need_a_browser():
    fetch = ('<div id="newsList"></div><script>$.getJSON("/api/list_12.json", function (d) {'
             '$("#newsList").html(d.rows.join(""));});</script>')
    assert render_reasons(fetch)[0] == "fetches_list"
    counter = ('<ul class="list"><li><a href="/a.html">文章</a></li></ul><script>'
               '$.get("/cms/visitCount.jsp?id=5");</script>')
    assert render_reasons(counter) == []  # a visit counter is not list data
    empty = '<table><tbody id="dataList"></tbody></table><script src="/js/list.js"></script>'
    assert render_reasons(empty) == ["empty_list"]
    assert render_reasons('<ul id="list"></ul>') == []  # no script: nothing will fill it
    assert render_reasons('<p>正文</p><script>var data = [1, 2];</script>') == []
    need = RenderNeed(registered={"http://a.gov.cn/col/col9/index.html"})
    page = '<script src="/js/a.js"></script>' + "".join(
        f'<a href="/art/{n}.html">文章{n}</a>' for n in range(30))
    for n in range(4):
        assert need.reasons(page, f"http://a.gov.cn/col/col{n}/index.html", 31) == []
    assert need.reasons('<script src="/js/a.js"></script><a href="/">首页</a>',
                        "http://a.gov.cn/col/col7/index.html", 1) == ["few_links"]
    assert need.reasons(page, "http://a.gov.cn/col/col9/index.html", 31) == ["column"]


# -- a generated site whose every column list is drawn by script ----------------------------------

@pytest.mark.browser
def test_a_site_whose_lists_are_all_drawn_by_script_is_walked_whole(tmp_path):
    from tests.support.sitegen import GenServer, GenSite

    site = GenSite(pages=60, broken_share=0.05, n_columns=3, per_list=8, js_lists=True)
    with GenServer(site) as server:
        done = inspect(tmp_path, server.url, "gen", {"XUNJIAN_FRESHNESS": "0"})
    base = server.url.rstrip("/")
    walked = {base + path for path in done["pages"]}
    assert {base + p for p in site.page_paths()} <= walked  # every article of every list
    found = {f["url"] for f in done["card"]["findings"] if f["indicator"] == "availability.links"}
    assert found == site.expected_broken(server.url)
    crawl = done["card"]["facts"]["crawl"]
    lists = sum(c.lists for c in site.columns)
    # every list page fetches its items; the registered column (another site's here) is not one
    assert crawl["render"]["reasons"] == {"fetches_list": lists}
    assert crawl["crawl_reason"] == "finished" and crawl["partial_reason"] is None


def test_what_the_crawl_left_is_said_in_the_reviewers_words():
    from xunjian.spiders.frontier import crawl_cut

    assert crawl_cut({"crawl_reason": "finished", "render": {"left": 0, "failed": 0}}) is None
    assert crawl_cut({"crawl_reason": "partial", "render": {"max": 100, "left": 3}}) == \
        "需要浏览器绘制的页面达到上限 100，3 个页面未绘制"  # partial says what, not 未正常结束
    assert crawl_cut({"crawl_reason": "partial", "render": {"failed": 2}}) == \
        "2 个需要浏览器绘制的页面未能绘制"
    assert crawl_cut({"crawl_reason": "shutdown"}) == "抓取未正常结束（shutdown）"
