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
import unicodedata
from datetime import date, datetime, timedelta

from xunjian.base.html import parse_html

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
LABELS = ("发布时间", "发布日期", "发表时间", "发稿时间", "发布于", "发文日期", "成文日期",
          "录入时间", "添加时间", "上传时间", "更新时间", "时间", "日期")
_LABEL_RE = re.compile(r"(" + "|".join(LABELS) + r")\s*[:：]?\s*")
_LABEL_BEFORE = re.compile(r"(" + "|".join(LABELS) + r")\s*[:：]?\s*[\[【（(]?\s*$")
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


def _full_found(m) -> dict | None:
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not _valid(year, month, day):
        return None
    found = {"text": m.group(0).strip(), "date": date(year, month, day).isoformat()}
    if m.group(4) is not None and int(m.group(4)) < 24 and int(m.group(5)) < 60:
        found["time"] = f"{int(m.group(4)):02d}:{m.group(5)}"
    return found


def full_dates(text: str) -> list[dict]:
    """Every full date in ``text``, in order: ``{"text", "date"}`` (+ ``"time"`` when given)."""
    return [found for m in FULL.finditer(text or "") if (found := _full_found(m))]


def _month_day_matches(text: str) -> list[tuple]:
    """(match, found) for each year-implied date of ``text`` (full dates already removed)."""
    out = []
    for m in MONTH_DAY.finditer(text):
        month, day = int(m.group(1)), int(m.group(3))
        if m.group(2) == "." and len(m.group(3)) == 1:
            continue  # 1.5 is a number (a version, an amount), not 1 May
        if _valid_md(month, day):
            out.append((m, {"text": m.group(0).strip(), "md": f"{month:02d}-{day:02d}"}))
    return out


def month_days(text: str) -> list[dict]:
    """Year-implied dates in ``text`` (full dates removed first): ``{"text", "md": "MM-DD"}``."""
    return [found for _, found in _month_day_matches(FULL.sub(" ", text or ""))]


# -- periods (征集时间 2026-11-23 至 2026-12-09) ----------------------------------------------
#
# Survey and consultation lists print a period. An activity counts by its START (DESIGN: a
# period running at as-of is not a future item; one starting after as-of is). A period is one
# date: ``{"text": the whole period as printed, "date": start, "end": end}`` (year-implied:
# ``md`` / ``end_md``), so every reader of ``date`` reads the start and the raw text is kept.

