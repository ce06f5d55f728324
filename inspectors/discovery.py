"""Column discovery: propose columns (附件4 rows) from a homepage's navigation. Pure.

When the registry lists no column of a type (or none at all) but the homepage links to one, the
spider inspects the proposed column too and stores it with ``source = "discovered"``, so an
operator can accept it (``xunjian registry discovered SITE_CODE``).
"""

from __future__ import annotations

import re

#: (栏目类型, 内容类别, name pattern) — first match wins; order matters (通知公告 before 动态…).
RULES: tuple[tuple[str, str, re.Pattern], ...] = tuple(
    (kind, category, re.compile(pattern)) for kind, category, pattern in (
        ("通知公告", "信息公开类", r"通知公告|公示公告|公告公示|通知|公告|公示"),
        ("政策文件", "信息公开类", r"政策文件|政策法规|规范性文件|政府文件|文件|法规|政策"),
        ("规划计划", "信息公开类", r"规划计划|发展规划|规划|计划"),
        ("人事信息", "信息公开类", r"人事信息|人事任免|人事|任免|招录|招聘"),
        ("机构设置及职能", "信息公开类", r"机构设置|机构职能|领导信息|机构|职能"),
        ("政务咨询类栏目", "互动回应类", r"政务咨询|领导信箱|市长信箱|县长信箱|咨询|信箱|留言"),
        ("调查征集类栏目", "互动回应类", r"调查征集|意见征集|民意征集|网上调查|征集|调查"),
        ("互动访谈类栏目", "互动回应类", r"互动访谈|在线访谈|访谈|直播"),
        ("办事指南类栏目", "办事服务类", r"办事指南|办事服务|服务指南|办事"),
        ("工作动态", "信息公开类", r"工作动态|政务动态|要闻|动态|新闻|工作信息|资讯"),
    )
)
MAX_NAME = 10  # navigation entries are short; longer texts are item titles


def classify(name: str) -> tuple[str, str] | None:
    """(栏目类型, 内容类别) of a column name, or None when it is no known column type."""
    text = re.sub(r"\s+", "", name or "")
    if not text or len(text) > MAX_NAME:
        return None
    for kind, category, pattern in RULES:
        if pattern.search(text):
            return kind, category
    return None


def propose_columns(home_links: list[dict], registered: list[dict],
                    limit_per_type: int = 2) -> list[dict]:
    """Columns to inspect in addition to the registered ones: internal page links of the
    homepage whose text names a column type the registry does not list. Column documents as
    in docs/CONTRACTS.md with ``source = "discovered"``."""
    have = {c.get("type") for c in registered if c.get("url")}
    known_urls = {c.get("url") for c in registered}
    out: list[dict] = []
    per_type: dict[str, int] = {}
    seen: set[str] = set()
    for link in home_links:
        if link.get("external") or link.get("kind") != "page" or link.get("tag") not in (
                "a", "area"):
            continue
        found = classify(link.get("text", ""))
        if found is None:
            continue
        kind, category = found
        url = link["url"]
        if kind in have or url in known_urls or url in seen:
            continue
        if per_type.get(kind, 0) >= limit_per_type:
            continue
        per_type[kind] = per_type.get(kind, 0) + 1
        seen.add(url)
        out.append({"category": category, "type": kind, "name": link["text"].strip(),
                    "url": url, "source": "discovered"})
    return out
