"""The 功能设计 deriver (inspection/c2019_design.py) on stored inspections: page documents as the
spider stores them (``design`` read from fixture pages by inspectors/design.py, links by the
spider's own reader) → exact findings, rule keys and points under the 2019 table.

Points are priced here from the table's numbers (docs: checklist-2019.md, i21 split): 0.5 per
missing footer item (cap 3), 0.1 per page lacking tags (cap 1), 1 for no 找错 entry on the
homepage or 0.2 per page without it (at most 1), 1 per domain fault (cap 3), 0.5 per missing
解读 link direction (cap 3); a finding awaiting review costs nothing until confirmed."""

from __future__ import annotations

from pathlib import Path

import pytest

from xunjian.inspection import c2019_design
from xunjian.inspection.checks2019 import DERIVERS, Context, derive_all
from xunjian.inspectors.design import page_design
from xunjian.scoring.rules import load_rules
from xunjian.spiders.links import extract_links
from xunjian.storage import open_store
from xunjian.urlcheck import decode_body

DATA = Path(__file__).parent / "data" / "design"
BASE = "http://www.qinghe.gov.cn"
SITE = {"code": "1305340001", "name": "清河县人民政府门户网站", "region": "河北省清河县",
        "url": f"{BASE}/", "type": "门户网站"}
POINTS = {("design.marks", "missing_mark"): 0.5, ("design.page_tags", "content_page"): 0.1,
          ("design.page_tags", "column_page"): 0.1, ("design.report_errors", "no_entry"): 1,
          ("design.report_errors", "missing_on_page"): 0.2,
          ("design.domain", "non_compliant"): 1, ("design.domain", "not_named"): 1,
          ("design.domain", "name_not_prominent"): 1,
          ("publish.interpretation_links", "missing_link"): 0.5}
CAPS = {"design.marks": 3, "design.page_tags": 1, "design.report_errors": 4, "design.domain": 3,
        "publish.interpretation_links": 3}


def points(findings: list[dict], indicator: str) -> float:
    """What the table charges for ``indicator`` (findings awaiting review: nothing yet)."""
    total = sum(POINTS[(f["indicator"], f["rule"])] * f.get("units", 1) for f in findings
                if f["indicator"] == indicator and not f["needs_review"])
    return round(min(total, CAPS[indicator]), 2)


def html_of(name: str) -> str:
    raw = (DATA / name).read_bytes()
    if "gbk" in name:
        raw = raw.decode("utf-8").encode("gbk")
    return decode_body(raw, "text/html")


def page(path: str, html: str | None, *, home: bool = False, status: int = 200,
         rendered: bool = False, depth: int = 2, shot: str | None = None, **extra) -> dict:
    url = BASE + path
    doc = {"url": url, "final_url": url, "status": status, "error": None, "is_home": home,
           "rendered": rendered, "depth": 0 if home else depth, "title": "",
           "links": extract_links(html, url, BASE + "/") if html else [],
           "screenshot": shot, **extra}
    if html is not None and status < 400:
        doc["design"] = page_design(html, url)
    return doc


def column(path: str, name: str, ctype: str, items: list[str], html: str) -> dict:
    url = BASE + path
    return {"column": {"type": ctype, "name": name, "url": url, "source": "registry"},
            "url": url, "final_url": url, "list_page": 1, "status": 200, "error": None,
            "items": [{"title": p, "url": BASE + p, "date": None} for p in items],
            "screenshot": f"shot{path}", "design": page_design(html, url)}


def derive(tmp_path: Path, pages: list[dict], columns: list[dict] = (), site: dict = SITE):
    store = open_store(tmp_path / "store")
    for doc in pages:
        store.add_page({**doc, "inspection": "i1", "site": site["code"]})
    for doc in columns:
        store.insert("column_pages", {**doc, "inspection": "i1", "site": site["code"]})
    ctx = Context(store=store, inspection={"id": "i1"}, site=site, as_of=None, rules=load_rules("checklist-2019"))
    return c2019_design.derive(ctx), ctx


ART1 = "/art/2026/11/18/art_101_2001.html"
ART2 = "/art/2026/11/17/art_101_2002.html"


@pytest.fixture
def county(tmp_path):
    pages = [page("/", html_of("county_home_gbk.html"), home=True, rendered=True,
                  shot="shot-home"),
             page(ART1, html_of("dept_div_footer.html")),  # no 标识码, 公网安备, 联系方式, 找错
             page(ART2, html_of("proxy_conac.html")),  # every mark and the entry; no tags
             page("/inc/a.html", html_of("scripted_footer.html")),  # plain: footer unseen
             page("/missing.html", None, status=404),
             page("/frame/notice.html", html_of("scripted_footer.html"),
                  frame_of=BASE + "/")]
    columns = [column("/col/col101/index.html", "工作动态", "工作动态", [ART1, ART2],
                      html_of("column_list.html"))]
    return derive(tmp_path, pages, columns)


