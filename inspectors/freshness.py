"""Freshness (信息更新情况): stale and blank columns, homepage updates. Pure: facts + as-of in.

Facts (stored by the spider, see spiders/site.py):

* ``column_pages`` — one per registered column: ``{"column": {"type", "name", "url", "category",
  "source"}, "url", "final_url", "status", "error", "items": [{"title", "url", "date"}],
  "screenshot", "title", "text_length"}``; an item's ``date`` is the raw found date
  (``{"text", "date"}`` or year-implied ``{"text", "md"}``; see inspectors/dates.py).
* ``item_dates`` — dates found on the pages of undated list items: ``{"url", "date"|None}``.
* ``pages`` — the crawl's pages; the homepage (and, for a splash homepage, its second-level
  pages) carry their own list ``items``.

Every date is resolved against as-of here, so re-scoring with another ``--as-of`` needs no
re-crawl. Column status: ``unreachable`` (unusable: a soft 404, HTTP ≥ 400 or no answer —
``urlcheck.verdict``, with ``reason`` and ``detail``), ``blank`` (opens, no list item: it links to
nothing but navigation), ``fresh`` (newest dated item within its type's window), ``stale``
(otherwise — undated items never count as updates, 未注明信息发布时间的视为不更新), ``undated`` (it
lists items, but neither the list nor any item page opened states a date: a 机构职能 grid, leader
cards; whether it should be updated is for a reviewer). Newest = the maximum date, not the first
row (pinned 置顶 items sit on top with old dates). A column page that is itself an article
(``content_page``: 机构职能, 领导信息, one plan, 县情概况 — inspectors/content.py) is a one-item
column: its own ``page_date`` is its newest date; without one it is ``undated``, never blank.
A blank page's placeholder sentence (栏目建设中…) is quoted in its finding.

Which columns count for staleness: 信息公开类 and 其他 columns (互动回应类/办事服务类 columns are
judged by the interaction.* and service.* indicators, not by their update dates). Blank columns
(veto (c), 空白栏目) count in every category.

Findings (rules of scoring/rules/census-2015.toml):

* ``updates.basic_info`` — one per column not updated (stale or blank) in its window, with its
  screenshot, newest item and window, rule = 栏目类型 (工作动态, 通知公告, 政策文件, 规划计划,
  人事信息: the table's points); 机构设置及职能 / 其他 for the counted columns the table gives no
  points, 空白栏目 for a blank column of another category — both cost 0 in the rules file but
  are findings all the same, because the veto counts them. An unreachable counted column is a
  finding that waits for a reviewer (the tool could not see whether it was updated); so is an
  undated counted column (``undated_column``, same rule as a stale one: a reviewer who confirms
  it charges it as not updated).
* ``veto.columns_stale`` rule a / b / c when its threshold is reached (one finding each): (a)
  not updated among 工作动态 + 通知公告/政策文件, (b) not updated by each type's window (undated
  columns among them count only once a reviewer confirms theirs), (c) blank columns — never an
  undated one. Its evidence lists exactly those columns, each with the id of its own finding
  (``supporting``); the card lifts the veto when reviewers reject enough of them.
* ``updates.homepage`` rule few_items: fewer than 10 homepage items dated in the 14 days.
* ``veto.not_updated`` rule no_homepage_updates: 0 such items.
"""

from __future__ import annotations

from datetime import date

from xunjian.browser.outline import area_evidence, element_evidence
from xunjian.inspectors import finding_id
from xunjian.inspectors.dates import resolve
from xunjian.inspectors.links import is_splash
from xunjian.scoring.rules import Rules, load_rules
from xunjian.scoring.time import as_of_date
from xunjian.urlcheck.verdict import stored_usability
from xunjian.base.errors import plain_reason

COUNTED_CATEGORIES = {"信息公开类", "其他", "", None}
INDICATORS = ("updates.basic_info", "veto.columns_stale", "updates.homepage", "veto.not_updated")


def newest_item(items: list[dict], item_dates: dict[str, dict], as_of: date) -> dict | None:
    """The item with the latest date (list date, else its own page's date) not after as-of."""
    best = None
    for item in items:
        found = item.get("date") or item_dates.get(item.get("url") or "")
        when = resolve(found, as_of)
        if when is None or when > as_of:
            continue
        if best is None or when > best[0]:
            best = (when, item, found)
    if best is None:
        return None
    when, item, found = best
    return {"title": item.get("title"), "url": item.get("url"), "date": when.isoformat(),
            "date_text": (found or {}).get("text"),
            "date_from": "list" if item.get("date") else "page"}


