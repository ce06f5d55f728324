"""Recheck records (复查): what a re-check of one finding found, kept next to the finding.

Collection ``rechecks``, append-only (nothing a re-check finds overwrites the inspection's own
evidence): one document per re-check of a finding, naming the finding (its stable id), the site
and the inspection whose finding was re-checked::

    {"id", "finding", "site", "inspection", "indicator", "kind", "url", "page",
     "result": "fixed" | "open", "how": "link_ok" | "link_removed" | "still_broken" |
     "still_blocked", "detail": 中文说明, "at": iso, "by": who asked,
     "evidence": {"status", "status_text", "error", "detail", "final_url", "content_type",
                  "checked_at", "browser"?, "screenshot", "screenshot_blank", "page_url",
                  "page_status", "page_error", "page_title", "linked",
                  "element_box", "element_missing"?},
     "before": {"status", "error", "checked_at", "screenshot"}}

A card shows on each finding its latest re-check made after the card's inspection started
(``attach_rechecks``: ``finding["recheck"]``); an older one belongs to an older inspection's
evidence, and a newer inspection's own answer wins over it.
"""

from __future__ import annotations

from xunjian.scoring import as_of_instant

RECHECKS = "rechecks"

#: Finding kinds a re-check can judge now (fetch the URL again, photograph its referring page).
RECHECKABLE = {
    "broken_link": "不可用链接",
    "blocked_link": "疑似被防护墙拦截的链接",
    "download_failed": "无法下载的附件",
}
RESULT_LABELS = {"fixed": "已整改", "open": "仍未整改"}

#: What a card's finding carries of its latest re-check (``finding["recheck"]``).
CARD_FIELDS = ("id", "result", "how", "detail", "at", "by")
CARD_EVIDENCE = ("status", "status_text", "error", "detail", "checked_at", "screenshot",
                 "screenshot_blank", "element_box", "element_missing", "page_url", "page_error",
                 "linked")


def rechecks_of(store, site_code: str, finding_id: str | None = None) -> list[dict]:
    """A site's re-check records (of one finding when given), oldest first."""
    found = store.find(RECHECKS, site=site_code)
    if finding_id is not None:
        found = [r for r in found if r.get("finding") == finding_id]
    return sorted(found, key=lambda r: as_of_instant(r["at"]))


def latest_rechecks(store, site_code: str, since: str | None = None) -> dict[str, dict]:
    """Finding id → its newest re-check record, made at or after ``since`` when given."""
    start = as_of_instant(since) if since else None
    latest: dict[str, dict] = {}
    for record in rechecks_of(store, site_code):
        if start is not None and as_of_instant(record["at"]) < start:
            continue
        latest[record["finding"]] = record
    return latest


def card_recheck(record: dict) -> dict:
    """The part of a re-check record a card's finding shows."""
    evidence = record.get("evidence") or {}
    out = {k: record.get(k) for k in CARD_FIELDS}
    out["evidence"] = {k: evidence[k] for k in CARD_EVIDENCE if k in evidence}
    return out


def attach_rechecks(store, inspection: dict, card: dict) -> dict:
    """``card`` with each finding's latest re-check since its inspection started, if any."""
    site = (card.get("site") or {}).get("code") or inspection.get("site")
    if not site:
        return card
    latest = latest_rechecks(store, site, since=inspection.get("started_at"))
    if not latest:
        return card
    for finding in card.get("findings") or []:
        record = latest.get(finding.get("id"))
        if record is not None:
            finding["recheck"] = card_recheck(record)
    return card


def is_fixed(finding: dict) -> bool:
    """True when the finding's latest re-check found it fixed (已整改)."""
    return (finding.get("recheck") or {}).get("result") == "fixed"
