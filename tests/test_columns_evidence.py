"""Issue 9, cause 6: every stale and every blank column is its own finding — screenshot, newest
item (title, URL, date), window — also where updates.basic_info gives it no points
(机构设置及职能, 其他, blank columns of 办事服务类/互动回应类); veto.columns_stale lists exactly
the columns that fire its rule, and stands only while enough of those findings stand.

Fixture: column list pages of a county site in three CMS looks (tests/data/columns_cms: TRS
``./202610/t20261030_100.html`` lists, 大汉 ``/art/2026/11/18/art_1234_5000.html`` div.list-item,
an inline-styled table with 2026年09月01日 dates, empty lists saying 暂无信息), read by the list
extractor, then judged at as-of 2026-11-20.
"""

from __future__ import annotations

from pathlib import Path

from xunjian.inspectors.freshness import freshness_findings
from xunjian.inspectors.lists import extract_items
from xunjian.scoring import score_card, validate_card

DATA = Path(__file__).parent / "data" / "columns_cms"
SITE = {"code": "4113000123", "name": "某某县人民政府", "url": "http://www.xx.gov.cn/"}
AS_OF = "2026-11-20"
COLUMNS = [  # (file, 内容类别, 栏目类型, 栏目名称)
    ("bmdt", "信息公开类", "工作动态", "部门动态"),        # stale: newest 10-30 (> 14 d)
    ("xzdt", "信息公开类", "工作动态", "乡镇动态"),        # fresh: 11-18
    ("gsgg", "信息公开类", "通知公告", "公示公告"),        # stale: 03-02 (> 183 d)
    ("gfxwj", "信息公开类", "政策文件", "规范性文件"),     # fresh: 2026年09月01日
    ("jgzn", "信息公开类", "机构设置及职能", "机构职能"),  # stale: 2024-06-01 (> 365 d), 0 points
    ("ztzl", "其他", "其他", "专题专栏"),                  # stale: 2025-01-15, 0 points
    ("fzgh", "信息公开类", "规划计划", "发展规划"),        # blank: 5 points
    ("rsrm", "信息公开类", "人事信息", "人事任免"),        # 404: awaits a reviewer
    ("bszn", "办事服务类", "办事指南类栏目", "办事指南"),  # blank, 0 points
    ("wsdc", "互动回应类", "调查征集类栏目", "网上调查"),  # blank, 0 points
    ("tjsj", "信息公开类", "其他", "统计数据"),            # blank, 0 points
    ("tzgg", "信息公开类", "通知公告", "通知公告"),        # blank: 4 points
]
HOME = {"url": SITE["url"], "is_home": True, "depth": 0, "status": 200, "error": None,
        "screenshot": "e" * 64, "links": [],
        "items": [{"title": f"首页信息{i}", "url": f"http://www.xx.gov.cn/h/{i}.html",
                   "date": {"text": "2026-11-19", "date": "2026-11-19"}} for i in range(12)]}
CHECKED = {"updates.basic_info": True, "veto.columns_stale": True, "updates.homepage": True,
           "veto.not_updated": True}


def column_pages() -> list[dict]:
    pages = []
    for n, (stem, category, kind, name) in enumerate(COLUMNS):
        url = f"http://www.xx.gov.cn/{stem}/index.html"
        path = DATA / f"{stem}.html"
        status = 200 if path.exists() else 404
        items = extract_items(path.read_text("utf-8"), url) if path.exists() else []
        pages.append({"column": {"type": kind, "name": name, "url": url, "category": category,
                                 "source": "registry"},
                      "url": url, "final_url": url, "status": status, "error": None,
                      "items": items, "screenshot": f"{n:02d}" * 32})
    return pages


def by_column(findings):
    return {f["evidence"]["column_name"]: f for f in findings
            if f["indicator"] == "updates.basic_info"}


def test_one_finding_per_stale_or_blank_column_with_its_evidence():
    findings, _ = freshness_findings(SITE, [HOME], column_pages(), [], AS_OF)
    found = by_column(findings)
    assert {name: (f["rule"], f["kind"]) for name, f in found.items()} == {
        "部门动态": ("工作动态", "stale_column"),
        "公示公告": ("通知公告", "stale_column"),
        "机构职能": ("机构设置及职能", "stale_column"),
        "专题专栏": ("其他", "stale_column"),
        "发展规划": ("规划计划", "blank_column"),
        "人事任免": ("人事信息", "unreachable_column"),
        "办事指南": ("空白栏目", "blank_column"),
        "网上调查": ("空白栏目", "blank_column"),
        "统计数据": ("其他", "blank_column"),
        "通知公告": ("通知公告", "blank_column"),
    }
    jg = found["机构职能"]["evidence"]
    assert jg["window_days"] == 365 and jg["screenshot"] == "04" * 32
    assert jg["newest"] == {"title": "某某县人民政府办公室主要职责内设机构和人员编制规定",
                            "url": "http://www.xx.gov.cn/jgzn/202406/t20240601_100.html",
                            "date": "2024-06-01", "date_text": "2024-06-01", "date_from": "list"}
    zt = found["专题专栏"]
    assert zt["evidence"]["newest"]["date"] == "2025-01-15" and "365天内未更新" in zt["detail"]
    assert found["公示公告"]["evidence"]["newest"]["url"] == \
        "http://www.xx.gov.cn/art/2026/3/2/art_1234_5000.html"
    blank = found["网上调查"]["evidence"]
    assert blank["status"] == "blank" and blank["screenshot"] == "09" * 32
    assert all(f["evidence"]["screenshot"] for f in found.values())


