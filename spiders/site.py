"""The site spider: render the homepage in Chromium, walk internal pages, hand every page over.

It fetches and extracts; it stores nothing itself (``spiders.pipelines.StorePipeline`` does) and
judges nothing (``inspectors/`` do). Run it through ``xunjian inspect SITE`` or, from the
repository root, ``scrapy crawl site -a site=SITE`` (which also finishes the inspection: link
checks, findings, score card).

Settings (``-s NAME=VALUE`` or environment via xunjian/settings.py):
``XUNJIAN_MAX_PAGES`` (200), ``XUNJIAN_MAX_DEPTH`` (3), ``XUNJIAN_RENDER_DEPTH`` (0: only the
homepage is rendered in Chromium; deeper pages come over plain HTTP and are rendered afterwards
only when a reviewer needs their screenshot).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import scrapy
from scrapy.http import TextResponse

from browser.render import frame_documents, screenshot, settle
from spiders.frontier import Frontier
from spiders.links import extract_links, normalize, page_title, site_base_host, visible_text_length
from storage import open_store
from urlcheck import decode_body

FOLLOW_TAGS = {"a", "area", "iframe", "frame"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SiteSpider(scrapy.Spider):
    name = "site"

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

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.store_url = settings.get("XUNJIAN_STORE") or None
        spider.store = open_store(spider.store_url)
        spider.frontier = Frontier(
            max_pages=settings.getint("XUNJIAN_MAX_PAGES", 200),
            max_depth=settings.getint("XUNJIAN_MAX_DEPTH", 3),
        )
        spider.render_depth = settings.getint("XUNJIAN_RENDER_DEPTH", 0)
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
        self.base_hosts = {site_base_host(site["url"])}
        home = normalize(site["url"])
        self.frontier.admit(home, 0)
        yield self._request(home, depth=0, referrer=None, render=True, is_home=True)

    def _request(self, url: str, depth: int, referrer: str | None, render: bool,
                 is_home: bool = False) -> scrapy.Request:
        meta = {"depth": depth, "referrer": referrer, "is_home": is_home, "requested": url}
        if render:
            meta.update(playwright=True, playwright_include_page=True,
                        playwright_context="inspect")
            return scrapy.Request(url, callback=self.parse_rendered, errback=self.failed,
                                  meta=meta, dont_filter=is_home)
        return scrapy.Request(url, callback=self.parse_plain, errback=self.failed, meta=meta)

    # -- callbacks ---------------------------------------------------------------------------

    async def parse_rendered(self, response):
        page = response.meta["playwright_page"]
        try:
            await settle(page)
            html = await page.content()
            title = await page.title()
            frames = await frame_documents(page)
            shot = await screenshot(page)
            final_url = page.url
        finally:
            await page.close()
        if response.meta["is_home"]:
            # A site that moved domains redirects its registered homepage: both hosts are "ours".
            self.base_hosts.add(site_base_host(final_url))
        links = self._links(html, final_url)
        for frame_url, frame_html in frames:
            links.extend(self._links(frame_html, frame_url, exclude={x["url"] for x in links}))
        item = self._item(response, final_url, title, html, links, rendered=True, shot=shot)
        item["frames"] = [u for u, _ in frames]
        item["encoding"] = "rendered"
        yield item
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
        yield item
        yield from self._follow(links, response)

    async def failed(self, failure):
        request = failure.request
        page = request.meta.get("playwright_page")
        if page is not None:
            await page.close()
        response = getattr(failure.value, "response", None)
        yield {
            "type": "page",
            "inspection": self.inspection_id,
            "site": self.site_code,
            "url": request.meta.get("requested", request.url),
            "final_url": None,
            "depth": request.meta.get("depth", 0),
            "referrer": request.meta.get("referrer"),
            "is_home": request.meta.get("is_home", False),
            "status": response.status if response is not None else None,
            "error": f"{failure.type.__name__}: {str(failure.value)[:300]}",
            "rendered": bool(request.meta.get("playwright")),
            "title": "",
            "links": [],
            "fetched_at": now_iso(),
        }

    # -- helpers -----------------------------------------------------------------------------

    def _links(self, html: str, url: str, exclude: set[str] | None = None) -> list[dict]:
        base = site_base_host(self.site["url"])
        links = extract_links(html, url, base)
        for link in links:  # hosts the homepage redirected to are internal as well
            if link["external"]:
                host = (urlsplit(link["url"]).hostname or "").lower()
                link["external"] = not any(host == h or host.endswith("." + h)
                                           for h in self.base_hosts)
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
        depth = response.meta.get("depth", 0) + 1
        for link in links:
            if link["external"] or link["kind"] != "page" or link["tag"] not in FOLLOW_TAGS:
                continue
            if self.frontier.admit(link["url"], depth):
                yield self._request(link["url"], depth, referrer=response.meta["requested"],
                                    render=depth <= self.render_depth)

    # -- end ---------------------------------------------------------------------------------

    async def closed(self, reason):
        stats = {"crawl_reason": reason, "pages_refused": dict(self.frontier.refused)}
        if getattr(self, "inspection_id", None):
            self.store.update_inspection(self.inspection_id, crawl=stats)
        if self.finish_mode == "yes" and getattr(self, "site", None):
            from xunjian.inspection import finish_inspection

            await finish_inspection(self.store, self.inspection_id)
