"""One contract for every store backend: embedded SQLite, mongomock, and a real MongoDB.

The real MongoDB runs only when MONGODB_URI is set; it gets a throwaway database, dropped after.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from xunjian.storage import (
    DuplicateIdError,
    EmbeddedStore,
    InvalidDocumentError,
    InvalidNameError,
    NotFoundError,
    Store,
    StoreClosedError,
    StoreError,
    StoreURLError,
    open_store,
    redact_url,
)

SITE = {
    "code": "4401000001",
    "region": "广东省广州市",
    "name": "广州市人民政府网站",
    "type": "门户网站",
    "url": "http://www.gz.gov.cn/",
    "leader": {"name": "张三", "title": "主任", "phone": "020-12345678", "email": "a@gz.gov.cn"},
    "contact": {"name": "李四", "phone": "020-87654321"},
}


def _with_db(uri: str, name: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@pytest.fixture(params=["embedded", "mongomock", "mongodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each backend behind the same interface."""
    name = f"xunjian_test_{uuid.uuid4().hex[:12]}"
    if request.param == "embedded":
        with open_store(str(tmp_path / "store")) as opened:
            yield opened
    elif request.param == "mongomock":
        pytest.importorskip("mongomock")
        with open_store(f"mongomock://contract/{name}") as opened:
            yield opened
    else:
        uri = os.environ.get("MONGODB_URI")
        if not uri:
            pytest.skip("real MongoDB not tested: set MONGODB_URI=mongodb://host:27017 to run it")
        import pymongo

        try:
            with open_store(_with_db(uri, name)) as opened:
                yield opened
        finally:
            with pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
                client.drop_database(name)


# ------------------------------------------------------------------- generic core
def test_chinese_document_round_trips(store: Store) -> None:
    doc = {
        "inspection": "检查一",
        "title": "广州市人民政府门户网站 — 首页",
        "evidence": {"error_type": "外部链接不可用", "pages": ["http://例子.中国/页面"], "n": 3},
        "ratio": 0.5,
        "rendered": True,
        "error": None,
    }
    doc_id = store.insert("pages", doc)
    assert isinstance(doc_id, str) and doc_id
    assert store.get("pages", doc_id) == {"id": doc_id, **doc}
    assert store.find("pages", inspection="检查一") == [{"id": doc_id, **doc}]
    assert store.count("pages", title="广州市人民政府门户网站 — 首页") == 1
    assert "id" not in doc  # the caller's dict is not modified


def test_insert_keeps_given_id_and_refuses_duplicates(store: Store) -> None:
    assert store.insert("links", {"id": "l1", "url": "http://a/"}) == "l1"
    with pytest.raises(DuplicateIdError):
        store.insert("links", {"id": "l1", "url": "http://b/"})
    with pytest.raises(DuplicateIdError):
        store.insert_many("links", [{"id": "l2"}, {"id": "l1"}, {"id": "l3"}])
    assert [d["id"] for d in store.find("links")] == ["l1"]  # nothing of the failed batch
    assert store.get("links", "l1")["url"] == "http://a/"


def test_find_filters_sorts_and_limits(store: Store) -> None:
    store.insert_many(
        "pages",
        [
            {"inspection": "i", "depth": 2, "url": "c"},
            {"inspection": "i", "depth": 0, "url": "a", "referrer": None},
            {"inspection": "i", "depth": 1, "url": "b", "referrer": "a"},
            {"inspection": "other", "depth": 0, "url": "z"},
        ],
    )

    def urls(docs: list[dict[str, Any]]) -> list[str]:
        return [d["url"] for d in docs]

    assert urls(store.find("pages", inspection="i")) == ["c", "a", "b"]  # insertion order
    assert urls(store.find("pages", sort="depth", inspection="i")) == ["a", "b", "c"]
    assert urls(store.find("pages", sort="url", descending=True, limit=2)) == ["z", "c"]
    assert urls(store.find("pages", inspection="i", depth=1)) == ["b"]
    assert urls(store.find("pages", referrer=None)) == ["c", "a", "z"]  # null or missing
    assert store.find("pages", limit=0) == []
    assert store.count("pages", inspection="i") == 3
    assert store.count("nothing_here") == 0


