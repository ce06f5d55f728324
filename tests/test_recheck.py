"""Issue 22 part 2: 复查 (``xunjian recheck FINDING_ID``) and the 整改通知 export.

The fixture (tests/sites/rectify) is a city 住房和城乡建设局 site as such sites look: GBK bytes,
upper-case table markup with inline styles, 宋体, a 专题专栏 side table. At the inspection it
links four things that do not work:

* 市住建局2025年工作总结 — 404; the page is published before the re-check (fixed: it answers);
* 城市建设规划（2016-2020） — a 200 page saying 对不起，您访问的页面不存在 (a soft 404), still so;
* 区县概况（旧版） — 404; the homepage no longer links it at the re-check (fixed: removed);
* the 住房保障宣传月 banner picture — 404; a reviewer rejects it (a false positive).

Served on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from cli_run import census_forms, xunjian

from xunjian.scoring.schema import validate_card
from xunjian.storage import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = Path(__file__).parent / "sites" / "rectify"
CODE = "9999000220"
AS_OF = "2026-11-20"
ENV = {"XUNJIAN_LINK_TIMEOUT": "5", "XUNJIAN_NAV_TIMEOUT": "20", "XUNJIAN_HOME_RETRIES": "0",
       "XUNJIAN_MAX_GUIDES": "0", "XUNJIAN_MAX_LETTERS": "0"}
FIXED = "市住建局2025年工作总结"
SOFT_404 = "城市建设规划（2016-2020）"
REMOVED = "区县概况（旧版）"
BANNER = "住房保障宣传月"
OLD_LINK = "<TR><TD>·<A href=\"/xxgk/old/qxgk.html\">区县概况（旧版）</A></TD></TR>".encode("gbk")
#: Only once the site is "fixed" (between the inspection and the re-checks).
PUBLISHED_LATER = {"/zwgk/2026/gzbg.html"}
#: A guide's form: an HTML error page served where the .doc is promised, until it is fixed.
DOWNLOAD = "/files/申请表.doc"


class CitySite(BaseHTTPRequestHandler):
    """The fixture's GBK files (no charset in the header, as such servers send them); 404 for
    anything else. ``server.fixed``: the site after its owner's 整改."""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        path = unquote(urlsplit(self.path).path)
        file = SITE / (path.lstrip("/") or "index.html")
        if file.is_dir():
            file = file / "index.html"
        if path == DOWNLOAD:  # an error page where a file is promised, until it is fixed
            self._file()
            return
        hidden = path in PUBLISHED_LATER and not self.server.fixed
        if hidden or not file.resolve().is_relative_to(SITE.resolve()) or not file.is_file():
            data = "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>" \
                   "</body></html>".encode()
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
        else:
            data = file.read_bytes().replace(b"{{OLD_LINK}}",
                                             b"" if self.server.fixed else OLD_LINK)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


    def _file(self):
        if self.server.fixed:
            data, kind = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4088, "application/msword"
        else:
            data, kind = "<html><head><title>提示</title></head><body>文件不存在或已被删除</body>" \
                         "</html>".encode("gbk"), "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextlib.contextmanager
def serving():
    server = ThreadingHTTPServer(("127.0.0.1", 0), CitySite)
    server.daemon_threads = True
    server.fixed = False
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _card(store: Path) -> dict:
    run = xunjian("report", "card", CODE, "--json", "-", store=store, timeout=180)
    assert run.returncode == 0, run.stderr
    card = json.loads(run.stdout)
    validate_card(card)
    return card


