"""个人信息泄露 detector (inspectors/privacy.py) on the GBK 公示 table, footers and articles of
tests/sites/privacy, and on look-alikes one by one: exact numbers found, masked values only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from xunjian.inspectors.privacy import (
    find_personal,
    html_text,
    luhn_ok,
    mask,
    masked_text,
    privacy_finding,
    valid_id15,
    valid_id18,
)

SITE = Path(__file__).parent / "sites" / "privacy"
DAY = date(2024, 6, 1)
FULL = ["110105199003070017", "32050219770101789X", "13812345678", "6222021001123456789",
        "15900001111", "13905712345", "18657112345"]


def page(name: str) -> str:
    data = (SITE / name).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gbk")


def found(text: str) -> list[tuple[str, str]]:
    return [(t, raw) for t, raw, _s, _e in find_personal(text, DAY)]


def test_gbk_public_notice_table():
    text = html_text(page("art_101_1.html"))
    # wrong check digit, 30 February, born in 2030, a credit code, a 10-digit mobile and a card
    # failing Luhn are not personal data
    assert found(text) == [("身份证号", "110105199003070017"), ("手机号", "13812345678"),
                           ("银行卡号", "6222021001123456789"), ("身份证号", "32050219770101789X"),
                           ("手机号", "159 0000 1111")]
    finding = privacy_finding({"code": "9999000023"}, text, "http://x/art_101_1.html",
                              title="公示", latest=DAY)
    assert finding["indicator"] == "content.privacy" and finding["kind"] == "privacy_leak"
    assert finding["needs_review"] is True and finding["rule"] == "leak"
    ev = finding["evidence"]
    assert ev["types"] == {"身份证号": 2, "手机号": 2, "银行卡号": 1} and ev["count"] == 5
    assert ev["data_type"] == "身份证号" and ev["masked"] == "110105********0017"
    assert ev["samples"] == ["110105********0017", "138****5678", "6222***********6789",
                             "320502********789X", "159****1111"]
    assert ev["in"] == "page" and ev["attachment_url"] is None
    assert finding["detail"].startswith("页面含疑似个人信息：身份证号2个、手机号2个、银行卡号1个")
    assert not any(n in repr(finding) for n in FULL)


def test_footers_and_lookalikes_are_not_personal():
    assert found(html_text(page("index.html"))) == []
    assert found(html_text(page("art_101_2.html"))) == []


def test_mobile_formats():
    assert found(html_text(page("art_101_3.html"))) == [("手机号", "139-0571-2345"),
                                                        ("手机号", "18657112345")]


@pytest.mark.parametrize("text", [
    "浙公网安备 33010202000123号", "浙ICP备05012345号-1", "网站标识码：3301000023",
    "测民〔2024〕15号 110105199003070017", "文号：110105199003070017",
    "订单号：6217001234567890122", "快递单号：SF1234567890123", "运单号：110105900307123",
    "联系电话：0571-87654321", "电话：057187654321", "传真：(0571)87654322",
    "登记编号 2024138123456789", "统一社会信用代码：113301000025001239",
    "身份证号：110105199003070010", "卡号：6222021001123456780", "手机：1381234567",
    "手机：138123456789", "编号 13812345678", "流水号：6222021001123456789",
])
def test_lookalike(text):
    assert found(text) == []


def test_checks():
    assert valid_id18("110105199003070017", DAY) and not valid_id18("110105199003070018", DAY)
    assert valid_id18("32050219770101789x", DAY)
    assert not valid_id18("99010519900307001X", DAY)  # no province 99
    assert valid_id15("110105900307123", DAY) and not valid_id15("110105900230123", DAY)
    assert luhn_ok("6222021001123456789") and not luhn_ok("6222021001123456780")


def test_masking():
    assert mask("110105199003070017", "身份证号") == "110105********0017"
    assert mask("110105900307123", "身份证号") == "110105*****7123"
    assert mask("138-1234-5678", "手机号") == "138****5678"
    assert mask("6222 0210 0112 3456 789", "银行卡号") == "6222***********6789"
    text = masked_text("身份证 110105199003070017，错号 110105199003070010，电话 0571-87654321")
    assert "110105199003070017" not in text and "110105199003070010" not in text
    assert "110105********0017" in text


def test_attachment_finding_names_the_attachment():
    finding = privacy_finding({"code": "9999000023"}, "申请人 13700001234", "http://x/a.html",
                              where="attachment", attachment_url="http://x/files/a.pdf")
    assert finding["url"] == "http://x/files/a.pdf" and finding["page"] == "http://x/a.html"
    assert finding["evidence"]["in"] == "attachment"
    assert finding["evidence"]["attachment_url"] == "http://x/files/a.pdf"
    assert finding["detail"].startswith("附件含疑似个人信息：手机号1个（如137****1234）")


def test_census_counts_sites_with_confirmed_leaks():
    from xunjian.reports.census import privacy_stats

    def card(*findings):
        return {"findings": [{"indicator": i, "counts": c, "review": r} for i, c, r in findings]}

    sites = [{"code": c} for c in ("a", "b", "c", "d")]
    cards = {"a": card(("content.privacy", True, "confirmed")),
             "b": card(("content.privacy", False, "pending")),
             "c": card(("content.privacy", False, "rejected"), ("availability.links", True, "")),
             "d": card()}
    assert privacy_stats(sites, cards) == {"sites": 1, "share": 25.0, "codes": ["a"],
                                           "pending_sites": 1}


def test_attachment_text_statuses():
    from tests.support import attachments as make
    from xunjian.inspectors.attachment_text import attachment_text

    pdf = attachment_text(make.text_pdf(["申请人：陈某 身份证号：440306200111304561"]))
    assert (pdf.status, pdf.format, pdf.text.strip()) == (
        "ok", "pdf", "申请人：陈某 身份证号：440306200111304561")
    assert attachment_text(make.image_pdf()).status == "no_text"
    assert attachment_text(make.encrypted_pdf(["13700001234"])).status == "encrypted"
    assert attachment_text(make.old_doc(), "doc").status == "unsupported"
    assert attachment_text(b"%PDF-1.4 not really").status == "damaged"
    assert attachment_text(make.text_pdf(["x" * 20]), truncated=True).status == "too_large"
    assert attachment_text(b"").status == "empty"
    # a DOCX served as .doc is read by its bytes; a table row stays one line
    doc = attachment_text(make.docx(["名单"], [["订单号", "6217001234567890122"]]), "doc")
    assert (doc.status, doc.format, doc.text) == ("ok", "docx", "名单\n订单号\t6217001234567890122")
    assert found(doc.text) == []
    sheet = attachment_text(make.xlsx([["手机", 13912345678], ["订单号", "6217001234567890122"]]))
    assert sheet.text == "手机\t13912345678\n订单号\t6217001234567890122"
    assert found(sheet.text) == [("手机号", "13912345678")]
    from xunjian.inspectors.attachment_text import MAX_PDF_PAGES

    pages = MAX_PDF_PAGES + 10
    long_pdf = attachment_text(make.text_pdf([f"第{n}行" for n in range(pages * 5)], per_page=5))
    assert long_pdf.pages == pages and long_pdf.partial is True
    assert "第0行" in long_pdf.text and f"第{pages * 5 - 1}行" not in long_pdf.text


def test_printed_notice_pdf():
    """A 公示 printed as Word or WPS export it (subset CJK fonts embedded, a table, two pages):
    its text as a reader sees it (示 and 月, not the look-alike Kangxi radicals ⽰ ⽉ that a
    font's own glyph names give), the two valid 身份证号 and the mobile of the table; not the
    masked row, the wrong check digit, the office phones, the 文号, the 项目编号 or 公网安备."""
    from xunjian.inspectors.attachment_text import attachment_text

    data = (SITE / "print" / "tongzhi.pdf").read_bytes()
    read = attachment_text(data, "pdf")
    assert (read.status, read.format, read.pages, read.partial) == ("ok", "pdf", 2, False)
    assert "关于2024年第二批临时救助对象的公示" in read.text and "⽰" not in read.text
    assert "2 瓯南街道 周某某 331082196711020040 — 2000" in read.text.splitlines()
    assert "\r" not in read.text
    assert found(read.text) == [("身份证号", "331082198506142523"), ("手机号", "13857801234"),
                                ("身份证号", "331082196711020040")]
    # the same file cut at the download budget, or with its tail lost
    assert attachment_text(data[:len(data) // 2], "pdf", truncated=True).status == "too_large"
    assert attachment_text(data[:len(data) // 3], "pdf").status == "damaged"


def test_excel_workbook_and_word_markup():
    """An XLSX as Excel/WPS write it (shared strings, numbers as numbers, sheets listed in
    another order than their parts are named) and DOCX markup as Word writes it (a cell of two
    paragraphs, tabs, an escaped &, a field code and a tracked deletion not shown): the text as
    a reader sees it, a row a line."""
    from tests.support import attachments as make
    from xunjian.inspectors.attachment_text import attachment_text

    book = make.excel_xlsx([
        ("公示名单", [["序号", "姓名", "身份证号", "联系电话"],
                  ["=1", "王某", "331082198506142523", "=13857801234"],
                  ["=2", "李某&家属", "~331082196711020040", "=1.3905712345E10"],
                  ["", "", "", ""]]),
        ("说明", [["订单号", "=6217001234567890122"], ["金额", "=2500.5"]]),
    ])
    read = attachment_text(book, "xls")
    assert (read.status, read.format, read.partial) == ("ok", "xlsx", False)
    assert read.text == ("序号\t姓名\t身份证号\t联系电话\n1\t王某\t331082198506142523\t13857801234\n"
                         "2\t李某&家属\t331082196711020040\t13905712345\n"
                         "订单号\t6217001234567890122\n金额\t2500.5")
    assert found(read.text) == [("身份证号", "331082198506142523"), ("手机号", "13857801234"),
                                ("身份证号", "331082196711020040"), ("手机号", "13905712345")]
    # openpyxl (the fallback for workbooks laid out otherwise) reads the same cells
    from xunjian.inspectors.attachment_text import _xlsx_openpyxl

    assert _xlsx_openpyxl(book).replace("2500.5", "x") == read.text.replace("2500.5", "x")
    doc = make.docx(["关于公示的通知", "单位：A&B"], [["姓名", "住址"], ["王某", "鹤城街道"]])
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(doc)) as zf:
        xml = zf.read("word/document.xml").decode()
    xml = xml.replace("<w:t xml:space=\"preserve\">鹤城街道</w:t></w:r></w:p>",
                      "<w:t xml:space=\"preserve\">鹤城街道</w:t></w:r></w:p><w:p><w:r><w:t>"
                      "18号</w:t><w:tab/><w:t>电话</w:t></w:r><w:r><w:instrText> PAGE "
                      "</w:instrText><w:delText>13857801234</w:delText></w:r></w:p>", 1)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(doc)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, xml if name == "word/document.xml" else src.read(name))
    read = attachment_text(out.getvalue(), "doc")
    assert read.text == "关于公示的通知\n单位：A&B\n姓名\t住址\n王某\t鹤城街道\n18号 电话"


def test_without_tesseract_scans_stay_unread_and_the_card_says_so(monkeypatch):
    from xunjian.inspection import attachments
    from xunjian.inspectors import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    monkeypatch.setenv("XUNJIAN_OCR_PAGES", "5")
    statuses = {"no_text": 2}
    figures = attachments._ocr_scans(None, {}, {}, [], statuses, DAY, None, {}, {}, 5)
    assert statuses == {"no_text": 2}
    assert figures == {"available": False, "pages": 0, "pages_read": 0,
                       "note": "未安装 tesseract（chi_sim），扫描件未识别，计为无文字层"}


def test_the_attachment_figures_read_as_one_sentence():
    from xunjian.inspectors.attachment_text import figures_text

    assert figures_text(None) == "" and figures_text({"linked": 0}) == ""
    dense = {"linked": 200, "read": 75, "statuses": {"ok": 75, "partial": 67, "over_time": 125,
                                                     "format_zip": 3}}
    assert figures_text(dense) == (
        "附件：链接 200 个，已读取 75 个，其中 67 个只读了一部分（超过页数或字数上限）；"
        "未读取 125 个：超过本站读取时限 125 个；另有不读取的格式：zip 3 个。")
    ocr = {"linked": 4, "read": 3, "statuses": {"ok": 3, "ocr": 1, "no_text": 1},
           "ocr": {"note": "扫描件文字识别（tesseract），每站至多5页"}}
    assert figures_text(ocr) == (
        "附件：链接 4 个，已读取 3 个（其中 1 个经文字识别）；未读取 1 个："
        "扫描件无文字层 1 个（扫描件文字识别（tesseract），每站至多5页）。")
