"""The per-site inspection report (网站检查报告): what a site's owner receives and an auditor files.

``site_report(store, code, …)`` gathers everything the report shows from the store — the score
card of a stored inspection (as the review app shows it, reviewer-added findings included), the
registry
entry, the probes of the week before 监测时间点, the dead links with their evidence, the columns'
freshness, the interaction and service findings, and what reviewers added — into one plain dict.
``build_site_report(…, fmt)`` turns it into HTML, PDF (that HTML printed by our Chromium), DOCX
(python-docx, ``site_docx``) or XLSX (openpyxl, ``site_xlsx``).

Screenshots (``shots.Shots``): each distinct screenshot is shown once, at the full text width, in
the 截图 section (a tall page is cut into page-sized slices so nothing is shrunk to a stamp);
tables show a small thumbnail and the figure number. Figures are numbered in the order the
sections below first refer to them: dead links, failed probes, columns, reviewers' findings,
vetoes, the unreachable homepage, then interaction, service and updates.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from xunjian.base.safetext import clean_all
from xunjian.inspection.card import card_for
from xunjian.inspectors.attachment_text import figures_text
from xunjian.probes.probe import load_probes
from xunjian.scoring import load_rules
from xunjian.scoring.history import LABELS as CHANGE_LABELS
from xunjian.scoring.history import change_text, changes_summary
from xunjian.scoring.review import ROW_UNCOUNTED_WORDS, awaiting_text, review_counts
from xunjian.scoring.time import as_of_date, as_of_instant, window_start

from .charts import probe_chart_bars, probe_fail_bars
from .render import MIME, ReportError, bar_png, bar_svg, data_uri, html_to_pdf, render
from .shots import Shots
from .site_docx import site_docx
from .site_xlsx import site_xlsx
from .text import REVIEW, score_parts, unchecked_reasons, verdict_text

FORMATS = ("html", "pdf", "docx", "xlsx")
COLUMN_STATUS = {"fresh": "正常更新", "stale": "未更新", "blank": "空白栏目",
                 "unreachable": "无法访问", "undated": "栏目无日期，待人工复核"}
SOURCE = {"registry": "登记", "discovered": "发现"}
SITE_TYPES = {"门户网站", "其他"}


#: The terminal card's English fallback reasons (reports/text.py), as the Chinese report says them.
def _label_review(finding: dict) -> str:
    label = REVIEW.get(finding.get("review"), finding.get("review") or "")
    if finding.get("needs_review") and finding.get("review") == "pending":
        label += "（确认后计分）"
    return label


# -- gathering ------------------------------------------------------------------------------------

def pick_inspection(store, code: str, inspection_id: str | None = None,
                    as_of: str | None = None) -> dict:
    """The inspection a report is built from: the one named, else the site's latest finished
    inspection at or before ``as_of`` (any, without as_of). Raises ReportError with the reason."""
    if store.get_site(code) is None:
        raise ReportError(store.unknown_site(code))
    if inspection_id:
        inspection = store.get_inspection(inspection_id)
        if inspection is None:
            raise ReportError(f"no inspection {inspection_id!r} in the store")
        if inspection.get("site") != code:
            raise ReportError(f"inspection {inspection_id!r} is of site "
                              f"{inspection.get('site')!r}, not {code!r}")
        return inspection
    done = [i for i in store.inspections(code) if i.get("status") == "done"]
    if as_of:
        limit = as_of_date(as_of)
        done = [i for i in done if _inspection_date(i) <= limit]
    if not done:
        when = f" at or before {as_of}" if as_of else ""
        raise ReportError(f"no finished inspection of site {code!r}{when}; "
                          f"run `xunjian inspect {code}` first")
    return done[0]  # newest first


def _inspection_date(inspection: dict):
    return as_of_date(inspection.get("as_of") or inspection.get("started_at"))


def site_report(store, code: str, inspection_id: str | None = None, as_of: str | None = None,
                blob_link=None, rules: str | None = None) -> dict:
    """Everything the per-site report shows, as plain data (see the module doc); ``rules``:
    the table the card is scored by (default the XUNJIAN_RULES setting)."""
    inspection = pick_inspection(store, code, inspection_id, as_of)
    card = card_for(store, inspection["id"], as_of, rules=rules)
    rules = load_rules(card.get("rules", "census-2015"))
    shots = Shots(store)
    link = blob_link or (lambda blob: _blob_location(store, blob))
    findings = card["findings"]
    by_id = {f["id"]: f for f in findings}
    manual_ids = {f["id"] for f in store.find("manual_findings", inspection=inspection["id"])}
    unchecked = unchecked_reasons(card, inspection, language="zh")
    facts = card.get("facts") or {}
    fresh = facts.get("freshness") or {}
    overview = _overview(card, rules, unchecked, by_id)
    # the order of these calls is the order of the figures (shots.ref numbers them)
    dead = _dead_links(findings, shots, link)
    probe_log = _probe_log(store, code, card, shots)
    columns = _columns(fresh, shots)
    manual = [_finding_row(f, rules, shots, f.get("evidence") or {}) for f in findings
              if f["id"] in manual_ids]
    vetoes = _vetoes(card, rules, shots, by_id)
    home = facts.get("homepage") or {}
    if home.get("reachable") is False:
        shots.ref(home.get("screenshot"), "首页无法访问时浏览器显示的内容",
                  bool(home.get("screenshot_blank")))
    sections = {name: _section(findings, f"{name}.", manual_ids, rules, shots)
                for name in ("interaction", "service", "updates")}
    return {
        "site": _site_facts(store, code, card), "inspection": _inspection_facts(inspection),
        "card": card, "as_of": card["as_of"], "verdict": card["verdict"], "score": card["score"],
        # 合格（暂定）: 未能检查 … when a veto could not be checked; 未评分 when nothing was
        "verdict_text": verdict_text(card), "score_text": _score_text(card),
        "total_deduction": card["total_deduction"], "provisional": card["provisional"],
        "unchecked": [{"id": k, "name": rules.indicator(k).name, "reason": r}
                      for k, r in unchecked.items()],
        # one count with the review app's (scoring/review.py): awaiting, of which uncounted
        "review": review_counts(card), "review_text": awaiting_text(card), "homepage": home,
        "overview": overview, "vetoes": vetoes, "dead_links": dead, "probes": probe_log,
        "columns": columns, "homepage_updates": fresh.get("homepage") or {},
        **sections, "manual": manual,
        "crawl": facts.get("crawl") or {}, "shots": shots, "rules_title": rules.title,
        "attachments_text": figures_text(facts.get("attachments")),
        "rules": rules.name,
        # checklist-2019: the deduction part, the bonus or why none, the groups ("" otherwise)
        "score_note": "；".join(score_parts(card)) if "bonus" in card else "",
        "changes": _changes(card, rules),
    }


def _changes(card: dict, rules) -> dict:
    """整改情况: the card's changes since the site's previous finished inspection, a row per
    new, still open and fixed issue (nothing when the card has no history)."""
    changes = card.get("changes")
    if not changes:
        return {}
    rows = [{"state": change_text(f), "indicator": rules.indicator(f["indicator"]).name,
             "detail": f.get("detail") or f.get("kind") or "", "url": f.get("url") or "",
             "first_seen": f.get("first_seen") or "", "times_seen": f.get("times_seen") or 1}
            for f in card["findings"] if f.get("change") in ("new", "open")]
    rows += [{"state": CHANGE_LABELS["fixed"],
              "indicator": (rules.indicator(x["indicator"]).name
                            if x.get("indicator") in rules.ids else x.get("indicator") or ""),
              "detail": x.get("detail") or x.get("kind") or "", "url": x.get("url") or "",
              "first_seen": x.get("first_seen") or "", "times_seen": ""}
             for x in changes.get("fixed_findings") or ()]
    return {"summary": changes_summary(card), "rows": rows,
            "since": changes.get("since_as_of") or ""}


def _site_facts(store, code: str, card: dict) -> dict:
    site = store.get_site(code) or {}
    return {"code": code, "name": site.get("name") or card["site"].get("name") or "",
            "url": site.get("url") or card["site"].get("url") or "",
            "owner": site.get("owner") or "", "region": site.get("region") or "",
            "type": site.get("type") or ""}


def _inspection_facts(inspection: dict) -> dict:
    return {"id": inspection["id"], "status": inspection.get("status"),
            "started_at": inspection.get("started_at"),
            "finished_at": inspection.get("finished_at")}


def _score_text(card: dict) -> str:
    if card["score"] is not None:
        return f"{card['score']:g} 分"
    if card["verdict"] == "未评分":
        return "—（未评分：未能检查任何指标）"
    return "—（单项否决，不再评分）"


def _overview(card: dict, rules, unchecked: dict, by_id: dict) -> list[dict]:
    """总体情况: every veto and deduction indicator, in the table's order."""
    fired = {v["id"]: v for v in card["vetoes"]}
    overview = []
    for entry in rules.vetoes:
        if entry.id in fired:
            result, mark = f"否决：{fired[entry.id]['reason']}", "单项否决"
        elif entry.id in unchecked:
            result, mark = f"未检查：{unchecked[entry.id]}", "未检查"
        else:
            result, mark = "未发现问题", "通过"
        overview.append({"id": entry.id, "group": entry.group, "name": entry.name,
                         "text": entry.text, "result": result, "mark": mark, "veto": True,
                         "fired": entry.id in fired})
    for item in card["deductions"]:
        entry = rules.indicator(item["id"])
        overview.append({"id": item["id"], "group": entry.group, "name": entry.name,
                         "text": entry.text, **_deduction_result(item, unchecked, card),
                         "veto": False, "points": item["points"] if item["checked"] else None,
                         "fired": bool(item["checked"] and item["points"])})
    for item in card.get("bonus") or []:  # checklist-2019's 加分项, after the deductions
        entry = rules.indicator(item["id"])
        row = _deduction_result(item, unchecked, card)
        if item["checked"]:
            row["mark"] = f"加 {item['points']:g} 分" if card.get("bonus_applied") else "不加分"
        overview.append({"id": item["id"], "group": entry.group, "name": entry.name,
                         "text": entry.text, **row, "veto": False, "bonus": True,
                         "points": item["points"] if item["checked"] else None,
                         "fired": False})
    return overview


