"""The per-site report as XLSX (openpyxl): one sheet per section of the report.

Sheets: 封面, 总体情况, 不可用链接 (the census platform's dead-link columns; 入口页截图 is a link
to the stored screenshot), 首页探测 (per-day counts with a bar chart, then each failure),
栏目更新, 问题清单 (every finding with its review state).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .render import ZONE_SUFFIX, beijing, percent, points
from .xlsx import _cell_text

BOLD = Font(bold=True)


def sheet(wb: Workbook, title: str, header: list[str], rows: list[list],
          widths: list[int] | None = None, first: bool = False):
    ws = wb.active if first else wb.create_sheet(title)
    ws.title = title
    ws.append(header)
    for cell in ws[1]:
        cell.font = BOLD
    for row in rows:
        ws.append([v if isinstance(v, int | float) else _cell_text(v) for v in row])
    for i, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    return ws


def link(cell, target: str | None, label: str) -> None:
    if not target:
        return
    cell.value = label
    if "://" in target:
        cell.hyperlink = target
    else:  # a file of the embedded store
        cell.hyperlink = "file://" + target
    cell.font = Font(color="0563C1", underline="single")


def site_xlsx(r: dict) -> bytes:
    wb = Workbook()
    site = r["site"]
    score = r["score_text"] if r["score"] is None else r["score"]
    sheet(wb, "封面", ["项目", "内容"], [
        ["网站名称", site["name"]], ["网站标识码", site["code"]], ["主办单位", site["owner"]],
        ["部门/地区", site["region"]], ["网站类型", site["type"]], ["首页网址", site["url"]],
        ["监测时间段", f"{beijing(r['probes']['start'])} 至 {beijing(r['probes']['end'])}"
                   f"{ZONE_SUFFIX}"],
        ["监测时间点", r["as_of"]], ["检查编号", r["inspection"]["id"]],
        ["检查结论", r["verdict_text"]], ["得分", score], ["扣分合计", r["total_deduction"]],
        *([["依据", r["rules_title"]], ["得分说明", r["score_note"]]] if r.get("score_note")
          else []),
        ["结论状态", "暂定" if r["provisional"] else "最终"],
        ["未检查的指标", "；".join(f"{u['name']}：{u['reason']}" for u in r["unchecked"])],
        ["待人工复核的问题（条）", r["review"]["awaiting"]],
        ["其中确认后才计分（条）", r["review"]["uncounted"]],
    ], widths=[18, 90], first=True)
    sheet(wb, "总体情况", ["一级指标", "二级指标", "描述", "监测结果", "单项否决/扣分"],
          [[o["group"], o["name"], o["text"], o["result"],
            o["points"] if not o["veto"] and not o.get("bonus") and o.get("points") is not None
            else o["mark"]]
           for o in r["overview"]] + [["", "扣分合计", "", "", r["total_deduction"]]],
          widths=[12, 16, 60, 40, 14])
    dead = sheet(wb, "不可用链接", ["错误编号", "链接名称", "链接地址", "探测时间", "错误类型",
                                    "HTTP返回值或超时情况", "入口地址", "入口名称", "入口页截图",
                                    "复核", "计分", "扣分"],
                 [[d["n"], d["name"], d["url"], beijing(d["time"]), d["type"], d["status"],
                   d["page"], d["page_name"], "", d["review"], "是" if d["counts"] else "否",
                   d["points"]] for d in r["dead_links"]],
                 widths=[8, 20, 40, 18, 16, 14, 36, 20, 16, 14, 6, 6])
    for row, d in enumerate(r["dead_links"], start=2):
        blank = "（截图为空白页）" if d.get("blank") else ""
        link(dead.cell(row=row, column=9), d["screenshot_link"], f"图{d['figure']} 截图{blank}")

    pr = r["probes"]
    probes = sheet(wb, "首页探测", ["日期", "探测次数", "打不开次数"],
                   [[d["day"], d["probes"], d["failed"]] for d in pr["days"]], widths=[22, 14, 14])
    n = len(pr["days"])
    chart = BarChart()
    chart.title = "每日首页探测与打不开次数"
    chart.y_axis.title = "次数"
    chart.add_data(Reference(probes, min_col=2, max_col=3, min_row=1, max_row=n + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(probes, min_col=1, min_row=2, max_row=n + 1))
    chart.width, chart.height = 18, 8
    probes.add_chart(chart, "E2")
    start = n + 3
    probes.cell(row=start, column=1, value=(
        f"共探测 {pr['count']} 次，打不开 {pr['failed']} 次，失败率 {percent(pr['rate'])}"
        + (f"；{pr['note']}" if pr["note"] else ""))).font = BOLD
    probes.cell(row=start + 1, column=1, value="探测时间").font = BOLD
    probes.cell(row=start + 1, column=2, value="错误").font = BOLD
    probes.cell(row=start + 1, column=3, value="HTTP返回值").font = BOLD
    for i, p in enumerate(pr["failures"], start=start + 2):
        probes.cell(row=i, column=1, value=beijing(p["time"]))
        probes.cell(row=i, column=2, value=_cell_text(p["error"]))
        probes.cell(row=i, column=3, value=p["status"])

    sheet(wb, "栏目更新", ["栏目名称", "栏目地址", "栏目类型", "来源", "最新信息", "最新日期",
                           "时限(天)", "状态"],
          [[c["name"], c["url"], c["type"], c["source"], c["newest_title"], c["newest_date"],
            c["window"], c["status"]] for c in r["columns"]],
          widths=[18, 40, 16, 8, 40, 12, 10, 10])
    rows = []
    for part, label in (("updates", "信息更新"), ("interaction", "互动回应"),
                        ("service", "办事服务"), ("manual", "人工添加")):
        for f in r[part]:
            rows.append([label, f["indicator"], f["detail"], f["url"], f["review"],
                         f["points"], f["by"]])
    sheet(wb, "问题清单", ["类别", "指标", "问题", "地址", "复核", "扣分", "复核人员"], rows,
          widths=[10, 16, 60, 40, 16, 8, 12])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


__all__ = ["site_xlsx", "points"]
