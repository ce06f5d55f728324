"""The score card as an XLSX laid out like the census scoring table (附件2).

Sheet 评分表: 一级指标, 二级指标, 存在的问题, 扣分 — one row per veto and deduction indicator, in
table order; sheet 问题清单: every finding with its evidence and review state.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xunjian.scoring import load_rules
from xunjian.base.safetext import clean, clean_all

from .text import score_parts, verdict_text

REVIEW = {"pending": "待复核", "confirmed": "已确认", "rejected": "已驳回"}


def _cell_text(value) -> str:
    """Plain text for a cell; a leading = + - @ would be read as a formula, so it is quoted.
    Characters a worksheet cannot hold (controls) are dropped."""
    text = clean(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _problems(findings: list[dict], ids: list[str]) -> str:
    by_id = {f["id"]: f for f in findings}
    lines = []
    for fid in ids:
        f = by_id.get(fid)
        if f is None or not f.get("counts"):
            continue
        lines.append(f"{f.get('detail') or f.get('rule')}  {f.get('url') or ''}".strip())
    return "\n".join(lines)


def _verdict(card: dict) -> str:
    """未评分 as is; 合格 naming the vetoes it could not check; else （暂定） while provisional."""
    if card["verdict"] == "未评分" or card.get("unchecked_vetoes") and card["verdict"] == "合格":
        return verdict_text(card)
    return f"{card['verdict']}{'（暂定）' if not card['final'] else ''}"


def card_workbook(card: dict) -> bytes:
    card = clean_all(card)  # a link text's control character must not fail the workbook
    rules = load_rules(card.get("rules", "census-2015"))
    wb = Workbook()
    ws = wb.active
    ws.title = "评分表"
    site = card["site"]
    score = card["score"] if card["score"] is not None else (
        "—（未评分）" if card["verdict"] == "未评分" else "—（单项否决）")
    ws.append([rules.title])
    ws.append([_cell_text(f"网站名称：{site.get('name') or ''}"),
               _cell_text(f"网站标识码：{site['code']}"),
               _cell_text(f"监测时间点：{card['as_of']}"),
               _cell_text(f"结论：{_verdict(card)}")])
    ws.append([_cell_text(f"得分：{score}"), _cell_text(f"扣分合计：{card['total_deduction']}")])
    ws.append(["一级指标", "二级指标", "存在的问题", "扣分"])
    header_row = ws.max_row
    fired = {v["id"]: v for v in card["vetoes"]}
    findings = card["findings"]
    for entry in rules.vetoes:
        veto = fired.get(entry.id)
        problem = ""
        if veto:
            problem = veto["reason"] + "\n" + _problems(
                findings, veto["findings"] + veto.get("supporting", []))
        ws.append([entry.group, entry.name, _cell_text(problem.strip()),
                   "单项否决" if veto else ""])
    for item in card["deductions"]:
        entry = rules.indicator(item["id"])
        points = item["points"] if item["checked"] else "未检查"
        ws.append([entry.group, entry.name, _cell_text(_problems(findings, item["findings"])),
                   points])
    ws.append(["", "合计", "", card["total_deduction"]])
    if "bonus" in card:  # checklist-2019: the bonus part after the deductions
        for item in card["bonus"]:
            entry = rules.indicator(item["id"])
            points = f"+{item['points']:g}" if item["checked"] else "未检查"
            ws.append([entry.group, entry.name,
                       _cell_text(_problems(findings, item["findings"])), points])
        ws.append(["", "加分", _cell_text(card.get("bonus_note") or ""), card["bonus_points"]])
        ws.append(["", "得分", _cell_text("；".join(score_parts(card))), score])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=14)
    for width, col in zip((14, 18, 80, 10), range(1, 5), strict=True):
        ws.column_dimensions[get_column_letter(col)].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    detail = wb.create_sheet("问题清单")
    detail.append(["指标", "错误类型", "说明", "地址", "入口地址", "返回值", "复核", "计分",
                   "扣分"])
    for f in findings:
        ev = f.get("evidence") or {}
        detail.append([_cell_text(x) for x in (
            f["indicator"], ev.get("error_type") or f.get("kind"), f.get("detail"), f.get("url"),
            f.get("page"), ev.get("status_text") or ev.get("status") or ev.get("error"),
            REVIEW.get(f["review"], f["review"]), "是" if f.get("counts") else "否")]
            + [f.get("points", 0)])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
