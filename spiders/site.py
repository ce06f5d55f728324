"""The site spider: render the homepage in Chromium, walk internal pages, hand every page over.

It fetches and extracts; it stores nothing itself — every page, column list and fact it finds
is an item ``spiders.pipelines.StorePipeline`` stores (the columns it discovers or drops too) —
and judges nothing (``inspectors/`` do). It reads the store only for the site and its columns.
The inspection it crawls for is the finishing stage's (inspection/extension.py
``FinishInspection``, a Scrapy extension on ``spider_closed``): that stage creates the record
when none is given, stores the crawl's facts (``crawl_stats``) and finishes the inspection (link
checks, findings) in the crawl's browser. Run it through ``xunjian inspect SITE`` or ``scrapy
crawl site -a site=SITE`` (the auditor's whole inspection with its score card).

Settings (``-s NAME=VALUE`` over the environment, base/config.py):
``XUNJIAN_MAX_PAGES`` (5000), ``XUNJIAN_MAX_DEPTH`` (5: the census platform's depth; the
next pages of a list are as deep as the list) — enough for a whole county or department site;
what still cuts a crawl is stored on the inspection (``crawl``) and shown on the card, see
spiders/frontier.py. The site is its homepage's origin (scheme, host, port), the origin the
homepage redirects to and its registered columns' origins (spiders/links.py ``origin_key``);
links to other origins — another port of the same host too — are checked, never walked.
``XUNJIAN_RENDER_DEPTH`` (0: only the
homepage is rendered in Chromium; deeper pages come over plain HTTP and are rendered afterwards
only when a reviewer needs their screenshot), ``XUNJIAN_MAX_RENDERED`` (100: plain pages whose
HTML shows a list drawn by script, or registered columns, rendered for their navigation — see
spiders/render_need.py; the links only the browser shows join the crawl as ``via: "rendered"``,
what the bound leaves is counted in ``crawl.render``; same-site ``<iframe>``/``<frame>``
documents are pages of the crawl, as deep as the page showing them), ``XUNJIAN_FRESHNESS`` (1:
also render every registered column page — list items, dates, screenshot — for the freshness
indicators; the environment variable of the same name sets the default), ``XUNJIAN_ITEM_PAGES`` (5: undated list
items of a column whose own page is opened to find its date), ``XUNJIAN_MAX_GUIDES`` (50: guides
opened per site from the 办事指南类栏目 lists), ``XUNJIAN_MAX_LETTERS`` (30: letters opened per
政务咨询类栏目, across its pages; also the undated items opened for their dates per 调查征集类/
互动访谈类栏目), ``XUNJIAN_MAX_LIST_PAGES`` (20: pages read of one guide, letter,
survey or interview list — those lists are read whole, dated or not; news lists are not).

Service and interaction facts (inspectors/service.py, inspectors/interaction.py): each guide of a
registered guide column's list is rendered in Chromium and stored as a ``guide_page`` item (guide
elements, download links, mentioned forms, screenshot); each registered 在线(申报、查询)系统 is
rendered and stored as a ``system_page`` item with its verdict; the letters of a consultation
column's list are fetched over plain HTTP and stored as ``letter`` items (question/reply dates).

功能设计 facts of the 2019 checklist (inspectors/design.py): every HTML page that opened, crawl
page or column page, carries ``design`` — its footer marks, meta tags, 找错 entry and header —
read from the HTML the crawl has anyway (a plain page rendered for its navigation is read again
from its rendered HTML, where a footer a script fills shows).

Freshness facts (see inspectors/freshness.py): every registered column page is rendered in
Chromium (JS lists, iframes included) and stored as a ``column_page`` item with its list items
(title, URL, raw date) — a page with no list item is read as an undated list (``undated_list``:
the article links of its main content), blank only when it links to nothing but navigation; the
pages of undated items are fetched over plain HTTP (bounded) and their date stored as an
``item_date`` item. The homepage and depth-1 pages carry their own list
``items`` (homepage updates; a splash homepage's second-level pages).
"""

from __future__ import annotations

import asyncio
import functools
import re
from datetime import UTC, datetime

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DownloadTimeoutError
from scrapy.http import TextResponse
from twisted.python.failure import Failure

from xunjian.base.config import Config
from xunjian.base.errors import plain_error
from xunjian.base.process import die_with_parent
from xunjian.browser.deadline import PageUnresponsive, close_page, step
from xunjian.browser.netpolicy import AddressPolicy
from xunjian.browser.outline import link_boxes
from xunjian.browser.render import frame_documents, screenshot, settle
from xunjian.inspectors.content import MAX_ARTICLE_LINKS, article_date, column_content
from xunjian.inspectors.design import page_design, with_frames
from xunjian.inspectors.discovery import propose_columns
from xunjian.inspectors.guide import guide_facts
from xunjian.inspectors.interaction import (
    CONSULTATION,
    EXCLUDED_NAMES,
    INTERVIEW,
    NO_LETTER,
    SURVEY,
    letter_record,
)
from xunjian.inspectors.links import is_splash
from xunjian.inspectors.lists import (
    extract_items,
    jcms_datastore,
    list_items,
    list_page_urls,
    next_page_url,
    undated_links,
)
from xunjian.inspectors.service import GUIDE_TYPE, SYSTEM_TYPE, system_verdict
from xunjian.spiders.frontier import Frontier
from xunjian.spiders.links import (
    extract_links,
    kind_of,
    normalize,
    origin_key,
    page_title,
    site_origins,
    visible_text_length,
)
from xunjian.spiders.pipelines import (
    COLUMN_DROPPED,
    DISCOVERED_COLUMN,
    INSPECTION_FACTS,
    report_store_failure,
)
from xunjian.spiders.render_need import RenderNeed
from xunjian.spiders.serious_facts import hidden_links, page_facts
from xunjian.storage import StoreError, open_store
from xunjian.urlcheck import decode_body

