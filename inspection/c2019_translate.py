"""checklist-2019 from what the census-2015 crawl already stores: probes, homepage items, column
pages, broken links and serious-error candidates → the 2019 ids of those facts.

The same computations as census-2015, with the 2019 rules object (its windows and column kinds):

* ``veto.unreachable`` — the homepage probes of the 7 days before as-of (probes/scoring.py);
* ``veto.not_updated`` — no homepage item dated in the 14 days (a splash homepage: its
  second-level pages; inspectors/freshness.py ``homepage_updates``);
* columns — every registered or discovered column's status (fresh / stale / blank / undated /
  unreachable) by ``column_statuses`` with the column's 2019 kind (``Rules.column_kind``: 动态要闻
  14 d, 通知公告/政策文件/政策解读 183 d, 其他 365 d) → ``publish.news`` / ``policies`` /
  ``interpretations`` (no_column, stale), ``publish.overview`` / ``functions`` / ``leaders``
  (no_column; a blank one is no column either — whether their content is up to date is a
  reviewer's ``inaccuracy``), ``publish.other_columns`` (blank 2, stale 1, never both) and
  ``veto.columns_stale`` (a / b / c, ``stale_groups``; each column its own supporting finding);
* ``design.links`` — the stored broken-link findings (home 0.2, other 0.1; capped 1 by the card);
* ``veto.serious_error`` — the stored candidates as they are (same ids: reviews carry over).

What no machine here decides is ``checked: false`` with the reason in Chinese: reviewer samples,
mock questions, logins, other browsers, the bonus items.
"""

from __future__ import annotations

from xunjian.base.errors import plain_reason
from xunjian.inspection.checks2019 import Context, Derived
from xunjian.inspectors import finding_id
from xunjian.inspectors.freshness import (
    COUNTED_CATEGORIES,
    column_statuses,
    homepage_updates,
    stale_groups,
)
from xunjian.inspectors.homepage import homepage_state, unreachable_reason
from xunjian.probes.probe import load_probes
from xunjian.probes.scoring import probe_findings
from xunjian.scoring.time import as_of_date

UNREACHABLE = "veto.unreachable"
OTHER = "publish.other_columns"

#: Ids no fact of the crawl decides: why each is unchecked (a reviewer reads it on the card).
REVIEWER_ONLY = {
    "publish.interpretation_ratio": (
        "解读比例需人工检查：抽查3个重大政策文件是否有解读，哪些文件属于重大政策由检查人员判断"),
    "service.online_apply": (
        "在线申请需人工检查：用户（含外地用户）注册和在线申请办理须由检查人员实际操作，"
        "巡检程序不注册账号、不提交申请"),
    "service.accuracy": "内容准确需人工检查：抽查5个办事指南，核对联系电话等信息是否准确",
    "interaction.login": (
        "统一登录需人工检查：巡检程序不注册、不登录网站账号，无法判断互动交流类栏目是否统一登录"),
    "interaction.replies": (
        "办理答复需人工检查：模拟提问2次并跟踪5个工作日内的答复，巡检程序不代为提问"),
    "design.single_login": (
        "一号登录需人工检查：巡检程序不注册、不登录网站账号，无法判断各栏目是否一号登录"),
    "design.compatibility": (
        "兼容性未检查：本巡检只运行Chromium一种浏览器，无法比较各主流浏览器的显示效果，需人工检查"),
}
BONUS_REASON = "加分项需人工检查（{name}）：巡检程序不判断加分项"
SERIOUS_REASON = (
    "安全、泄密事故等严重问题需人工检查：泄露国家秘密、安全攻击、负面舆情等无法自动判断；"
    "自动扫描只提出严重表述错误、暗链等候选（{n}条），由检查人员确认")


