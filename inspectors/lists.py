"""List items of a rendered column page: title, URL, date. Pure, no network.

Layouts: table rows (date in its own cell), ul/li with a date span or ``[11-18]`` after the link,
dl/dd, div cards (title link + date somewhere in the card). Navigation, headers, footers,
breadcrumbs, pagers and "更多/下一页/返回首页" links are not items.

How: every title-like link is walked up to its *row* — the highest ancestor (at most 4 levels)
that contains no other title link. The row's text (minus the title) gives the date. Rows that
share a parent form a list; an undated row counts as an item only when its list is a real one
(some of its rows are dated, or it is the page's biggest list of long titles, or — on a portal
page of several dated lists, or a homepage of several article lists — it is itself a list of
article links).

Real layouts (portal homepages, TRS/Hanweb columns, forum boards): a ``[政策文件]`` / ``【县区】``
link before a title is the row's category, not an item; in a row with several links (category,
author, unit, the thread's last-post link) the item is its title link, the others are the row's
furniture; a list with no row elements (``<a>…</a><font>(3-18)</font><br>``) is read link by link.
Widgets (weather, calendar, exchange rates, stock quotes, login boxes) are not lists. ROC dates
(``115-03-19`` = 2026-03-19) are read on Traditional-Chinese pages and beside 民國.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin, urlsplit

from xunjian.inspectors.dates import date_in_text
from xunjian.base.html import parse_html

#: Elements that never hold column items.
SKIP_TAGS = {"script", "style", "noscript", "template", "nav", "header", "footer", "select",
             "option", "button", "head"}
#: A form is a login or search box (skipped) when it asks for a password or posts to one; other
#: forms hold lists (a forum's moderation form, an ASP.NET page's one form around everything).
_BOX_FORM = re.compile(r"login|logging|denglu|search|sousuo|query", re.I)
#: class/id words of navigation, headers, footers, breadcrumbs and pagers.
SKIP_MARK = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|menus|topbar|header|head|footer|foot|bottom|copyright|crumbs?|"
    r"breadcrumbs?|position|location|weizhi|dqwz|pager?|paging|pagination|fenye|page-?nav|"
    r"friend-?links?|yqlj|share|toolbar|"
    r"weather|tianqi|calendar|rili|login|denglu|userlogin|stock|hangqing|huilv|exchange|aqi|clock"
    r")([\s_-]|\d|$)", re.I)
#: Link texts that are furniture, not items.
NOT_TITLES = re.compile(
    r"^(更多|更多>+|more|>>|»|首页|上一页|下一页|尾页|末页|第一页|最后一页|返回|返回首页|返回顶部|"
    r"打印|关闭|关闭窗口|收藏|登录|注册|跳转|go|\d+|[<>«»]+)$", re.I)
MIN_TITLE = 4
ROW_TAGS = {"li", "tr", "dd", "dt", "p", "div", "article", "section", "span", "td", "h3", "h4"}
MAX_ROW_LEVELS = 4
MAX_ROW_TEXT = 2000  # a card may carry a long summary; climbing stops at a second title


def _text(el) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def _skip_node(node) -> bool:
    if node.tag in SKIP_TAGS:
        return True
    if node.tag == "form" and (_BOX_FORM.search(node.get("action") or "") or node.xpath(
            ".//input[@type='password' or @type='PASSWORD']")):
        return True
    mark = f"{node.get('class', '')} {node.get('id', '')} {node.get('role', '')}"
    return bool(mark.strip() and SKIP_MARK.search(mark))


def _skipped(el, memo: dict | None = None) -> bool:
    """``el`` sits in navigation, a header, a footer, a widget or a login box. ``memo`` keeps
    each ancestor's answer for the next link of the same page."""
    for node in [el, *el.iterancestors()]:
        if not isinstance(node.tag, str):
            continue
        if memo is None:
            if _skip_node(node):
                return True
            continue
        if node not in memo:
            memo[node] = _skip_node(node)
        if memo[node]:
            return True
    return False


#: A label a tooltip puts before the title ("文章标题：…").
_TITLE_LABEL = re.compile(r"^\s*(文章|信息|新闻|公告)?(标\s*题|標\s*題|题\s*名|題\s*名|主\s*题|主\s*旨)\s*[:：]\s*")
#: Boxes inside a link that hold its title (``<a><span class="date">…</span><span
#: class="title">…</span><span class="unit">…</span></a>``).
_TITLE_BOX = re.compile(r"(^|[\s_-])(title|tit|bt|biaoti|txt|name)([\s_-]|\d|$)", re.I)


def _tooltip_title(attr: str, text: str) -> str:
    """The title a ``title`` attribute gives: a tooltip of several lines (文章标题：…\n作者：…\n
    更新时间：…) gives its title line, without the label."""
    lines = [x.strip() for x in re.split(r"[\r\n]+", attr) if x.strip()]
    if not lines:
        return ""
    stem = re.sub(r"(\.{2,}|…+)$", "", text).strip()
    line = next((x for x in lines if stem and stem in x), lines[0])
    return _TITLE_LABEL.sub("", line).strip()