#: Words and dashes between the two ends of a period. An ASCII-like hyphen only joins a period
#: whose end has at least a month (2026-11-18 - 12 is a date and a counter, not a period).
_RANGE_SEP = r"\s*(?P<sep>至|到|~|～|〜|—+|–|－|-)\s*"
_RANGE_TAIL = re.compile(
    _RANGE_SEP + r"(?:(?P<ey>(?:19|20)\d{2})\s*[-/.年]\s*(?P<em1>\d{1,2})\s*[-/.月]\s*"
    r"|(?P<em2>\d{1,2})\s*[-/.月]\s*)?(?P<ed>\d{1,2})(?!\d)(?:\s*日)?"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?")
_MD_RANGE_SEP = re.compile(r"^" + _RANGE_SEP + r"$")
#: The longest period read as one (longer: two unrelated dates).
MAX_PERIOD_DAYS = 3 * 366


def _period_end(start: date, tail) -> date | None:
    """The end of a period whose start is ``start``, from a ``_RANGE_TAIL`` match, or None."""
    month = tail["em1"] or tail["em2"]
    if month is None and tail["sep"] in ("-", "–", "－"):
        return None
    year = int(tail["ey"]) if tail["ey"] else start.year
    month = int(month) if month else start.month
    if not _valid(year, month, int(tail["ed"])):
        return None
    end = date(year, month, int(tail["ed"]))
    if not tail["ey"] and end < start:  # 2026年12月20日—1月10日 runs into the next year
        end = date(year + 1, month, end.day) if _valid(year + 1, month, end.day) else None
    if end is None or not 0 <= (end - start).days <= MAX_PERIOD_DAYS:
        return None
    return end


def _full_events(text: str) -> list[dict]:
    """The full dates of ``text`` in order, a period (start 至 end) counting as one."""
    events, pos = [], 0
    while (m := FULL.search(text, pos)) is not None:
        pos = m.end()
        found = _full_found(m)
        if found is None:
            continue
        tail = _RANGE_TAIL.match(text, m.end())
        end = _period_end(date.fromisoformat(found["date"]), tail) if tail else None
        if end is not None:
            found = {**found, "text": text[m.start():tail.end()].strip(),
                     "end": end.isoformat()}
            pos = tail.end()
        events.append(found)
    return events


def _month_day_events(text: str) -> list[dict]:
    """The year-implied dates of ``text`` in order, ``11-23 至 12-09`` counting as one."""
    matches = _month_day_matches(FULL.sub(" ", text or ""))
    rest = FULL.sub(" ", text or "")
    events, i = [], 0
    while i < len(matches):
        m, found = matches[i]
        if i + 1 < len(matches) and _MD_RANGE_SEP.match(rest[m.end():matches[i + 1][0].start()]):
            m2, end = matches[i + 1]
            events.append({**found, "text": rest[m.start():m2.end()].strip(),
                           "end_md": end["md"]})
            i += 2
            continue
        events.append(found)
        i += 1
    return events


def date_in_text(text: str, allow_year_implied: bool = True) -> dict | None:
    """The date a short text (a list item's date cell, its row) states, or None.

    A full date wins over a year-implied one; among several full dates the last one in the text
    (list rows print the date after the title, and titles may contain other dates). A period
    (``2026-11-23 至 2026-12-09``) is one date: its start, with ``end`` (``end_md``) and the
    whole period as ``text``.
    """
    full = _full_events(text or "")
    if full:
        return full[-1]
    for pattern in SPLIT:
        m = pattern.match(text or "")
        if m and _valid(int(m["y"]), int(m["m"]), int(m["d"])):
            return {"text": m.group(0).strip(),
                    "date": date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()}
    if allow_year_implied:
        implied = _month_day_events(text)
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


# -- dates as other editions print them -------------------------------------------------------
#
# Government sites have English and minority-language editions, and htmldate's own evaluation
# pages are European news and blogs: 12.02.2022, 2. Februar 2022, Feb 12, 2022, 12 de febrero de
# 2022, 15 августа 2016, 2022년 2월 12일, digits of other scripts (༢༠༢༢, ٢٠٢٢, full-width ２０２２).
# These readers only say which full dates a text states; which one is the page's date is decided
# by the article-page reading below.

#: Month names and abbreviations (lowercase, no final dot): en, de, fr, es, it, pt, nl, pl, ru, tr.
MONTH_NAMES = {
    1: "january jan januar jänner jän janvier janv enero ene gennaio genn gen janeiro januari "
       "stycznia styczeń январь января янв ocak",
    2: "february feb febr februar feber février fevrier févr fevr febrero febbraio fevereiro fev "
       "februari lutego luty февраль февраля фев şubat",
    3: "march mar märz mär maerz mrz mars marzo março marco maart marca marzec март марта мар mart",
    4: "april apr avril avr abril abr aprile kwietnia kwiecień апрель апреля апр nisan",
    5: "may mai mayo maggio mag maio mei maja maj май мая mayıs",
    6: "june jun juni juin junio giugno giu junho czerwca czerwiec июнь июня июн haziran",
    7: "july jul juli juillet juil julio luglio lug julho lipca lipiec июль июля июл temmuz",
    8: "august aug août aout agosto ago augustus sierpnia sierpień август августа авг ağustos",
    9: "september sep sept septembre septiembre setiembre settembre set setembro września "
       "wrzesień сентябрь сентября сен eylül",
    10: "october oct oktober okt octobre octubre ottobre ott outubro out października "
        "październik октябрь октября окт ekim",
    11: "november nov novembre noviembre novembro listopada listopad ноябрь ноября ноя kasım",
    12: "december dec dezember dez décembre decembre déc dic diciembre dicembre dezembro "
        "grudnia grudzień декабрь декабря дек aralık",
}
_MONTH = {name: month for month, names in MONTH_NAMES.items() for name in names.split()}
_MONTH_RE = (r"(?<![^\W\d_])(?P<mon>" + "|".join(sorted(map(re.escape, _MONTH), key=len,
                                                          reverse=True)) + r")(?![^\W\d_])\.?")
_YEAR = r"(?P<y>(?:19|20)\d{2})(?!\d)"
#: 12. Februar 2022, 1er mars 2022, 17 de marzo de 2020, 15 августа 2016 г., 28 April, 2017.
_DAY_MONTH_YEAR = re.compile(r"(?<!\d)(?P<d>\d{1,2})(?:\.|er|º|°)?\s*(?:de\s+)?" + _MONTH_RE
                             + r",?\s*(?:de\s+|del\s+)?" + _YEAR, re.I)
#: Feb 12, 2022; December 29th 2019; Nov. 8, 2023.
_MONTH_DAY_YEAR = re.compile(_MONTH_RE + r"\s*(?P<d>\d{1,2})(?!\d)(?:st|nd|rd|th)?\.?,?\s*"
                             + _YEAR, re.I)
#: 12.02.2022, 8.5.12: day first, as every language that writes dots puts it.
_DOTTED_DMY = re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?"
                         r"(?P<y>(?:19|20)\d{2}|\d{2})(?![\d.]?\d)")