def derive(ctx: Context) -> Derived:
    """The 2019 findings, checks, reasons and facts translated from the stored inspection."""
    out = _probes(ctx)
    home = _homepage(ctx)
    out = out.merge(_columns(ctx, home)).merge(_stored(ctx, home))
    if home.get("reachable") is False:  # the card and the reports say so, with its screenshot
        out.facts["homepage"] = home
    out.reasons.update(REVIEWER_ONLY)
    out.checked.update(dict.fromkeys(REVIEWER_ONLY, False))
    for entry in ctx.rules.bonuses:
        out.checked[entry.id] = False
        out.reasons[entry.id] = BONUS_REASON.format(name=entry.name)
    return out


def _probes(ctx: Context) -> Derived:
    found, checks, facts = probe_findings(load_probes(ctx.store, ctx.site["code"], ctx.as_of),
                                          ctx.site, ctx.as_of)
    ok = bool(checks.get(UNREACHABLE))
    return Derived([f for f in found if f["indicator"] == UNREACHABLE], {UNREACHABLE: ok},
                   {} if ok else {UNREACHABLE: facts.get("note") or "首页访问探测不足"},
                   {"probes": facts})


def _homepage(ctx: Context) -> dict:
    """The homepage as the inspection saw it (stored; else judged by the stored home page)."""
    state = ctx.inspection.get("homepage")
    if state is None:
        pages = [p for p in ctx.pages if p.get("is_home")]
        state = homepage_state(pages) if pages else {"reachable": None}
    return state


def _columns(ctx: Context, home: dict) -> Derived:
    """Homepage updates and every column's freshness under the 2019 kinds and windows."""
    rules = ctx.rules
    if not ctx.inspection.get("freshness"):
        ids = sorted(_judged(rules))
        return Derived([], dict.fromkeys(ids, False),
                       dict.fromkeys(ids, "本次检查未采集栏目和首页信息的更新情况"))
    code, day = ctx.site["code"], as_of_date(ctx.as_of)
    column_pages = ctx.find("column_pages")
    item_dates = ctx.find("item_dates")
    mapped = [{**p, "column": {**(p.get("column") or {}),
                               "type": rules.column_kind(p.get("column") or {})}}
              for p in column_pages]
    statuses = column_statuses(mapped, item_dates, ctx.as_of, rules)
    out = Derived(facts={"freshness": {"as_of": day.isoformat(), "columns": statuses,
                                       "rules": rules.name}})
    ids: dict[int, str] = {}
    for s in statuses:
        finding = _column_finding(code, s, rules)
        if finding is not None:
            ids[id(s)] = finding["id"]
            out.findings.append(finding)
    out.findings += _no_columns(ctx, statuses, home, out)
    out.findings += _stale_veto(ctx, statuses, ids)
    out.checked.update({OTHER: bool(column_pages), "veto.columns_stale": bool(column_pages)})
    if not column_pages:
        out.reasons.update(dict.fromkeys((OTHER, "veto.columns_stale"), "未登记也未发现任何栏目"))
    # the homepage's own updates (veto.not_updated)
    veto = rules.indicator("veto.not_updated")
    page, dated, evidence = homepage_updates(ctx.site, ctx.pages, item_dates, day,
                                             int(veto.window_days or 14))
    out.facts["freshness"]["homepage"] = {k: v for k, v in evidence.items() if k != "items"}
    if home.get("reachable") is False:
        out.checked[veto.id] = False
        out.reasons[veto.id] = unreachable_reason(home)
        return out
    out.checked[veto.id] = page is not None and not page.get("error") and (
        page.get("status") or 0) < 400
    if page is not None and out.checked[veto.id] and not dated:
        url = page.get("url") or ctx.site.get("url")
        out.findings.append({
            "id": finding_id(code, veto.id, "no_homepage_updates", url), "site": code,
            "indicator": veto.id, "kind": "no_homepage_updates", "rule": "no_homepage_updates",
            "url": url, "page": url, "detail": veto.reasons["no_homepage_updates"],
            "needs_review": False, "evidence": evidence})
    return out


def _judged(rules) -> set[str]:
    """The ids this module judges from columns and the homepage."""
    kinds = {e.id for e in rules.indicators if e.params.get("column_kind")}
    return kinds | {OTHER, "veto.columns_stale", "veto.not_updated"}


