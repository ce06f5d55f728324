"""Real inspections through the queue: a worker killed with SIGKILL mid-inspection.

A small generated county portal (TRS WCM ``/art/…`` articles, ``index_1.html`` pages, ``.shtml``
lists) is served on 127.0.0.1 and inspected by ``xunjian worker`` running the real
``xunjian inspect`` (Scrapy + Chromium). The first worker is SIGKILLed while the inspection runs;
the job must come back to the second worker and finish there, the half-done inspection must be
stored as interrupted, and the site must end with exactly one finished inspection and card.
"""

from __future__ import annotations

import signal
import socket

import pytest
from cli_run import census_forms
from queue_redis import RedisServer, Workers, wait_for

from tests.support.sitegen import GenServer, GenSite
from xunjian.registry import import_into, parse_files
from xunjian.scoring import validate_card
from xunjian.storage import open_store
from xunjian.workqueue.jobs import enqueue_sites, queue_status
from xunjian.inspection.card import card_for

pytestmark = [pytest.mark.browser, pytest.mark.redis]

CODE = "4301210001"


def test_a_worker_killed_mid_inspection_is_replaced_and_one_card_results(tmp_path):
    site = GenSite(pages=14, broken_share=0.1, hangs=1, hang_seconds=4, seed=13)
    env = {"XUNJIAN_QUEUE_HEARTBEAT_MS": "4000", "XUNJIAN_QUEUE_MAINTENANCE": "1000000",
           "XUNJIAN_QUEUE_BACKOFF_MS": "500", "XUNJIAN_QUEUE_MAX_BACKOFF_MS": "2000",
           "XUNJIAN_LINK_TIMEOUT": "2", "XUNJIAN_HEARTBEAT_SECONDS": "2"}
    store_dir = tmp_path / "store"
    with GenServer(site) as server, RedisServer(tmp_path / "redis") as redis, \
            Workers(redis.url, store_dir, env, tmp_path) as workers:
        registry_row = (CODE, "湖南省长沙县", "长沙县人民政府", "门户网站", server.url,
                        "长沙县人民政府办公室")
        files = census_forms(tmp_path / "forms", registry_row, [])
        store = open_store(str(store_dir))
        assert not import_into(store, parse_files(files)).errors
        first = workers.start()
        wait_for(lambda: queue_status(redis.url)["live_workers"] == 1, 60,
                 workers.explain("the first worker is up", redis.url))
        assert enqueue_sites(redis.url, [CODE]).enqueued == [CODE]
        running = wait_for(lambda: [i for i in store.inspections(CODE)
                                    if i["status"] == "running"], 90,
                           workers.explain("the inspection started", redis.url))
        second = workers.start()
        wait_for(lambda: queue_status(redis.url)["live_workers"] == 2, 60,
                 workers.explain("the second worker is up", redis.url))
        first.send_signal(signal.SIGKILL)  # no cleanup at all in the worker itself
        first.wait(timeout=10)
        explain = workers.explain("the job finished on the second worker", redis.url)
        entry = wait_for(lambda: finished(queue_status(redis.url), explain), 240,
                         lambda: f"{explain()}\n{stored_inspections(store)}")
        inspections = {i["id"]: i for i in store.inspections(CODE)}
        expected = site.expected_broken(server.url.rstrip("/"))
        card = card_for(store, next(i for i in inspections if inspections[i]["status"] == "done"))
        store.close()
    assert entry["worker"] == f"{socket.gethostname()}:{second.pid}"
    assert entry["attempts"] == 2 and entry["failures"] == 0
    killed = inspections[running[0]["id"]]
    assert killed["status"] == "interrupted"  # stored so by the child itself, not inferred
    assert "SIGTERM" in killed["error"]
    assert sorted(i["status"] for i in inspections.values()) == ["done", "interrupted"]
    # the one card is the finished inspection's, and it is right: every broken link, no other
    validate_card(card)
    assert card["inspection"] == entry_inspection(inspections)
    broken = {f["url"] for f in card["findings"] if f["indicator"] == "availability.links"
              and f["kind"] == "broken_link"}
    assert broken == expected and len(expected) >= 2


def finished(status: dict, explain) -> dict | None:
    """The site's entry once its job is done; a job that failed for good fails the test now,
    with its reason, instead of after the whole wait."""
    for entry in status["sites"]:
        if entry["state"] == "failed":
            raise AssertionError(f"the job failed: {entry['error']}\n{explain()}")
        if entry["state"] == "done":
            return entry
    return None


def stored_inspections(store) -> str:
    return "inspections in the store: " + repr(
        [(i["id"], i["status"], i.get("error"), i.get("host"), i.get("pid"))
         for i in store.inspections(CODE)])


def entry_inspection(inspections: dict) -> str:
    (done,) = [i for i, doc in inspections.items() if doc["status"] == "done"]
    return done
