"""Result and configuration types of the link checker, and the Chinese detail texts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from xunjian.base.config import DEFAULTS

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 xunjian/0.1 (government website inspection)"
)

OUTCOMES = ("ok", "broken", "blocked", "excluded", "unsupported")


@dataclass
class CheckConfig:
    timeout: float = DEFAULTS.link_timeout  # deadline of one HTTP request (headers + bounded body)
    connect_timeout: float = 10.0  # TCP (and TLS) connect
    max_redirects: int = 10
    per_host: int = DEFAULTS.per_host  # concurrent requests per host:port (politeness)
    total: int = 64  # concurrent requests overall
    host_delay: float = DEFAULTS.host_delay  # minimum seconds between request starts to one host
    max_body: int = 512 * 1024  # bytes read from an HTML body for soft-404 detection
    user_agent: str = DEFAULT_USER_AGENT
    retries: int = 0  # extra attempts after timeout / reset / connect errors


@dataclass
class LinkResult:
    """One checked URL; ``to_dict()`` is the "Link result" document of CONTRACTS.md."""

    url: str
    outcome: str  # ok | broken | blocked | excluded | unsupported
    reason: str  # ok | http_404 | … | dns | connect | tls | timeout | reset | soft_404 | …
    http_status: int | None = None
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)  # every Location followed, in order
    method: str = ""  # "HEAD" | "GET"; "" when no request was made (excluded, bad URL)
    content_type: str | None = None  # bare lower-case MIME type of the final response
    elapsed_ms: int = 0  # time spent in requests (queueing for a slot not counted)
    checked_at: str = ""
    detail: str = ""  # short Chinese sentence for reviewers

    @property
    def is_broken(self) -> bool:
        return self.outcome == "broken"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_STATUS_TEXT = {
    400: "请求错误",
    401: "需要登录认证",
    403: "禁止访问",
    404: "页面不存在",
    405: "请求方法不允许",
    408: "请求超时",
    410: "页面已永久删除",
    412: "前提条件失败",
    429: "请求过于频繁",
    500: "服务器内部错误",
    501: "服务器不支持该请求",
    502: "网关错误",
    503: "服务暂不可用",
    504: "网关超时",
}


def status_detail(status: int) -> str:
    text = _STATUS_TEXT.get(status)
    return f"HTTP {status}：{text}" if text else f"HTTP {status}：访问出错"


def seconds_text(value: float) -> str:
    return f"{value:g}秒"
