"""The scheduler behind ``xunjian schedule``: probes, inspections and a daily summary.

Plan (APScheduler 3, Asia/Shanghai):

* ``probe:<code>`` — every registered site at least ``probes_per_day`` (default 22; the table
  wants ≥ 20) times a day. APScheduler adds its jitter to the previous (already jittered) run,
  so a gap between two probes is interval + jitter; the interval is 86400 s / probes_per_day −
  jitter (jitter 600 s ⇒ 3327 s), so every gap is at most 86400 / probes_per_day: never fewer
  than 22 a day, about 24 on average.
  Each site starts at its own offset in the interval (a hash of its code), so sites are spread
  over the hour instead of hit at once. The job only hands the site to one long-lived asyncio
  prober (probes.probe.Prober) running in its own thread.
* ``inspect:<code>`` — a full inspection every ``cadence_days`` (default 14), staggered over the
  cadence by the same hash. It runs ``python -m xunjian.cli --store URL inspect CODE`` as a child
  process (Twisted's reactor cannot be restarted, and a crash stays in the child), at most
  ``crawl_concurrency`` at once, never two for the same site (APScheduler ``max_instances=1``
  plus a "running" crawl record checked against the child's pid). Every run is recorded in the
  ``crawls`` collection; a crashed crawl is a ``failed`` record, not a scheduler failure.
* ``summary`` — daily at ``summary_hour``: probe figures of the last 24 h per site in
  ``summaries``, and the early warnings re-evaluated (alerts/warnings.py).
* ``heartbeat`` — keeps the single-scheduler lock alive.
* ``queue-sweep`` — with ``queue`` only, every ``queue_sweep_seconds`` (600): sites whose job
  the broker lost are enqueued again (``Runtime.requeue_lost``; docs/QUEUE.md).

Persistence: jobs live in the chosen store (``storage/jobstore.py``) — APScheduler's
MongoDBJobStore on the MongoDB store, ``StoreJobStore`` (a small JobStore over our own Store,
collection ``scheduler_jobs``) on the embedded store. On restart the existing plan is kept (jobs
are only added for new sites, removed for sites gone from the registry, replaced when the
configuration changed). A stored job is a function of this module and a site code; the live side
(``Runtime``: the store, the prober thread, the crawl children) is handed to it by the
scheduler's executors (``RuntimeExecutor``), so it is the scheduler's, never a process global.

Misfires, chosen deliberately: every job coalesces (after downtime a job runs at most once, never
a storm of missed runs). A probe missed by more than half its interval is dropped
(``misfire_grace_time``), since a late probe says nothing about the missed moment and the next
one is near; a missed inspection always runs (once, however late: skipping it would leave the
site uninspected for a whole further cadence), queued behind ``crawl_concurrency`` so a long
downtime never starts a crawl storm; the summary has an hour.

Only one scheduler per store: a lock document (``scheduler_lock``) with owner and heartbeat; a
second scheduler refuses to start and says who holds the lock. A lock whose heartbeat is older
than ``lock_stale_seconds`` (a killed scheduler) is taken over, atomically.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from xunjian.alerts.warnings import evaluate_and_notify, load_channels
from xunjian.probes.probe import ProbeConfig, Prober
from xunjian.storage import open_store
from xunjian.storage.jobstore import make_jobstore
from xunjian.storage.locks import LockHeld, NamedLock

log = logging.getLogger("xunjian.scheduler")

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOCKS = "scheduler_lock"
CRAWLS = "crawls"
SUMMARIES = "summaries"
LOCK_ID = "scheduler"


@dataclass
class ScheduleConfig:
    probes_per_day: int = 22  # guaranteed minimum per site and day
    probe_jitter: float = 600.0  # seconds added at random to each probe run (at most half a gap)
    probe_timeout: float = 15.0
    probe_screenshots: bool = True
    cadence_days: float = 14.0
    crawl_concurrency: int = 2
    crawl_timeout: float = 6 * 3600.0
    crawl_command: list[str] | None = None  # default: python -m xunjian.cli --store URL inspect
    queue: str | None = None  # a Redis URL: inspections are enqueued for workers (workqueue/)
    summary_hour: int = 7
    heartbeat_seconds: float = 30.0
    #: How often the queue is swept for jobs the broker lost (with ``queue`` only).
    queue_sweep_seconds: float = 600.0
    lock_stale_seconds: float = 180.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def jitter(self) -> float:
        return max(0.0, min(self.probe_jitter, 0.5 * 86400.0 / self.probes_per_day))

    @property
    def probe_interval(self) -> float:
        """Interval + jitter never exceeds a day's share, so the minimum per day holds."""
        return 86400.0 / self.probes_per_day - self.jitter


