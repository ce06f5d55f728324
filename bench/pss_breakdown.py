"""Where an inspection's memory goes: peak PSS of a command's process tree, by process kind.

    .venv/bin/python bench/pss_breakdown.py .venv/bin/xunjian --store /tmp/pss demo

Samples /proc three times a second while the command runs; at the moment the whole tree's PSS
was highest, prints each kind's share (Chromium by its --type, Playwright's node driver, the
Python processes). Linux only; reads /proc/PID/smaps_rollup.
"""

from __future__ import annotations

import collections
import re
import subprocess
import sys
import time
from pathlib import Path


def parents() -> dict[int, int]:
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = int((entry / "stat").read_text()
                                             .rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    return found


def tree(root: int) -> list[int]:
    up = parents()
    members = []
    for pid in up:
        walk = pid
        while walk and walk != root and walk in up:
            walk = up[walk]
        if walk == root:
            members.append(pid)
    return members


def pss_mb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def kind(pid: int) -> str:
    try:
        line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8",
                                                                                  "replace")
    except OSError:
        return "?"
    program = line.split(" ", 1)[0].rsplit("/", 1)[-1]
    if "chrom" in program:
        typed = re.search(r"--type=(\S+)", line)
        return "chromium " + (typed.group(1) if typed else "browser")
    if program == "node":
        return "node (Playwright driver)"
    return "python " + (" ".join(line.split()[1:4]))[:60]


def main(command: list[str]) -> int:
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, at_peak = 0, ({}, {})
    while proc.poll() is None:
        total, count = collections.Counter(), collections.Counter()
        for pid in tree(proc.pid):
            name = kind(pid)
            total[name] += pss_mb(pid)
            count[name] += 1
        if sum(total.values()) > peak:
            peak, at_peak = sum(total.values()), (dict(total), dict(count))
        time.sleep(0.3)
    print(f"peak PSS of the tree: {peak} MB (exit status {proc.returncode})")
    for name, mb in sorted(at_peak[0].items(), key=lambda kv: -kv[1]):
        print(f"{mb:6d} MB  x{at_peak[1][name]}  {name}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]) if sys.argv[1:] else print(__doc__) or 2)
