"""站内搜索, driven in the browser: find the homepage's search, search four titles the site
published, read each first results page (inspectors/site_search.py judges it).

The search is used as a visitor uses it: the box is filled, Enter pressed (its form's own
``onsubmit`` runs), its button clicked when Enter did nothing; a GET form that neither submitted
is opened at its action URL. New windows (``target=_blank``, ``window.open``) open in the same page.
Only the first results page is read; no result is followed. At most four searches, each within
``XUNJIAN_SEARCH_TIMEOUT``; every request goes through the inspection's address policy.
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlencode, urlsplit, urlunsplit

from xunjian.base.errors import plain_error
from xunjian.browser.deadline import close_page
from xunjian.browser.netpolicy import net_error
from xunjian.browser.render import capture, settle
from xunjian.inspectors.site_search import (EMPTY, grouped, judge_results, pick_titles,
                                           search_entries)
from xunjian.scoring.time import as_of_date

#: Searches per inspection (the table: 4 titles).
SEARCHES = 4
#: Links to a search page followed from the homepage when it has no search box of its own.
SEARCH_LINKS = 2

#: In the page before submitting: new windows open here instead.
_SAME_WINDOW = """el => {
    if (el && el.form) el.form.target = "_self";
    document.querySelectorAll("form[target], a[target]").forEach(x => x.target = "_self");
    window.open = function (u) { if (u) location.href = u; return window; };
}"""
#: Resolves once the page shows the needle or says there are no results (or on timeout).
_RESULTS_SHOWN = """([needle, empty]) => {
    const text = (document.body ? document.body.innerText : "").replace(/\\s+/g, "");
    return text.includes(needle) || new RegExp(empty).test(text);
}"""
_TEXT = "() => document.body ? document.body.innerText : ''"


async def _open(page, url: str, seconds: float):
    """goto ``url``; (status, error) of the main document."""
    try:
        response = await page.goto(url, timeout=seconds * 1000, wait_until="domcontentloaded")
    except Exception as exc:  # noqa: BLE001 - the error is the answer
        return None, plain_error(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    if response is None:
        return None, "没有响应"
    failed = net_error(await response.all_headers(), url)
    return (None, plain_error(failed)) if failed else (response.status, None)


async def _find_entry(renderer, home: str, seconds: float) -> tuple[dict | None, list[str], dict]:
    """The search entry (a box, on the homepage or on a search page it links), the pages
    looked at, and how the homepage opened."""
    looked: list[str] = []
    async with renderer.page() as page:
        status, error = await _open(page, home, seconds)
        opened = {"status": status, "error": error}
        if error or status is None or status >= 400:
            return None, [home], opened
        await settle(page, budget_ms=int(min(seconds / 3, 5) * 1000))
        looked.append(page.url)
        entries = search_entries(await page.content(), page.url)
        box = await _visible_box(page, entries)
        if box is not None:
            return {**box, "page": page.url}, looked, opened
        for link in [e for e in entries if e["kind"] == "link"][:SEARCH_LINKS]:
            status, error = await _open(page, link["url"], seconds)
            if error or status is None or status >= 400:
                continue
            await settle(page, budget_ms=int(min(seconds / 3, 5) * 1000))
            looked.append(page.url)
            box = await _visible_box(page, search_entries(await page.content(), page.url))
            if box is not None:
                return {**box, "page": page.url, "via": link["url"]}, looked, opened
    return None, looked, opened


async def _visible_box(page, entries: list[dict]) -> dict | None:
    """The first search box a visitor sees (a page may carry a hidden one for phones), else
    the first box at all."""
    boxes = [e for e in entries if e["kind"] != "link"]
    for box in boxes:
        try:
            if await page.locator(box["selector"]).first.is_visible(timeout=1000):
                return box
        except Exception:  # noqa: BLE001 - a selector the page does not resolve: the next
            continue
    return boxes[0] if boxes else None


def _direct_url(entry: dict, query: str) -> str | None:
    """A GET form's results URL, built as the browser would submit it."""
    if entry["kind"] != "form" or entry.get("method") != "get" or not entry.get("action"):
        return None
    parts = urlsplit(entry["action"])
    fields = {**entry.get("fields", {}), entry["input"]: query}
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(fields), ""))


