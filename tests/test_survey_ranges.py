"""Survey and consultation lists that print a period, not a day (issue 9, cause 4).

征集时间 ``2026-11-23 至 2026-12-09``, ``2026.11.16-2026.12.16``, ``2026年11月2日—12月2日``: an
activity counts by its START; a period still running at as-of is not a future item, one that
starts after as-of is. Fixtures: tests/data/surveys (a 标题|征集时间|状态 table, div cards).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from xunjian.inspectors.dates import date_in_text, resolve
from xunjian.inspectors.interaction import interaction_findings
from xunjian.inspectors.lists import extract_items
from xunjian.scoring import score_card

AS_OF = "2026-11-30"
DATA = Path(__file__).resolve().parent / "data" / "surveys"
PORTAL = {"code": "9999000002", "name": "某某县人民政府", "url": "http://127.0.0.1:8000/",
          "type": "门户网站"}
OTHER = {**PORTAL, "type": "其他"}
ALL = ("veto.unresponsive", "interaction.consultation", "interaction.survey",
       "interaction.interview")


def column_page(name: str, fixture: str) -> dict:
    url = f"http://127.0.0.1:8000/hdjl/{name}/"
    html = (DATA / fixture).read_text(encoding="utf-8")
    return {"column": {"type": "调查征集类栏目", "name": name, "url": url}, "url": url,
            "status": 200, "error": None, "items": extract_items(html, url)}


def survey(site, pages):
    found = interaction_findings(site, pages, [], [], AS_OF)
    card = score_card(site=site, findings=found, reviews=[], checked=dict.fromkeys(ALL, True),
                      as_of=AS_OF)
    pts = next(d["points"] for d in card["deductions"] if d["id"] == "interaction.survey")
    return [f for f in found if f["indicator"] == "interaction.survey"], pts


TABLE_COUNTED = {"关于《某某县养老服务条例（草案）》公开征求意见", "2026年度群众满意度网上测评",
                 "城区停车收费标准调整听证意见征集", "关于县城公交线路优化的问卷调查",
                 "“十五五”规划编制问计于民", "农村生活垃圾治理满意度调查", "2026年民生实事项目征集"}


def test_list_rows_are_dated_by_the_start_of_their_period():
    items = column_page("wsdc", "zjdc-table.html")["items"]
    got = {i["title"]: (i["date"]["date"], i["date"].get("end"), i["date"]["text"])
           for i in items}
    assert len(items) == 9
    assert got["关于《某某县养老服务条例（草案）》公开征求意见"] == (
        "2026-11-23", "2026-12-09", "2026-11-23 至 2026-12-09")
    assert got["2026年度群众满意度网上测评"] == ("2026-11-16", "2026-12-16",
                                                 "2026.11.16-2026.12.16")
    assert got["城区停车收费标准调整听证意见征集"] == ("2026-11-02", "2026-12-02",
                                                       "2026年11月2日—12月2日")
    assert got["“十五五”规划编制问计于民"][:2] == ("2026-09-01", "2026-09-30")
    # the period split over two spans is still one period, dated by its start
    assert got["农村生活垃圾治理满意度调查"][:2] == ("2026-06-15", "2026-07-15")


def test_survey_table_counts_activities_by_start_within_the_year():
    findings, pts = survey(PORTAL, [column_page("wsdc", "zjdc-table.html")])
    # 7 started in the year before 2026-11-30 (4 of them still running); 2025-11-03 started
    # before the year, 2026-12-05 has not started: 7 >= 6 for a portal, no deduction
    assert findings == []
    assert pts == 0
    findings, pts = survey(OTHER, [column_page("wsdc", "zjdc-table.html")])
    assert findings == [] and pts == 0


def test_two_survey_columns_exact_activities_and_points():
    pages = [column_page("yjzj", "yjzj-cards.html")]
    findings, pts = survey(PORTAL, pages)
    assert [f["kind"] for f in findings] == ["few_activities"]
    counted = findings[0]["evidence"]["activities"]
    assert sorted((a["title"], a["date"]) for a in counted) == [
        ("《某某县城市绿化管理办法（征求意见稿）》公开征求意见", "2026-11-20"),
        ("关于调整城乡居民医保缴费档次的意见征集", "2026-08-01")]
    assert findings[0]["evidence"]["count"] == 2
    assert pts == 3
    findings, pts = survey(PORTAL, pages + [column_page("wsdc", "zjdc-table.html")])
    assert findings == [] and pts == 0  # 2 + 7 started in the year


def test_few_started_activities_are_listed_exactly():
    page = column_page("wsdc", "zjdc-table.html")
    dropped = {"2026年民生实事项目征集", "关于县城公交线路优化的问卷调查"}
    page["items"] = [i for i in page["items"] if i["title"] not in dropped]
    findings, pts = survey(PORTAL, [page])
    assert [f["kind"] for f in findings] == ["few_activities"]
    assert findings[0]["evidence"]["count"] == 5
    assert {a["title"] for a in findings[0]["evidence"]["activities"]} == TABLE_COUNTED - dropped
    assert pts == 3


@pytest.mark.parametrize("text,start,end", [
    ("2026-11-23 至 2026-12-09", "2026-11-23", "2026-12-09"),
    ("征集时间：2026.11.23-2026.12.09", "2026-11-23", "2026-12-09"),
    ("2026年11月23日—12月9日", "2026-11-23", "2026-12-09"),
    ("2026年11月23日至30日", "2026-11-23", "2026-11-30"),
    ("2026/11/23 ~ 2026/12/09", "2026-11-23", "2026-12-09"),
    ("2026-11-23 09:00到2026-12-09 18:00", "2026-11-23", "2026-12-09"),
    ("2026年12月20日—2027年1月10日", "2026-12-20", "2027-01-10"),
])
def test_date_ranges_read_as_their_start(text, start, end):
    found = date_in_text(text)
    assert (found["date"], found["end"]) == (start, end)
    assert resolve(found, date(2026, 11, 30)) == date.fromisoformat(start)


@pytest.mark.parametrize("text,want", [
    ("关于2025年工作总结的通知 2026-11-18", "2026-11-18"),  # a title date, then the row date
    ("2026-11-18 - 12", "2026-11-18"),  # a counter after a hyphen is no period end
    ("2026-12-09 至 2026-11-23", "2026-11-23"),  # backwards: not a period, last date as before
])
def test_not_ranges(text, want):
    found = date_in_text(text)
    assert found["date"] == want and "end" not in found


def test_year_implied_range_reads_its_start():
    found = date_in_text("[11-23 至 12-09]")
    assert found["md"] == "11-23" and found["end_md"] == "12-09"
