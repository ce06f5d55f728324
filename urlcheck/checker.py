"""Plain-HTTP link checker (aiohttp): one typed LinkResult per distinct URL, never an exception.

Method: links whose path ends in an attachment extension (pdf, doc, xls, zip, images, css, js…)
are checked with HEAD; a HEAD answer ≥ 400, an HTML answer or a broken connection is re-checked
with GET.  Everything else is assumed to be a page and goes straight to GET, because soft-404 and
anti-bot detection need the body.  A GET reads at most ``max_body`` bytes of an HTML body and
nothing of any other body (the connection is closed after the headers).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from xunjian.browser.netpolicy import INTRANET_REASON, AddressPolicy, AddressRefused, connector

from .content import WAF_STATUSES, decode_body, judge_page
from .result import CheckConfig, LinkResult, now_iso, seconds_text, status_detail
from .urls import host_key, looks_like_attachment, looks_like_error_page, triage
from .verdict import file_judgement

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# HEAD failures after which GET on the same URL cannot do better.
_FINAL_HEAD_ERRORS = frozenset(
    {"dns", "connect", "tls", "timeout", "redirect_loop", "too_many_redirects", "bad_url", "scheme",
     "intranet"}
)
_RETRIED_ERRORS = frozenset({"timeout", "reset", "connect"})


@dataclass
class _Response:
    status: int | None = None
    headers: Mapping[str, str] | None = None
    content_type: str | None = None
    body: bytes | None = None  # read only for HTML answers whose status needs the page
    error: str | None = None
    detail: str = ""
    elapsed: float = 0.0


@dataclass
class _Chain:
    """The last response of one method's request chain, with its redirects."""

    method: str
    url: str
    response: _Response = field(default_factory=_Response)
    redirects: list[str] = field(default_factory=list)
    elapsed: float = 0.0


@dataclass
class _Host:
    slots: asyncio.Semaphore
    next_start: float = 0.0


def _mime(headers: Mapping[str, str]) -> str | None:
    value = headers.get("Content-Type", "")
    mime = value.split(";", 1)[0].strip().lower()
    return mime or None


def _is_html(mime: str | None, page_like: bool) -> bool:
    return mime in HTML_TYPES or (mime is None and page_like)


_TLS_TEXT = (
    ("expired", "证书已过期"),
    ("self-signed", "使用自签名证书"),
    ("self signed", "使用自签名证书"),
    ("local issuer", "证书链不完整或颁发机构不受信任"),
    ("hostname mismatch", "证书与域名不匹配"),
    ("doesn't match", "证书与域名不匹配"),
    ("not yet valid", "证书尚未生效"),
)


def _tls_detail(exc: BaseException) -> str:
    message = str(exc).lower()
    for needle, text in _TLS_TEXT:
        if needle in message:
            return f"HTTPS证书错误：{text}"
    return "HTTPS证书或加密连接错误"


def error_reason(exc: BaseException, config: CheckConfig) -> tuple[str, str]:
    """Map a request exception to (reason, Chinese detail)."""
    if isinstance(exc, AddressRefused):  # an intranet address: not fetched (browser/netpolicy)
        return INTRANET_REASON, f"内网地址链接：{exc}"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "dns", "域名解析失败（域名不存在或无法解析）"
    if isinstance(exc, (aiohttp.ClientSSLError, ssl.SSLError)):
        return "tls", _tls_detail(exc)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "timeout", f"连接超时（{seconds_text(config.connect_timeout)}）"
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return "timeout", f"访问超时（{seconds_text(config.timeout)}内未完成）"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connect", "无法连接服务器（连接被拒绝或网络不可达）"
    if isinstance(exc, (aiohttp.InvalidURL, ValueError)):
        return "bad_url", "链接地址格式错误"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "reset", "服务器未返回响应即断开连接"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "reset", "页面内容传输中断（连接被重置）"
    if isinstance(exc, aiohttp.ClientResponseError):
        return "reset", "服务器响应不符合HTTP协议"
    if isinstance(exc, (aiohttp.ClientError, OSError)):
        return "reset", "连接被重置或服务器响应异常"
    return "reset", f"检查出错：{type(exc).__name__}"


