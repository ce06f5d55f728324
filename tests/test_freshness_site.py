"""Freshness end to end: a fixture site (tests/sites/freshness, served on 127.0.0.1) is inspected
with Chromium; per-column status, points and reproducible re-scoring are asserted.

Columns (附件4) and what each exercises:
工作动态 JS list from inline JSON (fresh) · 部门动态 JS table from a fetch() API (fresh) ·
通知公告 list inside an iframe, 2026年11月18日 in brackets (fresh) · 政策文件 GBK without charset,
year-implied [05-21] = exactly 183 days before as-of (fresh; one day later stale) ·
规划计划 undated list whose article pages say 发布时间 (fresh) · 人事信息 undated everywhere
(undated: awaits a reviewer, issue 19 §3; it was stale before) · 公示公告 blank page ·
乡镇动态 pinned old item on top, newest 36 days old (stale) ·
其他 a column page that is a 404 (unreachable) · 公告公示 paginated, its first page only
undated items: 下一页 is followed (fresh) · 基层动态 drawn by a timer 1.2 s after load, when the
network is long quiet (fresh, not blank). The homepage navigation also links 在线访谈, a
type the registry does not list: it is discovered, inspected and reported as discovered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import xunjian

from xunjian.demo.server import DemoServer
from xunjian.scoring import validate_card
from xunjian.storage import open_store

pytestmark = pytest.mark.browser

SITE_ROOT = Path(__file__).parent / "sites" / "freshness"
CODE = "9999000077"

COLUMNS = [  # (内容类别, 栏目类型, 名称, path, expected status at 2026-11-20)
    ("信息公开类", "工作动态", "工作动态", "/col/dt-inline.html", "fresh"),
    ("信息公开类", "工作动态", "部门动态", "/col/dt-api.html", "fresh"),
    ("信息公开类", "通知公告", "通知公告", "/col/tzgg-frame.html", "fresh"),
    ("信息公开类", "政策文件", "政策文件", "/gbk/zcwj.html", "fresh"),
    ("信息公开类", "规划计划", "规划计划", "/col/ghjh.html", "fresh"),
    ("信息公开类", "人事信息", "人事信息", "/col/rsxx.html", "undated"),
    ("信息公开类", "通知公告", "公示公告", "/col/blank.html", "blank"),
    ("信息公开类", "工作动态", "乡镇动态", "/col/dt-stale.html", "stale"),
    ("信息公开类", "其他", "统计数据", "/col/missing.html", "unreachable"),
    ("信息公开类", "通知公告", "公告公示", "/col/fenye.html", "fresh"),
    ("信息公开类", "工作动态", "基层动态", "/col/dt-late.html", "fresh"),
]


def registry(folder: Path, url: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    sites = folder / "sites.csv"
    sites.write_text(
        "网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\n"
        f"{CODE},测试省测试市,测试市人民政府门户网站,门户网站,{url},测试市人民政府办公室\n",
        encoding="utf-8-sig")
    base = url.rstrip("/")
    rows = "".join(f"{CODE},{cat},{kind},{name},{base}{path}\n"
                   for cat, kind, name, path, _ in COLUMNS)
    columns = folder / "columns.csv"
    columns.write_text("网站标识码,内容类别,栏目类型,栏目(系统)名称,栏目(系统)地址\n" + rows,
                       encoding="utf-8-sig")
    return [sites, columns]


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("freshness")
    store_dir = tmp / "store"
    with DemoServer(root=SITE_ROOT) as server:
        imported = xunjian("registry", "import", *map(str, registry(tmp / "reg", server.url)),
                           store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        env = {"XUNJIAN_LINK_TIMEOUT": "1.5", "XUNJIAN_FRESHNESS": "1",
               "XUNJIAN_MAX_PAGES": "40"}
        run = xunjian("inspect", CODE, "--as-of", "2026-11-20", "--json", str(tmp / "card.json"),
                      store=store_dir, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        card = json.loads((tmp / "card.json").read_text("utf-8"))
        yield {"card": card, "store_dir": store_dir, "server": server}


def statuses(card: dict) -> dict[str, dict]:
    return {c["name"]: c for c in card["facts"]["freshness"]["columns"]}


def deduction(card: dict, ident: str) -> dict:
    return next(d for d in card["deductions"] if d["id"] == ident)


def test_every_column_gets_its_status(inspected):
    found = statuses(inspected["card"])
    discovered = found.pop("在线访谈")
    assert {n: s["status"] for n, s in found.items()} == {n: st for _, _, n, _, st in COLUMNS}
    assert discovered["source"] == "discovered" and discovered["type"] == "互动访谈类栏目"
    assert discovered["newest"]["date"] == "2026-09-10"  # inspected, but not a 信息公开类 column
    assert found["工作动态"]["newest"]["date"] == "2026-11-19"  # drawn from inline JSON
    assert found["部门动态"]["newest"]["date"] == "2026-11-13"  # drawn from a fetch() API
    assert found["通知公告"]["newest"]["date"] == "2026-11-18"  # inside an iframe
    assert found["政策文件"]["newest"]["title"].startswith("测试市人民政府关于印发")  # GBK decoded
    assert found["政策文件"]["newest"]["date"] == "2026-05-21"  # [05-21]: year from as-of
    assert found["规划计划"]["newest"]["date_from"] == "page"  # 发布时间 on the article page
    assert found["乡镇动态"]["newest"]["date"] == "2026-10-15"  # not the pinned 2024 item
    assert found["人事信息"]["undated"] == 3 and found["人事信息"]["newest"] is None
    assert found["公告公示"]["newest"]["date"] == "2026-10-01"  # read on page 2


def test_points_and_evidence(inspected):
    card = inspected["card"]
    basic = deduction(card, "updates.basic_info")
    assert basic["checked"] and basic["points"] == 7.0  # blank 通知公告 4 + 动态 3; 人事 awaits
    undated = next(f for f in card["findings"] if f["kind"] == "undated_column")
    assert undated["evidence"]["column_name"] == "人事信息" and undated["needs_review"]
    assert undated["points"] == 0.0 and undated["id"] in card["awaiting_review"]
    home = deduction(card, "updates.homepage")
    assert home["checked"] and home["points"] == 5.0  # 7 items in the 14 days
    assert card["facts"]["freshness"]["homepage"]["count"] == 7  # one dated on its own page
    assert not [v for v in card["vetoes"] if v["id"] in ("veto.not_updated",
                                                         "veto.columns_stale")]
    assert "veto.not_updated" not in card["unchecked"]
    assert "veto.columns_stale" not in card["unchecked"]
    findings = [f for f in card["findings"] if f["indicator"] == "updates.basic_info"]
    with open_store(str(inspected["store_dir"])) as store:
        for f in findings:
            assert store.get_blob(f["evidence"]["screenshot"])[:4] == b"\x89PNG"
        # derived from the stored facts by the card (the review app shows the card), never stored
        stored = store.findings(card["inspection"])
        assert findings and not {f["id"] for f in findings} & {f["id"] for f in stored}
        # the inspection list's count is the card's, at the inspection's own as-of
        assert store.get_inspection(card["inspection"])["stats"]["findings"] == len(
            card["findings"])
    stale = next(f for f in findings if f["evidence"]["column_name"] == "乡镇动态")
    assert stale["evidence"]["newest"]["url"].endswith("/art/s1.html")
    assert "2026-10-15" in stale["detail"]
    validate_card(card)


def test_rescoring_another_as_of_needs_no_recrawl(inspected):
    store_dir, card = inspected["store_dir"], inspected["card"]
    hits = len(inspected["server"].hits)
    same = xunjian("report", "card", CODE, "--as-of", "2026-11-20", "--json", "-",
                   store=store_dir)
    assert same.returncode == 0, same.stderr
    assert json.loads(same.stdout) == card
    later = json.loads(xunjian("report", "card", CODE, "--as-of", "2026-11-21", "--json", "-",
                               store=store_dir).stdout)
    assert statuses(later)["政策文件"]["status"] == "stale"  # 184 days: just outside
    assert deduction(later, "updates.basic_info")["points"] == 11.0
    assert later["facts"]["freshness"]["homepage"]["count"] == 6  # 11-06 fell out
    assert len(inspected["server"].hits) == hits  # nothing fetched again


def test_discovered_columns_can_be_exported_in_the_census_layout(inspected):
    out = xunjian("registry", "discovered", CODE, "--csv", "-", store=inspected["store_dir"])
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].lstrip("\ufeff") == "网站标识码,内容类别,栏目类型,栏目(系统)名称,栏目(系统)地址"
    assert lines[1].startswith(f"{CODE},互动回应类,互动访谈类栏目,在线访谈,http://127.0.0.1:")
    assert len(lines) == 2


def test_a_splash_homepage_counts_its_second_level_pages(tmp_path):
    """tests/sites/splash: a homepage that is only a navigation entry; its second-level pages
    (one list drawn by JavaScript) carry 9 items dated in the 14 days (10 is the bar)."""
    store_dir = tmp_path / "store"
    with DemoServer(root=Path(__file__).parent / "sites" / "splash") as server:
        sites = tmp_path / "sites.csv"
        sites.write_text("网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\n"
                         f"9999000078,测试县,测试县人民政府网站,门户网站,{server.url},县政府办\n",
                         encoding="utf-8-sig")
        assert xunjian("registry", "import", str(sites), store=store_dir).returncode == 0
        run = xunjian("inspect", "9999000078", "--as-of", "2026-11-20", "--json",
                      str(tmp_path / "card.json"), store=store_dir,
                      env={"XUNJIAN_LINK_TIMEOUT": "1.5", "XUNJIAN_FRESHNESS": "1"})
    assert run.returncode == 0, run.stdout + run.stderr
    card = json.loads((tmp_path / "card.json").read_text("utf-8"))
    homepage = card["facts"]["freshness"]["homepage"]
    assert homepage["splash"] is True
    assert homepage["count"] == 9  # 6 drawn by JavaScript (11-06 … 11-19) + 3 in a table
    assert deduction(card, "updates.homepage")["points"] == 5.0
    assert not [v for v in card["vetoes"] if v["id"] == "veto.not_updated"]
    discovered = {c["name"]: c for c in card["facts"]["freshness"]["columns"]}
    assert discovered["办事服务"]["source"] == "discovered"  # no registered columns at all
    assert discovered["办事服务"]["status"] == "blank"  # but 办事服务类: not a stale column
    assert deduction(card, "updates.basic_info")["points"] == 0