def test_update_merges_top_level_fields(store: Store) -> None:
    doc_id = store.insert("inspections", {"site": "s", "status": "running", "stats": {"a": 1}})
    store.update("inspections", doc_id, {"status": "done", "stats": {"pages": 3}})
    assert store.get("inspections", doc_id) == {
        "id": doc_id,
        "site": "s",
        "status": "done",
        "stats": {"pages": 3},
    }
    with pytest.raises(NotFoundError):
        store.update("inspections", "missing", {"status": "done"})


def test_delete_counts_and_needs_a_filter(store: Store) -> None:
    store.insert_many("links", [{"inspection": "a"}, {"inspection": "a"}, {"inspection": "b"}])
    with pytest.raises(StoreError):
        store.delete("links")
    assert store.delete("links", inspection="a") == 2
    assert store.count("links") == 1


def test_invalid_input_is_refused_not_dropped(store: Store) -> None:
    with pytest.raises(InvalidDocumentError):
        store.insert("pages", {"fetched_at": datetime.now(UTC)})
    with pytest.raises(InvalidDocumentError):
        store.insert("pages", {"score": float("nan")})
    with pytest.raises(InvalidDocumentError):
        store.insert("pages", {"_id": "x"})
    with pytest.raises(InvalidNameError):
        store.insert('pages"; DROP TABLE pages; --', {"a": 1})
    with pytest.raises(InvalidNameError):
        store.find("pages", sort="evidence.status")
    with pytest.raises(InvalidDocumentError):
        store.find("pages", links=["http://a/"])
    assert store.count("pages") == 0


def test_new_collections_need_no_backend_change(store: Store) -> None:
    doc_id, created = store.upsert("schedules", {"site": "s"}, {"cron": "0 3 * * 1"})
    assert created is True
    assert store.upsert("schedules", {"site": "s"}, {"cron": "0 4 * * *"}) == (doc_id, False)
    assert store.find("schedules", site="s") == [{"id": doc_id, "site": "s", "cron": "0 4 * * *"}]


def test_closed_store_says_so(store: Store) -> None:
    store.close()
    with pytest.raises(StoreClosedError):
        store.count("pages")


# ------------------------------------------------------------------- typed conveniences
def test_upsert_site_twice_keeps_one_updated_site(store: Store) -> None:
    assert store.upsert_site(SITE) is True
    first = store.get_site(SITE["code"])
    assert first is not None and first["name"] == "广州市人民政府网站"
    renamed = {**SITE, "name": "广州市人民政府门户网站", "icp": "粤ICP备1号"}
    assert store.upsert_site(renamed) is False
    again = store.get_site(SITE["code"])
    assert again is not None
    assert again["id"] == first["id"]
    assert (again["name"], again["icp"]) == ("广州市人民政府门户网站", "粤ICP备1号")
    assert store.upsert_site({**SITE, "code": "1100000001", "region": "北京市"}) is True
    assert [s["code"] for s in store.list_sites()] == ["1100000001", "4401000001"]
    assert store.get_site("0000000000") is None


def test_replace_columns_replaces_registry_and_keeps_discovered(store: Store) -> None:
    code = SITE["code"]
    store.insert(
        "columns", {"site": code, "name": "发现的栏目", "source": "discovered", "position": 99}
    )
    store.replace_columns("9999999999", [{"name": "别的网站"}])
    store.replace_columns(code, [{"name": "旧栏目甲"}, {"name": "旧栏目乙"}])
    stored = store.replace_columns(
        code,
        [
            {"category": "信息公开类", "type": "工作动态", "name": "政务动态", "position": 1},
            {"category": "互动回应类", "type": "政务咨询", "name": "领导信箱", "position": 0},
        ],
    )
    assert stored == 2
    names = [c["name"] for c in store.columns(code)]
    assert names == ["领导信箱", "政务动态", "发现的栏目"]
    assert {c["source"] for c in store.columns(code)[:2]} == {"registry"}
    assert all(c["site"] == code for c in store.columns(code))
    assert [c["name"] for c in store.columns("9999999999")] == ["别的网站"]


