"""OCR of scanned attachments (inspectors/ocr.py): a county 民政局 page links a photocopied 公示
(a JPEG page, no text layer), a blank scan and a printed notice. With XUNJIAN_OCR_PAGES set, the
photocopy's 身份证号 and mobile are found (masked), the 文号 and the office phone are not; the
blank scan stays ``no_text``; the card's figures say how many pages OCR read. Without it (the
default), the scan is ``no_text`` and the figures say OCR is off. Skipped only where the tesseract
binary with chi_sim is absent (scripts/setup.sh installs it, so CI runs these)."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support import attachments as make
from xunjian.inspection.attachments import content_findings
from xunjian.inspectors import ocr
from xunjian.storage import EmbeddedStore

pytestmark = pytest.mark.skipif(not ocr.available(),
                                reason="tesseract with chi_sim data is not installed")

PRINTED = Path(__file__).parent / "sites" / "privacy" / "print" / "tongzhi.pdf"
SCAN_LINES = ["关于临时救助对象的公示", "申请人：叶某某", "身份证号：331082198506142523",
              "联系电话：13857801234", "批准文号：青民〔2024〕37号", "办公电话：0578-6822315"]
FILES = {"/upload/2024/saomiao.pdf": lambda: make.scanned_pdf(SCAN_LINES),
         "/upload/2024/kongbai.pdf": make.image_pdf,
         "/upload/2024/tongzhi.pdf": PRINTED.read_bytes}
PAGE = ("<html><head><meta charset='gbk'><title>临时救助公示</title></head><body><table>"
        "<tr><td><a href='/upload/2024/saomiao.pdf'>公示名单（扫描件）</a></td></tr>"
        "<tr><td><a href='/upload/2024/kongbai.pdf'>附件2</a></td></tr>"
        "<tr><td><a href='/upload/2024/tongzhi.pdf'>公示通知</a></td></tr></table></body></html>")


class Site(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        make_body = FILES.get(self.path)
        body = make_body() if make_body else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def inspect(tmp_path, base: str):
    store = EmbeddedStore(tmp_path / "store")
    site = {"code": "3311210001", "name": "青田县民政局", "url": base + "/", "region": "浙江省"}
    store.upsert_site(site)
    inspection = store.create_inspection({"site": site["code"], "status": "running",
                                          "started_at": "2024-06-01T08:00:00+08:00"})
    html = store.put_blob(PAGE.encode("gbk"), "text/html")
    store.add_page({"inspection": inspection, "url": base + "/", "status": 200, "html": html,
                    "depth": 0, "title": "临时救助公示",
                    "links": [{"url": base + p, "text": p} for p in FILES]})
    findings, _ = asyncio.run(content_findings(store, inspection, site,
                                               store.pages(inspection)))
    figures = store.get_inspection(inspection)["attachments"]
    docs = {d["url"].rsplit("/", 1)[-1]: d for d in store.find("attachments",
                                                              inspection=inspection)}
    store.close()
    privacy = {f["url"].rsplit("/", 1)[-1]: f["evidence"] for f in findings
               if f["indicator"] == "content.privacy"}
    return privacy, figures, docs


def test_scanned_notice_is_read_by_ocr(tmp_path, base, monkeypatch):
    monkeypatch.setenv("XUNJIAN_OCR_PAGES", "3")
    privacy, figures, docs = inspect(tmp_path, base)
    assert set(privacy) == {"saomiao.pdf", "tongzhi.pdf"}
    scan = privacy["saomiao.pdf"]
    assert scan["types"] == {"身份证号": 1, "手机号": 1}
    assert scan["samples"] == ["331082********2523", "138****1234"]
    assert "331082198506142523" not in repr(scan) and "13857801234" not in repr(scan)
    assert privacy["tongzhi.pdf"]["types"] == {"身份证号": 2, "手机号": 1}
    assert figures["statuses"] == {"ok": 2, "no_text": 1, "ocr": 1}
    assert figures["ocr"]["available"] is True and figures["ocr"]["pages_read"] == 2
    assert (docs["saomiao.pdf"]["status"], docs["saomiao.pdf"]["ocr_pages"]) == ("ok", 1)
    assert (docs["kongbai.pdf"]["status"], docs["kongbai.pdf"]["ocr_pages"]) == ("no_text", 1)


def test_ocr_is_off_by_default(tmp_path, base, monkeypatch):
    monkeypatch.delenv("XUNJIAN_OCR_PAGES", raising=False)
    privacy, figures, docs = inspect(tmp_path, base)
    assert set(privacy) == {"tongzhi.pdf"}
    assert figures["statuses"] == {"ok": 1, "no_text": 2}
    assert figures["ocr"] == {"available": True, "pages": 0, "pages_read": 0,
                              "note": "文字识别未开启（XUNJIAN_OCR_PAGES=0），扫描件计为无文字层"}
    assert "ocr_pages" not in docs["saomiao.pdf"]


def test_the_page_budget_is_per_site(tmp_path, base, monkeypatch):
    monkeypatch.setenv("XUNJIAN_OCR_PAGES", "1")
    privacy, figures, docs = inspect(tmp_path, base)
    assert set(privacy) == {"saomiao.pdf", "tongzhi.pdf"}  # the first scan linked takes the page
    assert figures["ocr"]["pages_read"] == 1 and "ocr_pages" not in docs["kongbai.pdf"]
