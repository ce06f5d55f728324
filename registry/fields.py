"""Cell values: cleaning, choice normalisation and validation of codes, URLs and e-mails."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urljoin, urlsplit, urlunsplit

NONE_WORDS = frozenset({"无", "暂无"})
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_SPACE = re.compile(r"\s+")
_CODE = re.compile(r"[0-9]{10}|bm[0-9]{8}")
#: How a 网站标识码 looks, for error messages.
CODE_SHAPE = "10 digits, or bm + 8 digits"
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_LABEL = re.compile(r"(?!-)[\w-]{1,63}(?<!-)")
_SPLIT = re.compile(r"[;；\n\r]+")
# A scheme-less "index.html" is a file name, not a host.
_FILE_SUFFIXES = frozenset(
    {"html", "htm", "shtml", "xhtml", "jsp", "asp", "aspx", "php", "do", "action", "xml", "pdf"}
)


def clean(value: str) -> str:
    """Strip surrounding whitespace (ASCII and full-width) and invisible marks."""
    return value.strip().strip(_INVISIBLE).strip()


def optional(value: str) -> str:
    """An optional text field: empty or 无 become ""."""
    text = clean(value)
    return "" if text in NONE_WORDS else text


def is_none(value: str) -> bool:
    """True when a cell says "nothing": empty, 无 or 暂无."""
    return optional(value) == ""


def choice(value: str) -> str:
    """Normalise a value picked from a fixed list: NFKC (full-width brackets → ASCII),
    no whitespace at all, and the common variant 其它 → 其他."""
    text = _SPACE.sub("", unicodedata.normalize("NFKC", clean(value)))
    return text.replace("其它", "其他")


def split_cell(value: str) -> list[str]:
    """Several entries in one cell, separated by ; or ； (or line breaks); blanks dropped."""
    if is_none(value):
        return []
    return [part for part in (clean(p) for p in _SPLIT.split(value)) if part]


def site_code(value: str) -> str | None:
    """A 网站标识码: 10 digits (4401000001), or bm + 8 digits for a 国务院部门 (bm04000001);
    full-width digits and an upper-case BM are accepted. Anything else is None."""
    text = unicodedata.normalize("NFKC", clean(value))
    if text[:2].lower() == "bm":
        text = "bm" + text[2:]
    return text if _CODE.fullmatch(text) else None


def is_email(value: str) -> bool:
    return bool(_EMAIL.fullmatch(value))


def _valid_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        return False
    return all(_LABEL.fullmatch(label) for label in labels)


def _looks_like_host(text: str) -> bool:
    """Is the start of a scheme-less address a host name, as in www.beijing.gov.cn/xxgk?"""
    netloc = re.split(r"[/?#]", text, maxsplit=1)[0]
    host, _, port = netloc.rpartition(":") if ":" in netloc else (netloc, "", "")
    if port and not port.isdigit():
        return False
    host = host.lower()
    return _valid_host(host) and host.rsplit(".", 1)[-1] not in _FILE_SUFFIXES


def normalize_url(value: str) -> str | None:
    """An absolute http(s) URL with a host, or None.

    A missing scheme gets "http://" (census forms often write www.beijing.gov.cn); "//host"
    too. Scheme and host are lower-cased and an empty path becomes "/".
    """
    text = clean(value)
    if not text or any(ch.isspace() for ch in text):
        return None
    scheme = _SCHEME.match(text)
    if text.startswith("//"):
        text = "http:" + text
    elif scheme is None or text[scheme.end() :][:1].isdigit():  # no scheme, or host:port
        if not _looks_like_host(text):
            return None
        text = "http://" + text
    elif not text[scheme.end() :].startswith("//"):
        return None  # "htp:/x", "mailto:…", "javascript:…"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or not _valid_host(host):
        return None
    netloc = parts.netloc if "@" in parts.netloc else parts.netloc.lower()
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))


def is_site_relative(value: str) -> bool:
    """A path such as /xxgk/index.html that needs the site's homepage to become a URL."""
    text = clean(value)
    return text.startswith("/") and not text.startswith("//")


def site_path(value: str) -> str | None:
    """A site-relative path kept for later resolution (import_into), or None if malformed."""
    text = clean(value)
    return text if is_site_relative(text) and not any(ch.isspace() for ch in text) else None


def resolve(path: str, base: str) -> str | None:
    """Resolve a site-relative path against the site's homepage URL."""
    if any(ch.isspace() for ch in clean(path)):
        return None
    return normalize_url(urljoin(base, clean(path)))
