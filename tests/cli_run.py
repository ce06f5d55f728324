"""Running the `xunjian` command line from tests, and writing the census forms it imports."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support import proctree

ROOT = Path(__file__).resolve().parents[1]
SITE_HEADER = "网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\n"
COLUMN_HEADER = "网站标识码,内容类别,栏目类型,栏目(系统)名称,栏目(系统)地址\n"


def xunjian(*args: str, store: Path, env: dict | None = None,
            timeout: float = 400) -> subprocess.CompletedProcess:
    """`xunjian ARGS…` in a subprocess on the store ``store``; output captured as text."""
    full_env = dict(os.environ, XUNJIAN_STORE=str(store), **(env or {}))
    return subprocess.run([sys.executable, "-m", "xunjian.cli", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def census_forms(folder: Path, site: tuple[str, ...],
                 columns: list[tuple[str, ...]]) -> list[Path]:
    """附件3 (one site row: code, region, name, type, url, owner) and 附件4 (column rows:
    category, type, name, url) as UTF-8 CSV files with a BOM; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    sites = folder / "sites.csv"
    sites.write_text(SITE_HEADER + ",".join(site) + "\n", encoding="utf-8-sig")
    column_file = folder / "columns.csv"
    column_file.write_text(COLUMN_HEADER + "".join(f"{site[0]},{','.join(r)}\n" for r in columns),
                           encoding="utf-8-sig")
    return [sites, column_file]


class BrowserCount:
    """Watches a running command's process tree every 50 ms for Chromium browsers: the most
    alive at once, and every one seen (pid → the start of its command line)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.max_at_once = 0
        self.seen: dict[int, bytes] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> BrowserCount:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            browsers = proctree.sample(self.pid).browsers
            for pid in browsers:
                self.seen.setdefault(pid, (proctree.chromium(pid) or b"")[:160])
            self.max_at_once = max(self.max_at_once, len(browsers))
            time.sleep(0.05)


def run_counted(cmd: list[str], env: dict,
                timeout: float = 400) -> tuple[subprocess.CompletedProcess, BrowserCount]:
    """Run ``cmd`` from the repository root, counting its Chromium browsers while it runs."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    with BrowserCount(proc.pid) as count:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), count