FOLLOW_TAGS = {"a", "area", "iframe", "frame"}
FRAME_TAGS = {"iframe", "frame"}
#: Request meta asking scrapy-playwright for a rendered page we can still work with.
RENDERED = {"playwright": True, "playwright_include_page": True, "playwright_context": "inspect"}
#: Pages of one paginated column list read at most (下一页 is followed only where needed).
MAX_LIST_PAGES = 3
#: Columns whose lists are read whole, across their pages, dated or not (news columns are not).
WHOLE_LIST_TYPES = {GUIDE_TYPE, CONSULTATION, SURVEY, INTERVIEW}
#: Extra one-second looks at a column page that shows no list item yet.
BLANK_RETRIES = 2


def failure_words(failure) -> str:
    """A failed request's error for people (xunjian.base.errors: 打不开：连接被拒绝 (ERR_…))."""
    if failure.check(PageUnresponsive):  # 页面脚本无响应（读取页面 超过 30 秒）
        return str(failure.value)
    return plain_error(f"{failure.type.__name__}: {str(failure.value)[:600]}") or "打不开"


def _refused(response) -> dict:
    """``refused``: what the page's browser was not let fetch (browser/netpolicy.py), if any."""
    refused = response.meta.get("refused")
    return {"refused": refused} if refused else {}


def unresponsive_to(errback: str):
    """A rendered page's callback whose page stopped answering (browser.deadline.step raised
    PageUnresponsive) ends as its request's ``errback`` does: the page stored with that error
    (页面脚本无响应, the step that hung) and its HTTP status, and the crawl goes on."""
    def wrap(callback):
        @functools.wraps(callback)
        async def run(self, response):
            try:
                async for out in callback(self, response):
                    yield out
            except PageUnresponsive as exc:
                exc.response = response
                failure = Failure(exc)
                failure.request = response.request
                async for out in getattr(self, errback)(failure):
                    yield out
        return run
    return wrap


async def measured(page, shot: bytes | None) -> dict | None:
    """The boxes of the page's links on ``shot`` (browser/outline.py), bounded; a page that hangs
    now keeps what was read of it and its picture, unmeasured."""
    try:
        return await step(page, link_boxes(page, shot), "测量链接位置")
    except PageUnresponsive:
        return None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def page_items(html: str, url: str, frames: list[tuple[str, str]],
               whole: bool = False) -> list[dict]:
    """List items of a page and of its frames (a list inside an iframe is the page's list).
    ``whole``: the page is a guide/letter/survey/interview list, whose rows count dated or not
    (``inspectors.lists.list_items``); news lists keep the dated-list reading."""
    def read(text: str, where: str) -> list[dict]:
        found = list_items(text, where) if whole else []
        return found or extract_items(text, where)

    items = read(html, url)
    for frame_url, frame_html in frames:
        items.extend(read(frame_html, frame_url))
    return items


def undated_page_items(html: str, url: str, frames: list[tuple[str, str]],
                       this_page: tuple[str, ...]) -> list[dict]:
    """A column page no list reader found items on, read as an undated list: the article links
    of its main content and of its frames (``inspectors.lists.undated_links``), whose own pages
    are opened for their dates. None when it links only to navigation: the column is blank."""
    items = undated_links(html, url, this_page)
    seen = {x["url"] for x in items}
    for frame_url, frame_html in frames:
        items.extend(x for x in undated_links(frame_html, frame_url, (url, *this_page))
                     if x["url"] not in seen)
    return items


def column_origins(site: dict, columns: list[dict]) -> set:
    """The site's origins: its homepage's and its registered columns' (not its online systems:
    another system, rendered and judged on its own, nor discovered columns: found on these
    origins, or on an address the site has left)."""
    return site_origins([site["url"]] + [
        (c.get("url") or "") for c in columns
        if c.get("type") != SYSTEM_TYPE and c.get("source") != "discovered"])


def left_behind(columns: list[dict], home: str, origins) -> list[dict]:
    """Discovered columns of an address the site has left: proposed from another 首页网址 than
    ``home`` (a new one, or a new port, imported since) and on none of its ``origins`` now."""
    return [c for c in columns if c.get("source") == "discovered" and c.get("home") != home
            and origin_key(c.get("url") or "") not in origins]


def fetch_facts(meta: dict, body_bytes: int | None, timed_out: bool = False) -> dict:
    """How a plain page was fetched, so its link check can reuse the fetch (see
    xunjian/crawled_links.py): timeout used, tries, redirects, body size, time taken."""
    return {"timeout_s": meta.get("download_timeout"), "retries": meta.get("retry_times", 0),
            "redirect_urls": list(meta.get("redirect_urls") or []),
            "body_bytes": body_bytes, "timed_out": timed_out,
            "latency_ms": round((meta.get("download_latency") or 0) * 1000)}


