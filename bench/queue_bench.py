"""Benchmark: inspections through the queue with 1, 2 and 4 workers (127.0.0.1 only).

    .venv/bin/python bench/queue_bench.py                     # 24 sites of 20–40 pages
    .venv/bin/python bench/queue_bench.py --sites 8 --workers 1 2

For each worker count: a fresh redis-server (AOF, fsync always, as docs/QUEUE.md recommends) and
a fresh embedded store, the sites imported, all enqueued at once, then N ``xunjian worker``
processes (concurrency 1 each) started; wall time runs from the first worker's start until the
last site is ``done``. Memory: every 200 ms the PSS of each worker's process tree (the worker, its
``xunjian inspect`` child, the crawl subprocess, Chromium) is summed; "peak per worker" is the
largest such sum seen for any one worker. Queue overhead: one worker runs ``--noop`` jobs whose
command is ``/bin/true``, compared with starting ``/bin/true`` directly.

The generated sites (tests/support/sitegen.py: TRS WCM / 拓尔思 / .shtml lists, 2 % broken links) are
served by one child process of this script. Results: bench/out/queue-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from queue_redis import RedisServer, Workers, wait_for  # noqa: E402

from tests.support import proctree  # noqa: E402
from tests.support.sitegen import GenServer, GenSite  # noqa: E402
from xunjian.registry import import_into, parse_files  # noqa: E402
from xunjian.storage import open_store  # noqa: E402
from xunjian.workqueue.jobs import enqueue_sites, queue_status  # noqa: E402

OUT = ROOT / "bench" / "out"
HEADER = "网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\n"


PAGES: int | None = None  # --pages: every site this size (the per-page cost of big sites)


def page_counts(n: int) -> list[int]:
    if PAGES:
        return [PAGES] * n
    return [20 + (i * 7) % 21 for i in range(n)]  # 20 … 40 pages


def serve(n: int) -> None:
    """Child mode: serve n generated sites, print their URLs as JSON, run until stdin closes."""
    servers = [GenServer(GenSite(pages=p, seed=100 + i)) for i, p in enumerate(page_counts(n))]
    for s in servers:
        s.__enter__()
    print(json.dumps([s.url for s in servers]), flush=True)
    sys.stdin.read()
    for s in servers:
        s.__exit__(None, None, None)


def registry(folder: Path, urls: list[str]) -> list[str]:
    codes = [f"43999{i:05d}" for i in range(1, len(urls) + 1)]
    rows = "".join(f"{c},湖南省某县,某县人民政府{i},门户网站,{u},某县人民政府办公室\n"
                   for i, (c, u) in enumerate(zip(codes, urls, strict=True)))
    (folder / "sites.csv").write_text(HEADER + rows, encoding="utf-8-sig")
    store = open_store(str(folder / "store"))
    assert not import_into(store, parse_files([folder / "sites.csv"])).errors
    store.close()
    return codes


class MemorySampler(threading.Thread):
    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids, self.peak = pids, dict.fromkeys(pids, 0)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], proctree.sample(pid).pss_kb)


def run_workers(n_workers: int, urls: list[str], env: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="xunjian-qbench-") as tmp:
        folder = Path(tmp)
        codes = registry(folder, urls)
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        with RedisServer(folder / "redis") as redis, \
                Workers(redis.url, folder / "store", env, folder) as workers:
            assert len(enqueue_sites(redis.url, codes).enqueued) == len(codes)
            start = time.monotonic()
            procs = [workers.start() for _ in range(n_workers)]
            sampler = MemorySampler([p.pid for p in procs])
            sampler.start()
            wait_for(lambda: all(s["state"] in ("done", "failed")
                                 for s in queue_status(redis.url)["sites"]), 3 * 3600,
                     "all inspected", every=1.0)
            wall = time.monotonic() - start
            sampler.stop.set()
            sites = queue_status(redis.url)["sites"]
        # CPU of the workers and everything under them (inspect, crawl, Chromium), reaped on exit
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        store = open_store(str(folder / "store"))
        pages = sum(store.count_pages(i["id"]) for c in codes for i in store.inspections(c)
                    if i["status"] == "done")
        store.close()
        store_bytes = sum(f.stat().st_size for f in (folder / "store").rglob("*")
                          if f.is_file() and "logs" not in f.parts)
    done = sum(s["state"] == "done" for s in sites)
    return {"workers": n_workers, "sites": len(codes), "done": done,
            "failed": [s["site"] for s in sites if s["state"] == "failed"],
            "attempts": sum(s["attempts"] for s in sites), "pages": pages,
            "wall_s": round(wall, 1), "per_hour": round(done / wall * 3600, 1),
            "s_per_page": round(wall * n_workers / max(pages, 1), 3),
            "peak_pss_mb_per_worker": round(max(sampler.peak.values()) / 1024),
            "cpu_s": round(cpu_s, 1), "cpu_s_per_inspection": round(cpu_s / max(done, 1), 1),
            "cpu_s_per_page": round(cpu_s / max(pages, 1), 3),
            "store_kb_per_page": round(store_bytes / 1024 / max(pages, 1), 1),
            "load_avg_1min_at_end": os.getloadavg()[0]}


def noop_overhead(jobs: int) -> dict:
    env = {"XUNJIAN_QUEUE_COMMAND": "/bin/true"}
    with tempfile.TemporaryDirectory(prefix="xunjian-qbench-") as tmp:
        folder = Path(tmp)
        codes = registry(folder, [f"http://127.0.0.1:9/{i}/" for i in range(jobs)])
        with RedisServer(folder / "redis") as redis, \
                Workers(redis.url, folder / "store", env, folder) as workers:
            t0 = time.monotonic()
            enqueue_sites(redis.url, codes)
            enqueue_s = time.monotonic() - t0
            workers.start()
            wait_for(lambda: queue_status(redis.url)["live_workers"] == 1, 60, "worker up")
            wait_for(lambda: queue_status(redis.url)["counts"]["waiting"] < jobs, 60, "first")
            t1 = time.monotonic()
            wait_for(lambda: queue_status(redis.url)["counts"]["done"] == jobs, 600,
                     "all no-ops done", every=0.2)
            run_s = time.monotonic() - t1
    t2 = time.monotonic()
    for _ in range(50):
        subprocess.run(["/bin/true"], check=True)
    spawn_ms = (time.monotonic() - t2) / 50 * 1000
    return {"jobs": jobs, "enqueue_ms_per_job": round(enqueue_s / jobs * 1000, 2),
            "run_ms_per_job": round(run_s / jobs * 1000, 1),
            "spawn_true_ms": round(spawn_ms, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--noop-jobs", type=int, default=200)
    parser.add_argument("--pages", type=int, help="every site this many pages (default 20–40)")
    parser.add_argument("--out", default="queue-results.json", help="file in bench/out/")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global PAGES
    PAGES = args.pages
    if args.serve:
        serve(args.serve)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    report: dict = {"machine": {"cores": os.cpu_count()}, "page_counts": page_counts(args.sites)}
    if args.noop_jobs:
        report["noop"] = noop_overhead(args.noop_jobs)
        print("queue overhead:", report["noop"], flush=True)
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(args.sites),
                               *(["--pages", str(args.pages)] if args.pages else [])],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        urls = json.loads(server.stdout.readline())
        env = {"XUNJIAN_LINK_TIMEOUT": "5"}
        report["runs"] = []
        for n in args.workers:
            result = run_workers(n, urls, env)
            report["runs"].append(result)
            print(json.dumps(result), flush=True)
            (OUT / args.out).write_text(json.dumps(report, indent=2) + "\n")
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    print("| workers | sites | pages | wall | inspections/h | s per page·worker | "
          "peak PSS per worker |")
    print("|---|---|---|---|---|---|---|")
    for r in report["runs"]:
        print(f"| {r['workers']} | {r['done']}/{r['sites']} | {r['pages']} | {r['wall_s']} s | "
              f"{r['per_hour']} | {r['s_per_page']} | {r['peak_pss_mb_per_worker']} MB |")


if __name__ == "__main__":
    main()
