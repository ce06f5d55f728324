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
  (a rendering login page is ok), ``unreachable`` — see ``system_verdict``, which the spider
  calls on the rendered page.

Findings (rules of scoring/rules/census-2015.toml):

* ``service.guide`` rule ``missing_element`` — one per guide with units = missing categories;
  rule ``inaccuracy`` (needs review) — a 联系电话 without a recognisable number.
* ``service.attachments`` rule ``not_offered`` — one per mentioned form without a download link;
  rule ``download_failed`` — one per failing download (status, content type and size kept).
* ``service.online_systems`` rule ``unreachable`` — one per system that does not open.
"""

from __future__ import annotations

import re
from functools import cache

from xunjian.browser.outline import area_evidence, element_evidence
from xunjian.inspectors import finding_id
from xunjian.base.html import parse_html
from xunjian.scoring.rules import load_rules
from xunjian.urlcheck.verdict import stored_usability
from xunjian.base.errors import plain_reason

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
                 "column": (g.get("column") or {}).get("name"),
                 # the guide's body, where the missing elements should be (browser/outline.py)
                 **area_evidence(g, "办事指南正文")},
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
    guides = {g["url"]: g for g in guide_pages}
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
        # behind a wall (the link check's verdict of the same URL): counts once confirmed
        walled = bool(d.get("blocked")) or d.get("reason") == "waf_challenge"
        out.append(_finding(
            code, "service.attachments", "download_failed", "download_failed", d["url"],
            d.get("guide"), f"附件无法下载：{d.get('detail') or d.get('reason')}"
            + ("（疑似防护墙拦截，需人工复核）" if walled else ""),
            {k: d.get(k) for k in ("reason", "http_status", "content_type", "size", "detail")}
            | {"screenshot": shots.get(d.get("guide"))}
            | element_evidence(guides.get(d.get("guide")) or {}, d["url"]), needs_review=walled))
    return out


def system_findings(site: dict, system_pages: list[dict]) -> list[dict]:
    code = site["code"]
    out = []
    for s in system_pages:
        if s.get("verdict") == "ok":
            continue
        name = (s.get("column") or {}).get("name") or s["url"]
        usability = stored_usability(s)
        # behind a wall (403/412/429/503, a challenge page) the system may open for people: like
        # a wall-blocked link it counts once a reviewer confirms it (urlcheck/verdict.py)
        walled = not usability["usable"] and not usability["strong"] and (
            usability["outcome"] == "blocked" or (s.get("status") or 0) >= 400)
        out.append(_finding(
            code, "service.online_systems", "system_unreachable", "unreachable", s["url"], s["url"],
            f"在线系统「{name}」不能访问：{plain_reason(s.get('error')) or s.get('reason')}"
            + ("（疑似防护墙拦截，需人工复核）" if walled else ""),
            {"reason": s.get("reason"), "http_status": s.get("status"), "error": s.get("error"),
             "final_url": s.get("final_url"), "screenshot": s.get("screenshot"),
             "column": name},
            needs_review=walled))
    return out


def service_findings(site: dict, guide_pages: list[dict], downloads: list[dict],
                     system_pages: list[dict]) -> list[dict]:
    return (guide_findings(site, guide_pages) + attachment_findings(site, guide_pages, downloads)
            + system_findings(site, system_pages))


# -- online systems: is the rendered page a system, or the shell of one whose script failed? ----

_FURNITURE_TAGS = {"header", "nav", "footer"}
_FURNITURE_ROLES = {"banner", "navigation", "contentinfo"}
_FURNITURE_WORD = re.compile(r"(?:^|[-_])(?:header|head|topbar|top|navbar|nav|menu|footer|foot|"
                             r"bottom|copyright|banner|logo|breadcrumbs?|crumbs?)(?:$|[-_\d])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_DROP = "//script|//style|//noscript|//template|//head"
_CONTENT_TAGS = ("select", "textarea", "iframe", "frame", "embed", "object", "canvas", "video")
_NOT_TEXT_INPUTS = {"hidden", "submit", "button", "image", "reset"}


@cache
def _system_params() -> tuple[int, int, tuple[str, ...], tuple[str, ...]]:
    params = load_rules().indicator("service.online_systems").params
    return (int(params["min_text"]), int(params["error_text"]),
            tuple(p.lower() for p in params["loading_phrases"]),
            tuple(p.lower() for p in params["error_phrases"]))


def _is_furniture(el) -> bool:
    if el.tag in _FURNITURE_TAGS or (el.get("role") or "").lower() in _FURNITURE_ROLES:
        return True
    tokens = (el.get("class") or "").lower().split() + [(el.get("id") or "").lower()]
    return any(_FURNITURE_WORD.search(t) for t in tokens if t)


def _is_hidden(el) -> bool:
    return el.get("hidden") is not None or bool(_HIDDEN_STYLE.search(el.get("style") or "")) \
        or (el.tag == "input" and (el.get("type") or "").lower() == "hidden")


def _dropped(el) -> bool:
    """Whether an ancestor of ``el`` was already cut out of the tree."""
    while el.getparent() is not None:
        el = el.getparent()
    return el.tag != "html"


def main_content(html: str | None) -> tuple[str, list[str]]:
    """(visible main text, form controls and frames) of a rendered page: scripts, hidden
    elements and page furniture (header, nav, footer, logo, banner, breadcrumb…) left out."""
    doc = parse_html(html)
    if doc is None:
        return "", []
    for bad in doc.xpath(_DROP):
        bad.drop_tree()
    whole = len(re.sub(r"\s+", "", doc.text_content() or ""))
    for el in list(doc.iter()):
        if not isinstance(el.tag, str) or el.tag in ("html", "body") or _dropped(el):
            continue
        if _is_hidden(el):
            el.drop_tree()
        elif _is_furniture(el):
            # a wrapper named like furniture (div.page-top around everything) is not furniture
            size = len(re.sub(r"\s+", "", el.text_content() or ""))
            if size <= 200 or size < 0.6 * whole:
                el.drop_tree()
    controls = [el.tag for el in doc.iter() if isinstance(el.tag, str) and (
        el.tag in _CONTENT_TAGS
        or (el.tag == "input" and (el.get("type") or "text").lower() not in _NOT_TEXT_INPUTS))]
    text = re.sub(r"\s+", " ", doc.text_content() or "").strip()
    return text, controls


def system_verdict(status: int | None, html: str | None, title: str = "") -> tuple[str, str]:
    """An online system's rendered page: ``("ok", "ok")`` or ``("unreachable", reason)``.

    Reasons: ``navigation_error`` / ``http_NNN``; ``blank`` — no main content (an empty app
    div, a header and footer, a title); ``loading`` — only a loading indicator (加载中…) is left
    of it; ``error_page:<phrase>`` — a short page that says 系统维护中 / 服务暂不可用 …;
    ``error_page:soft_404`` — a page-not-found text. A login or query form (inputs, selects)
    is content: the system opens. Thresholds and phrases: service.online_systems params."""
    if status is None:
        return "unreachable", "navigation_error"
    if status >= 400:
        return "unreachable", f"http_{status}"
    min_text, error_text, loading, errors = _system_params()
    text, controls = main_content(html)
    folded = text.lower()
    if not controls and len(folded) <= error_text:
        said = next((p for p in errors if p in folded or p in (title or "").lower()), None)
        if said and text:
            return "unreachable", f"error_page:{said}"
    if not controls:
        from xunjian.urlcheck import classify_html

        judged = classify_html(status, html or "", title or "", {})
        if judged and judged[0] == "broken":
            return "unreachable", f"error_page:{judged[1]}"
    rest = folded
    for phrase in loading:
        rest = rest.replace(phrase, "")
    rest = re.sub(r"[\W_]+", "", rest)
    if len(rest) < min_text and not controls:
        return "unreachable", "loading" if rest != re.sub(r"[\W_]+", "", folded) else "blank"
    return "ok", "ok"


# -- what was really examined (nothing checked is not zero) --------------------------------------

def _opened(page: dict) -> bool:
    return not page.get("error") and page.get("status") is not None \
        and (page.get("status") or 0) < 400


def guide_columns(column_pages: list[dict], guide_pages: list[dict]) -> list[dict]:
    """Per registered or discovered 办事指南类栏目: pages read, pages left unread (list page cap),
    guides listed and opened, and the first page's status, error and screenshot."""
    by_url: dict[str, list[dict]] = {}
    for page in column_pages:
        column = page.get("column") or {}
        if column.get("type") == GUIDE_TYPE:
            by_url.setdefault(column.get("url") or page["url"], []).append(page)
    out = []
    for url, pages in by_url.items():
        pages = sorted(pages, key=lambda p: p.get("list_page") or 1)
        listed = {x.get("url") for p in pages for x in p.get("items") or []}
        opened = [g for g in guide_pages if (g.get("column") or {}).get("url") == url]
        first = pages[0]
        out.append({"name": (first.get("column") or {}).get("name"), "url": url,
                    "source": (first.get("column") or {}).get("source") or "registry",
                    "pages_read": sum(_opened(p) for p in pages),
                    "pages_failed": sum(not _opened(p) for p in pages),
                    "pages_unread": sum(p.get("pages_unread") or 0 for p in pages),
                    "guides_listed": len(listed), "guides_opened": len(opened),
                    "guides_read": sum(_opened(g) for g in opened),
                    "status": first.get("status"), "error": first.get("error"),
                    "screenshot": next((p.get("screenshot") for p in pages
                                        if p.get("screenshot")), None)})
    return out


