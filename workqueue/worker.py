"""``xunjian worker``: Dramatiq worker threads, each job one ``xunjian inspect`` child process.

What a job does, in order:

1. A message whose site entry names another job (it was superseded) or says ``done``/``failed``
   (it was redelivered after it finished, before its acknowledgement reached Redis) is
   acknowledged without running anything: a job runs to completion once.
2. The entry becomes ``running`` (this worker, since now), and the child runs
   ``xunjian inspect CODE --store STORE [--as-of DATE]``. The child holds the store's site lock
   (storage/locks.py), so a second inspection of the site, on any machine, exits 5 (busy).
3. The child dies with the worker: it is started with Linux's parent-death signal set to
   SIGTERM, which ``xunjian inspect`` handles like Ctrl-C — it stops its crawl, stores the
   inspection as ``interrupted`` and releases the site lock. (Without that signal, e.g. a
   machine that lost power, the inspection reads as interrupted once its heartbeat is stale,
   storage.base.presented_inspection, and the lock is taken over after the same time.)
4. Exit 0 or 3 (done; 3 = homepage unreachable, card stored) → ``done``. Exit 5 (busy) or a
   stop of this worker → tried again later without counting as a failure. Anything else is a
   failure: retried ``retries`` times with a growing backoff, then ``failed`` with the reason
   (the last lines the child wrote to stderr).
"""

from __future__ import annotations

import ctypes
import logging
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from dramatiq import Worker
from dramatiq.middleware import CurrentMessage

from xunjian.workqueue.jobs import (
    NAMESPACE,
    WORKERS_KEY,
    QueueSettings,
    RetryLater,
    check_topology,
    make_broker,
    now_iso,
)

log = logging.getLogger("xunjian.worker")

