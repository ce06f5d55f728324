"""One Chromium per inspection: the crawl's http and https pages, and the finishing after it.

Scrapy builds one download handler per URL scheme, and each scrapy-playwright handler launches
its own browser when the crawl starts: two Chromiums (start-up time, memory) for one crawl, one
of them usually idle. This handler is built once per crawl and serves both schemes; the
inspection's finishing (browser re-checks, evidence screenshots: inspection/extension.py, the
crawl's finishing stage) runs at the end of the crawl in the same process and borrows its browser
(``shared_browser``).

A long crawl also recycles its browser context every ``XUNJIAN_CONTEXT_PAGES`` pages (200): the
context's pages, caches and scripts' leftovers go with it, so memory stays flat with pages. The
spider still asks for the context by its settings name (``inspect``); here that name maps to
its current generation (``inspect``, ``inspect#1``, …) with the same options. A generation
that has been given its pages takes no new ones and is closed once its last page is closed and
no request waits for one of its pages — whichever way the page closes (callback, errback,
crash, the handler itself).
"""

from __future__ import annotations

import asyncio
import logging
import os

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from xunjian.base.config import Config
from xunjian.browser.deadline import CLOSE_TIMEOUT, PageUnresponsive, abandon, step_timeout
from xunjian.browser.netpolicy import PolicyProxy

logger = logging.getLogger(__name__)