def test_marks_missing_from_some_footers_are_one_finding_each(county):
    derived, _ = county
    marks = [f for f in derived.findings if f["indicator"] == "design.marks"]
    assert [(f["evidence"]["item"], f["url"], f["rule"], f["evidence"]["on_home"],
             f["evidence"]["pages_lacking"], f["evidence"]["examples"]) for f in marks] == [
        ("网站标识码", BASE + ART1, "missing_mark", False, 1, [BASE + ART1]),
        ("公安机关备案标识", BASE + ART1, "missing_mark", False, 1, [BASE + ART1]),
        ("联系方式", BASE + ART1, "missing_mark", False, 1, [BASE + ART1]),
    ]
    assert marks[0]["detail"] == f"页面 {BASE + ART1}底部缺少网站标识码（共1个页面缺少）"
    assert all(f["evidence"]["pages_judged"] == 3 for f in marks)  # home, ART1, ART2
    assert points(derived.findings, "design.marks") == 1.5
    facts = derived.facts["design.marks"]
    assert facts["site_code_verified"] is True and facts["scripted_footers"] == 1
    assert facts["missing"] == {"网站标识码": 1, "公安机关备案标识": 1, "联系方式": 1}
    assert derived.checked["design.marks"] is True


def test_report_errors_entry_on_home_and_pages_without_it(county):
    derived, _ = county
    found = [f for f in derived.findings if f["indicator"] == "design.report_errors"]
    assert [(f["rule"], f["url"], f.get("units", 1), f["evidence"]["examples"])
            for f in found] == [("missing_on_page", BASE + ART1, 1, [BASE + ART1])]
    assert points(derived.findings, "design.report_errors") == 0.2
    assert "人工" in derived.facts["design.report_errors"]["unanswered"]  # reviewer-only part


def test_page_tags_on_sampled_content_and_column_pages(county):
    derived, _ = county
    found = sorted((f["url"], f["rule"], tuple(f["evidence"]["missing"]))
                   for f in derived.findings if f["indicator"] == "design.page_tags")
    assert found == [
        (BASE + ART2, "content_page", ("SiteName", "SiteDomain", "SiteIDCode", "ArticleTitle",
                                       "PubDate", "ContentSource")),
        (BASE + ART1, "content_page", ("ContentSource",)),
        (BASE + "/col/col101/index.html", "column_page", ("ColumnType",)),
    ]
    assert points(derived.findings, "design.page_tags") == 0.3


def test_compliant_named_domain_with_the_name_in_the_logo(county):
    derived, _ = county
    assert [f for f in derived.findings if f["indicator"] == "design.domain"] == []
    assert derived.facts["design.domain"] == {"host": "www.qinghe.gov.cn", "gov_cn": True,
                                              "named": True, "header_name": "清河县人民政府"}
    assert derived.checked["design.domain"] is True
    assert derived.checked["publish.interpretation_links"] is False  # no 解读 column here
    assert "政策解读栏目" in derived.reasons["publish.interpretation_links"]


def test_department_off_gov_cn_without_its_name_and_no_entry(tmp_path):
    site = {"code": "bm09000001", "name": "测试市教育局", "region": "浙江省测试市",
            "url": "http://www.abc123.com/"}
    home = page("/", html_of("dept_div_footer.html"), home=True, rendered=True, shot="s1")
    home.update(url="http://www.abc123.com/", final_url="http://www.abc123.com/")
    derived, _ = derive(tmp_path, [home], site=site)
    got = [(f["indicator"], f["rule"], f["needs_review"]) for f in derived.findings
           if f["indicator"] in ("design.domain", "design.report_errors")]
    assert got == [("design.domain", "non_compliant", False),
                   ("design.domain", "not_named", True),  # a spelling heuristic: reviewed
                   ("design.domain", "name_not_prominent", True),  # the logo has no alt
                   ("design.report_errors", "no_entry", False)]
    assert points(derived.findings, "design.domain") == 1
    assert points(derived.findings, "design.report_errors") == 1
    marks = [f for f in derived.findings if f["indicator"] == "design.marks"]
    assert [(f["evidence"]["item"], f["evidence"]["on_home"], f["evidence"]["screenshot"])
            for f in marks] == [("网站标识码", True, "s1"), ("公安机关备案标识", True, "s1"),
                                ("联系方式", True, "s1")]
    assert marks[0]["detail"] == "首页底部缺少网站标识码"
    assert points(derived.findings, "design.marks") == 1.5


