"""Deep pages are read in full (issue 24 case 3).

libxml2 drops everything below 256 nested elements unless told otherwise, so a county homepage
built by a page builder that wraps each component in a container (tests/hostile/deep/index.html:
a 大汉-style GBK homepage whose 工作动态 table sits under 300 nested ``<div>``s) looked empty: a
false 网站不更新 (veto.not_updated) and no serious-error scan. Here, through the functions the
inspection uses (the spider's homepage items and links, the freshness inspector, the serious-error
units, the page date, the link checker's page text) and through ``xunjian extract``:

* the 300-level homepage's 12 news items (all within 14 days of the as-of) are read, and
  veto.not_updated does not fire;
* a homepage whose decoration nests 3,000 levels (past even libxml2's huge_tree limit, where it
  stops reading the page) before the same list is read too;
* an article 2,000 elements down (div/span alternating) keeps its date, its link and its typo
  中华人民共合国 (a candidate of scoring/rules/serious-typos.toml);
* a 100,000-level page and a 50 MB page are read without a crash or a RecursionError, every
  reader in turn (no timing asserted).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from xunjian.inspectors.dates import htmldate_date, page_date
from xunjian.inspectors.freshness import freshness_findings
from xunjian.inspectors.guide import guide_elements
from xunjian.base.html import parse_html
from xunjian.inspectors.lists import list_items
from xunjian.inspectors.serious import page_unit, serious_findings
from xunjian.spiders.links import extract_links, page_title, visible_text_length
from xunjian.spiders.site import page_items
from xunjian.urlcheck import decode_body
from xunjian.urlcheck.content import page_text

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "tests" / "hostile" / "deep"  # outside tests/sites: it plants a typo
BASE = "http://www.shenxi.gov.cn/"
AS_OF = "2026-11-20"
SITE_DOC = {"code": "3310250001", "region": "测试省深溪县", "url": BASE,
            "name": "深溪县人民政府", "type": "门户网站"}
NEWEST = ["2026-11-19", "2026-11-18", "2026-11-17", "2026-11-16", "2026-11-15", "2026-11-14",
          "2026-11-13", "2026-11-12", "2026-11-11", "2026-11-10", "2026-11-09", "2026-11-08"]


def read(name: str) -> str:
    return decode_body((SITE / name).read_bytes(), "text/html")


def homepage_findings(html: str) -> list[dict]:
    """The freshness findings of a site whose homepage is ``html`` (the spider's reading)."""
    items = page_items(html, BASE, [])
    home = {"url": BASE, "is_home": True, "depth": 0, "status": 200, "error": None,
            "text_length": visible_text_length(html), "screenshot": "b" * 64, "items": items,
            "links": extract_links(html, BASE, BASE)}
    findings, _facts = freshness_findings(SITE_DOC, [home], [], [], AS_OF)
    return findings


def extract(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "xunjian.cli", "extract", str(path),
                           "--as-of", AS_OF, "--json"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("page", ["index.html", "index-deeper.html"])
def test_xunjian_extract_reads_the_news_list_under_deep_nesting(page):
    doc = extract(SITE / page)
    assert [x["date"] for x in doc["items"]] == NEWEST
    assert doc["items"][0]["title"] == "关于做好2026年冬季森林防火工作的通知"
    assert doc["items"][0]["url"].endswith("/art/2026/11/19/art_1229_4601.html")


@pytest.mark.parametrize("page", ["index.html", "index-deeper.html"])
def test_a_deep_homepage_is_updated_and_its_links_are_seen(page):
    html = read(page)
    findings = homepage_findings(html)
    assert [f for f in findings if f["indicator"] == "veto.not_updated"] == []
    assert [f for f in findings if f["indicator"] == "updates.homepage"] == []  # 12 ≥ 10
    urls = {x["url"] for x in extract_links(html, BASE, BASE)}
    assert BASE + "art/2026/11/8/art_1229_4541.html" in urls  # the list's last row
    assert BASE + "col/col1240/index.html" in urls  # the footer, after the deep part
    assert page_title(html) == "深溪县人民政府"


def test_a_typo_2000_elements_down_is_a_serious_error_candidate():
    html = read("art_1229_4599.html")
    url = BASE + "art/2026/11/18/art_1229_4599.html"
    unit = page_unit({"url": url, "referrer": BASE, "rendered": False}, html)
    unit["date_of"] = lambda: (page_date(html, url) or {}).get("date")
    found = serious_findings(SITE_DOC, [unit])
    assert [(f["indicator"], f["evidence"]["match"]) for f in found] == [
        ("veto.serious_error", "中华人民共合国")]
    assert page_date(html, url)["date"] == "2026-11-18"
    links = {x["url"] for x in extract_links(html, url, BASE)}
    assert BASE + "module/download/downfile.jsp?fileid=88231" in links
    assert BASE + "col/col1240/index.html" in links
    title, texts = page_text(html)  # the link checker's reading of the same page
    assert "全县召开宣讲报告会" in title
    assert any("中华人民共合国" in t for t in texts)


def hostile_page(levels: int) -> str:
    """A homepage with a block ``levels`` elements deep (the typo at its bottom) before its
    news list and footer: every reader runs on it."""
    rows = "".join(f'<li><a href="/art/2026/11/{d}/art_{d}.html">县政府工作动态第{d}期</a>'
                   f'<span>2026-11-{d:02d}</span></li>' for d in range(8, 20))
    deep = ("<div><span><b>" * (levels // 3) + "中华人民共合国" + "</b></span></div>" * (levels // 3))
    return ("<html><head><title>深溪县人民政府</title></head><body>"
            f'<div class="banner">{deep}</div><ul class="list">{rows}</ul>'
            '<div id="footer"><a href="/col/col1240/index.html">网站地图</a></div></body></html>')


def test_100000_levels_are_read_without_crash_or_recursion_error():
    html = hostile_page(100_000)
    assert parse_html(html) is not None
    assert "中华人民共合国" in parse_html(html).text_content()
    found = homepage_findings(html)
    assert [f for f in found if f["indicator"] == "veto.not_updated"] == []
    assert len(list_items(html, BASE)) >= 12
    urls = {x["url"] for x in extract_links(html, BASE, BASE)}
    assert BASE + "col/col1240/index.html" in urls
    unit = page_unit({"url": BASE, "referrer": None, "rendered": False}, html)
    unit["date_of"] = lambda: None
    assert any(f["evidence"]["match"] == "中华人民共合国"
               for f in serious_findings(SITE_DOC, [unit]))
    page_date(html, BASE)
    htmldate_date(html, BASE)
    guide_elements(html)
    assert any("中华人民共合国" in t for t in page_text(html)[1])


def test_the_100000_level_page_through_xunjian_extract(tmp_path):
    page = tmp_path / "deep.html"
    page.write_text(hostile_page(100_000), encoding="utf-8")
    assert len(extract(page)["items"]) >= 12


def test_a_50_mb_page_is_read_up_to_the_cap():
    row = "<p>本站信息第{}条，欢迎访问深溪县人民政府门户网站。</p>"
    html = ("<html><body><a href='/first.html'>第一条链接</a>"
            + "".join(row.format(i) for i in range(900_000)) + "</body></html>")
    assert len(html.encode("gbk")) > 50_000_000
    doc = parse_html(html)
    assert doc is not None
    assert doc.xpath("//a/@href") == ["/first.html"]


def test_a_list_row_nesting_3000_levels_is_read_without_recursion_error():
    """A row's own text walks (inspectors/lists.py) recurse over the row: the parser hands out
    no tree deeper than about 512 levels, so they stay within Python's recursion limit."""
    rows = "".join(f'<li><a href="/art/{d}.html">县政府工作动态第{d}期</a>'
                   f'<span>2026-11-{d:02d}</span></li>' for d in range(8, 20))
    deep = "<font>" * 3000 + "说明" + "</font>" * 3000
    html = (f'<html><body><ul><li><a href="/art/1.html">第一条</a><em>{deep}</em>'
            f'<span>2026-11-07</span></li>{rows}</ul></body></html>')
    urls = {x["url"] for x in page_items(html, BASE, [])}
    assert {BASE + f"art/{d}.html" for d in range(8, 20)} <= urls


def test_markup_inside_scripts_and_comments_does_not_count_as_nesting():
    script = "<script>var s = '" + "<div>" * 3000 + "';</script>"
    comment = "<!--" + "<div>" * 3000 + "-->"
    html = (f"<html><body>{script}{comment}" + "<div>" * 600 + "<p>正文</p>" + "</div>" * 600
            + "<p>页脚</p></body></html>")
    doc = parse_html(html)
    assert doc.xpath("//script")[0].text.count("<div>") == 3000
    assert [p.text for p in doc.xpath("//p")] == ["正文", "页脚"]
    assert doc.xpath("//p")[1].getparent().tag == "body"  # the nesting closed where it did
