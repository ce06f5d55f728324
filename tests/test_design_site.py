"""功能设计 facts through a real crawl: `xunjian inspect` on the GBK county fixture site
tests/sites/design_county (served on 127.0.0.1, server-side includes for its header and its
table footer, the conac mark through the site's own /govproxy/conac/ path, the 找错 script) stores
``design`` on every page and column page; the 2019 deriver then finds exactly the planted gaps:
one article with a department-style div footer (no 网站标识码, no 公网安备, no 找错 entry, no meta
tags), a 政策解读 column page without ColumnType, a 解读 without PubDate, a 解读 that links no
policy document. The host is an IP address: design.domain is unchecked, with why."""

from __future__ import annotations

import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_run import census_forms, run_counted, xunjian

from xunjian.inspection import c2019_design
from xunjian.inspection.checks2019 import Context
from xunjian.storage import open_store

pytestmark = pytest.mark.browser

SITE = Path(__file__).parent / "sites" / "design_county"
CODE = "1305340001"
#: A 1×1 PNG for every image of the site (logos, the conac mark through the proxy).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4e30000000049454e44ae426082")


class CountySite(BaseHTTPRequestHandler):
    """GBK pages (charset only in their <meta>), their <!--#include head/footer--> expanded."""

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0].lstrip("/") or "index.html"
        file = (SITE / path).resolve()
        if file.is_dir():
            file = file / "index.html"
        if path.endswith(".png"):
            return self._send(200, PNG, "image/png")
        if SITE.resolve() not in file.parents or not file.is_file():
            return self._send(404, "<html><body>404 页面不存在</body></html>".encode("gbk"),
                              "text/html")
        text = file.read_text("utf-8")
        for name in ("head", "footer"):
            text = text.replace(f"<!--#include {name}-->",
                                (SITE / "inc" / f"{name}.inc").read_text("utf-8"))
        ctype = "application/javascript" if path.endswith(".js") else "text/html"
        self._send(200, text.replace("{{CODE}}", CODE).encode("gbk"), ctype)

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("design")
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountySite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        site = (CODE, "河北省清河县", "清河县人民政府门户网站", "门户网站", base,
                "清河县人民政府办公室")
        forms = census_forms(tmp / "reg", site, [
            ("信息公开类", "工作动态", "工作动态", f"{base}col/col101/index.html"),
            ("其他", "其他", "政策解读", f"{base}col/col105/index.html")])
        store_dir = tmp / "store"
        imported = xunjian("registry", "import", *map(str, forms), store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        env = dict(os.environ, XUNJIAN_STORE=str(store_dir), XUNJIAN_LINK_TIMEOUT="2",
                   XUNJIAN_FRESHNESS="1", XUNJIAN_MAX_PAGES="40")
        run, _ = run_counted([sys.executable, "-m", "xunjian.cli", "inspect", CODE,
                              "--as-of", "2026-11-20", "--json", str(tmp / "card.json")], env)
        assert run.returncode in (0, 1), run.stdout + run.stderr
        store = open_store(store_dir)
        inspection = store.find("inspections", site=CODE)[-1]
        ctx = Context(store=store, inspection=inspection, site=store.get_site(CODE),
                      as_of=None, rules=None)
        yield {"ctx": ctx, "base": base, "derived": c2019_design.derive(ctx)}
    finally:
        server.shutdown()


def test_every_html_page_and_column_page_stores_its_design_facts(inspected):
    ctx, base = inspected["ctx"], inspected["base"]
    html = [p for p in ctx.pages if (p.get("status") or 0) < 400 and not p.get("error")
            and "html" in (p.get("content_type") or "text/html")]
    paths = {p["url"].removeprefix(base) for p in html}
    assert {"", "col/col101/index.html", "col/col105/index.html",
            "art/2026/11/art_101_2001.html", "art/2026/11/art_101_2002.html", "zcjd/jd1.html",
            "zcjd/jd2.html", "zcwj/wj1.html"} <= paths
    assert all(p.get("design") for p in html if p.get("kind", "page") == "page"
               and not p["url"].endswith(".js"))
    home = next(p for p in ctx.pages if p.get("is_home"))
    assert home["rendered"] is True
    assert {k: v["text"] for k, v in home["design"]["marks"].items()} == {
        "党政机关网站标识": f"{base}govproxy/conac/sitename?method=show&id="
                           "2B1E0F3C4D5A6978E053012819ACBB11",
        "网站标识码": CODE, "ICP备案编号": "冀ICP备05012345号-1",
        "公安机关备案标识": "冀公网安备 13053402000123号", "主办单位": "清河县人民政府办公室",
        "联系方式": "电话：0319-8161234"}  # GBK decoded, not mojibake
    assert home["design"]["report_errors"]["how"] == "script"
    assert home["design"]["header"]["alts"][0] == "清河县人民政府"
    columns = ctx.find("column_pages")
    assert {c["url"].removeprefix(base) for c in columns} == {"col/col101/index.html",
                                                              "col/col105/index.html"}
    assert all(c["design"]["tags"]["SiteName"] == "清河县人民政府门户网站" for c in columns)


def test_the_deriver_finds_exactly_the_planted_gaps(inspected):
    derived, base = inspected["derived"], inspected["base"]
    got = sorted((f["indicator"], f["rule"], f["url"].removeprefix(base),
                  f["evidence"].get("item") or f["evidence"].get("direction")
                  or ",".join(f["evidence"].get("missing") or []))
                 for f in derived.findings)
    assert got == [
        ("design.marks", "missing_mark", "art/2026/11/art_101_2002.html", "公安机关备案标识"),
        ("design.marks", "missing_mark", "art/2026/11/art_101_2002.html", "网站标识码"),
        ("design.page_tags", "column_page", "col/col105/index.html", "ColumnType"),
        ("design.page_tags", "content_page", "art/2026/11/art_101_2002.html",
         "SiteName,SiteDomain,SiteIDCode,ArticleTitle,PubDate,ContentSource"),
        ("design.page_tags", "content_page", "zcjd/jd2.html", "PubDate"),
        ("design.report_errors", "missing_on_page", "art/2026/11/art_101_2002.html", ""),
        ("publish.interpretation_links", "missing_link", "zcjd/jd2.html", "解读→文件"),
    ]
    priced = {"missing_mark": 0.5, "column_page": 0.1, "content_page": 0.1,
              "missing_on_page": 0.2, "missing_link": 0.5}
    assert round(sum(priced[f["rule"]] * f.get("units", 1) for f in derived.findings), 2) == 2.0
    assert derived.facts["design.marks"]["pages_judged"] == 8  # the proxied conac page is not
    assert derived.facts["design.marks"]["site_code_verified"] is True
    rows = derived.facts["publish.interpretation_links"]["sampled"]
    assert [(r["url"].removeprefix(base), r["to_document"], r["to_interpretation"])
            for r in rows] == [("zcjd/jd1.html", True, True), ("zcjd/jd2.html", False, None)]
    home_shot = next(p for p in inspected["ctx"].pages if p.get("is_home"))["screenshot"]
    assert home_shot and derived.facts["design.report_errors"]["home_entry"]["how"] == "script"


def test_an_ip_address_host_leaves_the_domain_unchecked(inspected):
    derived = inspected["derived"]
    assert derived.checked == {"design.domain": False, "design.marks": True,
                               "design.report_errors": True, "design.page_tags": True,
                               "publish.interpretation_links": True}
    assert derived.reasons == {"design.domain": "IP地址访问，无法检查域名"}
