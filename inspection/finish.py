"""The finishing stage of one inspection, after its pages are stored: check links → re-check walls
→ evidence → findings. (Running it — lock, heartbeat, the crawl subprocess, exit status — is
inspection/run.py; scoring a stored inspection is inspection/card.py.)
The crawl runs in its own process (Twisted's reactor cannot be restarted, and Chromium's memory
goes away with the process). The finishing — link checks, browser re-checks of walled links,
evidence screenshots, guide downloads, findings — runs on the stored pages at the end of that
same process (inspection/extension.py ``FinishInspection``, a Scrapy extension on
``spider_closed`` listed in xunjian/settings.py), in the crawl's own Chromium: one browser per
inspection. The same stored facts always give the same findings and, with the same
``--as-of``, the same score card. An inspection whose crawl did not finish it (a crawl run by
other means) is finished here, in a browser of its own.
"""
from __future__ import annotations

import asyncio

from xunjian.base.config import Config, current
from xunjian.base.errors import plain_error
from xunjian.browser import Renderer
from xunjian.browser.netpolicy import AddressPolicy
from xunjian.inspection.attachments import content_findings, latest_day
from xunjian.inspection.card import derive
from xunjian.inspection.privacy_shots import picture_privacy
from xunjian.inspection.serious_run import serious_candidates
from xunjian.inspection.shared import Progress, now_iso
from xunjian.inspection.site_checks import site_checks
from xunjian.inspectors.homepage import homepage_gaps, homepage_state, without_gaps
from xunjian.inspectors.links import link_findings
from xunjian.inspectors.unresponsive import merge, unresponsive_findings
from xunjian.urlcheck import CheckConfig, LinkChecker, classify_html
from xunjian.urlcheck.crawled import crawled_results
from xunjian.urlcheck.download import check_downloads
from xunjian.urlcheck.urls import normalise
from xunjian.urlcheck.verdict import page_usability, promised_file

#: The browser re-opens at most XUNJIAN_MAX_RECHECKS wall-blocked links and
#: XUNJIAN_MAX_EVIDENCE_SHOTS referring pages per inspection (base/config.py).
#: Chromium pages open at once in the browser phase (never more than XUNJIAN_PER_HOST): two, as
#: in the crawl; four cost ~25-35 MB more at the inspection's peak (bench/README) for ~2 s.
BROWSER_PHASE_PAGES = 2
#: How long an evidence page (a page already read over HTTP) may take to load before its picture.
EVIDENCE_SETTLE_MS = 3000


def link_check_config(settings: Config | None = None) -> CheckConfig:
    """The link checker's configuration from ``settings`` (default: this process's, which in
    the crawl are its crawler's: ``-s XUNJIAN_LINK_TIMEOUT=5`` reaches the link checks too)."""
    settings = settings or current()
    return CheckConfig(timeout=settings.link_timeout, per_host=settings.per_host,
                       host_delay=settings.host_delay)


# -- after the crawl ----------------------------------------------------------------------------

def distinct_links(pages: list[dict]) -> list[str]:
    return sorted({link["url"] for page in pages for link in page.get("links", [])})


def browser_verdict(result: dict, rendered) -> dict:
    """What a real browser saw of a link a wall blocked over plain HTTP."""
    seen = {"http_status": rendered.status, "final_url": rendered.final_url,
            "error": plain_error(rendered.error), "title": rendered.title}
    if rendered.error or rendered.status is None:
        seen["outcome"] = "blocked"
    else:
        verdict = classify_html(rendered.status, rendered.html, rendered.title, {})
        seen["outcome"] = verdict[0] if verdict else "ok"
        seen["reason"] = verdict[1] if verdict else "ok"
    return seen


