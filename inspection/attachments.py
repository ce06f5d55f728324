"""Personal data (content.privacy) on a stored inspection's pages and in the attachments they link,
and the serious-error scan of those attachments' text — called once by ``finish_inspection``.

The attachments (PDF, DOCX, XLSX, WPS/ET, TXT/CSV links of the crawled pages and the guides'
downloads) are fetched over plain HTTP under the site's address policy (browser/netpolicy.py), at
most XUNJIAN_MAX_ATTACHMENTS per site and XUNJIAN_MAX_DOWNLOAD_BYTES each (base/config.py); a link
the link check found broken is not fetched again. Each read is stored (``attachments``: status,
format, size, the text as a blob — the only place a full number is kept); what could not be read
(scans, encrypted, old binary formats, cut at the budget, damaged, not fetched) is counted on the
inspection (``attachments``) and shown on the card's facts, never skipped silently.
"""

from __future__ import annotations

import re
import time
from datetime import date

from xunjian.base.config import current
from xunjian.inspectors import ocr
from xunjian.inspectors.attachment_text import attachment_text
from xunjian.inspectors.privacy import html_text, masked_text, privacy_finding
from xunjian.inspectors.serious import load_serious_rules, serious_findings
from xunjian.storage import StoreError
from xunjian.urlcheck import CheckConfig
from xunjian.urlcheck.download import extension, fetch_files
from xunjian.urlcheck.verdict import promised_file

#: Extensions fetched for their text (the bytes decide the format: a .doc is often a DOCX).
READ_EXTENSIONS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "txt", "csv"})
#: pages of the same masked values listed on one finding
MAX_PAGES = 10
#: what every personal number holds somewhere in the raw HTML (11 digits, or 3-4-4 spaced)
MAYBE_NUMBER = re.compile(r"\d{11}|\d{3}[ \-]\d{4}[ \-]\d{4}")
#: attachments fetched at once, then read and let go (the bodies of one batch in memory)
BATCH = 8
#: seconds of attachment fetching and reading per site; what is left is counted ``over_time``
#: (bench/privacy_bench.py: 200 attachments of up to 2 MiB stay within 30 s and 100 MB)
READ_SECONDS = 20.0
#: characters per OCR-read page below which a scan is still ``no_text`` (a blank page, a photo)
MIN_OCR_CHARS = 20


def attachment_links(store, inspection_id: str, pages: list[dict]) -> tuple[dict, dict]:
    """(url → the first page linking it, shallowest first) of the file links to read, and
    extension → count of the file links of formats not read (ppt, ofd, zip …)."""
    wanted: dict[str, dict] = {}
    other: dict[str, int] = {}
    for page in sorted(pages, key=lambda p: (p.get("depth") or 0, p.get("url") or "")):
        for link in page.get("links") or []:
            ext = promised_file(link.get("url") or "")
            if ext in READ_EXTENSIONS:
                wanted.setdefault(link["url"], {"page": page.get("url"), "text": link.get("text")
                                                or "", "title": page.get("title") or ""})
            elif ext and link["url"] not in wanted:
                other[ext] = other.get(ext, 0) + 1
    for guide in store.find("guide_pages", inspection=inspection_id):
        for link in guide.get("downloads") or []:
            if (extension(link.get("url") or "") or "") in READ_EXTENSIONS:
                wanted.setdefault(link["url"], {"page": guide.get("url"),
                                                "text": link.get("text") or "",
                                                "title": guide.get("title") or ""})
    return wanted, other


def latest_day(inspection: dict) -> date:
    """The inspection's day: the latest plausible birth date of a 身份证号 it reads."""
    when = str(inspection.get("as_of") or inspection.get("started_at") or "")[:10]
    try:
        return date.fromisoformat(when)
    except ValueError:
        return date.today()


def _page_findings(store, site: dict, pages: list[dict], latest: date) -> tuple[list, int]:
    findings: dict[tuple, dict] = {}
    read = 0
    for page in sorted(pages, key=lambda p: (p.get("depth") or 0, p.get("url") or "")):
        if page.get("error") or (page.get("status") or 0) >= 400 or not page.get("html"):
            continue
        html = (store.get_blob(page["html"]) or b"").decode("utf-8", "replace")
        read += 1
        if not MAYBE_NUMBER.search(html):
            continue  # no run of 11 digits anywhere: nothing to parse the page for
        finding = privacy_finding(site, html_text(html),
                                  page.get("url") or "", title=page.get("title") or "",
                                  latest=latest)
        if finding:
            _keep(findings, finding)
    return list(findings.values()), read


