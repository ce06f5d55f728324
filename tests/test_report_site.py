"""The per-site inspection report (网站检查报告) built from a stored inspection of the demo site.

The session's one real inspection (Chromium crawl of demo/server.py, tests/conftest.py), on a
copy of its store; a week of homepage probes with three failures and a reviewer-added finding
are stored next to it. Every format must say
what the score card says — verdict, score, each dead link with the census platform's columns,
the probe log, the columns' freshness — read back from the PDF's text, the DOCX's XML and the
XLSX's cells; screenshots must be printed at the full text width, not as stamps.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from cli_run import xunjian
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from xunjian.inspection.card import card_for
from xunjian.reports.site import build_site_report, site_report
from xunjian.review.data import add_manual_finding
from xunjian.review.sample import tiny_png
from xunjian.storage import open_store

CODE = "9999000001"
AS_OF = "2026-11-20"
FAILED_AT = ("2026-11-15T03:00:00+08:00", "2026-11-17T09:30:00+08:00",
             "2026-11-19T21:10:00+08:00")


#: What PDF text extraction gives for some glyphs Noto CJK shares with the CJK radicals.
RADICALS = str.maketrans("⺠⻔⻚⻓⻅⻋⻛⻜⻝⻢⻬⻰⻳⺟⻄⻆⻉⻘⻥⻦⻩⻨戶",
                         "民门页长见车风飞食马齐龙龟母西角贝青鱼鸟黄麦户")


def norm(text: str) -> str:
    """PDF text without spaces, radicals (⽹, ⺠) folded to the usual characters (网, 民)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


