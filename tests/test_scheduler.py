"""The scheduler's plan, persistence, misfires, crawl isolation and lock — no real waiting."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler
from click.testing import CliRunner

import xunjian.scheduler as sched
from xunjian.scheduler import (
    CRAWLS,
    LOCKS,
    Runtime,
    RuntimeExecutor,
    ScheduleConfig,
    SchedulerLock,
    SchedulerLocked,
    build_scheduler,
    plan,
)
from xunjian.storage import EmbeddedStore
from xunjian.storage.jobstore import JOBS, StoreJobStore, make_jobstore

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=sched.SHANGHAI)


def sites(n: int) -> list[dict]:
    return [{"code": f"44{i:08d}", "name": f"站{i}", "url": f"http://127.0.0.1:9/{i}"}
            for i in range(n)]


@pytest.fixture
def store(tmp_path):
    with EmbeddedStore(tmp_path / "store") as opened:
        yield opened


class Clock:
    """A controllable clock for APScheduler's `datetime.now` (scheduler and executor)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        clock = self

        class FakeDatetime(datetime):
            @classmethod
            def now(cls, tz=None):  # noqa: D102
                return clock.now.astimezone(tz) if tz else clock.now.replace(tzinfo=None)

        self.cls = FakeDatetime


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(T0)
    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", c.cls)
    monkeypatch.setattr(apscheduler.executors.base, "datetime", c.cls)
    return c


class ManualScheduler(BaseScheduler):
    """No thread: the test calls _process_jobs() after moving the clock."""

    def shutdown(self, wait=True):
        super().shutdown(wait)

    def wakeup(self):
        pass


class Recorder:
    def __init__(self) -> None:
        self.calls: Counter = Counter()

    def probe(self, code):
        self.calls["probe"] += 1

    def inspect(self, code):
        self.calls["inspect"] += 1

    def summary(self):
        self.calls["summary"] += 1

    def heartbeat(self):
        self.calls["heartbeat"] += 1


class RuntimeDebugExecutor(RuntimeExecutor, DebugExecutor):
    """Runs each job at once, in the test's thread, against the runtime given."""


def manual(store, config, runtime=None) -> ManualScheduler:
    return build_scheduler(store, config, executors={"default": RuntimeDebugExecutor(runtime),
                                                     "crawls": RuntimeDebugExecutor(runtime)},
                           scheduler_class=ManualScheduler)


# -- the plan -------------------------------------------------------------------------------------

