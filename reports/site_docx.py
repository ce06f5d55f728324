"""The per-site report as DOCX (python-docx): the same sections as the HTML report.

Chinese text gets an East Asian font (w:eastAsia), so Word and LibreOffice pick a CJK face;
screenshots are inserted at the full text width (tall pages in slices), charts as PNG.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .charts import probe_chart_bars, probe_fail_bars
from .render import ZONE_SUFFIX, bar_png, beijing, beijing_short, percent, points

FONT = "Noto Sans CJK SC"
EAST_ASIA = "SimSun"  # Word's usual CJK face; LibreOffice falls back to an installed CJK font
RED = RGBColor(0xB0, 0x00, 0x00)
AMBER = RGBColor(0xA0, 0x5A, 0x00)


def new_document(landscape: bool = False) -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), EAST_ASIA)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        doc.styles[name].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"),
                                                                          EAST_ASIA)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin = section.bottom_margin = Cm(1.8)
    return doc


def text_width(doc: Document):
    section = doc.sections[-1]
    return section.page_width - section.left_margin - section.right_margin


def table(doc: Document, header: list[str], rows: list[list], widths: list[float] | None = None,
          size: float = 8.5):
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(size)
    for row in rows:
        cells = t.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run("" if value is None else str(value))
            run.font.size = Pt(size)
    if widths:
        total = text_width(doc)
        for row in t.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = int(total * w)
    return t


def picture(doc: Document, data: bytes, width=None) -> None:
    doc.add_picture(io.BytesIO(data), width=width or text_width(doc))


def site_docx(r: dict) -> bytes:
    doc = new_document()
    title = doc.add_heading("政府网站检查报告", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph(f"依据：{r['rules_title']}")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    site = r["site"]
    score = r["score_text"] + f"（扣分合计 {points(r['total_deduction'])} 分）"
    if r.get("score_note"):  # checklist-2019: deduction part, bonus, groups
        score += f"\n{r['score_note']}"
    state = (f"暂定结论：{len(r['unchecked'])} 项指标未检查，{r['review_text']}"
             if r["provisional"] else "最终结论（全部指标已检查，问题均已复核）")
    table(doc, ["项目", "内容"], [
        ["网站名称", site["name"]], ["网站标识码", site["code"]],
        ["主办单位", site["owner"] or "（未登记）"], ["部门/地区", site["region"] or "（未登记）"],
        ["网站类型", site["type"] or "（未登记）"], ["首页网址", site["url"]],
        ["监测时间段", f"首页可用性探测：{beijing(r['probes']['start'])} 至 "
                      f"{beijing(r['probes']['end'])}{ZONE_SUFFIX}；监测时间点（as-of）：{r['as_of']}；"
                      f"检查编号 {r['inspection']['id']}"],
        ["检查结论", r["verdict_text"]], ["得分", score], ["结论状态", state],
    ], widths=[0.25, 0.75], size=10.5)
    if (r["homepage"] or {}).get("reachable") is False:
        para = doc.add_paragraph(f"首页无法访问：{r['homepage'].get('error')}")
        para.runs[0].font.color.rgb = RED
    doc.add_page_break()

    doc.add_heading("一、总体情况", level=1)
    table(doc, ["一级指标", "二级指标", "描述", "监测结果", "单项否决 / 扣分"],
          [[o["group"], o["name"], o["text"], o["result"], o["mark"]] for o in r["overview"]]
          + [["", "扣分合计", "", "", points(r["total_deduction"])]],
          widths=[0.1, 0.12, 0.4, 0.26, 0.12])
    if r["unchecked"]:
        doc.add_heading("未检查的指标（不是 0 分：这些指标本次没有检查）", level=3)
        table(doc, ["指标", "原因"], [[u["name"], u["reason"]] for u in r["unchecked"]],
              widths=[0.25, 0.75])
    _changes(doc, r)
    for v in r["vetoes"]:
        doc.add_heading(f"单项否决：{v['name']}", level=3)
        doc.add_paragraph(v["reason"]).runs[0].font.color.rgb = RED
        _findings(doc, v["findings"])

    doc.add_heading("二、首页可用性探测记录", level=1)
    pr = r["probes"]
    doc.add_paragraph(f"探测时段 {beijing(pr['start'])} 至 {beijing(pr['end'])}：共探测 "
                      f"{pr['count']} 次（表中要求 {pr['needed']} 次以上），打不开 {pr['failed']} "
                      f"次，失败率 {percent(pr['rate'])}。")
    if pr["note"]:
        doc.add_paragraph(pr["note"])
    picture(doc, bar_png("每日首页探测次数", probe_chart_bars(r), "次"), text_width(doc) * 0.8)
    picture(doc, bar_png("每日首页打不开次数", probe_fail_bars(r), "次", colors=["#c0392b"]),
            text_width(doc) * 0.8)
    if pr["failures"]:
        table(doc, ["序号", "探测时间", "错误", "HTTP返回值", "耗时(毫秒)", "截图"],
              [[i + 1, beijing(p["time"]), p["error"], p["status"] or "", p["elapsed_ms"] or "",
                f"见图{p['figure']}" if p["figure"] else ""]
               for i, p in enumerate(pr["failures"])])

    doc.add_heading("三、链接可用性（不可用链接）", level=1)
    crawl = r["crawl"]
    if crawl.get("partial_reason"):
        doc.add_paragraph(f"链接可用性仅部分检查：{crawl['partial_reason']}")
    if r.get("attachments_text"):
        doc.add_paragraph(f"{r['attachments_text']}（附件文字用于检查个人信息和严重错误）")
    _dead_links(doc, r)

    doc.add_heading("四、信息更新情况", level=1)
    hu = r["homepage_updates"]
    if hu:
        doc.add_paragraph(f"首页栏目：监测时间点前 {hu.get('window_days')} 天内更新信息 "
                          f"{hu.get('count')} 条，最新 {hu.get('newest') or '—'}。")
    if r["columns"]:
        table(doc, ["栏目名称", "栏目地址", "栏目类型", "来源", "最新信息", "最新日期", "时限(天)",
                    "状态", "截图"],
              [[c["name"], c["url"], c["type"], c["source"], c["newest_title"],
                c["newest_date"] or "—", c["window"] or "", c["status"],
                f"见图{c['figure']}" if c["figure"] else ""] for c in r["columns"]],
              widths=[0.1, 0.18, 0.1, 0.06, 0.2, 0.1, 0.07, 0.09, 0.1])
    else:
        doc.add_paragraph("本次检查没有采集栏目页面。")
    if r["updates"]:
        _findings(doc, r["updates"])
    doc.add_heading("五、互动回应情况", level=1)
    _findings(doc, r["interaction"], "未发现互动回应方面的问题。")
    doc.add_heading("六、办事服务情况", level=1)
    _findings(doc, r["service"], "未发现办事服务方面的问题。")
    doc.add_heading("七、人工复核添加的问题", level=1)
    _findings(doc, r["manual"], "无。")

    doc.add_heading("八、截图", level=1)
    figures = r["shots"].figures()
    if not figures:
        doc.add_paragraph("本报告没有截图。")
    for i, fig in enumerate(figures):
        if i:
            doc.add_page_break()
        if fig["missing"]:
            doc.add_paragraph(f"图{fig['n']}：截图 {fig['id']} 在存储中不存在或无法读取。")
            continue
        for part in fig["slices"]:
            picture(doc, part)
        if fig.get("blank"):  # a white picture is not a white page: say so under it
            note = doc.add_paragraph(f"图{fig['n']}{fig['blank_note']}（图中白色区域不是页面内容）。")
            note.runs[0].font.color.rgb = AMBER
            note.runs[0].bold = True
        cut = "（页面较长，仅显示上部）" if fig["cut"] else ""
        doc.add_paragraph(f"图{fig['n']}　{fig['caption']}{cut}").runs[0].font.size = Pt(9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _changes(doc: Document, r: dict) -> None:
    """整改情况: what is new, still open and fixed since the previous inspection."""
    changes = r.get("changes")
    if not changes:
        return
    doc.add_heading("整改情况", level=3)
    doc.add_paragraph(changes["summary"])
    if changes["rows"]:
        table(doc, ["状态", "指标", "问题", "地址", "首次发现"],
              [[c["state"], c["indicator"], c["detail"], c["url"], c["first_seen"]]
               for c in changes["rows"]], widths=[0.16, 0.12, 0.32, 0.28, 0.12])


#: The dead-link table's short cells (one row per link) and their share of the text width;
#: the link's address and its 入口地址 follow in two full-width rows, as in the PDF.
DEAD_HEADER = ["错误编号", "链接名称", "探测时间", "错误类型", "HTTP返回值或超时情况",
               "入口名称", "入口页截图", "复核", "扣分"]
DEAD_WIDTHS = [0.07, 0.2, 0.1, 0.1, 0.12, 0.15, 0.12, 0.08, 0.06]


def _dead_links(doc: Document, r: dict) -> None:
    """链接可用性: the dead-link table in the census platform's columns — a row of the short
    cells, then 链接地址 and 入口地址 each across the whole width, so a URL is never cut into
    a narrow column — then the crops."""
    if not r["dead_links"]:
        doc.add_paragraph("未发现不可用链接。")
        return
    figures = {f["n"]: f for f in r["shots"].figures()}
    t = table(doc, DEAD_HEADER, [], widths=DEAD_WIDTHS, size=7)
    _repeat_header(t.rows[0])
    def add_row():  # widths before any merge: a merged cell's width is the sum of its parts
        row = t.add_row()
        for cell, w in zip(row.cells, DEAD_WIDTHS, strict=True):
            cell.width = int(text_width(doc) * w)
        return row

    for d in r["dead_links"]:
        row = add_row()
        values = [d["n"], d["name"], beijing_short(d["time"]), d["type"], d["status"],
                  d["page_name"], "", d["review"], points(d["points"])]
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run("" if value is None else str(value)).font.size = Pt(7)
        fig = figures.get(d["figure"]) if d["figure"] else None
        if fig and fig["thumb"]:
            row.cells[6].paragraphs[0].add_run().add_picture(io.BytesIO(fig["thumb"]),
                                                             width=Cm(2))
        if fig:
            blank = "（截图为空白页）" if fig.get("blank") else ""
            row.cells[6].add_paragraph().add_run(f"见图{fig['n']}{blank}").font.size = Pt(7)
        rows = [row]
        for label, url in (("链接地址", d["url"]), ("入口地址", d["page"])):
            wide = add_row()
            wide.cells[0].text = ""
            wide.cells[0].paragraphs[0].add_run(label).font.size = Pt(7)
            cell = wide.cells[1].merge(wide.cells[-1])
            cell.text = ""
            cell.paragraphs[0].add_run(str(url or "")).font.size = Pt(7.5)
            rows.append(wide)
        _keep_together(rows)
    _dead_link_crops(doc, r)


def _repeat_header(row) -> None:
    """The row repeats at the top of each page the table runs onto."""
    flag = row._tr.get_or_add_trPr().makeelement(qn("w:tblHeader"), {})
    row._tr.get_or_add_trPr().append(flag)


def _keep_together(rows) -> None:
    """A link's rows stay on one page: no row splits, each keeps with the next but the last."""
    for i, row in enumerate(rows):
        row._tr.get_or_add_trPr().append(row._tr.makeelement(qn("w:cantSplit"), {}))
        if i + 1 < len(rows):
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def _dead_link_crops(doc: Document, r: dict) -> None:
    """Each dead link's place on its 入口页: the part of the screenshot around its box, framed
    in red (cut now from the stored picture), or why it could not be placed."""
    shown = [d for d in r["dead_links"] if d.get("screenshot")]
    if not shown:
        return
    doc.add_heading("不可用链接在入口页上的位置", level=2)
    for d in shown:
        crop = r["shots"].crop(d["screenshot"], d.get("box"))
        if crop:
            picture(doc, crop, text_width(doc) * 0.8)
            doc.add_paragraph(f"错误编号 {d['n']}「{d['name']}」在入口页上的位置"
                              f"（红框；整页见图{d['figure']}）")
        else:
            why = f"——{d['box_missing']}" if d.get("box_missing") else ""
            doc.add_paragraph(f"错误编号 {d['n']}「{d['name']}」：未能在入口页截图（图{d['figure']}）"
                              f"上标出位置{why}。")


def _findings(doc: Document, rows: list[dict], empty: str | None = None) -> None:
    if not rows:
        if empty:
            doc.add_paragraph(empty)
        return
    table(doc, ["指标", "问题", "地址", "复核", "扣分", "截图"],
          [[f["indicator"], f["detail"] + (f"（复核人员：{f['by']}）" if f["by"] else ""),
            f["url"], f["review"], points(f["points"]),
            f"见图{f['figure']}" if f["figure"] else ""] for f in rows],
          widths=[0.14, 0.4, 0.24, 0.1, 0.05, 0.07])
