"""整改通知: the notice a site's owner receives — the site's open findings, to be fixed.

``rectify_notice(store, code, …)`` gathers, from the card of the site's latest finished
inspection (as the review app shows it), every finding still open: not rejected by a reviewer
(已驳回) and not found fixed by a re-check (已整改, inspection/rechecks.py). Each row has the
indicator, the problem, its URL and referring page, when it was first seen and how often
(``first_seen`` / ``times_seen`` of the card's finding: "—" when the card has none), the
evidence in the census platform's words and the screenshot — the newest one: a re-check's that
found it still open, else the inspection's. ``build_rectify_notice(…, fmt)`` makes it DOCX
(``rectify_docx``: the marked crop of the screenshot where the finding has an ``element_box``,
else the page's picture) or XLSX (``rectify_xlsx``: the crop embedded in its row, the full
screenshot linked).
"""

from __future__ import annotations

from datetime import datetime

from xunjian.base.safetext import clean_all
from xunjian.inspection.card import card_for
from xunjian.inspection.rechecks import RESULT_LABELS, is_fixed
from xunjian.scoring import SHANGHAI, load_rules

from .render import ReportError, beijing
from .shots import Shots
from .site import _blob_location, _site_facts, pick_inspection

FORMATS = ("docx", "xlsx")
NONE = "—"


def open_findings(card: dict) -> list[dict]:
    """The card's findings a site owner must still fix: not rejected, not fixed by a re-check."""
    return [f for f in card["findings"] if f.get("review") != "rejected" and not is_fixed(f)]


def evidence_text(finding: dict) -> str:
    """The evidence of a finding in a reader's words, one line (链接名称, 返回值, 探测时间 …)."""
    ev = finding.get("evidence") or {}
    parts = []
    if ev.get("error_type"):
        parts.append(f"错误类型：{ev['error_type']}")
    if ev.get("anchor_text"):
        parts.append(f"链接名称：{ev['anchor_text']}")
    status = str(ev.get("status_text") or ev.get("status") or ev.get("http_status") or "")
    error = str(ev.get("error") or "")
    if status or error:  # 200（返回错误页面） says what soft_404 says; a bare code says less
        parts.append(f"返回值：{status if ev.get('status_text') else status or error}"
                     + (f"（{error}）" if error and status and not ev.get("status_text") else ""))
    for key, label in (("column_type", "栏目类型"), ("column_name", "栏目名称"),
                       ("date", "日期"), ("page_date", "页面日期"), ("latest_date", "最新日期"),
                       ("newest_date", "最新日期"), ("newest", "最新信息日期")):
        if ev.get(key):
            parts.append(f"{label}：{ev[key]}")
    missing = ev.get("missing") or ev.get("missing_elements")
    if missing:
        parts.append("缺少要素：" + (missing if isinstance(missing, str) else "、".join(missing)))
    if ev.get("masked"):
        parts.append(f"个人信息（已掩码）：{ev['masked']}")
    if ev.get("sentence"):
        parts.append(f"原文：{ev['sentence']}")
    if ev.get("checked_at"):
        parts.append(f"探测时间：{beijing(ev['checked_at'])}")
    if isinstance(ev.get("count"), int) and ev.get("window_days"):
        parts.append(f"监测期 {ev['window_days']} 天内 {ev['count']} 条")
    return "；".join(str(p) for p in parts) or NONE


def review_text(finding: dict) -> str:
    """Who judged the finding, for its owner: a reviewer's confirmation, a candidate awaiting
    one, or the machine's own finding (which counts without one)."""
    if finding.get("review") == "confirmed":
        return "人工复核确认"
    if finding.get("needs_review"):
        return "待人工复核（确认后计入）"
    return "系统检测"


def _recheck_text(finding: dict) -> str:
    rc = finding.get("recheck")
    if not rc:
        return NONE
    return f"{RESULT_LABELS.get(rc.get('result'), rc.get('result'))}（复查 {beijing(rc.get('at'))}）"


def _picture(finding: dict) -> dict:
    """The newest screenshot of the finding: a re-check's that found it still open, else the
    inspection's; with its element box or why there is none."""
    rc = finding.get("recheck") or {}
    rev = rc.get("evidence") or {}
    if rev.get("screenshot"):
        return {"screenshot": rev["screenshot"], "box": rev.get("element_box"),
                "box_missing": rev.get("element_missing") or "", "when": "复查时"}
    ev = finding.get("evidence") or {}
    return {"screenshot": ev.get("screenshot"), "box": ev.get("element_box"),
            "box_missing": ev.get("element_missing") or "", "when": "检查时"}


def _row(n: int, f: dict, rules, shots: Shots, link) -> dict:
    try:
        entry = rules.indicator(f["indicator"])
        indicator = f"{entry.group} · {entry.name}"
    except (KeyError, ValueError):
        indicator = f["indicator"]
    pic = _picture(f)
    where = f.get("page") or f.get("url") or ""
    figure = shots.ref(pic["screenshot"], f"问题{n}{pic['when']}截图：{where}")
    times = f.get("times_seen")
    return {
        "n": n, "id": f["id"], "issue_key": f.get("issue_key") or "",
        "indicator": indicator, "problem": f.get("detail") or f.get("kind") or "",
        "url": f.get("url") or "", "page": f.get("page") or "",
        "first_seen": f.get("first_seen") or NONE,
        "times_seen": str(times) if isinstance(times, int) else NONE,
        "evidence": evidence_text(f), "review": review_text(f), "recheck": _recheck_text(f),
        **pic, "figure": figure,
        "screenshot_link": link(pic["screenshot"]) if pic["screenshot"] else "",
    }


def rectify_notice(store, code: str, inspection_id: str | None = None,
                   rules: str | None = None, blob_link=None) -> dict:
    """Everything the 整改通知 shows, as plain data (see the module doc)."""
    inspection = pick_inspection(store, code, inspection_id)
    card = card_for(store, inspection["id"], rules=rules)
    table = load_rules(card.get("rules", "census-2015"))
    shots = Shots(store)
    link = blob_link or (lambda blob: _blob_location(store, blob))
    still = open_findings(card)
    rows = [_row(n, f, table, shots, link) for n, f in enumerate(still, start=1)]
    return {
        "site": _site_facts(store, code, card), "as_of": card["as_of"],
        "inspection": inspection["id"], "rules_title": table.title, "rows": rows,
        "rejected": sum(1 for f in card["findings"] if f.get("review") == "rejected"),
        "fixed": sum(1 for f in card["findings"]
                     if f.get("review") != "rejected" and is_fixed(f)),
        "issued": datetime.now(SHANGHAI).strftime("%Y-%m-%d"), "shots": shots,
    }


def build_rectify_notice(store, code: str, fmt: str, inspection_id: str | None = None,
                         rules: str | None = None, blob_link=None) -> bytes:
    """The 整改通知 of one site as ``fmt`` (docx, xlsx) bytes."""
    from .rectify_docx import rectify_docx
    from .rectify_xlsx import rectify_xlsx

    if fmt not in FORMATS:
        raise ReportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    notice = clean_all(rectify_notice(store, code, inspection_id, rules, blob_link))
    return rectify_docx(notice) if fmt == "docx" else rectify_xlsx(notice)


def filename(code: str, issued: str, fmt: str) -> str:
    return f"rectify-{code}-{issued}.{fmt}"
