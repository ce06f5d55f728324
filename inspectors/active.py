"""The active checks' stored results → findings of the 2019 checklist. Pure: ``site_checks``
documents in (inspection/site_checks.py stores one per kind), findings, checks and reasons out.

* ``design.search`` — kind ``search``: ``no_search`` (no site search on the homepage), ``broken``
  (every search failed — HTTP errors, error pages, timeouts, an intranet address — or every
  results page was empty; a search box the browser could not fill awaits a reviewer),
  ``not_found`` (one per title of the site's own not on the first results page),
  ``not_grouped`` (no results page shows its results by kind; awaits a reviewer).
* ``design.ipv6`` — kind ``ipv6``: ``not_ready`` (no AAAA record, or no connection or answer
  over IPv6); an IPv4-literal host is unchecked with the reason.
* ``interaction.submit`` — kind ``submit``: ``cannot_submit`` (a consultation column whose message
  form cannot be found or opened); a form behind a login awaits review; a site with no
  consultation column at all is unchecked with the reason.

A check that did not run (an inspection finished before these checks, or one that failed with an
error) leaves its indicator unchecked with the reason — never a silent 0.
"""

from __future__ import annotations

from xunjian.inspectors import finding_id

SEARCH, IPV6, SUBMIT = "design.search", "design.ipv6", "interaction.submit"
INDICATORS = (SEARCH, IPV6, SUBMIT)
KIND_OF = {SEARCH: "search", IPV6: "ipv6", SUBMIT: "submit"}
NOT_RUN = {SEARCH: "本次巡检未运行站内搜索检查", IPV6: "本次巡检未运行IPv6检查",
           SUBMIT: "本次巡检未运行留言表单检查"}
NO_COLUMN = "网站未发现政务咨询类栏目（领导信箱、咨询留言等），无法检查信息提交功能"


def _finding(site: dict, indicator: str, rule: str, url: str, page: str, detail: str,
             evidence: dict, key: str | None = None, review: bool = False) -> dict:
    code = site["code"]
    return {"id": finding_id(code, indicator, rule, key or url or ""), "site": code,
            "indicator": indicator, "kind": rule, "rule": rule, "url": url, "page": page,
            "detail": detail, "needs_review": review, "evidence": evidence}


def _search(site: dict, check: dict) -> list[dict]:
    result, home = check["result"], check.get("url") or site.get("url")
    evidence = check.get("evidence") or {}
    queries = evidence.get("queries") or []
    if result == "no_search":
        return [_finding(site, SEARCH, "no_search", home, home, check.get("detail") or
                         "首页未发现站内搜索", {"looked_at": evidence.get("looked_at") or [home],
                                          "screenshot": evidence.get("screenshot")})]
    if result == "broken":
        statuses = [q.get("status") for q in queries]
        # the site's failure (HTTP errors, error pages, timeouts, empty results, an address
        # the public cannot reach) counts at once; a box the check could not fill is its own
        # reading in doubt: a reviewer looks
        hard = not queries or not all(q.get("unusable_box") for q in queries)
        first = next((q for q in queries if q.get("screenshot")), {})
        return [_finding(site, SEARCH, "broken", first.get("results_url") or home, home,
                         check.get("detail") or "站内搜索不可用", {
                             "entry": evidence.get("entry"), "statuses": statuses,
                             "errors": [q.get("error") for q in queries],
                             "queries": [q.get("query") for q in queries],
                             "results_url": first.get("results_url"),
                             "screenshot": first.get("screenshot")}, key=home,
                         review=not hard)]
    out = []
    for q in queries:
        if q.get("state") == "found":
            continue
        failed = q.get("state") == "error"
        why = f"（检索出错：{q.get('error')}，需人工复核）" if failed else ""
        out.append(_finding(
            site, SEARCH, "not_found", q.get("results_url") or home, home,
            f"站内搜索本站已发布的标题「{q['title']}」，第一页检索结果中未找到{why}",
            {"title": q["title"], "query": q.get("query"), "needle": q.get("needle"),
             "results_url": q.get("results_url"), "status": q.get("status"),
             "error": q.get("error"), "screenshot": q.get("screenshot"),
             "item_url": q.get("item_url")},
            key=f"{home}|{q['title']}", review=failed))
    return out + _not_grouped(site, home, queries)


def _not_grouped(site: dict, home: str, queries: list[dict]) -> list[dict]:
    """Results pages that list results but none grouped by kind (全部/信息公开/办事服务 tabs): a
    machine's reading of the page's words, so it awaits a reviewer."""
    listed = [q for q in queries if q.get("state") == "found"]
    if not listed or any(q.get("grouped") for q in listed):
        return []
    first = listed[0]
    return [_finding(site, SEARCH, "not_grouped", first.get("results_url") or home, home,
                     "站内搜索结果未按信息类别（信息公开、办事服务、互动交流等）分类展示，需人工确认",
                     {"results_url": first.get("results_url"), "query": first.get("query"),
                      "screenshot": first.get("screenshot")}, key=f"{home}|not_grouped",
                     review=True)]


def _ipv6(site: dict, check: dict) -> list[dict]:
    url = check.get("url") or site.get("url")
    return [_finding(site, IPV6, "not_ready", url, url, check.get("detail") or "不支持IPv6访问",
                     dict(check.get("evidence") or {}))]


def _submit(site: dict, check: dict) -> list[dict]:
    evidence = dict(check.get("evidence") or {})
    url = evidence.get("column_url") or check.get("url") or site.get("url")
    if check["result"] == "needs_login":
        detail = (f"政务咨询类栏目「{evidence.get('column') or ''}」的留言页面需要登录后才能填写"
                  "（发现登录表单），需人工确认能否提交留言")
        return [_finding(site, SUBMIT, "cannot_submit", evidence.get("form_url") or url, url,
                         detail, evidence, key=url, review=True)]
    return [_finding(site, SUBMIT, "cannot_submit", url, url, check.get("detail") or
                     "未找到可提交留言的表单", evidence, key=url,
                     review=bool(evidence.get("weak")))]


#: result → (checked?, findings of a checked result)
_CHECKED = {
    "search": {"ok": _search, "partial": _search, "no_search": _search, "broken": _search},
    "ipv6": {"ready": None, "not_ready": _ipv6},
    "submit": {"found": None, "needs_login": _submit, "cannot_submit": _submit},
}


def active_findings(site: dict, checks: list[dict]) -> dict:
    """``{"findings", "checked", "reasons"}`` of the three indicators from the inspection's
    ``site_checks`` documents (the newest of each kind)."""
    by_kind: dict[str, dict] = {}
    for check in checks:
        by_kind[check.get("kind")] = check
    findings: list[dict] = []
    checked: dict[str, bool] = {}
    reasons: dict[str, str] = {}
    for indicator in INDICATORS:
        kind = KIND_OF[indicator]
        check = by_kind.get(kind)
        if check is None:
            checked[indicator], reasons[indicator] = False, NOT_RUN[indicator]
            continue
        result = check.get("result")
        if result not in _CHECKED[kind]:  # unchecked, no_column, error: the reason stands
            checked[indicator] = False
            reasons[indicator] = check.get("detail") or (
                NO_COLUMN if result == "no_column" else NOT_RUN[indicator])
            continue
        checked[indicator] = True
        make = _CHECKED[kind][result]
        if make is not None:
            findings.extend(make(site, check))
    return {"findings": findings, "checked": checked, "reasons": reasons}