def _deduction_result(item: dict, unchecked: dict, card: dict) -> dict:
    """{"result", "mark"} of one deduction indicator's row in 总体情况."""
    if item.get("applicable") is False:
        return {"result": "未提供公共服务的部门网站，办事服务指标不参与评分（得分按 4/3 折算）",
                "mark": "不适用"}
    if not item["checked"]:
        return {"result": f"未检查：{unchecked.get(item['id'], '')}", "mark": "未检查"}
    by_id = {f["id"]: f for f in card["findings"]}
    counted = [by_id[f] for f in item["findings"] if by_id.get(f, {}).get("counts")]
    waiting = review_counts(card, among=item["findings"])["uncounted"]
    result = f"发现问题 {len(counted)} 项" if counted else "未发现扣分问题"
    if waiting:
        result += "；" + ROW_UNCOUNTED_WORDS.format(m=waiting)
    if item.get("partial"):
        result += f"；仅部分检查：{item.get('partial_reason')}"
    if item.get("uncapped"):
        result += f"；问题合计 {item['uncapped']:g} 分，按本项分值 {item['cap']:g} 分计"
    return {"result": result, "mark": f"扣 {item['points']:g} 分"}


def _dead_links(findings: list[dict], shots: Shots, link) -> list[dict]:
    """链接可用性: the dead links, numbered as the census platform's reports number them."""
    dead = []
    for f in [f for f in findings if f["indicator"] in ("availability.links", "design.links")]:
        ev = f.get("evidence") or {}
        page_title = ev.get("page_title") or ""
        fig = shots.ref(ev.get("screenshot"), f"入口页截图：{page_title} {f.get('page') or ''}",
                        bool(ev.get("screenshot_blank")))
        dead.append({
            "n": len(dead) + 1, "id": f["id"], "name": ev.get("anchor_text") or "",
            "url": f.get("url") or "", "time": ev.get("checked_at") or "",
            "type": ev.get("error_type") or f.get("kind") or "",
            "status": str(ev.get("status_text") or ev.get("status") or ev.get("error") or ""),
            "page": f.get("page") or "", "page_name": page_title,
            "where": "首页" if f.get("rule") == "home" else "其他页面",
            "screenshot": ev.get("screenshot"), "figure": fig,
            "blank": bool(ev.get("screenshot") and ev.get("screenshot_blank")),
            "screenshot_link": link(ev.get("screenshot")) if ev.get("screenshot") else "",
            # where on the 入口页 the link is (crop drawn when printed), or why it is not shown
            "box": ev.get("element_box"), "box_missing": ev.get("element_missing") or "",
            "review": _label_review(f), "points": f.get("points", 0),
            "counts": bool(f.get("counts"))})
    return dead


