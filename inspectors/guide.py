"""Service guides (办事指南): which of the 8 element categories a guide page carries. Pure.

``guide_elements(html) -> {category: bool}`` for the 8 categories of the census table (事项名称,
设定依据, 申请条件, 办理材料, 办理地点, 办理时间, 联系电话, 办理流程); ``inspect_guide(html)``
gives the details: per category the label found, its value (shortened) and whether it counts,
plus ``review`` notes (a 联系电话 value without a recognisable phone number).

How: the page is flattened into text chunks in document order, breaking at every element
boundary except inline formatting. A chunk that starts with a known label (after numbering such
as ``一、`` / ``（二）`` / ``3.`` and brackets such as ``【】``) and is followed by the end of the
chunk or a separator (``：``, ``:``, ``】``, whitespace) opens an element. Its value is the rest of
the chunk, else the chunks that follow up to the next label, within the label's scope — the
smallest ancestor whose text is longer than the label itself (a table row, a ``dl``, a div
label/value pair, the content block of ``一、设定依据`` headings). Tabs: a label that is a tab
(``href="#id"``, ``aria-controls``, ``data-target``) takes the text of the panel it points to.
A label with an empty value counts as missing. 事项名称 may also come from the page's ``h1`` /
title-like heading when no label names it (guides often show the item name as the title).
"""

from __future__ import annotations

import re

from inspectors.html import parse_html

CATEGORIES = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话",
              "办理流程")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "事项名称": ("事项名称", "服务事项名称", "审批事项名称", "项目名称", "事项全称", "办理事项",
             "服务事项", "审批项目", "许可事项名称"),
    "设定依据": ("设定依据", "法律依据", "办理依据", "实施依据", "政策依据", "审批依据", "许可依据",
             "法定依据", "设立依据", "许可依据及条件"),
    "申请条件": ("申请条件", "受理条件", "办理条件", "申报条件", "准予批准的条件", "许可条件",
             "申请人条件", "受理范围及条件", "受理标准"),
    "办理材料": ("办理材料", "申请材料", "申报材料", "提交材料", "所需材料", "应提交材料",
             "申请材料目录", "材料目录", "需提交材料", "办事材料", "提交资料", "申请资料",
             "所需资料"),
    "办理地点": ("办理地点", "受理地点", "办公地址", "办理窗口", "受理窗口", "办理地址", "受理地址",
             "窗口地址", "服务地点", "办事地点", "受理机构地址"),
    "办理时间": ("办理时间", "受理时间", "办公时间", "工作时间", "窗口办公时间", "服务时间",
             "办事时间", "受理时段"),
    "联系电话": ("联系电话", "咨询电话", "咨询方式", "监督电话", "投诉电话", "联系方式",
             "咨询投诉电话", "服务电话", "联系电话及地址", "咨询途径"),
    "办理流程": ("办理流程", "办事流程", "办理程序", "流程图", "审批流程", "办理步骤",
             "受理流程", "工作流程", "审批程序", "服务流程", "办事程序", "许可程序"),
}

# longest label first so 申请材料目录 wins over 申请材料, 事项名称 over 依据-like shorter words
_LABELS = sorted(((label, cat) for cat, labels in SYNONYMS.items() for label in labels),
                 key=lambda x: -len(x[0]))
_NUMBERING = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十]{1,3}[)）、.．]|[（(]\d{1,2}[)）]"
                        r"|\d{1,2}[、.．)）](?!\d)|[①-⑳])?\s*[【\[〔]?\s*")
_SEP = "：:】]〕　 \t\n"
_INLINE = {"b", "strong", "em", "i", "u", "font", "small", "big", "sup", "sub", "abbr", "code",
           "mark", "s", "strike", "nobr"}
_SKIP = {"script", "style", "noscript", "template", "head", "title", "select", "option", "button"}
_BLANK = re.compile(r"^[\s\u3000:：;；,，.。、\-—_/／|]*$")
_NONE_VALUES = {"无", "暂无", "空", "待补充", "-", "—", "／", "/", "null", "none", "undefined"}
_PHONE = re.compile(r"(?<!\d)(?:0\d{2,3}[-－—\s]?\d{7,8}|1[3-9]\d{9}|\d{7,8}|12345|"
                    r"400[-－]?\d{3}[-－]?\d{4}|\(0\d{2,3}\)\s?\d{7,8}|（0\d{2,3}）\s?\d{7,8})(?!\d)")
_MAX_VALUE = 200


def _match_label(text: str) -> tuple[str, str, str] | None:
    """(category, label, remainder) when ``text`` starts with a label followed by a separator."""
    head = _NUMBERING.sub("", text, count=1)
    if not head:
        return None
    for label, cat in _LABELS:
        if head.startswith(label):
            rest = head[len(label):]
            if not rest or rest[0] in _SEP:
                return cat, label, rest.lstrip(_SEP).strip()
            return None
    return None


