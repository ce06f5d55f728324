"""Census statistics (通报) over 39 synthetic sites with stored inspections of every kind.

The sites (tests/support/census_sites.py) are provinces, cities, counties and 国务院部门
of five provinces, portals and others, with cards that pass, fail by each veto, fail by points,
wait for review; some were never inspected, some have an older inspection with another verdict
and some a newer one after the census date. The test counts from the cards itself — choosing
each site's latest inspection at or before the date by hand — and the report must say the same
numbers in its statistics, its XLSX cells, its HTML and its PDF text.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter, defaultdict

import pytest
from cli_run import xunjian
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.support.census_sites import census_sites
from xunjian.inspection.card import card_for
from xunjian.reports.census import census_report, classify
from xunjian.storage import open_store

AS_OF = "2026-11-20"
N = 39
#: What the test expects of each 网站标识码 prefix: (级别, province).
PREFIX = {"110000": ("省级", "北京市"), "440000": ("省级", "广东省"), "440100": ("市级", "广东省"),
          "440106": ("县级", "广东省"), "440300": ("市级", "广东省"), "510000": ("省级", "四川省"),
          "510100": ("市级", "四川省"), "510104": ("县级", "四川省"), "330000": ("省级", "浙江省"),
          "330100": ("市级", "浙江省"), "330106": ("县级", "浙江省"),
          "bm0400": ("部门", "国务院部门"), "bm1100": ("部门", "国务院部门"),
          "650000": ("省级", "新疆维吾尔自治区"), "650100": ("市级", "新疆维吾尔自治区")}


@pytest.fixture(scope="module")
def census(tmp_path_factory):
    folder = tmp_path_factory.mktemp("census")
    store = open_store(str(folder / "store"))
    codes = census_sites(store, N, as_of=AS_OF)
    # the test's own count: each site's latest finished inspection at or before AS_OF
    cards = {}
    for code in codes:
        done = [i for i in store.inspections(code)
                if i["status"] == "done" and i["as_of"] <= AS_OF]
        if done:
            latest = max(done, key=lambda i: (i["as_of"], i["started_at"]))
            cards[code] = card_for(store, latest["id"])
    sites = {s["code"]: s for s in store.list_sites()}
    yield {"store": store, "folder": folder, "cards": cards, "sites": sites, "codes": codes}
    store.close()


def rate(ok: int, total: int) -> float:
    return round(ok * 100 / total, 1)


def test_the_fixture_has_every_kind_of_site(census):
    cards = census["cards"]
    verdicts = Counter(c["verdict"] for c in cards.values())
    vetoes = Counter(v["id"] for c in cards.values() for v in c["vetoes"])
    assert len(census["codes"]) == N and len(cards) == N - 3  # 3 never inspected
    assert verdicts["合格"] >= 10 and verdicts["不合格"] >= 10
    assert {"veto.not_updated", "veto.columns_stale", "veto.unresponsive"} <= set(vetoes)
    assert any(not c["vetoes"] and c["verdict"] == "不合格" for c in cards.values())
    assert any(c["final"] for c in cards.values()) and any(c["provisional"] for c in cards.values())
    levels = Counter(PREFIX[code[:6]][0] for code in cards)
    assert set(levels) == {"部门", "省级", "市级", "县级"}


def test_overall_and_group_numbers_equal_counts_from_the_cards(census):
    cards, sites = census["cards"], census["sites"]
    stats = census_report(census["store"], AS_OF, ("级别", "网站类型", "地区"))
    ok = sum(c["verdict"] == "合格" for c in cards.values())
    assert stats["registered"] == N
    assert stats["overall"]["inspected"] == len(cards)
    assert stats["overall"]["qualified"] == ok
    assert stats["overall"]["unqualified"] == len(cards) - ok
    assert stats["overall"]["rate"] == rate(ok, len(cards))
    assert stats["overall"]["provisional"] == sum(c["provisional"] for c in cards.values())
    never = sorted(set(census["codes"]) - set(cards))
    assert [s["code"] for s in stats["never_inspected"]] == never

    def expected(key) -> dict:
        per = defaultdict(lambda: [0, 0])
        for code, card in cards.items():
            per[key(code)][0] += 1
            per[key(code)][1] += card["verdict"] == "合格"
        return {k: (n, q, n - q, rate(q, n)) for k, (n, q) in per.items()}

    def got(rows) -> dict:
        return {r["name"]: (r["inspected"], r["qualified"], r["unqualified"], r["rate"])
                for r in rows}

    assert got(stats["groups"]["级别"]) == expected(lambda code: PREFIX[code[:6]][0])
    assert got(stats["groups"]["网站类型"]) == expected(lambda code: sites[code]["type"])
    assert got(stats["groups"]["地区"]) == expected(lambda code: PREFIX[code[:6]][1])
    # cities inside Guangdong: named by the 部门/地区 of the city's own site
    guangdong = next(r for r in stats["groups"]["地区"] if r["name"] == "广东省")
    want = expected(lambda code: {"4401": "广州市", "4403": "深圳市"}.get(code[:4], "-"))
    want.pop("-", None)
    assert got(guangdong["cities"]) == want


def test_causes_problems_and_lists_equal_the_cards(census):
    cards = census["cards"]
    stats = census_report(census["store"], AS_OF)
    failed = {code: c for code, c in cards.items() if c["verdict"] == "不合格"}
    causes = {c["id"]: (c["count"], c["share"]) for c in stats["causes"]}
    for veto in ("veto.unreachable", "veto.not_updated", "veto.columns_stale",
                 "veto.serious_error", "veto.unresponsive"):
        n = sum(any(v["id"] == veto for v in c["vetoes"]) for c in failed.values())
        assert causes[veto] == (n, rate(n, len(failed)))
    by_points = sum(not c["vetoes"] for c in failed.values())
    assert by_points > 0 and causes["points"] == (by_points, rate(by_points, len(failed)))
    assert stats["unqualified_total"] == len(failed)
    assert {r["code"] for r in stats["unqualified"]} == set(failed)
    over = next(r for r in stats["unqualified"] if not cards[r["code"]]["vetoes"])
    assert over["reasons"] == [f"扣分合计 {cards[over['code']]['total_deduction']:g} 分，超过40分"]
    two = next(r for r in stats["unqualified"] if len(cards[r["code"]]["vetoes"]) == 2)
    assert len(two["reasons"]) == 2 and two["reasons"][0].startswith("栏目不更新：")
    assert {r["code"] for r in stats["provisional"]} == {
        code for code, c in cards.items() if c["provisional"]}
    affected = Counter()
    for c in cards.values():
        affected.update({(f["indicator"], f["kind"], f["rule"]) for f in c["findings"]
                         if f["counts"]})
    top = {(p["indicator_id"], p["kind"], p["rule"]): p["sites"] for p in stats["problems"]}
    assert top == dict(affected)  # fewer than 20 kinds: all of them
    assert stats["problems"][0]["sites"] == max(affected.values())
    home = next(p for p in stats["problems"] if p["rule"] == "home")
    assert home["label"] == "首页上的链接，每发现一个打不开或错误的，扣1分"


def test_a_later_inspection_counts_only_from_its_date_on(census):
    later = census_report(census["store"], "2026-12-31")
    now = census_report(census["store"], AS_OF)
    # sites 5, 16, 27, 38 (i % 11 == 5) have an over-40 inspection dated 2026-12-20
    assert later["unqualified_total"] > now["unqualified_total"]
    before = census_report(census["store"], "2026-10-15")  # only the older inspections
    assert before["overall"]["inspected"] == sum(1 for i in range(N) if i % 7 == 3 and i % 13 != 12)


def test_level_from_code_or_registry_text():
    assert classify({"code": "4401060001"})["level"] == "县级"
    assert classify({"code": "4401000001"}) == {"level": "市级", "province": "广东省", "city": "",
                                                "city_code": "4401"}
    assert classify({"code": "1100000001"})["level"] == "省级"
    assert classify({"code": "bm04000001"})["level"] == "部门"
    # a code without a known region: the registry's 部门/地区
    assert classify({"code": "X1", "region": "江苏省"})["level"] == "省级"
    assert classify({"code": "X2", "region": "江苏省南京市"})["level"] == "市级"
    assert classify({"code": "X3", "region": "江苏省南京市玄武区"})["level"] == "县级"
    assert classify({"code": "X4", "region": "水利部"})["level"] == "部门"
    assert classify({"code": "X5", "region": ""})["level"] == "未知"


@pytest.mark.browser
def test_the_command_writes_the_same_numbers_to_xlsx_html_and_pdf(census):
    cards = census["cards"]
    folder = census["folder"]
    ok = sum(c["verdict"] == "合格" for c in cards.values())
    total = len(cards)
    out = {}
    for fmt in ("xlsx", "html", "pdf"):
        path = folder / f"census.{fmt}"
        run = xunjian("report", "census", "--as-of", AS_OF, "--format", fmt, "--output",
                      str(path), store=folder / "store", timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        out[fmt] = path.read_bytes()
    wb = load_workbook(io.BytesIO(out["xlsx"]))
    assert {"总体情况", "按级别", "按网站类型", "按地区", "不合格原因", "常见问题", "不合格网站",
            "暂定结论网站", "未检查网站", "图表"} <= set(wb.sheetnames)
    overall = {row[0]: row[1] for row in wb["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert overall["已检查网站"] == total and overall["合格"] == ok
    assert overall["不合格"] == total - ok and overall["合格率(%)"] == rate(ok, total)
    assert overall["未检查网站"] == 3
    assert wb["图表"]._charts, "the chart sheet has native charts"
    levels = {row[0]: row[1:5] for row in wb["按级别"].iter_rows(min_row=2, values_only=True)}
    dept = [c for code, c in cards.items() if code.startswith("bm")]
    dept_ok = sum(c["verdict"] == "合格" for c in dept)
    assert levels["部门"] == (len(dept), dept_ok, len(dept) - dept_ok, rate(dept_ok, len(dept)))
    failed = [row[0] for row in wb["不合格网站"].iter_rows(min_row=2, values_only=True)]
    assert sorted(failed) == sorted(code for code, c in cards.items() if c["verdict"] == "不合格")

    html = out["html"].decode("utf-8")
    assert f"已检查 <b>{total}</b> 个，其中合格 <b>{ok}</b> 个" in html
    assert html.count("<svg") >= 4  # 合格率 by 级别, 网站类型, 地区; causes
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out["pdf"])).pages)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))  # ⽹ (Kangxi radical) → 网
    said = f"已检查{total}个，其中合格{ok}个、不合格{total - ok}个"
    assert unicodedata.normalize("NFKC", said) in text
    assert f"总体合格率{rate(ok, total):.1f}%" in text
    assert "新疆维吾尔自治区" in text and "尚未检查的网站" in text


def test_the_review_app_statistics_page_shows_the_same_numbers(census):
    from xunjian.review.app import create_app
    from xunjian.review.users import add_user

    store, cards = census["store"], census["cards"]
    add_user(store, "stat", "reviewer", "correct-horse-9")
    app = create_app(store, secret_key="test-secret")
    app.config["TESTING"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"name": "stat", "password": "correct-horse-9",
                                       "csrf_token": csrf}).status_code == 302
    ok = sum(c["verdict"] == "合格" for c in cards.values())
    html = client.get(f"/statistics?as_of={AS_OF}").get_data(as_text=True)
    assert (f"已检查 <b>{len(cards)}</b> 个，其中合格 <b>{ok}</b> 个、不合格 "
            f"<b>{len(cards) - ok}</b> 个") in html
    assert "尚未检查 <b>3</b> 个" in html and "按级别" in html
    resp = client.get(f"/statistics.xlsx?as_of={AS_OF}&by=主办单位")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    owners = {row[0]: row[1] for row in wb["按主办单位"].iter_rows(min_row=2, values_only=True)}
    want = Counter(census["sites"][code]["owner"] for code in cards)
    assert owners == dict(want)
