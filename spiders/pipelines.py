"""Persistence of what the spider hands over: pages go to the store, bodies to blobs.

The spider writes nothing itself: besides its pages and facts (``page``, ``column_page``,
``guide_page``, ``system_page``, ``letter``, ``item_date``), what it learns about the inspection
and the site's columns comes as items too — ``inspection_facts`` (fields of the inspection, e.g.
``freshness``), ``discovered_column`` (a column proposed from the homepage, upserted among the
site's columns) and ``column_dropped`` (a discovered column of an address the site has left).

A write that fails for good (after the store's own bounded retries) ends the crawl: the error is
written to the failure file ``xunjian inspect`` gave the crawl (``XUNJIAN_FAILURE_FILE``), to
standard error and, if the store still takes it, to the inspection; ``xunjian inspect`` then
marks the inspection ``failed`` and never scores it. No page is ever dropped silently.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from xunjian.base.config import Config
from xunjian.storage import StoreError, open_store


def report_store_failure(crawler, store, inspection_id: str | None, exc: BaseException) -> None:
    """Say a store write failed (failure file, stderr, the inspection if possible); stop."""
    message = f"store write failed: {type(exc).__name__}: {exc}"[:2000]
    path = Config.from_scrapy(crawler.settings).failure_file if crawler else None
    if path:
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(message + "\n")
    print(f"xunjian crawl: {message}", file=sys.stderr, flush=True)
    if store is not None and inspection_id:
        try:
            store.update_inspection(inspection_id, store_error=message)
        except StoreError:
            pass  # the failure file and the exit status carry it
    engine = getattr(crawler, "engine", None)
    if engine is not None and getattr(engine, "spider", None) is not None \
            and not getattr(crawler, "_xunjian_closing", False):
        crawler._xunjian_closing = True
        asyncio.get_event_loop().create_task(engine.close_spider_async(reason="store_failed"))

#: Items that are no page: fields of the inspection, a column found, a column left behind.
INSPECTION_FACTS = "inspection_facts"
DISCOVERED_COLUMN = "discovered_column"
COLUMN_DROPPED = "column_dropped"

#: Item types stored like column pages (HTML and screenshot as blobs) → their collection.
BLOB_COLLECTIONS = {"guide_page": "guide_pages", "system_page": "system_pages"}


class StorePipeline:
    """Writes page items: rendered HTML and screenshots as content-addressed blobs."""

    def __init__(self, store_url: str | None, crawler=None):
        self.store_url = store_url
        self.store = None
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(Config.from_scrapy(crawler.settings).store, crawler)

    def open_spider(self, spider=None):
        self.store = open_store(self.store_url)

    def close_spider(self, spider=None):
        if self.store is not None:
            self.store.close()

    def process_item(self, item, spider=None):
        try:
            return self._store_item(item)
        except StoreError as exc:
            report_store_failure(self.crawler, self.store, item.get("inspection"), exc)
            raise

    def _store_item(self, item):
        if item.get("type") == INSPECTION_FACTS:
            self.store.update_inspection(item["inspection"], **item["facts"])
            return item
        if item.get("type") == DISCOVERED_COLUMN:
            column = item["column"]
            self.store.upsert("columns", {"site": column["site"], "url": column["url"],
                                          "source": "discovered"}, column)
            return item
        if item.get("type") == COLUMN_DROPPED:
            self.store.delete("columns", id=item["id"])
            return item
        if item.get("type") == "column_page":
            return self._column_page(item)
        if item.get("type") in BLOB_COLLECTIONS:
            return self._column_page(item, BLOB_COLLECTIONS[item["type"]])
        if item.get("type") == "letter":
            self.store.insert("letters", {k: v for k, v in item.items() if k != "type"})
            return item
        if item.get("type") == "item_date":
            self.store.insert("item_dates", {k: v for k, v in item.items() if k != "type"})
            return item
        if item.get("type") != "page":
            return item
        doc = {k: v for k, v in item.items() if k not in ("type", "html_text", "screenshot_png")}
        html = item.get("html_text")
        doc["html"] = self.store.put_blob(html.encode("utf-8"), "text/html; charset=utf-8") \
            if html else None
        shot = item.get("screenshot_png")
        doc["screenshot"] = self.store.put_blob(shot, "image/png") if shot else None
        self.store.add_page(doc)
        return item

    def _column_page(self, item, collection: str = "column_pages"):
        """A rendered column page (freshness facts) → collection ``column_pages``."""
        doc = {k: v for k, v in item.items() if k not in ("type", "html_text", "screenshot_png")}
        html = item.get("html_text")
        doc["html"] = self.store.put_blob(html.encode("utf-8"), "text/html; charset=utf-8") \
            if html else None
        shot = item.get("screenshot_png")
        doc["screenshot"] = self.store.put_blob(shot, "image/png") if shot else None
        self.store.insert(collection, doc)
        return item