def _keep(findings: dict[tuple, dict], finding: dict) -> None:
    """The same masked numbers on several pages (a footer, / and /index.html): one finding."""
    ev = finding["evidence"]
    key = (ev["in"], tuple(ev["samples"]), tuple(sorted(ev["types"].items())), ev["count"])
    if key in findings:
        listed = findings[key]["evidence"].setdefault("pages", [findings[key]["page"]])
        if len(listed) < MAX_PAGES and finding["page"] not in listed:
            listed.append(finding["page"])
        return
    findings[key] = finding


async def content_findings(store, inspection_id: str, site: dict, pages: list[dict],
                           links: dict[str, dict] | None = None,
                           policy=None) -> tuple[list[dict], dict]:
    """content.privacy findings of the pages and attachments, and serious-error candidates of the
    attachments' text; returns (findings, checks). The figures go on the inspection."""
    started = time.perf_counter()
    settings = current()
    inspection = store.get_inspection(inspection_id) or {}
    latest = latest_day(inspection)
    found, pages_read = _page_findings(store, site, pages, latest)
    wanted, other = attachment_links(store, inspection_id, pages)
    statuses: dict[str, int] = {f"format_{ext}": n for ext, n in sorted(other.items())}
    broken = {u for u, r in (links or {}).items() if r.get("outcome") in ("broken", "blocked")}
    todo = [u for u in wanted if u not in broken]
    over = todo[settings.max_attachments:]
    todo = todo[:settings.max_attachments]
    statuses["broken_link"] = len(wanted) - len(todo) - len(over)
    statuses["over_cap"] = len(over)
    config = CheckConfig(timeout=settings.link_timeout, per_host=settings.per_host,
                         host_delay=settings.host_delay)
    privacy: dict[tuple, dict] = {}
    serious: dict[str, dict] = {}
    docs: list[dict] = []
    rules = load_serious_rules(region=site.get("region") or "") if todo else None
    ocr_pages = settings.ocr_pages if ocr.available() else 0
    reserved, scans = 0, []
    reading = time.perf_counter()
    for at in range(0, len(todo), BATCH):  # a batch's bodies in memory at a time, no more
        batch = todo[at:at + BATCH]
        if time.perf_counter() - reading > READ_SECONDS:
            for url in batch:  # the site's reading time is spent: counted, not read
                statuses["over_time"] = statuses.get("over_time", 0) + 1
                docs.append({"inspection": inspection_id, "url": url,
                             "page": wanted[url]["page"], "status": "over_time"})
            continue
        fetched = await fetch_files(batch, config, max_bytes=settings.max_download_bytes,
                                    concurrency=max(1, settings.per_host), policy=policy)
        for url in batch:
            got = fetched.pop(url)
            if time.perf_counter() - reading > READ_SECONDS:
                statuses["over_time"] = statuses.get("over_time", 0) + 1
                docs.append({"inspection": inspection_id, "url": url,
                             "page": wanted[url]["page"], "status": "over_time"})
                continue
            doc, read = _read_one(inspection_id, url, wanted[url], got)
            statuses[doc["status"]] = statuses.get(doc["status"], 0) + 1
            if read is not None and read.partial:
                statuses["partial"] = statuses.get("partial", 0) + 1
            if read is not None and read.text:
                _text_findings(store, site, url, wanted[url], read.text, doc, latest, rules,
                               privacy, serious)
            if read is not None and read.status == "no_text" and read.format == "pdf" \
                    and ocr_pages - reserved > 0:
                pages = min(max(1, read.pages), ocr_pages - reserved)
                reserved += pages  # the body is kept until the reading is done, then read
                scans.append((url, got["body"], pages, doc))
            docs.append(doc)
    figures_ocr = _ocr_scans(store, site, wanted, scans, statuses, latest, rules, privacy,
                             serious, ocr_pages)
    if docs:
        store.insert_many("attachments", docs)
    findings = found + list(privacy.values()) + list(serious.values())
    for finding in findings:
        finding["inspection"] = inspection_id
    figures = {"pages": pages_read, "linked": len(wanted), "read": statuses.get("ok", 0),
               "statuses": {k: v for k, v in statuses.items() if v},
               "privacy": len(found) + len(privacy), "serious": len(serious),
               "seconds": round(time.perf_counter() - started, 3), "ocr": figures_ocr}
    try:
        store.update_inspection(inspection_id, attachments=figures)
    except StoreError:
        pass  # the findings are stored with the others; the figures are extra
    return findings, {"content.privacy": pages_read > 0}


