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

The labels are data: scoring/rules/census-2015.toml ``service.guide`` params ``synonyms``
(category → labels) and ``other_labels`` — labels of no category (法定时限, 承诺时限, 收费标准,
附件下载…) that end the previous element's value, so an empty 办理时间 never borrows the time
limit below it. Forms: a mentioned form is a named document ending in a word of
``service.attachments`` params ``form_words`` (or a numbered 附件1); see ``form_mentions``.
"""

from __future__ import annotations

import re
from functools import cache

from xunjian.base.html import parse_html
from xunjian.scoring.rules import load_rules

CATEGORIES = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话",
              "办理流程")



@cache
def _guide_params() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """(category → synonyms, other labels) from the rules file (service.guide params), where a
    reviewer reads them; ``other_labels`` end a value but are none of the 8 categories."""
    params = load_rules().indicator("service.guide").params
    synonyms = {cat: tuple(params["synonyms"][cat]) for cat in CATEGORIES}
    return synonyms, tuple(params.get("other_labels", ()))


Labels = tuple[tuple[str, "str | None"], ...]


@cache
def _labels() -> Labels:
    """(label, category or None) — longest first, so 申请材料目录 wins over 申请材料 and
    办理时限 (no category) is never read as a shorter label."""
    synonyms, others = _guide_params()
    return label_table(synonyms, others)


def label_table(synonyms: dict[str, tuple[str, ...]], others: tuple[str, ...] = ()) -> Labels:
    """The reader's labels for a set of categories (category → labels) and the labels of no
    category that end a value: a label of a category wins over the same label in ``others``."""
    pairs = {label: cat for cat, labels in synonyms.items() for label in labels}
    for label in others:
        pairs.setdefault(label, None)
    return tuple(sorted(pairs.items(), key=lambda x: -len(x[0])))


def synonyms() -> dict[str, tuple[str, ...]]:
    """The 8 categories' labels as the rules file gives them."""
    return dict(_guide_params()[0])


def other_labels() -> tuple[str, ...]:
    """Labels of no category of the census-2015 rules file (法定时限, 收费标准, 附件下载…)."""
    return _guide_params()[1]


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


def _match_label(text: str, labels: Labels | None = None
                 ) -> tuple[str | None, str, str] | None:
    """(category, label, remainder) when ``text`` starts with a label followed by a separator;
    category None for a known label of no category (法定时限, 收费标准…)."""
    head = _NUMBERING.sub("", text, count=1)
    if not head:
        return None
    for label, cat in labels or _labels():
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

    # a walk with its own stack (a page may nest hundreds of levels): ("open", el, owner) reads
    # an element; ("close", el, tail) ends a block element, then takes the tail after it
    todo: list[tuple] = [("open", root, root, None)]
    while todo:
        step, el, owner, tail = todo.pop()
        if step == "tail":
            if tail:
                pending.append(tail)
            continue
        if step == "close":
            flush(el)
            if tail:
                pending.append(tail)
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP:
            if tail:
                pending.append(tail)
            continue
        inline = tag in _INLINE
        if not inline:
            flush(owner)
        if el.text:
            pending.append(el.text)
        inner = owner if inline else el
        todo.append(("tail", el, owner, tail) if inline else ("close", el, owner, tail))
        for child in reversed(el):
            todo.append(("open", child, inner, child.tail))
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


def _indexed_panel(el, labels: Labels | None = None) -> str | None:
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
    if len(tabs) < 2 or not all(_match_label(re.sub(r"\s+", " ", t.text_content()).strip(),
                                             labels) for t in tabs):
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


def _linked(el) -> bool:
    """Whether ``el`` holds or sits in a link to another page (a policy's full text)."""
    if el is None:
        return False
    links = list(el.iter("a")) + [a for a in el.iterancestors("a")]
    return any((a.get("href") or "").strip()[:1] not in ("", "#")
               and not (a.get("href") or "").lower().startswith("javascript") for a in links)


def _value_of(i: int, chunks: list[_Chunk], hits: list, doc, labels: Labels,
              max_value: int, keep_rest: bool = False) -> tuple[str, object]:
    """The value of the label of chunk ``i`` and the element it was read from: the rest of the
    chunk, a tab's panel, else the chunks after it within the label's scope (``keep_rest``:
    else the rest of the chunk even when it says nothing, 无 / 暂无, for the reader to judge)."""
    chunk = chunks[i]
    value = hits[i][1][2]
    if _has_value(value):
        return value, chunk.el
    panel = _tab_panel(chunk.el, doc) if chunk.el is not None else None
    if panel is None and chunk.el is not None:
        panel = _indexed_panel(chunk.el, labels)
    if panel is not None:
        return panel, None
    scope = _scope(chunk.el, chunk.text) if chunk.el is not None else None
    parts = []
    for j in range(i + 1, len(chunks)):
        if hits[j][1] or scope is None or not _inside(chunks[j].el, scope):
            break
        parts.append(chunks[j].text)
        if sum(map(len, parts)) > max_value:
            break
    return " ".join(parts) or (value if keep_rest else ""), scope


