"""Attachment downloads over plain HTTP, size-limited: does the link give the file it promises?

A download fails when: the request errors (connect, timeout…) or the status is ≥ 400
(``http_NNN``); an HTML page comes back where the link's extension promised a file
(``html_instead_of_file`` — the link check calls the same answer a broken link, ``soft_404``: one
rule, ``urlcheck.verdict.file_judgement``); a link without a file extension (``down.jsp?id=88``)
answers a page that says the file is gone (``soft_404``; a download page is fine); the body is
empty (``empty``); the content type contradicts the extension (``type_mismatch``, e.g. a ``.pdf``
served as ``image/png``). At most ``max_bytes`` of a body are read (a huge file is not a failure:
its size comes from Content-Length and the read stops at the limit).
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

import aiohttp

from xunjian.browser.netpolicy import connector

from .checker import error_reason
from .content import decode_body, judge_page
from .result import DEFAULT_USER_AGENT, CheckConfig
from .verdict import file_judgement, sniffs_html

#: Bytes of a body kept to judge it (an HTML error page's text; a file's signature).
HEAD_BYTES = 64 * 1024

#: Content types that fit each extension; generic binary types fit every extension.
EXPECTED = {
    "pdf": ("application/pdf", "application/x-pdf"),
    "doc": ("application/msword", "application/vnd.ms-word", "application/vnd.openxmlformats"),
    "docx": ("application/vnd.openxmlformats", "application/msword", "application/zip"),
    "xls": ("application/vnd.ms-excel", "application/excel", "application/vnd.openxmlformats"),
    "xlsx": ("application/vnd.openxmlformats", "application/vnd.ms-excel", "application/zip"),
    "ppt": ("application/vnd.ms-powerpoint", "application/vnd.openxmlformats"),
    "pptx": ("application/vnd.openxmlformats", "application/vnd.ms-powerpoint", "application/zip"),
    "zip": ("application/zip", "application/x-zip", "application/x-zip-compressed"),
    "rar": ("application/x-rar", "application/vnd.rar", "application/rar"),
    "7z": ("application/x-7z-compressed",),
    "wps": ("application/vnd.ms-works", "application/kswps", "application/wps",
            "application/msword"),
    "et": ("application/vnd.ms-excel", "application/kset", "application/et"),
    "txt": ("text/plain",),
    "csv": ("text/csv", "text/plain", "application/vnd.ms-excel"),
    "ofd": ("application/ofd",),
}
GENERIC = ("application/octet-stream", "application/force-download", "application/download",
           "binary/octet-stream", "application/x-download", "application/unknown", "")
HTML = ("text/html", "application/xhtml+xml")
PAGE_EXTENSIONS = ("htm", "html", "shtml", "jsp", "asp", "aspx", "php", "jhtml", "do", "action")
_EXT = re.compile(r"\.([a-z0-9]{1,5})$", re.I)


def extension(url: str) -> str | None:
    m = _EXT.search(urlsplit(url).path)
    return m.group(1).lower() if m else None


def judge_download(url: str, status: int | None, content_type: str | None, size: int | None,
                   head: bytes = b"") -> tuple[bool, str, str]:
    """(ok, reason, Chinese detail) of one download's answer. Pure."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if status is None:
        return False, "no_answer", "无响应"
    if status >= 400:
        return False, f"http_{status}", f"HTTP {status}"
    ext = extension(url)
    judged = file_judgement(url, status, content_type, head)
    if judged is not None:
        reason = "html_instead_of_file" if judged.reason == "soft_404" else judged.reason
        return False, reason, judged.detail
    if mime in HTML or sniffs_html(head):
        if ext is not None and ext not in PAGE_EXTENSIONS:
            return False, "html_instead_of_file", "返回网页而不是文件（可能是错误页面）"
        # no file promised (down.jsp?id=88): a download page may be what the link offers, and
        # it is judged as the link check judges a page
        judged = judge_page(status, decode_body(head, content_type), "", None)
        if judged is not None:
            return False, judged.reason, judged.detail
        return True, "ok", "下载页面（网页）"
    if size == 0:
        return False, "empty", "文件为空（0字节）"
    if ext in EXPECTED and mime not in GENERIC:
        fits = EXPECTED[ext]
        if not any(mime.startswith(x) for x in fits):
            return False, "type_mismatch", f"文件类型（{mime}）与扩展名 .{ext} 不符"
    return True, "ok", "可以下载"


