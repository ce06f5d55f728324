"""One Chromium for the crawl's http and https pages.

Scrapy builds one download handler per URL scheme, and each scrapy-playwright handler launches
its own browser when the crawl starts: two Chromiums (start-up time, memory) for one crawl, one
of them usually idle. This handler is built once per crawl and serves both schemes.
"""

from __future__ import annotations

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, one instance (one browser) per crawler for every scheme."""

    _closed = False

    @classmethod
    def from_crawler(cls, crawler):
        shared = getattr(crawler, "_xunjian_browser_handler", None)
        if shared is None:
            shared = cls(crawler)
            crawler._xunjian_browser_handler = shared
        return shared

    async def close(self) -> None:  # called once per scheme: close once
        if self._closed:
            return
        self._closed = True
        await super().close()
