"""Running the `xunjian` command line from tests, and writing the census forms it imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
