"""Running one inspection for ``xunjian inspect`` (and a queue worker): the site lock, the
heartbeat, the crawl subprocess and its progress, how the inspection ended, the exit status.

The crawl runs in its own process (Twisted's reactor cannot be restarted, and Chromium's memory
goes away with the process), where the finishing stage (inspection/extension.py
``FinishInspection``, a Scrapy extension on ``spider_closed``) finishes the inspection in the
crawl's browser. This process only waits, shows progress and records the end, so this module
imports nothing heavy: what waits beside the crawl and its Chromium for the whole inspection
stays small (the score card's modules are imported once the crawl is over).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from xunjian.base.config import current
from xunjian.browser import find_browser
from xunjian.inspection.logs import crawl_log_path
from xunjian.inspection.runcontrol import (
    Heartbeat,
    SiteBusy,  # noqa: F401 (raised by run_inspection, for callers)
    SiteLock,
    Terminated,
    sigterm_as_interrupt,
)
from xunjian.inspection.shared import InspectionError, Progress, now_iso
from xunjian.storage import StoreError


class InspectionFailed(InspectionError):
    """The inspection started but failed (crawl crashed, a store write failed for good); it is
    stored as ``failed`` with the reason, if the store could still record it."""


#: Exit statuses of ``xunjian inspect`` (documented in its --help and the README).
EXIT_DONE = 0
EXIT_HOMEPAGE_UNREACHABLE = 3
EXIT_FAILED = 4
EXIT_BUSY = 5
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT); SIGTERM gives 143
EXIT_TERMINATED = 143


# -- the crawl (a subprocess) -------------------------------------------------------------------

def run_crawl(store, store_url: str, code: str, inspection_id: str,
              progress: Progress | None = None) -> Path:
    """Run ``scrapy crawl site`` for one inspection; return its log file. Raises on failure."""
    log = crawl_log_path(store_url, inspection_id)  # a rotated log folder (xunjian/logs.py)
    failure = log.with_name(log.stem + ".failed")
    failure.unlink(missing_ok=True)
    progress_file = log.with_name(log.stem + ".progress")
    progress_file.unlink(missing_ok=True)
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="xunjian.settings", XUNJIAN_STORE=store_url,
               XUNJIAN_FAILURE_FILE=str(failure), XUNJIAN_PROGRESS_FILE=str(progress_file),
               XUNJIAN_PARENT_PID=str(os.getpid()))
    cmd = [sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"site={code}",
           "-a", f"inspection={inspection_id}", "-a", "finish=yes", "-s", f"LOG_FILE={log}",
           "-s", f"LOG_LEVEL={current().log_level}"]
    # stderr to a file, not a pipe: a crawl that writes more than a pipe holds must not stall
    with tempfile.TemporaryFile() as errors:
        # the installed xunjian (no checkout needed): SCRAPY_SETTINGS_MODULE names the project
        proc = subprocess.Popen(cmd, env=env, cwd=str(log.parent), stdout=subprocess.DEVNULL,
                                stderr=errors)
        try:
            while proc.poll() is None:
                if not _finish_progress(progress_file, progress):
                    _crawl_progress(store, inspection_id, progress, None)
                time.sleep(0.3)
        except BaseException:  # Ctrl-C, SIGTERM: the crawl stops with us
            _stop(proc)
            raise
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    _crawl_progress(store, inspection_id, progress, True)
    _finish_progress(progress_file, progress)
    progress_file.unlink(missing_ok=True)
    if failure.exists():
        reason = failure.read_text("utf-8", "replace").strip()
        failure.unlink(missing_ok=True)
        raise InspectionFailed(f"the crawl stopped: {reason}; log: {log}")
    if proc.returncode != 0:
        tail = stderr.strip().splitlines()[-15:]
        if log.exists():
            tail = log.read_text("utf-8", "replace").strip().splitlines()[-15:] or tail
        raise InspectionFailed(f"the crawl failed (exit {proc.returncode}); log: {log}\n"
                              + "\n".join(tail))
    return log


def _crawl_progress(store, inspection_id: str, progress: Progress | None, final) -> None:
    if not progress:
        return
    try:  # only a progress bar: a store that is briefly away must not stop the crawl
        count = store.count_pages(inspection_id)
    except StoreError:
        return
    progress("crawl", count, count if final else None)


def _finish_progress(path: Path, progress: Progress | None) -> bool:
    """Show the finishing's progress, which the crawl process writes to ``path``; False while
    the crawl has not begun finishing."""
    if not progress:
        return False
    try:
        stages = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    _crawl_progress_done(progress, stages.pop("crawl", None))
    for stage, (done, total) in stages.items():
        progress(stage, done, total)
    return True


def _crawl_progress_done(progress: Progress, pages: int | None) -> None:
    if pages is not None:
        progress("crawl", pages, pages)


def _stop(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """Stop the crawl subprocess: SIGTERM (Scrapy closes cleanly), SIGKILL after ``grace``."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- one call for the CLI -----------------------------------------------------------------------

