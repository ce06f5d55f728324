"""The site spider: render the homepage in Chromium, walk internal pages, hand every page over.

It fetches and extracts; it stores nothing itself (``spiders.pipelines.StorePipeline`` does) and
judges nothing (``inspectors/`` do). Run it through ``xunjian inspect SITE`` or, from the
repository root, ``scrapy crawl site -a site=SITE`` (which also finishes the inspection: link
checks, findings, score card).

Settings (``-s NAME=VALUE`` or environment via xunjian/settings.py):
``XUNJIAN_MAX_PAGES`` (5000), ``XUNJIAN_MAX_DEPTH`` (5: the census platform's depth; the
next pages of a list are as deep as the list) — enough for a whole county or department site;
what still cuts a crawl is stored on the inspection (``crawl``) and shown on the card, see
spiders/frontier.py. The site is its homepage's origin (scheme, host, port), the origin the
homepage redirects to and its registered columns' origins (spiders/links.py ``origin_key``);
links to other origins — another port of the same host too — are checked, never walked.
``XUNJIAN_RENDER_DEPTH`` (0: only the
homepage is rendered in Chromium; deeper pages come over plain HTTP and are rendered afterwards
only when a reviewer needs their screenshot), ``XUNJIAN_FRESHNESS`` (1: also render every
registered column page — list items, dates, screenshot — for the freshness indicators; the
environment variable of the same name sets the default), ``XUNJIAN_ITEM_PAGES`` (5: undated list
items of a column whose own page is opened to find its date), ``XUNJIAN_MAX_GUIDES`` (50: guides
opened per site from the 办事指南类栏目 lists), ``XUNJIAN_MAX_LETTERS`` (30: letters opened per
政务咨询类栏目 list).

Service and interaction facts (inspectors/service.py, inspectors/interaction.py): each guide of a
registered guide column's list is rendered in Chromium and stored as a ``guide_page`` item (guide
elements, download links, mentioned forms, screenshot); each registered 在线(申报、查询)系统 is
rendered and stored as a ``system_page`` item with its verdict; the letters of a consultation
column's list are fetched over plain HTTP and stored as ``letter`` items (question/reply dates).

Freshness facts (see inspectors/freshness.py): every registered column page is rendered in
Chromium (JS lists, iframes included) and stored as a ``column_page`` item with its list items
(title, URL, raw date); the pages of undated items are fetched over plain HTTP (bounded) and their
date stored as an ``item_date`` item. The homepage and depth-1 pages carry their own list
``items`` (homepage updates; a splash homepage's second-level pages).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import scrapy
from scrapy.http import TextResponse

from browser.render import frame_documents, screenshot, settle
from inspectors.dates import page_date
from inspectors.discovery import propose_columns
from inspectors.guide import guide_facts
from inspectors.interaction import CONSULTATION, EXCLUDED_NAMES, letter_facts
from inspectors.links import is_splash
from inspectors.lists import extract_items, next_page_url
from inspectors.service import GUIDE_TYPE, SYSTEM_TYPE
from spiders.frontier import DEFAULT_MAX_DEPTH, DEFAULT_MAX_PAGES, Frontier
from spiders.links import (
    extract_links,
    normalize,
    origin_key,
    page_title,
    site_origins,
    visible_text_length,
)
from storage import open_store
from urlcheck import decode_body

FOLLOW_TAGS = {"a", "area", "iframe", "frame"}
#: Request meta asking scrapy-playwright for a rendered page we can still work with.
RENDERED = {"playwright": True, "playwright_include_page": True, "playwright_context": "inspect"}
#: Pages of one paginated column list read at most (下一页 is followed only where needed).
MAX_LIST_PAGES = 3
#: Extra one-second looks at a column page that shows no list item yet.
BLANK_RETRIES = 2


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def page_items(html: str, url: str, frames: list[tuple[str, str]]) -> list[dict]:
    """List items of a page and of its frames (a list inside an iframe is the page's list)."""
    items = extract_items(html, url)
    for frame_url, frame_html in frames:
        items.extend(extract_items(frame_html, frame_url))
    return items


def home_guides(links: list[dict]) -> list[dict]:
    """Guides linked from the homepage: internal pages whose text names one (…办事指南)."""
    return [{"title": x["text"], "url": x["url"]} for x in links
            if not x["external"] and x["kind"] == "page" and len(x.get("text") or "") >= 6
            and re.search(r"(办事|服务|申报|办理)指南$", x["text"])]


def system_verdict(status: int | None, html: str, title: str) -> tuple[str, str]:
    """An online system's page as rendered: ``ok`` or ``unreachable`` with a reason. A login page
    that renders (a form, inputs) is ok; a page with nothing to see is blank."""
    if status is None:
        return "unreachable", "navigation_error"
    if status >= 400:
        return "unreachable", f"http_{status}"
    from inspectors.html import parse_html

    doc = parse_html(html)
    controls = doc.xpath("//input|//img|//canvas|//iframe|//embed|//object|//svg|//video") \
        if doc is not None else []
    if visible_text_length(html) < 5 and not controls:
        return "unreachable", "blank"
    return "ok", "ok"


class SiteSpider(scrapy.Spider):
    name = "site"
    item_dates_asked: set[str]

    def __init__(self, site: str | None = None, inspection: str | None = None,
                 finish: str = "auto", *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not site:
            raise ValueError("usage: scrapy crawl site -a site=SITE_CODE")
        self.site_code = site
        self.inspection_id = inspection
        # Run standalone (`scrapy crawl site -a site=X`) the spider finishes the inspection itself;
        # `xunjian inspect` passes an inspection id and finishes it in its own process.
        self.finish_mode = finish if finish != "auto" else ("no" if inspection else "yes")
        self.item_dates_asked = set()
        self.columns_asked: set[str] = set()
        self.home_splash = False
        self.known_columns: list[dict] = []
        self.guides_asked: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.store_url = settings.get("XUNJIAN_STORE") or None
        spider.store = open_store(spider.store_url)
        spider.frontier = Frontier(
            max_pages=settings.getint("XUNJIAN_MAX_PAGES", DEFAULT_MAX_PAGES),
            max_depth=settings.getint("XUNJIAN_MAX_DEPTH", DEFAULT_MAX_DEPTH),
        )
        spider.render_depth = settings.getint("XUNJIAN_RENDER_DEPTH", 0)
        spider.freshness = settings.getbool("XUNJIAN_FRESHNESS", True)
        spider.item_pages = settings.getint("XUNJIAN_ITEM_PAGES", 5)
        spider.max_guides = settings.getint("XUNJIAN_MAX_GUIDES", 50)
        spider.max_letters = settings.getint("XUNJIAN_MAX_LETTERS", 30)
        return spider

    # -- start -------------------------------------------------------------------------------

    async def start(self):
        site = self.store.get_site(self.site_code)
        if site is None:
            self.logger.error("unknown site %s: import the registry first", self.site_code)
            return
        self.site = site
        if not self.inspection_id:
            self.inspection_id = self.store.create_inspection(
                {"site": self.site_code, "started_at": now_iso(), "status": "running",
                 "as_of": None, "checks": {}}
            )
        # The site is its homepage's origin plus its registered columns' (not its online systems:
        # another system, rendered and judged on its own); links elsewhere are checked, not walked.
        self.origins = site_origins([site["url"]] + [
            (c.get("url") or "") for c in self.store.columns(self.site_code)
            if c.get("type") != SYSTEM_TYPE])
        home = normalize(site["url"])
        self.frontier.admit(home, 0)
        yield self._request(home, depth=0, referrer=None, render=True, is_home=True)
        if self.freshness:
            self.store.update_inspection(self.inspection_id, freshness=True)
            self.known_columns = self.store.columns(self.site_code)
            for column in self.known_columns:
                url = (column.get("url") or "").strip()
                if url.startswith(("http://", "https://")) and normalize(url) not in \
                        self.columns_asked:
                    self.columns_asked.add(normalize(url))
                    if column.get("type") == SYSTEM_TYPE:
                        yield self._system_request(column, normalize(url))
                    else:
                        yield self._column_request(column, normalize(url))

    def _column_request(self, column: dict, url: str) -> scrapy.Request:
        keep = {k: column.get(k) for k in ("type", "name", "url", "category", "source")}
        keep["source"] = keep["source"] or "registry"
        meta = {"column": keep, "requested": url, **RENDERED}
        return scrapy.Request(url, callback=self.parse_column, errback=self.column_failed,
                              meta=meta, dont_filter=True, priority=-1)

    def _request(self, url: str, depth: int, referrer: str | None, render: bool,
                 is_home: bool = False) -> scrapy.Request:
        meta = {"depth": depth, "referrer": referrer, "is_home": is_home, "requested": url}
        if render:
            meta.update(RENDERED)
            return scrapy.Request(url, callback=self.parse_rendered, errback=self.failed,
                                  meta=meta, dont_filter=is_home)
        return scrapy.Request(url, callback=self.parse_plain, errback=self.failed, meta=meta)

    # -- callbacks ---------------------------------------------------------------------------

    @staticmethod
    async def _capture(response, frames: bool = False) -> tuple:
        """Let the rendered page settle; return (html, title, frames, screenshot, final url)."""
        page = response.meta["playwright_page"]
        try:
            await settle(page)
            html = await page.content()
            title = await page.title()
            frame_docs = await frame_documents(page) if frames else []
            shot = await screenshot(page)
            return html, title, frame_docs, shot, page.url
        finally:
            await page.close()

    async def parse_rendered(self, response):
        html, title, frames, shot, final_url = await self._capture(response, frames=True)
        if response.meta["is_home"]:
            # A site that moved domains redirects its registered homepage: both origins are ours.
            self.origins.add(origin_key(final_url))
        links = self._links(html, final_url)
        for frame_url, frame_html in frames:
            links.extend(self._links(frame_html, frame_url, exclude={x["url"] for x in links}))
        item = self._item(response, final_url, title, html, links, rendered=True, shot=shot)
        item["frames"] = [u for u, _ in frames]
        item["encoding"] = "rendered"
        if self.freshness:
            item["items"] = page_items(html, final_url, frames)
        yield item
        if response.meta["is_home"] and self.freshness:
            self.home_splash = is_splash(self.site, item)
            for request in self._discover(links):
                yield request
            for request in self._guide_requests(
                    {"type": GUIDE_TYPE, "name": "首页办事指南", "url": final_url,
                     "category": "办事服务类", "source": "homepage"}, home_guides(links)):
                yield request
            for request in self._item_date_requests(item["items"], response.meta["requested"]):
                yield request
        for request in self._follow(links, response):
            yield request

    def parse_plain(self, response):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        is_html = isinstance(response, TextResponse) and "html" in (content_type or "text/html")
        html = decode_body(response.body, content_type) if is_html else ""
        links = self._links(html, response.url) if html else []
        item = self._item(response, response.url, page_title(html) if html else "", html, links,
                          rendered=False, shot=None)
        item["content_type"] = content_type
        if self.freshness and html and response.meta.get("depth", 0) <= 1:  # splash: 2nd level
            item["items"] = page_items(html, response.url, [])
        yield item
        yield from self._follow(links, response)

    @staticmethod
    async def _failure_facts(failure) -> tuple:
        """Close the failed request's browser page; return (request, status, error text)."""
        request = failure.request
        page = request.meta.get("playwright_page")
        if page is not None:
            await page.close()
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        return request, status, f"{failure.type.__name__}: {str(failure.value)[:300]}"

    async def failed(self, failure):
        request, status, error = await self._failure_facts(failure)
        yield {
            "type": "page",
            "inspection": self.inspection_id,
            "site": self.site_code,
            "url": request.meta.get("requested", request.url),
            "final_url": None,
            "depth": request.meta.get("depth", 0),
            "referrer": request.meta.get("referrer"),
            "is_home": request.meta.get("is_home", False),
            "status": status,
            "error": error,
            "rendered": bool(request.meta.get("playwright")),
            "title": "",
            "links": [],
            "fetched_at": now_iso(),
        }

    # -- column pages (freshness) ---------------------------------------------------------------

    async def parse_column(self, response):
        page = response.meta["playwright_page"]
        try:
            await settle(page)
            html = await page.content()
            frames = await frame_documents(page)
            items = page_items(html, page.url, frames)
            for _ in range(BLANK_RETRIES):
                # No list yet: a list drawn after a timer, not on load. Look again before
                # calling the column blank (a false 空白栏目 is the costliest mistake here).
                if items or response.status >= 400:
                    break
                await page.wait_for_timeout(1000)
                html = await page.content()
                frames = await frame_documents(page)
                items = page_items(html, page.url, frames)
            title = await page.title()
            shot = await screenshot(page)
            final_url = page.url
        finally:
            await page.close()
        number = response.meta.get("list_page", 1)
        yield {
            "type": "column_page", "inspection": self.inspection_id, "site": self.site_code,
            "column": response.meta["column"], "url": response.meta["requested"],
            "list_page": number,
            "final_url": final_url, "status": response.status, "error": None, "title": title,
            "text_length": visible_text_length(html), "items": items,
            "frames": [u for u, _ in frames], "html_text": html, "screenshot_png": shot,
            "fetched_at": now_iso(),
        }
        if response.status >= 400:
            return
        nxt = next_page_url(html, final_url)
        if nxt and number < MAX_LIST_PAGES and not any(x.get("date") for x in items):
            # Only where needed: the first page shows no dated item (a cover page, pinned
            # undated items); the next page is read too, bounded.
            request = self._column_request(response.meta["column"], nxt)
            request.meta["list_page"] = number + 1
            yield request
        for request in self._item_date_requests(items, response.meta["requested"]):
            yield request
        column = response.meta["column"]
        if column.get("type") == GUIDE_TYPE:
            for request in self._guide_requests(column, items):
                yield request
        if column.get("type") == CONSULTATION and not EXCLUDED_NAMES.search(
                column.get("name") or ""):
            for item in items[: self.max_letters]:
                yield scrapy.Request(
                    item["url"], callback=self.parse_letter, errback=self.letter_failed,
                    dont_filter=True, meta={"requested": item["url"], "item": item,
                                            "column_url": column.get("url")})

    # -- service and interaction ---------------------------------------------------------------

    def _guide_requests(self, column: dict, items: list[dict]):
        for item in items:
            url = normalize(item["url"])
            if url in self.guides_asked or len(self.guides_asked) >= self.max_guides:
                continue
            self.guides_asked.add(url)
            yield scrapy.Request(url, callback=self.parse_guide, errback=self.guide_failed,
                                 dont_filter=True, priority=-2,
                                 meta={"requested": url, "column": column, **RENDERED})

    async def parse_guide(self, response):
        html, title, _, shot, final_url = await self._capture(response)
        facts = guide_facts(html, final_url)
        yield {"type": "guide_page", "inspection": self.inspection_id, "site": self.site_code,
               "column": response.meta["column"], "url": response.meta["requested"],
               "final_url": final_url, "status": response.status, "error": None,
               "title": facts["title"] or title, **{k: facts[k] for k in
                                                     ("elements", "review", "downloads",
                                                      "mentions")},
               "html_text": html, "screenshot_png": shot, "fetched_at": now_iso()}

    async def guide_failed(self, failure):
        request, status, error = await self._failure_facts(failure)
        yield {"type": "guide_page", "inspection": self.inspection_id, "site": self.site_code,
               "column": request.meta["column"], "url": request.meta["requested"],
               "final_url": None, "status": status, "error": error, "title": "",
               "elements": {}, "review": [], "downloads": [], "mentions": [],
               "fetched_at": now_iso()}

    def _system_request(self, column: dict, url: str) -> scrapy.Request:
        keep = {k: column.get(k) for k in ("type", "name", "url", "category", "source")}
        return scrapy.Request(url, callback=self.parse_system, errback=self.system_failed,
                              dont_filter=True,
                              meta={"requested": url, "column": keep, **RENDERED})

    async def parse_system(self, response):
        from urlcheck import classify_html

        html, title, _, shot, final_url = await self._capture(response)
        verdict, reason = system_verdict(response.status, html, title)
        if verdict == "ok":
            judged = classify_html(response.status, html, title, {})
            if judged and judged[0] == "broken":
                verdict, reason = "unreachable", f"error_page:{judged[1]}"
        yield {"type": "system_page", "inspection": self.inspection_id, "site": self.site_code,
               "column": response.meta["column"], "url": response.meta["requested"],
               "final_url": final_url, "status": response.status, "error": None,
               "title": title, "verdict": verdict, "reason": reason,
               "text_length": visible_text_length(html), "html_text": html,
               "screenshot_png": shot, "fetched_at": now_iso()}

    async def system_failed(self, failure):
        request, status, error = await self._failure_facts(failure)
        yield {"type": "system_page", "inspection": self.inspection_id, "site": self.site_code,
               "column": request.meta["column"], "url": request.meta["requested"],
               "final_url": None, "status": status, "error": error, "title": "",
               "verdict": "unreachable",
               "reason": f"http_{status}" if status else "navigation_error",
               "fetched_at": now_iso()}

    def parse_letter(self, response):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        facts = {"asked": None, "replied": None, "has_reply": False}
        if isinstance(response, TextResponse) and "html" in (content_type or "text/html"):
            facts = letter_facts(decode_body(response.body, content_type))
        item = response.meta["item"]
        yield {"type": "letter", "inspection": self.inspection_id, "site": self.site_code,
               "column_url": response.meta["column_url"], "url": response.meta["requested"],
               "title": item.get("title"), "list_date": item.get("date"),
               "status": response.status,
               "error": None if response.status < 400 else f"HTTP {response.status}",
               **facts, "fetched_at": now_iso()}

    def letter_failed(self, failure):
        request = failure.request
        item = request.meta["item"]
        yield {"type": "letter", "inspection": self.inspection_id, "site": self.site_code,
               "column_url": request.meta["column_url"], "url": request.meta["requested"],
               "title": item.get("title"), "list_date": item.get("date"), "status": None,
               "error": str(failure.value)[:300], "asked": None, "replied": None,
               "has_reply": False, "fetched_at": now_iso()}

    def _item_date_requests(self, items: list[dict], list_url: str):
        """Open the pages of undated list items (bounded) to find their dates there."""
        undated = [x for x in items if not x.get("date")][: self.item_pages]
        for item in undated:
            if item["url"] in self.item_dates_asked:
                continue
            self.item_dates_asked.add(item["url"])
            yield scrapy.Request(item["url"], callback=self.parse_item_date,
                                 errback=self.item_date_failed, dont_filter=True,
                                 meta={"requested": item["url"], "column_url": list_url})

    def _discover(self, home_links: list[dict]):
        """Columns of types the registry does not list, proposed from the homepage's links."""
        for n, column in enumerate(propose_columns(home_links, self.known_columns)):
            url = normalize(column["url"])
            if url in self.columns_asked:
                continue
            self.columns_asked.add(url)
            doc = {**column, "site": self.site_code, "position": 1000 + n,
                   "discovered_at": now_iso(), "inspection": self.inspection_id}
            self.store.upsert("columns", {"site": self.site_code, "url": column["url"],
                                          "source": "discovered"}, doc)
            yield self._column_request(doc, url)

    async def column_failed(self, failure):
        request, status, error = await self._failure_facts(failure)
        yield {
            "type": "column_page", "inspection": self.inspection_id, "site": self.site_code,
            "column": request.meta["column"], "url": request.meta["requested"],
            "final_url": None, "status": status, "error": error, "title": "",
            "text_length": 0, "items": [], "frames": [], "fetched_at": now_iso(),
        }

    def parse_item_date(self, response):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        found = None
        if isinstance(response, TextResponse) and "html" in (content_type or "text/html"):
            found = page_date(decode_body(response.body, content_type))
        yield {"type": "item_date", "inspection": self.inspection_id, "site": self.site_code,
               "url": response.meta["requested"], "column_url": response.meta["column_url"],
               "status": response.status, "date": found, "fetched_at": now_iso()}

    def item_date_failed(self, failure):
        request = failure.request
        yield {"type": "item_date", "inspection": self.inspection_id, "site": self.site_code,
               "url": request.meta["requested"], "column_url": request.meta["column_url"],
               "status": None, "date": None, "error": str(failure.value)[:300],
               "fetched_at": now_iso()}

    # -- helpers -----------------------------------------------------------------------------

    def _links(self, html: str, url: str, exclude: set[str] | None = None) -> list[dict]:
        links = extract_links(html, url, self.origins)
        return [x for x in links if not exclude or x["url"] not in exclude]

    def _item(self, response, final_url, title, html, links, rendered, shot) -> dict:
        return {
            "type": "page",
            "inspection": self.inspection_id,
            "site": self.site_code,
            "url": response.meta.get("requested", response.url),
            "final_url": final_url,
            "depth": response.meta.get("depth", 0),
            "referrer": response.meta.get("referrer"),
            "is_home": response.meta.get("is_home", False),
            "status": response.status,
            "error": None,
            "rendered": rendered,
            "title": title,
            "text_length": visible_text_length(html) if html else 0,
            "links": links,
            "html_text": html,
            "screenshot_png": shot,
            "fetched_at": now_iso(),
        }

    def _follow(self, links: list[dict], response):
        if response.status >= 400:
            return
        here = response.meta.get("depth", 0)
        for link in links:
            if link["external"] or link["kind"] != "page" or link["tag"] not in FOLLOW_TAGS:
                continue
            # the next pages of a list are as deep as the list (Frontier.depth_of)
            depth = self.frontier.depth_of(link["url"], response.meta["requested"], here)
            # A splash homepage's second-level pages count as the homepage (freshness): render
            # them so their JavaScript lists are seen.
            render = depth <= self.render_depth or (depth == 1 and self.home_splash)
            if self.frontier.admit(link["url"], depth):
                yield self._request(link["url"], depth, referrer=response.meta["requested"],
                                    render=render)

    # -- end ---------------------------------------------------------------------------------

    async def closed(self, reason):
        # pages seen, pages left by the budget and why (spiders.frontier.crawl_cut reads them)
        stats = {"crawl_reason": reason, **self.frontier.stats()}
        if getattr(self, "inspection_id", None):
            self.store.update_inspection(self.inspection_id, crawl=stats)
        if self.finish_mode == "yes" and getattr(self, "site", None):
            from xunjian.inspection import finish_inspection

            await finish_inspection(self.store, self.inspection_id)
