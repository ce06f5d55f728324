"""The 整改通知 as DOCX (python-docx, the site report's page set-up): a letter to the site's
owner, the table of open findings, then each finding's picture — the marked crop where the
finding knows its element's box, else the page's screenshot."""

from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .render import ZONE_NOTE
from .site_docx import RED, new_document, picture, table, text_width

HEADER = ["序号", "指标", "问题", "问题地址", "入口页", "首次发现", "发现次数", "证据", "复查",
          "截图"]
WIDTHS = [0.04, 0.1, 0.17, 0.15, 0.13, 0.07, 0.05, 0.17, 0.07, 0.05]


def rectify_docx(r: dict) -> bytes:
    doc = new_document(landscape=True)
    title = doc.add_heading("整改通知", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    site = r["site"]
    doc.add_paragraph(f"{site['owner'] or site['name']}：")
    rows = r["rows"]
    intro = (f"经检查（依据：{r['rules_title']}；监测时间点 {r['as_of']}；检查编号 "
             f"{r['inspection']}），你单位主办的「{site['name']}」（网站标识码 {site['code']}，"
             f"{site['url']}）")
    if rows:
        intro += (f"存在以下 {len(rows)} 项问题尚未整改，请逐项核实整改。整改完成后，可通过"
                  "复查确认。")
    else:
        intro += "目前没有尚未整改的问题。"
    doc.add_paragraph(intro)
    left = []
    if r["rejected"]:
        left.append(f"经人工复核驳回的 {r['rejected']} 项")
    if r["fixed"]:
        left.append(f"复查已整改的 {r['fixed']} 项")
    if left:
        doc.add_paragraph("本通知不含" + "、".join(left) + "。").runs[0].font.size = Pt(9)
    if rows:
        table(doc, HEADER,
              [[x["n"], x["indicator"], x["problem"], x["url"], x["page"], x["first_seen"],
                x["times_seen"], x["evidence"], x["recheck"],
                f"见图{x['figure']}" if x["figure"] else "无截图"] for x in rows],
              widths=WIDTHS, size=7.5)
        _pictures(doc, r)
    p = doc.add_paragraph(f"生成日期：{r['issued']}（{ZONE_NOTE}）")
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pictures(doc, r: dict) -> None:
    """问题截图: each open finding's picture, in the table's order (the marked crop first)."""
    shown = [x for x in r["rows"] if x["screenshot"]]
    if not shown:
        return
    doc.add_heading("问题截图", level=1)
    shots = r["shots"]
    for x in shown:
        doc.add_heading(f"问题 {x['n']}：{x['problem']}", level=3)
        crop = shots.crop(x["screenshot"], x["box"])
        if crop:
            picture(doc, crop, text_width(doc) * 0.6)
            doc.add_paragraph(f"图{x['figure']}（局部）　{x['when']}入口页截图，红框为问题位置："
                              f"{x['page'] or x['url']}").runs[0].font.size = Pt(9)
            continue
        image = shots.image(x["screenshot"])
        if image["missing"] or not image["slices"]:
            para = doc.add_paragraph(f"图{x['figure']}：截图在存储中不存在或无法读取。")
            para.runs[0].font.color.rgb = RED
            continue
        picture(doc, image["slices"][0], text_width(doc) * 0.6)
        why = f"；未能标出问题位置：{x['box_missing']}" if x["box_missing"] else ""
        doc.add_paragraph(f"图{x['figure']}　{x['when']}截图：{x['page'] or x['url']}"
                          f"{why}").runs[0].font.size = Pt(9)