def _text_findings(store, site: dict, url: str, origin: dict, text: str, doc: dict, latest: date,
                   rules, privacy: dict, serious: dict) -> None:
    """Store an attachment's text (the only place its full numbers are kept) and find personal
    data and serious-error candidates in it."""
    doc["text"] = store.put_blob(text.encode("utf-8"), "text/plain; charset=utf-8")
    doc["chars"] = len(text)
    finding = privacy_finding(site, text, origin["page"] or url, where="attachment",
                              attachment_url=url, title=origin["text"], latest=latest)
    if finding:
        _keep(privacy, finding)
    for candidate in _attachment_serious(site, url, origin["page"], text, latest, rules):
        serious.setdefault(candidate["id"], candidate)


def _ocr_scans(store, site: dict, wanted: dict, scans: list, statuses: dict, latest: date,
               rules, privacy: dict, serious: dict, limit: int) -> dict:
    """OCR of the scanned PDFs kept aside (at most ``limit`` pages per site, XUNJIAN_OCR_PAGES):
    a scan whose pages give text is read (status ``ok``, ``ocr_pages`` on its document) and
    searched like any other; the figures say whether OCR could run and how many pages it read."""
    if not ocr.available():
        return {"available": False, "pages": 0, "pages_read": 0,
                "note": "未安装 tesseract（chi_sim），扫描件未识别，计为无文字层"}
    if not limit:
        return {"available": True, "pages": 0, "pages_read": 0,
                "note": "文字识别未开启（XUNJIAN_OCR_PAGES=0），扫描件计为无文字层"}
    read_pages = 0
    for url, body, pages, doc in scans:
        text, done = ocr.ocr_pdf(body, pages)
        read_pages += done
        doc["ocr_pages"] = done
        if len(text.strip()) < MIN_OCR_CHARS * max(1, done):
            continue  # a blank or unreadable scan stays no_text
        statuses["no_text"] -= 1
        statuses["ok"] = statuses.get("ok", 0) + 1
        statuses["ocr"] = statuses.get("ocr", 0) + 1
        doc["status"] = "ok"
        _text_findings(store, site, url, wanted[url], text, doc, latest, rules, privacy,
                       serious)
    scans.clear()  # the bodies let go
    return {"available": True, "pages": limit, "pages_read": read_pages,
            "note": f"扫描件文字识别（tesseract），每站至多{limit}页"}


def _read_one(inspection_id: str, url: str, origin: dict, got: dict):
    """The stored document of one fetched attachment and its text (None: not fetched)."""
    if got["error"] or got["http_status"] is None or got["http_status"] >= 400:
        read, status = None, "not_fetched"
    else:
        read = attachment_text(got["body"], extension(url), got["truncated"])
        status = read.status
    doc = {"inspection": inspection_id, "url": url, "page": origin["page"],
           "link_text": origin["text"], "status": status,
           "format": read.format if read else None, "size": len(got["body"]),
           "truncated": got["truncated"], "http_status": got["http_status"],
           "error": got["error"], "chars": len(read.text) if read else 0,
           "pages": read.pages if read else 0, "partial": bool(read and read.partial),
           "text": None}
    return doc, read


def _attachment_serious(site: dict, url: str, page: str | None, text: str, latest: date,
                        rules) -> list[dict]:
    """Serious-error candidates of one attachment's text: the finding names the attachment
    (``url``) and the page linking it (``page``); its sentence has personal numbers masked."""
    unit = {"url": url, "referrer": page, "title": "", "blocks": [(text, False)], "alts": [],
            "frames": [], "hidden_links": [], "date": None}
    findings = serious_findings(site, [unit], rules)
    for finding in findings:
        ev = finding["evidence"]
        ev.update({"in": "attachment", "attachment_url": finding["url"]})
        ev["sentence"] = masked_text(ev.get("sentence") or "", latest)
        finding["detail"] = f"附件（{finding['url']}）：{finding['detail']}"
    return findings
