"""Link results from the crawl's own fetches: a page fetched once is not fetched again.

The crawl fetches every internal page over plain HTTP (all but the homepage and the column pages,
which Chromium renders) and stores its status, body and how it was fetched (``fetch``, see
spiders/site.py ``fetch_facts``). Such a page already answers its link check: this module builds
the same ``LinkResult`` urlcheck would have built from the same answer, and leaves to urlcheck
every URL where the stored fetch could differ from what urlcheck would see:

* rendered pages (Chromium, not plain HTTP), attachments (urlcheck asks with HEAD first);
* redirects (urlcheck records each hop and judges loops and error-page targets itself), retried
  fetches (urlcheck does not retry), a final URL other than the link;
* statuses whose verdict needs the response headers (``WAF_STATUSES``: 202, 403, 412, 429, 503,
  521), 1xx/3xx answers, non-HTML 2xx answers, bodies larger than urlcheck reads;
* errors other than a timeout, and timeouts or answers fetched with another timeout than the
  link check's (a page that answered in 18 s under a 30 s timeout is a timeout for a 15 s check).

What is reused: a 2xx HTML page, judged on its stored HTML by urlcheck's ``judge_page`` (soft 404,
WAF challenge pages); a 4xx/5xx page (broken, ``http_NNN``); a timeout under the link timeout.
"""

from __future__ import annotations

from collections.abc import Iterable

from xunjian.urlcheck import CheckConfig, LinkResult
from xunjian.urlcheck.content import WAF_STATUSES, judge_page
from xunjian.urlcheck.result import seconds_text, status_detail
from xunjian.urlcheck.urls import looks_like_attachment, normalise, triage
from xunjian.urlcheck.verdict import promised_file

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def _mime(content_type: str | None) -> str | None:
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    return mime or None


def result_from_page(url: str, page: dict, html: str | None,
                     config: CheckConfig) -> LinkResult | None:
    """The link result of ``url`` from the stored plain fetch ``page``; None when urlcheck must
    check it itself (the fetch could differ from urlcheck's own, see the module docstring)."""
    tri = triage(url)
    fetch = page.get("fetch")
    if tri.kind != "check" or not fetch or page.get("rendered") or looks_like_attachment(tri.key) \
            or promised_file(tri.key):
        return None
    if fetch.get("retries") or fetch.get("redirect_urls") or fetch.get("timeout_s") is None:
        return None
    same_timeout = abs(float(fetch["timeout_s"]) - config.timeout) < 1e-6
    if not same_timeout:
        return None
    checked_at = page.get("fetched_at") or ""
    if page.get("error"):
        if not fetch.get("timed_out"):
            return None
        return LinkResult(tri.key, "broken", "timeout", final_url=tri.key, method="GET",
                          elapsed_ms=round(config.timeout * 1000), checked_at=checked_at,
                          detail=f"访问超时（{seconds_text(config.timeout)}内未完成）")
    status = page.get("status")
    final = page.get("final_url")
    if status is None or status in WAF_STATUSES or (final and normalise(final) != tri.key):
        return None
    mime = _mime(page.get("content_type"))
    result = LinkResult(tri.key, "ok", "ok", http_status=status, final_url=tri.key, method="GET",
                        content_type=mime, elapsed_ms=fetch.get("latency_ms") or 0,
                        checked_at=checked_at)
    if status >= 400:
        result.outcome, result.reason = "broken", f"http_{status}"
        result.detail = status_detail(status)
        return result
    body_bytes = fetch.get("body_bytes")
    if not 200 <= status < 300 or mime not in HTML_TYPES or html is None or body_bytes is None \
            or body_bytes > config.max_body:
        return None
    judgement = judge_page(status, html, "", None)
    if judgement is not None:
        result.outcome, result.reason, result.detail = (judgement.outcome, judgement.reason,
                                                        judgement.detail)
    else:
        result.detail = f"正常（HTTP {status}）"
    return result


def crawled_results(store, pages: Iterable[dict], urls: Iterable[str],
                    config: CheckConfig) -> dict[str, dict]:
    """Link results (``LinkResult.to_dict()``) of the URLs the crawl's plain fetches answer,
    keyed by the URL as given; the others are left out, for urlcheck."""
    fetched: dict[str, dict] = {}
    for page in pages:
        if page.get("fetch") and not page.get("rendered"):
            fetched.setdefault(page["url"], page)
    results: dict[str, dict] = {}
    for url in urls:
        page = fetched.get(url)
        if page is None:
            continue
        html = None
        if page.get("html") and not page.get("error"):
            blob = store.get_blob(page["html"])
            html = blob.decode("utf-8", "replace") if blob is not None else None
        result = result_from_page(url, page, html, config)
        if result is not None:
            results[url] = result.to_dict()
    return results
