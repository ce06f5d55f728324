"""Benchmark: homepage probes against a local farm of ≥ 1,000 sites (127.0.0.1 only).

    .venv/bin/python bench/probe_bench.py                  # ~30 s, 5,000 sites, bench/out/
    .venv/bin/python bench/probe_bench.py --sites 1000 --rounds 3 --timeout 15

The farm is an aiohttp server in its own process. Every site has its own host name
(``s<N>.farm.test``, resolved to 127.0.0.1 by an injected resolver — no DNS query leaves the
machine), so per-host politeness applies per site as in real life. Of the sites: ~2 % answer
slowly (2 s, within the deadline), ~1 % hang past the deadline, 3 % answer 503, 1 % reset the
connection, 1 % are refused (a closed port), the rest serve a ~30 KB homepage.

The prober runs in this process with the production settings (one attempt, 15 s deadline unless
``--timeout``, 200 in flight, per-host politeness) and stores every probe in a fresh embedded
store, so store writes are included. Screenshots are off: the browser only sees failures,
bounded by its own queue, and does not limit probe throughput.

Also measured: how long the scheduler takes to plan N sites into the embedded job store (first
start) and to re-plan on restart (the plan kept).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"

HOMEPAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>某某市人民政府</title></head>"
            "<body>" + "<li><a href='/xw/1.html'>关于做好政府网站年度报表工作的通知</a>"
            "<span>2026-11-20</span></li>" * 300 + "</body></html>").encode()


def kind_of(n: int) -> str:
    r = n % 100
    if r < 2:
        return "slow"
    if r == 2:
        return "hang"
    if r < 6:
        return "503"
    if r == 6:
        return "reset"
    if r == 7:
        return "refused"
    return "ok"


def serve(port_queue, hang_seconds: float) -> None:
    from aiohttp import web

    async def handle(request: web.Request) -> web.StreamResponse:
        host = request.host.split(".")[0]
        n = int(host[1:]) if host[1:].isdigit() else 0
        kind = kind_of(n)
        if kind == "slow":
            await asyncio.sleep(2)
        elif kind == "hang":
            await asyncio.sleep(hang_seconds)
        elif kind == "503":
            return web.Response(status=503, text="Service Unavailable")
        elif kind == "reset":
            request.transport.abort()
            return web.Response()
        return web.Response(body=HOMEPAGE, content_type="text/html", charset="utf-8")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", handle)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(4096)
        await web.SockSite(runner, sock, backlog=4096).start()
        port_queue.put(sock.getsockname()[1])
        await asyncio.sleep(900)  # stops by itself

    asyncio.run(main())


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


async def run_probes(sites: list[dict], rounds: int, timeout: float, store) -> dict:
    from aiohttp.abc import AbstractResolver, ResolveResult

    from xunjian.probes.probe import ProbeConfig, Prober

    class FarmResolver(AbstractResolver):
        async def resolve(self, host, port=0, family=socket.AF_INET):
            if not host.endswith(".farm.test"):
                raise OSError(socket.EAI_NONAME, "Name or service not known")
            return [ResolveResult(hostname=host, host="127.0.0.1", port=port,
                                  family=socket.AF_INET, proto=0, flags=0)]

        async def close(self):
            return None

    config = ProbeConfig(timeout=timeout, screenshots=False, host_delay=1.0)
    outcomes: Counter = Counter()
    finished: list[float] = []
    started = time.monotonic()

    def done(doc: dict) -> None:
        finished.append(time.monotonic() - started)
        outcomes[doc["error"] or "ok"] += 1

    # a continuous stream, as the scheduler feeds it: every round queued at once; per-host
    # politeness spaces a site's own probes by 1 s, the hanging sites hold only their own slot
    async with Prober(store, config, resolver=FarmResolver(), on_probe=done) as prober:
        await prober.probe_sites(sites * rounds)
    elapsed = time.monotonic() - started
    total = len(finished)
    p99 = sorted(finished)[int(total * 0.99) - 1]
    return {"probes": total, "seconds": round(elapsed, 2),
            "probes_per_second": round(total / elapsed, 1),
            "seconds_to_99_percent": round(p99, 2),
            "probes_per_second_99_percent": round(total * 0.99 / p99, 1),
            "outcomes": dict(outcomes)}


def plan_timing(sites: list[dict], folder: Path) -> dict:
    from apscheduler.schedulers.base import BaseScheduler

    from xunjian.scheduler import ScheduleConfig, build_scheduler, plan
    from xunjian.storage import EmbeddedStore

    class Planner(BaseScheduler):  # the real plan and job store, no thread that would run jobs
        def shutdown(self, wait=True):
            super().shutdown(wait)

        def wakeup(self):
            pass

    config = ScheduleConfig()
    out = {}
    with EmbeddedStore(folder) as store:
        for label in ("first_start", "restart"):
            started = time.monotonic()
            sched = build_scheduler(store, config, scheduler_class=Planner)
            sched.start(paused=True)
            counts = plan(sched, sites, config)
            sched.shutdown(wait=False)
            out[label] = {"seconds": round(time.monotonic() - started, 2), "plan": counts}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=15.0,
                        help="probe deadline (the hanging sites hang for deadline + 5 s)")
    args = parser.parse_args()

    from xunjian.storage import EmbeddedStore

    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(queue, args.timeout + 5), daemon=True)
    server.start()
    port = queue.get(timeout=30)
    refused = closed_port()
    sites = []
    for n in range(args.sites):
        target = refused if kind_of(n) == "refused" else port
        sites.append({"code": f"B{n:09d}", "url": f"http://s{n}.farm.test:{target}/"})
    try:
        with tempfile.TemporaryDirectory() as tmp:
            with EmbeddedStore(Path(tmp) / "store") as store:
                result = asyncio.run(run_probes(sites, args.rounds, args.timeout, store))
                result["stored"] = store.count("probes")
            result["peak_rss_mb"] = round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
            result["schedule"] = plan_timing(sites, Path(tmp) / "plan")
    finally:
        server.terminate()
    result.update(sites=args.sites, rounds=args.rounds, timeout=args.timeout,
                  cpus=os.cpu_count(),
                  census_need_probes_per_second=round(84094 * 20 / 86400, 1))
    result["headroom_vs_census"] = round(
        result["probes_per_second"] / result["census_need_probes_per_second"], 1)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "probe_bench.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
