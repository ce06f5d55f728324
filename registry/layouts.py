"""The two census forms: their headers, allowed values, and how a header row is recognised."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["sites", "columns"]

# 附件3 政府网站基本信息表 (首页类型 is our addition: 普通 / 导航页; so is 公共服务: 提供 / 不提供,
# whether a department site offers public services — checklist-2019's 4/3 rule).
SITE_HEADERS = (
    "网站标识码", "部门/地区", "网站名称", "网站类型", "ICP备案编号", "首页网址", "网站主管单位",
    "办公地址", "负责人姓名", "负责人职务", "负责人办公电话", "负责人手机", "负责人电子邮箱",
    "联系人姓名", "联系人办公电话", "联系人手机", "联系人电子邮箱", "首页类型", "公共服务",
)  # fmt: skip
#: 公共服务 values → whether the site offers public services (blank: not stated).
PUBLIC_SERVICES = {"提供": True, "是": True, "有": True, "不提供": False, "否": False, "无": False}
SITE_REQUIRED = ("网站标识码", "网站名称", "首页网址")

# 附件4 政府网站栏目(系统)基本信息表.
COLUMN_HEADERS = ("网站标识码", "内容类别", "栏目类型", "栏目(系统)名称", "栏目(系统)地址")
COLUMN_REQUIRED = ("网站标识码", "栏目类型", "栏目(系统)名称", "栏目(系统)地址")

SITE_TYPES = ("门户网站", "其他")
HOMEPAGE_TYPES = {"普通": False, "导航页": True}

COLUMN_TYPES: dict[str, tuple[str, ...]] = {
    "信息公开类": (
        "机构设置及职能",
        "工作动态",
        "通知公告",
        "政策文件",
        "规划计划",
        "人事信息",
        "其他",
    ),
    "互动回应类": ("政务咨询类栏目", "调查征集类栏目", "互动访谈类栏目", "其他"),
    "办事服务类": ("办事指南类栏目", "在线(申报、查询)系统"),
    "其他": ("其他",),
}
# Types that name their category on their own (all but 其他).
CATEGORY_OF_TYPE = {
    type_: category
    for category, types in COLUMN_TYPES.items()
    for type_ in types
    if type_ != "其他"
}
ALL_COLUMN_TYPES = frozenset({*CATEGORY_OF_TYPE, "其他"})

HEADER_SCAN_ROWS = 10  # forms may carry a title or 填表单位 line above the header row
_SPACE = re.compile(r"\s+")


def normalize_header(text: str) -> str:
    """Compare headers without whitespace, with ASCII brackets and slash, without * marks."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).strip("*")


@dataclass(frozen=True)
class Header:
    kind: Kind
    row: int  # 1-based spreadsheet row of the header
    index: dict[str, int]  # canonical header → cell index (first occurrence wins)

    def get(self, cells: Sequence[str], header: str) -> str:
        i = self.index.get(header)
        return cells[i] if i is not None and i < len(cells) else ""


def _index(cells: Sequence[str], known: Sequence[str]) -> dict[str, int]:
    wanted = {normalize_header(h): h for h in known}
    index: dict[str, int] = {}
    for i, cell in enumerate(cells):
        canonical = wanted.get(normalize_header(cell))
        if canonical is not None and canonical not in index:
            index[canonical] = i
    return index


def detect(rows: Sequence[tuple[int, list[str]]]) -> Header | None:
    """Find the header row among the first non-empty rows. A columns header wins over a
    sites header, so a columns sheet may also carry 网站名称 / 首页网址 for readability."""
    seen = 0
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        columns = _index(cells, COLUMN_HEADERS)
        if all(h in columns for h in COLUMN_REQUIRED):
            return Header("columns", number, columns)
        sites = _index(cells, SITE_HEADERS)
        if all(h in sites for h in SITE_REQUIRED):
            return Header("sites", number, sites)
        seen += 1
        if seen >= HEADER_SCAN_ROWS:
            break
    return None


def unknown_layout_message(rows: Sequence[tuple[int, list[str]]]) -> str:
    """Explain why no header row was recognised: headers found, headers expected."""
    first = next((cells for _, cells in rows if any(c.strip() for c in cells)), [])
    found = [c.strip() for c in first if c.strip()]
    present = {normalize_header(c) for c in found}

    def missing(required: Sequence[str]) -> str:
        gone = [h for h in required if normalize_header(h) not in present]
        return f" (missing {'、'.join(gone)})" if gone else ""

    return (
        f"not a census form; headers found: {'、'.join(found) or '(none)'}; "
        f"政府网站基本信息表 (附件3) needs {'、'.join(SITE_REQUIRED)}{missing(SITE_REQUIRED)}; "
        f"栏目(系统)基本信息表 (附件4) needs {'、'.join(COLUMN_REQUIRED)}"
        f"{missing(COLUMN_REQUIRED)}"
    )
