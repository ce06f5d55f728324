"""veto.serious_error candidates of a stored inspection: every page the crawl fetched (stored HTML
of rendered and plain pages, titles, alt texts, iframe texts, hidden links) through the pure
detector inspectors/serious.py. Called once by ``finish_inspection``; the findings are stored with
the inspection's others and wait for a reviewer (``needs_review``)."""

from __future__ import annotations

import time

from inspectors.dates import page_date
from inspectors.serious import page_unit, serious_findings
from storage import StoreError


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


def serious_candidates(store, inspection_id: str, site: dict, pages: list[dict]) -> list[dict]:
    """Candidate findings of the inspection's pages; the count and time go on the inspection
    (``serious``: pages read, candidates, seconds)."""
    started = time.perf_counter()
    read = [0]

    def counted(units):
        for unit in units:
            read[0] += 1
            yield unit

    findings = serious_findings(site, counted(_units(store, pages)))
    for finding in findings:
        finding["inspection"] = inspection_id
    try:
        store.update_inspection(inspection_id, serious={
            "pages": read[0], "candidates": len(findings),
            "seconds": round(time.perf_counter() - started, 3)})
    except StoreError:
        pass  # the findings themselves are stored with the others; the figures are extra
    return findings
