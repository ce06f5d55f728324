"""The crawl process's tie to the process that started it (``xunjian inspect``, a queue worker).

Below every stage, so the crawl (spiders/) asks for it without reaching up into the runner
(inspection/runcontrol.py keeps the lock, the heartbeat and SIGTERM-as-Ctrl-C).
"""

from __future__ import annotations

import os
import signal
import sys


def die_with_parent(parent_pid: str | int | None) -> None:
    """Ask Linux to send this process SIGTERM when the process ``parent_pid`` that started it
    dies (prctl PR_SET_PDEATHSIG). If that parent is already gone, SIGTERM now. Elsewhere than
    Linux, or without a parent pid, nothing."""
    if not parent_pid or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes  # Linux only: not loaded where it is never used

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != int(parent_pid):  # it died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)
