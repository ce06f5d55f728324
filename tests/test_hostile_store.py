"""A full disk keeps its reason (issue 24, case 11).

When the SQLite write of a crawl is the one that hits a full disk, SQLite rolls the transaction
back itself; our ROLLBACK then failed with "cannot rollback - no transaction is active", which
replaced "database or disk is full" everywhere (crawl failure file, terminal, stored inspection).
The full disk is simulated with ``PRAGMA max_page_count``: the database may not grow, so a page
document with a few thousand links (a big 政务公开 navigation) cannot be written, while the short
end-of-inspection record still fits.
"""

from __future__ import annotations

import pytest

from xunjian.storage import EmbeddedStore
from test_faults_store import crawl_items, run_pipeline

CODE = "9999000324"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setenv("XUNJIAN_STORE_RETRIES", "1")
    monkeypatch.setenv("XUNJIAN_STORE_RETRY_PAUSE", "0.01")


def fill_the_disk(store) -> None:
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")


def portal_page(inspection: str) -> list[dict]:
    items = crawl_items(inspection)[:1]
    items[0]["links"] = [{"url": f"http://127.0.0.1/zwgk/{k}.htm", "text": "政务公开栏目" * 6}
                         for k in range(3000)]
    items[0]["screenshot_png"] = None
    return items


def test_a_full_disk_write_fails_with_its_own_reason(tmp_path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    inspection = store.create_inspection({"site": CODE})
    fill_the_disk(store)
    failure = tmp_path / "crawl.failed"
    with pytest.raises(Exception, match="database or disk is full"):
        run_pipeline(store, portal_page(inspection), failure)
    reason = failure.read_text("utf-8")
    assert "database or disk is full" in reason and "cannot rollback" not in reason


def test_the_inspection_ends_failed_with_the_full_disk(tmp_path, monkeypatch) -> None:
    from xunjian.inspection import run

    store = EmbeddedStore(tmp_path / "store")
    store.upsert_site({"code": CODE, "name": "测试县人民政府", "url": "http://127.0.0.1:9/"})

    def crawl(store_, url, code, inspection_id, progress=None):
        fill_the_disk(store_)
        run_pipeline(store_, portal_page(inspection_id), tmp_path / "crawl.failed")
        return tmp_path / "crawl.log"

    monkeypatch.setattr(run, "run_crawl", crawl)
    with pytest.raises(run.InspectionFailed, match="database or disk is full") as failed:
        run.run_inspection(store, str(tmp_path / "store"), CODE, "2026-11-20")
    assert "cannot rollback" not in str(failed.value)  # what the terminal says
    with EmbeddedStore(tmp_path / "store") as fresh:
        (inspection,) = fresh.inspections(CODE)
        assert inspection["status"] == "failed"
        assert "database or disk is full" in inspection["error"]
        assert "cannot rollback" not in inspection["error"]
