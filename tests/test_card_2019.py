"""checklist-2019 cards of stored inspections (inspection/card.py card_for(rules=...) and the
translating deriver inspection/c2019_translate.py): the facts a census-2015 crawl stores, read
under the 2019 kinds and windows, in an embedded store; and the demo inspection scored under
both tables from one crawl, through the CLI."""

from __future__ import annotations

import json

import pytest
from cli_run import xunjian
from click.testing import CliRunner
from conftest import DEMO_CODE
from test_freshness_site import CODE as FRESHNESS_CODE
from test_freshness_site import inspected  # noqa: F401 - the fixture site's one crawl

from xunjian.inspection.card import card_for
from xunjian.inspectors import finding_id
from xunjian.scoring import load_rules, validate_card
from xunjian.storage import open_store

RULES = load_rules("checklist-2019")
AS_OF = "2026-11-20"
#: A county portal as registered in 附件3/附件4 (a 县人民政府 site: its columns by their 2015 types;
#: 政策解读 registered as 政策文件, as most registries do — 附件4 knows no 解读 type).
SITE = {"code": "3607300001", "name": "于都县人民政府门户网站", "url": "http://www.yudu.gov.cn/",
        "type": "门户网站", "region": "江西省赣州市于都县", "owner": "于都县人民政府办公室"}
BASE = SITE["url"]


def column(kind, name, path, category="信息公开类"):
    return {"site": SITE["code"], "type": kind, "name": name, "url": BASE + path,
            "category": category, "source": "registry"}


def items(*days):
    """List rows as the spider stores them: 「title」 and the date found beside it."""
    return [{"title": f"于都县召开第{n + 1}次专题工作会议", "url": f"{BASE}art/{n}.html",
             "date": {"text": day, "date": day} if day else None} for n, day in enumerate(days)]


def column_page(col, rows, status=200):
    return {"column": {k: col[k] for k in ("type", "name", "url", "category", "source")},
            "url": col["url"], "final_url": col["url"], "status": status, "error": None,
            "items": rows, "screenshot": None, "title": col["name"], "text_length": 3000}


def link(n, on_home):
    url = f"{BASE}uploadfiles/202305/附件{n}.doc"
    return {"id": finding_id(SITE["code"], "availability.links", "broken_link", url),
            "site": SITE["code"], "indicator": "availability.links", "kind": "broken_link",
            "rule": "home" if on_home else "other", "url": url, "page": BASE,
            "detail": "链接打不开（HTTP 404）", "needs_review": False,
            "evidence": {"status": 404, "anchor": f"附件{n}", "screenshot": None}}


def stored(tmp_path, columns, pages, home_rows, links=(), home_ok=True, nav=()):
    store = open_store(str(tmp_path / "store"))
    store.upsert_site(SITE)
    store.replace_columns(SITE["code"], columns)
    inspection = store.create_inspection({
        "site": SITE["code"], "as_of": AS_OF, "status": "done", "freshness": True,
        "checks": {"availability.links": home_ok},
        "homepage": {"reachable": home_ok, "url": BASE, "status": 200 if home_ok else None,
                     "error": None if home_ok else "net::ERR_CONNECTION_RESET",
                     "at": "2026-11-20T09:00:00+08:00", "screenshot": None, "attempts": []}})
    store.add_page({"inspection": inspection, "url": BASE, "is_home": True, "depth": 0,
                    "status": 200 if home_ok else None, "error": None if home_ok else "reset",
                    "items": home_rows, "links": nav})
    for page in pages:
        store.insert("column_pages", dict(page, inspection=inspection))
    store.replace_findings(inspection, [dict(f, inspection=inspection) for f in links])
    return store, inspection


def nav_link(text, path):
    """A homepage navigation link as the spider stores it."""
    return {"url": BASE + path, "text": text, "kind": "page", "external": False, "tag": "a"}


def deduction(card, ident):
    (found,) = [d for d in card["deductions"] + card["bonus"] if d["id"] == ident]
    return found


