"""Tests of urlcheck/ against a misbehaving local site (127.0.0.1 only)."""

from __future__ import annotations

import asyncio
import codecs
import time
import tracemalloc
from collections.abc import Iterator

import pytest
from aiohttp.abc import AbstractResolver
from urlcheck_server import LocalSite, LoopbackResolver

from xunjian.urlcheck import (
    CheckConfig,
    LinkChecker,
    LinkResult,
    check_urls,
    classify_html,
    decode_body,
)

CONTRACT_KEYS = [
    "url", "outcome", "reason", "http_status", "final_url", "redirects", "method",
    "content_type", "elapsed_ms", "checked_at", "detail",
]


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    server = LocalSite().start()
    yield server
    server.stop()


@pytest.fixture
def fresh(site: LocalSite) -> LocalSite:
    site.reset_counters()
    return site


def check(url: str, resolver: AbstractResolver | None = None, **config: object) -> LinkResult:
    async def run() -> LinkResult:
        cfg = CheckConfig(**{"timeout": 5, "connect_timeout": 3, **config})  # type: ignore
        async with LinkChecker(cfg, resolver=resolver or LoopbackResolver()) as checker:
            return await checker.check(url)

    return asyncio.run(run())


def many(urls: list[str], **config: object) -> dict[str, LinkResult]:
    async def run() -> dict[str, LinkResult]:
        cfg = CheckConfig(**{"timeout": 5, "connect_timeout": 3, **config})  # type: ignore
        async with LinkChecker(cfg, resolver=LoopbackResolver()) as checker:
            return await checker.check_many(urls)

    return asyncio.run(run())


# -- plain statuses --------------------------------------------------------------------------


def test_ok_page(site: LocalSite) -> None:
    result = check(f"{site.base}/ok#section")
    assert (result.outcome, result.reason, result.http_status) == ("ok", "ok", 200)
    assert result.url == f"{site.base}/ok"  # fragment stripped
    assert result.method == "GET"
    assert result.content_type == "text/html"
    assert result.redirects == []
    assert list(result.to_dict()) == CONTRACT_KEYS


@pytest.mark.parametrize(("path", "reason", "detail"), [
    ("/missing", "http_404", "HTTP 404：页面不存在"),
    ("/error", "http_500", "HTTP 500：服务器内部错误"),
    ("/unavailable", "http_503", "HTTP 503：服务暂不可用"),
])
def test_http_errors(site: LocalSite, path: str, reason: str, detail: str) -> None:
    result = check(site.base + path)
    assert (result.outcome, result.reason, result.detail) == ("broken", reason, detail)


def test_soft_404(site: LocalSite) -> None:
    result = check(f"{site.base}/soft404")
    assert (result.outcome, result.reason, result.http_status) == ("broken", "soft_404", 200)
    assert "您访问的页面不存在" in result.detail


def test_long_article_mentioning_404_is_ok(site: LocalSite) -> None:
    result = check(f"{site.base}/article")
    assert (result.outcome, result.reason) == ("ok", "ok")


def test_gbk_page_without_charset_is_decoded(site: LocalSite) -> None:
    result = check(f"{site.base}/gbk")
    assert (result.outcome, result.reason) == ("broken", "soft_404")


# -- HEAD / GET ------------------------------------------------------------------------------


def test_attachment_is_checked_with_head_only(fresh: LocalSite) -> None:
    result = check(f"{fresh.base}/files/report.pdf")
    assert (result.outcome, result.method, result.content_type) == ("ok", "HEAD", "application/pdf")
    assert fresh.hits[("HEAD", "/files/report.pdf")] == 1
    assert fresh.hits[("GET", "/files/report.pdf")] == 0


def test_head_405_falls_back_to_get(fresh: LocalSite) -> None:
    result = check(f"{fresh.base}/files/head405.pdf")
    assert (result.outcome, result.method, result.http_status) == ("ok", "GET", 200)
    assert fresh.hits[("HEAD", "/files/head405.pdf")] == 1
    assert fresh.hits[("GET", "/files/head405.pdf")] == 1