def home_guides(links: list[dict]) -> list[dict]:
    """Guides linked from the homepage: internal pages whose text names one (…办事指南)."""
    return [{"title": x["text"], "url": x["url"]} for x in links
            if not x["external"] and x["kind"] == "page" and len(x.get("text") or "") >= 6
            and re.search(r"(办事|服务|申报|办理)指南$", x["text"])]


class SiteSpider(scrapy.Spider):
    name = "site"
    item_dates_asked: set[str]

    def __init__(self, site: str | None = None, inspection: str | None = None,
                 finish: str = "auto", *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not site:
            raise ValueError("usage: scrapy crawl site -a site=SITE_CODE")
        self.site_code = site
        # given by `xunjian inspect` and the auditor's crawl; else the finishing stage
        # (inspection/extension.py) creates the record when the spider opens
        self.inspection_id = inspection or None
        # Whether the crawl's finishing stage (inspection/extension.py) finishes the inspection
        # at its end: "yes" from `xunjian inspect` and the auditor's `scrapy crawl site`; "auto"
        # is "yes" for a spider run without an inspection id, "no" with one.
        self.finish_mode = finish if finish != "auto" else ("no" if inspection else "yes")
        self.item_dates_asked = set()
        self.columns_asked: set[str] = set()
        self.home_splash = False
        self.known_columns: list[dict] = []
        self.guides_asked: set[str] = set()
        self.list_pages_asked: dict[str, set[str]] = {}  # whole lists: column url → pages
        self.letters_asked: dict[str, set[str]] = {}  # consultation column url → letters
        self.activities_asked: dict[str, set[str]] = {}  # survey/interview url → undated items
        # pages rendered for their navigation (spiders/render_need.py): main reason → pages
        self.render_counts: dict[str, int] = {}
        self.render_left: list[str] = []  # pages that needed a browser, left by the bound
        self.render_failed: list[str] = []
        self.frames_walked = 0  # same-site frame documents walked as pages
        self.column_urls: set[str] = set()  # column pages rendered for freshness
        self.column_docs: dict[str, tuple] = {}  # their rendered (html, final url, error)
        self.parked: dict[str, dict] = {}  # crawl pages waiting for their column's render

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = Config.from_scrapy(crawler.settings)  # -s XUNJIAN_X wins over the environment
        die_with_parent(settings.parent_pid)  # no orphan crawl (its Chromium)
        spider.store_url = settings.store
        spider.store = open_store(spider.store_url)
        spider.frontier = Frontier(max_pages=settings.max_pages, max_depth=settings.max_depth)
        spider.render_depth = settings.render_depth
        spider.max_rendered = settings.max_rendered
        crawler.signals.connect(spider._release_parked, signal=signals.spider_idle)
        spider.link_timeout = settings.link_timeout
        spider.freshness = settings.freshness
        spider.item_pages = settings.item_pages
        spider.max_guides = settings.max_guides
        spider.max_letters = settings.max_letters
        spider.max_list_pages = settings.max_list_pages
        spider.home_retries = settings.home_retries
        spider.home_retry_pause = settings.home_retry_pause
        return spider

    # -- start -------------------------------------------------------------------------------

    async def start(self):
        site = self.store.get_site(self.site_code)
        if site is None:
            self.logger.error("%s", self.store.unknown_site(self.site_code))
            return
        self.site = site
        # The site is its homepage's origin plus its registered columns' (not its online systems:
        # another system, rendered and judged on its own, nor discovered columns: found on these
        # origins, or on an address the site has left); links elsewhere are checked, not walked.
        columns = self.store.columns(self.site_code)
        self.origins = column_origins(site, columns)
        columns = [c for c in columns if c.get("type") != SYSTEM_TYPE]
        # what the crawl may connect to (browser/netpolicy.py): decided on every hop
        self.address_policy = AddressPolicy.for_site(self.store, site)
        self.need = RenderNeed({normalize(c.get("url") or "") for c in columns
                                if (c.get("url") or "").strip().startswith(("http://", "https://"))})
        home = normalize(site["url"])
        self.frontier.admit(home, 0)
        yield self._request(home, depth=0, referrer=None, render=True, is_home=True)
        if self.freshness:
            yield {"type": INSPECTION_FACTS, "inspection": self.inspection_id,
                   "facts": {"freshness": True}}
            try:
                columns = self.store.columns(self.site_code)
            except StoreError as exc:
                report_store_failure(self.crawler, None, self.inspection_id, exc)
                return
            self.known_columns, left = self._current_columns(columns)
            for column in left:  # dropped from the store by the pipeline
                yield {"type": COLUMN_DROPPED, "inspection": self.inspection_id,
                       "site": self.site_code, "id": column["id"], "url": column.get("url")}
            for column in self.known_columns:
                url = (column.get("url") or "").strip()
                if url.startswith(("http://", "https://")) and normalize(url) not in \
                        self.columns_asked:
                    self.columns_asked.add(normalize(url))
                    if column.get("type") == SYSTEM_TYPE:
                        yield self._system_request(column, normalize(url))
                    else:
                        yield self._column_request(column, normalize(url))

    def _current_columns(self, columns: list[dict]) -> tuple[list[dict], list[dict]]:
        """The site's columns, less the discovered ones of an address it has left: proposed from
        another 首页网址 (a new one, or a new port, imported since) and on none of its origins now.
        Returns (columns, those left): the left ones are to be dropped from the store; the
        homepage as it is now proposes columns again."""
        home = self.site["url"]
        left = left_behind(columns, home, self.origins)
        for column in left:
            self.logger.info("discovered column %s is not on the site's address %s any more; "
                             "dropped, to be discovered again", column.get("url"), home)
        return [c for c in columns if c not in left], left

    def _column_request(self, column: dict, url: str) -> scrapy.Request:
        keep = {k: column.get(k) for k in ("type", "name", "url", "category", "source")}
        keep["source"] = keep["source"] or "registry"
        meta = {"column": keep, "requested": url, **RENDERED}
        self.column_urls.add(url)
        return scrapy.Request(url, callback=self.parse_column, errback=self.column_failed,
                              meta=meta, dont_filter=True, priority=-1)

    def _request(self, url: str, depth: int, referrer: str | None, render: bool,
                 is_home: bool = False) -> scrapy.Request:
        meta = {"depth": depth, "referrer": referrer, "is_home": is_home, "requested": url}
        if render:
            meta.update(RENDERED)
            return scrapy.Request(url, callback=self.parse_rendered, errback=self.failed,
                                  meta=meta, dont_filter=is_home)
        # A plain page waits no longer than its link check would (XUNJIAN_LINK_TIMEOUT): a page
        # that hangs past it is a broken link anyway, and its stored fetch is its link result
        # (xunjian/crawled_links.py).
        meta["download_timeout"] = self.link_timeout
        return scrapy.Request(url, callback=self.parse_plain, errback=self.failed, meta=meta)

    # -- callbacks ---------------------------------------------------------------------------

    def _refusals(self, response, urls) -> None:
        """What the browser was refused for this page and its frames (intranet addresses:
        browser/netpolicy.py), kept on the response for the stored page."""
        policy = getattr(self, "address_policy", None)
        if policy is not None:
            response.meta["refused"] = policy.refused_by(
                urls, response.meta.get("refused_mark", 0))

    async def _capture(self, response, frames: bool = False) -> tuple:
        """Let the rendered page settle; return (html, title, frames, screenshot, final url)."""
        page = response.meta["playwright_page"]
        try:  # every step within its deadline (browser/deadline.py): PageUnresponsive past it
            await step(page, settle(page), "等待页面稳定", kind="settle")
            html = await step(page, page.content(), "读取页面")
            title = await step(page, page.title(), "读取标题")
            frame_docs = await step(page, frame_documents(page), "读取框架") if frames else []
            self._refusals(response, [page.url, response.url, *(u for u, _ in frame_docs)])
            if frames:  # 暗链 are judged on the rendered page (spiders/serious_facts.py)
                response.meta["hidden_links"] = await step(page, hidden_links(page), "读取暗链")
            shot = await step(page, screenshot(page), "截图", kind="screenshot")
            # where each link is on that picture, for the outline a finding shows
            response.meta["link_boxes"] = await measured(page, shot)
            return html, title, frame_docs, shot, page.url
        finally:
            await close_page(page)

    @unresponsive_to("failed")
    async def parse_rendered(self, response):
        if response.meta["is_home"] and response.status >= 400:
            again = await self._home_again(response.request, response.status,
                                           f"HTTP {response.status}")
            if again is not None:
                await close_page(response.meta["playwright_page"])
                yield again
                return
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
        item["link_boxes"] = response.meta.get("link_boxes")
        if response.status < 400:  # 2019 功能设计: footer marks, meta tags, 找错 entry, header
            item["design"] = with_frames(page_design(html, final_url), frames)
        item.update(page_facts(response.meta, frames))  # for veto.serious_error candidates
        if self.freshness:
            item["items"] = page_items(html, final_url, frames)
        if response.meta["is_home"]:
            item["attempts"] = self._home_attempts(response.request, response.status,
                                                   None if response.status < 400
                                                   else f"HTTP {response.status}")
        yield item
        if response.meta["is_home"] and self.freshness:
            self.home_splash = is_splash(self.site, item)
            for out in self._discover(links):
                yield out
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
        item["fetch"] = fetch_facts(response.meta, len(response.body))
        if html and response.status < 400:
            item["design"] = page_design(html, response.url)
        if self.freshness and html and response.meta.get("depth", 0) <= 1:  # splash: 2nd level
            item["items"] = page_items(html, response.url, [])
        if response.meta.get("frame_of"):
            item["frame_of"] = response.meta["frame_of"]
        reasons = self.need.reasons(html, normalize(response.url), sum(
            1 for x in links if not x["external"] and x["kind"] == "page")) \
            if html and response.status < 400 else []
        if reasons:
            yield from self._render_after_plain(item, reasons)
        else:
            yield item
        yield from self._follow(links, response)

    # -- pages whose plain HTML does not show their whole navigation (spiders/render_need.py) ---

    def _render_after_plain(self, item: dict, reasons: list[str]):
        """A plain page that needs a browser: rendered (or its column's freshness render reused)
        and stored with the links only the browser shows (``via: "rendered"``); over the bound
        ``XUNJIAN_MAX_RENDERED`` it is stored as fetched and counted as left."""
        url = item["url"]
        item["render"] = {"reasons": reasons}
        if sum(self.render_counts.values()) >= self.max_rendered:
            item["render"]["skipped"] = "max_rendered"
            self.render_left.append(url)
            yield item
            return
        self.render_counts[reasons[0]] = self.render_counts.get(reasons[0], 0) + 1
        if url in self.column_urls:  # rendered for freshness anyway: its render serves both
            if url in self.column_docs:
                yield from self._with_rendered(item, *self.column_docs.pop(url))
            else:
                self.parked[url] = item
            return
        yield scrapy.Request(url, callback=self.parse_rerendered, errback=self.rerender_failed,
                             dont_filter=True, meta={"plain_item": item, "requested": url,
                                                     **RENDERED})

    def _with_rendered(self, item: dict, html: str | None, final_url: str | None,
                       error: str | None = None):
        """The page item with its rendered-only links added, then those links followed."""
        if error is not None or html is None:
            item["render"]["error"] = error or "not rendered"
            self.render_failed.append(item["url"])
            yield item
            return
        known = {x["url"] for x in item["links"]}
        new = [{**x, "via": "rendered"} for x in self._links(html, final_url or item["url"])
               if x["url"] not in known]
        item["links"] = item["links"] + new
        item["render"]["links_added"] = len(new)
        if item.get("design") is not None:  # a footer a script fills shows now
            item["design"] = page_design(html, final_url or item["url"])
        yield item
        yield from self._follow_from(new, item["depth"], item["url"], item["status"])

    async def parse_rerendered(self, response):
        item = response.meta["plain_item"]
        page = response.meta["playwright_page"]
        html = final_url = error = None
        try:
            await step(page, settle(page), "等待页面稳定", kind="settle")
            html, final_url = await step(page, page.content(), "读取页面"), page.url
            if response.status >= 400:  # the browser was refused what plain HTTP was given
                html, error = None, f"HTTP {response.status}"
        except PageUnresponsive as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - the page is stored as fetched, with why
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
        finally:
            await close_page(page)
        for out in self._with_rendered(item, html, final_url, error):
            yield out

    async def rerender_failed(self, failure):
        request, _, error = await self._failure_facts(failure)
        for out in self._with_rendered(request.meta["plain_item"], None, None, error):
            yield out

    def _release_parked(self):
        """Nothing left to do but crawl pages still waiting for a column render (one that never
        came back): store them as fetched, render failed, before the crawl may close."""
        if not self.parked:
            return
        self.crawler.engine.crawl(scrapy.Request("data:,", callback=self._parked_out,
                                                 dont_filter=True))
        raise DontCloseSpider

    def _parked_out(self, response):
        for url in list(self.parked):
            yield from self._with_rendered(self.parked.pop(url), None, None,
                                           "the column page's render never came back")

    def _unpark(self, url: str, html: str | None, final_url: str | None,
                error: str | None = None):
        """A column's freshness render is done: a crawl page waiting for it gets its links;
        else the render is kept for the crawl page still to come."""
        item = self.parked.pop(url, None)
        if item is not None:
            yield from self._with_rendered(item, html, final_url, error)
        else:
            self.column_docs[url] = (html, final_url, error)

    def _failure_words(self, failure) -> str:
        """failure_words, or the address refused on the way (a redirect hop to an intranet
        address: the browser's navigation was aborted for it, browser/netpolicy.py)."""
        refusal = getattr(failure.value, "refusal", None)
        policy = getattr(self, "address_policy", None)
        if refusal is None and policy is not None and "ERR_ABORTED" in str(failure.value):
            refusal = policy.refused_after(failure.request.meta.get("refused_mark", 0))
        return str(refusal) if refusal is not None else failure_words(failure)

    async def _failure_facts(self, failure) -> tuple:
        """Close the failed request's browser page; return (request, status, error text)."""
        request = failure.request
        await close_page(request.meta.get("playwright_page"))
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        return request, status, self._failure_words(failure)

    # -- an unreachable homepage: tried again after a pause, then stored with what Chromium showed

    @staticmethod
    def _home_attempts(request, status, error) -> list[dict]:
        return [*request.meta.get("home_attempts", []),
                {"at": now_iso(), "status": status, "error": error}]

    async def _home_again(self, request, status, error) -> scrapy.Request | None:
        """A new request for the homepage after a pause, or None when the tries are used up."""
        attempts = self._home_attempts(request, status, error)
        if len(attempts) > self.home_retries:
            return None
        self.logger.warning("homepage %s failed (%s); trying again in %g s", request.url,
                            error, self.home_retry_pause)
        await asyncio.sleep(self.home_retry_pause)
        again = self._request(request.meta["requested"], depth=0, referrer=None, render=True,
                              is_home=True)
        again.meta["home_attempts"] = attempts
        return again

    async def _home_failed(self, failure):
        request = failure.request
        page = request.meta.get("playwright_page")
        shot = None
        if page is not None and not page.is_closed():
            try:  # what the browser showed: Chromium's error page, a half-loaded page
                shot = await asyncio.wait_for(screenshot(page), 15)
            except TimeoutError:
                shot = None
            await close_page(page)
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        error = self._failure_words(failure)
        # a homepage whose script hangs answered: asking it again would only hang again
        again = None if failure.check(PageUnresponsive) else \
            await self._home_again(request, status, error)
        if again is not None:
            yield again
            return
        yield {
            "type": "page", "inspection": self.inspection_id, "site": self.site_code,
            "url": request.meta.get("requested", request.url), "final_url": None, "depth": 0,
            "referrer": None, "is_home": True, "status": status, "error": error,
            "rendered": True, "title": "", "links": [], "screenshot_png": shot,
            "attempts": self._home_attempts(request, status, error), "fetched_at": now_iso(),
        }

    async def failed(self, failure):
        if failure.request.meta.get("is_home"):
            async for out in self._home_failed(failure):
                yield out
            return
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
            "fetch": fetch_facts(request.meta, None,
                                 timed_out=failure.check(DownloadTimeoutError) is not None),
            "fetched_at": now_iso(),
        }

    # -- column pages (freshness) ---------------------------------------------------------------

    @unresponsive_to("column_failed")
    async def parse_column(self, response):
        page = response.meta["playwright_page"]
        column = response.meta["column"]
        whole = column.get("type") in WHOLE_LIST_TYPES
        try:  # every step within its deadline (browser/deadline.py)
            await step(page, settle(page), "等待页面稳定", kind="settle")
            html = await step(page, page.content(), "读取页面")
            frames = await step(page, frame_documents(page), "读取框架")
            items = page_items(html, page.url, frames, whole)
            for _ in range(BLANK_RETRIES):
                # No list yet: a list drawn after a timer, not on load. Look again before
                # calling the column blank (a false 空白栏目 is the costliest mistake here).
                if items or response.status >= 400:
                    break
                await step(page, page.wait_for_timeout(1000), "等待列表")
                html = await step(page, page.content(), "读取页面")
                frames = await step(page, frame_documents(page), "读取框架")
                items = page_items(html, page.url, frames, whole)
            title = await step(page, page.title(), "读取标题")
            shot = await step(page, screenshot(page), "截图", kind="screenshot")
            boxes = await measured(page, shot)
            final_url = page.url
            self._refusals(response, [final_url, response.url, *(u for u, _ in frames)])
        except Exception as exc:
            for out in self._unpark(response.meta["requested"], None, None,
                                    f"{type(exc).__name__}: {str(exc)[:300]}"):
                yield out
            raise
        finally:
            await close_page(page)
        undated_list = False
        content = {}
        few = not items or (not whole and len(items) <= MAX_ARTICLE_LINKS)
        if response.status < 400 and few:
            # 机构职能, 领导信息, 规划计划…: a column page that is an article is content — not a
            # blank column, nor a list of its breadcrumb's or 附件's links dated by its byline
            content = column_content(html, final_url, frames)
            if content.get("content_page") and not whole:
                items = []
        if not items and not whole and response.status < 400:
            # 机构职能, 领导信息, 规划计划…: links without dates are a list, not a blank column
            items = undated_page_items(html, final_url, frames, tuple(
                u for u in (response.meta["requested"], column.get("url")) if u))
            if content.get("content_page") and len(items) <= MAX_ARTICLE_LINKS:
                items = []  # an article's own links (附件…) are not a list of items
            undated_list = bool(items)
        content_page = bool(content.get("content_page")) and not items
        for out in self._unpark(response.meta["requested"], html, final_url):
            yield out
        store = jcms_datastore(html, final_url) if whole and response.status < 400 else None
        if store:  # a jcms page draws one page of the records it carries: take them all
            drawn = {x["url"] for x in items}
            items = items + [x for x in store["items"] if x["url"] not in drawn]
        number = response.meta.get("list_page", 1)
        more, unread = ([], 0) if response.status >= 400 or not whole else \
            self._more_list_pages(column, response.meta["requested"], final_url, html, frames)
        group = None
        if store and store["nextgroup"] and store["records"]:
            group, cut = self._jcms_group_request(column, store, store["records"] + 1, number + 1)
            unread += cut
        yield {
            "type": "column_page", "inspection": self.inspection_id, "site": self.site_code,
            "column": response.meta["column"], "url": response.meta["requested"],
            "list_page": number, "whole_list": whole, "pages_unread": unread,
            "final_url": final_url, "status": response.status, "error": None, "title": title,
            "text_length": visible_text_length(html), "items": items,
            "undated_list": undated_list, "content_page": content_page,
            "page_date": content.get("page_date") if content_page else None,
            "content_chars": content.get("content_chars", 0),
            "placeholder": content.get("placeholder"),
            "frames": [u for u, _ in frames], "html_text": html, "screenshot_png": shot,
            "link_boxes": boxes,
            "design": with_frames(page_design(html, final_url), frames)
            if response.status < 400 else None,
            **_refused(response), "fetched_at": now_iso(),
        }
        if response.status >= 400:
            return
        for n, url in enumerate(more, start=1):
            request = self._column_request(column, url)
            request.meta["list_page"] = number + n
            yield request
        if group is not None:
            yield group
        nxt = None if whole else next_page_url(html, final_url)
        if nxt is None and undated_list:  # 1 2 3 下一页> pagers: the next numbered page
            here = {normalize(u) for u in (response.meta["requested"], final_url,
                                           column.get("url") or "")}
            nxt = next((u for u in list_page_urls(html, final_url) if normalize(u) not in here),
                       None)
        if nxt and number < MAX_LIST_PAGES and not any(x.get("date") for x in items):
            # Only where needed: the first page shows no dated item (a cover page, pinned
            # undated items); the next page is read too, bounded.
            request = self._column_request(response.meta["column"], nxt)
            request.meta["list_page"] = number + 1
            yield request
        for request in self._list_followups(column, items, response.meta["requested"]):
            yield request

    def _jcms_group_request(self, column: dict, store: dict, start: int,
                            number: int) -> tuple[scrapy.Request | None, int]:
        """Ask jcms's dataproxy.jsp for the records from ``start`` on (three pages at a time, as
        its own pager does), within the list page cap. Returns (request or None when the list is
        complete or capped, 1 when the cap cut it)."""
        if store.get("total") is not None and start > store["total"]:
            return None, 0
        size = 3 * (store["perpage"] or 15)
        key = f"{store['nextgroup']}#startrecord={start}"
        asked = self.list_pages_asked.setdefault(self._list_key(column),
                                                 {self._list_key(column)})
        if len(asked) >= self.max_list_pages:
            return None, 1
        asked.add(key)
        return scrapy.FormRequest(
            store["nextgroup"], callback=self.parse_jcms_group, errback=self.column_failed,
            formdata={"startrecord": str(start), "endrecord": str(start + size - 1),
                      "perpage": str(store["perpage"] or 15)},
            dont_filter=True, priority=-1,
            meta={"column": column, "requested": key, "list_page": number, "start": start,
                  "size": size, "perpage": store["perpage"], "nextgroup": store["nextgroup"]}), 0

    def parse_jcms_group(self, response):
        """One group of a jcms list from dataproxy.jsp: its rows, then the next group."""
        column, meta = response.meta["column"], response.meta
        text = decode_body(response.body, response.headers.get("Content-Type", b"")
                           .decode("latin-1")) if response.status < 400 else ""
        store = jcms_datastore(text, meta["nextgroup"]) or {"items": [], "records": 0}
        store.update(nextgroup=meta["nextgroup"], perpage=meta["perpage"])
        done = store["records"] < meta["size"] or response.status >= 400
        request, cut = (None, 0) if done else self._jcms_group_request(
            column, store, meta["start"] + store["records"], meta["list_page"] + 1)
        yield {"type": "column_page", "inspection": self.inspection_id, "site": self.site_code,
               "column": column, "url": meta["requested"], "list_page": meta["list_page"],
               "whole_list": True, "pages_unread": cut, "final_url": response.url,
               "status": response.status,
               "error": None if response.status < 400 else f"HTTP {response.status}",
               "title": "", "text_length": len(text), "items": store["items"], "frames": [],
               "fetched_at": now_iso()}
        if request is not None:
            yield request
        yield from self._list_followups(column, store["items"], meta["requested"])

    def _list_followups(self, column: dict, items: list[dict], list_url: str):
        """What a column list's items ask for: their dates, guides, letters."""
        if column.get("type") in (SURVEY, INTERVIEW):  # every activity's date counts
            for request in self._activity_date_requests(column, items, list_url):
                yield request
        elif column.get("type") not in (GUIDE_TYPE, CONSULTATION):  # guides/letters: own pages
            for request in self._item_date_requests(items, list_url):
                yield request
        if column.get("type") == GUIDE_TYPE:
            for request in self._guide_requests(column, items):
                yield request
        if column.get("type") == CONSULTATION and not EXCLUDED_NAMES.search(
                column.get("name") or ""):
            asked = self.letters_asked.setdefault(self._list_key(column), set())
            for item in items:
                if item["url"] in asked or len(asked) >= self.max_letters:
                    continue  # bounded per column, across all its pages
                asked.add(item["url"])
                yield scrapy.Request(
                    item["url"], callback=self.parse_letter, errback=self.letter_failed,
                    dont_filter=True, meta={"requested": item["url"], "item": item,
                                            "column_url": column.get("url")})

    @staticmethod
    def _list_key(column: dict) -> str:
        return normalize(column.get("url") or "")

    def _more_list_pages(self, column: dict, requested: str, final_url: str, html: str,
                         frames: list[tuple[str, str]]) -> tuple[list[str], int]:
        """Pages of a whole list not asked for yet (its 下一页 and numbered page links), within
        ``XUNJIAN_MAX_LIST_PAGES`` per column; returns (pages to ask, pages left unread)."""
        asked = self.list_pages_asked.setdefault(
            self._list_key(column), {self._list_key(column)})
        asked.update({normalize(requested), normalize(final_url)})
        found = list_page_urls(html, final_url)
        for frame_url, frame_html in frames:
            found += list_page_urls(frame_html, frame_url)
        new = list(dict.fromkeys(u for u in map(normalize, found) if u not in asked))
        room = max(0, self.max_list_pages - len(asked))
        asked.update(new[:room])
        return new[:room], len(new[room:])

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

    @unresponsive_to("guide_failed")
    async def parse_guide(self, response):
        html, title, _, shot, final_url = await self._capture(response)
        facts = guide_facts(html, final_url)
        yield {"type": "guide_page", "inspection": self.inspection_id, "site": self.site_code,
               "column": response.meta["column"], "url": response.meta["requested"],
               "final_url": final_url, "status": response.status, "error": None,
               "title": facts["title"] or title, **{k: facts[k] for k in
                                                     ("elements", "review", "downloads",
                                                      "mentions")},
               "html_text": html, "screenshot_png": shot, "fetched_at": now_iso(),
               "link_boxes": response.meta.get("link_boxes")}

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

    @unresponsive_to("system_failed")
    async def parse_system(self, response):
        html, title, _, shot, final_url = await self._capture(response)
        verdict, reason = system_verdict(response.status, html, title)  # main content, not shell
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
        facts = dict(NO_LETTER)
        if isinstance(response, TextResponse) and "html" in (content_type or "text/html"):
            facts = letter_record(decode_body(response.body, content_type))
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
               "error": failure_words(failure), **NO_LETTER, "fetched_at": now_iso()}

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

    def _activity_date_requests(self, column: dict, items: list[dict], list_url: str):
        """A survey or interview list is counted whole: open its undated items, across all its
        pages, up to ``XUNJIAN_MAX_LETTERS`` per column (the rest stay undated, and a count that
        misses them awaits review)."""
        asked = self.activities_asked.setdefault(self._list_key(column), set())
        for item in items:
            if item.get("date") or item["url"] in asked or len(asked) >= self.max_letters:
                continue
            asked.add(item["url"])
            self.item_dates_asked.add(item["url"])
            yield scrapy.Request(item["url"], callback=self.parse_item_date,
                                 errback=self.item_date_failed, dont_filter=True,
                                 meta={"requested": item["url"], "column_url": list_url})

    def _discover(self, home_links: list[dict]):
        """Columns of types the registry does not list, proposed from the homepage's links: each
        an item for the store (the site's columns, ``source: "discovered"``), then its render."""
        for n, column in enumerate(propose_columns(home_links, self.known_columns)):
            url = normalize(column["url"])
            if url in self.columns_asked:
                continue
            self.columns_asked.add(url)
            doc = {**column, "site": self.site_code, "position": 1000 + n,
                   "discovered_at": now_iso(), "inspection": self.inspection_id,
                   "home": self.site["url"]}  # the 首页网址 it was found from
            yield {"type": DISCOVERED_COLUMN, "inspection": self.inspection_id,
                   "site": self.site_code, "column": doc}
            yield self._column_request(doc, url)

    async def column_failed(self, failure):
        request, status, error = await self._failure_facts(failure)
        for out in self._unpark(request.meta["requested"], None, None, error):
            yield out
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
            found = article_date(decode_body(response.body, content_type), url=response.url)
        yield {"type": "item_date", "inspection": self.inspection_id, "site": self.site_code,
               "url": response.meta["requested"], "column_url": response.meta["column_url"],
               "status": response.status, "date": found, "fetched_at": now_iso()}

    def item_date_failed(self, failure):
        request = failure.request
        yield {"type": "item_date", "inspection": self.inspection_id, "site": self.site_code,
               "url": request.meta["requested"], "column_url": request.meta["column_url"],
               "status": None, "date": None, "error": failure_words(failure),
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
            **_refused(response),
            "fetched_at": now_iso(),
        }

    def _follow(self, links: list[dict], response):
        yield from self._follow_from(links, response.meta.get("depth", 0),
                                     response.meta["requested"], response.status)

    def _follow_from(self, links: list[dict], here: int, referrer: str, status: int | None):
        if status is None or status >= 400:
            return
        for link in links:
            if link["external"] or link["tag"] not in FOLLOW_TAGS:
                continue
            # A same-site frame is part of the page showing it: a page of the crawl as deep as
            # that page, what it links one click further.
            frame = link["tag"] in FRAME_TAGS
            if (kind_of(link["url"]) if frame else link["kind"]) != "page":
                continue
            # the next pages of a list are as deep as the list (Frontier.depth_of)
            depth = here if frame else self.frontier.depth_of(link["url"], referrer, here)
            # A splash homepage's second-level pages count as the homepage (freshness): render
            # them so their JavaScript lists are seen.
            if not self.frontier.admit(link["url"], depth):
                continue
            # (a frame's own page was read with the rendered page showing it)
            render = not frame and (depth <= self.render_depth
                                    or (depth == 1 and self.home_splash))
            if render:
                render = self._may_render(
                    "render_depth" if depth <= self.render_depth else "splash", link["url"])
            self.frames_walked += frame
            request = self._request(link["url"], depth, referrer=referrer, render=render)
            if frame:
                request.meta["frame_of"] = referrer
            yield request

    def _may_render(self, reason: str, url: str) -> bool:
        """Count one page rendered for ``reason``; False over the bound (the page comes plain,
        and is counted as left if its plain HTML shows it needs a browser)."""
        if sum(self.render_counts.values()) >= self.max_rendered:
            return False
        self.render_counts[reason] = self.render_counts.get(reason, 0) + 1
        return True

    # -- end ---------------------------------------------------------------------------------

    def _render_stats(self) -> dict:
        """Pages rendered for their navigation and why, pages the bound left, frames walked."""
        return {"render": {"rendered": sum(self.render_counts.values()),
                           "reasons": dict(self.render_counts), "max": self.max_rendered,
                           "left": len(self.render_left), "left_examples": self.render_left[:5],
                           "failed": len(self.render_failed)},
                "frames": self.frames_walked}

    def crawl_stats(self, reason: str) -> dict:
        """What the crawl saw and left, for the inspection's ``crawl`` (stored by the finishing
        stage when the spider closes): pages seen, pages left by the budget and why
        (spiders.frontier.crawl_cut reads them), pages rendered for their navigation."""
        stats = {"crawl_reason": reason, **self.frontier.stats(), **self._render_stats()}
        if reason == "finished" and (stats["pages_left"] or self.render_left
                                     or self.render_failed):
            # something the crawl saw was left unwalked: not "finished" (crawl_cut says what)
            stats.update(crawl_reason="partial", closed_reason=reason)
        return stats