def test_inspections_newest_first(store: Store) -> None:
    code = SITE["code"]
    old = store.create_inspection({"site": code, "started_at": "2024-01-01T08:00:00+00:00"})
    # 2024-01-01T12:00+08:00 is 04:00 UTC: older than `old`, although it sorts later as text.
    older = store.create_inspection({"site": code, "started_at": "2024-01-01T12:00:00+08:00"})
    new = store.create_inspection({"site": code, "started_at": "2024-03-01T08:00:00+00:00"})
    store.create_inspection({"site": "other", "started_at": "2025-01-01T00:00:00+00:00"})
    assert [i["id"] for i in store.inspections(code)] == [new, old, older]
    assert store.get_inspection(new)["status"] == "running"

    assert store.latest_inspection(code) is None  # none finished yet
    store.update_inspection(old, status="done", finished_at="2024-01-01T09:00:00+00:00")
    store.update_inspection(older, status="done")
    assert store.latest_inspection(code)["id"] == old
    assert store.latest_inspection(code, status=None)["id"] == new
    with pytest.raises(InvalidDocumentError):
        store.update_inspection(new, status="finished")
    with pytest.raises(NotFoundError):
        store.update_inspection("no-such-inspection", status="failed")


def test_create_inspection_defaults_started_at_to_now(store: Store) -> None:
    before = datetime.now(UTC)
    doc = store.get_inspection(store.create_inspection({"site": "s"}))
    started = datetime.fromisoformat(doc["started_at"])
    assert started.utcoffset() is not None and before <= started <= datetime.now(UTC)


def test_pages_links_and_findings_stay_with_their_inspection(store: Store) -> None:
    first = store.create_inspection({"site": "s"})
    second = store.create_inspection({"site": "s"})
    page = {
        "inspection": first,
        "site": "s",
        "url": "http://gz.gov.cn/",
        "title": "首页",
        "links": [
            {
                "url": "http://gz.gov.cn/a",
                "text": "政务公开",
                "tag": "a",
                "kind": "page",
                "external": False,
            }
        ],
    }
    page_id = store.add_page(page)
    store.add_page({"inspection": second, "site": "s", "url": "http://gz.gov.cn/b"})
    assert store.pages(first) == [{"id": page_id, **page}]
    assert store.count_pages(first) == 1 and store.count_pages(second) == 1

    result = {
        "url": "http://gz.gov.cn/a",
        "outcome": "broken",
        "reason": "http_404",
        "http_status": 404,
        "redirects": [],
    }
    store.add_link_results(first, [result])
    assert [(r["inspection"], r["reason"]) for r in store.link_results(first)] == [
        (first, "http_404")
    ]
    assert store.link_results(second) == []

    finding = {
        "id": "f-broken-a",
        "site": "s",
        "indicator": "availability.links",
        "kind": "broken_link",
        "url": "http://gz.gov.cn/a",
        "detail": "链接无法访问",
        "needs_review": False,
        "evidence": {"status": 404, "pages": ["http://gz.gov.cn/"]},
    }
    assert store.replace_findings(first, [finding]) == 1
    store.replace_findings(second, [finding])  # same stable id in another inspection
    assert store.findings(first) == [{**finding, "inspection": first}]
    assert store.findings(second) == [{**finding, "inspection": second}]

    store.replace_findings(first, [{**finding, "id": "f-other", "kind": "blocked_link"}])
    assert [f["id"] for f in store.findings(first)] == ["f-other"]
    assert [f["id"] for f in store.findings(second)] == ["f-broken-a"]
    with pytest.raises(InvalidDocumentError):
        store.add_link_results(first, [{**result, "inspection": second}])
    with pytest.raises(InvalidDocumentError):
        store.replace_findings(first, [{"kind": "no_id"}])