def column_status(page: dict, item_dates: dict[str, dict], as_of: date, window: int,
                  opened: set[str] | None = None) -> dict:
    """One column's status and figures; ``opened``: URLs of item pages opened for their date."""
    column = page.get("column") or {}
    items = page.get("items") or []
    content = not items and bool(page.get("content_page"))
    if content:  # the column page is an article (机构职能, 县情概况…): one item, its own date
        items = [{"title": page.get("title") or column.get("name"),
                  "url": page.get("final_url") or page.get("url"), "date": page.get("page_date")}]
    out = {"type": column.get("type"), "name": column.get("name"), "url": column.get("url"),
           "category": column.get("category"), "source": column.get("source", "registry"),
           "window_days": window, "items": len(items), "screenshot": page.get("screenshot"),
           "status_code": page.get("status"), "error": page.get("error"), "newest": None,
           "undated": sum(1 for x in items if not x.get("date")
                          and not (item_dates.get(x.get("url") or "") or {}).get("date")),
           "pages_opened": sum(1 for x in items if x.get("url") in (opened or ())) + content}
    if content:
        out["content_page"] = True
    usability = stored_usability(page)  # one verdict with the link check of its URL
    if not usability["usable"]:  # a soft 404, an HTTP error, no answer: unusable, never blank
        out.update(status="unreachable", reason=usability["reason"],
                   detail=usability["detail"], strong=usability["strong"])
        return out
    if not items:
        out["status"] = "blank"
        if page.get("placeholder"):
            out["placeholder"] = page["placeholder"]  # what the blank page says (栏目建设中…)
        out["element"] = area_evidence(page, "信息列表")  # where the list should be
        return out
    newest = newest_item(items, item_dates, as_of)
    if newest and content:
        newest["date_from"] = "page"  # the column page's own date
    out["newest"] = newest
    if newest is None and out["undated"] == len(items):
        out["status"] = "undated"  # a list, but no date anywhere: not blank, not judged
        return out
    fresh = newest is not None and (as_of - date.fromisoformat(newest["date"])).days <= window
    out["status"] = "fresh" if fresh else "stale"
    if not fresh and newest and not content:  # the newest item, outlined on the screenshot
        out["element"] = element_evidence(page, newest["url"] or "", "a", "信息")
    return out


def column_statuses(column_pages: list[dict], item_dates: list[dict], as_of,
                    rules: Rules | None = None) -> list[dict]:
    rules = rules or load_rules()
    day = as_of_date(as_of)
    dates = {d["url"]: d.get("date") for d in item_dates if d.get("date")}
    opened = {d["url"] for d in item_dates if d.get("url")}
    out = []
    for page in merge_list_pages(column_pages):
        column_type = (page.get("column") or {}).get("type") or "其他"
        out.append(column_status(page, dates, day, rules.column_window(column_type), opened))
    return out


def merge_list_pages(column_pages: list[dict]) -> list[dict]:
    """One document per column: later list pages (下一页, ``list_page`` > 1) add their items
    to the first page's document, which keeps its status, screenshot and error."""
    first: dict[str, dict] = {}
    order: list[str] = []
    for page in sorted(column_pages, key=lambda p: p.get("list_page", 1)):
        key = (page.get("column") or {}).get("url") or page.get("url")
        if key not in first:
            first[key] = {**page, "items": list(page.get("items") or [])}
            order.append(key)
        elif stored_usability(page)["usable"]:
            first[key]["items"].extend(page.get("items") or [])
            first[key]["list_pages"] = first[key].get("list_pages", 1) + 1
    return [first[key] for key in order]


def homepage_items(site: dict, pages: list[dict]) -> tuple[list[dict], bool]:
    """Items of the homepage's lists (a splash homepage: of its second-level pages)."""
    home = next((p for p in pages if p.get("is_home")), None)
    if home is None:
        return [], False
    splash = is_splash(site, home)
    scope = [home]
    if splash:
        scope += [p for p in pages if p.get("depth") == 1 and p.get("referrer") == home["url"]]
    seen, items = set(), []
    for page in scope:
        for item in page.get("items") or []:
            if item["url"] not in seen:
                seen.add(item["url"])
                items.append(item)
    return items, splash


