"""availability.links (连接可用性): broken links become findings a reviewer can judge.

Pure: stored pages + link results in, findings out. The points are not here (they are in
``scoring/rules/census-2015.toml``); a finding only says which of the table's two cases it is:
``rule = "home"`` (a link on the homepage — or, for a splash homepage that is only a navigation
entry, on its second-level pages) or ``rule = "other"`` (any other page).

What each finding carries is what the census platform's dead-link report lists: 链接名称 (anchor
text), 链接地址, 探测时间, 错误类型, HTTP返回值或超时情况, 入口地址, 入口名称 and 入口页截图.
"""

from __future__ import annotations

from xunjian.browser.netpolicy import INTRANET_REASON
from xunjian.browser.outline import element_evidence
from xunjian.inspectors import finding_id

INDICATOR = "availability.links"

#: A homepage this sparse is a splash page (只是网站栏目导航入口): the census then counts its
#: second-level pages as the homepage. The registry can also say so (首页类型 = 导航页).
SPLASH_MAX_LINKS = 12
SPLASH_MAX_TEXT = 400


def is_splash(site: dict, home: dict | None) -> bool:
    if site.get("splash"):
        return True
    if home is None or home.get("error"):
        return False
    internal_pages = [x for x in home.get("links", [])
                      if x["kind"] == "page" and not x["external"]]
    return len(internal_pages) <= SPLASH_MAX_LINKS and home.get("text_length", 0) < SPLASH_MAX_TEXT


def home_scope_pages(site: dict, pages: list[dict]) -> set[str]:
    """URLs of the pages whose links count as homepage links."""
    home = next((p for p in pages if p.get("is_home")), None)
    scope = {p["url"] for p in pages if p.get("is_home")}
    if is_splash(site, home):
        scope |= {p["url"] for p in pages if p.get("depth") == 1 and p.get("referrer") in scope}
    return scope


def error_type(link: dict) -> str:
    """The census platform's 错误类型 wording."""
    where = "外部" if link["external"] else "域内"
    if link["kind"] == "image":
        return "图片不可用"
    if link["kind"] == "attachment":
        return f"{where}附件链接不可用"
    return f"{where}链接不可用"


def status_text(result: dict) -> str:
    """HTTP返回值或超时情况, in the reviewer's words."""
    code = result.get("http_status")
    reason = result["reason"]
    words = {"timeout": "超时", "dns": "域名解析失败", "connect": "无法连接", "tls": "证书错误",
             "reset": "连接被重置", "redirect_loop": "重定向循环",
             "too_many_redirects": "重定向次数过多", "soft_404": "返回错误页面",
             "waf_challenge": "防护墙拦截", "bad_url": "地址格式错误"}
    if code and reason in words:
        return f"{code}（{words[reason]}）"
    if code:
        return str(code)
    return words.get(reason, reason)


def link_findings(site: dict, pages: list[dict], results: dict[str, dict]) -> list[dict]:
    """One finding per distinct broken (or wall-blocked) URL, with its best referring page."""
    home_pages = home_scope_pages(site, pages)
    referrers: dict[str, list[tuple[dict, dict]]] = {}
    for page in sorted(pages, key=lambda p: (p.get("depth", 0), p["url"])):
        for link in page.get("links", []):
            referrers.setdefault(link["url"], []).append((page, link))

    findings = []
    for url in sorted(referrers):
        result = results.get(url)
        if result is None or result["outcome"] not in ("broken", "blocked"):
            continue
        refs = referrers[url]
        on_home = [(p, x) for p, x in refs if p["url"] in home_pages]
        page, link = (on_home or refs)[0]
        blocked = result["outcome"] == "blocked"
        kind = "blocked_link" if blocked else "broken_link"
        where = "首页" if on_home else "页面"
        name = link.get("text") or url
        detail = f"{where}链接「{name}」不可用：{result.get('detail') or result['reason']}"
        if result["reason"] == INTRANET_REASON:  # not fetched: unreachable for the public
            kind = "intranet_link"
            detail = f"{where}链接「{name}」指向内网地址，公众无法访问（内网地址链接，未访问）"
        if blocked:
            detail += "（疑似防护墙拦截，浏览器复查仍无法确认，需人工复核）"
        findings.append({
            "id": finding_id(site["code"], INDICATOR, kind, url),
            "site": site["code"],
            "indicator": INDICATOR,
            "kind": kind,
            "rule": "home" if on_home else "other",
            "url": url,
            "page": page["url"],
            "detail": detail,
            "needs_review": blocked,
            "evidence": {
                "anchor_text": link.get("text", ""),
                "tag": link["tag"],
                "link_kind": link["kind"],
                "external": link["external"],
                "error_type": error_type(link),
                "status": result.get("http_status"),
                "status_text": status_text(result),
                "error": result["reason"],
                "checked_at": result.get("checked_at"),
                "redirects": result.get("redirects", []),
                "content_type": result.get("content_type"),
                "page_title": page.get("title", ""),
                "pages": [p["url"] for p, _ in refs][:20],
                "referrer_count": len(refs),
                "screenshot": page.get("screenshot"),
                "screenshot_blank": bool(page.get("screenshot") and page.get("screenshot_blank")),
                "browser": result.get("browser"),
                # where the link is on that screenshot, or why it is not (browser/outline.py)
                **element_evidence(page, url, link["tag"]),
            },
        })
    return findings