def test_probes_per_day_with_jitter() -> None:
    random.seed(5)
    config = ScheduleConfig()
    trigger = sched._probe_trigger("4401000001", config, T0)
    fires, previous, now = [], None, T0
    while True:  # what the scheduler does: next = trigger(previous jittered run)
        nxt = trigger.get_next_fire_time(previous, now)
        if nxt >= T0 + timedelta(days=30):
            break
        fires.append(nxt)
        previous = now = nxt
    per_day = Counter((f - T0) // timedelta(days=1) for f in fires)
    assert len(per_day) == 30
    assert min(per_day.values()) >= config.probes_per_day >= 20  # the table's minimum, every day
    assert max(per_day.values()) <= 27
    gaps = {round((b - a).total_seconds()) for a, b in zip(fires, fires[1:], strict=False)}
    assert len(gaps) > 20  # jittered, not a fixed beat
    assert max(gaps) <= 86400 / config.probes_per_day


def test_sites_are_spread_not_hit_at_once() -> None:
    config = ScheduleConfig()
    starts = [sched._probe_trigger(s["code"], config, T0).start_date for s in sites(1000)]
    minutes = Counter(int((s - T0).total_seconds() // 60) for s in starts)
    assert len(minutes) >= 55  # every minute of the first interval gets some sites
    assert max(minutes.values()) < 45  # ~18 a minute, no pile-up
    inspections = [sched._inspect_trigger(s["code"], config, T0).start_date for s in sites(1000)]
    days = Counter((s - T0).days for s in inspections)
    assert len(days) == 14 and max(days.values()) < 110  # staggered over the cadence


def test_plan_persists_across_restart(store) -> None:
    config = ScheduleConfig()
    first = manual(store, config)
    first.start(paused=True)
    assert plan(first, sites(3), config, now=T0) == {"added": 6}
    planned = {j.id: j.next_run_time for j in first.get_jobs() if j.id != "heartbeat"}
    first.shutdown()
    assert store.count(JOBS) == 8  # 3 × (probe, inspect) + summary + heartbeat

    again = manual(store, config)
    again.start(paused=True)
    assert plan(again, sites(3), config, now=T0 + timedelta(hours=5)) == {"kept": 6}
    assert {j.id: j.next_run_time for j in again.get_jobs() if j.id != "heartbeat"} == planned
    assert plan(again, sites(4)[1:], config) == {"kept": 4, "added": 2, "removed": 2}
    changed = ScheduleConfig(probes_per_day=30)
    assert plan(again, sites(4)[1:], changed) == {"kept": 3, "replaced": 3}
    again.shutdown()


def test_restart_after_downtime_runs_each_job_at_most_once(store, clock) -> None:
    random.seed(int(os.environ.get("XJ_SEED", "11")))
    recorder = Recorder()
    config = ScheduleConfig(cadence_days=2)
    first = manual(store, config, runtime=recorder)
    first.start()
    plan(first, sites(5), config, now=T0)
    first.shutdown()

    clock.now = T0 + timedelta(days=3, minutes=7)  # 3 days down: ~72 missed probes per site
    again = manual(store, config, runtime=recorder)
    again.start()
    again._process_jobs()
    assert recorder.calls["probe"] <= 5  # coalesced: at most one per site, maybe none (grace)
    assert recorder.calls["inspect"] == 5  # missed inspections run once each, however late
    assert recorder.calls["summary"] <= 1
    # APScheduler draws the jitter of the next run afresh, so a probe may be due once more
    again._process_jobs()
    assert recorder.calls["probe"] <= 10 and recorder.calls["inspect"] == 5
    assert all(job.next_run_time > clock.now for job in again.get_jobs())
    before = Counter(recorder.calls)
    again._process_jobs()
    assert recorder.calls == before  # nothing left to catch up
    # and from now on, the plan runs normally: a day of probes for 5 sites
    fired = 0
    end = clock.now + timedelta(days=1)
    while True:
        nxt = min(j.next_run_time for j in again.get_jobs())
        if nxt > end:
            break
        clock.now = nxt
        again._process_jobs()
        fired += 1
    assert 5 * 22 <= recorder.calls["probe"] - before["probe"] <= 5 * 27
    again.shutdown()


def test_jobs_run_against_their_schedulers_runtime_which_is_never_stored(store, clock) -> None:
    config = ScheduleConfig()
    nobody = manual(store, config)  # no runtime: the plan can be looked at, jobs do nothing
    nobody.start()
    plan(nobody, sites(2), config, now=T0)
    clock.now = min(j.next_run_time for j in nobody.get_jobs())
    nobody._process_jobs()  # runs the due jobs without a runtime: no error, nothing done
    nobody.shutdown()
    recorder = Recorder()
    again = manual(store, config, runtime=recorder)
    again.start()
    clock.now = min(j.next_run_time for j in again.get_jobs())
    again._process_jobs()
    assert sum(recorder.calls.values()) >= 1
    assert all(job.kwargs == {} for job in again.get_jobs())  # the stored jobs hold no runtime
    again.shutdown()


# -- crawls ---------------------------------------------------------------------------------------

def test_crawls_are_isolated_never_overlap_and_crashes_are_recorded(store, tmp_path) -> None:
    marker = tmp_path / "started"
    config = ScheduleConfig(crawl_command=[
        "/bin/sh", "-c", f"touch {marker}; sleep 1; echo 'crawl blew up' >&2; exit 3", "{code}"])
    runtime = Runtime(store, str(tmp_path / "store"), config)
    results = []
    worker = threading.Thread(target=lambda: results.append(runtime.inspect("4401000001")))
    worker.start()
    deadline = time.monotonic() + 10
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert runtime.inspect("4401000001") == "skipped"  # the same site is still being crawled
    worker.join(timeout=15)
    assert results == ["failed"]  # a crashed crawl is a record, not a scheduler crash
    crawls = {c["status"]: c for c in store.find(CRAWLS, site="4401000001")}
    assert set(crawls) == {"failed", "skipped"}
    assert crawls["failed"]["returncode"] == 3 and "crawl blew up" in crawls["failed"]["stderr"]
    assert "still running" in crawls["skipped"]["error"]


def test_default_crawl_command_is_the_cli_in_a_child_process(store) -> None:
    runtime = Runtime(store, "/data/store", ScheduleConfig())
    assert runtime.crawl_command("4401000001") == [
        sys.executable, "-m", "xunjian.cli", "--store", "/data/store", "inspect", "4401000001"]


def test_summary(store) -> None:
    store.upsert_site({"code": "a", "url": "http://127.0.0.1:9/"})
    now = datetime(2026, 11, 2, tzinfo=UTC)
    store.insert_many("probes", [
        {"site": "a", "time": (now - timedelta(hours=h)).isoformat(), "ok": h % 5 != 0}
        for h in range(30)])
    doc = Runtime(store, "x", ScheduleConfig()).summary(now)
    assert doc["sites"]["a"] == {"probes": 25, "failed": 5}
    assert doc["under_20"] == []


# -- the single-scheduler lock --------------------------------------------------------------------

def test_lock(store) -> None:
    moment = [datetime(2026, 11, 1, tzinfo=UTC)]
    first = SchedulerLock(store, stale_after=60, clock=lambda: moment[0])
    second = SchedulerLock(store, stale_after=60, clock=lambda: moment[0])
    first.acquire()
    with pytest.raises(SchedulerLocked, match="another scheduler already runs"):
        second.acquire()
    moment[0] += timedelta(seconds=50)
    assert first.heartbeat()
    moment[0] += timedelta(seconds=50)
    with pytest.raises(SchedulerLocked):
        second.acquire()  # heartbeat 50 s ago: still alive
    moment[0] += timedelta(seconds=61)
    second.acquire()  # first died without releasing: stale lock taken over
    assert not first.heartbeat()  # the old owner notices and stops
    first.release()  # releasing someone else's lock does nothing
    assert store.get(LOCKS, sched.LOCK_ID)["owner"] == second.owner
    second.release()
    assert store.get(LOCKS, sched.LOCK_ID) is None


def test_schedule_command_refuses_when_locked(tmp_path) -> None:
    from xunjian.cli import main

    folder = tmp_path / "s"
    with EmbeddedStore(folder) as opened:
        SchedulerLock(opened).acquire()
    result = CliRunner().invoke(main, ["--store", str(folder), "schedule"])
    assert result.exit_code != 0
    assert "another scheduler already runs" in result.output


def test_scheduler_process_stops_cleanly_on_sigterm(tmp_path) -> None:
    folder = tmp_path / "s"
    with EmbeddedStore(folder) as opened:
        opened.upsert_site({"code": "4401000001", "url": "http://127.0.0.1:9/"})
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        from pathlib import Path
        from xunjian.scheduler import ScheduleConfig, run_forever
        config = ScheduleConfig(probe_screenshots=False, heartbeat_seconds=1)
        run_forever({str(folder)!r}, config, ready=lambda c: Path({str(ready)!r}).write_text("ok"))
        print("clean exit")
    """)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parent.parent,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert ready.exists(), child.stderr.read().decode() if child.poll() is not None else ""
        with EmbeddedStore(folder) as opened:
            with pytest.raises(SchedulerLocked, match="pid"):
                SchedulerLock(opened).acquire()  # a second scheduler refuses, saying why
            assert opened.count(JOBS) == 4
        child.terminate()
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err.decode()
    assert b"clean exit" in out
    with EmbeddedStore(folder) as opened:
        assert opened.get(LOCKS, sched.LOCK_ID) is None  # released on the way out
        assert opened.count(JOBS) == 4  # the plan stays for the next start


def test_store_jobstore_roundtrip(store) -> None:
    config = ScheduleConfig()
    s = manual(store, config)
    s.start(paused=True)
    plan(s, sites(2), config, now=T0)
    jobstore = s._lookup_jobstore("default")
    assert isinstance(jobstore, StoreJobStore)
    assert jobstore.get_next_run_time() == min(j.next_run_time for j in s.get_jobs())
    assert jobstore.lookup_job("probe:4400000000").args == ("4400000000",)
    assert jobstore.get_due_jobs(T0 - timedelta(days=1)) == []
    s.remove_job("probe:4400000000")
    assert jobstore.lookup_job("probe:4400000000") is None
    s.remove_all_jobs()
    assert store.count(JOBS) == 0
    s.shutdown()


def test_mongodb_store_uses_the_mongodb_job_store() -> None:
    from apscheduler.jobstores.mongodb import MongoDBJobStore

    from xunjian.storage import open_store

    store = open_store("mongomock://localhost/xunjian_sched_test")
    try:
        config = ScheduleConfig()
        jobstore = make_jobstore(store)
        assert isinstance(jobstore, MongoDBJobStore)
        s = build_scheduler(store, config, jobstore=jobstore, scheduler_class=ManualScheduler)
        s.start(paused=True)
        plan(s, sites(2), config, now=T0)
        s.shutdown()
        again = build_scheduler(store, config, scheduler_class=ManualScheduler)
        again.start(paused=True)
        assert plan(again, sites(2), config, now=T0) == {"kept": 4}
        again.shutdown()
    finally:
        store.close()


def test_runtime_probes_through_its_prober_thread(store) -> None:
    store.upsert_site({"code": "down", "url": "http://127.0.0.1:9/"})  # nothing listens on 9
    store.upsert_site({"code": "nourl"})
    notified: list[str] = []
    config = ScheduleConfig(probe_screenshots=False, probe_timeout=2)
    runtime = Runtime(store, "x", config, notifier=notified.append)
    runtime.start_prober()
    try:
        runtime.probe("down")
        runtime.probe("nourl")  # no URL: nothing to probe
        runtime.probe("unknown")
        deadline = time.monotonic() + 10
        while (not notified or not store.count("probes")) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        runtime.stop_prober()
    probes = store.find("probes")
    assert [(p["site"], p["ok"], p["error"]) for p in probes] == [("down", False, "connect")]
    assert notified == ["down"]  # a failed probe re-evaluates that site's warnings


def test_stopping_interrupts_running_crawls(store, tmp_path) -> None:
    marker = tmp_path / "started"
    config = ScheduleConfig(crawl_command=["/bin/sh", "-c", f"touch {marker}; exec sleep 30"])
    runtime = Runtime(store, "x", config)
    results = []
    worker = threading.Thread(target=lambda: results.append(runtime.inspect("a")))
    worker.start()
    deadline = time.monotonic() + 10
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    runtime.stopping.set()
    runtime.stop_children(grace=5)
    worker.join(timeout=10)
    assert time.monotonic() - started < 5
    assert results == ["interrupted"]
    assert store.find(CRAWLS, site="a")[0]["status"] == "interrupted"
    assert runtime.inspect("a") == "skipped"  # no new crawl once stopping
