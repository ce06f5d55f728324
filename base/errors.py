"""Why a page could not be opened, in plain words for people: the one place that turns what
Chromium (through Playwright), Scrapy/Twisted and aiohttp say into a short Chinese phrase.

``plain_error("Error: Page.goto: net::ERR_CONNECTION_REFUSED at http://…\\nCall log: …")`` is
``打不开：连接被拒绝 (ERR_CONNECTION_REFUSED)``: the phrase for people, the code in brackets for
auditors (and for searching logs). ``raw_error`` is the library's own first line, without
Playwright's "Call log" — kept beside the phrase in the stored page (``error_raw``).
Both are idempotent: a phrase goes through unchanged, so old and new records read alike.
"""

from __future__ import annotations

import re

PREFIX = "打不开："

#: Chromium's net::ERR_… codes → phrase (the commonest first; any other code keeps its name).
CHROMIUM: dict[str, str] = {
    "ERR_CONNECTION_REFUSED": "连接被拒绝",
    "ERR_NAME_NOT_RESOLVED": "域名无法解析",
    "ERR_NAME_RESOLUTION_FAILED": "域名无法解析",
    "ERR_CONNECTION_TIMED_OUT": "连接超时",
    "ERR_TIMED_OUT": "连接超时",
    "ERR_CONNECTION_RESET": "连接被重置",
    "ERR_CONNECTION_CLOSED": "连接被服务器关闭",
    "ERR_EMPTY_RESPONSE": "服务器没有返回内容",
    "ERR_CONNECTION_ABORTED": "连接中断",
    "ERR_CONNECTION_FAILED": "无法连接服务器",
    "ERR_ADDRESS_UNREACHABLE": "网络不可达",
    "ERR_NETWORK_UNREACHABLE": "网络不可达",
    "ERR_INTERNET_DISCONNECTED": "网络不可达",
    "ERR_NETWORK_CHANGED": "网络中断",
    "ERR_SSL_PROTOCOL_ERROR": "加密连接失败",
    "ERR_SSL_VERSION_OR_CIPHER_MISMATCH": "加密连接失败（协议或加密方式不兼容）",
    "ERR_BAD_SSL_CLIENT_AUTH_CERT": "证书错误",
    "ERR_TOO_MANY_REDIRECTS": "重定向次数过多",
    "ERR_INVALID_RESPONSE": "服务器响应无效",
    "ERR_INVALID_HTTP_RESPONSE": "服务器响应无效",
    "ERR_HTTP2_PROTOCOL_ERROR": "服务器响应无效",
    "ERR_RESPONSE_HEADERS_TOO_BIG": "服务器响应无效",
    "ERR_CONTENT_DECODING_FAILED": "内容无法解码",
    "ERR_UNSAFE_PORT": "端口不允许浏览器访问",
    "ERR_BLOCKED_BY_CLIENT": "被浏览器拦截",
    "ERR_BLOCKED_BY_RESPONSE": "被网站拦截",
    "ERR_ABORTED": "页面加载被中止",
    "ERR_FAILED": "页面加载失败",
}
#: Other libraries' exceptions (Twisted/Scrapy, aiohttp, Python) → phrase; matched on the
#: exception's name, first hit wins.
EXCEPTIONS: tuple[tuple[str, str], ...] = (
    ("DNSLookupError", "域名无法解析"),
    ("ClientConnectorDNSError", "域名无法解析"),
    ("gaierror", "域名无法解析"),
    ("ConnectionRefusedError", "连接被拒绝"),
    ("ClientConnectorCertificateError", "证书错误"),
    ("CertificateError", "证书错误"),
    ("ClientSSLError", "证书错误"),
    ("SSLError", "证书错误"),
    ("TCPTimedOutError", "连接超时"),
    ("ServerTimeoutError", "连接超时"),
    ("DownloadTimeoutError", "响应超时"),
    ("TimeoutError", "连接超时"),
    ("ConnectionResetError", "连接被重置"),
    ("ConnectionLost", "连接被服务器关闭"),
    ("ConnectionDone", "连接被服务器关闭"),
    ("ResponseNeverReceived", "服务器没有返回内容"),
    ("ServerDisconnectedError", "连接被服务器关闭"),
    ("ConnectionAbortedError", "连接中断"),
    ("NoRouteError", "网络不可达"),
    ("ConnectError", "无法连接服务器"),
    ("ClientConnectorError", "无法连接服务器"),
    ("ClientOSError", "无法连接服务器"),
)
#: What an OS error number says, when only that is left (aiohttp's "[Errno 111] …").
ERRNOS = {"111": "连接被拒绝", "110": "连接超时", "104": "连接被重置", "113": "网络不可达",
          "101": "网络不可达", "-2": "域名无法解析", "-3": "域名无法解析", "-5": "域名无法解析"}

_NET = re.compile(r"net::(ERR_[A-Z0-9_]+)")
_TIMEOUT = re.compile(r"Timeout (\d+) ?ms exceeded")
_TYPE = re.compile(r"^([A-Za-z_][\w.]*?)(?:\(|: |$)")
_ERRNO = re.compile(r"\[Errno (-?\d+)\]")
_CERT = re.compile(r"ERR_CERT_|ERR_SSL_PINNED|certificate", re.IGNORECASE)


def raw_error(error: str | None) -> str | None:
    """The library's message on one line: Playwright's "Call log:" and everything after it
    dropped, whitespace folded, at most 300 characters."""
    if not error:
        return None
    text = re.split(r"\s*=*\s*Call log:", str(error), maxsplit=1)[0]
    text = re.sub(r"\s+", " ", text).strip()
    return text[:300] or None


def plain_error(error: str | None) -> str | None:
    """Why a page did not open, for people: ``打不开：<phrase> (<code>)``. An HTTP status
    (``HTTP 503``), a phrase already made and an error nobody knows are kept (on one line)."""
    text = raw_error(error)
    if text is None or text.startswith(PREFIX) or re.fullmatch(r"HTTP \d{3}", text):
        return text
    net = _NET.search(text)
    if net:
        code = net.group(1)
        phrase = CHROMIUM.get(code) or ("证书错误" if _CERT.search(code) else "网络错误")
        return f"{PREFIX}{phrase} ({code})"
    timeout = _TIMEOUT.search(text)
    if timeout:
        return f"{PREFIX}页面加载超时 (Timeout {timeout.group(1)}ms)"
    name = (_TYPE.match(text) or [None, ""])[1].rsplit(".", 1)[-1]
    errno = _ERRNO.search(text)
    for exception, phrase in EXCEPTIONS:
        if name == exception:
            if errno and errno.group(1) in ERRNOS and phrase in ("连接超时", "无法连接服务器"):
                phrase = ERRNOS[errno.group(1)]
            return f"{PREFIX}{phrase} ({name})"
    if errno and errno.group(1) in ERRNOS:
        return f"{PREFIX}{ERRNOS[errno.group(1)]} ({name or 'Errno ' + errno.group(1)})"
    if _CERT.search(text):
        return f"{PREFIX}证书错误 ({name or 'certificate'})"
    return text


def plain_reason(error: str | None) -> str | None:
    """``plain_error`` without its 打不开： (for a sentence that already says so: 首页无法访问（连接被
    拒绝 (ERR_CONNECTION_REFUSED)…）, 栏目「通知公告」打不开（…）)."""
    text = plain_error(error)
    return text[len(PREFIX):] if text and text.startswith(PREFIX) else text
