"""The score card as a reviewer reads it: rich tables on a terminal, whole lines elsewhere.

On a terminal the card has the same parts as the web app's site page: the verdict, the table of
单项否决 indicators (checked or not, fired or not), the deduction table, every unchecked
indicator with its reason, the findings and, per finding, its screenshot.

When standard output is a file or a pipe nothing is wrapped: one record per line, fields
separated by tabs, the record kind first (``status``, ``site``, ``card``, ``veto``,
``deduction``, ``unchecked``, ``finding``), so ``grep``/``cut``/``awk`` read it and no URL or
screenshot hash is ever split. A ``#finding`` line names the finding fields.

A card of an inspection that did not finish says so first, on either output.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from xunjian.base.clock import ZONE_SUFFIX, beijing
from xunjian.base.safetext import clean, markup
from xunjian.inspectors.attachment_text import figures_text
from xunjian.inspectors.homepage import short_error
from xunjian.scoring import load_rules
from xunjian.scoring.history import LABELS, carried_text, change_text, changes_summary
from xunjian.scoring.review import awaiting_text

MAX_FINDINGS_SHOWN = 40
REVIEW = {"pending": "待复核", "confirmed": "已确认", "rejected": "已驳回"}

#: Indicators that need the homepage: unchecked because of it when it could not be opened.
NEEDS_HOMEPAGE = {"availability.links", "updates.homepage", "veto.not_updated",
                  "interaction.consultation", "interaction.survey", "interaction.interview",
                  "service.guide", "service.attachments", "service.online_systems"}
#: Indicators read from the column pages, guides and letters (XUNJIAN_FRESHNESS=1).
COLLECTED = {"updates.homepage", "veto.not_updated", "updates.basic_info", "veto.columns_stale",
             "interaction.consultation", "interaction.survey", "interaction.interview",
             "service.guide", "service.attachments", "service.online_systems",
             "veto.unresponsive"}
FINDING_FIELDS = ("id", "问题类型", "名称或说明", "地址", "返回值", "入口地址", "复核", "扣分",
                  "整改", "截图", "截图空白")


def _points(value: float) -> str:
    return f"{value:g}"


def verdict_text(card: dict) -> str:
    """The verdict as people read it: 未评分, 不合格, 合格, or — when some veto could not be
    checked — 合格（暂定）: 未能检查 <those vetoes> (DESIGN.md "No verdict without evidence")."""
    missing = card.get("unchecked_vetoes") or []
    if card["verdict"] != "合格" or not missing:
        return card["verdict"]
    rules = load_rules(card.get("rules", "census-2015"))
    return f"合格（暂定）: 未能检查 {'、'.join(rules.indicator(v).name for v in missing)}"


def score_text(card: dict) -> str:
    """The score, or why there is none (未评分: nothing was checked; else a veto fired)."""
    if card["score"] is not None:
        return _points(card["score"])
    return "—（未评分）" if card["verdict"] == "未评分" else "—（单项否决）"


def score_parts(card: dict) -> list[str]:
    """A capped card's (checklist-2019) score in words: the deduction part, the bonus or why
    there is none, and the 4/3 rule when 办事服务 does not apply."""
    parts = []
    if card.get("deduction_score") is not None:
        parts.append(f"扣分部分得分 {_points(card['deduction_score'])}")
    if card.get("bonus_applied"):
        parts.append(f"加分 {_points(card['bonus_points'])}")
    elif card.get("bonus_note"):
        parts.append(card["bonus_note"])
    if card.get("services_applicable") is False:
        parts.append("未提供公共服务的部门网站：办事服务指标不参与评分，得分 =（75 − 其余扣分）× 4/3")
    for group in card.get("groups") or []:
        if group["applicable"]:
            parts.append(f"{group['name']}扣{_points(group['deducted'])}分（满分"
                         f"{_points(group['points'])}）")
    return parts


def incomplete_notice(inspection: dict | None) -> str | None:
    """One sentence when the card's inspection did not finish (failed, interrupted, running)."""
    if not inspection or inspection.get("status") in (None, "done"):
        return None
    status = inspection["status"]
    why = f": {inspection['error']}" if inspection.get("error") else ""
    return (f"INCOMPLETE inspection {inspection.get('id')} ({status}{why}); this card is built "
            "only on the facts stored before it stopped")