async def check_download(session: aiohttp.ClientSession, url: str, max_bytes: int,
                         config: CheckConfig) -> dict:
    out = {"url": url, "http_status": None, "content_type": None, "size": None,
           "truncated": False}
    try:
        async with session.get(url, allow_redirects=True) as resp:
            out["http_status"] = resp.status
            out["content_type"] = resp.headers.get("Content-Type")
            declared = resp.headers.get("Content-Length")
            head, read = b"", 0
            async for chunk in resp.content.iter_chunked(64 * 1024):
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                read += len(chunk)
                if read >= max_bytes:
                    out["truncated"] = True
                    break
            size = int(declared) if declared and declared.isdigit() else read
            if out["truncated"] and not (declared and declared.isdigit()):
                size = read  # at least this much
            out["size"] = size
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure is an answer
        reason, detail = error_reason(exc, config)
        out.update(ok=False, reason=reason, detail=detail)
        return out
    ok, reason, detail = judge_download(url, out["http_status"], out["content_type"],
                                        out["size"], head)
    out.update(ok=ok, reason=reason, detail=detail)
    return out


async def check_downloads(urls: list[str], config: CheckConfig | None = None,
                          max_bytes: int = 2 * 1024 * 1024,
                          concurrency: int = 4, policy=None) -> dict[str, dict]:
    """url → download result (``ok``, ``reason``, ``http_status``, ``content_type``, ``size``).
    ``policy``: the site's address policy (browser/netpolicy.py), judged on every redirect."""
    config = config or CheckConfig()
    timeout = aiohttp.ClientTimeout(total=config.timeout, connect=config.connect_timeout)
    slots = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector(policy),
                                     headers={"User-Agent": DEFAULT_USER_AGENT}) as session:
        async def one(url: str) -> dict:
            async with slots:
                return await check_download(session, url, max_bytes, config)

        results = await asyncio.gather(*(one(u) for u in dict.fromkeys(urls)))
    return {r["url"]: r for r in results}


async def fetch_files(urls: list[str], config: CheckConfig | None = None,
                      max_bytes: int = 2 * 1024 * 1024, concurrency: int = 4,
                      policy=None) -> dict[str, dict]:
    """url → {"url", "http_status", "content_type", "body" (at most ``max_bytes``), "truncated",
    "error"}: attachments read for their text, under the site's address policy."""
    config = config or CheckConfig()
    timeout = aiohttp.ClientTimeout(total=config.timeout, connect=config.connect_timeout)
    slots = asyncio.Semaphore(concurrency)

    async def one(session: aiohttp.ClientSession, url: str) -> dict:
        out = {"url": url, "http_status": None, "content_type": None, "body": b"",
               "truncated": False, "error": None}
        async with slots:
            try:
                async with session.get(url, allow_redirects=True) as resp:
                    out["http_status"] = resp.status
                    out["content_type"] = resp.headers.get("Content-Type")
                    if resp.status >= 400:
                        return out
                    body = bytearray()
                    async for chunk in resp.content.iter_chunked(64 * 1024):
                        body += chunk[: max_bytes - len(body)]
                        if len(body) >= max_bytes:
                            out["truncated"] = True
                            break
                    out["body"] = bytes(body)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is an answer
                out["error"] = error_reason(exc, config)[1]
        return out

    async with aiohttp.ClientSession(timeout=timeout, connector=connector(policy),
                                     headers={"User-Agent": DEFAULT_USER_AGENT}) as session:
        results = await asyncio.gather(*(one(session, u) for u in dict.fromkeys(urls)))
    return {r["url"]: r for r in results}
