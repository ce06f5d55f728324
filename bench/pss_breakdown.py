"""Where an inspection's memory goes: peak PSS of a command's process tree, by process kind.

    .venv/bin/python bench/pss_breakdown.py .venv/bin/xunjian --store /tmp/pss demo

Samples /proc three times a second while the command runs; at the moment the whole tree's PSS
was highest, prints each kind's share (Chromium by its --type, Playwright's node driver, the
Python processes). Linux only; reads /proc/PID/smaps_rollup.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import proctree  # noqa: E402


def main(command: list[str]) -> int:
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, at_peak = 0, ({}, {})
    while proc.poll() is None:
        seen = proctree.sample(proc.pid, by_kind=True)
        if seen.pss_kb > peak:
            peak, at_peak = seen.pss_kb, (seen.pss_by_kind, seen.count_by_kind)
        time.sleep(0.3)
    print(f"peak PSS of the tree: {peak // 1024} MB (exit status {proc.returncode})")
    for name, kb in sorted(at_peak[0].items(), key=lambda kv: -kv[1]):
        print(f"{kb // 1024:6d} MB  x{at_peak[1][name]}  {name}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]) if sys.argv[1:] else print(__doc__) or 2)
