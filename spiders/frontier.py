"""Which pages of the site the crawl walks: the whole site within a budget, never a trap.

Ordinary pages are never capped by their URL shape: a site's articles all look alike
(``/art/2026/5/29/art_123_456.html``, ``/news/12345.shtml``, ``./202611/t20261118_123.html``,
``content.jsp?id=123``) and every one of them may carry a broken link. Only URL spaces that grow
without end while showing the same few pages are cut (reasons as stored in the inspection's
``crawl.refused``):

* ``calendar`` — event calendars (``?year=2031&month=4``, ``/calendar/2026/11/29``): at most
  ``per_calendar`` pages per calendar URL pattern;
* ``session_id`` — the same page under another session id (``;jsessionid=…``, ``?sid=<token>``):
  each page is opened once, whatever its session id;
* ``nested_path`` — relative links that nest a path into itself (``/a/b/a/b/a/…``);
* ``volatile_query`` — one page under cache-busting, sorting or print parameters
  (``?t=1732…``, ``?orderby=…``, ``?print=1``): at most ``per_volatile`` per path;
* ``query_variants`` — one path with endlessly many query shapes (faceted search): at most
  ``per_query_shapes`` sets of parameter names per path and ``per_query`` pages per shape;
* ``long_url`` — URLs longer than any page of a real site.

The budget is ``max_pages`` pages and ``max_depth`` clicks from the homepage (the next pages of
a list — ``index_1.html``, ``?page=2`` — are as deep as the list itself, see ``depth_of``).
What the budget cuts (``max_pages``, ``max_depth``) is counted per distinct URL and makes the
crawl *partial* (``crawl_cut``): the link indicator is then still scored, but marked partial and
the card cannot be final. Links on pages that are not walked are still checked.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from xunjian.base.config import DEFAULTS

#: Default budget. 5 clicks is the census platform's depth. 5,000 pages covers a county or
#: department site whole (typically 300 – 3,000 pages); a page held in memory during the crawl is
#: only its URL (the frontier) and after it its link list (~20 kB), so 5,000 pages stay well under
#: the 1.5 GB budget, and plain-HTTP pages come at 20 – 60 a second on one host (a few minutes).
DEFAULT_MAX_PAGES = DEFAULTS.max_pages  # XUNJIAN_MAX_PAGES (base/config.py)
DEFAULT_MAX_DEPTH = DEFAULTS.max_depth  # XUNJIAN_MAX_DEPTH

#: Refusal reasons that are the budget running out (the crawl is then partial), the rest are traps.
BUDGET_REASONS = ("max_pages", "max_depth")

CALENDAR_KEYS = {"date", "day", "month", "year", "cal", "calendar", "yearmonth", "ym", "ymd",
                 "week", "riqi", "rq", "nian", "yue"}
CALENDAR_WORDS = {"calendar", "cal", "rili", "richeng", "schedule", "events"}
SESSION_KEYS = {"jsessionid", "phpsessid", "aspsessionid", "sessionid", "sessid", "sid", "cfid",
                "cftoken"}
VOLATILE_KEYS = {"t", "ts", "_", "timestamp", "rnd", "rand", "random", "nocache", "sort",
                 "sortby", "sortfield", "order", "orderby", "desc", "asc", "print", "fontsize",
                 "font", "skin", "style"}
PAGE_KEYS = {"page", "pageno", "pagenum", "pagenumber", "pageindex", "currentpage", "curpage",
             "cpage", "p", "pn", "pg", "page_no", "start", "offset"}
_DIGITS = re.compile(r"\d+")
_DATE_IN_QUERY = re.compile(r"(19|20)\d\d[-_/]?\d{1,2}[-_/]?\d{1,2}")
_PATH_SESSION = re.compile(r";(jsessionid|sessionid|phpsessid)=[^/?#]*", re.I)
_TOKEN = re.compile(r"^[0-9A-Za-z_.!-]{16,}$")
_LIST_FILE = re.compile(r"^(?P<stem>[a-z]+?)(?:[_-]\d+)?\.(s?html?|jsp|aspx?|php)$", re.I)


def _query(url: str) -> list[tuple[str, str]]:
    return [(k.lower(), v) for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)]


def pattern(url: str) -> tuple[str, str, tuple[str, ...]]:
    """A URL's shape: host, path with digits folded, sorted parameter names."""
    parts = urlsplit(url)
    keys = tuple(sorted({k for k, _ in _query(url)}))
    return parts.netloc, _DIGITS.sub("9", parts.path), keys