def test_pages_can_share_their_repeated_links(store: Store) -> None:
    """The finishing reads every page of a crawl at once: the navigation that repeats on each
    page is held once (same dict), and the pages read the same as without sharing."""
    inspection = store.create_inspection({"site": "s"})
    nav = [{"url": f"http://gz.gov.cn/{n}", "text": name, "tag": "a", "kind": "page",
            "external": False} for n, name in enumerate(["首页", "政务公开", "办事服务"])]
    odd = {"url": "http://gz.gov.cn/x", "text": "附件", "tag": "a", "kind": "attachment",
           "external": False, "names": ["申请表"]}  # an unhashable value: kept as it is
    for n in range(4):
        store.add_page({"inspection": inspection, "site": "s", "url": f"http://gz.gov.cn/p{n}",
                        "links": [*nav, {**nav[0], "text": f"文章{n}"}, odd]})
    store.add_page({"inspection": inspection, "site": "s", "url": "http://gz.gov.cn/empty"})
    plain = store.pages(inspection)
    shared = store.pages(inspection, share_links=True)
    assert shared == plain and len(shared) == 5
    first, last = shared[0]["links"], shared[3]["links"]
    assert all(a is b for a, b in zip(first[:3], last[:3], strict=True))  # one copy of the nav
    assert first[3] is not last[3] and first[3]["text"] == "文章0"  # different links stay apart
    assert plain[0]["links"][0] is not plain[3]["links"][0]


def test_reviews_oldest_first(store: Store) -> None:
    store.add_review(
        {
            "finding": "f1",
            "site": "s",
            "verdict": "rejected",
            "reviewer": "王五",
            "at": "2024-05-02T10:00:00+00:00",
            "reason": "误报",
        }
    )
    store.add_review(
        {
            "finding": "f1",
            "site": "s",
            "verdict": "confirmed",
            "reviewer": "王五",
            "at": "2024-05-01T10:00:00+00:00",
            "reason": "确认",
        }
    )
    store.add_review({"finding": "f9", "site": "t", "verdict": "confirmed", "reviewer": "赵六"})
    assert [r["verdict"] for r in store.reviews("s")] == ["confirmed", "rejected"]
    assert [r["finding"] for r in store.reviews("t")] == ["f9"]
    with pytest.raises(InvalidDocumentError):
        store.add_review({"finding": "f1", "site": "s", "verdict": "maybe"})


# ------------------------------------------------------------------- blobs
def test_blobs_are_stored_once_per_content(store: Store) -> None:
    data = bytes(range(256)) + os.urandom(600_000)  # more than one GridFS chunk
    first = store.put_blob(data, "image/png")
    assert store.put_blob(data, "image/png") == first
    assert store.count_blobs() == 1
    assert store.get_blob(first) == data
    assert store.blob_info(first) == {"id": first, "content_type": "image/png", "size": len(data)}
    other = store.put_blob("<html>首页</html>".encode("gbk"), "text/html; charset=gbk")
    assert other != first and store.count_blobs() == 2
    assert store.get_blob(other).decode("gbk") == "<html>首页</html>"
    assert first in store.blob_location(first)
    assert store.get_blob("0" * 64) is None and store.blob_info("../../etc/passwd") is None
    with pytest.raises(NotFoundError):
        store.blob_location("0" * 64)


