"""The queue's guarantees against a real redis-server, with a quick stand-in inspection.

Each job here runs tests/queue_fake_inspect.py instead of a Chromium crawl (a few tenths of a
second), so the guarantees are tested on many jobs within seconds; test_queue_e2e.py runs real
``xunjian inspect`` through a worker, and kills one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from queue_redis import ROOT, RedisServer, Workers, wait_for

from xunjian.registry import import_into, parse_files
from xunjian.storage import open_store
from xunjian.workqueue.jobs import queue_status

SITE_HEADER = "网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\n"
FAKE = Path(__file__).with_name("queue_fake_inspect.py")


def codes(n: int) -> list[str]:
    return [f"43012{i:05d}" for i in range(1, n + 1)]


def make_store(folder: Path, n: int) -> Path:
    """A registry of n county sites (their homepages are never fetched: the jobs are fakes)."""
    forms = folder / "forms"
    forms.mkdir(parents=True)
    rows = "".join(f"{c},湖南省长沙县,长沙县某局{i},其他,http://127.0.0.1:9/{c}/,长沙县人民政府\n"
                   for i, c in enumerate(codes(n)))
    (forms / "sites.csv").write_text(SITE_HEADER + rows, encoding="utf-8-sig")
    store_dir = folder / "store"
    store = open_store(str(store_dir))
    summary = import_into(store, parse_files([forms / "sites.csv"]))
    assert not summary.errors, summary.errors
    store.close()
    return store_dir


def cli(*args: str, store: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xunjian.cli", *args, "--store", str(store)],
                          cwd=ROOT, env=dict(os.environ, **(env or {})), capture_output=True,
                          text=True, timeout=120)


def fake_env(tmp_path: Path, **extra: str) -> dict:
    return {"XUNJIAN_QUEUE_COMMAND": f"{sys.executable} {FAKE} {{code}} {{store}}",
            "XUNJIAN_FAKE_LOG": str(tmp_path / "runs.log"),
            "XUNJIAN_QUEUE_HEARTBEAT_MS": "4000",     # a worker silent 4 s is dead
            "XUNJIAN_QUEUE_MAINTENANCE": "1000000",   # every broker call looks for dead workers
            "XUNJIAN_QUEUE_BACKOFF_MS": "200", "XUNJIAN_QUEUE_MAX_BACKOFF_MS": "1000",
            **extra}


def runs(tmp_path: Path) -> list[tuple[str, str, str]]:
    log = tmp_path / "runs.log"
    if not log.exists():
        return []
    return [tuple(line.split()[:3]) for line in log.read_text().splitlines()]


def states(queue: str) -> dict[str, str]:
    return {s["site"]: s["state"] for s in queue_status(queue)["sites"]}


@pytest.mark.slow  # 10 jobs on 1, 2 and 4 workers: ~30 s together
@pytest.mark.parametrize("n_workers", [1, 2, 4])
def test_each_enqueued_inspection_runs_exactly_once(tmp_path, n_workers):
    sites = codes(12)
    store = make_store(tmp_path, 12)
    # one inspection outlasts the worker heartbeat timeout (4 s): its worker is busy, not dead,
    # and the job must not be handed to another worker
    env = fake_env(tmp_path, XUNJIAN_FAKE_SECONDS="0.1", XUNJIAN_FAKE_SLOW=f"{sites[0]}=5")
    with RedisServer(tmp_path / "redis") as redis, \
            Workers(redis.url, store, env, tmp_path) as workers:
        for _ in range(n_workers):
            workers.start()
        wait_for(lambda: queue_status(redis.url)["live_workers"] == n_workers, 60,
                 workers.explain(f"{n_workers} workers up", redis.url))
        done = cli("enqueue", *sites, "--queue", redis.url, store=store, env=env)
        assert done.returncode == 0, done.stderr
        assert "enqueued 12," in done.stdout
        wait_for(lambda: set(states(redis.url).values()) == {"done"}, 90,
                 workers.explain("all 12 done", redis.url))
        status = queue_status(redis.url)
    started = Counter(code for kind, code, _ in runs(tmp_path) if kind == "start")
    ended = Counter(code for kind, code, _ in runs(tmp_path) if kind == "end")
    assert started == Counter(sites) and ended == Counter(sites)  # once each, to completion
    assert all(s["attempts"] == 1 for s in status["sites"])
    used = {s["worker"] for s in status["sites"]}
    assert 1 <= len(used) <= n_workers
    if n_workers > 1:  # the slow job held one worker while the others took the rest
        slow = next(s["worker"] for s in status["sites"] if s["site"] == sites[0])
        assert used - {slow}


def test_a_duplicate_enqueue_adds_no_job_and_a_redis_restart_loses_none(tmp_path):
    sites = codes(5)
    store = make_store(tmp_path, 5)
    env = fake_env(tmp_path)
    redis = RedisServer(tmp_path / "redis").start()
    try:
        first = cli("enqueue", *sites, "--queue", redis.url, store=store, env=env)
        assert first.returncode == 0 and "enqueued 5, already on the queue 0" in first.stdout
        again = cli("enqueue", sites[0], sites[3], "--queue", redis.url, store=store, env=env)
        assert again.returncode == 0, again.stderr
        assert f"{sites[0]}: already waiting on the queue; not enqueued again" in again.stdout
        assert "enqueued 0, already on the queue 2" in again.stdout
        assert queue_status(redis.url)["waiting_messages"] == 5

        redis.kill()  # SIGKILL, while all five wait: only the append-only file remains
        redis.start()
        status = queue_status(redis.url)
        assert status["waiting_messages"] == 5
        assert status["counts"]["waiting"] == 5 and status["counts"]["lost"] == 0
        with Workers(redis.url, store, env, tmp_path) as workers:
            workers.start(concurrency=2)
            wait_for(lambda: set(states(redis.url).values()) == {"done"}, 90,
                     workers.explain("all 5 done", redis.url))
        started = Counter(code for kind, code, _ in runs(tmp_path) if kind == "start")
        assert started == Counter(sites)
    finally:
        redis.kill()


def test_a_job_the_broker_lost_is_shown_lost_and_the_scheduler_enqueues_it_again(tmp_path):
    """A message gone from Redis while its site still reads waiting (a crash between the
    enqueue's two writes, a Redis restarted before its last writes reached the disk): queue
    status says ``lost``, the scheduler's sweep enqueues it again and records that, and every
    site is inspected once — not one 14 days later."""
    import redis as redis_py

    from xunjian.scheduler import Runtime, ScheduleConfig, build_scheduler, plan
    from xunjian.workqueue.jobs import NAMESPACE, QUEUE, SITE_KEY

    sites = codes(3)
    store = make_store(tmp_path, 3)
    env = fake_env(tmp_path)
    with RedisServer(tmp_path / "redis") as redis:
        assert cli("enqueue", *sites, "--queue", redis.url, store=store, env=env).returncode == 0
        client = redis_py.Redis.from_url(redis.url)
        gone = sites[1]
        rid = client.hget(SITE_KEY + gone, "rid")
        assert client.hdel(f"{NAMESPACE}:{QUEUE}.msgs", rid) == 1
        client.lrem(f"{NAMESPACE}:{QUEUE}", 0, rid)
        client.hset(SITE_KEY + gone, "claimed_ms", 0)  # enqueued long ago
        assert states(redis.url) == {sites[0]: "waiting", gone: "lost", sites[2]: "waiting"}

        opened = open_store(str(store))
        try:
            config = ScheduleConfig(queue=redis.url, probe_screenshots=False)
            scheduler = build_scheduler(opened, config)
            plan(scheduler, opened.list_sites(), config)
            assert scheduler.get_job("queue-sweep") is not None  # runs every 10 minutes
            runtime = Runtime(opened, str(store), config)
            assert runtime.requeue_lost() == [gone]
            assert runtime.requeue_lost() == []  # now held by the broker: left alone
            records = opened.find("crawls", site=gone)
            assert [r["status"] for r in records] == ["enqueued"]
            assert "lost by the queue; enqueued again" in records[0]["error"]
        finally:
            opened.close()
        status = queue_status(redis.url)
        assert status["counts"]["waiting"] == 3 and status["waiting_messages"] == 3
        with Workers(redis.url, store, env, tmp_path) as workers:
            workers.start()
            wait_for(lambda: set(states(redis.url).values()) == {"done"}, 90,
                     workers.explain("all 3 done", redis.url))
        started = Counter(code for kind, code, _ in runs(tmp_path) if kind == "start")
        assert started == Counter(sites)


def test_a_failing_inspection_is_retried_then_shown_failed_with_its_reason(tmp_path):
    ok, bad = codes(2)
    store = make_store(tmp_path, 2)
    env = fake_env(tmp_path, XUNJIAN_FAKE_FAIL=bad, XUNJIAN_QUEUE_RETRIES="2")
    with RedisServer(tmp_path / "redis") as redis, \
            Workers(redis.url, store, env, tmp_path) as workers:
        assert cli("enqueue", "--all", "--queue", redis.url, store=store, env=env).returncode == 0
        workers.start()
        wait_for(lambda: states(redis.url) == {ok: "done", bad: "failed"}, 90,
                 workers.explain("one done, one failed", redis.url))
        text = cli("queue", "status", "--queue", redis.url, store=store, env=env).stdout
        as_json = json.loads(cli("queue", "status", "--queue", redis.url, "--json",
                                 store=store, env=env).stdout)
        ran = runs(tmp_path)
        # failed for good: enqueuing it again is allowed (a new job)
        requeue = cli("enqueue", bad, "--queue", redis.url, store=store, env=env)
    assert [kind for kind, code, _ in ran if code == bad] == ["start", "fail"] * 3
    assert [kind for kind, code, _ in ran if code == ok] == ["start", "end"]
    line = next(x for x in text.splitlines() if x.startswith(bad))
    assert "failed" in line and "attempts 3" in line
    assert "exit status 4" in line and "connection refused by 127.0.0.1" in line
    failed = next(s for s in as_json["sites"] if s["site"] == bad)
    assert failed["state"] == "failed" and failed["failures"] == 3
    assert "the crawl stopped: connection refused" in failed["error"]
    assert as_json["counts"]["done"] == 1 and as_json["counts"]["failed"] == 1
    assert "enqueued 1," in requeue.stdout


def test_a_site_another_process_is_inspecting_waits_for_it(tmp_path):
    """The store's site lock holds across workers: the job backs off while another process
    inspects the site, and runs once that one is finished."""
    from xunjian.inspection.runcontrol import SiteLock

    (code,) = codes(1)
    store_dir = make_store(tmp_path, 1)
    env = fake_env(tmp_path, XUNJIAN_FAKE_LOCK="1")
    store = open_store(str(store_dir))
    lock = SiteLock(store, code)
    lock.acquire()  # "another worker" is inspecting this site
    try:
        with RedisServer(tmp_path / "redis") as redis, \
                Workers(redis.url, store_dir, env, tmp_path) as workers:
            assert cli("enqueue", code, "--queue", redis.url, store=store_dir,
                       env=env).returncode == 0
            workers.start()
            busy = wait_for(lambda: [s for s in queue_status(redis.url)["sites"]
                                     if s["error"] and "site busy" in s["error"]], 60,
                            workers.explain("the job saw the site busy", redis.url))
            assert busy[0]["state"] in ("retrying", "running")
            assert "already being inspected" in busy[0]["error"]
            assert [k for k, _, _ in runs(tmp_path)].count("start") == 0
            lock.release()
            wait_for(lambda: states(redis.url) == {code: "done"}, 60,
                     workers.explain("done after the lock was released", redis.url))
            status = queue_status(redis.url)["sites"][0]
    finally:
        lock.release()
        store.close()
    assert [k for k, _, _ in runs(tmp_path) if k != "busy"] == ["start", "end"]
    assert status["failures"] == 0  # waiting for a busy site is not a failure


def test_workers_on_other_machines_are_refused_with_the_embedded_store(tmp_path):
    store = make_store(tmp_path, 1)
    for args in (["worker", "--queue", "redis://10.20.30.40:6379/0"],
                 ["enqueue", "--all", "--queue", "redis://queue.example.gov.cn/0"]):
        refused = cli(*args, store=store)
        assert refused.returncode == 1
        assert "embedded store" in refused.stderr and "MongoDB" in refused.stderr
    not_redis = cli("enqueue", "--all", "--queue", "http://127.0.0.1:6379/", store=store)
    assert not_redis.returncode == 1 and "is not a Redis URL" in not_redis.stderr


def test_the_scheduler_enqueues_inspections_instead_of_running_them(tmp_path):
    from xunjian.scheduler import CRAWLS, Runtime, ScheduleConfig

    first, second = codes(2)
    store_dir = make_store(tmp_path, 2)
    store = open_store(str(store_dir))
    try:
        with RedisServer(tmp_path / "redis") as redis:
            runtime = Runtime(store, str(store_dir), ScheduleConfig(queue=redis.url))
            assert runtime.inspect(first) == "enqueued"
            assert runtime.inspect(first) == "skipped"  # its job still waits: no second one
            assert runtime.inspect(second) == "enqueued"
            status = queue_status(redis.url)
        records = store.find(CRAWLS, site=first)
    finally:
        store.close()
    assert status["counts"]["waiting"] == 2 and status["waiting_messages"] == 2
    assert [r["status"] for r in records] == ["enqueued", "skipped"]
    assert records[1]["error"] == "already waiting on the queue"
    assert not runs(tmp_path)  # nothing ran in the scheduler's process
