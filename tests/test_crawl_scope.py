"""Issue 9, causes 1 and 2: what the crawl walks (the site's origins, the whole site) and what it
only checks (other origins), with traps cut and a budget cut said on the card.

The fixture is computed, not hand-written (tests/support/sitegen.py, the same generator the
benchmarks use): a 300-page county portal with three columns in three CMS looks (TRS WCM
``/col/col100/index.html`` + ``index_1.html`` and ``/art/2026/5/29/art_100_1000.html``; 拓尔思
relative ``./202611/t20261118_1001.html``; ``/news/c2/list.shtml`` + ``/news/1002.shtml``),
lists of eleven or twelve pages (8 items each) that only show 首页 上一页 下一页 尾页, 2 % broken
links each on an article deep in a list, an endless event calendar and a ``;jsessionid=`` trap.
On another port of 127.0.0.1 runs another system (a 120-page site with 10 % broken links) that
the homepage links to.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import xunjian

from tests.support.sitegen import GenServer, GenSite
from xunjian.scoring import validate_card
from xunjian.spiders.frontier import Frontier, crawl_cut, is_next_page, without_session
from xunjian.spiders.links import is_internal, origin_key, site_origins
from xunjian.storage import open_store

CODE = "9999000909"


def import_site(store: Path, folder: Path, url: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    sites = folder / "sites.csv"
    sites.write_text("网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\n"
                     f"{CODE},某某省某某县,某某县人民政府,门户网站,{url},某某县人民政府办公室\n",
                     encoding="utf-8-sig")
    done = xunjian("registry", "import", str(sites), store=store)
    assert done.returncode == 0, done.stdout + done.stderr


def inspect(store: Path, tmp: Path, name: str, **env) -> tuple[dict, str]:
    env = {"XUNJIAN_FRESHNESS": "0", "XUNJIAN_LINK_TIMEOUT": "5", **env}
    run = xunjian("inspect", CODE, "--as-of", "2026-11-30", "--json", str(tmp / name),
                  store=store, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads((tmp / name).read_text("utf-8")), run.stdout


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawlscope")
    store = tmp / "store"
    other = GenSite(pages=120, broken_share=0.1, seed=3, name="某某县依申请公开系统")
    with GenServer(other) as system:
        # 3 columns, lists of 12 pages: the middle one is 7 clicks from the homepage by 下一页
        # or by 尾页 and 上一页, its articles 8
        site = GenSite(pages=300, broken_share=0.02, calendar_trap=True, session_trap=True,
                       n_columns=3, per_list=8,
                       outside_links=[(system.url, "依申请公开"),
                                      (system.url + "old/entry.html", "旧版依申请公开")])
        with GenServer(site) as server:
            import_site(store, tmp / "reg", server.url)
            card, text = inspect(store, tmp, "card.json")
            small, small_text = inspect(store, tmp, "small.json", XUNJIAN_MAX_PAGES="60")
        data = open_store(str(store))
        yield {"site": site, "server": server, "other": other, "system": system, "card": card,
               "text": text, "small": small, "small_text": small_text,
               "pages": data.pages(card["inspection"]),
               "links": {r["url"]: r for r in data.find("links", inspection=card["inspection"])},
               "inspection": data.get_inspection(card["inspection"])}


def links_deduction(card: dict) -> dict:
    return next(d for d in card["deductions"] if d["id"] == "availability.links")


@pytest.mark.browser
def test_every_page_of_the_site_is_walked_and_nothing_of_the_other_system(crawled):
    base = crawled["server"].url.rstrip("/")
    walked = {p["url"] for p in crawled["pages"]}
    expected = {base + path for path in crawled["site"].page_paths()}
    assert len(expected) == 300
    assert expected <= walked  # articles beyond the 25th of one URL shape are opened too
    other = crawled["system"].url.rstrip("/")
    assert not [u for u in walked if u.startswith(other)]
    # the link into the other system is checked all the same
    assert crawled["links"][crawled["system"].url]["outcome"] == "ok"


@pytest.mark.browser
def test_exactly_the_sites_broken_links_are_reported(crawled):
    card, base = crawled["card"], crawled["server"].url
    found = {f["url"]: f for f in card["findings"] if f["indicator"] == "availability.links"}
    old_entry = crawled["system"].url + "old/entry.html"
    assert set(found) == crawled["site"].expected_broken(base) | {old_entry}
    assert len(found) == len(crawled["site"].broken_on) + 1 == 12
    # the other system's own broken links (only on ITS pages) are not the site's
    assert not set(found) & crawled["other"].expected_broken(crawled["system"].url)
    outside = found[old_entry]
    assert outside["rule"] == "home" and outside["evidence"]["error_type"] == "外部链接不可用"
    site = crawled["site"]
    kinds = {base.rstrip("/") + site.broken_path(a): k for a, k in site.broken_on.items()}
    assert {found[u]["evidence"]["error_type"] for u, k in kinds.items() if k == "page"} == \
        {"域内链接不可用"}
    assert {found[u]["evidence"]["error_type"] for u, k in kinds.items() if k == "image"} == \
        {"图片不可用"}
    assert all(found[u]["rule"] == "other" for u in kinds)  # on article pages, not the homepage
    # 1 point for the homepage link, 0.1 for each of the 11 on article pages
    assert links_deduction(card)["points"] == pytest.approx(2.1)
    validate_card(card)


@pytest.mark.browser
def test_traps_are_cut_and_do_not_make_the_crawl_partial(crawled):
    crawl = crawled["inspection"]["crawl"]
    walked = [p["url"] for p in crawled["pages"]]
    assert sum("/calendar/" in u for u in walked) == 3
    # one visit per page, whatever the session id: the list and its page 2
    assert sum("jsessionid" in u for u in walked) == 2
    assert crawl["pages_refused"]["calendar"] >= 1 and crawl["pages_refused"]["session_id"] >= 1
    assert crawl["pages_left"] == 0 and crawl_cut(crawl) is None
    assert crawl["crawl_reason"] == "finished"
    deduction = links_deduction(crawled["card"])
    assert deduction["checked"] and "partial" not in deduction
    # 300 pages, 3 calendar days, 2 session-id pages and the broken internal page links (404)
    broken_pages = sum(k == "page" for k in crawled["site"].broken_on.values())
    assert crawled["card"]["facts"]["crawl"]["pages_seen"] == 300 + 3 + 2 + broken_pages


@pytest.mark.browser
def test_a_budget_cut_is_on_the_card(crawled):
    card = crawled["small"]
    facts = card["facts"]["crawl"]
    assert facts["pages_seen"] == 60 and facts["pages_left"] > 0
    assert facts["crawl_reason"] == "partial"  # pages it saw were left: not "finished"
    assert facts["partial_reason"] == f"页面数达到上限 60，{facts['pages_left']} 个页面未打开"
    deduction = links_deduction(card)
    assert deduction["checked"] and deduction["partial"] is True
    assert deduction["partial_reason"] == facts["partial_reason"]
    assert card["final"] is False
    assert "链接可用性仅部分检查: 页面数达到上限 60" in crawled["small_text"]
    assert f"未打开 {facts['pages_left']} 个" in crawled["small_text"]
    assert "链接可用性仅部分检查" not in crawled["text"]
    validate_card(card)


# -- the rules underneath, one class of URL at a time -------------------------------------------

def test_origin_is_host_and_port():
    origins = site_origins(["http://www.xx.gov.cn/", "http://xx.gov.cn:8080/col/col1/index.html"])
    assert is_internal("https://xx.gov.cn/art/1.html", origins)  # https on 443: the same site
    assert is_internal("http://xx.gov.cn:8080/x.html", origins)  # a registered column's origin
    assert not is_internal("http://xx.gov.cn:8081/x.html", origins)  # another system
    assert not is_internal("http://xxgk.xx.gov.cn/x.html", origins)  # a subdomain
    assert origin_key("http://127.0.0.1:8000/a") != origin_key("http://127.0.0.1:8001/a")


def test_ordinary_article_shapes_are_never_capped():
    f = Frontier(max_pages=10_000)
    shapes = ["http://a.cn/art/2026/5/29/art_123_{n}.html", "http://a.cn/news/{n}.shtml",
              "http://a.cn/xxgk/tzgg/202611/t20261118_{n}.html",
              "http://a.cn/content.jsp?id={n}", "http://a.cn/list.jsp?sid=3&page={n}"]
    for shape in shapes:
        assert sum(f.admit(shape.format(n=n), 2) for n in range(400)) == 400, shape


def test_traps_are_capped():
    f = Frontier(max_pages=10_000, max_depth=100)
    assert sum(f.admit(f"http://a.cn/rili/2026/11/{d}.html", 1) for d in range(1, 29)) == 3
    assert sum(f.admit(f"http://a.cn/hd/view.jsp;jsessionid={n:020d}?id=5", 1)
               for n in range(50)) == 1
    assert sum(f.admit(f"http://a.cn/hd/view.jsp?id=6&sid={n:024d}", 1) for n in range(50)) == 1
    assert sum(f.admit(f"http://a.cn/zt/index.html?t=17320{n}", 1) for n in range(50)) == 3
    assert sum(f.admit(f"http://a.cn/search.jsp?k{n}=1", 1) for n in range(50)) == 10
    assert not f.admit("http://a.cn/a/b/a/b/a/b/x.html", 1)
    assert set(f.refused) == {"calendar", "session_id", "volatile_query", "query_variants",
                              "nested_path"}
    assert f.stats()["pages_left"] == 0  # traps are not the budget
    assert without_session("http://a.cn/x.jsp;jsessionid=ABC?id=1") == "http://a.cn/x.jsp?id=1"


def test_next_pages_of_a_list_are_as_deep_as_the_list():
    f = Frontier()
    assert is_next_page("http://a.cn/col/col1/index_7.html", "http://a.cn/col/col1/index_6.html")
    assert is_next_page("http://a.cn/news/bmdt/list_3.shtml", "http://a.cn/news/bmdt/list.shtml")
    assert is_next_page("http://a.cn/list.jsp?cid=2&pageNo=3", "http://a.cn/list.jsp?cid=2")
    assert not is_next_page("http://a.cn/col/col2/index.html", "http://a.cn/col/col1/index.html")
    assert not is_next_page("http://a.cn/art/2026/5/29/art_1_2.html",
                            "http://a.cn/col/col1/index.html")
    assert f.depth_of("http://a.cn/col/col1/index_9.html", "http://a.cn/col/col1/index_8.html",
                      5) == 5
    assert f.depth_of("http://a.cn/art/2026/5/29/art_1_2.html",
                      "http://a.cn/col/col1/index_8.html", 1) == 2
