"""URL triage: which links are checked, their normalised form (the cache key), page or file."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from yarl import URL

EXCLUDED_SCHEMES = frozenset(
    {"mailto", "tel", "javascript", "data", "about", "sms", "callto", "blob", "vbscript"}
)
CHECKED_SCHEMES = frozenset({"http", "https"})

# Extensions whose links are checked with HEAD alone (no body needed, never downloaded).
ATTACHMENT_EXTENSIONS = frozenset([
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "ofd", "rtf",
    "csv", "txt", "caj", "ceb", "xps", "zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz",
    "apk", "exe", "msi", "dmg", "iso", "jpg", "jpeg", "png", "gif", "bmp", "webp", "svg",
    "ico", "tif", "tiff", "css", "js", "mjs", "json", "xml", "woff", "woff2", "ttf", "eot",
    "otf", "mp3", "mp4", "avi", "wmv", "flv", "mov", "mkv", "wav", "webm", "m4a", "swf",
])

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CONTROL = re.compile(r"[\t\r\n]")
_HOST = re.compile(r"^[a-z0-9_\-]+(\.[a-z0-9_\-]+)*\.?$")


@dataclass(frozen=True)
class Triage:
    kind: str  # "check" | "excluded" | "unsupported" | "bad_url"
    key: str  # normalised URL for "check", otherwise the stripped input
    scheme: str = ""


def triage(raw: object) -> Triage:
    """Classify a link before any request; for checked links give the normalised URL."""
    if not isinstance(raw, str):
        return Triage("bad_url", repr(raw))
    text = _CONTROL.sub("", raw.strip())  # browsers drop tabs and newlines inside URLs
    if not text or text.startswith("#"):
        return Triage("excluded", text, "#")
    match = _SCHEME.match(text)
    if match is None:
        return Triage("bad_url", text)  # relative or scheme-less: caller must resolve it
    scheme = match.group(1).lower()
    if scheme in EXCLUDED_SCHEMES:
        return Triage("excluded", text, scheme)
    if scheme not in CHECKED_SCHEMES:
        return Triage("unsupported", text, scheme)
    key = normalise(text)
    return Triage("check", key, scheme) if key else Triage("bad_url", text, scheme)


def normalise(text: str) -> str | None:
    """Absolute http(s) URL without fragment, percent-encoded; None when malformed."""
    try:
        url = URL(text)
        host = url.raw_host or ""
        if ":" not in host and not _HOST.match(host):  # IPv6 hosts contain ":"
            return None
        _ = url.port  # raises on an invalid port
        return str(url.with_fragment(None))
    except (ValueError, TypeError):  # includes UnicodeError from IDNA
        return None


def looks_like_attachment(url: str) -> bool:
    """True when the path ends in a file extension that is never an HTML page."""
    try:
        path = URL(url, encoded=True).path
    except ValueError:
        return False
    ext = posixpath.splitext(path)[1].lstrip(".").lower()
    return ext in ATTACHMENT_EXTENSIONS


_ERROR_PAGE_NAME = re.compile(r"(?<![0-9])404(?![0-9])|not[-_]?found|^error\.[a-z]+$")


def looks_like_error_page(url: str) -> bool:
    """True when the file name of a redirect target says it is an error page (/404.html)."""
    try:
        name = URL(url, encoded=True).name.lower()
    except ValueError:
        return False
    return bool(_ERROR_PAGE_NAME.search(name))


def host_key(url: URL) -> str:
    return f"{url.raw_host}:{url.port}"