def _by_anchor(card: dict) -> dict[str, dict]:
    return {(f.get("evidence") or {}).get("anchor_text") or "": f for f in card["findings"]
            if f["indicator"] == "availability.links"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rectify")
    store = tmp / "store"
    with serving() as (server, url):
        forms = census_forms(tmp / "registry", (CODE, "某某省某某市", "某某市住房和城乡建设局",
                                                "其他", url, "某某市住房和城乡建设局"),
                             [("信息公开类", "通知公告", "通知公告", f"{url}tzgg/index.html")])
        assert xunjian("registry", "import", *map(str, forms), store=store).returncode == 0
        run = xunjian("inspect", CODE, "--as-of", AS_OF, store=store, env=ENV, timeout=600)
        assert run.returncode in (0, 3), run.stdout[-2000:] + run.stderr[-3000:]
        card = _card(store)
        yield {"server": server, "url": url, "store": store, "tmp": tmp, "card": card}


def _recheck(site: dict, finding_id: str, *extra: str):
    return xunjian("recheck", finding_id, *extra, store=site["store"], env=ENV, timeout=300)


@pytest.fixture(scope="module")
def rechecked(site):
    """The site fixed (one page published, one link removed); three findings re-checked by the
    command line; the banner rejected by a reviewer."""
    before = _by_anchor(site["card"])
    assert set(before) == {FIXED, SOFT_404, REMOVED, BANNER}
    site["server"].fixed = True
    runs = {name: _recheck(site, before[name]["id"], "--json")
            for name in (FIXED, SOFT_404, REMOVED)}
    with open_store(str(site["store"])) as store:
        store.add_review({"finding": before[BANNER]["id"], "site": CODE, "verdict": "rejected",
                          "reviewer": "张三", "reason": "图片实际可以显示"})
        records = list(store.find("rechecks", site=CODE))
        blobs = {r["evidence"]["screenshot"]: store.get_blob(r["evidence"]["screenshot"])
                 for r in records if r["evidence"].get("screenshot")}
    return {"before": before, "runs": runs, "records": records, "blobs": blobs,
            "card": _card(site["store"])}


def _record(rechecked, name: str) -> dict:
    run = rechecked["runs"][name]
    assert run.stdout, run.stderr
    return json.loads(run.stdout)


def test_a_link_fixed_since_the_inspection_is_recorded_fixed(rechecked):
    run = rechecked["runs"][FIXED]
    assert run.returncode == 0, run.stderr
    record = _record(rechecked, FIXED)
    assert record["result"] == "fixed" and record["how"] == "link_ok"
    assert record["detail"].startswith("已整改")
    ev = record["evidence"]
    assert ev["status"] == 200 and ev["outcome"] == "ok"
    assert ev["checked_at"] and record["at"]
    assert record["before"]["status"] == 404  # the inspection's evidence, kept beside it
    # the referring page photographed now, the link outlined on it
    assert ev["page_url"] == rechecked["before"][FIXED]["page"]
    shot = rechecked["blobs"][ev["screenshot"]]
    from PIL import Image

    img = Image.open(io.BytesIO(shot))
    box = ev["element_box"]
    assert box and box["x"] + box["width"] <= img.size[0]
    assert box["y"] + box["height"] <= img.size[1]
    assert ev["linked"] is True


def test_a_link_still_broken_is_recorded_still_open(rechecked):
    run = rechecked["runs"][SOFT_404]
    assert run.returncode == 2, run.stderr
    record = _record(rechecked, SOFT_404)
    assert record["result"] == "open" and record["how"] == "still_broken"
    assert record["detail"].startswith("仍未整改")
    assert record["evidence"]["error"] == "soft_404"  # the inspection's own rule for error pages
    assert record["evidence"]["status"] == 200
    assert record["evidence"]["screenshot"] in rechecked["blobs"]


def test_a_link_the_page_no_longer_carries_is_fixed(rechecked):
    run = rechecked["runs"][REMOVED]
    assert run.returncode == 0, run.stderr
    record = _record(rechecked, REMOVED)
    assert record["result"] == "fixed" and record["how"] == "link_removed"
    assert record["evidence"]["status"] == 404
    assert record["evidence"]["linked"] is False
    assert record["evidence"]["element_box"] is None


def test_the_card_shows_each_findings_latest_recheck_and_keeps_the_old_evidence(rechecked):
    after = _by_anchor(rechecked["card"])
    assert after[FIXED]["recheck"]["result"] == "fixed"
    assert after[SOFT_404]["recheck"]["result"] == "open"
    assert after[REMOVED]["recheck"]["result"] == "fixed"
    assert "recheck" not in after[BANNER]
    # the inspection's evidence is untouched: the record sits next to the finding
    for name in (FIXED, SOFT_404, REMOVED):
        assert after[name]["evidence"] == rechecked["before"][name]["evidence"]
    assert len(rechecked["records"]) == 3
    assert {r["finding"] for r in rechecked["records"]} == {
        rechecked["before"][n]["id"] for n in (FIXED, SOFT_404, REMOVED)}


def test_an_unknown_id_is_one_line(site):
    run = _recheck(site, "0123456789abcdef")
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "no finding '0123456789abcdef'" in lines[0] and str(site["store"]) in lines[0]


def test_a_kind_that_cannot_be_rechecked_says_which_can(site):
    other = [f for f in site["card"]["findings"]
             if f.get("kind") not in ("broken_link", "blocked_link", "download_failed")]
    assert other, [f["kind"] for f in site["card"]["findings"]]
    run = _recheck(site, other[0]["id"], "--site", CODE)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "only these kinds can be re-checked" in lines[0]
    assert "broken_link" in lines[0] and "download_failed" in lines[0]


def _signed_in(store):
    import re

    from xunjian.review.app import create_app
    from xunjian.review.users import add_user

    add_user(store, "lisi", "reviewer", "correct-horse-9")
    app = create_app(store, secret_key="test-secret")
    app.config["TESTING"] = True
    client = app.test_client()

    def token(html: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    page = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"name": "lisi", "password": "correct-horse-9",
                                       "csrf_token": token(page)}).status_code == 302
    return client, token


