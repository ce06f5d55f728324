"""The crawl's own fetches answer the link checks of the pages it fetched (fetched once, judged
the same), and the link check still asks itself wherever the crawl's fetch could differ.

A 大汉 jcms-style bureau site (GBK article pages under ``/jcms/jcms_files/…/art_3301_NNN.html``,
a ``dataproxy.jsp`` link that redirects) served on 127.0.0.1: a good article, a soft 404 (200 with
对不起，您访问的页面不存在), a 404, a 410, a 403 (a wall: needs the response headers and the
browser), a page that hangs past the link timeout, a 500 (retried by the crawl) and a missing
picture. The server counts the link checker's requests (its own User-Agent) per path.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_run import census_forms, xunjian

from xunjian.storage import open_store
from xunjian.urlcheck import LinkChecker
from xunjian.urlcheck.crawled import crawled_results
from xunjian.inspection.finish import distinct_links, link_check_config

pytestmark = pytest.mark.browser

SITE = Path(__file__).parent / "sites" / "speed_reuse"
ART = "/jcms/jcms_files/jcms1/web3/site/art/2026/11/28/art_3301_{}.html"
PICTURE = "/jcms/jcms_files/jcms1/web3/site/picture/0/2611280901.jpg"
CODE = "9999000977"
LINK_CHECKER_UA = "government website inspection"  # urlcheck's User-Agent, not the crawl's


#: Generous on a loaded machine: no fast page misses it; the hanging page never answers in time.
LINK_TIMEOUT = 5.0


class Bureau(BaseHTTPRequestHandler):
    checks: Counter = Counter()
    lock = threading.Lock()
    release = threading.Event()  # the hanging page answers only when the tests are done

    def log_message(self, *args):
        pass

    def _send(self, status: int, name: str | None, ctype: str = "text/html; charset=utf-8",
              extra: dict | None = None) -> None:
        body = (SITE / name).read_bytes() if name else b""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def do_HEAD(self):  # noqa: N802 (http.server's name)
        self.do_GET()

    def do_GET(self):  # noqa: N802
        if LINK_CHECKER_UA in (self.headers.get("User-Agent") or ""):
            with self.lock:
                Bureau.checks[self.path] += 1
        gbk = "text/html; charset=gb2312"
        path = self.path
        if path == "/":
            return self._send(200, "index.html")
        if path in (ART.format(101), ART.format(106), ART.format(108)):
            if path == ART.format(106):
                self.release.wait(60)  # past any link timeout: until the module is done
            return self._send(200, "art_101.html", gbk)
        if path == ART.format(102):
            return self._send(200, "soft404.html", gbk)
        if path in (ART.format(103), PICTURE):
            return self._send(404, "error.html")
        if path == ART.format(104):
            return self._send(410, "error.html")
        if path == ART.format(105):
            return self._send(403, "error.html")
        if path == ART.format(107):
            return self._send(500, "error.html")
        if path.startswith("/module/web/jpage/dataproxy.jsp"):
            return self._send(302, None, extra={"Location": ART.format(108)})
        return self._send(404, "error.html")


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # the crawl hung up on the slow page
        pass


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("speedreuse")
    server = Server(("127.0.0.1", 0), Bureau)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    store = tmp / "store"
    try:
        forms = census_forms(tmp / "forms", (CODE, "某某市", "某某市自然资源和规划局",
                                             "其他", url, "某某市自然资源和规划局"), [])
        done = xunjian("registry", "import", *map(str, forms), store=store)
        assert done.returncode == 0, done.stderr
        env = {"XUNJIAN_FRESHNESS": "0", "XUNJIAN_LINK_TIMEOUT": str(LINK_TIMEOUT)}
        done = xunjian("inspect", CODE, "--as-of", "2026-11-30", "--json",
                       str(tmp / "card.json"), store=store, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        checks_during_inspection = Counter(Bureau.checks)
        card = json.loads((tmp / "card.json").read_text("utf-8"))
        yield {"url": url.rstrip("/"), "store": open_store(str(store)), "card": card,
               "checks": checks_during_inspection}
    finally:
        Bureau.release.set()
        server.shutdown()
        server.server_close()


def test_the_broken_links_are_the_same_whoever_fetched_them(inspected):
    base = inspected["url"]
    found = {f["url"]: f for f in inspected["card"]["findings"]
             if f["indicator"] == "availability.links"}
    reasons = {url[len(base):]: f["evidence"]["error"] for url, f in found.items()}
    assert reasons == {
        ART.format(102): "soft_404", ART.format(103): "http_404", ART.format(104): "http_410",
        ART.format(105): "http_403", ART.format(106): "timeout", ART.format(107): "http_500",
        PICTURE: "http_404",
    }
    assert found[base + ART.format(105)]["kind"] == "blocked_link"  # a wall: a reviewer decides
    assert found[base + ART.format(103)]["evidence"]["status"] == 404
    assert found[base + ART.format(106)]["evidence"]["status"] is None


def test_pages_the_crawl_fetched_are_not_fetched_again(inspected):
    checks = inspected["checks"]
    # answered by the crawl's own fetch: no second request from the link checker
    for n in (101, 102, 103, 104, 106):
        assert checks[ART.format(n)] == 0, n
    # where the crawl's answer could differ, the link checker asks itself: a wall (headers,
    # browser), a retried 500, a redirect (each hop recorded), a picture (not crawled)
    for path in (ART.format(105), ART.format(107), PICTURE):
        assert checks[path] >= 1, path
    assert sum(n for p, n in checks.items() if p.startswith("/module/web/jpage/")) == 1
    assert checks[ART.format(108)] == 1  # where it redirects (the crawl walked it: the check
    # follows the redirect itself, hop by hop)


def test_reused_results_equal_a_fresh_link_check(inspected):
    store = inspected["store"]
    inspection = store.find("inspections")[-1]
    pages = store.pages(inspection["id"])
    urls = distinct_links(pages)
    config = link_check_config()
    config.timeout = LINK_TIMEOUT
    reused = crawled_results(store, pages, urls, config)
    base = inspected["url"]
    # the homepage is rendered in Chromium (not a plain fetch): checked over HTTP by urlcheck
    assert {u[len(base):] for u in reused} == {ART.format(n) for n in (101, 102, 103, 104, 106)}

    async def fresh() -> dict:
        async with LinkChecker(config) as checker:
            return await checker.check_many(list(reused))

    checked = asyncio.run(fresh())
    keys = ("url", "outcome", "reason", "http_status", "final_url", "redirects", "method",
            "content_type", "detail")
    for url, result in reused.items():
        again = checked[url].to_dict()
        assert {k: result[k] for k in keys} == {k: again[k] for k in keys}, url