def _title_of(a) -> str:
    text = _text(a)
    attr = _tooltip_title(a.get("title") or "", text)
    if text and NOT_TITLES.match(text.replace(" ", "")):
        return text  # a calendar's day "19" (title="2026-03-19 活动安排") is not an item
    if attr and (not text or text.endswith(("...", "…", "..")) or len(attr) > len(text)):
        return attr
    if attr and len(attr) >= MIN_TITLE and attr in text:
        return attr  # the link also shows a date or a unit beside the title it names
    boxes = [x for x in a.iterdescendants() if isinstance(x.tag, str)]
    for node in [x for x in boxes if x.tag in HEADINGS] + \
            [x for x in boxes if _TITLE_BOX.search(x.get("class") or "")]:
        boxed = _without_badges(node)  # a heading first, then a box named title/tit/bt
        if len(boxed) >= MIN_TITLE:
            return boxed
    return _without_badges(a) if len(text) > MIN_TITLE else text


#: A link's heading holds its title when the whole row is the link (heading, summary, date).
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
#: Badges a CMS sets in a title's box: 置顶, NEW, 热, 荐 …
_BADGE = re.compile(r"^[\[【(（]?(置顶|置頂|顶|頂|new|hot|top|新|热|熱|荐|薦|推荐|推薦|头条|頭條|图|圖|"
                    r"视频|視頻|原创|原創)[\]】)）]?$", re.I)


def _without_badges(el) -> str:
    """The text of ``el`` without the badge elements in it (``<i>置顶</i>``, ``<em>NEW</em>``)."""
    badges = [x for x in el.iterdescendants() if isinstance(x.tag, str)
              and len(x) == 0 and _BADGE.match(_text(x))]
    if not badges:
        return _text(el)
    parts: list[str] = []

    def walk(node):
        if node in badges:
            parts.append(node.tail or "")
            return
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node is not el and node.tail:
            parts.append(node.tail)

    walk(el)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


#: A link's text that is a category label: "[政策文件]", "【县区】", "(通知)".
_BRACKETED = re.compile(r"^[\[【〔(（][^\]】〕)）]{1,12}[\]】〕)）]$")
#: Weather in a link's text (a weather widget): "晴 8~18℃".
_WEATHER = re.compile(r"-?\d+\s*[~～/至]\s*-?\d+\s*(℃|°C|°F)|"
                      r"(晴|云|阴|陰|雨|雪|雾|霧)\S{0,3}\s*-?\d+\s*(℃|°C|°F)")
#: Links to a person's profile (a forum post's author), never an item.
_PROFILE = re.compile(r"(space-(uid|username)-|home\.php\?mod=space|[?&](uid|username)=|"
                      r"-uid-\d)", re.I)


def _is_category(a) -> bool:
    """A category label link: bracketed text, or a link set in brackets ("[<a>通知</a>]")."""
    text = _text(a)
    if _BRACKETED.match(text):
        return True
    before = a.getprevious().tail if a.getprevious() is not None else (
        a.getparent().text if a.getparent() is not None else None)
    return bool(re.search(r"[\[【〔]\s*$", before or "")) and bool(
        re.match(r"^\s*[\]】〕]", a.tail or ""))


def _is_title_link(a) -> bool:
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return False
    title = _title_of(a)
    if len(title) < MIN_TITLE or NOT_TITLES.match(title.replace(" ", "")):
        return False
    if _is_category(a) or _WEATHER.search(title) or _PROFILE.search(href):
        return False
    found = _date_of(title)  # a link that only says a date (a thread's last post) is no title
    return not (found and len(found["text"]) * 2 >= len(title))


#: The nearest element of these is a link's row unit when picking its title link.
UNIT_TAGS = {"li", "tr", "dd", "dt"}
#: A row's other links shorter than this (or than half its longest) are its furniture.
SECONDARY_TITLE = 8


def _unit_of(a):
    node = a
    for _ in range(MAX_ROW_LEVELS):
        node = node.getparent()
        if node is None or not isinstance(node.tag, str):
            return None
        if node.tag in UNIT_TAGS:
            return node
    return None


def _primary_links(links: list) -> list:
    """The title links, one per row: in a row (li/tr/dd/dt) with several links, an image link
    to the same URL, an author, a unit or a comment-count link is the row's furniture, not a
    second item; rows with several long titles (a two-column table) keep them all."""
    units: dict = {}
    for a in links:
        unit = _unit_of(a)
        if unit is not None:
            units.setdefault(unit, []).append(a)
    drop = set()
    for members in units.values():
        if len(members) < 2:
            continue
        best = max(members, key=lambda x: len(_title_of(x)))
        longest = len(_title_of(best))
        href = (best.get("href") or "").strip()
        for a in members:
            if a is best:
                continue
            size = len(_title_of(a))
            if (a.get("href") or "").strip() == href or size < SECONDARY_TITLE \
                    or size * 2 < longest:
                drop.add(a)
    return [a for a in links if a not in drop]


def _more_than_one(parent, title_links: set) -> bool:
    seen = 0
    for x in parent.iter("a"):
        if x in title_links:
            seen += 1
            if seen > 1:
                return True
    return False


def _row_of(a, title_links: set) -> object:
    row = a
    node = a
    for _ in range(MAX_ROW_LEVELS):
        parent = node.getparent()
        if parent is None or not isinstance(parent.tag, str) or parent.tag in ("body", "html"):
            break
        if _more_than_one(parent, title_links) or len(_text(parent)) > MAX_ROW_TEXT:
            break
        node = parent
        if parent.tag in ROW_TAGS:
            row = parent
    return row


# -- ROC (民國) dates: 115-03-19 is 2026-03-19 ----------------------------------------------
#
# Taiwanese sites print the year of the Republic (1912 = 民國元年): ``115-03-19``, ``115/03/19``,
# ``115.03.19``, ``民國115年3月19日``. A three-digit year 1xx is read so only on a page in
# Traditional Chinese (``lang="zh-TW"``/``zh-Hant``/``zh-HK``, or its text is) or right after
# 民國, so that a number elsewhere (an amount, a document number) never becomes a date.