def stagger(code: str, period_seconds: float) -> float:
    """A stable offset in [0, period) for a site: the same after every restart."""
    digest = hashlib.sha1(code.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * period_seconds


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


# -- the single-scheduler lock --------------------------------------------------------------------

class SchedulerLocked(LockHeld):
    """Another scheduler runs against this store."""


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


class SchedulerLock(NamedLock):
    """The single-scheduler lock: storage.locks.NamedLock named ``scheduler``."""

    held_error = SchedulerLocked

    def __init__(self, store: Any, stale_after: float = 180.0, clock=None) -> None:
        super().__init__(store, LOCKS, LOCK_ID, stale_after, clock)

    def describe(self, holder: dict, age: float) -> str:
        return (f"another scheduler already runs against this store: pid {holder['pid']} on "
                f"{holder['host']}, since {holder['since']}, last alive {int(age)} s ago. "
                f"Stop it first (or wait {int(self.stale_after)} s after it died).")


# -- what the jobs do ----------------------------------------------------------------------------

class Runtime:
    """The live side of the jobs: store, prober thread, crawl children. One per process."""

    def __init__(self, store: Any, store_url: str, config: ScheduleConfig,
                 lock: SchedulerLock | None = None, prober_factory=None, notifier=None) -> None:
        self.store = store
        self.store_url = store_url
        self.config = config
        self.lock = lock
        self._prober_factory = prober_factory
        self._notifier = notifier
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._prober: Any = None
        self._children: dict[str, subprocess.Popen] = {}
        self._children_lock = threading.Lock()
        self.stopping = threading.Event()

    # -- probes
    def start_prober(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="prober", daemon=True)
        self._thread.start()
        cfg = ProbeConfig(timeout=self.config.probe_timeout,
                          screenshots=self.config.probe_screenshots)
        factory = self._prober_factory or (lambda: Prober(self.store, cfg, on_probe=self._probed))
        self._prober = asyncio.run_coroutine_threadsafe(
            factory().__aenter__(), self._loop).result(timeout=60)

    def stop_prober(self) -> None:
        if self._loop is None:
            return
        if self._prober is not None:
            future = asyncio.run_coroutine_threadsafe(
                self._prober.__aexit__(None, None, None), self._loop)
            try:
                future.result(timeout=30)
            except Exception:  # noqa: BLE001
                log.warning("prober did not close cleanly", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None

    def probe(self, code: str) -> None:
        site = self.store.get_site(code)
        if site is None or not site.get("url") or self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._prober.probe(site), self._loop)

    def _probed(self, doc: dict) -> None:
        """After a failed probe (or while a warning is open): re-evaluate that site's early
        warnings, off the prober's loop. Healthy sites wait for the daily summary."""
        if self._loop is None or self._notifier is None:
            return
        if not doc["ok"] or self.store.count("warnings", site=doc["site"], cleared_at=None):
            self._loop.run_in_executor(None, self._notifier, doc["site"])

    # -- crawls
    def crawl_command(self, code: str) -> list[str]:
        if self.config.crawl_command:
            return [part.format(code=code, store=self.store_url)
                    for part in self.config.crawl_command]
        return [sys.executable, "-m", "xunjian.cli", "--store", self.store_url, "inspect", code]

    def inspect(self, code: str) -> str:
        """Run one site's inspection as a child process; returns the crawl record's status."""
        if self.stopping.is_set():
            return "skipped"
        if self.config.queue:  # workers run it; a site already on the queue keeps its one job
            from xunjian.workqueue.jobs import enqueue_sites  # dramatiq: only with --queue

            result = enqueue_sites(self.config.queue, [code])
            status = "skipped" if result.already else "enqueued"
            self.store.insert(CRAWLS, {"site": code, "status": status, "at": now_iso(),
                                       "queue": self.config.queue, "error": (
                                           f"already {result.already[0][1]} on the queue"
                                           if result.already else None)})
            return status
        running = [c for c in self.store.find(CRAWLS, site=code, status="running")
                   if _alive(c.get("pid"))]
        if running:
            self.store.insert(CRAWLS, {"site": code, "status": "skipped", "at": now_iso(),
                                       "error": f"crawl {running[0]['id']} still running"})
            return "skipped"
        for stale in self.store.find(CRAWLS, site=code, status="running"):
            self.store.update(CRAWLS, stale["id"], {"status": "failed", "finished_at": now_iso(),
                                                    "error": "process vanished"})
        command = self.crawl_command(code)
        crawl_id = self.store.insert(CRAWLS, {"site": code, "status": "running",
                                              "started_at": now_iso(), "command": command,
                                              "pid": None})
        try:
            child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        except OSError as exc:
            self.store.update(CRAWLS, crawl_id, {"status": "failed", "finished_at": now_iso(),
                                                 "error": f"cannot start: {exc}"})
            return "failed"
        self.store.update(CRAWLS, crawl_id, {"pid": child.pid})
        with self._children_lock:
            self._children[crawl_id] = child
        try:
            try:
                _, stderr = child.communicate(timeout=self.config.crawl_timeout)
                error = None
            except subprocess.TimeoutExpired:
                child.kill()
                _, stderr = child.communicate()
                error = f"timed out after {self.config.crawl_timeout:g} s"
        finally:
            with self._children_lock:
                self._children.pop(crawl_id, None)
        tail = (stderr or b"").decode("utf-8", "replace")[-2000:]
        code_ = child.returncode
        if self.stopping.is_set() and code_ != 0:
            status, error = "interrupted", "scheduler stopped"
        elif error is None and code_ == 0:
            status = "done"
        elif error is None and code_ == 5:  # another inspection of this site holds its lock
            busy = (stderr or b"").decode("utf-8", "replace").strip()[-300:]
            status, error = "skipped", f"site busy: {busy}"
        else:
            status = "failed"
            error = error or f"exit status {code_}" + (
                ": homepage unreachable (the inspection and its card are stored)"
                if code_ == 3 and not self.config.crawl_command else "")
        self.store.update(CRAWLS, crawl_id, {"status": status, "finished_at": now_iso(),
                                             "returncode": code_, "error": error,
                                             "stderr": tail})
        if status == "failed":
            log.warning("crawl of %s failed: %s", code, error)
        return status

    def stop_children(self, grace: float = 10.0) -> None:
        with self._children_lock:
            children = list(self._children.values())
        for child in children:
            _signal(child, signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal(child, signal.SIGKILL)

    # -- summary
    def summary(self, now: datetime | None = None) -> dict:
        now = now or datetime.now(UTC)
        since = now - timedelta(days=1)
        per_site: dict[str, Counter] = {}
        for site in self.store.list_sites():
            counts: Counter = Counter()
            for probe in self.store.find("probes", site=site["code"]):
                when = _parse(probe["time"])
                if since <= when <= now:
                    counts["probes"] += 1
                    counts["failed"] += 0 if probe.get("ok") else 1
            per_site[site["code"]] = counts
        doc = {"at": now.isoformat(), "since": since.isoformat(),
               "sites": {code: dict(c) for code, c in per_site.items()},
               "probes": sum(c["probes"] for c in per_site.values()),
               "failed": sum(c["failed"] for c in per_site.values()),
               "under_20": sorted(code for code, c in per_site.items() if c["probes"] < 20)}
        self.store.insert(SUMMARIES, doc)
        log.info("daily summary: %d probes, %d failed, %d sites under 20 probes",
                 doc["probes"], doc["failed"], len(doc["under_20"]))
        if self._notifier is not None:
            for code in per_site:
                self._notifier(code)
        return doc

    # -- the queue's lost jobs
    def requeue_lost(self) -> list[str]:
        """Enqueue again every site whose job the broker lost (its message is gone while the
        job still reads waiting, running or retrying: a crash between an enqueue's two writes,
        a Redis restarted with writes not yet on disk). Without this a lost job waits for the
        site's next inspection, 14 days later; each one re-enqueued is recorded as a crawl
        (status ``enqueued``, saying so) and logged. Jobs keep their ``--as-of``."""
        if not self.config.queue or self.stopping.is_set():
            return []
        # dramatiq and its Redis broker: only with --queue
        from xunjian.workqueue.jobs import QueueError, enqueue_sites, queue_status

        try:
            sites = queue_status(self.config.queue)["sites"]
            by_as_of: dict[str | None, list[str]] = {}
            for item in sites:
                if item["state"] == "lost":
                    by_as_of.setdefault(item.get("as_of"), []).append(item["site"])
            again = []
            for as_of, codes in by_as_of.items():
                result = enqueue_sites(self.config.queue, codes, as_of=as_of)
                again += result.requeued_lost + result.enqueued
        except QueueError as exc:
            log.warning("queue sweep: %s", exc)
            return []
        for code in again:
            self.store.insert(CRAWLS, {"site": code, "status": "enqueued", "at": now_iso(),
                                       "queue": self.config.queue,
                                       "error": "its job was lost by the queue; enqueued again"})
            log.warning("queue sweep: the job of %s was lost by the queue; enqueued again", code)
        return again

    def heartbeat(self) -> None:
        if self.lock is not None and not self.lock.heartbeat():
            log.error("the scheduler lock was taken over; stopping")
            self.stopping.set()


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# -- the jobs: stored by reference, run against the scheduler's Runtime ---------------------------

def run_probe(code: str, runtime: Runtime | None = None) -> None:
    if runtime is not None:
        runtime.probe(code)


def run_inspection(code: str, runtime: Runtime | None = None) -> None:
    if runtime is not None:
        runtime.inspect(code)


def run_summary(runtime: Runtime | None = None) -> None:
    if runtime is not None:
        runtime.summary()


def run_heartbeat(runtime: Runtime | None = None) -> None:
    if runtime is not None:
        runtime.heartbeat()


def run_queue_sweep(runtime: Runtime | None = None) -> None:
    if runtime is not None:
        runtime.requeue_lost()


class RuntimeExecutor:
    """An executor (mixed into one of APScheduler's) that runs every job against one Runtime.

    A stored job names only its function (``xunjian.scheduler:run_probe``) and the site code, so
    a restarted scheduler finds it; the runtime is handed to the function here, as its
    ``runtime`` argument, on a copy of the job (the stored job never holds it). So the runtime
    is the scheduler's, not the process's: without one (``runtime=None``) a job does nothing."""

    def __init__(self, runtime: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.runtime = runtime

    def _do_submit_job(self, job: Job, run_times: list) -> None:
        super()._do_submit_job(bound_job(job, self.runtime), run_times)


class RuntimeThreadPool(RuntimeExecutor, ThreadPoolExecutor):
    """APScheduler's thread pool, running the jobs against one Runtime."""


def bound_job(job: Job, runtime: Any) -> Job:
    """A copy of ``job`` whose function gets ``runtime`` (``job`` itself as it is without one)."""
    if runtime is None:
        return job
    bound = copy.copy(job)  # through Job.__getstate__/__setstate__: the same id, trigger, args
    bound._scheduler, bound._jobstore_alias = job._scheduler, job._jobstore_alias
    bound.kwargs = {**job.kwargs, "runtime": runtime}
    return bound


# -- the plan ------------------------------------------------------------------------------------

def build_scheduler(store: Any, config: ScheduleConfig, jobstore: BaseJobStore | None = None,
                    executors: dict | None = None, scheduler_class=BackgroundScheduler,
                    runtime: Runtime | None = None):
    """The scheduler over ``store``'s jobs; its jobs run against ``runtime`` (none: they do
    nothing, e.g. to look at or change the plan)."""
    crawls = max(1, config.crawl_concurrency)
    return scheduler_class(
        jobstores={"default": jobstore or make_jobstore(store)},
        executors=executors or {"default": RuntimeThreadPool(runtime, 8),
                                "crawls": RuntimeThreadPool(runtime, crawls)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=SHANGHAI,
    )


def _probe_trigger(code: str, config: ScheduleConfig, now: datetime) -> IntervalTrigger:
    interval = config.probe_interval
    return IntervalTrigger(seconds=interval, jitter=config.jitter or None,
                           start_date=now + timedelta(seconds=stagger(code, interval)),
                           timezone=SHANGHAI)


def _inspect_trigger(code: str, config: ScheduleConfig, now: datetime) -> IntervalTrigger:
    period = config.cadence_days * 86400
    return IntervalTrigger(seconds=period, start_date=now + timedelta(
        seconds=stagger("inspect:" + code, period)), timezone=SHANGHAI)


def plan(scheduler: BackgroundScheduler, sites: list[dict], config: ScheduleConfig,
         now: datetime | None = None) -> dict[str, int]:
    """Make the scheduler's jobs match the registry, keeping what is already planned."""
    now = now or datetime.now(SHANGHAI)
    existing = {job.id: job for job in scheduler.get_jobs()}
    wanted: set[str] = set()
    counts = Counter()
    probe_interval = config.probe_interval
    inspect_interval = config.cadence_days * 86400
    for site in sites:
        code = site.get("code")
        if not code or not site.get("url"):
            continue
        for kind, func, trigger_of, interval, extra in (
            ("probe", run_probe, _probe_trigger, probe_interval,
             {"misfire_grace_time": max(1, int(probe_interval / 2))}),
            ("inspect", run_inspection, _inspect_trigger, inspect_interval,
             {"misfire_grace_time": None, "executor": "crawls"}),
        ):
            job_id = f"{kind}:{code}"
            wanted.add(job_id)
            job = existing.get(job_id)
            jitter = (config.jitter or None) if kind == "probe" else None
            if (job is not None
                    and abs(getattr(job.trigger, "interval_length", 0) - interval) < 0.001
                    and getattr(job.trigger, "jitter", None) == jitter):
                counts["kept"] += 1
                continue
            scheduler.add_job(func, trigger_of(code, config, now), args=[code], id=job_id,
                              name=f"{kind} {code}", replace_existing=True, coalesce=True,
                              max_instances=1, **extra)
            counts["replaced" if job is not None else "added"] += 1
    for job_id in existing:
        if job_id.split(":", 1)[0] in ("probe", "inspect") and job_id not in wanted:
            scheduler.remove_job(job_id)
            counts["removed"] += 1
    scheduler.add_job(run_summary, CronTrigger(hour=config.summary_hour, timezone=SHANGHAI),
                      id="summary", name="daily summary", replace_existing=True,
                      misfire_grace_time=3600, coalesce=True)
    beat = IntervalTrigger(seconds=config.heartbeat_seconds, timezone=SHANGHAI)
    scheduler.add_job(run_heartbeat, beat,
                      id="heartbeat", name="lock heartbeat", replace_existing=True,
                      misfire_grace_time=int(config.heartbeat_seconds), coalesce=True)
    if config.queue:
        scheduler.add_job(run_queue_sweep,
                          IntervalTrigger(seconds=config.queue_sweep_seconds, timezone=SHANGHAI),
                          id="queue-sweep", name="re-enqueue lost queue jobs",
                          replace_existing=True, coalesce=True,
                          misfire_grace_time=int(config.queue_sweep_seconds))
    elif scheduler.get_job("queue-sweep"):
        scheduler.remove_job("queue-sweep")
    return dict(counts)


def run_forever(store_url: str, config: ScheduleConfig | None = None,
                ready=None) -> None:
    """Run until SIGTERM/SIGINT; raises SchedulerLocked if another scheduler holds the store."""
    config = config or ScheduleConfig()
    store = open_store(store_url)
    lock = SchedulerLock(store, config.lock_stale_seconds)
    try:
        lock.acquire()
    except SchedulerLocked:
        store.close()
        raise
    channels = load_channels()
    runtime = Runtime(store, store_url, config, lock,
                      notifier=lambda code: evaluate_and_notify(store, channels, [code]))
    scheduler = build_scheduler(store, config, runtime=runtime)
    stop = runtime.stopping
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        runtime.start_prober()
        scheduler.start(paused=True)
        counts = plan(scheduler, store.list_sites(), config)
        log.info("plan: %s", counts)
        scheduler.resume()
        if ready is not None:
            ready(counts)
        while not stop.wait(1.0):
            pass
    finally:
        log.info("stopping: no new jobs, crawls told to stop")
        if scheduler.running:
            scheduler.pause()
        runtime.stopping.set()
        runtime.stop_children()
        if scheduler.running:
            scheduler.shutdown(wait=True)
        runtime.stop_prober()
        lock.release()
        store.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
