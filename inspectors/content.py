"""Is a column page an article? A registered column whose page is itself content. Pure.

机构职能, 机构概况, 领导信息 (one leader's profile), 规划计划 (one plan), 县情概况: on real county and
department sites such a column's page is an article — a title, paragraphs, perhaps a 发布时间
byline — and no list. It is not a blank column (空白栏目: the page opens but shows nothing); it is
a one-item column whose item is the page itself, dated by the page's own date.

How (``content_facts``): the page's body text is what is left after taking away

* navigation, headers, footers, breadcrumbs, pagers, widgets and login boxes (the list reader's
  furniture, ``inspectors.lists``), side panels (相关链接, 热点…) and ``<aside>``;
* link texts (menus, the column menu, tools such as 【打印本页】 are links);
* copyright blocks (版权所有, ICP备, 公网安备, 网站标识码, 主办/承办单位, 技术支持, browser advice),
  found by their words wherever their class is: the smallest block holding such a line, widened
  to its surroundings while they stay short (``FOOTER_BLOCK`` characters);
* date widgets (今天是…星期三) and placeholder sentences (暂无信息, 暂无数据, 栏目建设中, 正在建设中,
  敬请期待 …): a short block saying only that is no content — its page stays blank.

What remains is counted in CJK characters per block of paragraphs (a paragraph counts for its
own element, its parent and its grandparent, so a ``<div>`` of ``<p>``s, a ``<td>`` of a profile
table, ``<br>``-separated text are each one block). The page is an article when its biggest
block has ``MIN_BODY`` (150) CJK characters, or ``MIN_ARTICLE_BODY`` (50) inside an article-body
element (TRS_Editor, Custom_UnionStyle, article, content, detail, zoom, zw/zhengwen …: how CMSs
mark the text of an article; a leader's profile is often short).

Its date is ``inspectors.dates.page_date`` (the reader ``xunjian extract`` and item pages use),
read on the page without its site furniture (footers, navigation, side panels, copyright blocks,
date widgets), so a footer's 本站更新时间 or a clock drawn by script is never the column's date;
stored without as-of, resolved when scoring.
"""

from __future__ import annotations

import re

import lxml.html

from xunjian.inspectors.dates import page_date
from xunjian.base.html import parse_html
from xunjian.inspectors.lists import SIDE_MARK, _skip_node

MIN_BODY = 150  # CJK characters of body text in the main block: an article
MIN_ARTICLE_BODY = 50  # the same inside a CMS's article-body element (a short profile)
FOOTER_BLOCK = 400  # a copyright line's block widens while its text stays this short
SHORT_BLOCK = 60  # a placeholder or date widget is a block at most this long
#: class/id words of an article's text block in Chinese CMSs (TRS WCM, 博思, 大汉, 拓尔思 …).
ARTICLE_MARK = re.compile(
    r"(^|[\s_-])(trs_?editor|custom_?unionstyle|article|art-?con|content|con|detail|details|"
    r"zoom|zw|zhengwen|zwnr|nr|neirong|text|txt|body|main-?text|wzy|wznr|info-?con|"
    r"jianjie|intro|profile|ldjj|ld-?(info|detail|con))([\s_-]|\d|$)", re.I)
#: Words of a copyright / footer line (whatever its class says).
FOOTER_TEXT = re.compile(
    r"版权所有|版权声明|copyright|©|ICP备|ICP证|公网安备|网站标识码|主办单位|承办单位|技术支持|"
    r"主办[:：]|承办[:：]|维护[:：]|分辨率|浏览器浏览|以上版本浏览器", re.I)
#: What a site says on a column page with nothing in it.
PLACEHOLDER = re.compile(
    r"暂无(相关)?(信息|数据|内容|记录|文章|资料|公开信息)|没有(找到)?(相关|任何)?(信息|数据|内容|记录)|"
    r"(栏目|页面|网站|本栏|内容)?正在(建设|完善|更新|维护|整理)(中)?|(栏目|页面|内容)?建设中|"
    r"敬请期待|尚未(发布|公开)|待(更新|发布)|共\s*0\s*条|记录数\s*[:：]?\s*0", re.I)