#: 02/12/2022, 12-02-2022: day first or month first; both readings when both are valid.
_SLASHED = re.compile(r"(?<![\d/-])(?P<a>\d{1,2})(?P<s>[/-])(?P<b>\d{1,2})(?P=s)"
                      r"(?P<y>(?:19|20)\d{2}|\d{2})(?![\d/-])")
#: 2022년 2월 12일 (Korean editions).
_KOREAN = re.compile(r"(?P<y>(?:19|20)\d{2})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일")
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of another script (༢, ٢, ۲, ２…) as its ASCII digit."""
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group(0))), text or "")


def _year(text: str) -> int:
    year = int(text)
    return year if year >= 100 else year + (1900 if year >= 90 else 2000)


def _found(m, year: int, month: int, day: int) -> dict | None:
    if not _valid(year, month, day):
        return None
    return {"text": m.group(0).strip(), "date": date(year, month, day).isoformat(),
            "at": m.start()}


def _named_dates(text: str):
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for m in pattern.finditer(text):
            yield _found(m, int(m["y"]), _MONTH[m["mon"].lower()], int(m["d"]))


def _numeric_dates(text: str):
    for pattern in (_DOTTED_DMY, _KOREAN):
        for m in pattern.finditer(text):
            yield _found(m, _year(m["y"]), int(m["m"]), int(m["d"]))
    for m in _SLASHED.finditer(text):
        a, b = int(m["a"]), int(m["b"])
        for day, month in ((a, b), (b, a)) if a != b else ((a, b),):
            yield _found(m, _year(m["y"]), month, day)


def stated_dates(text: str) -> list[dict]:
    """Every full date ``text`` states in any common style, in order: ``{"text", "date", "at"}``.

    Year-first dates (2022-02-12, 2022年2月12日) as ``full_dates`` reads them, and the styles of
    other editions above. A numeric date that reads both ways (02/12/2022) is given both ways.
    """
    text = ascii_digits(text)
    out = [{**d, "at": m.start()} for m in FULL.finditer(text) if (d := _full_found(m))]
    out += [d for d in (*_named_dates(text), *_numeric_dates(text)) if d]
    return sorted(out, key=lambda d: d["at"])


# -- article pages -----------------------------------------------------------------------------
#
# How a person finds an article's date: beside the title, in the byline under it
# (``2019-09-18 06:23 来源：山西省人民政府``, ``发布时间：…``), not in the navigation, the header
# clock (``今天是2026年11月30日 星期一``), the related-article list or the footer (©2025). So the
# order is: date <meta> tags when a CMS writes them; the byline right after the article title;
# a labelled date anywhere; a bare date right beside the title; <time> when the page's <time>s
# agree; and only then htmldate's extensive search, whose answer must be a full date the page
# states, for machines (<meta>, JSON-LD, datetime attributes, its web or canonical address) or
# visibly in any common style (12.02.2022, 2. Februar 2022, Feb 12, 2022 …): a year-only guess
# (©2025 -> 2025-01-01), a year-month, a form field's default or a code sample's date is not one.
# A UTC stamp (…T01:09:55Z) names the publisher's day only with the page's help (publisher_day).

#: Characters after the title in which the byline is looked for; a bare date (no label, time
#: or source beside it) must be nearer; a date before the title must end right before it.
TITLE_WINDOW = 200
PLAIN_WINDOW = 60
BEFORE_WINDOW = 40
#: Words that sit beside a date in a byline (source, author, counters, font size, print, share).
BYLINE_WORDS = ("来源", "作者", "编辑", "发布", "浏览", "点击", "阅读", "字号", "责任", "供稿",
                "出处", "打印", "分享", "访问", "次数", "撰稿", "记者", "通讯员")
#: A weekday after a date marks a clock in the page header, not a publication date.
_WEEKDAY = re.compile(r"^\s*[(（]?\s*(?:星期|礼拜|周)[一二三四五六日天]")
_TODAY = re.compile(r"(?:今天是|今天|今日|当前时间|现在时间|现在是)\s*[:：]?\s*$")
#: After these, dates belong to other articles (previous/next, related, hot lists).
_OTHER_ARTICLES = re.compile(r"上一篇|下一篇|上一条|下一条|相关(?:文章|新闻|信息|阅读|链接)|"
                             r"热点|推荐阅读|延伸阅读")
_TITLE_SPLIT = re.compile(r"\s*(?:[-_|｜－—–]+)\s*")
#: What follows a date in running text (2019年2月27日下午，…): an event date, not a byline.
_PROSE = re.compile(r"^(?:[\u4e00-\u9fff]|[，。、；：,])")
#: Dates written without separators, as URLs and file names print them (t20261118_123.html).
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
_URL_YMD = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?!\d)")
_URL_YM_D = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-]?(\d{2})/(\d{1,2})(?!\d)")
#: htmldate never reads the clock: it gets this bound instead of its default "today".
_HTMLDATE_MAX = f"{MAX_YEAR}-12-31"


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _visible_text(doc) -> str:
    for bad in doc.xpath("//script|//style|//noscript|//template|//pre|//code"):
        bad.drop_tree()
    body = doc.find("body")
    return " ".join((body if body is not None else doc).itertext())


def _node_text(node) -> str:
    return re.sub(r"\s+", " ", " ".join(node.itertext())).strip()


def title_texts(doc) -> list[str]:
    """What the article title may be, most trusted first.

    A heading (h1-h3 or an element whose class/id says title) that the ``<title>`` contains is the
    article title for sure; then the longest segment of ``<title>`` (``标题_栏目_网站``); then the
    other ``<h1>``s. Texts shorter than 5 characters (logos, 正文) are not titles.
    """
    head = doc.find(".//title")
    page_title = _node_text(head) if head is not None else ""
    squeezed_title = _squeeze(page_title)
    strong, weak = [], []
    nodes = doc.xpath("//h1|//h2|//h3|//*[contains(@class,'title') or contains(@id,'title')"
                      " or contains(@class,'Title') or contains(@id,'Title')]")
    for node in nodes:
        text = _node_text(node)
        if not 5 <= len(_squeeze(text)) <= 200:
            continue
        if squeezed_title and _squeeze(text) in squeezed_title:
            strong.append(text)
        elif node.tag == "h1":
            weak.append(text)
    segments = sorted((s for s in _TITLE_SPLIT.split(page_title) if len(_squeeze(s)) >= 5),
                      key=lambda s: -len(s))
    strong.sort(key=lambda t: -len(_squeeze(t)))  # the article title before the site name
    out = []
    for text in strong + segments[:1] + weak:
        if text not in out:
            out.append(text)
    return out


def _positions(text: str) -> list[int]:
    """For each non-space character of ``text``, its index (maps a squeezed match back)."""
    return [i for i, ch in enumerate(text) if not ch.isspace()]


def _is_clock(text: str, start: int, end: int) -> bool:
    """Whether the date at text[start:end] is the page header's clock (今天是…, …星期一)."""
    return bool(_WEEKDAY.match(text[end:end + 6])) or bool(_TODAY.search(text[max(0, start - 8):
                                                                             start]))


