"""The finishing stage's active checks (checklist-2019): the site search, IPv6 and the message
form, run on every inspection in the crawl's own browser, one ``site_checks`` document each.

``site_checks(store, inspection_id, browser)`` is the one call finish.py makes. Each check is
bounded (``XUNJIAN_SEARCH_TIMEOUT`` per search and per page opened, ``XUNJIAN_LINK_TIMEOUT`` for
the IPv6 connection), goes through the inspection's address policy (browser/netpolicy.py), and
never stops the inspection: whatever goes wrong becomes a stored ``"error"`` result, which leaves
its indicator unchecked with the reason (inspectors/active.py).

Documents: ``{"inspection", "site", "kind": "ipv6" | "search" | "submit", "result", "detail",
"url", "evidence", "checked_at"}`` — ``search``: the entry found, the queries with their results
URL, state and screenshot blob; ``submit``: the column, the form's URL and a screenshot;
``ipv6``: the addresses and the connection.
"""

from __future__ import annotations

import asyncio

from xunjian.base.config import current
from xunjian.base.errors import plain_error
from xunjian.browser import Renderer
from xunjian.browser.netpolicy import AddressPolicy
from xunjian.inspection.form_check import submit_check
from xunjian.inspection.search_check import search_check
from xunjian.inspection.shared import now_iso
from xunjian.inspectors.lists import extract_items
from xunjian.storage.errors import StoreError
from xunjian.urlcheck.ipv6 import ipv6_check

COLLECTION = "site_checks"
KINDS = ("ipv6", "search", "submit")
#: Seconds a whole check may take beyond its searches' and pages' own timeouts.
SLACK = 10.0


def home_url(site: dict, pages: list[dict]) -> str:
    """Where the homepage is: the crawl's final URL of it (a redirect to www… counts), else the
    registered 首页网址."""
    home = next((p for p in pages if p.get("is_home")), None)
    if home and not home.get("error") and home.get("final_url"):
        return home["final_url"]
    return site.get("url") or ""


def _home_items(store, home: dict) -> list[dict]:
    """The homepage's dated list items read from its stored HTML (a crawl that read no lists,
    ``XUNJIAN_FRESHNESS=0``, stored none)."""
    blob = store.get_blob(home["html"]) if home.get("html") else None
    if not blob:
        return []
    return extract_items(blob.decode("utf-8", "replace"), home.get("final_url") or home["url"])


async def _bounded(kind: str, url: str, make, seconds: float) -> dict:
    """The check's result, or an ``error`` result saying why it has none."""
    try:
        return await asyncio.wait_for(make(), seconds)
    except TimeoutError:
        return {"result": "error", "detail": f"检查超时（{seconds:.0f}秒），未能完成", "url": url,
                "evidence": {"error": "timeout"}}
    except Exception as exc:  # noqa: BLE001 - a check's fault must not stop the inspection
        error = plain_error(f"{type(exc).__name__}: {exc}") or type(exc).__name__
        return {"result": "error", "detail": f"检查出错：{error}", "url": url,
                "evidence": {"error": error}}


async def site_checks(store, inspection_id: str, browser=None, policy=None,
                      pages: list[dict] | None = None) -> list[dict]:
    """Run the three checks of one stored inspection and store their documents. Never raises
    but for the store's own failures: a fault of the checks is stored as their ``error``."""
    try:
        return await _site_checks(store, inspection_id, browser, policy, pages)
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - the inspection goes on without these checks
        error = plain_error(f"{type(exc).__name__}: {exc}") or type(exc).__name__
        inspection = store.get_inspection(inspection_id) or {}
        docs = [{"inspection": inspection_id, "site": inspection.get("site"), "kind": kind,
                 "result": "error", "detail": f"检查出错：{error}", "url": None,
                 "evidence": {"error": error}, "checked_at": now_iso()} for kind in KINDS]
        store.delete(COLLECTION, inspection=inspection_id)
        store.insert_many(COLLECTION, docs)
        return docs


async def _site_checks(store, inspection_id: str, browser, policy,
                       pages: list[dict] | None) -> list[dict]:
    settings = current()
    inspection = store.get_inspection(inspection_id)
    site = store.get_site(inspection["site"])
    policy = policy if policy is not None else AddressPolicy.for_site(store, site)
    pages = pages if pages is not None else store.pages(inspection_id, share_links=True)
    url = home_url(site, pages)
    per = settings.search_timeout
    results = {"ipv6": await _bounded("ipv6", url, lambda: ipv6_check(url, policy),
                                      3 * settings.link_timeout + SLACK)}
    try:
        async with Renderer(concurrency=1, timeout=per, browser=browser,
                            policy=policy) as renderer:
            home = next((p for p in pages if p.get("is_home")), None)
            if home is None or home.get("error") or (home.get("status") or 0) >= 400 \
                    or home.get("status") is None:
                why = (home or {}).get("error") or (f"HTTP {home['status']}" if home and
                                                    home.get("status") else "未抓取")
                results["search"] = {"result": "unchecked", "url": url,
                                     "detail": f"首页未能打开（{why}），无法检查站内搜索",
                                     "evidence": {"home_error": why}}
            else:
                items = home.get("items") or _home_items(store, home)
                results["search"] = await _bounded("search", url, lambda: search_check(
                    store, inspection, url, items, renderer, per), 7 * per + SLACK)
            results["submit"] = await _bounded("submit", url, lambda: submit_check(
                store, inspection, site, renderer, per), 8 * per + SLACK)
    except Exception as exc:  # noqa: BLE001 - no browser: both checks say so
        error = plain_error(f"{type(exc).__name__}: {exc}") or type(exc).__name__
        for kind in ("search", "submit"):
            results.setdefault(kind, {"result": "error", "detail": f"浏览器未能启动：{error}",
                                      "url": url, "evidence": {"error": error}})
    docs = [{"inspection": inspection_id, "site": site["code"], "kind": kind,
             "result": results[kind]["result"], "detail": results[kind].get("detail") or "",
             "url": results[kind].get("url") or url,
             "evidence": results[kind].get("evidence") or {}, "checked_at": now_iso()}
            for kind in KINDS]
    store.delete(COLLECTION, inspection=inspection_id)
    store.insert_many(COLLECTION, docs)
    return docs
