"""Where crawl logs go, and how many are kept.

One log per inspection (``crawl-<inspection id>.log``) in a log folder:

1. ``XUNJIAN_LOG_DIR`` when set, else
2. ``<store folder>/logs/`` for the embedded store (a folder or ``file:///path``), else
3. ``$XDG_STATE_HOME/xunjian/logs`` (default ``~/.local/state/xunjian/logs``) for MongoDB.

Before a new log is started the folder is pruned: only the newest ``XUNJIAN_LOG_KEEP`` (50) crawl
logs are kept, and older ones go too while the folder holds more than ``XUNJIAN_LOG_MAX_MB`` (200)
megabytes of them. Nothing but ``crawl-*.log`` files is ever removed.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from xunjian.base.config import current


def log_folder(store_url: str) -> Path:
    configured = current().log_dir
    if configured:
        return Path(configured).expanduser()
    if "://" not in store_url:
        return Path(store_url).expanduser() / "logs"
    parts = urlsplit(store_url)
    if parts.scheme == "file":
        return Path(unquote(parts.path)) / "logs"
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "xunjian" / "logs"


def prune(folder: Path, keep: int, max_bytes: int) -> list[Path]:
    """Remove the oldest crawl logs beyond ``keep`` files or ``max_bytes`` in all; return them."""
    logs = []
    for path in folder.glob("crawl-*.log"):
        try:
            stat = path.stat()
        except OSError:
            continue
        logs.append((stat.st_mtime, path.name, stat.st_size, path))
    logs.sort(reverse=True)  # newest first
    removed, total = [], 0
    for index, (_, _, size, path) in enumerate(logs):
        total += size
        if index >= keep or total > max_bytes:
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def crawl_log_path(store_url: str, inspection_id: str) -> Path:
    """A fresh log path for this inspection's crawl, after pruning old logs (leaving room for
    the new one)."""
    folder = log_folder(store_url)
    folder.mkdir(parents=True, exist_ok=True)
    settings = current()
    keep, max_mb = max(1, settings.log_keep), max(1, settings.log_max_mb)
    prune(folder, keep - 1, max_mb * 1024 * 1024)
    return folder / f"crawl-{inspection_id}.log"