def test_points_and_the_veto_lists_exactly_its_columns():
    findings, _ = freshness_findings(SITE, [HOME], column_pages(), [], AS_OF)
    card = score_card(SITE, findings, [], CHECKED, AS_OF)
    validate_card(card)
    points = {f["evidence"]["column_name"]: f["points"] for f in card["findings"]
              if f["indicator"] == "updates.basic_info"}
    assert points == {"部门动态": 3.0, "公示公告": 4.0, "机构职能": 0.0, "专题专栏": 0.0,
                      "发展规划": 5.0, "人事任免": 0.0, "办事指南": 0.0, "网上调查": 0.0,
                      "统计数据": 0.0, "通知公告": 4.0}
    assert next(d["points"] for d in card["deductions"] if d["id"] == "updates.basic_info") == 16
    # (a) 3 < 5 and (b) 7 < 10 stay silent; (c) 5 blank columns fire
    vetoes = [f for f in card["findings"] if f["indicator"] == "veto.columns_stale"]
    assert [v["rule"] for v in vetoes] == ["c"]
    names = [c["name"] for c in vetoes[0]["evidence"]["columns"]]
    assert sorted(names) == sorted(["发展规划", "办事指南", "网上调查", "统计数据", "通知公告"])
    ids = {name: f["id"] for name, f in by_column(findings).items()}
    assert vetoes[0]["evidence"]["supporting"] == [ids[n] for n in names]
    assert [v["id"] for v in card["vetoes"]] == ["veto.columns_stale"]
    assert card["vetoes"][0]["supporting"] == [ids[n] for n in names]
    assert card["verdict"] == "不合格" and card["score"] is None


def test_rejecting_one_blank_column_lifts_the_veto():
    findings, _ = freshness_findings(SITE, [HOME], column_pages(), [], AS_OF)
    survey = by_column(findings)["网上调查"]["id"]
    review = {"finding": survey, "verdict": "rejected", "at": "2026-11-21T09:00:00+08:00",
              "reviewer": "审核员"}
    card = score_card(SITE, findings, [review], CHECKED, AS_OF)
    assert card["vetoes"] == []
    veto = next(f for f in card["findings"] if f["indicator"] == "veto.columns_stale")
    assert veto["counts"] is False and len(veto["supporting_standing"]) == 4
    assert card["verdict"] == "合格" and card["score"] == 84.0


def test_ten_stale_columns_of_zero_point_types_fire_b_with_exactly_them():
    every = column_pages()
    pages, old = every[:2], every[4]  # 部门动态 stale, 乡镇动态 fresh; 机构职能 of 2024-06-01
    for i in range(5):
        pages.append({**old, "column": {**old["column"], "type": "机构设置及职能",
                                        "name": f"机构{i}", "url": f"http://x/jg{i}/"}})
        pages.append({**old, "column": {**old["column"], "type": "其他", "category": "其他",
                                        "name": f"专题{i}", "url": f"http://x/zt{i}/"}})
    findings, _ = freshness_findings(SITE, [HOME], pages, [], AS_OF)
    vetoes = [f for f in findings if f["indicator"] == "veto.columns_stale"]
    assert [v["rule"] for v in vetoes] == ["b"]
    assert len(vetoes[0]["evidence"]["columns"]) == 11
    assert "乡镇动态" not in vetoes[0]["detail"] and "专题4" in vetoes[0]["detail"]
    card = score_card(SITE, findings, [], CHECKED, AS_OF)
    assert next(d["points"] for d in card["deductions"] if d["id"] == "updates.basic_info") == 3
    assert card["vetoes"][0]["reason"] == "应更新但长期未更新的栏目数超过（含）10个"


def test_reports_name_each_column_under_the_veto():
    import io

    from openpyxl import load_workbook
    from rich.console import Console

    from xunjian.reports.text import print_card
    from xunjian.reports.xlsx import card_workbook

    findings, _ = freshness_findings(SITE, [HOME], column_pages(), [], AS_OF)
    card = score_card(SITE, findings, [], CHECKED, AS_OF)
    out = io.StringIO()
    print_card(card, Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    # not a terminal: one tab-separated `veto-finding` record per column the veto rests on
    lines = [x for x in text.splitlines() if x.startswith("veto-finding\tveto.columns_stale\t")]
    assert len(lines) == 5 and any("空白栏目「网上调查」" in x for x in lines)
    assert all("wsdc" in x or "网上调查" not in x for x in lines)
    sheet = load_workbook(io.BytesIO(card_workbook(card)))["评分表"]
    cell = next(row[2].value for row in sheet.iter_rows() if row[1].value == "栏目不更新")
    assert cell.count("空白栏目「") == 5 and "http://www.xx.gov.cn/bszn/index.html" in cell
