"""Every link a page shows: pure functions from (HTML, base URL) to link records.

A link record is the dict in docs/CONTRACTS.md ("Page" → links): url, text, tag, kind, external.
The census counts broken pictures, stylesheets, scripts, frames and attachments as broken links,
so this looks at every element that makes the browser fetch something, not only ``<a>``.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from xunjian.base.html import parse_html

ATTACHMENT_EXTS = {
    "doc", "docx", "xls", "xlsx", "ppt", "pptx", "pdf", "zip", "rar", "7z", "gz", "tar",
    "wps", "et", "dps", "ofd", "txt", "csv", "rtf", "ceb", "tif", "tiff", "apk",
}
IMAGE_EXTS = {"jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico"}
MEDIA_EXTS = {"mp4", "flv", "mp3", "wav", "avi", "wmv", "swf", "webm", "m3u8"}

#: (tag, attribute, kind) — kind None means "decide from the URL's extension".
SOURCES = [
    ("a", "href", None),
    ("area", "href", None),
    ("img", "src", "image"),
    ("img", "data-src", "image"),
    ("img", "data-original", "image"),
    ("input", "src", "image"),
    ("script", "src", "script"),
    ("iframe", "src", "frame"),
    ("frame", "src", "frame"),
    ("embed", "src", "media"),
    ("object", "data", "media"),
    ("source", "src", "media"),
    ("video", "src", "media"),
    ("audio", "src", "media"),
]
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "#")
_SPACE = re.compile(r"\s+")


def extension(url: str) -> str:
    path = urlsplit(url).path.lower()
    last = path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1] if "." in last else ""


def kind_of(url: str) -> str:
    ext = extension(url)
    if ext in ATTACHMENT_EXTS:
        return "attachment"
    if ext in IMAGE_EXTS:
        return "image"
    if ext in MEDIA_EXTS:
        return "media"
    return "page"


def normalize(url: str) -> str:
    """Drop the fragment and surrounding blanks; lower-case scheme and host."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc.lower()
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def origin_key(url: str) -> tuple[str, int]:
    """The site identity of a URL: (host without a leading ``www.``, port).

    A site is an origin — host *and* port: another port of the same host is another system (a
    mail server, an 依申请公开 platform, a staging copy) and is not walked as the site. Two
    relaxations, both how government sites are really served: ``www.a.gov.cn`` and ``a.gov.cn``
    are one site, and ``http`` on port 80 and ``https`` on 443 of one host are one site (port 0
    stands for "the default web port"), since sites move to https and old pages keep absolute
    http links. Subdomains are other origins (``xxgk.a.gov.cn`` is its own system unless the
    registry lists a column there).
    """
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return host, 0 if port is None or port == default else port


def site_origins(urls) -> set[tuple[str, int]]:
    """Origins of a site from its homepage, the URL it redirects to and its registered columns."""
    return {origin_key(u) for u in urls if u and urlsplit(u.strip()).hostname}


def is_internal(url: str, origins) -> bool:
    """Inside the site: the URL's origin is one of the site's (see ``origin_key``).

    ``origins`` may also be one homepage URL or host as a string."""
    if isinstance(origins, str):
        origins = {origin_key(origins)}
    return origin_key(url) in origins


def _text(el) -> str:
    text = _SPACE.sub(" ", el.text_content() or "").strip()
    if not text:
        for attr in ("title", "alt", "aria-label"):
            if el.get(attr):
                return el.get(attr).strip()[:200]
        img = el.find(".//img")
        if img is not None:
            text = (img.get("alt") or img.get("title") or "").strip()
    return text[:200]


def extract_links(html: str, page_url: str, origins) -> list[dict]:
    """Distinct links of one document, in page order, with their first anchor text.

    ``external`` is true for a link outside the site's ``origins`` (``is_internal``): the census
    report's 外部链接 — another port of the same host, or a subdomain, is external too."""
    if isinstance(origins, str):
        origins = {origin_key(origins)}
    doc = parse_html(html)
    if doc is None:
        return []
    base = page_url
    base_el = doc.find(".//base[@href]")
    if base_el is not None:
        base = urljoin(page_url, base_el.get("href").strip())

    found: dict[str, dict] = {}

    def add(raw: str | None, tag: str, kind: str | None, text: str) -> None:
        if not raw:
            return
        raw = raw.strip()
        if not raw or raw.lower().startswith(SKIP_SCHEMES):
            return
        absolute = normalize(urljoin(base, raw))
        if urlsplit(absolute).scheme not in ("http", "https"):
            return
        if absolute in found:
            if text and not found[absolute]["text"]:
                found[absolute]["text"] = text
            return
        found[absolute] = {
            "url": absolute,
            "text": text,
            "tag": tag,
            "kind": kind or kind_of(absolute),
            "external": not is_internal(absolute, origins),
        }

    for el in doc.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "link":
            rel = (el.get("rel") or "").lower()
            if "stylesheet" in rel:
                add(el.get("href"), "link", "stylesheet", "")
            elif "icon" in rel:
                add(el.get("href"), "link", "image", "")
            continue
        for src_tag, attr, kind in SOURCES:
            if tag == src_tag and el.get(attr):
                named = tag in ("a", "area")
                text = _text(el) if named else (el.get("alt") or el.get("title") or "")
                add(el.get(attr), tag, kind, text.strip()[:200])
    return list(found.values())


def page_title(html: str) -> str:
    doc = parse_html(html)
    if doc is None:
        return ""
    title = doc.find(".//title")
    return _SPACE.sub(" ", title.text_content()).strip()[:300] if title is not None else ""


def visible_text_length(html: str) -> int:
    """Characters of text a visitor sees (scripts and styles excluded)."""
    doc = parse_html(html)
    if doc is None:
        return 0
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return len(_SPACE.sub("", doc.text_content() or ""))