# ------------------------------------------------------------------- embedded specifics
def test_embedded_layout(tmp_path: Path) -> None:
    root = tmp_path / "新建" / "数据"
    with open_store(str(root)) as store:
        assert isinstance(store, EmbeddedStore)
        store.upsert_site(SITE)
        blob = store.put_blob(b"\x89PNG fake", "image/png")
        location = Path(store.blob_location(blob))
        assert location.is_file() and location.read_bytes() == b"\x89PNG fake"
        assert location == root / "blobs" / blob[:2] / f"{blob}.png"
        assert not list(location.parent.glob(".tmp-*"))
    conn = sqlite3.connect(root / "xunjian.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        raw = conn.execute("SELECT doc FROM sites").fetchone()[0]
    finally:
        conn.close()
    assert "广州市人民政府网站" in raw  # readable JSON, not \\u escapes


def _write_pages(root: str, worker: int, count: int, start: Any) -> None:
    """Child process body: its own store, one transaction per page, like the crawl pipeline."""
    with open_store(root) as store:
        start.wait(30)  # all writers begin together, so their transactions really collide
        shared = store.put_blob(b"same screenshot in both processes", "image/png")
        for n in range(count):
            store.add_page(
                {
                    "inspection": "并发",
                    "site": "s",
                    "url": f"http://w{worker}/{n}",
                    "screenshot": shared,
                }
            )


def test_embedded_store_shared_by_two_processes(tmp_path: Path) -> None:
    root = str(tmp_path / "shared")  # created by the children themselves, at the same time
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(3)
    workers = [ctx.Process(target=_write_pages, args=(root, w, 200, start)) for w in range(2)]
    for proc in workers:
        proc.start()
    start.wait(30)
    with open_store(root) as reader:  # this process reads while they write
        while any(proc.is_alive() for proc in workers):
            reader.count_pages("并发")
            time.sleep(0.01)
        for proc in workers:
            proc.join(60)
        assert [proc.exitcode for proc in workers] == [0, 0]
        assert reader.count_pages("并发") == 400
        assert len({p["url"] for p in reader.pages("并发")}) == 400
        assert reader.count_blobs() == 1


# ------------------------------------------------------------------- open_store
def test_open_store_default_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XUNJIAN_STORE", raising=False)
    with open_store() as store:
        assert isinstance(store, EmbeddedStore)
        assert store.root == tmp_path / "xunjian-data"
    assert (tmp_path / "xunjian-data" / "xunjian.sqlite3").is_file()

    monkeypatch.setenv("XUNJIAN_STORE", str(tmp_path / "from-env"))
    with open_store() as store:
        store.upsert_site(SITE)
    with open_store(str(tmp_path / "from-env")) as store:
        assert store.get_site(SITE["code"]) is not None
    with open_store(str(tmp_path / "explicit")) as store:  # an explicit URL beats the env
        assert store.get_site(SITE["code"]) is None


def test_open_store_file_url(tmp_path: Path) -> None:
    root = tmp_path / "巡检 数据"
    with open_store(root.as_uri()) as store:  # percent-encoded Chinese and space
        assert isinstance(store, EmbeddedStore) and store.root == root
    assert (root / "xunjian.sqlite3").is_file()
    with pytest.raises(StoreURLError):
        open_store("file://relative/path")


@pytest.mark.parametrize("url", ["redis://localhost:6379/0", "postgres://u:hunter2@db/x"])
def test_open_store_rejects_unknown_schemes(url: str) -> None:
    with pytest.raises(StoreURLError) as caught:
        open_store(url)
    message = str(caught.value)
    assert isinstance(caught.value, StoreError)
    assert urlsplit(url).scheme in message
    assert "mongodb://" in message and "file://" in message
    assert "hunter2" not in message


def test_unreachable_mongodb_fails_quickly_and_clearly() -> None:
    url = "mongodb://inspector:s3cret@127.0.0.1:1/x?serverSelectionTimeoutMS=300"
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "127.0.0.1:1" in message and "inspector" in message
    assert "s3cret" not in message


def test_mongomock_url_is_shared_within_the_process() -> None:
    pytest.importorskip("mongomock")
    url = f"mongomock://shared/db_{uuid.uuid4().hex[:8]}"
    with open_store(url) as writer:
        writer.upsert_site(SITE)
        blob = writer.put_blob(b"x", "image/png")
    with open_store(url) as reader:
        assert reader.get_site(SITE["code"])["name"] == SITE["name"]
        assert reader.blob_location(blob) == f"gridfs://{urlsplit(url).path[1:]}/{blob}"
    with open_store(url + "_other") as elsewhere:
        assert elsewhere.list_sites() == []


def test_redact_url() -> None:
    assert redact_url("mongodb://u:p%40ss@h1:1,h2:2/db?x=1") == "mongodb://u:***@h1:1,h2:2/db?x=1"
    assert redact_url("mongodb://h/db") == "mongodb://h/db"
    assert redact_url("/plain/path") == "/plain/path"