def test_attachment_404_confirmed_with_get(fresh: LocalSite) -> None:
    result = check(f"{fresh.base}/files/gone.pdf")
    assert (result.outcome, result.reason, result.method) == ("broken", "http_404", "GET")
    assert fresh.hits[("GET", "/files/gone.pdf")] == 1


def test_head_reset_falls_back_to_get(site: LocalSite) -> None:
    result = check(f"{site.base}/files/headreset.pdf")
    assert (result.outcome, result.method) == ("ok", "GET")


def test_attachment_answering_html_is_read(site: LocalSite) -> None:
    result = check(f"{site.base}/files/html.pdf")
    assert (result.outcome, result.reason, result.method) == ("broken", "soft_404", "GET")


# -- redirects -------------------------------------------------------------------------------


def test_redirect_chain(site: LocalSite) -> None:
    result = check(f"{site.base}/chain/3")
    assert result.outcome == "ok"
    assert result.redirects == [f"{site.base}/chain/2", f"{site.base}/chain/1",
                                f"{site.base}/chain/0"]
    assert result.final_url == f"{site.base}/chain/0"
    assert "3次重定向" in result.detail


def test_redirect_loop(site: LocalSite) -> None:
    result = check(f"{site.base}/loop/a")
    assert (result.outcome, result.reason) == ("broken", "redirect_loop")
    assert result.detail == (f"重定向循环：{site.base}/loop/a → {site.base}/loop/b → "
                             f"{site.base}/loop/a")


def test_too_many_redirects(site: LocalSite) -> None:
    result = check(f"{site.base}/chain/6", max_redirects=3)
    assert (result.outcome, result.reason) == ("broken", "too_many_redirects")
    assert len(result.redirects) == 3


def test_redirect_to_404(site: LocalSite) -> None:
    result = check(f"{site.base}/to404")
    assert (result.outcome, result.reason) == ("broken", "http_404")
    assert result.redirects == [f"{site.base}/missing"]
    assert result.final_url == f"{site.base}/missing"


def test_cookie_setting_self_redirect_is_not_a_loop(site: LocalSite) -> None:
    result = check(f"{site.base}/cookie-check")
    assert (result.outcome, result.http_status) == ("ok", 200)


# -- network failures ------------------------------------------------------------------------


def test_timeout(site: LocalSite) -> None:
    started = time.monotonic()
    result = check(f"{site.base}/slow", timeout=0.5)
    assert (result.outcome, result.reason) == ("broken", "timeout")
    assert "0.5秒" in result.detail
    assert time.monotonic() - started < 2.5


def test_connection_refused(site: LocalSite) -> None:
    result = check(f"http://127.0.0.1:{site.closed_port}/")
    assert (result.outcome, result.reason) == ("broken", "connect")


def test_dns_failure() -> None:
    resolver = LoopbackResolver()
    result = check("http://nonexistent.invalid/", resolver=resolver, timeout=2)
    assert (result.outcome, result.reason, result.detail[:6]) == ("broken", "dns", "域名解析失败")
    assert resolver.asked == ["nonexistent.invalid"]


def test_tls_error_is_a_finding(site: LocalSite) -> None:
    result = check(f"{site.tls_base}/ok")
    assert (result.outcome, result.reason) == ("broken", "tls")
    assert "自签名" in result.detail


@pytest.mark.parametrize("path", ["/reset", "/reset-mid"])
def test_connection_reset(site: LocalSite, path: str) -> None:
    result = check(site.base + path)
    assert (result.outcome, result.reason) == ("broken", "reset")


def test_response_without_headers(site: LocalSite) -> None:
    result = check(f"{site.raw_base}/")
    assert (result.outcome, result.reason) == ("broken", "reset")
    assert site.hits[("RAW", "/")] >= 1


def test_huge_html_body_is_read_bounded(fresh: LocalSite) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = check(f"{fresh.base}/huge", max_body=256 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.outcome, result.http_status) == ("ok", 200)
    assert time.monotonic() - started < 10
    assert peak < 24 * 1024 * 1024
    assert fresh.streamed < 50 * 1024 * 1024


