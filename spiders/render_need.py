"""Which plain pages need a browser to show their navigation: decided from their plain HTML.

Most pages of a government site come over plain HTTP and show every link in their HTML. Some
draw their lists with JavaScript after load; opened plain, their articles (and the broken links
on them) are never seen. A page is rendered in Chromium when its plain HTML says so, for one of
these reasons (in this order; the first is the page's main reason):

* ``fetches_list`` — an inline script fetches list data (``fetch``, ``XMLHttpRequest``,
  ``$.ajax``/``$.getJSON``/``$.get``/``$.post``, ``axios``) from a list-ish URL (``*.json``,
  ``/api/``, ``list``, ``col_456``, ``dataproxy.jsp`` …; not visit counters or weather);
* ``inline_data`` — an inline script carries the list as data (``var data = [{title, url …}]``,
  ``<script type="application/json">``) and writes it into the page;
* ``empty_list`` — a list container (``<ul id="list">``, ``<tbody id="dataList">``,
  ``<div class="news-list">``) is empty and the page has scripts to fill it;
* ``few_links`` — the page has scripts and far fewer links than the pages of its URL shape seen
  before it (``/col/col9/index.html`` among other ``/col/colN/index.html``);
* ``column`` — a registered column page (the pages the census looks at first).

The number of pages rendered per inspection is bounded (``XUNJIAN_MAX_RENDERED``); what the
bound leaves unrendered is counted on the inspection's ``crawl`` (spiders/site.py).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict

from xunjian.base.config import DEFAULTS
from xunjian.spiders.frontier import pattern

#: Pages rendered per inspection for their navigation (besides the homepage), the default of
#: ``XUNJIAN_MAX_RENDERED`` (base/config.py): a county site's column lists drawn by script fit in
#: it many times.
DEFAULT_MAX_RENDERED = DEFAULTS.max_rendered

REASONS = ("fetches_list", "inline_data", "empty_list", "few_links", "column")

_QUOTED = r"""(['"`])([^'"`\s]{1,300})\1"""
_CALLS = [
    re.compile(r"\bfetch\s*\(\s*" + _QUOTED, re.I),
    re.compile(r"\.open\s*\(\s*['\"](?:GET|POST)['\"]\s*,\s*" + _QUOTED, re.I),
    re.compile(r"(?:\$|jQuery)\s*\.\s*(?:getJSON|get|post|ajax|load)\s*\(\s*" + _QUOTED, re.I),
    re.compile(r"\.load\s*\(\s*" + _QUOTED, re.I),
    re.compile(r"\baxios(?:\s*\.\s*(?:get|post))?\s*\(\s*" + _QUOTED, re.I),
]
#: ``url: "…"`` in an options object (``$.ajax({url: …})``, ``axios({url: …})``)
_URL_OPTION = re.compile(r"""\burl\s*:\s*""" + _QUOTED, re.I)
_AJAX_WORDS = re.compile(r"\$\s*\.\s*ajax|jQuery\s*\.\s*ajax|axios|XMLHttpRequest|\bfetch\s*\(")
_LISTISH_URL = re.compile(
    r"\.json\b|/api/|list|lanmu|column|channel|\bcol(?:umn)?[_\-/]?\d|data|query|search|"
    r"page|article|news|docs?\b|info|xxgk|getall|getpage|\.do\b|\.action\b", re.I)
_NOT_LIST_URL = re.compile(
    r"count|visit|hits|click|stat|weather|tianqi|login|logout|captcha|verify|track|"
    r"\bpv\b|\buv\b|/log\b|\.css\b|\.png\b|\.jpe?g\b|\.gif\b|\.html?\.js\b", re.I)
#: an array of objects carrying list fields, assigned or passed in an inline script
_DATA_ARRAY = re.compile(r"\[\s*\{\s*['\"]?(?:title|url|href|link|name|doctitle|docpuburl|"
                         r"time|date|t|u|id)['\"]?\s*:", re.I)
_DRAWS = re.compile(r"innerHTML|appendChild|insertAdjacentHTML|document\.write|\.html\s*\(|"
                    r"\.append\s*\(|createElement|\.render\s*\(|template", re.I)
_LIST_NAME = re.compile(r"list|lb(?:\b|_)|items|news|article|xxgk|tzgg|zcwj|gzdt|docs?\b|"
                        r"data|result|content_?box|infolist|newslist", re.I)
_SCRIPT_TAG = re.compile(r"<script\b", re.I)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_TYPE = re.compile(r"""(?<![\w-])type\s*=\s*["']?([^"'\s>]+)""", re.I)
_SRC = re.compile(r"(?<![\w-])src\s*=", re.I)
#: an element of a list-ish kind with nothing (but blanks or a comment) inside
_EMPTY = re.compile(r"<(ul|ol|tbody|table|dl|div|section)\b([^>]*)>(?:\s|<!--.*?-->)*</\1\s*>",
                    re.I | re.S)
_ID = re.compile(r"""(?<![\w-])id\s*=\s*["']?([^"'\s>]+)""", re.I)
_CLASS = re.compile(r"""(?<![\w-])class\s*=\s*(?:["']([^"']*)["']|([^\s>]+))""", re.I)
_JS_TYPES = ("", "text/javascript", "application/javascript", "module", "text/x-template",
             "text/html")


def _scripts(html: str) -> tuple[list[str], list[str]]:
    """(inline script texts, JSON data script texts) of a page, read from its raw HTML (no second
    parse: most government pages carry scripts, and this runs on every plain page)."""
    inline, data = [], []
    for attrs, text in _SCRIPT.findall(html):
        if _SRC.search(attrs) or not text.strip():
            continue
        found = _TYPE.search(attrs)
        kind = found.group(1).lower() if found else ""
        if kind == "application/json":
            data.append(text)
        elif kind in _JS_TYPES:
            inline.append(text)
    return inline, data


def _fetched_urls(script: str) -> list[str]:
    urls = [m.group(2) for rx in _CALLS for m in rx.finditer(script)]
    if _AJAX_WORDS.search(script):
        urls += [m.group(2) for m in _URL_OPTION.finditer(script)]
    return urls


def _fetches_list(scripts: list[str]) -> bool:
    for script in scripts:
        for url in _fetched_urls(script):
            if _LISTISH_URL.search(url) and not _NOT_LIST_URL.search(url):
                return True
    return False


def _inline_data(scripts: list[str], data: list[str]) -> bool:
    if any(_DATA_ARRAY.search(text) for text in data):
        return True
    draws = any(_DRAWS.search(s) for s in scripts)
    return draws and any(_DATA_ARRAY.search(s) for s in scripts)


def _empty_list(html: str, scripts: list[str]) -> bool:
    code = "\n".join(scripts)
    for _, attrs in _EMPTY.findall(html):
        found = _ID.search(attrs)
        ident = found.group(1) if found else ""
        if len(ident) >= 3 and ident in code:
            return True  # a script names the empty element: it fills it
        found = _CLASS.search(attrs)
        cls = (found.group(1) or found.group(2) or "") if found else ""
        if _LIST_NAME.search(ident) or _LIST_NAME.search(cls):
            return True
    return False


def render_reasons(html: str) -> list[str]:
    """The script reasons (``fetches_list``, ``inline_data``, ``empty_list``) a page's plain HTML
    gives for rendering it; [] for a page without scripts (the fast, common case)."""
    if not html or not _SCRIPT_TAG.search(html):
        return []
    inline, data = _scripts(html)
    reasons = []
    if _fetches_list(inline):
        reasons.append("fetches_list")
    if _inline_data(inline, data):
        reasons.append("inline_data")
    if _empty_list(html, inline):
        reasons.append("empty_list")
    return reasons


class RenderNeed:
    """Per crawl: the reasons a page needs a browser, siblings' link counts included.

    ``few_links``: a page with scripts whose internal page links are fewer than a third of the
    median of at least ``min_siblings`` pages of its URL shape seen before it (and at least
    ``min_gap`` fewer)."""

    def __init__(self, registered: set[str] | None = None, min_siblings: int = 3,
                 min_gap: int = 8):
        self.registered = registered or set()
        self.min_siblings = min_siblings
        self.min_gap = min_gap
        self.siblings: defaultdict[tuple, list[int]] = defaultdict(list)

    def reasons(self, html: str, url: str, page_links: int) -> list[str]:
        """Why the plain page ``url`` (``page_links`` internal page links) needs rendering."""
        reasons = render_reasons(html)
        shape = pattern(url)
        seen = self.siblings[shape]
        if (len(seen) >= self.min_siblings and _SCRIPT_TAG.search(html or "")
                and "few_links" not in reasons):
            median = statistics.median(seen)
            if page_links < median / 3 and median - page_links >= self.min_gap:
                reasons.append("few_links")
        if len(seen) < 50:  # enough to know the shape's usual count
            seen.append(page_links)
        if url in self.registered:
            reasons.append("column")
        return reasons
