"""Issue 19 §3: undated lists are lists. A column page that lists article links without dates is
read as a list, its items' own pages are opened for their dates (``XUNJIAN_ITEM_PAGES``, 5), and
the column is judged from them; a list with no date anywhere is ``undated`` — a finding that
awaits a reviewer, 0 points until one decides — never a blank column.

Fixture: tests/sites/county_undated, a county site in old TRS WCM / 政务公开 templates, served on
127.0.0.1 and inspected with ``xunjian inspect`` (Chromium). As-of 2026-11-20:

* 机构职能 — a table grid of 8 department names; each department page has 发布时间 in its byline.
  Only the first 5 are opened: newest 2026-02-10 → fresh (the 3 unopened ones are newer).
* 领导信息 — leader cards (photo + name → profile); the profiles state no date → undated.
* 规划计划 — one ``<table>`` per record, undated titles, a pager written by TRS
  ``createPageHTML`` (共2页 … 下一页 → index_1.html); page 1's plans are of 2022–2024, page 2 has
  one of 2026-03-16 (a 发布日期 table cell) → fresh.
* 人事信息 — GBK without charset, one ``<ul>`` per record; newest item page 2025-05-20 → stale (5).
* 信息公开年报 (其他) — one ``<dl>`` per year; newest report 2026-01-28 → fresh.
* 政府工作报告 (其他) — two ``<div>`` blocks a page, a ``1 2 下一页>`` pager (no bare 下一页): its
  numbered page 2 holds the 2026 report (日期：2026-02-06) → fresh.
* 县情概况 (其他) — navigation, column menu, breadcrumb, footer and 暂无信息: blank.

Before this, all but 县情概况's truly empty page were blank too: seven blank columns fired
veto.columns_stale (c).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_run import census_forms, xunjian

from xunjian.demo.server import DemoServer
from xunjian.inspectors.freshness import column_statuses, freshness_findings
from xunjian.inspectors.lists import undated_links
from xunjian.reports.site import site_report
from xunjian.review.app import create_app
from xunjian.review.users import add_user
from xunjian.scoring import score_card, validate_card
from xunjian.storage import open_store

SITE_ROOT = Path(__file__).parent / "sites" / "county_undated"
CODE = "4127000321"
AS_OF = "2026-11-20"
COLUMNS = [  # (内容类别, 栏目类型, 名称, path, status at 2026-11-20)
    ("信息公开类", "机构设置及职能", "机构职能", "/zwgk/jgzn/index.html", "fresh"),
    ("信息公开类", "机构设置及职能", "领导信息", "/zwgk/ldxx/index.html", "undated"),
    ("信息公开类", "规划计划", "规划计划", "/zwgk/ghjh/index.html", "fresh"),
    ("信息公开类", "人事信息", "人事信息", "/gbk/rsxx/index.html", "stale"),
    ("信息公开类", "其他", "信息公开年报", "/zwgk/ndbg/index.html", "fresh"),
    ("信息公开类", "其他", "政府工作报告", "/zwgk/gzbg/index.html", "fresh"),
    ("信息公开类", "其他", "县情概况", "/zwgk/xqgk/index.html", "blank"),
]


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("undated")
    store_dir = tmp / "store"
    with DemoServer(root=SITE_ROOT) as server:
        base = server.url.rstrip("/")
        forms = census_forms(tmp / "reg", (CODE, "某某省某某县", "某某县人民政府", "门户网站",
                                           server.url, "某某县人民政府办公室"),
                             [(cat, kind, name, base + path) for cat, kind, name, path, _ in
                              COLUMNS])
        imported = xunjian("registry", "import", *map(str, forms), store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        run = xunjian("inspect", CODE, "--as-of", AS_OF, "--json", str(tmp / "card.json"),
                      store=store_dir, env={"XUNJIAN_LINK_TIMEOUT": "1.5",
                                            "XUNJIAN_FRESHNESS": "1", "XUNJIAN_MAX_PAGES": "80"})
        assert run.returncode == 0, run.stdout + run.stderr
        card = json.loads((tmp / "card.json").read_text("utf-8"))
        yield {"card": card, "store_dir": store_dir, "base": base}


def columns(card: dict) -> dict[str, dict]:
    return {c["name"]: c for c in card["facts"]["freshness"]["columns"]}


def column_findings(card: dict) -> dict[str, dict]:
    return {f["evidence"]["column_name"]: f for f in card["findings"]
            if f["indicator"] == "updates.basic_info"}


@pytest.mark.browser
def test_undated_lists_get_their_status_from_their_items_pages(inspected):
    found = columns(inspected["card"])
    assert {n: c["status"] for n, c in found.items()} == {n: st for *_, n, _, st in COLUMNS}
    jg = found["机构职能"]
    assert (jg["items"], jg["pages_opened"], jg["undated"]) == (8, 5, 3)  # XUNJIAN_ITEM_PAGES
    assert jg["newest"]["title"] == "县财政局" and jg["newest"]["date"] == "2026-02-10"
    assert jg["newest"]["date_from"] == "page"
    ld = found["领导信息"]
    assert (ld["items"], ld["pages_opened"], ld["undated"], ld["newest"]) == (5, 5, 5, None)
    plans = found["规划计划"]
    assert plans["items"] == 7  # 4 on index.html + 3 on index_1.html
    assert plans["newest"]["date"] == "2026-03-16"  # read on page 2's item page
    assert plans["newest"]["url"].endswith("/zwgk/ghjh/202603/t20260316_7005.html")
    assert plans["newest"]["title"] == "某某县2026年重点项目建设计划"
    assert found["人事信息"]["newest"]["date"] == "2025-05-20"  # GBK item page, no charset
    assert found["信息公开年报"]["newest"]["date"] == "2026-01-28"
    report = found["政府工作报告"]
    assert (report["items"], report["newest"]["date"]) == (4, "2026-02-06")  # numbered page 2
    assert found["县情概况"]["items"] == 0  # only navigation, menu, breadcrumb, footer
    with open_store(str(inspected["store_dir"])) as store:
        opened = [d for d in store.find("item_dates", inspection=inspected["card"]["inspection"])
                  if "/zwgk/jgzn/" in d["url"]]
    assert len(opened) == 5


@pytest.mark.browser
def test_findings_points_and_no_veto(inspected):
    card = inspected["card"]
    validate_card(card)
    found = column_findings(card)
    assert {n: (f["kind"], f["rule"], f["needs_review"], f["review"], f["points"])
            for n, f in found.items()} == {
        "领导信息": ("undated_column", "机构设置及职能", True, "pending", 0.0),
        "人事信息": ("stale_column", "人事信息", False, "pending", 5.0),
        "县情概况": ("blank_column", "其他", False, "pending", 0.0),
    }
    leaders = found["领导信息"]
    assert leaders["id"] in card["awaiting_review"]
    assert leaders["evidence"]["status"] == "undated"
    assert leaders["evidence"]["status_text"] == "栏目无日期，待人工复核"
    assert (leaders["evidence"]["items"], leaders["evidence"]["pages_opened"]) == (5, 5)
    assert "均未注明发布时间" in leaders["detail"] and "人工复核" in leaders["detail"]
    basic = next(d for d in card["deductions"] if d["id"] == "updates.basic_info")
    assert basic["checked"] and basic["points"] == 5.0
    assert [f for f in card["findings"] if f["indicator"] == "veto.columns_stale"] == []
    assert card["vetoes"] == []
    assert card["verdict"] == "合格"


@pytest.mark.browser
def test_the_report_and_the_review_app_say_it_in_plain_words(inspected):
    out = xunjian("report", "card", CODE, "--as-of", AS_OF, store=inspected["store_dir"])
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines()
                if x.startswith("finding\t") and "领导信息" in x)
    assert "栏目无日期，待人工复核" in line and "确认后计分" in line
    leaders = column_findings(inspected["card"])["领导信息"]
    with open_store(str(inspected["store_dir"])) as store:
        table = {c["name"]: c for c in site_report(store, CODE, as_of=AS_OF)["columns"]}
        assert table["领导信息"]["status"] == "栏目无日期，待人工复核" and table["领导信息"]["bad"]
        assert table["县情概况"]["status"] == "空白栏目"
        add_user(store, "alice", "reviewer", "correct-horse-9")
        app = create_app(store, secret_key="test-secret")
        app.config["TESTING"] = True
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
        assert client.post("/login", data={"name": "alice", "password": "correct-horse-9",
                                           "csrf_token": csrf}).status_code == 302
        page = client.get(f"/site/{CODE}/finding/{leaders['id']}").get_data(as_text=True)
    assert "栏目无日期，待人工复核" in page and "均未注明发布时间" in page


# -- the reader, on the fixture's pages (pure) -----------------------------------------------------

def read(path: str, *this_page: str) -> list[dict]:
    return undated_links((SITE_ROOT / path).read_text("utf-8"), "http://127.0.0.1:8000/" + path,
                         this_page)


def test_the_reader_takes_the_main_contents_links_and_nothing_else():
    assert [x["title"] for x in read("zwgk/jgzn/index.html")] == [
        "县发改局", "县教育局", "县财政局", "县民政局", "县司法局", "县自然资源局", "县卫健委", "县应急局"]
    leaders = read("zwgk/ldxx/index.html")  # photo and name link once per leader
    assert [(x["title"], x["url"].rsplit("/", 1)[1]) for x in leaders] == [
        ("王建国", "ldjj_3001.html"), ("李红梅", "ldjj_3002.html"), ("赵志刚", "ldjj_3003.html"),
        ("陈立新", "ldjj_3004.html"), ("刘晓东", "ldjj_3005.html")]
    plans = read("zwgk/ghjh/index_1.html", "http://127.0.0.1:8000/zwgk/ghjh/index.html")
    assert [x["title"] for x in plans] == ["某某县2026年重点项目建设计划",
                                           "某某县乡村振兴规划（2021—2025年）",
                                           "某某县“十四五”综合交通运输发展规划"]
    assert all(x["date"] is None for x in leaders + plans)
    assert read("zwgk/xqgk/index.html") == []  # menu, breadcrumb, top bar, footer: blank
    assert read("zwgk/jgzn/202503/t20250301_5001.html") == []  # an article page lists nothing


def test_the_reader_keeps_blank_pages_blank():
    menu = ('<div class="left"><ul><li><a href="/a/index.html">机构概况</a></li>'
            '<li><a href="/b/index.html">本栏目</a></li></ul></div>')
    page = (f'<html><body><div class="top"><a href="/">网站首页</a> <a href="/m.html">网站地图</a>'
            f'</div>{menu}<div class="r"><p>暂无信息</p></div><div class="copy">'
            '<a href="http://www.gov.cn/">中国政府网</a> <a href="/lxwm.html">联系我们</a>'
            '<a href="/logo.png">标识</a></div></body></html>')
    assert undated_links(page, "http://www.x.gov.cn/b/index.html") == []
    # the same menu read from the list's second page, named by the column's first page
    # the menu names this column as a folder (/b/), the page is /b/index.html
    assert undated_links(page.replace("/b/index.html", "/b/"),
                         "http://www.x.gov.cn/b/index.html") == []
    second = page.replace("本栏目", "第二页本栏目")
    assert undated_links(second, "http://www.x.gov.cn/b/index_1.html",
                         ("http://www.x.gov.cn/b/index.html",)) == []
    # a sub-column index beside nothing else is an item (leaders as 大汉 sub-columns)
    subs = ('<html><body><div class="r"><a href="/ld/col1/index.html">张三</a>'
            '<a href="/ld/col2/index.html">李四</a></div></body></html>')
    got = undated_links(subs, "http://www.x.gov.cn/ld/index.html")
    assert [x["title"] for x in got] == ["张三", "李四"]


# -- freshness and the card, pure -------------------------------------------------------------------

SITE = {"code": "4127000322", "name": "某某县人民政府", "url": "http://www.xx.gov.cn/"}
HOME = {"url": SITE["url"], "is_home": True, "depth": 0, "status": 200, "error": None,
        "screenshot": "e" * 64, "links": [],
        "items": [{"title": f"首页信息{i}", "url": f"http://www.xx.gov.cn/h/{i}.html",
                   "date": {"text": "2026-11-19", "date": "2026-11-19"}} for i in range(12)]}
CHECKED = dict.fromkeys(("updates.basic_info", "veto.columns_stale", "updates.homepage",
                         "veto.not_updated"), True)


def column(kind: str, name: str, n_items: int, category: str = "信息公开类") -> dict:
    url = f"http://www.xx.gov.cn/{name}/index.html"
    return {"column": {"type": kind, "name": name, "url": url, "category": category,
                       "source": "registry"}, "url": url, "final_url": url, "status": 200,
            "error": None, "screenshot": "0" * 64, "undated_list": True,
            "items": [{"title": f"{name}{i}", "url": f"http://www.xx.gov.cn/{name}/{i}.html",
                       "date": None} for i in range(n_items)]}


def opened(page: dict, date: str | None = None, how_many: int = 5) -> list[dict]:
    return [{"url": x["url"], "date": {"text": date, "date": date} if date else None}
            for x in page["items"][:how_many]]


def test_undated_columns_await_review_and_never_fire_veto_c():
    pages = [column("机构设置及职能", f"机构{i}", 6) for i in range(5)]
    dates = [d for p in pages for d in opened(p)]
    statuses = column_statuses(pages, dates, AS_OF)
    assert [(s["status"], s["items"], s["undated"], s["pages_opened"]) for s in statuses] == \
        [("undated", 6, 6, 5)] * 5
    findings, _ = freshness_findings(SITE, [HOME], pages, dates, AS_OF)
    assert [(f["indicator"], f["kind"], f["rule"], f["needs_review"]) for f in findings] == \
        [("updates.basic_info", "undated_column", "机构设置及职能", True)] * 5
    card = score_card(SITE, findings, [], CHECKED, AS_OF)
    assert card["vetoes"] == [] and card["verdict"] == "合格" and card["score"] == 100.0
    assert len(card["awaiting_review"]) == 5 and not card["final"]


def test_a_reviewer_decides_what_an_undated_column_costs():
    plans = column("规划计划", "规划计划", 3)
    other = column("办事指南类栏目", "办事指南", 3, category="办事服务类")  # judged elsewhere
    dates = opened(plans) + opened(other)
    findings, _ = freshness_findings(SITE, [HOME], [plans, other], dates, AS_OF)
    mine = [f for f in findings if f["indicator"] == "updates.basic_info"]
    assert [(f["kind"], f["rule"]) for f in mine] == [("undated_column", "规划计划")]

    def points(verdict: str | None) -> float:
        reviews = [] if verdict is None else [{"finding": mine[0]["id"], "verdict": verdict,
                                               "at": "2026-11-21T09:00:00+08:00"}]
        card = score_card(SITE, findings, reviews, CHECKED, AS_OF)
        return next(d["points"] for d in card["deductions"] if d["id"] == "updates.basic_info")

    assert (points(None), points("confirmed"), points("rejected")) == (0.0, 5.0, 0.0)


def test_one_dated_item_page_makes_an_undated_list_judged():
    pages = [column("人事信息", "人事任免", 4), column("人事信息", "招录公告", 4)]
    dates = opened(pages[0], "2026-06-01", 1) + opened(pages[1], "2025-01-01", 1)
    got = {s["name"]: (s["status"], s["newest"]["date"])
           for s in column_statuses(pages, dates, AS_OF)}
    assert got == {"人事任免": ("fresh", "2026-06-01"), "招录公告": ("stale", "2025-01-01")}


def test_confirmed_undated_columns_count_for_veto_b_not_before():
    pages = [column("其他", f"专题{i}", 2) for i in range(10)]
    dates = [d for p in pages for d in opened(p)]
    findings, _ = freshness_findings(SITE, [HOME], pages, dates, AS_OF)
    veto = [f for f in findings if f["indicator"] == "veto.columns_stale"]
    assert [v["rule"] for v in veto] == ["b"] and "10个栏目无日期，待人工复核" in veto[0]["detail"]
    assert score_card(SITE, findings, [], CHECKED, AS_OF)["vetoes"] == []
    reviews = [{"finding": f["id"], "verdict": "confirmed", "at": "2026-11-21T09:00:00+08:00"}
               for f in findings if f["kind"] == "undated_column"]
    card = score_card(SITE, findings, reviews, CHECKED, AS_OF)
    assert [v["id"] for v in card["vetoes"]] == ["veto.columns_stale"]
