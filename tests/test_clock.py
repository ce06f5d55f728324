"""One clock for people (issue 22 §3): every time a person reads is Beijing time, the zone said
once; UTC stays in JSON and in the store.

The instant used throughout is 2026-12-02T17:30:00Z — 2026-12-03 01:30 in Beijing, the next
day: a surface that prints the stored string, or cuts its date, shows the wrong day.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook
from rich.console import Console
from test_one_count import CODE, _signed_in, store  # noqa: F401 - the county portal's store

from xunjian.alerts import warnings as alerts
from xunjian.base.clock import ZONE_NOTE, ZONE_SUFFIX, beijing, beijing_date
from xunjian.reports.rectify import build_rectify_notice
from xunjian.reports.site import build_site_report
from xunjian.reports.text import card_lines, print_card
from xunjian.scoring.history import carried_text

UTC_TEXT = "2026-12-02T17:30:00+00:00"
SHOWN = "2026-12-03 01:30"


@pytest.mark.parametrize(("value", "shown"), [
    ("2026-12-02T17:30:00Z", SHOWN),
    (UTC_TEXT, SHOWN),
    ("2026-12-02T17:30:00.123456+00:00", SHOWN),
    ("2026-12-02T17:30:00", SHOWN),  # naive: UTC, as the store writes it
    ("2026-12-03T01:30:00+08:00", SHOWN),
    (datetime(2026, 12, 2, 17, 30, tzinfo=UTC), SHOWN),
    (datetime(2026, 12, 2, 17, 30), SHOWN),
    ("2026-12-02", "2026-12-02"),  # a date alone is a day, not midnight UTC
    (date(2026, 12, 2), "2026-12-02"),
    (None, ""), ("", ""),
    ("昨天下午", "昨天下午"), ("2026-13-45T99:00", "2026-13-45T99:00"), (17, "17"),
])
def test_beijing(value, shown):
    assert beijing(value) == shown


def test_beijing_seconds_and_date():
    assert beijing(UTC_TEXT, seconds=True) == "2026-12-03 01:30:00"
    assert beijing_date(UTC_TEXT) == "2026-12-03"
    assert beijing_date("2026-12-02") == "2026-12-02"
    assert beijing_date("乱码") == "乱码"
    assert beijing_date(None) == ""


def test_carried_verdict_date_is_the_beijing_day():
    finding = {"carried_verdict": {"verdict": "rejected", "by": "alice", "at": UTC_TEXT}}
    assert "alice，2026-12-03" in carried_text(finding)


def test_app_shows_beijing_time_and_the_card_json_keeps_utc(store):  # noqa: F811
    client = _signed_in(store)
    page = client.get(f"/site/{CODE}/finding/fa").get_data(as_text=True)
    assert f"<dt>探测时间</dt><dd>{SHOWN}</dd>" in page
    assert UTC_TEXT not in page and "17:30" not in page
    assert page.count(ZONE_NOTE) == 1 and "北京时间" not in page.replace(ZONE_NOTE, "")
    card = json.loads(client.get(f"/site/{CODE}/card.json").get_data(as_text=True))
    ev = next(f for f in card["findings"] if f["id"] == "fa")["evidence"]
    assert ev["checked_at"] == UTC_TEXT


def test_site_report_formats_show_beijing_time(store):  # noqa: F811
    html = build_site_report(store, CODE, "html").decode("utf-8")
    # the dead-link table's narrow 探测时间 cell: month, day and time (the year is the report's)
    assert "12-03 01:30" in html and "17:30" not in html
    assert html.count(ZONE_SUFFIX) == 1
    doc = Document(io.BytesIO(build_site_report(store, CODE, "docx")))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "12-03 01:30" in cells and not any("17:30" in c for c in cells)  # 探测时间
    wb = load_workbook(io.BytesIO(build_site_report(store, CODE, "xlsx")))
    values = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v]
    assert "2026-12-03 01:30:00" in values and not any("17:30" in v for v in values)
    assert any(v.endswith(ZONE_SUFFIX) for v in values)


def test_rectify_notice_shows_beijing_time(store):  # noqa: F811
    doc = Document(io.BytesIO(build_rectify_notice(store, CODE, "docx")))
    text = "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "探测时间：2026-12-03 01:30:00" in text and "17:30" not in text
    assert ZONE_NOTE in text
    wb = load_workbook(io.BytesIO(build_rectify_notice(store, CODE, "xlsx")))
    values = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v]
    assert any("2026-12-03 01:30:00" in v for v in values)
    assert not any("17:30" in v for v in values)


def _unreachable_card(store):  # noqa: F811
    from xunjian.inspection.card import card_for

    card = card_for(store, store.latest_inspection(CODE)["id"])
    card["facts"]["homepage"] = {"reachable": False, "error": "timeout", "at": UTC_TEXT,
                                 "attempts": [{}, {}]}
    return card


def test_terminal_card_shows_beijing_time(store):  # noqa: F811
    card = _unreachable_card(store)
    out = io.StringIO()
    print_card(card, Console(file=out, force_terminal=True, width=200, color_system=None))
    assert f"({SHOWN}{ZONE_SUFFIX}, 2 tries)" in out.getvalue()
    lines = card_lines(card)
    assert any(f"\t{SHOWN}{ZONE_SUFFIX}\t" in line for line in lines)
    assert not any("17:30" in line for line in lines)


def test_recheck_prints_beijing_time(store, capsys):  # noqa: F811
    from xunjian.commands_recheck import _print

    record = {"result": "open", "detail": "仍不可用：HTTP 404", "url": "http://x/", "at": UTC_TEXT,
              "evidence": {"status": 404}, "id": "r1", "finding": "fa", "inspection": "i1"}
    _print(record, {"open": "未整改"}, store)
    assert f"复查时间 checked: {SHOWN}{ZONE_SUFFIX}" in capsys.readouterr().out


def test_warnings_say_beijing_time_and_store_utc(store, monkeypatch):  # noqa: F811
    site = {"code": "5107230009", "name": "梓潼县教育局", "url": "http://jyj.zitong.gov.cn/"}
    store.upsert_site(site)
    store.insert_many("probes", [
        {"site": site["code"], "url": site["url"], "ok": False, "status": None,
         "elapsed_ms": 30000, "error": "timeout", "time": t}
        for t in ("2026-12-02T17:00:00+00:00", UTC_TEXT)])
    sent = []

    class SMTP:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message.get_content())

    monkeypatch.setattr(alerts.smtplib, "SMTP", SMTP)
    now = datetime(2026, 12, 2, 17, 40, tzinfo=UTC)
    rows = alerts.evaluate_site(store, site, [alerts.Email("127.0.0.1", ["a@b.cn"])], now=now)
    row = next(r for r in rows if r["kind"] == "consecutive_failures")
    assert row["detail"] == ("首页连续两次探测失败：2026-12-03 01:00:00 timeout，"
                             f"2026-12-03 01:30:00 timeout{ZONE_SUFFIX}")
    assert row["raised_at"] == now.isoformat()  # stored (and sent by webhook) in UTC
    assert row["evidence"]["probes"][1]["time"] == UTC_TEXT
    mail = next(m for m in sent if "连续两次" in m)
    assert f"时间：2026-12-03 01:40{ZONE_SUFFIX}" in mail


def test_queue_status_shows_beijing_time_and_its_json_keeps_utc(monkeypatch):
    from click.testing import CliRunner

    from xunjian.workqueue import commands, jobs

    status = {"counts": {"waiting": 1, "running": 1}, "live_workers": 1, "sites": [
        {"site": "5107230001", "state": "running", "worker": "w1", "since": UTC_TEXT,
         "attempts": 1, "error": None},
        {"site": "5107230009", "state": "waiting", "enqueued_at": UTC_TEXT, "attempts": 0,
         "error": None}]}
    monkeypatch.setattr(jobs, "queue_status", lambda url: status)
    run = CliRunner().invoke(commands.queue_group, ["status", "--queue", "redis://127.0.0.1:1"])
    assert run.exit_code == 0, run.output
    assert ZONE_NOTE in run.output and run.output.count("2026-12-03 01:30:00") == 2
    assert "17:30" not in run.output
    as_json = CliRunner().invoke(commands.queue_group,
                                 ["status", "--queue", "redis://127.0.0.1:1", "--json"])
    assert json.loads(as_json.output)["sites"][0]["since"] == UTC_TEXT