def _in_byline(window: str, start: int, end: int) -> bool:
    """Whether a date at window[start:end] reads as a byline: labelled, timed, or beside a
    source/author/counter word."""
    near = window[max(0, start - 12):start] + window[end:end + 30]
    return any(word in near for word in BYLINE_WORDS + LABELS) or bool(
        re.search(r"\d{1,2}[:：]\d{2}", window[start:end + 9]))


def _dates_in(window: str):
    """(match, found, end of the date text) for each full date of ``window``, in order."""
    for m in FULL.finditer(window):
        found = _full_found(m)
        if found is not None:
            yield m, found, m.start() + len(m.group(0).rstrip())


def _stronger_label(window: str, start: int) -> dict | None:
    """In a metadata block (成文日期：… 发布日期：…) the publication label beats the first one."""
    label = _LABEL_BEFORE.search(window[max(0, start - 12):start])
    if not label:
        return None
    other = labelled_date(window)
    if other and LABELS.index(other["source"][len("label:"):]) < LABELS.index(label.group(1)):
        return {**other, "kind": "byline"}
    return None


def byline_date(text: str, titles: list[str]) -> dict | None:
    """The date a person reads beside the article title, or None.

    After the title (within TITLE_WINDOW characters, before any 上一篇/相关 list): the first date
    that reads as a byline (labelled, with a time, beside 来源/作者/浏览…, not running text),
    ``kind`` "byline"; else a bare date right after it (within PLAIN_WINDOW), ``kind`` "title";
    else a date right before it (``<div class="date">…</div><h1>…``), ``kind`` "before".
    Header clocks (今天是…, …星期一) are never one. Returns ``{"text", "date", ("time",)
    "source", "kind"}``; the strongest kind over every title occurrence wins, then the first.
    """
    squeezed = _squeeze(text)
    where = _positions(text)
    best: dict | None = None
    rank = {"byline": 0, "title": 1, "before": 2}
    for title in titles:
        needle = _squeeze(title)
        at = squeezed.find(needle) if needle else -1
        while at >= 0:
            begin, end = where[at], where[at + len(needle) - 1] + 1
            window = text[end:end + TITLE_WINDOW]
            stop = _OTHER_ARTICLES.search(window)
            window = window[:stop.start()] if stop else window
            for m, found, end_of_date in _dates_in(window):
                if _is_clock(window, m.start(), end_of_date):
                    continue
                if not _PROSE.match(window[end_of_date:]) and _in_byline(window, m.start(),
                                                                         end_of_date):
                    return _stronger_label(window, m.start()) or {
                        **found, "source": "byline", "kind": "byline"}
                if m.start() <= PLAIN_WINDOW and (best is None or rank[best["kind"]] > 1):
                    best = {**found, "source": "title", "kind": "title"}
                break  # only the first date after a title can be its byline
            before = text[max(0, begin - BEFORE_WINDOW):begin]
            dates = [d for d in _dates_in(before) if not _is_clock(before, d[0].start(), d[2])]
            if dates and before[dates[-1][2]:].strip(" |｜·:：") == "" and best is None:
                best = {**dates[-1][1], "source": "before-title", "kind": "before"}
            at = squeezed.find(needle, at + 1)
    return best


