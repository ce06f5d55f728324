"""A running command's process tree, read from /proc: its memory and its Chromium browsers.

The benchmarks (memory of an inspection, where it goes) and the tests that count browsers per
inspection all look at the same thing, so they read it here. Linux only.

A Chromium *browser* is a Chromium process without ``--type=`` (its renderer, GPU, zygote and
utility helpers all carry one) whose parent is not Chromium (a helper caught between its fork
and its exec still shows the browser's command line): one per launched browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found.extend(int(c) for c in (task / "children").read_text().split())
    except OSError:
        pass
    return found


def descendants(root: int) -> list[int]:
    """Every process below ``root`` (not ``root`` itself)."""
    found, stack = [], children(root)
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children(pid))
    return found


def alive(pid: int) -> bool:
    """Running, or sleeping: not gone and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def command_line(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return None


def chromium(pid: int) -> bytes | None:
    """The command line of a Chromium process, else None (Chromium rewrites its helpers' command
    lines as one space-separated string, so the whole line is kept)."""
    line = command_line(pid)
    if line is None:
        return None
    name = line.split(b" ", 1)[0].rsplit(b"/", 1)[-1]
    return line if (b"chrom" in name or b"headless_shell" in name) and b"crashpad" not in name \
        else None


def kind(pid: int) -> str:
    """What a process of an inspection's tree is: Chromium by its --type, Playwright's node
    driver, or the Python command it runs."""
    line = (command_line(pid) or b"?").decode("utf-8", "replace")
    if chromium(pid) is not None or "--type=" in line:  # a renderer forked by the zygote
        typed = re.search(r"--type=(\S+)", line)
        return "chromium " + (typed.group(1) if typed else "browser")
    if line.split(" ", 1)[0].rsplit("/", 1)[-1] == "node":
        return "node (Playwright driver)"
    return "python " + " ".join(line.split()[1:4])[:60]


def memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB; (0, 0) once it is gone."""
    pss = rss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


@dataclass
class Sample:
    """One look at the tree under a root process."""

    pss_kb: int = 0
    rss_kb: int = 0
    browsers: list[int] = field(default_factory=list)
    pss_by_kind: dict[str, int] = field(default_factory=dict)  # kB
    count_by_kind: dict[str, int] = field(default_factory=dict)


def sample(root: int, by_kind: bool = False) -> Sample:
    """Memory and Chromium browsers of ``root`` and every process below it."""
    seen = Sample()
    stack = [(root, False)]
    while stack:
        pid, parent_is_chromium = stack.pop()
        pss, rss = memory_kb(pid)
        seen.pss_kb += pss
        seen.rss_kb += rss
        line = chromium(pid)
        if line is not None and b"--type=" not in line and not parent_is_chromium:
            seen.browsers.append(pid)
        if by_kind:
            name = kind(pid)
            seen.pss_by_kind[name] = seen.pss_by_kind.get(name, 0) + pss
            seen.count_by_kind[name] = seen.count_by_kind.get(name, 0) + 1
        stack.extend((child, line is not None) for child in children(pid))
    return seen