def freshness_findings(site: dict, pages: list[dict], column_pages: list[dict],
                       item_dates: list[dict], as_of, rules: Rules | None = None
                       ) -> tuple[list[dict], dict]:
    """(findings, facts) of the four freshness indicators at the monitoring time point."""
    rules = rules or load_rules()
    day = as_of_date(as_of)
    code = site["code"]
    statuses = column_statuses(column_pages, item_dates, as_of, rules)
    findings: list[dict] = []

    basic = rules.indicator("updates.basic_info")
    column_ids: dict[int, str] = {}  # id(status) → its finding's id
    for s in statuses:
        rule = _column_rule(s, basic)
        if rule is None:
            continue
        finding = _column_finding(code, s, basic, rule)
        column_ids[id(s)] = finding["id"]
        findings.append(finding)

    veto = rules.indicator("veto.columns_stale")
    groups = stale_groups(statuses, veto)
    for rule in ("a", "b", "c"):
        if len(groups[rule]) >= int(veto.thresholds[rule]):
            names = "、".join(s["name"] or s["url"] for s in groups[rule])
            undated = sum(s["status"] == "undated" for s in groups[rule])
            review = f"，其中{undated}个栏目无日期，待人工复核" if undated else ""
            findings.append({
                "id": finding_id(code, veto.id, f"columns_{rule}", site.get("url") or code),
                "site": code, "indicator": veto.id, "kind": f"columns_stale_{rule}", "rule": rule,
                "url": site.get("url"), "page": site.get("url"),
                "detail": f"{veto.reasons[rule]}：共{len(groups[rule])}个（{names}）{review}",
                "needs_review": False,
                # each column is its own finding (screenshot, newest item, window); the card
                # counts the veto only while enough of them stand (scoring/card.py)
                "evidence": {"count": len(groups[rule]), "threshold": veto.thresholds[rule],
                             "columns": [_brief(s) | {"finding": column_ids[id(s)]}
                                         for s in groups[rule]],
                             "supporting": [column_ids[id(s)] for s in groups[rule]],
                             "screenshot": groups[rule][0]["screenshot"]},
            })

    homepage = rules.indicator("updates.homepage")
    window = int(homepage.window_days or 14)
    home, dated, evidence = homepage_updates(site, pages, item_dates, day, window)
    home_url = (home or {}).get("url") or site.get("url")
    few = int(homepage.thresholds.get("few_items", 10))
    if home is not None and len(dated) < few:
        findings.append({
            "id": finding_id(code, homepage.id, "few_homepage_items", home_url),
            "site": code, "indicator": homepage.id, "kind": "few_homepage_items",
            "rule": "few_items", "url": home_url, "page": home_url,
            "detail": f"{homepage.reasons['few_items']}：{len(dated)}条", "needs_review": False,
            "evidence": evidence,
        })
    not_upd = rules.indicator("veto.not_updated")
    if home is not None and not dated:
        findings.append({
            "id": finding_id(code, not_upd.id, "no_homepage_updates", home_url),
            "site": code, "indicator": not_upd.id, "kind": "no_homepage_updates",
            "rule": "no_homepage_updates", "url": home_url, "page": home_url,
            "detail": not_upd.reasons["no_homepage_updates"], "needs_review": False,
            "evidence": evidence,
        })
    facts = {"as_of": day.isoformat(), "columns": statuses,
             "homepage": {k: v for k, v in evidence.items() if k != "items"}}
    return findings, facts


def stale_groups(statuses: list[dict], veto) -> dict[str, list[dict]]:
    """The columns of veto.columns_stale's (a) / (b) / (c), by ``veto.params.a_column_types``:
    (a) not updated among those types, (b) not updated among the counted columns, (c) blank in
    any category. An undated column counts as not updated only once a reviewer confirms its
    finding (the card weighs the supporting findings)."""
    a_types = set(veto.params.get("a_column_types", ["工作动态", "通知公告", "政策文件"]))
    counted = [s for s in statuses if s["category"] in COUNTED_CATEGORIES]
    not_updated = [s for s in counted if s["status"] in ("stale", "blank", "undated")]
    return {"a": [s for s in not_updated if s["type"] in a_types], "b": not_updated,
            "c": [s for s in statuses if s["status"] == "blank"]}  # 空白栏目: any category