def looks_like_calendar(url: str) -> bool:
    parts = urlsplit(url)
    keys = {k for k, _ in _query(url)}
    if keys & CALENDAR_KEYS or _DATE_IN_QUERY.search(parts.query):
        return True
    segments = [s.lower() for s in parts.path.split("/") if s]
    # /calendar/2026/11/29.html — a date in the path is an ordinary article address, a date
    # under a calendar word is a day of a calendar
    return any(s.split(".")[0] in CALENDAR_WORDS for s in segments) and bool(
        _DIGITS.search(parts.path))


def nests_into_itself(url: str) -> bool:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return any(count >= 3 for count in Counter(segments).values())


def without_session(url: str) -> str:
    """The URL with session ids removed (``;jsessionid=…`` and session-token parameters)."""
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _is_session(k, v)]
    text = "&".join(f"{k}={v}" if v else k for k, v in query)
    return urlunsplit((parts.scheme, parts.netloc, path, text, ""))


def _is_session(key: str, value: str) -> bool:
    key = key.lower()
    if key == "sid":  # often a site id (?sid=3); a session only when it is a long token
        return bool(_TOKEN.match(value))
    return key in SESSION_KEYS


def is_next_page(url: str, parent: str) -> bool:
    """``url`` is another page of the list ``parent`` shows (index_1.html, list_2.shtml,
    ?page=3)."""
    a, b = urlsplit(url), urlsplit(parent)
    if (a.scheme, a.netloc) != (b.scheme, b.netloc):
        return False
    if a.path == b.path:
        qa, qb = dict(_query(url)), dict(_query(parent))
        changed = {k for k in qa.keys() | qb.keys() if qa.get(k) != qb.get(k)}
        return bool(changed) and changed <= PAGE_KEYS
    folder_a, file_a = posixpath.split(a.path)
    folder_b, file_b = posixpath.split(b.path)
    if folder_a != folder_b:
        return False
    ma, mb = _LIST_FILE.match(file_a), _LIST_FILE.match(file_b or "index.html")
    return bool(ma and mb) and ma["stem"].lower() == mb["stem"].lower() and (
        a.query == b.query)