def inspect_guide(html: str | None, categories: tuple[str, ...] = CATEGORIES,
                  labels: Labels | None = None, max_value: int = _MAX_VALUE,
                  extra: bool = False) -> dict:
    """``{"elements": {cat: {"present", "label", "value"}}, "review": [...], "title"}``.

    Defaults read the census-2015 categories and labels. Another table passes its own
    ``categories`` and ``labels`` (``label_table``), a longer ``max_value``, and ``extra`` to
    have each element say whether a link sits in its value (``linked``)."""
    doc = parse_html(html)
    labels = labels or _labels()
    found: dict[str, dict] = {}
    review: list[dict] = []
    if doc is None:
        return {"elements": {c: {"present": False, "label": None, "value": None}
                             for c in categories}, "review": [], "title": None}
    body = doc.find("body")
    chunks = _chunks(body if body is not None else doc)
    hits = [(i, _match_label(c.text, labels)) for i, c in enumerate(chunks)]
    for i, hit in hits:
        if not hit or hit[0] is None or hit[0] not in categories:
            continue  # 法定时限 etc.: ends the previous value, counts for nothing
        cat, label, _ = hit
        value, where = _value_of(i, chunks, hits, doc, labels, max_value, extra)
        present = _has_value(value)
        entry = {"present": present, "label": label, "value": value[:max_value]}
        if extra:
            entry["linked"] = _linked(where)
        old = found.get(cat)
        if old is None or (present and not old["present"]):
            found[cat] = entry
    if "事项名称" in categories and ("事项名称" not in found
                                      or not found["事项名称"]["present"]):
        heading = doc.xpath("//h1|//h2")
        title = re.sub(r"\s+", " ", heading[0].text_content()).strip() if heading else ""
        if title and not _match_label(title, labels) and len(title) <= 80:
            found["事项名称"] = {"present": True, "label": "(标题)", "value": title}
    phone = found.get("联系电话")
    digits = re.sub(r"(?<=\d)[\s\u3000](?=\d)", "", phone["value"]) if phone else ""
    if phone and phone["present"] and not _PHONE.search(digits):  # 0371-6712 3456 is a number
        review.append({"category": "联系电话", "label": phone["label"], "value": phone["value"],
                       "reason": "联系电话要素中没有可识别的电话号码，可能不准确"})
    elements = {c: found.get(c) or {"present": False, "label": None, "value": None}
                for c in categories}
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
_FILE_EXT = re.compile(r"\.(" + "|".join(FILE_EXTENSIONS) + r")(?:$|[?#&])", re.I)
_DOWNLOAD_TEXT = re.compile(r"下载|附件|点击获取")
# a link whose whole text is one of these leads to a download PAGE (a column), not to a file
_HEADING_TEXT = re.compile(r"^[\s【\[]*(?:(?:相关|常用|办事)?(?:附件|表格|资料|文件)下载"
                           r"(?:中心|专区)?|(?:相关|常用)?下载(?:中心|专区)|相关附件|相关下载)"
                           r"[\s】\]：:>»]*$")
_ATTACHMENT_NO = re.compile(r"附件\s*(\d{1,2})(?!\d)")
# what may stand before a form's name and is not part of it (提交《…》, 填写…申请表, 和, 、)
_NAME_CUT = re.compile(r".*(?:提交|填写|填报|出具|签署|签订|下载|打印|领取|提供|附上|及|"
                       r"(?<!共)和|或|与|并|需|[、，,；;：:。])")
_PUNCT = re.compile(r"[\s《》“”\"'（）()【】\[\]：:、，,；;。.·_\-—]+")


@cache
def _form_words() -> tuple[str, ...]:
    """The rules file's form words (service.attachments form_words), longest first."""
    words = load_rules().indicator("service.attachments").params["form_words"]
    return tuple(sorted(words, key=len, reverse=True))


def form_words() -> tuple[str, ...]:
    """The census rules file's form words (service.attachments form_words), longest first."""
    return _form_words()


