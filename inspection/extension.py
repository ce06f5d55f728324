"""The finishing stage of a site crawl, as a Scrapy extension (``EXTENSIONS`` in xunjian/settings.py).

The site spider only fetches and hands pages over (spiders/site.py); the inspection it crawls for
is this stage's: ``FinishInspection`` creates its record when the spider was given none, stores
what the crawl saw and left (``crawl``: spiders.frontier.crawl_cut reads it) once the spider
closes — after the item pipelines have stored the last page, since Scrapy closes them before it
sends ``spider_closed`` — and then finishes the inspection (inspection/finish.py
``finish_inspection``: link checks, browser phase, findings) in the crawl's own Chromium: one
browser per inspection, for ``xunjian inspect``'s crawl and the auditor's ``scrapy crawl site``
alike. A crawl stopped (SIGTERM/Ctrl-C) or whose store failed is never finished; a finishing that
fails says so in the failure file (``XUNJIAN_FAILURE_FILE``), which fails the inspection; the
progress file (``XUNJIAN_PROGRESS_FILE``) shows the link and browser stages to ``xunjian
inspect``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import CloseSpider

from xunjian.base.config import Config
from xunjian.inspection.finish import finish_inspection
from xunjian.inspection.shared import now_iso
from xunjian.spiders.pipelines import report_store_failure
from xunjian.spiders.site import SiteSpider
from xunjian.storage import StoreError, open_store

#: Why a crawl ended when it must not be finished: stopped (SIGTERM/Ctrl-C) or its store failed.
UNFINISHED_REASONS = ("shutdown", "store_failed")


class FinishInspection:
    """Owns the site spider's inspection record in the crawl process: created when the spider
    opens without one, its crawl facts stored and the inspection finished when it closes."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.store = None

    @classmethod
    def from_crawler(cls, crawler):
        stage = cls(crawler)
        crawler.signals.connect(stage.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(stage.spider_closed, signal=signals.spider_closed)
        return stage

    def spider_opened(self, spider) -> None:
        if not isinstance(spider, SiteSpider):
            return  # another spider: no inspection of it
        try:
            self.store = open_store(Config.from_scrapy(self.crawler.settings).store)
            if not spider.inspection_id:  # run by hand without one (xunjian inspect gives one)
                if self.store.get_site(spider.site_code) is None:
                    return  # the spider says the site is unknown, and crawls nothing
                spider.inspection_id = self.store.create_inspection(
                    {"site": spider.site_code, "started_at": now_iso(), "status": "running",
                     "as_of": None, "checks": {}})
        except StoreError as exc:
            _crawl_failed(self.crawler.settings,
                          f"store write failed: {type(exc).__name__}: {exc}")
            raise CloseSpider("store_failed") from exc

    async def spider_closed(self, spider, reason: str) -> None:
        if not isinstance(spider, SiteSpider) or self.store is None:
            return
        try:
            if spider.inspection_id:
                try:
                    self.store.update_inspection(spider.inspection_id,
                                                 crawl=spider.crawl_stats(reason))
                except StoreError as exc:
                    report_store_failure(self.crawler, None, spider.inspection_id, exc)
            if spider.finish_mode == "yes" and getattr(spider, "site", None) \
                    and reason not in UNFINISHED_REASONS:
                await self.finish(spider)
        finally:
            self.store.close()

    async def finish(self, spider) -> None:
        """Finish the spider's inspection in the crawl's own browser; a failure goes to the
        failure file, the finishing's progress to the progress file."""
        settings = self.crawler.settings
        handler = getattr(self.crawler, "_xunjian_browser_handler", None)
        browser = None
        if handler is not None:
            try:
                browser = await handler.shared_browser()
            except Exception as exc:  # noqa: BLE001 - the finishing launches its own instead
                spider.logger.warning("the crawl's browser is not usable for the finishing "
                                      "(%s); launching one", exc)
        progress_path = Config.from_scrapy(settings).progress_file
        seen: dict = {"crawl": store_count(self.store, spider.inspection_id)}

        def progress(stage: str, done: int, total) -> None:
            seen[stage] = [done, total]
            if progress_path:
                try:
                    Path(progress_path).write_text(json.dumps(seen), "utf-8")
                except OSError:
                    pass  # only a progress bar

        try:
            await finish_inspection(self.store, spider.inspection_id, progress, browser)
        except StoreError as exc:
            _crawl_failed(settings, f"the store failed, the inspection is not scored: {exc}")
        except Exception as exc:  # a fault of the tool: logged with its traceback, then failed
            spider.logger.exception("finishing the inspection failed")
            _crawl_failed(settings,
                          f"finishing the inspection failed: {type(exc).__name__}: {exc}")


def store_count(store, inspection_id: str) -> int | None:
    try:
        return store.count_pages(inspection_id)
    except StoreError:
        return None


def _crawl_failed(settings, message: str) -> None:
    path = Config.from_scrapy(settings).failure_file
    if path:
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(message[:2000] + "\n")
    print(f"xunjian crawl: {message}", file=sys.stderr, flush=True)
