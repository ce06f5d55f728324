"""Issue 19 §3 follow-up: a registered column whose page is itself an article is not blank.

机构职能, 领导信息 (one leader's profile), 规划计划 (one plan), 县情概况: on real county and
department sites the column page is an article with a title and paragraphs, perhaps a 发布日期
byline, and no list. It is a one-item column: its own page date is its newest date (fresh/stale by
its type's window); without a date it is ``undated`` (a finding awaiting review). Blank stays for
a page that shows nothing: 栏目建设中，敬请期待, an empty ``<div class="list"></div>``.

Fixture: tests/sites/dept_content, a county department site (某某县发展和改革委员会) in a 博思-like
template: a top bar whose clock script writes today's date (今天是…星期三), a footer whose
copyright block says 本站更新时间：2026年11月19日 (a page-date reader given the whole page takes it for
the page's date), a column menu and breadcrumb on every page. As-of 2026-11-20:

* 工作动态 — a dated list (fresh), also the homepage's 12 items.
* 机构职能 (机构设置及职能) — a ``<div class="TRS_Editor">`` article of 6 paragraphs, 发布日期：
  2026-03-02 → fresh (365 d).
* 领导信息 (机构设置及职能) — one leader's profile table, no date (1975年8月生 is no date) → undated.
* 内设机构 (机构设置及职能) — two lines of text in a ``Custom_UnionStyle`` block, no date → undated.
* 规划计划 — one plan article, 发布时间：2025年06月10日 09:30, with its PDF 附件 link → stale (5).
* 县情概况 (其他) — an article of 4 paragraphs without date → undated.
* 政策解读 (其他) — 栏目建设中，敬请期待！ → blank.
* 通知公告 — an empty ``<div class="list"></div>``, a pager of javascript links → blank (4).

Before, 领导信息, 内设机构, 县情概况 and both empty pages were blank: five blank columns fired
veto.columns_stale (c). And the dated-list reader took 机构职能's and 规划计划's breadcrumb link
(信息公开) for a list item dated by the byline, or by that link's own page — whose only date is the
footer's 本站更新时间: the year-old plan was fresh.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import census_forms, xunjian

from xunjian.demo.server import DemoServer
from xunjian.inspectors.content import column_content, content_facts
from xunjian.inspectors.dates import page_date
from xunjian.inspectors.freshness import column_statuses, freshness_findings
from xunjian.scoring import score_card, validate_card
from xunjian.storage import open_store

SITE_ROOT = Path(__file__).parent / "sites" / "dept_content"
CODE = "4127250018"
AS_OF = "2026-11-20"
COLUMNS = [  # (内容类别, 栏目类型, 名称, path, status at 2026-11-20)
    ("信息公开类", "工作动态", "工作动态", "/xwdt/index.html", "fresh"),
    ("信息公开类", "机构设置及职能", "机构职能", "/zwgk/jgzn/index.html", "fresh"),
    ("信息公开类", "机构设置及职能", "领导信息", "/zwgk/ldxx/index.html", "undated"),
    ("信息公开类", "机构设置及职能", "内设机构", "/zwgk/nsjg/index.html", "undated"),
    ("信息公开类", "规划计划", "规划计划", "/zwgk/ghjh/index.html", "stale"),
    ("信息公开类", "其他", "县情概况", "/zjmx/xqgk/index.html", "undated"),
    ("信息公开类", "其他", "政策解读", "/zwgk/zcjd/index.html", "blank"),
    ("信息公开类", "通知公告", "通知公告", "/zwgk/tzgg/index.html", "blank"),
]


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("content")
    store_dir = tmp / "store"
    with DemoServer(root=SITE_ROOT) as server:
        base = server.url.rstrip("/")
        forms = census_forms(tmp / "reg", (CODE, "某某省某某县", "某某县发展和改革委员会",
                                           "其他", server.url, "某某县发展和改革委员会"),
                             [(cat, kind, name, base + path) for cat, kind, name, path, _ in
                              COLUMNS])
        imported = xunjian("registry", "import", *map(str, forms), store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        run = xunjian("inspect", CODE, "--as-of", AS_OF, "--json", str(tmp / "card.json"),
                      store=store_dir, env={"XUNJIAN_LINK_TIMEOUT": "1.5",
                                            "XUNJIAN_FRESHNESS": "1", "XUNJIAN_MAX_PAGES": "60"})
        assert run.returncode == 0, run.stdout + run.stderr
        card = json.loads((tmp / "card.json").read_text("utf-8"))
        yield {"card": card, "store_dir": store_dir, "base": base}


def columns(card: dict) -> dict[str, dict]:
    return {c["name"]: c for c in card["facts"]["freshness"]["columns"]}


def column_findings(card: dict) -> dict[str, dict]:
    return {f["evidence"]["column_name"]: f for f in card["findings"]
            if f["indicator"] == "updates.basic_info"}


@pytest.mark.browser
def test_article_column_pages_are_one_item_columns_dated_by_their_page(inspected):
    found = columns(inspected["card"])
    assert {n: c["status"] for n, c in found.items()} == {n: st for *_, n, _, st in COLUMNS}
    assert {n for n, c in found.items() if c.get("content_page")} == {
        "机构职能", "领导信息", "内设机构", "规划计划", "县情概况"}
    jg = found["机构职能"]
    assert (jg["items"], jg["undated"]) == (1, 0)
    assert (jg["newest"]["date"], jg["newest"]["date_text"], jg["newest"]["date_from"]) == \
        ("2026-03-02", "2026-03-02", "page")
    assert found["规划计划"]["newest"]["date"] == "2025-06-10"
    # neither the footer's 本站更新时间 (2026-11-19) nor the top bar's clock is a page's date
    assert found["领导信息"]["newest"] is None and found["县情概况"]["newest"] is None
    assert found["政策解读"]["items"] == 0 and found["通知公告"]["items"] == 0
    with open_store(str(inspected["store_dir"])) as store:
        pages = {p["column"]["name"]: p for p in store.find(
            "column_pages", inspection=inspected["card"]["inspection"])}
        opened = [d["url"] for d in store.find("item_dates",
                                                inspection=inspected["card"]["inspection"])]
    assert pages["机构职能"]["content_page"] is True and pages["机构职能"]["items"] == []
    assert pages["机构职能"]["page_date"]["date"] == "2026-03-02"
    assert pages["县情概况"]["content_page"] is True and pages["县情概况"]["page_date"] is None
    assert pages["规划计划"]["undated_list"] is False  # its 附件 link is not a list
    assert pages["政策解读"]["content_page"] is False
    assert pages["政策解读"]["placeholder"] == "栏目建设中，敬请期待！"
    assert pages["通知公告"]["content_page"] is False
    assert opened == []  # no breadcrumb link was taken for an item and opened


@pytest.mark.browser
def test_findings_points_and_veto_c_does_not_fire(inspected):
    card = inspected["card"]
    validate_card(card)
    found = column_findings(card)
    assert {n: (f["kind"], f["rule"], f["needs_review"], f["points"])
            for n, f in found.items()} == {
        "领导信息": ("undated_column", "机构设置及职能", True, 0.0),
        "内设机构": ("undated_column", "机构设置及职能", True, 0.0),
        "规划计划": ("stale_column", "规划计划", False, 5.0),
        "县情概况": ("undated_column", "其他", True, 0.0),
        "政策解读": ("blank_column", "其他", False, 0.0),
        "通知公告": ("blank_column", "通知公告", False, 4.0),
    }
    for name in ("领导信息", "内设机构", "县情概况"):
        assert found[name]["id"] in card["awaiting_review"]
        assert found[name]["evidence"]["content_page"] is True
        assert "内容页面" in found[name]["detail"] and "未注明发布时间" in found[name]["detail"]
    assert "栏目建设中，敬请期待！" in found["政策解读"]["detail"]
    basic = next(d for d in card["deductions"] if d["id"] == "updates.basic_info")
    assert basic["checked"] and basic["points"] == 9.0
    assert [f for f in card["findings"] if f["indicator"] == "veto.columns_stale"] == []
    assert "veto.columns_stale" not in [v["id"] for v in card["vetoes"]]


# -- the reader, on the fixture's pages (pure) -------------------------------------------------

def facts(path: str) -> dict:
    return content_facts((SITE_ROOT / path).read_text("utf-8"), "http://127.0.0.1:8000/" + path)


def test_the_reader_tells_articles_from_empty_pages():
    got = {p: (f["content_page"], (f["page_date"] or {}).get("date"))
           for p in ("zwgk/jgzn/index.html", "zwgk/ldxx/index.html", "zwgk/ghjh/index.html",
                     "zjmx/xqgk/index.html", "zwgk/zcjd/index.html", "zwgk/tzgg/index.html",
                     "xwdt/index.html") for f in [facts(p)]}
    assert got == {"zwgk/jgzn/index.html": (True, "2026-03-02"),
                   "zwgk/ldxx/index.html": (True, None),  # a short profile in ld-detail
                   "zwgk/ghjh/index.html": (True, "2025-06-10"),
                   "zjmx/xqgk/index.html": (True, None),
                   "zwgk/zcjd/index.html": (False, None),
                   "zwgk/tzgg/index.html": (False, None),
                   "xwdt/index.html": (False, None)}  # a list's titles are links, not body text
    # the whole page read as an article page would take the footer's 本站更新时间
    whole = page_date((SITE_ROOT / "zjmx/xqgk/index.html").read_text("utf-8"))
    assert whole and whole["date"] == "2026-11-19"


def test_placeholders_and_furniture_are_no_content():
    furniture = ('<div class="top">今天是2026年12月2日 星期三 <a href="/">首页</a></div>'
                 '<ul class="lm"><li><a href="/a/">机构概况</a></li><li><a href="/b/">领导之窗</a></li>'
                 '</ul><div class="wz">当前位置：<a href="/">首页</a> &gt; 县情概况</div>')
    footer = ('<div class="btm"><p>版权所有：某某县人民政府办公室 主办：某某县人民政府办公室 '
              '地址：某某县人民路1号 电话：0371-1234567</p><p>网站标识码：4127000321 豫ICP备12345678号 '
              '技术支持：某某信息技术有限公司</p><p>建议使用1366×768分辨率、IE10以上版本浏览器浏览本站'
              '，网站最近更新时间：2026年11月19日</p></div>')
    for said in ("暂无信息", "暂无数据", "栏目建设中，敬请期待", "本栏目正在建设中……",
                 "该栏目暂无相关信息！", "内容正在完善中，敬请期待！"):
        page = (f'<html><body>{furniture}<div class="content"><p>{said}</p></div>{footer}'
                '</body></html>')
        got = content_facts(page, "http://www.x.gov.cn/xqgk/")
        assert not got["content_page"] and got["page_date"] is None, said
        assert got["placeholder"], said
    article = ("<p>某某县位于某某省东南部，总面积九百八十平方公里，辖十个乡镇，户籍人口四十五万人，"
               "境内河流纵横，土地肥沃，物产丰富，是传统的农业大县。</p>") * 3
    page = f'<html><body>{furniture}<div class="main-r">{article}</div>{footer}</body></html>'
    got = content_facts(page, "http://www.x.gov.cn/xqgk/")
    assert got["content_page"] and got["content_chars"] >= 150 and got["page_date"] is None
    # a short text counts only inside a CMS's article body (a leader's profile)
    short = ("<p>李某某，女，汉族，1972年3月生，研究生学历，现任县人民政府副县长，负责教育、卫生健康、"
             "医疗保障、退役军人事务方面的工作，分管县教育局、县卫生健康委员会。</p>")
    assert content_facts(f'<html><body><div class="box">{short}</div></body></html>'
                         )["content_page"] is False
    assert content_facts(f'<html><body><div class="TRS_Editor">{short}</div></body></html>'
                         )["content_page"] is True
    # an article's own bottom line is its byline; the site's bottom block is furniture
    dated = (f'<html><body><div class="article"><h1>县情概况</h1>{article}'
             '<div class="art-bottom">发布时间：2026-03-05</div></div>'
             '<div class="bottom"><p>本站更新时间：2026-11-19</p></div></body></html>')
    assert content_facts(dated)["page_date"]["date"] == "2026-03-05"
    undated = dated.replace('<div class="art-bottom">发布时间：2026-03-05</div>', "")
    assert content_facts(undated)["page_date"] is None
    # an article shown in a frame is the column page's content
    shell = f'<html><body>{furniture}<iframe src="/f.html"></iframe></body></html>'
    framed = column_content(shell, "http://www.x.gov.cn/xqgk/",
                            [("http://www.x.gov.cn/f.html", f"<html><body>{article}</body></html>")])
    assert framed["content_page"]


# -- freshness and the card, pure ---------------------------------------------------------------

SITE = {"code": "4127250019", "name": "某某县发展和改革委员会", "url": "http://www.xx.gov.cn/"}
HOME = {"url": SITE["url"], "is_home": True, "depth": 0, "status": 200, "error": None,
        "screenshot": "e" * 64, "links": [],
        "items": [{"title": f"首页信息{i}", "url": f"http://www.xx.gov.cn/h/{i}.html",
                   "date": {"text": "2026-11-19", "date": "2026-11-19"}} for i in range(12)]}
CHECKED = dict.fromkeys(("updates.basic_info", "veto.columns_stale", "updates.homepage",
                         "veto.not_updated"), True)


def article_column(kind: str, name: str, page_date_found: dict | None,
                   content: bool = True) -> dict:
    url = f"http://www.xx.gov.cn/{name}/index.html"
    return {"column": {"type": kind, "name": name, "url": url, "category": "信息公开类",
                       "source": "registry"}, "url": url, "final_url": url, "status": 200,
            "error": None, "screenshot": "0" * 64, "title": name, "items": [],
            "undated_list": False, "content_page": content, "page_date": page_date_found}


def test_five_undated_articles_await_review_and_never_fire_veto_c():
    pages = [article_column("机构设置及职能", f"机构{i}", None) for i in range(5)]
    statuses = column_statuses(pages, [], AS_OF)
    assert [(s["status"], s["items"], s["content_page"]) for s in statuses] == \
        [("undated", 1, True)] * 5
    findings, _ = freshness_findings(SITE, [HOME], pages, [], AS_OF)
    assert [(f["kind"], f["needs_review"]) for f in findings] == [("undated_column", True)] * 5
    card = score_card(SITE, findings, [], CHECKED, AS_OF)
    assert card["vetoes"] == [] and card["score"] == 100.0
    # the same pages stored before this fact existed (no content_page) are blank: veto (c)
    old = [{k: v for k, v in p.items() if k != "content_page"} for p in pages]
    findings, _ = freshness_findings(SITE, [HOME], old, [], AS_OF)
    assert [f["kind"] for f in findings if f["indicator"] == "veto.columns_stale"] == \
        ["columns_stale_c"]


def test_an_article_columns_page_date_resolves_at_scoring():
    plan = article_column("规划计划", "规划计划", {"text": "2025年12月01日", "date": "2025-12-01"})
    assert column_statuses([plan], [], "2026-11-20")[0]["status"] == "fresh"
    assert column_statuses([plan], [], "2026-12-02")[0]["status"] == "stale"  # 366 days
    # re-scored before the page was published: not updated, as a list dated after as-of
    early = column_statuses([plan], [], "2025-11-30")[0]
    assert (early["status"], early["newest"]) == ("stale", None)