@pytest.fixture(scope="module")
def built(tmp_path_factory, demo_store_copy):
    tmp = tmp_path_factory.mktemp("site-report")
    store_dir = demo_store_copy(tmp / "store")  # the session's demo inspection, ours to add to
    store = open_store(str(store_dir))
    site = store.get_site(CODE)
    # a probe week: 140 probes (20 a day), 3 failed (2.14% → 2 full percent → 10 points)
    shot = store.put_blob(tiny_png(40, 30, (250, 250, 250)), "image/png")
    end = datetime.fromisoformat(f"{AS_OF}T23:00:00+08:00")
    probes = [{"site": CODE, "url": site["url"], "ok": True, "status": 200, "elapsed_ms": 90,
               "error": None, "time": (end - timedelta(minutes=72 * k)).isoformat()}
              for k in range(137)]
    probes += [{"site": CODE, "url": site["url"], "ok": False, "status": None,
                "elapsed_ms": 15000, "error": "timeout", "time": t, "screenshot": shot}
               for t in FAILED_AT]
    store.insert_many("probes", probes)
    inspection = store.latest_inspection(CODE)
    add_manual_finding(store, inspection, "basic_info", site["url"] + "xxgk/jgzn/",
                       "领导信息页仍为已调任的副市长", "alice", shot)
    card = card_for(store, inspection["id"])
    out = {fmt: build_site_report(store, CODE, fmt) for fmt in ("html", "docx", "xlsx")}
    pdf = tmp / "report.pdf"
    run = xunjian("report", "site", CODE, "--format", "pdf", "--output", str(pdf),
                  store=store_dir, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    out["pdf"] = pdf.read_bytes()
    (tmp / "report.html").write_bytes(out["html"])
    yield {"store": store, "card": card, "out": out, "tmp": tmp, "site": site,
           "report": site_report(store, CODE)}
    store.close()


def dead_links(card):
    return [f for f in card["findings"] if f["indicator"] == "availability.links"]


def test_the_card_behind_the_report_has_the_probes_and_the_reviewer_finding(built):
    card = built["card"]
    homepage = next(d for d in card["deductions"] if d["id"] == "availability.homepage")
    assert homepage["checked"] and homepage["points"] == 10
    assert any(f["kind"] == "reviewer_added" for f in card["findings"])
    assert len(dead_links(card)) >= 12


def test_pdf_text_has_cover_overview_probes_and_every_dead_link(built):
    card, site = built["card"], built["site"]
    reader = PdfReader(io.BytesIO(built["out"]["pdf"]))
    cover = norm(reader.pages[0].extract_text())
    assert norm(f"网站名称{site['name']}") in cover
    assert norm(f"网站标识码{CODE}") in cover
    assert norm("主办单位清河市人民政府办公室") in cover
    # only a reviewer can rule serious errors out: 合格 is provisional and names that veto
    assert card["verdict"] == "合格" and card["unchecked_vetoes"] == ["veto.serious_error"]
    assert norm("检查结论合格（暂定）: 未能检查 严重错误") in cover
    assert norm(f"得分{card['score']:g}分（扣分合计{card['total_deduction']:g}分）") in cover
    assert norm("暂定结论") in cover  # serious errors and guides are unchecked on the demo
    assert norm("2026-11-1300:00:00至2026-11-2023:59:59") in cover  # the probe week
    text = norm("".join(p.extract_text() for p in reader.pages))
    assert norm("共探测140次（表中要求140次以上），打不开3次，失败率2.1%") in text
    for when in ("2026-11-1503:00:00", "2026-11-1709:30:00", "2026-11-1921:10:00"):
        assert when in text
    for f in dead_links(card):
        assert norm(urlsplit(f["url"]).path) in text or norm(f["url"])[:40] in text
    assert norm("HTTP返回值或超时情况") in text and norm("入口页截图") in text
    assert norm("领导信息页仍为已调任的副市长") in text  # 人工复核添加的问题
    assert norm("复核人员：alice") in text
    assert norm("机构职能") in text and norm("无法访问") in text  # the 404 column
    # unchecked is said in the report's language, never a silent 0
    assert re.search(norm("机器在\\d+个页面中未发现候选问题；严重错误只能由人工排除"), text)


def test_pdf_screenshots_are_printed_at_the_text_width(built):
    """Each distinct screenshot is drawn ≥ 85% of the A4 text width (182 mm = 516 pt)."""
    reader = PdfReader(io.BytesIO(built["out"]["pdf"]))
    figures = built["report"]["shots"].figures()
    assert len(figures) >= 3
    drawn: list[float] = []
    for page in reader.pages:
        def visit(op, args, cm, tm, _drawn=drawn):
            if op == b"Do":
                _drawn.append(cm[0])
        page.extract_text(visitor_operand_before=visit)
    wide = [w for w in drawn if w >= 0.85 * 516]
    slices = sum(len(f["slices"]) for f in figures if not f["missing"])
    assert len(wide) >= slices, (sorted(drawn), slices)
    thumbs = [w for w in drawn if w < 150]
    assert thumbs, "the dead-link table shows thumbnails"


def test_docx_has_the_tables_and_full_width_screenshots(built):
    card = built["card"]
    data = built["out"]["docx"]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    for word in ("政府网站检查报告", "网站标识码", CODE, "清河市人民政府办公室", "总体情况",
                 "单项否决 / 扣分", "首页可用性探测记录", "错误编号", "入口页截图", "栏目名称",
                 "人工复核添加的问题", "领导信息页仍为已调任的副市长"):
        assert word in xml, word
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode("utf-8")
    assert 'w:eastAsia="SimSun"' in styles  # Chinese text names an East Asian font
    doc = Document(io.BytesIO(data))
    dead = next(t for t in doc.tables if t.rows[0].cells[0].text == "错误编号")
    # per link: the short cells, then 链接地址 and 入口地址 across the table
    assert len(dead.rows) - 1 == 3 * len(dead_links(card))
    urls = {row.cells[1].text for row in dead.rows[1:] if row.cells[0].text == "链接地址"}
    assert urls == {f["url"] for f in dead_links(card)}
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    widths = [shape.width for shape in doc.inline_shapes]
    figures = built["report"]["shots"].figures()
    slices = sum(len(f["slices"]) for f in figures if not f["missing"])
    assert sum(w == text_width for w in widths) >= slices
    overview = next(t for t in doc.tables if t.rows[0].cells[0].text == "一级指标")
    rows = {r.cells[1].text: r.cells[4].text for r in overview.rows[1:]}
    assert rows["首页可用性"] == "扣 10 分"
    links = next(d["points"] for d in card["deductions"] if d["id"] == "availability.links")
    assert rows["链接可用性"] == f"扣 {links:g} 分"


def test_xlsx_cells_list_dead_links_with_screenshot_links_and_the_probe_chart(built):
    card = built["card"]
    wb = load_workbook(io.BytesIO(built["out"]["xlsx"]))
    sheets = {"封面", "总体情况", "不可用链接", "首页探测", "栏目更新", "问题清单"}
    assert sheets <= set(wb.sheetnames)
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(min_row=2, values_only=True)}
    assert cover["网站标识码"] == CODE and cover["检查结论"] == "合格（暂定）: 未能检查 严重错误"
    assert cover["得分"] == card["score"]
    ws = wb["不可用链接"]
    header = [c.value for c in ws[1]]
    assert header[:9] == ["错误编号", "链接名称", "链接地址", "探测时间", "错误类型",
                          "HTTP返回值或超时情况", "入口地址", "入口名称", "入口页截图"]
    rows = list(ws.iter_rows(min_row=2))
    by_url = {f["url"]: f for f in dead_links(card)}
    assert {r[2].value for r in rows} == set(by_url)
    for r in rows:
        f = by_url[r[2].value]
        assert r[4].value == f["evidence"]["error_type"]
        assert r[6].value == f["page"]
        assert r[11].value == f["points"]
        if f["evidence"].get("screenshot"):
            assert r[8].hyperlink is not None
            assert f["evidence"]["screenshot"] in r[8].hyperlink.target
    probes = wb["首页探测"]
    days = {r[0]: (r[1], r[2]) for r in probes.iter_rows(min_row=2, max_row=9, values_only=True)}
    assert sum(p for p, _ in days.values()) == 140 and sum(f for _, f in days.values()) == 3
    assert days["2026-11-17"][1] == 1
    assert probes._charts


