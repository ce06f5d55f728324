"""What a reader of the site report trips over (issue 22, section 3): long URLs in the PDF
dead-link table, 错误编号 and 探测时间 broken over lines, a white screenshot shown without a word.

The site is shaped like a 政务公开 portal of a 区 government (TRS / 大汉 CMS): download links
through ``downfile.jsp?…&filename=<percent-encoded Chinese>``, article URLs with a query string,
column paths spelled in Chinese and percent-encoded — every URL 120 characters or more. The PDF
is printed by the report's own engine (Chromium, reports/render.py) and read back with pypdf, as a
reader copying a URL out of it would get it.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile

import pytest
from docx import Document
from PIL import Image, ImageDraw
from pypdf import PdfReader

from xunjian.reports.site import build_site_report, site_report
from xunjian.review.sample import tiny_png
from xunjian.storage import open_store

CODE = "3301060001"
HOST = "http://127.0.0.1:9"
ENC_ZWGK = "%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80"          # 政务公开
ENC_TZGG = "%E9%80%9A%E7%9F%A5%E5%85%AC%E5%91%8A"          # 通知公告
ENC_REPORT = ("2026%E5%B9%B4%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80%E5%B7%A5"
              "%E4%BD%9C%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf")  # 2026年政府信息公开工作年度报告
DEAD = [
    # (link text, URL, referring page, status)
    ("2026年政府信息公开工作年度报告（PDF）",
     f"{HOST}/module/download/downfile.jsp?classid=0&filename={ENC_REPORT}",
     f"{HOST}/col/col1229266/index.html?uid=5248561&pageNum=2&vc_xxgkarea=11330106002533", 404),
    ("关于2026年度区级部门预算公开的公告",
     f"{HOST}/art/2026/12/1/art_1229266_59012345.html?xxgk_id=2b8f0c3e4a1d4f6b9c7e"
     f"&from={ENC_ZWGK}&wzfrom=zwgk_tzgg", f"{HOST}/{ENC_ZWGK}/{ENC_TZGG}/index.jhtml", 404),
    ("通知公告（第3页）",
     f"{HOST}/{ENC_ZWGK}/{ENC_TZGG}/2026/index_3.jhtml?pageNo=3&channelId=1229266&siteId=33",
     f"{HOST}/{ENC_ZWGK}/index.jhtml?channelId=1229&siteId=33&type=xxgkml", 500),
]
#: Ordinary dead links of the homepage's 政务要闻 (enough for the table to run over pages).
MORE = [(f"区政府召开第{n}次常务会议", f"{HOST}/art/2026/11/{n}/art_1229_{5400 + n}.html", f"{HOST}/",
         404) for n in range(1, 15)]
CHECKED_AT = "2026-12-03T05:40:12+00:00"  # 北京时间 12-03 13:40


def page_png() -> bytes:
    """A referring page's screenshot that shows something (a red header, lines of a list)."""
    img = Image.new("RGB", (1000, 700), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 1000, 90), fill=(178, 34, 34))
    for k in range(12):
        draw.line((40, 140 + 40 * k, 700, 140 + 40 * k), fill=(30, 30, 120), width=3)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout") / "store"
    store = open_store(str(folder))
    store.upsert_site({"code": CODE, "name": "杭州市西湖区人民政府门户网站", "type": "门户网站",
                       "owner": "杭州市西湖区人民政府办公室", "region": "浙江省杭州市西湖区",
                       "url": f"{HOST}/"})
    shown = store.put_blob(page_png(), "image/png")
    white = store.put_blob(tiny_png(1000, 700, (255, 255, 255)), "image/png")
    done = store.create_inspection({
        "site": CODE, "as_of": "2026-12-03", "status": "done",
        "started_at": "2026-12-03T05:30:00+00:00", "checks": {"availability.links": True}})
    findings = []
    for n, (text, url, page, status) in enumerate(DEAD + MORE):
        blank = n == 2  # the last referring page rendered white
        findings.append({
            "id": f"dead-{n}", "inspection": done, "site": CODE,
            "indicator": "availability.links", "kind": "broken_link", "rule": "other",
            "url": url, "page": page, "needs_review": False,
            "detail": f"页面链接「{text}」不可用：HTTP {status}",
            "evidence": {"anchor_text": text, "error_type": "域内链接不可用", "status": status,
                         "status_text": str(status), "checked_at": CHECKED_AT,
                         "page_title": "通知公告_杭州市西湖区人民政府",
                         "screenshot": white if blank else shown, "screenshot_blank": blank}})
    for n, (text, url, page, status) in enumerate(MORE, start=len(DEAD)):
        findings[n]["rule"] = "home"
    store.replace_findings(done, findings)
    yield store
    store.close()


