"""站内搜索 (checklist-2019 ``design.search``), the pure part: where a page's site search is, which
titles of the site's own to search for, and whether a results page shows one.

* ``search_entries(html, url)`` — the page's search boxes, best first: ``{"kind": "form" | "box",
  "input": name, "selector", "button", "action", "method", "fields"}`` (a text input in a form, or
  one outside any form that a script submits — 集约化平台 boxes with an ``onclick`` button), or
  ``{"kind": "link", "url"}`` links to a search page (``/search``, TRS ``/was5/web/search``,
  ``/jsearch``, ``so.htm``, 站内搜索…). Login and message forms are not searches.
* ``pick_titles(column_pages, home_items, item_dates, as_of)`` — four titles the site published:
  the newest dated item of each column (newest first), then the next newest; deterministic.
* ``judge_results(status, text, needle, …)`` — ``found`` / ``not_found`` / ``error`` of one first
  results page, and whether it shows no results at all (没有找到相关结果, 共0条).

Selectors are Playwright's: ``[id="…"]``, ``[name="…"] >> nth=N`` or ``xpath=…`` of the page as
the browser serialised it (``page.content()``), so they find the same element there.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin, urlsplit

from xunjian.base.html import parse_html
from xunjian.inspectors.dates import resolve

#: Names and ids of search inputs (TRS searchword, 百度 wd, q, keyword …).
INPUT_NAME = re.compile(r"search|keyword|query|^q$|^qt$|^wd$|^kw$|^key$|^keys$|^sw$|^ss$|^s$"
                        r"|^word$|^words$|^text$|^title$|sousuo|^ssk|searchtext|querystr", re.I)
#: Words of a search box's placeholder, initial value, title or label.
INPUT_WORDS = re.compile(r"搜索|检索|关键字|关键词|请输入|查询|站内")
BUTTON_WORDS = re.compile(r"搜\s*索|检\s*索|查\s*询|search|sousuo|^\s*搜\s*$", re.I)
ACTION = re.compile(r"search|was5|jsearch|sousuo|fulltext|/so\b|so\.s?html?|query|/s\.|"
                    r"/s/|/s\?|trssearch|zhsearch|searchweb", re.I)
LINK_TEXT = re.compile(r"^\s*(站内搜索|全站搜索|全文检索|高级检索|站内检索|搜索|检索|搜\s*索)\s*$")
#: Inputs that are never a search: login, captcha, contact fields.
NOT_SEARCH = re.compile(r"user|login|pass|pwd|mobile|phone|tel|mail|yzm|captcha|verify|code|"
                        r"xm$|name$|zjhm|idcard", re.I)
TEXT_TYPES = {"", "text", "search"}

#: A first results page that shows no result at all.
EMPTY = re.compile(r"没有找到|未找到|找不到|没有检索到|未检索到|无相关|没有相关|无检索结果|无搜索结果|"
                   r"暂无(?:相关)?(?:数据|结果|信息|记录)|(?:共|找到|检索到|搜索到|约)\s*0\s*(?:条|个|篇|项)|"
                   r"结果\s*[:：]?\s*0\s*条|no results", re.I)
#: A results page that is an error page.
ERROR_PAGE = re.compile(r"Internal Server Error|HTTP Status [45]\d\d|服务器错误|系统错误|系统繁忙|"
                        r"服务异常|检索服务(?:异常|不可用)|服务不可用|Service Unavailable|Bad Gateway|"
                        r"页面不存在|404 Not Found|访问出错|出错了|Exception Report|"
                        r"java\.lang\.|Traceback", re.I)
#: Category tabs or facets of a results page grouped by kind (信息公开, 办事服务, 互动交流 …).
GROUPS = re.compile(r"信息公开|政务公开|政策文件|办事服务|政务服务|互动交流|新闻动态|政策解读|"
                    r"按栏目|栏目分类|分类|文件类型|网页|文档|图片|视频")
#: Characters of a title compared with the results page (its first ~20: results cut titles).
NEEDLE_CHARS = 20
_SPACE = re.compile(r"\s+")
_CUT = re.compile(r"(\.\.\.|…+|\.{2,}|——)$")
#: Files are no titles to search for (an attachment's name is not indexed everywhere).
_FILE = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|wps|ofd|jpe?g|png|gif)$", re.I)
#: Columns whose items are not the site's published information (letters, services).
SKIP_TYPES = {"政务咨询类栏目", "调查征集类栏目", "互动访谈类栏目", "办事指南类栏目",
              "在线(申报、查询)系统"}


def _attr_text(el, *names: str) -> str:
    return " ".join(el.get(n) or "" for n in names)


def selector(el) -> str:
    """A Playwright selector for ``el`` in the browser's own document."""
    root = el.getroottree()
    ident = el.get("id")
    if ident and len(root.xpath("//*[@id=$v]", v=ident)) == 1:
        return f'[id="{_quote(ident)}"]'
    name = el.get("name")
    if name:
        same = root.xpath(f"//{el.tag}[@name=$v]", v=name)
        return f'{el.tag}[name="{_quote(name)}"] >> nth={same.index(el)}'
    return "xpath=" + root.getpath(el)


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _is_text_input(el) -> bool:
    kind = (el.get("type") or "").strip().lower()
    return el.tag == "input" and kind in TEXT_TYPES


