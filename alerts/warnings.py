"""Early warnings (预警): conditions that come before a veto, stored and sent once.

Checks implemented here, from probes:

* ``probe_failure_rate`` — more than 3 % of the probes in the last 7 days failed;
* ``consecutive_failures`` — the last two probes both failed.

and from the latest inspection's freshness facts (alerts/freshness.py): homepage not
updated for 10 days, more than 2 blank columns, more than 6 stale columns. More checks plug in
with ``register_check``: a check is ``check(store, site, now) -> (active, detail, evidence) |
None`` (None = unknown, leave as is).

A warning is one document in ``warnings`` while its condition holds: raised once, sent to every
configured channel once (a failed send is retried at the next evaluation), and closed
(``cleared_at``) when the condition clears; a later recurrence is a new warning, sent again.

Channels come from the settings (base/config.py): ``XUNJIAN_WEBHOOK_URL`` (JSON POST), and SMTP with
``XUNJIAN_SMTP_HOST`` [``XUNJIAN_SMTP_PORT``=25, ``XUNJIAN_SMTP_FROM``, ``XUNJIAN_SMTP_TO``
(comma-separated), ``XUNJIAN_SMTP_USER``/``XUNJIAN_SMTP_PASSWORD``, ``XUNJIAN_SMTP_STARTTLS``=1].
"""

from __future__ import annotations

import json
import logging
import smtplib
import threading
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from xunjian.alerts import freshness
from xunjian.base.clock import ZONE_SUFFIX, beijing
from xunjian.base.config import DEFAULTS, Config, current
from xunjian.storage.errors import DuplicateIdError

log = logging.getLogger(__name__)

WARNINGS = "warnings"
PROBES = "probes"
FAILURE_RATE_LIMIT = 3  # percent, strictly above
RATE_WINDOW_DAYS = 7

Check = Callable[[Any, dict, datetime], "tuple[bool, str, dict] | None"]
CHECKS: dict[str, Check] = {}
_lock = threading.Lock()


def register_check(kind: str, check: Check) -> None:
    """Add (or replace) a warning check; other packages register freshness checks here."""
    CHECKS[kind] = check


def _time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _recent_probes(store: Any, code: str, now: datetime) -> list[dict]:
    since = now - timedelta(days=RATE_WINDOW_DAYS)
    rows = [p for p in store.find(PROBES, site=code) if since <= _time(p["time"]) <= now]
    return sorted(rows, key=lambda p: _time(p["time"]))


def failure_rate_check(store: Any, site: dict, now: datetime):
    probes = _recent_probes(store, site["code"], now)
    if not probes:
        return None
    failed = sum(1 for p in probes if not p.get("ok"))
    active = failed * 100 > FAILURE_RATE_LIMIT * len(probes)
    percent = round(failed * 100 / len(probes), 2)
    return (active, f"近7天首页探测{len(probes)}次，失败{failed}次（{percent:g}%），超过3%",
            {"probes": len(probes), "failed": failed, "failure_percent": percent})


def consecutive_failures_check(store: Any, site: dict, now: datetime):
    probes = _recent_probes(store, site["code"], now)
    if len(probes) < 2:
        return None
    last = probes[-2:]
    active = not last[0].get("ok") and not last[1].get("ok")
    return (active, "首页连续两次探测失败：" + "，".join(
        f"{beijing(p['time'], seconds=True)} {p.get('error')}" for p in last) + ZONE_SUFFIX,
        {"probes": [{k: p.get(k) for k in ("id", "time", "error", "status")} for p in last]})


register_check("probe_failure_rate", failure_rate_check)
register_check("consecutive_failures", consecutive_failures_check)
CHECKS.update(freshness.CHECKS)  # homepage not updated, blank and stale columns


# -- channels -------------------------------------------------------------------------------------

@dataclass
class Webhook:
    url: str
    timeout: float = 10.0
    name: str = "webhook"

    def send(self, warning: dict, site: dict) -> None:
        body = json.dumps({"type": "xunjian.warning", "warning": warning,
                           "site": {k: site.get(k) for k in ("code", "name", "url")}},
                          ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=self.timeout) as response:
            if response.status >= 300:
                raise OSError(f"webhook answered {response.status}")


