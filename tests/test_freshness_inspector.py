"""The freshness inspector (inspectors/freshness.py): stored facts + as-of → findings. Pure.

Windows and boundaries follow DESIGN.md "Time" and scoring/time.py: a column of a 14-day type
with its newest item dated exactly as-of − 14 days is fresh; one day older is stale.
"""

from __future__ import annotations

from xunjian.inspectors.freshness import column_statuses, freshness_findings
from xunjian.scoring import score_card

SITE = {"code": "9999000002", "name": "测试市人民政府门户网站", "url": "http://www.t.gov.cn/"}
AS_OF = "2026-11-20"


def col(kind, name, items, status=200, error=None, category="信息公开类"):
    url = f"http://www.t.gov.cn/{name}/"
    return {"column": {"type": kind, "name": name, "url": url, "category": category,
                       "source": "registry"},
            "url": url, "status": status, "error": error, "items": items,
            "screenshot": "a" * 64}


def item(n, day=None, md=None):
    date = {"text": day, "date": day} if day else ({"text": md, "md": md} if md else None)
    return {"title": f"信息标题第{n}条", "url": f"http://www.t.gov.cn/a/{n}.html", "date": date}


def home(items, links=30, text=5000):
    return {"url": SITE["url"], "is_home": True, "depth": 0, "status": 200, "error": None,
            "text_length": text, "screenshot": "b" * 64, "items": items,
            "links": [{"url": f"http://www.t.gov.cn/p{i}", "kind": "page", "external": False}
                      for i in range(links)]}


def by_name(statuses):
    return {s["name"]: s for s in statuses}


def test_boundary_days_per_window():
    pages = [
        col("工作动态", "dt_in", [item(1, "2026-11-06")]),      # as-of − 14: inside
        col("工作动态", "dt_out", [item(2, "2026-11-05")]),     # as-of − 15: outside
        col("通知公告", "tz_in", [item(3, "2026-05-21")]),      # as-of − 183
        col("通知公告", "tz_out", [item(4, "2026-05-20")]),
        col("人事信息", "rs_in", [item(5, "2025-11-20")]),      # as-of − 365
        col("人事信息", "rs_out", [item(6, "2025-11-19")]),
        col("机构设置及职能", "jg_out", [item(7, "2025-11-19")]),
    ]
    s = by_name(column_statuses(pages, [], AS_OF))
    assert {k: v["status"] for k, v in s.items()} == {
        "dt_in": "fresh", "dt_out": "stale", "tz_in": "fresh", "tz_out": "stale",
        "rs_in": "fresh", "rs_out": "stale", "jg_out": "stale"}
    assert s["dt_out"]["newest"]["date"] == "2026-11-05"


def test_pinned_items_newest_is_the_max_and_future_dates_ignored():
    pages = [col("工作动态", "dt", [item(1, "2023-01-01"), item(2, "2026-11-19"),
                                   item(3, "2027-01-01")])]
    assert column_statuses(pages, [], AS_OF)[0]["newest"]["date"] == "2026-11-19"


def test_year_implied_dates_resolve_at_scoring_time():
    pages = [col("工作动态", "dt", [item(1, md="11-18")])]
    assert column_statuses(pages, [], AS_OF)[0]["status"] == "fresh"
    # the same stored facts read at a later as-of: 2027-01-10 → 2026-11-18 is stale
    later = column_statuses(pages, [], "2027-01-10")[0]
    assert later["status"] == "stale" and later["newest"]["date"] == "2026-11-18"


def test_undated_items_use_their_pages_or_await_a_reviewer():
    undated = [item(1), item(2)]
    dates = [{"url": "http://www.t.gov.cn/a/2.html", "date": {"text": "2026-11-19",
                                                             "date": "2026-11-19"}}]
    with_page = column_statuses([col("工作动态", "dt", undated)], dates, AS_OF)[0]
    assert with_page["status"] == "fresh" and with_page["newest"]["date_from"] == "page"
    # issue 19 §3: no date on the list nor on any item page opened → undated, not stale
    # (it was "stale" here before; a reviewer decides, see tests/test_freshness_undated.py)
    opened = [{"url": "http://www.t.gov.cn/a/1.html", "date": None}]
    without = column_statuses([col("工作动态", "dt", undated)], opened, AS_OF)[0]
    assert without["status"] == "undated" and without["newest"] is None
    assert (without["undated"], without["pages_opened"]) == (2, 1)


def test_blank_and_unreachable():
    s = by_name(column_statuses([col("通知公告", "blank", []),
                                 col("通知公告", "gone", [], status=404),
                                 col("通知公告", "dns", [], status=None, error="DNSLookupError")],
                                [], AS_OF))
    assert [s[n]["status"] for n in ("blank", "gone", "dns")] == ["blank", "unreachable",
                                                                 "unreachable"]


def card(findings):
    checked = {"updates.basic_info": True, "veto.columns_stale": True,
               "updates.homepage": True, "veto.not_updated": True}
    return score_card(SITE, findings, [], checked, AS_OF)


def points(c, ident):
    return next(d["points"] for d in c["deductions"] if d["id"] == ident)


