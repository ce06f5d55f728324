"""Interrupted and concurrent inspections (issue 10, points 3 and 4).

* SIGTERM is handled like Ctrl-C: the crawl subprocess stops, the inspection is ``interrupted``,
  ``xunjian inspect`` exits 143 (end to end, against a homepage that never answers).
* A ``running`` inspection whose process is gone (no heartbeat) reads as ``interrupted``
  wherever inspections are listed or picked; a live one keeps beating.
* One inspection per site at a time, through the store: the second refuses naming the holder
  (exit 5), on the embedded store and across "machines" sharing a MongoDB (mongomock); a stale
  lock expires.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from faultserver import FaultServer

from xunjian.storage import EmbeddedStore, open_store
from xunjian.inspection import run
from xunjian.inspection.runcontrol import SiteBusy, SiteLock

ROOT = Path(__file__).resolve().parents[1]
CODE = "9999000310"
SITE = {"code": CODE, "name": "测试县人民政府", "url": "http://127.0.0.1:9/", "type": "门户网站"}


def ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat()


def wait_for(predicate, timeout: float = 90.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def store(tmp_path):
    with EmbeddedStore(tmp_path / "store") as opened:
        opened.upsert_site(SITE)
        yield opened


# -- heartbeat and stale "running" ---------------------------------------------------------------

def test_a_running_inspection_without_heartbeat_reads_as_interrupted(store) -> None:
    dead = store.create_inspection({"site": CODE, "started_at": ago(3600), "status": "running",
                                    "heartbeat": ago(600), "pid": 999999})
    alive = store.create_inspection({"site": CODE, "started_at": ago(3500), "status": "running",
                                     "heartbeat": ago(5)})
    legacy = store.create_inspection({"site": CODE, "started_at": ago(7200),
                                      "status": "running"})  # no heartbeat: shown as stored
    assert store.get_inspection(dead)["status"] == "interrupted"
    assert "no heartbeat since" in store.get_inspection(dead)["error"]
    assert store.get_inspection(alive)["status"] == "running"
    listed = {i["id"]: i["status"] for i in store.inspections(CODE)}
    assert listed == {dead: "interrupted", alive: "running", legacy: "running"}
    assert store.latest_inspection(CODE, status="running")["id"] == alive
    assert store.latest_inspection(CODE, status="interrupted")["id"] == dead
    assert store.latest_inspection(CODE) is None  # nothing done: no card to pick


def test_a_live_inspection_keeps_its_heartbeat(store, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XUNJIAN_HEARTBEAT_SECONDS", "0.2")
    beats: list[str] = []

    def crawl(store_, url, code, inspection_id, progress=None):
        first = store_.get_inspection(inspection_id)["heartbeat"]
        wait_for(lambda: store_.get_inspection(inspection_id)["heartbeat"] != first,
                 timeout=30, what="a heartbeat")
        beats.append(store_.get_inspection(inspection_id)["heartbeat"])
        lock = store_.get("inspection_locks", f"inspect:{CODE}")
        assert lock["inspection"] == inspection_id and lock["pid"] == os.getpid()
        return tmp_path / "crawl.log"

    monkeypatch.setattr(run, "run_crawl", crawl)
    inspection_id = run.run_inspection(store, str(tmp_path / "store"), CODE, "2026-11-20")
    done = store.get_inspection(inspection_id)
    assert beats and done["status"] == "done" and done["host"] == socket.gethostname()
    assert store.count("inspection_locks") == 0  # released


def test_ctrl_c_marks_the_inspection_interrupted(store, tmp_path, monkeypatch) -> None:
    def crawl(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "run_crawl", crawl)
    with pytest.raises(KeyboardInterrupt):
        run.run_inspection(store, str(tmp_path / "store"), CODE, "2026-11-20")
    (inspection,) = store.inspections(CODE)
    assert inspection["status"] == "interrupted"
    assert inspection["error"] == "interrupted by SIGINT (Ctrl-C)"
    assert store.count("inspection_locks") == 0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.slow  # a whole crawl stopped by a signal: ~18 s on a loaded machine
def test_sigterm_stops_the_crawl_and_marks_the_inspection_interrupted(tmp_path) -> None:
    store_dir = tmp_path / "store"
    env = dict(os.environ, XUNJIAN_STORE=str(store_dir), XUNJIAN_NAV_TIMEOUT="120",
               XUNJIAN_FRESHNESS="0")
    with FaultServer("hang") as home:
        with EmbeddedStore(store_dir) as store:
            store.upsert_site({**SITE, "url": home.url})
        proc = subprocess.Popen([sys.executable, "-m", "xunjian.cli", "inspect", CODE],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: home.home_hits, timeout=120, what="the crawl to ask for the homepage")
            crawl = children_of(proc.pid)
            assert crawl, "the crawl runs in a subprocess"
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 143, out + err
    assert "interrupted" in err
    for pid in crawl:  # the crawl stopped with it
        assert not Path(f"/proc/{pid}").exists() or \
            Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    with EmbeddedStore(store_dir) as store:
        (inspection,) = store.inspections(CODE)
        assert inspection["status"] == "interrupted"
        assert inspection["error"] == "interrupted by SIGTERM"
        assert store.count("inspection_locks") == 0


# -- one inspection per site ---------------------------------------------------------------------

def test_a_second_inspection_of_the_same_site_refuses_naming_the_holder(store, tmp_path) -> None:
    holder = SiteLock(store, CODE)
    holder.acquire()
    env = dict(os.environ, XUNJIAN_STORE=str(tmp_path / "store"))
    done = subprocess.run([sys.executable, "-m", "xunjian.cli", "inspect", CODE], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 5, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert f"site {CODE} is already being inspected: pid {os.getpid()} on " \
           f"{socket.gethostname()}, since " in said
    assert store.inspections(CODE) == []  # nothing started
    holder.release()


def test_a_stale_site_lock_expires(store, tmp_path, monkeypatch) -> None:
    store.insert("inspection_locks", {
        "id": f"inspect:{CODE}", "owner": "elsewhere:4242:0", "host": "elsewhere", "pid": 4242,
        "since": ago(4000), "heartbeat": ago(400)})  # its process died 400 s ago
    monkeypatch.setattr(run, "run_crawl", lambda *a, **k: tmp_path / "crawl.log")
    inspection_id = run.run_inspection(store, str(tmp_path / "store"), CODE, "2026-11-20")
    assert store.get_inspection(inspection_id)["status"] == "done"
    assert store.count("inspection_locks") == 0


def test_the_site_lock_holds_across_machines_on_mongodb() -> None:
    url = f"mongomock://lock-{os.getpid()}/xunjian"
    first, second = open_store(url), open_store(url)  # two processes, one database
    moment = [datetime(2026, 11, 20, tzinfo=UTC)]
    mine = SiteLock(first, CODE, stale_after=180, clock=lambda: moment[0])
    theirs = SiteLock(second, CODE, stale_after=180, clock=lambda: moment[0])
    mine.acquire()
    with pytest.raises(SiteBusy, match=f"site {CODE} is already being inspected") as busy:
        theirs.acquire()
    assert busy.value.holder["since"] == "2026-11-20T00:00:00+00:00"
    moment[0] += timedelta(seconds=120)
    assert mine.heartbeat()
    moment[0] += timedelta(seconds=179)
    with pytest.raises(SiteBusy):
        theirs.acquire()  # beat 179 s ago: still alive
    moment[0] += timedelta(seconds=2)
    theirs.acquire()  # gone quiet: taken over
    assert not mine.heartbeat()
    theirs.release()


def test_the_review_app_lists_a_dead_running_inspection_as_interrupted(store) -> None:
    from xunjian.review.app import create_app
    from xunjian.review.users import add_user

    add_user(store, "alice", "reviewer", "correct-horse-9")
    store.create_inspection({"site": CODE, "started_at": ago(3600), "status": "running",
                             "heartbeat": ago(900)})
    app = create_app(store, secret_key="test-secret")
    app.config["TESTING"] = True
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    csrf = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"name": "alice", "password": "correct-horse-9",
                                "csrf_token": csrf})
    page = client.get(f"/site/{CODE}").get_data(as_text=True)
    assert "已中断" in page and "no heartbeat since" in page
    assert "进行中" not in page