DATE_WIDGET = re.compile(r"星期[一二三四五六日天]|礼拜[一二三四五六日天]|农历|農曆|今天是")
#: A site-wide update line (本站更新时间：…, 网站更新：…, 最后更新 …): the site's date, not an article's.
SITE_UPDATE = re.compile(r"(本站|网站|站点|全站|本网)(最后|最近)?(更新|维护)|最后更新")
#: Words of an article's own byline: a short block holding them is no clock nor site line.
BYLINE_WORDS = re.compile(r"发布|發布|发文|成文|来源|來源|作者|浏览|瀏覽|点击|阅读|访问量|字号")
_CJK = re.compile(r"[\u3400-\u9fff]")
_INLINE = {"span", "font", "strong", "b", "em", "i", "u"}
_DROP_TAGS = {"script", "style", "noscript", "template", "select", "option", "button", "iframe",
              "frame", "object", "embed", "svg"}


def _cjk(text: str) -> int:
    return len(_CJK.findall(text or ""))


def _text(el) -> str:
    return re.sub(r"\s+", "", "".join(el.itertext()))


def _drop(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    el.drop_tree()  # keeps the tail text: it belongs to the parent


def _side(el) -> bool:
    if el.tag == "aside":
        return True
    mark = f"{el.get('class', '')} {el.get('id', '')}"
    return bool(mark.strip() and SIDE_MARK.search(mark))


def _short_block(el):
    """The nearest block element around ``el`` (itself when a block)."""
    node = el
    while node is not None and (not isinstance(node.tag, str) or node.tag in _INLINE
                                or node.tag == "a"):
        node = node.getparent()
    return node


def _holds_article(el) -> bool:
    """``el`` holds a heading or an article body: a copyright line's block never widens over it."""
    return any(isinstance(node.tag, str) and (node.tag in ("h1", "h2", "h3") or _marked(node))
               for node in el.iter())


def _strip_site_furniture(doc) -> str | None:
    """Take away (in place) what every page of the site carries around its content: footers and
    copyright blocks, navigation, side panels, date widgets. Returns a placeholder sentence seen
    on the page (暂无信息…), or None."""
    for el in list(doc.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if el.tag in _DROP_TAGS or el.tag in ("nav", "footer", "aside") or _side(el):
            _drop(el)
            continue
        mark = f"{el.get('class', '')} {el.get('id', '')}"
        if re.search(r"(^|[\s_-])(foot|footer|bottom|copyright|banquan|dibu|nav|navbar|menu)"
                     r"([\s_-]|\d|$)", mark, re.I) and not any(
                         isinstance(a.tag, str) and _marked(a) for a in el.iterancestors()):
            _drop(el)  # an article's own bottom (art-bottom: 发布时间…) is the article's
    placeholder = None
    body = doc.find("body")
    for el in list(doc.iter()):
        if not isinstance(el.tag, str) or el is body or el.getroottree().getroot() is not doc:
            continue  # (or it sits in a block taken away already)
        own = re.sub(r"\s+", "", (el.text or "") + "".join(
            (c.tail or "") for c in el if isinstance(c.tag, str)))
        if not own:
            continue
        if FOOTER_TEXT.search(own):
            block = _short_block(el)
            while (block is not None and block.getparent() is not None
                   and block.getparent() is not body and block.getparent().tag != "html"
                   and len(_text(block.getparent())) <= FOOTER_BLOCK
                   and not _holds_article(block.getparent())):
                block = block.getparent()
            if block is not None and block is not body and block.tag != "html":
                _drop(block)
            continue
        block = _short_block(el)
        if block is None or block is body:
            continue
        whole = _text(block)
        if (len(whole) <= SHORT_BLOCK and (DATE_WIDGET.search(whole) or SITE_UPDATE.search(whole))
                and not BYLINE_WORDS.search(whole)):
            _drop(block)  # (发布时间：2025年3月2日 星期日 | 最后更新… is the article's byline)
        elif len(whole) <= SHORT_BLOCK and PLACEHOLDER.search(whole):
            placeholder = placeholder or whole
            _drop(block)
    return placeholder


def _marked(el) -> bool:
    mark = f"{el.get('class', '')} {el.get('id', '')}"
    return bool(mark.strip() and ARTICLE_MARK.search(mark))


def _body_counts(doc) -> tuple[int, int]:
    """(CJK characters of the biggest block, of the biggest article-body element) of the body
    text left in ``doc``: text outside links, navigation, headers, pagers and widgets."""
    counts: dict = {}  # block → CJK characters of its own, its children's, grandchildren's text
    marked: dict = {}  # article-body element → CJK characters of all text inside it
    memo: dict = {}

    def furniture(el) -> bool:
        if el not in memo:
            parent = el.getparent()
            memo[el] = (el.tag == "a" or _skip_node(el) or (
                parent is not None and isinstance(parent.tag, str) and furniture(parent)))
        return memo[el]

    for el in doc.iter():
        if not isinstance(el.tag, str) or furniture(el):
            continue
        n = _cjk((el.text or "") + "".join(child.tail or "" for child in el))
        if not n:
            continue
        block = _short_block(el)
        for _ in range(3):  # the paragraph, its parent, its grandparent
            if block is None:
                break
            counts[block] = counts.get(block, 0) + n
            block = block.getparent()
        for node in (el, *el.iterancestors()):
            if isinstance(node.tag, str) and _marked(node):
                marked[node] = marked.get(node, 0) + n
    return max(counts.values(), default=0), max(marked.values(), default=0)


def _stripped_date(doc, url: str | None) -> dict | None:
    """``page_date`` of ``doc`` once ``_strip_site_furniture`` has taken its furniture away."""
    return page_date(lxml.html.tostring(doc, encoding="unicode"), url=url)


def article_date(html: str, url: str | None = None) -> dict | None:
    """The date of an article page (a column's content page, a list item's page), read by
    ``page_date`` on the page without its site furniture: a header clock, a 本站更新时间 footer or
    a 网站更新 line is the site's date on every page, never the article's. ``<head>`` (its
    publication ``<meta>`` tags) is kept."""
    doc = parse_html(html)
    if doc is None:
        return None
    _strip_site_furniture(doc)
    return _stripped_date(doc, url)


def content_facts(html: str, url: str | None = None) -> dict:
    """``{"content_page": bool, "content_chars": int, "page_date": {"text", "date", "source"} |
    None, "placeholder": str | None}`` for a column page no list reader found items on."""
    doc = parse_html(html)
    if doc is None:
        return {"content_page": False, "content_chars": 0, "page_date": None,
                "placeholder": None}
    placeholder = _strip_site_furniture(doc)
    best, marked = _body_counts(doc)
    article = best >= MIN_BODY or marked >= MIN_ARTICLE_BODY
    found = _stripped_date(doc, url) if article else None  # as article_date reads it
    return {"content_page": article, "content_chars": max(best, marked),
            "page_date": found, "placeholder": placeholder}


#: An article may carry a few links in its text (附件, a related document): at most this many,
#: it is still read as one article, not as an undated list of them.
MAX_ARTICLE_LINKS = 3


def column_content(html: str, url: str, frames: list[tuple[str, str]]) -> dict:
    """``content_facts`` of a column page, or of the first of its frames that is an article (an
    article shown in an ``<iframe>`` is the page's content)."""
    facts = content_facts(html, url)
    if facts["content_page"]:
        return facts
    for frame_url, frame_html in frames:
        found = content_facts(frame_html, frame_url)
        if found["content_page"]:
            return found
    return facts
