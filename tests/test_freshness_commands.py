"""`xunjian extract`, `xunjian registry discovered` and column discovery (pure parts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from xunjian.inspectors.discovery import classify, propose_columns
from xunjian.storage import open_store
from xunjian.cli import StoreContext
from xunjian.commands_freshness import discovered, extract

LISTS = Path(__file__).parent / "data" / "lists"


def test_extract_a_saved_page_as_json():
    result = CliRunner().invoke(extract, [str(LISTS / "brackets_year_implied.html"),
                                          "--as-of", "2026-11-20", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [x["date"] for x in doc["items"]] == ["2026-11-18", "2026-11-09", "2025-12-30"]
    assert doc["items"][0]["title"] == "我市召开安全生产专题会议部署冬季工作"
    assert doc["items"][0]["date_text"] == "11-18" and doc["page_date"] is None
    assert set(doc) >= {"url", "page_date", "items", "guide_elements"}


def test_extract_reads_year_implied_dates_against_as_of_and_says_why():
    result = CliRunner().invoke(extract, [str(LISTS / "year_implied_new_year.html"),
                                          "--as-of", "2027-01-05"])
    assert result.exit_code == 0, result.output
    assert "2027-01-03 (01-03)" in result.output and "2026-12-29 (12-29)" in result.output
    bad = CliRunner().invoke(extract, [str(LISTS / "missing.html")])
    assert bad.exit_code != 0 and "no such file" in bad.output


def test_classify_column_names():
    assert classify("通知公告") == ("通知公告", "信息公开类")
    assert classify("公示公告") == ("通知公告", "信息公开类")
    assert classify("要闻动态") == ("工作动态", "信息公开类")
    assert classify("政策法规") == ("政策文件", "信息公开类")
    assert classify("人事任免") == ("人事信息", "信息公开类")
    assert classify("领导信箱") == ("政务咨询类栏目", "互动回应类")
    assert classify("意见征集") == ("调查征集类栏目", "互动回应类")
    assert classify("在线访谈") == ("互动访谈类栏目", "互动回应类")
    assert classify("办事指南") == ("办事指南类栏目", "办事服务类")
    assert classify("首页") is None and classify("关于做好冬季安全生产工作的通知") is None


def test_propose_only_types_the_registry_lacks():
    links = [{"url": "http://a/tzgg/", "text": "通知公告", "kind": "page", "external": False,
              "tag": "a"},
             {"url": "http://a/ldxx/", "text": "领导信箱", "kind": "page", "external": False,
              "tag": "a"},
             {"url": "http://b/zxft/", "text": "在线访谈", "kind": "page", "external": True,
              "tag": "a"}]
    registered = [{"type": "通知公告", "url": "http://a/tz/"}]
    proposed = propose_columns(links, registered)
    assert [(c["type"], c["url"], c["source"]) for c in proposed] == [
        ("政务咨询类栏目", "http://a/ldxx/", "discovered")]


def test_registry_discovered_exports_the_census_layout(tmp_path):
    store_dir = tmp_path / "store"
    with open_store(str(store_dir)) as store:
        store.upsert_site({"code": "9999000088", "name": "测试网站", "url": "http://a/"})
        store.replace_columns("9999000088", [{"category": "信息公开类", "type": "通知公告",
                                              "name": "通知公告", "url": "http://a/tz/"}])
        for n, (kind, name) in enumerate([("工作动态", "要闻"), ("工作动态", "部门动态")]):
            store.insert("columns", {"site": "9999000088", "category": "信息公开类",
                                     "type": kind, "name": name, "url": f"http://a/{n}/",
                                     "source": "discovered", "position": 1000 + n})
    runner = CliRunner()
    out = runner.invoke(discovered, ["9999000088", "--csv", "-"],
                        obj=StoreContext(str(store_dir)))
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[1] == "9999000088,信息公开类,工作动态,要闻;部门动态,http://a/0/;http://a/1/"
    listed = runner.invoke(discovered, ["9999000088"], obj=StoreContext(str(store_dir)))
    assert "部门动态" in listed.output and "通知公告" not in listed.output
    unknown = runner.invoke(discovered, ["1"], obj=StoreContext(str(store_dir)))
    assert unknown.exit_code != 0 and "unknown site" in unknown.output


@pytest.mark.browser
def test_extract_renders_a_url_in_chromium_with_its_frames():
    from xunjian.demo.server import DemoServer

    site = Path(__file__).parent / "sites" / "freshness"
    with DemoServer(root=site) as server:
        out = CliRunner().invoke(extract, [server.url + "col/tzgg-frame.html", "--as-of",
                                           "2026-11-20", "--json"])
        page = CliRunner().invoke(extract, [server.url + "art/h1.html", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert [(x["date"], x["date_text"]) for x in doc["items"]] == [
        ("2026-11-18", "2026年11月18日"), ("2026-10-01", "2026年10月1日")]  # inside an iframe
    assert json.loads(page.output)["page_date"] == "2026-11-17"
