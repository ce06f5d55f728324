"""Early warnings from the latest inspection's freshness facts (inspectors/freshness.py).

* ``blank_columns`` — more than 2 blank columns (the veto fires at 5);
* ``stale_columns`` — more than 6 columns not updated in their type's window (the veto: 10); an
  ``undated`` column (no date anywhere: awaits a reviewer) counts as the veto counts it, once a
  reviewer confirmed its finding; those still awaiting review are named apart, not counted (a
  rejected one is neither);
* ``homepage_not_updated`` — the newest dated homepage item is more than 10 days old (the veto:
  none in 14 days), read from the freshness facts' ``homepage.newest``; a site whose homepage
  shows no date at all reports "unknown" here (the veto.not_updated finding covers it).

Facts are read at the current time from the latest finished inspection (no re-crawl: dates are
resolved against "now"). When the freshness code is missing or its facts are not what this
module expects, each check answers None (unknown) and the warning is left as it is.
``CHECKS`` are registered by alerts/warnings.py, which imports this module (never the reverse).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from xunjian.inspection.card import freshness_for
from xunjian.scoring.card import latest_reviews

log = logging.getLogger(__name__)

BLANK_LIMIT = 2
STALE_LIMIT = 6
HOMEPAGE_DAYS = 10
UNCOUNTED_CATEGORIES = ("互动回应类", "办事服务类")  # judged by other indicators


def _freshness_facts(store: Any, site: dict, now: datetime) -> dict | None:
    """Freshness facts of the site's latest finished inspection at `now`, or None."""
    inspection = store.latest_inspection(site["code"])
    if inspection is None:
        return None
    key = (id(store), inspection.get("id"), now.date().isoformat())
    if key not in _cache:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = _read_facts(store, site, inspection, now)
    return _cache[key]


#: (store, inspection, day) → facts: the three checks, and the probes of a day, share one read.
_cache: dict[tuple, dict | None] = {}


def _read_facts(store: Any, site: dict, inspection: dict, now: datetime) -> dict | None:
    try:
        findings, _, facts = freshness_for(store, inspection, site, now.isoformat())
    except Exception:  # noqa: BLE001 - the freshness code changed: unknown
        log.debug("no freshness facts for %s", site["code"], exc_info=True)
        return None
    fresh = (facts or {}).get("freshness")
    if not isinstance(fresh, dict):
        return None
    fresh = dict(fresh)
    fresh["inspection"] = inspection.get("id")
    fresh["undated_reviews"] = _undated_reviews(store, site, findings)
    return fresh


def _undated_reviews(store: Any, site: dict, findings: list[dict]) -> dict[str, str]:
    """Undated column URL → the latest reviewer's verdict on its finding (reviewed ones only)."""
    undated = {f.get("id"): f.get("url") for f in findings or []
               if f.get("kind") == "undated_column"}
    if not undated:
        return {}
    try:
        verdicts = latest_reviews(store.reviews(site["code"]))
    except Exception:  # noqa: BLE001 - unreadable reviews: none confirmed
        log.debug("no reviews for %s", site["code"], exc_info=True)
        return {}
    return {url: verdicts[fid] for fid, url in undated.items() if fid in verdicts}


def _columns(facts: dict | None) -> list[dict] | None:
    columns = (facts or {}).get("columns")
    if not isinstance(columns, list) or not all(isinstance(c, dict) for c in columns):
        return None
    return columns


def _names(columns: list[dict]) -> str:
    return "、".join(str(c.get("name") or c.get("url")) for c in columns[:10])


def blank_columns_check(store: Any, site: dict, now: datetime):
    facts = _freshness_facts(store, site, now)
    columns = _columns(facts)
    if columns is None:
        return None
    blank = [c for c in columns if c.get("status") == "blank"]
    return (len(blank) > BLANK_LIMIT,
            f"空白栏目{len(blank)}个（超过{BLANK_LIMIT}个）：{_names(blank)}",
            {"count": len(blank), "inspection": facts.get("inspection"),
             "columns": [c.get("url") for c in blank]})


def stale_columns_check(store: Any, site: dict, now: datetime):
    facts = _freshness_facts(store, site, now)
    columns = _columns(facts)
    if columns is None:
        return None
    counted = [c for c in columns if c.get("category") not in UNCOUNTED_CATEGORIES]
    reviewed = (facts or {}).get("undated_reviews") or {}
    undated = [c for c in counted if c.get("status") == "undated"]
    stale = [c for c in counted if c.get("status") == "stale"
             or (c.get("status") == "undated" and reviewed.get(c.get("url")) == "confirmed")]
    pending = [c for c in undated if c.get("url") not in reviewed]
    more = f"；另有{len(pending)}个栏目无日期，待人工复核：{_names(pending)}" if pending else ""
    return (len(stale) > STALE_LIMIT,
            f"未按时更新的栏目{len(stale)}个（超过{STALE_LIMIT}个）：{_names(stale)}{more}",
            {"count": len(stale), "inspection": facts.get("inspection"),
             "columns": [c.get("url") for c in stale],
             "undated_awaiting_review": [c.get("url") for c in pending]})


def homepage_not_updated_check(store: Any, site: dict, now: datetime):
    facts = _freshness_facts(store, site, now)
    newest = ((facts or {}).get("homepage") or {}).get("newest")
    if isinstance(newest, dict):
        newest = newest.get("date")
    if not isinstance(newest, str):
        return None
    try:
        day = date.fromisoformat(newest[:10])
    except ValueError:
        return None
    age = (now.date() - day).days
    return (age > HOMEPAGE_DAYS, f"首页最新信息发布于{day.isoformat()}，已{age}天未更新",
            {"newest": day.isoformat(), "days": age, "inspection": facts.get("inspection")})


#: The checks of this module, by warning kind (alerts/warnings.py registers them).
CHECKS = {"homepage_not_updated": homepage_not_updated_check,
          "blank_columns": blank_columns_check,
          "stale_columns": stale_columns_check}