def _probe_log(store, code: str, card: dict, shots: Shots) -> dict:
    """The probes of the week before 监测时间点: counts per day and the failures."""
    card_as_of = card["as_of"]
    probes = load_probes(store, code, card_as_of)
    pf = (card.get("facts") or {}).get("probes") or {}
    failures = [p for p in probes if not p.get("ok")]
    start = window_start(card_as_of, 7)
    return {
        "start": start.isoformat(), "end": as_of_instant(card_as_of).isoformat(),
        "count": len(probes), "failed": len(failures),
        "rate": (len(failures) * 100 / len(probes)) if probes else None,
        "needed": pf.get("probes_needed", 140), "note": pf.get("note"),
        "failures": [{"time": p.get("time"), "status": p.get("status"),
                      "error": p.get("error") or (f"HTTP {p['status']}" if p.get("status")
                                                  else ""),
                      "elapsed_ms": p.get("elapsed_ms"),
                      "figure": shots.ref(p.get("screenshot"),
                                          f"首页探测失败时的截图：{p.get('time')}",
                                          bool(p.get("screenshot_blank")))}
                     for p in failures[-50:]],
        "failures_left": max(0, len(failures) - 50),
        "days": _probe_days(probes, failures, start.date(), as_of_date(card_as_of)),
    }


