"""个人信息泄露 end to end: `xunjian inspect` on tests/sites/privacy (a GBK homepage with 公网安备/ICP/
网站标识码 footers, a GBK 低保公示 table, an article of look-alikes linking attachments, a page of
mobiles) with attachments made at serve time: a PDF with a Chinese text layer, a DOCX table, an
XLSX of numbers and text, a scanned PDF, an encrypted PDF and an old .doc. One content.privacy
finding per page or attachment with exact counts; the unreadable ones counted; a serious-error
candidate in the DOCX names the attachment; no full number reaches the card, its JSON or the HTML
report; the review queue of content.privacy shows masked values only."""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_run import census_forms, xunjian

from tests.support import attachments as make
from xunjian.storage import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = Path(__file__).parent / "sites" / "privacy"
CODE = "9999000023"
#: every full number planted (valid or not): none may reach a card, JSON or report
PLANTED = ["110105199003070017", "32050219770101789X", "13812345678", "6222021001123456789",
           "15900001111", "1390571", "18657112345", "440306200111304561", "13700001234",
           "510107199212310029", "330106198808080020", "6225880123456789017", "13912345678"]

FILES = {
    "/files/jiuzhu.pdf": ("application/pdf", lambda: make.text_pdf([
        "临时救助申请人名单", "申请人：陈某 身份证号：440306200111304561",
        "联系方式：13700001234", "批准文号：测民〔2024〕16号",
        "网上订单号：6225880123456789017"])),
    "/files/mingdan.docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml."
                            "document", lambda: make.docx(
        ["中华人民共合国民政部门有关规定。", "咨询电话：0571-86001234"],
        [["姓名", "身份证号", "手机"], ["吴某", "510107199212310029", "18657112345"],
         ["郑某", "510107199212310020", "1865711234"]])),
    "/files/fafang.xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           lambda: make.xlsx([
        ["姓名", "身份证号", "银行卡号", "手机"],
        ["孙某", "330106198808080020", "6225880123456789017", 13912345678],
        ["周某", "330106198808080021", "6225880123456789018", 1391234567],
        ["订单号", "6217001234567890122", None, None]])),
    "/files/scan.pdf": ("application/pdf", make.image_pdf),
    "/files/locked.pdf": ("application/pdf", lambda: make.encrypted_pdf(["13700001234"])),
    "/files/old.doc": ("application/msword", make.old_doc),
}


