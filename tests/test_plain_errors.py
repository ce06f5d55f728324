"""Issue 19 §6: what Chromium, Scrapy/Twisted and aiohttp say when a page does not open, in the
plain words people read on the card, the report and the app — the code kept, the noise gone."""

from __future__ import annotations

import pytest

from xunjian.base.errors import plain_error, plain_reason, raw_error
from xunjian.inspectors.homepage import short_error

CALL_LOG = ('\nCall log:\n  - navigating to "http://www.xx.gov.cn/", waiting until "load"\n')


@pytest.mark.parametrize(("raw", "plain"), [
    ("Error: Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/" + CALL_LOG,
     "打不开：连接被拒绝 (ERR_CONNECTION_REFUSED)"),
    ("Error: Page.goto: net::ERR_NAME_NOT_RESOLVED at http://www.nowhere.gov.cn/" + CALL_LOG,
     "打不开：域名无法解析 (ERR_NAME_NOT_RESOLVED)"),
    ("Error: Page.goto: net::ERR_CONNECTION_TIMED_OUT at http://10.1.1.1/" + CALL_LOG,
     "打不开：连接超时 (ERR_CONNECTION_TIMED_OUT)"),
    ("Error: Page.goto: net::ERR_CONNECTION_RESET at http://www.xx.gov.cn/" + CALL_LOG,
     "打不开：连接被重置 (ERR_CONNECTION_RESET)"),
    ("Error: Page.goto: net::ERR_CERT_DATE_INVALID at https://www.xx.gov.cn/" + CALL_LOG,
     "打不开：证书错误 (ERR_CERT_DATE_INVALID)"),
    ("Error: Page.goto: net::ERR_CERT_AUTHORITY_INVALID at https://www.xx.gov.cn/",
     "打不开：证书错误 (ERR_CERT_AUTHORITY_INVALID)"),
    ("Error: Page.goto: net::ERR_TOO_MANY_REDIRECTS at http://www.xx.gov.cn/",
     "打不开：重定向次数过多 (ERR_TOO_MANY_REDIRECTS)"),
    ("Error: Page.goto: net::ERR_QUIC_PROTOCOL_ERROR at http://www.xx.gov.cn/",
     "打不开：网络错误 (ERR_QUIC_PROTOCOL_ERROR)"),
    ("TimeoutError: Page.goto: Timeout 30000ms exceeded." + CALL_LOG,
     "打不开：页面加载超时 (Timeout 30000ms)"),
    ("ConnectionRefusedError: Connection was refused by other side: 111: Connection refused.",
     "打不开：连接被拒绝 (ConnectionRefusedError)"),
    ("DNSLookupError: DNS lookup failed: no results for hostname lookup: www.nowhere.gov.cn.",
     "打不开：域名无法解析 (DNSLookupError)"),
    ("TCPTimedOutError: TCP connection timed out: 110: Connection timed out.",
     "打不开：连接超时 (TCPTimedOutError)"),
    ("ResponseNeverReceived: [<twisted.python.failure.Failure twisted.internet.error."
     "ConnectionLost: Connection to the other side was lost in a non-clean fashion.>]",
     "打不开：服务器没有返回内容 (ResponseNeverReceived)"),
    ("ClientConnectorError: Cannot connect to host 127.0.0.1:9 ssl:default "
     "[Errno 111] Connect call failed ('127.0.0.1', 9)",
     "打不开：连接被拒绝 (ClientConnectorError)"),
    ("ClientConnectorDNSError: Cannot connect to host www.nowhere.gov.cn:80 ssl:default "
     "[Name or service not known]", "打不开：域名无法解析 (ClientConnectorDNSError)"),
    ("ServerDisconnectedError: Server disconnected", "打不开：连接被服务器关闭 (ServerDisconnectedError)"),
])
def test_browser_and_network_errors_in_plain_words(raw: str, plain: str) -> None:
    assert plain_error(raw) == plain
    assert plain_error(plain) == plain  # stored phrases read the same again
    assert "\n" not in plain_error(raw)


def test_what_is_not_a_network_error_stays_as_it_was_on_one_line() -> None:
    assert plain_error("HTTP 503") == "HTTP 503"
    assert plain_error(None) is None
    assert plain_error("ValueError: bad\n  more") == "ValueError: bad more"


def test_raw_line_drops_the_call_log_and_reason_drops_the_prefix() -> None:
    raw = "Error: Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/" + CALL_LOG
    assert raw_error(raw) == "Error: Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/"
    assert plain_reason(raw) == "连接被拒绝 (ERR_CONNECTION_REFUSED)"
    # the card's 首页无法访问 line, for old stored records as for new ones
    assert short_error(raw) == "连接被拒绝 (ERR_CONNECTION_REFUSED)"
    assert short_error("打不开：连接被重置 (ERR_CONNECTION_RESET)") == "连接被重置 (ERR_CONNECTION_RESET)"
    assert short_error("HTTP 503") == "HTTP 503"