def labelled_date(text: str) -> dict | None:
    """A date introduced by a label (发布时间：…), the strongest label in LABELS order first."""
    best = None
    for m in _LABEL_RE.finditer(text):
        after = text[m.end():m.end() + 40]
        found = full_dates(after)
        if not found or not after.lstrip("[【（( ").startswith(found[0]["text"][:4]):
            continue
        at = m.end() + after.find(found[0]["text"])
        if _is_clock(text, at, at + len(found[0]["text"])):
            continue
        rank = LABELS.index(m.group(1))
        if best is None or rank < best[0]:
            best = (rank, {**found[0], "source": f"label:{m.group(1)}"})
    return best[1] if best else None


def url_dates(url: str | None) -> list[str]:
    """ISO dates a URL's path states (/2026/11/18/, /202611/t20261118_1.html, 2026-11-18)."""
    path = re.sub(r"^[a-z]+://[^/]*", "", url or "", flags=re.I)
    out = []
    for pattern in (_URL_YMD, _URL_YM_D, _COMPACT):
        for m in pattern.finditer(path):
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if _valid(y, mo, d) and date(y, mo, d).isoformat() not in out:
                out.append(date(y, mo, d).isoformat())
    return out


#: A machine timestamp: 2026-11-18T10:00(:00)(.000)(Z|+08:00| UTC); its zone decides its day.
_STAMP = re.compile(r"^((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})"
                    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{1,2}))?(?:[.,]\d+)?"
                    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?", re.I)