#: Why an indicator went unchecked: code → (English, Chinese) sentence with the reason's facts.
REASONS = {
    "too_few_probes": ("too few homepage probes in the 7 days before 监测时间点 "
                       "(xunjian probe / xunjian schedule)",
                       "监测时间点前7天内首页探测次数不足（xunjian probe / xunjian schedule）"),
    "serious_candidates": ("{candidates} machine candidates on {pages} pages await a reviewer "
                           "(人工复核); a confirmed one fires the veto",
                           "机器在{pages}个页面中发现{candidates}条候选问题，待人工复核；确认后单项否决"),
    "serious_none": ("no machine candidate on {pages} pages; only a reviewer can rule serious "
                     "errors out", "机器在{pages}个页面中未发现候选问题；严重错误只能由人工排除"),
    "reviewers_only": ("judged by reviewers only; nothing recorded yet in the 人工复核 web app",
                       "只能由人工判定，人工复核系统中尚无记录"),
    "inspection_stopped": ("the inspection {status} before this indicator was checked",
                           "本次检查在检查该指标之前已{status_zh}"),
    "homepage_unreachable": ("首页无法访问: {error}", "首页无法访问：{error}"),
    "not_collected": ("column pages, guides and letters were not collected "
                      "(XUNJIAN_FRESHNESS=0)",
                      "本次检查未采集栏目页、办事指南和信件（XUNJIAN_FRESHNESS=0）"),
    "no_column_page": ("no column page was stored (no registered or discovered 栏目)",
                       "没有保存任何栏目页（既无登记栏目，也未发现栏目）"),
    "not_checked": ("this inspection did not check it", "本次检查未检查该指标"),
    "stated": ("{text}", "{text}"),  # a sentence stored with the facts (their own words)
}
STATUS_ZH = {"failed": "失败", "interrupted": "中断", "running": "仍在运行"}


def unchecked_reason_codes(card: dict, inspection: dict | None = None) -> dict[str, tuple]:
    """Why each unchecked indicator of the card was not checked, in the card's order, as
    (code of REASONS, its facts)."""
    inspection = inspection or {}
    facts = card.get("facts") or {}
    given = {**(facts.get("unchecked_reasons") or {}), **(card.get("unchecked_reasons") or {})}
    home = inspection.get("home") or {}
    home_error = home.get("error")
    if not home_error and (home.get("status") or 0) >= 400:
        home_error = f"HTTP {home['status']}"
    status = inspection.get("status")
    probes_note = (facts.get("probes") or {}).get("note")
    reasons: dict[str, tuple] = {}
    for indicator in card.get("unchecked", []):
        if indicator in given:
            reason = given[indicator]
            if isinstance(reason, dict):  # {"reason": code, "detail": sentence, …}
                reason = reason.get("detail") or reason.get("reason") or str(reason)
            reasons[indicator] = ("stated", {"text": reason})
        elif indicator in ("veto.unreachable", "availability.homepage"):
            reasons[indicator] = ("stated", {"text": probes_note}) if probes_note \
                else ("too_few_probes", {})
        elif indicator == "veto.serious_error":
            scan = inspection.get("serious") or {}
            pages = scan.get("pages", "?")
            reasons[indicator] = (
                ("serious_candidates", {"candidates": scan["candidates"], "pages": pages})
                if scan.get("candidates") else ("serious_none", {"pages": pages}) if scan
                else ("reviewers_only", {}))
        elif status and status != "done":
            reasons[indicator] = ("inspection_stopped",
                                  {"status": status, "status_zh": STATUS_ZH.get(status, status)})
        elif home_error and indicator in NEEDS_HOMEPAGE:
            reasons[indicator] = ("homepage_unreachable", {"error": home_error})
        elif indicator in COLLECTED and not inspection.get("freshness"):
            reasons[indicator] = ("not_collected", {})
        elif indicator in ("updates.basic_info", "veto.columns_stale"):
            reasons[indicator] = ("no_column_page", {})
        else:
            reasons[indicator] = ("not_checked", {})
    return reasons


