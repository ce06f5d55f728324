"""Benchmark: columns inspected per minute on a local site with 50 columns (127.0.0.1 only).

    .venv/bin/python bench/freshness_bench.py [--columns 50] [--items 20] [--browser-pages 2]

Generates a site whose columns are half static lists and half lists drawn by JavaScript from
inline JSON, registers every column (附件4), runs ``xunjian inspect`` on a fresh embedded store
and reports columns per minute and the peak memory (PSS) of the whole process tree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import proctree  # noqa: E402
from xunjian.demo.server import DemoServer  # noqa: E402

TYPES = ["工作动态", "通知公告", "政策文件", "规划计划", "人事信息"]
PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        "<body><h2>{title}</h2>{body}</body></html>")
JS_LIST = ("<ul id='list'></ul><script>var rows = {data}; rows.forEach(function (r) {{"
           " var li = document.createElement('li'); li.innerHTML = '<a href=\"' + r.u + '\">'"
           " + r.t + '</a><span>' + r.d + '</span>';"
           " document.getElementById('list').appendChild(li); }});</script>")


def build_site(root: Path, columns: int, items: int) -> None:
    (root / "col").mkdir(parents=True, exist_ok=True)
    nav = []
    for i in range(columns):
        rows = [(f"第{i}栏目关于做好第{j}项工作的通知", f"/art/{i}-{j}.html",
                 f"2026-11-{(j % 19) + 1:02d}") for j in range(items)]
        if i % 2:  # drawn by JavaScript after load
            data = json.dumps([{"t": t, "u": u, "d": d} for t, u, d in rows], ensure_ascii=False)
            body = JS_LIST.format(data=data)
        else:
            body = "<ul>" + "".join(f"<li><a href='{u}'>{t}</a><span>{d}</span></li>"
                                    for t, u, d in rows) + "</ul>"
        (root / "col" / f"c{i}.html").write_text(PAGE.format(title=f"栏目{i}", body=body),
                                                  "utf-8")
        nav.append(f"<li><a href='/col/c{i}.html'>栏目{i}</a></li>")
    (root / "index.html").write_text(
        PAGE.format(title="基准站", body="<ul class='nav'>" + "".join(nav) + "</ul>"), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=50)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--browser-pages", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xunjian-fresh-bench-"))
    build_site(tmp / "site", args.columns, args.items)
    env = dict(os.environ, XUNJIAN_STORE=str(tmp / "store"), XUNJIAN_MAX_PAGES="1",
               XUNJIAN_ITEM_PAGES="0", XUNJIAN_BROWSER_PAGES=str(args.browser_pages))
    cli = [sys.executable, "-m", "xunjian.cli"]
    with DemoServer(root=tmp / "site") as server:
        reg = tmp / "registry"
        reg.mkdir()
        (reg / "sites.csv").write_text(
            "网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\n"
            f"9999000099,测试,基准市人民政府网站,门户网站,{server.url},办公室\n", "utf-8-sig")
        (reg / "columns.csv").write_text(
            "网站标识码,内容类别,栏目类型,栏目(系统)名称,栏目(系统)地址\n" + "".join(
                f"9999000099,信息公开类,{TYPES[i % 5]},栏目{i},{server.url}col/c{i}.html\n"
                for i in range(args.columns)), "utf-8-sig")
        subprocess.run([*cli, "registry", "import", str(reg / "sites.csv"),
                        str(reg / "columns.csv")], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        start = time.perf_counter()
        proc = subprocess.Popen([*cli, "inspect", "9999000099", "--json", str(tmp / "card.json")],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, proctree.sample(proc.pid).pss_kb)
            time.sleep(0.1)
        wall = time.perf_counter() - start
    card = json.loads((tmp / "card.json").read_text("utf-8"))
    statuses = card["facts"]["freshness"]["columns"]
    seen = sum(1 for s in statuses if s["status"] in ("fresh", "stale"))
    print(f"{args.columns} columns ({args.columns // 2} drawn by JavaScript), "
          f"{args.browser_pages} browser pages: {wall:.1f} s wall, "
          f"{args.columns / wall * 60:.0f} columns/minute, {seen} with dated items, "
          f"peak {peak / 1024:.0f} MB PSS (process tree)")


if __name__ == "__main__":
    main()