def test_columns_by_2019_kind_and_window(tmp_path):
    news = column("工作动态", "县内要闻", "xnyw/")
    notice = column("通知公告", "通知公告", "tzgg/")
    policy = column("政策文件", "政策文件", "zcwj/")
    reading = column("政策文件", "政策解读", "zcjd/")  # 2015 type 政策文件, 2019 kind 政策解读
    plan = column("规划计划", "规划计划", "ghjh/")
    blank = column("其他", "专题专栏", "ztzl/", category="其他")
    leaders = column("机构设置及职能", "领导之窗", "ldzc/")
    pages = [
        column_page(news, items("2026-11-05", "2026-10-30")),  # 15 days: stale (14 d)
        column_page(notice, items("2026-05-21")),  # 183 days: fresh
        column_page(policy, items("2026-05-20")),  # 184 days: stale
        column_page(reading, items("2026-06-01")),  # fresh at 183 d (it would be under 政策文件)
        column_page(plan, items("2025-11-19")),  # 366 days: stale (其他 365 d)
        column_page(blank, []),
        column_page(leaders, []),  # blank 领导之窗: no 领导信息 at all
    ]
    home = items("2026-11-18", "2026-11-10")
    store, inspection = stored(tmp_path, [news, notice, policy, reading, plan, blank, leaders],
                               pages, home)
    card = card_for(store, inspection, rules="checklist-2019")
    validate_card(card)
    assert card["rules"] == "checklist-2019"
    by = {f["indicator"]: f for f in card["findings"] if f["indicator"] != "publish.other_columns"}
    assert by["publish.news"]["rule"] == "stale" and by["publish.news"]["url"] == news["url"]
    assert by["publish.policies"]["rule"] == "stale"
    assert "publish.interpretations" not in by  # 政策解读 is fresh by its 183 days
    assert by["publish.leaders"]["rule"] == "no_column"
    assert by["publish.overview"]["rule"] == "no_column"  # no 概况 column registered or found
    assert by["publish.functions"]["rule"] == "no_column"
    other = sorted((f["url"], f["rule"]) for f in card["findings"]
                   if f["indicator"] == "publish.other_columns")
    assert other == [(plan["url"], "stale"), (blank["url"], "blank")]
    points = {d["id"]: d["points"] for d in card["deductions"]}
    assert {k: points[k] for k in (
        "publish.news", "publish.policies", "publish.interpretations", "publish.leaders",
        "publish.overview", "publish.functions", "publish.other_columns")} == {
        "publish.news": 5.0, "publish.policies": 5.0, "publish.interpretations": 0.0,
        "publish.leaders": 2.0, "publish.overview": 2.0, "publish.functions": 2.0,
        "publish.other_columns": 3.0}
    assert card["vetoes"] == []  # 2 of (a), 4 of (b), 2 blank: under every threshold
    assert "veto.not_updated" not in card["unchecked"]  # 2 homepage items in the 14 days
    # the same crawl under census-2015: its own ids and windows, 政策解读 a 政策文件 column
    census = card_for(store, inspection, rules="census-2015")
    assert census["rules"] == "census-2015"
    rules15 = {f["url"]: f["rule"] for f in census["findings"]
               if f["indicator"] == "updates.basic_info"}
    assert rules15 == {news["url"]: "工作动态", policy["url"]: "政策文件",
                       plan["url"]: "规划计划", blank["url"]: "其他",
                       leaders["url"]: "机构设置及职能"}


def test_columns_stale_veto_by_2019_kinds(tmp_path):
    cols = [column("工作动态", f"{town}动态", f"xz{n}/") for n, town in
            enumerate(("贡江镇", "银坑镇", "岭背镇"))]
    cols += [column("通知公告", "公示公告", "gsgg/"), column("政策文件", "规范性文件", "gfxwj/")]
    pages = [column_page(c, items("2026-10-01")) for c in cols]  # 50 days: 动态 stale, rest fresh
    pages[3] = column_page(cols[3], items("2026-03-01"))  # 264 days: stale
    pages[4] = column_page(cols[4], items("2026-04-01"))
    store, inspection = stored(tmp_path, cols, pages, items("2026-11-19"))
    card = card_for(store, inspection, rules="checklist-2019")
    validate_card(card)
    (veto,) = card["vetoes"]
    assert veto["id"] == "veto.columns_stale" and veto["reason"].startswith("动态要闻类栏目")
    assert len(veto["supporting"]) == 5
    assert card["verdict"] == "不合格" and card["score"] is None
    assert "单项否决" in card["bonus_note"]