def run_inspection(store, store_url: str, code: str, as_of: str | None = None,
                   progress: Progress | None = None, crawl: Callable | None = None) -> str:
    """One whole inspection of site ``code``; returns its id. ``crawl`` runs the crawl (called
    like ``run_crawl``; default: ``scrapy crawl site`` in a subprocess)."""
    site = store.get_site(code)
    if site is None:
        raise InspectionError(store.unknown_site(code))
    find_browser()  # fail before crawling when there is no browser (BrowserNotFound says why)
    lock = SiteLock(store, code)
    lock.acquire()  # SiteBusy names the holder
    try:
        started = now_iso()
        inspection_id = store.create_inspection({
            "site": code, "as_of": as_of, "started_at": started, "status": "running",
            "checks": {}, "host": socket.gethostname(), "pid": os.getpid(), "heartbeat": started,
        })
        store.update(lock.collection, lock.name, {"inspection": inspection_id})
        with sigterm_as_interrupt(), Heartbeat(store, inspection_id, lock):
            _inspect(store, store_url, code, inspection_id, progress, crawl)
    finally:
        try:
            lock.release()
        except StoreError:
            pass  # the lock expires on its own once its heartbeat is stale
    return inspection_id


def _inspect(store, store_url: str, code: str, inspection_id: str,
             progress: Progress | None, crawl: Callable | None = None) -> None:
    try:
        log = (crawl or run_crawl)(store, store_url, code, inspection_id, progress)
        if log is not None:
            store.update_inspection(inspection_id, crawl_log=str(log))
        if (store.get_inspection(inspection_id) or {}).get("status") != "done":
            # the crawl did not finish the inspection itself (a stand-in crawl, an old spider).
            # Imported here, not at the top: the finishing's modules (link checker, browser,
            # inspectors) must not sit in this process beside the crawl (see above).
            from xunjian.inspection.finish import finish_inspection

            asyncio.run(finish_inspection(store, inspection_id, progress))
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (Terminated)
        how = "SIGTERM" if isinstance(exc, Terminated) else "SIGINT (Ctrl-C)"
        _record_end(store, inspection_id, "interrupted", f"interrupted by {how}")
        raise
    except StoreError as exc:
        note = _record_end(store, inspection_id, "failed", f"store failed: {exc}")
        raise InspectionFailed(f"the store failed, the inspection is not scored: {exc}{note}") \
            from exc
    except InspectionFailed as exc:
        note = _record_end(store, inspection_id, "failed", str(exc))
        if note:
            raise InspectionFailed(f"{exc}{note}") from exc
        raise
    except BaseException as exc:
        _record_end(store, inspection_id, "failed", f"{type(exc).__name__}: {exc}")
        raise


def _record_end(store, inspection_id: str, status: str, error: str) -> str:
    """Mark the inspection ended; returns a note for the terminal if the store refused."""
    try:
        store.update_inspection(inspection_id, status=status, finished_at=now_iso(),
                                error=error[:2000])
    except StoreError as exc:
        return f" (the store could not record this either: {exc})"
    return ""


def exit_status(inspection: dict) -> int:
    """Exit status of ``xunjian inspect`` for a finished inspection."""
    if inspection.get("status") != "done":
        return EXIT_FAILED
    if (inspection.get("homepage") or {}).get("reachable") is False:
        return EXIT_HOMEPAGE_UNREACHABLE
    return EXIT_DONE
