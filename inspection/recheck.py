"""复查: re-check one stored finding now — fetch its URL again, photograph its referring page —
and record whether it is fixed (已整改) or still open (仍未整改), with the new evidence.

The URL is judged by the rules the inspection used: the plain-HTTP link checker (urlcheck/:
HTTP errors, soft 404s, error pages served with 200, a file promised and an HTML page served),
a wall-blocked answer re-opened in Chromium (``finish.browser_verdict``), a download by the
download check (urlcheck/download.py). The referring page is rendered and photographed as the
finishing photographs evidence pages, with its links measured (browser/outline.py): the new
screenshot shows where the link is now, or that the page no longer links it — which fixes a dead
link too. Every request goes through the site's address policy.

``locate`` finds a finding by the id the review app shows (``/site/CODE/finding/ID``, the card's
``findings[].id``); ``recheck_finding`` re-checks it and stores a record (inspection/rechecks.py).
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

from xunjian.base.config import current
from xunjian.base.errors import plain_error
from xunjian.browser import Renderer
from xunjian.browser.netpolicy import AddressPolicy
from xunjian.browser.outline import element_evidence
from xunjian.inspection.card import card_for
from xunjian.inspection.finish import EVIDENCE_SETTLE_MS, browser_verdict, link_check_config
from xunjian.inspection.rechecks import RECHECKABLE, RECHECKS
from xunjian.inspection.shared import now_iso
from xunjian.inspectors.links import status_text
from xunjian.scoring.rules import RULE_SETS
from xunjian.storage.base import FINDINGS
from xunjian.urlcheck import LinkChecker
from xunjian.urlcheck.download import check_downloads

#: Seconds the referring page (and a walled URL in the browser) may take to open.
RENDER_TIMEOUT = 30


class RecheckError(Exception):
    """Why a finding cannot be re-checked (unknown id, a kind no re-check judges), one line."""


def kinds_text() -> str:
    return "、".join(f"{label} ({kind})" for kind, label in RECHECKABLE.items())


def locate(store, finding_id: str, site_code: str | None = None,
           inspection_id: str | None = None, rules: str | None = None):
    """(site, inspection, card finding) of ``finding_id`` in its site's latest finished
    inspection (or ``inspection_id``). Stored findings are found by id at once; a finding the
    card derives (a failed download) by the cards of ``site_code`` or, without it, every site.
    Raises RecheckError naming what is missing."""
    if inspection_id:
        inspection = store.get_inspection(inspection_id)
        if inspection is None:
            raise RecheckError(f"no inspection {inspection_id!r} in the store")
        codes = [inspection["site"]]
    else:
        stored = [r.get("site") for r in store.find(FINDINGS, finding=finding_id)]
        codes = [site_code] if site_code else list(dict.fromkeys(c for c in stored if c))
        if not codes:  # not stored: derived on the card; look at every site's latest card
            codes = [s["code"] for s in store.list_sites()]
    for code in codes:
        site = store.get_site(code)
        inspection = store.get_inspection(inspection_id) if inspection_id \
            else store.latest_inspection(code)
        if site is None or inspection is None:
            continue
        for name in dict.fromkeys([rules or current().rules, *RULE_SETS]):
            card = card_for(store, inspection["id"], rules=name)
            found = next((f for f in card["findings"] if f["id"] == finding_id), None)
            if found is not None:
                return site, inspection, found
    where = f" of site {site_code!r}" if site_code else ""
    raise RecheckError(f"no finding {finding_id!r}{where} in the latest finished inspections "
                       f"(the id the review app shows in /site/CODE/finding/ID)")


def check_kind(finding: dict) -> None:
    if finding.get("kind") not in RECHECKABLE:
        raise RecheckError(
            f"finding {finding['id']} is a {finding.get('kind')!r} finding "
            f"({finding.get('detail') or finding.get('indicator')}); only these kinds can be "
            f"re-checked: {kinds_text()}")


async def _link_answer(url: str, policy, renderer) -> dict:
    """The link checker's verdict of ``url`` now (a wall re-opened in Chromium)."""
    async with LinkChecker(link_check_config(), policy=policy) as checker:
        result = (await checker.check(url)).to_dict()
    if result["outcome"] == "blocked":
        rendered = await renderer.render(url)
        seen = browser_verdict(result, rendered)
        result["browser"] = seen
        if seen["outcome"] in ("ok", "broken"):
            result["outcome"] = seen["outcome"]
            result["reason"] = seen.get("reason", result["reason"])
    return {"outcome": result["outcome"], "status": result.get("http_status"),
            "status_text": status_text(result), "error": result["reason"],
            "detail": result.get("detail") or "", "final_url": result.get("final_url"),
            "content_type": result.get("content_type"), "redirects": result.get("redirects"),
            "checked_at": result.get("checked_at") or now_iso(),
            **({"browser": result["browser"]} if "browser" in result else {})}


