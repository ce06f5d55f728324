"""The Chromium that prints PDF reports opens nothing (issue 24, case 6).

A report document that carries a hostile site's payload as if escaping had failed — a script
that opens a popup, fetches, and sends a beacon, a meta refresh, an iframe, an image, a style
sheet, all aimed at a "census server" on 127.0.0.1 — is printed by ``html_to_pdf``. The server
records every request it gets: none may arrive, and the PDF is still printed with its inlined
image.
"""

from __future__ import annotations

import base64
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader

from xunjian.review.sample import tiny_png


class Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        Recorder.hits.append(self.path)
        body = b"<html><body>intranet</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def intranet():
    Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def hostile_document(base: str) -> str:
    png = base64.b64encode(tiny_png(80, 40, (200, 30, 30))).decode()
    return f"""<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="{base}/style.css">
<title>网站检查报告</title></head><body>
<h1>某县人民政府门户网站 检查报告</h1>
<p>链接「通知公告<script>
  window.open("{base}/popup?from=window.open");
  fetch("{base}/fetch");
  navigator.sendBeacon("{base}/beacon", "x");
  var w = window.open("about:blank"); if (w) w.location = "{base}/popup-navigated";
</script>」不可用</p>
<img src="data:image/png;base64,{png}" alt="图1">
<img src="{base}/pixel.png" alt="">
<iframe src="{base}/frame"></iframe>
<meta http-equiv="refresh" content="0;url={base}/refresh">
</body></html>"""


@pytest.mark.browser
def test_printing_a_hostile_report_reaches_no_address(intranet):
    from xunjian.reports.render import html_to_pdf

    pdf = html_to_pdf(hostile_document(intranet))
    assert pdf.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(pdf)).pages
    # the report itself is printed (a refresh to an address did not replace it), image included
    assert "检查报告" in "".join(page.extract_text() for page in pages)
    assert sum(len(page.images) for page in pages) >= 1
    assert Recorder.hits == []
