"""A store that cannot write never loses evidence silently (issue 10, point 2).

Stores that fail on cue: the embedded store's SQLite connection raises ``OperationalError`` (disk
I/O error) and its blob files ``OSError``; the mongomock store's collections and GridFS raise
``pymongo.errors.AutoReconnect`` — for N calls, as a MongoDB that goes away mid-crawl and comes
back. Within the retry window nothing is lost and nothing is stored twice; beyond it the crawl
reports the failure and the inspection ends ``failed`` with the reason (terminal, store, exit 4),
never scored. End to end: a store whose blob folder cannot be created (it is a file).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pymongo.errors import AutoReconnect
from scrapy.settings import Settings

import xunjian.storage.embedded

from xunjian import storage
from xunjian.spiders.pipelines import StorePipeline
from xunjian.storage import EmbeddedStore, StoreUnavailableError, open_store

ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n" + b"shot" * 50


class Outage:
    """Fails the next ``calls`` operations it is asked about, then lets everything through."""

    def __init__(self, calls: int = 0) -> None:
        self.calls = calls
        self.failed = 0

    def hit(self, error: BaseException) -> None:
        if self.calls > 0:
            self.calls -= 1
            self.failed += 1
            raise error


class FlakyConnection:
    """An sqlite3 connection whose writes fail while the outage lasts."""

    def __init__(self, conn: sqlite3.Connection, outage: Outage) -> None:
        self._conn, self._outage = conn, outage

    def _check(self, sql: str) -> None:
        if sql.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self._outage.hit(sqlite3.OperationalError("disk I/O error"))

    def execute(self, sql, *args):
        self._check(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql, *args):
        self._check(sql)
        return self._conn.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


class FlakyCollection:
    """A pymongo collection whose every operation fails while the outage lasts. With
    ``after=True`` a write is applied first and *then* the connection drops (the reply is
    lost), the hardest case for a retry."""

    def __init__(self, coll, outage: Outage, after: bool) -> None:
        self._coll, self._outage, self._after = coll, outage, after

    def __getattr__(self, name):
        real = getattr(self._coll, name)
        if not callable(real):
            return real

        def call(*args, **kwargs):
            if self._after and name in ("insert_many", "update_one", "replace_one"):
                result = real(*args, **kwargs)
                self._outage.hit(AutoReconnect("connection closed"))
                return result
            self._outage.hit(AutoReconnect("connection closed"))
            return real(*args, **kwargs)

        return call


class FlakyDatabase:
    def __init__(self, db, outage: Outage, after: bool = False) -> None:
        self._db, self._outage, self._after = db, outage, after

    def __getitem__(self, name):
        return FlakyCollection(self._db[name], self._outage, self._after)

    def __getattr__(self, name):
        return getattr(self._db, name)


class FlakyGridFS:
    def __init__(self, fs, outage: Outage) -> None:
        self._fs, self._outage = fs, outage

    def __getattr__(self, name):
        real = getattr(self._fs, name)

        def call(*args, **kwargs):
            self._outage.hit(AutoReconnect("connection closed"))
            return real(*args, **kwargs)

        return call


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setenv("XUNJIAN_STORE_RETRIES", "5")
    monkeypatch.setenv("XUNJIAN_STORE_RETRY_PAUSE", "0.01")


def flaky_embedded(tmp_path, outage: Outage):
    store = EmbeddedStore(tmp_path / "store")
    store._conn = FlakyConnection(store._conn, outage)
    return store


def flaky_mongo(outage: Outage, after: bool = False):
    store = open_store(f"mongomock://faults-{id(outage)}/xunjian")
    store._ready.update(["pages", "column_pages", "letters", "item_dates", "guide_pages",
                         "inspections", "findings"])  # indexes made: only data calls fail
    store._db = FlakyDatabase(store._db, outage, after)
    store._fs = FlakyGridFS(store._fs, outage)
    return store


def crawl_items(inspection: str) -> list[dict]:
    base = {"inspection": inspection, "site": "9999000310", "fetched_at": "2026-11-20T01:00:00"}
    return [
        {**base, "type": "page", "url": "http://127.0.0.1/", "is_home": True, "status": 200,
         "error": None, "links": [], "html_text": "<html>首页</html>", "screenshot_png": PNG},
        {**base, "type": "page", "url": "http://127.0.0.1/a.html", "is_home": False,
         "status": 200, "error": None, "links": [], "html_text": "<html>a</html>",
         "screenshot_png": None},
        {**base, "type": "column_page", "url": "http://127.0.0.1/col/", "column": {"name": "x"},
         "status": 200, "items": [{"title": "t", "url": "http://127.0.0.1/t.html"}],
         "html_text": "<html>栏目</html>", "screenshot_png": PNG + b"col"},
        {**base, "type": "letter", "url": "http://127.0.0.1/l.html", "column_url": "c",
         "asked": None, "replied": None, "has_reply": False},
        {**base, "type": "item_date", "url": "http://127.0.0.1/t.html", "column_url": "c",
         "date": None},
    ]


def run_pipeline(store, items, failure_file: Path | None = None):
    crawler = type("Crawler", (), {"settings": Settings(
        {"XUNJIAN_FAILURE_FILE": str(failure_file or "")})})()
    pipeline = StorePipeline(None, crawler)
    pipeline.store = store
    for item in items:
        pipeline.process_item(item)


def assert_all_stored_once(store, inspection: str) -> None:
    pages = store.pages(inspection)
    assert sorted(p["url"] for p in pages) == ["http://127.0.0.1/", "http://127.0.0.1/a.html"]
    home = next(p for p in pages if p["is_home"])
    assert store.get_blob(home["screenshot"]) == PNG
    assert store.get_blob(home["html"]) == "<html>首页</html>".encode()
    (column,) = store.find("column_pages", inspection=inspection)
    assert store.get_blob(column["screenshot"]) == PNG + b"col"
    assert store.count("letters", inspection=inspection) == 1
    assert store.count("item_dates", inspection=inspection) == 1


@pytest.mark.parametrize("backend", ["embedded", "mongomock"])
def test_an_outage_within_the_retry_window_loses_nothing(backend, tmp_path) -> None:
    outage = Outage()
    store = flaky_embedded(tmp_path, outage) if backend == "embedded" else flaky_mongo(outage)
    inspection = store.create_inspection({"site": "9999000310"})
    outage.calls = 4  # the next four operations fail, then the backend is back
    run_pipeline(store, crawl_items(inspection))
    assert outage.failed == 4
    assert_all_stored_once(store, inspection)


def test_a_mongodb_reply_lost_after_the_write_does_not_store_twice() -> None:
    outage = Outage()
    store = flaky_mongo(outage, after=True)
    inspection = store.create_inspection({"site": "9999000310"})
    outage.calls = 3  # the writes go in, the replies are lost: the retries must see that
    run_pipeline(store, crawl_items(inspection))
    assert outage.failed == 3
    assert_all_stored_once(store, inspection)
    store.replace_findings(inspection, [{"id": "f1", "indicator": "availability.links",
                                         "rule": "broken"}])
    assert [f["id"] for f in store.findings(inspection)] == ["f1"]


def test_blob_files_that_fail_a_few_times_are_written_whole(tmp_path, monkeypatch) -> None:
    store = EmbeddedStore(tmp_path / "store")
    outage = Outage(calls=2)
    real_replace = os.replace

    def replace(src, dst):
        outage.hit(OSError(28, "No space left on device"))
        return real_replace(src, dst)

    monkeypatch.setattr(storage.embedded.os, "replace", replace)
    inspection = store.create_inspection({"site": "9999000310"})
    run_pipeline(store, crawl_items(inspection))
    assert outage.failed == 2
    assert_all_stored_once(store, inspection)
    assert not list((tmp_path / "store" / "blobs").rglob(".tmp-*"))  # no half-written file


@pytest.mark.parametrize("backend", ["embedded", "mongomock"])
def test_an_outage_beyond_the_retry_window_stops_the_crawl_and_says_why(
        backend, tmp_path) -> None:
    outage = Outage()
    store = flaky_embedded(tmp_path, outage) if backend == "embedded" else flaky_mongo(outage)
    inspection = store.create_inspection({"site": "9999000310"})
    outage.calls = 10_000  # does not come back
    failure = tmp_path / "crawl.failed"
    with pytest.raises(StoreUnavailableError, match="gave up after 6 attempts"):
        run_pipeline(store, crawl_items(inspection)[:1], failure)
    reason = failure.read_text("utf-8")
    assert reason.startswith("store write failed: StoreUnavailableError")
    assert "gave up after 6 attempts" in reason
    outage.calls = 0
    assert store.pages(inspection) == []  # nothing half-stored: no page without its blobs


def test_a_store_failure_after_the_crawl_fails_the_inspection_unscored(tmp_path,
                                                                      monkeypatch) -> None:
    from xunjian.inspection import run

    store = EmbeddedStore(tmp_path / "store")
    store.upsert_site({"code": "9999000310", "name": "测试县人民政府",
                       "url": "http://127.0.0.1:9/"})

    def crawl(store_, url, code, inspection_id, progress=None):
        run_pipeline(store_, crawl_items(inspection_id))
        store_._conn = FlakyConnection(store_._conn, Outage(10_000))  # gone for good
        return tmp_path / "crawl.log"

    monkeypatch.setattr(run, "run_crawl", crawl)
    with pytest.raises(run.InspectionFailed, match="the store failed") as failed:
        run.run_inspection(store, str(tmp_path / "store"), "9999000310", "2026-11-20")
    assert "could not record this either" in str(failed.value)  # said on the terminal
    with EmbeddedStore(tmp_path / "store") as fresh:
        (inspection,) = fresh.inspections("9999000310")
        assert inspection["status"] in ("running", "interrupted")  # the store refused "failed"
        assert fresh.findings(inspection["id"]) == []
        assert fresh.latest_inspection("9999000310") is None  # no card from it
        # the site lock did not outlive the run's heartbeat either: it expires
        assert fresh.count("inspection_locks") <= 1


def test_unwritable_screenshot_folder_fails_the_inspection(tmp_path) -> None:
    """End to end with Chromium: the blob folder is a file, so no screenshot can be stored."""
    from xunjian.demo.server import DemoServer

    store_dir = tmp_path / "store"
    env = dict(os.environ, XUNJIAN_STORE=str(store_dir), XUNJIAN_STORE_RETRIES="1",
               XUNJIAN_STORE_RETRY_PAUSE="0.05", XUNJIAN_MAX_PAGES="5",
               XUNJIAN_FRESHNESS="0", XUNJIAN_NAV_TIMEOUT="10")
    with DemoServer(root=Path(__file__).parent / "sites" / "faults") as server:
        with EmbeddedStore(store_dir) as store:
            store.upsert_site({"code": "9999000310", "name": "测试县人民政府",
                               "url": server.url, "type": "门户网站"})
        (store_dir / "blobs").write_text("not a folder")
        done = subprocess.run([sys.executable, "-m", "xunjian.cli", "inspect", "9999000310",
                               "--as-of", "2026-11-20"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=240)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "inspection failed" in done.stderr and "cannot write blob" in done.stderr
    assert "合格" not in done.stdout  # no card
    with EmbeddedStore(store_dir) as store:
        (inspection,) = store.inspections("9999000310")
        assert inspection["status"] == "failed"
        assert "cannot write blob" in inspection["error"]
        assert store.findings(inspection["id"]) == []
        for page in store.pages(inspection["id"]):  # whatever went in is whole
            assert not page.get("screenshot") and not page.get("html")