class PrivacySite(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in FILES:
            kind, body = FILES[path][0], FILES[path][1]()
        else:
            name = {"/": "index.html"}.get(path, path.rsplit("/", 1)[-1])
            file = SITE / name
            if not file.is_file() or "/" in name:
                self.send_error(404)
                return
            kind, body = "text/html", file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("privacy")
    server = ThreadingHTTPServer(("127.0.0.1", 0), PrivacySite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        site = (CODE, "测试省测试县", "测试县民政局网站", "其他", base, "测试县民政局")
        forms = census_forms(tmp / "reg", site, [])
        store_dir = tmp / "store"
        imported = xunjian("registry", "import", *map(str, forms), store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        env = dict(os.environ, XUNJIAN_STORE=str(store_dir), XUNJIAN_LINK_TIMEOUT="3",
                   XUNJIAN_FRESHNESS="0", XUNJIAN_MAX_PAGES="20")
        import subprocess
        run = subprocess.run([sys.executable, "-m", "xunjian.cli", "inspect", CODE, "--as-of",
                              "2024-06-01", "--json", str(tmp / "card.json")], env=env,
                             capture_output=True, text=True, timeout=400)
        assert run.returncode in (0, 1), run.stdout + run.stderr
        card_json = (tmp / "card.json").read_text("utf-8")
        report = xunjian("report", "site", CODE, "--format", "html", "--output",
                         str(tmp / "report.html"), store=store_dir)
        assert report.returncode == 0, report.stdout + report.stderr
        yield {"card": json.loads(card_json), "json": card_json, "base": base,
               "store_dir": store_dir, "stdout": run.stdout,
               "report": (tmp / "report.html").read_text("utf-8")}
    finally:
        server.shutdown()


def privacy(card: dict) -> dict[str, dict]:
    return {f["url"]: f for f in card["findings"] if f["indicator"] == "content.privacy"}


def test_one_finding_per_page_and_attachment_with_exact_counts(inspected):
    base, found = inspected["base"], privacy(inspected["card"])
    assert {u: f["evidence"]["types"] for u, f in found.items()} == {
        base + "art/2024/5/20/art_101_1.html": {"身份证号": 2, "手机号": 2, "银行卡号": 1},
        base + "art/2024/5/22/art_101_3.html": {"手机号": 2},
        base + "files/jiuzhu.pdf": {"身份证号": 1, "手机号": 1},
        base + "files/mingdan.docx": {"身份证号": 1, "手机号": 1},
        base + "files/fafang.xlsx": {"身份证号": 1, "手机号": 1, "银行卡号": 1},
    }
    pdf = found[base + "files/jiuzhu.pdf"]
    assert pdf["kind"] == "privacy_leak" and pdf["needs_review"] is True
    assert pdf["evidence"]["in"] == "attachment"
    assert pdf["evidence"]["attachment_url"] == base + "files/jiuzhu.pdf"
    assert pdf["evidence"]["url"] == base + "art/2024/5/21/art_101_2.html"
    assert pdf["evidence"]["samples"] == ["440306********4561", "137****1234"]
    table = found[base + "art/2024/5/20/art_101_1.html"]["evidence"]
    assert table["in"] == "page" and table["masked"] == "110105********0017"


def test_unreadable_attachments_are_counted(inspected):
    figures = inspected["card"]["facts"]["attachments"]
    assert figures["linked"] == 6 and figures["read"] == 3
    assert figures["statuses"] == {"ok": 3, "no_text": 1, "encrypted": 1, "unsupported": 1}
    with open_store(str(inspected["store_dir"])) as store:
        docs = {d["url"].rsplit("/", 1)[-1]: d["status"] for d in store.find("attachments")}
    assert docs == {"jiuzhu.pdf": "ok", "mingdan.docx": "ok", "fafang.xlsx": "ok",
                    "scan.pdf": "no_text", "locked.pdf": "encrypted", "old.doc": "unsupported"}


def test_the_unread_attachments_are_said_on_the_card_the_report_and_the_app(inspected):
    """Not skipped silently: the terminal card, the site report and the app's site page each
    say how many attachments were linked, read, and why the others were not."""
    from test_review_app import PASSWORD, sign_in

    from xunjian.review.app import create_app
    from xunjian.review.users import add_user

    said = ("附件：链接 6 个，已读取 3 个；未读取 3 个："
            "扫描件无文字层 1 个、加密 1 个、旧版 Office/WPS 格式 1 个")
    line = next(x for x in inspected["stdout"].splitlines() if x.startswith("attachments\t"))
    assert said in line
    assert said in inspected["report"]
    with open_store(str(inspected["store_dir"])) as store:
        add_user(store, "bob", "reviewer", PASSWORD)
        app = create_app(store, secret_key="test-secret")
        app.config["TESTING"] = True
        client = app.test_client()
        assert sign_in(client, "bob").status_code == 302
        page = client.get(f"/site/{CODE}").get_data(as_text=True)
    assert said in page


def test_serious_error_in_an_attachment_names_it(inspected):
    base = inspected["base"]
    serious = [f for f in inspected["card"]["findings"]
               if f["indicator"] == "veto.serious_error" and f["evidence"].get("in")]
    assert [(f["url"], f["evidence"]["match"]) for f in serious] == [
        (base + "files/mingdan.docx", "中华人民共合国")]
    assert serious[0]["evidence"]["attachment_url"] == base + "files/mingdan.docx"
    assert serious[0]["page"] == base + "art/2024/5/21/art_101_2.html"


def test_no_full_number_in_card_json_or_report(inspected):
    for text in (inspected["json"], inspected["report"], inspected["stdout"]):
        assert not [n for n in PLANTED if n in text]
    assert "110105********0017" in inspected["json"]


def test_review_queue_of_personal_data(inspected):
    from test_review_app import PASSWORD, sign_in

    from xunjian.review.app import create_app
    from xunjian.review.users import add_user

    with open_store(str(inspected["store_dir"])) as store:
        add_user(store, "alice", "reviewer", PASSWORD)
        app = create_app(store, secret_key="test-secret")
        app.config["TESTING"] = True
        client = app.test_client()
        assert sign_in(client).status_code == 302
        page = client.get("/queue?indicator=content.privacy")
        text = page.get_data(as_text=True)
    assert page.status_code == 200, text[:500]
    assert "个人信息" in text and "********" in text
    assert not [n for n in PLANTED if n in text]


def test_privacy_findings_have_masked_pictures(inspected):
    """Each finding has a picture taken after its numbers were masked, with a box inside it: a
    page finding the element of its first number, an attachment finding the link to it on the
    page that links it (one picture of that page for its three attachments)."""
    from xunjian.browser.outline import png_size

    base, found = inspected["base"], privacy(inspected["card"])
    shots = {}
    with open_store(str(inspected["store_dir"])) as store:
        for url, finding in found.items():
            ev = finding["evidence"]
            assert ev.get("screenshot"), (url, ev.get("element_missing"))
            size = png_size(store.get_blob(ev["screenshot"]))
            box = ev["element_box"]
            assert box and box["x"] + box["width"] <= size[0], url
            assert box["y"] + box["height"] <= size[1], url
            shots[url] = ev["screenshot"]
    attached = {shots[base + "files/" + n] for n in ("jiuzhu.pdf", "mingdan.docx", "fafang.xlsx")}
    assert len(attached) == 1
    assert len(set(shots.values())) == 3  # two pages of numbers, one page of links
    # the serious error found inside the DOCX: the same picture, the DOCX's link outlined
    serious = [f for f in inspected["card"]["findings"]
               if f["indicator"] == "veto.serious_error" and f["evidence"].get("in")]
    assert [f["evidence"]["screenshot"] for f in serious] == [shots[base + "files/mingdan.docx"]]
    docx_box = found[base + "files/mingdan.docx"]["evidence"]["element_box"]
    assert serious[0]["evidence"]["element_box"] == docx_box
    assert docx_box != found[base + "files/jiuzhu.pdf"]["evidence"]["element_box"]