def test_design_links_from_stored_broken_links_capped_at_one(tmp_path):
    links = [link(n, on_home=True) for n in range(3)] + [link(n, on_home=False)
                                                           for n in range(3, 6)]
    store, inspection = stored(tmp_path, [], [], items("2026-11-19"), links)
    card = card_for(store, inspection, rules="checklist-2019")
    assert deduction(card, "design.links")["points"] == 0.9  # 3 × 0.2 + 3 × 0.1
    more = [link(n, on_home=True) for n in range(6, 9)]
    store.replace_findings(inspection, [dict(f, inspection=inspection) for f in links + more])
    card = card_for(store, inspection, rules="checklist-2019")
    assert (deduction(card, "design.links")["points"],
            deduction(card, "design.links")["uncapped"]) == (1.0, 1.5)
    census = card_for(store, inspection, rules="census-2015")
    assert [d["points"] for d in census["deductions"] if d["id"] == "availability.links"] == [
        6.3]  # 6 × 1 + 3 × 0.1: the 2015 table's prices, no cap


def test_unreachable_homepage_and_what_nobody_derives(tmp_path):
    news = column("工作动态", "县内要闻", "xnyw/")
    store, inspection = stored(tmp_path, [news], [column_page(news, items("2026-11-19"))], [],
                               home_ok=False)
    card = card_for(store, inspection, rules="checklist-2019")
    validate_card(card)
    why = card["unchecked_reasons"]
    assert why["veto.not_updated"].startswith("首页无法访问（连接被重置")
    assert why["design.links"].startswith("首页无法访问")
    assert why["publish.policies"].endswith("未登记政策文件栏目，只能从首页导航发现")
    assert deduction(card, "publish.news")["checked"] is True  # registered: opened on its own
    assert why["design.compatibility"].startswith("兼容性未检查：本巡检只运行Chromium")
    assert why["veto.unreachable"] == "监测1周内没有首页访问探测记录，无法评价首页可用性"
    assert why["design.ipv6"] == "本次巡检未运行IPv6检查"  # no site_checks stored by this crawl
    assert [d["id"] for d in card["veto_status"] + card["deductions"] + card["bonus"]] == list(
        RULES.ids)
    assert {v["id"]: v["checked"] for v in card["veto_status"]}["veto.not_updated"] is False
    assert set(card["unchecked"]) >= {"design.ipv6", "veto.serious_error", "interaction.login"}
    assert card["verdict"] in ("合格", "未评分") and card["provisional"]


def test_a_bad_rules_name_is_one_line(tmp_path):
    from xunjian.cli import main

    done = CliRunner().invoke(main, ["report", "card", "1", "--rules", "checklist-2020",
                                     "--store", str(tmp_path / "s")])
    assert done.exit_code == 1
    assert done.output.strip().splitlines() == [
        "Error: --rules: unknown rules 'checklist-2020' (choose one of census-2015, "
        "checklist-2019)"]
    done = CliRunner().invoke(main, ["report", "card", "1", "--store", str(tmp_path / "s")],
                              env={"XUNJIAN_RULES": "2019"})
    assert done.exit_code == 1
    (line,) = done.output.strip().splitlines()
    assert line.startswith("Error: XUNJIAN_RULES='2019' is not one of census-2015, "
                           "checklist-2019: the table score cards are scored by")


