"""Body decoding and page judgement: soft 404s and anti-bot (WAF) challenge pages.

Everything here is pure; the pattern automata are built once, on first use.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick
from lxml import etree

from xunjian.base.html import parse_html

# ---------------------------------------------------------------------------------------------
# decoding

_GBK_FAMILY = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936", "ms936", "euc-cn", "gb18030"}
_LATIN_FAMILY = {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252", "cp1252"}
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([a-zA-Z0-9_.:\-]+)""")
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _codec(label: str | None) -> str | None:
    """Python codec for a charset label (GB2312/GBK are read as their superset GB18030)."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _GBK_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode_strict(body: bytes, codec: str) -> str | None:
    """Decode strictly; a multi-byte sequence cut by the read limit at the very end is dropped."""
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.end >= len(body) and exc.start >= len(body) - 4:
            try:
                return body[: exc.start].decode(codec)
            except UnicodeDecodeError:
                return None
        return None
    except LookupError:
        return None


def declared_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _CT_CHARSET.search(content_type)
    return match.group(1) if match else None


def decode_body(body: bytes, content_type: str | None) -> str:
    """Text of an HTML body: header charset → BOM → <meta charset> → UTF-8 → GB18030.

    A declared charset that does not decode cleanly is skipped.  Latin-1/ASCII labels are only
    a last resort: on Chinese sites they are usually a server default, not the real encoding.
    """
    if not body:
        return ""
    header = declared_charset(content_type)
    weak = header is not None and header.lower() in _LATIN_FAMILY
    candidates: list[str | None] = [] if weak else [_codec(header)]
    for bom, codec in _BOMS:
        if body.startswith(bom):
            candidates.append(codec)
            body = body[len(bom):]
            break
    head = body[:4096]
    meta = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if meta:
        label = meta.group(1).decode("ascii", "replace")
        # a <meta> that says UTF-16 in an ASCII-compatible document means UTF-8 (WHATWG)
        candidates.append("utf-8" if label.lower().startswith("utf-16") else _codec(label))
    candidates += ["utf-8", "gb18030"]
    tried: set[str] = set()
    for codec in candidates:
        if codec is None or codec in tried:
            continue
        tried.add(codec)
        text = _decode_strict(body, codec)
        if text is not None:
            return text
    return body.decode(_codec(header) if weak else "gb18030", "replace")


# ---------------------------------------------------------------------------------------------
# page text


def normalise_text(text: str) -> str:
    """Lower case, no whitespace (incl. full-width), full-width comma as ASCII comma."""
    return "".join(text.split()).lower().replace("，", ",")


_TAG = re.compile(r"<[^>]*>")


def page_text(html: str) -> tuple[str, list[str]]:
    """(title, visible text nodes) of an HTML document; plain text gives its lines."""
    if "<" not in html:
        return "", html.splitlines()
    root = parse_html(html)  # the one parser of every page reader (no depth limit)
    if root is None:
        return "", _TAG.split(html)
    title = ""
    title_el = root.find(".//title")
    if title_el is not None:
        title = "".join(title_el.itertext())
    etree.strip_elements(root, "head", "script", "style", "noscript", "template", with_tail=False)
    return title.strip(), [text for text in root.itertext() if text.strip()]


# ---------------------------------------------------------------------------------------------
# signatures

# Phrases that on their own mark an error page (whitespace-free, lower case, ASCII comma).
SOFT404_STRONG = (
    "页面不存在", "网页不存在", "您访问的页面不存在", "您所访问的页面不存在",
    "您要访问的页面不存在",
    "找不到页面", "找不到该页面", "找不到网页", "找不到您要的页面", "找不到文件或目录",
    "无法找到该页", "无法找到该网页", "页面未找到", "页面没有找到", "页面找不到了",
    "该页面已被删除", "页面已被删除", "页面已删除", "该信息已删除", "信息已被删除",
    "该信息不存在", "信息不存在或已删除", "文章不存在", "文档不存在",
    "文件不存在", "附件不存在", "文件已被删除",
    "抱歉,您访问的页面", "对不起,您访问的页面", "抱歉,您要访问的页面", "对不起,您要访问的页面",
    "404notfound", "pagenotfound",
    "thepageyourequestedwasnotfound", "theresourcecannotbefound",
)
# Phrases that mark an error page only in a short title or a near-empty body.
SOFT404_WEAK = ("404", "notfound", "出错了", "404错误", "错误404")

# Anti-bot / WAF signatures → vendor ("" = generic challenge wording).
WAF_VENDOR = {
    "$_ts": "瑞数", "瑞数": "瑞数",
    "__jsluid": "加速乐", "__jsl_clearance": "加速乐", "jiasule": "加速乐", "加速乐": "加速乐",
    "知道创宇": "知道创宇", "创宇盾": "知道创宇", "yunaq": "知道创宇",
    "safedog": "安全狗", "安全狗": "安全狗", "网站防火墙": "安全狗",
    "yunsuo": "云锁", "云锁": "云锁",
    "360wzws": "360网站卫士", "360wzb": "360网站卫士", "wangzhan.360.cn": "360网站卫士",
    "360网站卫士": "360网站卫士",
    "yunjiasu": "百度云加速",
    "cf-chl": "Cloudflare", "cf_chl": "Cloudflare", "challenge-platform": "Cloudflare",
    "cf-mitigated": "Cloudflare", "cloudflare": "Cloudflare",
}
WAF_GENERIC = (
    "请开启javascript", "请启用javascript", "请打开javascript", "enablejavascript",
    "访问验证", "安全验证", "人机验证", "滑动验证", "访问被拦截", "请求被拦截", "已被拦截",
    "访问过于频繁", "访问频率过快", "justamoment",
)
# Vendor marks trusted even on a 2xx answer (when the page has next to no visible text).
WAF_STRONG_BODY = frozenset({"$_ts", "__jsl_clearance", "jiasule", "safedog", "yunsuo",
                             "360wzws", "cf-chl", "cf_chl", "challenge-platform"})

WAF_STATUSES = frozenset({202, 403, 412, 429, 503, 521})
# Soft-404 judgement works on text blocks (title segments, text nodes), not on the whole page:
# an error message is a short block made mostly of the phrase ("该页面不存在！"), or a short
# sentence addressed to the reader ("抱歉，您访问的页面不存在或已被删除"); an article that
# mentions "页面不存在" or "404" in a sentence of prose is not an error page.
STRONG_TEXT_LIMIT = 5000  # visible characters: larger pages are never soft 404s by body text
PROSE_BLOCK = 300  # a page with a text block this long is an article
WEAK_TEXT_LIMIT = 200  # weak phrases ("404", "出错了") count in near-empty pages only
ADDRESSED_BLOCK = 80  # a block this short that speaks to the reader may carry a strong phrase
STRONG_RATIO = 2.5  # otherwise a block may be at most this many times the phrase length
WEAK_RATIO = 3.0
_ADDRESSED = ("您", "抱歉", "对不起", "sorry")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TITLE_SEPARATORS = re.compile(r"[-_|–—:：·]+")


@dataclass(frozen=True)
class _Pattern:
    text: str
    kind: str  # "strong" | "weak" | "waf"
    vendor: str = ""
    rank: int = 0  # position in its list: earlier wins a tie in the detail text


def _build(patterns: Iterable[_Pattern]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for pattern in patterns:
        automaton.add_word(pattern.text, pattern)
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=1)
def _soft404_automaton() -> ahocorasick.Automaton:
    return _build([_Pattern(p, "strong", rank=i) for i, p in enumerate(SOFT404_STRONG)]
                  + [_Pattern(p, "weak", rank=i) for i, p in enumerate(SOFT404_WEAK)])


@lru_cache(maxsize=1)
def _waf_automaton() -> ahocorasick.Automaton:
    return _build([_Pattern(p, "waf", v) for p, v in WAF_VENDOR.items()]
                  + [_Pattern(p, "waf") for p in WAF_GENERIC])


def _matches(automaton: ahocorasick.Automaton, haystack: str) -> list[_Pattern]:
    """Patterns found in a haystack; all-digit patterns must not touch other digits."""
    found: list[_Pattern] = []
    for end, pattern in automaton.iter(haystack):
        if pattern.text.isdigit():
            start = end - len(pattern.text) + 1
            if (start > 0 and haystack[start - 1].isdigit()) or (
                end + 1 < len(haystack) and haystack[end + 1].isdigit()
            ):
                continue
        found.append(pattern)
    return found


def _header_text(headers: Mapping[str, str] | None) -> str:
    if not headers:
        return ""
    return "\n".join(f"{name}:{value}" for name, value in headers.items())


@dataclass(frozen=True)
class Judgement:
    outcome: str
    reason: str
    detail: str


def judge_page(
    status: int, html: str, title: str = "", headers: Mapping[str, str] | None = None
) -> Judgement | None:
    """WAF challenge / bare 403-429 / soft 404 verdict, or None when the status alone decides."""
    if status in WAF_STATUSES:
        body_hits = _matches(_waf_automaton(), normalise_text(html))
        head_hits = _matches(_waf_automaton(), normalise_text(_header_text(headers)))
        hits = body_hits + head_hits
        if hits:
            vendor = next((h.vendor for h in hits if h.vendor), "")
            who = f"（{vendor}）" if vendor else ""
            return Judgement("blocked", "waf_challenge",
                             f"HTTP {status}：网站防护{who}返回验证页面，需浏览器复核")
    if status in (403, 429):
        label = "禁止访问" if status == 403 else "请求过于频繁"
        return Judgement("blocked", f"http_{status}",
                         f"HTTP {status}：{label}（可能为防火墙或访问频率限制），需浏览器复核")
    if not 200 <= status < 300:
        return None
    found_title, blocks = page_text(html)
    norm_blocks = [b for b in (normalise_text(block) for block in blocks) if b]
    size = sum(map(len, norm_blocks))
    if size <= WEAK_TEXT_LIMIT:
        strong_waf = [h for h in _matches(_waf_automaton(), normalise_text(html))
                      if h.text in WAF_STRONG_BODY]
        if strong_waf:
            return Judgement("blocked", "waf_challenge",
                             f"HTTP {status}：网站防护（{strong_waf[0].vendor}）返回验证页面，"
                             "需浏览器复核")
    phrase = _soft404_phrase(title or found_title, norm_blocks, size)
    if phrase:
        return Judgement("broken", "soft_404", f"HTTP {status}，但页面内容为错误提示：“{phrase}”")
    return None


def soft404_phrase(html: str, title: str = "") -> str | None:
    """The error phrase that makes a 2xx page a soft 404 (“页面不存在”), or None."""
    found_title, blocks = page_text(html)
    norm_blocks = [b for b in (normalise_text(block) for block in blocks) if b]
    return _soft404_phrase(title or found_title, norm_blocks, sum(map(len, norm_blocks)))


def _message_hits(block: str) -> list[_Pattern]:
    """Soft-404 phrases that make up an error message in this (normalised) text block."""
    hits = []
    for hit in _matches(_soft404_automaton(), block):
        weak = hit.kind == "weak"
        ascii_phrase = not _CJK.search(hit.text)
        if weak and ascii_phrase and _CJK.search(block):  # "第404号", "404页面设计规范"
            continue
        ratio = WEAK_RATIO if weak else STRONG_RATIO
        addressed = (ascii_phrase and not weak) or any(word in block for word in _ADDRESSED)
        if len(block) <= ratio * len(hit.text) or (addressed and len(block) <= ADDRESSED_BLOCK):
            hits.append(hit)
    return hits


def _soft404_phrase(title: str, norm_blocks: list[str], size: int) -> str | None:
    segments = [normalise_text(s) for s in _TITLE_SEPARATORS.split(title)]
    title_hits = [hit for segment in segments if segment for hit in _message_hits(segment)]
    if title_hits:
        return _best(title_hits)
    if size > STRONG_TEXT_LIMIT or any(len(block) > PROSE_BLOCK for block in norm_blocks):
        return None
    hits = [hit for block in norm_blocks for hit in _message_hits(block)]
    if size > WEAK_TEXT_LIMIT:
        hits = [hit for hit in hits if hit.kind == "strong"]
    return _best(hits) if hits else None


def _best(hits: list[_Pattern]) -> str:
    return max(hits, key=lambda h: (h.kind == "strong", len(h.text), -h.rank)).text


def classify_html(
    status: int, body_text: str, title: str, headers: Mapping[str, str] | None
) -> tuple[str, str] | None:
    """(outcome, reason) for a soft 404 or an anti-bot answer; None when the status decides.

    ``body_text`` is the decoded page (HTML source or plain text, at most max_body of it);
    ``title`` may be "" (then it is read from the HTML).
    """
    judgement = judge_page(status, body_text, title, headers)
    return (judgement.outcome, judgement.reason) if judgement else None