class _Chunk:
    __slots__ = ("text", "el")

    def __init__(self, text: str, el):
        self.text = text
        self.el = el


def _chunks(root) -> list[_Chunk]:
    """Text runs in document order, split at element boundaries other than inline formatting;
    each keeps the element it sits in (the nearest non-formatting ancestor)."""
    out: list[_Chunk] = []
    pending: list[str] = []

    def flush(owner):
        text = re.sub(r"\s+", " ", "".join(pending)).strip()
        if text:
            out.append(_Chunk(text, owner))
        pending.clear()

    def walk(el, owner):
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP:
            return
        if tag in _INLINE:
            if el.text:
                pending.append(el.text)
            for child in el:
                walk(child, owner)
                if child.tail:
                    pending.append(child.tail)
            return
        flush(owner)
        if el.text:
            pending.append(el.text)
        for child in el:
            walk(child, el)
            if child.tail:
                pending.append(child.tail)
        flush(el)

    walk(root, root)
    flush(root)
    return out


def _scope(el, label_text: str):
    """The smallest ancestor of ``el`` whose text holds more than the label."""
    size = len(re.sub(r"\s+", "", label_text))
    node = el
    while node is not None:
        text = re.sub(r"\s+", "", node.text_content() or "")
        if len(text) > size:
            return node
        node = node.getparent()
    return None


def _inside(el, scope) -> bool:
    while el is not None:
        if el is scope:
            return True
        el = el.getparent()
    return False


def _tab_panel(el, doc) -> str | None:
    """Text of the panel a tab label points to (href="#id", aria-controls, data-target)."""
    node = el
    for _ in range(3):
        if node is None:
            break
        for attr in ("aria-controls", "data-target", "data-tab", "href"):
            ref = (node.get(attr) or "").strip()
            if attr == "href" and not ref.startswith("#"):
                continue
            ref = ref.lstrip("#")
            if not ref:
                continue
            found = doc.xpath("//*[@id=$id]", id=ref)
            if found:
                return re.sub(r"\s+", " ", found[0].text_content() or "").strip()
        node = node.getparent()
    return None


def _indexed_panel(el) -> str | None:
    """Tabs without ids: the i-th tab of a bar whose every item is a label takes the text of the
    i-th child of the panel container right after the bar (same number of children)."""
    item = el
    while item is not None and item.tag not in ("li", "a", "span", "div", "button"):
        item = item.getparent()
    if item is None or item.getparent() is None:
        return None
    if item.tag == "a" and item.getparent().tag == "li":
        item = item.getparent()
    bar = item.getparent()
    tabs = [c for c in bar if isinstance(c.tag, str)]
    if len(tabs) < 2 or not all(_match_label(re.sub(r"\s+", " ", t.text_content()).strip())
                                for t in tabs):
        return None
    container = bar.getnext()
    while container is not None and not isinstance(container.tag, str):
        container = container.getnext()
    if container is None:
        return None
    panels = [c for c in container if isinstance(c.tag, str)]
    if len(panels) != len(tabs):
        return None
    return re.sub(r"\s+", " ", panels[tabs.index(item)].text_content() or "").strip()


def _has_value(value: str) -> bool:
    v = value.strip()
    return bool(v) and not _BLANK.match(v) and v.lower() not in _NONE_VALUES


def inspect_guide(html: str | None) -> dict:
    """``{"elements": {cat: {"present", "label", "value"}}, "review": [...], "title"}``."""
    doc = parse_html(html)
    found: dict[str, dict] = {}
    review: list[dict] = []
    if doc is None:
        return {"elements": {c: {"present": False, "label": None, "value": None}
                             for c in CATEGORIES}, "review": [], "title": None}
    body = doc.find("body")
    chunks = _chunks(body if body is not None else doc)
    labels = [(i, _match_label(c.text)) for i, c in enumerate(chunks)]
    for i, hit in labels:
        if not hit:
            continue
        cat, label, rest = hit
        chunk = chunks[i]
        value = rest
        if not _has_value(value):
            panel = _tab_panel(chunk.el, doc) if chunk.el is not None else None
            if panel is None and chunk.el is not None:
                panel = _indexed_panel(chunk.el)
            if panel is not None:
                value = panel
            else:
                scope = _scope(chunk.el, chunk.text) if chunk.el is not None else None
                parts = []
                for j in range(i + 1, len(chunks)):
                    if labels[j][1] or scope is None or not _inside(chunks[j].el, scope):
                        break
                    parts.append(chunks[j].text)
                    if sum(map(len, parts)) > _MAX_VALUE:
                        break
                value = " ".join(parts)
        present = _has_value(value)
        entry = {"present": present, "label": label, "value": value[:_MAX_VALUE]}
        old = found.get(cat)
        if old is None or (present and not old["present"]):
            found[cat] = entry
    if "事项名称" not in found or not found["事项名称"]["present"]:
        heading = doc.xpath("//h1|//h2")
        title = re.sub(r"\s+", " ", heading[0].text_content()).strip() if heading else ""
        if title and not _match_label(title) and len(title) <= 80:
            found["事项名称"] = {"present": True, "label": "(标题)", "value": title}
    phone = found.get("联系电话")
    if phone and phone["present"] and not _PHONE.search(phone["value"]):
        review.append({"category": "联系电话", "label": phone["label"], "value": phone["value"],
                       "reason": "联系电话要素中没有可识别的电话号码，可能不准确"})
    elements = {c: found.get(c) or {"present": False, "label": None, "value": None}
                for c in CATEGORIES}
    titles = doc.xpath("//title")
    return {"elements": elements, "review": review,
            "title": (titles[0].text_content().strip() if titles else None) or None}


