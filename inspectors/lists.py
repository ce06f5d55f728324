"""List items of a rendered column page: title, URL, date. Pure, no network.

Layouts: table rows (date in its own cell), ul/li with a date span or ``[11-18]`` after the link,
dl/dd, div cards (title link + date somewhere in the card). Navigation, headers, footers,
breadcrumbs, pagers and "更多/下一页/返回首页" links are not items.

How: every title-like link is walked up to its *row* — the highest ancestor (at most 4 levels)
that contains no other title link. The row's text (minus the title) gives the date. Rows that
share a parent form a list; an undated row counts as an item only when its list is a real one
(some of its rows are dated, or it is the page's biggest list of long titles).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from inspectors.dates import date_in_text
from inspectors.html import parse_html

#: Elements that never hold column items.
SKIP_TAGS = {"script", "style", "noscript", "template", "nav", "header", "footer", "select",
             "option", "button", "form", "head"}
#: class/id words of navigation, headers, footers, breadcrumbs and pagers.
SKIP_MARK = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|menus|topbar|header|head|footer|foot|bottom|copyright|crumbs?|"
    r"breadcrumbs?|position|location|weizhi|dqwz|pager?|paging|pagination|fenye|page-?nav|"
    r"friend-?links?|yqlj|share|toolbar)([\s_-]|\d|$)", re.I)
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


def _skipped(el) -> bool:
    for node in [el, *el.iterancestors()]:
        if not isinstance(node.tag, str):
            continue
        if node.tag in SKIP_TAGS:
            return True
        mark = f"{node.get('class', '')} {node.get('id', '')} {node.get('role', '')}"
        if mark.strip() and SKIP_MARK.search(mark):
            return True
    return False


def _title_of(a) -> str:
    text = _text(a)
    attr = (a.get("title") or "").strip()
    if attr and (not text or text.endswith(("...", "…", "..")) or len(attr) > len(text)):
        return attr
    return text


def _is_title_link(a) -> bool:
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return False
    title = _title_of(a)
    return len(title) >= MIN_TITLE and not NOT_TITLES.match(title.replace(" ", ""))


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


def _date_inside_link(a) -> dict | None:
    """A date printed in its own element inside the title link, or None."""
    for node in a.iterdescendants():
        if not isinstance(node.tag, str):
            continue
        text = _text(node)
        if 4 <= len(text) <= 24:
            found = date_in_text(text)
            if found and len(found["text"]) >= len(text.strip(" []【】()（）")) - 1:
                return found
    return None


_LEADING = re.compile(r"^[\[【(（]?\s*((?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|"
                      r"\d{1,2}[-/]\d{1,2})\s*[\]】)）]?\s+\S")


def _date_leading_title(title: str) -> dict | None:
    """A date the link text starts with ("2026-11-18 关于…", "[11-18] 关于…")."""
    m = _LEADING.match(title)
    return date_in_text(m.group(1)) if m else None


def _row_date(row, a, title: str) -> dict | None:
    """The row's date. 1. an element of its own that is (mostly) a date — a date cell, a date
    span, a date split over two boxes; the last one wins; 2. the last date in the row's text
    outside the title link (also when 1. is one end of a period the row prints, which is dated
    by its start); 3. a date the title itself ends with."""
    found = None
    for node in row.iter():
        if node is a or not isinstance(node.tag, str) or a in node.iterancestors() \
                or a in node.iter():
            continue
        text = re.sub(r"\s+", " ", " ".join(node.itertext())).strip()
        if 4 <= len(text) <= 30:
            here = date_in_text(text)
            if here and len(here["text"]) * 2 >= len(text.strip(" []【】()（）")):
                found = here
    whole = date_in_text(_text_without(row, a))
    if found is None or (whole and whole.get("end") and found.get("date") in (
            whole.get("date"), whole.get("end"))):
        found = whole  # a period split over two boxes (<span>start</span> 至 <span>end</span>)
    if found is None and _looks_dated_title(title):
        found = date_in_text(title, allow_year_implied=False)
    return found


def _looks_dated_title(title: str) -> bool:
    """A title that ends in its own date, e.g. "关于…的通知 2026-11-18" (some CMSs glue them)."""
    return bool(re.search(r"(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\W*$", title))


def _text_without(row, skip) -> str:
    parts: list[str] = []

    def walk(node):
        if node is skip:
            if node.tail:
                parts.append(node.tail)
            return
        if not isinstance(node.tag, str) or node.tag in ("script", "style"):
            if node.tail and node is not row:
                parts.append(node.tail)
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tail and node is not row:
            parts.append(node.tail)

    walk(row)
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def extract_items(html: str, base_url: str) -> list[dict]:
    """The list items of a page, in page order: ``{"title", "url", "date": {…}|None}``.

    ``date`` is what ``inspectors.dates.date_in_text`` found (raw ``text`` plus ``date`` or the
    year-implied ``md``); resolve it against as-of with ``inspectors.dates.resolve``.
    """
    doc = parse_html(html)
    if doc is None:
        return []
    base = doc.xpath("//base/@href")
    base_url = urljoin(base_url, base[0].strip()) if base else base_url
    links = [a for a in doc.iter("a") if _is_title_link(a) and not _skipped(a)]
    title_links = set(links)
    rows = []
    for a in links:
        title = _title_of(a)
        row = _row_of(a, title_links)
        url = urljoin(base_url, a.get("href").strip())
        if urlsplit(url).scheme not in ("http", "https", "file"):  # file: a saved page
            continue
        inner = _date_inside_link(a) or _date_leading_title(title)
        if inner is not None:  # <a><span>标题</span><span>2026-11-18</span></a>, <a>11-18 标题</a>
            title = title.replace(inner["text"], "", 1).strip(" []【】()（）·|") or title
        rows.append({"title": title, "url": url.split("#")[0],
                     "date": inner or _row_date(row, a, title), "_parent": row.getparent(),
                     "_row": row})
    groups: dict[int, list[dict]] = {}
    for row in rows:
        groups.setdefault(id(row["_parent"]), []).append(row)
    keep: set[int] = set()
    biggest = None
    for key, members in groups.items():
        if any(m["date"] for m in members):
            keep.add(key)
        elif len(members) >= 3 and sum(len(m["title"]) for m in members) / len(members) >= 8 and (
                biggest is None or len(members) > len(groups[biggest])):
            biggest = key
    if biggest is not None and not keep:
        keep.add(biggest)
    items, seen = [], set()
    for row in rows:
        key = id(row["_parent"])
        if key not in keep:
            continue
        if not row["date"] and len(groups[key]) > 1 and not any(
                m["date"] for m in groups[key]) and key != biggest:
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
