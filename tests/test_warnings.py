"""Early warnings: raised once, sent once per channel (local webhook and SMTP), cleared."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from click.testing import CliRunner

from xunjian.alerts import warnings as w
from xunjian.storage import EmbeddedStore

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SITE = {"code": "4401000001", "name": "测试市人民政府", "url": "http://127.0.0.1:9/"}


class Webhook:
    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.fail = False
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                data = self.rfile.read(int(self.headers["Content-Length"]))
                if owner.fail:
                    self.send_response(500)
                else:
                    owner.bodies.append(json.loads(data))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class SMTP:
    """Just enough SMTP to receive a message (no extensions)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 localhost test\r\n")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb == b"DATA":
                        self.wfile.write(b"354 go ahead\r\n")
                        data = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(chunk)
                        owner.messages.append(b"".join(data).decode("utf-8", "replace"))
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def hook() -> Iterator[Webhook]:
    server = Webhook()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def smtp() -> Iterator[SMTP]:
    server = SMTP()
    yield server
    server.server.shutdown()


@pytest.fixture
def store(tmp_path):
    with EmbeddedStore(tmp_path / "store") as opened:
        opened.upsert_site(SITE)
        yield opened


def add_probes(store, oks: list[bool], end: datetime = NOW) -> None:
    step = timedelta(hours=1)
    start = end - step * len(oks)
    store.insert_many("probes", [
        {"site": SITE["code"], "time": (start + step * (n + 1)).isoformat(), "ok": ok,
         "error": None if ok else "timeout"} for n, ok in enumerate(oks)])


def channels(hook: Webhook, smtp: SMTP) -> list:
    return w.load_channels({"XUNJIAN_WEBHOOK_URL": hook.url, "XUNJIAN_SMTP_HOST": "127.0.0.1",
                            "XUNJIAN_SMTP_PORT": str(smtp.port),
                            "XUNJIAN_SMTP_TO": "ops@example.org"})


def test_fire_once_and_clear(store, hook: Webhook, smtp: SMTP) -> None:
    hook.bodies.clear()
    smtp.messages.clear()
    chans = channels(hook, smtp)
    add_probes(store, [True] * 96 + [False, False], NOW)  # 2/98 ≈ 2 %: only the consecutive one
    open_ = w.evaluate_site(store, SITE, chans, NOW)
    assert [r["kind"] for r in open_] == ["consecutive_failures"]
    assert len(hook.bodies) == 1 and hook.bodies[0]["warning"]["kind"] == "consecutive_failures"
    assert hook.bodies[0]["site"]["code"] == SITE["code"]
    assert len(smtp.messages) == 1 and "Subject:" in smtp.messages[0]

    # still failing, more failures: still one warning each, nothing sent twice
    add_probes(store, [False, False], NOW + timedelta(hours=2))
    open_ = w.evaluate_site(store, SITE, chans, NOW + timedelta(hours=2))
    assert sorted(r["kind"] for r in open_) == ["consecutive_failures", "probe_failure_rate"]
    w.evaluate_site(store, SITE, chans, NOW + timedelta(hours=2))
    assert sorted(b["warning"]["kind"] for b in hook.bodies) == [
        "consecutive_failures", "probe_failure_rate"]
    assert len(smtp.messages) == 2

    # the homepage answers again: the consecutive warning clears, the rate one stays
    add_probes(store, [True], NOW + timedelta(hours=3))
    open_ = w.evaluate_site(store, SITE, chans, NOW + timedelta(hours=3))
    assert [r["kind"] for r in open_] == ["probe_failure_rate"]
    cleared = [r for r in w.list_warnings(store, SITE["code"], include_cleared=True)
               if r["cleared_at"]]
    assert [r["kind"] for r in cleared] == ["consecutive_failures"]

    # it happens again: a new warning, sent again
    add_probes(store, [False, False], NOW + timedelta(hours=5))
    w.evaluate_site(store, SITE, chans, NOW + timedelta(hours=5))
    assert [b["warning"]["kind"] for b in hook.bodies].count("consecutive_failures") == 2


