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
    rows: dict[int, dict] = {}
    for a in doc.iter("a"):
        if not _list_link(a) or _skipped(a):
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
            {"title": title, "url": url, "date": _row_date(row, a, title),
             "_sig": (*_signature(parent), row.tag), "_all": entry["links"]})
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


def _side(el) -> bool:
    for node in [el, *el.iterancestors()]:
        if not isinstance(node.tag, str):
            continue
        if node.tag == "aside":
            return True
        mark = f"{node.get('class', '')} {node.get('id', '')}"
        if mark.strip() and SIDE_MARK.search(mark):
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

    menus: dict = {}  # container → it links to this page or the root (a menu)

    def menu(box) -> bool:
        if box not in menus:
            menus[box] = any(_page_key(u) in here or (_is_root(u) and _same_site(
                urlsplit(u).hostname or "", base_host)) for u in map(target, box.iter("a")) if u)
        return menus[box]

    found: list[tuple[str, str, bool]] = []
    seen: set[str] = set()
    for a in doc.iter("a"):
        url = target(a)
        if url is None or _page_key(url) in here or url in seen or _skipped(a) or _side(a):
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