async def _browser_phase(store, results: dict[str, dict], pages: list[dict],
                         progress: Progress | None, browser=None, policy=None) -> None:
    settings = current()
    blocked = [u for u, r in results.items()
               if r["outcome"] == "blocked"][:settings.max_rechecks]
    bad = {u for u, r in results.items() if r["outcome"] in ("broken", "blocked")}
    need_shot = [p for p in pages if not p.get("screenshot")
                 and any(x["url"] in bad for x in p.get("links", []))][:settings.max_evidence_shots]
    if not blocked and not need_shot:
        return
    total, done = len(blocked) + len(need_shot), 0
    pages_at_once = max(1, min(BROWSER_PHASE_PAGES, link_check_config().per_host))
    async with Renderer(concurrency=pages_at_once, timeout=20, browser=browser,
                        policy=policy) as renderer:
        async def recheck(url: str) -> None:
            nonlocal done
            rendered = await renderer.render(url)
            seen = browser_verdict(results[url], rendered)
            if rendered.screenshot:
                seen["screenshot"] = store.put_blob(rendered.screenshot, "image/png")
                seen["screenshot_blank"] = rendered.screenshot_blank
            results[url]["browser"] = seen
            if seen["outcome"] in ("ok", "broken"):
                results[url]["outcome"] = seen["outcome"]
                results[url]["reason"] = seen.get("reason", results[url]["reason"])
            done += 1
            if progress:
                progress("browser", done, total)

        async def evidence(page: dict) -> None:
            nonlocal done
            # one picture of the page and, measured on it, where each of its links is: five
            # broken links on a page are one screenshot and five boxes (browser/outline.py)
            rendered = await renderer.render(page["final_url"] or page["url"],
                                             settle_ms=EVIDENCE_SETTLE_MS, measure=True)
            if rendered.screenshot:
                page["screenshot"] = store.put_blob(rendered.screenshot, "image/png")
                page["screenshot_blank"] = rendered.screenshot_blank
                page["link_boxes"] = rendered.link_boxes
                store.update("pages", page["id"], {"screenshot": page["screenshot"],
                                                   "screenshot_blank": rendered.screenshot_blank,
                                                   "link_boxes": rendered.link_boxes,
                                                   "screenshot_later": True})
            done += 1
            if progress:
                progress("browser", done, total)

        await asyncio.gather(*(recheck(u) for u in blocked), *(evidence(p) for p in need_shot))


async def finish_inspection(store, inspection_id: str, progress: Progress | None = None,
                            browser=None) -> dict:
    """Check every link the crawl found, judge walls in the browser, store findings.

    ``browser``: a running Playwright browser to use (the crawl's); else one is launched."""
    inspection = store.get_inspection(inspection_id)
    site = store.get_site(inspection["site"])
    pages = store.pages(inspection_id, share_links=True)  # read-only links: one copy each
    home = next((p for p in pages if p.get("is_home")), None)
    urls = distinct_links(pages)

    config = link_check_config()
    # pages the crawl fetched over plain HTTP answer their own link check (fetched once)
    reused = crawled_results(store, pages, urls, config)
    todo = [u for u in urls if u not in reused]

    def tick(done: int, total: int) -> None:
        if progress:
            progress("links", done + len(reused), total + len(reused))

    # every address of every hop judged by the site's own (browser/netpolicy.py)
    policy = AddressPolicy.for_site(store, site)
    async with LinkChecker(config, policy=policy) as checker:
        checked = await checker.check_many(todo, progress=tick)
        results = {**reused, **{u: r.to_dict() for u, r in checked.items()}}
        results = {u: results[u] for u in urls}
        # one URL, one verdict: column and system pages, and guide downloads, share the link
        # check's verdict of their URL (urlcheck/verdict.py), before any finding is made
        await share_page_verdicts(store, inspection_id, results, checker)
    await check_guide_downloads(store, inspection_id, results, policy=policy)
    await _browser_phase(store, results, pages, progress, browser, policy)
    # the 2019 checklist's active checks (site search, IPv6, message form), on every inspection
    await site_checks(store, inspection_id, browser=browser, policy=policy, pages=pages)
    store.add_link_results(inspection_id, list(results.values()))

    homepage = homepage_state(pages)
    gaps = homepage_gaps(homepage, store.find("column_pages", inspection=inspection_id),
                         store.find("system_pages", inspection=inspection_id))
    findings = link_findings(site, pages, results)
    # pages whose script never yields (browser/deadline.py): 页面脚本无响应, one per page
    findings = merge(findings, unresponsive_findings(site, {
        "pages": pages, **{c: store.find(c, inspection=inspection_id) for c in
                           ("column_pages", "guide_pages")}},
        home))
    for finding in findings:
        finding["inspection"] = inspection_id
    # Stored: the findings that need the link results or a browser (links, scripts that never
    # yield, serious-error candidates). Freshness, service and interaction findings are not: the
    # card derives them from the stored facts for whatever --as-of it is asked for (card.py).
    serious = await serious_candidates(store, inspection_id, site, pages, browser=browser)
    # personal data on pages and in attachments; serious errors in attachments (attachments.py)
    content, content_checks = await content_findings(store, inspection_id, site, pages, results,
                                                     policy)
    # their pictures, the numbers masked in the page before the capture (privacy_shots.py)
    await picture_privacy(store, content, pages, latest_day(inspection), browser=browser,
                          policy=policy)
    findings = without_gaps(findings + serious + content, gaps)
    store.replace_findings(inspection_id, findings)
    # the count the inspection list shows reviewers: the stored findings and those the card
    # derives at the inspection's own as-of (counted here, stored nowhere)
    as_of = inspection.get("as_of") or inspection.get("started_at")
    derived = without_gaps(derive(store, inspection, site, as_of, pages)[0], gaps)

    home_ok = bool(home) and not home.get("error") and (home.get("status") or 0) < 400
    outcomes: dict[str, int] = {}
    for r in results.values():
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    fields = {
        "status": "done",
        "finished_at": now_iso(),
        "checks": {"availability.links": home_ok, **content_checks},
        "home": {"status": home.get("status") if home else None,
                 "error": home.get("error") if home else "homepage was not fetched"},
        "homepage": homepage,
        "stats": {"pages": len(pages), "links": len(urls), "outcomes": outcomes,
                  "findings": len(findings) + len(derived),
                  "columns": store.count("column_pages", inspection=inspection_id)},
    }
    store.update_inspection(inspection_id, **fields)
    return fields