def test_rate_boundary(store) -> None:
    add_probes(store, [False] + [True] * 32 + [False] * 2 + [True] * 65)  # 3/100 = 3 %: not above
    assert [r["kind"] for r in w.evaluate_site(store, SITE, [], NOW)] == []
    add_probes(store, [False, True], NOW + timedelta(hours=2))  # 4/102 > 3 %
    assert [r["kind"] for r in w.evaluate_site(store, SITE, [], NOW + timedelta(hours=2))] == [
        "probe_failure_rate"]


def test_failed_send_is_retried_not_lost(store, hook: Webhook) -> None:
    hook.bodies.clear()
    chans = [w.Webhook(hook.url)]
    add_probes(store, [False, False])
    hook.fail = True
    try:
        rows = w.evaluate_site(store, SITE, chans, NOW)
        assert len(rows) == 2 and all(r["notified"] == {} for r in rows)  # rate and consecutive
    finally:
        hook.fail = False
    rows = w.evaluate_site(store, SITE, chans, NOW)
    assert all("webhook" in r["notified"] for r in rows) and len(hook.bodies) == 2
    w.evaluate_site(store, SITE, chans, NOW)
    assert len(hook.bodies) == 2


def test_registered_freshness_check(store) -> None:
    def not_updated(store, site, now):
        return True, "首页已11天未更新", {"days": 11}

    saved = dict(w.CHECKS)
    w.CHECKS.clear()
    w.register_check("homepage_not_updated", not_updated)
    try:
        rows = w.evaluate_site(store, SITE, [], NOW)
    finally:
        w.CHECKS.clear()
        w.CHECKS.update(saved)
    assert [(r["kind"], r["title"]) for r in rows] == [("homepage_not_updated", "首页10天未更新")]


def test_warnings_command(tmp_path) -> None:
    from xunjian.cli import main

    folder = tmp_path / "s"
    with EmbeddedStore(folder) as opened:
        opened.upsert_site(SITE)
        now = datetime.now(UTC)
        add_probes(opened, [True, False, False], now)
    result = CliRunner(env={"XUNJIAN_WEBHOOK_URL": "", "XUNJIAN_SMTP_HOST": ""}).invoke(
        main, ["--store", str(folder), "warnings", SITE["code"]])
    assert result.exit_code == 0, result.output
    assert "consecutive_failures" in result.output and "ACTIVE" in result.output
    result = CliRunner().invoke(main, ["--store", str(folder), "warnings", "--no-check"])
    assert "consecutive_failures" in result.output


def test_freshness_warnings(store, monkeypatch) -> None:
    from xunjian.alerts import freshness as fw

    facts = {"columns": [{"name": f"栏目{n}", "url": f"http://x/{n}", "category": "信息公开类",
                          "status": "blank" if n < 3 else "stale" if n < 10 else "fresh"}
                         for n in range(12)],
             "homepage": {"newest": "2026-11-09"}}
    monkeypatch.setattr(fw, "_freshness_facts", lambda store, site, now: dict(facts))
    rows = {r["kind"]: r for r in w.evaluate_site(store, SITE, [], NOW)}
    assert {"blank_columns", "stale_columns", "homepage_not_updated"} <= set(rows)
    assert rows["blank_columns"]["evidence"]["count"] == 3  # > 2
    assert rows["stale_columns"]["evidence"]["count"] == 7  # > 6
    assert rows["homepage_not_updated"]["evidence"]["days"] == 11  # > 10

    facts["columns"] = facts["columns"][2:]  # two blank left: cleared
    facts["homepage"] = {"newest": "2026-11-10"}  # 10 days: not more than 10
    rows = {r["kind"] for r in w.evaluate_site(store, SITE, [], NOW)}
    assert "blank_columns" not in rows and "homepage_not_updated" not in rows
    assert "stale_columns" in rows

    monkeypatch.setattr(fw, "_freshness_facts", lambda store, site, now: None)  # unknown
    rows = {r["kind"] for r in w.evaluate_site(store, SITE, [], NOW)}
    assert "stale_columns" in rows  # left as it is, not cleared by missing facts


def test_freshness_facts_without_inspection(store) -> None:
    from xunjian.alerts import freshness as fw

    assert fw._freshness_facts(store, SITE, NOW) is None
    assert fw.blank_columns_check(store, SITE, NOW) is None