def test_huge_download_reads_no_body(fresh: LocalSite) -> None:
    result = check(f"{fresh.base}/download")
    assert (result.outcome, result.method, result.content_type) == ("ok", "GET", "application/zip")
    assert fresh.streamed < 20 * 1024 * 1024


# -- anti-bot walls --------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "reason", "vendor"), [
    ("/ruishu", "waf_challenge", "瑞数"),
    ("/safedog", "waf_challenge", "安全狗"),
    ("/jsl", "waf_challenge", "加速乐"),
    ("/forbidden", "http_403", "需浏览器复核"),
    ("/ratelimit", "http_429", "需浏览器复核"),
])
def test_blocked(site: LocalSite, path: str, reason: str, vendor: str) -> None:
    result = check(site.base + path)
    assert (result.outcome, result.reason) == ("blocked", reason)
    assert vendor in result.detail


# -- triage ----------------------------------------------------------------------------------


def test_excluded_unsupported_and_bad_urls_make_no_request(fresh: LocalSite) -> None:
    urls = ["mailto:office@gov.cn", "javascript:void(0)", "tel:12345", "data:text/plain,x",
            "#top", "about:blank", "ftp://ftp.example.gov.cn/a.zip", "http://exa mple/",
            "http://127.0.0.1:99999/", "relative/page.html"]
    results = many(urls)
    outcomes = [results[u].outcome for u in urls]
    assert outcomes == ["excluded"] * 6 + ["unsupported"] + ["broken"] * 3
    assert [results[u].reason for u in urls[-3:]] == ["bad_url"] * 3
    assert sum(fresh.hits.values()) == 0


# -- cache and politeness --------------------------------------------------------------------


def test_cache_shares_one_request(fresh: LocalSite) -> None:
    url = f"{fresh.base}/count/cached"

    async def run() -> list[LinkResult]:
        async with LinkChecker(CheckConfig(timeout=5)) as checker:
            first = await asyncio.gather(*[checker.check(url) for _ in range(5)])
            again = await checker.check(url + "#other-fragment")
            return [*first, again]

    results = asyncio.run(run())
    assert fresh.hits[("GET", "/count/cached")] == 1
    assert all(r.outcome == "ok" for r in results)


def test_per_host_concurrency(fresh: LocalSite) -> None:
    urls = [f"{fresh.base}/concurrent/{i}" for i in range(12)]
    results = many(urls, per_host=3, total=50)
    assert all(r.outcome == "ok" for r in results.values())
    assert fresh.max_inflight == 3


def test_total_concurrency(fresh: LocalSite) -> None:
    urls = [f"{fresh.base}/concurrent/t{i}" for i in range(8)]
    many(urls, per_host=10, total=2)
    assert fresh.max_inflight == 2


def test_host_delay(fresh: LocalSite) -> None:
    urls = [f"{fresh.base}/count/delay{i}" for i in range(4)]
    many(urls, per_host=4, host_delay=0.2)
    gaps = [b - a for a, b in zip(fresh.starts, fresh.starts[1:], strict=False)]
    assert len(gaps) == 3 and min(gaps) >= 0.18


def test_check_urls_and_progress(site: LocalSite) -> None:
    calls: list[tuple[int, int]] = []
    urls = [f"{site.base}/ok", f"{site.base}/ok#again", f"{site.base}/missing", "mailto:x@y.cn"]
    results = check_urls(urls, CheckConfig(timeout=5), lambda d, t: calls.append((d, t)))
    assert set(results) == set(urls)
    assert results[urls[1]].url == f"{site.base}/ok"
    assert results[urls[2]].reason == "http_404"
    assert calls[-1] == (4, 4) and len(calls) == 4


# -- pure functions --------------------------------------------------------------------------