def unchecked_reasons(card: dict, inspection: dict | None = None,
                      language: str = "en") -> dict[str, str]:
    """Why each unchecked indicator of the card was not checked, as sentences (``en`` for the
    terminal and the piped card, ``zh`` for the site report)."""
    which = 1 if language == "zh" else 0
    return {indicator: REASONS[code][which].format(**facts)
            for indicator, (code, facts) in unchecked_reason_codes(card, inspection).items()}


def _finding_row(finding: dict, rules, blob_location) -> tuple[str, ...]:
    ev = finding.get("evidence") or {}
    review = REVIEW[finding["review"]]
    if finding.get("needs_review") and finding["review"] == "pending":
        review += "（确认后计分）"
    # a link finding reads as the census dead-link report; any other by its own sentence
    kind = ev.get("error_type") or rules.indicator(finding["indicator"]).name
    what = ev.get("anchor_text") if "anchor_text" in ev else finding.get("detail", "")
    shot = ev.get("screenshot")
    if shot and blob_location:
        shot = blob_location(shot)
    return (finding["id"], kind, what or "", finding.get("url") or "",
            str(ev.get("status_text", ev.get("status", "")) or ""), finding.get("page") or "",
            review, _points(finding.get("points", 0)), str(shot or ""),
            "blank" if shot and ev.get("screenshot_blank") else "")


def _field(value) -> str:
    """A value on one tab-separated line: no tabs, no line breaks, no control characters."""
    return clean(" ".join(str(value if value is not None else "").split()))


def card_lines(card: dict, blob_location=None, inspection: dict | None = None) -> list[str]:
    """The card as whole tab-separated lines (files and pipes)."""
    rules = load_rules(card.get("rules", "census-2015"))
    lines: list[list] = []
    notice = incomplete_notice(inspection)
    if notice:
        lines.append(["status", "incomplete", inspection.get("id"), inspection["status"],
                      inspection.get("error") or "", notice])
    home = (card.get("facts") or {}).get("homepage") or {}
    if home.get("reachable") is False:
        shot = home.get("screenshot")
        lines.append([f"首页无法访问 homepage unreachable: {short_error(home.get('error'))}",
                      beijing(home.get("at")) + ZONE_SUFFIX,
                      f"{len(home.get('attempts') or []) or 1} tries",
                      str(blob_location(shot) if shot and blob_location else shot or "")])
    site = card["site"]
    lines.append(["site", site["code"], site["name"], site["url"]])
    lines.append(["card", f"监测时间点 {card['as_of']}", f"结论 {verdict_text(card)}",
                  f"得分 {score_text(card)}",
                  f"扣分合计 {_points(card['total_deduction'])}",
                  "provisional" if card.get("provisional") else "final",
                  f"inspection {card.get('inspection')}"])
    if card.get("changes"):  # against the site's previous finished inspection
        lines.append(["changes", changes_summary(card)])
        for fixed in card["changes"].get("fixed_findings") or ():
            lines.append(["fixed", LABELS["fixed"], fixed.get("indicator") or "",
                          fixed.get("url") or "", fixed.get("detail") or "",
                          f"自 {fixed.get('first_seen')} 起"])
    if "bonus" in card:  # a capped table (checklist-2019): its name, score parts and bonus
        lines.append(["rules", card["rules"], rules.title])
        lines.append(["score", *score_parts(card)])
    crawl = (card.get("facts") or {}).get("crawl")
    if crawl:  # pages walked and left; a budget cut makes the links indicator partial
        refused = sorted((crawl.get("pages_refused") or {}).items())
        refused = ",".join(f"{k} {v}" for k, v in refused)
        lines.append(["crawl", f"已打开 {crawl.get('pages_seen')} 个页面",
                      f"未打开 {crawl.get('pages_left')} 个",
                      f"未走入 {refused}" if refused else "",
                      f"链接可用性仅部分检查: {crawl['partial_reason']}"
                      if crawl.get("partial_reason") else ""])
    attachments = figures_text((card.get("facts") or {}).get("attachments"))
    if attachments:  # what was read for personal data and serious errors, and what was not
        lines.append(["attachments", attachments])
    fired = {v["id"]: v for v in card["vetoes"]}
    unchecked = unchecked_reasons(card, inspection)
    for entry in rules.vetoes:
        result = f"否决: {fired[entry.id]['reason']}" if entry.id in fired else "未触发"
        lines.append(["veto", entry.id, entry.name,
                      "unchecked" if entry.id in unchecked else "checked", result])
        # the findings a fired veto rests on (each stale or blank column, …)
        by_id = {f["id"]: f for f in card["findings"]}
        for fid in fired.get(entry.id, {}).get("supporting", []):
            f = by_id.get(fid) or {}
            lines.append(["veto-finding", entry.id, fid, f.get("detail", ""), f.get("url") or ""])
    for item in card["deductions"]:
        entry = rules.indicator(item["id"])
        lines.append(["deduction", item["id"], f"{entry.group}·{entry.name}",
                      "checked" if item["checked"] else "unchecked",
                      _points(item["points"]) if item["checked"] else "—",
                      f"{len(item['findings'])} findings",
                      f"partial: {item.get('partial_reason')}" if item.get("partial") else ""])
    for item in card.get("bonus") or []:
        entry = rules.indicator(item["id"])
        lines.append(["bonus", item["id"], f"{entry.group}·{entry.name}",
                      "checked" if item["checked"] else "unchecked",
                      _points(item["points"]) if item["checked"] else "—",
                      f"{len(item['findings'])} findings", ""])
    for indicator, reason in unchecked.items():
        lines.append(["unchecked", indicator, rules.indicator(indicator).name, reason])
    if card["findings"]:
        lines.append(["#finding", *FINDING_FIELDS])
    for finding in card["findings"]:
        row = _finding_row(finding, rules, blob_location)  # 整改 before the screenshot fields
        since = "；".join(t for t in (change_text(finding), carried_text(finding)) if t)
        lines.append(["finding", *row[:8], since, *row[8:]])
    return ["\t".join(_field(v) for v in line) for line in lines]