#: Playwright's driver (node) passes every page's screenshot through; with a 1 MB young
#: generation it collects them early instead of growing to ~130 MB (bench/README).
NODE_DRIVER_OPTIONS = "--max-semi-space-size=1"


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, one instance (one browser) per crawler for every scheme."""

    _closed = False

    def __init__(self, crawler) -> None:
        node = os.environ.get("NODE_OPTIONS", "")
        if "--max-semi-space-size" not in node:  # read when the driver starts, at first launch
            os.environ["NODE_OPTIONS"] = f"{node} {NODE_DRIVER_OPTIONS}".strip()
        super().__init__(crawler)
        self._crawler_ref = crawler
        # pages one browser context serves before a fresh one takes over
        self.context_pages = Config.from_scrapy(crawler.settings).context_pages
        self._generation: dict[str, int] = {}  # settings name → current generation
        self._served: dict[str, int] = {}  # context (generation) name → pages opened
        self._open: dict[str, set[int]] = {}  # context name → ids of its open pages
        self._waiting: dict[str, int] = {}  # context name → requests waiting for a page of it
        self._retired: set[str] = set()
        self.contexts_recycled = 0

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
        if self._proxy is not None:
            await self._proxy.close()

    # -- every browser request through the crawl's address policy (browser/netpolicy.py) --------

    _proxy = None

    async def _create_browser_context(self, name, context_kwargs, spider=None):
        # every context (the startup one too, made before the spider knows its site) sends its
        # requests through one proxy judging them by the crawling spider's policy
        if self._proxy is None:
            crawler = self._crawler_ref
            self._proxy = await PolicyProxy(
                lambda: getattr(getattr(crawler, "spider", None), "address_policy", None)).start()
        context_kwargs = {**(context_kwargs or {}), **self._proxy.context_options()}
        return await super()._create_browser_context(name, context_kwargs, spider)

    # -- a deadline that holds when the page's renderer is stuck ----------------------------------

    async def _download_request_with_page(self, request, page, spider):
        """scrapy-playwright's download on its page (goto, then the page's content), within the
        navigation timeout plus ``XUNJIAN_STEP_TIMEOUT``, counted from the page's creation (not
        while the request waits for a free page): reading a page whose script never yields
        waits for ever otherwise. Past it the page is abandoned and the request fails with
        ``PageUnresponsive`` (its errback stores 页面脚本无响应)."""
        nav = (self.config.navigation_timeout_ms or 30000) / 1000
        seconds = nav + step_timeout()
        try:
            return await asyncio.wait_for(
                super()._download_request_with_page(request, page, spider), seconds)
        except TimeoutError:
            request.meta.pop("playwright_page", None)
            logger.warning("%s: the rendered download did not end within %g s; page "
                           "abandoned", request.url, seconds)
            await abandon(page)
            raise PageUnresponsive("读取页面", request.url, seconds) from None

    # -- one browser for the finishing too ------------------------------------------------------

    async def shared_browser(self):
        """The crawl's browser (launched now if no page needed it yet), or None once closed.

        Called once the crawl is over: its contexts (caches, cookies, closed pages' leftovers)
        are closed first, so the finishing starts from a lean browser."""
        if self._closed:
            return None
        for wrapper in list(self.context_wrappers.values()):
            await self._close_context(wrapper.context)
        await self._maybe_launch_browser()
        return self.browser

    # -- context recycling ----------------------------------------------------------------------

    async def _create_page(self, request, spider):
        # a retried request carries the generation it was first given: back to its settings name
        name = (request.meta.get("playwright_context") or "").split("#", 1)[0]
        options = self.config.startup_context_kwargs.get(name) if name else None
        if options is None or self.context_pages <= 0:
            return await super()._create_page(request, spider)  # not a recycled context
        generation = self._generation.setdefault(name, 0)
        current = name if generation == 0 else f"{name}#{generation}"
        request.meta["playwright_context"] = current
        request.meta.setdefault("playwright_context_kwargs", dict(options))
        # counted when given out, not when its page opens: requests waiting for one of the
        # context's pages are its too, and it must not close under them (nor take more)
        self._served[current] = self._served.get(current, 0) + 1
        self._waiting[current] = self._waiting.get(current, 0) + 1
        if self._served[current] >= self.context_pages and current not in self._retired:
            self._retired.add(current)
            self._generation[name] = generation + 1
            self.contexts_recycled += 1
            self.stats.inc_value("xunjian/contexts_recycled")
            logger.info("browser context %s served %d pages: the next pages get a fresh "
                        "one", current, self._served[current])
        try:
            page = await super()._create_page(request, spider)
        except BaseException:
            self._waiting[current] -= 1
            self._close_if_drained(current)
            raise
        self._waiting[current] -= 1
        self._open.setdefault(current, set()).add(id(page))
        page.on("close", lambda *_: self._page_closed(current, id(page)))
        return page

    def _page_closed(self, context_name: str, page_id: int) -> None:
        self._open.get(context_name, set()).discard(page_id)
        self._close_if_drained(context_name)

    def _close_if_drained(self, context_name: str) -> None:
        """A retired context closes once no page of its is open and no request waits for one."""
        if context_name not in self._retired or self._open.get(context_name) \
                or self._waiting.get(context_name):
            return
        self._retired.discard(context_name)
        wrapper = self.context_wrappers.get(context_name)
        if wrapper is not None:
            asyncio.get_event_loop().create_task(self._close_context(wrapper.context))

    @staticmethod
    async def _close_context(context) -> None:
        try:  # bounded: a stuck renderer must not hold the crawl's end either
            await asyncio.wait_for(context.close(), 3 * CLOSE_TIMEOUT)
        except Exception:  # noqa: BLE001 - closed already (browser gone, crawl ending), or stuck
            pass


class ReleaseRetriedPages:
    """Closes the browser page of a rendered response that Scrapy's retry middleware is about to
    try again (a 502 from an online system, say), so the retry opens a fresh page.

    Without it the retried request keeps its page open (``playwright_include_page``) while it
    waits in the scheduler; with ``PLAYWRIGHT_MAX_PAGES_PER_CONTEXT`` pages held that way, the
    requests in the downloader wait for a page and the retries wait for the downloader: the
    crawl hangs. Sits just after RetryMiddleware (its ``process_response`` runs first)."""

    def __init__(self, settings):
        self.retry_codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}
        self.max_retries = settings.getint("RETRY_TIMES")
        self.enabled = settings.getbool("RETRY_ENABLED")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings)

    def process_response(self, request, response, spider=None):
        page = request.meta.get("playwright_page")
        if page is None or not self.enabled or request.meta.get("dont_retry") \
                or response.status not in self.retry_codes:
            return response
        limit = request.meta.get("max_retry_times")
        limit = self.max_retries if limit is None else limit
        if request.meta.get("retry_times", 0) + 1 <= limit:  # RetryMiddleware will retry
            request.meta.pop("playwright_page", None)
            asyncio.get_event_loop().create_task(_close_page(page))
        return response


async def _close_page(page) -> None:
    try:
        await page.close()
    except Exception:  # noqa: BLE001 - closed already
        pass
