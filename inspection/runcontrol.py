"""Keeping an inspection honest while it runs: one per site, a heartbeat, SIGTERM like SIGINT.

* **One inspection per site at a time**, through the store (so it also holds across machines on
  MongoDB): a storage.locks.NamedLock ``inspect:<code>`` in collection ``inspection_locks``. A
  second inspection refuses and names the holder (host, pid, since); a lock whose holder stopped
  beating for ``XUNJIAN_STALE_SECONDS`` (180) is taken over.
* **Heartbeat**: while it runs, the inspection document's ``heartbeat`` (and the lock's) is
  refreshed every ``XUNJIAN_HEARTBEAT_SECONDS`` (30). A ``running`` inspection whose heartbeat is
  older than the stale age reads as ``interrupted`` everywhere (storage.base.presented_inspection).
* **SIGTERM** raises ``Terminated`` (a KeyboardInterrupt), so a terminated inspection is handled
  like Ctrl-C: the crawl subprocess is stopped and the inspection is marked ``interrupted``.
* **The crawl dies with its parent**: when ``xunjian inspect`` (or a queue worker) is killed
  outright (SIGKILL, the OOM killer), its crawl gets SIGTERM and stops like Ctrl-C, instead of
  crawling on as an orphan with its Chromium (``xunjian.base.process.die_with_parent``, which
  the crawl calls itself).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from xunjian.base.config import current
from xunjian.storage import StoreError
from xunjian.storage.base import stale_seconds
from xunjian.storage.locks import LockHeld, NamedLock

log = logging.getLogger("xunjian.inspection")

LOCKS = "inspection_locks"


def heartbeat_seconds() -> float:
    return current().heartbeat_seconds


class SiteBusy(LockHeld):
    """Another inspection of the same site is running."""


class SiteLock(NamedLock):
    held_error = SiteBusy

    def __init__(self, store, code: str, stale_after: float | None = None, clock=None) -> None:
        super().__init__(store, LOCKS, f"inspect:{code}",
                         stale_seconds() if stale_after is None else stale_after, clock)
        self.code = code

    def describe(self, holder: dict, age: float) -> str:
        return (f"site {self.code} is already being inspected: pid {holder.get('pid')} on "
                f"{holder.get('host')}, since {holder.get('since')}, last alive {int(age)} s ago"
                f" (inspection {holder.get('inspection') or '?'}). Wait for it to finish; a "
                f"lock whose holder died expires {int(self.stale_after)} s after its last "
                "heartbeat.")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block SIGTERM raises Terminated (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated("terminated (SIGTERM)")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Heartbeat:
    """A daemon thread refreshing the inspection's and the lock's heartbeat while it runs."""

    def __init__(self, store, inspection_id: str, lock: NamedLock | None = None,
                 every: float | None = None) -> None:
        self.store = store
        self.inspection_id = inspection_id
        self.lock = lock
        self.every = heartbeat_seconds() if every is None else every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def beat(self) -> None:
        try:
            self.store.update_inspection(self.inspection_id,
                                         heartbeat=datetime.now(UTC).isoformat())
            if self.lock is not None:
                self.lock.heartbeat()
        except StoreError as exc:  # the store retries; a missed beat only ages the heartbeat
            log.warning("heartbeat of inspection %s not written: %s", self.inspection_id, exc)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.beat()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