def test_the_review_apps_recheck_button_rechecks_and_shows_the_result(site, rechecked):
    soft = rechecked["before"][SOFT_404]["id"]
    fixed = rechecked["before"][FIXED]["id"]
    with open_store(str(site["store"])) as store:
        client, token = _signed_in(store)
        page = client.get(f"/site/{CODE}/finding/{fixed}").get_data(as_text=True)
        assert "已整改" in page and 'id="recheck-crop"' in page  # the command line's re-check
        page = client.get(f"/site/{CODE}/finding/{soft}").get_data(as_text=True)
        assert 'id="recheck-button"' in page and f"xunjian recheck {soft}" in page
        before = len(store.find("rechecks", site=CODE))
        resp = client.post(f"/site/{CODE}/finding/{soft}/recheck",
                           data={"csrf_token": token(page)})
        assert resp.status_code == 302
        shown = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert len(store.find("rechecks", site=CODE)) == before + 1
        latest = max(store.find("rechecks", site=CODE), key=lambda r: r["at"])
        assert latest["by"] == "lisi" and latest["result"] == "open"
        listing = client.get(f"/site/{CODE}").get_data(as_text=True)
        notice = client.get(f"/site/{CODE}/rectify.docx")
    assert "复查完成：仍未整改" in shown
    assert 'id="recheck-result" class="rc-open"' in shown and "复查时间" in shown
    assert "soft_404" in shown
    assert "复查：仍未整改" in listing and "复查：已整改" in listing
    assert f"/site/{CODE}/rectify.xlsx" in listing
    assert notice.status_code == 200 and notice.data[:2] == b"PK"
    assert "attachment; filename=rectify-9999000220-" in notice.headers["Content-Disposition"]


def test_findings_no_recheck_can_judge_have_no_button(site):
    with open_store(str(site["store"])) as store:
        client, _ = _signed_in(store)
        other = next(f for f in site["card"]["findings"]
                     if f.get("kind") not in ("broken_link", "blocked_link", "download_failed"))
        page = client.get(f"/site/{CODE}/finding/{other['id']}").get_data(as_text=True)
    assert 'id="recheck-button"' not in page and "尚未复查" in page


def _open_expected(card: dict) -> list[dict]:
    return [f for f in card["findings"] if f["review"] != "rejected"
            and (f.get("recheck") or {}).get("result") != "fixed"]


@pytest.fixture(scope="module")
def notices(site, rechecked):
    out = {}
    for fmt in ("docx", "xlsx"):
        path = site["tmp"] / f"rectify.{fmt}"
        run = xunjian("report", "rectify", CODE, "--format", fmt, "--out", str(path),
                      store=site["store"], timeout=180)
        assert run.returncode == 0, run.stderr
        assert "整改通知 written to" in run.stdout
        out[fmt] = path
    out["card"] = _card(site["store"])
    return out