class BoxUnusable(Exception):
    """The search box found in the page's HTML could not be filled in the browser: the check's
    reading of the page, not the site's search, is in doubt."""


async def _submit(page, entry: dict, query: str, seconds: float) -> None:
    """Fill the box and submit it as a visitor would."""
    box = page.locator(entry["selector"]).first
    try:
        await box.fill(query, timeout=seconds * 300)
        await box.evaluate(_SAME_WINDOW)
    except Exception as exc:  # noqa: BLE001 - the box as the check read it could not be used
        raise BoxUnusable(f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None
    before = page.url
    await box.press("Enter", timeout=seconds * 200)
    if await _left(page, before, seconds * 0.2):
        return
    if entry.get("button"):
        try:
            await page.locator(entry["button"]).first.click(timeout=seconds * 200)
        except Exception:  # noqa: BLE001 - a hidden or covered button: the GET fallback
            pass
        if await _left(page, before, seconds * 0.2):
            return
    direct = _direct_url(entry, query)
    if direct:
        await page.goto(direct, timeout=seconds * 400, wait_until="domcontentloaded")


async def _left(page, before: str, seconds: float) -> bool:
    try:
        await page.wait_for_url(lambda u: u != before, timeout=seconds * 1000,
                                wait_until="commit")
        return True
    except Exception:  # noqa: BLE001 - still here: the results may be drawn in the page
        return False


async def _texts(page) -> list[str]:
    """The visible text of the page and of its frames."""
    texts = [await page.evaluate(_TEXT)]
    for frame in page.frames[1:]:
        try:
            texts.append(await frame.evaluate(_TEXT))
        except Exception:  # noqa: BLE001 - a detached frame
            continue
    return texts


def _watch(page, navigations: list) -> None:
    """Record the main document's answers of ``page`` (its status is the results' status)."""
    page.on("response", lambda r: navigations.append(r)
            if r.request.is_navigation_request() and r.frame == page.main_frame else None)


async def _results(page, popups: list, entry: dict, pick: dict, seconds: float):
    """Submit one search; (the page showing the results, its texts, the needle's count on the
    search page before: results drawn into the same page must add to it)."""
    before_url = page.url.split("#", 1)[0]
    before = re.sub(r"\s+", "", "".join(await _texts(page))).count(pick["needle"])
    await _submit(page, entry, pick["query"], seconds)
    target = popups[-1] if popups else page  # a window the page opened despite _SAME_WINDOW
    try:
        await target.wait_for_load_state("domcontentloaded", timeout=seconds * 200)
    except Exception:  # noqa: BLE001 - judged as it is
        pass
    await settle(target, budget_ms=int(seconds * 200))
    try:
        await target.wait_for_function(_RESULTS_SHOWN, arg=[pick["needle"], EMPTY.pattern],
                                       timeout=seconds * 200)
    except Exception:  # noqa: BLE001 - neither shows: judged as it is
        pass
    same = target is page and page.url.split("#", 1)[0] == before_url
    return target, await _texts(target), before if same else 0


async def _one_search(renderer, entry: dict, pick: dict, seconds: float, store) -> dict:
    """Search one title; its results page judged and pictured."""
    out = {**pick, "results_url": None, "status": None, "error": None, "state": "error",
           "empty": False, "error_page": False, "grouped": False, "screenshot": None}
    async with renderer.page() as page:
        navigations: list = []
        popups: list = []
        _watch(page, navigations)
        page.on("popup", lambda p: (popups.append(p), _watch(p, navigations)))
        status, error = await _open(page, entry["page"], seconds * 0.4)
        if error or status is None or status >= 400:
            out["error"] = error or f"搜索页面打开失败（HTTP {status}）"
            return out
        target, texts, before = page, None, 0
        policy = renderer.policy
        mark = len(policy.refused) if policy is not None else 0
        try:
            target, texts, before = await _results(page, popups, entry, pick, seconds)
        except BoxUnusable as exc:
            out.update(error=f"搜索框无法填写（{exc}）", unusable_box=True)
        except Exception as exc:  # noqa: BLE001 - a failed search is the finding
            out["error"] = plain_error(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        last = navigations[-1] if navigations else None
        out["results_url"] = target.url
        out["status"] = last.status if last is not None else status
        if target.url.startswith("chrome-error:"):  # the results page did not open
            out.update(results_url=last.url if last is not None else None, status=None,
                       error=out["error"] or "打不开：检索结果页面未能打开")
            texts = None
        elif last is not None and net_error(await last.all_headers(), target.url):
            out["error"] = plain_error(net_error(await last.all_headers(), target.url))
        refused = policy.refused_after(mark) if policy is not None else None
        if refused is not None:  # the search sends visitors to an intranet address: not opened
            out.update(error=str(refused), results_url=refused.url, status=None)
            texts = None
        if texts is not None:
            text = "\n".join(texts)
            out.update(judge_results(None if out["error"] else out["status"], text,
                                     pick["needle"], pick["query"], out["error"], before))
            out["grouped"] = grouped(text)
        shot, _ = await capture(target, retry_ms=0, paint_ms=int(seconds * 100),
                                shot_ms=int(seconds * 300))
        if shot:
            out["screenshot"] = store.put_blob(shot, "image/png")
        for popup in popups:
            await close_page(popup)
    return out


def _verdict(queries: list[dict]) -> tuple[str, str]:
    if all(q["state"] == "error" for q in queries):
        statuses = sorted({str(q["status"]) for q in queries if q.get("status")})
        why = f"HTTP {'/'.join(statuses)}" if statuses else (queries[0].get("error") or "出错")
        return "broken", f"站内搜索不可用：{len(queries)}次检索均出错（{why}）"
    if all(q["state"] != "found" and q.get("empty") for q in queries):
        return "broken", (f"站内搜索不可用：检索本站已发布的{len(queries)}个标题，结果页均显示没有找到"
                          "相关结果")
    missing = [q for q in queries if q["state"] != "found"]
    if not missing:
        return "ok", f"检索本站已发布的{len(queries)}个标题，均在第一页检索结果中找到"
    return "partial", f"检索本站已发布的{len(queries)}个标题，{len(missing)}个未在第一页检索结果中找到"


async def search_check(store, inspection: dict, home: str, home_items: list[dict], renderer,
                       seconds: float) -> dict:
    """The ``search`` check of one inspection (see the module's docstring)."""
    entry, looked, opened = await _find_entry(renderer, home, seconds)
    if entry is None:
        if opened["error"] or opened["status"] is None or opened["status"] >= 400:
            why = opened["error"] or f"HTTP {opened['status']}"
            return {"result": "unchecked", "detail": f"首页未能打开（{why}），无法检查站内搜索",
                    "url": home, "evidence": {"home": opened}}
        return {"result": "no_search", "detail": "首页未发现站内搜索（搜索框或搜索页面链接）",
                "url": home, "evidence": {"looked_at": looked}}
    as_of = as_of_date(inspection.get("as_of") or inspection.get("started_at"))
    picks = pick_titles(store.find("column_pages", inspection=inspection["id"]), home_items,
                        store.find("item_dates", inspection=inspection["id"]), as_of, SEARCHES)
    entry = {k: v for k, v in entry.items() if k != "score"}
    if not picks:
        return {"result": "unchecked", "detail": "未找到本站已发布的带日期的标题，无法检验站内搜索",
                "url": home, "evidence": {"entry": entry, "looked_at": looked}}
    queries = []
    for pick in picks:
        try:
            queries.append(await asyncio.wait_for(
                _one_search(renderer, entry, pick, seconds, store), seconds))
        except TimeoutError:
            queries.append({**pick, "results_url": None, "status": None, "state": "error",
                            "error": f"检索超时（{seconds:.0f}秒）", "empty": False,
                            "error_page": False, "screenshot": None})
    result, detail = _verdict(queries)
    return {"result": result, "detail": detail, "url": home,
            "evidence": {"entry": entry, "looked_at": looked, "queries": queries}}