def test_a_footer_code_of_another_site_awaits_review(tmp_path):
    site = {**SITE, "code": "1305340009"}
    derived, _ = derive(tmp_path, [page("/", html_of("county_home_gbk.html"), home=True)],
                        site=site)
    other = [f for f in derived.findings if f["kind"] == "other_site_code"]
    assert [(f["evidence"]["stated"], f["evidence"]["registered"], f["needs_review"])
            for f in other] == [("1305340001", "1305340009", True)]
    assert points(derived.findings, "design.marks") == 0
    assert derived.facts["design.marks"]["site_code_verified"] is False


def test_ip_literal_host_leaves_the_domain_unchecked(tmp_path):
    site = {**SITE, "url": "http://127.0.0.1:8080/"}
    home = page("/", html_of("county_home_gbk.html"), home=True)
    home.update(url="http://127.0.0.1:8080/", final_url="http://127.0.0.1:8080/")
    derived, _ = derive(tmp_path, [home], site=site)
    assert derived.checked["design.domain"] is False
    assert derived.reasons["design.domain"] == "IP地址访问，无法检查域名"
    assert [f for f in derived.findings if f["indicator"] == "design.domain"] == []


def test_inspection_crawled_before_the_facts_is_unchecked_with_a_reason(tmp_path):
    old = page("/", html_of("county_home_gbk.html"), home=True)
    del old["design"]
    derived, _ = derive(tmp_path, [old])
    assert derived.findings == []
    assert derived.checked == {i: False for i in c2019_design.INDICATORS}
    assert set(derived.reasons) == set(c2019_design.INDICATORS)
    assert all("重新检查" in r for r in derived.reasons.values())


def interpretation(title: str, links: str) -> str:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="main"><h1>{title}</h1><p>近日，县政府印发了有关文件，现解读如下。</p>'
            f'{links}</div><div class="footer">主办：清河县人民政府办公室</div></body></html>')


JD = ["/zcjd/2026/jd1.html", "/zcjd/2026/jd2.html", "/zcjd/2026/jd3.html",
      "/zcjd/2026/jd4.html"]
DOC1 = "/zcwj/2026/wj1.html"
DOC3 = "/zcwj/2026/wj3.html"


def test_interpretation_links_both_ways_on_three_sampled_pages(tmp_path):
    pages = [
        page("/", html_of("county_home_gbk.html"), home=True),
        page(JD[0], interpretation("《清河县优化营商环境若干措施》政策解读",  # linked back
                                   f'<p>政策原文：<a href="{DOC1}">清河县人民政府关于印发'
                                   f'优化营商环境若干措施的通知</a></p>')),
        page(JD[1], interpretation("图解：2026年清河县政府工作报告", "<p>（图片）</p>")),  # no link
        page(JD[2], interpretation("一图读懂冬季供暖保障方案",
                                   f'<a href="{DOC3}">《清河县冬季供暖保障方案》</a>')),
        page(JD[3], interpretation("第四篇解读", "")),  # beyond the sample of 3
        page(DOC1, interpretation("清河县人民政府关于印发优化营商环境若干措施的通知",
                                  f'<a href="{JD[0]}">相关解读</a>')),
        page(DOC3, interpretation("清河县冬季供暖保障方案", "<p>正文</p>")),  # no way back
    ]
    listing = interpretation("政策解读", "")
    columns = [column("/zcjd/index.html", "政策解读", "其他", JD, listing),
               column("/zcwj/index.html", "政策文件", "政策文件", [DOC1, DOC3], listing)]
    derived, _ = derive(tmp_path, pages, columns)
    found = [(f["url"], f["evidence"]["direction"]) for f in derived.findings
             if f["indicator"] == "publish.interpretation_links"]
    assert found == [(BASE + JD[1], "解读→文件"), (BASE + DOC3, "文件→解读")]
    assert points(derived.findings, "publish.interpretation_links") == 1.0
    rows = derived.facts["publish.interpretation_links"]["sampled"]
    assert [(r["url"], r["to_document"], r["to_interpretation"]) for r in rows] == [
        (BASE + JD[0], True, True), (BASE + JD[1], False, None), (BASE + JD[2], True, False)]
    assert derived.checked["publish.interpretation_links"] is True


def test_the_deriver_is_registered_and_runs_with_the_others(county):
    _, ctx = county
    assert "xunjian.inspection.c2019_design" in DERIVERS
    everything = derive_all(ctx)
    assert {f["indicator"] for f in everything.findings} >= {"design.marks", "design.page_tags",
                                                              "design.report_errors"}


def test_the_prices_here_are_the_tables():
    """The points this file charges are checklist-2019.toml's own (rule keys and caps)."""
    rules = load_rules("checklist-2019")
    for (indicator, rule), price in POINTS.items():
        assert rules.indicator(indicator).rule_points(rule) == price, (indicator, rule)
    for indicator, cap in CAPS.items():
        assert rules.indicator(indicator).cap == cap, indicator
