"""The score card as a reviewer reads it on a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scoring import load_rules

MAX_FINDINGS_SHOWN = 40


def _points(value: float) -> str:
    return f"{value:g}"


def print_card(card: dict, console: Console, blob_location=None) -> None:
    rules = load_rules(card.get("rules", "census-2015"))
    site = card["site"]
    verdict_style = "bold green" if card["verdict"] == "合格" else "bold red"
    head = Text()
    head.append(f"{site['name']}  ({site['code']})  {site['url']}\n", style="bold")
    head.append(f"监测时间点 {card['as_of']}   规则 {card['rules']}   ")
    head.append(f"结论：{card['verdict']}", style=verdict_style)
    score = "—（单项否决）" if card["score"] is None else _points(card["score"])
    head.append(f"   得分：{score}   扣分合计：{_points(card['total_deduction'])}")
    if card.get("provisional"):
        unchecked = len(card.get("unchecked", []))
        head.append(f"\n暂定结论：{unchecked} 项指标尚未检查，"
                    f"{sum(f['review'] == 'pending' for f in card['findings'])} 条问题待人工复核",
                    style="yellow")
    console.print(head)
    crawl = (card.get("facts") or {}).get("crawl")
    if crawl:
        refused = "，".join(f"{k} {v}"
                           for k, v in sorted((crawl.get("pages_refused") or {}).items()))
        line = f"抓取：已打开 {crawl.get('pages_seen')} 个页面，未打开 {crawl.get('pages_left')} 个"
        line += f"（未走入：{refused}）" if refused else ""
        if crawl.get("partial_reason"):
            console.print(f"[yellow]{line}\n链接可用性仅部分检查：{crawl['partial_reason']}[/]")
        else:
            console.print(line)

    if card["vetoes"]:
        for veto in card["vetoes"]:
            console.print(f"[bold red]单项否决[/] {veto['name']}：{veto['reason']}")

    table = Table(title="扣分指标", show_lines=False)
    for col in ("指标", "检查", "扣分", "问题数"):
        table.add_column(col)
    for item in card["deductions"]:
        entry = rules.indicator(item["id"])
        table.add_row(f"{entry.group}·{entry.name} [dim]{item['id']}[/]",
                      ("[yellow]部分[/]" if item.get("partial") else "✓") if item["checked"]
                      else "[yellow]未检查[/]",
                      _points(item["points"]) if item["checked"] else "—",
                      str(len(item["findings"])))
    console.print(table)

    findings = card["findings"]
    if findings:
        ft = Table(title=f"问题清单（{len(findings)} 条）", show_lines=True)
        for col in ("问题类型", "名称或说明 / 地址", "返回值", "入口地址", "复核", "扣分"):
            ft.add_column(col, overflow="fold")
        for f in findings[:MAX_FINDINGS_SHOWN]:
            ev = f.get("evidence", {})
            review = {"pending": "待复核", "confirmed": "已确认", "rejected": "已驳回"}[f["review"]]
            if f.get("needs_review") and f["review"] == "pending":
                review += "（确认后计分）"
            # a link finding reads as the census dead-link report; any other by its own sentence
            kind = ev.get("error_type") or rules.indicator(f["indicator"]).name
            what = ev.get("anchor_text") if "anchor_text" in ev else f.get("detail", "")
            ft.add_row(kind, f"{what or ''}\n{f.get('url') or ''}",
                       str(ev.get("status_text", ev.get("status", "")) or ""),
                       f.get("page") or "", review, _points(f.get("points", 0)))
        console.print(ft)
        if len(findings) > MAX_FINDINGS_SHOWN:
            console.print(f"… {len(findings) - MAX_FINDINGS_SHOWN} more in the JSON card")

    if blob_location:
        shots = sorted({f["evidence"]["screenshot"] for f in findings
                        if f.get("evidence", {}).get("screenshot")})
        if shots:
            console.print("[bold]入口页截图[/] (screenshots of referring pages):")
            for blob in shots:
                console.print(f"  {blob_location(blob)}")
