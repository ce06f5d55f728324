"""veto.serious_error candidates of a stored inspection: every page the crawl fetched (stored HTML
of rendered and plain pages, titles, alt texts, iframe texts, hidden links) through the pure
detector inspectors/serious.py. Called once by ``finish_inspection``; the findings are stored with
the inspection's others and wait for a reviewer (``needs_review``)."""

from __future__ import annotations

import time

from xunjian.base import config
from xunjian.browser import context_options, launch_options
from xunjian.browser.netpolicy import AddressPolicy, PolicyProxy
from xunjian.inspectors.dates import page_date
from xunjian.inspectors.serious import page_unit, serious_findings
from xunjian.spiders.serious_facts import marked_screenshot
from xunjian.storage import StoreError


def _date_of(html: str, url: str | None):
    """The page's date, read only when a title + name asks for it (dates cost a parse)."""
    return lambda: (page_date(html, url) or {}).get("date")


def _units(store, pages: list[dict]):
    crawled = {p.get("url") for p in pages} | {p.get("final_url") for p in pages}
    for page in sorted(pages, key=lambda p: (p.get("depth") or 0, p.get("url") or "")):
        if page.get("error") or (page.get("status") or 0) >= 400 or not page.get("html"):
            continue
        data = store.get_blob(page["html"]) or b""
        html = data.decode("utf-8", "replace")
        unit = page_unit(page, html)
        # an iframe the crawl fetched itself is judged as its own page
        unit["frames"] = [f for f in unit["frames"] if f.get("url") not in crawled]
        unit["date_of"] = _date_of(html, page.get("url"))
        yield unit


async def serious_candidates(store, inspection_id: str, site: dict, pages: list[dict],
                             context=None, browser=None) -> list[dict]:
    """Candidate findings of the inspection's pages; the count and time go on the inspection
    (``serious``: pages read, candidates, seconds, pages pictured). Each text or alt candidate
    gets a screenshot of its page scrolled to the match, framed in red (``evidence.screenshot``,
    ``screenshot_marked`` true), taken in ``context`` (a Playwright browser context) or, only when
    there are candidates, in a context of ``browser`` (the crawl's, when the inspection finishes
    inside the crawl) or else of a browser opened for it."""
    started = time.perf_counter()
    read = [0]

    def counted(units):
        for unit in units:
            read[0] += 1
            yield unit

    findings = serious_findings(site, counted(_units(store, pages)))
    for finding in findings:
        finding["inspection"] = inspection_id
    pictured = await picture_candidates(store, findings, context, browser)
    try:
        store.update_inspection(inspection_id, serious={
            "pages": read[0], "candidates": len(findings), "pictured": pictured,
            "seconds": round(time.perf_counter() - started, 3)})
    except StoreError:
        pass  # the findings themselves are stored with the others; the figures are extra
    return findings


async def picture_candidates(store, findings: list[dict], context=None, browser=None) -> int:
    """Screenshots with the match framed, for the candidates of at most XUNJIAN_SERIOUS_SHOTS
    pages (one picture per candidate; the page's own screenshot stays when the match cannot be
    shown: hidden text, an iframe, a hidden link). Returns how many pictures were taken."""
    todo = [f for f in findings if f["kind"] != "hidden_link"
            and f["evidence"].get("where") in ("text", "title", "alt")
            and not f["evidence"].get("hidden_text")]
    urls = list(dict.fromkeys(f["url"] for f in todo))[:config.current().serious_shots]
    todo = [f for f in todo if f["url"] in urls]
    if not todo:
        return 0
    if context is not None:
        return await _picture(store, todo, context)
    if browser is not None:
        return await _in_browser(store, todo, browser)
    return await _with_own_browser(store, todo)


async def _picture(store, todo: list[dict], context) -> int:
    taken = 0
    for finding in todo:
        needle = finding["evidence"]["matches"][0] if finding["evidence"].get("matches") \
            else finding["evidence"]["match"]
        shot = await marked_screenshot(context, finding["url"], needle)
        if shot:
            finding["evidence"]["screenshot"] = store.put_blob(shot, "image/png")
            finding["screenshot_marked"] = True  # outside evidence: not part of what was judged
            taken += 1
    return taken


async def _guarded(store, todo: list[dict]) -> tuple[dict, object]:
    """Context options sending every request through the site's address policy (its proxy)."""
    site = store.get_site(todo[0].get("site")) if todo[0].get("site") else None
    proxy = await PolicyProxy(AddressPolicy.for_site(store, site) if site
                              else AddressPolicy()).start()
    return {**context_options(), **proxy.context_options()}, proxy


async def _in_browser(store, todo: list[dict], browser) -> int:
    options, proxy = await _guarded(store, todo)
    try:
        context = await browser.new_context(**options)
    except Exception:  # noqa: BLE001 - the browser is gone: the candidates keep their screenshots
        await proxy.close()
        return 0
    try:
        return await _picture(store, todo, context)
    finally:
        await context.close()
        await proxy.close()


async def _with_own_browser(store, todo: list[dict]) -> int:
    try:  # Playwright is optional here: without it the candidates keep the crawl's screenshots
        from playwright.async_api import async_playwright
    except ImportError:
        return 0
    options, proxy = await _guarded(store, todo)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_options())
            try:
                context = await browser.new_context(**options)
                return await _picture(store, todo, context)
            finally:
                await browser.close()
    except Exception:  # noqa: BLE001 - no browser: the candidates keep the crawl's screenshots
        return 0
    finally:
        await proxy.close()