def service_checks(site: dict, column_pages: list[dict],
                   guide_pages: list[dict]) -> tuple[dict[str, bool], dict[str, dict]]:
    """Which service indicators really ran, and why not where they did not.

    ``service.guide`` and ``service.attachments`` are judged on guides read. They are unchecked
    (never "checked, 0 points") when no guide column is registered or found and the homepage names
    no guide, when no guide could be read, or when a guide column gave no guide at all (the page
    did not open, or its list could not be read): its guides' elements and forms are unknown.
    A column the spider proposed from the homepage (``source: discovered``) is only a guess: an
    empty one is listed in the facts but leaves the indicators checked when guides were read.
    The reason, the columns and the screenshot of what was seen go to the card's facts.
    ``service.online_systems`` runs on the registered systems and is always checked.
    """
    columns = guide_columns(column_pages, guide_pages)
    read = [g for g in guide_pages if _opened(g)]
    # a column proposed from the homepage's links is a guess: its emptiness is a fact, not a gap
    empty = [c for c in columns if not c["guides_listed"] and not c["guides_read"]
             and c["source"] != "discovered"]
    reason = None
    if not columns and not guide_pages:
        reason = {"reason": "no_guide_column",
                  "detail": "未登记办事指南类栏目，首页也未发现办事指南，未检查任何办事指南"}
    elif empty:
        reason = {"reason": "guide_column_unread",
                  "detail": "办事指南类栏目未读到任何办事指南（栏目不能打开或列表无法识别）："
                            + "、".join(c["name"] or c["url"] for c in empty),
                  "columns": empty,
                  "screenshot": next((c["screenshot"] for c in empty if c["screenshot"]), None)}
    elif not read:
        reason = {"reason": "no_guide_read",
                  "detail": f"列出的{len(guide_pages)}个办事指南均未能打开", "columns": columns}
    checks = {"service.guide": reason is None, "service.attachments": reason is None,
              "service.online_systems": True}
    reasons = {} if reason is None else {"service.guide": reason, "service.attachments": reason}
    return checks, reasons