class LinkChecker:
    """Checks links over plain HTTP; ``check()`` results are cached per normalised URL."""

    def __init__(
        self, config: CheckConfig | None = None, *, resolver: AbstractResolver | None = None,
        policy: AddressPolicy | None = None,
    ) -> None:
        self.config = config or CheckConfig()
        self._resolver = resolver  # tests inject a loopback-only resolver
        self.policy = policy  # the site's address policy: every hop's address is judged
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._hosts: dict[str, _Host] = {}
        self._cache: dict[str, asyncio.Task[LinkResult]] = {}

    async def __aenter__(self) -> LinkChecker:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        pending = [task for task in self._cache.values() if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- public -----------------------------------------------------------------------------

    async def check(self, url: str) -> LinkResult:
        """Result for one URL; concurrent calls for the same normalised URL share one check."""
        tri = triage(url)
        if tri.kind != "check":
            return _unchecked(tri.kind, tri.key, tri.scheme)
        task = self._cache.get(tri.key)
        if task is None:
            task = asyncio.ensure_future(self._check_safely(tri.key))
            self._cache[tri.key] = task
        return await asyncio.shield(task)

    async def check_many(
        self, urls: Iterable[str], progress: Progress | None = None
    ) -> dict[str, LinkResult]:
        """Results keyed by the URLs as given; ``progress(done, total)`` after each one."""
        todo = list(dict.fromkeys(urls))
        total, done = len(todo), 0
        results: dict[str, LinkResult] = {}
        window = max(4 * self.config.total, 256)  # bounded number of waiting tasks
        running: dict[asyncio.Future[LinkResult], str] = {}
        queue = iter(todo)
        try:
            while True:
                for url in queue:
                    running[asyncio.ensure_future(self.check(url))] = url
                    if len(running) >= window:
                        break
                if not running:
                    return results
                finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for future in finished:
                    results[running.pop(future)] = future.result()
                    done += 1
                    if progress is not None:
                        _report(progress, done, total)
        finally:
            for future in running:
                future.cancel()

    # -- one URL ----------------------------------------------------------------------------

    async def _check_safely(self, key: str) -> LinkResult:
        try:
            return await self._check(key)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never let one URL break the batch
            log.exception("link check failed for %s", key)
            reason, detail = error_reason(exc, self.config)
            return LinkResult(key, "broken", reason, checked_at=now_iso(), detail=detail)

    async def _check(self, key: str) -> LinkResult:
        page_like = not looks_like_attachment(key)
        spent = 0.0
        if not page_like:
            head = await self._chain(key, "HEAD")
            spent += head.elapsed
            response = head.response
            if response.error in _FINAL_HEAD_ERRORS:
                return _result(key, head, spent)
            if (
                response.error is None
                and response.status is not None
                and response.status < 400
                and response.content_type not in HTML_TYPES
            ):
                return _result(key, head, spent)
        get = await self._chain(key, "GET")
        return _result(key, get, spent + get.elapsed)

    async def _chain(self, start: str, method: str) -> _Chain:
        """Follow redirects by hand (recording them) with retries on transient errors."""
        for attempt in range(self.config.retries + 1):
            chain = await self._follow(start, method)
            if chain.response.error not in _RETRIED_ERRORS or attempt == self.config.retries:
                return chain
            await asyncio.sleep(min(2.0**attempt, 5.0))
        raise AssertionError("unreachable")

    async def _follow(self, start: str, method: str) -> _Chain:
        url = URL(start, encoded=True)
        chain = _Chain(method, start)
        visits = Counter([start])
        while True:
            response = await self._request(method, url)
            chain.response = response
            chain.elapsed += response.elapsed
            location = (response.headers or {}).get("Location")
            if response.error or response.status not in REDIRECT_STATUSES or not location:
                return chain
            try:
                target = url.join(URL(location.strip())).with_fragment(None)
                text = str(target)
            except (ValueError, TypeError):
                return _fail(chain, "bad_url", f"重定向地址格式错误：{location[:200]}")
            if target.scheme not in ("http", "https") or not target.raw_host:
                return _fail(chain, "scheme", f"重定向到不支持的地址：{location[:200]}")
            if len(chain.redirects) >= self.config.max_redirects:
                return _fail(chain, "too_many_redirects",
                             f"重定向次数过多（超过{self.config.max_redirects}次）")
            chain.redirects.append(text)
            chain.url = text
            visits[text] += 1
            # a hop that sets a cookie may legitimately come back once (cookie check pages)
            allowed = 2 if "Set-Cookie" in (response.headers or {}) else 1
            if visits[text] > allowed:
                hops = " → ".join([start, *chain.redirects])
                return _fail(chain, "redirect_loop", f"重定向循环：{hops}")
            url = target

    async def _request(self, method: str, url: URL) -> _Response:
        session = self._ensure_session()
        page_like = not looks_like_attachment(str(url))
        assert self._slots is not None
        host = self._host(url)
        async with host.slots:
            await self._pace(host)
            async with self._slots:
                started = time.monotonic()
                response = _Response()
                try:
                    async with session.request(method, url, allow_redirects=False) as resp:
                        response.status = resp.status
                        response.headers = resp.headers
                        response.content_type = _mime(resp.headers)
                        if self._wants_body(method, resp.status, response.content_type, page_like):
                            response.body = await _read_bounded(resp, self.config.max_body)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    response.error, response.detail = error_reason(exc, self.config)
                    response.body = None
                response.elapsed = time.monotonic() - started
                return response

    def _wants_body(self, method: str, status: int, mime: str | None, page_like: bool) -> bool:
        if method != "GET" or not _is_html(mime, page_like):
            return False
        return 200 <= status < 300 or status in WAF_STATUSES

    # -- plumbing ---------------------------------------------------------------------------

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            cfg = self.config
            tcp = connector(
                self.policy, limit=0, limit_per_host=0, ttl_dns_cache=300,
                resolver=self._resolver, ssl=True,
            )
            self._session = aiohttp.ClientSession(
                connector=tcp,
                timeout=aiohttp.ClientTimeout(total=cfg.timeout, sock_connect=cfg.connect_timeout),
                cookie_jar=aiohttp.CookieJar(unsafe=True),
                headers={
                    "User-Agent": cfg.user_agent,
                    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
                },
                trust_env=False,
                auto_decompress=True,
                max_line_size=65536,
                max_field_size=65536,
            )
            self._slots = asyncio.Semaphore(max(1, cfg.total))
        return self._session

    def _host(self, url: URL) -> _Host:
        key = host_key(url)
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(asyncio.Semaphore(max(1, self.config.per_host)))
        return host

    async def _pace(self, host: _Host) -> None:
        delay = self.config.host_delay
        if delay <= 0:
            return
        now = time.monotonic()
        start = max(now, host.next_start)
        host.next_start = start + delay
        if start > now:
            await asyncio.sleep(start - now)


async def _read_bounded(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    body = bytearray()
    while len(body) < limit:
        chunk = await resp.content.read(min(65536, limit - len(body)))
        if not chunk:
            break
        body += chunk
    return bytes(body)


def _fail(chain: _Chain, reason: str, detail: str) -> _Chain:
    chain.response = _Response(
        status=chain.response.status, headers=chain.response.headers,
        content_type=chain.response.content_type, error=reason, detail=detail,
    )
    return chain


def _result(key: str, chain: _Chain, spent: float) -> LinkResult:
    response = chain.response
    result = LinkResult(
        url=key, outcome="ok", reason="ok", http_status=response.status, final_url=chain.url,
        redirects=list(chain.redirects), method=chain.method,
        content_type=response.content_type, elapsed_ms=round(spent * 1000),
        checked_at=now_iso(),
    )
    if response.error:
        result.outcome = "unsupported" if response.error == "scheme" else "broken"
        result.reason, result.detail = response.error, response.detail
        return result
    status = response.status or 0
    judgement = None
    if response.body is not None:
        content_type = (response.headers or {}).get("Content-Type")
        # a promised file (.pdf, .doc …) answered by an HTML page: one rule with the download
        # check (urlcheck/verdict.py)
        judgement = file_judgement(key, status, content_type, response.body, response.headers)
        if judgement is None:
            html = decode_body(response.body, content_type)
            judgement = judge_page(status, html, "", response.headers)
    elif status in WAF_STATUSES:
        judgement = judge_page(status, "", "", response.headers)
    if judgement is not None:
        result.outcome, result.reason, result.detail = (
            judgement.outcome, judgement.reason, judgement.detail
        )
    elif status >= 400:
        result.outcome, result.reason, result.detail = "broken", f"http_{status}", status_detail(
            status
        )
    elif (
        chain.redirects
        and 200 <= status < 300
        and response.body is not None
        and looks_like_error_page(chain.url)
    ):
        result.outcome, result.reason = "broken", "soft_404"
        result.detail = f"重定向到错误页面：{chain.url}"
    else:
        hops = f"，经{len(chain.redirects)}次重定向" if chain.redirects else ""
        result.detail = f"正常（HTTP {status}{hops}）"
    return result


def _unchecked(kind: str, text: str, scheme: str) -> LinkResult:
    if kind == "excluded":
        what = "页内锚点或空链接" if scheme == "#" else f"{scheme}: 链接"
        outcome, reason, detail = "excluded", "scheme", f"{what}，不检查"
    elif kind == "unsupported":
        outcome, reason, detail = "unsupported", "scheme", f"不支持的协议（{scheme}:），未检查"
    else:
        outcome, reason, detail = "broken", "bad_url", "链接地址格式错误"
    return LinkResult(text, outcome, reason, checked_at=now_iso(), detail=detail)


def _report(progress: Progress, done: int, total: int) -> None:
    try:
        progress(done, total)
    except Exception:  # a faulty progress callback must not stop the checks
        log.exception("progress callback failed")


def check_urls(
    urls: Iterable[str], config: CheckConfig | None = None, progress: Progress | None = None
) -> dict[str, LinkResult]:
    """Synchronous wrapper (runs its own event loop; not for use inside a running loop)."""

    async def run() -> dict[str, LinkResult]:
        async with LinkChecker(config) as checker:
            return await checker.check_many(urls, progress)

    return asyncio.run(run())
