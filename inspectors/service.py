"""Service (服务实用情况): guides, attachments, online systems. Pure: stored facts in, findings out.

Facts (stored by the spider and by finish_inspection, see spiders/site.py):

* ``guide_pages`` — one per guide opened: ``{"column", "url", "final_url", "status", "error",
  "title", "elements": {cat: {"present", "label", "value"}}, "review": [...], "downloads":
  [{"url", "text"}], "mentions": [{"name", "text", "offered"}], "screenshot"}`` (see
  inspectors/guide.py ``guide_facts``).
* ``downloads`` — one per download link checked over plain HTTP (urlcheck/download.py):
  ``{"url", "guide", "ok", "reason", "http_status", "content_type", "size", "detail"}``.
* ``system_pages`` — one per registered 在线(申报、查询)系统 rendered in Chromium: ``{"column",
  "url", "final_url", "status", "error", "verdict", "reason", "screenshot"}``; verdict ``ok``
  (a rendering login page is ok), ``unreachable``.

Findings (rules of scoring/rules/census-2015.toml):

* ``service.guide`` rule ``missing_element`` — one per guide with units = missing categories;
  rule ``inaccuracy`` (needs review) — a 联系电话 without a recognisable number.
* ``service.attachments`` rule ``not_offered`` — one per mentioned form without a download link;
  rule ``download_failed`` — one per failing download (status, content type and size kept).
* ``service.online_systems`` rule ``unreachable`` — one per system that does not open.
"""

from __future__ import annotations

from inspectors import finding_id

INDICATORS = ("service.guide", "service.attachments", "service.online_systems")
GUIDE_TYPE = "办事指南类栏目"
SYSTEM_TYPE = "在线(申报、查询)系统"


def _finding(code: str, indicator: str, kind: str, rule: str, url: str, page: str | None,
             detail: str, evidence: dict, needs_review: bool = False, units: int = 1,
             key: str | None = None) -> dict:
    finding = {"id": finding_id(code, indicator, kind, key or url), "site": code,
               "indicator": indicator, "kind": kind, "rule": rule, "url": url,
               "page": page or url, "detail": detail, "needs_review": needs_review,
               "evidence": evidence}
    if units != 1:
        finding["units"] = units
    return finding


def guide_findings(site: dict, guide_pages: list[dict]) -> list[dict]:
    code = site["code"]
    out = []
    for g in guide_pages:
        if g.get("error") or (g.get("status") or 0) >= 400:
            continue  # a guide that does not open is a broken link (availability.links)
        elements = g.get("elements") or {}
        missing = [c for c, e in elements.items() if not (e or {}).get("present")]
        url = g["url"]
        shot = g.get("screenshot")
        if missing:
            out.append(_finding(
                code, "service.guide", "missing_element", "missing_element", url, url,
                f"办事指南「{g.get('title') or url}」缺少要素类别：{'、'.join(missing)}",
                {"missing": missing, "present": [c for c in elements if c not in missing],
                 "title": g.get("title"), "screenshot": shot,
                 "column": (g.get("column") or {}).get("name")},
                units=len(missing)))
        for note in g.get("review") or []:
            out.append(_finding(
                code, "service.guide", "inaccurate_element", "inaccuracy", url, url,
                f"办事指南「{g.get('title') or url}」{note['reason']}：{note['value'][:60]}",
                {**note, "screenshot": shot}, needs_review=True,
                key=f"{url}|{note['category']}"))
    return out


def attachment_findings(site: dict, guide_pages: list[dict], downloads: list[dict]) -> list[dict]:
    code = site["code"]
    out = []
    shots = {g["url"]: g.get("screenshot") for g in guide_pages}
    for g in guide_pages:
        for m in g.get("mentions") or []:
            if m.get("offered"):
                continue
            out.append(_finding(
                code, "service.attachments", "form_not_offered", "not_offered", g["url"], g["url"],
                f"办事指南提及「{m['name']}」，但未提供下载",
                {"form": m["name"], "context": m.get("text"), "screenshot": g.get("screenshot")},
                key=f"{g['url']}|{m['name']}"))
    for d in downloads:
        if d.get("ok"):
            continue
        out.append(_finding(
            code, "service.attachments", "download_failed", "download_failed", d["url"],
            d.get("guide"), f"附件无法下载：{d.get('detail') or d.get('reason')}",
            {k: d.get(k) for k in ("reason", "http_status", "content_type", "size", "detail")}
            | {"screenshot": shots.get(d.get("guide"))}))
    return out


def system_findings(site: dict, system_pages: list[dict]) -> list[dict]:
    code = site["code"]
    out = []
    for s in system_pages:
        if s.get("verdict") == "ok":
            continue
        name = (s.get("column") or {}).get("name") or s["url"]
        out.append(_finding(
            code, "service.online_systems", "system_unreachable", "unreachable", s["url"], s["url"],
            f"在线系统「{name}」不能访问：{s.get('reason') or s.get('error')}",
            {"reason": s.get("reason"), "http_status": s.get("status"), "error": s.get("error"),
             "final_url": s.get("final_url"), "screenshot": s.get("screenshot"),
             "column": name}))
    return out


def service_findings(site: dict, guide_pages: list[dict], downloads: list[dict],
                     system_pages: list[dict]) -> list[dict]:
    return (guide_findings(site, guide_pages) + attachment_findings(site, guide_pages, downloads)
            + system_findings(site, system_pages))