def _by_kind(rules) -> dict[str, object]:
    return {e.params["column_kind"]: e for e in rules.indicators if e.params.get("column_kind")}


def _column_finding(code: str, s: dict, rules) -> dict | None:
    """One column's finding (None when fresh or not this table's business)."""
    entry = _by_kind(rules).get(s["type"]) or rules.indicator(OTHER)
    status, counted = s["status"], s["category"] in COUNTED_CATEGORIES
    if status == "fresh":
        return None
    if "stale" not in entry.points:  # 概况/机构职能/领导信息: no content at all is no column
        if status not in ("blank", "unreachable"):
            return None
        rule = "no_column"  # a column that does not open: a reviewer confirms
    elif entry.id == OTHER:
        rule = "blank" if status == "blank" else "stale" if counted else None
    else:
        rule = "stale" if counted or status == "blank" else None
    if rule is None:
        return None
    name, newest = s["name"] or s["url"], s.get("newest")
    detail = _column_detail(s)
    if s.get("placeholder"):
        detail += f"（页面仅显示「{s['placeholder']}」）"
    return {
        "id": finding_id(code, entry.id, "column", s["url"] or name), "site": code,
        "indicator": entry.id, "kind": f"{status}_column", "rule": rule, "url": s["url"],
        "page": s["url"], "detail": f"{entry.reasons.get(rule, '')}。{detail}",
        "needs_review": status in ("unreachable", "undated"),
        "evidence": {"column_kind": s["type"], "column_name": s["name"], "status": status,
                     "window_days": s["window_days"], "newest": newest, "items": s["items"],
                     "undated_items": s["undated"], "http_status": s["status_code"],
                     "error": s["error"], "screenshot": s["screenshot"],
                     "source": s["source"], "placeholder": s.get("placeholder")},
    }


def _column_detail(s: dict) -> str:
    name, status, newest = s["name"] or s["url"], s["status"], s.get("newest")
    if status == "blank":
        return f"空白栏目「{name}」：栏目页可以打开，但没有任何信息"
    if status == "unreachable":
        why = plain_reason(s.get("error")) or s.get("detail") or s.get("status_code")
        return f"栏目「{name}」打不开（{why}），无法判断是否更新，需人工复核"
    if status == "undated":
        return (f"栏目「{name}」未注明信息发布时间，无法判断是否更新，"
                "需人工复核（确认后按未更新计）")
    if newest:
        return (f"栏目「{name}」{s['window_days']}天内未更新：最新信息「{newest['title']}」"
                f"发布于{newest['date']}")
    return f"栏目「{name}」在监测时间点前没有已发布的信息，视为未更新"


def _no_columns(ctx: Context, statuses: list[dict], home: dict, out: Derived) -> list[dict]:
    """no_column of each kind no registered or discovered column has; with an unreachable
    homepage a kind the registry does not list stays unchecked (only its navigation shows it)."""
    code, url = ctx.site["code"], ctx.site.get("url") or ctx.site["code"]
    have = {s["type"] for s in statuses}
    registered = {ctx.rules.column_kind(c) for c in ctx.store.columns(code)}
    nav = _navigation(ctx)
    found = []
    for kind, entry in _by_kind(ctx.rules).items():
        if kind in have:
            out.checked[entry.id] = True
            continue
        if home.get("reachable") is False and kind not in registered:
            out.checked[entry.id] = False
            out.reasons[entry.id] = (f"{unreachable_reason(home)}：未登记{kind}栏目，"
                                     "只能从首页导航发现")
            continue
        if kind in registered:  # registered, yet its page was not stored: nothing to judge
            out.checked[entry.id] = False
            out.reasons[entry.id] = f"登记了{kind}栏目，但本次检查没有保存其栏目页"
            continue
        link = nav.get(kind)
        if link:  # the navigation names one the crawl did not inspect (discovery keeps the
            # 2015 types: a 政策解读 link reads as 政策文件 there): not "no column"
            out.checked[entry.id] = False
            out.reasons[entry.id] = (f"首页导航有「{link['text']}」（{link['url']}），但该栏目"
                                     "未登记，本次检查未打开其栏目页，需登记后复查或人工检查")
            continue
        out.checked[entry.id] = True
        found.append({
            "id": finding_id(code, entry.id, "no_column", url), "site": code,
            "indicator": entry.id, "kind": "no_column", "rule": "no_column", "url": url,
            "page": url, "needs_review": False,
            "detail": f"{entry.reasons['no_column']}（登记的栏目中没有，首页导航中也未发现）",
            "evidence": {"column_kind": kind, "names": list(ctx.rules.column_kinds.get(
                kind, {}).get("names", ()))},
        })
    return found


