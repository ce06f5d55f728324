"""Stages call down, never up (issue 20 §1): the site spider fetches and hands items over, the
store pipeline writes them, and the finishing is its own stage — a Scrapy extension on
``spider_closed`` listed in the settings — that stores the crawl's facts and then finishes the
inspection. The spider itself writes nothing to the store and imports nothing of the runner."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest
from scrapy.settings import Settings

import xunjian.settings as project_settings
from xunjian.inspection import extension
from xunjian.inspection.extension import FinishInspection
from xunjian.spiders import site as site_module
from xunjian.spiders.frontier import Frontier
from xunjian.spiders.pipelines import (
    COLUMN_DROPPED,
    DISCOVERED_COLUMN,
    INSPECTION_FACTS,
    StorePipeline,
)
from xunjian.spiders.site import SiteSpider
from xunjian.storage import EmbeddedStore, StoreUnavailableError

ROOT = Path(__file__).resolve().parent.parent
CODE = "4127250021"
HOME, OLD = "http://127.0.0.1:8101/", "http://127.0.0.1:8909/"
#: What the store offers for writing (storage/base.py); the spider may only read.
WRITES = {"insert", "insert_many", "update", "upsert", "delete", "put_blob", "upsert_site",
          "replace_columns", "create_inspection", "update_inspection", "add_page",
          "add_link_results", "replace_findings", "add_review"}


def _spider_modules():
    return [p for p in (ROOT / "spiders").glob("*.py") if p.name != "pipelines.py"]


def test_no_spider_module_calls_a_store_write():
    calls = []
    for path in _spider_modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Attribute) \
                    and node.func.value.attr == "store" and node.func.attr in WRITES:
                calls.append(f"{path.name}:{node.lineno} .store.{node.func.attr}")
    assert calls == [], "the spider writes through items and StorePipeline:\n" + "\n".join(calls)


def test_spiders_import_nothing_from_the_stages_above_them():
    above = []
    for path in (ROOT / "spiders").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    ("xunjian.inspection", "xunjian.probes", "xunjian.alerts", "xunjian.reports",
                     "xunjian.review", "xunjian.workqueue", "xunjian.cli")):
                above.append(f"{path.name}:{node.lineno} {node.module}")
    assert above == []


def test_the_finishing_is_an_extension_listed_in_the_settings():
    assert project_settings.EXTENSIONS == {"xunjian.inspection.extension.FinishInspection": 500}
    assert not hasattr(SiteSpider, "closed")  # the spider no longer finishes anything itself


class ReadOnlyStore:
    """The store as the spider sees it: reads go through, a write fails the test."""

    def __init__(self, store) -> None:
        self._store = store

    def __getattr__(self, name):
        if name in WRITES:
            raise AssertionError(f"the spider wrote to the store: {name}")
        return getattr(self._store, name)


def _store(tmp_path) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / "store")
    store.upsert_site({"code": CODE, "name": "某某县人民政府", "url": HOME, "type": "门户网站"})
    store.replace_columns(CODE, [{"name": "通知公告", "type": "通知公告",
                                  "category": "信息公开类", "url": f"{HOME}tzgg/"}])
    # found from the site's old 首页网址, on no origin of the site now: to be dropped
    store.upsert("columns", {"site": CODE, "url": f"{OLD}xwdt/", "source": "discovered"},
                 {"site": CODE, "url": f"{OLD}xwdt/", "source": "discovered", "name": "政务动态",
                  "type": "工作动态", "category": "信息公开类", "home": OLD, "position": 1000})
    return store


def _spider(store, inspection: str | None = "insp-1") -> SiteSpider:
    spider = SiteSpider(site=CODE, inspection=inspection)
    spider.store = ReadOnlyStore(store)
    spider.frontier = Frontier(max_pages=50, max_depth=5)
    spider.render_depth, spider.max_rendered, spider.freshness = 0, 100, True
    spider.link_timeout, spider.item_pages = 15.0, 5
    spider.max_guides = spider.max_letters = spider.max_list_pages = 20
    return spider


async def _all(agen) -> list:
    return [out async for out in agen]


def test_the_spider_hands_its_store_writes_to_the_pipeline(tmp_path, monkeypatch):
    store = _store(tmp_path)
    inspection = store.create_inspection({"site": CODE, "status": "running"})
    spider = _spider(store, inspection)
    out = asyncio.run(_all(spider.start()))
    items = [x for x in out if isinstance(x, dict)]
    assert [x["type"] for x in items] == [INSPECTION_FACTS, COLUMN_DROPPED]
    assert [r.url for r in out if not isinstance(r, dict)] == [HOME, f"{HOME}tzgg/"]
    monkeypatch.setattr(site_module, "propose_columns", lambda links, known: [
        {"name": "政策文件", "type": "政策文件", "category": "信息公开类", "url": f"{HOME}zcwj/"}])
    found = list(spider._discover([]))
    assert found[0]["type"] == DISCOVERED_COLUMN and found[1].url == f"{HOME}zcwj/"

    pipeline = StorePipeline(None)
    pipeline.store = store
    for item in items + found[:1]:
        pipeline.process_item(item)
    assert store.get_inspection(inspection)["freshness"] is True
    assert sorted((c["source"], c["url"]) for c in store.columns(CODE)) == [
        ("discovered", f"{HOME}zcwj/"), ("registry", f"{HOME}tzgg/")]
    (column,) = [c for c in store.columns(CODE) if c["source"] == "discovered"]
    assert column["inspection"] == inspection and column["home"] == HOME


class Crawler:
    def __init__(self, tmp_path, **settings) -> None:
        self.settings = Settings({"XUNJIAN_STORE": str(tmp_path / "store"),
                                  "XUNJIAN_FAILURE_FILE": str(tmp_path / "crawl.failed"),
                                  "XUNJIAN_PROGRESS_FILE": "", **settings})


def _closed_spider(store, inspection):
    spider = _spider(store, inspection)
    spider.site = store.get_site(CODE)
    spider.frontier.admit(HOME, 0)
    spider.frontier.admit(f"{HOME}a.html", 1)
    return spider


@pytest.mark.parametrize(("reason", "mode", "finished"), [
    ("finished", "yes", True), ("closespider_pagecount", "yes", True),
    ("shutdown", "yes", False), ("store_failed", "yes", False), ("finished", "no", False)])
def test_the_extension_stores_the_crawl_then_finishes(tmp_path, monkeypatch, reason, mode,
                                                      finished):
    store = _store(tmp_path)
    inspection = store.create_inspection({"site": CODE, "status": "running"})
    seen = []

    async def finish_inspection(store_, inspection_id, progress=None, browser=None):
        # the crawl's facts are stored before the finishing starts
        seen.append(store_.get_inspection(inspection_id)["crawl"]["crawl_reason"])

    monkeypatch.setattr(extension, "finish_inspection", finish_inspection)
    stage = FinishInspection(Crawler(tmp_path))
    spider = _closed_spider(store, inspection)
    spider.finish_mode = mode
    stage.spider_opened(spider)
    asyncio.run(stage.spider_closed(spider, reason))
    crawl = store.get_inspection(inspection)["crawl"]
    assert crawl == spider.crawl_stats(reason) and crawl["crawl_reason"] == reason
    assert crawl["pages_seen"] == 2
    assert seen == ([crawl["crawl_reason"]] if finished else [])


def test_a_crawl_that_left_pages_unrendered_is_partial(tmp_path):
    spider = _closed_spider(_store(tmp_path), "insp-1")
    spider.render_left.append(f"{HOME}list.html")
    assert spider.crawl_stats("finished")["crawl_reason"] == "partial"
    assert spider.crawl_stats("finished")["closed_reason"] == "finished"


def test_the_extension_creates_the_record_of_a_spider_run_without_one(tmp_path):
    store = _store(tmp_path)
    spider = _spider(store, inspection=None)
    assert spider.finish_mode == "yes"
    FinishInspection(Crawler(tmp_path)).spider_opened(spider)
    (inspection,) = store.inspections(CODE)
    assert spider.inspection_id == inspection["id"] and inspection["status"] == "running"


def test_a_failed_finishing_goes_to_the_failure_file(tmp_path, monkeypatch):
    store = _store(tmp_path)
    inspection = store.create_inspection({"site": CODE, "status": "running"})

    async def finish_inspection(*args, **kwargs):
        raise StoreUnavailableError("gave up after 6 attempts")

    monkeypatch.setattr(extension, "finish_inspection", finish_inspection)
    stage = FinishInspection(Crawler(tmp_path))
    spider = _closed_spider(store, inspection)
    spider.finish_mode = "yes"  # as xunjian inspect and the auditor's crawl ask
    stage.spider_opened(spider)
    asyncio.run(stage.spider_closed(spider, "finished"))
    assert (tmp_path / "crawl.failed").read_text("utf-8").startswith(
        "the store failed, the inspection is not scored: ")