@pytest.mark.browser
def test_demo_under_both_tables_from_one_crawl(demo_inspection):
    store = demo_inspection["store_dir"]
    cards = {}
    for rules in ("census-2015", "checklist-2019"):
        run = xunjian("report", "card", DEMO_CODE, "--rules", rules, "--json", "-",
                      store=store)
        assert run.returncode == 0, run.stderr
        cards[rules] = json.loads(run.stdout)
        validate_card(cards[rules])
    old, new = cards["census-2015"], cards["checklist-2019"]
    assert old == demo_inspection["card"]  # the default table: the inspect card, unchanged
    assert new["inspection"] == old["inspection"] and new["rules"] == "checklist-2019"
    assert [v["id"] for v in new["veto_status"]] == list(RULES.veto_ids)
    assert [d["id"] for d in new["deductions"]] == list(RULES.indicator_ids)
    assert [d["id"] for d in new["bonus"]] == list(RULES.bonus_ids)
    # where the tables differ: the same broken links cost 1 each on the 2015 homepage, 0.2 in
    # 2019, capped at 1; 2019 asks for columns 2015 does not (政策解读, 领导信息, 概况信息)
    home = sum(f["rule"] == "home" and f["counts"] for f in old["findings"]
               if f["indicator"] == "availability.links")
    other = sum(f["rule"] == "other" and f["counts"] for f in old["findings"]
                if f["indicator"] == "availability.links")
    old_links = [d for d in old["deductions"] if d["id"] == "availability.links"][0]
    assert old_links["points"] == home * 1.0 + round(other * 0.1, 2)
    assert deduction(new, "design.links")["points"] == min(1.0, round(home * 0.2 + other * 0.1,
                                                                      2))
    no_column = {f["indicator"] for f in new["findings"] if f["rule"] == "no_column"}
    assert {"publish.interpretations", "publish.leaders", "publish.overview"} <= no_column
    assert new["score"] != old["score"]
    assert new["total_deduction"] == sum(d["points"] for d in new["deductions"])
    assert new["unchecked_reasons"]["interaction.replies"].startswith("办理答复需人工检查")
    # the environment's table, when --rules is not given
    run = xunjian("report", "card", DEMO_CODE, "--json", "-", store=store,
                  env={"XUNJIAN_RULES": "checklist-2019"})
    assert json.loads(run.stdout)["rules"] == "checklist-2019"


def test_census_statistics_under_the_2019_table(tmp_path):
    from xunjian.reports.census import census_report

    news = column("工作动态", "县内要闻", "xnyw/")
    store, inspection = stored(tmp_path, [news], [column_page(news, items("2026-11-19"))],
                               items("2026-11-19"))
    stats = census_report(store, rules="checklist-2019")
    assert stats["rules"] == "checklist-2019" and "国办秘函〔2019〕19号" in stats["rules_title"]
    assert stats["causes"][-1]["name"] == "得分低于60分"
    assert [c["id"] for c in stats["causes"][:-1]] == list(RULES.veto_ids)
    assert stats["overall"]["inspected"] == 1
    census = census_report(store, rules="census-2015")
    assert census["rules"] == "census-2015" and census["causes"][-1]["name"] == "扣分超过40分"


def test_a_department_without_public_services_from_the_registry(tmp_path):
    """附件3 with our 公共服务 column: 不提供 → the 4/3 rule (办事服务 not applicable)."""
    from xunjian.registry.parse import parse_files

    form = tmp_path / "附件3.csv"
    form.write_text("网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位,公共服务\n"
                    "3607300102,江西省赣州市于都县,于都县档案馆,其他,http://www.yddag.gov.cn/,"
                    "于都县档案馆,不提供\n"
                    "3607300103,江西省赣州市于都县,于都县统计局,其他,http://tjj.yudu.gov.cn/,"
                    "于都县统计局,\n", encoding="gbk")
    result = parse_files(form)
    assert [s.get("public_services") for s in result.sites] == [False, None]
    bad = tmp_path / "bad.csv"
    bad.write_text(form.read_text("gbk").replace("不提供", "偶尔"), encoding="gbk")
    assert any("公共服务" in str(e) and "must be 提供 or 不提供" in str(e)
               for e in parse_files(bad).errors)
    site = dict(result.sites[0])
    news = column("工作动态", "工作动态", "gzdt/")
    store, inspection = stored(tmp_path, [news], [column_page(news, items("2026-11-19"))],
                               items("2026-11-19"))
    store.upsert_site({**store.get_site(SITE["code"]), "type": "其他",
                       "public_services": site["public_services"]})
    card = card_for(store, inspection, rules="checklist-2019")
    validate_card(card)
    assert card["services_applicable"] is False
    assert not {e.id for e in RULES.indicators if e.group == "办事服务"} & set(card["unchecked"])
    # deductions: publish.overview/functions/leaders/policies/interpretations no_column
    # 2+2+2+5+5 = 16, no letters published (no consultation channel at all) 6, design.links 0
    # → (75 − 22) × 4/3 = 70.67; 办事服务's own findings (no catalogue…) are not applicable
    assert card["total_deduction"] == 22.0
    assert card["deduction_score"] == 70.67 and card["score"] == 70.67
    assert card["bonus_note"].startswith("加分项仅适用于门户网站")