def homepage_updates(site: dict, pages: list[dict], item_dates: list[dict], day: date,
                     window: int) -> tuple[dict | None, list[dict], dict]:
    """(homepage, its items dated in the ``window`` days up to ``day`` (newest first), the
    evidence of a homepage finding). A splash homepage: the items of its second-level pages."""
    items, splash = homepage_items(site, pages)
    home = next((p for p in pages if p.get("is_home")), None)
    dated = []
    newest = None  # the newest homepage date at all, for the 10-day early warning
    page_dates = {d["url"]: d.get("date") for d in item_dates if d.get("date")}
    for item in items:
        found = item.get("date") or page_dates.get(item["url"])  # undated: its page's date
        when = resolve(found, day)
        if when is not None and when <= day and (newest is None or when > newest):
            newest = when
        if when is not None and 0 <= (day - when).days <= window:
            dated.append({"title": item["title"], "url": item["url"], "date": when.isoformat(),
                          "date_text": found.get("text"),
                          "date_from": "list" if item.get("date") else "page"})
    dated.sort(key=lambda x: x["date"], reverse=True)
    evidence = {"count": len(dated), "window_days": window, "items": dated[:50],
                "newest": newest.isoformat() if newest else None,
                "homepage_items": len(items), "splash": splash,
                "screenshot": (home or {}).get("screenshot")}
    return home, dated, evidence


def _column_rule(s: dict, basic) -> str | None:
    """The updates.basic_info rule of one column's finding, None when it needs none: a priced
    栏目类型 (工作动态…人事信息) of a counted category; else 机构设置及职能 / 其他 (0 points) for a
    counted column not updated; 空白栏目 (0 points) for a blank column of any other category."""
    counted = s["category"] in COUNTED_CATEGORIES
    if s["status"] == "fresh" or (not counted and s["status"] != "blank"):
        return None
    if not counted:
        return "空白栏目"
    return s["type"] if s["type"] in basic.points else "其他"


def _brief(s: dict) -> dict:
    return {"type": s["type"], "name": s["name"], "url": s["url"], "status": s["status"],
            "newest": s["newest"]}


def _column_finding(code: str, s: dict, basic, rule: str) -> dict:
    newest = s["newest"]
    status = s["status"]
    if status == "blank":
        said = f"（页面仅显示「{s['placeholder']}」）" if s.get("placeholder") else ""
        detail = f"空白栏目「{s['name']}」：栏目页可以打开，但没有任何信息{said}"
        kind = "blank_column"
    elif status == "unreachable":
        why = plain_reason(s["error"]) or s.get("detail") or s["status_code"]
        detail = (f"栏目「{s['name']}」打不开（{why}），"
                  "无法判断是否更新，需人工复核")
        kind = "unreachable_column"
    elif status == "undated" and s.get("content_page"):
        detail = (f"栏目「{s['name']}」的栏目页是一篇内容页面（非信息列表），页面未注明发布时间，"
                  "无法判断是否更新，需人工复核（确认后按未更新计）")
        kind = "undated_column"
    elif status == "undated":
        detail = (f"栏目「{s['name']}」列有{s['items']}条信息，列表及打开的{s['pages_opened']}个"
                  "信息页面均未注明发布时间，无法判断是否更新，需人工复核（确认后按未更新计）")
        kind = "undated_column"
    elif newest:
        detail = (f"栏目「{s['name']}」{s['window_days']}天内未更新：最新信息「{newest['title']}」"
                  f"发布于{newest['date']}")
        kind = "stale_column"
    else:  # its dates are all after the monitoring time point (re-scored at an earlier as-of)
        detail = f"栏目「{s['name']}」在监测时间点前没有已发布的信息，视为未更新"
        kind = "stale_column"
    evidence = {"column_type": s["type"], "column_name": s["name"], "status": status,
                "window_days": s["window_days"], "newest": newest, "items": s["items"],
                "undated_items": s["undated"], "http_status": s["status_code"],
                "error": s["error"], "screenshot": s["screenshot"], "source": s["source"]}
    if s.get("content_page"):
        evidence["content_page"] = True  # judged as one article, by its own page date
    if s.get("placeholder"):
        evidence["placeholder"] = s["placeholder"]
    if s.get("element"):  # the stale column's newest item, the blank column's list area
        evidence.update(s["element"])
    if status == "undated":  # plain words where the card and the app show a status
        evidence.update(status_text="栏目无日期，待人工复核", pages_opened=s["pages_opened"])
    return {
        "id": finding_id(code, basic.id, "column", s["url"] or s["name"] or ""),
        "site": code, "indicator": basic.id, "kind": kind, "rule": rule,
        "url": s["url"], "page": s["url"],
        "detail": f"{basic.reasons.get(rule, '')}。{detail}",
        "needs_review": status in ("unreachable", "undated"),
        "evidence": evidence,
    }
