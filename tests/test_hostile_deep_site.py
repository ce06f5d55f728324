"""Deep pages end to end (issue 24 case 3): `xunjian inspect` of a GBK county site on loopback
whose homepage (tests/hostile/deep/index.html, rendered in Chromium) holds its 工作动态 under 300
nested <div>s and whose articles sit 2,000 elements down with the typo 中华人民共合国: the card
has no 网站不更新 (veto.not_updated) and the typo is a serious-error candidate."""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_run import census_forms, run_counted, xunjian

pytestmark = pytest.mark.browser

SITE = Path(__file__).parent / "hostile" / "deep"
CODE = "3310250001"


class DeepSite(BaseHTTPRequestHandler):
    """The homepage, and the deep article for every /art/… page (GBK bytes, charset only in
    the page's <meta>)."""

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in ("/", "/index.html"):
            body, status = (SITE / "index.html").read_bytes(), 200
        elif path.startswith("/art/") and path.endswith(".html"):
            body, status = (SITE / "art_1229_4599.html").read_bytes(), 200
        else:
            body, status = "<html><body>404 页面不存在</body></html>".encode("gbk"), 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_inspect_reads_the_deep_homepage_and_the_deep_article(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), DeepSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        site = (CODE, "测试省深溪县", "深溪县人民政府门户网站", "门户网站", base,
                "深溪县人民政府办公室")
        forms = census_forms(tmp_path / "reg", site, [])
        store = tmp_path / "store"
        imported = xunjian("registry", "import", *map(str, forms), store=store)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        env = dict(os.environ, XUNJIAN_STORE=str(store), XUNJIAN_LINK_TIMEOUT="2",
                   XUNJIAN_FRESHNESS="1", XUNJIAN_MAX_PAGES="20")
        run, _ = run_counted([sys.executable, "-m", "xunjian.cli", "inspect", CODE,
                              "--as-of", "2026-11-20", "--json", str(tmp_path / "card.json")],
                             env)
        assert run.returncode in (0, 1), run.stdout + run.stderr
        card = json.loads((tmp_path / "card.json").read_text("utf-8"))
    finally:
        server.shutdown()
    indicators = [f["indicator"] for f in card["findings"]]
    assert "veto.not_updated" not in card["unchecked"]
    assert "veto.not_updated" not in indicators
    assert "updates.homepage" not in indicators  # 12 items within 14 days
    assert {f["evidence"]["match"] for f in card["findings"]
            if f["indicator"] == "veto.serious_error"} == {"中华人民共合国"}