def _button_score(el) -> int:
    text = " ".join([el.text_content() or "", _attr_text(el, "value", "title", "alt", "class",
                                                         "id", "onclick", "src")])
    return 2 if BUTTON_WORDS.search(text) else 0


def _buttons(scope) -> list:
    return scope.xpath(".//button|.//input[@type='submit' or @type='image' or @type='button']"
                       "|.//a|.//img[@onclick]|.//span[@onclick]|.//div[@onclick]|.//i[@onclick]")


def _button_near(el, form) -> tuple[object | None, int]:
    """The control that submits ``el``: in its form, else in its container (up to 3 levels)."""
    scopes = [form] if form is not None else []
    parent = el.getparent()
    for _ in range(3):
        if parent is None:
            break
        scopes.append(parent)
        parent = parent.getparent()
    for scope in scopes:
        candidates = [b for b in _buttons(scope) if b is not el]
        scored = sorted(((_button_score(b), n, b) for n, b in enumerate(candidates)),
                        key=lambda x: (-x[0], x[1]))
        if scored and (scored[0][0] or scope is form):
            submits = [b for b in candidates if (b.get("type") or "").lower() in
                       ("submit", "image") or b.tag == "button"]
            best = scored[0][2] if scored[0][0] else (submits[0] if submits else None)
            if best is not None:
                return best, scored[0][0]
    return None, 0


def _form_of(el):
    for parent in el.iterancestors("form"):
        return parent
    return None


def _candidate(el, base_url: str) -> dict | None:
    name = el.get("name") or el.get("id") or ""
    if NOT_SEARCH.search(name) and not INPUT_NAME.search(name):
        return None
    form = _form_of(el)
    if form is not None and form.xpath(".//input[@type='password']|.//textarea"):
        return None  # a login or message form
    score = 3 if INPUT_NAME.search(name) else 0
    if INPUT_WORDS.search(_attr_text(el, "placeholder", "value", "title", "aria-label")):
        score += 3
    action = (form.get("action") or "") if form is not None else ""
    if form is not None and ACTION.search(action + " " + _attr_text(form, "id", "name",
                                                                      "class", "onsubmit")):
        score += 3
    button, button_score = _button_near(el, form)
    score += button_score
    if score < 3 or (form is None and button is None):
        return None
    method = (form.get("method") or "get").lower() if form is not None else "get"
    fields = {}
    if form is not None:
        for hidden in form.xpath(".//input[@type='hidden'][@name]"):
            fields[hidden.get("name")] = hidden.get("value") or ""
    return {"kind": "form" if form is not None else "box", "score": score,
            "input": el.get("name") or el.get("id") or "", "selector": selector(el),
            "button": selector(button) if button is not None else None,
            "action": urljoin(base_url, action) if form is not None else None,
            "method": method, "fields": fields}


def search_entries(html: str, base_url: str) -> list[dict]:
    """The page's site searches, best first (boxes before links to a search page)."""
    doc = parse_html(html)
    if doc is None:
        return []
    boxes = []
    for n, el in enumerate(doc.iter("input")):
        if _is_text_input(el):
            found = _candidate(el, base_url)
            if found:
                boxes.append((-found["score"], n, found))
    out = [b for _, _, b in sorted(boxes, key=lambda x: (x[0], x[1]))]
    seen = set()
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(base_url, href)
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        text = _SPACE.sub("", a.text_content() or "") or (a.get("title") or "")
        path = urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
        if LINK_TEXT.match(text) or (ACTION.search(path) and len(text) <= 8):
            seen.add(url)
            out.append({"kind": "link", "url": url, "text": text})
    return out


# -- the titles searched for ---------------------------------------------------------------------