#: A value in script data keyed by a date name ("datePublished": "…", "pubDate": "…").
_KEYED_DATE = re.compile(r'"[\w:.@-]*(?:date|time|published|created|modified)[\w:.-]*"\s*:\s*'
                         r'"([^"]{8,40})"', re.I)
#: Attributes that hold a date for machines (<time datetime>, itemprop content, data-date).
_DATE_ATTRIBUTES = ("datetime", "content", "data-date", "data-time", "data-datetime",
                    "data-published", "data-utime")


def stamp(value: str) -> dict | None:
    """The full date a machine value states (2026-11-18, 2026-11-18T10:00:00+08:00), or None.

    A stamp with a time keeps it as ``clock`` (a naive datetime) and, when its zone is given,
    ``offset`` (minutes east of UTC): ``utc`` marks a UTC time (…Z, +00:00), whose calendar day
    is UTC's, not necessarily the publisher's (``publisher_day``).
    """
    value = (value or "").strip()
    m = _STAMP.match(value)
    if not m or not _valid(int(m[1]), int(m[2]), int(m[3])):
        return None
    found = {"text": value, "date": date(int(m[1]), int(m[2]), int(m[3])).isoformat()}
    if m[4] is not None and int(m[4]) < 24 and int(m[5]) < 60 and int(m[6] or 0) < 60:
        found["clock"] = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]),
                                  int(m[6] or 0))
        zone = (m[7] or "").upper().replace(":", "")
        if zone in ("Z", "UTC", "GMT", "+0000", "-0000"):
            found["utc"] = True
        elif zone and int(zone[1:3]) * 60 + int(zone[3:]) <= 14 * 60:  # zones span -12…+14 h
            found["offset"] = (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 60 + int(zone[3:]))
    return found


