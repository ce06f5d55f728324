"""Issue 19 §3 follow-up: an item page's date is its own, never the site's furniture's.

A column list without dates is dated by opening its items' pages. On real county sites those
pages carry the site's furniture — a header clock (今天是2026年11月18日 星期三), a 本站最后更新 line,
a footer's 网站更新 / 本站更新时间 — on every page, often without a byline of their own. Read on the
whole page, that site-wide date became every item's date and a column nothing was published in for
years looked fresh (a false 合格). Item pages are now read like column content pages
(``inspectors.content.article_date``: the page without its furniture, ``<head>`` meta kept).

Fixture: tests/sites/hanweb_furniture, a 大汉 Hanweb-style county site (UTF-8, table layout,
``col/colNNNN/index.html`` lists of ``art_NNNN_MMMM.html`` links without dates), as-of 2026-11-20:

* 机构职能 — 5 department pages, no byline, the furniture dated 2026-11-18 → ``undated``
  (awaiting review), not fresh;
* 人事信息 — 5 notices with 发布时间 bylines (newest 2025-03-02) and the same furniture → stale,
  dated 2025-03-02 by the byline, not 2026-11-18 by the footer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import census_forms, xunjian

from xunjian.demo.server import DemoServer
from xunjian.inspectors.content import article_date

SITE_ROOT = Path(__file__).parent / "sites" / "hanweb_furniture"
CODE = "3410240001"
AS_OF = "2026-11-20"
COLUMNS = [("信息公开类", "机构设置及职能", "机构职能", "/col/col1508/index.html"),
           ("信息公开类", "人事信息", "人事信息", "/col/col1509/index.html")]


@pytest.fixture(scope="module")
def card(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("itemfurniture")
    store_dir = tmp / "store"
    with DemoServer(root=SITE_ROOT) as server:
        base = server.url.rstrip("/")
        forms = census_forms(tmp / "reg", (CODE, "某某省某某县", "某某县人民政府", "门户网站",
                                           server.url, "某某县人民政府办公室"),
                             [(cat, kind, name, base + path) for cat, kind, name, path in COLUMNS])
        imported = xunjian("registry", "import", *map(str, forms), store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        run = xunjian("inspect", CODE, "--as-of", AS_OF, "--json", str(tmp / "card.json"),
                      store=store_dir, env={"XUNJIAN_LINK_TIMEOUT": "1.5",
                                            "XUNJIAN_FRESHNESS": "1", "XUNJIAN_MAX_PAGES": "40"})
        assert run.returncode == 0, run.stdout + run.stderr
        yield json.loads((tmp / "card.json").read_text("utf-8"))


@pytest.mark.browser
def test_a_column_dated_only_by_the_site_furniture_is_undated_not_fresh(card):
    found = {c["name"]: c for c in card["facts"]["freshness"]["columns"]}
    jg = found["机构职能"]
    assert jg["status"] == "undated", jg
    assert (jg["items"], jg["pages_opened"], jg["undated"], jg["newest"]) == (5, 5, 5, None)
    finding = next(f for f in card["findings"] if f["indicator"] == "updates.basic_info"
                   and f["evidence"]["column_name"] == "机构职能")
    assert finding["kind"] == "undated_column" and finding["needs_review"]
    assert finding["id"] in card["awaiting_review"]


@pytest.mark.browser
def test_an_item_bylines_date_wins_over_the_footers(card):
    found = {c["name"]: c for c in card["facts"]["freshness"]["columns"]}
    rs = found["人事信息"]
    assert rs["status"] == "stale", rs
    assert rs["newest"]["date"] == "2025-03-02" and rs["newest"]["date_from"] == "page"
    assert rs["newest"]["title"] == "某某县2025年公开招聘事业单位工作人员拟聘用人员公示"


def test_article_date_keeps_head_meta_and_drops_furniture_lines():
    furniture = ('<div class="zx">本站最后更新：2026-11-18 09:30</div>'
                 '<div>网站更新：2026-11-18</div><p>今天是2026年11月18日 星期三</p>')
    body = '<div class="title">关于某某工作的通知</div><div id="zoom"><p>正文内容。</p></div>'
    head = '<head><meta name="PubDate" content="2025-06-01 10:00"><title>通知</title></head>'
    assert article_date(f"<html><head><title>x</title></head><body>{furniture}{body}"
                        "</body></html>", "http://127.0.0.1/a.html") is None
    meta = article_date(f"<html>{head}<body>{furniture}{body}</body></html>",
                        "http://127.0.0.1/a.html")
    assert meta and meta["date"] == "2025-06-01"