@pytest.mark.browser
def test_fixture_site_under_2019_kinds_and_windows(inspected):
    """tests/sites/freshness (GBK lists, iframes, JS lists, a blank and a 404 column), crawled
    once: its 2019 card from the same stored facts. 乡镇动态 (36 days) is a stale 动态要闻 column,
    公示公告 (registered 通知公告) a blank one: 其他栏目 2; 人事信息 (undated) and 统计数据 (404)
    wait for a reviewer; the table's 政策解读, 概况, 机构职能 and 领导信息 are nowhere."""
    run = xunjian("report", "card", FRESHNESS_CODE, "--rules", "checklist-2019", "--json", "-",
                  store=inspected["store_dir"])
    assert run.returncode == 0, run.stderr
    card = json.loads(run.stdout)
    validate_card(card)
    kinds = {c["name"]: (c["type"], c["status"]) for c in card["facts"]["freshness"]["columns"]}
    assert kinds["部门动态"] == ("动态要闻", "fresh") and kinds["乡镇动态"] == ("动态要闻", "stale")
    assert kinds["公示公告"] == ("通知公告", "blank") and kinds["人事信息"] == ("其他", "undated")
    assert kinds["政策文件"] == ("政策文件", "fresh")  # [05-21]: exactly 183 days
    points = {d["id"]: d["points"] for d in card["deductions"]}
    assert {k: points[k] for k in points if k.startswith("publish.")} == {
        "publish.overview": 2.0, "publish.functions": 2.0, "publish.leaders": 2.0,
        "publish.news": 5.0, "publish.policies": 0.0, "publish.interpretations": 5.0,
        "publish.interpretation_ratio": 0.0, "publish.interpretation_links": 0.0,
        "publish.other_columns": 2.0}
    waiting = sorted(f["evidence"]["column_name"] for f in card["findings"]
                     if f["indicator"] == "publish.other_columns" and f["needs_review"])
    assert waiting == ["人事信息", "统计数据"]
    assert card["vetoes"] == [] and "veto.not_updated" not in card["unchecked"]
    # the 2015 card of the same crawl prices the same columns by its own table
    assert [d["points"] for d in inspected["card"]["deductions"]
            if d["id"] == "updates.basic_info"] == [7.0]


def test_a_navigation_link_of_a_kind_nobody_inspected_is_no_deduction(tmp_path):
    """The registry lists 政策文件 only; the homepage's nav also links 政策解读 and 走进于都 — the
    crawl did not open them (discovery proposes 2015 types), so they are unchecked, not
    未开设; a long item title that happens to say 解读 is no navigation."""
    policy = column("政策文件", "政策文件", "zcwj/")
    nav = [nav_link("政策解读", "zcjd/"), nav_link("走进于都", "zjyd/"),
           nav_link("《于都县优化营商环境若干措施》政策解读", "art/9.html")]
    store, inspection = stored(tmp_path, [policy], [column_page(policy, items("2026-11-19"))],
                               items("2026-11-19"), nav=nav)
    card = card_for(store, inspection, rules="checklist-2019")
    why = card["unchecked_reasons"]
    assert why["publish.interpretations"] == (
        f"首页导航有「政策解读」（{BASE}zcjd/），但该栏目未登记，本次检查未打开其栏目页，"
        "需登记后复查或人工检查")
    assert why["publish.overview"].startswith("首页导航有「走进于都」")
    rules = {f["indicator"]: f["rule"] for f in card["findings"]
             if f["indicator"].startswith("publish.")}
    assert rules == {"publish.news": "no_column", "publish.functions": "no_column",
                     "publish.leaders": "no_column"}


def probes(store, failed: int, total: int = 140) -> None:
    """``total`` homepage probes over the week before as-of (20 a day), ``failed`` of them
    timing out at 15 s, as probes/ stores them."""
    for n in range(total):
        when = f"2026-11-{14 + n // 20:02d}T{(n % 20):02d}:30:00+08:00"
        bad = n < failed
        store.insert("probes", {"site": SITE["code"], "url": BASE, "time": when, "ok": not bad,
                                "status": None if bad else 200, "elapsed_ms": 15000 if bad
                                else 420, "error": "Timeout 15000ms exceeded" if bad else None})