class Frontier:
    def __init__(self, max_pages: int = DEFAULT_MAX_PAGES, max_depth: int = DEFAULT_MAX_DEPTH,
                 per_calendar: int = 3, per_volatile: int = 3, per_query_shapes: int = 10,
                 per_query: int = 1000, max_url_length: int = 400):
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.per_calendar = per_calendar
        self.per_volatile = per_volatile
        self.per_query_shapes = per_query_shapes
        self.per_query = per_query
        self.max_url_length = max_url_length
        self.seen: set[str] = set()
        self.pages: set[str] = set()  # admitted URLs without their session ids
        self.patterns: Counter = Counter()  # calendar, volatile and query shapes → pages
        self.shapes: defaultdict[tuple, set] = defaultdict(set)  # path → parameter-name sets
        self.refused_urls: dict[str, str] = {}  # URL → why it was not walked (last reason)

    @property
    def refused(self) -> Counter:
        """Reason → distinct URLs refused for it (a URL later admitted no longer counts)."""
        return Counter(self.refused_urls.values())

    def depth_of(self, url: str, parent: str, parent_depth: int) -> int:
        """Clicks from the homepage: the next pages of a list are as deep as the list."""
        return parent_depth if is_next_page(url, parent) else parent_depth + 1

    def admit(self, url: str, depth: int) -> bool:
        if url in self.seen:
            return False
        reason = self._refusal(url, depth)
        if reason:
            self.refused_urls[url] = reason
            return False
        self.refused_urls.pop(url, None)
        self.seen.add(url)
        self.pages.add(without_session(url))
        for key in self._counted(url):
            self.patterns[key] += 1
        parts = urlsplit(url)
        if parts.query:
            self.shapes[(parts.netloc, parts.path)].add(pattern(url)[2])
        return True

    def _counted(self, url: str) -> list[tuple]:
        parts = urlsplit(url)
        keys = {k for k, _ in _query(url)}
        counted = []
        if looks_like_calendar(url):
            counted.append(("calendar", *pattern(url)))
        if keys & VOLATILE_KEYS:
            counted.append(("volatile", parts.netloc, parts.path))
        if keys:
            counted.append(("query", parts.netloc, parts.path, pattern(url)[2]))
        return counted

    def _refusal(self, url: str, depth: int) -> str | None:
        if len(url) > self.max_url_length:
            return "long_url"
        if nests_into_itself(url):
            return "nested_path"
        if without_session(url) in self.pages:
            return "session_id"
        for key in self._counted(url):
            limit = {"calendar": self.per_calendar, "volatile": self.per_volatile,
                     "query": self.per_query}[key[0]]
            if self.patterns[key] >= limit:
                return {"calendar": "calendar", "volatile": "volatile_query",
                        "query": "query_variants"}[key[0]]
        parts = urlsplit(url)
        shapes = self.shapes.get((parts.netloc, parts.path), set())
        if parts.query and pattern(url)[2] not in shapes and len(shapes) >= self.per_query_shapes:
            return "query_variants"
        if depth > self.max_depth:
            return "max_depth"
        if len(self.seen) >= self.max_pages:
            return "max_pages"
        return None

    def stats(self) -> dict:
        """What the crawl walked and what it left, for the inspection (``crawl`` field)."""
        refused = self.refused
        budget = {r: refused[r] for r in BUDGET_REASONS if refused[r]}
        examples: dict[str, list[str]] = {}
        for url, reason in self.refused_urls.items():
            if len(examples.setdefault(reason, [])) < 5:
                examples[reason].append(url)
        return {"pages_seen": len(self.seen), "pages_refused": dict(refused),
                "pages_left": sum(budget.values()), "budget_cut": budget,
                "refused_examples": examples,
                "max_pages": self.max_pages, "max_depth": self.max_depth}


def crawl_cut(crawl: dict | None) -> str | None:
    """Why a stored crawl did not walk the whole site, in the reviewer's words; None when it did.

    Traps cut on purpose do not count; the budget (pages, depth) and a crawl that did not finish
    do. ``crawl`` is the inspection's ``crawl`` field (``Frontier.stats`` + ``crawl_reason``)."""
    if not crawl:
        return None
    why = []
    budget = crawl.get("budget_cut") or {}
    if budget.get("max_pages"):
        why.append(f"页面数达到上限 {crawl.get('max_pages')}，{budget['max_pages']} 个页面未打开")
    if budget.get("max_depth"):
        why.append(f"层级达到上限 {crawl.get('max_depth')}，{budget['max_depth']} 个页面未打开")
    render = crawl.get("render") or {}
    if render.get("left"):
        why.append(f"需要浏览器绘制的页面达到上限 {render.get('max')}，{render['left']} 个页面未绘制")
    if render.get("failed"):
        why.append(f"{render['failed']} 个需要浏览器绘制的页面未能绘制")
    reason = crawl.get("crawl_reason")
    if reason and reason not in ("finished", "partial"):  # partial: said above
        why.append(f"抓取未正常结束（{reason}）")
    return "；".join(why) or None
