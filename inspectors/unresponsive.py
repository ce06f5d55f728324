"""Pages whose script never yields (页面脚本无响应): one finding per page, with its URL, the page
that led to it and the browser step that hung (browser/deadline.py stored that as its error).

A page that freezes a visitor's browser tab is a link that does not work for that visitor: the
findings go on ``availability.links``, weighed as a broken link is (rule "home" when the
homepage links to it, else "other"); a homepage that hangs is an unreachable homepage instead
(xunjian/homepage.py: 首页无法访问 with this reason, its indicators unchecked). A link finding of the same
URL (the plain-HTTP check or the page's verdict calling it broken) gives way to this one: one
URL, one finding.
"""

from __future__ import annotations

from xunjian.browser.deadline import is_unresponsive
from xunjian.inspectors import finding_id

INDICATOR = "availability.links"
KIND = "page_unresponsive"
WHAT = {"pages": "页面", "column_pages": "栏目", "guide_pages": "办事指南"}


def unresponsive_findings(site: dict, docs: dict[str, list[dict]], home: dict | None
                          ) -> list[dict]:
    """``docs``: collection name → stored pages (column_pages, guide_pages, pages). ``home``: the stored homepage; a stuck page it links to is a homepage link (rule
    "home", as a broken one is), any other rule "other"."""
    home_url = home.get("url") if home else None
    on_home = {x["url"] for x in (home or {}).get("links") or []}
    found: dict[str, dict] = {}
    # (an online system that hangs is judged on its own indicator: service.online_systems's
    # system_unreachable, whose reason says 页面脚本无响应 — not a second deduction here)
    for collection in ("column_pages", "guide_pages", "pages"):
        for page in docs.get(collection) or []:
            error = page.get("error") or (page.get("render") or {}).get("error")
            url = page.get("url")
            if not url or not is_unresponsive(error) or page.get("is_home"):
                continue
            if url in found:  # read twice (a registered column the crawl walked to as well)
                if page.get("referrer"):
                    found[url]["page"] = found[url]["evidence"]["referrer"] = page["referrer"]
                continue
            column = page.get("column") or {}
            name = column.get("name") or page.get("title") or url
            referrer = page.get("referrer") or home_url
            rule = "home" if url in on_home else "other"
            found[url] = {
                "id": finding_id(site["code"], INDICATOR, KIND, url),
                "site": site["code"], "indicator": INDICATOR, "kind": KIND, "rule": rule,
                "url": url, "page": referrer,
                "detail": f"{'首页链接的' if rule == 'home' else ''}{WHAT.get(collection, '页面')}"
                          f"「{name}」{error}：页面脚本不让出，访问者的浏览器在此页卡死",
                "needs_review": False,
                "evidence": {"error": error, "step": error, "status": page.get("status"),
                             "referrer": referrer, "collection": collection,
                             "column": column.get("name"), "page_title": page.get("title", ""),
                             "fetched_at": page.get("fetched_at")},
            }
    return list(found.values())


def merge(link_findings: list[dict], unresponsive: list[dict]) -> list[dict]:
    """Link findings less those of a URL found unresponsive, then the unresponsive ones."""
    urls = {f["url"] for f in unresponsive}
    return [f for f in link_findings if f.get("url") not in urls] + unresponsive