def test_probes_decide_the_veto_alone_in_2019(tmp_path):
    """6 of 140 probes failed (4.3 %): census-2015 deducts 4 × 5 for 首页可用性, the 2019 table has
    no such deduction; 7 (5 %) fire 站点无法访问 under both."""
    news = column("工作动态", "县内要闻", "xnyw/")
    store, inspection = stored(tmp_path, [news], [column_page(news, items("2026-11-19"))],
                               items("2026-11-19"))
    probes(store, failed=6)
    new = card_for(store, inspection, rules="checklist-2019")
    old = card_for(store, inspection, rules="census-2015")
    assert [d["points"] for d in old["deductions"] if d["id"] == "availability.homepage"] == [
        20.0]
    assert not [f for f in new["findings"] if f["indicator"] == "veto.unreachable"]
    assert "veto.unreachable" not in new["unchecked"] and new["vetoes"] == []
    probes(store, failed=1, total=1)  # one more failure: 7 of 141 (4.96 %) is below 5 %
    assert card_for(store, inspection, rules="checklist-2019")["vetoes"] == []
    store.delete("probes", site=SITE["code"])
    probes(store, failed=7)
    new = card_for(store, inspection, rules="checklist-2019")
    assert [v["id"] for v in new["vetoes"]] == ["veto.unreachable"]
    assert new["verdict"] == "不合格" and new["score"] is None
    assert new["facts"]["probes"]["failure_percent"] == 5.0


def test_a_crawl_cut_by_its_budget_leaves_design_links_partial(tmp_path):
    store, inspection = stored(tmp_path, [], [], items("2026-11-19"), [link(1, True)])
    store.update_inspection(inspection, crawl={"pages_seen": 500, "pages_left": 37,
                                               "max_pages": 500, "budget_cut": {"max_pages": 37}})
    card = card_for(store, inspection, rules="checklist-2019")
    validate_card(card)
    links = deduction(card, "design.links")
    assert (links["points"], links["partial"]) == (0.2, True)
    assert links["partial_reason"] == "页面数达到上限 500，37 个页面未打开"
    assert card["provisional"] and card["facts"]["crawl"]["pages_left"] == 37


def test_personal_data_is_a_serious_error_candidate_under_2019(tmp_path):
    """DESIGN.md "Content beyond the table": content.privacy costs nothing in census-2015 and is a
    candidate for veto.serious_error in checklist-2019 — the veto fires once a reviewer confirms
    the leak, and the finding keeps its id and its masked evidence."""
    store, inspection = stored(tmp_path, [], [], items("2026-11-19", "2026-11-18"))
    url = f"{BASE}xxgk/gsgg/202611/t20261101_1.html"
    leak = {"id": finding_id(SITE["code"], "content.privacy", "privacy_leak", url),
            "site": SITE["code"], "indicator": "content.privacy", "kind": "privacy_leak",
            "rule": "leak", "url": url, "page": url, "needs_review": True,
            "detail": "页面含疑似个人信息：身份证号 3 个",
            "evidence": {"data_type": "身份证号", "masked": "110105********0017", "count": 3,
                         "in": "page", "url": url}}
    store.replace_findings(inspection, [dict(leak, inspection=inspection)])
    census = card_for(store, inspection, rules="census-2015")
    assert [d["points"] for d in census["deductions"] if d["id"] == "content.privacy"] == [0]
    card = card_for(store, inspection, rules="checklist-2019")
    candidate = next(f for f in card["findings"] if f["id"] == leak["id"])
    assert (candidate["indicator"], candidate["rule"]) == ("veto.serious_error", "privacy_leak")
    assert candidate["evidence"]["masked"] == "110105********0017"
    assert "veto.serious_error" not in {v["id"] for v in card["vetoes"]}  # awaiting review
    store.add_review({"finding": leak["id"], "site": SITE["code"], "verdict": "confirmed",
                      "at": "2026-11-21T10:00:00+08:00", "reviewer": "王审核"})
    card = card_for(store, inspection, rules="checklist-2019")
    fired = {v["id"]: v for v in card["vetoes"]}
    assert fired["veto.serious_error"]["findings"] == [leak["id"]]
    assert "个人信息" in fired["veto.serious_error"]["reason"] and card["verdict"] == "不合格"
