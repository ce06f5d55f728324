"""One way to turn page text into an lxml document, shared by every extractor.

Every reader of a page's HTML (list items, links, dates, serious errors, guides, the link
checker's soft-404 reading, htmldate) parses it here, so every one of them sees the same
document, however deep the page nests:

* libxml2 drops everything below 256 nested elements by default (a homepage whose news list
  sits under 300 page-builder ``<div>``s looked empty); ``huge_tree`` lifts that to 2,048, and
  stops the parse there (everything after the deep part is lost too).
* So a tree deeper than ``MAX_DEPTH`` is read the way Chromium reads it (its parser keeps at
  most 512 levels and hangs deeper elements beside the 512th): the markup is re-read with every
  element below ``MAX_DEPTH`` put beside the previous one instead of inside it. No text, link or
  date is lost, only the nesting — and every tree we hand out is at most about ``MAX_DEPTH``
  deep, so no reader meets a 100,000-level tree.
* ``huge_tree`` also lifts libxml2's size limits: at most ``MAX_CHARS`` characters of a page are
  parsed (a page's beginning; a real homepage is well under 1 MB).
"""

from __future__ import annotations

import re
import threading

import lxml.etree
import lxml.html

#: Characters of a page that are parsed at most (the rest is not read).
MAX_CHARS = 5 * 1024 * 1024
#: Nesting kept as written; deeper elements are read as siblings (Chromium's limit).
MAX_DEPTH = 512

_local = threading.local()  # lxml parsers must not be shared between threads
#: True when the tree has an element ``MAX_DEPTH`` + 1 levels down (evaluated in libxml2, one
#: pass over the tree's levels: cheap on any page).
_TOO_DEEP = lxml.etree.XPath("boolean(/" + "/".join(["*"] * (MAX_DEPTH + 1)) + ")")


def _parser() -> lxml.html.HTMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = lxml.html.HTMLParser(huge_tree=True)
    return parser


def _parse(html: str):
    try:
        return lxml.html.document_fromstring(html, parser=_parser())
    except (ValueError, TypeError, lxml.etree.ParserError):
        try:  # an XML declaration with an encoding makes lxml refuse str input
            return lxml.html.document_fromstring(html.encode("utf-8"), parser=_parser())
        except Exception:  # noqa: BLE001 - a page lxml cannot read has nothing to extract
            return None


def _hit_depth_limit() -> bool:
    return any(e.type == lxml.etree.ErrorTypes.ERR_RESOURCE_LIMIT  # "Excessive depth"
               for e in _parser().error_log)


def parse_html(html: str | None):
    """The document, or None for an empty or unparsable page (never raises)."""
    if not html or not html.strip():
        return None
    html = html[:MAX_CHARS]
    doc = _parse(html)
    if doc is not None and not _hit_depth_limit() and not _TOO_DEEP(doc):
        return doc
    flat = _parse(_flattened(html))
    if flat is not None and _TOO_DEEP(flat):  # end tags libxml2 ignored and we did not
        strict = _parse(_flattened(html, strict_ends=True))
        flat = strict if strict is not None else flat
    return flat if flat is not None else doc


def _flattened(html: str, strict_ends: bool = False) -> str:
    """``flatten`` with room for the elements libxml2 adds (html, body, p); the last pages'
    results are kept, as every reader of a page parses it again."""
    cache = getattr(_local, "flat", None)
    if cache is None:
        cache = _local.flat = {}
    key = (html, strict_ends)
    if key not in cache:
        if len(cache) >= 2:
            cache.pop(next(iter(cache)))
        cache[key] = flatten(html, MAX_DEPTH - 16, strict_ends)
    return cache[key]


# ---------------------------------------------------------------------------------------------
# flattening: a streaming pass over the tags (no tree, no recursion). No part of a tag's pattern
# runs past a "<", so the pass is linear on any input.

_VOID = frozenset("area base basefont bgsound br col embed frame hr img input isindex keygen "
                  "link meta param source track wbr".split())
#: Elements whose content is text up to their own end tag.
_RAW = frozenset("script style textarea title xmp plaintext noembed noframes iframe".split())
#: A start tag that closes an open element of the same name (an unclosed <li>, <p>, <td>).
_SELF_CLOSING = {"li": {"li"}, "p": {"p"}, "option": {"option"}, "tr": {"tr", "td", "th"},
                 "td": {"td", "th"}, "th": {"td", "th"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}}
_MARKUP = re.compile(r"<!--.*?(?:-->|$)|<![^>]*>?|<\?[^>]*>?|"
                     r"<(/?)([A-Za-z][^\s/<>]*)((?:[^<>\"']|\"[^<>\"]*\"|'[^<>']*')*)>", re.S)


def flatten(html: str, limit: int, strict_ends: bool = False) -> str:
    """``html`` with every element below ``limit`` open elements placed beside the previous
    such element instead of inside it (its text, attributes and links kept).

    ``strict_ends``: an end tag closes only the innermost open element of its name when nothing
    unclosable sits above it — counts more depth than libxml2 on sloppy markup, never less."""
    out: list[str] = []
    stack: list[str] = []  # open elements as read (not as written out)
    open_count: dict[str, int] = {}  # name → how many of them are in ``stack``
    deep_open: str | None = None  # the element below the limit that is open in the output
    pos = 0
    for m in _MARKUP.finditer(html):
        if m.start() < pos:  # inside a raw-text element already copied
            continue
        out.append(html[pos:m.start()])
        pos = m.end()
        closing, name = m.group(1), (m.group(2) or "").lower()
        if not name:  # comment, doctype, processing instruction
            out.append(m.group(0))
            continue
        if closing:
            if not open_count.get(name):
                out.append(m.group(0))  # stray: libxml2 ignores it too
                continue
            if strict_ends and stack[-1] != name:
                continue
            index = len(stack) - 1  # searched from the top: each element is passed once
            while stack[index] != name:
                index -= 1
            if index >= limit:  # below the limit: only its own close is written
                if deep_open == name and index == len(stack) - 1:
                    out.append(m.group(0))
                    deep_open = None
                _pop(stack, open_count, index)
                continue
            if deep_open is not None:
                out.append(f"</{deep_open}>")
                deep_open = None
            _pop(stack, open_count, index)
            out.append(m.group(0))
            continue
        closes = _SELF_CLOSING.get(name)
        if closes and stack and stack[-1] in closes:
            _pop(stack, open_count, len(stack) - 1)
        raw_end = None
        if name in _RAW:
            end = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(html, m.end())
            raw_end = end.end() if end else len(html)
        if name in _VOID or m.group(3).rstrip().endswith("/"):
            out.append(m.group(0))
        else:
            if len(stack) >= limit:
                if deep_open is not None:
                    out.append(f"</{deep_open}>")
                deep_open = name if raw_end is None else None
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            out.append(m.group(0))
        if raw_end is not None:
            out.append(html[m.end():raw_end])
            pos = raw_end
            if stack and stack[-1] == name and name not in _VOID:
                _pop(stack, open_count, len(stack) - 1)
    out.append(html[pos:])
    return "".join(out)


def _pop(stack: list[str], open_count: dict[str, int], index: int) -> None:
    """Close ``stack[index:]``."""
    for name in stack[index:]:
        open_count[name] -= 1
    del stack[index:]
