"""A site's control characters never fail a report (issue 24, case 5).

A 大汉 Hanweb-style site whose CMS leaked a vertical tab and a terminal escape into a link text
and a column name (pasted from Word, or planted). The DOCX and XLSX site reports, the card XLSX
and the review app's downloads are built from its stored inspection: each is made (no traceback,
no HTTP 500), holds the readable text, and none of the characters XML 1.0 forbids.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from xunjian.review.app import create_app
from xunjian.review.sample import tiny_png
from xunjian.review.users import add_user
from xunjian.storage import open_store
from test_review_app import PASSWORD, token

ROOT = Path(__file__).resolve().parent.parent
CODE = "3301000027"
ANCHOR = "政务公开\x0b\x1b[31m通知公告\x1b[0m\x00\x08"
COLUMN = "部门动态\x0c\x1f"
ILLEGAL = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + ["\ufffe"]


@pytest.fixture
def stored(tmp_path: Path) -> dict:
    folder = tmp_path / "store"
    store = open_store(str(folder))
    store.upsert_site({"code": CODE, "name": "某市人民政府门户网站\x1b]0;x\x07",
                       "type": "门户网站", "url": "http://127.0.0.1:9/"})
    shot = store.put_blob(tiny_png(60, 40, (240, 240, 240)), "image/png")
    done = store.create_inspection({
        "site": CODE, "as_of": "2026-11-20", "status": "done",
        "started_at": "2026-11-20T01:00:00+00:00", "checks": {"availability.links": True}})
    store.replace_findings(done, [{
        "id": "f-nav", "inspection": done, "site": CODE, "indicator": "availability.links",
        "kind": "broken_link", "rule": "home",
        "url": "http://127.0.0.1:9/art/2026/11/18/a\x0b.html",
        "page": "http://127.0.0.1:9/col/col1229/index.html", "needs_review": False,
        "detail": f"栏目「{COLUMN}」链接「{ANCHOR}」不可用",
        "evidence": {"anchor_text": ANCHOR, "error_type": "链接不可访问", "status": 404,
                     "status_text": "HTTP 404", "screenshot": shot}}])
    add_user(store, "alice", "reviewer", PASSWORD)
    store.close()
    return {"folder": folder, "done": done}


def assert_xml_clean(body: bytes) -> str:
    """All the XML of an OOXML package, checked for illegal characters; returns it."""
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        xml = "".join(package.read(n).decode("utf-8") for n in package.namelist()
                      if n.endswith(".xml"))
    for char in ILLEGAL:
        assert char not in xml, repr(char)
    return xml


def docx_text(body: bytes) -> str:
    doc = Document(io.BytesIO(body))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def xlsx_text(body: bytes) -> str:
    book = load_workbook(io.BytesIO(body))
    return "\n".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row
                     if c.value is not None)


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "html"])
def test_the_site_report_is_written_whatever_the_link_text(stored, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    done = subprocess.run([sys.executable, "-m", "xunjian.cli", "report", "site", CODE,
                           "--format", fmt, "--output", str(out), "--store",
                           str(stored["folder"])], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    body = out.read_bytes()
    if fmt == "html":
        text = body.decode("utf-8")
        assert "\x1b" not in text and "\x0b" not in text
    else:
        assert_xml_clean(body)
        text = docx_text(body) if fmt == "docx" else xlsx_text(body)
    assert "政务公开通知公告" in text  # the site's words, as text (the escape dropped whole)
    assert "某市人民政府门户网站" in text and "]0;x" not in text


def test_the_review_app_downloads_answer_200(stored):
    with open_store(str(stored["folder"])) as store:
        app = create_app(store, secret_key="hostile-reports-test-secret")
        app.config["TESTING"] = True
        client = app.test_client()
        page = client.get("/login")
        assert client.post("/login", data={"name": "alice", "password": PASSWORD,
                                           "csrf_token": token(page.get_data(as_text=True))}
                           ).status_code == 302
        for path in (f"/site/{CODE}/card.xlsx", f"/site/{CODE}/report.docx",
                     f"/site/{CODE}/report.xlsx"):
            resp = client.get(path)
            assert resp.status_code == 200, path
            assert_xml_clean(resp.get_data())
        assert "通知公告" in xlsx_text(client.get(f"/site/{CODE}/card.xlsx").get_data())