def test_basic_info_points_and_evidence():
    fresh_home = home([item(i, "2026-11-19") for i in range(12)])
    pages = [col("工作动态", "dt", [item(1, "2026-11-01")]),           # 3
             col("通知公告", "tz", []),                                # blank: 4
             col("政策文件", "zc", [item(2, "2026-11-01")]),           # fresh
             col("规划计划", "gh", [item(3, "2024-01-01")]),           # 5
             col("其他", "qt", [item(4, "2020-01-01")]),               # no basic_info points
             col("政务咨询类栏目", "zx", [], category="互动回应类"),    # not counted here
             col("人事信息", "rs", [], status=500)]                    # awaits a reviewer
    findings, facts = freshness_findings(SITE, [fresh_home], pages, [], AS_OF)
    c = card(findings)
    assert points(c, "updates.basic_info") == 12.0
    assert points(c, "updates.homepage") == 0 and not c["vetoes"]
    stale = next(f for f in findings if f["evidence"]["column_name"] == "dt")
    assert stale["kind"] == "stale_column" and stale["rule"] == "工作动态"
    assert stale["evidence"]["newest"]["title"] == "信息标题第1条"
    assert "2026-11-01" in stale["detail"] and stale["evidence"]["screenshot"]
    blank = next(f for f in findings if f["evidence"]["column_name"] == "tz")
    assert blank["kind"] == "blank_column"
    review = next(f for f in findings if f["evidence"]["column_name"] == "rs")
    assert review["needs_review"] is True
    assert len(facts["columns"]) == 7


def test_columns_stale_vetoes_a_b_c():
    fresh_home = home([item(i, "2026-11-19") for i in range(12)])
    four = [col("工作动态", f"dt{i}", [item(i, "2026-01-01")]) for i in range(4)]
    findings, _ = freshness_findings(SITE, [fresh_home], four, [], AS_OF)
    assert not card(findings)["vetoes"]  # 4 < 5
    five = four + [col("通知公告", "tz", [item(9, "2025-01-01")])]
    findings, _ = freshness_findings(SITE, [fresh_home], five, [], AS_OF)
    vetoes = card(findings)["vetoes"]
    assert [v["id"] for v in vetoes] == ["veto.columns_stale"]
    assert {f["rule"] for f in findings if f["indicator"] == "veto.columns_stale"} == {"a"}
    ten = [col("其他", f"qt{i}", [item(i, "2024-01-01")]) for i in range(10)]
    findings, _ = freshness_findings(SITE, [fresh_home], ten, [], AS_OF)
    assert {f["rule"] for f in findings if f["indicator"] == "veto.columns_stale"} == {"b"}
    blank = [col("其他", f"kb{i}", []) for i in range(5)]
    findings, _ = freshness_findings(SITE, [fresh_home], blank, [], AS_OF)
    assert {f["rule"] for f in findings if f["indicator"] == "veto.columns_stale"} == {"c"}


def test_homepage_updates_fourteen_days():
    nine = [item(i, "2026-11-06") for i in range(9)] + [item(99, "2026-11-05")]
    findings, facts = freshness_findings(SITE, [home(nine)], [], [], AS_OF)
    c = card(findings)
    assert points(c, "updates.homepage") == 5.0 and not c["vetoes"]
    assert facts["homepage"]["count"] == 9
    ten = [item(i, "2026-11-06") for i in range(10)]
    findings, _ = freshness_findings(SITE, [home(ten)], [], [], AS_OF)
    assert points(card(findings), "updates.homepage") == 0
    undated = [item(i) for i in range(20)]
    findings, _ = freshness_findings(SITE, [home(undated)], [], [], AS_OF)
    assert [v["id"] for v in card(findings)["vetoes"]] == ["veto.not_updated"]


def test_splash_homepage_counts_second_level_pages():
    splash = home([], links=3, text=100)
    second = {"url": "http://www.t.gov.cn/p0", "depth": 1, "referrer": SITE["url"],
              "items": [item(i, "2026-11-19") for i in range(10)]}
    findings, facts = freshness_findings(SITE, [splash, second], [], [], AS_OF)
    assert facts["homepage"]["splash"] is True and facts["homepage"]["count"] == 10
    assert not findings


def test_later_list_pages_add_their_items_to_the_column():
    first = col("通知公告", "fy", [item(1), item(2)])
    second = {**col("通知公告", "fy", [item(3, "2026-10-01")]), "list_page": 2,
              "url": "http://www.t.gov.cn/fy/index_1.html", "screenshot": "c" * 64}
    status = column_statuses([second, first], [], AS_OF)
    assert len(status) == 1 and status[0]["status"] == "fresh"
    assert status[0]["screenshot"] == "a" * 64 and status[0]["items"] == 3


def test_undated_homepage_items_are_dated_by_their_pages():
    items = [item(i, "2026-11-19") for i in range(9)] + [item(50), item(51)]
    dates = [{"url": "http://www.t.gov.cn/a/50.html",
              "date": {"text": "2026年11月17日", "date": "2026-11-17"}}]
    findings, facts = freshness_findings(SITE, [home(items)], [], dates, AS_OF)
    assert facts["homepage"]["count"] == 10 and not findings  # 51 has no date anywhere


def test_blank_columns_of_any_category_count_for_veto_c():
    fresh_home = home([item(i, "2026-11-19") for i in range(12)])
    blank = [col("其他", f"kb{i}", []) for i in range(3)] + [
        col("政务咨询类栏目", "zx", [], category="互动回应类"),
        col("办事指南类栏目", "bs", [], category="办事服务类")]
    findings, _ = freshness_findings(SITE, [fresh_home], blank, [], AS_OF)
    assert {f["rule"] for f in findings if f["indicator"] == "veto.columns_stale"} == {"c"}


def test_homepage_facts_carry_the_newest_date_for_the_ten_day_warning():
    # nothing in the 14-day window, but the early warning still needs to know how old it is
    old = [item(1, "2026-10-01"), item(2, md="10-28"), item(3, "2027-01-05"), item(4)]
    findings, facts = freshness_findings(SITE, [home(old)], [], [], AS_OF)
    assert facts["homepage"]["newest"] == "2026-10-28"  # a future date never counts
    assert facts["homepage"]["count"] == 0
    _, none = freshness_findings(SITE, [home([item(5)])], [], [], AS_OF)
    assert none["homepage"]["newest"] is None