def web_address(url: str | None) -> str | None:
    """``url`` when it is a web address; a saved file's path is not the page's address."""
    return url if re.match(r"https?://", url or "", re.I) else None


def machine_dates(doc, url: str | None = None) -> list[dict]:
    """The full dates a page states for machines, in document order: <meta content>, date
    attributes (<time datetime>, itemprop content, data-date), values keyed by a date name in
    script data (JSON-LD datePublished…), then its web address and canonical address."""
    out = []
    for node in doc.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag == "script":
            out += [s for v in _KEYED_DATE.findall(node.text or "") if (s := stamp(v))]
            continue
        out += [s for name in _DATE_ATTRIBUTES if (s := stamp(node.get(name, "")))]
        if node.tag == "abbr":
            out += [s for s in [stamp(node.get("title", ""))] if s]
    addresses = [web_address(url)] + doc.xpath("//link[@rel='canonical']/@href"
                                               "|//meta[@property='og:url']/@content")
    for address in addresses:
        out += [{"text": iso, "date": iso, "address": True} for iso in url_dates(address)]
    images = doc.xpath("//meta[@property='og:image' or @name='twitter:image']/@content")
    return out + [{"text": iso, "date": iso} for image in images for iso in url_dates(image)]


def page_statements(html: str, url: str | None = None) -> list[dict]:
    """Every full date the page states: for machines (``machine_dates``), then visibly, in its
    title and text in any common style (``stated_dates``), code samples left out. This is what
    keeps a guess (©2025 -> 2025-01-01, a year-month, a form field's default) from being a date."""
    doc = parse_html(html)
    if doc is None:
        return []
    machine = machine_dates(doc, url)
    head = doc.find(".//title")
    text = (_node_text(head) if head is not None else "") + " " + _visible_text(doc)
    return machine + stated_dates(re.sub(r"\s+", " ", text))


def _same_instant(utc_clock: datetime, other: dict) -> bool:
    """Whether the stamp ``other`` names the instant ``utc_clock`` (UTC) in a zone of its own:
    with its offset, or as a naive local time a whole number of quarter hours away (-12 … +14 h)."""
    delta = other["clock"] - utc_clock
    if "offset" in other:
        return delta == timedelta(minutes=other["offset"])
    minutes = delta.total_seconds() / 60
    return minutes % 15 == 0 and -12 * 60 <= minutes <= 14 * 60


def publisher_day(found: dict, statements: list[dict]) -> dict:
    """``found`` as returned to callers: a UTC stamp's date read as its publisher's day.

    The publisher's day is the one the page gives the same instant in its own zone
    (``_same_instant``); else the day its web address states (made at publication, in local
    time) if the UTC time can reach it (the day before when before 12:00 UTC, the day after
    from 10:00); else UTC's. Stamp details (``clock``, ``utc``, ``offset``) are dropped.
    """
    day = {k: v for k, v in found.items() if k not in ("utc", "clock", "offset")}
    if not found.get("utc"):
        return day
    clock = found.get("clock")
    if clock is not None:
        for other in statements:
            if "clock" in other and not other.get("utc") and _same_instant(clock, other):
                return {**day, "text": other["text"], "date": other["clock"].date().isoformat()}
    utc_day = date.fromisoformat(found["date"])
    hour = clock.hour if clock is not None else 12
    reachable = {utc_day.isoformat()}
    if hour < 12:
        reachable.add((utc_day - timedelta(days=1)).isoformat())
    if hour >= 10:
        reachable.add((utc_day + timedelta(days=1)).isoformat())
    for other in statements:
        if other.get("address") and other["date"] in reachable:
            return {**day, "text": other["text"], "date": other["date"]}
    return day