def test_decode_body_order() -> None:
    text = "<p>您访问的页面不存在</p>"
    assert decode_body(text.encode("gbk"), "text/html; charset=GB2312") == text
    assert decode_body(text.encode("gbk"), "text/html") == text  # no charset: UTF-8 fails → GBK
    assert decode_body(text.encode("gbk"), "text/html; charset=utf-8") == text  # wrong label
    assert decode_body(text.encode("gbk"), "text/html; charset=nonsense") == text
    assert decode_body(text.encode("gbk"), "text/html; charset=ISO-8859-1") == text
    assert decode_body(codecs.BOM_UTF8 + text.encode(), None) == text
    assert decode_body(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), None) == text
    meta = "<meta http-equiv='Content-Type' content='text/html; charset=big5'>繁體"
    assert decode_body(meta.encode("big5"), "text/html") == meta
    cut = "页面内容".encode()[:-1]  # multi-byte character cut by the read limit
    assert decode_body(cut, "text/html; charset=utf-8") == "页面内"
    assert decode_body(b"", None) == ""


NAV = "<body><ul>" + "".join(f"<li><a href=/c{i}>栏目{i}</a></li>" for i in range(40)) + "</ul>"
SHORT_ARTICLE = ("<title>关于网站检查情况的通报</title><body><h1>关于网站检查情况的通报</h1>"
                 "<p>各单位：现将本季度政府网站检查情况通报如下。</p><p>{}</p>"
                 "<p>请各单位认真整改。</p></body>")


@pytest.mark.parametrize(("status", "html", "headers", "expected"), [
    (200, "<title>404 Not Found</title><body>nginx</body>", {}, ("broken", "soft_404")),
    (200, "<title>出错了</title><body>返回首页</body>", {}, ("broken", "soft_404")),
    (200, "<title>关于第404号提案的答复</title><body>" + "答复内容" * 100, {}, None),
    (200, "<title>通知</title><body>" + "正文" * 2000 + "页面不存在</body>", {}, None),
    (200, "<body>页面未找到</body>", {}, ("broken", "soft_404")),
    (200, "<title>HTTP Status 404 – Not Found</title>", {}, ("broken", "soft_404")),
    (200, "<title>页面不存在_某市人民政府网站</title>" + NAV, {}, ("broken", "soft_404")),
    (200, NAV + "<p>抱歉，您访问的页面不存在或已被删除，请返回首页。</p>", {},
     ("broken", "soft_404")),
    (200, NAV + "<p>对不起，系统出错了！</p>", {}, ("broken", "soft_404")),
    (200, "<body><p>第404期</p><img src=a.jpg></body>", {}, None),
    (200, SHORT_ARTICLE.format("经检查，部分网站存在页面不存在的问题。"), {}, None),
    (200, SHORT_ARTICLE.format("整改前该栏目曾有链接返回404错误。"), {}, None),
    (200, SHORT_ARTICLE.format("如发现链接错误，请联系我们。"), {}, None),
    (200, "<title>整改报告</title><h2>一、页面不存在</h2><p>" + "问题已整改。" * 60, {}, None),
    (200, "<title>首页</title><body>欢迎</body>", {"Set-Cookie": "__jsluid_h=1"}, None),
    (200, "<script>$_ts=window['$_ts'];</script>", {}, ("blocked", "waf_challenge")),
    (202, "<script>$_ts=window['$_ts'];</script>", {}, ("blocked", "waf_challenge")),
    (202, "<body>accepted</body>", {}, None),
    (503, "<body>请开启 JavaScript 后刷新</body>", {}, ("blocked", "waf_challenge")),
    (503, "<body>busy</body>", {"Server": "yunsuo"}, ("blocked", "waf_challenge")),
    (503, "<body>Service Unavailable</body>", {"Server": "nginx"}, None),
    (403, "<body>Forbidden</body>", {}, ("blocked", "http_403")),
    (404, "<body>safedog</body>", {}, None),
])
def test_classify_html(
    status: int, html: str, headers: dict[str, str], expected: tuple[str, str] | None
) -> None:
    assert classify_html(status, html, "", headers) == expected
