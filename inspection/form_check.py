"""信息提交, in the browser: open the message form of the site's consultation columns (政务咨询类:
领导信箱, 咨询留言 …, registered or discovered) and look whether it accepts a message.

Each column's page is opened (its frames read too: a 信箱 is often another system in an
iframe); when it has no form itself, its 我要写信/我要留言 links are opened (at most
WRITE_LINKS per column). Found: a message field and a submit control (inspectors/message_form.py).
A page that sends the visitor to a login form is "found, needs login". Nothing is ever
submitted: the pages are only opened (GET) and read — no click, no typing.
"""

from __future__ import annotations

from xunjian.inspectors.interaction import CONSULTATION, EXCLUDED_NAMES
from xunjian.inspectors.message_form import message_form, write_links

#: Consultation columns looked at, and write links opened per column.
COLUMNS = 2
WRITE_LINKS = 3


def consultation_columns(column_pages: list[dict]) -> list[dict]:
    """The consultation columns of the inspection, registered before discovered, each its first
    list page (as the crawl stored it)."""
    out: dict[str, dict] = {}
    for page in sorted(column_pages, key=lambda p: ((p.get("column") or {}).get("source") ==
                                                    "discovered", p.get("list_page") or 1)):
        column = page.get("column") or {}
        if column.get("type") != CONSULTATION or EXCLUDED_NAMES.search(column.get("name") or ""):
            continue
        out.setdefault(column.get("url") or page["url"], page)
    return list(out.values())


def _judge(rendered) -> dict:
    """The page's form, or its frames' (the first that has one)."""
    seen = message_form(rendered.html)
    if seen["found"]:
        return {**seen, "frame": None}
    for frame_url, frame_html in rendered.frames:
        framed = message_form(frame_html)
        if framed["found"]:
            return {**framed, "frame": frame_url}
        seen["login"] = seen["login"] or framed["login"]
        seen["password"] = seen["password"] or framed["password"]
    return {**seen, "frame": None}


def _opened(rendered) -> bool:
    return not rendered.error and rendered.status is not None and rendered.status < 400


async def _look(renderer, store, url: str, seconds: float) -> tuple[dict, object]:
    rendered = await renderer.render(url, budget=seconds)
    tried = {"url": url, "final_url": rendered.final_url, "status": rendered.status,
             "error": rendered.error}
    if _opened(rendered):
        tried.update(_judge(rendered))
    if rendered.screenshot:
        tried["screenshot"] = store.put_blob(rendered.screenshot, "image/png")
    return tried, rendered


def _found(column: dict, tried: dict, pages: list[dict], result: str) -> dict:
    name = column.get("name") or ""
    evidence = {"column": name, "column_url": column.get("url"), "form_url": tried["url"],
                "final_url": tried.get("final_url"), "frame": tried.get("frame"),
                "fields": tried.get("fields") or [], "submit": tried.get("submit"),
                "screenshot": tried.get("screenshot"), "tried": pages}
    if result == "found":
        detail = f"政务咨询类栏目「{name}」提供留言表单（{tried['url']}），未实际提交"
    else:
        detail = f"政务咨询类栏目「{name}」的留言页面需要登录（{tried.get('final_url')}）"
    return {"result": result, "detail": detail, "url": tried["url"], "evidence": evidence}


async def _column(renderer, store, page: dict, seconds: float) -> tuple[dict | None, list]:
    """(the column's found or login result, every page tried)."""
    column = page.get("column") or {}
    url = page.get("final_url") or page.get("url") or column.get("url")
    if page.get("status") is None and page.get("error"):  # the crawl could not open it: not again
        return None, [{"url": url, "final_url": None, "status": None, "error": page["error"],
                       "screenshot": page.get("screenshot")}]
    tried, rendered = await _look(renderer, store, url, seconds)
    pages, login = [tried], None
    if tried.get("found"):
        return _found(column, tried, pages, "found"), pages
    if tried.get("password"):  # the column itself is a login wall (登录 in its header is not)
        login = tried
    if not _opened(rendered):
        return None, pages
    links = write_links(rendered.html, rendered.final_url or url)
    for frame_url, frame_html in rendered.frames:
        links += [u for u in write_links(frame_html, frame_url) if u not in links]
    for link in links[:WRITE_LINKS]:
        tried, _ = await _look(renderer, store, link, seconds)
        pages.append(tried)
        if tried.get("found"):
            return _found(column, tried, pages, "found"), pages
        if tried.get("login") and login is None:
            login = tried
    return (_found(column, login, pages, "needs_login") if login else None), pages


async def submit_check(store, inspection: dict, site: dict, renderer, seconds: float) -> dict:
    """The ``submit`` check of one inspection (see the module's docstring)."""
    columns = consultation_columns(store.find("column_pages", inspection=inspection["id"]))
    known = {(p.get("column") or {}).get("url") for p in columns}
    try:  # registered ones the crawl did not read (XUNJIAN_FRESHNESS=0): opened here
        registered = store.columns(site["code"])
    except Exception:  # noqa: BLE001 - the column pages alone
        registered = []
    columns += consultation_columns([{"column": c, "url": c.get("url")}
                                     for c in registered if c.get("url") not in known
                                     and c.get("source") != "discovered"])
    if not columns:
        return {"result": "no_column", "url": site.get("url"),
                "detail": "网站未发现政务咨询类栏目（领导信箱、咨询留言等），无法检查信息提交功能",
                "evidence": {}}
    tried_all, login = [], None
    for page in columns[:COLUMNS]:
        found, tried = await _column(renderer, store, page, seconds)
        tried_all += tried
        if found and found["result"] == "found":
            return found
        login = login or found
    if login:
        return login
    first = columns[0].get("column") or {}
    opened = [t for t in tried_all if t.get("status") and t["status"] < 400 and not t["error"]]
    why = "栏目页面及其写信链接均未提供可填写的留言表单" if opened else "栏目页面未能打开"
    # a column that did not open at all, on weak evidence (a wall, a browser failure), waits
    usability = columns[0].get("usability") or {}
    weak = not opened and not usability.get("strong", False)
    shot = next((t.get("screenshot") for t in tried_all if t.get("screenshot")), None)
    return {"result": "cannot_submit", "url": first.get("url"),
            "detail": f"政务咨询类栏目「{first.get('name') or ''}」无法提交留言：{why}",
            "evidence": {"column": first.get("name"), "column_url": first.get("url"),
                         "tried": tried_all, "screenshot": shot, "weak": weak}}
