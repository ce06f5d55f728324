"""What one page shows of the 2019 checklist's 功能设计 part: its footer marks, its meta tags, its
我为政府网站找错 entry and the site name in its header — pure functions of the page's HTML.

The spider calls :func:`page_design` on every HTML page it parses and stores the small dict it
returns on the page (``design``); ``inspectors/design_checks.py`` turns those facts into findings.

* The footer is the page's last part: from the first footer-like element (``<footer>``, an id or
  class ``foot``/``footer``/``bottom``/``copyright``/``bq``) in the page's second half to the end;
  without one, the last ``TAIL_CHARS`` characters of the page's text. An empty footer element
  (filled by a script, ``$("#footer").load(…)``) is ``scripted``: a plain fetch cannot see it.
* The 党政机关网站标识 (the conac mark) is recognised by what it is — a link to
  ``…/sitename?method=show&id=…``, an image ``red.png`` under a ``conac`` path, an alt or title
  naming 党政机关, the ``_ideConac`` holder or the conac script — not by its domain only: sites
  serve it through their own proxies (``/govproxy/conac/sitename?…``).
* The 找错 entry likewise: text or alt 找错, the ``_jiucuo_`` script, ``jiucuo``/``zhaocuo``/
  ``zfwzzc`` paths, wherever they are served from.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.etree

from xunjian.base.html import parse_html

#: The six items the footer must carry (design.marks), in the table's order.
MARK_ITEMS = ("党政机关网站标识", "网站标识码", "ICP备案编号", "公安机关备案标识", "主办单位",
              "联系方式")
#: The 政府网站网页标签 (meta names, canonical spelling).
TAG_NAMES = ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType",
             "ArticleTitle", "PubDate", "ContentSource")
#: Characters of text read as the footer when no footer element is found.
TAIL_CHARS = 1500
#: Characters of text read as the header when no header element is found.
HEAD_CHARS = 200
#: A footer-like element counts when it starts in the page's second half or ends this close to
#: the page's end (a short page with a long footer).
ENDS_WITHIN = 100
#: A footer element with less text than this is filled by a script.
SCRIPTED_BELOW = 10

_TAGS = {name.lower(): name for name in TAG_NAMES}
_SKIP = {"script", "style", "noscript", "template", "head", "title", "textarea", "select"}
_FOOTER_CLASS = re.compile(r"(?:^|[\s_-])(?:foot\w*|footer\w*|bottom\w*|copyright|copy|bq|banquan)"
                           r"(?:$|[\s_-]|\d)", re.I)
_HEADER_CLASS = re.compile(r"(?:^|[\s_-])(?:head|header|top|banner|logo|masthead)(?:$|[\s_-]|\d)",
                           re.I)
_WS = re.compile(r"[\s\u3000\xa0]+")

_CONAC_LINK = re.compile(r"/sitename\?method=show&id=", re.I)
_CONAC_DOMAIN = re.compile(r"^(?:https?:)?//(?:[\w-]+\.)*conac\.cn(?:[/:?#]|$)", re.I)
_CONAC_IMAGE = re.compile(r"(?:conac[^\"']*|/)red\.png|dzjg\w*\.(?:png|gif|jpg)", re.I)
_CONAC_SCRIPT = re.compile(r"conac\.cn/js/|/conac/.*\.js", re.I)
_REPORT_HREF = re.compile(r"jiucuo|zhaocuo|zfwzzc|zfwzgl\.www\.gov\.cn|exposure/.*site_?code",
                          re.I)
_REPORT_TEXT = re.compile(r"找错")
_REPORT_ANYWHERE = re.compile(r"找错|jiucuo|zhaocuo|zfwzzc|zfwzgl|exposure/", re.I)
_CONAC_ANYWHERE = re.compile(r"conac|sitename\?method|red\.png|党政机关|dzjg", re.I)
_SITE_CODE = re.compile(r"(?:网站)?标识码\s*[:：]?\s*((?:[A-Za-z]{2}\d{8})|\d{10})(?![0-9])")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_ICP = re.compile(rf"[{_PROVINCES}]\s*ICP\s*[备证]\s*\d{{5,}}\s*号?(?:\s*[-－—]\s*\d+)?", re.I)
_POLICE = re.compile(rf"[{_PROVINCES}]\s*公网安备\s*\d{{10,}}\s*号?")
_HOST = re.compile(r"主\s*办(?:\s*单\s*位|\s*方)?\s*[:：]\s*([^\s|｜,，;；©]{2,40})")
_HOST_AFTER = re.compile(r"([\u4e00-\u9fff（）()]{4,40}?)\s*主办(?![单方])")
_PHONE = r"(?:\(?0\d{2,3}\)?[-－\s]?\d{7,8}(?:[-－]\d{1,4})?|1[3-9]\d{9}|[1-9]\d{6,7}|12345)"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_CONTACT = re.compile(
    rf"(?:联系电话|联系方式|服务电话|咨询电话|办公电话|值班电话|电话|Tel|TEL|邮箱|电子邮件|E-?mail|传真)"
    rf"\s*[:：]?\s*(?:{_PHONE}|{_EMAIL})", re.I)
_CONTACT_LINK = re.compile(r"联系我们|联系方式")


def _clean(text: str) -> str:
    return _WS.sub(" ", text or "").strip()


def _walk(body) -> tuple[str, list[list]]:
    """The body's visible text and, for every element in document order, ``[start, end, el]``:
    where its text starts and ends in that text (one pass: an element's text on entering it,
    its tail on leaving it)."""
    parts: list[str] = []
    size = 0
    spans: list[list] = []
    open_spans: list[list] = []
    skipping = 0
    for event, el in lxml.etree.iterwalk(body, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            span = [size, size, el]
            spans.append(span)
            open_spans.append(span)
            if tag in _SKIP or not tag:
                skipping += 1
            elif not skipping and el.text:
                parts.append(el.text)
                size += len(el.text)
            continue
        open_spans.pop()[1] = size
        if tag in _SKIP or not tag:
            skipping -= 1
        if not skipping and el.tail:
            parts.append(el.tail)
            size += len(el.tail)
    return "".join(parts), spans


def _marked(el, pattern, tag_name: str) -> bool:
    """``el`` is a ``tag_name`` element, or its id or class says it is one."""
    if not isinstance(el.tag, str):
        return False
    return el.tag == tag_name or bool(pattern.search(f"{el.get('id') or ''} "
                                                     f"{el.get('class') or ''}"))


def _text_of(el) -> str:
    """An element's own text (a link's words: no script inside an anchor to skip)."""
    return _clean("".join(el.itertext()))


def _footer(text: str, spans) -> tuple[int, dict]:
    """Where the footer starts in the text, and how it was found."""
    half = len(text) / 2
    for start, stop, el in spans:
        if (start >= half or stop >= len(text) - ENDS_WITHIN) and el.tag != "body" \
                and _marked(el, _FOOTER_CLASS, "footer"):
            chars = len(_clean(text[start:stop]))
            return start, {"from": "element", "chars": chars, "scripted": chars < SCRIPTED_BELOW}
    start = max(0, len(text) - TAIL_CHARS)
    return start, {"from": "tail", "chars": len(text) - start, "scripted": False}


def _conac(starts, cut: int, url: str) -> dict | None:
    """The 党政机关网站标识 anywhere on the page (it is unmistakable): link, image, alt, script."""
    found = None
    for offset, _, el in starts:
        tag = el.tag if isinstance(el.tag, str) else ""
        href = (el.get("href") or "").strip() if tag == "a" else ""
        if _CONAC_LINK.search(href) or (_CONAC_DOMAIN.search(href) and (
                offset >= cut or el.find(".//img") is not None)):  # not a 友情链接 to 中央编办
            return {"how": "link", "text": urljoin(url, href)}
        if tag == "img":
            words = f"{el.get('alt') or ''} {el.get('title') or ''}"
            if "党政机关" in words:
                found = found or {"how": "alt", "text": _clean(words)}
            elif _CONAC_IMAGE.search(el.get("src") or "") and offset >= cut:
                found = found or {"how": "image", "text": urljoin(url, el.get("src").strip())}
        elif tag == "a" and "党政机关" in (el.get("title") or ""):
            found = found or {"how": "alt", "text": _clean(el.get("title"))}
        elif (tag == "script" and _CONAC_SCRIPT.search(el.get("src") or "")) or \
                (tag == "script" and "_ideConac" in (el.text or "")) or \
                (tag == "span" and el.get("id") == "_ideConac"):
            found = found or {"how": "script", "text": _clean(el.get("src") or "_ideConac")[:200]}
    return found


def _first(pattern, text: str, group: int = 0) -> str | None:
    m = pattern.search(text)
    return _clean(m.group(group)) if m else None


def _contact(footer_text: str, starts, cut: int) -> dict | None:
    m = _CONTACT.search(footer_text)
    if m:
        return {"how": "text", "text": _clean(m.group(0))}
    m = re.search(_EMAIL, footer_text)
    if m:
        return {"how": "text", "text": m.group(0)}
    if not _CONTACT_LINK.search(footer_text):
        return None
    for offset, _, el in starts:
        if offset >= cut and el.tag == "a" and _CONTACT_LINK.search(_text_of(el)):
            return {"how": "link", "text": _text_of(el)}
    return None


def footer_marks(text: str, starts, cut: int, url: str,
                 conac_named: bool = True) -> dict[str, dict]:
    """The footer items found (item → how it was recognised and the matched text)."""
    foot = text[cut:]
    marks: dict[str, dict] = {}
    conac = _conac(starts, cut, url) if conac_named else None
    if conac:
        marks["党政机关网站标识"] = conac
    for item, pattern, group in (("网站标识码", _SITE_CODE, 1), ("ICP备案编号", _ICP, 0),
                                 ("公安机关备案标识", _POLICE, 0), ("主办单位", _HOST, 1)):
        found = _first(pattern, foot, group)
        if found:
            marks[item] = {"how": "text", "text": found}
    if "主办单位" not in marks:
        found = _first(_HOST_AFTER, foot, 1)
        if found:
            marks["主办单位"] = {"how": "text", "text": found}
    if "公安机关备案标识" not in marks:
        for offset, _, el in starts:
            if offset >= cut and el.tag == "a" and re.search(
                    r"beian\.(?:mps\.)?gov\.cn/.*recordcode=\d+", el.get("href") or "", re.I):
                marks["公安机关备案标识"] = {"how": "link", "text": el.get("href").strip()}
                break
    contact = _contact(foot, starts, cut)
    if contact:
        marks["联系方式"] = contact
    return marks


def page_tags(doc) -> dict[str, str]:
    """The 政府网站网页标签 the page carries with content (canonical name → content)."""
    tags: dict[str, str] = {}
    for meta in doc.iter("meta"):
        name = _TAGS.get((meta.get("name") or "").strip().lower())
        content = _clean(meta.get("content") or "")
        if name and content and name not in tags:
            tags[name] = content[:100]
    return tags


def report_entry(starts, url: str) -> dict | None:
    """The 我为政府网站找错 entry: text, image alt/title, a 找错 platform path or its script."""
    for _, _, el in starts:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "script" and (el.get("id") == "_jiucuo_" or
                                re.search(r"jiucuo\.js", el.get("src") or "", re.I)):
            return {"how": "script", "url": urljoin(url, (el.get("src") or "").strip()),
                    "text": "_jiucuo_"}
        if tag != "a":
            continue
        href = (el.get("href") or "").strip()
        text = _text_of(el)
        if _REPORT_TEXT.search(text):
            return {"how": "text", "url": urljoin(url, href), "text": text[:60]}
        for img in el.iter("img"):
            words = _clean(f"{img.get('alt') or ''} {img.get('title') or ''}")
            if _REPORT_TEXT.search(words):
                return {"how": "alt", "url": urljoin(url, href), "text": words[:60]}
        if _REPORT_HREF.search(href):
            return {"how": "link", "url": urljoin(url, href), "text": text[:60]}
    return None


def header(text: str, spans) -> dict:
    """What the top of the page shows: the text of its header element (or its first
    ``HEAD_CHARS`` characters, at most 30% of its text) and the alt/title of the images there
    (a logo's name)."""
    end = min(HEAD_CHARS, int(len(text) * 0.3))
    for start, stop, el in spans:
        if start > HEAD_CHARS:
            break
        if el.tag not in ("a", "img", "body") and _marked(el, _HEADER_CLASS, "header"):
            end = stop
            break
    alts: list[str] = []
    for start, _, el in spans:
        if start > end:
            break
        if el.tag == "img":
            words = _clean(el.get("alt") or el.get("title") or "")
            if words and words not in alts:
                alts.append(words[:60])
    return {"text": _clean(text[:end])[:120], "alts": alts[:5]}


def page_design(html: str | None, url: str) -> dict | None:
    """The 功能设计 facts of one HTML page (None when it cannot be read):
    ``marks`` (item → {how, text}, found ones only), ``footer`` ({from, chars, scripted}),
    ``tags`` (meta tag → content), ``report_errors`` ({how, url, text} or None), ``header``
    ({text, alts})."""
    doc = parse_html(html)
    if doc is None:
        return None
    body = doc.find("body")
    if body is None:
        body = doc
    text, starts = _walk(body)
    cut, footer = _footer(text, starts)
    # fast paths: a page that names no 找错 platform nor conac anywhere has neither
    entry = report_entry(starts, url) if _REPORT_ANYWHERE.search(html) else None
    return {"marks": footer_marks(text, starts, cut, url, _CONAC_ANYWHERE.search(html)),
            "footer": footer, "tags": page_tags(doc), "report_errors": entry,
            "header": header(text, starts)}


def with_frames(facts: dict | None, frames: list[tuple[str, str]]) -> dict | None:
    """A page's facts with what its frames show (a frameset homepage's footer is a frame): a
    footer item or the 找错 entry the page itself lacks is taken from the first frame showing
    it (``frame``: that frame's URL)."""
    if facts is None or not frames:
        return facts
    wanted = [i for i in MARK_ITEMS if i not in facts["marks"]]
    if not wanted and facts["report_errors"]:
        return facts
    for frame_url, frame_html in frames:
        found = page_design(frame_html, frame_url)
        if found is None:
            continue
        for item in [i for i in wanted if i in found["marks"]]:
            facts["marks"][item] = {**found["marks"][item], "frame": frame_url}
            wanted.remove(item)
        if not facts["report_errors"] and found["report_errors"]:
            facts["report_errors"] = {**found["report_errors"], "frame": frame_url}
    return facts