def htmldate_date(html: str, url: str | None = None,
                  statements: list[dict] | None = None) -> dict | None:
    """htmldate's extensive search, kept only when the page states that full date
    (``page_statements``): a year-only or year-month guess, a form's default, a code sample's
    date are none. A UTC stamp's day is read as its publisher's (``publisher_day``)."""
    try:
        from htmldate import find_date

        doc = parse_html(html)  # htmldate's own parser stops 255 levels down
        if doc is None:
            return None
        found = find_date(doc, extensive_search=True, original_date=True,
                          url=web_address(url), min_date=f"{MIN_YEAR}-01-01",
                          max_date=_HTMLDATE_MAX)
    except Exception:  # noqa: BLE001 - a library failure on a strange page is "no date found"
        return None
    if not found:
        return None
    statements = page_statements(html, url) if statements is None else statements
    said = [s for s in statements if s["date"] == found]
    if not said:
        return None
    local = [s for s in said if not s.get("utc")]
    if local:
        return {"text": local[0]["text"], "date": found, "source": "htmldate"}
    return {**publisher_day(said[0], statements), "source": "htmldate"}


def page_date(html: str, url: str | None = None, latest: date | None = None) -> dict | None:
    """The publication date of an article page, read as a person reads it.

    The Chinese reading first: 1. ``<meta>`` publication tags; 2. the byline right after the
    article title (labelled, with a time, or beside 来源/作者/浏览…); 3. a labelled date anywhere
    (发布时间：…, strongest label first); 4. a bare date right after (or just above) the title;
    5. ``<time datetime>`` when the page's <time>s agree on one date. Then 6. htmldate's extensive
    search (it also reads a web ``url``, a canonical link, JSON-LD, European and English dates),
    kept only if the page states that full date (``page_statements``); 7. the first <time>.
    Only full dates count: a year-implied 11-18 is too ambiguous on an article page. A UTC
    timestamp (…T01:09:55Z) is read as the publisher's day (``publisher_day``).

    Crawl facts store what this returns without ``latest``; scoring ignores a date after as-of
    (inspectors/freshness.py, interaction.py), so a stored fact never depends on the clock.

    Returns ``{"text", "date", "source"}`` (+ ``"time"``) or None. Pure and clock-free: with
    ``latest`` (the monitoring date or the day the page was fetched) a date after it is no
    publication date and the answer is None, never another, older date of the page.
    """
    found = _page_date(html, url)
    if found and latest is not None and date.fromisoformat(found["date"]) > latest:
        return None
    return found


def meta_date(doc) -> dict | None:
    """The first date of a publication <meta> (META_NAMES); a UTC stamp keeps its ``stamp``
    details for ``publisher_day``."""
    for meta in doc.xpath("//meta[@content]"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if name in META_NAMES:
            found = full_dates(meta.get("content", ""))
            if found:
                machine = stamp(meta.get("content", "")) or {}
                return {**found[0], **{k: machine[k] for k in ("utc", "clock") if k in machine},
                        "source": f"meta:{name}"}
    return None


def _page_date(html: str, url: str | None) -> dict | None:
    doc = parse_html(html)
    if doc is None:
        return None
    found = meta_date(doc)
    if found:
        return publisher_day(found, page_statements(html, url) if found.get("utc") else [])
    times = [s for node in doc.xpath("//time[@datetime][not(ancestor::blockquote)]")
             if (s := stamp(node.get("datetime")))]  # a <blockquote>'s: an embedded post's
    titles = title_texts(doc)
    text = ascii_digits(re.sub(r"\s+", " ", _visible_text(doc)))
    near_title = byline_date(text, titles)
    if near_title and near_title.pop("kind") == "byline":
        return near_title
    found = labelled_date(text) or near_title
    if found:
        return found
    if times and len({t["date"] for t in times}) == 1:  # the page's <time>s agree
        statements = page_statements(html, url) if times[0].get("utc") else []
        return publisher_day({**times[0], "source": "time"}, statements)
    statements = page_statements(html, url)
    found = htmldate_date(html, url, statements)
    if found or not times:
        return found
    return publisher_day({**times[0], "source": "time"}, statements)
