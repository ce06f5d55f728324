"""Which internal pages the crawl follows: bounded, and wary of crawler traps.

Government CMSs grow endless URL spaces — event calendars (``?year=2031&month=4``), session ids,
relative links that nest a path into itself (``/a/b/a/b/a/…``). The frontier admits a page only
while the crawl is inside its page and depth budget and the page's URL *pattern* (digits folded,
query values dropped) has not been seen too often; calendar-like patterns get a much smaller
allowance. Links on pages that are not followed are still checked — only the walk is bounded.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

CALENDAR_KEYS = {"date", "day", "month", "year", "cal", "calendar", "yearmonth", "ym", "ymd",
                 "week", "riqi", "rq", "nian", "yue"}
_DIGITS = re.compile(r"\d+")
_DATE_IN_PATH = re.compile(r"(19|20)\d\d[-_/]?\d{1,2}[-_/]?\d{1,2}")


def pattern(url: str) -> tuple[str, str, tuple[str, ...]]:
    parts = urlsplit(url)
    keys = tuple(sorted({k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return parts.netloc, _DIGITS.sub("9", parts.path), keys


def looks_like_calendar(url: str) -> bool:
    parts = urlsplit(url)
    keys = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return bool(keys & CALENDAR_KEYS) or bool(_DATE_IN_PATH.search(parts.query))


def nests_into_itself(url: str) -> bool:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return any(count >= 3 for count in Counter(segments).values())


class Frontier:
    def __init__(self, max_pages: int = 200, max_depth: int = 3, per_pattern: int = 25,
                 per_calendar_pattern: int = 3, max_url_length: int = 400):
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.per_pattern = per_pattern
        self.per_calendar_pattern = per_calendar_pattern
        self.max_url_length = max_url_length
        self.seen: set[str] = set()
        self.patterns: Counter = Counter()
        self.refused: Counter = Counter()  # reason -> count, reported in the inspection stats

    def admit(self, url: str, depth: int) -> bool:
        if url in self.seen:
            return False
        reason = self._refusal(url, depth)
        if reason:
            self.refused[reason] += 1
            return False
        self.seen.add(url)
        self.patterns[pattern(url)] += 1
        return True

    def _refusal(self, url: str, depth: int) -> str | None:
        if len(self.seen) >= self.max_pages:
            return "max_pages"
        if depth > self.max_depth:
            return "max_depth"
        if len(url) > self.max_url_length:
            return "long_url"
        if nests_into_itself(url):
            return "nested_path"
        limit = self.per_calendar_pattern if looks_like_calendar(url) else self.per_pattern
        if self.patterns[pattern(url)] >= limit:
            return "calendar" if looks_like_calendar(url) else "pattern"
        return None
