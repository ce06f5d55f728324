"""Issue 10 point 7: crawl logs go to a rotated log folder, not /tmp/xunjian-crawl-*.log."""

from __future__ import annotations

import os
import time
from pathlib import Path

from xunjian.inspection import run as inspection
from xunjian.inspection.logs import crawl_log_path, log_folder


class FakeStore:
    def count_pages(self, _inspection_id):
        return 0


class FinishedCrawl:
    """Stands in for the scrapy subprocess: records its command, exits 0 at once."""

    commands: list[list[str]] = []

    def __init__(self, cmd, **_kwargs):
        FinishedCrawl.commands.append(cmd)
        self.returncode = 0
        self.stderr = None

    def poll(self):
        return 0


def test_run_crawl_logs_into_the_store_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("XUNJIAN_LOG_DIR", raising=False)
    monkeypatch.setattr(inspection.subprocess, "Popen", FinishedCrawl)
    store = tmp_path / "xunjian-data"
    log = inspection.run_crawl(FakeStore(), str(store), "4401000001", "abc123")
    assert log == store / "logs" / "crawl-abc123.log"
    assert f"LOG_FILE={log}" in FinishedCrawl.commands[-1]


def test_log_folder_for_each_kind_of_store(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("XUNJIAN_LOG_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert log_folder(str(tmp_path / "data")) == tmp_path / "data" / "logs"
    assert log_folder(f"file://{tmp_path}/data") == tmp_path / "data" / "logs"
    assert log_folder("mongodb://db.example:27017/xunjian") == (
        tmp_path / "state" / "xunjian" / "logs")
    monkeypatch.setenv("XUNJIAN_LOG_DIR", str(tmp_path / "elsewhere"))
    assert log_folder("mongodb://db.example:27017/xunjian") == tmp_path / "elsewhere"


def test_old_crawl_logs_are_rotated_away(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "logs"
    monkeypatch.setenv("XUNJIAN_LOG_DIR", str(folder))
    monkeypatch.setenv("XUNJIAN_LOG_KEEP", "3")
    folder.mkdir()
    keep_me = folder / "scheduler.log"  # not a crawl log: never touched
    keep_me.write_text("x")
    now = time.time()
    for age in range(6):
        path = folder / f"crawl-old{age}.log"
        path.write_text("log line\n")
        os.utime(path, (now - 1000 * (age + 1), now - 1000 * (age + 1)))
    new = crawl_log_path("mongodb://db.example/xunjian", "new")
    left = sorted(p.name for p in folder.iterdir())
    assert left == ["crawl-old0.log", "crawl-old1.log", "scheduler.log"]  # 2 old + the new one
    assert new == folder / "crawl-new.log"


def test_logs_beyond_the_size_budget_go_too(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "logs"
    monkeypatch.setenv("XUNJIAN_LOG_DIR", str(folder))
    monkeypatch.setenv("XUNJIAN_LOG_MAX_MB", "1")
    folder.mkdir()
    now = time.time()
    for age in range(4):
        path = folder / f"crawl-big{age}.log"
        path.write_bytes(b"x" * 400_000)
        os.utime(path, (now - 100 * (age + 1), now - 100 * (age + 1)))
    crawl_log_path(str(tmp_path / "data"), "next")
    assert sorted(p.name for p in folder.iterdir()) == ["crawl-big0.log", "crawl-big1.log"]