EXIT_DONE, EXIT_HOMEPAGE_UNREACHABLE, EXIT_BUSY = 0, 3, 5
EXIT_STOPPED = (130, 143, -signal.SIGTERM, -signal.SIGINT)
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    """preexec_fn: SIGTERM this child when the worker thread that started it dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the worker died before prctl took effect
            os._exit(EXIT_STOPPED[1])
    return preexec


class WorkerRuntime:
    """One ``xunjian worker`` process: its store, settings and the children it runs."""

    def __init__(self, store_url: str, settings: QueueSettings) -> None:
        self.store_url = store_url
        self.settings = settings
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        self._children: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self.tracker = None
        self.broker_id = ""

    def command(self, code: str, as_of: str | None) -> list[str]:
        if self.settings.command:
            return [part.format(code=code, store=self.store_url, as_of=as_of or "")
                    for part in shlex.split(self.settings.command)]
        cmd = [sys.executable, "-m", "xunjian.cli", "inspect", code, "--store", self.store_url]
        return cmd + (["--as-of", as_of] if as_of else [])

    def run_child(self, code: str, as_of: str | None) -> tuple[int, str]:
        """Run the inspection; (exit status, the tail of its stderr)."""
        child = subprocess.Popen(self.command(code, as_of), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                 preexec_fn=_die_with_parent(os.getpid()))
        with self._lock:
            self._children.add(child)
        try:
            try:
                _, stderr = child.communicate(timeout=self.settings.job_timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                child.terminate()
                try:
                    _, stderr = child.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
                    _, stderr = child.communicate()
                timed_out = True
        finally:
            with self._lock:
                self._children.discard(child)
        tail = _tail(stderr)
        if timed_out:
            tail = f"timed out after {self.settings.job_timeout:g} s; " + tail
        return child.returncode, tail

    def _alive(self, broker_id: str) -> bool:
        """Whether the worker with this Dramatiq broker id still beats (this one always does)."""
        if not broker_id:
            return False
        if broker_id == self.broker_id:
            return True
        beat = self.tracker.client.zscore(f"{NAMESPACE}:__heartbeats__", broker_id)
        return beat is not None and time.time() * 1000 - beat < self.settings.heartbeat_ms

    def stop_children(self) -> None:
        with self._lock:
            children = list(self._children)
        for child in children:
            try:
                child.terminate()
            except ProcessLookupError:
                pass

    # -- the actor's body
    def job(self, code: str, as_of: str | None = None) -> None:
        try:
            self._job(code, as_of)
        except RetryLater:
            raise
        except Exception as exc:  # a bug or Redis away: logged, retried a few times by Dramatiq
            log.exception("job of %s failed unexpectedly", code)
            message = CurrentMessage.get_current_message()
            try:
                self.tracker.update(code, message.message_id, state="retrying",
                                    error=f"worker error: {type(exc).__name__}: {exc}"[:1500])
            except Exception:  # noqa: BLE001 (Redis away: the entry keeps its last state)
                pass
            raise

    def _job(self, code: str, as_of: str | None) -> None:
        message = CurrentMessage.get_current_message()
        job = message.message_id
        entry = self.tracker.entry(code)
        if entry.get("job") != job:
            log.info("job %s of %s superseded by %s; skipped", job, code, entry.get("job"))
            return
        if entry.get("state") in ("done", "failed"):
            log.info("job %s of %s already %s; not run again", job, code, entry["state"])
            return
        if self.stopping.is_set():
            raise RetryLater("the worker is stopping")
        if entry.get("state") == "running" and self._alive(entry.get("broker_id", "")):
            # delivered again while a live worker still runs it (a late heartbeat): not twice
            log.warning("job %s of %s still runs on %s; tried again later", job, code,
                        entry.get("worker"))
            raise RetryLater(f"still running on {entry.get('worker')}")
        attempts = int(entry.get("attempts") or 0) + 1
        failures = int(entry.get("failures") or 0)
        self.tracker.update(code, job, state="running", worker=self.name, since=now_iso(),
                            attempts=attempts, broker_id=self.broker_id)
        log.info("inspecting %s (job %s, attempt %d)", code, job, attempts)
        status, tail = self.run_child(code, as_of)
        if status in (EXIT_DONE, EXIT_HOMEPAGE_UNREACHABLE):
            note = "homepage unreachable (the card says so)" if status else ""
            self.tracker.update(code, job, state="done", finished_at=now_iso(), error=note,
                                exit_status=status)
            log.info("inspected %s (exit %d)", code, status)
            return
        if status == EXIT_BUSY and attempts <= self.settings.busy_retries:
            self.tracker.update(code, job, state="retrying", exit_status=status,
                                error=f"site busy, tried again later: {tail[-300:]}")
            raise RetryLater(f"site {code} busy")
        if status in EXIT_STOPPED and self.stopping.is_set():
            self.tracker.update(code, job, state="retrying", exit_status=status,
                                error=f"worker {self.name} stopped during the inspection")
            raise RetryLater("the worker stopped")
        failures += 1
        reason = f"exit status {status}: {tail}" if tail else f"exit status {status}"
        if failures <= self.settings.retries:
            self.tracker.update(code, job, state="retrying", failures=failures,
                                exit_status=status, error=reason)
            log.warning("inspection of %s failed (%d of %d retries left): %s", code,
                        self.settings.retries - failures + 1, self.settings.retries, reason)
            raise RetryLater(reason)
        self.tracker.update(code, job, state="failed", failures=failures, exit_status=status,
                            finished_at=now_iso(), error=reason)
        log.error("inspection of %s failed for good after %d attempts: %s", code, attempts,
                  reason)
        # acknowledged: the reason stays in the site's entry (`xunjian queue status`)


def _tail(stderr: bytes | None, lines: int = 6) -> str:
    text = (stderr or b"").decode("utf-8", "replace").strip()
    return " | ".join(line.strip() for line in text.splitlines()[-lines:] if line.strip())[-1500:]


def run_worker(queue_url: str, store_url: str, concurrency: int = 1,
               settings: QueueSettings | None = None, ready=None) -> None:
    """Take inspections off the queue until SIGTERM/SIGINT."""
    settings = settings or QueueSettings.from_env()
    check_topology(queue_url, store_url)
    runtime = WorkerRuntime(store_url, settings)
    broker, tracker = make_broker(queue_url, settings, job=runtime.job)
    runtime.tracker, runtime.broker_id = tracker, broker.broker_id
    broker.client.ping()  # a clear failure now rather than a consumer retrying forever
    broker.client.hset(WORKERS_KEY, broker.broker_id, f"{runtime.name} since {now_iso()}")
    worker = Worker(broker, worker_threads=concurrency, worker_timeout=1000)
    # take no more jobs than this worker can run: a long inspection must not hold others back
    worker.queue_prefetch = concurrency
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker.start()
        if ready is not None:
            ready(runtime)
        while not stop.wait(1.0):
            pass
    finally:
        log.info("stopping: running inspections are told to stop and will be redelivered")
        runtime.stopping.set()
        runtime.stop_children()
        worker.stop(timeout=60_000)
        try:
            broker.client.hdel(WORKERS_KEY, broker.broker_id)
        finally:
            broker.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