def print_card(card: dict, console: Console, blob_location=None,
               inspection: dict | None = None) -> None:
    if not console.is_terminal:
        out = console.file  # written as is: rich would expand the tabs
        for line in card_lines(card, blob_location, inspection):
            out.write(line + "\n")
        out.flush()
        return
    _print_rich(card, console, blob_location, inspection)


def _print_rich(card: dict, console: Console, blob_location, inspection: dict | None) -> None:
    rules = load_rules(card.get("rules", "census-2015"))
    notice = incomplete_notice(inspection)
    if notice:
        console.print(Text(clean(notice), style="bold red"))
    site = card["site"]
    verdict_style = {"合格": "bold green", "未评分": "bold yellow"}.get(card["verdict"], "bold red")
    head = Text()
    home = (card.get("facts") or {}).get("homepage") or {}
    if home.get("reachable") is False:
        head.append(clean(f"首页无法访问 homepage unreachable: {short_error(home.get('error'))}  "
                          f"({beijing(home.get('at'))}{ZONE_SUFFIX}, "
                          f"{len(home.get('attempts') or []) or 1} tries)\n"),
                    style="bold red")
    head.append(clean(f"{site['name']}  ({site['code']})  {site['url']}\n"), style="bold")
    head.append(f"监测时间点 {card['as_of']}   规则 {card['rules']}   ")
    head.append(f"结论: {verdict_text(card)}", style=verdict_style)
    head.append(f"   得分: {score_text(card)}   扣分合计: {_points(card['total_deduction'])}")
    unchecked = unchecked_reasons(card, inspection)
    if card.get("provisional"):
        head.append(f"\n暂定结论 (provisional): {len(unchecked)} indicator(s) unchecked, "
                    f"{awaiting_text(card)}", style="yellow")
    if "bonus" in card:
        head.append(clean(f"\n依据 {rules.title}：" + "，".join(score_parts(card))))
    if card.get("changes"):
        head.append(clean("\n" + changes_summary(card)), style="cyan")
    console.print(head)
    for fixed in (card.get("changes") or {}).get("fixed_findings") or ():
        console.print(clean(f"  {LABELS['fixed']}：{fixed.get('detail') or ''}  "
                            f"{fixed.get('url') or ''}"), markup=False, highlight=False)
    if home.get("reachable") is False and home.get("screenshot") and blob_location:
        console.print(f"首页截图 (what the browser showed): {blob_location(home['screenshot'])}",
                      highlight=False)
    crawl = (card.get("facts") or {}).get("crawl")
    if crawl:
        refused = "，".join(f"{k} {v}"
                           for k, v in sorted((crawl.get("pages_refused") or {}).items()))
        line = f"抓取：已打开 {crawl.get('pages_seen')} 个页面，未打开 {crawl.get('pages_left')} 个"
        line += f"（未走入：{refused}）" if refused else ""
        if crawl.get("partial_reason"):
            console.print(f"[yellow]{markup(line)}\n链接可用性仅部分检查："
                          f"{markup(crawl['partial_reason'])}[/]")
        else:
            console.print(markup(line))

    fired = {v["id"]: v for v in card["vetoes"]}
    vetoes = Table(title="单项否决指标", show_lines=False)
    for col in ("二级指标", "检查", "结果"):
        vetoes.add_column(col)
    for entry in rules.vetoes:
        result = (f"[bold red]否决: {markup(fired[entry.id]['reason'])}[/]" if entry.id in fired
                  else "未触发")
        vetoes.add_row(f"{entry.name} [dim]{entry.id}[/]",
                       "[yellow]未检查[/]" if entry.id in unchecked else "✓", result)
    console.print(vetoes)
    by_id = {f["id"]: f for f in card["findings"]}
    for veto in card["vetoes"]:
        for fid in veto.get("supporting", []):  # e.g. each stale / blank column it rests on
            f = by_id.get(fid) or {}
            console.print(clean(f"  · {f.get('detail', fid)}  {f.get('url') or ''}"),
                          markup=False, highlight=False)

    table = Table(title="扣分指标", show_lines=False)
    for col in ("指标", "检查", "扣分", "问题数"):
        table.add_column(col)
    for item in card["deductions"] + (card.get("bonus") or []):
        entry = rules.indicator(item["id"])
        points = _points(item["points"]) if item["checked"] else "—"
        if entry.bonus and item["checked"]:
            points = f"+{points}"
        table.add_row(f"{entry.group}·{entry.name} [dim]{item['id']}[/]",
                      ("[yellow]部分[/]" if item.get("partial") else "✓") if item["checked"]
                      else "[dim]不适用[/]" if item.get("applicable") is False
                      else "[yellow]未检查[/]", points, str(len(item["findings"])))
    console.print(table)

    if unchecked:
        console.print("[bold]未检查 unchecked[/] (not zero: these indicators did not run):")
        for indicator, reason in unchecked.items():
            console.print(f"  {rules.indicator(indicator).name} [dim]{indicator}[/]: "
                          f"{markup(reason)}",
                          highlight=False)

    findings = card["findings"]
    if findings:
        ft = Table(title=f"问题清单 ({len(findings)} findings)", show_lines=True)
        for col in ("问题类型", "名称或说明 / 地址", "返回值", "入口地址", "复核", "扣分"):
            ft.add_column(col, overflow="fold")
        for f in findings[:MAX_FINDINGS_SHOWN]:
            _, kind, what, url, status, page, review, points, _, _ = _finding_row(f, rules, None)
            since = "\n".join(t for t in (change_text(f), carried_text(f)) if t)
            ft.add_row(markup(kind), markup(f"{what}\n{url}"), markup(status), markup(page),
                       review + (f"\n{markup(since)}" if since else ""), points)
        console.print(ft)
        if len(findings) > MAX_FINDINGS_SHOWN:
            console.print(f"… {len(findings) - MAX_FINDINGS_SHOWN} more in the JSON card")

    if blob_location:
        shots = [(f["id"], blob_location(f["evidence"]["screenshot"]),
                  f["evidence"].get("screenshot_blank")) for f in findings
                 if (f.get("evidence") or {}).get("screenshot")]
        if shots:
            console.print("[bold]入口页截图[/] (screenshot of each finding's page):")
            for finding_id, location, blank in shots:
                note = "  (blank: the browser showed nothing)" if blank else ""
                console.print(f"  {finding_id}  {location}{note}", highlight=False,
                              soft_wrap=True)
