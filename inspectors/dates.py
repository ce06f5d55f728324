"""Chinese publication dates: find them in list items and article pages. Pure, no clock.

Forms handled: 2026-11-18, 2026/11/18, 2026.11.18, 2026年11月18日, 2026-11-18 10:20(:30),
labelled (发布时间：…, 发布日期：…, 时间：…), in brackets or parentheses ([2026-11-18], （11-18）),
and year-implied list dates (11-18, [11-18], 11月18日).

Reproducibility (DESIGN.md "Time"): what is stored is the RAW date text plus what it says
(``date`` for a full date, ``md`` for a year-implied one). A year-implied date is resolved only
at scoring time against the monitoring time point (``resolve``): the latest year that does not put
it after as-of, so re-scoring with another ``--as-of`` needs no re-crawl and never yields a date
in the future.
"""

from __future__ import annotations

import re
from datetime import date

from inspectors.html import parse_html

_SEP = r"\s*[-/.年]\s*"
#: A full date: year, month, day (+ optional time). Digits must not continue on either side.
FULL = re.compile(
    r"(?<!\d)((?:19|20)\d{2})" + _SEP + r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?"
)
#: A year-implied date as list pages print it: 11-18, 11/18, 11.18, 11月18日.
MONTH_DAY = re.compile(
    r"(?<![\d.\-/])(\d{1,2})(?:\s*([-/.])\s*|\s*月\s*)(\d{1,2})(?![\d.\-/])\s*日?")
#: A date split over two boxes, as card layouts print it: "18 2026-11" or "2026-11 18".
_YM = r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})月?"
SPLIT = (re.compile(r"^\W*(?P<d>\d{1,2})\W+" + _YM + r"\W*$"),
         re.compile(r"^\W*" + _YM + r"\W+(?P<d>\d{1,2})日?\W*$"))
#: Labels that introduce a publication date on article pages (the strongest signal first).
LABELS = ("发布时间", "发布日期", "发文日期", "成文日期", "更新时间", "时间", "日期")
_LABEL_RE = re.compile(r"(" + "|".join(LABELS) + r")\s*[:：]?\s*")
#: <meta> names/properties that carry a publication date on Chinese CMS pages.
META_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time",
              "og:release_date", "dc.date", "dc.date.issued", "dcterms.issued", "date",
              "maketime", "lastmodifiedtime")

MIN_YEAR, MAX_YEAR = 1990, 2100


def _valid(year: int, month: int, day: int) -> bool:
    if not (MIN_YEAR <= year <= MAX_YEAR):
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _valid_md(month: int, day: int) -> bool:
    return 1 <= month <= 12 and _valid(2024, month, day)  # 2024 is a leap year: 02-29 is valid


def full_dates(text: str) -> list[dict]:
    """Every full date in ``text``, in order: ``{"text", "date"}`` (+ ``"time"`` when given)."""
    out = []
    for m in FULL.finditer(text or ""):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if not _valid(year, month, day):
            continue
        found = {"text": m.group(0).strip(), "date": date(year, month, day).isoformat()}
        if m.group(4) is not None and int(m.group(4)) < 24 and int(m.group(5)) < 60:
            found["time"] = f"{int(m.group(4)):02d}:{m.group(5)}"
        out.append(found)
    return out


def month_days(text: str) -> list[dict]:
    """Year-implied dates in ``text`` (full dates removed first): ``{"text", "md": "MM-DD"}``."""
    rest = FULL.sub(" ", text or "")
    out = []
    for m in MONTH_DAY.finditer(rest):
        month, day = int(m.group(1)), int(m.group(3))
        if m.group(2) == "." and len(m.group(3)) == 1:
            continue  # 1.5 is a number (a version, an amount), not 1 May
        if _valid_md(month, day):
            out.append({"text": m.group(0).strip(), "md": f"{month:02d}-{day:02d}"})
    return out


def date_in_text(text: str, allow_year_implied: bool = True) -> dict | None:
    """The date a short text (a list item's date cell, its row) states, or None.

    A full date wins over a year-implied one; among several full dates the last one in the text
    (list rows print the date after the title, and titles may contain other dates).
    """
    full = full_dates(text)
    if full:
        return full[-1]
    for pattern in SPLIT:
        m = pattern.match(text or "")
        if m and _valid(int(m["y"]), int(m["m"]), int(m["d"])):
            return {"text": m.group(0).strip(),
                    "date": date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()}
    if allow_year_implied:
        implied = month_days(text)
        if implied:
            return implied[-1]
    return None


def resolve(found: dict | None, as_of: date) -> date | None:
    """The calendar date a stored date says, read at the monitoring date ``as_of``.

    A year-implied ``md`` takes the year of as-of, or the year before if that would be after
    as-of (never a date in the future). A full date is taken as printed.
    """
    if not found:
        return None
    if found.get("date"):
        return date.fromisoformat(found["date"])
    md = found.get("md")
    if not md:
        return None
    month, day = int(md[:2]), int(md[3:])
    for year in (as_of.year, as_of.year - 1, as_of.year - 2, as_of.year - 3, as_of.year - 4):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 02-29 outside a leap year
            continue
        if candidate <= as_of:
            return candidate
    return None


# -- article pages -----------------------------------------------------------------------------

def _visible_text(doc) -> str:
    for bad in doc.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    body = doc.find("body")
    return " ".join((body if body is not None else doc).itertext())


def page_date(html: str) -> dict | None:
    """The publication date of an article page, htmldate-style (cheap signals first).

    1. ``<meta>`` publication tags; 2. a labelled date in the text (发布时间：…, 发布日期：…,
    时间：…; first label in the page wins, in LABELS order of strength); 3. ``<time datetime>``.
    Returns ``{"text", "date", "source"}`` or None. Only full dates count on an article page: a
    year-implied 11-18 there is too ambiguous to trust.
    """
    doc = parse_html(html)
    if doc is None:
        return None
    for meta in doc.xpath("//meta[@content]"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if name in META_NAMES:
            found = full_dates(meta.get("content", ""))
            if found:
                return {**found[0], "source": f"meta:{name}"}
    text = re.sub(r"\s+", " ", _visible_text(doc))
    best = None
    for m in _LABEL_RE.finditer(text):
        found = full_dates(text[m.end():m.end() + 40])
        if not found or not text[m.end():m.end() + 40].lstrip("[【（( ").startswith(
                found[0]["text"][:4]):
            continue
        rank = LABELS.index(m.group(1))
        if best is None or rank < best[0]:
            best = (rank, {**found[0], "source": f"label:{m.group(1)}"})
    if best:
        return best[1]
    for node in doc.xpath("//time[@datetime]"):
        found = full_dates(node.get("datetime", ""))
        if found:
            return {**found[0], "source": "time"}
    return None
