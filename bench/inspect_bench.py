"""Benchmark: wall time and peak memory of one full inspection of the demo site (127.0.0.1 only).

    .venv/bin/python bench/inspect_bench.py [--runs 3]

Runs ``xunjian inspect`` on a fresh embedded store, sampling the memory of the whole process
tree (the CLI, the crawl subprocess, Chromium and its helpers) every 50 ms. Peak memory is the
largest sum over the tree seen at one instant, as PSS (each shared page divided among the
processes sharing it — Chromium's many processes share most of their pages, so summing RSS
would count them several times); the summed RSS is reported beside it as an upper bound.
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

from demo.server import DemoServer  # noqa: E402


def children(pid: int) -> list[int]:
    out = []
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        for task in tasks:
            text = (task / "children").read_text().split()
            out.extend(int(c) for c in text)
    except OSError:
        pass
    return out


def tree_memory_kb(root: int) -> tuple[int, int]:
    """(PSS, RSS) summed over the process tree, in kB."""
    pss = rss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            continue
        stack.extend(children(pid))
    return pss, rss


def one_run(server: DemoServer) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="xunjian-bench-"))
    env = dict(os.environ, XUNJIAN_STORE=str(tmp / "store"), XUNJIAN_LINK_TIMEOUT="1.5")
    cli = [sys.executable, "-m", "xunjian.cli"]
    files = server.write_registry(tmp / "registry")
    subprocess.run([*cli, "registry", "import", *map(str, files)], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    start = time.perf_counter()
    proc = subprocess.Popen([*cli, "inspect", "9999000001", "--json", str(tmp / "card.json")],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    peak_pss = peak_rss = 0
    while proc.poll() is None:
        pss, rss = tree_memory_kb(proc.pid)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    card = json.loads((tmp / "card.json").read_text("utf-8"))
    return {"wall_s": round(wall, 2), "peak_pss_mb": round(peak_pss / 1024, 1),
            "peak_rss_sum_mb": round(peak_rss / 1024, 1),
            "findings": len(card["findings"]), "deduction": card["total_deduction"],
            "exit": proc.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with DemoServer(slow_seconds=3) as server:
        results = [one_run(server) for _ in range(args.runs)]
    for n, r in enumerate(results, 1):
        print(f"run {n}: {r['wall_s']:.2f} s wall, peak {r['peak_pss_mb']:.0f} MB PSS "
              f"({r['peak_rss_sum_mb']:.0f} MB summed RSS) over the process tree, "
              f"{r['findings']} findings, {r['deduction']} points")
    walls = sorted(r["wall_s"] for r in results)
    print(f"median wall {walls[len(walls) // 2]:.2f} s; "
          f"max peak {max(r['peak_pss_mb'] for r in results):.0f} MB PSS")


if __name__ == "__main__":
    main()