def guide_elements(html: str | None) -> dict[str, bool]:
    """{category: present} for the 8 categories (``xunjian extract``'s ``guide_elements``)."""
    return {c: e["present"] for c, e in inspect_guide(html)["elements"].items()}


def missing_elements(html: str | None) -> list[str]:
    return [c for c, ok in guide_elements(html).items() if not ok]


# -- forms and attachments ----------------------------------------------------------------------

FILE_EXTENSIONS = ("doc", "docx", "xls", "xlsx", "pdf", "wps", "et", "zip", "rar", "7z", "odt",
                   "ods", "txt", "csv", "ppt", "pptx", "ofd")
_FILE_EXT = re.compile(r"\.(" + "|".join(FILE_EXTENSIONS) + r")(?:$|[?#])", re.I)
_FORM_NAME = re.compile(r"[\u4e00-\u9fff《》“”（）()]{0,24}?(?:申请表|登记表|申报表|审批表|备案表|"
                        r"申请书|承诺书|审核表|情况表|样表|表格|附件\s*\d{0,2})")
_DOWNLOAD_TEXT = re.compile(r"下载|附件|点击获取")


def download_links(doc, base_url: str) -> list[dict]:
    """Links that offer a file: an attachment extension, or 下载/附件 in their text."""
    from urllib.parse import urljoin

    out, seen = [], set()
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        text = re.sub(r"\s+", " ", a.text_content() or "").strip()
        if not (_FILE_EXT.search(href) or _DOWNLOAD_TEXT.search(text)):
            continue
        url = urljoin(base_url, href)
        if url not in seen:
            seen.add(url)
            out.append({"url": url, "text": text[:100], "_el": a})
    return out


def form_mentions(doc, downloads: list[dict]) -> list[dict]:
    """Forms the guide names (申请表, 登记表, 附件1 …) and whether a download link offers each:
    the name is (inside) a download link, a download link's text names it, or the very next text
    is a download link of its own (``申请表 [下载]``, ``附件1：[xxx.doc]``) that names no other
    form."""
    by_el = {id(d["_el"]): d for d in downloads}
    mentions: dict[str, dict] = {}
    body = doc.find("body")
    chunks = _chunks(body if body is not None else doc)
    for i, chunk in enumerate(chunks):
        for m in _FORM_NAME.finditer(chunk.text):
            name = m.group(0).strip("《》“”()（） ")
            if len(name) < 2 or name in mentions:
                continue
            offered = None
            here = _link_of(chunk.el, by_el)
            if here is not None:
                offered = here["url"]
            if offered is None:
                offered = next((d["url"] for d in downloads if name in d["text"]), None)
            last = not re.search(r"[\u4e00-\u9fff]", chunk.text[m.end():])
            if offered is None and last and i + 1 < len(chunks):
                nxt = _link_of(chunks[i + 1].el, by_el)
                if nxt is not None and (name.startswith("附件")
                                        or not _FORM_NAME.search(nxt["text"])):
                    offered = nxt["url"]
            mentions[name] = {"name": name, "text": chunk.text[:120], "offered": offered}
    return list(mentions.values())


def _link_of(el, by_el: dict) -> dict | None:
    while el is not None:
        if id(el) in by_el:
            return by_el[id(el)]
        el = el.getparent()
    return None


def guide_facts(html: str | None, url: str) -> dict:
    """What the spider stores of one guide page: elements, review notes, downloads, forms."""
    found = inspect_guide(html)
    doc = parse_html(html)
    downloads = download_links(doc, url) if doc is not None else []
    mentions = form_mentions(doc, downloads) if doc is not None else []
    return {"elements": found["elements"], "review": found["review"], "title": found["title"],
            "downloads": [{k: v for k, v in d.items() if k != "_el"} for d in downloads],
            "mentions": mentions}
