"""Deriver of the 2019 checklist's page facts: design.marks, design.page_tags,
design.report_errors, design.domain and publish.interpretation_links (inspection/checks2019.py).

It reads the inspection's crawled pages and rendered column pages, whose ``design`` facts the
spider stored (inspectors/design.py), and calls inspectors/design_checks.py. An inspection
crawled before those facts were stored has none: its indicators are unchecked, with why.
"""

from __future__ import annotations

from xunjian.inspection.checks2019 import Context, Derived
from xunjian.inspectors import design_checks as checks

INDICATORS = ("design.marks", "design.page_tags", "design.report_errors", "design.domain",
              "publish.interpretation_links")
NO_FACTS = "本次检查未记录页面功能设计信息（早于2019年指标的抓取），请重新检查"
NO_HOME = "首页未打开或未记录其页面信息，无法检查"


def _home(pages: list[dict]) -> dict | None:
    homes = [p for p in pages if p.get("is_home")]
    return next((p for p in reversed(homes) if p.get("design")), homes[-1] if homes else None)


def _first_list_pages(column_pages: list[dict]) -> list[dict]:
    """One document per column: its first list page (the registered address)."""
    seen, out = set(), []
    for page in sorted(column_pages, key=lambda p: p.get("list_page") or 1):
        key = (page.get("column") or {}).get("url") or page.get("url")
        if key not in seen:
            seen.add(key)
            out.append(page)
    return out


def _column_items(column_pages: list[dict], wanted) -> list[str]:
    """Item URLs of the columns ``wanted(column)`` accepts, in list order."""
    urls: list[str] = []
    for page in sorted(column_pages, key=lambda p: p.get("list_page") or 1):
        if wanted(page.get("column") or {}):
            urls += [x["url"] for x in page.get("items") or [] if x.get("url")]
    return list(dict.fromkeys(urls))


def _is_interpretation(column: dict) -> bool:
    return bool(checks.INTERPRETATION.search(f"{column.get('name') or ''}"
                                             f"{column.get('type') or ''}"))


def _is_policy(column: dict) -> bool:
    return not _is_interpretation(column) and checks.POLICY_TYPE in (
        f"{column.get('type') or ''}{column.get('name') or ''}")


def _tags(ctx: Context, pages: list[dict], column_pages: list[dict], out: Derived) -> None:
    columns = [p for p in _first_list_pages(column_pages) if p.get("design")]
    column_urls = {p.get("url") for p in column_pages} | {p.get("final_url") for p in column_pages}
    items = set(_column_items(column_pages, lambda c: True))
    content = [p for p in pages if not p.get("is_home") and p.get("url") not in column_urls
               and (p.get("url") in items if items else (p.get("depth") or 0) >= 2)]
    findings, facts = checks.tags_findings(ctx.site, content, columns)
    out.findings += findings
    out.facts["design.page_tags"] = facts
    if facts["content_page"]["sampled"] or facts["column_page"]["sampled"]:
        out.checked["design.page_tags"] = True
    else:
        out.checked["design.page_tags"] = False
        out.reasons["design.page_tags"] = "未抓取到可抽查的内容页或栏目页"


def _interpretations(ctx: Context, pages: list[dict], column_pages: list[dict],
                     out: Derived) -> None:
    ident = "publish.interpretation_links"
    by_url: dict[str, dict] = {}
    for page in pages:
        for url in (page.get("final_url"), page.get("url")):
            if url:
                by_url[url] = page
    wanted = _column_items(column_pages, _is_interpretation)
    if not any(_is_interpretation(p.get("column") or {}) for p in column_pages):
        out.checked[ident] = False
        out.reasons[ident] = "未登记或未发现政策解读栏目，无法抽查解读关联"
        return
    sampled = [by_url[u] for u in wanted if u in by_url and checks.page_ok(by_url[u])]
    if not sampled:
        out.checked[ident] = False
        out.reasons[ident] = "政策解读栏目的文章未被抓取，无法抽查解读关联"
        return
    policy = set(_column_items(column_pages, _is_policy))
    findings, facts = checks.interpretation_findings(ctx.site, sampled, by_url, policy)
    out.findings += findings
    out.checked[ident] = True
    out.facts[ident] = facts


def derive(ctx: Context) -> Derived:
    out = Derived()
    pages = ctx.pages
    if not any("design" in p for p in pages):
        out.checked = {i: False for i in INDICATORS}
        out.reasons = {i: NO_FACTS for i in INDICATORS}
        return out
    home = _home(pages)
    column_pages = [p for p in ctx.find("column_pages") if "design" in p]
    findings, facts, reason = checks.domain_findings(ctx.site, home)
    out.findings += findings
    out.facts["design.domain"] = facts
    out.checked["design.domain"] = reason is None
    if reason:
        out.reasons["design.domain"] = reason
    if home is not None and home.get("design"):
        for ident, judge in (("design.marks", checks.marks_findings),
                             ("design.report_errors", checks.report_errors_findings)):
            findings, facts = judge(ctx.site, home, pages)
            out.findings += findings
            out.facts[ident] = facts
            out.checked[ident] = True
    else:
        for ident in ("design.marks", "design.report_errors"):
            out.checked[ident] = False
            out.reasons[ident] = NO_HOME
    _tags(ctx, pages, column_pages, out)
    _interpretations(ctx, pages, column_pages, out)
    return out