def _day(item: dict, item_dates: dict[str, dict], as_of: date) -> date | None:
    found = item.get("date") or item_dates.get(item.get("url") or "")
    try:
        return resolve(found, as_of) if found else None
    except (ValueError, TypeError):
        return None


def clean_title(title: str) -> str:
    return _CUT.sub("", _SPACE.sub(" ", title or "").strip()).strip()


def needle(title: str) -> str:
    """What must show on the results page: the title's first NEEDLE_CHARS characters, without
    spaces (a results page may break a title anywhere)."""
    return _SPACE.sub("", clean_title(title))[:NEEDLE_CHARS]


def _searchable(item: dict) -> bool:
    title = clean_title(item.get("title") or "")
    return len(_SPACE.sub("", title)) >= 6 and not _FILE.search(item.get("url") or "")


def pick_titles(column_pages: list[dict], home_items: list[dict], item_dates: list[dict],
                as_of: date, count: int = 4) -> list[dict]:
    """``count`` titles the site published, newest dated item of each column first."""
    dates = {d["url"]: d.get("date") for d in item_dates if d.get("url") and d.get("date")}
    columns: dict[str, list[tuple[date, str, dict]]] = {}
    for page in column_pages:
        column = page.get("column") or {}
        if column.get("type") in SKIP_TYPES or (page.get("status") or 0) >= 400:
            continue
        key = column.get("url") or page.get("url") or ""
        for item in page.get("items") or []:
            day = _day(item, dates, as_of)
            if day and day <= as_of and _searchable(item):
                columns.setdefault(key, []).append((day, clean_title(item["title"]), item))
    home = [(d, clean_title(i["title"]), i) for i in home_items
            if _searchable(i) and (d := _day(i, dates, as_of)) and d <= as_of]
    firsts, rest = [], []
    for key in sorted(columns):
        ranked = sorted(columns[key], key=lambda x: (-x[0].toordinal(), x[1]))
        firsts.append((ranked[0], key))
        rest.extend((r, key) for r in ranked[1:])
    order = sorted(firsts, key=lambda x: (-x[0][0].toordinal(), x[0][1]))
    order += sorted(rest + [(h, "") for h in home], key=lambda x: (-x[0][0].toordinal(), x[0][1]))
    out, seen = [], set()
    for (day, title, item), key in order:
        if needle(title) in seen:
            continue
        seen.add(needle(title))
        out.append({"title": title, "query": title[:38], "needle": needle(title),
                    "item_url": item.get("url"), "column": key, "date": day.isoformat()})
        if len(out) == count:
            break
    return out


# -- a results page ------------------------------------------------------------------------------

def _without_echo(text: str, query: str, wanted: str) -> str:
    """The results text without the query as the page repeats it (您搜索的“…”, 关键词：…)."""
    for phrase in {query, wanted, clean_title(query)}:
        if not phrase:
            continue
        text = re.sub(r"[“\"「『‘'《]\s*" + re.escape(phrase) + r"\s*[”\"」』’'》]", " ", text)
        text = re.sub(r"(?:搜索|检索|关键词|关键字|检索词|搜索词)\s*[:：]?\s*" + re.escape(phrase),
                      " ", text)
    return text


def grouped(text: str) -> bool:
    """Whether a results page groups its results by kind: at least two category words beside
    a 全部 tab (搜索结果分类展示)."""
    flat = _SPACE.sub("", text or "")
    return "全部" in flat and len(set(GROUPS.findall(flat))) >= 2


def judge_results(status: int | None, text: str, wanted: str, query: str = "",
                  error: str | None = None, before: int = 0) -> dict:
    """``{"state": "found" | "not_found" | "error", "empty", "error_page"}`` of one results page.
    ``text``: its visible text (frames included); ``wanted``: the needle; ``before``: how often
    the needle showed on the search page before the search, when the results were drawn into
    that same page (a homepage lists its newest titles: only more of them are results)."""
    flat = _SPACE.sub("", text or "")
    if error or status is None:
        return {"state": "error", "empty": False, "error_page": False}
    if status >= 400:
        return {"state": "error", "empty": False, "error_page": True}
    hay = _SPACE.sub("", _without_echo(_SPACE.sub(" ", text or ""), query, wanted))
    found = bool(wanted) and hay.count(_SPACE.sub("", wanted)) > before
    empty = not flat or bool(EMPTY.search(flat))
    if found and not empty:
        return {"state": "found", "empty": False, "error_page": False}
    if not found and ERROR_PAGE.search(flat) and len(flat) < 600:
        return {"state": "error", "empty": False, "error_page": True}
    return {"state": "found" if found else "not_found", "empty": empty and not found,
            "error_page": False}
