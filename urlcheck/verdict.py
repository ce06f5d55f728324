"""One URL, one verdict: the rules every check that touches a URL decides it by.

The crawl's fetch, the link check, a guide's download check, a registered column page and an
online system page may all meet one URL. They judge it with the functions here, so they cannot
disagree about what the same answer means:

* ``file_judgement`` — a link whose path promises a file (``.pdf``, ``.doc``, ``.xls``, ``.zip``,
  ``.wps``, ``.ofd`` …) that answers 2xx with an HTML page (by its Content-Type, or a body that
  sniffs as HTML) is a broken link, reason ``soft_404`` (附件不可用); the download check calls
  the same answer ``html_instead_of_file``. A URL without such an extension
  (``download.jsp?id=88``) may legitimately be a download page: it is judged as a page (a soft
  404 only when the page says so).
* ``page_usability`` — a registered column or system page is *unusable* when it is a soft 404,
  answers an HTTP error or cannot be reached; ``strong`` says whether the evidence is as strong
  as a broken link's (soft 404, HTTP error, refused connection, DNS/TLS failure, redirect loop),
  which the table charges at once — a page the browser could not open is strong when the link
  check of the same URL failed too (refused, DNS, timeout…). A wall (403/412/429/503, a
  challenge page) or a failure of the browser alone is unusable but not strong: it waits for a
  reviewer.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from yarl import URL

from .content import WAF_STATUSES, Judgement, decode_body, judge_page, soft404_phrase
from .result import status_detail

#: Extensions that promise a file (documents, archives): an HTML answer is not that file.
FILE_EXTENSIONS = frozenset([
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "ofd", "rtf",
    "odt", "ods", "csv", "txt", "caj", "ceb", "xps", "zip", "rar", "7z", "gz", "tgz", "tar",
    "bz2", "xz",
])
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# how an HTML document starts (the WHATWG sniffing table's tags), after a BOM and blanks
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]{0,200}\?>\s*)?(?:<!--.{0,500}?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|"
    rb"p|meta|link|center|form)[\s>/]", re.I | re.S)

# Chromium's words for the same failures, when the browser is all that saw the page
_BROWSER_ERRORS = (("ERR_CONNECTION_REFUSED", "connect", "无法连接服务器（连接被拒绝）"),
                   ("ERR_NAME_NOT_RESOLVED", "dns", "域名解析失败（域名不存在或无法解析）"),
                   ("ERR_CERT_", "tls", "HTTPS证书错误"),
                   ("ERR_SSL_", "tls", "HTTPS证书或加密连接错误"),
                   ("ERR_TOO_MANY_REDIRECTS", "too_many_redirects", "重定向次数过多"))


def promised_file(url: str) -> str | None:
    """The file extension a link's path promises (``pdf``…), or None for pages and the like."""
    try:
        path = URL(url, encoded=True).path
    except (ValueError, TypeError):
        return None
    ext = posixpath.splitext(path)[1].lstrip(".").lower()
    return ext if ext in FILE_EXTENSIONS else None


def sniffs_html(body: bytes | None) -> bool:
    """Whether a body starts like an HTML document (whatever its Content-Type says)."""
    return bool(body) and bool(_HTML_START.match(body[:2048]))


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def file_judgement(url: str, status: int | None, content_type: str | None, body: bytes | None,
                   headers: Mapping[str, str] | None = None) -> Judgement | None:
    """A promised file answered by an HTML page: broken ``soft_404`` (or the wall's ``blocked``
    when the page is a challenge); None when the answer may be the file or the URL is a page."""
    ext = promised_file(url)
    if ext is None or status is None or not 200 <= status < 300:
        return None
    if _mime(content_type) not in HTML_TYPES and not sniffs_html(body):
        return None
    text = decode_body(body or b"", content_type)
    judged = judge_page(status, text, "", headers)
    if judged is not None and judged.outcome == "blocked":
        return judged
    said = soft404_phrase(text)
    why = f"（“{said}”）" if said else ""
    return Judgement("broken", "soft_404",
                     f"附件不可用：链接指向.{ext}文件，HTTP {status}返回的却是网页{why}")


def _strong_status(status: int) -> bool:
    return status >= 400 and status not in WAF_STATUSES


def link_usability(link: Mapping) -> dict | None:
    """The usability of a URL from its link result (plain HTTP), None when it answered fine."""
    outcome, reason = link.get("outcome"), link.get("reason") or ""
    if outcome not in ("broken", "blocked"):
        return None
    status = link.get("http_status")
    # a broken link (error, timeout, HTTP ≥ 400, soft 404) is strong evidence; an answer a wall
    # may have given (403, 412, 429, 503 …) is not
    strong = outcome == "broken" and (status is None or status < 400 or _strong_status(status))
    return {"usable": False, "outcome": outcome, "reason": reason,
            "detail": link.get("detail") or reason, "strong": strong, "from": "link"}


def page_usability(status: int | None, error: str | None, html: str | None = None,
                   title: str = "", link: Mapping | None = None) -> dict:
    """Is a registered column or system page usable, from what the browser got (status, error,
    rendered HTML) and, where the browser got no answer, the link check of the same URL?

    ``{"usable", "outcome": ok|broken|blocked, "reason", "detail", "strong", "from"}``."""
    if status is None or error:
        if link:  # what plain HTTP got of the same URL says whether the failure is the site's
            from_link = link_usability(link)
            if from_link is not None:
                return from_link
            reason = "timeout" if "timeout" in (error or "").lower() else "navigation_error"
            return {"usable": False, "outcome": "broken", "reason": reason,
                    "detail": (error or "打不开")[:300] + "（普通访问正常，需人工复核）",
                    "strong": False, "from": "page"}
        for code, reason, detail in _BROWSER_ERRORS:
            if code in (error or ""):
                return {"usable": False, "outcome": "broken", "reason": reason,
                        "detail": detail, "strong": True, "from": "page"}
        reason = "timeout" if "timeout" in (error or "").lower() else "navigation_error"
        return {"usable": False, "outcome": "broken", "reason": reason,
                "detail": (error or "打不开")[:300], "strong": False, "from": "page"}
    judged = judge_page(status, html or "", title or "", None) if html is not None or \
        status in WAF_STATUSES else None
    if judged is not None:
        return {"usable": False, "outcome": judged.outcome, "reason": judged.reason,
                "detail": judged.detail, "strong": judged.outcome == "broken",
                "from": "page"}
    if status >= 400:
        return {"usable": False, "outcome": "broken", "reason": f"http_{status}",
                "detail": status_detail(status), "strong": _strong_status(status),
                "from": "page"}
    return {"usable": True, "outcome": "ok", "reason": "ok", "detail": f"正常（HTTP {status}）",
            "strong": False, "from": "page"}


def stored_usability(page: Mapping) -> dict:
    """A stored column/system page's usability: the verdict the inspection stored with it
    (``usability``), else what its status and error alone say (a page stored without one)."""
    return page.get("usability") or page_usability(page.get("status"), page.get("error"))