@dataclass
class Email:
    host: str
    recipients: list[str]
    port: int = DEFAULTS.smtp_port
    sender: str = DEFAULTS.smtp_from
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0
    name: str = "email"

    def send(self, warning: dict, site: dict) -> None:
        message = EmailMessage()
        message["Subject"] = f"【预警】{site.get('name') or site['code']}：{warning['title']}"
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message.set_content(
            f"网站：{site.get('name', '')}（{site['code']}）\n地址：{site.get('url', '')}\n"
            f"预警：{warning['title']}\n说明：{warning['detail']}\n"
            f"时间：{beijing(warning['raised_at'])}{ZONE_SUFFIX}\n")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def load_channels(env: dict[str, str] | None = None) -> list[Any]:
    """The channels the settings name (``env``: settings as environment variables; default
    this process's settings)."""
    settings = current() if env is None else Config.from_env(env)
    channels: list[Any] = []
    if settings.webhook_url:
        channels.append(Webhook(settings.webhook_url))
    if settings.smtp_host:
        channels.append(Email(
            host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
            recipients=[r.strip() for r in settings.smtp_to.split(",") if r.strip()],
            username=settings.smtp_user or None, password=settings.smtp_password or None,
            starttls=settings.smtp_starttls))
    return channels


TITLES = {
    "probe_failure_rate": "首页探测失败率超过3%",
    "consecutive_failures": "首页连续两次打不开",
    "homepage_not_updated": "首页10天未更新",
    "blank_columns": "空白栏目超过2个",
    "stale_columns": "不更新栏目超过6个",
}


# -- evaluation ----------------------------------------------------------------------------------

def evaluate_site(store: Any, site: dict, channels: Iterable[Any] = (),
                  now: datetime | None = None) -> list[dict]:
    """Raise, keep or clear each warning of one site; send new ones. Returns open warnings."""
    now = now or datetime.now(UTC)
    channels = list(channels)
    with _lock:
        for kind, check in CHECKS.items():
            result = check(store, site, now)
            if result is None:
                continue
            active, detail, evidence = result
            open_rows = store.find(WARNINGS, site=site["code"], kind=kind, cleared_at=None)
            if active and not open_rows:
                number = store.count(WARNINGS, site=site["code"], kind=kind)
                try:
                    store.insert(WARNINGS, {
                        "id": f"{site['code']}:{kind}:{number}", "site": site["code"],
                        "kind": kind, "title": TITLES.get(kind, kind), "detail": detail,
                        "evidence": evidence, "raised_at": now.isoformat(), "cleared_at": None,
                        "notified": {}})
                except DuplicateIdError:  # another process raised it at the same moment
                    pass
            elif active:
                store.update(WARNINGS, open_rows[0]["id"], {"detail": detail,
                                                            "evidence": evidence})
            else:
                for row in open_rows:
                    store.update(WARNINGS, row["id"], {"cleared_at": now.isoformat()})
        open_now = store.find(WARNINGS, site=site["code"], cleared_at=None)
        for row in open_now:
            _notify(store, row, site, channels)
        return store.find(WARNINGS, site=site["code"], cleared_at=None)


def _notify(store: Any, row: dict, site: dict, channels: list[Any]) -> None:
    notified = dict(row.get("notified") or {})
    changed = False
    for channel in channels:
        if channel.name in notified:
            continue  # sent once until the condition clears
        try:
            channel.send(row, site)
        except Exception as exc:  # noqa: BLE001 - retried at the next evaluation
            log.warning("warning %s not sent by %s: %s", row["id"], channel.name, exc)
            continue
        notified[channel.name] = datetime.now(UTC).isoformat()
        changed = True
    if changed:
        store.update(WARNINGS, row["id"], {"notified": notified})


def evaluate_and_notify(store: Any, channels: Iterable[Any] = (),
                        site_codes: Iterable[str] | None = None,
                        now: datetime | None = None) -> list[dict]:
    channels = list(channels)
    if site_codes is None:
        sites = store.list_sites()
    else:
        sites = [s for s in (store.get_site(code) for code in site_codes) if s is not None]
    out: list[dict] = []
    for site in sites:
        out.extend(evaluate_site(store, site, channels, now))
    return out


def list_warnings(store: Any, site_code: str | None = None,
                  include_cleared: bool = False) -> list[dict]:
    where: dict[str, Any] = {} if site_code is None else {"site": site_code}
    if not include_cleared:
        where["cleared_at"] = None
    rows = store.find(WARNINGS, **where)
    return sorted(rows, key=lambda r: (r["site"], r["raised_at"]))
