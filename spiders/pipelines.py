"""Persistence of what the spider hands over: pages go to the store, bodies to blobs."""

from __future__ import annotations

from storage import open_store

#: Item types stored like column pages (HTML and screenshot as blobs) → their collection.
BLOB_COLLECTIONS = {"guide_page": "guide_pages", "system_page": "system_pages"}


class StorePipeline:
    """Writes page items: rendered HTML and screenshots as content-addressed blobs."""

    def __init__(self, store_url: str | None):
        self.store_url = store_url
        self.store = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("XUNJIAN_STORE") or None)

    def open_spider(self, spider=None):
        self.store = open_store(self.store_url)

    def close_spider(self, spider=None):
        if self.store is not None:
            self.store.close()

    def process_item(self, item, spider=None):
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