ROC_OFFSET = 1911
_ROC = re.compile(r"(?<![\d.\-/:])(?P<roc>民國|民国|中華民國)?\s*(?P<y>1[0-4]\d)\s*(?P<s>[-/.年])\s*"
                  r"(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?![\d.\-/])\s*日?")
_ROC_ANY = re.compile(r"(?:民國|民国)\s*(?P<y>\d{1,3})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_ROC_HINT = re.compile(r"(?<![\d.\-/])1[0-4]\d\s*[-/.年]\s*\d{1,2}")
_TRADITIONAL = "國們發會關經說這時對與為開過區業務體點學網頁號數縣聯萬當處員議資訊線際"
_SIMPLIFIED = "国们发会关经说这时对与为开过区业务体点学网页号数县联万当处员议资讯线际"


def roc_dates(text: str, roc_page: bool) -> list[dict]:
    """ROC dates in ``text``: ``{"text", "date"}`` in order. Without ``roc_page`` only dates
    right after 民國 are read."""
    out = []
    for pattern in (_ROC, _ROC_ANY):
        for m in pattern.finditer(text or ""):
            if pattern is _ROC and not (roc_page or m.group("roc")):
                continue
            if pattern is _ROC and m.group("s") == "年" and "月" not in m.group(0):
                continue
            year = int(m.group("y")) + ROC_OFFSET
            try:
                when = date(year, int(m.group("m")), int(m.group("d")))
            except ValueError:
                continue
            out.append((m.start(), m.end(), {"text": m.group(0).strip(),
                                             "date": when.isoformat()}))
    dates, end = [], -1
    for start, stop, found in sorted(out, key=lambda x: (x[0], -x[1])):
        if start >= end:  # one date read by both patterns (民國115年3月19日) is one date
            dates.append(found)
            end = stop
    return dates


def is_roc_page(doc) -> bool:
    """The page is in Traditional Chinese (declared, or by its characters)."""
    langs = " ".join(doc.xpath("//html/@lang | //html/@xml:lang | "
                               "//meta[@http-equiv='content-language' or "
                               "@http-equiv='Content-Language']/@content")).lower()
    if re.search(r"zh[-_](tw|hant|hk|mo)", langs):
        return True
    if re.search(r"zh[-_](cn|hans|sg)", langs):
        return False
    text = "".join(doc.xpath("//body//text()"))[:20000]
    trad = sum(text.count(c) for c in _TRADITIONAL)
    simp = sum(text.count(c) for c in _SIMPLIFIED)
    return trad >= 5 and trad > 3 * simp


#: Numbers that are not dates: a quote's change (+1.03%), a signed amount, a price (¥7.85).
_NOT_DATE_NUMBER = re.compile(r"(?<![\d.\-/])[+\-−±]\s*\d+(\.\d+)?\s*%?|\d+(\.\d+)?\s*%|"
                              r"[¥￥$]\s*\d+(\.\d+)?")


def _date_of(text: str, roc: bool = False, allow_year_implied: bool = True) -> dict | None:
    """``date_in_text`` for a list row: an ROC date where one may be (see ``roc_dates``), and
    never a percentage or a signed amount."""
    if roc or "民" in (text or ""):
        found = roc_dates(text, roc)
        if found:
            return found[-1]
    if not text or not re.search(r"\d", text):
        return None
    cleaned = _NOT_DATE_NUMBER.sub(lambda m: " " * len(m.group(0)), text)
    return date_in_text(cleaned, allow_year_implied=allow_year_implied)


def _date_inside_link(a, roc: bool = False) -> dict | None:
    """A date printed in its own element inside the title link, or None."""
    for node in a.iterdescendants():
        if not isinstance(node.tag, str):
            continue
        text = _DATE_LABEL.sub("", _text(node))
        if 4 <= len(text) <= 24:
            found = _date_of(text, roc)
            if found and len(found["text"]) >= len(text.strip(" []【】()（）")) - 1:
                return found
    return None


#: A label before a list row's date (发布时间：2026-03-19).
_DATE_LABEL = re.compile(r"^\s*(发布|發布|发表|發表|更新|发文|發文|成文|公告|录入|錄入)?(时间|時間|日期)\s*[:：]\s*")


_LEADING = re.compile(r"^[\[【(（]?\s*((?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|"
                      r"\d{1,2}[-/]\d{1,2})\s*[\]】)）]?\s+\S")


def _date_leading_title(title: str) -> dict | None:
    """A date the link text starts with ("2026-11-18 关于…", "[11-18] 关于…")."""
    m = _LEADING.match(title)
    return date_in_text(m.group(1)) if m else None


def _row_date(row, a, title: str, roc: bool = False) -> dict | None:
    """The row's date. 1. an element of its own that is (mostly) a date — a date cell, a date
    span, a date split over two boxes, a relative time whose ``title`` is the date ("2 天前");
    the last one wins; 2. the last date in the row's text outside the title link (also when 1.
    is one end of a period the row prints, which is dated by its start); 3. a date the title
    itself ends with. A date that is another link's text (a forum thread's last post) is that
    link's, not the row's.

    Linear in the row's size (a hacked page's row may hold 20,000 elements): each element's
    text is built once, bottom-up, and only while it is short enough to be a date."""
    found = None
    short = _short_texts(row, a)
    above = set(a.iterancestors())
    stack = [(row, False)]
    while stack:
        node, inside = stack.pop()
        inside = inside or (node is not row and node.tag == "a")  # a's box or another link
        stack.extend((child, inside) for child in reversed(node))
        if inside or not isinstance(node.tag, str) or node in above:
            continue
        text = short[node]
        if text is None:  # longer than any date of its own
            continue
        if 4 <= len(text) <= 30:
            here = _date_of(text, roc)
            if here and len(here["text"]) * 2 >= len(text.strip(" []【】()（）")):
                found = here
                continue
        attr = (node.get("title") or "").strip()
        if attr and len(text) <= 12 and len(attr) <= 30:
            here = _date_of(attr, roc, allow_year_implied=False)
            if here and len(here["text"]) * 2 >= len(attr):
                found = here
    whole = _date_of(_text_without(row, a), roc)
    if found is None or (whole and whole.get("end") and found.get("date") in (
            whole.get("date"), whole.get("end"))):
        found = whole  # a period split over two boxes (<span>start</span> 至 <span>end</span>)
    if found is None and _looks_dated_title(title):
        found = date_in_text(title, allow_year_implied=False)
    return found


#: An element's text longer than this is never a date of its own (see ``_row_date``).
_SHORT_TEXT = 32


def _short_texts(row, skip) -> dict:
    """``_text_without(node, skip)`` of every element of ``row`` that is at most
    ``_SHORT_TEXT`` characters long, None for longer ones; built bottom-up, each element's text
    and tail read once."""
    short: dict = {}
    for node in reversed(list(row.iter())):  # every element after all of its descendants
        if not isinstance(node.tag, str) or node.tag in ("script", "style"):
            short[node] = ""
            continue
        parts = [node.text or ""]
        for child in node:
            if child is skip or child.tag == "a" or not isinstance(child.tag, str) \
                    or child.tag in ("script", "style"):
                parts.append(child.tail or "")
                continue
            inner = short[child]
            if inner is None:
                parts = None
                break
            parts.append(inner)
            parts.append(child.tail or "")
        if parts is None:
            short[node] = None
            continue
        text = re.sub(r"\s+", " ", " ".join(parts)).strip()
        short[node] = text if len(text) <= _SHORT_TEXT else None
    return short


def _in_other_link(node, a, row) -> bool:
    for up in [node, *node.iterancestors()]:
        if up is row:
            return False
        if up.tag == "a" and up is not a:
            return True
    return False


def _flat_text(a, title_links: set) -> str:
    """The text a link's row carries in a list without row elements (``<img><a>…</a>
    <font>(3-18)</font><br>``): from the link to the next ``<br>`` or title link, else back to
    the one before."""
    def ends(node) -> bool:
        return node.tag in ("br", "hr") or node in title_links or any(
            x in title_links for x in node.iter("a"))

    after = [a.tail or ""]
    for sib in a.itersiblings():
        if not isinstance(sib.tag, str):
            after.append(sib.tail or "")
            continue
        if ends(sib):
            break
        after.append(_text(sib) + " " + (sib.tail or ""))
    text = re.sub(r"\s+", " ", " ".join(after)).strip()
    if re.search(r"\d", text):
        return text
    before = []
    prev = a.getprevious()
    while prev is not None:
        if not isinstance(prev.tag, str) or not ends(prev):
            before.insert(0, (_text(prev) if isinstance(prev.tag, str) else "") + " " +
                          (prev.tail or ""))
            prev = prev.getprevious()
            continue
        before.insert(0, prev.tail or "")
        break
    else:
        parent = a.getparent()
        before.insert(0, parent.text or "" if parent is not None else "")
    return re.sub(r"\s+", " ", " ".join(before)).strip()


def _looks_dated_title(title: str) -> bool:
    """A title that ends in its own date, e.g. "关于…的通知 2026-11-18" (some CMSs glue them)."""
    return bool(re.search(r"(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\W*$", title))


def _text_without(row, skip) -> str:
    """The row's text outside the link ``skip`` and outside the row's other links (walked
    without recursion: a hostile row may nest thousands of elements)."""
    parts: list[str] = []
    stack: list = [(row, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            if node.tail and node is not row:
                parts.append(node.tail)
            continue
        if node is skip or (node is not row and node.tag == "a") or \
                not isinstance(node.tag, str) or node.tag in ("script", "style"):
            if node.tail and node is not row:
                parts.append(node.tail)
            continue
        if node.text:
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


#: A row whose only date is a clock's or a weather widget's ("2026年3月20日 星期五 晴 8℃").
_WIDGET_ROW = re.compile(r"星期[一二三四五六日天]|礼拜[一二三四五六日天]|農曆|农历|℃|°C|"
                         r"今天是|今日是|当前时间|當前時間|现在时间|現在時間")
#: A portal page (a homepage, a 新闻中心) has at least this many dated lists of 3+ rows; its
#: undated lists of article links are read too.
PORTAL_LISTS = 3
MIN_ARTICLE_ROWS = 3


def _article_url(url: str) -> bool:
    """A link to an article page (t20260319_123.html, art_1_2.html, ?id=123), not a column's
    index page."""
    parts = urlsplit(url)
    if INDEX_LIKE.search(parts.path) or not (parts.path.strip("/") or parts.query):
        return False
    return bool(re.search(r"\d{3,}", parts.path + "?" + parts.query))


def _front_page(url: str) -> bool:
    """A homepage or a channel's front page (``/``, ``/index.html``, ``/xwzx/``), whose blocks
    are all main lists even when none is dated; not a column (``/xwzx/zwyw/``) or an article."""
    path = urlsplit(url).path
    directories = [x for x in path.split("/")[:-1] if x]
    return (path in ("", "/") or bool(INDEX_LIKE.search(path))) and len(directories) <= 1


def _article_list(members: list[dict], here: str) -> bool:
    """Rows that look like a list of articles: enough of them, titles of an article's length,
    mostly links to article pages, none to this page."""
    if len(members) < MIN_ARTICLE_ROWS or any(m["url"] == here for m in members):
        return False
    if sum(len(m["title"]) for m in members) / len(members) < 8:
        return False
    return sum(_article_url(m["url"]) for m in members) * 3 >= len(members) * 2


def extract_items(html: str, base_url: str) -> list[dict]:
    """The list items of a page, in page order: ``{"title", "url", "date": {…}|None}``.

    ``date`` is what ``inspectors.dates.date_in_text`` found (raw ``text`` plus ``date`` or the
    year-implied ``md``); resolve it against as-of with ``inspectors.dates.resolve``. ROC dates
    come as ``{"text": "115-03-19", "date": "2026-03-19"}``.

    Every dated list of the page is read; undated lists are read on a column page when it has no
    dated list (its biggest list of long titles) and, on a portal page (at least
    ``PORTAL_LISTS`` dated lists, as homepages and 新闻中心 pages are built, or a homepage or
    channel front page with that many lists of article links), every list of article links.
    An article page's related and recommended lists are not a portal.
    """
    doc = parse_html(html)
    if doc is None:
        return []
    base = doc.xpath("//base/@href")
    base_url = urljoin(base_url, base[0].strip()) if base else base_url
    here = base_url.split("#")[0]
    roc = bool(_ROC_HINT.search(html)) and is_roc_page(doc)
    memo: dict = {}
    links = _primary_links([a for a in doc.iter("a") if _is_title_link(a)
                            and not _skipped(a, memo)])
    title_links = set(links)
    rows = []
    for a in links:
        title = _title_of(a)
        row = _row_of(a, title_links)
        url = urljoin(base_url, a.get("href").strip())
        if urlsplit(url).scheme not in ("http", "https", "file"):  # file: a saved page
            continue
        inner = _date_inside_link(a, roc) or _date_leading_title(title)
        if inner is not None:  # <a><span>标题</span><span>2026-11-18</span></a>, <a>11-18 标题</a>
            title = title.replace(inner["text"], "", 1).strip(" []【】()（）·|") or title
        if inner is not None:
            found, context = inner, ""
        elif row is a:  # no row element: the text beside the link up to the next <br>
            context = _flat_text(a, title_links)
            found = _date_of(context, roc)
        else:
            context = _text_without(row, a)
            found = _row_date(row, a, title, roc)
        rows.append({"title": title, "url": url.split("#")[0], "date": found,
                     "_parent": row.getparent(), "_row": row, "_context": context})
    groups: dict[int, list[dict]] = {}
    for row in rows:
        groups.setdefault(id(row["_parent"]), []).append(row)
    keep: set[int] = set()
    biggest = None
    for key, members in groups.items():
        if len(members) == 1 and members[0]["date"] and _WIDGET_ROW.search(
                members[0]["_context"]):
            members[0]["date"] = None  # a clock or weather box beside a link, not an item's date
        if any(m["date"] for m in members):
            keep.add(key)
        elif len(members) >= 3 and sum(len(m["title"]) for m in members) / len(members) >= 8 and (
                biggest is None or len(members) > len(groups[biggest])):
            biggest = key
    dated_lists = sum(1 for members in groups.values()
                      if sum(bool(m["date"]) for m in members) >= MIN_ARTICLE_ROWS)
    articles = {key for key, members in groups.items() if _article_list(members, here)}
    portal = dated_lists >= PORTAL_LISTS or (len(articles) >= PORTAL_LISTS and _front_page(here))
    undated_ok = articles if portal else set()
    keep |= undated_ok
    if biggest is not None and not keep:
        keep.add(biggest)
    items, seen = [], set()
    for row in rows:
        key = id(row["_parent"])
        if key not in keep:
            continue
        if not row["date"] and len(groups[key]) > 1 and not any(
                m["date"] for m in groups[key]) and key != biggest and key not in undated_ok:
            continue
        ident = (row["url"], row["title"])
        if ident in seen:
            continue
        seen.add(ident)
        items.append({"title": row["title"], "url": row["url"], "date": row["date"]})
    return items


NEXT_PAGE = re.compile(r"^(下一页|下页|后一页|next|nextpage|›|>)$", re.I)


def next_page_url(html: str, base_url: str) -> str | None:
    """The "下一页" link of a paginated list, or None."""
    doc = parse_html(html)
    if doc is None:
        return None
    for a in doc.iter("a"):
        text = re.sub(r"\s+", "", _text(a) or a.get("title") or "")
        href = (a.get("href") or "").strip()
        if NEXT_PAGE.match(text) and href and not href.startswith(("javascript:", "#")):
            url = urljoin(base_url, href).split("#")[0]
            if url != base_url.split("#")[0]:
                return url
    return None


# -- whole lists (guides, letters, surveys, interviews) ------------------------------------------
#
# A 办事指南 or 信箱 list is not a news list: its rows are usually undated, a table row may carry
# the item's name in one cell and a link that only says "办事指南" in another, next to an
# "在线办理" link to the online hall. ``list_items`` reads such a list: the rows of the page's main
# repeated structure, one item per row, dates where the row has one. ``extract_items`` (news lists)
# is unchanged.

#: Link texts that stand for "open this item" and say nothing of it; the row names the item.
GENERIC_TITLES = re.compile(r"^(办事指南|服务指南|办理指南|指南|查看指南|查看|详情|查看详情|"
                            r"点击查看|详细|详细信息|详细内容|进入|了解详情|阅读全文|全文)$")
#: Links to act on an item (the online hall, a download), never the item itself.
ACTION_TITLES = re.compile(r"^(在线办理|网上办理|在线申报|网上申报|立即办理|我要办理|马上办|"
                           r"办理|申报|在线预约|网上预约|预约办理|预约|表格下载|下载|在线咨询|"
                           r"咨询|评价|我要评价|收藏|分享|打印)$")
#: Row elements that make a list even alone (one row left on the last page of a list).
LIST_ROWS = {"li", "tr", "dd", "dt"}
#: Row elements that make a list only when repeated side by side (same tag and class).
BLOCK_ROWS = {"div", "p", "article", "section", "dl", "table"}
#: A link to a column's index page (…/index.html, …/, default.htm): navigation, not an item.
INDEX_LIKE = re.compile(r"(/|/(index|default|list)(_\d+)?\.(s?html?|jsp|php|aspx?))$", re.I)


def _list_link(a) -> bool:
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return False
    title = re.sub(r"\s+", "", _title_of(a))
    return len(title) >= 2 and not NOT_TITLES.match(title)


def _signature(el) -> tuple:
    return el.tag, (el.get("class") or "").strip()


def _list_row(a):
    """The row of a link: the nearest li/tr/dd/dt, or a div/p/… repeated beside its siblings."""
    node = a
    for _ in range(MAX_ROW_LEVELS + 2):
        parent = node.getparent()
        if parent is None or not isinstance(parent.tag, str) or parent.tag in ("body", "html"):
            return None
        node = parent
        if node.tag in LIST_ROWS:
            return node
        if node.tag in BLOCK_ROWS:
            sig = _signature(node)
            twins = [x for x in node.getparent() if isinstance(x.tag, str)
                     and _signature(x) == sig] if node.getparent() is not None else []
            if len(twins) >= 2:
                return node
    return None


def _named_by_row(row, a) -> str:
    """The item's name when its link only says 办事指南/查看: the row's first cell (or text
    block) that is not a serial number, an action link or the link itself."""
    cells = [c for c in row if isinstance(c.tag, str) and c.tag not in ("script", "style")]
    for cell in cells or [row]:
        if cell is a or a in cell.iterancestors() or any(x is a for x in cell.iter("a")):
            continue
        text = _text(cell)
        links = [re.sub(r"\s+", "", _text(x)) for x in cell.iter("a")]
        if any(ACTION_TITLES.match(t) or GENERIC_TITLES.match(t) for t in links):
            continue
        if len(text) >= 2 and not re.fullmatch(r"[\d\s.、()（）\[\]]+", text):
            return text
    return ""


def list_items(html: str, base_url: str) -> list[dict]:
    """The rows of a page's main list, dated or not: ``{"title", "url", "date"}`` in page order.

    For lists read whole (办事指南, 政务咨询, 调查征集, 互动访谈): the main list is the repeated
    structure (rows of one parent, or side-by-side blocks of one tag and class) with the most
    title text; lists of the same structure elsewhere on the page (a list split into several
    ``ul``) are read too. A list that links back to this page or mostly to column index pages is
    a menu, not items. In a row, the item is its first link that is not an action (在线办理,
    下载); a link that only says 办事指南/查看 takes its name from the row's other cells.
    """
    doc = parse_html(html)
    if doc is None:
        return []
    base = doc.xpath("//base/@href")
    base_url = urljoin(base_url, base[0].strip()) if base else base_url
    here = base_url.split("#")[0]
    roc = bool(_ROC_HINT.search(html)) and is_roc_page(doc)
    memo: dict = {}
    rows: dict[int, dict] = {}
    for a in doc.iter("a"):
        if not _list_link(a) or _skipped(a, memo):
            continue
        row = _list_row(a)
        if row is None:
            continue
        url = urljoin(base_url, a.get("href").strip()).split("#")[0]
        if urlsplit(url).scheme not in ("http", "https", "file"):
            continue
        entry = rows.setdefault(id(row), {"row": row, "links": []})
        entry["links"].append((a, url))
    lists: dict[tuple, list[dict]] = {}  # 置顶 rows (li class="top") are in their parent's list
    for entry in rows.values():
        links = [(a, u) for a, u in entry["links"]
                 if not ACTION_TITLES.match(re.sub(r"\s+", "", _title_of(a)))]
        links = [(a, u) for a, u in links if not _is_category(a)] or links  # [咨询] 关于…
        if not links:
            continue
        a, url = next(((a, u) for a, u in links if "指南" in _title_of(a)), links[0])
        title = _title_of(a)
        if GENERIC_TITLES.match(re.sub(r"\s+", "", title)):
            title = _named_by_row(entry["row"], a) or title
        row = entry["row"]
        parent = row.getparent()
        key = (parent, row.tag)  # the element itself: ids of lxml proxies are reused
        lists.setdefault(key, []).append(
            {"title": title, "url": url, "date": _row_date(row, a, title, roc),
             "_sig": (*_signature(parent), row.tag),
             "_all": [(x, u) for x, u in entry["links"] if not _is_category(x)] or links})
    best, best_score = None, 0
    for key, members in lists.items():
        urls = [u for m in members for _, u in m["_all"]]
        if here in urls or sum(bool(INDEX_LIKE.search(urlsplit(u).path)) for u in urls) * 2 \
                >= len(urls):
            continue  # a menu of columns (it names this very page, or only index pages)
        score = sum(min(len(m["title"]), 20) for m in members) + \
            5 * sum(bool(m["date"]) for m in members)
        if score > best_score:
            best, best_score = key, score
    if best is None:
        return []
    signature = lists[best][0]["_sig"]
    items, seen = [], set()
    for key, members in lists.items():
        if key != best and members[0]["_sig"] != signature:
            continue
        for m in members:
            if m["url"] in seen:
                continue
            seen.add(m["url"])
            items.append({"title": m["title"], "url": m["url"], "date": m["date"]})
    return items


def list_page_urls(html: str, base_url: str) -> list[str]:
    """The other pages of a paginated list: its 下一页 link, then its numbered page links
    (``index_1.html``, ``?page=2``…), in page order; none that is this page."""
    doc = parse_html(html)
    if doc is None:
        return []
    here = base_url.split("#")[0]
    out: list[str] = []
    nxt = next_page_url(html, base_url)
    if nxt:
        out.append(nxt)
    numbered = []
    for a in doc.iter("a"):
        text = re.sub(r"[\s\[\]【】]", "", _text(a))
        href = (a.get("href") or "").strip()
        if not text.isdigit() or int(text) < 2 or not href or \
                href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(base_url, href).split("#")[0]
        if urlsplit(url).netloc == urlsplit(here).netloc:
            numbered.append((int(text), url))
    for _, url in sorted(numbered):
        if url != here and url not in out:
            out.append(url)
    return out


# -- 大汉 jcms lists: records in a <datastore>, further groups from dataproxy.jsp -----------------
#
# A jcms column page carries its first group of records (often three pages' worth) as CDATA in a
# ``<script type="text/xml"><datastore>`` block; the page's script draws one page of them and asks
# ``/module/web/jpage/dataproxy.jsp`` (the ``nextgroup`` link) for the next records by POSTing
# ``startrecord``, ``endrecord`` and ``perpage``. The answer is a ``<datastore>`` again.

_DATASTORE = re.compile(r"<datastore\b.*?</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record\b[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>\s*<!\[CDATA\[.*?href\s*=\s*[\"']([^\"']+)[\"']",
                        re.S | re.I)
_TOTAL = re.compile(r"<totalrecord\b[^>]*>\s*(\d+)\s*</totalrecord>", re.I)
_PERPAGE = re.compile(r"\bperpage\s*[:=]\s*[\"']?(\d+)", re.I)


def jcms_datastore(text: str, base_url: str) -> dict | None:
    """The records of a jcms ``<datastore>`` (in a page or a dataproxy.jsp answer):
    ``{"items", "records", "nextgroup": url|None, "total": int|None, "perpage": int|None}``,
    or None when the text has no datastore."""
    stores = _DATASTORE.findall(text or "")
    if not stores:
        return None
    records = [r for store in stores for r in _RECORD.findall(store)]
    nextgroup = next((m.group(1) for s in stores for m in [_NEXTGROUP.search(s)] if m), None)
    total = next((int(m.group(1)) for s in stores for m in [_TOTAL.search(s)] if m), None)
    perpage = _PERPAGE.search(text)
    body = "".join(records)
    if re.match(r"\s*<tr\b", body, re.I):
        body = f"<table>{body}</table>"
    items = list_items(f"<html><body><div class=\"jcms-records\">{body}</div></body></html>",
                       base_url) if body else []
    return {"items": items, "records": len(records),
            "nextgroup": urljoin(base_url, nextgroup.replace("&amp;", "&")) if nextgroup else None,
            "total": total, "perpage": int(perpage.group(1)) if perpage else None}


# -- article links of an undated list (机构职能, 领导信息, 规划计划 …) ----------------------------
#
# A column page may list its items without any date: a grid of departments, leader cards with
# names only, one ``<table>`` per record. ``extract_items`` keeps undated rows only in a list of
# long titles; ``undated_links`` reads what such a page links to from its main content, so the
# column is read as a list (its items' own pages give the dates) and not called blank. A page
# whose only links are furniture — navigation, the column menu, breadcrumbs, pager, footer —
# gives none: that page is blank.

#: class/id words of side panels beside the main content (related, hot, ranked, recommended).
SIDE_MARK = re.compile(
    r"(^|[\s_-])(side|sidebar|aside|sub-?nav|left-?nav|left-?menu|lmdh|related|xgxx|xgwz|xgwj|"
    r"hot|rdxx|rank|phb|tuijian|recommend)([\s_-]|\d|$)", re.I)
#: Short link texts of site furniture (top bar, footer, tools), never an item.
FURNITURE = re.compile(
    r"(网站地图|联系我们|关于我们|设为首页|加入收藏|收藏本站|无障碍|长者|关怀|适老|繁体|简体|english|"
    r"网站声明|法律声明|隐私|版权|免责|使用帮助|帮助中心|纠错|找错|意见建议|手机版|移动版|微信|微博|"
    r"rss|登录|注册|icp|公网安备|网站标识|返回顶部|打印|关闭|当前位置|共\d+页|上页|下页)", re.I)
#: Link targets that are pictures, not pages.
PICTURE = re.compile(r"\.(jpe?g|png|gif|bmp|webp|svg|ico)$", re.I)
#: A row of a list: the nearest of these above a link.
_ROW_OF_LINK = {"li", "tr", "dd", "dt"}
MAX_UNDATED_LINKS = 200


def _site_key(host: str) -> str:
    """The registrable domain of a host: ``fgw.x.gov.cn`` → ``x.gov.cn``; an IP stays whole."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) < 3 or labels[-1].isdigit():
        return ".".join(labels)
    second_level = len(labels[-1]) == 2 and labels[-2] in ("gov", "com", "org", "net", "edu", "ac")
    return ".".join(labels[-3:] if second_level else labels[-2:])


def _same_site(host: str, base_host: str) -> bool:
    """``www.x.gov.cn``, ``x.gov.cn`` and ``fgw.x.gov.cn`` are one site; ``www.gov.cn`` is not."""
    return bool(host) and _site_key(host) == _site_key(base_host)


def _is_root(url: str) -> bool:
    path = urlsplit(url).path
    return path in ("", "/") or bool(re.fullmatch(r"/(index|default|home)\.(s?html?|jsp|php|aspx?)",
                                                  path, re.I))


def _page_key(url: str) -> str:
    """One page, however it is linked: no fragment, no ``index.html``/``default.htm`` after the
    folder, host without ``www.``: ``/zwgk/jgzn/``, ``/zwgk/jgzn/index.html`` are one."""
    parts = urlsplit(url.split("#")[0])
    path = re.sub(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", "/", parts.path or "/", flags=re.I)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}:{parts.port or ''}{path}?{parts.query}"


def _container(a):
    """Where a link sits: the parent of its row (li/tr/dd/dt), else its parent element."""
    node = a
    for _ in range(MAX_ROW_LEVELS):
        parent = node.getparent()
        if parent is None or not isinstance(parent.tag, str) or parent.tag in ("body", "html"):
            break
        node = parent
        if node.tag in _ROW_OF_LINK:
            up = node.getparent()
            return up if up is not None else node
    return a.getparent()


def _side(el, memo: dict | None = None) -> bool:
    """``el`` sits in a side panel. ``memo`` keeps each ancestor's answer for the next link."""
    for node in [el, *el.iterancestors()]:
        if not isinstance(node.tag, str):
            continue
        if memo is not None and node in memo:
            side = memo[node]
        else:
            mark = f"{node.get('class', '')} {node.get('id', '')}"
            side = node.tag == "aside" or bool(mark.strip() and SIDE_MARK.search(mark))
            if memo is not None:
                memo[node] = side
        if side:
            return True
    return False


def _link_name(a) -> str:
    name = _title_of(a)
    if not name:
        name = " ".join((img.get("alt") or "").strip() for img in a.iter("img")).strip()
    return re.sub(r"\s+", " ", name).strip()


def undated_links(html: str, base_url: str, this_page: tuple[str, ...] | list[str] = ()
                  ) -> list[dict]:
    """The article links of a page's main content, dated or not: ``{"title", "url", "date":
    None}`` in page order, one per URL (at most ``MAX_UNDATED_LINKS``).

    For a column page no list reader found items on. Left out: navigation, headers, footers,
    breadcrumbs, pagers and side panels (by tag and class/id), furniture texts (网站地图, 无障碍…),
    pictures, other sites' links, this page and ``this_page`` (the column's first page), the
    site's root — and whole menus: a list or block holding a link to this page or to the root is
    the site's or the column's navigation. Links to column index pages (``…/index.html``) count
    only where the page links to nothing else.
    """
    doc = parse_html(html)
    if doc is None:
        return []
    base = doc.xpath("//base/@href")
    base_url = urljoin(base_url, base[0].strip()) if base else base_url
    here = {_page_key(u) for u in (base_url, *this_page) if u}
    base_host = urlsplit(base_url).hostname or ""

    def target(a) -> str | None:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            return None
        url = urljoin(base_url, href).split("#")[0]
        return url if urlsplit(url).scheme in ("http", "https", "file") else None

    # the elements that hold a link to this page or the root (a menu), marked upwards from each
    # such link once: linear however deep a hostile page nests its links
    menus: set = set()
    for a in doc.iter("a"):
        u = target(a)
        if not u or not (_page_key(u) in here or (_is_root(u) and _same_site(
                urlsplit(u).hostname or "", base_host))):
            continue
        for node in [a, *a.iterancestors()]:
            if node in menus:
                break
            menus.add(node)

    def menu(box) -> bool:
        return box in menus

    found: list[tuple[str, str, bool]] = []
    seen: set[str] = set()
    skipped: dict = {}
    sides: dict = {}
    for a in doc.iter("a"):
        url = target(a)
        if url is None or _page_key(url) in here or url in seen or _skipped(a, skipped) \
                or _side(a, sides):
            continue
        parts = urlsplit(url)
        if parts.scheme != "file" and not _same_site(parts.hostname or "", base_host):
            continue
        if PICTURE.search(parts.path) or _is_root(url):
            continue
        name = _link_name(a)
        bare = re.sub(r"\s+", "", name)
        if len(bare) < 2 or NOT_TITLES.match(bare) or (len(bare) <= 12 and FURNITURE.search(bare)):
            continue
        box = _container(a)
        if box is not None and menu(box):
            continue
        seen.add(url)
        found.append((name, url, bool(INDEX_LIKE.search(parts.path))))
    if any(not index for _, _, index in found):
        found = [x for x in found if not x[2]]  # column index pages beside articles: a menu
    return [{"title": name, "url": url, "date": None}
            for name, url, _ in found[:MAX_UNDATED_LINKS]]
