"""The evidence fields of a finding as a reviewer reads them: a Chinese name for each known key,
and values written for people (times in Beijing time, a box as "x, y, 宽×高", 是/否).

A key not in ``LABELS`` is still shown, under its own (English) name, so nothing is lost.
"""

from __future__ import annotations

import json
from typing import Any

from xunjian.base.clock import beijing

#: Evidence key → what the review app calls it (one table; the templates read it from here).
LABELS = {
    "anchor_text": "链接文字", "tag": "链接所在标签", "link_kind": "链接类型",
    "external": "外部链接", "error_type": "错误类型", "status": "HTTP 返回值",
    "http_status": "HTTP 返回值", "status_text": "返回情况", "error": "错误",
    "errors": "错误", "checked_at": "探测时间", "fetched_at": "抓取时间",
    "looked_at": "查看时间", "at": "时间", "time": "时间", "elapsed_ms": "耗时（毫秒）",
    "redirects": "跳转", "final_url": "最终地址", "content_type": "内容类型",
    "url": "地址", "page_url": "入口页", "page_title": "入口页标题", "page_error": "入口页错误",
    "pages": "出现该链接的页面", "referrer": "来源页", "referrer_count": "出现该链接的页面数",
    "linked": "入口页仍链接该地址", "screenshot": "截图", "screenshot_blank": "截图为空白",
    "browser": "浏览器复查", "rendered": "浏览器渲染", "element_box": "问题位置",
    "element_missing": "未找到原因", "outcome": "检查结果", "attempts": "尝试次数",
    "sentence": "原文", "sentence_hash": "原文摘要", "where": "所在位置", "match": "匹配内容",
    "types": "个人信息类型", "samples": "示例（已掩码）", "masked": "已掩码内容",
    "attachment_url": "附件地址", "missing": "缺少要素", "missing_elements": "缺少要素",
    "element": "要素", "date": "日期", "page_date": "页面日期", "latest_date": "最新日期",
    "extracted_date": "提取日期", "newest": "最新信息日期", "days": "未更新天数",
    "window_days": "监测期（天）", "count": "条数", "threshold": "阈值", "column": "栏目",
    "columns": "栏目", "column_name": "栏目名称", "column_url": "栏目地址",
    "column_kind": "栏目类型", "column_type": "栏目类型", "items": "条目", "entry": "入口",
    "home": "首页", "home_error": "首页错误", "title": "标题", "names": "名称",
    "queries": "搜索词", "step": "步骤", "data_type": "数据类型", "rule_id": "规则编号",
    "form_url": "表单地址", "content_page": "内容页", "placeholder": "占位内容",
    "weak": "证据较弱", "judged_by": "判定依据", "failed": "失败次数", "failures": "失败记录",
    "failure_percent": "失败率（%）", "probes": "探测", "links": "链接", "in": "所在",
    "undated_awaiting_review": "无日期、待复核的栏目", "supporting": "依据的问题",
}


def _is_time_key(key: str) -> bool:
    return key in ("at", "time") or key.endswith("_at")


def _box(value: Any) -> str | None:
    try:
        return f"{value['x']:g}, {value['y']:g}, {value['width']:g}×{value['height']:g}"
    except (KeyError, TypeError, ValueError):
        return None


def evidence_value(key: str, value: Any) -> str:
    """One evidence value as text for a reviewer."""
    if value is None:
        return ""
    if value is True or value is False:
        return "是" if value else "否"
    if key == "element_box" and _box(value):
        return _box(value) + " 像素"
    if _is_time_key(key) and isinstance(value, str):
        return beijing(value)
    if isinstance(value, str | int | float):
        return str(value)
    if key == "redirects" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " → ".join(value)  # the addresses the link was sent on to, in order
    if isinstance(value, list | tuple) and all(isinstance(v, str | int | float) for v in value):
        return "、".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, default=str)


def evidence_rows(evidence: Any) -> list[dict]:
    """[{"key", "label", "value", "known"}] of every evidence field, in the finding's order."""
    if not isinstance(evidence, dict):
        return []
    return [{"key": str(key), "label": LABELS.get(str(key), str(key)),
             "value": evidence_value(str(key), value), "known": str(key) in LABELS}
            for key, value in evidence.items()]