def _probe_days(probes: list[dict], failures: list[dict], day, end_day) -> list[dict]:
    per_day = Counter(as_of_instant(p["time"]).date() for p in probes)
    failed_day = Counter(as_of_instant(p["time"]).date() for p in failures)
    days = []
    while day <= end_day:
        days.append({"day": day.isoformat(), "probes": per_day.get(day, 0),
                     "failed": failed_day.get(day, 0)})
        day += timedelta(days=1)
    return days


def _columns(fresh: dict, shots: Shots) -> list[dict]:
    """The freshness of each registered and discovered column."""
    columns = []
    for c in fresh.get("columns") or []:
        newest = c.get("newest") or {}
        columns.append({
            "name": c.get("name") or "", "type": c.get("type") or "", "url": c.get("url") or "",
            "source": SOURCE.get(c.get("source"), c.get("source") or ""),
            "newest_title": newest.get("title") or "", "newest_date": newest.get("date") or "",
            "window": c.get("window_days"), "items": c.get("items"),
            "status": COLUMN_STATUS.get(c.get("status"), c.get("status") or ""),
            "bad": c.get("status") != "fresh",
            "figure": shots.ref(c.get("screenshot"), f"栏目页截图：{c.get('name')} {c.get('url')}",
                                bool(c.get("screenshot_blank")))
            if c.get("status") != "fresh" else None})
    return columns


