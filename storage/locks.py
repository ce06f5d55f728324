"""Named locks kept in the store, so they hold across processes and (on MongoDB) machines.

A lock is one document ``{"id": NAME, "owner", "host", "pid", "since", "heartbeat"}`` in a
collection. Taking it is an insert (the store refuses a second document with the same id); the
holder refreshes ``heartbeat`` while it works. A lock whose heartbeat is older than
``stale_after`` seconds belongs to a process that died: it is taken over with a compare-and-delete
on the heartbeat that was seen, so of two takers only one wins.

Used for the single scheduler per store (scheduler.py) and for one inspection per site at a time
(xunjian/running.py, xunjian/runcontrol.py).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from typing import Any

from xunjian.storage.errors import DuplicateIdError

log = logging.getLogger("xunjian.locks")


class LockHeld(RuntimeError):
    """Someone else holds the lock; ``holder`` is its document (host, pid, since, heartbeat)."""

    def __init__(self, message: str, holder: dict | None = None) -> None:
        super().__init__(message)
        self.holder = holder or {}


class NamedLock:
    """One named lock in ``collection``; ``describe(holder, age)`` words the refusal."""

    #: Raised when the lock is held; subclasses name their own exception.
    held_error: type[LockHeld] = LockHeld

    def __init__(self, store: Any, collection: str, name: str, stale_after: float = 180.0,
                 clock=None) -> None:
        self.store = store
        self.collection = collection
        self.name = name
        self.stale_after = stale_after
        self.clock = clock or (lambda: datetime.now(UTC))
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.held = False

    def describe(self, holder: dict, age: float) -> str:
        return (f"{self.name} is held by pid {holder.get('pid')} on {holder.get('host')}, "
                f"since {holder.get('since')}, last alive {int(age)} s ago")

    def acquire(self) -> None:
        now = self.clock()
        doc = {"id": self.name, "owner": self.owner, "pid": os.getpid(),
               "host": socket.gethostname(), "since": now.isoformat(),
               "heartbeat": now.isoformat()}
        try:
            self.store.insert(self.collection, doc)
            self.held = True
            return
        except DuplicateIdError:
            pass
        current = self.store.get(self.collection, self.name)
        if current is not None:
            age = (now - datetime.fromisoformat(current["heartbeat"])).total_seconds()
            if age < self.stale_after:
                raise self.held_error(self.describe(current, age), current)
            # stale: compare-and-delete on the heartbeat we saw, so only one taker wins
            log.warning("taking over a stale lock %s of %s", self.name, current.get("owner"))
            self.store.delete(self.collection, id=self.name, heartbeat=current["heartbeat"])
        try:
            self.store.insert(self.collection, doc)
        except DuplicateIdError:
            holder = self.store.get(self.collection, self.name) or {}
            raise self.held_error(f"{self.name}: another process took the lock at the same "
                                  "moment" + (f" (pid {holder.get('pid')} on "
                                              f"{holder.get('host')})" if holder else ""),
                                  holder) from None
        self.held = True

    def heartbeat(self) -> bool:
        """Refresh the lock; False if it is no longer ours (someone took it over)."""
        current = self.store.get(self.collection, self.name)
        if current is None or current["owner"] != self.owner:
            self.held = False
            return False
        self.store.update(self.collection, self.name, {"heartbeat": self.clock().isoformat()})
        return True

    def release(self) -> None:
        if self.held:
            self.store.delete(self.collection, id=self.name, owner=self.owner)
            self.held = False