async def _download_answer(url: str, policy, renderer) -> dict:
    """A download: the link check first (as in the inspection), then the download check."""
    answer = await _link_answer(url, policy, renderer)
    if answer["outcome"] != "ok":
        return answer
    got = (await check_downloads([url], link_check_config(),
                                 max_bytes=current().max_download_bytes, policy=policy))[url]
    return {**answer, "outcome": "ok" if got.get("ok") else "broken",
            "status": got.get("http_status"), "error": got.get("reason"),
            "status_text": str(got.get("http_status") or got.get("reason") or ""),
            "detail": got.get("detail") or "", "content_type": got.get("content_type"),
            "size": got.get("size")}


def _key(url: str) -> str:
    return unquote(url or "").strip()  # as browser/outline.py keys measured links


async def _page_evidence(store, finding: dict, renderer) -> dict:
    """The referring page now: its screenshot (stored), where the link is on it, and whether
    the page still links the URL (None when that cannot be told)."""
    page_url = finding.get("page") or finding.get("url")
    rendered = await renderer.render(page_url, settle_ms=EVIDENCE_SETTLE_MS, measure=True)
    out = {"page_url": page_url, "page_status": rendered.status,
           "page_error": plain_error(rendered.error), "page_title": rendered.title or "",
           "screenshot": None, "screenshot_blank": False, "linked": None}
    page = {"screenshot": None, "link_boxes": rendered.link_boxes}
    if rendered.screenshot:
        out["screenshot"] = page["screenshot"] = store.put_blob(rendered.screenshot, "image/png")
        out["screenshot_blank"] = bool(rendered.screenshot_blank)
    measured = rendered.link_boxes
    opened = rendered.error is None and (rendered.status is None or rendered.status < 400)
    if measured is not None and opened:
        keys = {_key(k) for k in (measured.get("boxes") or {})} | {
            _key(k) for k in measured.get("hidden") or []}
        out["linked"] = _key(finding["url"]) in keys
    tag = (finding.get("evidence") or {}).get("tag") or "a"
    out.update(element_evidence(page, finding["url"], tag))
    return out


def judge(kind: str, answer: dict, page: dict) -> tuple[str, str, str]:
    """(result, how, 中文说明) of a re-check: fixed when the URL answers now, or when the
    referring page opened and no longer links it; open otherwise."""
    if answer["outcome"] == "ok":
        what = "附件现可下载" if kind == "download_failed" else "链接现可正常访问"
        return "fixed", "link_ok", f"已整改：{what}（{answer.get('status_text') or 'ok'}）"
    if page.get("linked") is False:
        return "fixed", "link_removed", "已整改：入口页已不再链接该地址"
    reason = answer.get("detail") or answer.get("status_text") or answer.get("error")
    if answer["outcome"] == "blocked":
        return "open", "still_blocked", f"仍未整改：疑似防护墙拦截，浏览器复查仍无法确认（{reason}）"
    return "open", "still_broken", f"仍未整改：{reason}"


async def recheck_finding(store, site: dict, inspection: dict, finding: dict,
                          by: str = "cli", browser=None) -> dict:
    """Re-check ``finding`` (a card finding of ``inspection``) now; store and return the
    record (inspection/rechecks.py)."""
    check_kind(finding)
    policy = AddressPolicy.for_site(store, site)  # every hop judged by the site's own policy
    async with Renderer(concurrency=1, timeout=RENDER_TIMEOUT, browser=browser,
                        policy=policy) as renderer:
        fetch = _download_answer if finding["kind"] == "download_failed" else _link_answer
        answer = await fetch(finding["url"], policy, renderer)
        page = await _page_evidence(store, finding, renderer)
    result, how, detail = judge(finding["kind"], answer, page)
    old = finding.get("evidence") or {}
    record = {
        "finding": finding["id"], "site": site["code"], "inspection": inspection["id"],
        "indicator": finding.get("indicator"), "kind": finding["kind"],
        "url": finding["url"], "page": finding.get("page"),
        "result": result, "how": how, "detail": detail, "at": now_iso(), "by": by,
        "evidence": {**{k: v for k, v in answer.items() if k != "outcome"},
                     "outcome": answer["outcome"], **page},
        "before": {"status": old.get("status", old.get("http_status")),
                   "error": old.get("error", old.get("reason")),
                   "checked_at": old.get("checked_at"), "screenshot": old.get("screenshot")},
    }
    record["id"] = store.insert(RECHECKS, record)
    return record


def recheck(store, finding_id: str, site_code: str | None = None,
            inspection_id: str | None = None, by: str = "cli", rules: str | None = None) -> dict:
    """Locate ``finding_id`` and re-check it now (its own event loop and Chromium)."""
    site, inspection, finding = locate(store, finding_id, site_code, inspection_id, rules)
    check_kind(finding)
    return asyncio.run(recheck_finding(store, site, inspection, finding, by=by))