@pytest.fixture(scope="module")
def pdf_pages(store) -> list[str]:
    reader = PdfReader(io.BytesIO(build_site_report(store, CODE, "pdf")))
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def pdf_text(pdf_pages) -> str:
    return "\n".join(pdf_pages)


@pytest.fixture(scope="module")
def blank_figure(store) -> int:
    """The figure number of the white screenshot (figures are numbered by first reference)."""
    dead = site_report(store, CODE)["dead_links"]
    return next(d["figure"] for d in dead if d["id"] == "dead-2")


#: Where a URL may be cut across lines: after '/', '?', '&', a percent-encoded byte, '=', '_',
#: '-', '.' — never inside %E6 or inside a word of the URL.
GOOD_CUT = re.compile(r"(?:[/?&=_.-]|%[0-9A-F]{2})$")


def url_occurrences(text: str, url: str) -> list[tuple[str, list[str]]]:
    """Each place ``url`` is in the PDF text as (the text before it on its line, its pieces):
    consecutive lines holding only the URL's characters, nothing of another cell in between."""
    pattern = r"\n?".join(re.escape(c) for c in url)  # a line break may fall anywhere
    found = []
    for match in re.finditer(pattern, text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        found.append((text[line_start:match.start()], match.group(0).split("\n")))
    return found


@pytest.mark.browser
def test_each_long_url_is_one_string_in_the_pdf(pdf_text):
    assert all(len(url) >= 120 for _, url, _, _ in DEAD)
    for _, url, page, _ in DEAD:
        for whole, label in ((url, "链接地址"), (page, "入口地址")):
            places = url_occurrences(pdf_text, whole)
            # the dead-link table's full-width row: the label, then the URL whole
            assert [before for before, _ in places if norm(before) == norm(label)], (whole, places)
            for _, pieces in places:  # that row and any narrower cell: cut only between parts
                for piece in pieces[:-1]:
                    assert GOOD_CUT.search(piece), (whole, pieces)
        # in the full-width row a URL of 120-170 characters takes a line or two, three at most
        # for 160 characters of percent-encoding (its %XX are wide)
        row = next(p for before, p in url_occurrences(pdf_text, url)
                   if norm(before) == norm("链接地址"))
        assert len(row) <= (3 if len(url) > 150 else 2), row


@pytest.mark.browser
def test_error_number_and_probe_time_are_not_broken(pdf_text):
    lines = pdf_text.splitlines()
    assert any(norm(line).startswith("错误编号链接名称探测时间") for line in lines), \
        "the 错误编号 and 探测时间 headers are whole, each on one line"
    total = len(DEAD + MORE)
    for n in range(1, total + 1):  # each row starts with its whole number
        assert [line for line in lines if re.match(rf"{n} \S", line)], n
    # 北京时间 12-03 13:40, whole, once per dead link
    assert len(re.findall(r"(?<![\d-])12-03 13:40(?!:)", pdf_text)) == total
    # the short cells' row, then the two full-width address rows
    assert sum(norm(line).startswith(norm("链接地址http")) for line in lines) == total
    assert sum(norm(line).startswith(norm("入口地址http")) for line in lines) == total


@pytest.mark.browser
def test_a_dead_link_and_its_two_address_rows_share_a_page(pdf_pages):
    spread = 0
    for page in pdf_pages:
        labels = [norm(line)[:4] for line in page.splitlines()
                  if re.match(norm("(链接地址|入口地址)http"), norm(line))]
        if not labels:
            continue
        spread += 1
        assert labels == [norm("链接地址"), norm("入口地址")] * (len(labels) // 2), labels
        flat = norm(page)  # the header row is repeated above the rows of each page
        assert flat.index(norm("错误编号链接名称探测时间")) < flat.index(norm("链接地址http"))
    assert spread >= 2  # the table runs over pages


@pytest.mark.browser
def test_a_copied_url_has_no_ligature(pdf_text):
    """'downfile.jsp?…&filename=' must copy as f-i, not as the ligature ﬁ (U+FB01)."""
    assert "\ufb01" not in pdf_text and "\ufb02" not in pdf_text
    assert "downfile.jsp?classid=0&filename=" in pdf_text


BLANK = "截图为空白页：浏览器打开该页时未显示任何内容"
#: What PDF text extraction gives for some glyphs Noto CJK shares with the CJK radicals.
RADICALS = str.maketrans("⺠⻔⻚⻓⻅⻋⻛⻜⻝⻢⻬⻰⻳⺟⻄⻆⻉⻘⻥⻦⻩⻨戶",
                         "民门页长见车风飞食马齐龙龟母西角贝青鱼鸟黄麦户")


def norm(text: str) -> str:
    """Text as read, whatever the extraction: no spaces or line ends, radicals (⽩, ⻚) folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


@pytest.mark.browser
def test_pdf_says_the_white_screenshot_is_blank(pdf_text, blank_figure):
    flat = norm(pdf_text)
    assert flat.count(norm(BLANK)) == 1  # the white picture only, not the page showing something
    assert norm(f"图{blank_figure}{BLANK}") in flat
    assert flat.count(norm("（截图为空白页）")) == 1  # its dead-link row
    assert norm(f"见图{blank_figure}（截图为空白页）") in flat


def test_html_and_docx_say_the_white_screenshot_is_blank(store, blank_figure):
    page = build_site_report(store, CODE, "html").decode("utf-8")
    notes = re.findall(r'<p class="blank-shot" id="blank-(\d+)">', page)
    assert notes == [str(blank_figure)]
    assert page.count(BLANK) == 1
    body = build_site_report(store, CODE, "docx")
    doc = Document(io.BytesIO(body))
    paragraphs = [p.text for p in doc.paragraphs]
    assert [p for p in paragraphs if BLANK in p] == [
        f"图{blank_figure}{BLANK}（图中白色区域不是页面内容）。"]
    xml = zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml").decode("utf-8")
    assert xml.count("（截图为空白页）") == 1  # the dead-link row of the white page


def test_html_url_cells_wrap_only_between_segments(store):
    page = build_site_report(store, CODE, "html").decode("utf-8")
    cells = re.findall(r'<th class="nowrap">链接地址</th><td colspan="8" class="url wide">(.*?)</td>',
                       page)
    texts = {re.sub(r"<[^>]+>", "", cell).replace("&amp;", "&") for cell in cells}
    assert texts == {url for _, url, _, _ in DEAD + MORE}
    assert not [cell for cell in cells if "http:/<wbr>/" in cell]  # never inside http://


def test_url_breaks_escape_the_sites_text_and_never_cut_a_percent_byte():
    from xunjian.reports.render import url_breaks

    hostile = 'http://127.0.0.1:9/a"><script>alert(1)</script>/b?x=<img src=x>&y=1'
    out = str(url_breaks(hostile, wide=True))
    assert "<script>" not in out and "<img" not in out
    assert html.unescape(re.sub(r"<(wbr|/?span[^>]*)>", "", out)) == hostile  # the text, whole
    long = str(url_breaks(f"{HOST}/down.jsp?filename={ENC_REPORT}"))
    assert "%E5<wbr>%B9" in long and "%E<wbr>" not in long and "%<wbr>" not in long
    assert str(url_breaks(None)) == "" and str(url_breaks("")) == ""


def test_the_review_app_says_the_finding_screenshot_is_blank(store):
    from xunjian.review.app import create_app
    from xunjian.review.users import add_user

    add_user(store, "wang", "reviewer", "correct-horse-9")
    app = create_app(store, secret_key="layout-test-secret")
    app.config["TESTING"] = True
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    client.post("/login", data={"name": "wang", "password": "correct-horse-9",
                                "csrf_token": csrf})
    pages = {fid: client.get(f"/site/{CODE}/finding/{fid}") for fid in ("dead-0", "dead-2")}
    assert {fid: r.status_code for fid, r in pages.items()} == {"dead-0": 200, "dead-2": 200}
    white, shown = (pages[fid].get_data(as_text=True) for fid in ("dead-2", "dead-0"))
    assert 'id="shot-blank"' in white and "截图为空白" in white
    assert 'id="shot-blank"' not in shown


def test_docx_dead_link_table_gives_each_address_the_whole_width(store):
    """In Word as in the PDF: a row of short cells per link, then 链接地址 and 入口地址 across
    the table, so a 150-character URL is one cell's text, never cut into a narrow column; the
    header repeats on each page and a link's three rows stay together."""
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(build_site_report(store, CODE, "docx")))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "错误编号")
    assert [c.text for c in table.rows[0].cells] == [
        "错误编号", "链接名称", "探测时间", "错误类型", "HTTP返回值或超时情况", "入口名称",
        "入口页截图", "复核", "扣分"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    body = table.rows[1:]
    dead = site_report(store, CODE)["dead_links"]  # in the report's order
    assert len(body) == 3 * len(DEAD + MORE) == 3 * len(dead)
    assert {d["url"] for d in dead} == {url for _, url, _, _ in DEAD + MORE}
    for n, d in enumerate(dead):
        short, link, entry = body[3 * n: 3 * n + 3]
        assert short.cells[0].text == str(n + 1) and short.cells[2].text == "12-03 13:40"
        for row, label, whole in ((link, "链接地址", d["url"]), (entry, "入口地址", d["page"])):
            spans = {id(c._tc) for c in row.cells[1:]}
            assert row.cells[0].text == label and len(spans) == 1  # one cell across the rest
            assert row.cells[1].text == whole
        for row in (short, link, entry):
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
