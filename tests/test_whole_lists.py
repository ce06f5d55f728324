"""Lists that are not news lists, and indicators that examined nothing (issue 9, causes 3 and 9).

One inspection in Chromium of a generated TRS-look GBK site (tests/sites/trs_service/trs_site.py,
served on 127.0.0.1): an undated 办事指南 table of 25 guides over index.html / index_1.html /
index_2.html whose pager a script writes, a guide column that renders an empty shell, an undated
局长信箱 list over list.jsp / ?page=2, a 大汉 jcms 网上咨询 column whose records come from its
page's datastore and from dataproxy.jsp, a survey column on a refused port, an interview column
that never answers, and a dated news column with a second page.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cli_run import census_forms, xunjian

from xunjian.scoring import validate_card
from xunjian.storage import open_store

pytestmark = pytest.mark.browser

SPEC = importlib.util.spec_from_file_location(
    "trs_site", Path(__file__).parent / "sites" / "trs_service" / "trs_site.py")
trs_site = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(trs_site)
CODE = "9999000077"
AS_OF = "2026-11-20"


def registry(folder: Path, site) -> list[Path]:
    base = site.url.rstrip("/")
    return census_forms(folder, (CODE, "测试市江北区", f"{trs_site.AGENCY}网站", "其他", site.url,
                                 trs_site.AGENCY), [
        ("办事服务类", "办事指南类栏目", "个人办事", f"{base}/zwfw/grbs/index.html"),
        ("办事服务类", "办事指南类栏目", "法人办事", f"{base}/zwfw/frbs/index.html"),
        ("互动回应类", "政务咨询类栏目", "局长信箱", f"{base}/hdjl/jzxx/list.jsp"),
        ("互动回应类", "政务咨询类栏目", "网上咨询", f"{base}/col/col3301/index.html"),
        ("互动回应类", "调查征集类栏目", "意见征集",
         f"http://127.0.0.1:{site.closed_port}/hdjl/yjzj/index.html"),
        ("互动回应类", "互动访谈类栏目", "在线访谈", f"{base}/hdjl/zxft/index.html"),
        ("信息公开类", "工作动态", "工作动态", f"{base}/xwzx/gzdt/index.html")])


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("whole_lists")
    store_dir = tmp / "store"
    with trs_site.TRSServiceSite() as site:
        imported = xunjian("registry", "import", *map(str, registry(tmp / "reg", site)),
                           store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        env = {"XUNJIAN_LINK_TIMEOUT": "2", "XUNJIAN_FRESHNESS": "1", "XUNJIAN_MAX_PAGES": "30",
               "XUNJIAN_MAX_DEPTH": "1", "XUNJIAN_NAV_TIMEOUT": "6", "COLUMNS": "240"}
        run = xunjian("inspect", CODE, "--as-of", AS_OF, "--json", str(tmp / "card.json"),
                      store=store_dir, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        card = json.loads((tmp / "card.json").read_text("utf-8"))
        with open_store(str(store_dir)) as store:
            facts = {kind: store.find(kind, inspection=card["inspection"])
                     for kind in ("column_pages", "guide_pages", "letters")}
        yield {"card": card, "facts": facts, "site": site, "store_dir": store_dir,
               "printed": run.stdout}


def points(card: dict, ident: str) -> float:
    return next(d["points"] for d in card["deductions"] if d["id"] == ident)


def mine(card: dict, ident: str) -> list[dict]:
    return [f for f in card["findings"] if f["indicator"] == ident]


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


GUIDE = "/zwfw/grbs/202603/t20260302_{}.html"


def test_every_guide_of_the_undated_paginated_table_is_opened(inspected):
    facts = inspected["facts"]
    pages = sorted((p for p in facts["column_pages"] if p["column"]["name"] == "个人办事"),
                   key=lambda p: p["list_page"])
    assert [(path(p["url"]), len(p["items"])) for p in pages] == [
        ("/zwfw/grbs/index.html", 10), ("/zwfw/grbs/index_1.html", 10),
        ("/zwfw/grbs/index_2.html", 5)]
    # the link says only 办事指南: the item is named by its 事项名称 cell
    assert pages[0]["items"][0]["title"] == "食品经营许可（新办）"
    opened = {path(g["url"]) for g in facts["guide_pages"]}
    assert opened == {GUIDE.format(gid) for gid, *_ in trs_site.GUIDES}  # 25, no 在线办理, no menu
    assert all(g["screenshot"] and g["column"]["name"] == "个人办事" for g in facts["guide_pages"])


def test_guide_points_and_the_unread_guide_column(inspected):
    card = inspected["card"]
    found = {path(f["url"]): f["evidence"]["missing"] for f in mine(card, "service.guide")}
    assert found == {GUIDE.format(1004): ["办理时间"], GUIDE.format(1013): ["联系电话", "办理流程"],
                     GUIDE.format(1023): ["设定依据"]}
    assert points(card, "service.guide") == 8.0
    assert mine(card, "service.attachments") == []
    # 法人办事 rendered a shell: its guides are unknown, so neither indicator says "checked, 0"
    assert {"service.guide", "service.attachments"} <= set(card["unchecked"])
    assert "service.online_systems" not in card["unchecked"]
    why = card["facts"]["unchecked_reasons"]["service.guide"]
    assert why["reason"] == "guide_column_unread"
    assert [c["name"] for c in why["columns"]] == ["法人办事"]
    with open_store(str(inspected["store_dir"])) as store:
        assert store.get_blob(why["screenshot"])[:4] == b"\x89PNG"
    columns = {c["name"]: c for c in card["facts"]["service"]["guide_columns"]}
    grbs = columns["个人办事"]
    assert (grbs["pages_read"], grbs["guides_listed"], grbs["guides_read"],
            grbs["pages_unread"]) == (3, 25, 25, 0)
    assert card["provisional"] is True
    # piped output: one tab-separated `unchecked` record per indicator, with its reason
    assert ("unchecked\tservice.guide\t办事指南\t办事指南类栏目未读到任何办事指南"
            in inspected["printed"])


def test_letters_of_every_page_are_opened(inspected):
    card = inspected["card"]
    letters = inspected["facts"]["letters"]
    mailbox = [x for x in letters if "/hdjl/" in x["url"]]
    assert sorted(int(path(x["url"]).split("=")[1]) for x in mailbox) == \
        [lid for lid, *_ in trs_site.LETTERS]
    jcms = [x for x in letters if "/art/" in x["url"]]  # 15 from the page, 5 from dataproxy.jsp
    assert sorted(int(x["url"].rsplit("_", 1)[1][:-5]) for x in jcms) == \
        [lid for lid, *_ in trs_site.JCMS_LETTERS]
    late = {path(f["url"]): f["evidence"]["days"] for f in mine(card, "veto.unresponsive")}
    assert late == {"/hdjl/jzxx/detail.jsp?id=518": 123,  # list page 2
                    "/art/2026/6/30/art_3301_620.html": 143}  # dataproxy.jsp
    assert [v["id"] for v in card["vetoes"]] == ["veto.unresponsive"]
    assert "veto.unresponsive" not in card["unchecked"]
    assert mine(card, "interaction.consultation") == []
    assert points(card, "interaction.consultation") == 0


def test_columns_that_never_opened_cost_at_once(inspected):
    """A column the browser could not open and the link check of its URL could not either (a
    refused connection, a timeout) is unusable on a broken link's evidence: 5 at once (issue 19
    §4), a reviewer can still reject it."""
    card = inspected["card"]
    for ident, error, reason in (("interaction.survey", "ERR_CONNECTION_REFUSED", "connect"),
                                 ("interaction.interview", "Timeout", "timeout")):
        found = mine(card, ident)
        assert [(f["rule"], f["needs_review"], f["review"]) for f in found] == \
            [("no_activity", False, "pending")]
        column = found[0]["evidence"]["columns"][0]
        assert error in column["error"] and column["reason"] == reason
        assert points(card, ident) == 5
    validate_card(card)


def test_jcms_list_pages_are_stored(inspected):
    pages = sorted((p for p in inspected["facts"]["column_pages"]
                    if p["column"]["name"] == "网上咨询"), key=lambda p: p["list_page"])
    assert [(p["list_page"], len(p["items"]), p["status"]) for p in pages] == \
        [(1, 15, 200), (2, 5, 200)]
    assert "dataproxy.jsp" in pages[1]["url"] and "startrecord=16" in pages[1]["url"]


def test_news_columns_keep_reading_only_what_they_need(inspected):
    pages = [p for p in inspected["facts"]["column_pages"] if p["column"]["name"] == "工作动态"]
    assert [path(p["url"]) for p in pages] == ["/xwzx/gzdt/index.html"]  # page 1 is dated