def test_html_report_is_self_contained_and_the_review_app_serves_it(built):
    html = built["out"]["html"].decode("utf-8")
    assert "<img" in html and "data:image/jpeg;base64," in html
    assert 'src="http' not in html  # nothing fetched from the inspected site
    assert html.count("<svg") == 2  # the probe week: probes and failures per day
    from xunjian.review.app import create_app
    from xunjian.review.users import add_user

    store = built["store"]
    add_user(store, "rep", "reviewer", "correct-horse-9")
    app = create_app(store, secret_key="test-secret")
    app.config["TESTING"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"name": "rep", "password": "correct-horse-9",
                                "csrf_token": csrf})
    site_page = client.get(f"/site/{CODE}").get_data(as_text=True)
    assert f"/site/{CODE}/report.docx" in site_page
    resp = client.get(f"/site/{CODE}/report.xlsx")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(resp.data))
    link = wb["不可用链接"]["I2"].hyperlink
    assert link is not None and "/blob/" in link.target  # the review app's screenshot URL
    assert client.get(f"/site/{CODE}/report.exe").status_code == 404


def test_unknown_site_and_inspection_get_a_clear_error(built):
    store_dir = built["tmp"] / "store"
    run = xunjian("report", "site", "0000000000", "--format", "html", "--output",
                  str(built["tmp"] / "x.html"), store=store_dir, timeout=60)
    assert run.returncode == 1 and "unknown site '0000000000'" in run.stderr
    run = xunjian("report", "site", CODE, "--as-of", "2020-01-01", "--format", "html",
                  "--output", str(built["tmp"] / "x.html"), store=store_dir, timeout=60)
    assert run.returncode == 1 and "no finished inspection" in run.stderr
    assert not (built["tmp"] / "x.html").exists()