#: Download links checked per inspection: XUNJIAN_MAX_DOWNLOADS, each read at most
#: XUNJIAN_MAX_DOWNLOAD_BYTES (base/config.py).


def _by_key(results: dict[str, dict]) -> dict[str, str]:
    """Normalised URL → the URL as the link results hold it."""
    return {normalise(u) or u: u for u in results}


async def share_page_verdicts(store, inspection_id: str, results: dict[str, dict],
                              checker: LinkChecker) -> None:
    """Give every column and system page one verdict with the link check of its URL.

    The page's own answer in Chromium decides (urlcheck.verdict.page_usability: soft 404, HTTP
    error, wall); where the browser got no answer, the link check of the same URL says why (a
    refused connection, DNS) — checked now when no page linked it. The verdict is stored on the
    page (``usability``); a link result that called the URL ok while its page is unusable on
    strong evidence takes the page's verdict, so no check calls that URL ok."""
    keys = _by_key(results)
    for collection in ("column_pages", "system_pages"):
        for page in store.find(collection, inspection=inspection_id):
            url = page.get("url") or ""
            linked = keys.get(normalise(url) or url)
            link = results.get(linked) if linked else None
            failed = page.get("status") is None or bool(page.get("error"))
            if link is None and failed and url.startswith(("http://", "https://")):
                link = (await checker.check(url)).to_dict()
            html = None
            if page.get("html") and not failed:
                blob = store.get_blob(page["html"])
                html = blob.decode("utf-8", "replace") if blob is not None else None
            verdict = page_usability(page.get("status"), page.get("error"), html,
                                     page.get("title") or "", link)
            store.update(collection, page["id"], {"usability": verdict})
            if linked and verdict["strong"] and results[linked]["outcome"] == "ok":
                results[linked].update(outcome="broken", reason=verdict["reason"],
                                       detail=verdict["detail"], shared_from=collection,
                                       http_status=page.get("status"))


async def check_guide_downloads(store, inspection_id: str,
                                links: dict[str, dict] | None = None,
                                policy=None) -> list[dict]:
    """Check the guides' download links over plain HTTP (bounded); store ``downloads``.

    ``links``: the inspection's link results. A download the link check found broken or blocked
    takes that verdict (not fetched again); a download found to be an HTML page instead of the
    promised file turns the link result of the same URL broken too: one verdict per URL."""
    guides = store.find("guide_pages", inspection=inspection_id)
    wanted: dict[str, str] = {}
    for guide in guides:
        for link in guide.get("downloads") or []:
            wanted.setdefault(link["url"], guide["url"])
    urls = list(wanted)[:current().max_downloads]
    if not urls:
        return []
    links = links or {}
    keys = _by_key(links)
    known: dict[str, dict] = {}
    for url in urls:
        link = links.get(keys.get(normalise(url) or url, ""))
        if link and link["outcome"] in ("broken", "blocked"):
            reason = link["reason"]
            if reason == "soft_404" and promised_file(url):
                reason = "html_instead_of_file"
            known[url] = {"url": url, "ok": False, "reason": reason, "detail": link.get("detail"),
                          "http_status": link.get("http_status"),
                          "content_type": link.get("content_type"), "size": None,
                          "truncated": False, "blocked": link["outcome"] == "blocked",
                          "from": "link"}
    todo = [u for u in urls if u not in known]
    if policy is None:
        inspection = store.get_inspection(inspection_id) or {}
        site = store.get_site(inspection.get("site")) if inspection.get("site") else None
        policy = AddressPolicy.for_site(store, site) if site else None  # no site: unjudged
    results = await check_downloads(todo, link_check_config(),
                                    max_bytes=current().max_download_bytes,
                                    policy=policy) if todo else {}
    results.update(known)
    for url in todo:
        linked = keys.get(normalise(url) or url)
        found = results[url]
        if linked and links[linked]["outcome"] == "ok" and found.get("reason") in (
                "html_instead_of_file", "soft_404"):
            links[linked].update(outcome="broken", reason="soft_404", detail=found["detail"],
                                 shared_from="downloads")
    docs = [{**results[u], "guide": wanted[u], "inspection": inspection_id} for u in urls]
    store.insert_many("downloads", docs)
    return docs