#: a navigation entry is short; longer link texts are item titles (as inspectors/discovery.py)
NAV_TEXT = 10


def _navigation(ctx: Context) -> dict[str, dict]:
    """This table's column kind → the first homepage link (internal page, short text) that
    names it: {"text", "url"}."""
    home = next((p for p in ctx.pages if p.get("is_home")), None) or {}
    found: dict[str, dict] = {}
    for link in home.get("links") or []:
        text = "".join((link.get("text") or "").split())
        if link.get("external") or link.get("kind") != "page" or not 0 < len(text) <= NAV_TEXT:
            continue
        kind = ctx.rules.column_kind({"name": text, "type": "其他"})
        if kind != "其他":
            found.setdefault(kind, {"text": text, "url": link.get("url")})
    return found


def _stale_veto(ctx: Context, statuses: list[dict], ids: dict[int, str]) -> list[dict]:
    """veto.columns_stale (a) / (b) / (c), each column its own (supporting) finding."""
    code, url = ctx.site["code"], ctx.site.get("url") or ctx.site["code"]
    veto = ctx.rules.indicator("veto.columns_stale")
    found = []
    for rule, group in stale_groups(statuses, veto).items():
        group = [s for s in group if id(s) in ids]  # 概况/职能/领导 are not judged by dates
        if len(group) < int(veto.thresholds[rule]):
            continue
        names = "、".join(s["name"] or s["url"] for s in group)
        found.append({
            "id": finding_id(code, veto.id, f"columns_{rule}", url), "site": code,
            "indicator": veto.id, "kind": f"columns_stale_{rule}", "rule": rule, "url": url,
            "page": url, "needs_review": False,
            "detail": f"{veto.reasons[rule]}：共{len(group)}个（{names}）",
            "evidence": {"count": len(group), "threshold": veto.thresholds[rule],
                         "columns": [{"kind": s["type"], "name": s["name"], "url": s["url"],
                                      "status": s["status"], "finding": ids[id(s)]}
                                     for s in group],
                         "supporting": [ids[id(s)] for s in group],
                         "screenshot": group[0]["screenshot"]},
        })
    return found


def _stored(ctx: Context, home: dict) -> Derived:
    """The finishing stage's stored findings: broken links → design.links (same ids and
    evidence), serious-error candidates as they are, personal-data candidates as serious-error
    candidates (rule privacy_leak)."""
    stored = ctx.store.findings(ctx.id)
    links = [dict(f, indicator="design.links") for f in stored
             if f.get("indicator") == "availability.links" and f.get("rule") in ("home", "other")]
    serious = [f for f in stored if f.get("indicator") == "veto.serious_error"]
    # personal data (content.privacy, 0 points in 2015) is a serious-error candidate in 2019:
    # the same finding (id, masked evidence), confirmed by a reviewer before the veto fires
    serious += [dict(f, indicator="veto.serious_error", rule="privacy_leak", needs_review=True)
                for f in stored if f.get("indicator") == "content.privacy"]
    links_ok = bool((ctx.inspection.get("checks") or {}).get("availability.links"))
    out = Derived(links + serious, {"design.links": links_ok, "veto.serious_error": False},
                  {"veto.serious_error": SERIOUS_REASON.format(n=len(serious))})
    if not links_ok:
        out.reasons["design.links"] = unreachable_reason(home) if home.get(
            "reachable") is False else "本次检查未完成链接检查"
    return out
