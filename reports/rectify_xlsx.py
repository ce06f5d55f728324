"""The 整改通知 as XLSX (openpyxl): one sheet 整改通知 — the site, then one row per open finding
with its marked crop (or the page's screenshot, small) embedded in the row and the full
screenshot linked."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .render import ZONE_NOTE
from .site_xlsx import BOLD, link
from .xlsx import _cell_text

HEADER = ["序号", "指标", "问题", "问题地址", "入口页", "首次发现", "发现次数", "证据", "复核",
          "复查", "截图", "问题位置"]
WIDTHS = [6, 18, 40, 40, 36, 12, 9, 50, 14, 22, 14, 36]
PICTURE_WIDTH = 240  # pixels of the picture embedded in a row
ROW_POINTS = 120


def rectify_xlsx(r: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "整改通知"
    site = r["site"]
    head = [["整改通知"], ["网站名称", site["name"]], ["网站标识码", site["code"]],
            ["主办单位", site["owner"]], ["首页网址", site["url"]], ["监测时间点", r["as_of"]],
            ["检查编号", r["inspection"]], ["依据", r["rules_title"]],
            ["尚未整改的问题", len(r["rows"])],
            ["不含", f"人工复核驳回 {r['rejected']} 项；复查已整改 {r['fixed']} 项"],
            ["生成日期", f"{r['issued']}（{ZONE_NOTE}）"], []]
    for row in head:
        ws.append([v if isinstance(v, int) else _cell_text(v) for v in row])
        ws.cell(row=ws.max_row, column=1).font = BOLD
    ws["A1"].font = Font(bold=True, size=16)
    first = ws.max_row + 1
    ws.append(HEADER)
    for cell in ws[first]:
        cell.font = BOLD
    for x in r["rows"]:
        ws.append([x["n"], *(_cell_text(x[k]) for k in (
            "indicator", "problem", "url", "page", "first_seen", "times_seen", "evidence",
            "review", "recheck")), "", ""])
        row = ws.max_row
        for cell in ws[row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if x["screenshot"]:
            link(ws.cell(row=row, column=11), x["screenshot_link"], f"图{x['figure']} 截图")
            _embed(ws, r["shots"], x, f"L{row}")
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = ws.cell(row=first + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _embed(ws, shots, x: dict, anchor: str) -> None:
    """The finding's marked crop (or the top of its page's screenshot), small, in its row."""
    from PIL import Image

    data = shots.crop(x["screenshot"], x["box"])
    if data is None:
        image = shots.image(x["screenshot"])
        data = image["thumb"] if not image["missing"] else None
    if data is None:
        ws[anchor] = "截图无法读取"
        return
    picture = Image.open(io.BytesIO(data))
    scale = PICTURE_WIDTH / picture.size[0]
    height = max(1, round(picture.size[1] * scale))
    if height > ROW_POINTS * 4 / 3:  # a tall crop: fit the row's height instead
        scale = ROW_POINTS * 4 / 3 / picture.size[1]
        height = round(ROW_POINTS * 4 / 3)
    picture = picture.resize((max(1, round(picture.size[0] * scale)), height))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    embedded = SheetImage(io.BytesIO(buffer.getvalue()))
    ws.add_image(embedded, anchor)
    ws.row_dimensions[int(anchor[1:])].height = ROW_POINTS