def _vetoes(card: dict, rules, shots: Shots, by_id: dict) -> list[dict]:
    vetoes = []
    for v in card["vetoes"]:
        rows = [_finding_row(by_id[i], rules, shots, by_id[i].get("evidence") or {})
                for i in (v.get("findings") or []) + (v.get("supporting") or []) if i in by_id]
        vetoes.append({"name": rules.indicator(v["id"]).name, "reason": v["reason"],
                       "findings": rows})
    return vetoes


def _section(findings: list[dict], prefix: str, manual_ids: set, rules, shots: Shots) -> list:
    """The machine findings of one group of indicators (reviewers' own are ``manual``)."""
    return [_finding_row(f, rules, shots, f.get("evidence") or {}) for f in findings
            if f["indicator"].startswith(prefix) and f["id"] not in manual_ids]


def _finding_row(f: dict, rules, shots: Shots, ev: dict) -> dict:
    fig = shots.ref(ev.get("screenshot"),
                    f"{rules.indicator(f['indicator']).name}：{f.get('detail') or f.get('url')}",
                    bool(ev.get("screenshot_blank")))
    return {"id": f["id"], "indicator": rules.indicator(f["indicator"]).name,
            "detail": f.get("detail") or f.get("kind") or "", "url": f.get("url") or "",
            "page": f.get("page") or "", "review": _label_review(f),
            "points": f.get("points", 0), "counts": bool(f.get("counts")), "figure": fig,
            "by": f.get("reviewer") or f.get("added_by") or ""}


def _blob_location(store, blob_id: str) -> str:
    try:
        return store.blob_location(blob_id)
    except Exception:
        return blob_id


# -- formats --------------------------------------------------------------------------------------

def site_html(report: dict) -> str:
    figures = report["shots"].figures()
    for fig in figures:
        fig["uris"] = [data_uri(s, "image/jpeg") for s in fig["slices"]]
        fig["thumb_uri"] = data_uri(fig["thumb"], "image/jpeg")
    thumbs = {fig["n"]: fig["thumb_uri"] for fig in figures}
    for dead in report["dead_links"]:
        dead["blank"] = dead.get("blank") or report["shots"].is_blank(dead.get("screenshot"))
        crop = report["shots"].crop(dead.get("screenshot"), dead.get("box"))
        dead["crop_uri"] = data_uri(crop, "image/jpeg") if crop else ""
    charts = {
        "probes": bar_svg("每日首页探测次数", probe_chart_bars(report), "次"),
        "failed": bar_svg("每日首页打不开次数", probe_fail_bars(report), "次",
                          colors=["#c0392b"]),
    }
    blank = {fig["n"] for fig in figures if fig["blank"]}  # 见图N says 截图为空白页 under it
    return render("site_report.html", r=report, figures=figures, thumbs=thumbs, charts=charts,
                  blank_figures=blank)


def build_site_report(store, code: str, fmt: str, inspection_id: str | None = None,
                      as_of: str | None = None, blob_link=None,
                      rules: str | None = None) -> bytes:
    """The report of one site as bytes in ``fmt`` (html, pdf, docx, xlsx), scored by
    ``rules`` (census-2015 or checklist-2019; default the XUNJIAN_RULES setting)."""
    if fmt not in FORMATS:
        raise ReportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    # the site's own text (link texts, titles) is data: controls that a format cannot hold
    # (XML 1.0 in DOCX and XLSX) or a reader would act on are dropped, never a failed report
    report = clean_all(site_report(store, code, inspection_id, as_of, blob_link, rules))
    if fmt == "html":
        return site_html(report).encode("utf-8")
    if fmt == "pdf":
        return html_to_pdf(site_html(report))
    if fmt == "docx":
        return site_docx(report)
    return site_xlsx(report)


def filename(code: str, as_of: str, fmt: str) -> str:
    return f"report-{code}-{as_of}.{fmt}"


__all__ = ["FORMATS", "MIME", "ReportError", "build_site_report", "site_report", "bar_png"]