@cache
def _form_pattern(words: tuple[str, ...] | None = None) -> re.Pattern:
    """A named form: up to 24 Chinese characters ending in a form word of the rules file
    (service.attachments form_words, or the ``words`` given), or a numbered attachment (附件1)."""
    words = words or _form_words()
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(r"《[^》]{0,40}?(?:" + alternatives + r")》"
                      r"|[\u4e00-\u9fff“”]{0,24}?(?:" + alternatives + r")"
                      r"|附件\s*\d{1,2}(?!\d)")


def _file_name(url: str) -> str:
    """The file name a URL offers, %-decoded (UTF-8, else GBK): last path segment, or a
    ``filename=`` style query value."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    candidates = [parts.path.rsplit("/", 1)[-1]]
    candidates += [v for k, v in (q.partition("=")[::2] for q in parts.query.split("&"))
                   if _FILE_EXT.search(v + "&")]
    out = []
    for raw in candidates:
        try:
            name = unquote(raw, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            name = unquote(raw, encoding="gbk", errors="replace")
        out.append(name)
    return " ".join(x for x in out if x)


def download_links(doc, base_url: str) -> list[dict]:
    """Links that offer a file: an attachment extension in the URL or the link text, or
    下载/附件 in their text — not a heading-like link (表格下载, 相关附件) to a download page.
    ``name`` is the decoded file name of the URL (``…申请表.docx``, %-encoded names)."""
    from urllib.parse import urljoin

    out, seen = [], set()
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        text = re.sub(r"\s+", " ", a.text_content() or "").strip()
        is_file = bool(_FILE_EXT.search(href) or _FILE_EXT.search(text + "&"))
        if not is_file and (not _DOWNLOAD_TEXT.search(text) or _HEADING_TEXT.match(text)):
            continue
        url = urljoin(base_url, href)
        if url not in seen:
            seen.add(url)
            out.append({"url": url, "text": text[:100], "name": _file_name(url)[:100],
                        "_el": a})
    return out


def _form_name(found: str) -> str:
    if found.startswith("《"):
        return found.strip("《》")
    if _ATTACHMENT_NO.fullmatch(found):
        return re.sub(r"\s+", "", found)
    return _NAME_CUT.sub("", found).strip("“”()（） ")


def _names(name: str, link: dict, words: tuple[str, ...] | None = None) -> bool:
    """Whether a download link (its text or file name) offers the form called ``name``."""
    number = _ATTACHMENT_NO.fullmatch(name)
    labels = [link.get("text") or "", link.get("name") or ""]
    if number:
        return any(re.match(r"\W*附件\s*" + number.group(1) + r"(?!\d)", x) for x in labels)
    want = _PUNCT.sub("", name)
    form = _form_pattern(words)
    for label in labels:
        label = _PUNCT.sub("", _FILE_EXT.sub("", label))
        label = re.sub(r"^附件\d{0,2}", "", label)
        if not label:
            continue
        if want in label:
            return True
        # a shorter file name of the same form: 登记表.doc offers 户籍登记表
        if len(label) >= 3 and form.fullmatch(label) and label in want:
            return True
    return False


def form_mentions(doc, downloads: list[dict], words: tuple[str, ...] | None = None
                  ) -> list[dict]:
    """Forms the guide names (《…申请表》, 户籍登记表, 承诺书, 附件1 …) and whether a download link
    offers each: the name is (inside) a download link; a download link's text or file name
    names it; or the very next text after the name (only punctuation between) is a download
    link of its own that names no other form (``申请表 [下载]``, ``附件1：[xxx.doc]``).
    Headings (附件下载, 相关附件, 附件：, 表格下载) name no document and are not mentions.
    ``words``: the form words of another table (default: the census's form_words)."""
    by_el = {id(d["_el"]): d for d in downloads}
    mentions: dict[str, dict] = {}
    body = doc.find("body")
    chunks = _chunks(body if body is not None else doc)
    pattern = _form_pattern(words)
    for i, chunk in enumerate(chunks):
        for m in pattern.finditer(chunk.text):
            name = _form_name(m.group(0))
            if len(name) < 3 or name in mentions:
                continue
            offered = None
            here = _link_of(chunk.el, by_el)
            if here is not None:
                offered = here["url"]
            if offered is None:
                offered = next((d["url"] for d in downloads if _names(name, d, words)), None)
            last = not re.search(r"[\u4e00-\u9fff\w]", chunk.text[m.end():])
            if offered is None and last and i + 1 < len(chunks):
                nxt = _link_of(chunks[i + 1].el, by_el)
                if nxt is not None and (name.startswith("附件")
                                        or not pattern.search(nxt["text"])):
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