def test_the_docx_notice_lists_exactly_the_open_findings(notices, rechecked):
    from docx import Document

    doc = Document(str(notices["docx"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "整改通知" in text and "某某市住房和城乡建设局" in text
    assert "经人工复核驳回的 1 项" in text and "复查已整改的 2 项" in text
    (rows,) = [t for t in doc.tables if t.rows[0].cells[0].text == "序号"]
    header = [c.text for c in rows.rows[0].cells]
    assert header[:8] == ["序号", "指标", "问题", "问题地址", "入口页", "首次发现", "发现次数", "证据"]
    body = [[c.text for c in r.cells] for r in rows.rows[1:]]
    expected = _open_expected(notices["card"])
    assert [r[2] for r in body] == [f["detail"] for f in expected]
    assert [r[3] for r in body] == [f.get("url") or "" for f in expected]
    urls = {r[3] for r in body}
    soft = rechecked["before"][SOFT_404]
    assert soft["url"] in urls
    for gone in (FIXED, REMOVED, BANNER):  # fixed by recheck, or rejected by a reviewer
        assert rechecked["before"][gone]["url"] not in urls
    for r, f in zip(body, expected, strict=True):  # part B's fields, "—" until the card has them
        assert r[5] == (f.get("first_seen") or "—")
        assert r[6] == (str(f["times_seen"]) if "times_seen" in f else "—")
    row = next(r for r in body if r[3] == soft["url"])
    assert "返回错误页面" in row[7] or "soft_404" in row[7]
    assert row[8].startswith("仍未整改")
    # the still-open link's picture: the re-check's crop, marked
    assert f"问题 {row[0]}：{soft['detail']}" in text
    assert len(doc.inline_shapes) >= 1


def test_the_xlsx_notice_lists_exactly_the_open_findings_with_pictures(notices, rechecked):
    from openpyxl import load_workbook

    ws = load_workbook(str(notices["xlsx"]))["整改通知"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(i for i, r in enumerate(values) if r[0] == "序号")
    body = [r for r in values[start + 1:] if r[0] is not None]
    expected = _open_expected(notices["card"])
    assert [r[2] for r in body] == [f["detail"] for f in expected]
    assert [r[3] for r in body] == [f.get("url") or "" for f in expected]
    soft = rechecked["before"][SOFT_404]
    row = next(r for r in body if r[3] == soft["url"])
    assert row[9].startswith("仍未整改") and row[10].startswith("图")
    assert all(rechecked["before"][g]["url"] not in {r[3] for r in body}
               for g in (FIXED, REMOVED, BANNER))
    pictured = sum(1 for f in expected if (f.get("recheck") or {}).get("evidence", {}).get(
        "screenshot") or (f.get("evidence") or {}).get("screenshot"))
    assert len(ws._images) == pictured >= 1


def test_a_download_is_rechecked_by_the_download_rules(tmp_path):
    """A failed guide download (a finding the card derives): an HTML page where a .doc is
    promised is still open; the file served is fixed, with the guide photographed."""
    import asyncio

    from xunjian.inspection.recheck import recheck_finding

    with serving() as (server, url), open_store(str(tmp_path / "store")) as store:
        site = {"code": CODE, "name": "某某市住房和城乡建设局", "url": url}
        store.upsert_site(site)
        inspection = {"id": "i1", "site": CODE}
        finding = {"id": "d1", "kind": "download_failed", "indicator": "service.attachments",
                   "url": f"{url}files/%E7%94%B3%E8%AF%B7%E8%A1%A8.doc",
                   "page": f"{url}bsfw/zn_001.html", "evidence": {"reason": "html_instead_of_file"}}
        first = asyncio.run(recheck_finding(store, site, inspection, finding, by="test"))
        server.fixed = True
        second = asyncio.run(recheck_finding(store, site, inspection, finding, by="test"))
        stored = store.find("rechecks", site=CODE)
    assert first["result"] == "open" and first["evidence"]["error"] in (
        "soft_404", "html_instead_of_file")
    assert second["result"] == "fixed" and second["how"] == "link_ok"
    assert second["detail"] == "已整改：附件现可下载（200）"
    assert second["evidence"]["element_box"] and second["evidence"]["linked"] is True
    assert [r["result"] for r in sorted(stored, key=lambda r: r["at"])] == ["open", "fixed"]
